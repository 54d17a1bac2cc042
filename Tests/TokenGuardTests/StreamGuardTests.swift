import XCTest
@testable import TokenGuard

/// A stream as a frontend shows it: every piece the guard lets through, joined.
private struct Frontend {
    var streams = StreamGuard()
    var shown = ""
    var now = 100.0
    let masker: TokenMasker
    let key = StreamGuard.Key(parent: "cell-1", name: "stdout")

    init(masker: TokenMasker) { self.masker = masker }

    mutating func write(_ text: String) { shown += streams.admit(text, key: key, now: now, masker: masker) }
    /// The cell's idle (or a new output): held text goes out now.
    mutating func release() { shown += streams.release(parent: key.parent, masker: masker).map(\.text).joined() }
    mutating func wait(_ seconds: Double) {
        now += seconds
        shown += streams.expire(now: now, masker: masker).map(\.text).joined()
    }
}

/// What happens between two pieces of a stream.
private enum Between: CaseIterable {
    case nothing, shortWait, quietTimePasses, cellEnds
    func apply(to frontend: inout Frontend) {
        switch self {
        case .nothing: break
        case .shortWait: frontend.wait(0.1)
        case .quietTimePasses: frontend.wait(StreamGuard.quietTime + 0.1)
        case .cellEnds: frontend.release()
        }
    }
}

final class StreamGuardTests: XCTestCase {
    /// Every secret, known or not, split in two at every byte with anything between the pieces, is never shown whole.
    func testASecretSplitAnywhereIsNeverShownWhole() {
        let shapeless = Fakes.shapeless()
        let cases: [(secret: String, masker: TokenMasker)] = Fakes.everyShape.map { ($0, TokenMasker()) }
            + Fakes.everyShape.map { ($0, TokenMasker(known: [$0])) } + [(shapeless, TokenMasker(known: [shapeless]))]
        for (secret, masker) in cases {
            let text = "token: \(secret) done\n"
            for cut in 1..<text.utf8.count {
                for between in Between.allCases {
                    var frontend = Frontend(masker: masker)
                    frontend.write(String(decoding: Array(text.utf8)[..<cut], as: UTF8.self))
                    between.apply(to: &frontend)
                    frontend.write(String(decoding: Array(text.utf8)[cut...], as: UTF8.self))
                    frontend.release()
                    XCTAssertFalse(frontend.shown.contains(secret), "\(secret.prefix(4)) cut at \(cut), \(between): \(frontend.shown)")
                    XCTAssertTrue(frontend.shown.hasPrefix("token: ") && frontend.shown.hasSuffix(" done\n"), frontend.shown)
                    XCTAssertTrue(frontend.shown.contains("****"), frontend.shown)
                }
            }
        }
    }

    /// Large pieces are scanned in place: the same guarantees hold around their edges.
    func testLargePiecesKeepTheGuarantees() {
        let padding = String(repeating: "x", count: 1500)
        for masker in [TokenMasker(), TokenMasker(known: [Fakes.shapeless()])] {
            let secret = masker.known.first.map { String(decoding: $0, as: UTF8.self) } ?? Fakes.userWithDigits()
            let text = padding + " token: \(secret) done " + padding
            let at = padding.utf8.count + 8
            for cut in stride(from: at - 3, through: at + secret.utf8.count + 3, by: 1) {
                for between in Between.allCases {
                    var frontend = Frontend(masker: masker)
                    frontend.write(String(decoding: Array(text.utf8)[..<cut], as: UTF8.self))
                    between.apply(to: &frontend)
                    frontend.write(String(decoding: Array(text.utf8)[cut...], as: UTF8.self))
                    frontend.release()
                    XCTAssertFalse(frontend.shown.contains(secret), "cut at \(cut), \(between)")
                    XCTAssertTrue(frontend.shown.hasPrefix(padding) && frontend.shown.hasSuffix(" done " + padding))
                }
            }
        }
        var frontend = Frontend(masker: TokenMasker())
        frontend.write(padding + "\n")
        frontend.write(padding + " hf_hub_download\n")
        XCTAssertEqual(frontend.shown, padding + "\n" + padding + " hf_hub_download\n")
    }

    func testWithoutAnythingBetweenTheJoinedTextIsTheMask() {
        let secret = Fakes.userWithDigits()
        let text = "token: \(secret) done\n"
        for cut in 1..<text.utf8.count {
            var frontend = Frontend(masker: TokenMasker())
            frontend.write(String(decoding: Array(text.utf8)[..<cut], as: UTF8.self))
            frontend.write(String(decoding: Array(text.utf8)[cut...], as: UTF8.self))
            XCTAssertEqual(frontend.shown, "token: \(TokenMask.short(secret)) done\n", "cut at \(cut)")
        }
    }

    /// A secret typed one character a second, the guard's quiet time passing after each: still never whole.
    func testASecretWrittenOneCharacterAtATimeSlowly() {
        for masker in [TokenMasker(), TokenMasker(known: [Fakes.shapeless()])] {
            let secret = masker.known.first.map { String(decoding: $0, as: UTF8.self) } ?? Fakes.user()
            var frontend = Frontend(masker: masker)
            frontend.write("key=")
            for character in secret {
                frontend.write(String(character))
                frontend.wait(1)
            }
            frontend.write("\n")
            frontend.release()
            XCTAssertFalse(frontend.shown.contains(secret), frontend.shown)
            XCTAssertTrue(frontend.shown.hasPrefix("key="), frontend.shown)
        }
    }

    /// Ordinary text loses nothing and changes nothing, however it is split and whatever comes between.
    func testOrdinaryTextIsShownAsWritten() {
        let texts = ["Epoch 1/3: loss 0.42\n", "Downloading data", "hf_hub_download took 3 s", "api api_ hf hf_ h", "pip install hf_transfer",
                     "é😀 naïve\n", "the model is at models--org--name/snapshots/abc\n"]
        for text in texts {
            let characters = Array(text.unicodeScalars)
            for cut in 0...characters.count {
                for between in Between.allCases {
                    var frontend = Frontend(masker: TokenMasker())
                    frontend.write(String(String.UnicodeScalarView(characters[..<cut])))
                    between.apply(to: &frontend)
                    frontend.write(String(String.UnicodeScalarView(characters[cut...])))
                    frontend.release()
                    XCTAssertEqual(frontend.shown, text, "cut at \(cut), \(between)")
                }
            }
        }
    }

    func testHeldTextWaitsForTheQuietTime() {
        var frontend = Frontend(masker: TokenMasker())
        frontend.write("Epoch")
        XCTAssertEqual(frontend.shown, "Epoc")
        XCTAssertEqual(frontend.streams.nextDeadline, frontend.now + StreamGuard.quietTime)
        frontend.wait(StreamGuard.quietTime / 2)
        XCTAssertEqual(frontend.shown, "Epoc")
        frontend.wait(StreamGuard.quietTime)
        XCTAssertEqual(frontend.shown, "Epoch")
        XCTAssertNil(frontend.streams.nextDeadline)
    }

    func testAHeldBeginningThatGivesAwayPartOfASecretIsShownMasked() {
        var frontend = Frontend(masker: TokenMasker())
        frontend.write("t=hf_abcdefghijkl")
        frontend.release()
        XCTAssertEqual(frontend.shown, "t=hf_****")
        let secret = "hf_abcdefghijkl" + Fakes.letters(22)
        frontend.write(String(secret.dropFirst(15)) + "\n")
        XCTAssertEqual(frontend.shown, "t=hf_****" + secret.suffix(4) + "\n", "the joined text reads as the mask")
    }

    func testAShortBeginningIsShownAsWritten() {
        var frontend = Frontend(masker: TokenMasker())
        frontend.write("see hf_abcdefghijk")
        frontend.release()
        XCTAssertEqual(frontend.shown, "see hf_abcdefghijk", "11 body characters say nothing of a token")
        var known = Frontend(masker: TokenMasker(known: ["s3cr3t-value-of-mine"]))
        known.write("x s3cr")
        known.release()
        XCTAssertEqual(known.shown, "x s3c****", "a known secret's beginning over 3 characters is masked")
    }

    func testStreamsAreSeparate() {
        let masker = TokenMasker()
        var streams = StreamGuard()
        let out = StreamGuard.Key(parent: "p", name: "stdout"), err = StreamGuard.Key(parent: "p", name: "stderr")
        XCTAssertEqual(streams.admit("a h", key: out, now: 0, masker: masker), "a ")
        XCTAssertEqual(streams.admit("x\n", key: err, now: 0, masker: masker), "x\n")
        XCTAssertTrue(streams.isHolding(parent: "p"))
        XCTAssertEqual(streams.release(parent: "other", masker: masker).count, 0)
        XCTAssertEqual(streams.release(parent: "p", masker: masker).map(\.text), ["h"])
    }

    func testManyStreamsAreForgottenOldestFirst() {
        var streams = StreamGuard()
        for index in 0..<(StreamGuard.rememberedStreams * 2) {
            _ = streams.admit("x\n", key: StreamGuard.Key(parent: "p\(index)", name: "stdout"), now: 0, masker: TokenMasker())
        }
        XCTAssertFalse(streams.isHolding(parent: nil))
    }
}

/// `admitUnchanged`: a large piece seen by its ends only, as the relay reads a 25 MB print where it lies.
final class StreamGuardEndsTests: XCTestCase {
    private let key = StreamGuard.Key(parent: "cell-1", name: "stdout")

    private func admitByEnds(_ streams: inout StreamGuard, _ text: String, masker: TokenMasker) -> Bool {
        let bytes = Array(text.utf8)
        let window = StreamGuard.endWindow(masker)
        return Array(bytes.prefix(window)).withUnsafeBufferPointer { head in
            Array(bytes.suffix(window)).withUnsafeBufferPointer { tail in
                streams.admitUnchanged(head: head, tail: tail, count: bytes.count, key: key, now: 100, masker: masker)
            }
        }
    }

    func testALargeCleanPieceGoesAsWritten() {
        var streams = StreamGuard()
        XCTAssertTrue(admitByEnds(&streams, String(repeating: "line of output\n", count: 1000), masker: TokenMasker()))
        XCTAssertFalse(streams.isHolding(parent: nil))
    }

    /// What the whole-text path would hold or join is refused, and nothing is recorded then.
    func testRefusesAPieceWhoseEndCouldBeginASecretOrThatFollowsHeldText() {
        let masker = TokenMasker()
        let filler = String(repeating: "x ", count: 1000)
        var streams = StreamGuard()
        XCTAssertFalse(admitByEnds(&streams, filler + "hf_abc", masker: masker), "its end could begin a token")
        XCTAssertFalse(streams.isHolding(parent: nil), "nothing recorded")
        XCTAssertFalse(admitByEnds(&streams, filler + "h", masker: masker))
        let secret = Fakes.user()
        XCTAssertEqual(streams.admit("a " + String(secret.prefix(12)), key: key, now: 100, masker: masker), "a ")
        XCTAssertFalse(admitByEnds(&streams, String(secret.dropFirst(12)) + " " + filler, masker: masker),
                       "text of its stream is held")
    }

    /// A secret begun in what was shown and finished at the head of a large piece is not let through.
    func testRefusesAPieceThatFinishesASecretShownBefore() {
        let masker = TokenMasker()
        let secret = Fakes.user()
        var streams = StreamGuard()
        _ = streams.admit("x " + String(secret.prefix(16)), key: key, now: 100, masker: masker)
        _ = streams.expire(now: 100 + StreamGuard.quietTime + 1, masker: masker)  // its beginning shown, masked
        XCTAssertFalse(admitByEnds(&streams, String(secret.dropFirst(16)) + String(repeating: " y", count: 1000), masker: masker))
    }
}
