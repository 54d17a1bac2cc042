/// Tab completion and inspection for magic lines: magic names after `%`, sub-commands,
/// `--options`, and argument values from each spec's `CompletionSource`.
public struct MagicCompleter: Sendable {
    public let session: MagicSession

    public init(session: MagicSession) { self.session = session }

    /// Candidates for the word that ends at `cursor` (an offset in Unicode scalars into `code`).
    /// Returns the matches and the scalar offset where the completed word starts.
    public func complete(code: String, cursor: Int) -> (matches: [String], start: Int) {
        let before = String(String.UnicodeScalarView(code.unicodeScalars.prefix(cursor)))
        let (line, lineStart) = Self.magicLine(endingWith: before)
        let leading = line.prefix { $0 == " " || $0 == "\t" }.unicodeScalars.count
        let trimmed = String(line.dropFirst(leading))
        guard trimmed.hasPrefix("%") else { return ([], cursor) }

        let body = trimmed.dropFirst()
        let name = String(body.prefix { !$0.isWhitespace })
        if name.count == body.count {
            let matches = session.registry.names.filter { $0.hasPrefix(name) }.map { "%" + $0 }
            return (matches, lineStart + leading)
        }
        guard let magic = session.registry.magic(named: name),
              let split = try? WordSplitter.splitKeepingTrailingSpace(String(body.dropFirst(name.count))) else {
            return ([], cursor)
        }
        let current = split.endsBetweenWords ? "" : (split.words.last ?? "")
        let wordsBefore = split.endsBetweenWords ? split.words : Array(split.words.dropLast())
        let candidates = self.candidates(spec: magic.spec, wordsBefore: wordsBefore, current: current)
        return (candidates.filter { $0.hasPrefix(current) }, cursor - current.unicodeScalars.count)
    }

    /// The magic line that `before` (a cell up to the cursor) ends in, with earlier lines that end in a `\`
    /// continuation joined on as `CellParser` joins them, and the scalar offset where its first line starts.
    static func magicLine(endingWith before: String) -> (text: String, start: Int) {
        var lines = before.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var text = lines.removeLast()
        while let previous = lines.last, CellParser.endsWithContinuation(previous) {
            lines.removeLast()
            text = String(previous.dropLast()) + " " + text
        }
        return (text, lines.reduce(0) { $0 + $1.unicodeScalars.count + 1 })
    }

    /// The help page of the magic named on the line at `cursor`, if any.
    public func inspect(code: String, cursor: Int) -> RichOutput? {
        let lines = code.split(separator: "\n", omittingEmptySubsequences: false)
        var offset = 0
        for line in lines {
            let length = line.unicodeScalars.count
            if cursor <= offset + length {
                let trimmed = line.drop { $0 == " " || $0 == "\t" }
                guard trimmed.hasPrefix("%") else { return nil }
                let name = String(trimmed.dropFirst().prefix { !$0.isWhitespace })
                return session.registry.magic(named: name).map { HelpText.richPage($0.spec) }
            }
            offset += length + 1
        }
        return nil
    }

    private func candidates(spec: MagicSpec, wordsBefore: [String], current: String) -> [String] {
        if !spec.subcommands.isEmpty {
            guard let first = wordsBefore.first else { return spec.subcommands.map(\.name) }
            guard let sub = spec.subcommand(named: first) else { return [] }
            return candidates(spec: sub, wordsBefore: Array(wordsBefore.dropFirst()), current: current)
        }
        if current.hasPrefix("--") && current.contains("=") {
            let name = String(current.dropFirst(2).prefix { $0 != "=" })
            guard let option = spec.options.first(where: { $0.name == name }), !option.isFlag else { return [] }
            return values(from: option.completion, spec: spec, wordsBefore: wordsBefore).map { "--\(name)=" + $0 }
        }
        if current.hasPrefix("-") {
            return spec.options.map { "--" + $0.name } + ["--help"]
        }
        if let previous = wordsBefore.last, previous.hasPrefix("--"),
           let option = spec.options.first(where: { "--" + $0.name == previous }), !option.isFlag {
            return values(from: option.completion, spec: spec, wordsBefore: wordsBefore)
        }
        let positionalIndex = positionalCount(spec: spec, words: wordsBefore)
        guard !spec.positionals.isEmpty else { return [] }
        let positional = positionalIndex < spec.positionals.count
            ? spec.positionals[positionalIndex]
            : (spec.positionals.last!.isRepeated ? spec.positionals.last! : nil)
        return positional.map { values(from: $0.completion, spec: spec, wordsBefore: wordsBefore) } ?? []
    }

    private func positionalCount(spec: MagicSpec, words: [String]) -> Int {
        var count = 0
        var skipNext = false
        for word in words {
            if skipNext { skipNext = false; continue }
            if word.hasPrefix("--") {
                let name = String(word.dropFirst(2).prefix { $0 != "=" })
                if let option = spec.options.first(where: { $0.name == name }), !option.isFlag, !word.contains("=") { skipNext = true }
                continue
            }
            count += 1
        }
        return count
    }

    private func values(from source: CompletionSource, spec: MagicSpec, wordsBefore: [String]) -> [String] {
        switch source {
        case .none: return []
        case .choices(let choices): return choices
        case .dynamic(let provider): return provider(session, Self.joiningOptionValues(spec: spec, words: wordsBefore))
        }
    }

    /// `--option value` pairs written as `--option=value`, so that a provider looking for the first
    /// positional (the repo id) does not take an option's value for it.
    static func joiningOptionValues(spec: MagicSpec, words: [String]) -> [String] {
        var joined: [String] = []
        var index = 0
        while index < words.count {
            let word = words[index]
            if word.hasPrefix("--"), !word.contains("="), index + 1 < words.count,
               let option = spec.options.first(where: { "--" + $0.name == word }), !option.isFlag {
                joined.append(word + "=" + words[index + 1])
                index += 2
            } else {
                joined.append(word)
                index += 1
            }
        }
        return joined
    }
}
