/// Parses the words after a magic's name against its `MagicSpec`.
///
/// Accepts `--name value`, `--name=value`, `-x value`, flags, repeated options, `--`
/// to end options. Every mistake becomes a `MagicError.usage` that names the fix.
public struct ArgumentParser {
    public let spec: MagicSpec

    public init(spec: MagicSpec) { self.spec = spec }

    /// Whether the words ask for help (`--help` or `-h` anywhere before `--`).
    public static func asksForHelp(_ words: [String]) -> Bool {
        for word in words {
            if word == "--" { return false }
            if word == "--help" || word == "-h" { return true }
        }
        return false
    }

    public func parse(_ words: [String]) throws -> MagicArguments {
        if !spec.subcommands.isEmpty {
            guard let first = words.first, !first.hasPrefix("-") else {
                throw MagicError.usage("%\(spec.name) needs a sub-command: \(spec.subcommands.map(\.name).joined(separator: ", ")). See %\(spec.name) --help.")
            }
            guard let sub = spec.subcommand(named: first) else {
                throw MagicError.usage("%\(spec.name) has no sub-command '\(first)'\(Suggestion.didYouMean(first, in: spec.subcommands.map(\.name))). See %\(spec.name) --help.")
            }
            var arguments = try ArgumentParser(spec: sub).parse(Array(words.dropFirst()), displayName: "%\(spec.name) \(sub.name)")
            arguments.subcommand = sub.name
            return arguments
        }
        return try parse(words, displayName: "%\(spec.name)")
    }

    private func parse(_ words: [String], displayName: String) throws -> MagicArguments {
        var result = MagicArguments()
        var index = 0
        var optionsEnded = false
        while index < words.count {
            let word = words[index]
            index += 1
            if optionsEnded || !word.hasPrefix("-") || word == "-" || Int(word) != nil {
                result.positionals.append(word)
                continue
            }
            if word == "--" { optionsEnded = true; continue }

            let (option, inlineValue) = try lookUp(word, displayName: displayName)
            if option.isFlag {
                if inlineValue != nil { throw MagicError.usage("--\(option.name) is a flag and takes no value. See \(displayName) --help.") }
                result.options[option.name] = []
                continue
            }
            let value: String
            if let inlineValue {
                value = inlineValue
            } else if index < words.count, !words[index].hasPrefix("--") {
                value = words[index]
                index += 1
            } else {
                throw MagicError.usage("--\(option.name) needs a value (\(option.valueName ?? "VALUE")). See \(displayName) --help.")
            }
            if case .choices(let choices) = option.completion, !choices.contains(value) {
                throw MagicError.usage("--\(option.name) must be one of \(choices.joined(separator: ", ")), not '\(value)'.")
            }
            if option.isRepeatable {
                result.options[option.name, default: []].append(value)
            } else {
                result.options[option.name] = [value]
            }
        }
        try checkPositionals(result.positionals, displayName: displayName)
        return result
    }

    private func lookUp(_ word: String, displayName: String) throws -> (MagicOption, String?) {
        if word.hasPrefix("--") {
            let body = word.dropFirst(2)
            let name = String(body.prefix { $0 != "=" })
            let value = body.contains("=") ? String(body.drop { $0 != "=" }.dropFirst()) : nil
            if let option = spec.options.first(where: { $0.name == name }) { return (option, value) }
            let hint = Suggestion.didYouMean(name, in: spec.options.map(\.name), prefix: "--")
            throw MagicError.usage("\(displayName) has no option --\(name)\(hint). See \(displayName) --help.")
        }
        let letter = word.dropFirst().first
        if word.count == 2, let option = spec.options.first(where: { $0.short == letter }) { return (option, nil) }
        throw MagicError.usage("\(displayName) has no option \(word). See \(displayName) --help.")
    }

    private func checkPositionals(_ values: [String], displayName: String) throws {
        let required = spec.positionals.filter { !$0.isOptional }
        if values.count < required.count {
            let missing = required[values.count...].map(\.name).joined(separator: " ")
            throw MagicError.usage("\(displayName) needs \(missing).\n\(HelpText.usage(spec, displayName: displayName))")
        }
        let acceptsMore = spec.positionals.last?.isRepeated ?? false
        if !acceptsMore, values.count > spec.positionals.count {
            let extra = values[spec.positionals.count...].joined(separator: " ")
            throw MagicError.usage("\(displayName) does not take '\(extra)'.\n\(HelpText.usage(spec, displayName: displayName))")
        }
    }
}
