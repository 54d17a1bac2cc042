import Foundation

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
        guard let object = try? JSONSerialization.jsonObject(with: response.body) as? [String: Any],
              let headers = object["headers"] as? [String: Any], !headers.isEmpty else {
            throw HubError(.badResponse(url: url, detail: "the safetensors metadata has no shard headers"))
        }
        var parsed: [String: SafetensorsHeader] = [:]
        for (shard, value) in headers {
            guard let header = value as? [String: Any] else { throw SafetensorsError(file: shard, reason: "its header is not a JSON object") }
            let length = (try? JSONSerialization.data(withJSONObject: header))?.count ?? 0
            parsed[shard] = try SafetensorsHeader(object: header, file: shard, headerLength: Int64(length))
        }
        return (parsed, response.headers["x-repo-commit"], Int64(response.body.count))
    }
}
