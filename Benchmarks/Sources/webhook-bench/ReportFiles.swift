import Foundation
import LoadKit

/// Reading and writing report files.
enum ReportFiles {
    static func write(_ report: LoadReport, to path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(report).write(to: URL(fileURLWithPath: path))
    }

    static func write(text: String, to path: String) throws {
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    }

    static func read(_ path: String) throws -> LoadReport {
        do {
            return try JSONDecoder().decode(LoadReport.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
        } catch {
            throw LoadError.unreadableReport.with("cannot read report \(path): \(error)")
        }
    }
}
