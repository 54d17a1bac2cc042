"""Repositories built from folders of plain files: revisions, git ids, LFS entries, and the manifest that declares them.

Manifest (`<root>/repos.json`)::

    {"lfs_threshold": 1048576,
     "repos": [{"type": "model", "id": "demo/tiny-model", "private": false, "gated": false,
                "approved": ["alice"], "pending": ["carol"], "disabled": false,
                "revisions": [{"name": "main", "dir": "sources/tiny/main"},
                              {"name": "v1.0", "kind": "tag", "dir": "sources/tiny/v1"},
                              {"name": "refs/pr/1", "kind": "pr", "dir": "sources/tiny/pr1"}]}]}

`dir` is relative to the root. A revision may say `"same_as": "main"` instead of `dir` to point at the same commit.
`"xet": true` stores the repo's LFS files (above the LFS threshold) in Xet storage (xet.py): `/resolve` adds
`X-Xet-Hash` and the `xet-auth` / `xet-reconstruction-info` links, tree entries add `xetHash`.
`gated` is false, "auto" or "manual"; `pending` lists users whose access request awaits review. `aliases` lists former names of a renamed repo: the Hub answers requests for
them with a 307 to the same URL under the new name (relative Location). Revisions are committed in order, each one the parent of the next.

A revision may also say `"hostile_paths": {"../../escape.txt": "config.json"}`: extra entries a malicious or broken
Hub could list (path traversal, absolute paths) under those names, with the size, ids and bytes of a real file of the
revision. They appear in root tree listings and repo info siblings and `/resolve` serves them, but they are not part of
the git tree or the commit id (git cannot store such names).
"""
import json
from dataclasses import dataclass, field, replace
from pathlib import Path

from . import githash
from .store import BlobStore
from .xet import XetStore

REPO_TYPES = ("model", "dataset", "space")
DEFAULT_LFS_THRESHOLD = 1024 * 1024
LAST_MODIFIED = "2024-01-01T00:00:00.000Z"
# Files named like this record how a generated source was made (see samples.py); they are not repo files.
SEED_MARKER_PREFIX = ".localhub-seed-"


@dataclass(frozen=True)
class RepoEntry:
    """One file of a revision."""

    path: str
    size: int
    sha256: str
    content_oid: str  # git blob id of the content
    is_lfs: bool
    xet_hash: str | None = None  # Xet file hash (X-Xet-Hash) of an LFS file of a repo with `"xet": true`

    @property
    def pointer(self) -> bytes:
        return githash.lfs_pointer(self.sha256, self.size)

    @property
    def git_oid(self) -> str:
        """The blob id git stores: the LFS pointer's for LFS files, the content's otherwise."""
        return githash.blob_oid_of_bytes(self.pointer) if self.is_lfs else self.content_oid

    @property
    def etag(self) -> str:
        """What `/resolve` reports as ETag (X-Linked-Etag for LFS): sha256 for LFS, git blob id otherwise."""
        return self.sha256 if self.is_lfs else self.content_oid


@dataclass(frozen=True)
class Revision:
    """A commit with its files and folders (folder path -> git tree id; "" is the root)."""

    name: str
    kind: str  # "branch", "tag" or "pr"
    commit: str
    files: dict[str, RepoEntry]
    folders: dict[str, str]
    hostile: dict[str, RepoEntry] = field(default_factory=dict)  # listed name -> entry (see `hostile_paths`)

    def entry(self, path: str) -> RepoEntry | None:
        """The file `/resolve` serves at `path` (a real file or a hostile listing entry)."""
        return self.files.get(path) or self.hostile.get(path)


@dataclass
class Repo:
    """A repository and its access rules."""

    type: str
    id: str
    private: bool = False
    gated: bool | str = False
    approved: tuple[str, ...] = ()
    pending: tuple[str, ...] = ()  # users who asked for access to a gated repo; the request awaits review
    disabled: bool = False
    aliases: tuple[str, ...] = ()  # former names: requests for them are redirected (307, relative Location)
    xet: bool = False  # LFS files are Xet-backed
    revisions: dict[str, Revision] = field(default_factory=dict)

    def xet_hashes(self) -> set[str]:
        """The Xet file hashes of every revision (what a Xet read token for this repo may reconstruct)."""
        return {e.xet_hash for rev in self.revisions.values() for e in rev.files.values() if e.xet_hash}

    @property
    def namespace(self) -> str:
        return self.id.split("/")[0] if "/" in self.id else ""

    def resolve_revision(self, name: str) -> Revision | None:
        """A branch, tag, PR ref or full commit id."""
        if name in self.revisions:
            return self.revisions[name]
        return next((rev for rev in self.revisions.values() if rev.commit == name), None)


def _folder_oids(files: dict[str, RepoEntry]) -> dict[str, str]:
    children: dict[str, dict[str, tuple[str, bool]]] = {"": {}}
    for path in files:
        parts = path.split("/")
        for depth in range(1, len(parts)):
            folder, parent = "/".join(parts[:depth]), "/".join(parts[: depth - 1])
            children.setdefault(folder, {})
            children.setdefault(parent, {})[parts[depth - 1]] = ("", True)
        children.setdefault("/".join(parts[:-1]), {})[parts[-1]] = (files[path].git_oid, False)
    oids: dict[str, str] = {}
    for folder in sorted(children, key=lambda p: -p.count("/") if p else 1):
        entries = []
        for name, (oid, is_dir) in children[folder].items():
            child = f"{folder}/{name}" if folder else name
            entries.append((name, oids[child] if is_dir else oid, is_dir))
        oids[folder] = githash.tree_oid(entries)
    return oids


def scan_folder(directory: Path, store: BlobStore, lfs_threshold: int) -> dict[str, RepoEntry]:
    """All files under `directory` (nested, any names), ingested into the store."""
    files = {}
    for source in sorted(p for p in directory.rglob("*") if p.is_file() and not p.name.startswith(SEED_MARKER_PREFIX)):
        rel = source.relative_to(directory).as_posix()
        digest = store.ingest(source)
        files[rel] = RepoEntry(path=rel, size=digest.size, sha256=digest.sha256, content_oid=digest.git_oid,
                               is_lfs=digest.size > lfs_threshold)
    return files


def _hostile_entries(names: dict[str, str], files: dict[str, RepoEntry], where: str) -> dict[str, RepoEntry]:
    """`hostile_paths` entries: each listed name reuses the content of a real file of the revision."""
    missing = sorted(set(names.values()) - set(files))
    if missing:
        raise ValueError(f"{where}: hostile_paths must name files of the revision, not {missing}")
    return {listed: replace(files[real], path=listed) for listed, real in names.items()}


def _with_xet(files: dict[str, RepoEntry], store: BlobStore, xet: XetStore) -> dict[str, RepoEntry]:
    """The LFS entries with their Xet file hash (built into xorbs on first use)."""
    return {path: replace(entry, xet_hash=xet.ingest(store.path_for(entry.sha256), entry.sha256).hash)
            if entry.is_lfs else entry for path, entry in files.items()}


def build_repo(spec: dict, root: Path, store: BlobStore, lfs_threshold: int, xet: XetStore | None = None) -> Repo:
    """Build one repo from its manifest entry."""
    if spec.get("type", "model") not in REPO_TYPES:
        raise ValueError(f"repo {spec.get('id')}: type must be one of {REPO_TYPES}")
    repo = Repo(type=spec.get("type", "model"), id=spec["id"], private=bool(spec.get("private", False)),
                gated=spec.get("gated", False) or False, approved=tuple(spec.get("approved", ())),
                pending=tuple(spec.get("pending", ())),
                disabled=bool(spec.get("disabled", False)), aliases=tuple(spec.get("aliases", ())),
                xet=bool(spec.get("xet", False)))
    if repo.xet and xet is None:
        raise ValueError(f"repo {repo.id}: \"xet\": true needs a XetStore")
    parent = None
    for rev_spec in spec.get("revisions") or [{"name": "main", "dir": spec["dir"]}]:
        name, kind = rev_spec["name"], rev_spec.get("kind", "branch")
        if "same_as" in rev_spec:
            same = repo.revisions[rev_spec["same_as"]]
            repo.revisions[name] = Revision(name, kind, same.commit, same.files, same.folders, same.hostile)
            continue
        files = scan_folder(root / rev_spec["dir"], store, lfs_threshold)
        if repo.xet:
            files = _with_xet(files, store, xet)
        folders = _folder_oids(files)
        commit = githash.commit_oid(folders[""], f"{repo.id}: {name}", parent)
        hostile = _hostile_entries(rev_spec.get("hostile_paths") or {}, files, f"repo {repo.id}@{name}")
        repo.revisions[name] = Revision(name, kind, commit, files, folders, hostile)
        parent = commit
    return repo


def load_repos(root: Path, store: BlobStore, lfs_threshold: int | None = None,
               xet: XetStore | None = None) -> dict[tuple[str, str], Repo]:
    """All repos of `<root>/repos.json`, keyed by (type, id)."""
    manifest = json.loads((root / "repos.json").read_text())
    threshold = lfs_threshold if lfs_threshold is not None else manifest.get("lfs_threshold", DEFAULT_LFS_THRESHOLD)
    repos = {}
    for spec in manifest["repos"]:
        repo = build_repo(spec, root, store, threshold, xet)
        repos[(repo.type, repo.id)] = repo
    store.save_index()
    return repos
