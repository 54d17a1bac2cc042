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
    /// How many decoded bytes at each end of a large piece `admitUnchanged` needs.
    var endWindow: Int { get }
    /// A large piece (over twice `endWindow` bytes) whose JSON bytes were found to hold nothing to mask, given by its
    /// decoded ends only (`head`, `tail`: `endWindow` bytes each) and its length: true when it is to be shown as
    /// written (the filter recorded it); false when it must go through `admit` whole (nothing was recorded).
    func admitUnchanged(head: UnsafeBufferPointer<UInt8>, tail: UnsafeBufferPointer<UInt8>, count: Int, parent: String,
                        name: String, now: Double) -> Bool
}

extension StreamTextFilter {
    public var endWindow: Int { 256 }

    /// A filter that must see every piece whole says false.
    public func admitUnchanged(head: UnsafeBufferPointer<UInt8>, tail: UnsafeBufferPointer<UInt8>, count: Int,
                               parent: String, name: String, now: Double) -> Bool { false }
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
