"""What real networks do that the local Hub does not, through a loopback stand-in (fixtures/standin.py) in front of
it, each cross-checked with huggingface_hub 2.4.0 where it has an opinion: gzip despite `identity` (with and without
a size on the HEAD), 429 windows named by `RateLimit` (time-based, as the Hub's), a HEAD slower than
HF_HUB_ETAG_TIMEOUT, the download counter, `X-HF-Warning` once per topic, request ids in errors, a mirror that
redirects to the Hub (which redirects to its CDN), and a first download stopped half way."""
from __future__ import annotations

import hashlib
import json
import pathlib
import subprocess
import time

from fixtures.kernel import hubkernel_bin
from fixtures.standin import StandIn

REPO = "demo/tiny-model"
FOLDER = "models--demo--tiny-model"


def download(env, *args, timeout=120) -> subprocess.CompletedProcess:
    return subprocess.run([hubkernel_bin(), "download", *args], env=env, capture_output=True, text=True, timeout=timeout)


def cache(env) -> pathlib.Path:
    return pathlib.Path(env["HF_HOME"]) / "hub" / FOLDER


def git_blob_id(data: bytes) -> str:
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def test_gzip_despite_identity_is_decoded_with_and_without_a_size_on_the_head(local_hub, hf_env, hf_run):
    original = local_hub.source(REPO, "config.json").read_bytes()
    for without_size in (False, True):
        home = pathlib.Path(hf_env["HF_HOME"] + f"-{without_size}")
        with StandIn(local_hub.endpoint, gzip=True, head_without_size=without_size) as front:
            env = dict(hf_env, HF_ENDPOINT=front.endpoint, HF_HOME=str(home))
            done = download(env, REPO, "config.json")
            assert done.returncode == 0, done.stderr
            path = pathlib.Path(done.stdout.strip().splitlines()[-1])
            assert path.read_bytes() == original, f"stored bytes are not the file (size on HEAD: {not without_size})"
            blobs = list((home / "hub" / FOLDER / "blobs").iterdir())
            assert [b.name for b in blobs] == [git_blob_id(original)]
            assert all(r["headers"].get("accept-encoding") == "identity" for r in front.requests)
            python = hf_run(f"""
                import os
                os.environ["HF_ENDPOINT"] = {front.endpoint!r}
                from huggingface_hub import hf_hub_download
                p = hf_hub_download({REPO!r}, "config.json", cache_dir={str(home / 'py')!r})
                print(json.dumps({{"sha": __import__("hashlib").sha256(open(p, "rb").read()).hexdigest()}}))
            """, timeout=60)
            if without_size:
                assert python.get("sha") == hashlib.sha256(original).hexdigest(), ("huggingface_hub decodes it too", python)
            else:  # huggingface_hub takes the HEAD's compressed Content-Length for the file's size and gives up
                assert "Consistency check failed" in python.get("message", ""), python


def test_a_corrupted_file_of_unknown_size_is_refused_not_stored(local_hub, hf_env):
    with StandIn(local_hub.endpoint, gzip=True, head_without_size=True, flip_byte=True) as front:
        env = dict(hf_env, HF_ENDPOINT=front.endpoint)
        done = download(env, REPO, "config.json")
    assert done.returncode != 0
    assert "arrived corrupted" in done.stderr, done.stderr
    blobs = cache(env) / "blobs"
    assert not blobs.exists() or not [p for p in blobs.iterdir() if not p.name.endswith(".incomplete")]


def test_a_rate_limit_window_is_waited_for_once_not_hammered(local_hub, hf_env, hf_run):
    window = 12
    with StandIn(local_hub.endpoint, rate_limited_for=window) as front:
        env = dict(hf_env, HF_ENDPOINT=front.endpoint)
        started = time.monotonic()
        done = download(env, REPO, "config.json")
        took = time.monotonic() - started
        limited = [r for r in front.requests if r["time"] < window]
    assert done.returncode == 0, done.stderr
    assert window <= took < window + 8, took
    assert len(limited) <= 3, f"{len(limited)} requests inside the window: the client hammered"
    with StandIn(local_hub.endpoint, rate_limited_for=window) as front:
        out = hf_run(f"""
            import time, os
            os.environ["HF_ENDPOINT"] = {front.endpoint!r}
            from huggingface_hub import hf_hub_download
            t = time.monotonic(); hf_hub_download({REPO!r}, "config.json", cache_dir={str(pathlib.Path(hf_env["HF_HOME"]) / "py")!r})
            print(json.dumps({{"took": time.monotonic() - t}}))
        """, timeout=120)
    assert "took" in out, out
    assert window <= out["took"] < window + 8, ("huggingface_hub waits the window too", out)


def test_a_window_too_long_to_wait_for_says_rate_limit_quota_and_reset(local_hub, hf_env):
    with StandIn(local_hub.endpoint, rate_limited_for=3600, quota=500, window=300) as front:
        env = dict(hf_env, HF_ENDPOINT=front.endpoint)
        started = time.monotonic()
        done = download(env, REPO, "config.json")
    assert done.returncode != 0
    assert time.monotonic() - started < 10
    assert "Rate limited by the Hub" in done.stderr and "'api' quota (500 requests per 300 s)" in done.stderr, done.stderr
    assert "resets in 3600 s" in done.stderr or "resets in 3599 s" in done.stderr, done.stderr
    assert "check your connection" not in done.stderr.lower()


def test_a_head_slower_than_the_etag_timeout_succeeds_on_the_longer_retry(local_hub, hf_env, hf_run):
    with StandIn(local_hub.endpoint, head_delay=4) as front:
        env = dict(hf_env, HF_ENDPOINT=front.endpoint, HF_HUB_ETAG_TIMEOUT="2")
        started = time.monotonic()
        done = download(env, REPO, "config.json")
        took = time.monotonic() - started
        out = hf_run(f"""
            os.environ["HF_ENDPOINT"] = {front.endpoint!r}; os.environ["HF_HUB_ETAG_TIMEOUT"] = "2"
            from huggingface_hub import hf_hub_download
            print(json.dumps({{"path": hf_hub_download({REPO!r}, "config.json", cache_dir={str(pathlib.Path(hf_env["HF_HOME"]) / "py")!r})}}))
        """, timeout=60)
    assert done.returncode == 0, done.stderr
    assert 4 <= took < 15, took
    assert "path" in out, ("huggingface_hub succeeds on its 60 s retry too", out)


def test_downloads_are_counted_warnings_shown_once_and_errors_carry_the_request_id(local_hub, hf_env):
    warnings = [("X-HF-Warning", "deprecation; This route is deprecated"), ("X-HF-Warning", "deprecation; said again"),
                ("X-Request-Id", "req-4242")]
    with StandIn(local_hub.endpoint, extra_headers=warnings) as front:
        env = dict(hf_env, HF_ENDPOINT=front.endpoint)
        done = download(env, REPO)
        assert done.returncode == 0, done.stderr
        assert front.requests and all(r["headers"].get("x-hf-download-counter") == "1" for r in front.requests)
        assert done.stderr.count("This route is deprecated") == 1, done.stderr
        assert "said again" not in done.stderr
        missing = download(env, REPO, "no-such-file.bin")
    assert missing.returncode != 0
    assert "(Request ID: req-4242)" in missing.stderr, missing.stderr


def test_a_mirror_redirecting_to_the_hub_and_its_cdn_works_and_the_token_stays_home(local_hub, hf_env):
    with StandIn(local_hub.endpoint, redirect_to=local_hub.endpoint) as mirror:
        env = dict(hf_env, HF_ENDPOINT=mirror.endpoint, HF_TOKEN=local_hub.tokens["read"])
        local_hub.clear_log()
        done = download(env, REPO)
        assert done.returncode == 0, done.stderr
        assert mirror.requests and all("authorization" in r["headers"] for r in mirror.requests)
    log = local_hub.log()
    assert {entry["server"] for entry in log} >= {"api"}, log
    assert any(entry["server"] in ("nginx", "cdn") for entry in log), "the LFS file came from the CDN"
    assert not any(entry["auth"] for entry in log), "the token went past the configured host"
    snapshot = next((cache(env) / "snapshots").iterdir())
    for name in ("config.json", "model.safetensors"):
        assert (snapshot / name).read_bytes() == local_hub.source(REPO, name).read_bytes()


def test_a_first_download_stopped_half_way_leaves_a_repo_scan_cache_dir_lists(local_hub, hf_env, hf_run):
    with local_hub.faults({"path": "*model.safetensors", "rate": 20000, "count": None}):
        process = subprocess.Popen([hubkernel_bin(), "download", REPO], env=hf_env, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not list((cache(hf_env) / "blobs").glob("*.incomplete")):
            time.sleep(0.1)
        process.kill()
        process.wait()
    assert list((cache(hf_env) / "blobs").glob("*.incomplete")), "the download never started"
    assert (cache(hf_env) / "refs" / "main").exists()
    out = hf_run(f"""
        import warnings
        from huggingface_hub import scan_cache_dir
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            info = scan_cache_dir({str(pathlib.Path(hf_env["HF_HOME"]) / "hub")!r})
        print(json.dumps({{"repos": [r.repo_id for r in info.repos], "warnings": [str(w) for w in info.warnings]}}))
    """, timeout=60)
    assert out.get("repos") == [REPO], out
    assert out["warnings"] == [], out
