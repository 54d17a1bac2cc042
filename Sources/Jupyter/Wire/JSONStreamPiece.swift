import Foundation

/// A `stream` message's content read where it lies, not decoded whole: its `name`, and its `text`'s decoded length
/// and first and last bytes. The relay hands these to the stream filter to let a 25 MB piece through as it came.
struct JSONStreamPiece {
    var name: String
    /// The text's length in bytes, decoded.
    var count: Int
    /// At least the first `window` decoded bytes of the text (all of it when shorter).
    var head: [UInt8]
    /// At least the last `window` decoded bytes of the text (all of it when shorter).
    var tail: [UInt8]

    /// nil unless `content` is one JSON object whose members `name` and `text` are strings (later duplicates win,
    /// as in Python's `json`), every string well formed.
    init?(content: UnsafeRawBufferPointer, window: Int) {
        let bytes = content.bindMemory(to: UInt8.self)
        guard let base = bytes.baseAddress else { return nil }
        var reader = Reader(base: base, count: bytes.count, window: window)
        var name: String?
        var text: DecodedString?
        reader.skipSpace()
        guard reader.take(UInt8(ascii: "{")) else { return nil }
        reader.skipSpace()
        if !reader.take(UInt8(ascii: "}")) {
            while true {
                reader.skipSpace()
                guard let key = reader.string(), key.count <= window else { return nil }
                reader.skipSpace()
                guard reader.take(UInt8(ascii: ":")) else { return nil }
                reader.skipSpace()
                switch String(decoding: key.head, as: UTF8.self) {
                case "name":
                    guard let value = reader.string(), value.count <= window else { return nil }
                    name = String(decoding: value.head, as: UTF8.self)
                case "text":
                    guard let value = reader.string() else { return nil }
                    text = value
                default:
                    guard reader.skipValue() else { return nil }
                }
                reader.skipSpace()
                if reader.take(UInt8(ascii: "}")) { break }
                guard reader.take(UInt8(ascii: ",")) else { return nil }
            }
        }
        reader.skipSpace()
        guard reader.atEnd, let name, let text else { return nil }
        self.name = name
        count = text.count
        head = text.head
        tail = text.tail
    }

    /// A JSON string's decoded length and ends.
    private struct DecodedString {
        var count = 0
        var head: [UInt8] = []
        var tail: [UInt8] = []
        let window: Int

        mutating func append(_ run: UnsafeBufferPointer<UInt8>) {
            count += run.count
            if head.count < window { head += run.prefix(window - head.count) }
            if run.count >= window {
                tail = Array(run.suffix(window))
            } else {
                tail += run
                if tail.count > 2 * window { tail.removeFirst(tail.count - window) }
            }
        }
    }

    private struct Reader {
        let base: UnsafePointer<UInt8>
        let count: Int
        let window: Int
        var position = 0

        var atEnd: Bool { position == count }

        mutating func skipSpace() {
            while position < count, [0x20, 0x09, 0x0A, 0x0D].contains(base[position]) { position += 1 }
        }

        mutating func take(_ byte: UInt8) -> Bool {
            guard position < count, base[position] == byte else { return false }
            position += 1
            return true
        }

        /// The string at `position` (its opening quote), decoded by its ends; nil when it is not a well-formed one.
        mutating func string() -> DecodedString? {
            guard take(UInt8(ascii: "\"")) else { return nil }
            var decoded = DecodedString(window: window)
            var quote = -1  // the next `"` at or after `position` (found once, not once per escape)
            while position < count {
                if quote < position {
                    quote = memchr(base + position, 0x22, count - position).map { base.distance(to: $0.assumingMemoryBound(to: UInt8.self)) } ?? count
                }
                let escape = memchr(base + position, 0x5C, quote - position).map { base.distance(to: $0.assumingMemoryBound(to: UInt8.self)) }
                let run = UnsafeBufferPointer(start: base + position, count: (escape ?? quote) - position)
                decoded.append(run)
                position += run.count
                guard escape != nil else {
                    guard quote < count else { return nil }  // cut short
                    position += 1
                    return decoded
                }
                guard let scalar = unescape() else { return nil }
                var utf8: (UInt8, UInt8, UInt8, UInt8) = (0, 0, 0, 0)
                var length = 0
                withUnsafeMutableBytes(of: &utf8) { out in
                    UTF8.encode(scalar) { out[length] = $0; length += 1 }
                    decoded.append(UnsafeBufferPointer(start: out.baseAddress!.assumingMemoryBound(to: UInt8.self), count: length))
                }
            }
            return nil
        }

        /// The escape at `position` (its backslash), consumed; nil when it is not JSON's or a lone surrogate.
        mutating func unescape() -> Unicode.Scalar? {
            guard position + 1 < count else { return nil }
            let letter = base[position + 1]
            position += 2
            switch letter {
            case UInt8(ascii: "\""): return "\""
            case UInt8(ascii: "\\"): return "\\"
            case UInt8(ascii: "/"): return "/"
            case UInt8(ascii: "b"): return "\u{08}"
            case UInt8(ascii: "f"): return "\u{0C}"
            case UInt8(ascii: "n"): return "\n"
            case UInt8(ascii: "r"): return "\r"
            case UInt8(ascii: "t"): return "\t"
            case UInt8(ascii: "u"):
                guard let high = hex4() else { return nil }
                if (0xD800..<0xDC00).contains(high) {
                    guard position + 1 < count, base[position] == 0x5C, base[position + 1] == UInt8(ascii: "u") else { return nil }
                    position += 2
                    guard let low = hex4(), (0xDC00..<0xE000).contains(low) else { return nil }
                    return Unicode.Scalar(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00))
                }
                return Unicode.Scalar(high)  // nil for a lone low surrogate
            default:
                return nil
            }
        }

        mutating func hex4() -> UInt32? {
            guard position + 4 <= count else { return nil }
            var value: UInt32 = 0
            for _ in 0..<4 {
                guard let digit = Character(Unicode.Scalar(base[position])).hexDigitValue else { return nil }
                value = value << 4 | UInt32(digit)
                position += 1
            }
            return value
        }

        /// Skips one value of any kind (strings checked as `string()` does); false when it is not well formed.
        mutating func skipValue() -> Bool {
            guard position < count else { return false }
            switch base[position] {
            case UInt8(ascii: "\""):
                return string() != nil
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                var depth = 0
                while position < count {
                    switch base[position] {
                    case UInt8(ascii: "\""):
                        guard string() != nil else { return false }
                        continue
                    case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1
                    case UInt8(ascii: "}"), UInt8(ascii: "]"):
                        depth -= 1
                        if depth == 0 {
                            position += 1
                            return true
                        }
                    default: break
                    }
                    position += 1
                }
                return false
            default:  // a number, true, false or null: up to the next separator
                let start = position
                while position < count, ![UInt8(ascii: ","), UInt8(ascii: "}"), UInt8(ascii: "]"), 0x20, 0x09, 0x0A, 0x0D].contains(base[position]) {
                    position += 1
                }
                return position > start
            }
        }
    }
}
