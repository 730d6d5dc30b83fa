import Actors
import Testing

@Suite struct DepositRecordWebhookTests {
    private func parse(_ json: String) throws(ServiceError) -> DepositRecord {
        try DepositRecord(webhookBody: Array(json.utf8))
    }

    private func expectCode(_ code: ServiceError.Code, naming field: String, _ json: String, sourceLocation: SourceLocation = #_sourceLocation) {
        do {
            _ = try self.parse(json)
            Issue.record("accepted \(json)", sourceLocation: sourceLocation)
        } catch {
            #expect(error.code == code, "\(json) → \(error)", sourceLocation: sourceLocation)
            #expect(error.message.contains(field), "message \"\(error.message)\" should name \(field)", sourceLocation: sourceLocation)
        }
    }

    @Test func theSmokeRequestIsAccepted() throws {
        let record = try self.parse(#"{"tx_hash":"smoke-test-1","confirmations":12,"amount":"1.0","metadata":{"user_id":"test"}}"#)
        #expect(record.txHash == "smoke-test-1")
        #expect(record.confirmations == 12)
        #expect(record.amount.description == "1")
        #expect(record.userRef == "test")
        #expect(record.metadata == #"{"user_id":"test"}"#)
        #expect(record.chain == "bep20")
        #expect(record.currency == "USDT")
        #expect(record.chainStatus == .confirmed)
        #expect(record.logIndex == 0)
    }

    @Test func readsEveryField() throws {
        let record = try self.parse("""
            {"tx_hash":"0xabc","amount":12.5,"confirmations":3,"chain":"BEP20","currency":"usdt","status":"pending",
             "to_address":"0xdef","block_number":123456,"log_index":2,"user_id":"3f1c2b9e-1d2a-4c5b-9e8f-0a1b2c3d4e5f",
             "metadata":{ "user_id" : "other", "note": [1,2] }}
            """)
        #expect(record.amount.description == "12.5")
        #expect(record.chain == "bep20")
        #expect(record.currency == "USDT")
        #expect(record.chainStatus == .pending)
        #expect(record.toAddress == "0xdef")
        #expect(record.blockNumber == 123456)
        #expect(record.logIndex == 2)
        // user_id wins over metadata.user_id; metadata is kept byte for byte.
        #expect(record.userRef == "3f1c2b9e-1d2a-4c5b-9e8f-0a1b2c3d4e5f")
        #expect(record.metadata == #"{ "user_id" : "other", "note": [1,2] }"#)
    }

    @Test func nullOptionalFieldsMeanAbsent() throws {
        let record = try self.parse(#"{"tx_hash":"a","amount":"1","confirmations":null,"status":null,"user_id":null,"metadata":null}"#)
        #expect(record.confirmations == 0)
        #expect(record.chainStatus == .confirmed)
        #expect(record.userRef == nil)
        #expect(record.metadata == nil)
    }

    @Test func malformedBodiesAre400() {
        self.expectCode(.malformedRequest, naming: "JSON", "{not json")
        self.expectCode(.malformedRequest, naming: "JSON", "")
        self.expectCode(.malformedRequest, naming: "object", #"["tx_hash"]"#)
        self.expectCode(.malformedRequest, naming: "object", "42")
        self.expectCode(.malformedRequest, naming: "tx_hash", #"{"amount":"1"}"#)
        self.expectCode(.malformedRequest, naming: "amount", #"{"tx_hash":"a"}"#)
        self.expectCode(.malformedRequest, naming: "amount", #"{"tx_hash":"a","amount":null}"#)
    }

    @Test func wrongTypesAndValuesAre422() {
        self.expectCode(.invalidField, naming: "amount", #"{"tx_hash":"a","amount":"abc"}"#)
        self.expectCode(.invalidField, naming: "amount", #"{"tx_hash":"a","amount":"-1"}"#)
        self.expectCode(.invalidField, naming: "amount", #"{"tx_hash":"a","amount":-1}"#)
        self.expectCode(.invalidField, naming: "amount", #"{"tx_hash":"a","amount":"0"}"#)
        self.expectCode(.invalidField, naming: "amount", #"{"tx_hash":"a","amount":"0.0000000000000000001"}"#)
        self.expectCode(.invalidField, naming: "amount", #"{"tx_hash":"a","amount":"1.1234567890123456789"}"#)
        self.expectCode(.invalidField, naming: "amount", #"{"tx_hash":"a","amount":1e400}"#)
        self.expectCode(.invalidField, naming: "amount", #"{"tx_hash":"a","amount":true}"#)
        self.expectCode(.invalidField, naming: "amount", #"{"tx_hash":"a","amount":{"v":1}}"#)
        self.expectCode(.invalidField, naming: "confirmations", #"{"tx_hash":"a","amount":"1","confirmations":"x"}"#)
        self.expectCode(.invalidField, naming: "confirmations", #"{"tx_hash":"a","amount":"1","confirmations":-1}"#)
        self.expectCode(.invalidField, naming: "confirmations", #"{"tx_hash":"a","amount":"1","confirmations":1.5}"#)
        self.expectCode(.invalidField, naming: "confirmations", #"{"tx_hash":"a","amount":"1","confirmations":99999999999999999999}"#)
        self.expectCode(.invalidField, naming: "tx_hash", #"{"tx_hash":"","amount":"1"}"#)
        self.expectCode(.invalidField, naming: "tx_hash", #"{"tx_hash":"has space","amount":"1"}"#)
        self.expectCode(.invalidField, naming: "tx_hash", #"{"tx_hash":12,"amount":"1"}"#)
        self.expectCode(.invalidField, naming: "tx_hash", "{\"tx_hash\":\"\(String(repeating: "a", count: 129))\",\"amount\":\"1\"}")
        self.expectCode(.invalidField, naming: "tx_hash", #"{"tx_hash":"caf\u00e9","amount":"1"}"#)
        self.expectCode(.invalidField, naming: "status", #"{"tx_hash":"a","amount":"1","status":"done"}"#)
        self.expectCode(.invalidField, naming: "log_index", #"{"tx_hash":"a","amount":"1","log_index":-3}"#)
        self.expectCode(.invalidField, naming: "block_number", #"{"tx_hash":"a","amount":"1","block_number":"12"}"#)
        self.expectCode(.invalidField, naming: "chain", #"{"tx_hash":"a","amount":"1","chain":"bep 20"}"#)
        self.expectCode(.invalidField, naming: "currency", #"{"tx_hash":"a","amount":"1","currency":""}"#)
        self.expectCode(.invalidField, naming: "user_id", #"{"tx_hash":"a","amount":"1","user_id":7}"#)
        self.expectCode(.invalidField, naming: "metadata", #"{"tx_hash":"a","amount":"1","metadata":"x"}"#)
    }

    @Test func aTransferReadyForCreditNeedsEnoughConfirmations() throws {
        var record = try self.parse(#"{"tx_hash":"a","amount":"1","confirmations":11}"#)
        #expect(!record.isReady(threshold: 12))
        record.confirmations = 12
        #expect(record.isReady(threshold: 12))
        record.chainStatus = .pending
        #expect(!record.isReady(threshold: 12))
        record.chainStatus = .failed
        record.confirmations = 0
        #expect(record.isReady(threshold: 12))
    }

    @Test func repeatsConflictOnAmountCurrencyOrUser() throws {
        let original = try self.parse(#"{"tx_hash":"a","amount":"1","user_id":"u"}"#)
        var repeatRecord = original
        repeatRecord.confirmations = 40
        #expect(original.conflict(with: repeatRecord) == nil)
        repeatRecord.amount = try Amount(parsing: "2")
        #expect(original.conflict(with: repeatRecord)?.contains("amount") == true)
        repeatRecord = original
        repeatRecord.currency = "BUSD"
        #expect(original.conflict(with: repeatRecord)?.contains("currency") == true)
        repeatRecord = original
        repeatRecord.userRef = nil
        #expect(original.conflict(with: repeatRecord)?.contains("user_id") == true)
    }
}
