/// `%echo TEXT… [--stderr]`: prints text, for notes in a notebook and for scripted checks.
struct EchoMagic: Magic {
    let spec = MagicSpec(
        name: "echo", summary: "Print text to the output (or to standard error with --stderr)",
        positionals: [.init("TEXT", help: "words to print, joined by spaces", repeated: true)],
        options: [.flag("stderr", help: "print to standard error instead")])

    func run(_ arguments: MagicArguments, in context: MagicContext) throws -> RichOutput? {
        let text = arguments.positionals.joined(separator: " ") + "\n"
        if arguments.flag("stderr") { context.output.warn(text) } else { context.output.print(text) }
        return nil
    }
}
