"""`hubkernel download` against the shared local Hub (fixtures/hub.py), cross-checked with huggingface_hub 2.4.0:
the same cache as Python, Python reading ours, offline reuse, revisions, gated/private repos, and faults."""
from __future__ import annotations

import hashlib
import json
import os
import pathlib
import subprocess

import pytest

from fixtures.kernel import hubkernel_bin

REPO = "demo/tiny-model"


def run(args, env, timeout=180) -> subprocess.CompletedProcess:
    return subprocess.run([hubkernel_bin(), "download", *args], env=env, capture_output=True, text=True, timeout=timeout)


def cache_tree(cache: pathlib.Path) -> dict[str, str]:
    """Names, symlink targets and file hashes under a cache, without lock files."""
    out = {}
    for path in sorted(cache.rglob("*")):
        rel = path.relative_to(cache).as_posix()
        if rel.startswith(".locks"):
            continue
        out[rel] = ("-> " + os.readlink(path)) if path.is_symlink() else (
            hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else "dir")
    return out


@pytest.fixture
def env(hf_env, tmp_path):
    return dict(hf_env, HF_HUB_CACHE=str(tmp_path / "cache"))


def test_cache_equals_pythons_for_every_revision(local_hub, hf_env, hf_run, tmp_path):
    ours, theirs = tmp_path / "ours", tmp_path / "theirs"
    for revision in ("main", "v1.0", "refs/pr/1"):
        result = run([REPO, "--revision", revision], dict(hf_env, HF_HUB_CACHE=str(ours)))
        assert result.returncode == 0, result.stderr
    hf_run(f"""
from huggingface_hub import snapshot_download
for r in ("main", "v1.0", "refs/pr/1"):
    snapshot_download({REPO!r}, revision=r, cache_dir={str(theirs)!r})
print(json.dumps({{}}))
""")
    assert cache_tree(ours) == cache_tree(theirs)
    for ref in ("main", "v1.0", "refs/pr/1"):
        path = f"models--demo--tiny-model/refs/{ref}"
        assert (ours / path).read_bytes() == (theirs / path).read_bytes()
        assert len((ours / path).read_bytes()) == 40


def test_python_uses_our_cache_offline_and_scan_is_clean(local_hub, env, hf_run):
    result = run([REPO], env)
    assert result.returncode == 0, result.stderr
    out = hf_run(f"""
os.environ["HF_HUB_OFFLINE"] = "1"
from huggingface_hub import hf_hub_download, snapshot_download, scan_cache_dir
cache = {env["HF_HUB_CACHE"]!r}
info = scan_cache_dir(cache)
print(json.dumps({{"file": hf_hub_download({REPO!r}, "nested/deeper/notes.txt", cache_dir=cache, local_files_only=True),
                  "snap": snapshot_download({REPO!r}, cache_dir=cache, local_files_only=True),
                  "warnings": [str(w) for w in info.warnings], "files": [r.nb_files for r in info.repos]}}))
""")
    assert out["snap"] == result.stdout.strip()
    assert out["file"] == out["snap"] + "/nested/deeper/notes.txt"
    assert out["warnings"] == []
    source = local_hub.source(REPO, "model.safetensors")
    assert pathlib.Path(out["snap"], "model.safetensors").read_bytes() == source.read_bytes()
    assert pathlib.Path(out["snap"], "docs/naïve café 日本語.txt").read_bytes() == local_hub.source(REPO, "docs/naïve café 日本語.txt").read_bytes()


def test_offline_reuses_a_python_download_with_no_request(local_hub, env, hf_run):
    hf_run(f"""
from huggingface_hub import hf_hub_download
print(json.dumps(hf_hub_download({REPO!r}, "config.json", cache_dir={env["HF_HUB_CACHE"]!r})))
""")
    local_hub.clear_log()
    result = run([REPO, "config.json"], dict(env, HF_HUB_OFFLINE="1"))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith("/config.json")
    assert local_hub.log() == []


def test_token_only_to_the_hub_and_private_repo(local_hub, env):
    local_hub.clear_log()
    result = run(["alice/private-model"], dict(env, HF_TOKEN=local_hub.tokens["read"]))
    assert result.returncode == 0, result.stderr
    result = run([REPO, "model.safetensors"], dict(env, HF_TOKEN=local_hub.tokens["read"]))
    assert result.returncode == 0, result.stderr
    log = local_hub.log()
    assert any(entry["server"] != "api" for entry in log), "the LFS file came from the CDN"
    for entry in log:
        assert entry["auth"] == (entry["server"] == "api"), entry
    anonymous = run(["alice/private-model", "config.json"], dict(env, HF_HUB_CACHE=env["HF_HUB_CACHE"] + "2"))
    assert anonymous.returncode == 1 and "RepositoryNotFoundError" in anonymous.stderr


def test_gated_repo_names_the_page(local_hub, env):
    result = run(["demo/gated-model", "config.json"], dict(env, HF_TOKEN=local_hub.tokens["unapproved"]))
    assert result.returncode == 1
    assert "GatedRepoError" in result.stderr and f"{local_hub.endpoint}/demo/gated-model" in result.stderr
    assert "accept the licence" in result.stderr


def test_dataset_and_filters(local_hub, env, hf_run):
    result = run(["demo/tiny-dataset", "--repo-type", "dataset", "--include", "data/", "--exclude", "*test*"], env)
    assert result.returncode == 0, result.stderr
    snapshot = pathlib.Path(result.stdout.strip())
    assert sorted(p.relative_to(snapshot).as_posix() for p in snapshot.rglob("*") if not p.is_dir()) == ["data/train.csv"]
    expected = hf_run("""
from huggingface_hub.utils import filter_repo_objects
print(json.dumps(list(filter_repo_objects(["README.md", "data/train.csv", "data/test.csv"],
                                          allow_patterns=["data/"], ignore_patterns=["*test*"]))))
""")
    assert expected == ["data/train.csv"]


def test_drops_and_corruption_from_the_hub(local_hub, env):
    size = local_hub.source(REPO, "model.safetensors").stat().st_size
    with local_hub.faults({"path": "*model.safetensors", "target": "cdn", "drop_after": 700_000, "count": 3}):
        result = run([REPO, "model.safetensors"], env)
    assert result.returncode == 0, result.stderr
    assert pathlib.Path(result.stdout.strip()).read_bytes() == local_hub.source(REPO, "model.safetensors").read_bytes()

    other = dict(env, HF_HUB_CACHE=env["HF_HUB_CACHE"] + "-corrupt")
    with local_hub.faults({"path": "*model.safetensors", "target": "cdn", "corrupt_at": size // 2, "count": None}):
        result = run([REPO, "model.safetensors"], other)
    assert result.returncode == 1 and "ChecksumMismatchError" in result.stderr
    blobs = pathlib.Path(other["HF_HUB_CACHE"], "models--demo--tiny-model", "blobs")
    assert [p.name for p in blobs.iterdir() if not p.name.endswith(".incomplete")] == []


def test_rate_limit_and_unavailable_then_success(local_hub, env):
    with local_hub.faults({"path": "*config.json", "method": "GET", "status": 429, "retry_after": 0, "count": 1},
                          {"path": "*config.json", "method": "GET", "status": 503, "retry_after": 0, "count": 1}):
        result = run([REPO, "--include", "config.json"], env)
    assert result.returncode == 0, result.stderr
    assert pathlib.Path(result.stdout.strip(), "config.json").read_bytes() == local_hub.source(REPO, "config.json").read_bytes()


def test_stall_past_the_timeout(local_hub, env):
    with local_hub.faults({"path": "*model.safetensors", "target": "cdn", "stall": 30, "stall_at": 100_000, "count": 1}):
        result = run([REPO, "model.safetensors"], dict(env, HF_HUB_DOWNLOAD_TIMEOUT="2"), timeout=60)
    assert result.returncode == 0, result.stderr
    assert pathlib.Path(result.stdout.strip()).read_bytes() == local_hub.source(REPO, "model.safetensors").read_bytes()


def test_kernel_interrupt_keeps_partial_and_rerun_resumes(local_hub, env, start_hubkernel):
    import time
    from fixtures.kernel import run_cell
    km, kc = start_hubkernel(env=env)
    with local_hub.faults({"path": "*model.safetensors", "target": "cdn", "stall": 60, "stall_at": 3_000_000, "count": 1}):
        msg_id = kc.execute(f"%download {REPO} model.safetensors")
        time.sleep(2)
        started = time.monotonic()
        km.interrupt_kernel()
        reply = kc.get_shell_msg(timeout=10)
    assert reply["parent_header"]["msg_id"] == msg_id
    assert reply["content"]["ename"] == "KeyboardInterrupt"
    assert "kept" in reply["content"]["evalue"] and "resume" in reply["content"]["evalue"]
    assert time.monotonic() - started < 2.5, "curl stops within about a second"
    blobs = pathlib.Path(env["HF_HUB_CACHE"], "models--demo--tiny-model", "blobs")
    partial = [p for p in blobs.iterdir() if p.name.endswith(".incomplete")]
    assert len(partial) == 1 and partial[0].stat().st_size == 3_000_000
    local_hub.clear_log()
    reply, iopub = run_cell(kc, f"%download {REPO} model.safetensors", timeout=60)
    assert reply["content"]["status"] == "ok", reply["content"]
    path = [m for m in iopub if m["msg_type"] == "execute_result"][0]["content"]["data"]["application/vnd.hubkernel+json"]["paths"][0]
    assert pathlib.Path(path).read_bytes() == local_hub.source(REPO, "model.safetensors").read_bytes()
    assert [e["range"] for e in local_hub.log() if e["server"] != "api" and e["method"] == "GET"] == ["bytes=3000000-"]


def test_local_dir_matches_python(local_hub, env, hf_run, tmp_path):
    ours, theirs = tmp_path / "ours", tmp_path / "theirs"
    result = run([REPO, "--local-dir", str(ours)], env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(ours.resolve())
    hf_run(f"""
from huggingface_hub import snapshot_download
print(json.dumps(snapshot_download({REPO!r}, local_dir={str(theirs)!r}, cache_dir={str(tmp_path / "pycache")!r})))
""")

    def summary(folder: pathlib.Path) -> dict[str, str]:
        out = {}
        for path in sorted(folder.rglob("*")):
            rel = path.relative_to(folder).as_posix()
            if path.is_dir() or rel.endswith(".lock"):
                continue
            data = path.read_bytes()
            if rel.endswith(".metadata"):
                commit, etag, stamp, rest = data.decode().split("\n")
                assert float(stamp) > 0 and rest == ""
                data = f"{commit}\n{etag}\n".encode()
            out[rel] = hashlib.sha256(data).hexdigest()
        return out

    assert summary(ours) == summary(theirs)
    # Python then trusts our metadata: a second Python download of our folder transfers nothing.
    local_hub.clear_log()
    hf_run(f"""
from huggingface_hub import snapshot_download
print(json.dumps(snapshot_download({REPO!r}, local_dir={str(ours)!r}, cache_dir={str(tmp_path / "pycache2")!r})))
""")
    assert not [e for e in local_hub.log() if e["method"] == "GET" and e["server"] != "api"]
    assert not [e for e in local_hub.log() if e["method"] == "GET" and "/resolve/" in e["path"]]


@pytest.fixture
def small_disk(tmp_path):
    """A 16 MiB tmpfs (skipped where mounting is not allowed)."""
    mount_point = tmp_path / "disk"
    mount_point.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", str(mount_point)], capture_output=True)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
    yield mount_point
    subprocess.run(["umount", str(mount_point)], check=False)


def test_disk_full_mid_file_is_clear_keeps_partial_and_cache_intact(local_hub, env, small_disk):
    import threading
    import time
    cache = small_disk / "cache"
    env = dict(env, HF_HUB_CACHE=str(cache))
    assert run([REPO, "config.json"], env).returncode == 0
    before = cache_tree(cache)
    filler = small_disk / "filler"

    def fill_disk_during_the_stall():
        time.sleep(1.0)
        with open(filler, "wb") as f:
            try:
                while True:
                    f.write(b"\0" * 65536)
            except OSError:
                pass

    with local_hub.faults({"path": "*model.safetensors", "target": "cdn", "stall": 2.5, "stall_at": 2_000_000, "count": 1}):
        thread = threading.Thread(target=fill_disk_during_the_stall)
        thread.start()
        result = run([REPO, "model.safetensors"], dict(env, HF_HUB_DOWNLOAD_TIMEOUT="10"))
        thread.join()
    assert result.returncode == 1
    assert "DiskFullError" in result.stderr and "needed" in result.stderr and "kept" in result.stderr, result.stderr
    after = cache_tree(cache)
    assert {k: v for k, v in after.items() if not k.endswith(".incomplete")} == before
    partial = [k for k in after if k.endswith(".incomplete")]
    assert len(partial) == 1 and (cache / partial[0]).stat().st_size >= 2_000_000

    filler.unlink()
    local_hub.clear_log()
    result = run([REPO, "model.safetensors"], env)
    assert result.returncode == 0, result.stderr
    assert pathlib.Path(result.stdout.strip()).read_bytes() == local_hub.source(REPO, "model.safetensors").read_bytes()
    ranges = [e["range"] for e in local_hub.log() if e["method"] == "GET" and e["server"] != "api"]
    assert len(ranges) == 1 and ranges[0].startswith("bytes=") and int(ranges[0][6:-1]) >= 2_000_000


def test_disk_too_small_is_refused_before_downloading(local_hub, env, small_disk):
    env = dict(env, HF_HUB_CACHE=str(small_disk / "cache"))
    with open(small_disk / "filler", "wb") as f:
        f.write(b"\0" * (10 << 20))
    local_hub.clear_log()
    result = run([REPO, "model.safetensors"], env)
    assert result.returncode == 1 and "DiskFullError" in result.stderr and "free" in result.stderr
    assert not [e for e in local_hub.log() if e["method"] == "GET" and e["server"] != "api"], "nothing was transferred"


def test_missing_file_marker_is_read_by_python(local_hub, env, hf_run):
    result = run([REPO, "no-such-file.bin"], env)
    assert result.returncode == 1 and "RemoteEntryNotFoundError" in result.stderr and "'no-such-file.bin'" in result.stderr
    out = hf_run(f"""
from huggingface_hub import try_to_load_from_cache
from huggingface_hub.file_download import _CACHED_NO_EXIST
print(json.dumps(try_to_load_from_cache({REPO!r}, "no-such-file.bin", cache_dir={env["HF_HUB_CACHE"]!r}) is _CACHED_NO_EXIST))
""")
    assert out is True


def test_renamed_repo_follows_the_redirect_like_python(local_hub, hf_env, hf_run, tmp_path):
    ours, theirs = tmp_path / "ours", tmp_path / "theirs"
    result = run(["demo/old-tiny-model"], dict(hf_env, HF_HUB_CACHE=str(ours)))
    assert result.returncode == 0, result.stderr
    single = run(["demo/old-tiny-model", "config.json"], dict(hf_env, HF_HUB_CACHE=str(ours)))
    assert single.returncode == 0, single.stderr
    hf_run(f"""
from huggingface_hub import snapshot_download
print(json.dumps(snapshot_download("demo/old-tiny-model", cache_dir={str(theirs)!r})))
""")
    assert cache_tree(ours) == cache_tree(theirs)
    assert (ours / "models--demo--old-tiny-model").is_dir()
