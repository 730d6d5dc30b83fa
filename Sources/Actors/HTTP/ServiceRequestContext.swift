import Hummingbird
import NIOCore

/// The request context of the service's routes: Hummingbird's core context plus the
/// client's address, which the admin routes log on a failed authentication.
public struct ServiceRequestContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The connected peer; nil when the channel has none (in-process tests).
    public let remoteAddress: SocketAddress?

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.remoteAddress = source.channel.remoteAddress
    }
}
