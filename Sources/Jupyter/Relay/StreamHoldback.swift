/// Holds back the end of a `stream` text that could be the start of a secret, so a token the child flushed
/// in two pieces is masked whole: the held tail is put in front of the next piece of the same stream, or
/// sent alone when anything else is shown for the request or the request ends.
struct StreamHoldback {
    private struct Key: Hashable {
        var parent: String
        var name: String
    }
    private var held: [Key: (message: Message, text: String)] = [:]

    /// The text to send now for `message` (a `stream`), holding back the last `tailLength(text)` bytes
    /// (an ASCII tail: the secret shapes are ASCII).
    /// Nil when everything is held.
    mutating func admit(_ message: Message, parent: String, tailLength: (String) -> Int) -> Message? {
        guard let name = message.content["name"]?.stringValue, let text = message.content["text"]?.stringValue else { return message }
        let key = Key(parent: parent, name: name)
        let earlier = held.removeValue(forKey: key)?.text
        let combined = earlier.map { $0 + text } ?? text
        let hold = min(max(0, tailLength(combined)), combined.utf8.count)
        if hold == 0 && earlier == nil { return message }
        if hold > 0 { held[key] = (message, String(decoding: combined.utf8.suffix(hold), as: UTF8.self)) }
        guard hold < combined.utf8.count else { return nil }
        var sent = message
        sent.content["text"] = .string(hold == 0 ? combined : String(decoding: combined.utf8.dropLast(hold), as: UTF8.self))
        return sent
    }

    /// Every held tail of `parent`'s streams (all parents when nil), as messages to send now, and forgets them.
    mutating func release(parent: String?) -> [Message] {
        let keys = held.keys.filter { parent == nil || $0.parent == parent }
        return keys.sorted { $0.name < $1.name }.compactMap { key in
            guard let (message, text) = held.removeValue(forKey: key) else { return nil }
            var sent = message
            sent.header.msgID += "-held"
            sent.content["text"] = .string(text)
            return sent
        }
    }
}
