import Foundation

/// The relay's side of a `StreamTextFilter`: passes each `stream` message's text through it and turns text it gives
/// back later into `stream` messages (the stream's last message, with `-held` added to its `msg_id`).
struct StreamHoldback {
    private struct Key: Hashable {
        var parent: String
        var name: String
    }
    private let filter: StreamTextFilter?
    /// The last message of each stream with text held: the envelope of what is given back.
    private var templates: [Key: Message] = [:]

    init(filter: StreamTextFilter?) {
        self.filter = filter
    }

    /// A monotonic clock in seconds.
    static var now: Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }

    /// `message` (a `stream`) with the text to show now; nil when all of it is held.
    mutating func admit(_ message: Message, parent: String, now: Double = StreamHoldback.now) -> Message? {
        guard let filter, let name = message.content["name"]?.stringValue,
              let text = message.content["text"]?.stringValue else { return message }
        let key = Key(parent: parent, name: name)
        var template = message  // the envelope only: a 25 MB piece is not kept alive by it
        template.content["text"] = .string("")
        templates[key] = template
        let shown = filter.admit(text, parent: parent, name: name, now: now)
        guard !shown.isEmpty else { return nil }
        guard shown != text else { return message }
        var sent = message
        sent.content["text"] = .string(shown)
        return sent
    }

    /// How many decoded bytes at each end of a large piece `admitUnchanged` needs.
    var endWindow: Int { filter?.endWindow ?? 256 }

    /// A large piece, given by its ends, whose JSON bytes hold nothing to mask: true when it goes on as it came
    /// (the filter recorded it as shown, or there is no filter); false when it must go through `admit` whole.
    mutating func admitUnchanged(_ piece: JSONStreamPiece, parent: String, now: Double = StreamHoldback.now) -> Bool {
        guard let filter else { return true }
        return piece.head.withUnsafeBufferPointer { head in
            piece.tail.withUnsafeBufferPointer { tail in
                filter.admitUnchanged(head: head, tail: tail, count: piece.count, parent: parent, name: piece.name, now: now)
            }
        }
    }

    /// Held text of `parent`'s streams (all when nil), as messages to send now. Nothing of them is held afterwards,
    /// so their envelopes are forgotten (a later piece brings its own).
    mutating func release(parent: String?) -> [Message] {
        guard let filter else { return [] }
        let released = messages(filter.release(parent: parent))
        templates = templates.filter { parent != nil && $0.key.parent != parent }
        return released
    }

    /// Held text whose wait is over, as messages to send now.
    mutating func expire(now: Double = StreamHoldback.now) -> [Message] {
        guard let filter, let due = filter.nextDeadline, due <= now else { return [] }
        return messages(filter.expire(now: now))
    }

    /// Milliseconds until `expire` has something to give (-1: nothing held).
    func millisecondsToNextDeadline(now: Double = StreamHoldback.now) -> Int {
        guard let due = filter?.nextDeadline else { return -1 }
        return Int(max(1, min(60_000, ((due - now) * 1000).rounded(.up))))
    }

    private mutating func messages(_ held: [HeldStreamText]) -> [Message] {
        held.compactMap { piece in
            guard let template = templates[Key(parent: piece.parent, name: piece.name)] else { return nil }
            var sent = template
            sent.header.msgID += "-held"
            sent.content["text"] = .string(piece.text)
            return sent
        }
    }
}
