import Foundation
import XCTest
@testable import Hub

/// A fake token made at run time (never a literal in the repository).
func makeFakeToken(prefix: String = "hf_") -> String {
    let alphabet = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
    return prefix + String((0..<34).map { _ in alphabet.randomElement()! })
}

/// A temporary HF_HOME, removed when the test ends.
final class TemporaryHome {
    let path: String

    init() {
        path = NSTemporaryDirectory() + "hubkernel-auth-" + UUID().uuidString
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    /// An environment whose HF_HOME is this folder, plus `variables`.
    func environment(_ variables: [String: String] = [:]) -> HubEnvironment {
        HubEnvironment(variables: ["HF_HOME": path + "/hf"].merging(variables) { $1 }, homeDirectory: path)
    }

    func write(_ text: String, to relative: String) throws {
        let full = path + "/" + relative
        try FileManager.default.createDirectory(atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try text.write(toFile: full, atomically: false, encoding: .utf8)
    }

    func read(_ relative: String) -> String? { try? String(contentsOfFile: path + "/" + relative, encoding: .utf8) }
}

/// Answers requests with a closure and records them.
final class StubTransport: HTTPTransport, @unchecked Sendable {
    private let lock = NSLock()
    private var _requests: [HTTPRequest] = []
    let answer: @Sendable (HTTPRequest) throws -> HTTPResponse

    init(_ answer: @escaping @Sendable (HTTPRequest) throws -> HTTPResponse) { self.answer = answer }

    var requests: [HTTPRequest] { lock.withLock { _requests } }

    func send(_ request: HTTPRequest) throws -> HTTPResponse {
        lock.withLock { _requests.append(request) }
        return try answer(request)
    }

    /// A Hub that knows `tokens` (token → whoami JSON) and answers 401 to anything else.
    static func hub(_ tokens: [String: String]) -> StubTransport {
        StubTransport { request in
            let bearer = request.headers.first { $0.name.lowercased() == "authorization" }?.value
            guard request.url.hasSuffix("/api/whoami-v2"), let bearer, bearer.hasPrefix("Bearer "),
                  let body = tokens[String(bearer.dropFirst(7))] else {
                return HTTPResponse(status: 401, body: Data(#"{"error":"Invalid credentials in Authorization header"}"#.utf8))
            }
            return HTTPResponse(status: 200, body: Data(body.utf8))
        }
    }
}

/// A whoami-v2 document as the Hub sends it.
func whoamiJSON(user: String, displayName: String?, role: String = "read", orgs: [String] = [], fullName: String = "") -> String {
    let orgList = orgs.map { #"{"type":"org","name":"\#($0)"}"# }.joined(separator: ",")
    let token = displayName.map { #""accessToken":{"displayName":"\#($0)","role":"\#(role)","createdAt":"2024-01-01T00:00:00.000Z"}"# }
        ?? #""accessToken":{"role":"\#(role)"}"#
    return #"{"type":"user","id":"1","name":"\#(user)","fullname":"\#(fullName)","email":"x@example.com","orgs":[\#(orgList)],"auth":{"type":"access_token",\#(token)}}"#
}

/// Records the commands it is asked to run and answers from a table.
final class RecordingRunner: CommandRunner, @unchecked Sendable {
    private let lock = NSLock()
    private var _calls: [(arguments: [String], input: String?)] = []
    let answers: [String: CommandResult]

    init(answers: [String: CommandResult] = [:]) { self.answers = answers }

    var calls: [(arguments: [String], input: String?)] { lock.withLock { _calls } }

    func run(_ arguments: [String], input: String?, directory: String?, environment: [String: String]) throws -> CommandResult {
        lock.withLock { _calls.append((arguments, input)) }
        return answers[arguments.joined(separator: " ")] ?? CommandResult(status: 0, output: "")
    }
}
