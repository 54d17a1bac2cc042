/// Decides what of a hosted kernel's `stream` text may be shown now. The relay calls it from its one thread; the
/// kernel's owner supplies it (`Kernel(…, streamFilter:)`), so this module knows nothing of what is filtered.
public protocol StreamTextFilter: AnyObject {
    /// The text to show now of a new piece of `parent`'s stream `name` (possibly empty: all held).
    func admit(_ text: String, parent: String, name: String, now: Double) -> String
    /// Held text of `parent`'s streams (every stream's when nil) to show now.
    func release(parent: String?) -> [HeldStreamText]
    /// Held text whose time to wait is over at `now`.
    func expire(now: Double) -> [HeldStreamText]
    /// When `expire` will next have something to give (nil: nothing held).
    var nextDeadline: Double? { get }
}

/// Text a `StreamTextFilter` held and now gives back.
public struct HeldStreamText: Sendable, Equatable {
    public var parent: String
    public var name: String
    public var text: String

    public init(parent: String, name: String, text: String) {
        self.parent = parent
        self.name = name
        self.text = text
    }
}
