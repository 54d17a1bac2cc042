import XCTest
@testable import HubMagics

/// A progress line redrawn with "\r" must fit the terminal: the bar gives way first.
final class TerminalLineFitTests: XCTestCase {
    let line = "Downloading org/m ████████░░░░░░░░ 50% 1/2 files, 6 s left"

    func testALineThatFitsIsUnchanged() {
        XCTAssertEqual(TerminalLiveDisplay.fit(line, width: line.count), line)
    }

    func testTheBarShrinksKeepingItsProportion() {
        let fitted = TerminalLiveDisplay.fit(line, width: line.count - 8)
        XCTAssertEqual(fitted, "Downloading org/m ████░░░░ 50% 1/2 files, 6 s left")
    }

    func testWithoutRoomForTheBarItGoesThenTheTitleIsCutThenTheEnd() {
        XCTAssertEqual(TerminalLiveDisplay.fit(line, width: line.count - 17), "Downloading org/m 50% 1/2 files, 6 s left")
        XCTAssertEqual(TerminalLiveDisplay.fit(line, width: line.count - 22), "Downloading… 50% 1/2 files, 6 s left")
        XCTAssertEqual(TerminalLiveDisplay.fit(line, width: 24), "50% 1/2 files, 6 s left", "no room for a title")
        let cut = TerminalLiveDisplay.fit(line, width: 12)
        XCTAssertEqual(cut, "50% 1/2 fil…")
        XCTAssertEqual(TerminalLiveDisplay.fit("no bar here at all", width: 10), "no bar he…")
    }
}
