"""JSON bodies of the repo API: revision info, tree listing entries, refs."""
import hashlib

from . import hub_errors
from .repos import LAST_MODIFIED, Repo, RepoEntry, Revision


def _lfs(entry: RepoEntry, sha_key: str) -> dict:
    return {sha_key: entry.sha256, "size": entry.size, "pointerSize": len(entry.pointer)}


def repo_info(repo: Repo, revision: Revision, with_blobs: bool) -> dict:
    """`GET /api/{type}s/{repo}[/revision/{rev}]`."""
    siblings = []
    for entry in sorted([*revision.files.values(), *revision.hostile.values()], key=lambda e: e.path):
        sibling = {"rfilename": entry.path}
        if with_blobs:
            sibling.update(size=entry.size, blobId=entry.git_oid)
            if entry.is_lfs:
                sibling["lfs"] = _lfs(entry, "sha256")
        siblings.append(sibling)
    info = {
        "_id": hashlib.sha1(f"{repo.type}/{repo.id}".encode()).hexdigest()[:24],
        "id": repo.id,
        "author": repo.namespace or None,
        "sha": revision.commit,
        "lastModified": LAST_MODIFIED,
        "createdAt": LAST_MODIFIED,
        "private": repo.private,
        "gated": repo.gated,
        "disabled": repo.disabled,
        "downloads": 0,
        "likes": 0,
        "tags": [],
        "siblings": siblings,
        "usedStorage": sum(e.size for e in revision.files.values()),
    }
    if repo.type == "model":
        info["modelId"] = repo.id
    elif repo.type == "space":
        info.update(sdk="static", subdomain=repo.id.replace("/", "-").lower())
    return info


def tree_entries(revision: Revision, path: str, recursive: bool) -> list[dict]:
    """`GET /api/{type}s/{repo}/tree/{rev}[/{path}]`: folders and files under `path`, sorted by path."""
    path = path.strip("/")
    if path and path not in revision.folders:
        raise hub_errors.entry_not_found(revision.commit)
    prefix = f"{path}/" if path else ""

    def wanted(candidate: str) -> bool:
        return candidate.startswith(prefix) and (recursive or "/" not in candidate[len(prefix):])

    entries = [{"type": "directory", "oid": oid, "size": 0, "path": folder}
               for folder, oid in revision.folders.items() if folder and wanted(folder)]
    hostile = list(revision.hostile.values()) if not path else []  # listed at the root, whatever their names say
    for entry in [*revision.files.values(), *hostile]:
        if wanted(entry.path) or entry in hostile:
            item = {"type": "file", "oid": entry.git_oid, "size": entry.size, "path": entry.path}
            if entry.is_lfs:
                item["lfs"] = _lfs(entry, "oid")
            entries.append(item)
    return sorted(entries, key=lambda e: e["path"])


def refs(repo: Repo, include_prs: bool) -> dict:
    """`GET /api/{type}s/{repo}/refs[?include_prs=1]` (list_repo_refs)."""
    groups = {"branch": "branches", "tag": "tags", "pr": "pullRequests"}
    result = {"branches": [], "converts": [], "tags": [], "pullRequests": []}
    for revision in repo.revisions.values():
        name = revision.name
        result[groups[revision.kind]].append({"name": name, "ref": name if name.startswith("refs/") else
                                              f"refs/{'heads' if revision.kind == 'branch' else 'tags'}/{name}",
                                              "targetCommit": revision.commit})
    if not include_prs:
        del result["pullRequests"]
    return result
