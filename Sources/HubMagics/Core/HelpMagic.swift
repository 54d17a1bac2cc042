/// `%help [MAGIC]`: an overview, or one magic's help page.
struct HelpMagic: Magic {
    let spec = MagicSpec(
        name: "help", summary: "Show how to use HubKernel, or the help of one magic",
        positionals: [.init("MAGIC", help: "a magic's name, with or without %", optional: true,
                            completion: .dynamic { session, _ in session.registry.names })])

    func run(_ arguments: MagicArguments, in context: MagicContext) throws -> RichOutput? {
        let registry = context.session.registry
        guard let wanted = arguments.positionals.first else { return GettingStartedPage.render(registry) }
        let name = wanted.hasPrefix("%") ? String(wanted.dropFirst()) : wanted
        guard let magic = registry.magic(named: name) else {
            let hint = Suggestion.didYouMean(name, in: registry.names, prefix: "%")
            throw MagicError.usage("%\(name) is not a HubKernel magic\(hint). %lsmagic lists every magic.")
        }
        return HelpText.richPage(magic.spec)
    }
}
