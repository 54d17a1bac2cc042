import Hub
import XCTest
@testable import HubMagics

/// Help pages (`--help`, Shift-Tab) and usage errors are wrapped by HubKernel at spaces between whole parts, so
/// no frontend has to break a line, and none ever ends inside `--revision` or `[--revision R]`.
final class HelpWrappingTests: XCTestCase {
    let session = MagicSession(environment: HubEnvironment(variables: [:], homeDirectory: "/nonexistent"), transport: OfflineTransport())

    func testWrapBreaksOnlyAtSpacesAndKeepsLongWordsWhole() {
        XCTAssertEqual(TextWrap.lines(["%download", "REPO", "[--revision R]"], width: 20, indent: "  "),
                       ["%download REPO", "  [--revision R]"])
        XCTAssertEqual(TextWrap.lines(["a", "https://huggingface.co/a-very/long-name", "b"], width: 10),
                       ["a", "https://huggingface.co/a-very/long-name", "b"])
        XCTAssertEqual(TextWrap.lines(["one", "two", "three"], width: 9, firstWidth: 3), ["one", "two three"])
        XCTAssertEqual(TextWrap.wrap("  - alpha beta gamma", width: 14, hanging: 2), "  - alpha beta\n    gamma")
        XCTAssertEqual(TextWrap.wrap("short\n\nlines stay", width: 5), "short\n\nlines\nstay")
        XCTAssertEqual(TextWrap.wrap("Usage: x [--repo-type TYPE] [--files]", width: 20),
                       "Usage: x\n       [--repo-type TYPE]\n       [--files]", "an option group is one word, under the name")
    }

    /// Every magic's and sub-command's help page: lines fit, and every option's `--name VALUE` stays on one line.
    func testEveryHelpPageFitsAndKeepsOptionsWhole() throws {
        for name in session.registry.names {
            let magic = try XCTUnwrap(session.registry.magic(named: name))
            let specs = magic.spec.subcommands.isEmpty ? [(magic.spec, "%\(name)")]
                : magic.spec.subcommands.map { ($0, "%\(name) \($0.name)") }
            for (spec, displayName) in specs {
                let page = HelpText.page(spec, displayName: displayName)
                for line in page.split(separator: "\n") {
                    XCTAssertLessThanOrEqual(line.count, TextWrap.width, "\(displayName): \(line)")
                    XCTAssertFalse(line.hasSuffix("-") || line.hasSuffix("["), "\(displayName) breaks inside a part: \(line)")
                }
                let usage = HelpText.usage(spec, displayName: displayName)
                for option in spec.options {
                    let part = "[--" + option.name + (option.valueName.map { " " + $0 } ?? "") + "]"
                    XCTAssertTrue(usage.contains(part), "\(displayName): \(part) is split in\n\(usage)")
                }
                for line in usage.split(separator: "\n").dropFirst() {
                    XCTAssertTrue(line.hasPrefix(String(repeating: " ", count: "Usage: ".count)), "\(displayName): \(line)")
                }
            }
        }
    }

    func testDownloadUsageWrapsUnderTheNameAndLeavesRoomForTheTerminalName() {
        let spec = session.registry.magic(named: "download")!.spec
        let lines = HelpText.usage(spec).split(separator: "\n").map(String.init)
        XCTAssertGreaterThan(lines.count, 1, "the %download usage is longer than a line")
        XCTAssertTrue(lines[0].hasPrefix("Usage: %download REPO"), lines[0])
        let terminal = CommandLineRoutes.terminalWording(lines[0])
        XCTAssertTrue(terminal.hasPrefix("Usage: hubkernel download REPO"), terminal)
        XCTAssertLessThanOrEqual(terminal.count, TextWrap.width, terminal)
    }

    /// A usage error names the mistake on its first line; the usage follows, wrapped like the help page's.
    func testUsageErrorPutsTheWrappedUsageOnItsOwnLines() {
        XCTAssertThrowsError(try MagicRunner(session: session).run(cell: "%download", output: RecordingOutput())) { error in
            let message = (error as? MagicError)?.message ?? ""
            let lines = message.split(separator: "\n")
            XCTAssertEqual(lines.first, "%download needs REPO.")
            XCTAssertTrue(lines.dropFirst().first?.hasPrefix("Usage: %download REPO") ?? false, message)
            XCTAssertTrue(lines.allSatisfy { $0.count <= TextWrap.width }, message)
            XCTAssertTrue(message.contains("[--revision R]"), message)
        }
    }

    /// Shift-Tab's HTML keeps HubKernel's line breaks and asks the browser not to add its own.
    func testInspectHTMLDoesNotLetTheBrowserRewrap() throws {
        let inspected = try XCTUnwrap(MagicCompleter(session: session).inspect(code: "%download org/x", cursor: 3))
        XCTAssertTrue(inspected.html?.contains("white-space:pre;") ?? false, inspected.html ?? "nil")
        XCTAssertEqual(inspected.text, HelpText.page(session.registry.magic(named: "download")!.spec))
    }
}
