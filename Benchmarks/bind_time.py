#!/usr/bin/env python3
"""Bind time: how long after exec a kernel accepts TCP connections on its ports, HubKernel against ipykernel.

For each start: write a connection file (fresh ports, optionally CurveZMQ keys), note the clock, spawn the
kernelspec's command `hubkernel-launcher kernel -f FILE` (and, for comparison, `hubkernel kernel -f FILE` without
the launcher, and `python -m ipykernel_launcher -f FILE`), and poll a TCP connect on every port until
each one accepts. Prints medians of the time until the shell port accepts and until all five do, and the ratio
ipykernel / HubKernel. The clock starts before the spawn, so fork and exec are counted against the kernel.

jupyter_client connects right after it launches the kernel; a port that is not yet bound costs ZeroMQ's 100 ms
reconnect interval, which is why the target is all five ports within 5 ms.

Usage: .venv/bin/python Benchmarks/bind_time.py [--starts N] [--binary PATH] [--skip-peer]
HubKernel binary: --binary, else $HUBKERNEL_BIN, else .build/release/hubkernel; hubkernel-launcher next to it.
"""
from __future__ import annotations

import argparse
import contextlib
import os
import pathlib
import socket
import statistics
import subprocess
import sys
import tempfile
import time

import zmq
from jupyter_client.connect import write_connection_file

REPO = pathlib.Path(__file__).resolve().parents[1]
CHANNELS = ("shell", "iopub", "stdin", "control", "hb")


def accepts(port: int) -> bool:
    """True when something listens on 127.0.0.1:port (a refused connect fails at once)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def time_bind(command: list[str], directory: str, curve: bool, timeout: float = 30.0) -> tuple[float, float]:
    """Seconds from just before the spawn until the shell port accepts, and until all five ports do."""
    keys = zmq.curve_keypair() if curve else (None, None)
    path, info = write_connection_file(os.path.join(directory, "connection.json"), ip="127.0.0.1",
                                       key=os.urandom(16).hex().encode(), curve_publickey=keys[0],
                                       curve_secretkey=keys[1])
    ports = {channel: info[f"{channel}_port"] for channel in CHANNELS}
    bound: dict[str, float] = {}
    started = time.perf_counter()
    process = subprocess.Popen([*command, "-f", path], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    try:
        while len(bound) < len(ports):
            for channel, port in ports.items():
                if channel not in bound and accepts(port):
                    bound[channel] = time.perf_counter() - started
            if time.perf_counter() - started > timeout:
                raise TimeoutError(f"{command[0]} bound only {sorted(bound)} in {timeout} s")
            if process.poll() is not None:
                raise RuntimeError(f"{command[0]} exited with status {process.returncode} before binding")
            time.sleep(0.0001)  # leave the CPU to the kernel between polls
    finally:
        process.terminate()
        process.wait(timeout=30)
        with contextlib.suppress(FileNotFoundError):  # ipykernel sometimes removes it as it exits
            os.unlink(path)
    return bound["shell"], max(bound.values())


def medians(command: list[str], starts: int, curve: bool) -> tuple[float, float]:
    with tempfile.TemporaryDirectory(prefix="hubkernel-bind-") as directory:
        time_bind(command, directory, curve)  # warm-up: page cache, first-run costs
        runs = [time_bind(command, directory, curve) for _ in range(starts)]
    return statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--starts", type=int, default=20, help="timed starts per kernel and mode (default 20)")
    parser.add_argument("--binary", default=os.environ.get("HUBKERNEL_BIN", str(REPO / ".build/release/hubkernel")))
    parser.add_argument("--skip-peer", action="store_true", help="measure HubKernel only")
    args = parser.parse_args()

    launcher = str(pathlib.Path(args.binary).with_name("hubkernel-launcher"))
    kernels = {"launcher": [launcher, "kernel"], "direct": [args.binary, "kernel"]}
    if not args.skip_peer:
        kernels["ipykernel"] = [sys.executable, "-m", "ipykernel_launcher"]
    print(f"HubKernel: {launcher} (the kernelspec's command), and {args.binary} started directly")
    print(f"medians of {args.starts} starts; load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores\n")
    print(f"{'measure':<26}{'ipykernel':>11}{'HubKernel':>11}{'ratio':>8}{'no launcher':>13}")
    for curve in (False, True):
        label = "CurveZMQ" if curve else "plain"
        results = {name: medians(command, args.starts, curve) for name, command in kernels.items()}
        for index, measure in enumerate((f"shell bound ({label})", f"all five bound ({label})")):
            ours, direct = results["launcher"][index], results["direct"][index]
            peer = results.get("ipykernel", (float("nan"),) * 2)[index]
            print(f"{measure:<26}{peer * 1000:>9.2f}ms{ours * 1000:>9.2f}ms{peer / ours:>7.1f}x{direct * 1000:>11.2f}ms")


if __name__ == "__main__":
    main()
