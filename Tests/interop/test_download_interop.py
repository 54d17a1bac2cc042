"""`hubkernel download` / `%download` against a Hub on 127.0.0.1, cross-checked with huggingface_hub 2.4.0.

They run against `MiniHub` (test_download_minihub.py) until the shared local Hub lands on main.
"""
from __future__ import annotations

import hashlib
import os
import pathlib
import random
import signal
import subprocess
import time

import pytest

from fixtures.kernel import hubkernel_bin, run_cell
from test_download_minihub import COMMIT, MiniHub

BIG = random.Random(7).randbytes(6_000_000)
FILES = {
    "config.json": (b'{"model_type": "test"}', False),
    "sub/dir/vocab.txt": (b"a\nb\nc\n", False),
    "model.safetensors": (BIG, True),
    ".gitattributes": (b"*.safetensors filter=lfs diff=lfs merge=lfs -text\n", False),
}


@pytest.fixture
def minihub():
    hub = MiniHub(FILES)
    yield hub
    hub.stop()


def env_for(hub: MiniHub, cache: pathlib.Path, **extra) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HF_", "HUGGING"))}
    env.update({"HF_ENDPOINT": hub.url, "HF_HUB_CACHE": str(cache), "HF_HOME": str(cache.parent / "home"),
                "NO_PROXY": "127.0.0.1", "no_proxy": "127.0.0.1"})
    env.update(extra)
    return env


def hubkernel(args, env, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([hubkernel_bin(), "download", *args], env=env, capture_output=True, text=True, timeout=120, **kwargs)


def python(code: str, env) -> str:
    venv_python = pathlib.Path(__file__).resolve().parents[2] / ".venv" / "bin" / "python"
    result = subprocess.run([str(venv_python), "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return result.stdout


def tree(cache: pathlib.Path) -> dict[str, str]:
    """Every entry under the cache except lock files: symlink targets, file bytes' sha256, dirs."""
    out = {}
    for path in sorted(cache.rglob("*")):
        rel = str(path.relative_to(cache))
        if rel.startswith(".locks") or rel.startswith("home"):
            continue
        if path.is_symlink():
            out[rel] = "-> " + os.readlink(path)
        elif path.is_file():
            out[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
        else:
            out[rel] = "dir"
    return out


def blobs(cache: pathlib.Path) -> list[str]:
    folder = cache / "models--org--repo" / "blobs"
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


# -- cache compatibility ---------------------------------------------------------------------------

def test_python_reads_what_hubkernel_wrote(minihub, tmp_path):
    cache = tmp_path / "cache"
    result = hubkernel(["org/repo"], env_for(minihub, cache, HF_TOKEN="test-token-value"))
    assert result.returncode == 0, result.stderr
    snapshot = cache / "models--org--repo" / "snapshots" / COMMIT
    assert result.stdout.strip() == str(snapshot)
    out = python(
        "from huggingface_hub import hf_hub_download, snapshot_download, scan_cache_dir\n"
        "print(hf_hub_download('org/repo', 'sub/dir/vocab.txt', local_files_only=True))\n"
        "print(snapshot_download('org/repo', local_files_only=True))\n"
        "info = scan_cache_dir()\n"
        "print(len(info.warnings), [(r.repo_id, r.nb_files, sorted(r.refs)) for r in info.repos][0])\n"
        "rev = next(iter(next(iter(info.repos)).revisions)); print(sorted(str(f.file_path) for f in rev.files))\n",
        env_for(minihub, cache, HF_HUB_OFFLINE="1"))
    lines = out.splitlines()
    assert lines[0] == str(snapshot / "sub/dir/vocab.txt")
    assert lines[1] == str(snapshot)
    assert lines[2] == "0 ('org/repo', 4, ['main'])"
    assert (snapshot / "model.safetensors").read_bytes() == BIG
    # the token went to the Hub, never to the CDN
    assert all(auth == (server_path.startswith("/api") or "/resolve/" in server_path) for _, server_path, auth, _ in minihub.requests())


def test_same_tree_as_python(minihub, tmp_path):
    ours, theirs = tmp_path / "ours", tmp_path / "theirs"
    assert hubkernel(["org/repo"], env_for(minihub, ours)).returncode == 0
    python("from huggingface_hub import snapshot_download; snapshot_download('org/repo')", env_for(minihub, theirs))
    assert tree(ours) == tree(theirs)
    ref = "models--org--repo/refs/main"
    assert (ours / ref).read_bytes() == (theirs / ref).read_bytes() == COMMIT.encode()
    listing = f"models--org--repo/trees/{COMMIT}.json"
    assert (ours / listing).read_bytes() == (theirs / listing).read_bytes()


def test_offline_finds_python_download_without_network(minihub, tmp_path):
    cache = tmp_path / "cache"
    python("from huggingface_hub import snapshot_download, hf_hub_download\n"
           "snapshot_download('org/repo')", env_for(minihub, cache))
    before = len(minihub.requests())
    result = hubkernel(["org/repo", "config.json", "model.safetensors"], env_for(minihub, cache, HF_HUB_OFFLINE="1"))
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [str(cache / "models--org--repo" / "snapshots" / COMMIT / name)
                                     for name in ("config.json", "model.safetensors")]
    snapshot = hubkernel(["org/repo"], env_for(minihub, cache, HF_HUB_OFFLINE="1"))
    assert snapshot.returncode == 0 and snapshot.stdout.strip().endswith(COMMIT)
    assert len(minihub.requests()) == before, "offline: no request at all"


def test_local_dir_is_read_by_python(minihub, tmp_path):
    target = tmp_path / "out"
    assert hubkernel(["org/repo", "--local-dir", str(target)], env_for(minihub, tmp_path / "cache")).returncode == 0
    assert (target / "model.safetensors").read_bytes() == BIG and not (target / "config.json").is_symlink()
    assert (target / ".cache/huggingface/.gitignore").read_text() == "*"
    # Python reuses our files: no transfer of the big file happens.
    before = [r for r in minihub.requests() if r[0] == "GET" and "safetensors" not in r[1]]
    python(f"from huggingface_hub import snapshot_download; snapshot_download('org/repo', local_dir={str(target)!r})",
           env_for(minihub, tmp_path / "cache2"))
    cdn_gets = [r for r in minihub.requests() if r[0] == "GET" and len(r[1]) == 65]
    assert len(cdn_gets) == 1, "only our own download fetched the LFS file"
    assert before is not None


# -- faults ----------------------------------------------------------------------------------------

def test_dropped_connections_resume_and_end_correct(minihub, tmp_path):
    cache = tmp_path / "cache"
    offsets = sorted(random.Random(3).sample(range(1, 1_000_000), 3))
    minihub.inject("model.safetensors", *[("drop", n) for n in offsets])
    result = hubkernel(["org/repo", "model.safetensors"], env_for(minihub, cache))
    assert result.returncode == 0, result.stderr
    assert pathlib.Path(result.stdout.strip()).read_bytes() == BIG
    ranges = [r[3] for r in minihub.requests() if r[0] == "GET" and r[3]]
    assert ranges == [f"bytes={sum(offsets[:i + 1])}-" for i in range(3)]


def test_corrupted_byte_is_detected_and_nothing_published(minihub, tmp_path):
    cache = tmp_path / "cache"
    minihub.inject("model.safetensors", ("corrupt",))
    result = hubkernel(["org/repo", "model.safetensors"], env_for(minihub, cache))
    assert result.returncode == 1
    assert "ChecksumMismatchError" in result.stderr
    assert blobs(cache) == []
    assert not (cache / "models--org--repo" / "snapshots" / COMMIT / "model.safetensors").exists()


def test_429_and_503_then_success(minihub, tmp_path):
    minihub.inject("config.json", ("status", 429), ("status", 503))
    result = hubkernel(["org/repo", "--include", "config.json"], env_for(minihub, tmp_path / "cache"))
    assert result.returncode == 0, result.stderr
    assert len([r for r in minihub.requests() if r[1].endswith("/config.json") and r[0] == "GET"]) == 3


def test_stall_past_timeout_is_retried(minihub, tmp_path):
    minihub.inject("model.safetensors", ("stall", 100_000, 4))
    started = time.monotonic()
    result = hubkernel(["org/repo", "model.safetensors"], env_for(minihub, tmp_path / "cache", HF_HUB_DOWNLOAD_TIMEOUT="1"))
    assert result.returncode == 0, result.stderr
    assert pathlib.Path(result.stdout.strip()).read_bytes() == BIG
    assert time.monotonic() - started < 4, "the stall was abandoned after ~1 s, not waited out"
    assert [r[3] for r in minihub.requests() if r[0] == "GET" and r[3]] == ["bytes=100000-"]


def test_sigkill_mid_file_then_rerun_resumes(minihub, tmp_path):
    cache = tmp_path / "cache"
    minihub.inject("model.safetensors", ("slow", 0.05))
    env = env_for(minihub, cache)
    process = subprocess.Popen([hubkernel_bin(), "download", "org/repo", "model.safetensors"], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    incomplete = cache / "models--org--repo" / "blobs" / (hashlib.sha256(BIG).hexdigest() + ".incomplete")
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and (not incomplete.exists() or incomplete.stat().st_size < 1_000_000):
        time.sleep(0.02)
    process.send_signal(signal.SIGKILL)
    process.wait()
    kept = incomplete.stat().st_size
    assert 0 < kept < len(BIG)
    result = hubkernel(["org/repo", "model.safetensors"], env)
    assert result.returncode == 0, result.stderr
    assert pathlib.Path(result.stdout.strip()).read_bytes() == BIG
    resumed_from = [r[3] for r in minihub.requests() if r[0] == "GET" and r[3]]
    assert resumed_from and int(resumed_from[-1][6:-1]) >= kept - 65536 * 2


def test_four_processes_one_blob(minihub, tmp_path):
    cache = tmp_path / "cache"
    env = env_for(minihub, cache)
    processes = [subprocess.Popen([hubkernel_bin(), "download", "org/repo", "model.safetensors"], env=env,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(4)]
    outputs = [p.communicate(timeout=120) for p in processes]
    assert all(p.returncode == 0 for p in processes), outputs
    assert blobs(cache) == [hashlib.sha256(BIG).hexdigest()]
    assert (cache / "models--org--repo" / "blobs" / hashlib.sha256(BIG).hexdigest()).read_bytes() == BIG
    assert len([r for r in minihub.requests() if r[0] == "GET" and not r[1].startswith("/org")]) == 1


def test_file_size_limit_is_a_clear_error_and_cache_stays_intact(minihub, tmp_path):
    cache = tmp_path / "cache"
    env = env_for(minihub, cache)
    assert hubkernel(["org/repo", "config.json"], env).returncode == 0
    before = tree(cache)
    import resource

    def limit():
        resource.setrlimit(resource.RLIMIT_FSIZE, (1_000_000, 1_000_000))

    result = subprocess.run([hubkernel_bin(), "download", "org/repo", "model.safetensors"], env=env, capture_output=True,
                            text=True, timeout=60, preexec_fn=limit)
    assert result.returncode == 1
    assert "DiskFullError" in result.stderr and "kept" in result.stderr
    assert hashlib.sha256(BIG).hexdigest() not in blobs(cache)
    after = tree(cache)
    assert {k: v for k, v in after.items() if not k.endswith(".incomplete")} == {**before}
    # the partial is kept and the next run (without the limit) finishes it
    result = hubkernel(["org/repo", "model.safetensors"], env)
    assert result.returncode == 0 and pathlib.Path(result.stdout.strip()).read_bytes() == BIG


def test_path_traversal_is_refused(tmp_path):
    hub = MiniHub({**FILES, "../../evil.txt": (b"x", False)})
    try:
        result = hubkernel(["org/repo"], env_for(hub, tmp_path / "cache"))
    finally:
        hub.stop()
    assert result.returncode == 1 and "UnsafePathError" in result.stderr
    assert not (tmp_path / "evil.txt").exists() and blobs(tmp_path / "cache") == []


# -- in the kernel ---------------------------------------------------------------------------------

def test_download_magic_in_the_kernel(minihub, tmp_path, start_hubkernel):
    cache = tmp_path / "cache"
    km, kc = start_hubkernel(env=env_for(minihub, cache))
    reply, iopub = run_cell(kc, "%download org/repo --include *.json --include sub/", timeout=60)
    assert reply["content"]["status"] == "ok", reply["content"]
    result = [m for m in iopub if m["msg_type"] == "execute_result"][0]["content"]["data"]
    assert result["application/vnd.hubkernel+json"]["paths"] == [str(cache / "models--org--repo" / "snapshots" / COMMIT)]
    assert sorted(f["path"] for f in result["application/vnd.hubkernel+json"]["files"]) == ["config.json", "sub/dir/vocab.txt"]
    displays = [m for m in iopub if m["msg_type"] in ("display_data", "update_display_data")]
    assert displays and displays[0]["msg_type"] == "display_data"
    assert "Done" in displays[-1]["content"]["data"]["text/plain"]
    reply, iopub = run_cell(kc, "%download org/repo nope.txt", timeout=60)
    assert reply["content"]["status"] == "error" and reply["content"]["ename"] == "RemoteEntryNotFoundError"


def test_large_file_in_parallel_ranges_survives_sigkill_and_resumes_each_range(tmp_path):
    huge = random.Random(11).randbytes(70 * 1024 * 1024)
    hub = MiniHub({"huge.bin": (huge, True)})
    try:
        cache = tmp_path / "cache"
        env = env_for(hub, cache)
        hub.inject("huge.bin", *[("slow", 0.01)] * 4)
        process = subprocess.Popen([hubkernel_bin(), "download", "org/repo", "huge.bin"], env=env,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        sidecar = cache / "models--org--repo" / "blobs" / (hashlib.sha256(huge).hexdigest() + ".incomplete.ranges")
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not (sidecar.exists() and any(
                int(line.split()[1]) - int(line.split()[0]) >= 4 << 20 for line in sidecar.read_text().splitlines())):
            time.sleep(0.05)
        process.send_signal(signal.SIGKILL)
        process.wait()
        first = sorted(r[3] for r in hub.requests() if r[0] == "GET" and r[3])
        assert len(first) == 4 and first[0] == "bytes=0-18350079", first
        recorded = [tuple(int(x) for x in line.split()) for line in sidecar.read_text().splitlines()]
        assert any(position > start for start, position, _ in recorded)

        hub.log.clear()
        result = hubkernel(["org/repo", "huge.bin"], env)
        assert result.returncode == 0, result.stderr
        assert pathlib.Path(result.stdout.strip()).read_bytes() == huge
        resumed = sorted(r[3] for r in hub.requests() if r[0] == "GET" and r[3])
        assert resumed == sorted(f"bytes={position}-{end}" for _, position, end in recorded if position <= end)
        assert not sidecar.exists()
    finally:
        hub.stop()
