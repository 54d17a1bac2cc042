import XCTest
@testable import Hub

final class AuthRedactorTests: XCTestCase {
    func testMasksEveryOccurrenceLongestFirst() {
        let token = makeFakeToken()
        let longer = token + "XYZ"
        let redactor = TokenRedactor(tokens: [token, longer, "  ", "abc"])
        XCTAssertEqual(redactor.tokens, [longer, token], "blank and too-short values are not secrets")
        let text = "a \(token) b \(longer) c \(token)"
        let redacted = redactor.redact(text)
        XCTAssertFalse(redacted.contains(token))
        XCTAssertEqual(redacted, "a \(TokenText.mask(token)) b \(TokenText.mask(longer)) c \(TokenText.mask(token))")
        XCTAssertEqual(TokenRedactor.mask("short1"), "****", "short secrets are hidden whole")
    }

    func testCollectsEverySource() throws {
        let home = TemporaryHome()
        let variables = ["HF_TOKEN": makeFakeToken(), "HUGGING_FACE_HUB_TOKEN": " " + makeFakeToken() + "\n", "HUGGINGFACE_TOKEN": makeFakeToken()]
        let environment = home.environment(variables)
        let file = makeFakeToken(), stored = makeFakeToken(), refresh = makeFakeToken()
        try SecretFile.write(file, to: environment.tokenPath)
        try home.write("[x]\nhf_token = \(stored)\nrefresh_token = \(refresh)\n\n", to: "hf/stored_tokens")
        let redactor = TokenRedactor(tokens: TokenRedactor.tokens(in: environment))
        for secret in variables.values.map({ TokenText.clean($0)! }) + [file, stored, refresh] {
            XCTAssertFalse(redactor.redact("<\(secret)>").contains(secret), "masks \(TokenText.mask(secret))")
        }
    }

    func testLiveRedactorLearnsNewTokensAndNeverForgets() throws {
        let home = TemporaryHome()
        let environment = home.environment()
        let live = LiveTokenRedactor()
        // Secrets of no Hub shape: only knowing them masks them (shapes are masked whether known or not).
        let shapeless = { "staging-" + String(makeFakeToken().dropFirst(3)) }
        let first = shapeless(), second = shapeless(), typed = shapeless()
        XCTAssertEqual(live.redact(first, environment: environment), first)
        try SecretFile.write(first, to: environment.tokenPath)
        XCTAssertEqual(live.redact(first, environment: environment), TokenText.mask(first), "the new file is noticed")
        try SecretFile.write(second, to: environment.tokenPath)
        XCTAssertEqual(live.redact(second, environment: environment), TokenText.mask(second))
        try SecretFile.remove(environment.tokenPath)
        XCTAssertEqual(live.redact(first + " " + second, environment: environment), TokenText.mask(first) + " " + TokenText.mask(second), "still masked after logout")
        let withVariable = home.environment(["HF_TOKEN": shapeless()])
        let variable = withVariable.variables["HF_TOKEN"]!
        XCTAssertEqual(live.redact(variable, environment: withVariable), TokenText.mask(variable), "a variable loaded later is noticed")
        live.remember(typed)
        XCTAssertEqual(live.redact(typed, environment: withVariable), TokenText.mask(typed))
    }
}
