import XCTest
@testable import HubMagics

final class CellRoutingTests: XCTestCase {
    let names: Set<String> = ["download", "whoami", "echo", "lsmagic"]

    /// The trim that decides which lines are blank is Foundation's `.whitespaces` (tabs, Unicode spaces and the
    /// zero-width space; never line ends), without Foundation.
    func testTrimmedMatchesFoundationsWhitespace() {
        let samples = ["", " ", "\t x \t", "\u{00A0}x\u{3000}", "\u{2003}%whoami\u{2009}", "\u{200B}x", "x\u{000B}", "\u{1680}",
                       "  # note ", "a b", "\u{FEFF}y", "\r", " \u{0085}", "\u{180E}x", "\u{202F}\u{205F}x\u{2028}"]
            + (0x2000...0x200D).map { String(UnicodeScalar($0)!) + "x" }
        for sample in samples {
            XCTAssertEqual(CellRouting.trimmed(sample), sample.trimmingCharacters(in: .whitespaces), sample.debugDescription)
        }
    }

    func testLeadingMagicsRunHereAndTheRestGoesToPythonWithItsLineNumbers() throws {
        let plan = try CellRouting.plan("%download org/m \\\n  --dry-run\n# note\nimport os\nos.getcwd()", magicNames: names)
        XCTAssertEqual(plan.magics, "%download org/m \\\n  --dry-run\n# note")
        XCTAssertEqual(plan.python, "#\n#\n# note\nimport os\nos.getcwd()")
    }

    /// IPython drops leading blank lines and the first line's indent itself: a cell without HubKernel lines must
    /// reach it byte for byte (a `#` for a leading blank line made an indented cell an IndentationError).
    func testACellWithoutHubKernelLinesGoesToPythonByteForByte() throws {
        let cells = ["\n    ip = get_ipython()\n    try:\n        1 / 0\n    except:\n        ip.showtraceback()\n",
                     "# a comment\n\n  x = 1\n", "x = 1\r\ny = 2\r\n", "\t\n\tprint(1)  \n\n", "\n\n%%time\nx = 1"]
        for cell in cells {
            let plan = try CellRouting.plan(cell, magicNames: names)
            XCTAssertEqual(plan.python, cell, cell.debugDescription)
            XCTAssertEqual(plan.magics, "", cell.debugDescription)
        }
    }

    /// After HubKernel lines, the rest is cut from the cell as sent (line ends kept) and the `#` lines that keep
    /// its line numbers carry the indent IPython strips from its first line.
    func testTheRestAfterMagicsKeepsItsTextAndIndent() throws {
        XCTAssertEqual(try CellRouting.plan("%whoami\r\nx = 1\r\n", magicNames: names).python, "#\nx = 1\r\n")
        XCTAssertEqual(try CellRouting.plan("%whoami\n\n    x = 1\n    y = 2", magicNames: names).python,
                       "    #\n\n    x = 1\n    y = 2")
        XCTAssertEqual(try CellRouting.plan("\n%whoami\n\t# keep\n\tz = 3", magicNames: names).python, "\t#\n\t#\n\t# keep\n\tz = 3")
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
