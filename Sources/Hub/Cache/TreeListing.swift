import Foundation

/// One file of a repo at a commit, as the Hub's tree listing describes it.
public struct TreeFile: Sendable, Equatable {
    public var path: String
    public var size: Int64
    /// The git blob id (sha1 of `blob <size>\0<content>`).
    public var blobID: String
    /// The SHA-256 of the content for LFS files.
    public var lfsSHA256: String?

    public init(path: String, size: Int64, blobID: String, lfsSHA256: String? = nil) {
        self.path = path
        self.size = size
        self.blobID = blobID
        self.lfsSHA256 = lfsSHA256
    }
}

/// The Hub answered a tree listing with an error.
public struct TreeListingError: UserFacingError, Equatable {
    public let name: String
    public let message: String
    public let helpURL: String?
}

/// A minimal client for `GET /api/{models|datasets|spaces}/{repo}/tree/{revision}?recursive=true`
/// (following `Link: <…>; rel="next"` pages), and a reader for the `trees/<commit>.json` listings
/// `snapshot_download` caches, used when the Hub cannot be reached.
///
/// (The download branch's API client should replace the remote half once it lands on main.)
public struct TreeListing: Sendable {
    public let transport: HTTPTransport
    public let endpoint: String
    /// Extra request headers (`Authorization: Bearer …` once a token is known).
    public let headers: [(name: String, value: String)]
    public let timeout: Int

    public init(transport: HTTPTransport, endpoint: String, headers: [(name: String, value: String)] = [], timeout: Int = 10) {
        self.transport = transport
        self.endpoint = endpoint
        self.headers = headers
        self.timeout = timeout
    }

    /// Every file of `repoID` at `revision`, by path. Throws `TreeListingError` for Hub errors
    /// and `HTTPTransportError` when the Hub cannot be reached.
    public func files(repoID: String, repoType: String, revision: String) throws -> [String: TreeFile] {
        let encodedRevision = revision.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~"))) ?? revision
        var url: String? = "\(endpoint)/api/\(repoType)s/\(repoID)/tree/\(encodedRevision)?recursive=true&expand=false"
        var result: [String: TreeFile] = [:]
        var pages = 0
        while let next = url, pages < 10_000 {
            pages += 1
            let response = try transport.send(HTTPRequest(url: next, headers: headers, timeout: timeout))
            guard response.status == 200 else { throw Self.error(for: response, repoID: repoID, revision: revision) }
            guard let items = try? JSONSerialization.jsonObject(with: response.body) as? [[String: Any]] else {
                throw TreeListingError(name: "HfHubHTTPError", message: "The Hub sent a tree listing that is not a JSON list (\(next)). Check HF_ENDPOINT.", helpURL: nil)
            }
            for item in items where item["type"] as? String == "file" {
                guard let path = item["path"] as? String, let oid = item["oid"] as? String else { continue }
                let lfs = item["lfs"] as? [String: Any]
                result[path] = TreeFile(path: path, size: (item["size"] as? NSNumber)?.int64Value ?? 0, blobID: oid.lowercased(),
                                        lfsSHA256: (lfs?["oid"] as? String)?.lowercased())
            }
            url = response.headers["Link"].flatMap(Self.nextLink)
        }
        return result
    }

    /// The files of a `trees/<commit>.json` listing written by `snapshot_download`, or nil.
    public static func cachedFiles(atPath path: String) -> [String: TreeFile]? {
        guard let data = FileManager.default.contents(atPath: path),
              let root = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              (root["format_version"] as? NSNumber)?.intValue == 1,
              let files = root["files"] as? [String: [String: Any]] else { return nil }
        var result: [String: TreeFile] = [:]
        for (path, info) in files {
            guard let blobID = info["blob_id"] as? String else { return nil }
            result[path] = TreeFile(path: path, size: (info["size"] as? NSNumber)?.int64Value ?? 0, blobID: blobID.lowercased(),
                                    lfsSHA256: (info["lfs_sha256"] as? String)?.lowercased())
        }
        return result
    }

    /// The `rel="next"` URL of a `Link` header.
    static func nextLink(_ header: String) -> String? {
        for part in header.split(separator: ",") {
            let pieces = part.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            guard let first = pieces.first, first.hasPrefix("<"), first.hasSuffix(">"),
                  pieces.dropFirst().contains(where: { $0.replacingOccurrences(of: "\"", with: "") == "rel=next" }) else { continue }
            return String(first.dropFirst().dropLast())
        }
        return nil
    }

    static func error(for response: HTTPResponse, repoID: String, revision: String) -> TreeListingError {
        let code = response.headers["X-Error-Code"]
        switch (response.status, code) {
        case (_, "GatedRepo"?), (403, _):
            return TreeListingError(name: "GatedRepoError", message: "\(repoID) is gated: accept its conditions on the Hub with the account of your token, then retry.", helpURL: nil)
        case (_, "RevisionNotFound"?):
            return TreeListingError(name: "RevisionNotFoundError", message: "Revision '\(revision)' does not exist in \(repoID). Pass an existing branch, tag or commit with --revision.", helpURL: nil)
        case (401, _), (404, _):
            return TreeListingError(name: "RepositoryNotFoundError", message: "\(repoID) was not found on the Hub (or it is private and no valid token was sent). Check the repo id and --repo-type, or log in with %hf_login.", helpURL: nil)
        default:
            return TreeListingError(name: "HfHubHTTPError", message: "The Hub answered \(response.status) for the tree listing of \(repoID). Retry later, or run %doctor.", helpURL: nil)
        }
    }
}
