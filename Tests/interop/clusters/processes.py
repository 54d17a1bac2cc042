"""Stopping what a test started."""
from __future__ import annotations

import subprocess


def stop(process: subprocess.Popen | None, grace: float) -> None:
    """SIGTERM (the daemon cleans up after itself), then SIGKILL after `grace` seconds; nothing if it has ended."""
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
