/// Everything `%info` tells about a repo before downloading it.
public struct RepoReport: Sendable {
    public var info: RepoInfo
    /// The revision asked for (branch, tag, commit or `refs/pr/N`).
    public var revision: String
    public var access: RepoAccess
    /// Where access is requested (the repo page).
    public var page: String
    public var footprint: DownloadFootprint
    /// nil when the repo has no safetensors weights, or they could not be read (see `parametersNote`).
    public var parameters: RepoParameters?
    /// Why there are no parameters, when there are none.
    public var parametersNote: String?
    /// Body bytes this run received for safetensors headers (and the shard index).
    public var headerBytesFetched: Int64
    /// Where the headers came from (meaningful when `parameters` is set).
    public var headerSource: HeaderSource
    /// Whether the headers came from the cache (`.hubkernel/info`, or cached weight files).
    public var headersFromCache: Bool { headerSource == .cache }
    /// Set when the report comes from the cache because the Hub was not asked (offline) or could not be reached.
    public var offlineNotice: String?
}
