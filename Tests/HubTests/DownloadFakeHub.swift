import Foundation
@testable import Hub

/// An in-memory Hub for engine tests: `revision` and `tree` API routes (paginated), `resolve`
/// with HEAD/GET, LFS files redirected to a CDN on another origin, `Range`, and faults.
/// Records every request so tests can check what was (not) sent.
final class FakeHub: HTTPStreamingTransport, @unchecked Sendable {
    static let endpoint = "http://hub.test"
    static let cdn = "http://cdn.test"

    enum Fault: Equatable {
        /// Send this many body bytes, then drop the connection.
        case dropAfter(Int)
        /// Flip one byte of the body.
        case corrupt
        /// Answer with this status (and `Retry-After: 0` for 429).
        case status(Int)
        /// Refuse connections.
        case unreachable
        /// Ignore `Range` and send the whole body with 200.
        case ignoreRange
    }

    struct File {
        var content: Data
        var isLFS: Bool
        var sha256: String { Digest.hex(.sha256, of: content) }
        var gitOID: String { Digest.gitBlobID(of: content) }
        var etag: String { isLFS ? sha256 : gitOID }
    }

    private let lock = NSLock()
    var files: [String: File] = [:]
    var commit = String(repeating: "a", count: 40)
    var branches: [String: String] = [:]
    var gated = false
    /// False: every request fails to connect.
    var reachable = true
    var pageSize = 2
    /// Faults consumed one per matching request, by repo path ("*" for any request).
    var faults: [String: [Fault]] = [:]
    private(set) var requests: [HTTPRequest] = []

    init(files: [String: (String, Bool)]) {
        for (path, (text, lfs)) in files { self.files[path] = File(content: Data(text.utf8), isLFS: lfs) }
        branches["main"] = commit
    }

    func add(_ path: String, _ content: Data, lfs: Bool) { lock.withLock { files[path] = File(content: content, isLFS: lfs) } }
    func inject(_ fault: Fault, for path: String) { lock.withLock { faults[path, default: []].append(fault) } }
    var requestLog: [HTTPRequest] { lock.withLock { requests } }
    func clearLog() { lock.withLock { requests = [] } }

    private func takeFault(_ path: String) -> Fault? {
        lock.withLock {
            for key in [path, "*"] {
                if var list = faults[key], !list.isEmpty {
                    let fault = list.removeFirst()
                    faults[key] = list
                    return fault
                }
            }
            return nil
        }
    }

    // MARK: HTTPTransport

    func send(_ request: HTTPRequest) throws -> HTTPResponse {
        lock.withLock { requests.append(request) }
        let (response, _) = try route(request)
        return response
    }

    func stream(_ request: HTTPRequest, range: ByteRange?, into writer: BodyFileWriter, observer: StreamObserver) throws -> HTTPResponse {
        var request = request
        if let range { request.headers.append(("Range", range.headerValue)) }
        lock.withLock { requests.append(request) }
        var (response, fault) = try route(request)
        guard (200..<300).contains(response.status) else { return response }
        guard observer.head(response.status, response.headers) else { throw HTTPStreamAborted.byObserver }
        var body = response.body
        if fault == .corrupt, !body.isEmpty { body[body.startIndex] ^= 0xFF }
        let limit: Int
        if case .dropAfter(let count) = fault { limit = min(count, body.count) } else { limit = body.count }
        var offset = 0
        while offset < limit {
            let end = min(offset + 1000, limit)
            guard writer.write(body.subdata(in: offset..<end)) else { throw HTTPStreamAborted.writeFailed(errno: writer.failure) }
            offset = end
            guard observer.progress(Int64(offset)) else { throw HTTPStreamAborted.cancelled }
        }
        if limit < body.count { throw HTTPTransportError(kind: .connectionLost, url: request.url, detail: "fake drop") }
        response.body = Data()
        return response
    }

    // MARK: routes

    private func route(_ request: HTTPRequest) throws -> (HTTPResponse, Fault?) {
        let url = request.url
        if !reachable { throw HTTPTransportError(kind: .cannotConnect, url: url, detail: "fake offline") }
        var key = Self.repoPath(of: url) ?? url
        if url.hasPrefix(Self.cdn + "/") {
            let sha = String(url.dropFirst(Self.cdn.count + 1))
            key = lock.withLock { files.first { $0.value.sha256 == sha }?.key } ?? key
        }
        let fault = request.method == "GET" ? takeFault(key) : nil
        if fault == .unreachable { throw HTTPTransportError(kind: .cannotConnect, url: url, detail: "fake refused") }
        if case .status(let status) = fault {
            return (HTTPResponse(status: status, headers: HTTPHeaders([("Retry-After", "0")]), body: Data("busy".utf8)), nil)
        }
        if url.hasPrefix(Self.cdn + "/") {
            let sha = String(url.dropFirst(Self.cdn.count + 1))
            guard let file = lock.withLock({ files.values.first { $0.sha256 == sha } }) else { return (HTTPResponse(status: 404), nil) }
            return (body(file.content, request: request, ignoreRange: fault == .ignoreRange), fault)
        }
        let base = Self.endpoint + "/"
        guard url.hasPrefix(base) else { return (HTTPResponse(status: 404), nil) }
        let rest = String(url.dropFirst(base.count))
        if gated && !request.headers.contains(where: { $0.name == "Authorization" }) {
            return (HTTPResponse(status: 401, headers: HTTPHeaders([("X-Error-Code", "GatedRepo")])), nil)  // as the Hub answers anonymous requests
        }
        if rest.hasPrefix("api/models/org/repo/revision/") {
            let revision = String(rest.dropFirst("api/models/org/repo/revision/".count)).removingPercentEncoding ?? ""
            guard let sha = resolve(revision) else { return (HTTPResponse(status: 404, headers: HTTPHeaders([("X-Error-Code", "RevisionNotFound")])), nil) }
            return (HTTPResponse(status: 200, body: Data("{\"id\":\"org/repo\",\"sha\":\"\(sha)\"}".utf8)), nil)
        }
        if rest.hasPrefix("api/models/org/repo/tree/") {
            return (treePage(rest), nil)
        }
        if rest.hasPrefix("api/") { return (HTTPResponse(status: 404, headers: HTTPHeaders([("X-Error-Code", "RepoNotFound")])), nil) }
        if rest.hasPrefix("org/repo/resolve/") {
            let tail = rest.dropFirst("org/repo/resolve/".count)
            let revisionText = String(tail.prefix { $0 != "/" })
            let revision = revisionText.removingPercentEncoding ?? revisionText
            guard let sha = resolve(revision) else { return (HTTPResponse(status: 404, headers: HTTPHeaders([("X-Error-Code", "RevisionNotFound")])), nil) }
            let path = String(tail.dropFirst(revisionText.count + 1)).removingPercentEncoding ?? ""
            guard let file = lock.withLock({ files[path] }) else {
                return (HTTPResponse(status: 404, headers: HTTPHeaders([("X-Error-Code", "EntryNotFound"), ("X-Repo-Commit", sha)])), nil)
            }
            var headers = HTTPHeaders([("X-Repo-Commit", sha), ("ETag", "\"\(file.gitOID)\"")])
            if file.isLFS {
                headers.add(name: "X-Linked-Etag", value: "\"\(file.sha256)\"")
                headers.add(name: "X-Linked-Size", value: String(file.content.count))
                headers.add(name: "Location", value: Self.cdn + "/" + file.sha256)
                return (HTTPResponse(status: 302, headers: headers), nil)
            }
            if request.method == "HEAD" {
                headers.add(name: "Content-Length", value: String(file.content.count))
                return (HTTPResponse(status: 200, headers: headers), nil)
            }
            var response = body(file.content, request: request, ignoreRange: fault == .ignoreRange)
            for field in headers.fields { response.headers.add(name: field.name, value: field.value) }
            return (response, fault)
        }
        return (HTTPResponse(status: 404, headers: HTTPHeaders([("X-Error-Code", "RepoNotFound")])), nil)
    }

    private func resolve(_ revision: String) -> String? {
        if CommitHash.isValid(revision) { return revision == commit ? commit : nil }
        return branches[revision]
    }

    private func body(_ content: Data, request: HTTPRequest, ignoreRange: Bool) -> HTTPResponse {
        if request.method == "HEAD" { return HTTPResponse(status: 200, headers: HTTPHeaders([("Content-Length", String(content.count))])) }
        if !ignoreRange, let range = request.headers.first(where: { $0.name == "Range" })?.value, range.hasPrefix("bytes="),
           let start = Int(range.dropFirst(6).prefix { $0 != "-" }) {
            guard start < content.count else { return HTTPResponse(status: 416) }
            let last = Int(range.split(separator: "-").dropFirst().first ?? "").map { min($0, content.count - 1) } ?? content.count - 1
            return HTTPResponse(status: 206, headers: HTTPHeaders([("Content-Range", "bytes \(start)-\(last)/\(content.count)")]),
                                body: content.subdata(in: start..<(last + 1)))
        }
        return HTTPResponse(status: 200, headers: HTTPHeaders([("Content-Length", String(content.count))]), body: content)
    }

    private func treePage(_ rest: String) -> HTTPResponse {
        let cursor = rest.components(separatedBy: "cursor=").dropFirst().first.flatMap { Int($0) } ?? 0
        let sorted = lock.withLock { files.sorted { $0.key < $1.key } }
        let page = sorted.dropFirst(cursor).prefix(pageSize)
        let items = page.map { path, file -> String in
            let pathJSON = String(decoding: try! JSONSerialization.data(withJSONObject: [path]), as: UTF8.self).dropFirst().dropLast()
            let lfs = file.isLFS ? ",\"lfs\":{\"oid\":\"\(file.sha256)\",\"size\":\(file.content.count),\"pointerSize\":130}" : ""
            return "{\"type\":\"file\",\"oid\":\"\(file.gitOID)\",\"size\":\(file.content.count),\"path\":\(pathJSON)\(lfs)}"
        }
        var headers = HTTPHeaders()
        if cursor + pageSize < sorted.count {
            headers.add(name: "Link", value: "<\(Self.endpoint)/api/models/org/repo/tree/\(commit)?recursive=true&expand=false&cursor=\(cursor + pageSize)>; rel=\"next\"")
        }
        return HTTPResponse(status: 200, headers: headers, body: Data(("[" + items.joined(separator: ",") + ",{\"type\":\"directory\",\"oid\":\"x\",\"size\":0,\"path\":\"dir\"}]").utf8))
    }

    /// The repo path a resolve or CDN URL is about (for faults).
    static func repoPath(of url: String) -> String? {
        if let range = url.range(of: "/resolve/") {
            let tail = url[range.upperBound...]
            return String(tail.drop { $0 != "/" }.dropFirst()).removingPercentEncoding
        }
        return nil
    }
}
