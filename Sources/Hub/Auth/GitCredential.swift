/// Saves and erases the Hub token in git's credential helpers, sending exactly what
/// `huggingface_hub` sends (`utils/_git_credential.py`):
///
/// ```text
/// git credential approve            git credential reject
/// url={endpoint}                    url={endpoint}
/// username=hf_user                  username=hf_user
/// password={token}                  (blank line)
/// (blank line)
/// ```
public struct GitCredential: Sendable {
    /// The git user name the Hub expects.
    public static let username = "hf_user"

    public let endpoint: String
    public let runner: CommandRunner
    public let environment: [String: String]
    public let directory: String?

    public init(environment: HubEnvironment, runner: CommandRunner = ProcessCommandRunner(), directory: String? = nil) {
        endpoint = environment.endpoint
        self.runner = runner
        self.environment = environment.variables
        self.directory = directory
    }

    /// `list_credential_helpers`: helper names from `git config --list` (sorted, no duplicates).
    /// Empty when git is missing or fails.
    public func helpers() -> [String] {
        guard let result = try? runner.run(["git", "config", "--list"], input: nil, directory: directory, environment: environment),
              result.status == 0 else { return [] }
        return Self.parseHelpers(result.output)
    }

    /// `_parse_credential_output`: `credential.helper = NAME` lines, NAME made of letters,
    /// digits, `_`, `-`, `/` and followed by whitespace or the end of the line.
    static func parseHelpers(_ output: String) -> [String] {
        var found = Set<String>()
        for line in output.split(whereSeparator: { $0 == "\n" || $0 == "\r" }) {
            var rest = Substring(line).drop { $0.isWhitespace }
            let key = "credential.helper"
            guard rest.lowercased().hasPrefix(key) else { continue }
            rest = rest.dropFirst(key.count).drop { $0.isWhitespace }
            guard rest.first == "=" else { continue }
            rest = rest.dropFirst().drop { $0.isWhitespace }
            let name = rest.prefix { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" || $0 == "/" }
            let after = rest.dropFirst(name.count).first
            if !name.isEmpty, after == nil || after!.isWhitespace { found.insert(String(name)) }
        }
        return found.sorted()
    }

    /// The text `git credential approve` receives.
    public func approveInput(token: String) -> String {
        "url=\(endpoint)\nusername=\(Self.username)\npassword=\(token)\n\n"
    }

    /// The text `git credential reject` receives.
    public var rejectInput: String { "url=\(endpoint)\nusername=\(Self.username)\n\n" }

    /// `set_git_credential`. Returns false when git could not be run.
    @discardableResult
    public func approve(token: String) -> Bool {
        (try? runner.run(["git", "credential", "approve"], input: approveInput(token: token), directory: directory, environment: environment))?.status == 0
    }

    /// `unset_git_credential`. Returns false when git could not be run.
    @discardableResult
    public func reject() -> Bool {
        (try? runner.run(["git", "credential", "reject"], input: rejectInput, directory: directory, environment: environment))?.status == 0
    }

    /// The warning `huggingface_hub` prints when no helper is configured.
    public static let noHelperWarning = """
        Cannot authenticate through git-credential as no helper is defined on your machine.
        You might have to re-authenticate when pushing to the Hugging Face Hub.
        Run the following command in your terminal in case you want to set the 'store' credential helper as default.

        git config --global credential.helper store

        Read https://git-scm.com/book/en/v2/Git-Tools-Credential-Storage for more details.
        """
}
