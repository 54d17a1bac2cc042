import XCTest
@testable import Hub

final class AuthTokenChainTests: XCTestCase {
    /// Each row: variables, whether a token file exists, the expected winner (by label) and source.
    func testPriorityAndCleaningTable() throws {
        let home = TemporaryHome()
        let tokens = ["A": makeFakeToken(), "B": makeFakeToken(), "C": makeFakeToken(), "F": makeFakeToken()]
        let rows: [(variables: [String: String], file: Bool, winner: String?, source: String?)] = [
            ([:], false, nil, nil),
            ([:], true, "F", "file"),
            (["HF_TOKEN": "<A>"], true, "A", "HF_TOKEN"),
            (["HF_TOKEN": "<A>", "HUGGING_FACE_HUB_TOKEN": "<B>", "HUGGINGFACE_TOKEN": "<C>"], true, "A", "HF_TOKEN"),
            (["HUGGING_FACE_HUB_TOKEN": "<B>", "HUGGINGFACE_TOKEN": "<C>"], true, "B", "HUGGING_FACE_HUB_TOKEN"),
            (["HUGGINGFACE_TOKEN": "<C>"], true, "C", "HUGGINGFACE_TOKEN"),
            (["HUGGINGFACE_TOKEN": "<C>"], false, "C", "HUGGINGFACE_TOKEN"),
            // An empty HF_TOKEN falls through to the next variable …
            (["HF_TOKEN": "", "HUGGING_FACE_HUB_TOKEN": "<B>"], true, "B", "HUGGING_FACE_HUB_TOKEN"),
            (["HF_TOKEN": "", "HUGGING_FACE_HUB_TOKEN": "", "HUGGINGFACE_TOKEN": "<C>"], true, "C", "HUGGINGFACE_TOKEN"),
            (["HF_TOKEN": ""], true, "F", "file"),
            // … a whitespace-only one does not: it hides the later variables, and the file is used.
            (["HF_TOKEN": "  ", "HUGGING_FACE_HUB_TOKEN": "<B>"], true, "F", "file"),
            (["HF_TOKEN": "\n", "HUGGINGFACE_TOKEN": "<C>"], true, "F", "file"),
            (["HF_TOKEN": " \r\n "], false, nil, nil),
            (["HUGGING_FACE_HUB_TOKEN": "\t", "HUGGINGFACE_TOKEN": "<C>"], false, nil, nil),
            // Values are cleaned.
            (["HF_TOKEN": " <A>\n"], true, "A", "HF_TOKEN"),
        ]
        for (index, row) in rows.enumerated() {
            let variables = row.variables.mapValues { value in
                tokens.reduce(value) { $0.replacingOccurrences(of: "<\($1.key)>", with: $1.value) }
            }
            let environment = home.environment(variables)
            try? FileManager.default.removeItem(atPath: environment.tokenPath)
            if row.file { try SecretFile.write(tokens["F"]! + "\n", to: environment.tokenPath) }
            let resolved = try TokenChain(environment: environment).resolve()
            XCTAssertEqual(resolved?.value, row.winner.map { tokens[$0]! }, "row \(index): \(row.variables)")
            switch resolved?.source {
            case .environment(let variable)?: XCTAssertEqual(variable, row.source, "row \(index)")
            case .tokenFile?: XCTAssertEqual("file", row.source, "row \(index)")
            case .storedToken?, .oidc?, .explicit?, .client?: XCTFail("row \(index): no explicit name, OIDC resource or client token was given")
            case nil: XCTAssertNil(row.source, "row \(index)")
            }
        }
    }

    func testAClientsExplicitTokenComesFirstAndItsOwnSourcesLast() throws {
        let home = TemporaryHome()
        let explicit = makeFakeToken(), environmentToken = makeFakeToken(), file = makeFakeToken(), colab = makeFakeToken()
        var environment = home.environment(["HF_HUB_DISABLE_IMPLICIT_TOKEN": "1"])
        environment.clientTokens = [ClientToken(name: "Colab secret HF_TOKEN", value: " \(colab)\n")]
        XCTAssertEqual(try TokenChain(environment: environment).resolve(), ResolvedToken(value: colab, source: .client(name: "Colab secret HF_TOKEN")))
        try SecretFile.write(file, to: environment.tokenPath)
        XCTAssertEqual(try TokenChain(environment: environment).resolve()?.value, file, "the token file comes before Colab's secret")
        environment = environment.with(variables: environment.variables.merging(["HF_TOKEN": environmentToken]) { $1 })
        XCTAssertEqual(try TokenChain(environment: environment).resolve()?.value, environmentToken)
        environment.explicitToken = ClientToken(name: "vscode", value: explicit)
        XCTAssertEqual(try TokenChain(environment: environment).resolve(), ResolvedToken(value: explicit, source: .explicit(client: "vscode")))
        XCTAssertEqual(try TokenChain(environment: environment).tokenToSend()?.value, explicit, "explicit beats HF_HUB_DISABLE_IMPLICIT_TOKEN")
        XCTAssertEqual(environment.with(variables: [:]).clientTokens.count, 1, "a .env load keeps the client's tokens")
    }

    func testExplicitNameWinsAndSurvivesDisabledImplicitToken() throws {
        let home = TemporaryHome()
        let stored = makeFakeToken(), environmentToken = makeFakeToken()
        let environment = home.environment(["HF_TOKEN": environmentToken, "HF_HUB_DISABLE_IMPLICIT_TOKEN": "1"])
        try TokenStore(environment: environment).save(token: stored, name: "work")
        let chain = TokenChain(environment: environment)

        XCTAssertEqual(try chain.resolve(explicitName: "work"), ResolvedToken(value: stored, source: .storedToken(name: "work")))
        XCTAssertEqual(try chain.resolve()?.value, environmentToken)
        XCTAssertNil(try chain.tokenToSend(), "HF_HUB_DISABLE_IMPLICIT_TOKEN stops the implicit token")
        XCTAssertEqual(try chain.tokenToSend(explicitName: "work")?.value, stored, "but not an explicit choice")
        XCTAssertThrowsError(try chain.resolve(explicitName: "nope")) { error in
            XCTAssertEqual((error as? AuthError)?.name, "TokenNotFoundError")
            XCTAssertTrue((error as? AuthError)?.message.contains("work") ?? false, "lists the known names")
        }
    }

    func testTokenToSendWithoutTheSwitch() throws {
        let home = TemporaryHome()
        let token = makeFakeToken()
        let chain = TokenChain(environment: home.environment(["HF_TOKEN": token, "HF_HUB_DISABLE_IMPLICIT_TOKEN": "no"]))
        XCTAssertEqual(try chain.tokenToSend()?.value, token)
    }

    func testPythonViewIgnoresTheDeprecatedName() throws {
        let home = TemporaryHome()
        let fileToken = makeFakeToken(), deprecated = makeFakeToken()
        let environment = home.environment(["HUGGINGFACE_TOKEN": deprecated])
        try SecretFile.write(fileToken, to: environment.tokenPath)
        let chain = TokenChain(environment: environment)
        XCTAssertEqual(try chain.resolve()?.value, deprecated)
        XCTAssertEqual(try chain.pythonToken(), fileToken)
    }
}
