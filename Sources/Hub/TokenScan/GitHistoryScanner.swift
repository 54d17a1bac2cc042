import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Every blob reachable in a repository's history (`git rev-list --objects --all`), read in one stream through
/// `git cat-file --batch` and scanned once each; a blob with a token is then dated to the first commit that holds
/// it (one `git log --reverse --raw` pass, only when something was found).
public struct GitHistoryScanner {
    /// What the history scan gave.
    public struct Outcome: Sendable, Equatable {
        public var findings: [TokenFinding] = []
        public var blobsScanned = 0
        public var bytes = 0
        public var skippedBinary = 0
        public var skippedLarge = 0
    }

    public let repositoryFolder: String
    public let maxFileSize: Int
    public let environment: [String: String]
    public var runner: CommandRunner = ProcessCommandRunner()

    public init(repositoryFolder: String, maxFileSize: Int, environment: [String: String]) {
        self.repositoryFolder = repositoryFolder
        self.maxFileSize = maxFileSize
        self.environment = environment
    }

    /// Scans the history; throws `TokenScanError.notARepository` outside a git work tree.
    public func scan(isCancelled: () -> Bool = { false }) throws -> Outcome {
        let listing = try git(["rev-list", "--objects", "--all", "--filter=object:type=blob"])
        var pathOfBlob: [String: String] = [:]
        var order: [String] = []
        for line in listing.split(separator: "\n") {
            guard let space = line.firstIndex(of: " ") else { continue }  // commits have no path
            let id = String(line[..<space])
            if pathOfBlob[id] == nil { order.append(id) }
            pathOfBlob[id] = String(line[line.index(after: space)...])
        }
        var outcome = Outcome()
        guard !order.isEmpty else { return outcome }
        let scanner = FileTokenScanner(maxFileSize: maxFileSize)
        try readBlobs(order, isCancelled: isCancelled) { id, bytes, size in
            outcome.blobsScanned += 1
            outcome.bytes += size
            guard let bytes else { outcome.skippedLarge += 1; return }
            let path = pathOfBlob[id] ?? id
            let scanned = scanner.scan(bytes, displayPath: path, kind: FileTokenScanner.kind(of: path))
            if scanned.skipped == .binary { outcome.skippedBinary += 1 }
            outcome.findings += scanned.findings.map { finding in
                var inHistory = finding
                inHistory.place = .history(commit: nil, blob: id, at: finding.place)
                return inHistory
            }
        }
        let found = Set(outcome.findings.compactMap { finding -> String? in
            if case .history(_, let blob, _) = finding.place { return blob }
            return nil
        })
        if !found.isEmpty {
            let firstCommits = try firstCommits(of: found)
            for index in outcome.findings.indices {
                guard case .history(_, let blob, let inner) = outcome.findings[index].place, let first = firstCommits[blob] else { continue }
                outcome.findings[index].place = .history(commit: first.commit, blob: blob, at: inner)
                outcome.findings[index].path = first.path
            }
        }
        return outcome
    }

    /// The oldest commit that adds or changes each blob, with the path it has there.
    func firstCommits(of blobs: Set<String>) throws -> [String: (commit: String, path: String)] {
        let log = try git(["log", "--all", "--reverse", "--format=commit %H", "--raw", "--no-abbrev", "--no-renames", "--root", "-m"])
        var result: [String: (commit: String, path: String)] = [:]
        var commit = ""
        for line in log.split(separator: "\n") {
            if line.hasPrefix("commit ") { commit = String(line.dropFirst(7)); continue }
            guard line.hasPrefix(":"), let tab = line.firstIndex(of: "\t") else { continue }
            let fields = line[..<tab].split(separator: " ")
            guard fields.count >= 4 else { continue }
            let blob = String(fields[3])
            if blobs.contains(blob), result[blob] == nil { result[blob] = (commit, String(line[line.index(after: tab)...])) }
        }
        return result
    }

    /// Streams each blob's bytes from `git cat-file --batch` (nil bytes when over the size limit).
    private func readBlobs(_ ids: [String], isCancelled: () -> Bool,
                           _ body: (String, UnsafeBufferPointer<UInt8>?, Int) -> Void) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["git", "cat-file", "--batch"]
        process.environment = environment
        process.currentDirectoryURL = URL(fileURLWithPath: repositoryFolder)
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        signal(SIGPIPE, SIG_IGN)
        try process.run()
        let writer = Thread {
            let request = Data(ids.joined(separator: "\n").appending("\n").utf8)
            try? input.fileHandleForWriting.write(contentsOf: request)
            try? input.fileHandleForWriting.close()
        }
        writer.start()
        defer { process.waitUntilExit() }
        var reader = PipeReader(descriptor: output.fileHandleForReading.fileDescriptor)
        for _ in ids {
            if isCancelled() { process.terminate(); return }
            guard let header = reader.line() else { break }
            let fields = header.split(separator: " ")
            guard fields.count == 3, let size = Int(fields[2]) else { continue }  // "<id> missing"
            if fields[1] != "blob" || size > maxFileSize {
                reader.skip(size + 1)
                if fields[1] == "blob" { body(String(fields[0]), nil, size) }
                continue
            }
            reader.withBytes(size) { body(String(fields[0]), $0, size) }
            reader.skip(1)
        }
    }

    private func git(_ arguments: [String]) throws -> String {
        let result = try runner.run(["git"] + arguments, input: nil, directory: repositoryFolder, environment: environment)
        guard result.status == 0 else {
            throw TokenScanError.notARepository(repositoryFolder, detail: result.output.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        return result.output
    }
}

/// Buffered reads from a pipe: lines and exact byte counts.
struct PipeReader {
    let descriptor: Int32
    private var storage: [UInt8] = []
    private var start = 0
    private var end = 0
    private var finished = false

    init(descriptor: Int32) {
        self.descriptor = descriptor
        storage = [UInt8](repeating: 0, count: 1 << 20)
    }

    /// Reads more into the buffer, keeping the unread part; false at end of stream.
    private mutating func fill(atLeast wanted: Int) -> Bool {
        if start > 0 {
            storage.withUnsafeMutableBytes { raw in _ = memmove(raw.baseAddress!, raw.baseAddress! + start, end - start) }
            end -= start
            start = 0
        }
        if storage.count < wanted { storage += [UInt8](repeating: 0, count: wanted - storage.count) }
        let got = storage.withUnsafeMutableBytes { raw in Glibc.read(descriptor, raw.baseAddress! + end, raw.count - end) }
        if got <= 0 { finished = true; return false }
        end += got
        return true
    }

    mutating func line() -> String? {
        while true {
            if let newline = storage[start..<end].firstIndex(of: 0x0A) {
                let text = String(decoding: storage[start..<newline], as: UTF8.self)
                start = newline + 1
                return text
            }
            if finished || !fill(atLeast: end - start + 4096) { return nil }
        }
    }

    /// Calls `body` with the next `count` bytes (fewer at end of stream).
    mutating func withBytes(_ count: Int, _ body: (UnsafeBufferPointer<UInt8>) -> Void) {
        while end - start < count, !finished, fill(atLeast: count) {}
        let available = min(count, end - start)
        storage.withUnsafeBufferPointer { body(UnsafeBufferPointer(rebasing: $0[start..<(start + available)])) }
        start += available
    }

    mutating func skip(_ count: Int) {
        var left = count
        while left > 0 {
            if start == end, finished || !fill(atLeast: 1) { return }
            let step = min(left, end - start)
            start += step
            left -= step
        }
    }
}
