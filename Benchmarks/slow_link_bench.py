#!/usr/bin/env python3
"""A far, slow link: HubKernel against `hf download` 2.4 — with hf_xet 1.8 on Xet-backed repos, its HTTP path where a
repo is not Xet — and `curl`, same run, through the same shaping relays (Benchmarks/shaping_relay.py: 40 ms RTT,
25 MB/s per connection by default) in front of the local Hub's nginx front (API and small files), its CDN (LFS bytes,
and the bridge that serves a Xet file whole, with ranges) and its Xet CAS (reconstructions and xorb ranges: what
hf_xet reads). Every run starts from a cold cache; the clients take turns within each round. Prints
min / median / max and ratios:

  256 MiB Xet-backed file over the link: hubkernel vs hf (hf_xet)       target: >= 2x hf, >= 60% of the link's limit
  the link's limit, in the same round: the same file as parallel curl ranges (the best of 32 and 64 at once)
  200 small files over the link: hubkernel vs hf download               target: >= 5x hf
  big LFS file, not Xet (default 1 GiB): hubkernel vs hf download (HTTP) vs curl -L   target: >= 3x hf and curl
  hubkernel peak RSS (the big file)                                     target: < 40 MiB
  on loopback (no relay): the Xet file, hubkernel vs hf (hf_xet); the big LFS file against the floor measured now
  (`openssl dgst -sha256` of the same bytes and a plain `cp`)

Usage: .venv/bin/python Benchmarks/slow_link_bench.py [--runs 3] [--size 1GiB] [--xet-size 256MiB] [--files 200]
       [--rtt-ms 40] [--rate-mbs 25] [--xet-store DIR] [--no-lfs]
Needs the release build (or $HUBKERNEL_BIN), nginx, curl and openssl. Reuses download_bench's runner (cold caches,
RSS). The Xet form of the benchmark file is kept in --xet-store (default ~/.cache/hubkernel-bench/xet): building it
chunks 256 MiB in Python (about a minute), once.
"""
from __future__ import annotations

import argparse
import hashlib
import pathlib
import re
import shutil
import statistics
import subprocess
import tempfile
import time

from download_bench import HF, HUBKERNEL, LARGE, SMALL, Runner, large_file_trio, settle_install, timed
from localhub.samples import add_benchmark_repo
from localhub.server import LocalHub
from shaping_relay import ShapingRelay

UNITS = {"": 1, "b": 1, "kib": 1 << 10, "mib": 1 << 20, "gib": 1 << 30, "kb": 10**3, "mb": 10**6, "gb": 10**9}
XET_LARGE = "bench/xet-large"
LIMIT_STREAMS = (32, 64)


def parse_size(text: str) -> int:
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*", text)
    if not match or match.group(2).lower() not in UNITS:
        raise argparse.ArgumentTypeError(f"not a size: {text!r} (e.g. 1GiB, 256MiB)")
    return int(float(match.group(1)) * UNITS[match.group(2).lower()])


def human(size: int) -> str:
    return f"{size / (1 << 30):g} GiB" if size >= 1 << 30 else f"{size / (1 << 20):g} MiB"


def spread(samples: list[float], unit: str = "s", digits: int = 3) -> str:
    """'min / median / max' of the samples."""
    return " / ".join(f"{v:.{digits}f}" for v in (min(samples), statistics.median(samples), max(samples))) + f" {unit}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--size", type=parse_size, default=1 << 30, help="the big LFS file, not Xet (default 1GiB)")
    parser.add_argument("--xet-size", type=parse_size, default=256 << 20, help="the Xet-backed file (default 256MiB)")
    parser.add_argument("--files", type=int, default=200)
    parser.add_argument("--rtt-ms", type=float, default=40)
    parser.add_argument("--rate-mbs", type=float, default=25, help="per connection, MB/s")
    parser.add_argument("--xet-store", type=pathlib.Path, default=pathlib.Path.home() / ".cache" / "hubkernel-bench" / "xet")
    parser.add_argument("--no-lfs", action="store_true", help="skip the big LFS file rows")
    args = parser.parse_args()
    if not pathlib.Path(HUBKERNEL).exists():
        raise SystemExit(f"{HUBKERNEL} missing: swift build -c release --static-swift-stdlib --product hubkernel")
    print(f"settled (synced, evicted) before measuring: {', '.join(settle_install(HUBKERNEL))}")
    work = pathlib.Path(tempfile.mkdtemp(prefix="hk-slowlink-"))
    try:
        root = work / "hub"
        if not args.no_lfs:
            add_benchmark_repo(root, LARGE, small_files=0, large_size=args.size)
        add_benchmark_repo(root, SMALL, small_files=args.files)
        add_benchmark_repo(root, XET_LARGE, small_files=0, large_size=args.xet_size, xet=True)
        args.xet_store.mkdir(parents=True, exist_ok=True)
        (root / ".localhub").mkdir(parents=True, exist_ok=True)
        (root / ".localhub" / "xet").symlink_to(args.xet_store.resolve())
        started = time.monotonic()
        with LocalHub(root, front=True) as hub:
            print(f"Hub ready in {time.monotonic() - started:.1f} s (Xet store: {args.xet_store})")
            source = root / "sources" / "bench"
            run(args, Runner(work, args.runs), hub, source / LARGE.replace("/", "--") / "large.bin",
                source / XET_LARGE.replace("/", "--") / "large.bin")
    finally:
        shutil.rmtree(work, ignore_errors=True)


def link_limit(bridge_url: str, size: int, streams: int, work: pathlib.Path) -> float:
    """Seconds for `streams` curl processes, each fetching its share of the file as one range, all at once."""
    share = -(-size // streams)
    started = time.perf_counter()
    processes = [subprocess.Popen(["curl", "-sS", "-o", "/dev/null", "-r", f"{k * share}-{min(size, (k + 1) * share) - 1}",
                                   bridge_url], env={"PATH": "/usr/bin:/bin", "NO_PROXY": "127.0.0.1"})
                 for k in range(streams) if k * share < size]
    if any(p.wait() != 0 for p in processes):
        raise SystemExit("curl failed measuring the link's limit")
    return time.perf_counter() - started


def run(args, runner: Runner, hub: LocalHub, big: pathlib.Path, xet_file: pathlib.Path) -> None:
    shaping = dict(rtt_ms=args.rtt_ms, rate=args.rate_mbs * 1e6)
    loopback_cdn = hub.cdn_url()
    xet_sha = hashlib.sha256(xet_file.read_bytes()).hexdigest()
    with ShapingRelay(hub.front_endpoint.removeprefix("http://"), **shaping) as front, \
            ShapingRelay(loopback_cdn.removeprefix("http://"), **shaping) as cdn, \
            ShapingRelay(hub.cas_address, **shaping) as cas:
        hub.cdn_url = lambda: cdn.url  # LFS redirects and the Xet bridge go through the CDN's relay
        hub.cas_url = lambda: cas.url  # the Xet links and read tokens name the CAS's relay (xorb URLs follow the Host)
        print(f"link: {args.rtt_ms:g} ms RTT, {args.rate_mbs:g} MB/s per connection (relays in front of the front, "
              f"the CDN/bridge and the CAS); cold cache, {args.runs} rounds, min / median / max")
        xet_rows(args, runner, front.url, f"{cdn.url}/{xet_sha}", xet_file.stat().st_size)
        small_rows(args, runner, front.url)
        if not args.no_lfs:
            lfs_rows(args, runner, front.url)
        hub.cdn_url = lambda: loopback_cdn
        hub.cas_url = lambda: hub.cas
    loopback_rows(args, runner, hub, big, xet_file.stat().st_size)


def xet_rows(args, runner: Runner, endpoint: str, bridge_url: str, size: int) -> None:
    ours, theirs, limit = [], [], []
    for _ in range(args.runs):
        ours.append(runner.cold_once([HUBKERNEL, "download", XET_LARGE, "large.bin"], endpoint))
        theirs.append(runner.cold_once([HF, "download", XET_LARGE, "large.bin"], endpoint))
        limit.append(min(link_limit(bridge_url, size, n, runner.work) for n in LIMIT_STREAMS))
    ours_s, theirs_s = [w for w, _ in ours], [w for w, _ in theirs]
    ratios = [t / o for o, t in zip(ours_s, theirs_s)]
    shares = [lim / o for o, lim in zip(ours_s, limit)]
    mbs = lambda seconds: [size / s / 1e6 for s in seconds]  # noqa: E731
    print(f"{human(size)} Xet-backed file over the link:")
    print(f"  hubkernel        {spread(ours_s)}  ({spread(mbs(ours_s), 'MB/s', 1)}; peak RSS "
          f"{statistics.median(r for _, r in ours):.1f} MiB)")
    print(f"  hf (hf_xet)      {spread(theirs_s)}  ({spread(mbs(theirs_s), 'MB/s', 1)}; peak RSS "
          f"{statistics.median(r for _, r in theirs):.1f} MiB)")
    print(f"  link limit       {spread(limit)}  ({spread(mbs(limit), 'MB/s', 1)}: curl, {' or '.join(map(str, LIMIT_STREAMS))}"
          f" ranges at once, the faster)")
    print(f"  hf / hubkernel = {spread(ratios, 'x', 2)} (target >= 2x in every round); hubkernel's share of the limit "
          f"= {spread([100 * s for s in shares], '%', 0)} (target >= 60%)")


def small_rows(args, runner: Runner, endpoint: str) -> None:
    ours, theirs = [], []
    for _ in range(args.runs):
        ours.append(runner.cold_once([HUBKERNEL, "download", SMALL], endpoint)[0])
        theirs.append(runner.cold_once([HF, "download", SMALL], endpoint)[0])
    print(f"{args.files} small files over the link:")
    print(f"  hubkernel {spread(ours)}   hf download {spread(theirs)}   speed-up "
          f"{spread([t / o for o, t in zip(ours, theirs)], 'x', 1)} (target >= 5x in every round)")


def lfs_rows(args, runner: Runner, endpoint: str) -> None:
    size = human(args.size)
    ours, theirs, curl = large_file_trio(runner, endpoint)
    print(f"{size} LFS file (not Xet: hf takes its HTTP path) over the link, median of {args.runs}:")
    print(f"  hubkernel   {ours[0]:7.3f} s  peak RSS {ours[1]:6.1f} MiB  ({args.size / ours[0] / 1e6:6.1f} MB/s)")
    print(f"  hf download {theirs[0]:7.3f} s  peak RSS {theirs[1]:6.1f} MiB  ({args.size / theirs[0] / 1e6:6.1f} MB/s)")
    print(f"  curl -L     {curl[0]:7.3f} s  peak RSS {curl[1]:6.1f} MiB  ({args.size / curl[0] / 1e6:6.1f} MB/s)")
    print(f"  hf / hubkernel = {theirs[0] / ours[0]:.2f}x (target >= 3x); curl / hubkernel = {curl[0] / ours[0]:.2f}x "
          f"(target >= 3x); hubkernel peak RSS {ours[1]:.1f} MiB (target < 40 MiB)")


def loopback_rows(args, runner: Runner, hub: LocalHub, big: pathlib.Path, xet_size: int) -> None:
    ours, theirs = [], []
    for _ in range(args.runs):
        ours.append(runner.cold_once([HUBKERNEL, "download", XET_LARGE, "large.bin"], hub.front_endpoint)[0])
        theirs.append(runner.cold_once([HF, "download", XET_LARGE, "large.bin"], hub.front_endpoint)[0])
    print(f"{human(xet_size)} Xet-backed file on loopback (no relay):")
    print(f"  hubkernel {spread(ours)}   hf (hf_xet) {spread(theirs)}   hf / hubkernel "
          f"{spread([t / o for o, t in zip(ours, theirs)], 'x', 2)}")
    if args.no_lfs:
        return
    size = human(args.size)
    loopback = runner.cold([HUBKERNEL, "download", LARGE, "large.bin"], hub.front_endpoint)
    digest = median_wall(runner.runs, ["openssl", "dgst", "-sha256", str(big)])
    copy_target = runner.work / "copy.bin"
    copy = median_wall(runner.runs, ["cp", str(big), str(copy_target)], after=lambda: copy_target.unlink(missing_ok=True))
    print(f"{size} LFS file on loopback (no relay) against the floor, median of {args.runs}:")
    print(f"  hubkernel {loopback[0]:.3f} s (peak RSS {loopback[1]:.1f} MiB); openssl dgst -sha256 {digest:.3f} s; "
          f"cp {copy:.3f} s")
    print(f"  hubkernel / openssl = {loopback[0] / digest:.2f}x; hubkernel / cp = {loopback[0] / copy:.2f}x; "
          f"hubkernel / (openssl + cp) = {loopback[0] / (digest + copy):.2f}x")


def median_wall(runs: int, argv: list[str], after=lambda: None) -> float:
    """Median wall seconds of `argv` (the source file warm in the page cache, as it is for the Hub's nginx)."""
    samples = []
    for _ in range(runs):
        samples.append(timed(argv, {"PATH": "/usr/bin:/bin"})[0])
        after()
    return sorted(samples)[len(samples) // 2]


if __name__ == "__main__":
    main()
