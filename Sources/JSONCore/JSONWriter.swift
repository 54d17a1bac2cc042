extension JSONValue {
    /// Compact UTF-8 JSON with object keys sorted (stable output, easy to sign and to test).
    public func serialized() -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(estimatedByteCount)  // one allocation, not a doubling copy per size class
        write(to: &out)
        return out
    }

    /// About the compact JSON's size (exact for strings without escapes): the capacity to reserve.
    var estimatedByteCount: Int {
        switch self {
        case .null, .bool: return 5
        case .number: return 24
        case .string(let value): return value.utf8.count + 2
        case .array(let values): return values.reduce(2) { $0 + $1.estimatedByteCount + 1 }
        case .object(let object): return object.reduce(2) { $0 + $1.key.utf8.count + 4 + $1.value.estimatedByteCount }
        }
    }

    /// The compact JSON text of this value.
    public var jsonText: String { String(decoding: serialized(), as: UTF8.self) }

    func write(to out: inout [UInt8]) {
        switch self {
        case .null: out.append(contentsOf: "null".utf8)
        case .bool(let value): out.append(contentsOf: (value ? "true" : "false").utf8)
        case .number(let value): JSONValue.writeNumber(value, to: &out)
        case .string(let value): JSONValue.writeString(value, to: &out)
        case .array(let values):
            out.append(UInt8(ascii: "["))
            for (position, value) in values.enumerated() {
                if position > 0 { out.append(UInt8(ascii: ",")) }
                value.write(to: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let object):
            out.append(UInt8(ascii: "{"))
            for (position, key) in object.keys.sorted().enumerated() {
                if position > 0 { out.append(UInt8(ascii: ",")) }
                JSONValue.writeString(key, to: &out)
                out.append(UInt8(ascii: ":"))
                object[key]!.write(to: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    /// Integers (up to 2^53) without a fraction, others in Swift's shortest round-trip form; NaN and infinities as null.
    static func writeNumber(_ value: Double, to out: inout [UInt8]) {
        guard value.isFinite else {
            out.append(contentsOf: "null".utf8)
            return
        }
        if value == value.rounded(), abs(value) < 9_007_199_254_740_992 {
            out.append(contentsOf: String(Int64(value)).utf8)
        } else {
            out.append(contentsOf: "\(value)".utf8)
        }
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    /// Appends `value` as a JSON string literal. Runs of bytes that need no escape are copied in bulk:
    /// a 25 MB stream message through the relay is mostly one run.
    static func writeString(_ value: String, to out: inout [UInt8]) {
        var value = value
        value.withUTF8 { bytes in
            out.append(UInt8(ascii: "\""))
            var runStart = 0
            for index in 0..<bytes.count {
                let byte = bytes[index]
                guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
                if runStart < index { out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<index])) }
                runStart = index + 1
                out.append(UInt8(ascii: "\\"))
                switch byte {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"): out.append(byte)
                case 0x0a: out.append(UInt8(ascii: "n"))
                case 0x0d: out.append(UInt8(ascii: "r"))
                case 0x09: out.append(UInt8(ascii: "t"))
                default:
                    out.append(contentsOf: "u00".utf8)
                    out.append(hexDigits[Int(byte >> 4)])
                    out.append(hexDigits[Int(byte & 0x0f)])
                }
            }
            if runStart < bytes.count { out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart...])) }
            out.append(UInt8(ascii: "\""))
        }
    }
}

extension JSONValue {
    /// Indented JSON (two spaces, sorted keys) for files people read, such as kernel.json.
    public func prettyPrinted() -> [UInt8] {
        var out: [UInt8] = []
        writePretty(to: &out, indent: 0)
        return out
    }

    private func writePretty(to out: inout [UInt8], indent: Int) {
        let pad = { (level: Int) in [UInt8](repeating: UInt8(ascii: " "), count: level * 2) }
        switch self {
        case .array(let values) where !values.isEmpty:
            out.append(contentsOf: "[\n".utf8)
            for (position, value) in values.enumerated() {
                out.append(contentsOf: pad(indent + 1))
                value.writePretty(to: &out, indent: indent + 1)
                out.append(contentsOf: (position < values.count - 1 ? ",\n" : "\n").utf8)
            }
            out.append(contentsOf: pad(indent))
            out.append(UInt8(ascii: "]"))
        case .object(let object) where !object.isEmpty:
            out.append(contentsOf: "{\n".utf8)
            let keys = object.keys.sorted()
            for (position, key) in keys.enumerated() {
                out.append(contentsOf: pad(indent + 1))
                JSONValue.writeString(key, to: &out)
                out.append(contentsOf: ": ".utf8)
                object[key]!.writePretty(to: &out, indent: indent + 1)
                out.append(contentsOf: (position < keys.count - 1 ? ",\n" : "\n").utf8)
            }
            out.append(contentsOf: pad(indent))
            out.append(UInt8(ascii: "}"))
        default:
            write(to: &out)
        }
    }
}
