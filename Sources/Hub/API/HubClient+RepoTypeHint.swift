import Foundation

extension HubClient {
    /// The other repo types under which `repo`'s id exists on the Hub: a dataset id asked for
    /// as a model (the default) is the usual slip. One API call per other type, made only after
    /// a `RepositoryNotFoundError`.
    ///
    /// ```swift
    /// client.otherRepoTypes(holding: try RepoID("demo/tiny-dataset"))   // [.dataset]
    /// ```
    public func otherRepoTypes(holding repo: RepoID) -> [RepoType] {
        RepoType.allCases.filter { type in
            type != repo.type && (try? get("\(endpoint)/api/\(type.apiCollection)/\(repo.id)"))?.status == 200
        }
    }

    /// `error` with the repo types that do hold this id, when it says the repo was not found.
    func addingRepoTypeHint(to error: HubError, for repo: RepoID) -> HubError {
        guard case .repoNotFound(let id, let requested, _) = error.kind else { return error }
        return HubError(.repoNotFound(repo: id, requested: requested, existingTypes: otherRepoTypes(holding: repo)), requestID: error.requestID)
    }
}
