import Hub
import XCTest
@testable import HubMagics

/// `%help` alone is a getting-started page, then every magic grouped by task (not `%lsmagic` again).
final class GettingStartedPageTests: XCTestCase {
    let session = MagicSession(environment: HubEnvironment(variables: [:], homeDirectory: "/nonexistent"), transport: OfflineTransport())

    func testHelpWalksThroughTheFirstStepsInOrder() throws {
        let page = try XCTUnwrap(try MagicRunner(session: session).run(cell: "%help", output: RecordingOutput()))
        XCTAssertNotEqual(page.text, try MagicRunner(session: session).run(cell: "%lsmagic", output: RecordingOutput())?.text)
        let steps = ["Log in: %hf_login", "See which token is in force: %whoami", "Look before downloading: %info",
                     "Download: %download", "Where the files went: %cache ls", "hf_hub_download(", "When something fails: %doctor",
                     "Magics by task"]
        let positions = steps.map { page.text.range(of: $0)?.lowerBound }
        XCTAssertFalse(positions.contains(nil), "every step is there: \(zip(steps, positions).filter { $0.1 == nil }.map(\.0))")
        XCTAssertEqual(positions.compactMap { $0 }, positions.compactMap { $0 }.sorted(), "in the order a beginner needs them")
        XCTAssertTrue(page.html?.contains("<ol>") ?? false)
    }

    func testEveryMagicIsListedOnceUnderItsTask() {
        let table = GettingStartedPage.tasksTable(session.registry)
        XCTAssertEqual(table.rows.map { $0[1] }.sorted(), session.registry.names.map { "%" + $0 }.sorted(), "each magic once")
        let taskOf = Dictionary(uniqueKeysWithValues: table.rows.reduce(into: [(String, String)]()) { pairs, row in
            pairs.append((row[1], row[0].isEmpty ? pairs.last!.1 : row[0]))
        })
        XCTAssertEqual(taskOf["%auth_switch"], "log in and tokens")
        XCTAssertEqual(taskOf["%download"], "look and download")
        XCTAssertEqual(taskOf["%cache"], "cache")
        XCTAssertEqual(taskOf["%doctor"], "diagnostics")
        XCTAssertEqual(taskOf["%token_scan"], "security")
        XCTAssertEqual(Set(table.rows.map(\.[0]).filter { !$0.isEmpty }),
                       ["log in and tokens", "look and download", "cache", "diagnostics", "security", "notebook"])
    }
}
