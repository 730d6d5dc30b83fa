import HTTPTypes
import Hummingbird
import Logging

/// Turns every error into `{"ok":false,"error":"..."}` with the right status, and records
/// the request's metrics under its route template.
struct JSONErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    let metrics: ServiceMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let started = ContinuousClock.now
        let response: Response
        do {
            response = try await next(request, context)
        } catch let error as ServiceError {
            response = JSONBody.error(error.code.httpStatus, error.message)
        } catch let error as any HTTPResponseError {
            let message: String = switch error.status {
            case .notFound: "no such route"
            case .methodNotAllowed: "method not allowed on this route"
            case .contentTooLarge: "body exceeds the size limit"
            default: error.status.reasonPhrase.lowercased()
            }
            response = JSONBody.error(error.status, message)
        } catch {
            context.logger.error("request_failed", metadata: ["error": "\(String(reflecting: type(of: error)))"])
            response = JSONBody.error(.internalServerError, "internal error")
        }
        self.metrics.recordRequest(
            method: request.method.rawValue,
            // Route templates only; anything that matched no route shares one label.
            path: context.endpointPath.flatMap { $0.hasPrefix("/") ? $0 : nil } ?? "unmatched",
            code: response.status.code,
            duration: started.duration(to: .now)
        )
        return response
    }
}
