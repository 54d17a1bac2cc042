/// Checks a repo file name before it becomes a path on disk, as `_validate_relative_filename`
/// does: no `..` segment, not absolute, no Windows drive or UNC part (so nothing a server
/// lists can be written outside the repo folder, on any platform).
public enum RepoPath {
    public static func validate(_ filename: String) throws {
        let segments = filename.replacingOccurrences(of: "\\", with: "/").split(separator: "/", omittingEmptySubsequences: false)
        guard !filename.isEmpty, !segments.contains(".."), !filename.hasPrefix("/"), !filename.contains("\0") else {
            throw HubError(.unsafePath(path: filename))
        }
        for part in filename.split(separator: "/", omittingEmptySubsequences: false) {
            let chars = Array(part)
            let hasRoot = part.hasPrefix("\\")
            let hasDrive = chars.count >= 2 && chars[1] == ":" && chars[0].isASCII && chars[0].isLetter
            if hasRoot || hasDrive { throw HubError(.unsafePath(path: filename)) }
        }
    }
}
