/// Why bytes are not a JSON document.
public struct JSONParseError: Error, Sendable, Equatable, CustomStringConvertible {
    public let offset: Int
    public let reason: String
    public var description: String { "invalid JSON at byte \(offset): \(reason)" }
}

extension JSONValue {
    /// Parses one JSON document (RFC 8259). Nesting deeper than `maxDepth` is rejected instead of
    /// exhausting the stack, so hostile input cannot crash the kernel.
    public static func parse(_ bytes: [UInt8], maxDepth: Int = 512) throws -> JSONValue {
        var parser = JSONParser(bytes: bytes, maxDepth: maxDepth)
        return try parser.parseDocument()
    }

    /// Parses `text` as one JSON document.
    public static func parse(_ text: String) throws -> JSONValue {
        try parse(Array(text.utf8))
    }
}

private struct JSONParser {
    let bytes: [UInt8]
    let maxDepth: Int
    var index = 0
    var depth = 0

    init(bytes: [UInt8], maxDepth: Int) {
        self.bytes = bytes
        self.maxDepth = maxDepth
    }

    func fail(_ reason: String) -> JSONParseError { JSONParseError(offset: index, reason: reason) }

    mutating func parseDocument() throws -> JSONValue {
        let value = try parseValue()
        skipWhitespace()
        guard index == bytes.count else { throw fail("unexpected trailing characters") }
        return value
    }

    mutating func skipWhitespace() {
        while index < bytes.count, bytes[index] == 0x20 || bytes[index] == 0x0a || bytes[index] == 0x0d || bytes[index] == 0x09 {
            index += 1
        }
    }

    mutating func parseValue() throws -> JSONValue {
        skipWhitespace()
        guard index < bytes.count else { throw fail("unexpected end of input") }
        switch bytes[index] {
        case UInt8(ascii: "{"): return try parseObject()
        case UInt8(ascii: "["): return try parseArray()
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): try expect("true"); return .bool(true)
        case UInt8(ascii: "f"): try expect("false"); return .bool(false)
        case UInt8(ascii: "n"): try expect("null"); return .null
        default: return .number(try parseNumber())
        }
    }

    mutating func expect(_ word: String) throws {
        let literal = Array(word.utf8)
        guard index + literal.count <= bytes.count else { throw fail("unexpected end of input") }
        guard bytes[index..<(index + literal.count)].elementsEqual(literal) else { throw fail("unexpected character") }
        index += literal.count
    }

    mutating func enter() throws {
        depth += 1
        guard depth <= maxDepth else { throw fail("nesting deeper than \(maxDepth)") }
    }

    mutating func parseObject() throws -> JSONValue {
        try enter()
        defer { depth -= 1 }
        index += 1
        var object: [String: JSONValue] = [:]
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
            index += 1
            return .object(object)
        }
        while true {
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw fail("expected a string key") }
            let key = try parseString()
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw fail("expected ':'") }
            index += 1
            object[key] = try parseValue()
            skipWhitespace()
            guard index < bytes.count else { throw fail("unexpected end of input") }
            if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
            if bytes[index] == UInt8(ascii: "}") { index += 1; return .object(object) }
            throw fail("expected ',' or '}'")
        }
    }

    mutating func parseArray() throws -> JSONValue {
        try enter()
        defer { depth -= 1 }
        index += 1
        var array: [JSONValue] = []
        skipWhitespace()
        if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
            index += 1
            return .array(array)
        }
        while true {
            array.append(try parseValue())
            skipWhitespace()
            guard index < bytes.count else { throw fail("unexpected end of input") }
            if bytes[index] == UInt8(ascii: ",") { index += 1; continue }
            if bytes[index] == UInt8(ascii: "]") { index += 1; return .array(array) }
            throw fail("expected ',' or ']'")
        }
    }

    mutating func parseNumber() throws -> Double {
        let start = index
        func isNumberByte(_ byte: UInt8) -> Bool {
            (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || byte == UInt8(ascii: "-")
                || byte == UInt8(ascii: "+") || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "e")
                || byte == UInt8(ascii: "E")
        }
        while index < bytes.count, isNumberByte(bytes[index]) { index += 1 }
        if let integer = smallInteger(bytes[start..<index]) { return integer }
        let text = String(decoding: bytes[start..<index], as: UTF8.self)
        guard !text.isEmpty, isValidJSONNumber(bytes[start..<index]), let value = Double(text) else {
            index = start
            throw fail("unexpected character")
        }
        return value
    }

    /// A plain integer of at most 15 digits (exact in a Double), without going through `String` and `Double(_:)`.
    func smallInteger(_ slice: ArraySlice<UInt8>) -> Double? {
        let negative = slice.first == UInt8(ascii: "-")
        let digits = negative ? slice.dropFirst() : slice
        guard !digits.isEmpty, digits.count <= 15, digits.count == 1 || digits.first != UInt8(ascii: "0") else { return nil }
        var value: Int64 = 0
        for byte in digits {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            value = value * 10 + Int64(byte - UInt8(ascii: "0"))
        }
        return negative ? (value == 0 ? -0.0 : -Double(value)) : Double(value)
    }

    /// `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`: stricter than `Double(_:)`, which accepts "+1" or "1.".
    func isValidJSONNumber(_ slice: ArraySlice<UInt8>) -> Bool {
        var position = slice.startIndex
        let end = slice.endIndex
        func digits() -> Int {
            let start = position
            while position < end, slice[position] >= UInt8(ascii: "0"), slice[position] <= UInt8(ascii: "9") { position += 1 }
            return position - start
        }
        if position < end, slice[position] == UInt8(ascii: "-") { position += 1 }
        guard position < end else { return false }
        if slice[position] == UInt8(ascii: "0") { position += 1 } else if digits() == 0 { return false }
        if position < end, slice[position] == UInt8(ascii: ".") {
            position += 1
            if digits() == 0 { return false }
        }
        if position < end, slice[position] == UInt8(ascii: "e") || slice[position] == UInt8(ascii: "E") {
            position += 1
            if position < end, slice[position] == UInt8(ascii: "+") || slice[position] == UInt8(ascii: "-") { position += 1 }
            if digits() == 0 { return false }
        }
        return position == end
    }

    /// One string literal, in time linear in its length. A first pass finds its end (and whether it has escapes); a string with escapes is then
    /// decoded straight into the new String's storage, so a 25 MB stream text is copied once, not twice.
    mutating func parseString() throws -> String {
        index += 1  // opening quote
        let start = index
        var end = index
        var escaped = false
        while end < bytes.count {
            let byte = bytes[end]
            if byte == UInt8(ascii: "\"") { break }
            if byte < 0x20 {
                index = end
                throw fail("control character in string")
            }
            if byte == UInt8(ascii: "\\") {
                escaped = true
                end += 2
            } else {
                end += 1
            }
        }
        guard end < bytes.count else {
            index = bytes.count
            throw fail("unterminated string")
        }
        guard escaped else {
            index = end + 1
            return String(decoding: bytes[start..<end], as: UTF8.self)  // no escape: one step
        }
        // Decoded text is never longer than its literal: every escape shrinks or keeps its length.
        let text = try String(unsafeUninitializedCapacity: end - start) { out in
            var count = 0
            func put(_ byte: UInt8) {
                out[count] = byte
                count += 1
            }
            func putRun(_ range: Range<Int>) {
                guard !range.isEmpty else { return }
                bytes.withUnsafeBufferPointer { source in
                    (out.baseAddress! + count).initialize(from: source.baseAddress! + range.lowerBound, count: range.count)
                }
                count += range.count
            }
            var runStart = start
            index = start
            while index < end {
                guard bytes[index] == UInt8(ascii: "\\") else {
                    index += 1
                    continue
                }
                putRun(runStart..<index)
                index += 1
                let escape = bytes[index]
                index += 1
                switch escape {
                case UInt8(ascii: "\""): put(UInt8(ascii: "\""))
                case UInt8(ascii: "\\"): put(UInt8(ascii: "\\"))
                case UInt8(ascii: "/"): put(UInt8(ascii: "/"))
                case UInt8(ascii: "b"): put(0x08)
                case UInt8(ascii: "f"): put(0x0C)
                case UInt8(ascii: "n"): put(0x0A)
                case UInt8(ascii: "r"): put(0x0D)
                case UInt8(ascii: "t"): put(0x09)
                case UInt8(ascii: "u"):
                    guard index + 4 <= end else { throw fail("truncated \\u escape") }
                    for byte in String(Character(try parseUnicodeEscape())).utf8 { put(byte) }
                default:
                    index -= 1
                    throw fail("invalid escape")
                }
                runStart = index
            }
            putRun(runStart..<end)
            return count
        }
        index = end + 1
        return text
    }

    mutating func parseHex4() throws -> UInt32 {
        guard index + 4 <= bytes.count else { throw fail("truncated \\u escape") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[index]
            let digit: UInt32
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(byte - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(byte - UInt8(ascii: "A") + 10)
            default: throw fail("invalid \\u escape")
            }
            value = value << 4 | digit
            index += 1
        }
        return value
    }

    /// A `\uXXXX` escape, joining UTF-16 surrogate pairs; a lone surrogate becomes U+FFFD as in Python's `surrogatepass`-free decoders.
    mutating func parseUnicodeEscape() throws -> Unicode.Scalar {
        let first = try parseHex4()
        if (0xD800...0xDBFF).contains(first), index + 6 <= bytes.count,
           bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") {
            let save = index
            index += 2
            let second = try parseHex4()
            if (0xDC00...0xDFFF).contains(second) {
                return Unicode.Scalar(0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00))!
            }
            index = save
        }
        return Unicode.Scalar(first) ?? "\u{FFFD}"
    }
}
