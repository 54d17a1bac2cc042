/// Everything the kernel knows about a magic before running it: its name, its
/// one-line summary for `%lsmagic`, its arguments for parsing, `--help` and completion.
///
/// ```swift
/// MagicSpec(name: "download", summary: "Download a file or a whole repo into the shared cache",
///           positionals: [.init("REPO", help: "repo id, e.g. org/name")],
///           options: [.value("revision", valueName: "R", help: "branch, tag or commit"),
///                     .flag("dry-run", help: "list what would be fetched")])
/// ```
public struct MagicSpec: Sendable {
    public var name: String
    public var summary: String
    public var positionals: [MagicPositional]
    public var options: [MagicOption]
    /// Extra help shown after the options (examples, notes).
    public var discussion: String?
    /// Sub-commands (`%cache ls`, `%cache rm` …): the first word picks one, and its spec parses the rest.
    public var subcommands: [MagicSpec]

    public init(name: String, summary: String, positionals: [MagicPositional] = [], options: [MagicOption] = [],
                discussion: String? = nil, subcommands: [MagicSpec] = []) {
        self.name = name
        self.summary = summary
        self.positionals = positionals
        self.options = options
        self.discussion = discussion
        self.subcommands = subcommands
    }

    public func subcommand(named name: String) -> MagicSpec? { subcommands.first { $0.name == name } }
}

/// A `--long` option: a flag, or one that takes a value.
public struct MagicOption: Sendable {
    public var name: String
    public var short: Character?
    /// The placeholder shown in help (`R` in `--revision R`); nil for a flag.
    public var valueName: String?
    /// Whether the option may be given several times (`--include a --include b`).
    public var isRepeatable: Bool
    public var help: String
    public var completion: CompletionSource

    public var isFlag: Bool { valueName == nil }

    public static func flag(_ name: String, short: Character? = nil, help: String) -> MagicOption {
        MagicOption(name: name, short: short, valueName: nil, isRepeatable: false, help: help, completion: .none)
    }

    public static func value(_ name: String, short: Character? = nil, valueName: String, repeatable: Bool = false,
                             help: String, completion: CompletionSource = .none) -> MagicOption {
        MagicOption(name: name, short: short, valueName: valueName, isRepeatable: repeatable, help: help, completion: completion)
    }
}

/// A positional argument.
public struct MagicPositional: Sendable {
    public var name: String
    public var help: String
    public var isOptional: Bool
    /// Whether it takes all remaining words (`FILES…`). Only the last positional may.
    public var isRepeated: Bool
    public var completion: CompletionSource

    public init(_ name: String, help: String, optional: Bool = false, repeated: Bool = false,
                completion: CompletionSource = .none) {
        self.name = name
        self.help = help
        self.isOptional = optional || repeated
        self.isRepeated = repeated
        self.completion = completion
    }
}

/// Where tab completion finds candidate values for an argument.
public enum CompletionSource: Sendable {
    case none
    /// A fixed list (`model`, `dataset`, `space`).
    case choices([String])
    /// Computed when asked, from the session and the words already typed on the line
    /// (stored token names, repo ids in the cache, files of a repo).
    case dynamic(@Sendable (_ session: MagicSession, _ wordsBefore: [String]) -> [String])
}
