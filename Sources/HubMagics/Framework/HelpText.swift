/// `--help` output and `%help` pages built from a `MagicSpec`.
public enum HelpText {
    /// `Usage: %download REPO [FILES…] [--revision R] [--dry-run] …`, wrapped between its parts (never inside
    /// `[--revision R]`), continuation lines under the name. The first line leaves room for a terminal to say
    /// `hubkernel auth login` where a notebook says `%hf_login`.
    public static func usage(_ spec: MagicSpec, displayName: String? = nil) -> String {
        let name = displayName ?? "%\(spec.name)"
        let lead = TextWrap.usageLead
        if !spec.subcommands.isEmpty {
            return lead + "\(name) {\(spec.subcommands.map(\.name).joined(separator: ","))} …"
        }
        let positionals = spec.positionals.map { positional -> String in
            let word = positional.isRepeated ? "\(positional.name)…" : positional.name
            return positional.isOptional ? "[\(word)]" : word
        }
        let options = spec.options.map { option -> String in
            let word = option.valueName.map { "--\(option.name) \($0)" } ?? "--\(option.name)"
            return "[\(word)]"
        }
        return TextWrap.lines([lead + name] + positionals + options, firstWidth: TextWrap.width - terminalNameRoom,
                              indent: String(repeating: " ", count: lead.count)).joined(separator: "\n")
    }

    /// How much longer a command's terminal name can be than its magic's (`hubkernel auth login` vs `%hf_login`).
    static let terminalNameRoom = 12

    /// The full help page as text.
    public static func page(_ spec: MagicSpec, displayName: String? = nil) -> String {
        let name = displayName ?? "%\(spec.name)"
        var lines = [usage(spec, displayName: name), "", TextWrap.wrap(spec.summary)]
        if !spec.subcommands.isEmpty {
            lines += ["", "Sub-commands:"]
            lines += aligned(spec.subcommands.map { ($0.name, $0.summary) })
            lines += ["", "See \(name) SUB-COMMAND --help for each."]
        }
        if !spec.positionals.isEmpty {
            lines += ["", "Arguments:"]
            lines += aligned(spec.positionals.map { ($0.name, $0.help) })
        }
        let options = spec.options + [.flag("help", short: "h", help: "show this help")]
        lines += ["", "Options:"]
        lines += aligned(options.map { option in
            let short = option.short.map { "-\($0), " } ?? ""
            return (short + "--" + option.name + (option.valueName.map { " \($0)" } ?? ""), option.help)
        })
        if let discussion = spec.discussion { lines += ["", TextWrap.wrap(discussion)] }
        return lines.joined(separator: "\n")
    }

    /// The help page as a Jupyter-friendly rich output: an HTML `<pre>` keeps the alignment, and its lines,
    /// already wrapped at spaces, are not broken again by the browser (a narrow pane scrolls instead).
    public static func richPage(_ spec: MagicSpec, displayName: String? = nil) -> RichOutput {
        let text = page(spec, displayName: displayName)
        return RichOutput(text: text, html: "<pre class=\"hubkernel-help\" style=\"white-space:pre;overflow-x:auto\">\(HTML.escape(text))</pre>")
    }

    /// `  --revision R   the help text…`: names in a column (up to 28 wide), each text wrapped under its start.
    static func aligned(_ pairs: [(String, String)]) -> [String] {
        let width = min(pairs.map(\.0.count).max() ?? 0, 28)
        let column = 2 + width + 2
        let hanging = String(repeating: " ", count: column)
        return pairs.flatMap { left, right -> [String] in
            let text = TextWrap.lines(right.split(separator: " "), width: TextWrap.width - column)
            if left.count > width {  // a name wider than the column: its text starts on the next line
                return ["  " + left] + text.map { hanging + $0 }
            }
            return ["  " + left.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + text[0]] + text.dropFirst().map { hanging + $0 }
        }
    }
}
