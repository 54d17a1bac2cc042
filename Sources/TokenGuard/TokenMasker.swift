#if canImport(Glibc)
import Glibc
#endif

/// Masks secrets in text: every known token wherever its bytes occur, whatever surrounds it, and every string of
/// a Hub token's shape (`TokenPattern`), known or not. Overlapping finds are masked as one.
///
/// ```swift
/// let masker = TokenMasker(known: ["s3cr3t-staging-token"])
/// masker.mask("Bearers3cr3t-staging-token!")   // "Bearers3c****oken!"
/// ```
public struct TokenMasker: Sendable, Equatable {
    /// Shorter strings are not treated as secrets (masking them would garble ordinary text).
    public static let minimumKnownLength = 6

    /// Known secrets as bytes, longest first (so a token that contains another is masked whole).
    public private(set) var known: [[UInt8]] = []

    /// Whether strings of a Hub token's shape are masked too (not only the known secrets).
    public var findsShapes = true

    /// The escapes `mayHoldSecret(json:)` must treat as a secret's, worked out when `known` changes.
    private(set) var jsonRisk = JSONRisk(known: [])

    public init(known: some Sequence<String> = [String]()) {
        add(known)
    }

    /// A masker of `known` secrets only (no shapes).
    public init(knownOnly known: some Sequence<String>) {
        add(known)
        findsShapes = false
    }

    /// Adds secrets (blank and too-short strings are ignored; surrounding whitespace is not part of a secret).
    public mutating func add(_ secrets: some Sequence<String>) {
        var set = Set(known)
        for secret in secrets {
            let bytes = Array(Self.trimmed(secret).utf8)
            if bytes.count >= Self.minimumKnownLength { set.insert(bytes) }
        }
        known = set.sorted { $0.count != $1.count ? $0.count > $1.count : $0.lexicographicallyPrecedes($1) }
        jsonRisk = JSONRisk(known: known)
    }

    /// The longest secret this masker can find: how much earlier text a stream must remember to see one that
    /// was split across pieces.
    public var longestSecret: Int {
        max(TokenPattern.publicPrefixes[0].utf8.count + TokenPattern.bodyLength, known.first?.count ?? 0)
    }

    /// Byte ranges of the secrets in `bytes`, in order and disjoint.
    public func secrets(in bytes: UnsafeBufferPointer<UInt8>) -> [Range<Int>] {
        var ranges: [Range<Int>] = []
        if let base = bytes.baseAddress {
            for secret in known where secret.count <= bytes.count {
                var position = 0
                while position + secret.count <= bytes.count {
                    guard let start = Self.firstIndex(of: secret, in: base, from: position, count: bytes.count) else { break }
                    ranges.append(start..<(start + secret.count))
                    position = start + secret.count
                }
            }
        }
        if findsShapes { ranges += TokenPattern.matches(in: bytes).map { $0.start..<$0.end } }
        return Self.merged(ranges)
    }

    /// Where `needle` first occurs in `base[from..<count]`: `memchr` for its first byte, then `memcmp`.
    static func firstIndex(of needle: [UInt8], in base: UnsafePointer<UInt8>, from: Int, count: Int) -> Int? {
        var position = from
        let first = Int32(needle[0])
        while position + needle.count <= count {
            guard let hit = memchr(base + position, first, count - position - needle.count + 1) else { return nil }
            let start = base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
            if needle.withUnsafeBufferPointer({ memcmp(base + start, $0.baseAddress!, needle.count) }) == 0 { return start }
            position = start + 1
        }
        return nil
    }

    /// Overlapping or touching-inside ranges joined, in order.
    static func merged(_ ranges: [Range<Int>]) -> [Range<Int>] {
        guard ranges.count > 1 else { return ranges }
        var result: [Range<Int>] = []
        for range in ranges.sorted(by: { $0.lowerBound < $1.lowerBound }) {
            if let last = result.last, range.lowerBound < last.upperBound {
                result[result.count - 1] = last.lowerBound..<max(last.upperBound, range.upperBound)
            } else {
                result.append(range)
            }
        }
        return result
    }

    /// `text` with every secret replaced by its mask (`hf_****wxyz`).
    public func mask(_ text: String) -> String {
        var text = text
        return text.withUTF8 { bytes in
            let found = secrets(in: bytes)
            guard !found.isEmpty else { return nil }
            return String(decoding: Self.replacing(found, in: bytes), as: UTF8.self)
        } ?? text
    }

    /// `bytes` with every secret masked; nil when there is none (nothing is copied then).
    public func mask(utf8 bytes: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        let found = secrets(in: bytes)
        return found.isEmpty ? nil : Self.replacing(found, in: bytes)
    }

    /// `bytes` with each of `ranges` replaced by its mask.
    static func replacing(_ ranges: [Range<Int>], in bytes: UnsafeBufferPointer<UInt8>) -> [UInt8] {
        var result: [UInt8] = []
        result.reserveCapacity(bytes.count)
        var position = 0
        for range in ranges {
            result += bytes[position..<range.lowerBound]
            result += TokenMask.inText(String(decoding: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self)).utf8
            position = range.upperBound
        }
        result += bytes[position...]
        return result
    }

    /// How many bytes at the end of `bytes` could begin a secret: a token shape's beginning (see
    /// `TokenPattern.unfinishedLength`) or the beginning of a known secret.
    public func unfinishedLength(atEndOf bytes: UnsafeBufferPointer<UInt8>) -> Int {
        var longest = findsShapes ? TokenPattern.unfinishedLength(atEndOf: bytes) : 0
        for secret in known {
            let window = min(secret.count - 1, bytes.count)
            guard window > longest else { continue }
            for length in stride(from: window, to: longest, by: -1) {
                let tail = UnsafeBufferPointer(rebasing: bytes[(bytes.count - length)...])
                if tail.first == secret[0] && secret.starts(with: tail) {
                    longest = length
                    break
                }
            }
        }
        return longest
    }

    /// What `text` says with whitespace and line breaks at its ends removed (a token file ends in a newline).
    static func trimmed(_ text: String) -> Substring {
        let isSpace: (Character) -> Bool = { $0.isWhitespace }
        var slice = Substring(text)
        while let first = slice.first, isSpace(first) { slice = slice.dropFirst() }
        while let last = slice.last, isSpace(last) { slice = slice.dropLast() }
        return slice
    }
}
