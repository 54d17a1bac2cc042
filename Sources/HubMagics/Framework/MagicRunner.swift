import Hub

/// Runs cells and single magic lines against a session; shared by the kernel and the CLI.
public struct MagicRunner: Sendable {
    public let session: MagicSession

    public init(session: MagicSession) { self.session = session }

    /// Runs every magic line of `cell` in order and stops at the first error.
    /// Returns the last magic's result.
    public func run(cell: String, output: MagicOutput) throws -> RichOutput? {
        let lines: [MagicLine]
        switch CellParser.parse(cell) {
        case .success(let parsed): lines = parsed
        case .failure(let error):
            throw MagicError("SyntaxError", "Line \(error.lineNumber): '\(error.line)' is not a magic. A HubKernel cell holds %magic lines (for example %whoami), # comments and blank lines; %lsmagic lists every magic.")
        }
        var result: RichOutput?
        for line in lines {
            result = try run(line, output: output)
        }
        return result
    }

    /// Runs one magic line. `--help` anywhere shows the magic's help instead of running it.
    public func run(_ line: MagicLine, output: MagicOutput) throws -> RichOutput? {
        guard let magic = session.registry.magic(named: line.name) else {
            let hint = Suggestion.didYouMean(line.name, in: session.registry.names, prefix: "%")
            throw MagicError("UnknownMagic", "%\(line.name) is not a HubKernel magic\(hint). %lsmagic lists every magic.")
        }
        let words: [String]
        do {
            words = try WordSplitter.split(VariableExpansion.expand(line.argumentText, variables: session.variables))
        } catch let error as WordSplitter.UnterminatedQuote {
            throw MagicError.usage("%\(line.name): a \(error.quote) quote is never closed.")
        }
        return try run(magic, words: words, output: output)
    }

    /// Runs `magic` with already split words (the CLI passes argv directly).
    public func run(_ magic: any Magic, words: [String], output: MagicOutput) throws -> RichOutput? {
        if ArgumentParser.asksForHelp(words) {
            let sub = words.first.flatMap { magic.spec.subcommand(named: $0) }
            return HelpText.richPage(sub ?? magic.spec, displayName: sub.map { "%\(magic.spec.name) \($0.name)" })
        }
        let arguments = try ArgumentParser(spec: magic.spec).parse(words)
        defer {  // a token refresh that failed while the magic ran says so once, on stderr
            for warning in TokenRefresher.shared.takeWarnings() { output.warn(output.commandWording(warning) + "\n") }
        }
        return try magic.run(arguments, in: MagicContext(session: session, output: output))
    }
}
