import Actors
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// The cost of hostile bodies does not grow with the attack: each is compared with a benign
/// input of the same size in the same run (thread CPU time, the best of several runs), never
/// against a wall-clock threshold. A quadratic path costs tens of times the benign input here.
@Suite struct ParserCostTests {
    /// How many times the benign input's cost an attack may take. Linear code stays near 1–2×;
    /// the quadratic paths these tests guard against measured 30× and more at these sizes.
    static let allowedRatio = 4.0

    /// CPU time of this thread spent in `body`, the best of `runs`.
    private func cpuTime(runs: Int = 7, _ body: () -> Void) -> Double {
        var best = Double.infinity
        for _ in 0..<runs {
            let start = Self.threadCPUSeconds()
            body()
            best = min(best, Self.threadCPUSeconds() - start)
        }
        return best
    }

    private static func threadCPUSeconds() -> Double {
        var spec = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &spec)
        return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
    }

    private func expectSameOrder(attack: Double, benign: Double, _ what: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let ratio = attack / max(benign, 1e-9)
        #expect(ratio <= Self.allowedRatio, "\(what): \(ratio)× the benign input", sourceLocation: sourceLocation)
    }

    @Test func manyDistinctKeysCostLikeAFlatBodyOfTheSameSize() throws {
        let count = 6_500
        let keys = (0..<count).map { "k\(String($0, radix: 36))" }
        let attack = Array((#"{"tx_hash":"t","amount":"1","metadata":{"# + keys.map { #""\#($0)":1"# }.joined(separator: ",") + "}}").utf8)
        let benign = Array((#"{"tx_hash":"t","amount":"1","metadata":{"pad":["# + keys.map { #""\#($0)",1"# }.joined(separator: ",") + "]}}").utf8)
        #expect(abs(attack.count - benign.count) < attack.count / 50)
        _ = try DepositRecord(webhookBody: attack)
        _ = try DepositRecord(webhookBody: benign)
        let attackCost = self.cpuTime { _ = try? DepositRecord(webhookBody: attack) }
        let benignCost = self.cpuTime { _ = try? DepositRecord(webhookBody: benign) }
        self.expectSameOrder(attack: attackCost, benign: benignCost, "6,500 distinct keys")
    }

    @Test func aDuplicateKeyLateInALargeObjectIsFoundInLinearTime() {
        let keys = (0..<6_500).map { "k\($0)" }
        let attack = Array(("{" + (keys + ["k0"]).map { #""\#($0)":1"# }.joined(separator: ",") + "}").utf8)
        let benign = Array(("[" + (keys + ["k0"]).map { #""\#($0)",1"# }.joined(separator: ",") + "]").utf8)
        #expect(throws: JSONReader.SyntaxError.self) { try JSONReader.parse(attack) }
        let attackCost = self.cpuTime { _ = try? JSONReader.parse(attack) }
        let benignCost = self.cpuTime { _ = try? JSONReader.parse(benign) }
        self.expectSameOrder(attack: attackCost, benign: benignCost, "a late duplicate key")
    }

    @Test func longNumbersCostLikeLongStrings() throws {
        let digits = String(repeating: "7", count: 30_000)
        let attack = Array((#"{"tx_hash":"t","amount":0."# + digits + "e-1}").utf8)
        let benign = Array((#"{"tx_hash":"t","amount":"1","metadata":{"n":""# + digits + #""}}"#).utf8)
        let attackCost = self.cpuTime { _ = try? DepositRecord(webhookBody: attack) }
        let benignCost = self.cpuTime { _ = try? DepositRecord(webhookBody: benign) }
        self.expectSameOrder(attack: attackCost, benign: benignCost, "a 30,000-digit amount")
    }

    @Test func aLongSignatureListCostsOneHMAC() throws {
        let verifier = try SignatureVerifier(secret: "s3cret")
        let body = Array(repeating: UInt8(ascii: "x"), count: 64 * 1024)
        let now: Int64 = 1_800_000_000
        let valid = verifier.standardSignature(id: "msg_1", timestamp: now, body: body)
        let junk = "v1,AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="
        let single = SignatureVerifier.Headers(webhookID: "msg_1", webhookTimestamp: "\(now)", webhookSignature: valid)
        let full = SignatureVerifier.Headers(
            webhookID: "msg_1", webhookTimestamp: "\(now)",
            webhookSignature: (Array(repeating: junk, count: SignatureVerifier.maximumSignatureCandidates - 1) + [valid]).joined(separator: " ")
        )
        let flood = SignatureVerifier.Headers(
            webhookID: "msg_1", webhookTimestamp: "\(now)", webhookSignature: Array(repeating: junk, count: 1_600).joined(separator: " ")
        )
        let singleCost = self.cpuTime { _ = try? verifier.verify(body: body, headers: single, now: now) }
        let fullCost = self.cpuTime { _ = try? verifier.verify(body: body, headers: full, now: now) }
        let floodCost = self.cpuTime { _ = try? verifier.verify(body: body, headers: flood, now: now) }
        // Eight candidates cost one HMAC, not eight; 1,600 are refused before any.
        self.expectSameOrder(attack: fullCost, benign: singleCost, "\(SignatureVerifier.maximumSignatureCandidates) candidates")
        self.expectSameOrder(attack: floodCost, benign: singleCost, "1,600 candidates")
        #expect(fullCost < singleCost * 2, "eight candidates cost \(fullCost / singleCost)× one: more than one HMAC")
    }
}
