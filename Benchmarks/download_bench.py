#!/usr/bin/env python3
"""Download benchmark: HubKernel against `hf download` and `curl`, same run, same local Hub.

The Hub API and small files come from MiniHub (Tests/interop/test_download_minihub.py); LFS bytes from an
nginx origin on another port (like the real CDN), so the clients are measured, not a Python server.
Every run starts from a cold cache (except the "fully cached" case). Prints medians and ratios:

  1 GiB LFS file: hubkernel vs hf download vs curl -L (wall, peak RSS)  target: <= 1.1x curl, < 30 MiB
  500 small files: hubkernel vs hf download                            target: >= 4x faster
  same 500 files, fully cached: hubkernel vs hf download               target: >= 10x faster

Usage: .venv/bin/python Benchmarks/download_bench.py [--runs 3] [--size-mib 1024] [--files 500]
Needs the release build (swift build -c release --static-swift-stdlib --product hubkernel) and nginx.
"""
from __future__ import annotations

import argparse
import hashlib
import os
import pathlib
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "Tests" / "interop"))
from test_download_minihub import COMMIT, MiniHub  # noqa: E402

HUBKERNEL = os.environ.get("HUBKERNEL_BIN", str(ROOT / ".build" / "release" / "hubkernel"))
HF = str(ROOT / ".venv" / "bin" / "hf")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_nginx(root: pathlib.Path, work: pathlib.Path, hub: MiniHub | None = None) -> tuple[subprocess.Popen, str]:
    """nginx serving `root` statically; with `hub`, also the Hub's regular files at their `resolve` URLs (with the
    headers the Hub sends) and every other route proxied to the MiniHub, so small files are served fast too."""
    port = free_port()
    locations = ""
    if hub is not None:
        for name, (data, lfs) in hub.files.items():
            if lfs:
                continue
            target = root / "resolve" / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
            for revision in ("main", COMMIT):
                locations += (f'location = /org/repo/resolve/{revision}/{name} {{ alias {target}; etag off; '
                              f'add_header X-Repo-Commit {COMMIT}; add_header ETag \'"{hub.oids[name]}"\'; }}\n')
        locations += f"location / {{ proxy_pass {hub.url}; proxy_http_version 1.1; proxy_set_header Connection \"\"; }}\n"
    conf = work / f"nginx-{port}.conf"
    conf.write_text(f"""
daemon off; master_process off; worker_processes 1; pid {work}/nginx-{port}.pid; error_log {work}/nginx.err;
events {{ worker_connections 1024; }}
http {{
  access_log off; sendfile on; tcp_nopush on; keepalive_requests 100000; client_body_temp_path {work}; proxy_temp_path {work};
  fastcgi_temp_path {work}; uwsgi_temp_path {work}; scgi_temp_path {work};
  server {{ listen 127.0.0.1:{port}; root {root}; default_type application/octet-stream;
{locations}  }}
}}
""")
    process = subprocess.Popen(["nginx", "-c", str(conf), "-p", str(work)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
            return process, f"http://127.0.0.1:{port}"
        except OSError:
            time.sleep(0.05)
    process.kill()
    raise SystemExit("nginx did not start")


def timed(argv: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(wall seconds, peak RSS MiB) of one command; RSS from `/usr/bin/time -f %M` (a forked child's own
    ru_maxrss would include this big Python process's pages from before exec)."""
    started = time.perf_counter()
    result = subprocess.run(["/usr/bin/time", "-f", "%M", *argv], env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)
    wall = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"{argv[0]} failed: {result.stderr[-2000:]}")
    return wall, int(result.stderr.strip().splitlines()[-1]) / 1024


def env_for(hub, cache: pathlib.Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HF_", "HUGGING"))}
    env.update({"HF_ENDPOINT": hub.url, "HF_HUB_CACHE": str(cache), "HF_HOME": str(cache.parent / "hfhome"),
                "HF_HUB_DISABLE_TELEMETRY": "1", "HF_HUB_DISABLE_PROGRESS_BARS": "1", "NO_PROXY": "127.0.0.1",
                "HF_XET_HIGH_PERFORMANCE": "0"})
    return env


def median_of(runs: int, measure) -> tuple[float, float]:
    samples = [measure() for _ in range(runs)]
    return statistics.median(s[0] for s in samples), max(s[1] for s in samples)


class Endpoint:
    """What `env_for` needs of a Hub: its URL (here nginx in front of a MiniHub)."""

    def __init__(self, url: str):
        self.url = url


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--size-mib", type=int, default=1024)
    parser.add_argument("--files", type=int, default=500)
    args = parser.parse_args()
    if not pathlib.Path(HUBKERNEL).exists():
        raise SystemExit(f"{HUBKERNEL} missing: swift build -c release --static-swift-stdlib --product hubkernel")

    work = pathlib.Path(tempfile.mkdtemp(prefix="hk-bench-"))
    try:
        origin = work / "origin"
        origin.mkdir()
        (work / "front").mkdir()
        big = os.urandom(1 << 20) * args.size_mib
        sha = hashlib.sha256(big).hexdigest()
        (origin / sha).write_bytes(big)
        nginx, cdn = start_nginx(origin, work)
        try:
            hub = MiniHub({"model.safetensors": (big, True)}, cdn_url=cdn)
            del big
            small = {f"data/file_{i:04d}.txt": (f"file {i}\n".encode() * 20, False) for i in range(args.files)}
            many = MiniHub(small)
            front, front_url = start_nginx(work / "front", work, many)
            try:
                run(args, work, hub, Endpoint(front_url), cdn, sha)
            finally:
                front.terminate()
                front.wait()
                hub.stop()
                many.stop()
        finally:
            nginx.terminate()
            nginx.wait()
    finally:
        shutil.rmtree(work, ignore_errors=True)


def run(args, work: pathlib.Path, hub: MiniHub, many: MiniHub, cdn: str, sha: str) -> None:
    counter = iter(range(1_000_000))

    def cold(hub_: MiniHub) -> pathlib.Path:
        cache = work / f"cache{next(counter)}"
        return cache

    def one(argv_for, hub_):
        def measure():
            cache = cold(hub_)
            result = timed(argv_for(cache), env_for(hub_, cache))
            shutil.rmtree(cache, ignore_errors=True)
            return result
        return measure

    size = f"{args.size_mib} MiB"
    ours = median_of(args.runs, one(lambda c: [HUBKERNEL, "download", "org/repo", "model.safetensors"], hub))
    theirs = median_of(args.runs, one(lambda c: [HF, "download", "org/repo", "model.safetensors"], hub))
    resolve = f"{hub.url}/org/repo/resolve/main/model.safetensors"
    curl = median_of(args.runs, one(lambda c: ["curl", "-sS", "-L", "-o", str(work / "curl.out"), resolve], hub))
    (work / "curl.out").unlink(missing_ok=True)
    print(f"{size} LFS file (cold cache, median of {args.runs}):")
    print(f"  hubkernel   {ours[0]:7.3f} s  peak RSS {ours[1]:6.1f} MiB")
    print(f"  hf download {theirs[0]:7.3f} s  peak RSS {theirs[1]:6.1f} MiB")
    print(f"  curl -L     {curl[0]:7.3f} s  peak RSS {curl[1]:6.1f} MiB")
    print(f"  hubkernel / curl wall = {ours[0] / curl[0]:.2f}x (target <= 1.10x); hf / hubkernel = {theirs[0] / ours[0]:.2f}x")

    ours = median_of(args.runs, one(lambda c: [HUBKERNEL, "download", "org/repo"], many))
    theirs = median_of(args.runs, one(lambda c: [HF, "download", "org/repo"], many))
    print(f"{args.files} small files (cold cache, median of {args.runs}):")
    print(f"  hubkernel   {ours[0]:7.3f} s   hf download {theirs[0]:7.3f} s   speed-up {theirs[0] / ours[0]:.1f}x (target >= 4x)")

    cache = work / "warm"
    timed([HUBKERNEL, "download", "org/repo"], env_for(many, cache))
    warm_ours = median_of(args.runs, lambda: timed([HUBKERNEL, "download", "org/repo"], env_for(many, cache)))
    warm_theirs = median_of(args.runs, lambda: timed([HF, "download", "org/repo"], env_for(many, cache)))
    print(f"{args.files} small files, fully cached (median of {args.runs}):")
    print(f"  hubkernel   {warm_ours[0]:7.3f} s   hf download {warm_theirs[0]:7.3f} s   speed-up {warm_theirs[0] / warm_ours[0]:.1f}x (target >= 10x)")


if __name__ == "__main__":
    main()
