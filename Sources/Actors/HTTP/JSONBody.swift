import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// Small helpers for JSON responses.
enum JSONBody {
    static let contentType: HTTPFields = [.contentType: "application/json"]

    /// A response with `body` (already JSON) and the JSON content type.
    static func response(_ status: HTTPResponse.Status, _ json: String, headers: HTTPFields = [:]) -> Response {
        var fields = JSONBody.contentType
        fields.append(contentsOf: headers)
        return Response(status: status, headers: fields, body: ResponseBody(byteBuffer: ByteBuffer(string: json)))
    }

    /// A response holding `value` encoded with sorted keys.
    static func response(_ status: HTTPResponse.Status, encoding value: some Encodable) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data = try encoder.encode(value)
        return Response(status: status, headers: JSONBody.contentType, body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// `{"ok":false,"error":"<message>"}`
    static func error(_ status: HTTPResponse.Status, _ message: String, headers: HTTPFields = [:]) -> Response {
        self.response(status, #"{"ok":false,"error":"# + quoted(message) + "}", headers: headers)
    }

    /// `message` as a JSON string literal, quotes included.
    static func quoted(_ text: String) -> String {
        var out = "\""
        out.reserveCapacity(text.utf8.count + 2)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case let control where control.value < 0x20:
                out += String(format: "\\u%04x", control.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        out += "\""
        return out
    }
}
