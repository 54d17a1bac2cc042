import Foundation

/// One step of a path inside a JSON document: an object key or an array index.
public enum JSONStep: Sendable, Equatable {
    case key(String)
    case index(Int)
}

/// Walks a notebook's JSON bytes once, string by string, and runs `TokenPattern` on every string with its JSON
/// escapes undone (so a token split by an escape, `hf_ab\u0063d…`, is found). No tree is built: only the strings
/// that hold a token are copied out, with their path (`cells/3/outputs/0/data/text/plain`) and byte range, so
/// `NotebookFixer` can splice a rewritten string in place.
public enum NotebookWalker {
    /// A JSON string (value or key) that holds at least one token.
    public struct StringHit: Sendable, Equatable {
        /// Where the string sits; for a key, the path of the object that holds it.
        public var path: [JSONStep]
        /// The string's bytes in the file, quotes included.
        public var rawRange: Range<Int>
        /// The decoded string (UTF-8).
        public var text: [UInt8]
        /// The tokens in `text`.
        public var matches: [TokenPattern.Match]
        public var isKey: Bool
    }

    /// What a walk found.
    public struct Result: Sendable, Equatable {
        public var hits: [StringHit] = []
        /// `cell_type` of each cell (0-based index) that has one.
        public var cellTypes: [Int: String] = [:]
        /// `metadata.kernelspec.language`, else `metadata.language_info.name`.
        public var language: String?
        /// The raw range of each cell's first source string (where `--fix-code` adds `import os`).
        public var firstSourceString: [Int: Range<Int>] = [:]
        /// Cells whose source already says `import os`.
        public var cellsImportingOS: Set<Int> = []
    }

    /// The file is not JSON (the caller scans it as text instead).
    public struct Malformed: Error, Equatable {
        public var offset: Int
        public var reason: String
    }

    private struct Frame {
        var isArray: Bool
        var index = 0
        var key: String?
        var expectingKey = true
    }

    public static func walk(_ bytes: [UInt8]) throws -> Result {
        try bytes.withUnsafeBufferPointer { try walk($0) }
    }

    public static func walk(_ buffer: UnsafeBufferPointer<UInt8>) throws -> Result {
        var result = Result()
        guard let base = buffer.baseAddress else { throw Malformed(offset: 0, reason: "empty file") }
        let count = buffer.count
        var frames: [Frame] = []
        var scratch: [UInt8] = []
        var position = 0
        var sawValue = false
        while position < count {
            let byte = base[position]
            switch byte {
            case 0x20, 0x09, 0x0A, 0x0D:
                position += 1
            case 0x7B, 0x5B:  // { [
                frames.append(Frame(isArray: byte == 0x5B))
                position += 1
            case 0x7D, 0x5D:  // } ]
                guard let last = frames.popLast(), last.isArray == (byte == 0x5D) else {
                    throw Malformed(offset: position, reason: "unbalanced \(Character(UnicodeScalar(byte)))")
                }
                sawValue = true
                position += 1
            case 0x2C:  // ,
                guard !frames.isEmpty else { throw Malformed(offset: position, reason: "',' outside an object or array") }
                if frames[frames.count - 1].isArray { frames[frames.count - 1].index += 1 } else { frames[frames.count - 1].expectingKey = true }
                position += 1
            case 0x3A:  // :
                guard let last = frames.last, !last.isArray else { throw Malformed(offset: position, reason: "':' outside an object") }
                frames[frames.count - 1].expectingKey = false
                position += 1
            case 0x22:  // "
                let end = try stringEnd(from: position, base, count)
                let contentStart = position + 1
                let hasEscape = memchr(base + contentStart, 0x5C, end - contentStart) != nil
                let isKey = frames.last.map { !$0.isArray && $0.expectingKey } ?? false
                let range = position..<(end + 1)
                let raw = UnsafeBufferPointer(start: base + contentStart, count: end - contentStart)
                let key: String?
                if hasEscape {
                    decode(raw, into: &scratch)
                    key = scratch.withUnsafeBufferPointer { inspect($0, isKey: isKey, range: range, frames: frames, into: &result) }
                } else {
                    key = inspect(raw, isKey: isKey, range: range, frames: frames, into: &result)
                }
                if isKey { frames[frames.count - 1].key = key }
                sawValue = true
                position = end + 1
            default:  // numbers, true, false, null
                guard byte == 0x2D || TokenPattern.isDigit(byte) || byte == 0x74 || byte == 0x66 || byte == 0x6E else {
                    throw Malformed(offset: position, reason: "unexpected byte 0x\(String(byte, radix: 16))")
                }
                while position < count, !isDelimiter(base[position]) { position += 1 }
                sawValue = true
            }
        }
        guard frames.isEmpty, sawValue else { throw Malformed(offset: count, reason: "the document ends early") }
        return result
    }

    /// Runs the matcher on one decoded string and records it when it holds a token; returns a key's text.
    private static func inspect(_ text: UnsafeBufferPointer<UInt8>, isKey: Bool, range: Range<Int>, frames: [Frame],
                                into result: inout Result) -> String? {
        if !isKey { capture(text, range: range, frames: frames, into: &result) }
        let matches = TokenPattern.matches(in: text)
        if !matches.isEmpty {
            result.hits.append(StringHit(path: path(of: frames, includingLastKey: !isKey), rawRange: range,
                                         text: Array(text), matches: matches, isKey: isKey))
        }
        return isKey ? String(decoding: text, as: UTF8.self) : nil
    }

    /// The offset of the closing quote of the string opening at `start`.
    private static func stringEnd(from start: Int, _ base: UnsafePointer<UInt8>, _ count: Int) throws -> Int {
        var search = start + 1
        while search < count {
            guard let hit = memchr(base + search, 0x22, count - search) else { break }
            let quote = base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
            var backslashes = 0
            while quote - backslashes - 1 > start, base[quote - backslashes - 1] == 0x5C { backslashes += 1 }
            if backslashes % 2 == 0 { return quote }
            search = quote + 1
        }
        throw Malformed(offset: start, reason: "unterminated string")
    }

    @inline(__always) private static func isDelimiter(_ byte: UInt8) -> Bool {
        byte == 0x2C || byte == 0x7D || byte == 0x5D || byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09
    }

    /// JSON string escapes undone into `output` (`\uXXXX` and surrogate pairs to UTF-8); an invalid escape is kept as written.
    static func decode(_ raw: UnsafeBufferPointer<UInt8>, into output: inout [UInt8]) {
        output.removeAll(keepingCapacity: true)
        var index = 0
        while index < raw.count {
            let byte = raw[index]
            guard byte == 0x5C, index + 1 < raw.count else { output.append(byte); index += 1; continue }
            let next = raw[index + 1]
            switch next {
            case 0x22, 0x5C, 0x2F: output.append(next)
            case 0x62: output.append(0x08)
            case 0x66: output.append(0x0C)
            case 0x6E: output.append(0x0A)
            case 0x72: output.append(0x0D)
            case 0x74: output.append(0x09)
            case 0x75:
                guard var scalar = hex4(raw, index + 2) else { output.append(byte); index += 1; continue }
                var length = 6
                if (0xD800...0xDBFF).contains(scalar), index + 12 <= raw.count, raw[index + 6] == 0x5C, raw[index + 7] == 0x75,
                   let low = hex4(raw, index + 8), (0xDC00...0xDFFF).contains(low) {
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    length = 12
                }
                output.append(contentsOf: Array(String(UnicodeScalar(scalar).map(Character.init) ?? "\u{FFFD}").utf8))
                index += length
                continue
            default: output.append(byte); output.append(next)
            }
            index += 2
        }
    }

    private static func hex4(_ raw: UnsafeBufferPointer<UInt8>, _ start: Int) -> UInt32? {
        guard start + 4 <= raw.count else { return nil }
        var value: UInt32 = 0
        for offset in 0..<4 {
            guard let digit = Character(UnicodeScalar(raw[start + offset])).hexDigitValue else { return nil }
            value = value << 4 | UInt32(digit)
        }
        return value
    }

    private static func contains(_ text: UnsafeBufferPointer<UInt8>, _ needle: StaticString) -> Bool {
        let length = needle.utf8CodeUnitCount
        guard let base = text.baseAddress, text.count >= length else { return false }
        var position = 0
        while position <= text.count - length, let hit = memchr(base + position, Int32(needle.utf8Start.pointee), text.count - length + 1 - position) {
            position = base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
            if memcmp(base + position, needle.utf8Start, length) == 0 { return true }
            position += 1
        }
        return false
    }

    /// The path of the value being read (`includingLastKey`) or of the object whose key is being read.
    private static func path(of frames: [Frame], includingLastKey: Bool) -> [JSONStep] {
        var steps: [JSONStep] = []
        for (offset, frame) in frames.enumerated() {
            if frame.isArray {
                steps.append(.index(frame.index))
            } else if let key = frame.key, includingLastKey || offset < frames.count - 1 {
                steps.append(.key(key))
            }
        }
        return steps
    }

    /// Records `cell_type` and the notebook's language as they go by.
    private static func capture(_ text: UnsafeBufferPointer<UInt8>, range: Range<Int>, frames: [Frame], into result: inout Result) {
        if frames.count >= 3, frames.count <= 4, frames[0].key == "cells", frames[1].isArray, frames[2].key == "source",
           frames.count == 3 || frames[3].isArray {
            let cell = frames[1].index
            if result.firstSourceString[cell] == nil { result.firstSourceString[cell] = range }
            if contains(text, "import os") { result.cellsImportingOS.insert(cell) }
            return
        }
        guard frames.count == 3 else { return }
        if frames[0].key == "cells", frames[1].isArray, frames[2].key == "cell_type" {
            result.cellTypes[frames[1].index] = String(decoding: text, as: UTF8.self)
        } else if frames[0].key == "metadata",
                  (frames[1].key == "kernelspec" && frames[2].key == "language") || (frames[1].key == "language_info" && frames[2].key == "name") {
            if result.language == nil || frames[1].key == "kernelspec" { result.language = String(decoding: text, as: UTF8.self) }
        }
    }
}
