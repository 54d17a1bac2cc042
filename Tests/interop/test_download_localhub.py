"""`hubkernel download` / `%download` against the shared local Hub (fixtures/hub.py), cross-checked with
huggingface_hub 2.4.0: the same cache as Python, Python reading ours, offline reuse, revisions, gated/private repos,
unsafe listings, faults (drops, corruption, 429/503, stalls, SIGKILL, file size limit, full disk), parallel ranges, and
the `%download` magic in the kernel."""
from __future__ import annotations

import hashlib
import json
import os
import pathlib
import resource
import signal
import subprocess
import threading
import time
import urllib.request

import pytest

from fixtures.kernel import hubkernel_bin, run_cell
from localhub.repos import SEED_MARKER_PREFIX

REPO = "demo/tiny-model"
MODEL = "model.safetensors"
REPO_FOLDER = "models--demo--tiny-model"
MIB = 1024 * 1024


def run(args, env, timeout=180) -> subprocess.CompletedProcess:
    return subprocess.run([hubkernel_bin(), "download", *args], env=env, capture_output=True, text=True, timeout=timeout)


def start(args, env) -> subprocess.Popen:
    return subprocess.Popen([hubkernel_bin(), "download", *args], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)


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


def source_files(folder: pathlib.Path) -> dict[str, pathlib.Path]:
    """The files a repo revision is built from (repo path -> source file)."""
    return {p.relative_to(folder).as_posix(): p for p in sorted(folder.rglob("*"))
            if p.is_file() and not p.name.startswith(SEED_MARKER_PREFIX)}


def blob_names(cache, repo_folder: str = REPO_FOLDER) -> list[str]:
    """Everything in a repo's `blobs/` folder (finished blobs and partial downloads)."""
    folder = pathlib.Path(cache, repo_folder, "blobs")
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def cdn_gets(log: list[dict]) -> list[dict]:
    """GETs answered by a CDN origin (nginx or the Python one), not the API server."""
    return [e for e in log if e["method"] == "GET" and e["server"] != "api"]


def ranges_of(entries: list[dict]) -> list[str]:
    return [e["range"] for e in entries if e["range"]]


def wait_for_log(local_hub, predicate, timeout: float = 15.0) -> list[dict]:
    """The request log once `predicate(log)` holds (servers log a response when it ends: after a client is killed,
    that is when the server notices)."""
    deadline = time.monotonic() + timeout
    entries = local_hub.log(settle=0.1)
    while not predicate(entries) and time.monotonic() < deadline:
        entries = local_hub.log(settle=0.1)
    return entries


def wait_until(condition, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and not condition():
        time.sleep(0.02)


@pytest.fixture
def env(hf_env, tmp_path):
    return dict(hf_env, HF_HUB_CACHE=str(tmp_path / "cache"))


@pytest.fixture
def snapshot(local_hub, env) -> pathlib.Path:
    """Where `demo/tiny-model` at main lands in `env`'s cache (commit from the hub's API)."""
    return pathlib.Path(env["HF_HUB_CACHE"], REPO_FOLDER, "snapshots", local_hub.commit(REPO))


# -- the same cache as Python ------------------------------------------------------------------------------------


@pytest.mark.parametrize("symlinks", [True, False], ids=["symlinks", "HF_HUB_DISABLE_SYMLINKS"])
def test_cache_equals_pythons_for_every_revision(local_hub, hf_env, hf_run, tmp_path, symlinks):
    ours, theirs = tmp_path / "ours", tmp_path / "theirs"
    disable = "0" if symlinks else "1"
    for revision in ("main", "v1.0", "refs/pr/1"):
        result = run([REPO, "--revision", revision], dict(hf_env, HF_HUB_CACHE=str(ours), HF_HUB_DISABLE_SYMLINKS=disable))
        assert result.returncode == 0, result.stderr
    hf_run(f"""
os.environ["HF_HUB_DISABLE_SYMLINKS"] = {disable!r}
from huggingface_hub import snapshot_download
for r in ("main", "v1.0", "refs/pr/1"):
    snapshot_download({REPO!r}, revision=r, cache_dir={str(theirs)!r})
print(json.dumps({{}}))
""")
    assert cache_tree(ours) == cache_tree(theirs)
    assert any(value.startswith("-> ") for value in cache_tree(ours).values()) == symlinks
    for ref in ("main", "v1.0", "refs/pr/1"):
        commit = local_hub.commit(REPO, ref)
        path = f"{REPO_FOLDER}/refs/{ref}"
        assert (ours / path).read_bytes() == (theirs / path).read_bytes() == commit.encode()
        listing = f"{REPO_FOLDER}/trees/{commit}.json"
        assert (ours / listing).read_bytes() == (theirs / listing).read_bytes()


def test_python_reads_our_cache_offline_and_scan_is_clean(local_hub, env, hf_run, snapshot):
    result = run([REPO], env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(snapshot)
    out = hf_run(f"""
os.environ["HF_HUB_OFFLINE"] = "1"
from huggingface_hub import hf_hub_download, snapshot_download, scan_cache_dir
cache = {env["HF_HUB_CACHE"]!r}
info = scan_cache_dir(cache)
print(json.dumps({{"file": hf_hub_download({REPO!r}, "nested/deeper/notes.txt", cache_dir=cache, local_files_only=True),
                  "snap": snapshot_download({REPO!r}, cache_dir=cache, local_files_only=True),
                  "warnings": [str(w) for w in info.warnings],
                  "repos": [(r.repo_id, r.nb_files, sorted(r.refs)) for r in info.repos],
                  "files": sorted(str(f.file_path) for r in info.repos for rev in r.revisions for f in rev.files)}}))
""")
    assert out["snap"] == str(snapshot)
    assert out["file"] == str(snapshot / "nested/deeper/notes.txt")
    assert out["warnings"] == []
    sources = source_files(local_hub.source_dir(REPO))
    distinct_blobs = {hashlib.sha256(path.read_bytes()).hexdigest() for path in sources.values()}
    assert out["repos"] == [[REPO, len(distinct_blobs), ["main"]]]
    assert out["files"] == sorted(str(snapshot / name) for name in sources)
    for name, path in sources.items():
        assert (snapshot / name).read_bytes() == path.read_bytes(), name


def test_offline_reuses_python_downloads_with_no_request(local_hub, env, hf_run, snapshot):
    cache = env["HF_HUB_CACHE"]
    offline = dict(env, HF_HUB_OFFLINE="1")
    hf_run(f"""
from huggingface_hub import hf_hub_download
print(json.dumps(hf_hub_download({REPO!r}, "config.json", cache_dir={cache!r})))
""")
    local_hub.clear_log()
    result = run([REPO, "config.json"], offline)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(snapshot / "config.json")
    assert local_hub.log() == [], "offline: no request at all"

    hf_run(f"""
from huggingface_hub import snapshot_download
print(json.dumps(snapshot_download({REPO!r}, cache_dir={cache!r})))
""")
    local_hub.clear_log()
    result = run([REPO, "config.json", MODEL], offline)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [str(snapshot / name) for name in ("config.json", MODEL)]
    whole = run([REPO], offline)
    assert whole.returncode == 0, whole.stderr
    assert whole.stdout.strip() == str(snapshot)
    assert local_hub.log() == [], "offline: no request at all"


def test_local_dir_matches_python(local_hub, env, hf_run, tmp_path):
    ours, theirs = tmp_path / "ours", tmp_path / "theirs"
    result = run([REPO, "--local-dir", str(ours)], env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(ours.resolve())
    assert (ours / MODEL).read_bytes() == local_hub.source(REPO, MODEL).read_bytes()
    assert not (ours / "config.json").is_symlink()
    assert (ours / ".cache/huggingface/.gitignore").read_text() == "*"
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


def test_missing_file_marker_is_read_by_python(local_hub, env, hf_run):
    result = run([REPO, "no-such-file.bin"], env)
    assert result.returncode == 1 and "RemoteEntryNotFoundError" in result.stderr and "'no-such-file.bin'" in result.stderr
    out = hf_run(f"""
from huggingface_hub import try_to_load_from_cache
from huggingface_hub.file_download import _CACHED_NO_EXIST
print(json.dumps(try_to_load_from_cache({REPO!r}, "no-such-file.bin", cache_dir={env["HF_HUB_CACHE"]!r}) is _CACHED_NO_EXIST))
""")
    assert out is True


# -- access, filters and unsafe listings -------------------------------------------------------------------------


def test_token_only_to_the_hub_and_private_repo(local_hub, env):
    local_hub.clear_log()
    result = run(["alice/private-model"], dict(env, HF_TOKEN=local_hub.tokens["read"]))
    assert result.returncode == 0, result.stderr
    result = run([REPO, MODEL], dict(env, HF_TOKEN=local_hub.tokens["read"]))
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
    assert "The Hub says: Access to model demo/gated-model is restricted" in result.stderr, "the Hub's own words follow"


def test_a_dataset_asked_for_as_a_model_gets_the_repo_type_hint(local_hub, env):
    result = run(["demo/tiny-dataset", "README.md"], env)
    assert result.returncode == 1
    assert ("RepositoryNotFoundError: There is no model 'demo/tiny-dataset', but a dataset with this id exists: "
            "add --repo-type dataset.") in result.stderr, result.stderr
    missing = run(["demo/no-such-repo"], env)
    assert missing.returncode == 1 and "Repository 'demo/no-such-repo' was not found" in missing.stderr, missing.stderr


@pytest.mark.parametrize("token", ["unapproved", None])
def test_whole_gated_repo_names_the_repo_and_what_to_do(local_hub, env, token):
    # A snapshot lists the files, then learns of the gate from the file GET (no HEAD): the error still names the repo.
    environment = dict(env, HF_TOKEN=local_hub.tokens[token]) if token else env
    result = run(["demo/gated-model"], environment)
    assert result.returncode == 1
    page = f"{local_hub.endpoint}/demo/gated-model"
    assert f"GatedRepoError: demo/gated-model is gated" in result.stderr and page in result.stderr, result.stderr
    assert "unknown" not in result.stderr
    expected = "accept the licence" if token else "no token was sent: log in (hubkernel auth login, or set HF_TOKEN)"
    assert expected in result.stderr, result.stderr


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


@pytest.mark.parametrize("mode", ["cache", "local-dir"])
@pytest.mark.parametrize("revision, hostile", [("main", "../../escape.txt"), ("absolute", "/abs.txt")])
def test_unsafe_listed_paths_are_refused(local_hub, env, tmp_path, mode, revision, hostile):
    repo = "demo/hostile-model"
    listing_url = f"{local_hub.endpoint}/api/models/{repo}/tree/{revision}?recursive=true"
    with urllib.request.urlopen(listing_url, timeout=30) as response:
        assert hostile in [entry["path"] for entry in json.loads(response.read())], "the hub lists the unsafe name"
    name = pathlib.PurePosixPath(hostile).name
    outside = pathlib.Path("/", name)
    existed_outside = os.path.lexists(outside)
    args = [repo, "--revision", revision]
    if mode == "local-dir":
        args += ["--local-dir", str(tmp_path / "a" / "b" / "out")]
    local_hub.clear_log()
    result = run(args, env)
    assert result.returncode == 1 and "UnsafePathError" in result.stderr, result.stderr
    assert f"'{hostile}'" in result.stderr
    assert [p for p in tmp_path.rglob(name)] == [], "nothing was written outside the repo folder"
    assert os.path.lexists(outside) == existed_outside
    assert blob_names(env["HF_HUB_CACHE"], "models--demo--hostile-model") == [], "refused before downloading"
    assert not [e for e in local_hub.log() if "/resolve/" in e["path"]]


# -- faults -------------------------------------------------------------------------------------------------------


def test_dropped_connections_resume_where_they_broke(local_hub, env):
    local_hub.clear_log()
    with local_hub.faults({"path": "*model.safetensors", "target": "cdn", "drop_after": 700_000, "count": 3}):
        result = run([REPO, MODEL], env)
    assert result.returncode == 0, result.stderr
    assert pathlib.Path(result.stdout.strip()).read_bytes() == local_hub.source(REPO, MODEL).read_bytes()
    assert ranges_of(cdn_gets(local_hub.log())) == [f"bytes={700_000 * n}-" for n in (1, 2, 3)]


def test_corrupted_byte_is_detected_and_nothing_published(local_hub, env, snapshot):
    size = local_hub.source(REPO, MODEL).stat().st_size
    with local_hub.faults({"path": "*model.safetensors", "target": "cdn", "corrupt_at": size // 2, "count": 1}):
        result = run([REPO, MODEL], env)
    assert result.returncode == 1 and "ChecksumMismatchError" in result.stderr, result.stderr
    assert blob_names(env["HF_HUB_CACHE"]) == [], "no blob, no partial file"
    assert not os.path.lexists(snapshot / MODEL)


def test_rate_limit_and_unavailable_then_success(local_hub, env):
    local_hub.clear_log()
    with local_hub.faults({"path": "*config.json", "method": "GET", "status": 429, "retry_after": 0, "count": 1},
                          {"path": "*config.json", "method": "GET", "status": 503, "retry_after": 0, "count": 1}):
        result = run([REPO, "--include", "config.json"], env)
    assert result.returncode == 0, result.stderr
    assert pathlib.Path(result.stdout.strip(), "config.json").read_bytes() == local_hub.source(REPO, "config.json").read_bytes()
    gets = [e for e in local_hub.log() if e["method"] == "GET" and e["path"].endswith("/config.json")]
    assert [e["status"] for e in gets] == [429, 503, 200]


def test_stall_past_the_timeout_is_abandoned_and_resumed(local_hub, env):
    local_hub.clear_log()
    with local_hub.faults({"path": "*model.safetensors", "target": "cdn", "stall": 30, "stall_at": 100_000, "count": 1}):
        started = time.monotonic()
        result = run([REPO, MODEL], dict(env, HF_HUB_DOWNLOAD_TIMEOUT="1"), timeout=60)
        elapsed = time.monotonic() - started
    assert result.returncode == 0, result.stderr
    assert pathlib.Path(result.stdout.strip()).read_bytes() == local_hub.source(REPO, MODEL).read_bytes()
    assert elapsed < 4, "the stall was abandoned after ~1 s, not waited out"
    assert ranges_of(cdn_gets(local_hub.log())) == ["bytes=100000-"]


def test_sigkill_mid_file_then_rerun_resumes(local_hub, env):
    data = local_hub.source(REPO, MODEL).read_bytes()
    incomplete = pathlib.Path(env["HF_HUB_CACHE"], REPO_FOLDER, "blobs", hashlib.sha256(data).hexdigest() + ".incomplete")
    with local_hub.faults({"path": "*model.safetensors", "target": "cdn", "rate": 1 * MIB, "count": 1}):
        process = start([REPO, MODEL], env)
        wait_until(lambda: incomplete.exists() and incomplete.stat().st_size >= 1_000_000)
        process.send_signal(signal.SIGKILL)
        process.wait()
    kept = incomplete.stat().st_size
    assert 0 < kept < len(data)
    result = run([REPO, MODEL], env)
    assert result.returncode == 0, result.stderr
    assert pathlib.Path(result.stdout.strip()).read_bytes() == data
    resumed_from = ranges_of(cdn_gets(local_hub.log()))
    assert resumed_from and int(resumed_from[-1][6:-1]) >= kept - 65536 * 2


def test_four_processes_one_blob(local_hub, env):
    data = local_hub.source(REPO, MODEL).read_bytes()
    local_hub.clear_log()
    processes = [subprocess.Popen([hubkernel_bin(), "download", REPO, MODEL], env=env, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True) for _ in range(4)]
    outputs = [p.communicate(timeout=120) for p in processes]
    assert all(p.returncode == 0 for p in processes), outputs
    sha = hashlib.sha256(data).hexdigest()
    assert blob_names(env["HF_HUB_CACHE"]) == [sha]
    assert pathlib.Path(env["HF_HUB_CACHE"], REPO_FOLDER, "blobs", sha).read_bytes() == data
    assert len(cdn_gets(local_hub.log())) == 1


def test_file_size_limit_is_a_clear_error_and_cache_stays_intact(local_hub, env):
    cache = pathlib.Path(env["HF_HUB_CACHE"])
    data = local_hub.source(REPO, MODEL).read_bytes()
    assert run([REPO, "config.json"], env).returncode == 0
    before = cache_tree(cache)

    def limit():
        resource.setrlimit(resource.RLIMIT_FSIZE, (1_000_000, 1_000_000))

    result = subprocess.run([hubkernel_bin(), "download", REPO, MODEL], env=env, capture_output=True, text=True,
                            timeout=60, preexec_fn=limit)
    assert result.returncode == 1
    assert "DiskFullError" in result.stderr and "kept" in result.stderr, result.stderr
    assert hashlib.sha256(data).hexdigest() not in blob_names(cache)
    after = cache_tree(cache)
    assert {k: v for k, v in after.items() if not k.endswith(".incomplete")} == before
    # the partial is kept and the next run (without the limit) finishes it
    result = run([REPO, MODEL], env)
    assert result.returncode == 0 and pathlib.Path(result.stdout.strip()).read_bytes() == data


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


def test_large_file_in_parallel_ranges_survives_sigkill_and_resumes_each_range(local_hub, env):
    repo = "bench/huge-model"
    local_hub.add_benchmark_repo(repo, small_files=0, large_size=70 * MIB)
    data = local_hub.source(repo, "large.bin").read_bytes()
    sidecar = pathlib.Path(env["HF_HUB_CACHE"], "models--bench--huge-model", "blobs",
                           hashlib.sha256(data).hexdigest() + ".incomplete.ranges")

    def progressed() -> bool:
        return sidecar.exists() and any(int(line.split()[1]) - int(line.split()[0]) >= 4 << 20
                                        for line in sidecar.read_text().splitlines())

    local_hub.clear_log()
    with local_hub.faults({"path": "*large.bin", "target": "cdn", "rate": 8 * MIB, "count": 4}):
        process = start([repo, "large.bin"], dict(env, HUBKERNEL_DOWNLOAD_RANGES="4"))
        wait_until(progressed)
        process.send_signal(signal.SIGKILL)
        process.wait()
        log = wait_for_log(local_hub, lambda entries: len(ranges_of(cdn_gets(entries))) >= 4)
    first = sorted(ranges_of(cdn_gets(log)))
    assert len(first) == 4 and first[0] == "bytes=0-18350079", first
    recorded = [tuple(int(x) for x in line.split()) for line in sidecar.read_text().splitlines()]
    assert any(position > start for start, position, _ in recorded)

    local_hub.clear_log()
    result = run([repo, "large.bin"], env)
    assert result.returncode == 0, result.stderr
    assert pathlib.Path(result.stdout.strip()).read_bytes() == data
    resumed = sorted(ranges_of(cdn_gets(local_hub.log())))
    assert resumed == sorted(f"bytes={position}-{end}" for _, position, end in recorded if position <= end)
    assert not sidecar.exists()


def test_large_file_ranges_are_at_least_8_mib_each(local_hub, env):
    """By default a large file is fetched as up to 32 ranges of at least 8 MiB: the 70 MiB file as 8."""
    repo = "bench/huge-model"
    local_hub.add_benchmark_repo(repo, small_files=0, large_size=70 * MIB)
    data = local_hub.source(repo, "large.bin").read_bytes()
    local_hub.clear_log()
    result = run([repo, "large.bin"], env)
    assert result.returncode == 0, result.stderr
    assert pathlib.Path(result.stdout.strip()).read_bytes() == data
    ranges = sorted((int(r[6:].split("-")[0]), int(r.split("-")[1])) for r in ranges_of(cdn_gets(local_hub.log())))
    assert len(ranges) == 8 and all(end - start + 1 >= 8 * MIB for start, end in ranges), ranges
    assert ranges[0][0] == 0 and ranges[-1][1] == len(data) - 1


def test_terminal_progress_fits_the_terminal_width(local_hub, env):
    """On a 60-column terminal each redraw of the progress line stays under 60 columns (a wrapped line would leave
    its first rows behind at every redraw), and the estimate of the time left shows."""
    import fcntl
    import pty
    import struct
    import termios

    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 60, 0, 0))
    with local_hub.faults({"target": "cdn", "path": f"*{MODEL}", "rate": 6 * MIB}):
        process = subprocess.Popen([hubkernel_bin(), "download", REPO], env=env, stdout=subprocess.DEVNULL,
                                   stderr=follower, stdin=subprocess.DEVNULL)
        os.close(follower)
        written = b""
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # the follower side closed: the process is gone
                break
            if not chunk:
                break
            written += chunk
        assert process.wait(timeout=60) == 0, written.decode(errors="replace")
    os.close(leader)
    redraws = [part.removeprefix("\x1b[2K") for part in written.decode().split("\r") if part.startswith("\x1b[2K")]
    progress = [line for line in redraws if "%" in line]
    assert len(progress) >= 3, redraws
    assert all(len(line) < 60 for line in progress), [line for line in progress if len(line) >= 60]
    assert any(line.endswith(" left") for line in progress), progress
    assert redraws[-1].startswith("Done: demo/tiny-model"), "the final state is written in full"


# -- in the kernel ------------------------------------------------------------------------------------------------


def test_download_magic_in_the_kernel(local_hub, env, hf_run, snapshot, start_hubkernel):
    km, kc = start_hubkernel(env=env)
    reply, iopub = run_cell(kc, f"%download {REPO} --include *.json --include nested/", timeout=60)
    assert reply["content"]["status"] == "ok", reply["content"]
    result = [m for m in iopub if m["msg_type"] == "execute_result"][0]["content"]["data"]
    assert result["application/vnd.hubkernel+json"]["paths"] == [str(snapshot)]
    expected = hf_run(f"""
from huggingface_hub.utils import filter_repo_objects
print(json.dumps(sorted(filter_repo_objects({sorted(source_files(local_hub.source_dir(REPO)))!r},
                                            allow_patterns=["*.json", "nested/"]))))
""")
    assert "nested/deeper/notes.txt" in expected and MODEL not in expected
    assert sorted(f["path"] for f in result["application/vnd.hubkernel+json"]["files"]) == expected
    displays = [m for m in iopub if m["msg_type"] in ("display_data", "update_display_data")]
    assert displays and displays[0]["msg_type"] == "display_data"
    assert "Done" in displays[-1]["content"]["data"]["text/plain"]
    reply, iopub = run_cell(kc, f"%download {REPO} nope.txt", timeout=60)
    assert reply["content"]["status"] == "error" and reply["content"]["ename"] == "RemoteEntryNotFoundError"


def test_kernel_interrupt_keeps_partial_and_rerun_resumes(local_hub, env, start_hubkernel):
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


def test_a_pending_access_request_says_to_wait_once_per_cell(local_hub, env, start_hubkernel):
    """carol asked for demo/gated-model's access and waits for review: nothing to accept, nothing to retry yet."""
    page = f"{local_hub.endpoint}/demo/gated-model"
    result = run(["demo/gated-model", "config.json"], dict(env, HF_TOKEN=local_hub.tokens["pending"]))
    assert result.returncode == 1
    assert "your access request is pending: there is nothing to do but wait" in result.stderr, result.stderr
    assert page in result.stderr and "accept the licence" not in result.stderr, result.stderr
    _, kc = start_hubkernel(env=dict(env, HF_TOKEN=local_hub.tokens["pending"]))
    reply, iopub = run_cell(kc, "%download demo/gated-model config.json", timeout=60)
    assert reply["content"]["ename"] == "GatedRepoError" and "pending" in reply["content"]["evalue"]
    shown = [m["content"]["data"] for m in iopub if m["msg_type"] == "display_data"]
    assert all(reply["content"]["evalue"] not in d.get("text/html", "") + d["text/plain"] for d in shown), \
        f"the error box says it; nothing else repeats it: {shown}"
    assert any(page in d.get("text/html", "") for d in shown), f"the page is one click away: {shown}"
