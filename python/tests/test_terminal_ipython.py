"""Terminal IPython in tmux with `%load_ext hubkernel`: `%download` shows one progress line rewritten in place (fitted
to an 80-column terminal), Ctrl-C stops it with one line and keeps what it fetched, and the next run resumes."""
from __future__ import annotations

import pathlib
import re
import shlex
import shutil
import subprocess
import time
import uuid

import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed (scripts/setup installs it)")


class TmuxIPython:
    def __init__(self, env: dict[str, str], tmp_path):
        self.name = "hubkernel-ipython-" + uuid.uuid4().hex[:8]
        script = tmp_path / "ipython.sh"
        exports = "".join(f"export {key}={shlex.quote(value)}\n" for key, value in env.items())
        script.write_text(exports + f"exec {shlex.quote(str(REPO / '.venv' / 'bin' / 'ipython'))} --no-banner --colors=nocolor\n")
        subprocess.run(["tmux", "new-session", "-d", "-s", self.name, "-x", "80", "-y", "40", "bash " + str(script)], check=True)

    def screen(self) -> str:
        return subprocess.run(["tmux", "capture-pane", "-p", "-S", "-200", "-t", self.name], capture_output=True, text=True).stdout

    def type_line(self, text: str) -> None:
        subprocess.run(["tmux", "send-keys", "-t", self.name, "-l", text], check=True)
        subprocess.run(["tmux", "send-keys", "-t", self.name, "Enter"], check=True)

    def wait_for(self, pattern: str, timeout: float = 30) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            screen = self.screen()
            if re.search(pattern, screen):
                return screen
            time.sleep(0.1)
        raise AssertionError(f"{pattern!r} not on screen:\n{self.screen()}")

    def close(self) -> None:
        subprocess.run(["tmux", "kill-session", "-t", self.name], capture_output=True)


def test_download_progress_interrupt_and_resume_in_a_terminal(local_hub, hf_env, tmp_path):
    local_hub.set_faults({"target": "cdn", "rate": 1_000_000, "count": None})
    env = dict(hf_env, PYTHONPATH=str(REPO / "python"), HUBKERNEL_BIN=str(REPO / ".build" / "release" / "hubkernel"),
               HUBGUARD_LIB=str(REPO / ".build" / "release" / "libhubguard.so"))
    ipython = TmuxIPython(env, tmp_path)
    try:
        ipython.wait_for(r"In \[1\]")
        ipython.type_line("%load_ext hubkernel")
        ipython.wait_for(r"In \[2\]")
        ipython.type_line("%download demo/tiny-model model.safetensors")
        screen = ipython.wait_for(r"\b[1-9]\d% 0/1 files, [\d.]+ MB / 12\.6 MB, [\d.]+ (kB|MB)/s, \d+ s left")
        progress = [line for line in screen.splitlines() if re.search(r"\d+% 0/1 files", line)]
        assert len(progress) == 1, f"one line rewritten in place, not one per update:\n{screen}"
        assert all(len(line) <= 80 for line in screen.splitlines())
        subprocess.run(["tmux", "send-keys", "-t", ipython.name, "C-c"], check=True)
        screen = ipython.wait_for(r"In \[3\]")
        assert "KeyboardInterrupt: %download stopped. A download keeps what it fetched" in screen
        assert "Traceback" not in screen
        local_hub.clear_faults()
        ipython.type_line("%download demo/tiny-model model.safetensors")
        screen = ipython.wait_for(r"In \[4\]", timeout=60)
        assert re.search(r"Done: demo/tiny-model — 1 downloaded \(resumed at [\d.]+ MB", screen), screen
        assert "models--demo--tiny-model/snapshots/" in screen.replace("\n", "")
    finally:
        ipython.close()
