#!/usr/bin/env python3
"""`hubkernel info` on a 30-shard safetensors model against huggingface_hub's `get_safetensors_metadata`, same run,
same local Hub (localhub/, run as its own process so its threads do not share this interpreter's GIL).

Both start from a cold cache every run. `%info` is timed in a running kernel (execute request to reply, through
jupyter_client) and as `hubkernel info` (process start included); it does more than Python (repo info, file sizes,
cache footprint, access). Python's time is the call alone, in an interpreter that has already imported
huggingface_hub. Bytes are every response body the local Hub sent (API server + CDN), from its request log.

  wall time: %info (and hubkernel info) vs get_safetensors_metadata   target: >= 5x faster
  bytes fetched                                          target: no more than Python

Usage: .venv/bin/python Benchmarks/info_bench.py [--runs 5] [--shards 30]
Needs the release build (swift build -c release --static-swift-stdlib --product hubkernel).
"""
from __future__ import annotations

import argparse
import json
import os
import pathlib
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import resource
import urllib.request

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "Tests" / "interop"))
from localhub.samples import add_sharded_benchmark_repo  # noqa: E402
from fixtures.kernel import run_cell, start_kernel, stop_kernel  # noqa: E402

HUBKERNEL = os.environ.get("HUBKERNEL_BIN", str(ROOT / ".build" / "release" / "hubkernel"))
REPO = "bench/sharded-30"

PYTHON_RUNS = """
import json, shutil, sys, time
from huggingface_hub import HfApi
api, cache, runs = HfApi(), sys.argv[1], int(sys.argv[2])
times, cpu = [], []
for _ in range(runs):
    shutil.rmtree(cache, ignore_errors=True)
    started, started_cpu = time.perf_counter(), time.process_time()
    meta = api.get_safetensors_metadata(sys.argv[3])
    times.append(time.perf_counter() - started)
    cpu.append(time.process_time() - started_cpu)
print(json.dumps({"times": times, "cpu": cpu, "total": sum(meta.parameter_count.values()),
                  "files": len(meta.files_metadata)}))
"""


def admin(endpoint: str, method: str, route: str):
    request = urllib.request.Request(f"{endpoint}/_admin/{route}", method=method)
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def logged_bytes(endpoint: str) -> tuple[int, int]:
    """(body bytes, requests) the hub has logged since the last clear, once the log stops growing."""
    entries = admin(endpoint, "GET", "log")
    while True:
        time.sleep(0.3)
        again = admin(endpoint, "GET", "log")
        if len(again) == len(entries):
            return sum(e["bytes"] for e in again), len(again)
        entries = again


def env_for(endpoint: str, home: pathlib.Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HF_", "HUGGING"))}
    env.update({"HF_ENDPOINT": endpoint, "HF_HOME": str(home), "HF_HUB_CACHE": str(home / "hub"),
                "HF_HUB_DISABLE_TELEMETRY": "1", "HF_HUB_DISABLE_PROGRESS_BARS": "1", "NO_PROXY": "127.0.0.1"})
    return env


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def hubkernel_once(env: dict[str, str]) -> tuple[float, float, dict]:
    """(wall seconds, CPU seconds, report) of one cold `hubkernel info`."""
    shutil.rmtree(env["HF_HUB_CACHE"], ignore_errors=True)
    started, started_cpu = time.perf_counter(), children_cpu()
    done = subprocess.run([HUBKERNEL, "info", REPO, "--json"], env=env, capture_output=True, text=True)
    wall, cpu = time.perf_counter() - started, children_cpu() - started_cpu
    if done.returncode != 0:
        raise SystemExit(f"hubkernel info failed: {done.stderr}")
    return wall, cpu, json.loads(done.stdout)


def kernel_runs(env: dict[str, str], work: pathlib.Path, runs: int) -> list[float]:
    """`%info` in a running HubKernel, each run with a fresh `--cache-dir` (cold): execute request to reply."""
    km, kc = start_kernel(work / "kernelspec", env=env)
    try:
        times = []
        for run in range(runs + 1):
            started = time.perf_counter()
            reply, _ = run_cell(kc, f"%info {REPO} --json --cache-dir {work / f'kernel-cache-{run}'}", timeout=120)
            if reply["content"]["status"] != "ok":
                raise SystemExit(f"%info failed: {reply['content']}")
            times.append(time.perf_counter() - started)
        return times[1:]  # the first run warms the kernel's connections
    finally:
        stop_kernel(km, kc)


def resolve_floor(endpoint: str, shards: int, runs: int) -> float:
    """Median seconds curl needs for the shards' `resolve` redirects alone (one keep-alive connection, no body): the
    share of the local Python API server that every client pays, whatever it does with the answers."""
    config = "".join(f'url = "{endpoint}/{REPO}/resolve/main/model-{i + 1:05d}-of-{shards:05d}.safetensors"\n'
                     f'output = "/dev/null"\n' for i in range(shards))
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(["curl", "-sS", "-K", "-"], input=config.encode(), check=True)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--shards", type=int, default=30)
    args = parser.parse_args()
    work = pathlib.Path(tempfile.mkdtemp(prefix="info-bench-"))
    hub = None
    try:
        add_sharded_benchmark_repo(work, REPO, shards=args.shards)
        hub = subprocess.Popen([sys.executable, "-m", "localhub", "serve", "--root", str(work)], cwd=str(ROOT),
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        endpoint = json.loads(hub.stdout.readline())["endpoint"]
        env = env_for(endpoint, work / "home")

        hubkernel_once(env)  # warm the hub's file cache and nginx
        times, cpu = [], []
        for _ in range(args.runs):
            wall, used, report = hubkernel_once(env)
            times.append(wall)
            cpu.append(used)
        admin(endpoint, "DELETE", "log")
        hubkernel_once(env)
        hk_bytes, hk_requests = logged_bytes(endpoint)

        in_kernel = statistics.median(kernel_runs(env, work, args.runs))
        floor = resolve_floor(endpoint, args.shards, args.runs) if shutil.which("curl") else None
        python = subprocess.run([sys.executable, "-c", PYTHON_RUNS, env["HF_HUB_CACHE"], str(args.runs + 1), REPO],
                                env=env, capture_output=True, text=True)
        if python.returncode != 0:
            raise SystemExit(f"get_safetensors_metadata failed: {python.stderr[-2000:]}")
        py = json.loads(python.stdout.splitlines()[-1])
        admin(endpoint, "DELETE", "log")
        subprocess.run([sys.executable, "-c", PYTHON_RUNS, env["HF_HUB_CACHE"], "1", REPO], env=env, check=True,
                       capture_output=True)
        py_bytes, py_requests = logged_bytes(endpoint)

        assert report["parameters"]["total"] == py["total"], (report["parameters"]["total"], py["total"])
        hk, pt = statistics.median(times), statistics.median(py["times"][1:])  # Python's first call warms its session
        print(f"{args.shards}-shard model, {py['total']:,} parameters (both agree), median of {args.runs} cold runs:")
        pc, hc = statistics.median(py["cpu"][1:]), statistics.median(cpu)
        print(f"  get_safetensors_metadata (in process): {pt * 1000:.0f} ms, {pc * 1000:.0f} ms CPU, "
              f"{py_bytes:,} bytes in {py_requests} requests")
        print(f"  %info in a running kernel: {in_kernel * 1000:.0f} ms ({pt / in_kernel:.1f}x faster; target >= 5x)")
        print(f"  hubkernel info (process start included): {hk * 1000:.0f} ms ({pt / hk:.1f}x faster), "
              f"{hc * 1000:.0f} ms CPU ({pc / hc:.1f}x less), {hk_bytes:,} bytes in {hk_requests} requests")
        print(f"  bytes: {hk_bytes / py_bytes:.3f}x Python's (target <= 1x)")
        if floor is not None:
            print(f"  server share: curl alone needs {floor * 1000:.0f} ms for the {args.shards} resolve redirects "
                  "(the Python API server answers them for every client)")
    finally:
        if hub is not None:
            hub.terminate()
            hub.wait(timeout=30)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
