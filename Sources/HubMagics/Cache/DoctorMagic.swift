import Foundation
import Hub
import Jupyter

/// `%doctor [--repo org/name] [--repo-type T] [--token-name N] [--json]`: automated checks, each a
/// pass/warn/fail line with the fix.
struct DoctorMagic: Magic {
    let spec = MagicSpec(
        name: "doctor", summary: "Check connectivity, token, files, cache and repo access; say how to fix each problem",
        options: [.value("repo", valueName: "ORG/NAME", help: "also check that this (gated) repo is accessible"),
                  .value("repo-type", valueName: "T", help: "model (default), dataset or space", completion: .choices(["model", "dataset", "space"])),
                  AuthMagicSupport.tokenNameOption,
                  .flag("json", help: "output the checks as a JSON list (check, result, detail, fix, link)")])

    static let symbols: [DoctorCheck.Verdict: String] = [.pass: "✓ pass", .warn: "! warn", .fail: "✗ fail", .skip: "- skip"]

    func run(_ arguments: MagicArguments, in context: MagicContext) throws -> RichOutput? {
        let repo = try arguments.value("repo").map { try RepoID($0, type: RepoType(argument: arguments.value("repo-type") ?? "model") ?? .model) }
        let doctor = Doctor(environment: context.environment, transport: context.session.transport,
                            workingDirectory: FileManager.default.currentDirectoryPath)
        let checks = doctor.allChecks(repo: repo, tokenName: arguments.value("token-name")).map { check in
            var worded = check  // "%hf_login" in a notebook, "hubkernel auth login" in a terminal
            worded.detail = context.output.commandWording(check.detail)
            worded.fix = context.output.commandWording(check.fix)
            return worded
        }
        let failed = checks.filter { $0.verdict == .fail }
        let output = Self.render(checks, json: arguments.flag("json"), redact: context.session.redact)
        guard !failed.isEmpty else { return output }
        context.output.show(output)
        throw MagicError("DoctorFoundProblems", "\(failed.count) check(s) failed: \(failed.map(\.name).joined(separator: ", ")). Apply the fixes in the table above, then run %doctor again.")
    }

    /// The table (text and HTML) and the same checks as JSON; `json` makes the text the JSON too.
    static func render(_ checks: [DoctorCheck], json asText: Bool = false, redact: (String) -> String) -> RichOutput {
        // The text names each page in its fix. The HTML shows each fix under its detail (a fourth column
        // squeezed the detail in a narrow notebook) and links the pages below the table.
        func table(linksInFix: Bool) -> Table {
            var table = Table(columns: ["result", "check", "detail", "fix"])
            for check in checks {
                let link = linksInFix ? check.link.map { " " + $0 } ?? "" : ""
                table.append([symbols[check.verdict]!, check.name, check.detail, check.fix + link], highlighted: check.verdict == .fail)
            }
            return table.droppingEmptyColumns(["fix"])
        }
        let failed = checks.filter { $0.verdict == .fail }.count, warned = checks.filter { $0.verdict == .warn }.count
        let summary = failed + warned == 0 ? "All checks passed." : "\(failed) failed, \(warned) warning(s): apply the fixes above."
        let json = JSONValue.array(checks.map { check in
            .object(["check": .string(redact(check.name)), "result": .string(check.verdict.rawValue), "detail": .string(redact(check.detail)),
                     "fix": .string(redact(check.fix)), "link": check.link.map { .string($0) } ?? .null])
        })
        let text = asText ? json.jsonText : table(linksInFix: true).text + "\n\n" + summary
        // Table cells are escaped text: the pages that help are repeated below it as links.
        let links = checks.compactMap { check in check.link.map { "<li>\(HTML.escape(check.name)): \(HTML.link($0))</li>" } }.joined()
        let html = table(linksInFix: false).html(folding: "fix", label: "Fix") + (links.isEmpty ? "" : "<ul>\(links)</ul>") + "<p>\(HTML.escape(summary))</p>"
        return RichOutput(text: redact(text), html: redact(html), json: json)
    }
}
