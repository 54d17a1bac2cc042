/// What stops a token scan or a fix, each saying what to do next. Messages never contain a token.
public enum TokenScanError: UserFacingError, Equatable {
    /// A path given to scan does not exist.
    case noSuchPath(String)
    /// `--history` outside a git work tree (or git failed).
    case notARepository(String, detail: String)
    /// `--fix` could not write a notebook back (nothing was changed in it).
    case fixFailed(path: String, detail: String)

    public var name: String {
        switch self {
        case .noSuchPath: return "FileNotFoundError"
        case .notARepository: return "GitError"
        case .fixFailed: return "OSError"
        }
    }

    public var message: String {
        switch self {
        case .noSuchPath(let path):
            return "\(path) does not exist. Give a folder or file to scan (default: the current folder)."
        case .notARepository(let path, let detail):
            return "--history needs a git work tree, and git failed in \(path)" + (detail.isEmpty ? "." : ": \(detail)") + " Scan without --history, or give a folder inside a git repository."
        case .fixFailed(let path, let detail):
            return "Could not rewrite \(path): \(detail). The notebook was left as it was; fix the problem (permissions, free space) and run --fix again."
        }
    }
}
