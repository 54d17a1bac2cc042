import Foundation

/// How a cell divides between HubKernel and the Python kernel it hosts.
///
/// Lines that name one of HubKernel's own magics (the registry's names: an explicit list) run in HubKernel;
/// everything else — Python, IPython's magics (`%pip`, `%timeit`, `%%time`), `!shell` lines — goes to Python
/// unchanged. A cell may start with HubKernel magic lines and go on with Python:
///
/// ```swift
/// let plan = try CellRouting.plan("%download org/model\nmodel = load('org/model')", magicNames: ["download"])
/// plan.magics   // "%download org/model"
/// plan.python   // "#\nmodel = load('org/model')"  (a `#` line per magic line, so Python's line numbers match the cell;
///                 //  a cell without HubKernel lines goes to Python byte for byte)
/// ```
public enum CellRouting {
    public struct Plan: Sendable, Equatable {
        /// The leading HubKernel part (magic lines, comments, blank lines).
        public var magics: String
        /// The rest, for Python, or nil when the cell is all HubKernel's.
        public var python: String?
    }

    /// IPython's own line magics: a `%name` in this list is never taken for a misspelt HubKernel magic.
    static let ipythonMagics: Set<String> = [
        "alias", "alias_magic", "autoawait", "autocall", "automagic", "bookmark", "cat", "cd", "clear", "code_wrap",
        "colors", "conda", "config", "cp", "debug", "dhist", "dirs", "doctest_mode", "ed", "edit", "env", "gui", "hist",
        "history", "killbgscripts", "ldir", "less", "lf", "lk", "ll", "load", "load_ext", "loadpy", "logoff", "logon",
        "logstart", "logstate", "logstop", "ls", "lsmagic", "lx", "macro", "magic", "mamba", "man", "matplotlib",
        "micromamba", "mkdir", "more", "mv", "notebook", "page", "pastebin", "pdb", "pdef", "pdoc", "pfile", "pinfo",
        "pinfo2", "pip", "popd", "pprint", "precision", "prun", "psearch", "psource", "pushd", "pwd", "pycat", "pylab",
        "qtconsole", "quickref", "recall", "rehashx", "reload_ext", "rep", "rerun", "reset", "reset_selective", "rm",
        "rmdir", "run", "save", "sc", "set_env", "store", "sx", "system", "tb", "time", "timeit", "unalias",
        "unload_ext", "uv", "who", "who_ls", "whos", "xdel", "xmode", "autoreload", "aimport", "load_ipython_ext",
    ]

    /// Splits `cell`. Throws when a HubKernel magic follows Python code (the cell must be split), or when a
    /// `%name` that is neither HubKernel's nor IPython's is one letter away from one of HubKernel's.
    public static func plan(_ cell: String, magicNames: Set<String>) throws -> Plan {
        // Substrings of `cell`, so the Python part is cut from the cell as it came (`\r\n`, trailing spaces kept).
        let lines = cell.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline)
        var index = 0
        var afterLastMagic = 0
        var continuing = false
        while index < lines.count {
            let line = String(lines[index])
            let trimmed = Self.trimmed(line)
            if continuing || trimmed.isEmpty || trimmed.hasPrefix("#") {
                if continuing { afterLastMagic = index + 1 }
                continuing = continuing && endsWithContinuation(line)
                index += 1
                continue
            }
            guard let name = magicName(trimmed) else { break }
            if !magicNames.contains(name) {
                if !ipythonMagics.contains(name), case let hint = Suggestion.didYouMean(name, in: magicNames.sorted(), prefix: "%"),
                   !hint.isEmpty {
                    throw MagicError("UnknownMagic", "%\(name) is neither a HubKernel nor an IPython magic\(hint). %lsmagic lists every magic.")
                }
                break
            }
            continuing = endsWithContinuation(line)
            index += 1
            afterLastMagic = index
        }
        let magics = index == 0 ? "" : String(cell[lines[0].startIndex..<lines[index - 1].endIndex])
        let rest = lines[index...].map(String.init)
        guard rest.contains(where: { !trimmed($0).isEmpty }) else { return Plan(magics: magics, python: nil) }
        if let misplaced = magicAfterPython(rest, magicNames: magicNames) {
            throw MagicError("CellOrderError", "Line \(index + misplaced.offset + 1): %\(misplaced.name) comes after Python code. "
                             + "HubKernel magics run before the Python of a cell: move the line to the top of the cell, or split the cell there.")
        }
        // No HubKernel line: Python gets the cell exactly as sent (IPython drops leading blank lines and the first
        // line's indent itself; comments are Python's).
        guard afterLastMagic > 0 else { return Plan(magics: "", python: cell) }
        // A `#` line per HubKernel line, so Python's line numbers match the cell. IPython's `leading_indent` removes
        // the first line's indent from every line: each `#` line gets the indent of the first line IPython would
        // keep, so an indented rest runs as it would alone in a cell.
        let kept = String(cell[lines[afterLastMagic].startIndex...])
        let firstLine = lines[afterLastMagic...].first { !$0.allSatisfy(\.isWhitespace) } ?? ""
        let indent = String(firstLine.prefix { $0 == " " || $0 == "\t" })
        return Plan(magics: magics, python: String(repeating: indent + "#\n", count: afterLastMagic) + kept)
    }

    /// Whether `line` is a HubKernel magic line (completion and inspection there stay HubKernel's); with
    /// `orPrefix`, also a `%` line whose name is the start of one (`%downl`, being typed).
    public static func isHubKernelLine(_ line: String, magicNames: Set<String>, orPrefix: Bool = false) -> Bool {
        guard let name = magicName(trimmed(line)) else { return false }
        return magicNames.contains(name) || (orPrefix && magicNames.contains { $0.hasPrefix(name) })
    }

    /// `name` of a `%name …` line (not `%%name`), else nil.
    static func magicName(_ trimmed: String) -> String? {
        guard trimmed.hasPrefix("%"), !trimmed.hasPrefix("%%") else { return nil }
        let name = String(trimmed.dropFirst().prefix { !$0.isWhitespace })
        return name.isEmpty ? nil : name
    }

    /// `line` without leading and trailing blanks as Foundation's `.whitespaces` has them (tab, the `Zs` spaces and the
    /// zero-width space), without Foundation's cost on every line of every cell.
    static func trimmed(_ line: String) -> String {
        let scalars = line.unicodeScalars
        let isBlank: (Unicode.Scalar) -> Bool = {
            switch $0.value {
            case 0x20, 0x09, 0xA0, 0x1680, 0x2000...0x200B, 0x202F, 0x205F, 0x3000: return true
            default: return false
            }
        }
        guard let start = scalars.firstIndex(where: { !isBlank($0) }), let last = scalars.lastIndex(where: { !isBlank($0) }) else {
            return ""
        }
        if start == scalars.startIndex && last == scalars.index(before: scalars.endIndex) { return line }
        return String(scalars[start...last])
    }

    private static func endsWithContinuation(_ line: String) -> Bool {
        line.hasSuffix("\\") && !line.hasSuffix("\\\\")
    }

    /// The first HubKernel magic line in Python code, outside triple-quoted strings.
    private static func magicAfterPython(_ lines: [String], magicNames: Set<String>) -> (offset: Int, name: String)? {
        var openQuote: String?
        for (offset, line) in lines.enumerated() {
            if openQuote == nil, let name = magicName(trimmed(line)), magicNames.contains(name) {
                return (offset, name)
            }
            var rest = Substring(line)
            while let quote = openQuote ?? ["\"\"\"", "'''"].min(by: { (rest.range(of: $0)?.lowerBound ?? rest.endIndex) < (rest.range(of: $1)?.lowerBound ?? rest.endIndex) }),
                  let found = rest.range(of: quote) {
                openQuote = openQuote == nil ? quote : nil
                rest = rest[found.upperBound...]
            }
        }
        return nil
    }
}
