import Foundation

extension HubClient {
    /// Reads one safetensors file's header from the Hub with two HTTP Range requests: the 8-byte length, then
    /// exactly the header (at the address the first one was redirected to). The tensor data is never requested.
    /// Returns the header and the body bytes received.
    public func safetensorsHeader(_ repo: RepoID, commit: String, path: String) throws -> (header: SafetensorsHeader, bytes: Int64) {
        let (prefix, location) = try rangeGet(resolveURL(repo, revision: commit, path: path), first: 0, last: 7, repo: repo, path: path, revision: commit)
        let length = try SafetensorsHeader.headerLength(prefix: prefix, file: path)
        guard length > 0 else { return (try SafetensorsHeader(json: Data("{}".utf8), file: path), Int64(prefix.count)) }
        let (json, _) = try rangeGet(location, first: 8, last: 8 + length - 1, repo: repo, path: path, revision: commit)
        guard json.count == Int(length) else {
            throw SafetensorsError(file: path, reason: "the server sent \(json.count) of the header's \(length) bytes")
        }
        return (try SafetensorsHeader(json: json, file: path), Int64(prefix.count + json.count))
    }

    /// GET `bytes=first-last` of `url`, following redirects (the token only to the endpoint's origin). Returns the
    /// body (cut to the asked length should a server ignore Range) and the address that answered.
    private func rangeGet(_ start: String, first: Int64, last: Int64, repo: RepoID, path: String, revision: String) throws -> (Data, String) {
        var url = start
        for _ in 0..<10 {
            var request = HTTPRequest(method: "GET", url: url, headers: headers(for: url), timeout: downloadTimeout)
            request.headers.append(("Range", "bytes=\(first)-\(last)"))
            let response = try send(request)
            if (300..<400).contains(response.status), let location = response.headers["location"] {
                url = URLText.join(url, location)
                continue
            }
            try check(response, url: url, repo: repo, path: path, revision: revision)
            guard response.status == 206 || response.status == 200 else {
                throw HubError(.badResponse(url: url, detail: "HTTP \(response.status) to a Range request"))
            }
            return (response.body.prefix(Int(last - first + 1)), url)
        }
        throw HubError(.badResponse(url: url, detail: "too many redirects"))
    }
}
