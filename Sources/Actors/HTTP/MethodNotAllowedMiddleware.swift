import HTTPTypes
import Hummingbird

/// Answers `405 Method Not Allowed` with an `Allow` header when the path is one the service
/// serves but the method is not one it serves there (RFC 9110 §15.5.6); every other request
/// passes on unchanged, so a path the service does not serve still gets `404`.
///
/// Hummingbird's router answers `404` in both cases. This middleware holds the route
/// templates the router was built with (``Route``) and tells the two apart. `HEAD` is not
/// served (a `HEAD` on a `GET` route is answered `405` naming `GET`), nor is `OPTIONS`.
struct MethodNotAllowedMiddleware<Context: RequestContext>: RouterMiddleware {
    /// One path template and the methods served on it.
    struct Route: Sendable, Equatable {
        /// The template's segments; one starting with `:` matches any single segment.
        let segments: [String]
        let methods: [HTTPRequest.Method]

        init(_ template: String, _ methods: HTTPRequest.Method...) {
            self.segments = template.split(separator: "/").map(String.init)
            self.methods = methods
        }

        func matches(_ segments: [Substring]) -> Bool {
            segments.count == self.segments.count
                && zip(self.segments, segments).allSatisfy { template, segment in template.hasPrefix(":") || template == segment }
        }
    }

    let routes: [Route]

    init(routes: [Route]) {
        self.routes = routes
    }

    /// The routes ``ServiceRouterBuilder`` registers: the probes and `/metrics` always, the
    /// webhook when the listener takes webhooks, the admin routes when it also has an admin
    /// token (without one they do not exist, and answer `404` whatever the method).
    static func service(webhooks: Bool, admin: Bool) -> Self {
        var routes = [
            Route("/api/v1/webhooks/health", .get),
            Route("/api/v1/health", .get),
            Route("/healthz", .get),
            Route("/readyz", .get),
            Route("/metrics", .get),
        ]
        if webhooks {
            routes.append(Route("/api/v1/webhooks/bep20", .post))
        }
        if webhooks && admin {
            routes += [
                Route("/api/v1/transactions/:tx_id", .get),
                Route("/api/v1/admin/users", .post),
                Route("/api/v1/admin/users/:id/wallet", .get),
                Route("/api/v1/admin/transactions/:tx_id/assign", .post),
                Route("/api/v1/admin/transactions/:tx_id/requeue", .post),
                Route("/api/v1/admin/supervisor", .get),
                Route("/api/v1/admin/chaos/kill-worker", .post),
            ]
        }
        return Self(routes: routes)
    }

    /// The methods served on `path`, or nil when no route has that path.
    func allowedMethods(path: String) -> [HTTPRequest.Method]? {
        let segments = path.split(separator: "/")
        let methods = self.routes.filter { $0.matches(segments) }.flatMap(\.methods)
        return methods.isEmpty ? nil : methods
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let allowed = self.allowedMethods(path: request.uri.path), !allowed.contains(request.method) else {
            return try await next(request, context)
        }
        let allow = allowed.map(\.rawValue).joined(separator: ", ")
        return JSONBody.error(.methodNotAllowed, "method not allowed on this route; allowed: \(allow)", headers: [.allow: allow])
    }
}
