import Hub
import XCTest
@testable import HubMagics

final class VariableTests: XCTestCase {
    func testExpansion() throws {
        let variables = ["repo": "org/m", "rev": "v1"]
        XCTAssertEqual(try VariableExpansion.expand("$repo --revision ${rev}x $$5", variables: variables), "org/m --revision v1x $5")
        XCTAssertEqual(try VariableExpansion.expand("no dollars", variables: [:]), "no dollars")
        XCTAssertEqual(try VariableExpansion.expand("cost: $ 5", variables: [:]), "cost: $ 5")
        XCTAssertThrowsError(try VariableExpansion.expand("$rpo", variables: variables)) { error in
            XCTAssertTrue((error as? MagicError)?.message.contains("did you mean $repo?") ?? false, "\(error)")
        }
        XCTAssertThrowsError(try VariableExpansion.expand("${repo", variables: variables))
    }

    func testSetThenUseInALaterLine() throws {
        let session = MagicSession(environment: HubEnvironment(variables: [:], homeDirectory: "/nonexistent"), transport: OfflineTransport())
        let output = RecordingOutput()
        _ = try MagicRunner(session: session).run(cell: "%set greeting 'hello world'\n%set who you\n%echo $greeting, $who", output: output)
        XCTAssertEqual(output.events, ["out:hello world, you\n"])
        let listing = try MagicRunner(session: session).run(cell: "%set", output: output)
        XCTAssertTrue(listing?.text.contains("$greeting  hello world") ?? false, listing?.text ?? "nil")
        XCTAssertThrowsError(try MagicRunner(session: session).run(cell: "%set 1x y", output: output))
        XCTAssertThrowsError(try MagicRunner(session: session).run(cell: "%set x", output: output))
    }
}
