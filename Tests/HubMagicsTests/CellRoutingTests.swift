import XCTest
@testable import HubMagics

final class CellRoutingTests: XCTestCase {
    let names: Set<String> = ["download", "whoami", "echo", "lsmagic"]

    func testLeadingMagicsRunHereAndTheRestGoesToPythonWithItsLineNumbers() throws {
        let plan = try CellRouting.plan("%download org/m \\\n  --dry-run\n# note\nimport os\nos.getcwd()", magicNames: names)
        XCTAssertEqual(plan.magics, "%download org/m \\\n  --dry-run\n# note")
        XCTAssertEqual(plan.python, "#\n#\n#\nimport os\nos.getcwd()")
    }

    func testAllMagicsOrAllPython() throws {
        XCTAssertNil(try CellRouting.plan("%whoami\n\n%echo hi\n", magicNames: names).python)
        let python = try CellRouting.plan("x = 1\nprint(x)", magicNames: names)
        XCTAssertEqual(python.magics, "")
        XCTAssertEqual(python.python, "x = 1\nprint(x)")
    }

    func testIPythonMagicsShellLinesAndCellMagicsGoToPython() throws {
        for cell in ["%pip install x", "%%time\nx = 1", "!ls", "%timeit 1+1", "%matplotlib inline"] {
            XCTAssertEqual(try CellRouting.plan(cell, magicNames: names).python, cell, cell)
        }
    }

    func testAHubKernelMagicAfterPythonSaysToSplitTheCell() {
        XCTAssertThrowsError(try CellRouting.plan("x = 1\n%download org/m", magicNames: names)) { error in
            let error = error as? MagicError
            XCTAssertEqual(error?.name, "CellOrderError")
            XCTAssertTrue(error?.message.contains("Line 2: %download") ?? false, "\(String(describing: error))")
        }
    }

    func testAMagicInsideATripleQuotedStringIsPython() throws {
        let cell = "doc = \"\"\"\n%download is a magic\n\"\"\"\nprint(doc)"
        XCTAssertEqual(try CellRouting.plan(cell, magicNames: names).python, cell)
    }

    func testAMisspeltHubKernelMagicGetsDidYouMeanButIPythonsOwnNamesDoNot() throws {
        XCTAssertThrowsError(try CellRouting.plan("%whoamii", magicNames: names)) { error in
            XCTAssertTrue((error as? MagicError)?.message.contains("did you mean %whoami?") ?? false, "\(error)")
        }
        XCTAssertEqual(try CellRouting.plan("%ls", magicNames: names).python, "%ls")
    }

    func testCompletionRoutesByTheCursorsLine() {
        XCTAssertTrue(CellRouting.isHubKernelLine("%downl", magicNames: names, orPrefix: true))
        XCTAssertFalse(CellRouting.isHubKernelLine("%downl", magicNames: names))
        XCTAssertFalse(CellRouting.isHubKernelLine("%pi", magicNames: names, orPrefix: true))
        XCTAssertEqual(MagicKernel.line(in: "%echo a\nos.pa\nz", at: 13), "os.pa")
    }
}
