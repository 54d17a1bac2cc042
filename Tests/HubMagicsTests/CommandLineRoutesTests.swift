import Foundation
import Hub
import XCTest
@testable import HubMagics

/// The terminal names magics by the commands that run them.
final class CommandLineRoutesTests: XCTestCase {
    func testMagicsBecomeTheirCommands() {
        XCTAssertEqual(CommandLineRoutes.terminalWording("Create a read token, then %hf_login --force."),
                       "Create a read token, then hubkernel auth login --force.")
        XCTAssertEqual(CommandLineRoutes.terminalWording("See %download --help; free space with %cache rm or %auth_list."),
                       "See hubkernel download --help; free space with hubkernel cache rm or hubkernel auth list.")
        XCTAssertEqual(CommandLineRoutes.terminalWording("%hf_logout and %hf_login differ"), "hubkernel auth logout and hubkernel auth login differ")
    }

    func testLoggedOutAdviceInATerminalDoesNotTalkOfStartingAKernel() {
        let advice = CommandLineRoutes.terminalWording(AuthError.notLoggedIn(endpoint: "https://hub.test").message)
        XCTAssertFalse(advice.contains("the kernel"), advice)
        XCTAssertTrue(advice.contains("hubkernel auth login") && advice.contains("set HF_TOKEN in the environment"), advice)
    }

    func testAnUnknownCommandIsQuotedByItsCommandWordsOnly() {
        XCTAssertEqual(CommandLineRoutes.commandWords(["downlod", "demo/tiny-model", "config.json"]), "downlod")
        XCTAssertEqual(CommandLineRoutes.commandWords(["auth", "whoam", "--json"]), "auth whoam")
        let known = CommandLineRoutes.routes.map { $0.command.joined(separator: " ") }
        XCTAssertEqual(Suggestion.didYouMean(CommandLineRoutes.commandWords(["downlod", "demo/tiny-model"]), in: known), " (did you mean download?)")
    }

    func testTheTerminalAsideIsDroppedWhereTheMagicBecomesIt() {
        XCTAssertEqual(CommandLineRoutes.terminalWording("Run %hf_login (or `hubkernel auth login` in a terminal), or set HF_TOKEN."),
                       "Run hubkernel auth login, or set HF_TOKEN.")
        XCTAssertEqual(CommandLineRoutes.terminalWording("Log in again with a new token (%hf_login, or hubkernel auth login)."),
                       "Log in again with a new token (hubkernel auth login).")
    }

    func testOtherPercentSignsAndKernelOnlyMagicsStay() {
        for text in ["printf '%s' \"$TOKEN\" | hubkernel auth login", "50% · 3/7 files", "%set repo org/name", "%cached_thing",
                     "%lsmagic lists every magic"] {
            XCTAssertEqual(CommandLineRoutes.terminalWording(text), text)
        }
    }

    func testEachFrontendWordsCommandsItsOwnWay() {
        let advice = "Create a new token, then %hf_login --force."
        XCTAssertEqual(TerminalMagicOutput(redact: { $0 }, cancelled: { false }).commandWording(advice),
                       "Create a new token, then hubkernel auth login --force.")
        XCTAssertEqual(DownloadMagicTests.DisplayRecorder().commandWording(advice), advice, "a notebook keeps the magic")
    }

    func testTokenSourceAndEnvironmentAdviceInATerminalNameTheCommand() throws {
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("hk-routes-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: home) }
        let session = MagicSession(environment: HubEnvironment(variables: ["HF_HOME": home], homeDirectory: home),
                                   transport: DownloadMagicTests.OneFileHub())
        let terminal = try XCTUnwrap(try MagicRunner(session: session).run(cell: "%token_source",
                                                                          output: TerminalMagicOutput(redact: { $0 }, cancelled: { false })))
        XCTAssertTrue(terminal.text.contains("not logged in. Run hubkernel auth login, or set HF_TOKEN"), terminal.text)
        let notebook = try XCTUnwrap(try MagicRunner(session: session).run(cell: "%token_source", output: DownloadMagicTests.DisplayRecorder()))
        XCTAssertTrue(notebook.text.contains("not logged in. Run %hf_login, or set HF_TOKEN"), notebook.text)
        let environment = try XCTUnwrap(try MagicRunner(session: session).run(cell: "%hf_env",
                                                                             output: TerminalMagicOutput(redact: { $0 }, cancelled: { false })))
        XCTAssertTrue(environment.text.contains("- Token: none (log in with hubkernel auth login)"), environment.text)
    }

    /// `hubkernel --help` fits 80 columns: each summary wraps under its own start, a long command's summary starts
    /// on the next line.
    func testTheCommandListFitsAndAlignsItsSummaries() {
        let session = MagicSession(environment: HubEnvironment(variables: [:], homeDirectory: "/nonexistent"), transport: OfflineTransport())
        let lines = CommandLineRoutes.usage(in: session.registry).split(separator: "\n", omittingEmptySubsequences: false)
        for line in lines { XCTAssertLessThanOrEqual(line.count, TextWrap.width, String(line)) }
        let install = lines.firstIndex { $0.hasPrefix("  install [--user|--sys-prefix|--prefix DIR]") }
        XCTAssertEqual(install.map { lines[$0 + 1].trimmingCharacters(in: .whitespaces) }, "install the Jupyter kernelspec")
        guard let index = lines.firstIndex(where: { $0.hasPrefix("  auth login ") }), index + 1 < lines.count else {
            return XCTFail("no auth login line")
        }
        let login = String(lines[index]), next = String(lines[index + 1])
        let column = login.distance(from: login.startIndex, to: login.range(of: "Log in")?.lowerBound ?? login.startIndex)
        XCTAssertTrue(next.hasPrefix(String(repeating: " ", count: column)) && next.dropFirst(column).first != " ", "\(login)\n\(next)")
    }
}
