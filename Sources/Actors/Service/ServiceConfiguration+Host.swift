import NIOCore
import Runtime

extension ServiceConfiguration {
    /// Resolves `HOST` once, at start, so a name that does not resolve stops start-up
    /// (exit 78 naming HOST) instead of failing every bind of a restarted listener.
    public func checkHostResolves() throws {
        do {
            _ = try SocketAddress.makeAddressResolvingHost(self.ingress.host, port: max(self.ingress.port, 0))
        } catch {
            throw RuntimeError(.invalidConfiguration, "HOST \(HostName.quoted(self.ingress.host)) does not resolve to an address")
        }
    }
}
