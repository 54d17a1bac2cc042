import Hub
import Jupyter

/// `%hf_login [--name N] [--add-to-git-credential] [--force]`: asks for a token at a hidden prompt,
/// checks it with the Hub, saves it where Python `huggingface_hub` looks (token file + stored_tokens).
/// The token never appears in the cell, the output or the history.
struct LoginMagic: Magic {
    let runner: CommandRunner

    let spec = MagicSpec(
        name: "hf_login", summary: "Log in with a token typed at a hidden prompt (saved where huggingface_hub looks)",
        options: [
            .value("name", valueName: "NAME", help: "save the token under this name (default: its name on the Hub)",
                   completion: AuthMagicSupport.storedTokenNames),
            .flag("add-to-git-credential", help: "also save the token in git's credential helper"),
            .flag("force", help: "ask for a token even if one is already in force"),
        ],
        discussion: """
            Never put a token in a cell. Where no prompt is possible (nbclient, papermill), set HF_TOKEN in the \
            kernel's environment, or run `hubkernel auth login` in a terminal (it reads the token from standard \
            input: printf '%s' "$TOKEN" | hubkernel auth login).
            """)

    func run(_ arguments: MagicArguments, in context: MagicContext) throws -> RichOutput? {
        let service = AuthMagicSupport.service(context, runner: runner)
        let current = try? service.chain.resolve()
        if let current, !arguments.flag("force") {
            let text = "Already logged in (\(current.source)). Use %hf_login --force to log in with another token."
            return AuthMagicSupport.summary(text)
        }
        if current != nil {
            context.output.print("Note: a token is already in force. Logging in again will replace the active token.\n")
        }
        context.output.print("To log in, HubKernel needs a token from \(context.environment.endpoint)/settings/tokens .\n")
        let entered: String
        do {
            entered = try context.output.prompt("Enter your token (input will not be visible): ", password: true)
        } catch let error as MagicError where error.name == "StdinNotAllowedError" {
            throw MagicError("StdinNotAllowedError", """
                This frontend cannot show a password prompt, so %hf_login cannot ask for a token here. \
                Instead: set HF_TOKEN in the kernel's environment (or in a .env file loaded with %dotenv), \
                or run `hubkernel auth login` in a terminal — it reads the token from standard input, e.g. \
                printf '%s' "$TOKEN" | hubkernel auth login — then re-run this cell.
                """)
        }
        context.session.rememberSecret(entered)
        if let clean = TokenText.clean(entered) { context.session.rememberSecret(clean) }

        let result = try service.login(token: entered, name: arguments.value("name"),
                                       addToGitCredential: arguments.flag("add-to-git-credential"))
        AuthMagicSupport.report(result.outcome, to: context.output)
        let role = result.info.role.map { ", permission: \($0.text)" } ?? ""
        let text = "Logged in as \(result.info.user) (token '\(result.name)'\(role))."
        let html = "<p>Logged in as <b>\(HTML.escape(result.info.user))</b> (token <code>\(HTML.escape(result.name))</code>\(HTML.escape(role))).</p>"
        return RichOutput(text: text, html: html, json: .object([
            "user": .string(result.info.user), "token_name": .string(result.name),
            "role": AuthMagicSupport.string(result.info.role?.text),
        ]))
    }
}
