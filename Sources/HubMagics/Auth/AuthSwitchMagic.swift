import Hub

/// `%auth_switch NAME [--add-to-git-credential]`: makes a stored token the active one (writes the token file).
struct AuthSwitchMagic: Magic {
    let runner: CommandRunner

    let spec = MagicSpec(
        name: "auth_switch", summary: "Make a stored token the active one",
        positionals: [.init("NAME", help: "the stored token's name (see %auth_list)", optional: true,
                            completion: AuthMagicSupport.storedTokenNames)],
        options: [AuthMagicSupport.tokenNameOption,
                  .flag("add-to-git-credential", help: "also save the token in git's credential helper")])

    func run(_ arguments: MagicArguments, in context: MagicContext) throws -> RichOutput? {
        let service = AuthMagicSupport.service(context, runner: runner)
        guard let name = arguments.positionals.first ?? arguments.value("token-name") else {
            let names = service.store.storedTokens().names
            let list = names.isEmpty ? "There are no stored tokens: run %hf_login first." : "Stored tokens: \(names.joined(separator: ", "))."
            throw MagicError.usage("%auth_switch needs the name of a stored token. \(list)")
        }
        let outcome = try service.switchTo(name: name, addToGitCredential: arguments.flag("add-to-git-credential"))
        return AuthMagicSupport.reportWithResult(outcome, to: context.output)
    }
}
