import Foundation
#if canImport(Glibc)
import Glibc
#endif

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
    /// body and the address that answered. With a streaming transport (libcurl) a server that ignores Range is cut
    /// off before its body: only a 206 is read, into a scratch file that refuses more than the asked length.
    private func rangeGet(_ start: String, first: Int64, last: Int64, repo: RepoID, path: String, revision: String) throws -> (Data, String) {
        var url = start
        for _ in 0..<10 {
            let request = HTTPRequest(method: "GET", url: url, headers: headers(for: url), timeout: downloadTimeout)
            let range = ByteRange(start: first, end: last)
            let (response, body) = try rangeResponse(request, range: range)
            if (300..<400).contains(response.status), let location = response.headers["location"] {
                url = URLText.join(url, location)
                continue
            }
            try check(response, url: url, repo: repo, path: path, revision: revision)
            guard response.status == 206 else {
                throw HubError(.badResponse(url: url, detail: "HTTP \(response.status) to a Range request: the server does not serve byte ranges, so the header cannot be read without downloading the file"))
            }
            return (body.prefix(Int(last - first + 1)), url)
        }
        throw HubError(.badResponse(url: url, detail: "too many redirects"))
    }

    /// One Range request: streamed (a 2xx other than 206 is aborted before its body) when the transport can.
    private func rangeResponse(_ request: HTTPRequest, range: ByteRange) throws -> (HTTPResponse, Data) {
        guard let streaming = transport as? HTTPStreamingTransport, let scratch = tmpfile() else {
            var request = request
            request.headers.append(("Range", range.headerValue))
            let response = try send(request)
            return (response, response.body)
        }
        defer { fclose(scratch) }
        let length = (range.end ?? range.start) - range.start + 1
        let writer = BodyFileWriter(fileDescriptor: fileno(scratch), position: 0, limit: length)
        let observer = StreamObserver(head: { status, _ in !(200..<300).contains(status) || status == 206 })
        let response: HTTPResponse
        do {
            response = try streaming.stream(request, range: range, into: writer, observer: observer)
        } catch HTTPStreamAborted.byObserver {
            return (HTTPResponse(status: 200), Data())
        } catch let error as HTTPTransportError {
            throw HubError.from(error)
        }
        guard response.status == 206 else { return (response, response.body) }
        var data = Data(count: Int(writer.bytesWritten))
        let read = data.withUnsafeMutableBytes { pread(fileno(scratch), $0.baseAddress, $0.count, 0) }
        return (response, data.prefix(max(read, 0)))
    }
}
