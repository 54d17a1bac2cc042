"""JSON bodies of the repo API: revision info, tree listing entries, refs, sharded safetensors metadata."""
import functools
import hashlib
import json
from pathlib import Path

from . import hub_errors
from .card import card_data
from .repos import LAST_MODIFIED, Repo, RepoEntry, Revision
from .safetensors import parameter_counts, read_header
from .store import BlobStore


def _lfs(entry: RepoEntry, sha_key: str) -> dict:
    return {sha_key: entry.sha256, "size": entry.size, "pointerSize": len(entry.pointer)}


@functools.lru_cache(maxsize=4096)
def _blob_header(blob: Path) -> dict | None:
    """The safetensors header of one stored blob (blobs are named by content, so the answer never changes; callers
    must not modify it)."""
    return read_header(blob)


def _blob_parameters(blob: Path) -> tuple[tuple[str, int], ...]:
    """Parameters by dtype of one stored blob."""
    return tuple(parameter_counts(_blob_header(blob)).items())


def _safetensors(revision: Revision, store: BlobStore) -> dict | None:
    """`{"parameters": {dtype: count}, "total": count}` over the revision's `.safetensors` files, as the Hub reports."""
    counts: dict[str, int] = {}
    for entry in revision.files.values():
        if entry.path.endswith(".safetensors"):
            for dtype, count in _blob_parameters(store.path_for(entry.sha256)):
                counts[dtype] = counts.get(dtype, 0) + count
    return {"parameters": counts, "total": sum(counts.values())} if counts else None


def _card_fields(repo: Repo, revision: Revision, store: BlobStore) -> dict:
    """cardData, library_name, pipeline_tag, tags and safetensors, from the README front matter and the weights."""
    readme = revision.files.get("README.md")
    card = card_data(store.path_for(readme.sha256).read_text()) if readme else None
    fields: dict = {"cardData": card} if card is not None else {}
    card = card or {}
    tags = list(card.get("tags", []))
    for key in ("library_name", "pipeline_tag"):
        if key in card:
            fields[key] = card[key]
    safetensors = _safetensors(revision, store) if repo.type == "model" else None
    if safetensors:
        fields["safetensors"] = safetensors
        tags.append("safetensors")
    if "library_name" in card:
        tags.insert(0, card["library_name"])
    if "license" in card:
        tags.append(f"license:{card['license']}")
    fields["tags"] = tags
    return fields


def repo_info(repo: Repo, revision: Revision, with_blobs: bool, store: BlobStore | None = None,
              expand: list[str] | None = None) -> dict:
    """`GET /api/{type}s/{repo}[/revision/{rev}][?blobs=true][&expand=…]`: with `expand`, only those properties
    (plus `_id` and `id`), as the Hub answers."""
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
        "downloads": int(hashlib.sha1(repo.id.encode()).hexdigest()[:5], 16),  # stable, non-zero sample numbers
        "likes": int(hashlib.sha1(repo.id.encode()).hexdigest()[5:7], 16),
        "tags": [],
        **(_card_fields(repo, revision, store) if store is not None else {}),
        "siblings": siblings,
        "usedStorage": sum(e.size for e in revision.files.values()),
    }
    if repo.type == "model":
        info["modelId"] = repo.id
    elif repo.type == "space":
        info.update(sdk="static", subdomain=repo.id.replace("/", "-").lower())
    if expand:
        return {key: value for key, value in info.items() if key in ("_id", "id", *expand)}
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
            if entry.xet_hash:
                item["xetHash"] = entry.xet_hash
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


def sharded_safetensors_metadata(revision: Revision, index_path: str, store: BlobStore) -> dict:
    """`GET /api/models/{repo}/safetensors-metadata/{index}` (what `get_sharded_safetensors_metadata` reads): the index
    without its `weight_map`, and every shard's parsed header, `{"index": {...}, "headers": {shard: header}}`."""
    entry = revision.entry(index_path)
    if entry is None:
        raise hub_errors.entry_not_found(revision.commit)
    try:
        index = json.loads(store.path_for(entry.sha256).read_bytes())
        weight_map = index["weight_map"]
    except (OSError, ValueError, KeyError, TypeError):
        raise hub_errors.HubError(400, f"{index_path} is not a safetensors index (a JSON object with a weight_map)")
    headers = {}
    for shard in sorted(set(weight_map.values())):
        shard_entry = revision.entry(shard)
        header = _blob_header(store.path_for(shard_entry.sha256)) if shard_entry else None
        if header is None:
            raise hub_errors.HubError(400, f"{index_path} names {shard}, which is not a safetensors file of this repo")
        headers[shard] = header
    return {"index": {k: v for k, v in index.items() if k != "weight_map"}, "headers": headers}
