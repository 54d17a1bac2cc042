/// The header part of one LSP frame: `Name: value\r\n` fields (names case-insensitive) ending with an empty line.
/// `Content-Length` (bytes of the body) is required; `Content-Type` is optional and, when it names a charset,
/// it must be UTF-8 (`utf-8`, or `utf8` for old clients, as the spec asks); other fields are ignored.
enum FrameHeader {
    /// Why a header is refused. `bodyLength` is set when the length was readable, so the body can be skipped exactly.
    struct Failure: Error, Equatable {
        var reason: String
        var bodyLength: Int?
    }

    /// Reads the body's length from `bytes`, the header without its final `\r\n\r\n`.
    static func contentLength(of bytes: ArraySlice<UInt8>, maxBodyBytes: Int) -> Result<Int, Failure> {
        var length: Int?
        var charsetProblem: String?
        for line in lines(bytes) {
            guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else {
                return .failure(Failure(reason: "a header line has no ':'"))
            }
            let name = String(decoding: trimmed(line[line.startIndex..<colon]), as: UTF8.self).lowercased()
            let value = trimmed(line[(colon + 1)...])
            switch name {
            case "content-length":
                guard !value.isEmpty, value.count <= 18, value.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else {
                    return .failure(Failure(reason: "Content-Length is not a non-negative integer: '\(printable(value))'"))
                }
                let parsed = value.reduce(0) { $0 * 10 + Int($1 - UInt8(ascii: "0")) }
                if let length, length != parsed { return .failure(Failure(reason: "two different Content-Length fields")) }
                length = parsed
            case "content-type":
                charsetProblem = unsupportedCharset(String(decoding: value, as: UTF8.self))
            default:
                continue
            }
        }
        guard let length else { return .failure(Failure(reason: "the header has no Content-Length")) }
        guard length <= maxBodyBytes else {
            return .failure(Failure(reason: "Content-Length \(length) is above the limit of \(maxBodyBytes) bytes"))
        }
        if let charsetProblem { return .failure(Failure(reason: charsetProblem, bodyLength: length)) }
        return .success(length)
    }

    private static func lines(_ bytes: ArraySlice<UInt8>) -> [ArraySlice<UInt8>] {
        var result: [ArraySlice<UInt8>] = []
        var start = bytes.startIndex
        var index = bytes.startIndex
        while index + 1 < bytes.endIndex {
            if bytes[index] == 0x0d, bytes[index + 1] == 0x0a {
                result.append(bytes[start..<index])
                index += 2
                start = index
            } else {
                index += 1
            }
        }
        result.append(bytes[start..<bytes.endIndex])
        return result
    }

    private static func trimmed(_ bytes: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        var slice = bytes
        while let first = slice.first, first == 0x20 || first == 0x09 { slice.removeFirst() }
        while let last = slice.last, last == 0x20 || last == 0x09 { slice.removeLast() }
        return slice
    }

    private static func printable(_ bytes: ArraySlice<UInt8>) -> String {
        String(decoding: bytes.prefix(40).map { (0x20..<0x7f).contains($0) ? $0 : UInt8(ascii: "?") }, as: UTF8.self)
    }

    /// A message when `contentType` names a charset other than UTF-8.
    private static func unsupportedCharset(_ contentType: String) -> String? {
        for parameter in contentType.split(separator: ";").dropFirst() {
            let pair = parameter.split(separator: "=", maxSplits: 1).map { $0.trimmingSpaces.lowercased() }
            guard pair.count == 2, pair[0] == "charset" else { continue }
            let charset = pair[1].trimming("\"")
            if charset != "utf-8" && charset != "utf8" { return "unsupported charset '\(charset)': only utf-8 is supported" }
        }
        return nil
    }
}

private extension Substring {
    var trimmingSpaces: Substring {
        var text = self
        while text.first == " " || text.first == "\t" { text.removeFirst() }
        while text.last == " " || text.last == "\t" { text.removeLast() }
        return text
    }
}

private extension String {
    func trimming(_ set: Character) -> String {
        var text = Substring(self)
        while text.first == set { text.removeFirst() }
        while text.last == set { text.removeLast() }
        return String(text)
    }
}
