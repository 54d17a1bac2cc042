import Foundation

/// `%doctor`'s checks for a cache shared by a team (shown only when the cache is shared): that the group can use
/// what everyone writes, that no token lives in it, and which gated repos others downloaded that this token
/// cannot read on the Hub (their files are readable from the cache all the same: the licence still applies).
extension Doctor {
    /// The shared-cache checks, or none for a cache that is this user's alone.
    func sharedCacheChecks(token: String?) -> [DoctorCheck] {
        guard let survey = SharedCacheSurvey(cacheDir: environment.hubCache), survey.isShared else { return [] }
        return [sharedCache(survey), gatedFilesFromOthers(token: token)]
    }

    /// "Shared cache": who shares it, and whether new files, locks and interrupted downloads stay usable by the group.
    public func sharedCache(_ survey: SharedCacheSurvey) -> DoctorCheck {
        let name = "Shared cache"
        let cache = survey.cacheDir
        let mask = FileSystem.currentUmask
        var detail = "\(cache) is shared with group \(survey.groupName) (mode \(String(survey.mode, radix: 8))"
            + (survey.isSetgid ? ", setgid" : "") + ")"
            + (survey.otherWriters.isEmpty ? "" : "; also written by \(survey.otherWriters.joined(separator: ", "))") + "."
        if environment.tokenPath.hasPrefix(cache + "/") {
            return DoctorCheck(name, .fail, detail + " Your token file \(environment.tokenPath) is inside it.",
                               fix: "Move it out: set HF_TOKEN_PATH (or HF_HOME) to a folder of your own, log in again, and delete the old file.")
        }
        var problems: [String] = [], fixes: [String] = []
        if mask & 0o020 != 0 {
            problems.append("your umask \(String(format: "%03o", mask)) makes new files read-only to the group (others cannot resume your interrupted downloads)")
            fixes.append("set umask 002 where Jupyter starts (the spawner, or ~/.profile)")
        }
        if !survey.isSetgid {
            problems.append("the folder is not setgid, so new folders get each writer's own group")
            fixes.append("chgrp -R \(survey.groupName) \(cache) && find \(cache) -type d -exec chmod g+s {} +")
        }
        if let first = survey.blockers.first {
            problems.append("\(survey.blockerCount) entr\(survey.blockerCount == 1 ? "y" : "ies") the group cannot \(first.lacking), e.g. \(first.path) "
                            + "(owner \(first.owner), mode \(String(first.mode, radix: 8)))")
            fixes.append("ask the owners to run `chmod -R g+rwX \(cache)`")
        }
        guard problems.isEmpty else {
            return DoctorCheck(name, .warn, detail + " But " + problems.joined(separator: "; ") + ".", fix: fixes.joined(separator: "; ") + ".")
        }
        detail += " Your umask \(String(format: "%03o", mask)) keeps new files usable by the group; no entry is closed to it."
        return DoctorCheck(name, .pass, detail)
    }

    /// "Gated repos from others": repos in the shared cache written by other users that this token may not download.
    public func gatedFilesFromOthers(token: String?) -> DoctorCheck {
        let name = "Gated repos from others"
        guard let repos = try? CacheScanner(cacheDir: environment.hubCache).scan().repos else {
            return DoctorCheck(name, .pass, "No repo in the cache yet.")
        }
        let fromOthers = repos.compactMap { repo -> (RepoID, [String])? in
            let writers = SharedCacheSurvey.otherWriters(ofRepoFolder: repo.repoPath)
            guard !writers.isEmpty, let type = RepoType(argument: repo.repoType), let id = try? RepoID(repo.repoID, type: type) else { return nil }
            return (id, writers)
        }
        guard !fromOthers.isEmpty else { return DoctorCheck(name, .pass, "Every repo in the cache was downloaded by you.") }
        if environment.isOffline {
            return DoctorCheck(name, .skip, "\(fromOthers.count) repo(s) in the cache were downloaded by others; HF_HUB_OFFLINE is set, so whether you may use them is not checked.",
                               fix: "Unset HF_HUB_OFFLINE to check your access on the Hub.")
        }
        let client = HubClient(environment: environment, token: token, transport: transport)
        let closed = fromOthers.prefix(20).filter { (try? client.access(to: $0.0, gated: true))?.mayDownload == false }
        guard let first = closed.first?.0 else {
            return DoctorCheck(name, .pass, "You may download all \(fromOthers.count) repo(s) others put in the cache.")
        }
        return DoctorCheck(name, .warn, "The shared cache lets you read the files of gated repo(s) your account has no access to on the Hub: "
                           + closed.map { "\($0.0.id) (downloaded by \($0.1.joined(separator: ", ")))" }.joined(separator: "; ") + ".",
                           fix: "Do not use them until the authors grant your account access: request it on the repo page and log in with that account.",
                           link: client.repoPage(first))
    }
}
