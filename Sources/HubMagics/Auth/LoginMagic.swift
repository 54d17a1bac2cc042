import Foundation
import Hub
import Jupyter

/// `%hf_login [--paste] [--name N] [--add-to-git-credential] [--force]`: logs in through the browser
/// (device code, as `notebook_login` does) or, with `--paste`, with a token typed at a hidden prompt;
/// saves it where Python `huggingface_hub` looks (token file + stored_tokens). No token ever appears
/// in the cell, the output or the history.
struct LoginMagic: Magic {
    let runner: CommandRunner

    let spec = MagicSpec(
        name: "hf_login", summary: "Log in through the browser, or paste a token (saved where huggingface_hub looks)",
        options: [
            .value("name", valueName: "NAME", help: "save the token under this name (default: its name on the Hub)",
                   completion: AuthMagicSupport.storedTokenNames),
            .flag("paste", help: "paste a token at a hidden prompt instead of approving a code in the browser"),
            .flag("browser", help: "approve a code in the browser (the default in a notebook)"),
            .flag("add-to-git-credential", help: "also save the token in git's credential helper"),
            .flag("force", help: "log in through the browser again while a token is in force (--paste needs no --force)"),
        ],
        discussion: """
            By default %hf_login shows a link and a code: open the link, approve the code, and the display turns \
            into "Logged in as …". The token is refreshed automatically before it expires (by HubKernel and by \
            Python alike). Never put a token in a cell. Without a browser at hand, use --paste, set HF_TOKEN in the \
            kernel's environment, or run `hubkernel auth login` in a terminal (a token on standard input logs in \
            without a prompt: printf '%s' "$TOKEN" | hubkernel auth login).
            """)

    func run(_ arguments: MagicArguments, in context: MagicContext) throws -> RichOutput? {
        let service = AuthMagicSupport.service(context, runner: runner)
        let current = try? service.chain.resolve()
        // A pasted token is saved and made active, as `hf auth login --token` does; a browser login while
        // logged in stops (headless runs of a notebook must not wait for an approval nobody can give).
        if let current, !arguments.flag("force"), !arguments.flag("paste") {
            let text = "Already logged in (\(current.source)). To add another account, run %hf_login --paste (or --force to "
                + "log in through the browser again); %auth_switch goes back and forth between saved tokens."
            return AuthMagicSupport.summary(text)
        }
        let previous = current.flatMap { service.store.storedTokens().name(of: $0.value) }
        guard try usesBrowser(arguments, context: context) else {
            return try pasteLogin(arguments, service: service, previous: previous, context: context)
        }
        let client = OAuthClient(environment: context.environment, transport: context.session.transport)
        let device: OAuthClient.DeviceCode
        do {
            device = try client.requestDeviceCode()
        } catch let error as OAuthError where error.isMissingDeviceEndpoint {
            context.output.warn(error.message.replacingOccurrences(of: "Use %hf_login --paste.", with: "Asking for a token to paste instead.") + "\n")
            return try pasteLogin(arguments, service: service, previous: previous, context: context)
        }
        return try browserLogin(device, client: client, arguments, service: service, context: context)
    }

    /// Browser unless `--paste`; in a terminal without either flag: ask on a TTY, paste when input is piped.
    private func usesBrowser(_ arguments: MagicArguments, context: MagicContext) throws -> Bool {
        if arguments.flag("paste") { return false }
        if arguments.flag("browser") || !context.output.isTerminal { return true }
        guard isatty(STDIN_FILENO) == 1 else { return false }
        let answer = try context.output.prompt("How would you like to log in?\n  1) Log in with your browser\n  2) Paste an access token\nChoice [1]: ", password: false)
        return !["2", "p", "paste", "token"].contains(answer.trimmingCharacters(in: .whitespaces).lowercased())
    }

    private func browserLogin(_ device: OAuthClient.DeviceCode, client: OAuthClient, _ arguments: MagicArguments,
                              service: AuthService, context: MagicContext) throws -> RichOutput? {
        if context.output.isTerminal { context.output.print(DeviceLoginView.instructions(device) + "\n") }
        let display = context.output.liveDisplay(DeviceLoginView.waiting(device, secondsLeft: device.expiresIn))
        let answer: OAuthClient.TokenAnswer
        do {
            answer = try DeviceLogin(client: client).waitForApproval(device, isCancelled: { context.output.isCancelled }) { left in
                display.update(DeviceLoginView.waiting(device, secondsLeft: left))
            }
        } catch let error as HubError where error.kind == .cancelled(kept: 0) {
            finish(display, DeviceLoginView.failed(device, reason: "interrupted."), context.output)
            throw MagicError.interrupted("Interrupted: the login was not completed and nothing was saved.")
        } catch let error as UserFacingError {
            finish(display, DeviceLoginView.failed(device, reason: context.output.commandWording(error.message)), context.output)
            throw error
        }
        context.session.rememberSecret(answer.accessToken)
        if let refresh = answer.refreshToken { context.session.rememberSecret(refresh) }
        let result: AuthService.LoginResult
        do {
            result = try service.login(oauth: answer, name: arguments.value("name"),
                                       addToGitCredential: arguments.flag("add-to-git-credential"))
        } catch let error as UserFacingError {
            finish(display, DeviceLoginView.failed(device, reason: context.output.commandWording(error.message)), context.output)
            throw error
        }
        let done = DeviceLoginView.loggedIn(result, refreshable: answer.refreshToken != nil)
        finish(display, done, context.output)
        var outcome = result.outcome  // the display says it all in a notebook (as notebook_login); a terminal lists the steps
        outcome.notes = context.output.isTerminal ? outcome.notes.filter { !$0.hasPrefix("Note: This token will be refreshed") } : []
        AuthMagicSupport.report(outcome, to: context.output)
        return context.output.isTerminal ? done : nil
    }

    /// The display's last state. A terminal shows the result on standard output and errors on standard
    /// error anyway, so its live line just closes.
    private func finish(_ display: LiveDisplay, _ rendered: RichOutput, _ output: MagicOutput) {
        let closed = rendered.text.hasPrefix("Logged in") ? "Approved in the browser." : "Login stopped."
        display.finish(output.isTerminal ? RichOutput(text: closed) : rendered)
    }

    private func pasteLogin(_ arguments: MagicArguments, service: AuthService, previous: String?,
                            context: MagicContext) throws -> RichOutput? {
        context.output.print("To log in, HubKernel needs a token from \(context.environment.endpoint)/settings/tokens .\n")
        let entered: String
        do {
            entered = try context.output.prompt("Enter your token (input will not be visible): ", password: true)
        } catch let error as MagicError where error.name == "StdinNotAllowedError" {
            throw MagicError("StdinNotAllowedError", """
                This frontend cannot show a password prompt, so %hf_login --paste cannot ask for a token here. \
                Instead: run %hf_login without --paste (log in through the browser), set HF_TOKEN in the kernel's \
                environment (or in a .env file loaded with %dotenv), or run `hubkernel auth login` in a terminal — \
                it reads the token from standard input, e.g. printf '%s' "$TOKEN" | hubkernel auth login — then \
                re-run this cell.
                """)
        }
        context.session.rememberSecret(entered)
        if let clean = TokenText.clean(entered) { context.session.rememberSecret(clean) }

        let result = try service.login(token: entered, name: arguments.value("name"),
                                       addToGitCredential: arguments.flag("add-to-git-credential"))
        AuthMagicSupport.report(result.outcome, to: context.output)
        let role = result.info.role.map { ", permission: \($0.text)" } ?? ""
        let back = previous.flatMap { $0 == result.name ? nil : " '\(result.name)' is now the active token; %auth_switch \($0) goes back." } ?? ""
        let text = "Logged in as \(result.info.user) (token '\(result.name)'\(role)).\(back)"
        let html = "<p>Logged in as <b>\(HTML.escape(result.info.user))</b> (token <code>\(HTML.escape(result.name))</code>\(HTML.escape(role))).\(HTML.escape(back))</p>"
        return RichOutput(text: text, html: html, json: .object([
            "user": .string(result.info.user), "token_name": .string(result.name),
            "role": AuthMagicSupport.string(result.info.role?.text),
        ]))
    }
}
