#!/usr/bin/env python3
"""Python through HubKernel's relay against ipykernel itself, both driven by jupyter_client in the same run.

Each of `--rounds` rounds starts a fresh ipykernel and a fresh HubKernel hosting the same venv's ipykernel, both kept
running, and measures each in turn (the trivial cells alternate one by one; which kernel goes first alternates between
rounds), so that a busy moment on a shared machine falls on both:
* round trip: a trivial Python cell (`pass`), execute_request until its idle and execute_reply (median of `--cells`),
* throughput: a cell printing 50 MB in 1 KiB writes, and a cell making 10,000 display updates (until idle, every
  message received by the client),
* memory: HubKernel's peak RSS while the 50 MB passes (VmHWM reset just before the cell) above its RSS before it:
  what the relay holds of the output in flight.
Prints min / median / max over the rounds of each side's number and of the ratio (each round's ratio is taken between
the two kernels of that round, so a busy moment on the machine moves both), the same for the floor of any relay
(`bare_relay_kernel.py`: libzmq's own proxy between the frontend and the same ipykernel, doing nothing else; a third
kernel in every round), then
* start → first result: the kernel started until the first cell's execute_reply, the cell sent at once (HubKernel:
  a magic, and a Python cell; ipykernel: a Python cell), medians of `--repeats`.

Usage: .venv/bin/python Benchmarks/relay_bench.py [--rounds N] [--cells N] [--repeats N]
HubKernel binary: $HUBKERNEL_BIN (default .build/release/hubkernel). The hosted Python and the peer ipykernel are
this venv's (its bin/ first in PATH), so both run the same interpreter and ipykernel.
"""
from __future__ import annotations

import argparse
import json
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


BARE = "bare-relay"


def write_bare_relay_kernelspec(data_dir: str) -> None:
    """The floor kernel (`bare_relay_kernel.py`) in ``data_dir/kernels``, run by this venv's Python."""
    target = pathlib.Path(data_dir) / "kernels" / BARE
    target.mkdir(parents=True, exist_ok=True)
    argv = [sys.executable, str(pathlib.Path(__file__).with_name("bare_relay_kernel.py")), "{connection_file}"]
    (target / "kernel.json").write_text(json.dumps({"argv": argv, "display_name": "bare relay", "language": "python"}))


class Kernel:
    def __init__(self, name: str, spec_dirs: list[str], python: bool = True) -> None:
        ksm = KernelSpecManager(kernel_dirs=spec_dirs) if name in ("hubkernel", BARE) else KernelSpecManager()
        self.km = KernelManager(kernel_name=name, kernel_spec_manager=ksm)
        self.started = time.perf_counter()
        self.km.start_kernel(env=python_env({}, python))
        self.kc = self.km.client()
        self.kc.start_channels()
        self.largest_piece = 0  # the largest stream message received (ipykernel batches what a cell prints)

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
                self.largest_piece = max(self.largest_piece, len(message["content"]["text"]))
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

    def rss_mib(self, field: str = "VmRSS") -> float:
        for line in pathlib.Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
        return float("nan")

    def reset_peak_rss(self) -> None:
        """Sets VmHWM back to the current RSS (Linux: `5` to clear_refs)."""
        pathlib.Path(f"/proc/{self.pid}/clear_refs").write_text("5")

    def stop(self) -> None:
        self.kc.stop_channels()
        self.km.shutdown_kernel(now=False)


def row(measure: str, peer: float, ours: float, unit: str = "ms", scale: float = 1000) -> None:
    print(f"{measure:<40}{peer * scale:>12.1f}{unit}{ours * scale:>12.1f}{unit}{peer / ours:>8.2f}x")


def spread(values: list[float], scale: float = 1, digits: int = 1) -> str:
    """`min / median / max`."""
    return " / ".join(f"{v * scale:.{digits}f}" for v in (min(values), statistics.median(values), max(values)))


def measure_round(spec_dirs: list[str], cells: int, hub_first: bool) -> dict[str, dict[str, float]]:
    """One round: a fresh ipykernel and a fresh HubKernel, both running; each measure alternates between them (the
    trivial cells one by one), so a busy moment on the machine falls on both."""
    names = ("hubkernel", "python3", BARE) if hub_first else (BARE, "python3", "hubkernel")
    kernels = {name: Kernel(name, spec_dirs) for name in names}
    try:
        for kernel in kernels.values():
            kernel.kc.wait_for_ready(timeout=120)
            for _ in range(6):
                kernel.run("pass")  # Python ready (HubKernel: started in the background), then warm
        trips: dict[str, list[float]] = {name: [] for name in names}
        for index in range(cells):
            for name in (names if index % 2 == 0 else names[::-1]):
                trips[name].append(kernels[name].run("pass")[0])
        result = {name: {"trip": statistics.median(trips[name])} for name in names}
        for name in names:
            kernel = kernels[name]
            before = kernel.rss_mib()
            kernel.reset_peak_rss()
            seconds, _, size = kernel.run(PRINT_50MB)
            assert size == 50 * 1024 * 1024, "every byte arrives"
            result[name]["print"] = 50 / seconds
            result[name]["extra_mib"] = kernel.rss_mib("VmHWM") - before
            result[name]["piece_mib"] = kernel.largest_piece / (1 << 20)
            kernel.largest_piece = 0
        for name in names[::-1]:
            seconds, messages, _ = kernels[name].run(UPDATES_10K)
            assert messages >= 10_000
            result[name]["updates"] = 10_000 / seconds
        return result
    finally:
        for kernel in kernels.values():
            kernel.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="rounds, each with a fresh kernel of both kinds")
    parser.add_argument("--cells", type=int, default=200, help="timed trivial cells per kernel and round")
    parser.add_argument("--repeats", type=int, default=3, help="starts of each kind for the start rows")
    parser.add_argument("--no-starts", action="store_true", help="skip the start → first result rows")
    args = parser.parse_args()
    data_dir = tempfile.mkdtemp(prefix="hubkernel-relay-bench-")
    try:
        launcher = pathlib.Path(os.environ["HUBKERNEL_BIN"]).with_name("hubkernel-launcher")
        # HubKernel hosts the ipykernel the peer runs (the wheel's own venv has none)
        write_kernelspec(data_dir, binary=str(launcher) if launcher.exists() else None, env=write_python_kernelspec(data_dir))
        write_bare_relay_kernelspec(data_dir)
        spec_dirs = [str(pathlib.Path(data_dir) / "kernels")]
        print(f"HubKernel: {launcher if launcher.exists() else os.environ['HUBKERNEL_BIN']}; Python {sys.version.split()[0]}")
        print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores; {args.rounds} rounds, "
              f"{args.cells} trivial cells each\n")

        rounds: list[dict[str, dict[str, float]]] = []
        for number in range(args.rounds):
            rounds.append(measure_round(spec_dirs, args.cells, hub_first=number % 2 == 1))
            ours, peer = rounds[-1]["hubkernel"], rounds[-1]["python3"]
            print(f"round {number + 1}: trivial {peer['trip'] * 1000:.2f} vs {ours['trip'] * 1000:.2f} ms, "
                  f"print {peer['print']:.1f} vs {ours['print']:.1f} MB/s, updates {peer['updates']:.0f} vs "
                  f"{ours['updates']:.0f}/s, relay +{ours['extra_mib']:.1f} MiB, largest piece {ours['piece_mib']:.1f} MiB "
                  f"(load {os.getloadavg()[0]:.2f})",
                  flush=True)

        def column(name: str, key: str) -> list[float]:
            return [r[name][key] for r in rounds]

        def ratios(key: str, name: str = "hubkernel") -> list[float]:
            """`name`'s number over ipykernel's, per round (a time: above 1 is slower; a rate: below 1 is)."""
            return [r[name][key] / r["python3"][key] for r in rounds]

        print(f"\n{'measure (min / median / max)':<34}{'ipykernel':>24}{'HubKernel':>24}{'ratio':>22}  target")
        print(f"{'trivial cell round trip (ms)':<34}{spread(column('python3', 'trip'), 1000, 2):>24}"
              f"{spread(column('hubkernel', 'trip'), 1000, 2):>24}{spread(ratios('trip'), 1, 2) + 'x':>22}"
              f"  ≤ 1.05x ipykernel's time")
        print(f"{'print 50 MB (MB/s)':<34}{spread(column('python3', 'print')):>24}"
              f"{spread(column('hubkernel', 'print')):>24}{spread(ratios('print'), 1, 2) + 'x':>22}"
              f"  ≥ 0.95x ipykernel's throughput")
        print(f"{'10,000 display updates (/s)':<34}{spread(column('python3', 'updates'), 1, 0):>24}"
              f"{spread(column('hubkernel', 'updates'), 1, 0):>24}{spread(ratios('updates'), 1, 2) + 'x':>22}"
              f"  ≥ 0.95x")
        print(f"{'relay extra peak RSS, 50 MB (MiB)':<34}{'':>24}{spread(column('hubkernel', 'extra_mib')):>24}"
              f"{'':>22}  ≤ 32 MiB")
        print(f"{'largest stream piece, 50 MB (MiB)':<34}{spread(column('python3', 'piece_mib')):>24}"
              f"{spread(column('hubkernel', 'piece_mib')):>24}{'':>22}  (ipykernel's batching: the relay holds one)")
        print(f"\n{'the floor of any relay':<34}{'ipykernel':>24}{'bare relay':>24}{'ratio':>22}  HubKernel's ratio")
        print(f"{'trivial cell round trip (ms)':<34}{spread(column('python3', 'trip'), 1000, 2):>24}"
              f"{spread(column(BARE, 'trip'), 1000, 2):>24}{spread(ratios('trip', BARE), 1, 2) + 'x':>22}"
              f"  {spread(ratios('trip'), 1, 2)}x")
        print(f"{'print 50 MB (MB/s)':<34}{spread(column('python3', 'print')):>24}"
              f"{spread(column(BARE, 'print')):>24}{spread(ratios('print', BARE), 1, 2) + 'x':>22}"
              f"  {spread(ratios('print'), 1, 2)}x")
        print(f"{'10,000 display updates (/s)':<34}{spread(column('python3', 'updates'), 1, 0):>24}"
              f"{spread(column(BARE, 'updates'), 1, 0):>24}{spread(ratios('updates', BARE), 1, 2) + 'x':>22}"
              f"  {spread(ratios('updates'), 1, 2)}x")
        print(f"{'relay extra peak RSS, 50 MB (MiB)':<34}{'':>24}{spread(column(BARE, 'extra_mib')):>24}{'':>22}"
              f"  {spread(column('hubkernel', 'extra_mib'))}")
        if args.no_starts:
            return

        starts: dict[str, list[float]] = {"python3": [], "magic": [], "python": []}
        for _ in range(args.repeats):
            for label, name, code in (("python3", "python3", "1"), ("magic", "hubkernel", "%echo hi"),
                                      ("python", "hubkernel", "1")):
                kernel = Kernel(name, spec_dirs)
                starts[label].append(kernel.first_result(code))
                kernel.stop()
        peer = statistics.median(starts["python3"])
        print(f"\n{'measure (median)':<40}{'ipykernel':>14}{'HubKernel':>14}{'ratio':>9}")
        row("start → first magic result", peer, statistics.median(starts["magic"]))
        row("start → first Python result", peer, statistics.median(starts["python"]))

        bare = Kernel("hubkernel", spec_dirs, python=False)
        bare.kc.wait_for_ready(timeout=60)
        bare.run("%echo hi")
        print(f"\nHubKernel peak RSS without Python: {bare.rss_mib('VmHWM'):.1f} MiB")
        bare.stop()
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
