import XCTest
@testable import Hub

final class TokenScannerTests: XCTestCase {
    private var folder: TemporaryHome!

    override func setUp() { folder = TemporaryHome() }
    override func tearDown() { folder = nil }

    private var gitEnvironment: [String: String] {
        ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin", "HOME": folder.path,
         "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com",
         "GIT_CONFIG_NOSYSTEM": "1"]
    }

    @discardableResult
    private func git(_ arguments: String..., in directory: String) throws -> String {
        let result = try ProcessCommandRunner().run(["git"] + arguments, input: nil, directory: directory, environment: gitEnvironment)
        XCTAssertEqual(result.status, 0, result.output)
        return result.output
    }

    private func scan(_ options: TokenScanOptions) throws -> TokenScanResult {
        try TokenScanner(options: options, environment: gitEnvironment, home: folder.path + "/home").scan()
    }

    func testFilesIgnoredBinaryAndLargeFiles() throws {
        let repo = folder.path + "/repo"
        let script = FakeTokens.user(), env = FakeTokens.organisation(), checkpoint = FakeTokens.oauthAccess()
        try folder.write("import os\nTOKEN = '\(script)'\n", to: "repo/train.py")
        try folder.write("HF_TOKEN=\(env)\n", to: "repo/.env")
        try folder.write(".env\n", to: "repo/.gitignore")
        try folder.write("{\"cells\": [{\"cell_type\": \"code\", \"source\": \"t = '\(checkpoint)'\", \"outputs\": []}], \"metadata\": {}}",
                         to: "repo/.ipynb_checkpoints/a-checkpoint.ipynb")
        try folder.write("ok\n", to: "repo/clean.md")
        try Data([0, 1, 2] + Array(FakeTokens.user().utf8)).write(to: URL(fileURLWithPath: repo + "/blob.bin"))
        try folder.write(String(repeating: "x", count: 5000) + FakeTokens.user(), to: "repo/big.txt")
        try git("init", "-q", in: repo)

        var options = TokenScanOptions(paths: [repo])
        options.maxFileSize = 4096
        let result = try scan(options)
        let byToken = Dictionary(uniqueKeysWithValues: result.findings.map { ($0.token, $0) })
        XCTAssertEqual(Set(byToken.keys), [script, env, checkpoint])
        XCTAssertEqual(byToken[script]?.path, repo + "/train.py")
        XCTAssertEqual(byToken[script]?.place, .line(2))
        XCTAssertEqual(byToken[env]?.isGitIgnored, true)
        XCTAssertEqual(byToken[script]?.isGitIgnored, false)
        XCTAssertEqual(byToken[checkpoint]?.whereText, "cell 1, source line 1")
        XCTAssertEqual(result.skippedBinary, 1)
        XCTAssertEqual(result.skippedLarge, 1)
        XCTAssertEqual(result.filesScanned, 5)
    }

    func testHistoryFindsADeletedFileWithItsFirstCommit() throws {
        let repo = folder.path + "/repo"
        let old = FakeTokens.user(), kept = FakeTokens.legacy()
        try folder.write("a\n", to: "repo/readme.md")
        try git("init", "-q", in: repo)
        try git("add", ".", in: repo)
        try git("commit", "-qm", "one", in: repo)
        try folder.write("x\ntoken: \(old)\n", to: "repo/secrets.yaml")
        try git("add", ".", in: repo)
        try git("commit", "-qm", "two", in: repo)
        let introducing = try git("rev-parse", "HEAD", in: repo).trimmingCharacters(in: .whitespacesAndNewlines)
        for step in 3...5 {
            if step == 3 { try FileManager.default.removeItem(atPath: repo + "/secrets.yaml") }
            try folder.write("\(step)\n", to: "repo/readme.md")
            try git("add", "-A", ".", in: repo)
            try git("commit", "-qm", "step \(step)", in: repo)
        }
        try folder.write("k=\(kept)\n", to: "repo/now.txt")

        var options = TokenScanOptions(paths: [repo])
        options.history = true
        let result = try scan(options)
        let history = result.findings.filter(\.isInHistory)
        XCTAssertEqual(history.map(\.token), [old])
        XCTAssertEqual(history.first?.place, .history(commit: introducing, blob: history.first.flatMap {
            if case .history(_, let blob, _) = $0.place { return blob } else { return nil } } ?? "", at: .line(2)))
        XCTAssertEqual(history.first?.path, repo + "/secrets.yaml")
        XCTAssertEqual(result.findings.filter { !$0.isInHistory }.map(\.token), [kept])
        XCTAssertEqual(result.blobsScanned, 5)  // readme ×4 versions + secrets.yaml

        options.paths = [folder.path + "/nowhere"]
        XCTAssertThrowsError(try scan(options))
        try FileManager.default.createDirectory(atPath: folder.path + "/plain", withIntermediateDirectories: true)
        options.paths = [folder.path + "/plain"]
        XCTAssertThrowsError(try scan(options)) { XCTAssertEqual(($0 as? TokenScanError)?.name, "GitError") }
    }

    func testHomeHistoryFiles() throws {
        let bash = FakeTokens.user(), ipython = FakeTokens.user()
        try folder.write("ls\nexport HF_TOKEN=\(bash)\n", to: "home/.bash_history")
        var database = Data("SQLite format 3\0".utf8) + Data(repeating: 0, count: 100)
        database += Data("login(token='\(ipython)')".utf8)
        try FileManager.default.createDirectory(atPath: folder.path + "/home/.ipython/profile_default", withIntermediateDirectories: true)
        try database.write(to: URL(fileURLWithPath: folder.path + "/home/.ipython/profile_default/history.sqlite"))
        try FileManager.default.createDirectory(atPath: folder.path + "/empty", withIntermediateDirectories: true)

        var options = TokenScanOptions(paths: [folder.path + "/empty"])
        options.home = true
        let result = try scan(options)
        XCTAssertEqual(result.findings.map(\.token), [bash, ipython])
        XCTAssertEqual(result.findings.map(\.place), [.line(2), .database(offset: 116 + 13)])
        XCTAssertEqual(result.historyFiles.count, 2)
    }
}

/// Counts the commands run, running them for real.
private final class CountingRunner: CommandRunner, @unchecked Sendable {
    private let lock = NSLock()
    private var _commands: [String] = []
    var commands: [String] { lock.withLock { _commands } }

    func run(_ arguments: [String], input: String?, directory: String?, environment: [String: String]) throws -> CommandResult {
        lock.withLock { _commands.append(arguments.prefix(2).joined(separator: " ")) }
        return try ProcessCommandRunner().run(arguments, input: input, directory: directory, environment: environment)
    }
}

extension TokenScannerTests {
    /// A pre-commit hook passes every staged file: git is still asked once about ignored files.
    func testOneCheckIgnoreForManyFileArguments() throws {
        let repo = folder.path + "/repo"
        try folder.write("*.env\n", to: "repo/.gitignore")
        for name in ["a.env", "src/b.py", "src/c.py"] { try folder.write("t = \(FakeTokens.user())\n", to: "repo/" + name) }
        try git("init", "-q", in: repo)
        let previous = FileManager.default.currentDirectoryPath
        FileManager.default.changeCurrentDirectoryPath(repo)
        defer { FileManager.default.changeCurrentDirectoryPath(previous) }

        let runner = CountingRunner()
        var scanner = TokenScanner(options: TokenScanOptions(paths: ["a.env", "src/b.py", "src/c.py"]), environment: gitEnvironment, home: folder.path)
        scanner.runner = runner
        let result = try scanner.scan()
        XCTAssertEqual(runner.commands, ["git check-ignore"])
        XCTAssertEqual(result.findings.filter(\.isGitIgnored).map(\.path), ["a.env"])
        XCTAssertEqual(result.findings.count, 3)
    }

    func testCodeReplacementKeepsShellLinesRunnable() {
        func replaced(_ line: String) -> String {
            var text = Array(line.utf8)
            let match = TokenPattern.matches(in: text)[0]
            guard let (range, reference) = NotebookFixer.environmentReference(in: text, match: match) else { return "left" }
            text.replaceSubrange(range, with: Array(reference.utf8))
            return String(decoding: text, as: UTF8.self)
        }
        let token = FakeTokens.user()
        XCTAssertEqual(replaced("login(token='\(token)')"), "login(token=os.environ[\"HF_TOKEN\"])")
        XCTAssertEqual(replaced("x = 1\n  !hf auth login --token \(token)"), "x = 1\n  !hf auth login --token $HF_TOKEN")
        XCTAssertEqual(replaced("%env HF_TOKEN=\(token)"), "%env HF_TOKEN=$HF_TOKEN")
        XCTAssertEqual(replaced("headers = {'a': f\"Bearer \(token)\"}"), "left", "inside a longer string: no safe replacement")
    }
}
