#!/usr/bin/env python3
"""Kernel latency, HubKernel against ipykernel, both driven by jupyter_client in the same run.

Prints medians of
* start: KernelManager.start_kernel() until the first kernel_info_reply arrives, and
* round trip: execute_request sent until its idle status on iopub, for a trivial cell,
with the ratio ipykernel / HubKernel, without and with CurveZMQ transport encryption.

Usage: .venv/bin/python Benchmarks/kernel_latency.py [--starts N] [--cells N]
HubKernel binary: $HUBKERNEL_BIN, default .build/release/hubkernel, started as the kernelspec starts it: through
hubkernel-launcher next to it (scripts/build-launcher), which listens on the five ports ~1 ms after exec, before
jupyter_client's first connect attempt (a refused attempt is retried only after ZeroMQ's 100 ms reconnect interval).
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

import zmq
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import KernelManager

REPO = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "Tests" / "interop"))
os.environ.setdefault("HUBKERNEL_BIN", str(REPO / ".build" / "release" / "hubkernel"))
from fixtures.kernel import write_kernelspec, write_python_kernelspec  # noqa: E402

TRIVIAL_CELL = {"hubkernel": "%echo hi", "python3": "pass"}


def manager(kernel_name: str, spec_dirs: list[str], encryption: str) -> KernelManager:
    ksm = KernelSpecManager(kernel_dirs=spec_dirs) if kernel_name == "hubkernel" else KernelSpecManager()
    return KernelManager(kernel_name=kernel_name, kernel_spec_manager=ksm, transport_encryption=encryption)


def time_start(kernel_name: str, spec_dirs: list[str], encryption: str) -> float:
    km = manager(kernel_name, spec_dirs, encryption)
    started = time.perf_counter()
    km.start_kernel()
    kc = km.client()
    kc.start_channels()
    msg_id = kc.kernel_info()
    while True:
        reply = kc.get_shell_msg(timeout=60)
        if reply["parent_header"].get("msg_id") == msg_id:
            break
    elapsed = time.perf_counter() - started
    kc.stop_channels()
    km.shutdown_kernel(now=False)
    return elapsed


def time_round_trips(kernel_name: str, spec_dirs: list[str], encryption: str, cells: int) -> list[float]:
    km = manager(kernel_name, spec_dirs, encryption)
    km.start_kernel()
    kc = km.client()
    kc.start_channels()
    kc.wait_for_ready(timeout=60)
    code = TRIVIAL_CELL[kernel_name]
    times = []
    for index in range(cells + 5):
        started = time.perf_counter()
        msg_id = kc.execute(code)
        while True:
            message = kc.get_iopub_msg(timeout=30)
            if (message["parent_header"].get("msg_id") == msg_id and message["msg_type"] == "status"
                    and message["content"]["execution_state"] == "idle"):
                break
        elapsed = time.perf_counter() - started
        kc.get_shell_msg(timeout=30)
        if index >= 5:  # warm-up cells are not counted
            times.append(elapsed)
    kc.stop_channels()
    km.shutdown_kernel(now=False)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--starts", type=int, default=7, help="kernel starts per kernel and mode")
    parser.add_argument("--cells", type=int, default=200, help="timed cells per kernel and mode")
    args = parser.parse_args()

    data_dir = tempfile.mkdtemp(prefix="hubkernel-bench-")
    try:
        # The kernelspec's command: hubkernel-launcher (listens on the ports, then execs hubkernel) when built.
        launcher = pathlib.Path(os.environ["HUBKERNEL_BIN"]).with_name("hubkernel-launcher")
        # The Python HubKernel hosts is this venv's ipykernel (the wheel's own venv has none).
        write_kernelspec(data_dir, binary=str(launcher) if launcher.exists() else None, env=write_python_kernelspec(data_dir))
        spec_dirs = [str(pathlib.Path(data_dir) / "kernels")]
        print(f"HubKernel: {launcher if launcher.exists() else os.environ['HUBKERNEL_BIN']} (hosting {sys.executable})")
        print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
        print(f"medians; start: {args.starts} starts, round trip: {args.cells} cells\n")
        print(f"{'measure':<28}{'ipykernel':>12}{'HubKernel':>12}{'ratio':>9}")
        modes = ["disabled"] + (["required"] if zmq.has("curve") else [])
        for encryption in modes:
            label = "CurveZMQ" if encryption == "required" else "plain"
            starts = {name: statistics.median(time_start(name, spec_dirs, encryption) for _ in range(args.starts))
                      for name in ("python3", "hubkernel")}
            trips = {name: statistics.median(time_round_trips(name, spec_dirs, encryption, args.cells))
                     for name in ("python3", "hubkernel")}
            for measure, values in ((f"start ({label})", starts), (f"round trip ({label})", trips)):
                ratio = values["python3"] / values["hubkernel"]
                print(f"{measure:<28}{values['python3'] * 1000:>10.2f}ms{values['hubkernel'] * 1000:>10.2f}ms"
                      f"{ratio:>8.1f}x")
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
