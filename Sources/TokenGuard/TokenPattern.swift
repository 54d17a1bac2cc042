#if canImport(Glibc)
import Glibc
#endif

/// The token formats the Hub issues, and a byte-level matcher that finds them wherever they occur.
///
/// | format | shape |
/// |---|---|
/// | user access token | `hf_` + 34 or more ASCII letters or digits |
/// | OAuth access token | `hf_oauth_` + 34 or more letters or digits |
/// | OAuth refresh token | `hf_oauth_rt_` + 34 or more letters or digits |
/// | organisation API token | `api_org_` + 34 or more letters or digits |
/// | legacy API token | `api_` + 34 or more ASCII letters |
///
/// The Hub's own scanner partners (TruffleHog: `(?:hf_|api_org_)[a-zA-Z0-9]{34}`) accept digits, and CI and staging
/// Hubs issue such tokens. A token is found **whatever surrounds it**: glued to letters or digits
/// (`"Bearer" + tok`, `tok + "2"`), after an escape (`\u200b`, `\x00`, `ESC[2K`), after URL-encoding (`%3D`).
/// The match covers the whole run of body characters, so a token with text glued to its end is masked whole.
/// What keeps ordinary text out is the body: 34 letters and digits without an `_`, which names
/// (`hf_hub_download`, `HF_TOKEN`), hashes (no `hf_`) and prose do not have.
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

    /// The fewest characters after the prefix: every token format has 34.
    public static let bodyLength = 34

    /// The prefixes everybody may see (they say which kind of token, nothing of which one), longest first.
    public static let publicPrefixes = ["hf_oauth_rt_", "hf_oauth_", "api_org_", "hf_", "api_"]

    /// One match: byte offsets `start..<end` in the scanned bytes.
    public struct Match: Sendable, Equatable {
        public var start: Int
        public var end: Int
        public var pattern: TokenPattern

        public init(start: Int, end: Int, pattern: TokenPattern) {
            self.start = start
            self.end = end
            self.pattern = pattern
        }
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
        let after = underscore + 1
        if underscore >= 2, base[underscore - 2] == 0x68, base[underscore - 1] == 0x66 {  // "hf_…"
            let start = underscore - 2
            if hasPrefix("oauth_rt_", at: after, base, count), let end = body(after + 9, base, count, digits: true) {
                return Match(start: start, end: end, pattern: .oauthRefresh)
            }
            if hasPrefix("oauth_", at: after, base, count), let end = body(after + 6, base, count, digits: true) {
                return Match(start: start, end: end, pattern: .oauthAccess)
            }
            if let end = body(after, base, count, digits: true) { return Match(start: start, end: end, pattern: .userAccess) }
            return nil
        }
        if underscore >= 3, base[underscore - 3] == 0x61, base[underscore - 2] == 0x70, base[underscore - 1] == 0x69 {  // "api_…"
            let start = underscore - 3
            if hasPrefix("org_", at: after, base, count), let end = body(after + 4, base, count, digits: true) {
                return Match(start: start, end: end, pattern: .organisationAPI)
            }
            if let end = body(after, base, count, digits: false) { return Match(start: start, end: end, pattern: .legacyAPI) }
        }
        return nil
    }

    /// The run of letters (and digits when allowed) from `start`, if it is at least `bodyLength` long: its end.
    private static func body(_ start: Int, _ base: UnsafePointer<UInt8>, _ count: Int, digits: Bool) -> Int? {
        guard start + bodyLength <= count else { return nil }
        var end = start
        while end < count, isLetter(base[end]) || (digits && isDigit(base[end])) { end += 1 }
        return end - start >= bodyLength ? end : nil
    }

    private static func hasPrefix(_ prefix: StaticString, at start: Int, _ base: UnsafePointer<UInt8>, _ count: Int) -> Bool {
        let length = prefix.utf8CodeUnitCount
        guard start + length <= count else { return false }
        return memcmp(base + start, prefix.utf8Start, length) == 0
    }

    @inline(__always) public static func isLetter(_ byte: UInt8) -> Bool { (byte | 0x20) >= 0x61 && (byte | 0x20) <= 0x7A }
    @inline(__always) public static func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }
    /// ASCII letters, digits and `_`.
    @inline(__always) public static func isWordByte(_ byte: UInt8) -> Bool { isLetter(byte) || isDigit(byte) || byte == 0x5F }
}

extension TokenPattern {
    /// How many bytes at the end of `bytes` could be the beginning of a token (`h`, `hf_ab`, `api`, or a whole
    /// token that more letters might still extend): a stream holds them back until it knows how the text goes on.
    public static func unfinishedLength(atEndOf bytes: UnsafeBufferPointer<UInt8>) -> Int {
        let count = bytes.count
        guard count > 0 else { return 0 }
        // A run of body characters, after one of the prefixes, reaching the end.
        var runStart = count
        while runStart > 0, isLetter(bytes[runStart - 1]) || isDigit(bytes[runStart - 1]) { runStart -= 1 }
        for prefix in publicPrefixes {
            let length = prefix.utf8.count
            guard runStart >= length else { continue }
            let candidate = UnsafeBufferPointer(rebasing: bytes[(runStart - length)..<runStart])
            guard candidate.elementsEqual(prefix.utf8) else { continue }
            if prefix == "api_" && bytes[runStart..<count].contains(where: isDigit) { continue }
            return count - (runStart - length)
        }
        // The end is itself the beginning of a prefix (`h`, `hf`, `hf_oa`, `api_or`).
        let longest = publicPrefixes[0].utf8.count
        for start in max(0, count - longest)..<count {
            let tail = UnsafeBufferPointer(rebasing: bytes[start...])
            if publicPrefixes.contains(where: { $0.utf8.starts(with: tail) }) { return count - start }
        }
        return 0
    }

    /// Whether `text` says nothing about which token it would begin: empty, or the beginning of a public prefix.
    public static func isPublicPrefix(_ text: some Collection<UInt8>) -> Bool {
        publicPrefixes.contains { $0.utf8.starts(with: text) }
    }
}
