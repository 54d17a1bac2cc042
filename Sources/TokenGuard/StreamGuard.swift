/// Decides what of a stream's text may be shown now, so that a secret written in pieces is never shown whole.
///
/// A frontend joins the pieces of one stream (`stdout` of one cell) into one text, so masking each piece alone is not
/// enough: `print(tok[:10], end="")` then `print(tok[10:])` would show the whole token. The guard therefore
///
/// * **holds back** the end of a piece that could begin a secret (`h`, `hf_ab…`, a known token's beginning, or a whole
///   token that more letters might still extend) and puts it in front of the stream's next piece;
/// * shows a held end when the stream's next piece comes, when `release` is asked for (the cell ends, or an output
///   that the frontend will not join with it comes), or after `quietTime` without a piece; a held end that would give
///   away part of a secret (`givesAway`) is then shown as its masked beginning (`hf_****`), not as it was written;
/// * **remembers** the last bytes it showed of each stream (as written, `TokenMasker.longestSecret` of them), so a
///   piece that arrives later, however late and whatever came between, and completes a secret, has that secret's rest
///   masked: the joined text reads `hf_****wxyz`, never the token.
///
/// Time is passed in (seconds on any monotonic clock), so the caller owns the timer.
public struct StreamGuard: Sendable {
    /// One stream of one request: the frontend joins pieces with the same key.
    public struct Key: Hashable, Sendable {
        public var parent: String
        public var name: String

        public init(parent: String, name: String) {
            self.parent = parent
            self.name = name
        }
    }

    /// How long a held end waits for the next piece of its stream before it is shown: ipykernel sends what a cell
    /// prints every 0.2 s, so a secret written in pieces by one loop arrives well within it.
    public static let quietTime = 0.5
    /// Streams remembered at most (the oldest without a held end are forgotten first).
    public static let rememberedStreams = 256

    private struct State {
        var held: [UInt8] = []
        var heldSince = 0.0
        /// The last bytes shown, as written.
        var shown: [UInt8] = []
        /// How many of `shown`'s last bytes were shown as a masked beginning (`hf_****`); for the next piece only.
        var maskedTail = 0
        var lastUse: UInt64 = 0
    }

    private var states: [Key: State] = [:]
    private var uses: UInt64 = 0

    public init() {}

    /// A new piece given as UTF-8 bytes: nil when it is to be shown exactly as it is (the common case, no copy), else
    /// the bytes to show now (possibly none: all held).
    public mutating func admit(utf8 text: UnsafeBufferPointer<UInt8>, key: Key, now: Double, masker: TokenMasker) -> [UInt8]? {
        if admitInPlace(text, key: key, now: now, masker: masker) == true { return nil }
        let shown = emit(key, Array(text), flush: false, now: now, masker: masker)
        return shown.elementsEqual(text) ? nil : shown
    }

    /// The text of a new piece of `key`'s stream to show now (secrets masked); what could begin a secret is held.
    public mutating func admit(_ text: String, key: Key, now: Double, masker: TokenMasker) -> String {
        var text = text
        if let unchanged = text.withUTF8({ admitInPlace($0, key: key, now: now, masker: masker) }) {
            return unchanged ? text : ""
        }
        return String(decoding: emit(key, Array(text.utf8), flush: false, now: now, masker: masker), as: UTF8.self)
    }

    /// The held ends of `parent`'s streams (every stream's when nil), to show now, in stream-name order.
    public mutating func release(parent: String?, masker: TokenMasker) -> [(key: Key, text: String)] {
        let keys = states.filter { !$0.value.held.isEmpty && (parent == nil || $0.key.parent == parent) }.map(\.key)
        return flush(keys, masker: masker)
    }

    /// The held ends that waited `quietTime` for a next piece, to show now.
    public mutating func expire(now: Double, masker: TokenMasker) -> [(key: Key, text: String)] {
        let keys = states.filter { !$0.value.held.isEmpty && now - $0.value.heldSince >= Self.quietTime }.map(\.key)
        return flush(keys, masker: masker)
    }

    /// When the next held end is due (nil when nothing is held).
    public var nextDeadline: Double? {
        states.values.filter { !$0.held.isEmpty }.map { $0.heldSince + Self.quietTime }.min()
    }

    /// Whether anything of `parent`'s streams (any stream's when nil) is held.
    public func isHolding(parent: String?) -> Bool {
        states.contains { !$0.value.held.isEmpty && (parent == nil || $0.key.parent == parent) }
    }

    private mutating func flush(_ keys: [Key], masker: TokenMasker) -> [(key: Key, text: String)] {
        keys.sorted { ($0.parent, $0.name) < ($1.parent, $1.name) }.compactMap { key in
            let text = emit(key, [], flush: true, now: 0, masker: masker)
            return text.isEmpty ? nil : (key, String(decoding: text, as: UTF8.self))
        }
    }

    /// A large piece with nothing held before it and no secret running into it from what was shown, scanned where it
    /// is (a 25 MB print is not copied): true when it is to be shown unchanged, nil when `emit` must look at it
    /// joined to what came before (or it changes).
    private mutating func admitInPlace(_ text: UnsafeBufferPointer<UInt8>, key: Key, now: Double, masker: TokenMasker) -> Bool? {
        let window = Self.endWindow(masker)
        guard text.count > 2 * window, masker.secrets(in: text).isEmpty else { return nil }
        let head = UnsafeBufferPointer(rebasing: text.prefix(window)), tail = UnsafeBufferPointer(rebasing: text.suffix(window))
        return admitUnchanged(head: head, tail: tail, count: text.count, key: key, now: now, masker: masker) ? true : nil
    }

    /// How many bytes at each end of a large piece `admitUnchanged` looks at.
    public static func endWindow(_ masker: TokenMasker) -> Int { max(masker.longestSecret, 256) }

    /// A large piece (over twice `endWindow` bytes) known to hold no secret, seen by its ends only: `head` its first
    /// `endWindow` bytes, `tail` its last, `count` its length, so a 25 MB print a relay forwards as it came is never
    /// decoded whole. True when it is to be shown as written (it is then recorded as shown); false when nothing was
    /// recorded and `admit` must have the whole text: something of its stream is held, a secret runs into it from
    /// what was shown, or its end could begin one.
    public mutating func admitUnchanged(head: UnsafeBufferPointer<UInt8>, tail: UnsafeBufferPointer<UInt8>, count: Int,
                                        key: Key, now: Double, masker: TokenMasker) -> Bool {
        let window = Self.endWindow(masker)
        guard count > 2 * window, head.count >= window, tail.count >= window else { return false }
        var state = states[key] ?? State()
        guard state.held.isEmpty else { return false }
        if !state.shown.isEmpty {
            let junction = state.shown + head.prefix(window)
            let crossing = junction.withUnsafeBufferPointer { masker.secrets(in: $0) }.contains { $0.lowerBound < state.shown.count && $0.upperBound > state.shown.count }
            guard !crossing else { return false }
        }
        guard masker.secrets(in: tail).isEmpty, masker.unfinishedLength(atEndOf: tail) == 0 else { return false }
        state.shown = Array(tail.suffix(max(0, masker.longestSecret - 1)))
        state.maskedTail = 0
        state.heldSince = now
        remember(state, key: key)
        return true
    }

    /// The bytes to show for `key` now, given its new bytes; with `flush`, nothing is held.
    private mutating func emit(_ key: Key, _ text: [UInt8], flush: Bool, now: Double, masker: TokenMasker) -> [UInt8] {
        var state = states[key] ?? State()
        if !flush && state.held.isEmpty && text.isEmpty { return [] }
        let shownCount = state.shown.count
        let full = state.shown + state.held + text
        let plan = full.withUnsafeBufferPointer {
            Self.plan($0, shownCount: shownCount, maskedTail: state.maskedTail, flush: flush, masker: masker)
        }
        state.held = Array(full[plan.holdStart...])
        state.shown = Array(full[..<plan.holdStart].suffix(max(0, masker.longestSecret - 1)))
        state.maskedTail = plan.maskedTail
        if !text.isEmpty { state.heldSince = now }
        remember(state, key: key)
        return plan.output ?? Array(full[shownCount..<plan.holdStart])
    }

    private mutating func remember(_ state: State, key: Key) {
        var state = state
        uses += 1
        state.lastUse = uses
        states[key] = state
        forgetOldStreams()
    }

    /// What to show of `buffer` (whose first `shownCount` bytes were shown already): `output` the bytes from
    /// `shownCount` to `holdStart` with secrets masked, or nil when they show as they are; the rest is held.
    private static func plan(_ buffer: UnsafeBufferPointer<UInt8>, shownCount: Int, maskedTail: Int, flush: Bool,
                             masker: TokenMasker) -> (output: [UInt8]?, holdStart: Int, maskedTail: Int) {
        let count = buffer.count
        let ranges = masker.secrets(in: buffer).filter { $0.upperBound > shownCount }
        let unfinished = masker.unfinishedLength(atEndOf: buffer)
        var holdStart = count
        var candidate: Range<Int>?
        if flush {
            let coveredToEnd = ranges.last.map { $0.upperBound == count } ?? false
            let start = count - unfinished
            if unfinished > 0 && !coveredToEnd && givesAway(Array(buffer[start...]), masker: masker) { candidate = start..<count }
        } else if unfinished > 0 && unfinished <= max(masker.longestSecret, 256) {
            holdStart = max(shownCount, count - unfinished)
            // A secret the hold would cut: hold it whole, or (begun in what was shown) show its masked rest now.
            if let cut = ranges.first(where: { $0.lowerBound < holdStart && holdStart < $0.upperBound }) {
                holdStart = cut.lowerBound >= shownCount ? cut.lowerBound : count
            }
        }
        let masked = ranges.filter { $0.lowerBound < holdStart }
        guard !masked.isEmpty || candidate != nil else { return (nil, holdStart, 0) }
        var out: [UInt8] = []
        out.reserveCapacity(holdStart - shownCount)
        var position = shownCount
        for range in masked {
            let secret = String(decoding: UnsafeBufferPointer(rebasing: buffer[range]), as: UTF8.self)
            if range.lowerBound < shownCount {
                let shown = shownCount - range.lowerBound
                let afterMaskedBeginning = maskedTail > 0 && range.lowerBound >= shownCount - maskedTail
                out += restMask(secret, shown: shown, afterMaskedBeginning: afterMaskedBeginning).utf8
            } else {
                out += buffer[position..<range.lowerBound]
                out += TokenMask.inText(secret).utf8
            }
            position = min(range.upperBound, holdStart)
        }
        var newMaskedTail = 0
        if let candidate {
            let start = max(position, candidate.lowerBound)
            out += buffer[position..<start]
            let written = String(decoding: UnsafeBufferPointer(rebasing: buffer[candidate]), as: UTF8.self)
            let shown = max(0, shownCount - candidate.lowerBound)
            out += String(String.UnicodeScalarView(TokenMask.beginning(written).unicodeScalars.dropFirst(shown))).utf8
            newMaskedTail = candidate.count
            position = count
        }
        if position < holdStart { out += buffer[position..<holdStart] }
        return (out, holdStart, newMaskedTail)
    }

    /// How many characters after a public prefix (`hf_`) a held end may show as written when no piece completes it:
    /// fewer than a third of a token's 34, so what is shown never narrows a token down, and names such as
    /// `hf_transfer` or `hf_hub` at the end of an output are not taken for one.
    public static let bodyShownAsWritten = 11

    /// Whether a held end would give away part of a secret if shown as written: the beginning (over three characters)
    /// of a known secret, or a token shape's beginning with more than `bodyShownAsWritten` body characters.
    private static func givesAway(_ held: [UInt8], masker: TokenMasker) -> Bool {
        guard held.count > 3, !TokenPattern.isPublicPrefix(held) else { return false }
        if masker.known.contains(where: { $0.starts(with: held) }) { return true }
        guard let prefix = TokenPattern.publicPrefixes.first(where: { held.starts(with: $0.utf8) }) else { return false }
        return held.count - prefix.utf8.count > bodyShownAsWritten
    }

    /// What to show of a secret whose first `shown` bytes were shown already, so that the joined text is its mask.
    private static func restMask(_ secret: String, shown: Int, afterMaskedBeginning: Bool) -> String {
        let mask = TokenMask.inText(secret)
        let last4 = mask == "****" ? "" : String(String.UnicodeScalarView(mask.unicodeScalars.suffix(4)))
        if afterMaskedBeginning { return last4 }
        if shown <= 3 && mask != "****" { return String(String.UnicodeScalarView(mask.unicodeScalars.dropFirst(shown))) }
        return "****" + last4
    }

    private mutating func forgetOldStreams() {
        guard states.count > Self.rememberedStreams else { return }
        let idle = states.filter { $0.value.held.isEmpty }.sorted { $0.value.lastUse < $1.value.lastUse }
        for (key, _) in idle.prefix(states.count - Self.rememberedStreams) { states.removeValue(forKey: key) }
    }
}
