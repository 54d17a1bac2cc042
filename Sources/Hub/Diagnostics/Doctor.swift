import Foundation

/// The automated checks of `%doctor`. Each returns a `DoctorCheck` with the fix to apply.
/// Tokens are found by the auth engine's `TokenChain`, exactly as every other command finds them.
public struct Doctor: Sendable {
    public let environment: HubEnvironment
    public let transport: HTTPTransport
    /// The folder whose `.env` is checked (the notebook's folder).
    public let workingDirectory: String
    public let now: Date

    public init(environment: HubEnvironment, transport: HTTPTransport, workingDirectory: String, now: Date = Date()) {
        self.environment = environment
        self.transport = transport
        self.workingDirectory = workingDirectory
        self.now = now
    }

    private var tokens: TokenChain { TokenChain(environment: environment, transport: transport) }

    /// Every check, in the order `%doctor` shows them; `tokenName` picks a stored token as `--token-name` does.
    public func allChecks(repo: RepoID?, tokenName: String? = nil) -> [DoctorCheck] {
        let token: Result<ResolvedToken?, Error> = Result { try tokens.tokenToSend(explicitName: tokenName) }
        var checks = [hubReachable()]
        switch token {
        case .success(let resolved): checks.append(tokenValidity(resolved))
        case .failure(let error):
            let fix: String
            switch error {
            case AuthError.sessionExpired: fix = "Log in again with %hf_login (expired; refresh failed)."
            case is OAuthError: fix = "Fix the OIDC setup named above, or unset HF_OIDC_RESOURCE."
            default: fix = "Run %auth_list to see the stored token names."
            }
            checks.append(DoctorCheck("Token valid and scoped", .fail, "\(error)", fix: fix))
        }
        checks += [deprecatedTokenVariable(), shadowedToken(), tokenFileModes(), dotEnvIgnored(), noTokenInNotebooks(),
                   cacheLocation(), symlinkSupport(), staleIncompleteFiles()]
        checks += sharedCacheChecks(token: (try? token.get())??.value)
        if let repo {
            switch token {
            case .success(let resolved): checks.append(repoAccess(repo, token: resolved?.value))
            case .failure: checks.append(DoctorCheck("Access to \(repo.id)", .skip, "No token could be chosen.", fix: "See 'Token valid and scoped'."))
            }
        }
        return checks
    }

    /// Asks `whoami-v2` whether the token is valid, and warns when it can write although reading is all
    /// HubKernel needs.
    public func tokenValidity(_ token: ResolvedToken?) -> DoctorCheck {
        let name = "Token valid and scoped"
        guard let token else {
            return DoctorCheck(name, .warn, "No token is set: public repos only; gated and private repos will fail.",
                               fix: "Log in with %hf_login (or `hubkernel auth login` in a terminal).")
        }
        if environment.isOffline {
            return DoctorCheck(name, .skip, "\(token.masked) from \(token.source) is set; HF_HUB_OFFLINE is set, so the Hub is not asked whether it is valid.",
                               fix: "Unset HF_HUB_OFFLINE to check it.")
        }
        do {
            let info = try WhoAmIClient(environment: environment, transport: transport).fetch(token)
            let lifetime = TokenLifetime.of(token, environment: environment)
            let expiry = lifetime.map { " It \($0.summary(now: now))." } ?? ""
            // A browser login's OAuth token has scopes, not a role: whoami gives none, so say what it is instead.
            let kind = info.role.map { "a \($0.text) token" } ?? (lifetime != nil ? "a browser login" : "no role given by the Hub")
            let detail = "\(token.masked) from \(token.source) belongs to \(info.user) (\(kind))." + expiry
            if info.role == .write {
                return DoctorCheck(name, .warn, detail + " It can write, but downloads only need read access.",
                                   fix: "Create a read token at \(environment.endpoint)/settings/tokens and log in with it (%hf_login --force).")
            }
            return DoctorCheck(name, .pass, detail)
        } catch AuthError.invalidToken {
            return DoctorCheck(name, .fail, "\(token.masked) from \(token.source) is invalid or expired (HTTP 401).",
                               fix: "Create a new token at \(environment.endpoint)/settings/tokens, then %hf_login --force.")
        } catch {
            return DoctorCheck(name, .skip, "Could not check the token: \(error)", fix: "See 'Hub reachable'.")
        }
    }

    public func hubReachable() -> DoctorCheck {
        let name = "Hub reachable"
        if environment.isOffline {
            return DoctorCheck(name, .skip, "HF_HUB_OFFLINE is set: the Hub is not asked; downloads are served from the cache only.",
                               fix: "Unset HF_HUB_OFFLINE to reach the Hub.")
        }
        do {
            let started = Date()
            let response = try transport.send(HTTPRequest(url: environment.endpoint + "/api/whoami-v2", timeout: environment.etagTimeout))
            let milliseconds = Int(Date().timeIntervalSince(started) * 1000)
            let answered = "\(environment.endpoint) answers in " + (milliseconds < 1 ? "under 1 ms" : "\(milliseconds) ms")
            switch response.status {
            case 500...:
                return DoctorCheck(name, .warn, answered + ", but with HTTP \(response.status): the Hub or a proxy on the way has trouble.",
                                   fix: "Retry in a few minutes; set HF_HUB_OFFLINE=1 meanwhile to work from the cache.")
            case 200, 401:
                return DoctorCheck(name, .pass, answered + ".")
            default:
                return DoctorCheck(name, .warn, answered + ", but /api/whoami-v2 gives HTTP \(response.status): this does not look like a Hub.",
                                   fix: "Check HF_ENDPOINT (now \(environment.endpoint)): it must be the Hub's address or a mirror of its API.")
            }
        } catch let error as HTTPTransportError where error.kind == .clientUnavailable {
            return DoctorCheck(name, .fail, "No request can be made: \(error.detail).",
                               fix: "Then run the doctor again.")
        } catch let error as HTTPTransportError {
            return DoctorCheck(name, .fail, "\(environment.endpoint) cannot be reached: \(error.detail).",
                               fix: "Check your network or proxy (HTTPS_PROXY), and HF_ENDPOINT if you use a mirror. Set HF_HUB_OFFLINE=1 to work from the cache only.")
        } catch {
            return DoctorCheck(name, .fail, "\(environment.endpoint) cannot be reached: \(error).", fix: "Check your network and HF_ENDPOINT.")
        }
    }

    public func deprecatedTokenVariable() -> DoctorCheck {
        let name = "HUGGINGFACE_TOKEN"
        guard environment.variables["HUGGINGFACE_TOKEN"] != nil else { return DoctorCheck(name, .pass, "Not set.") }
        return DoctorCheck(name, .warn, "HUGGINGFACE_TOKEN is set, but huggingface_hub no longer reads it.",
                           fix: "Rename it to HF_TOKEN (or log in with %hf_login and unset it).")
    }

    public func shadowedToken() -> DoctorCheck {
        let name = "Token not shadowed"
        guard let fromEnvironment = tokens.environmentToken() else {
            return DoctorCheck(name, .pass, "No token environment variable overrides the saved token.")
        }
        guard let saved = try? tokens.fileToken() else {
            return DoctorCheck(name, .pass, "\(fromEnvironment.source) is the only token (no saved token).")
        }
        if saved.value == fromEnvironment.value {
            return DoctorCheck(name, .pass, "\(fromEnvironment.source) holds the same token as the saved one.")
        }
        let variable = tokens.selectedVariable() ?? "HF_TOKEN"
        return DoctorCheck(name, .warn, "\(fromEnvironment.source) (\(fromEnvironment.masked)) overrides the token saved by %hf_login (\(saved.masked)).",
                           fix: "Unset \(variable) (in the shell that starts Jupyter, or in .env) to use the saved token, or log in again with the token you want.")
    }

    public func tokenFileModes() -> DoctorCheck {
        let name = "Token file permissions"
        var problems: [String] = []
        var fixes: [String] = []
        for path in [environment.tokenPath, environment.storedTokensPath] {
            guard let status = FileSystem.status(of: path) else { continue }
            if status.permissions & 0o077 != 0 {
                problems.append("\(path) is readable by others (mode \(String(status.permissions, radix: 8)))")
                fixes.append("chmod 600 \(path)")
            }
        }
        let folder = FileSystem.parent(of: environment.tokenPath)
        if let status = FileSystem.status(of: folder), status.permissions & 0o022 != 0 {
            problems.append("\(folder) is writable by others (mode \(String(status.permissions, radix: 8)))")
            fixes.append("chmod go-w \(folder)")
        }
        guard !problems.isEmpty else { return DoctorCheck(name, .pass, "Token files are private to you (or absent).") }
        return DoctorCheck(name, .fail, problems.joined(separator: "; ") + ".", fix: "Run: " + fixes.joined(separator: " && "))
    }

    public func dotEnvIgnored() -> DoctorCheck {
        let name = ".env ignored by git"
        let path = workingDirectory + "/.env"
        guard FileSystem.status(of: path) != nil else { return DoctorCheck(name, .pass, "No .env in \(workingDirectory).") }
        switch GitIgnoreStatus.check(path, environment: environment.variables) {
        case .ignored: return DoctorCheck(name, .pass, "\(path) is git-ignored.")
        case .notIgnored: return DoctorCheck(name, .fail, "\(path) may hold secrets and is not git-ignored.",
                                             fix: "Add .env to .gitignore (echo .env >> .gitignore) before committing.")
        case .notInRepository, .unknown: return DoctorCheck(name, .pass, "\(path) is not in a git work tree.")
        }
    }

    /// Scans the notebooks under the working folder for tokens (no network: `%token_scan --check` asks the Hub).
    public func noTokenInNotebooks() -> DoctorCheck {
        let name = "No token in notebooks"
        let options = TokenScanOptions(paths: [workingDirectory], notebooksOnly: true)
        guard let result = try? TokenScanner(options: options, environment: environment.variables, home: workingDirectory).scan() else {
            return DoctorCheck(name, .skip, "\(workingDirectory) could not be scanned.")
        }
        guard !result.findings.isEmpty else {
            return DoctorCheck(name, .pass, "No token in the \(result.filesScanned) notebook(s) under \(workingDirectory).")
        }
        let files = Array(Set(result.findings.map(\.path))).sorted()
        let first = result.findings[0]
        let count = result.distinctTokens.count
        return DoctorCheck(name, .fail, "\(count) token(s) in \(files.count) notebook(s): \(first.path) (\(first.whereText): \(first.masked))"
                           + (result.findings.count > 1 ? " and \(result.findings.count - 1) more place(s)." : "."),
                           fix: "Run %token_scan --check to see where and whether they still work, revoke them at \(environment.endpoint)/settings/tokens, "
                               + "then %token_scan --fix to clear the outputs.")
    }

    public func cacheLocation() -> DoctorCheck {
        let name = "Cache writable"
        var folder = environment.hubCache
        while FileSystem.status(of: folder) == nil && folder != "/" { folder = FileSystem.parent(of: folder) }
        if let file = FileSystem.fileInTheWay(of: environment.hubCache) {
            return DoctorCheck(name, .fail, HubError(.cacheBlocked(cache: environment.hubCache, file: file)).message,
                               fix: "Point HF_HOME (or HF_HUB_CACHE) at a folder, or move that file away.")
        }
        guard FileSystem.isWritable(folder) else {
            return DoctorCheck(name, .fail, "\(folder) (for \(environment.hubCache)) is not writable.",
                               fix: "Fix its permissions, or set HF_HUB_CACHE / HF_HOME to a folder you own.")
        }
        let mount = Self.mountPoint(of: FileSystem.realPath(folder) ?? folder)
        guard let space = FileSystem.space(at: folder) else {
            return DoctorCheck(name, .pass, "\(environment.hubCache) is writable (on \(mount)).")
        }
        let detail = "\(environment.hubCache) is writable, on \(mount): \(ByteCount.format(space.available)) free of \(ByteCount.format(space.total))."
        if space.available < 5_000_000_000 {
            return DoctorCheck(name, .warn, detail, fix: "Free space (%cache prune, %cache rm) or point HF_HUB_CACHE at a larger disk.")
        }
        return DoctorCheck(name, .pass, detail)
    }

    public func symlinkSupport() -> DoctorCheck {
        let name = "Symlinks in cache"
        var folder = environment.hubCache
        while FileSystem.status(of: folder) == nil && folder != "/" { folder = FileSystem.parent(of: folder) }
        if environment.disablesSymlinks {
            return DoctorCheck(name, .pass, "HF_HUB_DISABLE_SYMLINKS is set: each revision gets its own copy of each file.")
        }
        guard FileSystem.isWritable(folder), FileSystem.fileInTheWay(of: environment.hubCache) == nil else {
            return DoctorCheck(name, .skip, "\(folder) cannot be written (read-only, not yours, or a file), so symlinks cannot be tried.",
                               fix: "See 'Cache writable'.")
        }
        let link = folder + "/.hubkernel-doctor-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        defer { FileSystem.removeFile(link) }
        if FileSystem.makeSymlink(at: link, to: "target"), FileSystem.readLink(link) == "target" {
            return DoctorCheck(name, .pass, "\(folder) supports symlinks (files are shared between revisions).")
        }
        return DoctorCheck(name, .warn, "\(folder) does not support symlinks: every revision gets its own copy of each file.",
                           fix: "Put HF_HUB_CACHE on a file system with symlinks (ext4, APFS, NTFS with developer mode).")
    }

    public func staleIncompleteFiles() -> DoctorCheck {
        let name = "Interrupted downloads"
        guard let info = try? CacheScanner(cacheDir: environment.hubCache).scan() else {
            return DoctorCheck(name, .pass, "No cache yet.")
        }
        let day = now.timeIntervalSince1970 - 86_400
        let stale = info.incompleteFiles.filter { file in
            (FileSystem.status(of: file.filePath)?.modified ?? 0) < day
                && !FileSystem.isLocked(CachePrunePlan.lockPath(of: file.filePath, cacheDir: info.cacheDir))
        }
        guard !stale.isEmpty else { return DoctorCheck(name, .pass, "No stale .incomplete files.") }
        let size = stale.reduce(Int64(0)) { $0 + $1.sizeOnDisk }
        return DoctorCheck(name, .warn, "\(stale.count) .incomplete file(s) older than a day (\(ByteCount.format(size))).",
                           fix: "Resume them by downloading again, or delete them with %cache prune.")
    }

    /// `GET /api/{type}s/{repo}/auth-check`: can the current token read the repo (licence accepted)?
    public func repoAccess(_ repo: RepoID, token: String?) -> DoctorCheck {
        let name = "Access to \(repo.id)"
        let page = environment.endpoint + "/" + repo.type.urlPrefix + repo.id
        if environment.isOffline {
            return DoctorCheck(name, .skip, "HF_HUB_OFFLINE is set: the Hub is not asked.", fix: "Unset HF_HUB_OFFLINE to check access.", link: page)
        }
        let url = environment.endpoint + "/api/" + repo.type.apiCollection + "/" + repo.id + "/auth-check"
        var headers: [(name: String, value: String)] = [("user-agent", AuthorizationPolicy.userAgent)]
        if let token, let header = AuthorizationPolicy.header(for: token, url: url, endpoint: environment.endpoint) {
            headers.append(header)
        }
        guard let response = try? transport.send(HTTPRequest(url: url, headers: headers, timeout: environment.etagTimeout)) else {
            return DoctorCheck(name, .skip, "The Hub cannot be reached.", fix: "See 'Hub reachable'.")
        }
        switch (response.status, response.headers["X-Error-Code"]) {
        case (200, _):
            return DoctorCheck(name, .pass, "Your token can read \(repo.id).")
        case (401, _) where token == nil:
            return DoctorCheck(name, .fail, "\(repo.id) needs a token and none is set.", fix: "Log in with %hf_login.", link: page)
        case (_, "GatedRepo"?), (403, _):
            return DoctorCheck(name, .fail, "\(repo.id) is gated and your account has not been granted access.",
                               fix: "Open the repo page, accept its licence/conditions with the account of your token, then retry.", link: page)
        case (401, _), (404, _):
            return DoctorCheck(name, .fail, "\(repo.id) was not found, or is private to an account your token does not belong to.",
                               fix: "Check the repo id and --repo-type, or log in with a token of an account that can see it.", link: page)
        default:
            return DoctorCheck(name, .warn, "The Hub answered HTTP \(response.status).", fix: "Retry later.", link: page)
        }
    }

    /// The mount point holding `path`, from `/proc/self/mounts` (longest matching prefix).
    static func mountPoint(of path: String) -> String {
        guard let text = try? String(contentsOfFile: "/proc/self/mounts", encoding: .utf8) else { return "/" }
        var best = "/"
        var device = ""
        for line in text.split(separator: "\n") {
            let fields = line.split(separator: " ")
            guard fields.count >= 2 else { continue }
            let point = fields[1].replacingOccurrences(of: "\\040", with: " ")
            if (path == point || path.hasPrefix(point == "/" ? "/" : point + "/")) && point.count >= best.count {
                best = point
                device = String(fields[0])
            }
        }
        return device.isEmpty ? best : "\(best) (\(device))"
    }
}
