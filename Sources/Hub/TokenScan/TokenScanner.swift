import Foundation

/// What to scan and how.
public struct TokenScanOptions: Sendable, Equatable {
    /// Folders and files (default: the current folder).
    public var paths: [String]
    /// Also the shell and Python history files in the home folder.
    public var home = false
    /// Also every blob reachable in the git history of each folder.
    public var history = false
    /// Only `.ipynb` files, and no hidden or tool folders (`.venv`, `node_modules` …) but `.ipynb_checkpoints`:
    /// the fast check `%doctor` runs.
    public var notebooksOnly = false
    /// Larger files are skipped and counted.
    public var maxFileSize = 64 << 20
    /// Threads reading files (both cores by default).
    public var workers = ProcessInfo.processInfo.activeProcessorCount

    public init(paths: [String], home: Bool = false, history: Bool = false, notebooksOnly: Bool = false) {
        self.paths = paths
        self.home = home
        self.history = history
        self.notebooksOnly = notebooksOnly
    }
}

/// Everything a scan found and what it skipped.
public struct TokenScanResult: Sendable, Equatable {
    public var findings: [TokenFinding] = []
    public var filesScanned = 0
    public var bytesScanned = 0
    public var skippedBinary = 0
    public var skippedLarge = 0
    /// Files that could not be read, with the reason.
    public var unreadable: [String] = []
    /// `.ipynb` files that are not JSON (scanned as text).
    public var malformedNotebooks: [String] = []
    public var blobsScanned = 0
    /// The history files `--home` scanned.
    public var historyFiles: [String] = []

    public init() {}

    /// The distinct tokens found, in the order first found.
    public var distinctTokens: [String] {
        var seen = Set<String>()
        return findings.map(\.token).filter { seen.insert($0).inserted }
    }
}

/// Finds tokens under folders (every file, notebooks cell by cell), in the home folder's history files and in
/// git history. Files are read on all cores; a file git ignores is reported as such (one `git check-ignore --stdin`
/// per folder scanned), not skipped. `.git` folders are not walked (their content is what `--history` reads).
public struct TokenScanner {
    public let options: TokenScanOptions
    public let environment: [String: String]
    public let home: String
    public var runner: CommandRunner = ProcessCommandRunner()

    public init(options: TokenScanOptions, environment: [String: String], home: String) {
        self.options = options
        self.environment = environment
        self.home = home
    }

    public func scan(isCancelled: @escaping @Sendable () -> Bool = { false }) throws -> TokenScanResult {
        var result = TokenScanResult()
        let roots = options.paths.isEmpty ? ["."] : options.paths
        var files: [(path: String, display: String)] = []
        for root in roots {
            guard let status = FileSystem.status(of: root) else { throw TokenScanError.noSuchPath(root) }
            if status.kind == .directory {
                files += listFiles(root)
            } else {
                files.append((root, root))
            }
        }
        if options.home {
            result.historyFiles = HistoryFiles.existing(home: home, environment: environment)
            files += result.historyFiles.map { ($0, $0) }
        }
        try scanFiles(files, into: &result, isCancelled: isCancelled)
        markIgnored(&result, roots: roots)
        if options.history {
            var folders: [String] = []
            for root in roots {
                let folder = FileSystem.status(of: root)?.kind == .directory ? root : FileSystem.parent(of: root)
                let top = try GitHistoryScanner(repositoryFolder: folder, maxFileSize: options.maxFileSize, environment: environment)
                    .topLevel()
                if !folders.contains(top) { folders.append(top) }
            }
            for folder in folders {
                let history = try GitHistoryScanner(repositoryFolder: folder, maxFileSize: options.maxFileSize, environment: environment)
                    .scan(isCancelled: isCancelled)
                result.findings += history.findings.map { finding in
                    var located = finding
                    if folder != FileManager.default.currentDirectoryPath { located.path = folder + "/" + finding.path }
                    return located
                }
                result.blobsScanned += history.blobsScanned
                result.bytesScanned += history.bytes
                result.skippedBinary += history.skippedBinary
                result.skippedLarge += history.skippedLarge
            }
        }
        return result
    }

    /// Every regular file under `root` (not following symlinks, not entering `.git`), as a path to open and a
    /// path to show (`root` itself left out when it is `.`).
    func listFiles(_ root: String) -> [(path: String, display: String)] {
        guard let directory = FileSystem.Directory(path: root) else { return [] }
        var files: [(path: String, display: String)] = []
        FileSystem.walk(directory, descend: { $0 != ".git" && !(options.notebooksOnly && Self.isToolFolder($0)) }) { _, relative, name, kind in
            guard kind == .regular, !options.notebooksOnly || name.hasSuffix(".ipynb") else { return }
            let path = root == "." ? relative : (root.hasSuffix("/") ? root + relative : root + "/" + relative)
            files.append((path, path))
        }
        return files.sorted { $0.path < $1.path }
    }

    /// Folders the notebooks-only scan leaves out: hidden ones (but checkpoints), environments and caches.
    static func isToolFolder(_ name: String) -> Bool {
        (name.hasPrefix(".") && name != ".ipynb_checkpoints") || ["node_modules", "__pycache__", "site-packages", "venv"].contains(name)
    }

    /// Reads the files on `options.workers` threads, in contiguous batches (one read buffer per batch).
    private func scanFiles(_ files: [(path: String, display: String)], into result: inout TokenScanResult,
                           isCancelled: @escaping @Sendable () -> Bool) throws {
        let batchSize = max(1, min(64, files.count / max(1, options.workers * 8)))
        let batches = stride(from: 0, to: files.count, by: batchSize).map { files[$0..<min($0 + batchSize, files.count)] }
        let maxSize = options.maxFileSize
        let outcomes = try ParallelWork.map(batches, workers: options.workers, isCancelled: isCancelled) { batch in
            let scanner = FileTokenScanner(maxFileSize: maxSize)
            return batch.map { file in (file.display, scanner.scanFile(file.path, displayPath: file.display)) }
        }
        for (display, outcome) in outcomes.joined() {
            result.findings += outcome.findings
            result.bytesScanned += outcome.bytes
            if outcome.malformedNotebook { result.malformedNotebooks.append(display) }
            switch outcome.skipped {
            case nil: result.filesScanned += 1
            case .binary?: result.skippedBinary += 1
            case .tooLarge?: result.skippedLarge += 1
            case .unreadable(let reason)?: result.unreadable.append("\(display): \(reason)")
            }
        }
    }

    /// Marks findings in git-ignored files: one `git check-ignore --stdin -z` for all of them when the working folder
    /// is in the work tree that holds them, else one per scanned folder that is in a work tree.
    private func markIgnored(_ result: inout TokenScanResult, roots: [String]) {
        let paths = Array(Set(result.findings.map(\.path)))
        guard !paths.isEmpty else { return }
        let cwd = FileManager.default.currentDirectoryPath
        var ignored = ignoredPaths(paths, askingIn: cwd)
        if ignored == nil {
            ignored = []
            for root in roots {
                let folder = FileSystem.status(of: root)?.kind == .directory ? root : FileSystem.parent(of: root)
                let mine = paths.filter { root == "." ? !$0.hasPrefix("/") : ($0 == root || $0.hasPrefix(root.hasSuffix("/") ? root : root + "/")) }
                if !mine.isEmpty, let found = ignoredPaths(mine, askingIn: folder) { ignored!.formUnion(found) }
            }
        }
        for index in result.findings.indices where ignored!.contains(result.findings[index].path) {
            result.findings[index].isGitIgnored = true
        }
    }

    /// The `paths` git ignores, asked in `folder`; nil when git cannot answer there (not a work tree, a path outside it).
    private func ignoredPaths(_ paths: [String], askingIn folder: String) -> Set<String>? {
        let cwd = FileManager.default.currentDirectoryPath
        let absolute = paths.map { $0.hasPrefix("/") ? $0 : cwd + "/" + $0 }
        guard let answer = try? runner.run(["git", "check-ignore", "--stdin", "-z"], input: absolute.joined(separator: "\0") + "\0",
                                           directory: folder, environment: environment),
              answer.status == 0 || answer.status == 1 else { return nil }  // 1: none ignored; 128: git cannot answer
        let ignoredAbsolute = Set(answer.output.split(separator: "\0").map(String.init))
        return Set(zip(paths, absolute).filter { ignoredAbsolute.contains($0.1) }.map(\.0))
    }
}

extension GitHistoryScanner {
    /// The work tree's top folder (`git rev-parse --show-toplevel`).
    func topLevel() throws -> String {
        let answer = try runner.run(["git", "rev-parse", "--show-toplevel"], input: nil, directory: repositoryFolder, environment: environment)
        guard answer.status == 0 else {
            throw TokenScanError.notARepository(repositoryFolder, detail: answer.output.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        return answer.output.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
