import Foundation

/// One `%name args` line of a cell (after joining `\` continuations).
public struct MagicLine: Sendable, Equatable {
    /// The magic's name without `%`.
    public var name: String
    /// The text after the name.
    public var argumentText: String
    /// 1-based line number in the cell where it starts (for error messages).
    public var lineNumber: Int
}

/// Splits a cell into magic lines. Blank lines and `#` comments are skipped; a line ending
/// in `\` continues on the next; anything else is a syntax error that says what a cell may hold.
public enum CellParser {
    public struct SyntaxError: Error, Equatable {
        public var lineNumber: Int
        public var line: String
    }

    public static func parse(_ cell: String) -> Result<[MagicLine], SyntaxError> {
        var result: [MagicLine] = []
        var pending: (text: String, start: Int)?
        let lines = cell.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).map(String.init)
        for (offset, rawLine) in lines.enumerated() {
            let number = offset + 1
            var text = rawLine
            let continues = text.hasSuffix("\\") && !text.hasSuffix("\\\\")
            if continues { text.removeLast() }
            if let open = pending {
                pending = (open.text + " " + text, open.start)
            } else {
                let trimmed = text.trimmingCharacters(in: .whitespaces)
                if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
                pending = (trimmed, number)
            }
            if continues { continue }
            guard let complete = pending else { continue }
            pending = nil
            switch magicLine(complete.text, lineNumber: complete.start) {
            case .success(let line): result.append(line)
            case .failure(let error): return .failure(error)
            }
        }
        if let open = pending {
            switch magicLine(open.text, lineNumber: open.start) {
            case .success(let line): result.append(line)
            case .failure(let error): return .failure(error)
            }
        }
        return .success(result)
    }

    /// Whether the cell ends in a `\` continuation (so a console should wait for more).
    public static func endsWithContinuation(_ cell: String) -> Bool {
        let last = cell.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).last.map(String.init) ?? ""
        return last.hasSuffix("\\") && !last.hasSuffix("\\\\")
    }

    private static func magicLine(_ text: String, lineNumber: Int) -> Result<MagicLine, SyntaxError> {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard trimmed.hasPrefix("%"), !trimmed.hasPrefix("%%") else {
            return .failure(SyntaxError(lineNumber: lineNumber, line: trimmed))
        }
        let body = trimmed.dropFirst()
        let name = String(body.prefix { !$0.isWhitespace })
        let rest = body.dropFirst(name.count).trimmingCharacters(in: .whitespaces)
        guard !name.isEmpty else { return .failure(SyntaxError(lineNumber: lineNumber, line: trimmed)) }
        return .success(MagicLine(name: name, argumentText: rest, lineNumber: lineNumber))
    }
}
