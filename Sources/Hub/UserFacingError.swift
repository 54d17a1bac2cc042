/// An error a person can act on. Every engine error conforms, so the kernel and the
/// CLI present them the same way:
///
/// ```swift
/// catch let error as UserFacingError {
///     print("\(error.name): \(error.message)")   // "GatedRepoError: this model is gated: open …"
/// }
/// ```
public protocol UserFacingError: Error, CustomStringConvertible {
    /// A short class-like name, in the style of `huggingface_hub`'s exceptions (`GatedRepoError`).
    var name: String { get }
    /// What happened and what to do next, in one or two sentences. Never contains a token.
    var message: String { get }
    /// A page that helps (a licence to accept, the token settings), shown as a link in rich output.
    var helpURL: String? { get }
}

extension UserFacingError {
    public var helpURL: String? { nil }
    public var description: String { "\(name): \(message)" }
}
