import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Scans one file's bytes: a notebook string by string (`NotebookWalker`), anything else as text with line
/// numbers, a database (`history.sqlite`) as raw bytes. Binary files and files over the size limit are skipped.
/// Keeps one read buffer for all the files it is given, so a worker thread reads file after file without allocating.
public final class FileTokenScanner {
    /// Why a file was not scanned.
    public enum Skip: Sendable, Equatable {
        case binary, tooLarge, unreadable(String)
    }

    /// What scanning one file gave.
    public struct Outcome: Sendable, Equatable {
        public var findings: [TokenFinding] = []
        public var skipped: Skip?
        public var bytes = 0
        /// A `.ipynb` file that is not JSON (scanned as text instead).
        public var malformedNotebook = false
    }

    /// How a file's bytes are read.
    public enum Kind: Sendable, Equatable {
        case notebook, text, database
    }

    public let maxFileSize: Int
    private var buffer: UnsafeMutableRawPointer?
    private var capacity = 0

    public init(maxFileSize: Int) { self.maxFileSize = maxFileSize }

    deinit { free(buffer) }

    /// `.ipynb` files are notebooks, `.sqlite` / `.db` databases, the rest text.
    public static func kind(of path: String) -> Kind {
        if path.hasSuffix(".ipynb") { return .notebook }
        if path.hasSuffix(".sqlite") || path.hasSuffix(".db") { return .database }
        return .text
    }

    /// Reads and scans the file at `path`; findings are reported under `displayPath`.
    public func scanFile(_ path: String, displayPath: String, kind: Kind? = nil) -> Outcome {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return Outcome(skipped: .unreadable(String(cString: strerror(errno)))) }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { return Outcome(skipped: .unreadable(String(cString: strerror(errno)))) }
        let size = Int(info.st_size)
        guard size <= maxFileSize else { return Outcome(skipped: .tooLarge, bytes: size) }
        reserve(size)
        var filled = 0
        while filled < size {
            let got = read(descriptor, buffer! + filled, size - filled)
            if got < 0 && errno == EINTR { continue }
            guard got > 0 else { break }
            filled += got
        }
        let bytes = UnsafeBufferPointer(start: buffer?.assumingMemoryBound(to: UInt8.self), count: filled)
        return scan(bytes, displayPath: displayPath, kind: kind ?? Self.kind(of: path))
    }

    /// Scans bytes already in memory (a git blob, a test's text).
    public func scan(_ bytes: UnsafeBufferPointer<UInt8>, displayPath: String, kind: Kind) -> Outcome {
        var outcome = Outcome(bytes: bytes.count)
        if kind == .database {
            outcome.findings = TokenPattern.matches(in: bytes).map { match in
                TokenFinding(path: displayPath, place: .database(offset: match.start), pattern: match.pattern, token: Self.text(bytes, match))
            }
            return outcome
        }
        if kind == .notebook {
            if let walk = try? NotebookWalker.walk(bytes) {
                for hit in walk.hits {
                    for match in hit.matches {
                        let place = NotebookPlace(path: hit.path, text: hit.text, offset: match.start)
                        let token = String(decoding: hit.text[match.start..<match.end], as: UTF8.self)
                        outcome.findings.append(TokenFinding(path: displayPath, place: .notebook(place), pattern: match.pattern, token: token))
                    }
                }
                return outcome
            }
            outcome.malformedNotebook = true
        } else if Self.isBinary(bytes) {
            outcome.skipped = .binary
            return outcome
        }
        outcome.findings = Self.textFindings(bytes, displayPath: displayPath)
        return outcome
    }

    /// Git's test: a NUL byte in the first 8,000 bytes.
    public static func isBinary(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let base = bytes.baseAddress else { return false }
        return memchr(base, 0, min(bytes.count, 8000)) != nil
    }

    /// Tokens in text, each with its line (1-based). Lines are counted only up to each token, with `memchr`.
    public static func textFindings(_ bytes: UnsafeBufferPointer<UInt8>, displayPath: String,
                                    place: (Int) -> TokenFinding.Place = { .line($0) }) -> [TokenFinding] {
        let matches = TokenPattern.matches(in: bytes)
        guard !matches.isEmpty, let base = bytes.baseAddress else { return [] }
        var line = 1, counted = 0
        return matches.map { match in
            while counted < match.start, let hit = memchr(base + counted, 0x0A, match.start - counted) {
                line += 1
                counted = base.distance(to: hit.assumingMemoryBound(to: UInt8.self)) + 1
            }
            counted = max(counted, match.start)
            return TokenFinding(path: displayPath, place: place(line), pattern: match.pattern, token: text(bytes, match))
        }
    }

    static func text(_ bytes: UnsafeBufferPointer<UInt8>, _ match: TokenPattern.Match) -> String {
        String(decoding: UnsafeBufferPointer(rebasing: bytes[match.start..<match.end]), as: UTF8.self)
    }

    private func reserve(_ size: Int) {
        guard size > capacity || buffer == nil else { return }
        free(buffer)
        capacity = max(size, 1 << 16)
        buffer = malloc(capacity)
    }
}
