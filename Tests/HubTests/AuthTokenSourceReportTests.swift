import Foundation
import XCTest
@testable import Hub

final class AuthTokenSourceReportTests: XCTestCase {
    func testExplainsTheWinnerAndWarns() throws {
        let home = TemporaryHome()
        let file = makeFakeToken(), deprecated = makeFakeToken(), variable = makeFakeToken()
        let environment = home.environment(["HUGGINGFACE_TOKEN": deprecated])
        try home.write("[saved]\nhf_token = \(file)\n\n", to: "hf/stored_tokens")
        try SecretFile.write(file, to: environment.tokenPath)
        chmod(environment.tokenPath, 0o644)

        let report = TokenSourceReport.inspect(environment: environment, workingDirectory: home.path, runner: RecordingRunner())
        XCTAssertEqual(report.winner?.source, .environment(variable: "HUGGINGFACE_TOKEN"))
        XCTAssertTrue(report.reason.hasPrefix("HUGGINGFACE_TOKEN is set (HF_TOKEN, HUGGING_FACE_HUB_TOKEN empty or unset)"), report.reason)
        XCTAssertTrue(report.warnings.contains { $0.hasPrefix("HUGGINGFACE_TOKEN is a deprecated name that Python huggingface_hub ignores: HubKernel uses it") })
        XCTAssertTrue(report.warnings.contains { $0.contains("overrides the token saved as 'saved'") })
        XCTAssertTrue(report.warnings.contains { $0.contains("can be read by other users (mode 644)") })
        XCTAssertTrue(report.warnings.contains { $0.contains("Python huggingface_hub.get_token() sees a different token") })
        XCTAssertEqual(report.pythonFingerprint, TokenSourceReport.fingerprint(file))
        XCTAssertEqual(report.candidates.map(\.name), ["HF_OIDC_RESOURCE", "HF_TOKEN", "HUGGING_FACE_HUB_TOKEN", "HUGGINGFACE_TOKEN", "token file", "stored_tokens", ".env"])
        XCTAssertEqual(report.candidates[4].masked, TokenText.mask(file))
        for candidate in report.candidates { XCTAssertFalse("\(candidate)".contains(file)) }

        let blank = TokenSourceReport.inspect(environment: home.environment(["HF_TOKEN": " ", "HUGGING_FACE_HUB_TOKEN": variable]),
                                              workingDirectory: home.path, runner: RecordingRunner())
        XCTAssertEqual(blank.winner?.value, file)
        XCTAssertTrue(blank.reason.contains("HF_TOKEN is set but blank after cleaning"), blank.reason)
        XCTAssertEqual(blank.candidates[2].status, "shadowed by HF_TOKEN")
    }

    func testRoleWarningOnlyWithWhoamiInfo() throws {
        let home = TemporaryHome()
        let environment = home.environment(["HF_TOKEN": makeFakeToken(), "HF_HUB_DISABLE_IMPLICIT_TOKEN": "1"])
        let plain = TokenSourceReport.inspect(environment: environment, workingDirectory: home.path, runner: RecordingRunner())
        XCTAssertFalse(plain.warnings.contains { $0.contains("write token") })
        XCTAssertFalse(plain.isSent)
        XCTAssertTrue(plain.reason.contains("HF_HUB_DISABLE_IMPLICIT_TOKEN"))
        let write = TokenSourceReport.inspect(environment: environment, workingDirectory: home.path,
                                              whoami: WhoAmIInfo(user: "a", role: .write), runner: RecordingRunner())
        XCTAssertTrue(write.warnings.contains { $0.contains("This is a write token") })
        let read = TokenSourceReport.inspect(environment: environment, workingDirectory: home.path,
                                             whoami: WhoAmIInfo(user: "a", role: .read), runner: RecordingRunner())
        XCTAssertFalse(read.warnings.contains { $0.contains("write token") })
    }

    func testDotEnvInTheWorkingDirectory() throws {
        let home = TemporaryHome()
        let token = makeFakeToken()
        try home.write("HF_TOKEN=\(token)\n", to: ".env")
        let runner = RecordingRunner(answers: ["git rev-parse --show-toplevel": CommandResult(status: 0, output: home.path),
                                               "git check-ignore -q .env": CommandResult(status: 1, output: "")])
        let report = TokenSourceReport.inspect(environment: home.environment(), workingDirectory: home.path, runner: runner)
        let dotEnv = try XCTUnwrap(report.candidates.last)
        XCTAssertEqual(dotEnv.status, "not loaded: run %dotenv to use it")
        XCTAssertEqual(dotEnv.masked, TokenText.mask(token))
        XCTAssertTrue(report.warnings.contains { $0.contains("not covered by a .gitignore") })
        XCTAssertNil(report.winner)
        XCTAssertTrue(report.reason.hasPrefix("No source holds a token"))
    }
}
