"""`jupyter console --kernel hubkernel` in tmux: magics run, text fallbacks read well, the password prompt hides input."""
from __future__ import annotations

import shutil
import subprocess
import time

import pytest

from fixtures.clients import REPO
from fixtures.tmux import TmuxSession

ARTIFACTS = REPO / "artifacts"
pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed (scripts/setup installs it)")


class TmuxConsole(TmuxSession):
    """A `jupyter console` in a detached tmux session. `close()` kills the session: the console dies without shutting
    its kernel down, so the kernel must notice its parent is gone (JPY_PARENT_PID) and exit by itself."""

    def __init__(self, env: dict[str, str], tmp_path):
        super().__init__("jupyter console --kernel hubkernel --ZMQTerminalInteractiveShell.simple_prompt=False", env, tmp_path)


def test_console_runs_magics_and_hides_the_password(tmp_path, local_hub, client_env):
    console = TmuxConsole(client_env, tmp_path)
    try:
        console.wait_for("In [1]:", timeout=60)
        console.type_line("%echo hello from the console")
        console.wait_for("hello from the console", after=1)
        # Enter after a trailing `\` asks is_complete, which says "incomplete": the console waits for a second line
        console.type_line("%echo continued \\")
        console.wait_for("...:", timeout=10)
        console.type_line("on a second line")
        console.wait_for("continued on a second line", after=0)
        assert "continued on a second line" in console.screen().split("...:")[-1], "echoed after the continuation"

        token = local_hub.tokens["read"]
        console.type_line("%hf_login --paste --name console")
        console.wait_for("Enter your token (input will not be visible)", timeout=30)
        console.send("-l", token)
        console.send("Enter")
        screen = console.wait_for("Login successful", timeout=30)
        assert token not in screen, "the typed token must not be echoed"
        assert token[-4:] not in screen.replace("hf_****" + token[-4:], ""), "only the masked form may show"

        console.type_line("%whoami")
        screen = console.wait_for("organizations", timeout=30)
        assert "alice" in screen and "Alice Example" in screen
        # the text/plain fallback is an aligned table, not HTML
        assert "<table" not in screen and "field" in screen

        console.type_line("%download demo/tiny-model config.json")
        screen = console.wait_for("snapshots/", timeout=60)
        assert "<div" not in screen
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        (ARTIFACTS / "console.txt").write_text(screen)  # what a terminal user read, for a human to look at
        kernels = subprocess.run(["pgrep", "-f", client_env["JUPYTER_RUNTIME_DIR"]], capture_output=True, text=True)
        assert kernels.stdout.split(), "the console's kernel is running"
    finally:
        console.close()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and subprocess.run(["pgrep", "-f", client_env["JUPYTER_RUNTIME_DIR"]]).returncode == 0:
        time.sleep(0.2)
    leftover = subprocess.run(["pgrep", "-f", client_env["JUPYTER_RUNTIME_DIR"]], capture_output=True, text=True).stdout.split()
    subprocess.run(["kill", *leftover], capture_output=True)
    assert not leftover, "a kernel whose frontend died must exit by itself"
