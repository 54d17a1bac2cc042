/// `%lsmagic`: every magic with its one-line summary.
struct LsMagic: Magic {
    let spec = MagicSpec(name: "lsmagic", summary: "List every magic with a one-line summary")

    func run(_ arguments: MagicArguments, in context: MagicContext) throws -> RichOutput? {
        Self.overview(context.session.registry)
    }

    static func overview(_ registry: MagicRegistry) -> RichOutput {
        var table = Table(columns: ["magic", "what it does"])
        for magic in registry.magics { table.append(["%" + magic.spec.name, magic.spec.summary]) }
        let intro = "HubKernel cells hold %magic lines, # comments and blank lines. Add --help to any magic for its options."
        return RichOutput(text: intro + "\n\n" + table.text, html: "<p>\(HTML.escape(intro))</p>" + table.html)
    }
}
