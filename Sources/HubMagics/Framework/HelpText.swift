/// `--help` output and `%help` pages built from a `MagicSpec`.
public enum HelpText {
    /// `%download REPO [FILES…] [--revision R] [--dry-run]`
    public static func usage(_ spec: MagicSpec, displayName: String? = nil) -> String {
        let name = displayName ?? "%\(spec.name)"
        if !spec.subcommands.isEmpty {
            return "\(name) {\(spec.subcommands.map(\.name).joined(separator: ","))} …"
        }
        let positionals = spec.positionals.map { positional -> String in
            let word = positional.isRepeated ? "\(positional.name)…" : positional.name
            return positional.isOptional ? "[\(word)]" : word
        }
        let options = spec.options.map { option -> String in
            let word = option.valueName.map { "--\(option.name) \($0)" } ?? "--\(option.name)"
            return "[\(word)]"
        }
        return ([name] + positionals + options).joined(separator: " ")
    }

    /// The full help page as text.
    public static func page(_ spec: MagicSpec, displayName: String? = nil) -> String {
        let name = displayName ?? "%\(spec.name)"
        var lines = ["Usage: \(usage(spec, displayName: name))", "", spec.summary]
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
        if let discussion = spec.discussion { lines += ["", discussion] }
        return lines.joined(separator: "\n")
    }

    /// The help page as a Jupyter-friendly rich output (HTML `<pre>` keeps the alignment).
    public static func richPage(_ spec: MagicSpec, displayName: String? = nil) -> RichOutput {
        let text = page(spec, displayName: displayName)
        return RichOutput(text: text, html: "<pre class=\"hubkernel-help\">\(HTML.escape(text))</pre>")
    }

    private static func aligned(_ pairs: [(String, String)]) -> [String] {
        let width = min(pairs.map(\.0.count).max() ?? 0, 28)
        return pairs.map { left, right in
            let padded = left.count >= width ? left + "  " : left + String(repeating: " ", count: width - left.count) + "  "
            return "  " + padded + right
        }
    }
}
