"""Fidelity proof: the reference client (huggingface_hub 2.4.0, in subprocesses) against the local Hub.

Expected values come from the sample sources on disk, hashed here independently of localhub's own code; if the
reference client disagrees with the local Hub, the local Hub is wrong.
"""
import fnmatch
import hashlib
import json
import os
from pathlib import Path

import pytest

from localhub.samples import TOKEN_ROLES, USERS

TINY = "demo/tiny-model"
LFS_THRESHOLD = 1024 * 1024


def git_blob_sha1(data: bytes) -> str:
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def source_files(folder: Path) -> dict[str, Path]:
    return {p.relative_to(folder).as_posix(): p for p in folder.rglob("*")
            if p.is_file() and not p.name.startswith(".localhub-")}


def cache_folder(env: dict, repo_id: str, repo_type: str = "model") -> Path:
    return Path(env["HF_HOME"]) / "hub" / f"{repo_type}s--{repo_id.replace('/', '--')}"


def assert_cached_file(env: dict, repo_id: str, filename: str, source: Path, commit: str, ref: str = "main"):
    """The cache tree huggingface_hub builds: snapshot symlink -> blob named by its etag, refs/<ref> = commit."""
    data = source.read_bytes()
    etag = hashlib.sha256(data).hexdigest() if len(data) > LFS_THRESHOLD else git_blob_sha1(data)
    folder = cache_folder(env, repo_id)
    blob = folder / "blobs" / etag
    pointer = folder / "snapshots" / commit / filename
    assert blob.read_bytes() == data
    assert pointer.is_symlink() and pointer.resolve() == blob.resolve()
    assert not os.path.isabs(os.readlink(pointer)), "snapshot symlinks are relative"
    assert (folder / "refs" / ref).read_text() == commit


# -- whoami ------------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("role", sorted(TOKEN_ROLES))
def test_whoami_each_role(local_hub, hf_run, role):
    user, display_name, kind = TOKEN_ROLES[role]
    info = hf_run("from huggingface_hub import whoami\nprint(json.dumps(whoami()))", token=local_hub.tokens[role])
    assert info["type"] == "user" and info["name"] == user
    assert info["fullname"] == USERS[user]["fullname"] and info["email"] == USERS[user]["email"]
    assert [(o["name"], o["fullname"]) for o in info["orgs"]] == [(o["name"], o["fullname"]) for o in USERS[user]["orgs"]]
    assert info["auth"]["type"] == "access_token"
    assert info["auth"]["accessToken"]["displayName"] == display_name
    assert info["auth"]["accessToken"]["role"] == kind


def test_whoami_bad_token_is_401(local_hub, hf_run):
    bad = "hf_" + "x" * 34
    result = hf_run("from huggingface_hub import whoami\nprint(json.dumps(whoami()))", token=bad)
    assert result["error"] == "HfHubHTTPError" and result["status"] == 401
    assert "Invalid user token" in result["message"]


# -- hf_hub_download -----------------------------------------------------------------------------------------------
DOWNLOAD = """
from huggingface_hub import hf_hub_download
path = hf_hub_download({repo!r}, {filename!r}, revision={revision!r})
print(json.dumps({{"path": path}}))
"""


def download(hf_run, repo, filename, revision="main", token=None):
    return hf_run(DOWNLOAD.format(repo=repo, filename=filename, revision=revision), token=token)


def head_commit(local_hub, repo_id, revision="main"):
    """The commit of a revision, from the repo API (checked against `git` in test_localhub_git.py)."""
    import urllib.parse
    import urllib.request
    url = f"{local_hub.endpoint}/api/models/{repo_id}/revision/{urllib.parse.quote(revision, safe='')}"
    with urllib.request.urlopen(url) as response:
        return json.loads(response.read())["sha"]


@pytest.mark.parametrize("filename", ["config.json", "nested/deeper/notes.txt", "docs/naïve café 日本語.txt"])
def test_download_small_file(local_hub, hf_env, hf_run, filename):
    result = download(hf_run, TINY, filename)
    source = local_hub.source(TINY, filename)
    assert Path(result["path"]).read_bytes() == source.read_bytes()
    commit = head_commit(local_hub, TINY)
    assert result["path"] == str(cache_folder(hf_env, TINY) / "snapshots" / commit / filename)
    assert_cached_file(hf_env, TINY, filename, source, commit)


def test_download_lfs_file_goes_through_cdn_without_auth(local_hub, hf_env, hf_run):
    local_hub.clear_log()
    result = download(hf_run, TINY, "model.safetensors", token=local_hub.tokens["read"])
    source = local_hub.source(TINY, "model.safetensors")
    assert source.stat().st_size > LFS_THRESHOLD
    assert Path(result["path"]).read_bytes() == source.read_bytes()
    assert_cached_file(hf_env, TINY, "model.safetensors", source, head_commit(local_hub, TINY))
    log = local_hub.log()
    api = [e for e in log if e["server"] == "api" and e["path"].endswith("/model.safetensors")]
    cdn = [e for e in log if e["server"] in ("nginx", "cdn")]
    assert api and all(e["auth"] for e in api), "the Hub request carries the token"
    assert [e["status"] for e in api] == [302]
    assert cdn and [e["status"] for e in cdn] == [200] and cdn[0]["bytes"] == source.stat().st_size
    assert not any(e["auth"] for e in cdn), "the CDN must never see the Authorization header"
    assert cdn[0]["server"] == local_hub.cdn_kind


def test_cdn_rejects_authorization_header(local_hub):
    """The check above can fail: a CDN request with a token is refused (and logged as such)."""
    import urllib.error
    import urllib.request
    sha = hashlib.sha256(local_hub.source(TINY, "model.safetensors").read_bytes()).hexdigest()
    local_hub.clear_log()
    request = urllib.request.Request(f"{local_hub.cdn}/{sha}", headers={"Authorization": "Bearer nope"})
    with pytest.raises(urllib.error.HTTPError) as failure:
        urllib.request.urlopen(request)
    assert failure.value.code == 400
    assert [e["auth"] for e in local_hub.log()] == [True]


# -- snapshot_download ---------------------------------------------------------------------------------------------
SNAPSHOT = """
from huggingface_hub import snapshot_download
folder = snapshot_download({repo!r}, revision={revision!r}, allow_patterns={allow!r}, ignore_patterns={ignore!r},
                           repo_type={repo_type!r})
files = sorted(os.path.relpath(os.path.join(d, f), folder) for d, _, fs in os.walk(folder) for f in fs)
print(json.dumps({{"folder": folder, "files": files}}))
"""


def expected_files(folder: Path, allow=None, ignore=None) -> list[str]:
    names = sorted(source_files(folder))
    if allow is not None:
        names = [n for n in names if any(fnmatch.fnmatch(n, p) for p in allow)]
    if ignore is not None:
        names = [n for n in names if not any(fnmatch.fnmatch(n, p) for p in ignore)]
    return names


@pytest.mark.parametrize("revision, allow, ignore", [
    ("main", None, None),
    ("main", ["*.json"], None),
    ("main", None, ["*.safetensors", "docs/*"]),
    ("v1.0", None, None),
    ("refs/pr/1", ["*.json", "*.safetensors"], None),
])
def test_snapshot_download(local_hub, hf_env, hf_run, revision, allow, ignore):
    result = hf_run(SNAPSHOT.format(repo=TINY, revision=revision, allow=allow, ignore=ignore, repo_type=None))
    source = local_hub.source_dir(TINY, revision)
    commit = head_commit(local_hub, TINY, revision)
    assert result["folder"] == str(cache_folder(hf_env, TINY) / "snapshots" / commit)
    assert result["files"] == expected_files(source, allow, ignore)
    for name in result["files"]:
        assert_cached_file(hf_env, TINY, name, source / name, commit, ref=revision)


def test_revisions_have_distinct_commits_and_content(local_hub):
    commits = {rev: head_commit(local_hub, TINY, rev) for rev in ("main", "v1.0", "refs/pr/1")}
    assert len(set(commits.values())) == 3
    assert head_commit(local_hub, TINY, commits["v1.0"]) == commits["v1.0"], "a commit id is a revision too"
    pr, main = (local_hub.source(TINY, "nested/params.json", r).read_bytes() for r in ("refs/pr/1", "main"))
    assert pr != main


@pytest.mark.parametrize("repo_id, repo_type", [("demo/tiny-dataset", "dataset"), ("demo/tiny-space", "space")])
def test_snapshot_download_dataset_and_space(local_hub, hf_env, hf_run, repo_id, repo_type):
    result = hf_run(SNAPSHOT.format(repo=repo_id, revision="main", allow=None, ignore=None, repo_type=repo_type))
    source = local_hub.source_dir(repo_id)
    assert result["files"] == expected_files(source)
    for name in result["files"]:
        assert (Path(result["folder"]) / name).read_bytes() == (source / name).read_bytes()


# -- list_repo_tree ------------------------------------------------------------------------------------------------
TREE = """
from huggingface_hub import HfApi
items = HfApi().list_repo_tree({repo!r}, path_in_repo={path!r}, recursive={recursive!r}, revision={revision!r})
out = []
for item in items:
    kind = type(item).__name__
    entry = {{"kind": kind, "path": item.path}}
    if kind == "RepoFile":
        entry.update(size=item.size, blob_id=item.blob_id, lfs=dict(item.lfs) if item.lfs else None)
    out.append(entry)
print(json.dumps(out))
"""


def expected_tree(folder: Path, path: str = "", recursive: bool = True) -> list[tuple]:
    prefix = f"{path}/" if path else ""
    entries = set()
    for name, file in source_files(folder).items():
        if not name.startswith(prefix):
            continue
        rest = name[len(prefix):].split("/")
        depth = len(rest) if recursive else 1
        for i in range(1, min(depth, len(rest) - 1) + 1):
            entries.add(("RepoFolder", prefix + "/".join(rest[:i])))
        if recursive or len(rest) == 1:
            entries.add(("RepoFile", name))
    return sorted(entries, key=lambda e: e[1])


@pytest.mark.parametrize("path, recursive", [(None, True), (None, False), ("nested", False), ("nested", True)])
def test_list_repo_tree_paginates(local_hub, hf_run, path, recursive):
    local_hub.clear_log()
    items = hf_run(TREE.format(repo=TINY, path=path, recursive=recursive, revision="main"))
    source = local_hub.source_dir(TINY)
    want = expected_tree(source, path or "", recursive)
    assert sorted((i["kind"], i["path"]) for i in items) == sorted(want)
    for item in items:
        if item["kind"] == "RepoFile":
            data = (source / item["path"]).read_bytes()
            assert item["size"] == len(data)
            if len(data) > LFS_THRESHOLD:
                sha = hashlib.sha256(data).hexdigest()
                pointer = f"version https://git-lfs.github.com/spec/v1\noid sha256:{sha}\nsize {len(data)}\n".encode()
                assert item["lfs"] == {"size": len(data), "sha256": sha, "pointer_size": len(pointer)}
                assert item["blob_id"] == git_blob_sha1(pointer)
            else:
                assert item["lfs"] is None and item["blob_id"] == git_blob_sha1(data)
    pages = [e for e in local_hub.log() if "/tree/" in e["path"]]
    assert len(pages) == -(-len(want) // local_hub.page_size)
    assert all("cursor=" in e["query"] for e in pages[1:])


# -- errors --------------------------------------------------------------------------------------------------------
ERROR_CASES = [
    # (repo, filename, revision, token role, expected class, expected status)
    ("demo/gated-model", "config.json", "main", None, "GatedRepoError", 401),
    ("demo/gated-model", "config.json", "main", "unapproved", "GatedRepoError", 403),
    ("demo/gated-model", "model.safetensors", "main", "unapproved", "GatedRepoError", 403),
    ("demo/does-not-exist", "config.json", "main", None, "RepositoryNotFoundError", 401),
    ("demo/does-not-exist", "config.json", "main", "read", "RepositoryNotFoundError", 404),
    ("alice/private-model", "config.json", "main", None, "RepositoryNotFoundError", 401),
    ("alice/private-model", "config.json", "main", "unapproved", "RepositoryNotFoundError", 404),
    (TINY, "no-such-file.json", "main", None, "RemoteEntryNotFoundError", 404),
    (TINY, "config.json", "no-such-branch", None, "RevisionNotFoundError", 404),
    (TINY, "config.json", "main", "bad", "HfHubHTTPError", 401),
]


@pytest.mark.parametrize("repo, filename, revision, role, error, status", ERROR_CASES)
def test_download_errors(local_hub, hf_run, repo, filename, revision, role, error, status):
    token = {None: None, "bad": "hf_" + "y" * 34}.get(role, local_hub.tokens.get(role))
    result = download(hf_run, repo, filename, revision, token=token)
    assert result.get("error") == error, result
    assert result["status"] == status


def test_entry_not_found_is_cached_as_no_exist(local_hub, hf_env, hf_run):
    download(hf_run, TINY, "missing/file.txt")
    commit = head_commit(local_hub, TINY)
    assert (cache_folder(hf_env, TINY) / ".no_exist" / commit / "missing" / "file.txt").exists()


@pytest.mark.parametrize("repo, role", [("demo/gated-model", "read"), ("demo/gated-model", "fine"),
                                        ("alice/private-model", "write")])
def test_allowed_callers_download(local_hub, hf_run, repo, role):
    name = "model.safetensors" if repo == "demo/gated-model" else "config.json"
    result = download(hf_run, repo, name, token=local_hub.tokens[role])
    assert Path(result["path"]).read_bytes() == local_hub.source(repo, name).read_bytes()


def test_disabled_repo(local_hub, hf_run):
    result = hf_run("from huggingface_hub import HfApi\nHfApi().model_info('demo/disabled-model')\nprint('{}')")
    assert result["error"] == "DisabledRepoError" and result["status"] == 403
    # hf_hub_download treats a non-401 metadata error as "Hub unreachable": it raises LocalEntryNotFoundError from it.
    result = download(hf_run, "demo/disabled-model", "config.json")
    assert (result["error"], result["cause"]) == ("LocalEntryNotFoundError", "DisabledRepoError")


# -- faults --------------------------------------------------------------------------------------------------------
def test_resumed_download_after_dropped_connection(local_hub, hf_env, hf_run):
    source = local_hub.source(TINY, "model.safetensors")
    size = source.stat().st_size
    drop_at = size - 1_000_000  # past huggingface_hub's first 10 MiB chunk, so some bytes are kept and resumed
    local_hub.clear_log()
    with local_hub.faults({"target": "cdn", "path": "*model.safetensors", "drop_after": drop_at, "count": 1}):
        result = download(hf_run, TINY, "model.safetensors", token=local_hub.tokens["read"])
    assert Path(result["path"]).read_bytes() == source.read_bytes()
    cdn = [e for e in local_hub.log() if e["server"] == "cdn"]
    assert [(e["status"], e["bytes"], e["range"]) for e in cdn][:1] == [(200, drop_at, "")]
    assert len(cdn) == 2 and cdn[1]["status"] == 206 and cdn[1]["range"].startswith("bytes=")
    resumed_from = int(cdn[1]["range"][len("bytes="):].rstrip("-"))
    assert 0 < resumed_from <= drop_at and cdn[1]["bytes"] == size - resumed_from
    assert not any(e["auth"] for e in cdn)


def test_retry_after_503_on_metadata(local_hub, hf_env, hf_run):
    local_hub.clear_log()
    with local_hub.faults({"target": "api", "path": "*/resolve/*", "method": "HEAD", "status": 503,
                           "retry_after": 1, "count": 1}):
        result = download(hf_run, TINY, "tokenizer.json")
    assert Path(result["path"]).read_bytes() == local_hub.source(TINY, "tokenizer.json").read_bytes()
    heads = [e["status"] for e in local_hub.log() if e["method"] == "HEAD"]
    assert heads == [503, 200]


# -- refs and repo info --------------------------------------------------------------------------------------------
def test_list_repo_refs(local_hub, hf_run):
    refs = hf_run("""
from huggingface_hub import HfApi
refs = HfApi().list_repo_refs('demo/tiny-model', include_pull_requests=True)
pick = lambda items: sorted((r.name, r.ref, r.target_commit) for r in items)
print(json.dumps({"branches": pick(refs.branches), "tags": pick(refs.tags), "prs": pick(refs.pull_requests)}))
""")
    commit = {rev: head_commit(local_hub, TINY, rev) for rev in ("main", "v1.0", "refs/pr/1")}
    assert refs == {"branches": [["main", "refs/heads/main", commit["main"]]],
                    "tags": [["v1.0", "refs/tags/v1.0", commit["v1.0"]]],
                    "prs": [["refs/pr/1", "refs/pr/1", commit["refs/pr/1"]]]}


@pytest.mark.parametrize("repo_id, repo_type", [(TINY, "model"), ("demo/tiny-dataset", "dataset"),
                                                ("demo/tiny-space", "space"), ("demo/gated-model", "model")])
def test_repo_info_siblings(local_hub, hf_run, repo_id, repo_type):
    info = hf_run(f"""
from huggingface_hub import HfApi
info = HfApi().repo_info({repo_id!r}, repo_type={repo_type!r}, files_metadata=True)
print(json.dumps({{"id": info.id, "sha": info.sha, "gated": info.gated, "private": info.private,
                  "siblings": sorted((s.rfilename, s.size, s.lfs.sha256 if s.lfs else None) for s in info.siblings)}}))
""")
    source = local_hub.source_dir(repo_id)
    want = []
    for name, path in sorted(source_files(source).items()):
        data = path.read_bytes()
        want.append([name, len(data), hashlib.sha256(data).hexdigest() if len(data) > LFS_THRESHOLD else None])
    assert info["id"] == repo_id and len(info["sha"]) == 40 and info["private"] is False
    assert info["gated"] == ("manual" if repo_id == "demo/gated-model" else False)
    assert info["siblings"] == want


@pytest.mark.parametrize("token_kind, error, status", [("bad", "HfHubHTTPError", 401),
                                                       (None, "RepositoryNotFoundError", 401)])
def test_repo_api_bad_token_is_not_repo_not_found(local_hub, hf_run, token_kind, error, status):
    """A 401 on a repo API route means "repo not found" unless the message says the credentials are invalid."""
    token = "hf_" + "z" * 34 if token_kind else None
    result = hf_run("from huggingface_hub import HfApi\nHfApi().model_info('alice/private-model')\nprint('{}')",
                    token=token)
    assert (result["error"], result["status"]) == (error, status)


def test_renamed_repo_redirect_is_followed(local_hub, hf_env, hf_run):
    """demo/old-tiny-model is a former name of demo/tiny-model: 307 with a relative Location, as the Hub does."""
    local_hub.clear_log()
    result = download(hf_run, "demo/old-tiny-model", "config.json")
    assert Path(result["path"]).read_bytes() == local_hub.source(TINY, "config.json").read_bytes()
    heads = [(e["path"], e["status"]) for e in local_hub.log() if e["method"] == "HEAD"]
    assert heads == [("/demo/old-tiny-model/resolve/main/config.json", 307),
                     ("/demo/tiny-model/resolve/main/config.json", 200)]


def test_snapshot_download_by_commit_id(local_hub, hf_env, hf_run):
    """A commit id skips repo_info: the tree is listed at that commit and no ref file is written."""
    commit = head_commit(local_hub, TINY, "v1.0")
    local_hub.clear_log()
    result = hf_run(SNAPSHOT.format(repo=TINY, revision=commit, allow=None, ignore=None, repo_type=None))
    assert result["files"] == expected_files(local_hub.source_dir(TINY, "v1.0"))
    assert not (cache_folder(hf_env, TINY) / "refs").exists()
    api_paths = {e["path"] for e in local_hub.log() if e["server"] == "api" and e["path"].startswith("/api/")}
    assert api_paths == {f"/api/models/{TINY}/tree/{commit}"}


@pytest.mark.parametrize("repo, role, error, status", [
    ("demo/gated-model", "read", None, 200),
    ("demo/gated-model", "unapproved", "GatedRepoError", 403),
    ("demo/gated-model", None, "GatedRepoError", 401),
    ("demo/does-not-exist", "read", "RepositoryNotFoundError", 404),
    (TINY, None, None, 200),
])
def test_auth_check(local_hub, hf_run, repo, role, error, status):
    """`HfApi.auth_check` (what %doctor --repo asks) passes only for callers that may download."""
    token = local_hub.tokens.get(role) if role else None
    result = hf_run(f"from huggingface_hub import HfApi\nHfApi().auth_check({repo!r})\nprint('{{}}')", token=token)
    assert result.get("error") == error, result
    if error:
        assert result["status"] == status
