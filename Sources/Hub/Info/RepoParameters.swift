/// The parameters of a repo's safetensors weights (`model.safetensors`, or the shards its
/// `model.safetensors.index.json` names), added up over the files' headers.
public struct RepoParameters: Sendable, Equatable, Codable {
    /// Header summary per file.
    public var files: [String: SafetensorsHeader]
    public var isSharded: Bool

    public init(files: [String: SafetensorsHeader], isSharded: Bool) {
        self.files = files
        self.isSharded = isSharded
    }

    /// Parameters per dtype over every file.
    public var byDtype: [String: Int64] {
        files.values.reduce(into: [:]) { total, header in total.merge(header.parameters, uniquingKeysWith: +) }
    }
    public var total: Int64 { files.values.reduce(0) { $0 + $1.parameterTotal } }
    public var tensorCount: Int { files.values.reduce(0) { $0 + $1.tensorCount } }
    /// Bytes the tensors take once loaded as stored.
    public var dataBytes: Int64 { files.values.reduce(0) { $0 + $1.dataBytes } }

    /// "1.8M", "7.2B": a parameter count as the Hub's pages show it.
    public static func format(_ count: Int64) -> String {
        let units: [(Double, String)] = [(1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "k")]
        for (scale, unit) in units where Double(count) >= scale {
            let value = Double(count) / scale
            return (value >= 100 ? String(format: "%.0f", value) : String(format: "%.1f", value)) + unit
        }
        return String(count)
    }
}

/// Where `%info` got the safetensors headers.
public enum HeaderSource: String, Sendable, Codable {
    /// `.hubkernel/info` or cached weight files: no request.
    case cache
    /// One `safetensors-metadata` request for every shard (a sharded model at `main`).
    case metadataRequest = "safetensors-metadata"
    /// Range requests: the 8-byte length, then the header, of each file.
    case rangeRequests = "range"
}
