import Foundation
import Hub
import JSONRPC

/// `hubkernel serve --stdio`: the magics behind JSON-RPC with the LSP base protocol (`docs/stdio-backend.md`), the
/// third front end beside the kernel and the terminal. Every string it sends passes the session's token guard.
public enum HubBackend {
    /// Serves one client on `input` / `output` until `exit` or end of input; the process's exit status.
    public static func serve(session: MagicSession, input: Int32 = STDIN_FILENO, output: Int32 = STDOUT_FILENO) -> Int32 {
        let runner = MagicRunner(session: session)
        let options = RPCServer.Options(outgoingTextFilter: { session.redact($0) })
        let server = RPCServer(input: input, output: output, options: options) { params, _ in
            try BackendConfiguration.apply(params.initializationOptions, to: session, clientName: params.clientInfo?.name ?? "the client")
            let commands = BackendMethod.all.map { JSONValue.string($0.command) }
            return InitializeResult(capabilities: ["executeCommandProvider": ["commands": .array(commands)]],
                                    serverInfo: ServerInfo(name: "hubkernel", version: HubKernelInfo.version))
        }
        var handlers: [String: RPCServer.RequestHandler] = [:]
        for method in BackendMethod.all {
            handlers[method.method] = { params, context in try run(method, params: params, context: context, runner: runner) }
        }
        handlers["hub/runMagic"] = { params, context in try runMagic(params, context: context, runner: runner) }
        handlers["hub/magics"] = { _, _ in magicList(session.registry) }
        handlers["hub/complete"] = { params, _ in
            let (code, cursor) = try codeAndCursor(params, method: "hub/complete")
            let (matches, start) = MagicCompleter(session: session).complete(code: code, cursor: cursor)
            return ["matches": .array(matches.map(JSONValue.string)), "cursorStart": .number(Double(start)),
                    "cursorEnd": .number(Double(cursor))]
        }
        handlers["hub/inspect"] = { params, _ in
            let (code, cursor) = try codeAndCursor(params, method: "hub/inspect")
            guard let page = MagicCompleter(session: session).inspect(code: code, cursor: cursor) else { return .null }
            return ["data": .object(page.mimeBundle)]
        }
        let byCommand = Dictionary(uniqueKeysWithValues: BackendMethod.all.map { ($0.command, $0.method) })
        handlers["workspace/executeCommand"] = { [handlers] params, context in
            guard let command = params?["command"]?.stringValue, let method = byCommand[command], let handler = handlers[method] else {
                throw RPCError.invalidParams("workspace/executeCommand: unknown command \(params?["command"]?.stringValue.map { "'\($0)'" } ?? "(none)"); the commands are \(byCommand.keys.sorted().joined(separator: ", ")).")
            }
            return try handler(params?["arguments"]?.arrayValue?.first, context)
        }
        for (method, handler) in handlers { server.onRequest(method, handler) }
        return server.run()
    }

    /// A structured method: the magic's result JSON (what `--json` gives), null when it has none.
    static func run(_ method: BackendMethod, params: JSONValue?, context: RequestContext, runner: MagicRunner) throws -> JSONValue {
        guard let magic = runner.session.registry.magic(named: method.magic) else {
            throw RPCError(code: ErrorCode.methodNotFound, message: "\(method.method) is not available in this build.")
        }
        var params = params
        let output = BackendMagicOutput(context: context)
        if method.method == "hub/login", let token = params?["token"]?.stringValue {  // a token from the client
            runner.session.rememberSecret(token)
            output.presetAnswer = token
            params = .object((params?.objectValue ?? [:]).merging(["paste": .bool(true)]) { $1 }.filter { $0.key != "token" })
        }
        let spec = method.prefix.first.flatMap { magic.spec.subcommand(named: $0) } ?? magic.spec
        var words = method.prefix + (try BackendMethod.words(for: spec, params: params, method: method.method))
        if spec.options.contains(where: { $0.name == "json" }) && !words.contains("--json") { words.append("--json") }
        do {
            return try runner.run(magic, words: words, output: output)?.json ?? output.lastJSON ?? .null
        } catch {
            throw BackendError.rpcError(error)
        }
    }

    /// `hub/runMagic {code}`: a cell of magic lines run as the kernel runs it, what it shows streamed as
    /// notifications; the result is `{data}`, the cell's result bundle.
    static func runMagic(_ params: JSONValue?, context: RequestContext, runner: MagicRunner) throws -> JSONValue {
        guard let code = params?["code"]?.stringValue else {
            throw RPCError.invalidParams("hub/runMagic takes {\"code\": \"%magic …\"}.")
        }
        do {
            let result = try runner.run(cell: code, output: BackendMagicOutput(context: context))
            return ["data": result.map { .object($0.mimeBundle) } ?? .null]
        } catch {
            throw BackendError.rpcError(error)
        }
    }

    /// Every magic: name, summary, usage line and help page, for clients that register them.
    static func magicList(_ registry: MagicRegistry) -> JSONValue {
        .array(registry.names.sorted().compactMap { name in
            guard let spec = registry.magic(named: name)?.spec else { return nil }
            return ["name": .string(name), "summary": .string(spec.summary), "usage": .string(HelpText.usage(spec)),
                    "help": .string(HelpText.page(spec))]
        })
    }

    private static func codeAndCursor(_ params: JSONValue?, method: String) throws -> (String, Int) {
        guard let code = params?["code"]?.stringValue else { throw RPCError.invalidParams("\(method) takes {\"code\", \"cursor\"}.") }
        let cursor = params?["cursor"]?.intValue ?? code.unicodeScalars.count
        guard cursor >= 0 && cursor <= code.unicodeScalars.count else {
            throw RPCError.invalidParams("\(method): cursor \(cursor) is outside the code (0…\(code.unicodeScalars.count)).")
        }
        return (code, cursor)
    }
}
