/// How the fuzz targets read their raw input.
public enum FuzzInput {
    /// The byte that starts a run: `0x01`, then a big-endian 16-bit count, then the byte to
    /// repeat. It lets a short input stand for a literal of thousands of digits (a count
    /// above 20,000 is taken modulo 20,001). An incomplete run is kept as written.
    public static let runMarker: UInt8 = 0x01

    public static func expandingRuns(_ bytes: [UInt8]) -> [UInt8] {
        guard bytes.contains(Self.runMarker) else { return bytes }
        var out: [UInt8] = []
        var index = 0
        while index < bytes.count {
            if bytes[index] == Self.runMarker, index + 3 < bytes.count {
                let count = (Int(bytes[index + 1]) << 8 | Int(bytes[index + 2])) % 20_001
                out.append(contentsOf: repeatElement(bytes[index + 3], count: count))
                index += 4
            } else {
                out.append(bytes[index])
                index += 1
            }
        }
        return out
    }

    /// The input cut at its first `count − 1` line feeds: `count` fields, the last one
    /// holding the rest (line feeds included). Missing fields are empty.
    public static func fields(_ bytes: [UInt8], count: Int) -> [[UInt8]] {
        var fields = bytes.split(separator: 0x0A, maxSplits: count - 1, omittingEmptySubsequences: false).map(Array.init)
        while fields.count < count { fields.append([]) }
        return fields
    }
}
