import Foundation

/// One token found somewhere. The token itself is kept for matching against stored tokens, `--check` and
/// `--fix`, but `description` and every rendering show only its mask (`hf_****wxyz`).
public struct TokenFinding: Sendable, Equatable, CustomStringConvertible {
    /// Where in the file (or history) the token is.
    public indirect enum Place: Sendable, Equatable {
        /// A text file's line (1-based).
        case line(Int)
        /// A notebook's cell, output, attachment or metadata.
        case notebook(NotebookPlace)
        /// A blob in git history: the first commit that holds it (nil when no commit lists it), the blob id, and
        /// the place inside the blob.
        case history(commit: String?, blob: String, at: Place)
        /// A binary database (IPython's `history.sqlite`), at a byte offset.
        case database(offset: Int)
    }

    /// The file (relative to the scanned folder when inside it); for history, the path in that commit.
    public var path: String
    public var place: Place
    public var pattern: TokenPattern
    public var token: String
    /// The file is git-ignored (still reported: ignored files get copied, zipped and shared).
    public var isGitIgnored = false

    public init(path: String, place: Place, pattern: TokenPattern, token: String, isGitIgnored: Bool = false) {
        self.path = path
        self.place = place
        self.pattern = pattern
        self.token = token
        self.isGitIgnored = isGitIgnored
    }

    /// `hf_****wxyz`.
    public var masked: String { TokenRedactor.mask(token) }

    /// `cell 3, output 1 (text/plain)`, `line 12`, `commit 1a2b3c4`.
    public var whereText: String {
        switch place {
        case .line(let line): return "line \(line)"
        case .notebook(let place): return place.description
        case .history(let commit, let blob, let inner):
            let inHistory = TokenFinding(path: path, place: inner, pattern: pattern, token: token).whereText
            return (commit.map { "commit \($0.prefix(12))" } ?? "blob \(blob.prefix(12)) (no commit lists it)") + ", " + inHistory
        case .database(let offset): return "database, byte \(offset)"
        }
    }

    public var isInHistory: Bool { if case .history = place { return true } else { return false } }

    public var description: String { "\(path): \(whereText): \(pattern.rawValue) \(masked)" }
}

/// Where in a notebook: the cell (1-based, as the notebook shows them) and the part of it.
public struct NotebookPlace: Sendable, Equatable, CustomStringConvertible {
    public enum Part: Sendable, Equatable {
        /// The cell's source, at a line (1-based).
        case source(line: Int)
        /// An output (1-based) and its kind: a MIME type (`text/plain`), `stream`, `traceback`, `error`.
        case output(number: Int, kind: String)
        case attachment(name: String)
        case cellMetadata
        case notebookMetadata
        /// Widget state saved in the notebook's metadata.
        case widgetState
        /// Any other place, by its JSON path.
        case other(String)
    }

    /// nil for notebook-level places.
    public var cell: Int?
    public var part: Part

    public init(cell: Int?, part: Part) {
        self.cell = cell
        self.part = part
    }

    /// The place of the string at `path`; `offset` (into `text`, the decoded string) gives the line in a source.
    public init(path: [JSONStep], text: [UInt8], offset: Int) {
        if path.count >= 3, path[0] == .key("cells"), case .index(let index) = path[1], case .key(let field) = path[2] {
            cell = index + 1
            let rest = Array(path.dropFirst(3))
            switch field {
            case "source":
                var line = text[..<offset].reduce(1) { $1 == 0x0A ? $0 + 1 : $0 }
                if case .index(let item)? = rest.first { line += item }  // a list of lines, one string each
                part = .source(line: line)
            case "outputs":
                guard case .index(let number)? = rest.first else { part = .other("outputs"); return }
                let kind: String
                switch rest.dropFirst().first {
                case .key("data")?: if case .key(let mime)? = rest.dropFirst(2).first { kind = mime } else { kind = "data" }
                case .key("text")?: kind = "stream"
                case .key("traceback")?: kind = "traceback"
                case .key("ename")?, .key("evalue")?: kind = "error"
                case .key("metadata")?: kind = "output metadata"
                default: kind = "output"
                }
                part = .output(number: number + 1, kind: kind)
            case "attachments":
                if case .key(let name)? = rest.first { part = .attachment(name: name) } else { part = .other("attachments") }
            case "metadata":
                part = .cellMetadata
            default:
                part = .other(field)
            }
        } else if path.first == .key("metadata") {
            cell = nil
            part = path.dropFirst().first == .key("widgets") ? .widgetState : .notebookMetadata
        } else {
            cell = nil
            part = .other(path.map { step -> String in
                switch step { case .key(let key): return key; case .index(let index): return String(index) }
            }.joined(separator: "/"))
        }
    }

    public var description: String {
        let cellText = cell.map { "cell \($0), " } ?? ""
        switch part {
        case .source(let line): return cellText + "source line \(line)"
        case .output(let number, let kind): return cellText + "output \(number) (\(kind))"
        case .attachment(let name): return cellText + "attachment \(name)"
        case .cellMetadata: return cellText + "cell metadata"
        case .notebookMetadata: return "notebook metadata"
        case .widgetState: return "notebook metadata (widget state)"
        case .other(let path): return cellText + path
        }
    }

    /// Outputs and metadata are masked by `--fix`; sources only with `--fix-code`.
    public var isSource: Bool { if case .source = part { return true } else { return false } }
}
