/// `window/logMessage` and `window/showMessage` severities (LSP 3.17 `MessageType`).
public enum MessageType: Int, Sendable {
    case error = 1
    case warning = 2
    case info = 3
    case log = 4
}
