import Foundation
import JSONCore

extension HubClient {
    /// Every shard header of a sharded model at `main` in one request, as `get_sharded_safetensors_metadata` reads
    /// them: `GET /api/models/{id}/safetensors-metadata/{index}` answers `{"index": {…}, "headers": {shard: header}}`
    /// (the index without its `weight_map`). The Hub serves it for models at `main` only, and a mirror may not serve
    /// it at all: callers fall back to Range requests. Returns the headers, the commit the answer names
    /// (`X-Repo-Commit`, when sent) and the body bytes received.
    ///
    /// ```swift
    /// let answer = try client.shardedSafetensorsHeaders(try RepoID("org/model"), indexPath: "model.safetensors.index.json")
    /// answer.headers.count   // 30 shards, one request
    /// ```
    public func shardedSafetensorsHeaders(_ repo: RepoID, indexPath: String) throws -> (headers: [String: SafetensorsHeader], commit: String?, bytes: Int64) {
        let url = "\(endpoint)/api/models/\(repo.id)/safetensors-metadata/\(URLText.quote(indexPath))"
        let response = try get(url)
        try check(response, url: url, repo: repo, path: indexPath, revision: "main")
        guard let headers = (try? JSONValue.parse([UInt8](response.body)))?["headers"]?.objectValue else {
            throw HubError(.badResponse(url: url, detail: "the answer is not {\"headers\": {shard: header}}"))
        }
        guard !headers.isEmpty else { throw HubError(.badResponse(url: url, detail: "the answer names no shard")) }
        var parsed: [String: SafetensorsHeader] = [:]
        for (shard, header) in headers {
            parsed[shard] = try SafetensorsHeader(header, file: shard, headerLength: nil)
        }
        return (parsed, response.headers["x-repo-commit"], Int64(response.body.count))
    }
}
