#!/usr/bin/env python3
"""Download benchmark: HubKernel against `hf download` and `curl`, same run, same local Hub (localhub/).

The Hub is `localhub` with its nginx front (`localhub/front.py`): nginx serves the repos' small files itself and
proxies API routes to the Python server; LFS bytes come from nginx as the CDN on another port. So the clients are
measured, not a Python server. The run also re-measures that choice: 500 small files through the Python API server
vs through the front (the "server share" line).
Every run starts from a cold cache (except the "fully cached" case). Prints medians and ratios:

  1 GiB LFS file: hubkernel vs hf download vs curl -L (wall, peak RSS)  target: <= 1.1x curl, < 30 MiB

Wall times and peak RSS are medians of the runs. Before measuring, the hubkernel binary and the libraries beside it
are synced and evicted from the page cache (`fsync` + `posix_fadvise(DONTNEED)`): a freshly written install (the
wheel, minutes before) maps its still-dirty page-cache pages as private, which adds ~4 MiB of RSS that the same
files do not cost once written back.
  500 small files: hubkernel vs hf download                            target: >= 4x faster
  same 500 files, fully cached: hubkernel vs hf download               target: >= 10x faster

Usage: .venv/bin/python Benchmarks/download_bench.py [--runs 3] [--size-mib 1024] [--files 500]
Needs the release build (swift build -c release --static-swift-stdlib --product hubkernel) and nginx.
"""
from __future__ import annotations

import argparse
import itertools
import os
import pathlib
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from localhub.samples import MIB, add_benchmark_repo  # noqa: E402
from localhub.server import LocalHub  # noqa: E402

HUBKERNEL = os.environ.get("HUBKERNEL_BIN", str(ROOT / ".build" / "release" / "hubkernel"))
HF = str(ROOT / ".venv" / "bin" / "hf")
LARGE, SMALL = "bench/large", "bench/small"


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


def env_for(endpoint: str, cache: pathlib.Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HF_", "HUGGING"))}
    env.update({"HF_ENDPOINT": endpoint, "HF_HUB_CACHE": str(cache), "HF_HOME": str(cache.parent / "hfhome"),
                "HF_HUB_DISABLE_TELEMETRY": "1", "HF_HUB_DISABLE_PROGRESS_BARS": "1", "NO_PROXY": "127.0.0.1",
                "HF_XET_HIGH_PERFORMANCE": "0"})
    return env


def median_of(runs: int, measure) -> tuple[float, float]:
    """(median wall, median peak RSS) of `runs` measurements."""
    samples = [measure() for _ in range(runs)]
    return statistics.median(s[0] for s in samples), statistics.median(s[1] for s in samples)


def settle_install(binary: str) -> list[str]:
    """Sync and evict from the page cache the binary and the libraries of its install (`lib/hubkernel/`, as the wheel
    lays it out), so their pages map as clean, shared file pages, as they do on any machine once written back."""
    path = pathlib.Path(binary).resolve()
    files = [path, *sorted((path.parent.parent / "lib" / "hubkernel").glob("*"))]
    settled = []
    for file in files:
        if file.is_file():
            fd = os.open(file, os.O_RDONLY)
            try:
                os.fsync(fd)
                os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
            finally:
                os.close(fd)
            settled.append(file.name)
    return settled


class Runner:
    """Runs commands against one endpoint, each in a fresh (cold) cache that is removed afterwards."""

    def __init__(self, work: pathlib.Path, runs: int):
        self.work, self.runs = work, runs
        self._counter = itertools.count()

    def cold_once(self, argv: list[str], endpoint: str) -> tuple[float, float]:
        """(wall, peak RSS) of one run in a fresh cache."""
        cache = self.work / f"cache{next(self._counter)}"
        try:
            return timed(argv, env_for(endpoint, cache))
        finally:
            shutil.rmtree(cache, ignore_errors=True)

    def cold(self, argv: list[str], endpoint: str) -> tuple[float, float]:
        return median_of(self.runs, lambda: self.cold_once(argv, endpoint))

    def warm(self, argv: list[str], endpoint: str) -> tuple[float, float]:
        cache = self.work / f"warm{next(self._counter)}"
        timed(argv, env_for(endpoint, cache))
        try:
            return median_of(self.runs, lambda: timed(argv, env_for(endpoint, cache)))
        finally:
            shutil.rmtree(cache, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--size-mib", type=int, default=1024)
    parser.add_argument("--files", type=int, default=500)
    args = parser.parse_args()
    if not pathlib.Path(HUBKERNEL).exists():
        raise SystemExit(f"{HUBKERNEL} missing: swift build -c release --static-swift-stdlib --product hubkernel")
    if shutil.which("nginx") is None and not os.access("/usr/sbin/nginx", os.X_OK):
        raise SystemExit("nginx missing: apt-get install nginx-light")

    print(f"settled (synced, evicted) before measuring: {', '.join(settle_install(HUBKERNEL))}")
    work = pathlib.Path(tempfile.mkdtemp(prefix="hk-bench-"))
    try:
        root = work / "hub"
        add_benchmark_repo(root, LARGE, small_files=0, large_size=args.size_mib * MIB)
        add_benchmark_repo(root, SMALL, small_files=args.files)
        with LocalHub(root, front=True) as hub:
            run(args, Runner(work, args.runs), hub)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def large_file_trio(runner: Runner, endpoint: str) -> tuple[tuple[float, float], ...]:
    """(wall, peak RSS) medians of hubkernel, `hf download` and `curl -L` fetching LARGE's large.bin, cold caches."""
    ours = runner.cold([HUBKERNEL, "download", LARGE, "large.bin"], endpoint)
    theirs = runner.cold([HF, "download", LARGE, "large.bin"], endpoint)
    out = runner.work / "curl.out"
    curl = runner.cold(["curl", "-sS", "-L", "-o", str(out), f"{endpoint}/{LARGE}/resolve/main/large.bin"], endpoint)
    out.unlink(missing_ok=True)
    return ours, theirs, curl


def run(args, runner: Runner, hub: LocalHub) -> None:
    front = hub.front_endpoint
    size = f"{args.size_mib} MiB"
    ours, theirs, curl = large_file_trio(runner, front)
    print(f"{size} LFS file (cold cache, median of {args.runs}):")
    print(f"  hubkernel   {ours[0]:7.3f} s  peak RSS {ours[1]:6.1f} MiB")
    print(f"  hf download {theirs[0]:7.3f} s  peak RSS {theirs[1]:6.1f} MiB")
    print(f"  curl -L     {curl[0]:7.3f} s  peak RSS {curl[1]:6.1f} MiB")
    print(f"  hubkernel / curl wall = {ours[0] / curl[0]:.2f}x (target <= 1.10x); hf / hubkernel = {theirs[0] / ours[0]:.2f}x")

    ours = runner.cold([HUBKERNEL, "download", SMALL], front)
    theirs = runner.cold([HF, "download", SMALL], front)
    print(f"{args.files} small files (cold cache, median of {args.runs}):")
    print(f"  hubkernel   {ours[0]:7.3f} s   hf download {theirs[0]:7.3f} s   speed-up {theirs[0] / ours[0]:.1f}x (target >= 4x)")
    python_api = runner.cold([HUBKERNEL, "download", SMALL], hub.endpoint)
    print(f"  server share: hubkernel via the Python API server {python_api[0]:.3f} s vs via the nginx front "
          f"{ours[0]:.3f} s ({python_api[0] / ours[0]:.2f}x)")

    warm_ours = runner.warm([HUBKERNEL, "download", SMALL], front)
    warm_theirs = runner.warm([HF, "download", SMALL], front)
    print(f"{args.files} small files, fully cached (median of {args.runs}):")
    print(f"  hubkernel   {warm_ours[0]:7.3f} s   hf download {warm_theirs[0]:7.3f} s   speed-up {warm_theirs[0] / warm_ours[0]:.1f}x (target >= 10x)")


if __name__ == "__main__":
    main()
