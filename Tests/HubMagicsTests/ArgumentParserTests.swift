import XCTest
@testable import HubMagics

final class ArgumentParserTests: XCTestCase {
    let spec = MagicSpec(
        name: "download", summary: "s",
        positionals: [.init("REPO", help: ""), .init("FILES", help: "", repeated: true)],
        options: [.value("revision", valueName: "R", help: ""), .value("include", valueName: "P", repeatable: true, help: ""),
                  .flag("dry-run", help: ""), .value("repo-type", valueName: "T", help: "", completion: .choices(["model", "dataset"])),
                  .value("max-workers", valueName: "N", help: "")])

    func testParsesPositionalsOptionsAndFlags() throws {
        let args = try ArgumentParser(spec: spec).parse(["org/m", "a.json", "--revision", "v1", "--include=*.bin", "--include", "x/", "--dry-run", "b.txt"])
        XCTAssertEqual(args.positionals, ["org/m", "a.json", "b.txt"])
        XCTAssertEqual(args.value("revision"), "v1")
        XCTAssertEqual(args.values("include"), ["*.bin", "x/"])
        XCTAssertTrue(args.flag("dry-run"))
        XCTAssertFalse(args.flag("force"))
    }

    func testDoubleDashEndsOptions() throws {
        let args = try ArgumentParser(spec: spec).parse(["r", "--", "--dry-run"])
        XCTAssertEqual(args.positionals, ["r", "--dry-run"])
        XCTAssertFalse(args.flag("dry-run"))
    }

    func testMistakesNameTheFix() {
        XCTAssertThrowsError(try ArgumentParser(spec: spec).parse(["r", "--revison", "x"])) { error in
            XCTAssertTrue((error as? MagicError)?.message.contains("did you mean --revision?") ?? false, "\(error)")
        }
        XCTAssertThrowsError(try ArgumentParser(spec: spec).parse(["r", "--revision"])) { error in
            XCTAssertTrue((error as? MagicError)?.message.contains("--revision needs a value (R)") ?? false, "\(error)")
        }
        XCTAssertThrowsError(try ArgumentParser(spec: spec).parse([])) { error in
            XCTAssertTrue((error as? MagicError)?.message.contains("needs REPO") ?? false, "\(error)")
        }
        XCTAssertThrowsError(try ArgumentParser(spec: spec).parse(["r", "--repo-type", "spaceship"])) { error in
            XCTAssertTrue((error as? MagicError)?.message.contains("one of model, dataset") ?? false, "\(error)")
        }
        XCTAssertThrowsError(try ArgumentParser(spec: spec).parse(["r", "--dry-run=yes"]))
        XCTAssertThrowsError(try ArgumentParser(spec: spec).parse(["r", "--max-workers", "0"]).integer("max-workers"))
        XCTAssertEqual(try ArgumentParser(spec: spec).parse(["r", "--max-workers", "8"]).integer("max-workers"), 8)
    }

    func testSubcommands() throws {
        let cache = MagicSpec(name: "cache", summary: "", subcommands: [
            MagicSpec(name: "ls", summary: "", options: [.flag("json", help: "")]),
            MagicSpec(name: "rm", summary: "", positionals: [.init("TARGET", help: "", repeated: true)]),
        ])
        let parsed = try ArgumentParser(spec: cache).parse(["ls", "--json"])
        XCTAssertEqual(parsed.subcommand, "ls")
        XCTAssertTrue(parsed.flag("json"))
        XCTAssertThrowsError(try ArgumentParser(spec: cache).parse(["lss"])) { error in
            XCTAssertTrue((error as? MagicError)?.message.contains("did you mean ls?") ?? false, "\(error)")
        }
        XCTAssertThrowsError(try ArgumentParser(spec: cache).parse([]))
    }

    func testHelpDetection() {
        XCTAssertTrue(ArgumentParser.asksForHelp(["x", "--help"]))
        XCTAssertTrue(ArgumentParser.asksForHelp(["-h"]))
        XCTAssertFalse(ArgumentParser.asksForHelp(["--", "--help"]))
    }
}
