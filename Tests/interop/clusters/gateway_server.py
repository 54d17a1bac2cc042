"""jupyter_server 2 with gateway_provisioners' distributed provisioner: kernels of `kernel_dir` whose kernelspec names
`distributed-provisioner` are started over SSH on GP_REMOTE_HOSTS.

    with GatewayServer(folder, jupyter_path, env) as server:   # env: GP_REMOTE_HOSTS, GP_REMOTE_USER, HOME …
        api = server.api                                        # JupyterServerAPI (kernels, websocket)
"""
from __future__ import annotations

import secrets
import subprocess
import sys
import time
import urllib.error
from pathlib import Path

from clusters.processes import stop
from clusters.server_kernel import JupyterServerAPI
from fixtures.tls import free_port


class GatewayServer:
    def __init__(self, folder: Path, jupyter_path: Path, env: dict[str, str]):
        self.folder = folder
        self.port = free_port()
        self.token = secrets.token_hex(16)  # the server's own token (not a Hugging Face token)
        self.env = dict(env, JUPYTER_PATH=str(jupyter_path), JUPYTER_CONFIG_DIR=str(folder / "config"),
                        JUPYTER_DATA_DIR=str(folder / "data"), JUPYTER_RUNTIME_DIR=str(folder / "runtime"))
        self.api = JupyterServerAPI(f"http://127.0.0.1:{self.port}", self.token)
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> "GatewayServer":
        self.log = open(self.folder / "jupyter_server.log", "w")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "jupyter_server", "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={self.port}",
             "--ServerApp.port_retries=0", f"--IdentityProvider.token={self.token}", "--ServerApp.open_browser=False",
             f"--ServerApp.root_dir={self.folder}", "--ServerApp.allow_root=True", "--log-level=DEBUG"],
            cwd=self.folder, env=self.env, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                self.api.request("GET", "/api/status")
                return self
            except (urllib.error.URLError, OSError):
                if self.process.poll() is not None:
                    break
                time.sleep(0.3)
        self.__exit__(None, None, None)
        raise RuntimeError(f"jupyter_server did not start: {self.log_text()[-3000:]}")

    def __exit__(self, *exc) -> None:
        stop(self.process, grace=60)  # it shuts its kernels down first
        self.log.close()

    def log_text(self) -> str:
        return (self.folder / "jupyter_server.log").read_text(errors="replace")
