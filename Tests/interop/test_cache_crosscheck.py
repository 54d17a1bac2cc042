"""`hubkernel cache …` against huggingface_hub 2.4.0's scan_cache_dir on the same synthetic caches."""
import json
import os
import subprocess

import pytest
from huggingface_hub import scan_cache_dir

from fixtures.cache_builder import CacheBuilder
from fixtures.kernel import hubkernel_bin


def byte_count(size: int) -> str:
    """How HubKernel writes a size in its text (issue 20: one style everywhere, `12.6 MB`); the numbers are Python's."""
    for unit in ("B", "kB", "MB", "GB"):
        if size < 1000 or unit == "GB":
            return f"{size} B" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1000


def hubkernel(*args, env=None, input=None):
    full_env = {**os.environ, **(env or {})}
    return subprocess.run([hubkernel_bin(), *args], capture_output=True, text=True, env=full_env, input=input, timeout=60)


def ls_json(cache_dir, *extra):
    done = hubkernel("cache", "ls", "--revisions", "--json", "--show-warnings", "--cache-dir", str(cache_dir), *extra)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout), done.stderr


def python_view(cache_dir):
    info = scan_cache_dir(cache_dir)
    revisions = {
        (repo.repo_type, repo.repo_id, rev.commit_hash): (rev.size_on_disk, rev.nb_files, sorted(rev.refs), str(rev.snapshot_path), rev.last_modified)
        for repo in info.repos for rev in repo.revisions
    }
    return info, revisions


def our_view(items):
    return {
        (item["repo_type"], item["repo_id"], item["revision"]): (item["size_on_disk"], item["nb_files"], item["refs"], item["snapshot_path"], item["last_modified_timestamp"])
        for item in items
    }


def assert_same(ours, theirs):
    assert ours.keys() == theirs.keys()
    for key in theirs:
        assert ours[key][:4] == theirs[key][:4], key
        assert ours[key][4] == pytest.approx(theirs[key][4], abs=1e-5), key


@pytest.fixture
def cache(tmp_path):
    build = CacheBuilder(tmp_path / "hub")
    build.add_repo("org/model", {"config.json": b'{"a": 1}', "weights/model.bin": b"w" * 5000, "README.md": b"# hi\n"},
                   lfs=["weights/model.bin"], refs=["main", "refs/pr/1"])
    build.add_repo("org/model", {"config.json": b'{"a": 2}', "weights/model.bin": b"w" * 5000}, lfs=["weights/model.bin"],
                   commit="b" * 40, refs=[])
    build.add_repo("org/data", {"train.csv": b"a,b\n1,2\n", "sub/dir/test.csv": b"a,b\n"}, repo_type="dataset")
    build.add_repo("user/space", {"app.py": b"print(1)\n"}, repo_type="space", refs=["main", "v1.0"])
    build.add_repo("gpt2", {"config.json": b"{}"})
    build.add_incomplete("org/model", "deadbeef")
    return build


def test_ls_matches_scan_cache_dir(cache):
    items, stderr = ls_json(cache.root)
    info, theirs = python_view(cache.root)
    assert_same(our_view(items), theirs)
    assert info.warnings == []
    assert "1 incomplete download(s)" in stderr
    # repo rows: sizes, file counts, refs and times per repo
    done = hubkernel("cache", "ls", "--json", "--cache-dir", str(cache.root))
    repos = {item["id"]: item for item in json.loads(done.stdout)}
    for repo in info.repos:
        ours = repos[repo.cache_id]
        assert (ours["size_on_disk"], ours["nb_files"], ours["refs"], ours["repo_path"]) == (
            repo.size_on_disk, repo.nb_files, sorted(repo.refs), str(repo.repo_path))
        assert ours["last_accessed_timestamp"] == pytest.approx(repo.last_accessed, abs=1e-5)
        assert ours["size"] == repo.size_on_disk_str


def test_physical_total_matches(cache):
    done = hubkernel("cache", "ls", "--cache-dir", str(cache.root))
    info = scan_cache_dir(cache.root)
    assert f"and {byte_count(info.size_on_disk)} on disk." in done.stdout


def test_damaged_cache_warnings_match(cache):
    root = cache.root
    (root / "stray.txt").write_text("x")                                   # stray file
    broken = cache.add_repo("org/broken", {"a.txt": b"a"})
    blob = next((cache.repo_folder("org/broken") / "blobs").iterdir())
    blob.unlink()                                                          # broken symlink
    cache.add_repo("org/dangling", {"a.txt": b"b"})
    (cache.repo_folder("org/dangling") / "refs" / "v2").write_text("c" * 40)  # ref to missing commit
    (root / "nodashes").mkdir()
    items, stderr = ls_json(root)
    info, theirs = python_view(root)
    assert_same(our_view(items), theirs)
    theirs_warnings = sorted(str(w).rstrip(".") + ". Repo ignored." for w in info.warnings)
    ours_warnings = sorted(line[len("Warning: "):] for line in stderr.splitlines() if line.startswith("Warning: "))
    assert len(theirs_warnings) == 4
    assert ours_warnings == theirs_warnings


def test_rm_then_python_agrees(cache):
    root = cache.root
    main_commit = (cache.repo_folder("org/model") / "refs" / "main").read_text()
    done = hubkernel("cache", "rm", "b" * 40, "dataset/org/data", "--yes", "--cache-dir", str(root))
    assert done.returncode == 0, done.stderr
    assert "Deleted 1 repo(s) and 1 revision(s)" in done.stdout
    info = scan_cache_dir(root)
    assert info.warnings == []
    assert sorted(repo.cache_id for repo in info.repos) == ["model/gpt2", "model/org/model", "space/user/space"]
    model = next(repo for repo in info.repos if repo.repo_id == "org/model")
    assert [rev.commit_hash for rev in model.revisions] == [main_commit]
    # the LFS blob shared by both revisions is still there and still linked
    assert model.size_on_disk == 5000 + len(b'{"a": 1}') + len(b"# hi\n")


def test_rm_plan_size_matches_python_strategy(cache):
    info = scan_cache_dir(cache.root)
    expected = info.delete_revisions("b" * 40).expected_freed_size
    done = hubkernel("cache", "rm", "b" * 40, "--dry-run", "--cache-dir", str(cache.root))
    assert f"About to delete 1 revision(s) totalling {byte_count(expected)}." in done.stdout
    assert "Dry run" in done.stdout
    assert any(rev.commit_hash == "b" * 40 for repo in scan_cache_dir(cache.root).repos for rev in repo.revisions)


def test_rm_file_then_python_agrees(cache):
    done = hubkernel("cache", "rm", "org/model/config.json", "--yes", "--cache-dir", str(cache.root))
    assert done.returncode == 0, done.stderr
    assert "Deleted 2 file(s)" in done.stdout
    info = scan_cache_dir(cache.root)
    assert info.warnings == []
    model = next(repo for repo in info.repos if repo.repo_id == "org/model")
    assert all("config.json" not in {f.file_name for f in rev.files} for rev in model.revisions)


def test_rm_without_yes_and_no_answer_deletes_nothing(cache):
    done = hubkernel("cache", "rm", "gpt2", "--cache-dir", str(cache.root), input="n\n")
    assert "cancelled" in done.stdout
    assert any(repo.repo_id == "gpt2" for repo in scan_cache_dir(cache.root).repos)


def test_prune_then_python_agrees(cache):
    done = hubkernel("cache", "prune", "--yes", "--cache-dir", str(cache.root))
    assert done.returncode == 0, done.stderr
    assert "1 unreferenced revision(s) and 1 incomplete download(s)" in done.stdout
    info = scan_cache_dir(cache.root)
    assert info.warnings == [] and not info.incomplete_files
    assert all(rev.refs for repo in info.repos for rev in repo.revisions)


def test_prune_keeps_an_incomplete_file_whose_lock_python_holds(cache):
    from filelock import FileLock
    with FileLock(str(cache.lock_path("org/model", "deadbeef"))):
        done = hubkernel("cache", "prune", "--yes", "--cache-dir", str(cache.root))
        assert "a download is writing it right now" in done.stderr
    assert len(scan_cache_dir(cache.root).incomplete_files) == 1


def test_shared_xet_blobs_match_python(cache):
    xet = "ab" * 32
    cache.add_repo("org/other", {"weights/model.bin": b"w" * 5000}, lfs=["weights/model.bin"])
    cache.share_blob("org/model", "weights/model.bin", xet)
    cache.share_blob("org/other", "weights/model.bin", xet)
    items, _ = ls_json(cache.root)
    info, theirs = python_view(cache.root)
    assert_same(our_view(items), theirs)
    assert info.warnings == []
    done = hubkernel("cache", "ls", "--cache-dir", str(cache.root))
    assert f"and {byte_count(info.size_on_disk)} on disk." in done.stdout
    # deleting org/other frees nothing (org/model still links the payload) in both
    other = next(repo for repo in info.repos if repo.repo_id == "org/other")
    expected = info.delete_revisions(*[rev.commit_hash for rev in other.revisions]).expected_freed_size
    done = hubkernel("cache", "rm", "org/other", "--dry-run", "--cache-dir", str(cache.root))
    assert f"totalling {byte_count(expected)}." in done.stdout


def test_verify_offline_uses_cached_listing_and_finds_a_flipped_byte(cache):
    env = {"HF_HUB_OFFLINE": "1"}
    done = hubkernel("cache", "verify", "org/model", "--cache-dir", str(cache.root), env=env)
    assert done.returncode == 0, done.stderr
    assert "Verified 3 file(s)" in done.stdout and "cached listing" in done.stdout
    blob = next(p for p in (cache.repo_folder("org/model") / "blobs").iterdir() if p.stat().st_size == 5000)
    data = bytearray(blob.read_bytes()); data[100] ^= 1; blob.write_bytes(bytes(data))
    done = hubkernel("cache", "verify", "org/model", "--cache-dir", str(cache.root), env=env)
    assert done.returncode == 1
    assert "weights/model.bin" in done.stdout and "VerificationFailed" in done.stderr
