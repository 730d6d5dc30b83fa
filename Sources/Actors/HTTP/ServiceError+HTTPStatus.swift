import HTTPTypes

extension ServiceError.Code {
    /// The HTTP status a client sees for this error.
    var httpStatus: HTTPResponse.Status {
        switch self {
        case .malformedRequest: .badRequest
        case .invalidField: .unprocessableContent
        case .payloadTooLarge: .contentTooLarge
        case .unsupportedMediaType: .unsupportedMediaType
        case .unauthorized: .unauthorized
        case .notFound: .notFound
        case .conflict: .conflict
        case .unavailable, .storeFailure, .leaseLost: .serviceUnavailable
        default: .internalServerError
        }
    }
}
