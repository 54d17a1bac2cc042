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
        XCTAssertTrue(html.contains("<td style=\"text-align:left\">\(longPath)</td>"), html)
    }

    func testTheLimitIsInclusive() {
        let exact = String(repeating: "y", count: Table.noWrapLength)
        let table = Table(columns: ["a"], rows: [[exact], [exact + "z"]])
        XCTAssertTrue(table.html.contains("<td style=\"text-align:left;white-space:nowrap\">\(exact)</td>"), table.html)
        XCTAssertTrue(table.html.contains("<td style=\"text-align:left\">\(exact)z</td>"), table.html)
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
}
