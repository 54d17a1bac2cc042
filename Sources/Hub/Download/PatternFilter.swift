#if canImport(Glibc)
import Glibc
#endif

/// `--include` / `--exclude` as `filter_repo_objects` applies them: `fnmatchcase` (case-
/// sensitive, `*` crosses `/`, no backslash escapes), a trailing `/` meaning the whole folder.
public struct PatternFilter: Sendable, Equatable {
    public let include: [String]
    public let exclude: [String]

    public init(include: [String] = [], exclude: [String] = []) {
        self.include = include.map(Self.normalize)
        self.exclude = exclude.map(Self.normalize)
    }

    /// Whether `path` is kept: it matches an include pattern (when any) and no exclude pattern.
    public func keeps(_ path: String) -> Bool {
        let path = path.replacingOccurrences(of: "\\", with: "/")
        if !include.isEmpty && !include.contains(where: { Self.matches(path, $0) }) { return false }
        return !exclude.contains { Self.matches(path, $0) }
    }

    public var isEmpty: Bool { include.isEmpty && exclude.isEmpty }

    /// Python's `fnmatchcase(path, pattern)` through `fnmatch(3)`.
    public static func matches(_ path: String, _ pattern: String) -> Bool {
        fnmatch(pattern, path, FNM_NOESCAPE) == 0
    }

    private static func normalize(_ pattern: String) -> String {
        let pattern = pattern.replacingOccurrences(of: "\\", with: "/")
        return pattern.hasSuffix("/") ? pattern + "*" : pattern
    }
}
