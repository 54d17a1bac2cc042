"""Benchmark: `hubkernel cache ls --json` (release build, process start included) vs
huggingface_hub's `scan_cache_dir()` on the same synthetic cache of 1,000 repos / 50,000 files.

Usage: .venv/bin/python Benchmarks/cache_scan.py [--repos 1000] [--files-per-repo 50] [--runs 5]
Prints medians of wall and CPU time and their ratios (runs interleaved so that both see the same load on a
shared machine); the target is >= 10x faster in wall time (process start included for us).
"""
import argparse
import os
import resource
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


def timed(action):
    """(wall seconds, CPU seconds of this process and its finished children) of one call."""
    def cpu():
        own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
        return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime
    wall, before = time.perf_counter(), cpu()
    action()
    return time.perf_counter() - wall, cpu() - before


def interleaved_medians(actions, runs):
    """Runs the actions in turn, `runs` rounds, so that every one sees the same machine load
    (the machine is shared); returns {name: (median wall, median CPU)}."""
    samples = {name: [] for name in actions}
    for _ in range(runs):
        for name, action in actions.items():
            samples[name].append(timed(action))
    return {name: (statistics.median(w for w, _ in values), statistics.median(c for _, c in values))
            for name, values in samples.items()}


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
        results = interleaved_medians({"ours": ours, "python": python_in_process, "python_process": python_process}, args.runs)

    (t_ours, c_ours), (t_python, c_python), (t_process, c_process) = results["ours"], results["python"], results["python_process"]
    files = args.repos * args.files_per_repo
    print(f"cache: {args.repos} repos, {files} files; median of {args.runs} interleaved runs; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"{'':42} {'wall':>9} {'ratio':>6}   {'CPU':>9} {'ratio':>6}")
    print(f"{'hubkernel cache ls --json (process):':42} {t_ours * 1000:7.1f}ms {'':>6}   {c_ours * 1000:7.1f}ms")
    print(f"{'scan_cache_dir() in process:':42} {t_python * 1000:7.1f}ms {t_python / t_ours:5.1f}x   {c_python * 1000:7.1f}ms {c_python / c_ours:5.1f}x")
    print(f"{'python -c scan_cache_dir() (process):':42} {t_process * 1000:7.1f}ms {t_process / t_ours:5.1f}x   {c_process * 1000:7.1f}ms {c_process / c_ours:5.1f}x")
    print(f"target >= 10x (wall) vs scan_cache_dir in process: {'met' if t_python / t_ours >= 10 else 'NOT met'}"
          " (wall time counts our scan on every core; CPU time is the work done, whatever the load)")


if __name__ == "__main__":
    main()
