"""Benchmark: `hubkernel cache ls --json` (release build, process start included) vs
huggingface_hub's `scan_cache_dir()` on the same synthetic cache of 1,000 repos / 50,000 files.

Usage: .venv/bin/python Benchmarks/cache_scan.py [--repos 1000] [--files-per-repo 50] [--runs 5]
Prints medians and the ratio; the target is >= 10x faster (process start included for us).
"""
import argparse
import os
import pathlib
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "Tests" / "interop"))
from fixtures.cache_builder import CacheBuilder  # noqa: E402


def build_cache(root, repos, files_per_repo):
    builder = CacheBuilder(root)
    for index in range(repos):
        files = {f"dir{n % 5}/file{n}.txt": f"repo {index} file {n}\n".encode() for n in range(files_per_repo)}
        repo_type = ("model", "dataset", "space")[index % 3]
        builder.add_repo(f"org{index % 37}/repo-{index}", files, repo_type=repo_type, tree_cache=False)
    return builder


def median_seconds(action, runs):
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        timings.append(time.perf_counter() - start)
    return statistics.median(timings)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--repos", type=int, default=1000)
    parser.add_argument("--files-per-repo", type=int, default=50)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--binary", default=os.environ.get("HUBKERNEL_BIN", str(ROOT / ".build" / "release" / "hubkernel")))
    args = parser.parse_args()
    if not os.path.exists(args.binary):
        sys.exit(f"{args.binary} is missing: run `swift build -c release --static-swift-stdlib --product hubkernel` first")

    with tempfile.TemporaryDirectory() as tmp:
        cache = pathlib.Path(tmp) / "hub"
        build_cache(cache, args.repos, args.files_per_repo)
        command = [args.binary, "cache", "ls", "--json", "--cache-dir", str(cache)]

        def ours():
            done = subprocess.run(command, capture_output=True)
            assert done.returncode == 0, done.stderr

        from huggingface_hub import scan_cache_dir

        def python_in_process():
            info = scan_cache_dir(cache)
            assert len(info.repos) == args.repos

        python_cli = [sys.executable, "-c", f"from huggingface_hub import scan_cache_dir; scan_cache_dir({str(cache)!r})"]

        def python_process():
            subprocess.run(python_cli, check=True, capture_output=True)

        ours(); python_in_process()  # warm the page cache for both
        t_ours = median_seconds(ours, args.runs)
        t_python = median_seconds(python_in_process, args.runs)
        t_python_process = median_seconds(python_process, args.runs)

    files = args.repos * args.files_per_repo
    print(f"cache: {args.repos} repos, {files} files; median of {args.runs} runs")
    print(f"hubkernel cache ls --json (process):      {t_ours * 1000:8.1f} ms")
    print(f"scan_cache_dir() in process:              {t_python * 1000:8.1f} ms   ratio {t_python / t_ours:5.1f}x")
    print(f"python -c scan_cache_dir() (process):     {t_python_process * 1000:8.1f} ms   ratio {t_python_process / t_ours:5.1f}x")
    print(f"target >= 10x vs scan_cache_dir in process: {'met' if t_python / t_ours >= 10 else 'NOT met'}")


if __name__ == "__main__":
    main()
