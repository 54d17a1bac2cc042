"""The local Hub's object ids are git's: blob, tree and commit ids checked against the `git` CLI."""
import json
import shutil
import subprocess
import urllib.parse
import urllib.request

import pytest

from test_localhub_fidelity import LFS_THRESHOLD, TINY, source_files

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git CLI not installed")

# localhub commits with a fixed signature and the message "<repo id>: <revision>"; revisions chain in manifest order.
SIGNATURE = {"GIT_AUTHOR_NAME": "LocalHub", "GIT_AUTHOR_EMAIL": "localhub@example.invalid",
             "GIT_AUTHOR_DATE": "1704067200 +0000", "GIT_COMMITTER_NAME": "LocalHub",
             "GIT_COMMITTER_EMAIL": "localhub@example.invalid", "GIT_COMMITTER_DATE": "1704067200 +0000"}


def get_json(url):
    with urllib.request.urlopen(url) as response:
        return json.loads(response.read())


def git(repo, *args, env=None):
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, text=True,
                          env=env).stdout.strip()


def git_tree_of(source, work):
    """Replace the work tree and index of `work` by `source`'s files, large ones replaced by their LFS pointers (as
    git stores them), and return git's tree id."""
    import hashlib
    git(work, "read-tree", "--empty")
    for old in work.iterdir():
        if old.name != ".git":
            shutil.rmtree(old) if old.is_dir() else old.unlink()
    for name, path in source_files(source).items():
        data = path.read_bytes()
        if len(data) > LFS_THRESHOLD:
            data = (f"version https://git-lfs.github.com/spec/v1\noid sha256:{hashlib.sha256(data).hexdigest()}\n"
                    f"size {len(data)}\n").encode()
        (work / name).parent.mkdir(parents=True, exist_ok=True)
        (work / name).write_bytes(data)
    git(work, "add", "-A")
    return git(work, "write-tree")


def test_tree_and_commit_ids_match_git(local_hub, tmp_path):
    import os
    parent, work = None, tmp_path
    git(work, "init", "-q")
    for revision in ("v1.0", "main", "refs/pr/1"):
        tree = git_tree_of(local_hub.source_dir(TINY, revision), work)
        env = dict(os.environ, **SIGNATURE)
        commit = git(work, "commit-tree", tree, *(["-p", parent] if parent else []), "-m", f"{TINY}: {revision}",
                     env=env)
        rev = urllib.parse.quote(revision, safe="")
        assert get_json(f"{local_hub.endpoint}/api/models/{TINY}/revision/{rev}")["sha"] == commit
        listing = []
        url = f"{local_hub.endpoint}/api/models/{TINY}/tree/{rev}?recursive=true"
        while url:
            with urllib.request.urlopen(url) as response:
                listing += json.loads(response.read())
                link = response.headers.get("Link")
                url = link[1:link.index(">")] if link else None
        for entry in listing:
            assert entry["oid"] == git(work, "rev-parse", f"{tree}:{entry['path']}"), entry["path"]
        parent = commit
