import Foundation

/// The token formats the Hub issues, and a byte-level matcher that finds them.
///
/// Exactly these shapes, each standing alone as a word (the byte before and the byte after are not
/// ASCII letters, digits or `_`); nothing else is reported (no entropy guessing):
///
/// | format | shape |
/// |---|---|
/// | user access token | `hf_` + 34 ASCII letters |
/// | OAuth access token | `hf_oauth_` + 34 ASCII letters or digits |
/// | OAuth refresh token | `hf_oauth_rt_` + 34 ASCII letters or digits |
/// | organisation API token | `api_org_` + 34 ASCII letters |
/// | legacy API token | `api_` + 34 ASCII letters |
///
/// So `hf_hub_download`, `hf_token = os.environ["HF_TOKEN"]`, `HF_TOKEN=${{ secrets.HF_TOKEN }}` and hashes
/// never match. Two exceptions to the left boundary, so tokens glued to an escape are still found: a letter right
/// after a backslash ends a string escape (`"a\nhf_…"` in a JSON or Python literal), and the `m` that ends a
/// terminal colour code (`ESC[0;31mhf_…` in a traceback) is not part of a word.
///
/// ```swift
/// let line = Array("login(token=\"hf_" + String(repeating: "x", count: 34) + "\")".utf8)
/// TokenPattern.matches(in: line)   // [Match(start: 13, end: 50, pattern: .userAccess)]
/// ```
public enum TokenPattern: String, Sendable, CaseIterable, Hashable {
    case userAccess = "user access token"
    case oauthAccess = "OAuth access token"
    case oauthRefresh = "OAuth refresh token"
    case organisationAPI = "organisation API token"
    case legacyAPI = "legacy API token"

    /// The characters after the prefix: every token format has 34.
    public static let bodyLength = 34

    /// One match: byte offsets `start..<end` in the scanned bytes.
    public struct Match: Sendable, Equatable {
        public var start: Int
        public var end: Int
        public var pattern: TokenPattern
    }

    /// Every token in `bytes`, in order.
    public static func matches(in bytes: [UInt8]) -> [Match] {
        bytes.withUnsafeBufferPointer { matches(in: $0) }
    }

    /// Every token in `bytes`, in order. Finds each `_` with `memchr` (vectorised in the C library), then
    /// looks at the few bytes around it, so text without `hf_` / `api_` costs little more than a memory read.
    public static func matches(in bytes: UnsafeBufferPointer<UInt8>) -> [Match] {
        var found: [Match] = []
        guard let base = bytes.baseAddress, bytes.count >= 3 + bodyLength else { return found }
        let count = bytes.count
        var position = 0
        while position < count {
            guard let hit = memchr(base + position, 0x5F, count - position) else { break }
            let underscore = base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
            position = underscore + 1
            if let match = match(at: underscore, in: base, count: count) {
                found.append(match)
                position = match.end
            }
        }
        return found
    }

    /// The token whose first `_` is at `underscore`, if any.
    private static func match(at underscore: Int, in base: UnsafePointer<UInt8>, count: Int) -> Match? {
        // "hf_…"
        if underscore >= 2, base[underscore - 2] == 0x68, base[underscore - 1] == 0x66, isLeftBoundary(underscore - 2, base) {
            let start = underscore - 2
            let after = underscore + 1
            if hasPrefix("oauth_rt_", at: after, base, count), let end = body(after + 9, base, count, digits: true) {
                return Match(start: start, end: end, pattern: .oauthRefresh)
            }
            if hasPrefix("oauth_", at: after, base, count), let end = body(after + 6, base, count, digits: true) {
                return Match(start: start, end: end, pattern: .oauthAccess)
            }
            if let end = body(after, base, count, digits: false) { return Match(start: start, end: end, pattern: .userAccess) }
            return nil
        }
        // "api_…"
        if underscore >= 3, base[underscore - 3] == 0x61, base[underscore - 2] == 0x70, base[underscore - 1] == 0x69,
           isLeftBoundary(underscore - 3, base) {
            let start = underscore - 3
            let after = underscore + 1
            if hasPrefix("org_", at: after, base, count), let end = body(after + 4, base, count, digits: false) {
                return Match(start: start, end: end, pattern: .organisationAPI)
            }
            if let end = body(after, base, count, digits: false) { return Match(start: start, end: end, pattern: .legacyAPI) }
        }
        return nil
    }

    /// 34 letters (and digits when allowed) from `start`, then a word boundary: the end offset.
    private static func body(_ start: Int, _ base: UnsafePointer<UInt8>, _ count: Int, digits: Bool) -> Int? {
        let end = start + bodyLength
        guard end <= count else { return nil }
        for index in start..<end {
            let byte = base[index]
            guard isLetter(byte) || (digits && isDigit(byte)) else { return nil }
        }
        return end == count || !isWordByte(base[end]) ? end : nil
    }

    private static func hasPrefix(_ prefix: StaticString, at start: Int, _ base: UnsafePointer<UInt8>, _ count: Int) -> Bool {
        let length = prefix.utf8CodeUnitCount
        guard start + length <= count else { return false }
        return memcmp(base + start, prefix.utf8Start, length) == 0
    }

    /// Nothing, or a non-word byte, before `start`; or an escape letter (`\n`, `\t` …) or the end of a colour
    /// code (`ESC[1;31m`) before it.
    private static func isLeftBoundary(_ start: Int, _ base: UnsafePointer<UInt8>) -> Bool {
        guard start > 0 else { return true }
        let before = base[start - 1]
        if !isWordByte(before) { return true }
        guard start > 1, isLetter(before) else { return false }
        if base[start - 2] == 0x5C { return true }
        guard before == 0x6D else { return false }  // m
        var index = start - 2
        while index > 0, isDigit(base[index]) || base[index] == 0x3B { index -= 1 }  // digits and ;
        return index > 0 && base[index] == 0x5B && base[index - 1] == 0x1B  // ESC [
    }

    @inline(__always) static func isLetter(_ byte: UInt8) -> Bool { (byte | 0x20) >= 0x61 && (byte | 0x20) <= 0x7A }
    @inline(__always) static func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }
    /// ASCII letters, digits and `_`: the bytes a token may not touch.
    @inline(__always) static func isWordByte(_ byte: UInt8) -> Bool { isLetter(byte) || isDigit(byte) || byte == 0x5F }
}

extension TokenPattern {
    /// `text` with every string of a Hub token's shape replaced by its mask (`hf_****wxyz`), whether or not
    /// HubKernel knows the token: what a hosted kernel prints passes through this.
    public static func maskingAll(in text: String) -> String {
        var text = text
        let found = text.withUTF8 { matches(in: $0) }
        guard !found.isEmpty else { return text }
        let bytes = Array(text.utf8)
        var result: [UInt8] = []
        result.reserveCapacity(bytes.count)
        var position = 0
        for match in found {
            result += bytes[position..<match.start]
            result += Array(TokenText.mask(String(decoding: bytes[match.start..<match.end], as: UTF8.self)).utf8)
            position = match.end
        }
        result += bytes[position...]
        return String(decoding: result, as: UTF8.self)
    }

    /// How many bytes at the end of `text` could be the beginning of a token (`hf_ab`, `api`, a whole token
    /// that more letters might still extend): a stream must hold them back until it knows how the text goes on.
    public static func unfinishedTokenLength(atEndOf text: String) -> Int {
        var text = text
        return text.withUTF8 { buffer -> Int in
            guard let base = buffer.baseAddress, buffer.count > 0 else { return 0 }
            let count = buffer.count
            let longest = "hf_oauth_rt_".utf8.count + bodyLength
            for start in max(0, count - longest)..<count where isLeftBoundary(start, base) {
                if couldBeginToken(UnsafeBufferPointer(rebasing: buffer[start...])) { return count - start }
            }
            return 0
        }
    }

    /// Whether `tail` is a prefix of some token shape (possibly a whole one).
    private static func couldBeginToken(_ tail: UnsafeBufferPointer<UInt8>) -> Bool {
        let forms: [(prefix: String, digits: Bool)] = [("hf_oauth_rt_", true), ("hf_oauth_", true), ("hf_", false),
                                                        ("api_org_", false), ("api_", false)]
        for form in forms {
            let prefix = Array(form.prefix.utf8)
            if tail.count <= prefix.count {
                if prefix.starts(with: tail) { return true }
                continue
            }
            guard tail.starts(with: prefix), tail.count - prefix.count <= bodyLength else { continue }
            if tail[prefix.count...].allSatisfy({ isLetter($0) || (form.digits && isDigit($0)) }) { return true }
        }
        return false
    }
}
