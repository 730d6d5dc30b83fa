/// Parsing shared by the admin request bodies.
enum AdminRequestBody {
    /// The body as a JSON object, or 400.
    static func object(_ bytes: [UInt8]) throws(ServiceError) -> JSONObject {
        let value: JSONValue
        do {
            value = try JSONReader.parse(bytes)
        } catch {
            throw ServiceError.malformed("body is not valid JSON: \(error.reason)")
        }
        guard case .object(let object) = value else { throw ServiceError.malformed("body must be a JSON object") }
        return object
    }
}
