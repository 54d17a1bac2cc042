#!/usr/bin/env python3
"""A far, slow link: HubKernel against `hf download` 2.4 and `curl`, same run, through the same shaping relay
(Benchmarks/shaping_relay.py: 40 ms RTT, 25 MB/s per connection by default) in front of the local Hub's nginx front
(API and small files) and its CDN (LFS bytes; the Hub's LFS redirects point at the CDN's relay). Every run starts
from a cold cache. Prints medians and ratios:

  big LFS file (default 1 GiB) over the link: hubkernel vs hf download vs curl -L   target: >= 3x hf, >= 3x curl
  500 small files over the link: hubkernel vs hf download                           target: >= 5x hf
  hubkernel peak RSS (the big file)                                                 target: < 40 MiB
  the same big file on loopback (no relay) against the floor measured now: `openssl dgst -sha256` of the same
  bytes and a plain `cp`

Usage: .venv/bin/python Benchmarks/slow_link_bench.py [--runs 3] [--size 1GiB] [--files 500] [--rtt-ms 40]
       [--rate-mbs 25]
Needs the release build (or $HUBKERNEL_BIN), nginx and openssl. Reuses download_bench's runner (cold caches, RSS).
"""
from __future__ import annotations

import argparse
import pathlib
import re
import shutil
import tempfile

from download_bench import HF, HUBKERNEL, LARGE, SMALL, Runner, settle_install, timed
from localhub.samples import add_benchmark_repo
from localhub.server import LocalHub
from shaping_relay import ShapingRelay

UNITS = {"": 1, "b": 1, "kib": 1 << 10, "mib": 1 << 20, "gib": 1 << 30, "kb": 10**3, "mb": 10**6, "gb": 10**9}


def parse_size(text: str) -> int:
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*", text)
    if not match or match.group(2).lower() not in UNITS:
        raise argparse.ArgumentTypeError(f"not a size: {text!r} (e.g. 1GiB, 256MiB)")
    return int(float(match.group(1)) * UNITS[match.group(2).lower()])


def human(size: int) -> str:
    return f"{size / (1 << 30):g} GiB" if size >= 1 << 30 else f"{size / (1 << 20):g} MiB"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--size", type=parse_size, default=1 << 30, help="the big LFS file (default 1GiB)")
    parser.add_argument("--files", type=int, default=500)
    parser.add_argument("--rtt-ms", type=float, default=40)
    parser.add_argument("--rate-mbs", type=float, default=25, help="per connection, MB/s")
    args = parser.parse_args()
    if not pathlib.Path(HUBKERNEL).exists():
        raise SystemExit(f"{HUBKERNEL} missing: swift build -c release --static-swift-stdlib --product hubkernel")
    print(f"settled (synced, evicted) before measuring: {', '.join(settle_install(HUBKERNEL))}")
    work = pathlib.Path(tempfile.mkdtemp(prefix="hk-slowlink-"))
    try:
        root = work / "hub"
        add_benchmark_repo(root, LARGE, small_files=0, large_size=args.size)
        add_benchmark_repo(root, SMALL, small_files=args.files)
        with LocalHub(root, front=True) as hub:
            big = root / "sources" / "bench" / LARGE.replace("/", "--") / "large.bin"
            run(args, Runner(work, args.runs), hub, big)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def run(args, runner: Runner, hub: LocalHub, big: pathlib.Path) -> None:
    size = human(args.size)
    shaping = dict(rtt_ms=args.rtt_ms, rate=args.rate_mbs * 1e6)
    loopback_cdn = hub.cdn_url()
    with ShapingRelay(hub.front_endpoint.removeprefix("http://"), **shaping) as front, \
            ShapingRelay(loopback_cdn.removeprefix("http://"), **shaping) as cdn:
        hub.cdn_url = lambda: cdn.url  # the Hub's LFS redirects go through the CDN's relay
        print(f"link: {args.rtt_ms:g} ms RTT, {args.rate_mbs:g} MB/s per connection (relays in front of the front "
              f"and the CDN); cold cache, median of {args.runs}")
        ours = runner.cold([HUBKERNEL, "download", LARGE, "large.bin"], front.url)
        theirs = runner.cold([HF, "download", LARGE, "large.bin"], front.url)
        out = runner.work / "curl.out"
        curl = runner.cold(["curl", "-sS", "-L", "-o", str(out), f"{front.url}/{LARGE}/resolve/main/large.bin"], front.url)
        out.unlink(missing_ok=True)
        print(f"{size} LFS file over the link:")
        print(f"  hubkernel   {ours[0]:7.3f} s  peak RSS {ours[1]:6.1f} MiB  ({args.size / ours[0] / 1e6:6.1f} MB/s)")
        print(f"  hf download {theirs[0]:7.3f} s  peak RSS {theirs[1]:6.1f} MiB  ({args.size / theirs[0] / 1e6:6.1f} MB/s)")
        print(f"  curl -L     {curl[0]:7.3f} s  peak RSS {curl[1]:6.1f} MiB  ({args.size / curl[0] / 1e6:6.1f} MB/s)")
        print(f"  hf / hubkernel = {theirs[0] / ours[0]:.2f}x (target >= 3x); curl / hubkernel = {curl[0] / ours[0]:.2f}x "
              f"(target >= 3x); hubkernel peak RSS {ours[1]:.1f} MiB (target < 40 MiB)")

        ours_small = runner.cold([HUBKERNEL, "download", SMALL], front.url)
        theirs_small = runner.cold([HF, "download", SMALL], front.url)
        print(f"{args.files} small files over the link:")
        print(f"  hubkernel   {ours_small[0]:7.3f} s   hf download {theirs_small[0]:7.3f} s   speed-up "
              f"{theirs_small[0] / ours_small[0]:.1f}x (target >= 5x); hubkernel peak RSS {ours_small[1]:.1f} MiB, "
              f"hf {theirs_small[1]:.1f} MiB")
        hub.cdn_url = lambda: loopback_cdn

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
