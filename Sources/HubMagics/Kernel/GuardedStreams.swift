import Jupyter
import TokenGuard

/// The hosted Python's stream text through the token guard's `StreamGuard`, with the session's masker as it is at
/// each piece (so a token saved a moment ago is already known). One per run of the hosted kernel; the relay thread
/// is its only user.
final class GuardedStreams: StreamTextFilter {
    private var streams = StreamGuard()
    private let masker: () -> TokenMasker

    init(masker: @escaping () -> TokenMasker) {
        self.masker = masker
    }

    func admit(_ text: String, parent: String, name: String, now: Double) -> String {
        streams.admit(text, key: StreamGuard.Key(parent: parent, name: name), now: now, masker: masker())
    }

    func release(parent: String?) -> [HeldStreamText] {
        guard streams.isHolding(parent: parent) else { return [] }  // the common case: no masker looked up
        return streams.release(parent: parent, masker: masker()).map(Self.held)
    }

    func expire(now: Double) -> [HeldStreamText] {
        streams.expire(now: now, masker: masker()).map(Self.held)
    }

    var nextDeadline: Double? { streams.nextDeadline }

    var endWindow: Int { StreamGuard.endWindow(masker()) }

    func admitUnchanged(head: UnsafeBufferPointer<UInt8>, tail: UnsafeBufferPointer<UInt8>, count: Int, parent: String,
                        name: String, now: Double) -> Bool {
        streams.admitUnchanged(head: head, tail: tail, count: count, key: StreamGuard.Key(parent: parent, name: name),
                               now: now, masker: masker())
    }

    private static func held(_ piece: (key: StreamGuard.Key, text: String)) -> HeldStreamText {
        HeldStreamText(parent: piece.key.parent, name: piece.key.name, text: piece.text)
    }
}
