/// Plain text broken into lines at spaces only, so that no line ends inside a word, an option name
/// (`--revision`) or a `[--revision R]` group. Frontends break a line that is too wide wherever they like
/// (JupyterLab after a hyphen); lines that already fit are left alone.
///
/// ```swift
/// TextWrap.lines(["%download", "REPO", "[--revision R]"], width: 20, indent: "  ")
/// // ["%download REPO", "  [--revision R]"]
/// ```
public enum TextWrap {
    /// How a usage line starts; its continuation lines start under what follows.
    public static let usageLead = "Usage: "

    /// The width help pages and usage lines are wrapped to: a terminal's classic 80 columns, less a margin.
    public static let width = 78

    /// `words` joined by single spaces into lines of at most `width` characters (the first line at most
    /// `firstWidth`, when given); lines after the first start with `indent`. A word longer than a line gets a
    /// line of its own and is never split.
    public static func lines<Words: Sequence>(_ words: Words, width: Int = width, firstWidth: Int? = nil,
                                              indent: String = "") -> [String] where Words.Element: StringProtocol {
        var lines: [String] = []
        var current = ""
        for word in words where !word.isEmpty {
            let limit = lines.isEmpty ? firstWidth ?? width : width
            if current.isEmpty {
                current = String(word)
            } else if current.count + 1 + word.count <= limit {
                current += " " + word
            } else {
                lines.append(current)
                current = indent + word
            }
        }
        if !current.isEmpty || lines.isEmpty { lines.append(current) }
        return lines
    }

    /// Each line of `text` wrapped at spaces to `width` (never inside `[…]`, a usage's option group); a line's
    /// continuation keeps its leading spaces plus `hanging` more, so indented lists stay indented.
    public static func wrap(_ text: String, width: Int = width, hanging: Int = 0) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).flatMap { line -> [String] in
            guard line.count > width else { return [String(line)] }
            let leading = String(line.prefix { $0 == " " })
            let hang = line.hasPrefix(usageLead) ? usageLead.count : hanging  // a usage continues under its name
            let wrapped = lines(words(of: line.dropFirst(leading.count)), width: width - leading.count,
                                indent: String(repeating: " ", count: hang))
            return wrapped.map { leading + $0 }
        }.joined(separator: "\n")
    }

    /// The words of `line`: runs between spaces, where a space inside brackets (`[--revision R]`) joins.
    static func words(of line: Substring) -> [Substring] {
        var words: [Substring] = []
        var start = line.startIndex, depth = 0
        for index in line.indices {
            switch line[index] {
            case "[": depth += 1
            case "]": depth = max(0, depth - 1)
            case " " where depth == 0:
                if start < index { words.append(line[start..<index]) }
                start = line.index(after: index)
            default: break
            }
        }
        if start < line.endIndex { words.append(line[start...]) }
        return words
    }
}
