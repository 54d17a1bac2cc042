import Foundation
import Hub

/// `%dotenv [PATH] [--override]`: loads the `HF_*` variables of a `.env` file into the session
/// (names are shown, values never), and warns when the file is not covered by a `.gitignore`.
struct DotEnvMagic: Magic {
    let runner: CommandRunner

    let spec = MagicSpec(
        name: "dotenv", summary: "Load HF_* variables (HF_TOKEN, HF_ENDPOINT …) from a .env file",
        positionals: [.init("PATH", help: "the file (default: .env in the working directory)", optional: true)],
        options: [.flag("override", help: "replace variables that are already set (default: keep them)")],
        discussion: "Only HF_* variables are loaded; other lines are ignored. Values are never printed.")

    func run(_ arguments: MagicArguments, in context: MagicContext) throws -> RichOutput? {
        let cwd = FileManager.default.currentDirectoryPath
        let given = arguments.positionals.first ?? ".env"
        let expanded = HubEnvironment.expand(given, variables: context.environment.variables,
                                             userHome: context.environment.variables["HOME"] ?? NSHomeDirectory())
        let path = expanded.hasPrefix("/") ? expanded : (cwd as NSString).appendingPathComponent(expanded)
        let text: String?
        do { text = try SecretFile.read(path) } catch {
            throw MagicError("OSError", "\(error). Check the path and its permissions.")
        }
        guard let text else {
            throw MagicError("FileNotFoundError", "No file at \(path). Create it with lines such as HF_TOKEN=… (and add it to .gitignore), or pass its path: %dotenv PATH.")
        }
        let file = DotEnv.parse(text)
        for secret in file.hubVariables.values { context.session.rememberSecret(secret) }

        var variables = context.environment.variables
        var loaded: [String] = [], kept: [String] = []
        for (key, value) in file.hubVariables.sorted(by: { $0.key < $1.key }) {
            if variables[key] != nil, variables[key] != value, !arguments.flag("override") { kept.append(key); continue }
            variables[key] = value
            loaded.append(key)
        }
        context.session.environment = context.environment.with(variables: variables)

        var lines = ["Loaded \(loaded.count) variable\(loaded.count == 1 ? "" : "s") from \(path)" + (loaded.isEmpty ? "." : ": \(loaded.joined(separator: ", ")).")]
        if !kept.isEmpty { lines.append("Kept the values already set for \(kept.joined(separator: ", ")) (use --override to replace them).") }
        if !file.ignoredKeys.isEmpty { lines.append("Ignored \(file.ignoredKeys.count) variable\(file.ignoredKeys.count == 1 ? "" : "s") that \(file.ignoredKeys.count == 1 ? "is" : "are") not HF_*.") }
        if !file.badLines.isEmpty { context.output.warn("Lines \(file.badLines.map(String.init).joined(separator: ", ")) of \(path) are not KEY=VALUE and were skipped.\n") }
        switch GitIgnoreStatus.check(path, runner: runner, environment: context.environment.variables) {
        case .ignored: break
        case .notIgnored(let root):
            context.output.warn("\(path) is not covered by a .gitignore in the git repository \(root): add it (e.g. a line `.env` in .gitignore) so the token is never committed.\n")
        case .notInRepository:
            context.output.warn("\(path) is not in a git repository, so no .gitignore protects it: keep it out of anything you share or commit.\n")
        case .unknown(let reason):
            context.output.warn("Could not check whether \(path) is git-ignored (\(reason)).\n")
        }
        return AuthMagicSupport.summary(lines.joined(separator: "\n"))
    }
}
