#!/usr/bin/env python3
"""The wheel: its size, and how long `pip install` of it takes into a fresh venv (offline, the wheel alone).

Prints the wheel's size, the installed size, and the median install time of N installs, each into a new venv (the
venv's creation is not counted). With --keep DIR the last install is left in DIR (a venv), so that other benchmarks
can run the packaged binary (scripts/bench does: HUBKERNEL_BIN=DIR/bin/hubkernel).

Usage: .venv/bin/python Benchmarks/wheel_install.py [--wheel PATH] [--installs N] [--keep DIR]
Wheel: --wheel, else the newest dist/hubkernel-*.whl (scripts/package builds it).
"""
from __future__ import annotations

import argparse
import os
import pathlib
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

REPO = pathlib.Path(__file__).resolve().parents[1]


def install_once(wheel: pathlib.Path, venv: pathlib.Path) -> float:
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    started = time.perf_counter()
    subprocess.run([str(venv / "bin" / "pip"), "install", "-q", "--no-index", "--disable-pip-version-check", str(wheel)],
                   check=True)
    return time.perf_counter() - started


def tree_size(path: pathlib.Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wheel", type=pathlib.Path)
    parser.add_argument("--installs", type=int, default=5)
    parser.add_argument("--keep", type=pathlib.Path, help="leave the last install in this venv")
    args = parser.parse_args()
    wheels = sorted((REPO / "dist").glob("hubkernel-*.whl"), key=lambda p: p.stat().st_mtime)
    wheel = args.wheel or (wheels[-1] if wheels else None)
    if wheel is None:
        sys.exit("wheel_install: no wheel in dist/; run scripts/package")

    times = []
    with tempfile.TemporaryDirectory(prefix="hubkernel-wheel-") as scratch:
        for index in range(args.installs):
            last = index == args.installs - 1
            venv = args.keep if last and args.keep else pathlib.Path(scratch) / f"venv{index}"
            if venv.exists():
                shutil.rmtree(venv)
            times.append(install_once(wheel, venv))
            installed = sum(tree_size(venv / part) for part in ("bin", "lib/hubkernel", "share/jupyter/kernels"))
            if not last:
                shutil.rmtree(venv)
    print(f"wheel: {wheel.name}")
    print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    print(f"wheel size {wheel.stat().st_size / 2**20:.1f} MiB; installed (bin, lib/hubkernel, kernelspec) "
          f"{installed / 2**20:.1f} MiB")
    print(f"pip install into a fresh venv: median {statistics.median(times):.2f} s of {args.installs} "
          f"(min {min(times):.2f} s)")


if __name__ == "__main__":
    main()
