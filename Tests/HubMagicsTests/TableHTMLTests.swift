import XCTest
@testable import HubMagics

/// The HTML side of `Table`: short cells stay on one line in notebooks, long ones wrap.
final class TableHTMLTests: XCTestCase {
    func testShortCellsStayOnOneLineAndLongCellsWrap() {
        let longPath = "/home/someone/.cache/huggingface/hub/models--org--name/snapshots/abc"
        var table = Table(columns: ["result", "detail"])
        table.append(["✓ pass", longPath])
        let html = table.html
        XCTAssertTrue(html.hasPrefix("<table class=\"hubkernel-table\" style=\"table-layout:auto\">"), html)
        XCTAssertTrue(html.contains("<th style=\"text-align:left;white-space:nowrap\">detail</th>"), html)
        XCTAssertTrue(html.contains("<td style=\"text-align:left;white-space:nowrap\">✓ pass</td>"), html)
        XCTAssertTrue(html.contains("<td style=\"text-align:left;overflow-wrap:anywhere\">\(longPath)</td>"), html)
    }

    func testTheLimitIsInclusive() {
        let exact = String(repeating: "y", count: Table.noWrapLength)
        let table = Table(columns: ["a"], rows: [[exact], [exact + "z"]])
        XCTAssertTrue(table.html.contains("<td style=\"text-align:left;white-space:nowrap\">\(exact)</td>"), table.html)
        XCTAssertTrue(table.html.contains("<td style=\"text-align:left;overflow-wrap:anywhere\">\(exact)z</td>"), table.html)
    }

    func testDroppingEmptyColumnsDropsOnlyNamedColumnsWithNoContent() {
        let table = Table(columns: ["check", "note", "fix"], rows: [["a", "", ""], ["b", "", ""]], highlighted: [1])
        let dropped = table.droppingEmptyColumns(["fix"])
        XCTAssertEqual(dropped.columns, ["check", "note"], "an empty column not named stays")
        XCTAssertEqual(dropped.rows, [["a", ""], ["b", ""]])
        XCTAssertEqual(dropped.highlighted, [1])
        let withFix = Table(columns: ["check", "fix"], rows: [["a", ""], ["b", "do this"]])
        XCTAssertEqual(withFix.droppingEmptyColumns(["fix"]), withFix, "one row needs it: kept")
    }

    /// `%doctor`'s fix column in HTML: under the detail of its own row, labelled, escaped; rows without one
    /// unchanged; the text keeps the column.
    func testFoldingAColumnPutsItsTextUnderTheCellBefore() {
        var table = Table(columns: ["check", "detail", "fix"])
        table.append(["Token", "No token is set.", "Log in with %hf_login <now>."], highlighted: true)
        table.append(["Cache", "Writable.", ""])
        let html = table.html(folding: "fix", label: "Fix")
        XCTAssertFalse(html.contains(">fix</th>"), html)
        XCTAssertTrue(html.contains("<tr style=\"font-weight:bold\"><td style=\"text-align:left;white-space:nowrap\">Token</td>"
            + "<td style=\"text-align:left;overflow-wrap:anywhere\">No token is set.<div style=\"margin-top:0.25em\"><strong>Fix:</strong> "
            + "Log in with %hf_login &lt;now&gt;.</div></td></tr>"), html)
        XCTAssertTrue(html.contains("<tr><td style=\"text-align:left;white-space:nowrap\">Cache</td>"
            + "<td style=\"text-align:left;white-space:nowrap\">Writable.</td></tr>"), html)
        XCTAssertTrue(table.text.contains("fix"), "the text keeps the column")
        XCTAssertEqual(table.html(folding: "nope", label: "x"), table.html)
    }
}
