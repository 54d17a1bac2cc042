"""`hubkernel download` of Xet-backed files (the local Hub's Xet store, localhub/xet.py), against huggingface_hub 2.4.0
with hf_xet 1.8.0 downloading the same files: byte-exact, the same cache (blobs named by the sha256 etag and moved
into the cache-wide shared blob store, `<cache>/blobs/<hh>/<xet hash>`, as Python does), scan_cache_dir() clean,
resume after SIGKILL, `cache verify` and `info` sizes; and the Xet faults (a corrupted chunk, a truncated xorb range,
a term of the wrong length, a lying reconstruction) refused with nothing stored."""
from __future__ import annotations

import hashlib
import json
import os
import pathlib
import signal
import stat
import subprocess
import time

import pytest

from fixtures.hub import xet_local_hub
from fixtures.kernel import hubkernel_bin

XET_REPO, GATED_XET_REPO = "demo/xet-model", "demo/xet-gated-model"
XET_FOLDER, GATED_FOLDER = "models--demo--xet-model", "models--demo--xet-gated-model"
MIB = 1024 * 1024


@pytest.fixture(scope="module")
def local_hub(tmp_path_factory):
    """A local Hub of its own with the Xet sample repos (model.bin is Xet-backed, README.md a regular file)."""
    with xet_local_hub(tmp_path_factory.mktemp("localhub-xet-download")) as hub:
        yield hub


@pytest.fixture
def env(hf_env, tmp_path):
    return dict(hf_env, HF_HUB_CACHE=str(tmp_path / "cache"))


def hubkernel(args, env, timeout=180) -> subprocess.CompletedProcess:
    return subprocess.run([hubkernel_bin(), *args], env=env, capture_output=True, text=True, timeout=timeout)


def xet_hash(local_hub, repo=XET_REPO, path="model.bin") -> str:
    sha = hashlib.sha256(local_hub.source(repo, path).read_bytes()).hexdigest()
    return json.loads((local_hub.root / ".localhub" / "xet" / "files" / f"{sha}.json").read_text())["hash"]


def cache_tree(cache: pathlib.Path) -> dict[str, str]:
    """Every entry under a cache but lock files: symlink targets, file hashes and permission bits."""
    out = {}
    for path in sorted(cache.rglob("*")):
        rel = path.relative_to(cache).as_posix()
        if rel.startswith(".locks") or rel.endswith(".lock"):
            continue
        mode = stat.filemode(path.lstat().st_mode)
        out[rel] = ("-> " + os.readlink(path)) if path.is_symlink() else (
            f"{mode} " + (hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else "dir"))
    return out


def scan_is_clean(hf_run, cache: pathlib.Path) -> dict:
    result = hf_run(f"""
from huggingface_hub import scan_cache_dir
info = scan_cache_dir({str(cache)!r})
print(json.dumps({{"warnings": [str(w) for w in info.warnings],
                   "repos": {{r.repo_id: [sorted(f.file_name for f in rev.files) for rev in r.revisions] for r in info.repos}},
                   "size": info.size_on_disk}}))
""")
    assert result["warnings"] == [], result
    return result


def xet_store_files(cache: pathlib.Path) -> list[str]:
    """What the cache-wide shared blob store holds (payloads and manifests), and any partial download anywhere."""
    store = sorted(p.relative_to(cache).as_posix() for p in (cache / "blobs").rglob("*") if not p.name.endswith(".lock")) \
        if (cache / "blobs").exists() else []
    partial = sorted(p.name for p in cache.rglob("*.incomplete"))
    return store + partial


# -- the same files, the same cache as hf with hf_xet --------------------------------------------------------------


def test_xet_files_download_byte_exact_into_the_cache_hf_xet_writes(local_hub, hf_env, hf_run, tmp_path):
    """A snapshot and a single file of another repo holding the same Xet file: HubKernel's cache equals the one hf_xet
    writes, entry for entry (the shared store's payload, its manifest listing both repos, the relative links), the
    second repo's file is linked from the store without a byte downloaded, and scan_cache_dir() is clean."""
    ours, theirs = tmp_path / "ours", tmp_path / "theirs"
    token = local_hub.tokens["read"]
    gated_env = dict(hf_env, HF_HUB_CACHE=str(ours), HF_TOKEN=token)
    local_hub.clear_log()
    assert hubkernel(["download", XET_REPO], gated_env).returncode == 0
    log = local_hub.log()
    first = [e for e in log if e["method"] == "GET" and e["server"] in ("nginx", "cdn")]
    assert first and not any(e["auth"] for e in first), "the token goes to the Hub only, never to the bridge"
    assert all(e["auth"] for e in log if e["server"] == "api") and not any(e["server"] == "cas" for e in log)
    dry = hubkernel(["download", GATED_XET_REPO, "model.bin", "--dry-run"], gated_env)
    assert dry.returncode == 0 and "already cached" in dry.stdout, "as Python's dry run: the shared payload counts"
    local_hub.clear_log()
    result = hubkernel(["download", GATED_XET_REPO, "model.bin"], gated_env)
    assert result.returncode == 0, result.stderr
    second = [e for e in local_hub.log() if e["method"] == "GET" and e["server"] in ("nginx", "cdn")]
    assert first and not second, "the gated repo's model.bin came from the shared store, not the network"

    found = hf_run(f"""
from huggingface_hub import snapshot_download, hf_hub_download
snapshot_download({XET_REPO!r}, cache_dir={str(theirs)!r})
hf_hub_download({GATED_XET_REPO!r}, "model.bin", cache_dir={str(theirs)!r}, token={token!r})
print(json.dumps({{}}))
""")
    assert "error" not in found, found
    tree = cache_tree(ours)
    assert tree == cache_tree(theirs)
    data = local_hub.source(XET_REPO, "model.bin").read_bytes()
    sha, file_hash = hashlib.sha256(data).hexdigest(), xet_hash(local_hub)
    payload = ours / "blobs" / file_hash[:2] / file_hash
    assert payload.read_bytes() == data and (ours / XET_FOLDER / "blobs" / sha).is_symlink()
    assert sorted((payload.parent / f"{file_hash}.refs").read_text().splitlines()) == sorted([
        f"{XET_FOLDER}/blobs/{sha}", f"{GATED_FOLDER}/blobs/{sha}"])
    for cache in (ours, theirs):
        scan = scan_is_clean(hf_run, cache)
        assert scan["size"] == len(data) + len(local_hub.source(XET_REPO, "README.md").read_bytes()), \
            "the shared payload counted once"


def test_cache_rm_frees_the_shared_payload_with_its_last_repo(local_hub, env, hf_run):
    cache = pathlib.Path(env["HF_HUB_CACHE"])
    token_env = dict(env, HF_TOKEN=local_hub.tokens["read"])
    for repo in (XET_REPO, GATED_XET_REPO):
        assert hubkernel(["download", repo, "model.bin"], token_env).returncode == 0
    file_hash = xet_hash(local_hub)
    payload = cache / "blobs" / file_hash[:2] / file_hash
    assert hubkernel(["cache", "rm", f"model/{XET_REPO}", "--yes"], env).returncode == 0
    assert payload.exists(), "the gated repo still links it"
    assert hubkernel(["cache", "rm", f"model/{GATED_XET_REPO}", "--yes"], env).returncode == 0
    assert not payload.exists() and not payload.with_name(f"{file_hash}.refs").exists()
    scan_is_clean(hf_run, cache)


def test_disabled_xet_keeps_blobs_in_the_repo_as_python_does(local_hub, hf_env, hf_run, tmp_path):
    ours, theirs = tmp_path / "ours", tmp_path / "theirs"
    assert hubkernel(["download", XET_REPO], dict(hf_env, HF_HUB_CACHE=str(ours), HF_HUB_DISABLE_XET="1")).returncode == 0
    hf_run(f"""
os.environ["HF_HUB_DISABLE_XET"] = "1"
from huggingface_hub import snapshot_download
snapshot_download({XET_REPO!r}, cache_dir={str(theirs)!r})
print(json.dumps({{}}))
""")
    assert cache_tree(ours) == cache_tree(theirs)
    assert not (ours / "blobs").exists()


def test_interrupted_xet_download_resumes_and_lands_in_the_store(local_hub, env, hf_run):
    cache = pathlib.Path(env["HF_HUB_CACHE"])
    data = local_hub.source(XET_REPO, "model.bin").read_bytes()
    sha, file_hash = hashlib.sha256(data).hexdigest(), xet_hash(local_hub)
    incomplete = cache / XET_FOLDER / "blobs" / f"{sha}.incomplete"
    with local_hub.faults({"path": "*model.bin", "target": "cdn", "rate": 1 * MIB, "count": 1}):
        process = subprocess.Popen([hubkernel_bin(), "download", XET_REPO, "model.bin"], env=env,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not (incomplete.exists() and incomplete.stat().st_size >= MIB):
            time.sleep(0.02)
        process.send_signal(signal.SIGKILL)
        process.wait()
    kept = incomplete.stat().st_size
    assert 0 < kept < len(data)
    assert not (cache / "blobs").exists(), "nothing in the shared store before the file is complete"
    local_hub.clear_log()
    result = hubkernel(["download", XET_REPO, "model.bin"], env)
    assert result.returncode == 0, result.stderr
    assert pathlib.Path(result.stdout.strip()).read_bytes() == data
    ranges = [e["range"] for e in local_hub.log() if e["method"] == "GET" and e["server"] in ("nginx", "cdn")]
    assert ranges and ranges[0].startswith("bytes=") and int(ranges[0][6:].split("-")[0]) >= kept - 2 * 65536
    assert (cache / "blobs" / file_hash[:2] / file_hash).read_bytes() == data
    assert not list(cache.rglob("*.incomplete"))
    scan_is_clean(hf_run, cache)


def test_cache_verify_and_info_sizes_for_xet_files(local_hub, env):
    cache = pathlib.Path(env["HF_HUB_CACHE"])
    data = local_hub.source(XET_REPO, "model.bin").read_bytes()
    info = hubkernel(["info", XET_REPO], env)
    assert info.returncode == 0, info.stderr
    assert f"{len(data) / 1e6:.1f} MB" in info.stdout or f"{len(data):,}" in info.stdout, info.stdout
    assert hubkernel(["download", XET_REPO], env).returncode == 0
    verified = hubkernel(["cache", "verify", XET_REPO], env)
    assert verified.returncode == 0 and "2" in verified.stdout, verified.stdout + verified.stderr
    # The payload in the shared store changes behind the cache's back: verify names the file.
    file_hash = xet_hash(local_hub)
    payload = cache / "blobs" / file_hash[:2] / file_hash
    payload.chmod(0o600)
    with open(payload, "r+b") as f:
        f.seek(len(data) // 2)
        f.write(bytes([data[len(data) // 2] ^ 0xFF]))
    broken = hubkernel(["cache", "verify", XET_REPO], env)
    assert broken.returncode != 0 and "model.bin" in broken.stdout + broken.stderr, broken.stdout + broken.stderr


# -- nothing unverified: faults of Xet storage (localhub/xet_faults.py) ---------------------------------------------
XET_FAULTS = {  # kind: (what HubKernel says, whether the data may be fine on the next try: the partial file is kept)
    "corrupt_chunk": ("arrived corrupted", False),
    "truncate_range": ("was lost", True),
    "term_length": ("arrived with more than 3145728 bytes", False),
    "lying_reconstruction": ("arrived corrupted", False),
}
CAS_PATHS = {"corrupt_chunk": "/xorbs/*", "truncate_range": "/xorbs/*", "term_length": "/v*/reconstructions/*",
             "lying_reconstruction": "/v*/reconstructions/*"}


@pytest.mark.parametrize("kind", list(XET_FAULTS))
def test_xet_faults_are_refused_and_nothing_is_stored(local_hub, env, hf_run, kind):
    """The bridge assembles model.bin from a damaged store or plan: HubKernel refuses it with a clear error, stores
    no blob and nothing in the shared store (a short body keeps its verified-later prefix to resume), and the next
    run, with the store healthy again, gets the right bytes."""
    cache = pathlib.Path(env["HF_HUB_CACHE"])
    data = local_hub.source(XET_REPO, "model.bin").read_bytes()
    message, resumable = XET_FAULTS[kind]
    with local_hub.faults({"xet": kind, "target": "cdn", "path": "*model.bin", "count": None}):
        result = hubkernel(["download", XET_REPO, "model.bin"], dict(env, HF_HUB_DOWNLOAD_TIMEOUT="5"))
    assert result.returncode == 1 and message in result.stderr, result.stderr
    assert "Retry" in result.stderr or "run the same download again" in result.stderr, result.stderr
    assert [p for p in xet_store_files(cache) if not p.endswith(".incomplete")] == []
    assert bool(list(cache.rglob("*.incomplete"))) == resumable
    assert not list(cache.rglob("snapshots/*/model.bin"))
    result = hubkernel(["download", XET_REPO, "model.bin"], env)
    assert result.returncode == 0, result.stderr
    assert pathlib.Path(result.stdout.strip()).read_bytes() == data
    scan_is_clean(hf_run, cache)


def test_hf_xet_under_the_same_faults(local_hub, hf_env, hf_run, tmp_path):
    """What hf with hf_xet 1.8 does with the same faults on the CAS (README's comparison): it stores a corrupted
    chunk, a term of the wrong length and a lying reconstruction without a word, and fails on a truncated xorb range.
    A change in hf_xet shows up here."""
    data = local_hub.source(XET_REPO, "model.bin").read_bytes()
    outcomes = {}
    for kind, path in CAS_PATHS.items():
        cache = tmp_path / kind
        with local_hub.faults({"xet": kind, "target": "cas", "path": path, "count": None}):
            result = hf_run(f"""
from huggingface_hub import hf_hub_download
path = hf_hub_download({XET_REPO!r}, "model.bin", cache_dir={str(cache)!r})
print(json.dumps({{"path": path}}))
""")
        if "error" in result:
            outcomes[kind] = "refused"
        else:
            outcomes[kind] = "stored, right" if pathlib.Path(result["path"]).read_bytes() == data else "stored, wrong"
    assert outcomes == {"corrupt_chunk": "stored, wrong", "truncate_range": "refused", "term_length": "stored, wrong",
                        "lying_reconstruction": "stored, wrong"}
