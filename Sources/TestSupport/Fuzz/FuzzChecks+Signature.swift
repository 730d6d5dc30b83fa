import Actors
import Foundation

extension FuzzChecks {
    /// The `now` used when the input's second field is not an integer.
    static let defaultNow: Int64 = 1_700_000_000

    /// FuzzSignature: `SignatureVerifier` with arbitrary header values.
    ///
    /// The input is seven fields cut at line feeds (``FuzzInput/fields(_:count:)``): secret,
    /// now (Unix seconds; ``defaultNow`` when not an integer), `X-Signature`, `webhook-id`,
    /// `webhook-timestamp`, `webhook-signature`, body (the rest). An empty header field is an
    /// absent header.
    ///
    /// - Nothing traps, and a refusal is 401.
    /// - What the fuzzed headers get accepted carries the right MAC (and, for Standard
    ///   Webhooks, a timestamp within the 300 s tolerance).
    /// - A body signed by the same verifier always verifies: `hexSignature(for:)` as sent, in
    ///   upper case and without `sha256=`; `standardSignature` with the fuzzed id (or `msg_1`)
    ///   at `now`, at `now ± 300`, and among other candidates; at `now ± 301` it is refused.
    public static func signature(_ bytes: [UInt8]) throws(FuzzFailure) {
        let fields = FuzzInput.fields(bytes, count: 7).map { String(decoding: $0, as: UTF8.self) }
        let header = { (index: Int) -> String? in fields[index].isEmpty ? nil : fields[index] }
        let verifier: SignatureVerifier
        do {
            verifier = try SignatureVerifier(secret: fields[0])
        } catch {
            try FuzzFailure.require(error.code == .invalidField, "secret refused with \(error.code), not as an invalid value")
            return
        }
        let now = Int64(fields[1]) ?? self.defaultNow
        let body = FuzzInput.fields(bytes, count: 7)[6]
        let headers = SignatureVerifier.Headers(signature: header(2), webhookID: header(3), webhookTimestamp: header(4), webhookSignature: header(5))

        var accepted = false
        do {
            try verifier.verify(body: body, headers: headers, now: now)
            accepted = true
        } catch {
            try FuzzFailure.require(error.code == .unauthorized, "signature refused with \(error.code), not 401")
        }
        if accepted { try self.checkDeservedAcceptance(verifier, headers: headers, body: body, now: now) }
        try self.checkSignedBodiesVerify(verifier, id: header(3), extra: header(5), body: body, now: now)
    }

    /// Fuzzed headers that verify must hold the MAC the verifier itself computes.
    private static func checkDeservedAcceptance(_ verifier: SignatureVerifier, headers: SignatureVerifier.Headers, body: [UInt8], now: Int64) throws(FuzzFailure) {
        if let signature = headers.signature {
            let mac = String(verifier.hexSignature(for: body).dropFirst("sha256=".count))
            try FuzzFailure.require(signature.lowercased().contains(mac), "X-Signature \(excerpt(signature)) verified without the body's MAC")
            return
        }
        guard let list = headers.webhookSignature, let id = headers.webhookID, let timestampText = headers.webhookTimestamp,
              let timestamp = Int64(timestampText.trimmingCharacters(in: .whitespaces))
        else {
            throw FuzzFailure("verified without a complete signature header set")
        }
        try FuzzFailure.require((Int128(now) - Int128(timestamp)).magnitude <= 300, "webhook-timestamp \(timestamp) verified at now \(now)")
        // Compared as bytes: the low bits of a base64 text's last digit are padding, so several
        // texts decode to the one MAC.
        let mac = Data(base64Encoded: String(verifier.standardSignature(id: id, timestamp: timestamp, body: body).dropFirst("v1,".count)))
        let carriesMAC = list.split(separator: " ").contains { candidate in
            candidate.hasPrefix("v1,") && Data(base64Encoded: String(candidate.dropFirst("v1,".count))) == mac
        }
        try FuzzFailure.require(carriesMAC, "webhook-signature \(excerpt(list)) verified without the body's MAC")
    }

    private static func checkSignedBodiesVerify(_ verifier: SignatureVerifier, id fuzzedID: String?, extra: String?, body: [UInt8], now: Int64) throws(FuzzFailure) {
        let hex = verifier.hexSignature(for: body)
        for signature in [hex, String(hex.dropFirst("sha256=".count)), hex.uppercased()] {
            try self.expectVerified(verifier, .init(signature: signature), body: body, now: now, "X-Signature \(signature)")
        }

        let id = fuzzedID.flatMap { (1...256).contains($0.utf8.count) ? $0 : nil } ?? "msg_1"
        let atNow = verifier.standardSignature(id: id, timestamp: now, body: body)
        try self.expectVerified(verifier, .init(webhookID: id, webhookTimestamp: String(now), webhookSignature: atNow), body: body, now: now, "webhook-signature at now \(now)")
        // Among other candidates (key rotation), when the fuzzed header is plain ASCII words.
        if let extra, extra.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F || $0 == 0x20 }),
           extra.split(separator: " ").count < SignatureVerifier.maximumSignatureCandidates {
            let list = extra + " " + atNow
            try self.expectVerified(verifier, .init(webhookID: id, webhookTimestamp: String(now), webhookSignature: list), body: body, now: now, "webhook-signature \(excerpt(list))")
        }
        for offset: Int64 in [-301, -300, 300, 301] {
            let (timestamp, overflow) = now.addingReportingOverflow(offset)
            if overflow { continue }
            let headers = SignatureVerifier.Headers(
                webhookID: id, webhookTimestamp: String(timestamp),
                webhookSignature: verifier.standardSignature(id: id, timestamp: timestamp, body: body)
            )
            if offset.magnitude <= 300 {
                try self.expectVerified(verifier, headers, body: body, now: now, "webhook-timestamp now\(offset)")
            } else {
                let verified = (try? verifier.verify(body: body, headers: headers, now: now)) != nil
                try FuzzFailure.require(!verified, "webhook-timestamp now\(offset) verified beyond the 300 s tolerance")
            }
        }
    }

    private static func expectVerified(_ verifier: SignatureVerifier, _ headers: SignatureVerifier.Headers, body: [UInt8], now: Int64, _ what: String) throws(FuzzFailure) {
        do {
            try verifier.verify(body: body, headers: headers, now: now)
        } catch {
            throw FuzzFailure("correctly signed \(what) refused: \(error)")
        }
    }
}
