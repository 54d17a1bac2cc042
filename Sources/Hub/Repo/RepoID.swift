/// A repository kind on the Hub.
public enum RepoType: String, Sendable, CaseIterable, Codable {
    case model, dataset, space

    /// The URL prefix for `resolve` routes: `""`, `"datasets/"`, `"spaces/"`.
    public var urlPrefix: String {
        switch self {
        case .model: return ""
        case .dataset: return "datasets/"
        case .space: return "spaces/"
        }
    }

    /// The API collection: `models`, `datasets`, `spaces`.
    public var apiCollection: String { rawValue + "s" }

    /// Parses `model`/`models`, `dataset`/`datasets`, `space`/`spaces`.
    public init?(argument: String) {
        let singular = argument.hasSuffix("s") ? String(argument.dropLast()) : argument
        self.init(rawValue: singular)
    }
}

/// A validated repository id (`namespace/name` or `name`) with its type, following
/// `huggingface_hub.utils.validate_repo_id`.
public struct RepoID: Sendable, Hashable, CustomStringConvertible {
    public let id: String
    public let type: RepoType

    public init(_ id: String, type: RepoType = .model) throws {
        try RepoID.validate(id)
        self.id = id
        self.type = type
    }

    public var description: String { id }

    /// The cache folder name: `models--org--name`, as `repo_folder_name` builds it.
    public var cacheFolderName: String {
        ([type.apiCollection] + id.split(separator: "/", omittingEmptySubsequences: false).map(String.init))
            .joined(separator: "--")
    }

    /// Throws `InvalidRepoID` unless `id` is `name` or `namespace/name`, each part made of
    /// letters, digits, `-`, `_`, `.`, not starting or ending with `-` or `.`, at most 96
    /// characters, with no `--`, `..` or trailing `.git`.
    public static func validate(_ id: String) throws {
        let parts = id.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count <= 2 else {
            throw InvalidRepoID(id: id, reason: "use 'name' or 'namespace/name' (pass --repo-type for datasets and spaces)")
        }
        for part in parts {
            let allowed = part.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == "." }
            guard !part.isEmpty, part.count <= 96, allowed,
                  let first = part.first, let last = part.last,
                  first != "-", first != ".", last != "-", last != "." else {
                throw InvalidRepoID(id: id, reason: "use letters, digits, '-', '_' or '.', not at the start or end; 96 characters at most")
            }
        }
        if id.contains("--") || id.contains("..") { throw InvalidRepoID(id: id, reason: "'--' and '..' are not allowed") }
        if id.hasSuffix(".git") { throw InvalidRepoID(id: id, reason: "a repo id cannot end with '.git'") }
    }
}

/// A repo id that the Hub would reject.
public struct InvalidRepoID: UserFacingError, Equatable {
    public let id: String
    public let reason: String
    public var name: String { "InvalidRepoID" }
    public var message: String { "'\(id)' is not a valid repo id: \(reason). Example: meta-llama/Llama-3.2-1B" }
}
