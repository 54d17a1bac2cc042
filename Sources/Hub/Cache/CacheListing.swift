import Foundation

/// One row of `%cache ls`: a repo, or one revision of it with `--revisions`.
public struct CacheListEntry: Sendable, Equatable {
    public var repo: CachedRepo
    public var revision: CachedRevision?

    public var size: Int64 { revision?.sizeOnDisk ?? repo.sizeOnDisk }
    public var lastModified: Double { revision?.lastModified ?? repo.lastModified }
    public var refs: [String] { revision?.refs ?? repo.refs }
    public var fileCount: Int { revision?.fileCount ?? repo.fileCount }
}

/// A bad `--filter` or `--sort` expression; the message lists what is accepted.
public struct CacheQueryError: UserFacingError, Equatable {
    public let message: String
    public var name: String { "UsageError" }
}

/// `--filter`, `--sort` and `--limit` of `hf cache ls`, with the same keys and defaults:
/// filters `size>1GB`, `type=model`, `refs=main`, `accessed>7d`, `modified<=2w`;
/// sort keys `accessed`, `modified`, `size` (newest/biggest first) and `name` (A→Z),
/// with `:asc` / `:desc` to override.
public struct CacheListQuery: Sendable {
    public struct Filter: Sendable {
        public var key: String
        public var op: String
        public var value: String
        fileprivate var number: Int64 = 0
    }

    public var revisions: Bool
    public var filters: [Filter]
    public var sortKey: String?
    public var descending: Bool
    public var limit: Int?

    static let filterKeys = ["accessed", "modified", "refs", "size", "type"]
    static let sortKeys = ["accessed", "modified", "name", "size"]
    static let operators = ["==", "!=", ">=", "<=", ">", "<", "="]

    public init(revisions: Bool = false, filters: [String] = [], sort: String? = nil, limit: Int? = nil) throws {
        self.revisions = revisions
        self.filters = try filters.map(Self.parseFilter)
        self.limit = limit
        descending = false
        if let sort {
            let parts = sort.trimmingCharacters(in: .whitespaces).lowercased().split(separator: ":", omittingEmptySubsequences: false)
            guard let key = parts.first.map(String.init), Self.sortKeys.contains(key), parts.count <= 2,
                  parts.count == 1 || ["asc", "desc"].contains(parts[1]) else {
                throw CacheQueryError(message: "Invalid sort expression '\(sort)'. Use one of \(Self.sortKeys.joined(separator: ", ")), optionally with :asc or :desc (e.g. size:desc).")
            }
            sortKey = key
            descending = parts.count == 2 ? parts[1] == "desc" : key != "name"
        }
    }

    static func parseFilter(_ expression: String) throws -> Filter {
        let text = expression.trimmingCharacters(in: .whitespaces)
        let keyEnd = text.firstIndex { !($0.isLetter || $0 == "_") } ?? text.endIndex
        let key = text[..<keyEnd].lowercased()
        let rest = text[keyEnd...].drop { $0 == " " }
        guard !key.isEmpty, let op = operators.first(where: { rest.hasPrefix($0) }) else {
            throw CacheQueryError(message: "Invalid filter expression '\(expression)'. Examples: size>1GB, type=model, refs=main, accessed>7d.")
        }
        let value = rest.dropFirst(op.count).trimmingCharacters(in: .whitespaces)
        guard filterKeys.contains(key) else {
            throw CacheQueryError(message: "Unsupported filter key '\(key)' in '\(expression)'. Must be one of \(filterKeys.joined(separator: ", ")).")
        }
        guard !value.isEmpty else { throw CacheQueryError(message: "Filter '\(expression)' needs a value after \(op).") }
        var filter = Filter(key: key, op: op == "==" ? "=" : op, value: value)
        switch key {
        case "size":
            guard let bytes = CacheFormat.parseSize(value) else {
                throw CacheQueryError(message: "Invalid size '\(value)' in '\(expression)'. Use a number with an optional unit: 500MB, 2G, 10k.")
            }
            filter.number = bytes
        case "accessed", "modified":
            guard let seconds = CacheFormat.parseDuration(value) else {
                throw CacheQueryError(message: "Invalid duration '\(value)' in '\(expression)'. Use a number with a unit: 30s, 10m, 2h, 7d, 2w, 3mo, 1y.")
            }
            filter.number = seconds
        default:
            guard filter.op == "=" else {
                throw CacheQueryError(message: "Only '=' is supported for '\(key)' filters. Got '\(op)'.")
            }
        }
        return filter
    }

    /// The rows for `info`, filtered, sorted and limited.
    public func entries(in info: CacheInfo, now: Double = Date().timeIntervalSince1970) -> [CacheListEntry] {
        var rows: [CacheListEntry] = revisions
            ? info.repos.flatMap { repo in repo.revisions.map { CacheListEntry(repo: repo, revision: $0) } }
            : info.repos.map { CacheListEntry(repo: $0, revision: nil) }
        rows = rows.filter { row in filters.allSatisfy { matches($0, row, now: now) } }
        if let sortKey {
            let value: (CacheListEntry) -> (Double, String) = { row in
                switch sortKey {
                case "size": return (Double(row.size), "")
                case "accessed": return (row.repo.lastAccessed, "")
                case "modified": return (row.lastModified, "")
                default: return (0, row.repo.cacheID.lowercased())
                }
            }
            // A stable sort, like Python's, so equal keys keep the name order.
            rows = rows.enumerated().sorted { a, b in
                let (x, y) = (value(a.element), value(b.element))
                if x != y { return descending ? x > y : x < y }
                return a.offset < b.offset
            }.map(\.element)
        }
        if let limit { rows = Array(rows.prefix(limit)) }
        return rows
    }

    private func matches(_ filter: Filter, _ row: CacheListEntry, now: Double) -> Bool {
        switch filter.key {
        case "size": return compare(Double(row.size), filter.op, Double(filter.number))
        case "accessed": return compare(now - row.repo.lastAccessed, filter.op, Double(filter.number))
        case "modified": return compare(now - row.lastModified, filter.op, Double(filter.number))
        case "type": return row.repo.repoType.lowercased() == filter.value.lowercased()
        default: return row.refs.contains { $0.lowercased() == filter.value.lowercased() }
        }
    }

    private func compare(_ left: Double, _ op: String, _ right: Double) -> Bool {
        switch op {
        case "=": return left == right
        case "!=": return left != right
        case ">": return left > right
        case "<": return left < right
        case ">=": return left >= right
        default: return left <= right
        }
    }
}
