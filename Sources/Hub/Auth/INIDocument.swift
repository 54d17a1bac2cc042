/// An INI file read and written exactly as Python's `configparser.ConfigParser(interpolation=None)`
/// does for `stored_tokens`: sections in file order, keys lower-cased, values stripped,
/// indented continuation lines, `#`/`;` full-line comments, a `[DEFAULT]` section merged into
/// every other one, and strict mode (a repeated section or key makes the whole file unreadable).
///
/// ```swift
/// let doc = try INIDocument.parse("[work]\nhf_token = hf_x\nexpires_at = 17\n")
/// doc.sections[0].fields   // [("hf_token", "hf_x"), ("expires_at", "17")]
/// doc.text                  // "[work]\nhf_token = hf_x\nexpires_at = 17\n\n"
/// ```
public struct INIDocument: Sendable, Equatable {
    /// One `[name]` section and its `key = value` fields in order.
    public struct Section: Sendable, Equatable {
        public var name: String
        public var fields: [Field]

        public init(name: String, fields: [Field]) {
            self.name = name
            self.fields = fields
        }

        public subscript(key: String) -> String? { fields.first { $0.key == key }?.value }
    }

    /// One `key = value` line.
    public struct Field: Sendable, Equatable {
        public var key: String
        public var value: String

        public init(_ key: String, _ value: String) {
            self.key = key
            self.value = value
        }
    }

    /// Why `configparser` would refuse the file (it then treats it as empty).
    public struct ParseError: Error, Sendable, Equatable, CustomStringConvertible {
        public var line: Int
        public var reason: String
        public var description: String { "line \(line): \(reason)" }
    }

    public var sections: [Section]

    public init(sections: [Section] = []) { self.sections = sections }

    public subscript(name: String) -> Section? { sections.first { $0.name == name } }

    /// The file as `ConfigParser.write` produces it after adding the sections in this order:
    /// `[name]`, then `key = value` lines (newlines in values continue with a tab), then a blank line.
    public var text: String {
        var result = ""
        for section in sections {
            result += "[\(section.name)]\n"
            for field in section.fields {
                result += "\(field.key) = \(field.value.replacingOccurrences(of: "\n", with: "\n\t"))\n"
            }
            result += "\n"
        }
        return result
    }

    /// Parses `text` like `ConfigParser.read` followed by `items(section)` for every section.
    public static func parse(_ text: String) throws -> INIDocument {
        var parser = Parser()
        for (offset, line) in universalLines(text).enumerated() {
            try parser.consume(line, number: offset + 1)
        }
        return try parser.finish()
    }

    /// Lines as Python's text mode reads them: `\n`, `\r\n` and `\r` all end a line.
    static func universalLines(_ text: String) -> [String] {
        var lines: [String] = []
        var current = String.UnicodeScalarView()
        var previousWasCR = false
        for scalar in text.unicodeScalars {
            if scalar == "\n" && previousWasCR { previousWasCR = false; continue }
            previousWasCR = scalar == "\r"
            if scalar == "\n" || scalar == "\r" {
                lines.append(String(current)); current = String.UnicodeScalarView()
            } else {
                current.append(scalar)
            }
        }
        if !current.isEmpty { lines.append(String(current)) }
        return lines
    }
}

/// The state machine of `RawConfigParser._read` (Python 3.11) with the default options.
private struct Parser {
    private var order: [String] = []
    private var sections: [String: [(key: String, lines: [String])]] = [:]
    private var defaults: [(key: String, lines: [String])] = []
    private var current: String??   // nil: no section yet; .some(nil): DEFAULT
    private var currentKeyIndex: Int?
    private var indentLevel = 0
    private var seenSections: Set<String> = []
    private var seenKeys: Set<String> = []
    private var firstError: INIDocument.ParseError?

    mutating func consume(_ line: String, number: Int) throws {
        let stripped = pythonStrip(line)
        if stripped.hasPrefix("#") || stripped.hasPrefix(";") { return }
        if stripped.isEmpty {
            // empty_lines_in_values=True: a blank line joins the value being read.
            if current != nil, let index = currentKeyIndex { appendToCurrent(index, "") }
            return
        }
        let indent = line.unicodeScalars.prefix { TokenText.isPythonWhitespace($0) }.count
        if current != nil, let index = currentKeyIndex, indent > indentLevel {
            appendToCurrent(index, stripped)
            return
        }
        indentLevel = indent
        if stripped.hasPrefix("["), let close = stripped.lastIndex(of: "]"), close > stripped.index(after: stripped.startIndex) {
            let name = String(stripped[stripped.index(after: stripped.startIndex)..<close])
            currentKeyIndex = nil
            if name == "DEFAULT" { current = .some(nil); return }
            if seenSections.contains(name) {
                throw INIDocument.ParseError(line: number, reason: "section '\(name)' appears twice")
            }
            seenSections.insert(name)
            if sections[name] == nil { order.append(name); sections[name] = [] }
            current = .some(name)
            return
        }
        guard let section = current else {
            throw INIDocument.ParseError(line: number, reason: "a key appears before any [section] header")
        }
        guard let delimiter = stripped.firstIndex(where: { $0 == "=" || $0 == ":" }) else {
            if firstError == nil { firstError = INIDocument.ParseError(line: number, reason: "not a 'key = value' line") }
            return
        }
        let key = pythonStrip(String(stripped[..<delimiter])).lowercased()
        let value = pythonStrip(String(stripped[stripped.index(after: delimiter)...]))
        if key.isEmpty, firstError == nil { firstError = INIDocument.ParseError(line: number, reason: "a line has a value but no key") }
        let keyID = (section ?? "DEFAULT") + "\u{0}" + key
        if seenKeys.contains(keyID) {
            throw INIDocument.ParseError(line: number, reason: "key '\(key)' appears twice in section '\(section ?? "DEFAULT")'")
        }
        seenKeys.insert(keyID)
        currentKeyIndex = set(key, [value], in: section)
    }

    func finish() throws -> INIDocument {
        if let firstError { throw firstError }
        func joined(_ lines: [String]) -> String {
            var value = lines.joined(separator: "\n")
            while let last = value.unicodeScalars.last, TokenText.isPythonWhitespace(last) { value.unicodeScalars.removeLast() }
            return value
        }
        return INIDocument(sections: order.map { name in
            var fields = defaults.map { INIDocument.Field($0.key, joined($0.lines)) }
            for entry in sections[name] ?? [] {
                let field = INIDocument.Field(entry.key, joined(entry.lines))
                if let index = fields.firstIndex(where: { $0.key == entry.key }) { fields[index] = field } else { fields.append(field) }
            }
            return INIDocument.Section(name: name, fields: fields)
        })
    }

    private mutating func set(_ key: String, _ lines: [String], in section: String?) -> Int {
        if let section {
            var entries = sections[section] ?? []
            if let index = entries.firstIndex(where: { $0.key == key }) { entries[index].lines = lines; sections[section] = entries; return index }
            entries.append((key, lines)); sections[section] = entries
            return entries.count - 1
        }
        if let index = defaults.firstIndex(where: { $0.key == key }) { defaults[index].lines = lines; return index }
        defaults.append((key, lines))
        return defaults.count - 1
    }

    private mutating func appendToCurrent(_ index: Int, _ line: String) {
        guard let section = current else { return }
        if let section { sections[section]?[index].lines.append(line) } else { defaults[index].lines.append(line) }
    }

    private func pythonStrip(_ text: String) -> String {
        var scalars = Substring(text).unicodeScalars
        while let first = scalars.first, TokenText.isPythonWhitespace(first) { scalars.removeFirst() }
        while let last = scalars.last, TokenText.isPythonWhitespace(last) { scalars.removeLast() }
        return String(scalars)
    }
}
