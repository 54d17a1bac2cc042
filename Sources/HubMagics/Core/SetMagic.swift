/// `%set [NAME VALUE…]`: sets a variable that later lines use as `$NAME` (a papermill parameters
/// cell is a list of `%set` lines); with no arguments, lists the variables.
struct SetMagic: Magic {
    let spec = MagicSpec(
        name: "set", summary: "Set a variable that later magic lines use as $NAME (papermill parameters)",
        positionals: [.init("NAME", help: "letters, digits and _", optional: true),
                      .init("VALUE", help: "the rest of the line (quote it to keep spaces)", repeated: true)],
        discussion: "Example:\n  %set repo openai-community/gpt2\n  %download $repo config.json")

    func run(_ arguments: MagicArguments, in context: MagicContext) throws -> RichOutput? {
        guard let name = arguments.positionals.first else {
            var table = Table(columns: ["variable", "value"])
            for (name, value) in context.session.variables.sorted(by: { $0.key < $1.key }) { table.append(["$" + name, value]) }
            return RichOutput(text: table.text, html: table.html)
        }
        guard let first = name.first, first.isLetter || first == "_",
              name.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else {
            throw MagicError.usage("'\(name)' is not a variable name: use letters, digits and _, not starting with a digit.")
        }
        guard arguments.positionals.count > 1 else { throw MagicError.usage("%set \(name) needs a VALUE.") }
        context.session.variables[name] = arguments.positionals.dropFirst().joined(separator: " ")
        return nil
    }
}
