import Foundation

/// One executed cell as history keeps it (already redacted).
struct HistoryEntry: Sendable, Equatable {
    var line: Int
    var input: String
    var output: String?
}

/// This session's executed cells, answering `history_request` as IPython's HistoryManager does
/// (tail, range, glob search with `n` and `unique`). The session number is `sessionNumber`: 1, or the hosted
/// Python's session number in its history database once it is known.
final class HistoryStore: @unchecked Sendable {
    private var entries: [HistoryEntry] = []
    private let lock = NSLock()
    private var _sessionNumber = 1

    var sessionNumber: Int {
        get { lock.withLock { _sessionNumber } }
        set { lock.withLock { _sessionNumber = newValue } }
    }

    func record(line: Int, input: String) {
        lock.withLock { entries.append(HistoryEntry(line: line, input: input)) }
    }

    func setOutput(line: Int, output: String) {
        lock.withLock {
            if let index = entries.lastIndex(where: { $0.line == line }) { entries[index].output = output }
        }
    }

    var all: [HistoryEntry] { lock.withLock { entries } }

    /// The last `n` entries, oldest first.
    func tail(_ n: Int) -> [HistoryEntry] {
        Array(all.suffix(max(0, n)))
    }

    /// Lines `start ..< stop` of `session` (0 or negative: relative to the current session, as IPython).
    func range(session: Int, start: Int, stop: Int?) -> [HistoryEntry] {
        let absolute = session <= 0 ? session + sessionNumber : session
        guard absolute == sessionNumber else { return [] }
        return all.filter { entry in entry.line >= start && (stop.map { entry.line < $0 } ?? true) }
    }

    /// Entries whose input matches the glob `pattern` (`*`, `?`, `[…]`, case-sensitive like SQLite GLOB);
    /// `unique` keeps the latest of equal inputs; `n` keeps the last `n`. Oldest first.
    func search(pattern: String, n: Int?, unique: Bool) -> [HistoryEntry] {
        var matches = all.filter { fnmatch(pattern, $0.input, 0) == 0 }
        if unique {
            var latest: [String: Int] = [:]
            for entry in matches { latest[entry.input] = entry.line }
            matches = matches.filter { latest[$0.input] == $0.line }
        }
        if let n { matches = Array(matches.suffix(max(0, n))) }
        return matches
    }

    /// The `history_reply` content for a `history_request`'s content.
    func reply(to request: [String: JSONValue]) -> [String: JSONValue] {
        let found: [HistoryEntry]
        switch request["hist_access_type"]?.stringValue ?? "tail" {
        case "tail": found = tail(request["n"]?.intValue ?? 10)
        case "range":
            found = range(session: request["session"]?.intValue ?? 0, start: request["start"]?.intValue ?? 1,
                          stop: request["stop"]?.intValue)
        case "search":
            found = search(pattern: request["pattern"]?.stringValue ?? "*", n: request["n"]?.intValue,
                           unique: request["unique"]?.boolValue ?? false)
        default: found = []
        }
        let withOutput = request["output"]?.boolValue ?? false
        let rows: [JSONValue] = found.map { entry in
            let input = JSONValue.string(entry.input)
            let item: JSONValue = withOutput ? .array([input, entry.output.map(JSONValue.string) ?? .null]) : input
            return .array([.number(Double(sessionNumber)), .number(Double(entry.line)), item])
        }
        return ["status": "ok", "history": .array(rows)]
    }
}
