import Logging

/// The metadata a log line carries, merged the way swift-log's own handlers do.
enum LogMetadata {
    /// The handler's metadata, overridden by the provider's, overridden by the call's; an
    /// event's error adds `error.type` and `error.message` (its description, which for
    /// ``RuntimeError`` is log-safe by design).
    static func merged(
        handler: Logger.Metadata,
        provider: Logger.MetadataProvider?,
        event: LogEvent
    ) -> Logger.Metadata {
        var metadata = handler
        if let provided = provider?.get(), !provided.isEmpty {
            metadata.merge(provided) { _, provided in provided }
        }
        if let explicit = event.metadata, !explicit.isEmpty {
            metadata.merge(explicit) { _, explicit in explicit }
        }
        if let error = event.error {
            metadata["error.type"] = .string(String(reflecting: type(of: error)))
            metadata["error.message"] = .string(String(describing: error))
        }
        return metadata
    }
}
