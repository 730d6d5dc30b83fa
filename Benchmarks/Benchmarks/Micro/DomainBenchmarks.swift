import Actors
import Benchmark

/// Amount parsing, webhook decoding and validation, signature verification: the CPU work of
/// every webhook before it reaches the store. Each benchmark iteration is one operation.
func registerDomainBenchmarks() {
    Benchmark("Amount.parse_short") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try Amount(parsing: "1.5"))
        }
    }

    Benchmark("Amount.parse_38_digits") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try Amount(parsing: "12345678901234567890.123456789012345678"))
        }
    }

    Benchmark("Amount.description") { benchmark in
        let amount = try Amount(parsing: "12345.000000000000000001")
        for _ in benchmark.scaledIterations {
            blackHole(amount.description)
        }
    }

    let body = Array(#"{"tx_hash":"bench-r1-123456","amount":"1.5","confirmations":12,"user_id":"3f2b8c1e-9a4d-4e6f-8b7a-1c2d3e4f5a6b"}"#.utf8)
    Benchmark("DepositRecord.decode_webhook") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try DepositRecord(webhookBody: body))
        }
    }

    let fullBody = Array(
        #"{"tx_hash":"0x8f1c2e6b9d3a4f5e6d7c8b9a0f1e2d3c4b5a69788796a5b4c3d2e1f0a9b8c7d6","amount":"1250.000000000000000001","#
            .utf8
    ) + Array(
        #""confirmations":15,"chain":"bep20","currency":"USDT","status":"confirmed","to_address":"0x52908400098527886E0F7030069857D2E4169EE7","#
            .utf8
    ) + Array(#""block_number":38123456,"log_index":3,"metadata":{"user_id":"3f2b8c1e-9a4d-4e6f-8b7a-1c2d3e4f5a6b","source":"watcher-2"}}"#.utf8)
    Benchmark("DepositRecord.decode_all_fields") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try DepositRecord(webhookBody: fullBody))
        }
    }

    Benchmark("DepositRecord.decode_rejects_bad_amount") { benchmark in
        let bad = Array(#"{"tx_hash":"bench-r1-1","amount":"abc","confirmations":12}"#.utf8)
        for _ in benchmark.scaledIterations {
            blackHole(try? DepositRecord(webhookBody: bad))
        }
    }

    Benchmark("SignatureVerifier.verify_hex") { benchmark in
        let verifier = try SignatureVerifier(secret: "bench-secret")
        let headers = SignatureVerifier.Headers(signature: verifier.hexSignature(for: body))
        for _ in benchmark.scaledIterations {
            try verifier.verify(body: body, headers: headers, now: 1_700_000_000)
        }
    }

    Benchmark("SignatureVerifier.verify_standard") { benchmark in
        let verifier = try SignatureVerifier(secret: "whsec_c2VjcmV0LWtleS1ieXRlcw==")
        let headers = SignatureVerifier.Headers(
            webhookID: "msg_1",
            webhookTimestamp: "1700000000",
            webhookSignature: verifier.standardSignature(id: "msg_1", timestamp: 1_700_000_000, body: body)
        )
        for _ in benchmark.scaledIterations {
            try verifier.verify(body: body, headers: headers, now: 1_700_000_000)
        }
    }
}
