import Foundation
import Hub

/// `%doctor [--repo org/name] [--repo-type T]`: automated checks, each a pass/warn/fail line with the fix.
struct DoctorMagic: Magic {
    let spec = MagicSpec(
        name: "doctor", summary: "Check connectivity, token, files, cache and repo access; say how to fix each problem",
        options: [.value("repo", valueName: "ORG/NAME", help: "also check that this (gated) repo is accessible"),
                  .value("repo-type", valueName: "T", help: "model (default), dataset or space", completion: .choices(["model", "dataset", "space"])),
                  AuthMagicSupport.tokenNameOption])

    static let symbols: [DoctorCheck.Verdict: String] = [.pass: "✓ pass", .warn: "! warn", .fail: "✗ fail", .skip: "- skip"]

    func run(_ arguments: MagicArguments, in context: MagicContext) throws -> RichOutput? {
        let repo = try arguments.value("repo").map { try RepoID($0, type: RepoType(argument: arguments.value("repo-type") ?? "model") ?? .model) }
        let doctor = Doctor(environment: context.environment, transport: context.session.transport,
                            workingDirectory: FileManager.default.currentDirectoryPath)
        let checks = doctor.allChecks(repo: repo, tokenName: arguments.value("token-name"))
        let failed = checks.filter { $0.verdict == .fail }
        guard !failed.isEmpty else { return Self.render(checks, redact: context.session.redact) }
        context.output.show(Self.render(checks, redact: context.session.redact))
        throw MagicError("DoctorFoundProblems", "\(failed.count) check(s) failed: \(failed.map(\.name).joined(separator: ", ")). Apply the fixes in the table above, then run %doctor again.")
    }

    static func render(_ checks: [DoctorCheck], redact: (String) -> String) -> RichOutput {
        var table = Table(columns: ["result", "check", "detail", "fix"])
        for check in checks {
            table.append([symbols[check.verdict]!, check.name, check.detail, check.fix + (check.link.map { " " + $0 } ?? "")],
                         highlighted: check.verdict == .fail)
        }
        let failed = checks.filter { $0.verdict == .fail }.count, warned = checks.filter { $0.verdict == .warn }.count
        let summary = failed + warned == 0 ? "All checks passed." : "\(failed) failed, \(warned) warning(s): apply the fixes above."
        return RichOutput(text: redact(table.text + "\n\n" + summary), html: redact(table.html + "<p>\(HTML.escape(summary))</p>"))
    }
}
