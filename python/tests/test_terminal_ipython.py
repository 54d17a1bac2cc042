"""Terminal IPython in tmux with `%load_ext hubkernel`: `%download` shows one progress line rewritten in place (fitted
to an 80-column terminal), Ctrl-C stops it with one line and keeps what it fetched, and the next run resumes."""
from __future__ import annotations

import pathlib
import re
import shlex
import shutil

import pytest

from fixtures.tmux import TmuxSession

REPO = pathlib.Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed (scripts/setup installs it)")


def test_download_progress_interrupt_and_resume_in_a_terminal(local_hub, hf_env, tmp_path):
    local_hub.set_faults({"target": "cdn", "rate": 1_000_000, "count": None})
    env = dict(hf_env, PYTHONPATH=str(REPO / "python"), HUBKERNEL_BIN=str(REPO / ".build" / "release" / "hubkernel"),
               HUBGUARD_LIB=str(REPO / ".build" / "release" / "libhubguard.so"))
    ipython = TmuxSession(shlex.quote(str(REPO / ".venv" / "bin" / "ipython")) + " --no-banner --colors=nocolor", env,
                          tmp_path, width=80, height=40)
    try:
        ipython.wait_for("In [1]")
        ipython.type_line("%load_ext hubkernel")
        ipython.wait_for("In [2]")
        ipython.type_line("%download demo/tiny-model model.safetensors")
        ipython.wait_for(r"\b[1-9]\d% 0/1 files, [\d.]+ MB / 12\.6 MB, [\d.]+ (kB|MB)/s, \d+ s left", pattern=True)
        screen = ipython.screen(joined=False)
        progress = [line for line in screen.splitlines() if re.search(r"\d+% 0/1 files", line)]
        assert len(progress) == 1, f"one line rewritten in place, not one per update:\n{screen}"
        assert all(len(line) <= 80 for line in screen.splitlines())
        ipython.send("C-c")
        screen = ipython.wait_for("In [3]")
        assert "KeyboardInterrupt: %download stopped. A download keeps what it fetched" in screen
        assert "Traceback" not in screen
        local_hub.clear_faults()
        ipython.type_line("%download demo/tiny-model model.safetensors")
        screen = ipython.wait_for("In [4]", timeout=60)
        assert re.search(r"Done: demo/tiny-model — 1 downloaded \(resumed at [\d.]+ MB", screen), screen
        assert "models--demo--tiny-model/snapshots/" in screen.replace("\n", "")
    finally:
        ipython.close()
