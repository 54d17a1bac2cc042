/// One file of a repo at a commit, as the tree listing reports it (and as `trees/<commit>.json`
/// stores it): enough to download it without a HEAD request.
public struct RepoFileEntry: Sendable, Equatable {
    public var path: String
    /// The file's size in bytes (for LFS files, the real size, not the pointer's).
    public var size: Int64
    /// The git blob id (sha1): the etag of a regular file.
    public var blobID: String
    /// The LFS object's sha256: the etag of an LFS file.
    public var lfsSHA256: String?
    public var lfsSize: Int64?
    public var xetHash: String?

    public init(path: String, size: Int64, blobID: String, lfsSHA256: String? = nil, lfsSize: Int64? = nil, xetHash: String? = nil) {
        self.path = path
        self.size = size
        self.blobID = blobID
        self.lfsSHA256 = lfsSHA256
        self.lfsSize = lfsSize
        self.xetHash = xetHash
    }

    /// The name of the blob in the cache: the LFS sha256, else the git blob id.
    public var etag: String { lfsSHA256 ?? blobID }
}

/// What a HEAD on `resolve` tells about one file.
public struct FileMetadata: Sendable, Equatable {
    public var commit: String
    /// The normalised etag: the blob's name in the cache.
    public var etag: String
    /// Where to GET the bytes (the resolve URL, or the CDN location it redirects to).
    public var location: String
    public var size: Int64?
    /// `X-Xet-Hash`: the file is stored in Xet (its key in the cache-wide shared blob store).
    public var xetHash: String?

    public init(commit: String, etag: String, location: String, size: Int64?, xetHash: String? = nil) {
        self.commit = commit
        self.etag = etag
        self.location = location
        self.size = size
        self.xetHash = xetHash
    }
}
