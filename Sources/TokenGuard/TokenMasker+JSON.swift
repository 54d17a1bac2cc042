#if canImport(Glibc)
import Glibc
#endif

extension TokenMasker {
    /// Whether JSON text, read as it is on the wire (not decoded), may hold a secret in one of its strings once
    /// decoded: false only when none can. A relay uses it to forward a message's bytes without parsing them.
    ///
    /// A secret's characters are printable ASCII; written literally they are the same bytes in the JSON text, so
    /// `secrets(in:)` finds it there. The one other way to write them is a `\uXXXX` escape (`\u0068f_…` is `hf_…`):
    /// any escape of a letter, digit, `_` or a character of a known secret answers true, as does a known secret
    /// with a character JSON may escape (`"`, `\`, `/`, a control or non-ASCII character), an escape JSON does
    /// not have, and a string cut short. Simple escapes (`\n`, `\"`) stand for characters no token has, so they
    /// cannot join two halves of one: text around them is scanned as it is.
    ///
    /// ```swift
    /// let masker = TokenMasker()
    /// masker.mayHoldSecret(json: #"{"text":"hello\n"}"#)                 // false
    /// masker.mayHoldSecret(json: #"{"text":"\u0068f_abc…"}"#)            // true: an escaped letter
    /// ```
    public func mayHoldSecret(json bytes: UnsafeRawBufferPointer) -> Bool {
        let text = bytes.bindMemory(to: UInt8.self)
        guard let base = text.baseAddress, !text.isEmpty else { return false }
        if jsonRisk.knownNeedsEscape || Self.hasEscape(in: base, count: text.count, of: jsonRisk.escapedByte) { return true }
        return !secrets(in: text).isEmpty
    }

    /// Which `\uXXXX` escapes could write part of a secret, for the current known secrets.
    struct JSONRisk: Sendable, Equatable {
        /// Per ASCII byte: an escape of it could write part of a secret (a letter, digit, `_`, a known secret's byte).
        var escapedByte = [Bool](repeating: false, count: 128)
        /// A known secret has a character JSON may write another way (`"`, `\`, `/`, a control or non-ASCII one).
        var knownNeedsEscape = false

        init(known: [[UInt8]]) {
            for byte in UInt8(0)..<128 where TokenPattern.isWordByte(byte) { escapedByte[Int(byte)] = true }
            for byte in known.joined() {
                if byte < 0x20 || byte > 0x7E || byte == 0x22 || byte == 0x5C || byte == 0x2F { knownNeedsEscape = true }
                if byte < 0x80 { escapedByte[Int(byte)] = true }
            }
        }
    }

    /// Whether `json` may hold a secret once decoded (see the buffer variant).
    public func mayHoldSecret(json: String) -> Bool {
        var json = json
        return json.withUTF8 { mayHoldSecret(json: UnsafeRawBufferPointer($0)) }
    }

    /// Whether a `\uXXXX` escape stands for an ASCII byte `bytes` marks (or an escape is not JSON's, or cut short).
    private static func hasEscape(in base: UnsafePointer<UInt8>, count: Int, of bytes: [Bool]) -> Bool {
        var position = 0
        while position < count {
            guard let hit = memchr(base + position, 0x5C, count - position) else { return false }
            let backslash = base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
            guard backslash + 1 < count else { return true }
            switch base[backslash + 1] {
            case UInt8(ascii: "u"):
                guard backslash + 5 < count, let value = hexValue(base + backslash + 2) else { return true }
                if value < 0x80 && bytes[value] { return true }
                position = backslash + 6
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
                 UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                position = backslash + 2
            default:
                return true
            }
        }
        return false
    }

    /// The four hex digits at `digits`, nil when they are not.
    private static func hexValue(_ digits: UnsafePointer<UInt8>) -> Int? {
        var value = 0
        for index in 0..<4 {
            let byte = digits[index]
            let digit: Int
            switch byte {
            case 0x30...0x39: digit = Int(byte - 0x30)
            case 0x41...0x46: digit = Int(byte - 0x41 + 10)
            case 0x61...0x66: digit = Int(byte - 0x61 + 10)
            default: return nil
            }
            value = value << 4 | digit
        }
        return value
    }
}
