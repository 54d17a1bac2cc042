import Hub

/// `%hf_logout [--token-name N]`: as `hf auth logout` — without a name, deletes the token file and every
/// stored token; with one, removes that token. Also erases the Hub credential from git's helpers.
struct LogoutMagic: Magic {
    let runner: CommandRunner

    let spec = MagicSpec(
        name: "hf_logout", summary: "Log out: remove one stored token, or (without --token-name) all of them",
        options: [AuthMagicSupport.tokenNameOption],
        discussion: "Like `hf auth logout`: without --token-name the token file and every stored token are deleted. A token set in HF_TOKEN stays in force until the variable is unset.")

    func run(_ arguments: MagicArguments, in context: MagicContext) throws -> RichOutput? {
        let outcome = try AuthMagicSupport.service(context, runner: runner).logout(name: arguments.value("token-name"))
        return AuthMagicSupport.reportWithResult(outcome, to: context.output)
    }
}
