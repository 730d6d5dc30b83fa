public enum StoreBackend: String, Sendable {
    case postgres
    case sqlite
}
