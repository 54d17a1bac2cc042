/// The parsed words of one magic line.
public struct MagicArguments: Sendable, Equatable {
    /// The chosen sub-command (`ls` in `%cache ls`), if the magic has sub-commands.
    public var subcommand: String?
    public var positionals: [String]
    /// Option values by long name; a flag given is present with an empty list of values.
    public var options: [String: [String]]

    public init(subcommand: String? = nil, positionals: [String] = [], options: [String: [String]] = [:]) {
        self.subcommand = subcommand
        self.positionals = positionals
        self.options = options
    }

    /// Whether `--name` was given.
    public func flag(_ name: String) -> Bool { options[name] != nil }

    /// The last value given for `--name`.
    public func value(_ name: String) -> String? { options[name]?.last }

    /// Every value given for a repeatable `--name`, in order.
    public func values(_ name: String) -> [String] { options[name] ?? [] }

    /// The value of `--name` as an integer within `range`, or a usage error that says so.
    public func integer(_ name: String, in range: ClosedRange<Int> = 1...Int.max) throws -> Int? {
        guard let text = value(name) else { return nil }
        guard let number = Int(text), range.contains(number) else {
            let bound = range.upperBound == Int.max ? "at least \(range.lowerBound)" : "from \(range.lowerBound) to \(range.upperBound)"
            throw MagicError.usage("--\(name) needs a whole number \(bound), not '\(text)'.")
        }
        return number
    }
}
