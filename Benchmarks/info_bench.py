#!/usr/bin/env python3
"""`%info` on a 30-shard safetensors model against huggingface_hub's `get_safetensors_metadata`, same run, same local
Hub (localhub/, run as its own process so its threads do not share this interpreter's GIL).

At `main`, `%info` reads every shard header in one `safetensors-metadata` request (as huggingface_hub's
`get_sharded_safetensors_metadata` does); `get_safetensors_metadata` reads each shard by Range request. At a pinned
commit (the route serves `main` only) `%info` too reads each shard, by Range requests in parallel: that row measures
the Range path alone. `get_sharded_safetensors_metadata` is timed as well, as the peer of the one-request path.

Every run starts from a cold cache. `%info` is timed in a running kernel (execute request to reply, through
jupyter_client) and as `hubkernel info` (process start included); it does more than Python (repo info, file sizes,
cache footprint, access). Python's time is the call alone, in an interpreter that has already imported
huggingface_hub (its first call, which warms its session, is left out). Bytes are every response body the local Hub
sent (API server + CDN), from its request log.

  wall time: %info vs get_safetensors_metadata   target: >= 5x faster
  bytes fetched                                  target: no more than Python

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

HUBKERNEL = os.environ.setdefault("HUBKERNEL_BIN", str(ROOT / ".build" / "release" / "hubkernel"))  # kernel too
REPO = "bench/sharded-30"

PYTHON_RUNS = """
import json, shutil, sys, time
from huggingface_hub import HfApi
api, cache, runs, repo, call = HfApi(), sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
read = {"each": api.get_safetensors_metadata, "one": api.get_sharded_safetensors_metadata}[call]
times, cpu = [], []
for _ in range(runs):
    shutil.rmtree(cache, ignore_errors=True)
    started, started_cpu = time.perf_counter(), time.process_time()
    meta = read(repo)
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


def make_cold(env: dict[str, str]) -> None:
    """Removes what `%info` could answer from: the hub cache and its own info cache (`$HF_HOME/hubkernel`)."""
    shutil.rmtree(env["HF_HUB_CACHE"], ignore_errors=True)
    shutil.rmtree(pathlib.Path(env["HF_HOME"]) / "hubkernel", ignore_errors=True)


def hubkernel_once(env: dict[str, str], *args: str) -> tuple[float, float, dict]:
    """(wall seconds, CPU seconds, report) of one cold `hubkernel info`."""
    make_cold(env)
    started, started_cpu = time.perf_counter(), children_cpu()
    done = subprocess.run([HUBKERNEL, "info", REPO, "--json", *args], env=env, capture_output=True, text=True)
    wall, cpu = time.perf_counter() - started, children_cpu() - started_cpu
    if done.returncode != 0:
        raise SystemExit(f"hubkernel info failed: {done.stderr}")
    return wall, cpu, json.loads(done.stdout)


def kernel_runs(env: dict[str, str], work: pathlib.Path, runs: int, extra: str = "") -> list[float]:
    """`%info` in a running HubKernel, each run cold (a fresh `--cache-dir`, no info cache): execute request to
    reply."""
    km, kc = start_kernel(work / "kernelspec", env=env)
    try:
        times = []
        for run in range(runs + 1):
            make_cold(env)
            started = time.perf_counter()
            cache = work / f"kernel-cache-{extra.split()[-1][:7] if extra else 'main'}-{run}"
            reply, _ = run_cell(kc, f"%info {REPO} --json --cache-dir {cache} {extra}", timeout=120)
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


def hubkernel_path(env: dict[str, str], endpoint: str, runs: int, *args: str) -> dict:
    """Median wall and CPU seconds of cold `hubkernel info` runs, and the bytes and requests of one of them."""
    times, cpu = [], []
    for _ in range(runs):
        wall, used, report = hubkernel_once(env, *args)
        times.append(wall)
        cpu.append(used)
    admin(endpoint, "DELETE", "log")
    hubkernel_once(env, *args)
    sent, requests = logged_bytes(endpoint)
    return {"time": statistics.median(times), "cpu": statistics.median(cpu), "bytes": sent, "requests": requests,
            "total": report["parameters"]["total"], "source": report["parameters"]["source"]}


def python_path(env: dict[str, str], endpoint: str, runs: int, call: str) -> dict:
    """The same for huggingface_hub (`call`: "each" = get_safetensors_metadata, "one" = the sharded route); its
    first call warms its session and is left out."""
    command = [sys.executable, "-c", PYTHON_RUNS, env["HF_HUB_CACHE"], str(runs + 1), REPO, call]
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"huggingface_hub ({call}) failed: {done.stderr[-2000:]}")
    result = json.loads(done.stdout.splitlines()[-1])
    admin(endpoint, "DELETE", "log")
    subprocess.run(command[:4] + ["1", REPO, call], env=env, check=True, capture_output=True)
    sent, requests = logged_bytes(endpoint)
    return {"time": statistics.median(result["times"][1:]), "cpu": statistics.median(result["cpu"][1:]),
            "bytes": sent, "requests": requests, "total": result["total"]}


def requests(result: dict) -> str:
    return f"{result['requests']} request" + ("" if result["requests"] == 1 else "s")


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
        commit = hubkernel_once(env)[2]["commit"]
        hk = {path: hubkernel_path(env, endpoint, args.runs, *extra) for path, extra in
              (("one", ()), ("range", ("--revision", commit)))}
        in_kernel = {"one": statistics.median(kernel_runs(env, work, args.runs)),
                     "range": statistics.median(kernel_runs(env, work, args.runs, f"--revision {commit}"))}
        py = {call: python_path(env, endpoint, args.runs, call) for call in ("each", "one")}
        floor = resolve_floor(endpoint, args.shards, args.runs) if shutil.which("curl") else None

        for result in (*hk.values(), *py.values()):
            assert result["total"] == py["each"]["total"], (result["total"], py["each"]["total"])
        assert hk["one"]["source"] == "safetensors-metadata" and hk["range"]["source"] == "range", hk
        each = py["each"]
        print(f"{args.shards}-shard model, {each['total']:,} parameters (all agree), median of {args.runs} cold runs:")
        print(f"  get_safetensors_metadata (in process): {each['time'] * 1000:.0f} ms, {each['cpu'] * 1000:.0f} ms CPU, "
              f"{each['bytes']:,} bytes in {requests(each)}")
        print(f"  get_sharded_safetensors_metadata (in process, one request): {py['one']['time'] * 1000:.0f} ms, "
              f"{py['one']['bytes']:,} bytes in {requests(py['one'])}")
        for path, label in (("one", "at main (one safetensors-metadata request)"),
                            ("range", "at a commit (Range requests, in parallel)")):
            run = hk[path]
            print(f"  %info {label}:")
            print(f"    in a running kernel: {in_kernel[path] * 1000:.0f} ms "
                  f"({each['time'] / in_kernel[path]:.1f}x faster than get_safetensors_metadata; target >= 5x)")
            print(f"    hubkernel info (process start included): {run['time'] * 1000:.0f} ms "
                  f"({each['time'] / run['time']:.1f}x faster), {run['cpu'] * 1000:.0f} ms CPU "
                  f"({each['cpu'] / run['cpu']:.1f}x less), {run['bytes']:,} bytes in {requests(run)} "
                  f"({run['bytes'] / each['bytes']:.3f}x Python's bytes; target <= 1x)")
        print(f"  the one-request path vs get_sharded_safetensors_metadata: in a kernel "
              f"{py['one']['time'] / in_kernel['one']:.1f}x, hubkernel info {py['one']['time'] / hk['one']['time']:.1f}x")
        if floor is not None:
            print(f"  server share: curl alone needs {floor * 1000:.0f} ms for the {args.shards} resolve redirects "
                  "(the Python API server answers them for every client that reads shards one by one)")
    finally:
        if hub is not None:
            hub.terminate()
            hub.wait(timeout=30)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
