import Testing

@testable import Runtime

@Suite("MetricsCatalog")
struct MetricsCatalogTests {
    @Test("a new series is announced on the stream before its key is returned, once")
    func registrationMessages() async {
        let (messages, input) = AsyncStream.makeStream(of: MetricsMessage.self, bufferingPolicy: .unbounded)
        let catalog = MetricsCatalog(input: input)
        let labels = [Label("code", "200")]
        let first = catalog.register(kind: .counter, name: "x_total", labels: labels, help: "X.", buckets: [])
        let again = catalog.register(kind: .counter, name: "x_total", labels: labels, help: "X.", buckets: [])
        let gauge = catalog.register(kind: .gauge, name: "y", labels: [], help: "Y.", buckets: [])
        input.finish()

        #expect(first == again)
        #expect(first.catalog == catalog.id && first.index == 0)
        #expect(gauge.index == 0)
        var announced: [(MetricKind, Int, String, [Label])] = []
        for await message in messages {
            if case .register(let descriptor) = message {
                announced.append((descriptor.kind, descriptor.index, descriptor.name, descriptor.labels))
            }
        }
        #expect(announced.count == 2)
        #expect(announced.first?.0 == .counter && announced.first?.2 == "x_total" && announced.first?.3 == labels)
        #expect(announced.last?.0 == .gauge && announced.last?.1 == 0)
    }
}
