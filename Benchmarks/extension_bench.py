#!/usr/bin/env python3
"""The IPython extension and the backend against their peers, measured in the same run (min / median / max):

* backend start → `initialize` answered, and a cached `hub/whoami` round trip        targets: ≤ 20 ms, ≤ 2 ms
* `%load_ext hubkernel` inside a running ipykernel                                    target:  ≤ 100 ms
* the guard's cost in a plain ipykernel, guard on vs off (`HUBKERNEL_GUARD=0`), rounds interleaved:
  a trivial cell's round trip, and a cell printing 50 MB in 1 KiB writes              targets: ≤ 1.05x, ≥ 0.9x
* a 512 MiB file over loopback (the local Hub behind nginx), then over a far link (Benchmarks/shaping_relay.py: 40 ms
  RTT, 25 MB/s a connection, in front of the Hub and its CDN): `%download` through the extension vs `hf_hub_download`
  in the same ipykernel, and the kernel's own `%download` vs `hf_hub_download` in the Python HubKernel hosts: the
  two ratios                                                                          target:  within 5%

Usage: .venv/bin/python Benchmarks/extension_bench.py [--rounds 5] [--cells 200] [--size-mib 512]
The backend is $HUBKERNEL_BIN (default .build/release/hubkernel); the guard library is the one installed beside it
(<prefix>/lib/hubkernel/libhubguard.so, as the wheel lays it out), else .build/release/libhubguard.so.
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

REPO = pathlib.Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO / "python" / "tests"), str(REPO / "Tests" / "interop"), str(REPO), str(REPO / "python")]
os.environ.setdefault("HUBKERNEL_BIN", str(REPO / ".build" / "release" / "hubkernel"))
_installed_guard = pathlib.Path(os.environ["HUBKERNEL_BIN"]).resolve().parent.parent / "lib" / "hubkernel" / "libhubguard.so"
os.environ.setdefault("HUBGUARD_LIB", str(_installed_guard if _installed_guard.is_file()
                                          else REPO / ".build" / "release" / "libhubguard.so"))

from fixtures.kernel import run_cell, start_kernel, stop_kernel, write_python_kernelspec  # noqa: E402
from ipykernel_fixture import start_ipykernel  # noqa: E402
from localhub.samples import MIB, add_benchmark_repo, build_samples  # noqa: E402
from localhub.server import LocalHub  # noqa: E402
sys.path.insert(0, str(REPO / "Benchmarks"))
from shaping_relay import ShapingRelay  # noqa: E402

PRINT_50MB = "import sys\nline = 'x' * 1023 + '\\n'\nfor _ in range(50 * 1024):\n    sys.stdout.write(line)\n"
LARGE = "bench/large"


def spread(values: list[float]) -> str:
    return f"{min(values):.2f} / {statistics.median(values):.2f} / {max(values):.2f}"


def report(name: str, values: list[float], unit: str, target: str = "") -> None:
    print(f"  {name:<52} {spread(values):>24} {unit}  {target}", flush=True)


class Backend:
    """`hubkernel serve --stdio` with LSP framing, for timing round trips."""

    def __init__(self, env: dict[str, str]):
        self.process = subprocess.Popen([os.environ["HUBKERNEL_BIN"], "serve", "--stdio"], stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, env=env)
        self.next_id = 0

    def request(self, method: str, params=None):
        self.next_id += 1
        body = json.dumps({"jsonrpc": "2.0", "id": self.next_id, "method": method, "params": params or {}}).encode()
        self.process.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.process.stdin.flush()
        while True:
            header = b""
            while not header.endswith(b"\r\n\r\n"):
                header += self.process.stdout.read(1)
            message = json.loads(self.process.stdout.read(int(header.split(b":")[1].split(b"\r\n")[0])))
            if message.get("id") == self.next_id and "method" not in message:
                return message

    def close(self) -> None:
        self.request("shutdown")
        body = b'{"jsonrpc": "2.0", "method": "exit"}'
        self.process.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.process.stdin.close()
        self.process.wait(10)


def backend_numbers(hub, token: str, rounds: int) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HF_")}
    env.update(HF_ENDPOINT=hub.endpoint, HF_HOME=tempfile.mkdtemp(), HF_TOKEN=token)
    starts, whoamis = [], []
    for _ in range(rounds):
        started = time.perf_counter()
        backend = Backend(env)
        assert "result" in backend.request("initialize", {"processId": os.getpid(), "capabilities": {}})
        starts.append((time.perf_counter() - started) * 1000)
        assert backend.request("hub/whoami")["result"]["user"] == "alice"  # the first asks the Hub
        for _ in range(50):
            started = time.perf_counter()
            backend.request("hub/whoami")
            whoamis.append((time.perf_counter() - started) * 1000)
        backend.close()
    print("backend (hubkernel serve --stdio):")
    report("start → initialize answered", starts, "ms", "target ≤ 20 ms")
    report("hub/whoami round trip, cached", whoamis, "ms", "target ≤ 2 ms")


def guard_numbers(rounds: int, cells: int) -> None:
    kernels = {}
    loads = []
    for guarded in (True, False):
        kernels[guarded] = start_ipykernel(tempfile.mkdtemp(), env={"HUBKERNEL_GUARD": "1" if guarded else "0"})
        _, iopub = run_cell(kernels[guarded][1], "import time; _t = time.perf_counter(); "
                                                "get_ipython().run_line_magic('load_ext', 'hubkernel'); "
                                                "print('LOAD', (time.perf_counter() - _t) * 1000)", timeout=60)
        text = "".join(m["content"].get("text", "") for m in iopub if m["msg_type"] == "stream")
        loads.append(float(text.split("LOAD")[1].split()[0]))
    trips, prints = {True: [], False: []}, {True: [], False: []}
    trip_cpu, print_cpu = {True: [], False: []}, {True: [], False: []}
    pids = {guarded: km.provisioner.process.pid for guarded, (km, _) in kernels.items()}
    try:
        for _ in range(rounds):
            samples = {True: [], False: []}
            used = {guarded: cpu_seconds(pid) for guarded, pid in pids.items()}
            for _ in range(cells):  # paired: each cell on one kernel, then the same on the other
                for guarded in (True, False):
                    started = time.perf_counter()
                    run_cell(kernels[guarded][1], "pass")
                    samples[guarded].append((time.perf_counter() - started) * 1000)
            for guarded in (True, False):
                trips[guarded].append(statistics.median(samples[guarded]))
                trip_cpu[guarded].append((cpu_seconds(pids[guarded]) - used[guarded]) / cells * 1e6)
            for guarded in (True, False):
                before, started = cpu_seconds(pids[guarded]), time.perf_counter()
                _, iopub = run_cell(kernels[guarded][1], PRINT_50MB, timeout=300)
                prints[guarded].append(50 * 1024 * 1024 / (time.perf_counter() - started) / 1e6)
                print_cpu[guarded].append(cpu_seconds(pids[guarded]) - before)
                got = sum(len(m["content"]["text"]) for m in iopub if m["msg_type"] == "stream")
                assert got == 50 * 1024 * 1024, got
    finally:
        for km, kc in kernels.values():
            kc.stop_channels()
            km.shutdown_kernel(now=True)
    print(f"the guard in a plain ipykernel ({rounds} rounds; per round the median of {cells} cells, each run on one kernel "
          "and then on the other; CPU: the kernel process's own time, which the client's noise does not reach):")
    report("%load_ext hubkernel", loads, "ms", "target ≤ 100 ms")
    report("trivial cell round trip, guard off", trips[False], "ms")
    report("trivial cell round trip, guard on", trips[True], "ms")
    report("  on / off (time)", [on / off for on, off in zip(trips[True], trips[False])], "x", "target ≤ 1.05x")
    report("  kernel CPU per cell, guard off", trip_cpu[False], "µs")
    report("  kernel CPU per cell, guard on", trip_cpu[True], "µs")
    report("print 50 MB, guard off", prints[False], "MB/s")
    report("print 50 MB, guard on", prints[True], "MB/s")
    report("  on / off (throughput)", [on / off for on, off in zip(prints[True], prints[False])], "x", "target ≥ 0.9x")
    report("  kernel CPU for the cell, guard off", print_cpu[False], "s")
    report("  kernel CPU for the cell, guard on", print_cpu[True], "s")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of process `pid` so far."""
    fields = pathlib.Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


DOWNLOAD_HF = ("import time, huggingface_hub as h; _t = time.perf_counter(); "
               "h.hf_hub_download('bench/large', 'large.bin'); print('TOOK', time.perf_counter() - _t)")


def took(reply, iopub) -> float:
    text = "".join(m["content"].get("text", "") for m in iopub if m["msg_type"] == "stream")
    if "TOOK" not in text:
        raise SystemExit(f"hf_hub_download failed: {reply['content'].get('evalue')} {text[-500:]}")
    return float(text.split("TOOK")[1].split()[0])


def timed_cell(kc, code: str) -> float:
    started = time.perf_counter()
    reply, _ = run_cell(kc, code, timeout=600)
    assert reply["content"]["status"] == "ok", reply["content"]
    return time.perf_counter() - started


def download_numbers(hub, rounds: int, size_mib: int, endpoint: str, link: str) -> None:
    work = pathlib.Path(tempfile.mkdtemp(prefix="hk-ext-bench-"))
    base = {"HF_ENDPOINT": endpoint, "HF_HUB_DISABLE_TELEMETRY": "1", "HF_HUB_DISABLE_PROGRESS_BARS": "1",
            "NO_PROXY": "127.0.0.1", "HF_XET_HIGH_PERFORMANCE": "0"}
    cache = work / "hf"
    env = dict(base, HF_HOME=str(cache))
    extension, kernel_hf, ours, theirs = [], [], [], []
    ext_km, ext_kc = start_ipykernel(work / "ext", env=env)
    # HubKernel hosts this venv's ipykernel through a python3 kernelspec, as in a user's Jupyter environment.
    hk_km, hk_kc = start_kernel(work / "hk", env={**env, **write_python_kernelspec(work / "hk-python")}, python=True)
    try:
        run_cell(ext_kc, "%load_ext hubkernel\n%hf_env", timeout=60)  # the backend is started before any timing
        run_cell(hk_kc, "import huggingface_hub", timeout=120)
        for kc in (ext_kc, hk_kc):  # one untimed download each: files and libraries paged in for both alike
            shutil.rmtree(cache / "hub", ignore_errors=True)
            timed_cell(kc, f"%download {LARGE} large.bin")
        for _ in range(rounds):
            for kc, own, peer in ((ext_kc, extension, kernel_hf), (hk_kc, ours, theirs)):
                shutil.rmtree(cache / "hub", ignore_errors=True)
                own.append(timed_cell(kc, f"%download {LARGE} large.bin"))
                shutil.rmtree(cache / "hub", ignore_errors=True)
                reply, iopub = run_cell(kc, DOWNLOAD_HF, timeout=600)
                peer.append(took(reply, iopub))
    finally:
        ext_kc.stop_channels()
        ext_km.shutdown_kernel(now=True)
        stop_kernel(hk_km, hk_kc)
        shutil.rmtree(work, ignore_errors=True)
    print(f"{size_mib} MiB {link}, cold cache ({rounds} rounds after one untimed download each):")
    report("%download through the extension", extension, "s")
    report("hf_hub_download in the same ipykernel", kernel_hf, "s")
    ext_ratio = [peer / own for peer, own in zip(kernel_hf, extension)]
    report("  hf / extension", ext_ratio, "x")
    report("%download in HubKernel", ours, "s")
    report("hf_hub_download in the Python HubKernel hosts", theirs, "s")
    kernel_ratio = [peer / own for peer, own in zip(theirs, ours)]
    report("  hf / kernel", kernel_ratio, "x")
    print(f"  extension ratio / kernel ratio (medians): "
          f"{statistics.median(ext_ratio) / statistics.median(kernel_ratio):.3f}  target within 0.95–1.05")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--cells", type=int, default=200)
    parser.add_argument("--size-mib", type=int, default=512)
    args = parser.parse_args()
    print(f"backend: {os.environ['HUBKERNEL_BIN']}; guard: {os.environ['HUBGUARD_LIB']}; "
          f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    root = pathlib.Path(tempfile.mkdtemp(prefix="hk-ext-hub-"))
    try:
        state = build_samples(root)
        add_benchmark_repo(root, LARGE, small_files=0, large_size=args.size_mib * MIB)
        with LocalHub(root, front=True) as hub:
            backend_numbers(hub, state.tokens["read"], args.rounds)
            guard_numbers(args.rounds, args.cells)
            download_numbers(hub, args.rounds, args.size_mib, hub.front_endpoint, "over loopback")
            shaping = dict(rtt_ms=40, rate=25e6)
            with ShapingRelay(hub.front_endpoint.removeprefix("http://"), **shaping) as front, \
                    ShapingRelay(hub.cdn_url().removeprefix("http://"), **shaping) as cdn:
                hub.cdn_url = lambda: cdn.url  # the Hub's LFS redirects go through the CDN's relay
                download_numbers(hub, 3, args.size_mib, front.url, "over a far link (40 ms RTT, 25 MB/s a connection)")
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
