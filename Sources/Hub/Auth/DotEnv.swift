import Foundation

/// A `.env` file: `KEY=VALUE` lines as python-dotenv reads them — `export ` prefixes, `#` comments
/// (whole lines, or after whitespace in unquoted values), single quotes (literal), double quotes
/// (`\n`, `\t`, `\"`, `\\` escapes, may span lines).
///
/// ```swift
/// let file = DotEnv.parse("export HF_TOKEN='hf_…'  # work\nHF_HOME=/data/hf\n")
/// file.entries.map(\.key)   // ["HF_TOKEN", "HF_HOME"]
/// file.hubVariables          // the HF_* ones only
/// ```
public struct DotEnv: Sendable, Equatable {
    public struct Entry: Sendable, Equatable {
        public var key: String
        public var value: String
        public var line: Int
    }

    public var entries: [Entry]
    /// Line numbers that were not `KEY=VALUE` (reported, never echoed: they may hold secrets).
    public var badLines: [Int]

    /// The `HF_*` entries, the only ones HubKernel loads (last one wins, as in a shell).
    public var hubVariables: [String: String] {
        var result: [String: String] = [:]
        for entry in entries where entry.key.hasPrefix("HF_") { result[entry.key] = entry.value }
        return result
    }

    /// Names of entries that are not `HF_*` (ignored).
    public var ignoredKeys: [String] { entries.map(\.key).filter { !$0.hasPrefix("HF_") } }

    public static func parse(_ text: String) -> DotEnv {
        var result = DotEnv(entries: [], badLines: [])
        let scalars = Array(text.unicodeScalars)
        var index = 0
        var line = 1
        func skipRestOfLine() {
            while index < scalars.count, scalars[index] != "\n" { index += 1 }
            if index < scalars.count { index += 1; line += 1 }
        }
        while index < scalars.count {
            while index < scalars.count, scalars[index] == " " || scalars[index] == "\t" || scalars[index] == "\r" { index += 1 }
            guard index < scalars.count else { break }
            if scalars[index] == "\n" { index += 1; line += 1; continue }
            if scalars[index] == "#" { skipRestOfLine(); continue }
            let startLine = line
            var keyStart = index
            if String(String.UnicodeScalarView(scalars[index..<min(index + 7, scalars.count)])) == "export ", index + 7 < scalars.count {
                index += 7
                while index < scalars.count, scalars[index] == " " || scalars[index] == "\t" { index += 1 }
                keyStart = index
            }
            while index < scalars.count, isKeyScalar(scalars[index]) { index += 1 }
            let key = String(String.UnicodeScalarView(scalars[keyStart..<index]))
            while index < scalars.count, scalars[index] == " " || scalars[index] == "\t" { index += 1 }
            guard !key.isEmpty, index < scalars.count, scalars[index] == "=" else {
                result.badLines.append(startLine); skipRestOfLine(); continue
            }
            index += 1
            while index < scalars.count, scalars[index] == " " || scalars[index] == "\t" { index += 1 }
            var value = String.UnicodeScalarView()
            if index < scalars.count, scalars[index] == "'" || scalars[index] == "\"" {
                let quote = scalars[index]
                index += 1
                var closed = false
                while index < scalars.count {
                    let scalar = scalars[index]
                    if scalar == quote { closed = true; index += 1; break }
                    if scalar == "\n" { line += 1 }
                    if quote == "\"", scalar == "\\", index + 1 < scalars.count {
                        let next = scalars[index + 1]
                        switch next {
                        case "n": value.append("\n")
                        case "t": value.append("\t")
                        case "r": value.append("\r")
                        case "\"", "\\", "'": value.append(next)
                        default: value.append(scalar); value.append(next)
                        }
                        index += 2
                        continue
                    }
                    value.append(scalar)
                    index += 1
                }
                guard closed else { result.badLines.append(startLine); break }
                skipRestOfLine()
            } else {
                var previousWasSpace = true
                while index < scalars.count, scalars[index] != "\n" {
                    let scalar = scalars[index]
                    if scalar == "#", previousWasSpace { break }
                    previousWasSpace = scalar == " " || scalar == "\t"
                    value.append(scalar)
                    index += 1
                }
                skipRestOfLine()
                while let last = value.last, last == " " || last == "\t" || last == "\r" { value.removeLast() }
            }
            result.entries.append(Entry(key: key, value: String(value), line: startLine))
        }
        return result
    }

    private static func isKeyScalar(_ scalar: Unicode.Scalar) -> Bool {
        scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || scalar == "_" || scalar == "." || scalar == "-"
    }
}

/// Whether a file is kept out of git: `git check-ignore -q` when it sits in a work tree.
public enum GitIgnoreStatus: Sendable, Equatable {
    case ignored
    case notIgnored(repositoryRoot: String)
    case notInRepository
    case unknown(String)

    /// Asks git about `path` (run in the file's folder).
    public static func check(_ path: String, runner: CommandRunner = ProcessCommandRunner(), environment: [String: String]) -> GitIgnoreStatus {
        let folder = (path as NSString).deletingLastPathComponent
        let directory = folder.isEmpty ? FileManager.default.currentDirectoryPath : folder
        guard let root = try? runner.run(["git", "rev-parse", "--show-toplevel"], input: nil, directory: directory, environment: environment) else {
            return .unknown("git could not be run")
        }
        guard root.status == 0 else { return .notInRepository }
        guard let check = try? runner.run(["git", "check-ignore", "-q", (path as NSString).lastPathComponent], input: nil,
                                          directory: directory, environment: environment) else {
            return .unknown("git could not be run")
        }
        switch check.status {
        case 0: return .ignored
        case 1: return .notIgnored(repositoryRoot: root.output.trimmingCharacters(in: .whitespacesAndNewlines))
        default: return .unknown(check.output.trimmingCharacters(in: .whitespacesAndNewlines))
        }
    }
}
