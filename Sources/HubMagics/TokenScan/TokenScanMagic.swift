import Foundation
import Hub
import Jupyter

/// `%token_scan [PATH…] [--home] [--history] [--check] [--fix] [--fix-code] [--json]`: finds leaked Hub tokens in
/// notebooks (cell by cell, outputs included), files, history files and git history; says which stored token each
/// one is, whether the Hub still accepts it (`--check`), and what to do; `--fix` takes them out of notebooks.
/// Fails (exit status 1 in a terminal) when a token is found, so it works in CI and as a pre-commit hook.
struct TokenScanMagic: Magic {
    let spec = MagicSpec(
        name: "token_scan", summary: "Find leaked Hub tokens in notebooks, outputs, files, shell history and git history",
        positionals: [.init("PATH", help: "folders or files to scan (default: the current folder)", repeated: true,
                            completion: .dynamic { _, _ in TokenScanMagic.pathCandidates() })],
        options: [.flag("home", help: "also scan ~/.bash_history, ~/.zsh_history, ~/.python_history and IPython's history.sqlite"),
                  .flag("history", help: "also scan every blob in the git history (deleted files, old versions)"),
                  .flag("check", help: "ask the Hub (whoami-v2, one request per token) whether each token still works"),
                  .flag("fix", help: "mask tokens in notebook outputs and metadata (a backup is kept)"),
                  .flag("fix-code", help: "with --fix: also replace tokens in Python code cells by os.environ[\"HF_TOKEN\"]"),
                  .value("max-size", valueName: "MB", help: "skip files larger than this (default 64)"),
                  .flag("json", help: "output the findings, tokens (masked) and advice as JSON")],
        discussion: """
        Finds user access tokens (hf_…), OAuth access and refresh tokens, organisation (api_org_…) and legacy (api_…) \
        tokens; nothing else. Tokens are only ever shown masked, and sent only with --check, only to the configured \
        endpoint. Git history is never rewritten: the advice says how (git filter-repo --replace-text).
        Examples:
          %token_scan
          %token_scan notebooks --history --check
          %token_scan --fix --fix-code analysis.ipynb
        """)

    func run(_ arguments: MagicArguments, in context: MagicContext) throws -> RichOutput? {
        if arguments.flag("fix-code") && !arguments.flag("fix") { throw MagicError.usage("--fix-code goes with --fix: %token_scan --fix --fix-code.") }
        let environment = context.environment
        var options = TokenScanOptions(paths: arguments.positionals, home: arguments.flag("home"), history: arguments.flag("history"))
        if let megabytes = try arguments.integer("max-size") { options.maxFileSize = megabytes << 20 }
        let home = environment.variables["HOME"] ?? NSHomeDirectory()
        let scanner = TokenScanner(options: options, environment: environment.variables, home: home)
        let output = context.output
        var report = TokenScanReport(result: try scanner.scan(isCancelled: { output.isCancelled }), environment: environment)
        try context.checkCancellation()
        for token in report.tokens { context.session.rememberSecret(token.token) }  // never shown whole, whatever happens
        if arguments.flag("check") { report.check(environment: environment, transport: context.session.transport) }

        var fixes: [NotebookFixer.Outcome] = []
        if arguments.flag("fix") {
            let stamp = ISO8601DateFormatter().string(from: Date()).replacingOccurrences(of: ":", with: "")
            let fixer = NotebookFixer(fixCode: arguments.flag("fix-code"), backupFolder: environment.home + "/token-scan-backups/" + stamp)
            let notebooks = report.result.findings.filter { if case .notebook = $0.place { return true } else { return false } }.map(\.path)
            var seen = Set<String>()
            for path in notebooks where seen.insert(path).inserted { fixes.append(try fixer.fix(path)) }
        }

        let rendered = Self.render(report, fixes: fixes, fixCode: arguments.flag("fix-code"), json: arguments.flag("json"), wording: output.commandWording, redact: context.session.redact)
        guard !report.tokens.isEmpty else { return rendered }
        output.show(rendered)
        let count = report.tokens.count
        throw MagicError("TokensFound", output.commandWording(
            "\(count) token\(count == 1 ? "" : "s") found in \(report.result.findings.count) place(s). Revoke \(count == 1 ? "it" : "them") at \(report.endpoint)/settings/tokens, then follow the advice above."))
    }

    /// Folders and notebooks in the current folder (what PATH usually is).
    static func pathCandidates() -> [String] {
        (FileSystem.entries(in: ".") ?? []).compactMap { entry in
            if entry.kind == .directory { return entry.name + "/" }
            return entry.name.hasSuffix(".ipynb") ? entry.name : nil
        }.sorted()
    }

    /// The findings table, the tokens with what is known of them, fixes, and advice (text and HTML); or all of it as JSON.
    static func render(_ report: TokenScanReport, fixes: [NotebookFixer.Outcome], fixCode: Bool = false, json asText: Bool,
                       wording: (String) -> String, redact: (String) -> String) -> RichOutput {
        let result = report.result
        var findings = Table(columns: ["file", "where", "token", "type", "notes"])
        for finding in result.findings {
            let token = report.token(finding.token)
            let notes = [finding.isGitIgnored ? "git-ignored" : "", token?.identity ?? "", token?.check?.text ?? ""].filter { !$0.isEmpty }
            findings.append([finding.path, finding.whereText, finding.masked, finding.pattern.rawValue, notes.joined(separator: "; ")],
                            highlighted: { if case .live = token?.check { return true } else { return false } }())
        }
        findings = findings.droppingEmptyColumns(["notes"])
        let summary = summaryLine(report)
        let fixLines = fixes.map { fix -> String in
            var parts = ["\(fix.masked) masked"]
            if fix.replacedInCode > 0 { parts.append("\(fix.replacedInCode) in code replaced by os.environ[\"HF_TOKEN\"]") }
            if fix.leftInCode > 0 {
                parts.append("\(fix.leftInCode) left in code (" + (fixCode ? "inside a longer string or not Python: edit by hand" : "add --fix-code") + ")")
            }
            return "Fixed \(fix.path): " + parts.joined(separator: ", ") + (fix.backup.map { "; the original (with the tokens) is in \($0): delete it once checked" } ?? "") + "."
        } + (fixes.isEmpty || !result.findings.contains(where: \.isInHistory) ? []
             : ["Git history is not rewritten: the tokens are still in older commits (what to do is below)."])
        let advice = report.advice(after: fixes).map(wording)
        let json = jsonValue(report, fixes: fixes, advice: advice)
        if asText { return RichOutput(text: redact(json.jsonText), json: json) }

        var text = result.findings.isEmpty ? "" : findings.text + "\n\n"
        text += summary
        if !fixLines.isEmpty { text += "\n\n" + fixLines.joined(separator: "\n") }
        if !advice.isEmpty { text += "\n\nWhat to do:\n" + advice.map { "  • " + $0 }.joined(separator: "\n") }
        var html = result.findings.isEmpty ? "" : findings.html
        html += "<p>\(HTML.escape(summary))</p>"
        if !fixLines.isEmpty { html += "<ul>" + fixLines.map { "<li>\(HTML.escape($0))</li>" }.joined() + "</ul>" }
        if !advice.isEmpty { html += "<p>What to do:</p><ol>" + advice.map { "<li>\(HTML.escape($0))</li>" }.joined() + "</ol>" }
        return RichOutput(text: redact(text), html: redact(html), json: json)
    }

    /// "Found 2 tokens in 3 places; scanned 120 files (4.1 MB), 2 binary and 1 over the size limit skipped."
    static func summaryLine(_ report: TokenScanReport) -> String {
        let result = report.result
        var scanned = "scanned \(result.filesScanned) file\(result.filesScanned == 1 ? "" : "s")"
        if result.blobsScanned > 0 { scanned += " and \(result.blobsScanned) git blob\(result.blobsScanned == 1 ? "" : "s")" }
        scanned += " (" + ByteCount.format(Int64(result.bytesScanned)) + ")"
        var skipped: [String] = []
        if result.skippedBinary > 0 { skipped.append("\(result.skippedBinary) binary") }
        if result.skippedLarge > 0 { skipped.append("\(result.skippedLarge) over the size limit") }
        if !result.unreadable.isEmpty { skipped.append("\(result.unreadable.count) unreadable (\(result.unreadable.prefix(3).joined(separator: "; ")))") }
        if !skipped.isEmpty { scanned += ", skipped " + skipped.joined(separator: ", ") }
        if !result.malformedNotebooks.isEmpty { scanned += "; \(result.malformedNotebooks.count) .ipynb file(s) are not JSON and were read as text" }
        guard !report.tokens.isEmpty else { return "No token found; " + scanned + "." }
        let tokens = report.tokens.count, places = result.findings.count
        return "Found \(tokens) token\(tokens == 1 ? "" : "s") in \(places) place\(places == 1 ? "" : "s"); " + scanned + "."
    }

    static func jsonValue(_ report: TokenScanReport, fixes: [NotebookFixer.Outcome], advice: [String]) -> JSONValue {
        let result = report.result
        let findings = JSONValue.array(result.findings.map { finding in
            var item: [String: JSONValue] = ["path": .string(finding.path), "where": .string(finding.whereText), "token": .string(finding.masked),
                                             "type": .string(finding.pattern.rawValue), "gitignored": .bool(finding.isGitIgnored)]
            var place = finding.place
            if case .history(let commit, let blob, let inner) = place {
                item["commit"] = commit.map(JSONValue.string) ?? .null
                item["blob"] = .string(blob)
                place = inner
            }
            switch place {
            case .line(let line): item["line"] = .number(Double(line))
            case .database(let offset): item["offset"] = .number(Double(offset))
            case .notebook(let notebook):
                item["cell"] = notebook.cell.map { .number(Double($0)) } ?? .null
                switch notebook.part {
                case .source(let line): item["part"] = .string("source"); item["line"] = .number(Double(line))
                case .output(let number, let kind): item["part"] = .string("output"); item["output"] = .number(Double(number)); item["kind"] = .string(kind)
                case .attachment(let name): item["part"] = .string("attachment"); item["attachment"] = .string(name)
                case .cellMetadata: item["part"] = .string("cell metadata")
                case .notebookMetadata, .widgetState: item["part"] = .string("notebook metadata")
                case .other(let path): item["part"] = .string(path)
                }
            case .history: break
            }
            return .object(item)
        })
        let tokens = JSONValue.array(report.tokens.map { token in
            var item: [String: JSONValue] = ["token": .string(token.masked), "type": .string(token.pattern.rawValue), "places": .number(Double(token.places)),
                                             "stored_as": .array(token.storedAs.map(JSONValue.string)), "in_force": .bool(token.isInForce)]
            switch token.check {
            case .live(let user, let role)?: item["check"] = .string("live"); item["user"] = .string(user); item["role"] = role.map(JSONValue.string) ?? .null
            case .revoked?: item["check"] = .string("invalid/revoked")
            case .unknown(let reason)?: item["check"] = .string("unknown"); item["check_detail"] = .string(reason)
            case nil: item["check"] = .null
            }
            return .object(item)
        })
        let scanned: JSONValue = .object([
            "files": .number(Double(result.filesScanned)), "bytes": .number(Double(result.bytesScanned)),
            "git_blobs": .number(Double(result.blobsScanned)), "skipped_binary": .number(Double(result.skippedBinary)),
            "skipped_too_large": .number(Double(result.skippedLarge)), "unreadable": .array(result.unreadable.map(JSONValue.string)),
            "history_files": .array(result.historyFiles.map(JSONValue.string)),
        ])
        let fixed = JSONValue.array(fixes.map { fix in
            .object(["path": .string(fix.path), "masked": .number(Double(fix.masked)), "replaced_in_code": .number(Double(fix.replacedInCode)),
                     "left_in_code": .number(Double(fix.leftInCode)), "backup": fix.backup.map(JSONValue.string) ?? .null])
        })
        return .object(["findings": findings, "tokens": tokens, "scanned": scanned, "fixed": fixed, "advice": .array(advice.map(JSONValue.string))])
    }
}
