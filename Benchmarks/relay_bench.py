#!/usr/bin/env python3
"""Python through HubKernel's relay against ipykernel itself, both driven by jupyter_client in the same run.

Prints medians of
* round trip: a trivial Python cell (`pass`), execute_request until its idle,
* throughput: a cell printing 50 MB in 1 KiB writes, and a cell making 10,000 display updates (until idle, every
  message received by the client),
* start → first result: the kernel started until the first cell's execute_reply, the cell sent at once (HubKernel:
  a magic, and a Python cell; ipykernel: a Python cell),
* memory: HubKernel's own peak RSS (VmHWM) hosting Python after the throughput cells, and without Python,
with ratios (how many times faster HubKernel is; below 1.0 is slower).

Usage: .venv/bin/python Benchmarks/relay_bench.py [--cells N] [--repeats N]
HubKernel binary: $HUBKERNEL_BIN (default .build/release/hubkernel). The hosted Python and the peer ipykernel are
this venv's (its bin/ first in PATH), so both run the same interpreter and ipykernel.
"""
from __future__ import annotations

import argparse
import os
import pathlib
import shutil
import statistics
import sys
import tempfile
import time

from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import KernelManager

REPO = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "Tests" / "interop"))
os.environ.setdefault("HUBKERNEL_BIN", str(REPO / ".build" / "release" / "hubkernel"))
from fixtures.kernel import python_env, write_kernelspec, write_python_kernelspec  # noqa: E402

PRINT_50MB = "import sys\nline = 'x' * 1023 + '\\n'\nfor _ in range(50 * 1024):\n    sys.stdout.write(line)\n"
UPDATES_10K = ("from IPython.display import display\nh = display('0', display_id=True)\n"
               "for i in range(10000):\n    h.update(str(i))\n")


class Kernel:
    def __init__(self, name: str, spec_dirs: list[str], python: bool = True) -> None:
        ksm = KernelSpecManager(kernel_dirs=spec_dirs) if name == "hubkernel" else KernelSpecManager()
        self.km = KernelManager(kernel_name=name, kernel_spec_manager=ksm)
        self.started = time.perf_counter()
        self.km.start_kernel(env=python_env({}, python))
        self.kc = self.km.client()
        self.kc.start_channels()

    @property
    def pid(self) -> int:
        return self.km.provisioner.process.pid

    def run(self, code: str) -> tuple[float, int, int]:
        """Seconds until idle, iopub messages and output bytes received for `code`."""
        started = time.perf_counter()
        msg_id = self.kc.execute(code)
        messages = size = 0
        while True:
            message = self.kc.get_iopub_msg(timeout=300)
            if message["parent_header"].get("msg_id") != msg_id:
                continue
            messages += 1
            if message["msg_type"] == "stream":
                size += len(message["content"]["text"])
            if message["msg_type"] == "status" and message["content"]["execution_state"] == "idle":
                break
        elapsed = time.perf_counter() - started
        reply = self.kc.get_shell_msg(timeout=300)
        assert reply["content"]["status"] == "ok", reply["content"]
        return elapsed, messages, size

    def first_result(self, code: str) -> float:
        """Seconds from the kernel's start until `code`'s execute_reply, the request sent at once (as a frontend
        queues its first cell): not after `wait_for_ready`, whose 0.2 s of iopub quiet would be in both numbers."""
        msg_id = self.kc.execute(code)
        while True:
            reply = self.kc.get_shell_msg(timeout=120)
            if reply["parent_header"].get("msg_id") == msg_id:
                assert reply["content"]["status"] == "ok", reply["content"]
                return time.perf_counter() - self.started

    def peak_rss_mib(self) -> float:
        for line in pathlib.Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
        return float("nan")

    def stop(self) -> None:
        self.kc.stop_channels()
        self.km.shutdown_kernel(now=False)


def row(measure: str, peer: float, ours: float, unit: str = "ms", scale: float = 1000, higher_is_better=False) -> None:
    ratio = ours / peer if higher_is_better else peer / ours
    print(f"{measure:<40}{peer * scale:>12.1f}{unit}{ours * scale:>12.1f}{unit}{ratio:>8.2f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cells", type=int, default=200, help="timed trivial cells per kernel")
    parser.add_argument("--repeats", type=int, default=3, help="runs of each throughput cell and of each start")
    args = parser.parse_args()
    data_dir = tempfile.mkdtemp(prefix="hubkernel-relay-bench-")
    try:
        launcher = pathlib.Path(os.environ["HUBKERNEL_BIN"]).with_name("hubkernel-launcher")
        # HubKernel hosts the ipykernel the peer runs (the wheel's own venv has none)
        write_kernelspec(data_dir, binary=str(launcher) if launcher.exists() else None, env=write_python_kernelspec(data_dir))
        spec_dirs = [str(pathlib.Path(data_dir) / "kernels")]
        print(f"HubKernel: {launcher if launcher.exists() else os.environ['HUBKERNEL_BIN']}; Python {sys.version.split()[0]}")
        print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores\n")
        print(f"{'measure (median)':<40}{'ipykernel':>14}{'HubKernel':>14}{'ratio':>9}")

        trips: dict[str, float] = {}
        throughput: dict[str, dict[str, float]] = {"print": {}, "updates": {}}
        rss = 0.0
        for name in ("python3", "hubkernel"):
            kernel = Kernel(name, spec_dirs)
            kernel.kc.wait_for_ready(timeout=120)
            kernel.run("pass")  # Python ready (HubKernel: started in the background)
            for _ in range(5):
                kernel.run("pass")
            trips[name] = statistics.median(kernel.run("pass")[0] for _ in range(args.cells))
            runs = [kernel.run(PRINT_50MB) for _ in range(args.repeats)]
            assert all(size == 50 * 1024 * 1024 for _, _, size in runs), "every byte arrives"
            throughput["print"][name] = statistics.median(seconds for seconds, _, _ in runs)
            runs = [kernel.run(UPDATES_10K) for _ in range(args.repeats)]
            assert all(messages >= 10_000 for _, messages, _ in runs)
            throughput["updates"][name] = statistics.median(seconds for seconds, _, _ in runs)
            if name == "hubkernel":
                rss = kernel.peak_rss_mib()
            kernel.stop()
        row("trivial Python cell round trip", trips["python3"], trips["hubkernel"])
        mb = 50
        row("print 50 MB (MB/s)", mb / throughput["print"]["python3"], mb / throughput["print"]["hubkernel"], " MB/s", 1,
            higher_is_better=True)
        row("10,000 display updates (updates/s)", 10_000 / throughput["updates"]["python3"],
            10_000 / throughput["updates"]["hubkernel"], "/s", 1, higher_is_better=True)

        starts: dict[str, list[float]] = {"python3": [], "magic": [], "python": []}
        for _ in range(args.repeats):
            for label, name, code in (("python3", "python3", "1"), ("magic", "hubkernel", "%echo hi"),
                                      ("python", "hubkernel", "1")):
                kernel = Kernel(name, spec_dirs)
                starts[label].append(kernel.first_result(code))
                kernel.stop()
        peer = statistics.median(starts["python3"])
        row("start → first magic result", peer, statistics.median(starts["magic"]))
        row("start → first Python result", peer, statistics.median(starts["python"]))

        bare = Kernel("hubkernel", spec_dirs, python=False)
        bare.kc.wait_for_ready(timeout=60)
        bare.run("%echo hi")
        bare_rss = bare.peak_rss_mib()
        bare.stop()
        print(f"\nHubKernel peak RSS: {rss:.1f} MiB hosting Python after the throughput cells, {bare_rss:.1f} MiB without "
              f"Python: the relay costs {rss - bare_rss:.1f} MiB")
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
