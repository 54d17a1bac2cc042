import Foundation

/// How `hubkernel` sub-commands map onto magics, so the terminal and the notebook share
/// one implementation: `hubkernel auth login --name x` runs `%hf_login --name x`.
public enum CommandLineRoutes {
    /// (words on the command line, the magic they run, words put before the rest)
    public static let routes: [(command: [String], magic: String, prefix: [String])] = [
        (["auth", "login"], "hf_login", []),
        (["auth", "logout"], "hf_logout", []),
        (["auth", "whoami"], "whoami", []),
        (["auth", "list"], "auth_list", []),
        (["auth", "switch"], "auth_switch", []),
        (["auth", "token-source"], "token_source", []),
        (["download"], "download", []),
        (["info"], "info", []),
        (["cache"], "cache", []),
        (["env"], "hf_env", []),
        (["doctor"], "doctor", []),
        (["token-scan"], "token_scan", []),
        (["help"], "help", []),
    ]

    /// The magic and its words for `arguments` (argv without the program name), if a route matches
    /// and the magic exists in `registry`.
    public static func resolve(_ arguments: [String], in registry: MagicRegistry) -> (magic: any Magic, words: [String])? {
        for route in routes where arguments.starts(with: route.command) {
            guard let magic = registry.magic(named: route.magic) else { return nil }
            return (magic, route.prefix + arguments.dropFirst(route.command.count))
        }
        return nil
    }

    /// `text` as a terminal user should read it: every routed magic named as the command that runs it
    /// (`%hf_login --force` → `hubkernel auth login --force`), and the "(or `hubkernel …` in a terminal)"
    /// asides that notebook messages carry dropped, since the terminal form is now the main one.
    public static func terminalWording(_ text: String) -> String {
        guard text.contains("%") else { return text }
        var result = text
            .replacingOccurrences(of: #" \(or `hubkernel [^`]+` in a terminal\)"#, with: "", options: .regularExpression)
            .replacingOccurrences(of: #"\((%[a-z_]+), or hubkernel [a-z -]+\)"#, with: "($1)", options: .regularExpression)
            .replacingOccurrences(of: "start the kernel with HF_TOKEN set", with: "set HF_TOKEN in the environment")
        for route in routes {  // \b after the name: %hf_login never matches inside a longer magic name
            result = result.replacingOccurrences(of: "%\(route.magic)\\b", with: "hubkernel " + route.command.joined(separator: " "),
                                                 options: .regularExpression)
        }
        return result
    }

    /// The words of `arguments` that name the command: `auth whoami` for a group's command, else the first word
    /// (what an "unknown command" message quotes, and matches against the known ones).
    public static func commandWords(_ arguments: [String]) -> String {
        guard let first = arguments.first else { return "" }
        let isGroup = routes.contains { $0.command.count > 1 && $0.command[0] == first }
        return isGroup && arguments.count > 1 ? first + " " + arguments[1] : first
    }

    /// The `hubkernel --help` text, listing only routes whose magic exists.
    public static func usage(in registry: MagicRegistry) -> String {
        var commands = [("kernel -f CONNECTION_FILE", "run as a Jupyter kernel (the kernelspec's command)"),
                        ("remote-kernel --kernel-id ID …", "run as a remote kernel of gateway_provisioners or Enterprise Gateway (over SSH)"),
                        ("install [--user|--sys-prefix|--prefix DIR]", "install the Jupyter kernelspec"),
                        ("serve --stdio", "serve the magics as JSON-RPC (LSP framing) for the IPython extension and editors")]
        for route in routes {
            guard let magic = registry.magic(named: route.magic) else { continue }
            commands.append((route.command.joined(separator: " "), magic.spec.summary + " (%\(route.magic))"))
        }
        var lines = ["Usage: hubkernel COMMAND [ARGS…]", ""] + HelpText.aligned(commands)
        lines += ["", TextWrap.wrap("Add --help to any command for its options. Settings come from HF_ENDPOINT, HF_HOME, HF_TOKEN … as in huggingface_hub.")]
        return lines.joined(separator: "\n")
    }
}
