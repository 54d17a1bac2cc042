"""Measures the extension (min/median/max of 3 runs): %load_ext time, backend start→initialize answered, 200 `1+1`
cells and a 50 MB print through jupyter_client on a plain ipykernel, guard on and off.
Run: PYTHONPATH=python HUBGUARD_LIB=… HUBKERNEL_BIN=… python python/bench_extension.py"""
from __future__ import annotations

import statistics
import sys
import tempfile
import time

sys.path[:0] = ["python/tests", "Tests/interop", "."]
from fixtures.kernel import run_cell  # noqa: E402
from ipykernel_fixture import start_ipykernel  # noqa: E402


def summary(name, values, unit="ms"):
    print(f"{name}: min {min(values):.1f} / median {statistics.median(values):.1f} / max {max(values):.1f} {unit}",
          flush=True)


def main():
    from hubkernel.backend import Backend
    starts = []
    for _ in range(3):
        started = time.perf_counter()
        backend = Backend()
        starts.append((time.perf_counter() - started) * 1000)
        backend.close()
    summary("backend start → initialize answered", starts)

    loads, cells, prints = [], {True: [], False: []}, {True: [], False: []}
    for run in range(3):
        for guarded in (True, False):
            km, kc = start_ipykernel(tempfile.mkdtemp(), env={"HUBKERNEL_GUARD": "1" if guarded else "0"})
            try:
                _, iopub = run_cell(kc, "import time; _t = time.perf_counter(); "
                                        "get_ipython().run_line_magic('load_ext', 'hubkernel'); "
                                        "print('LOAD', (time.perf_counter() - _t) * 1000)")
                text = "".join(m["content"].get("text", "") for m in iopub if m["msg_type"] == "stream")
                if guarded:
                    loads.append(float(text.split("LOAD")[1].split()[0]))
                started = time.perf_counter()
                for _ in range(200):
                    run_cell(kc, "1+1")
                cells[guarded].append((time.perf_counter() - started) * 1000)
                started = time.perf_counter()
                _, iopub = run_cell(kc, "print('x' * 50_000_000)", timeout=300)
                prints[guarded].append(time.perf_counter() - started)
                got = sum(len(m["content"]["text"]) for m in iopub if m["msg_type"] == "stream")
                assert got == 50_000_001, got
            finally:
                kc.stop_channels()
                km.shutdown_kernel(now=True)
    summary("%load_ext hubkernel (in the kernel, guard on)", loads)
    for guarded in (True, False):
        summary(f"200 `1+1` cells, guard {'on' if guarded else 'off'}", cells[guarded])
        summary(f"50 MB print, guard {'on' if guarded else 'off'}", prints[guarded], "s")


if __name__ == "__main__":
    main()
