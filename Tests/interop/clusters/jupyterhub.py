"""JupyterHub (PyPI) for a `UnixTeam`, with examples/teams/jupyterhub_config.py as is:

    with TeamJupyterHub(team, hf_endpoint, jupyter_path) as hub:
        server = hub.start_server("a")            # JupyterServerAPI of that user's single-user server
        with server.kernel("hubkernel") as kernel: ...

The hub, its proxy and every user's server are stopped on exit, also after a failure.
"""
from __future__ import annotations

import json
import os
import secrets
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from clusters.server_kernel import JupyterServerAPI
from clusters.unix_team import UnixTeam
from fixtures.tls import free_port

REPO = Path(__file__).resolve().parents[3]
CONFIG = REPO / "examples" / "teams" / "jupyterhub_config.py"


class TeamJupyterHub:
    def __init__(self, team: UnixTeam, hf_endpoint: str, jupyter_path: Path, config: Path = CONFIG,
                 hub_address: str = "127.0.0.1", **settings: str):
        """`settings` are more TEAM_* variables of the config (TEAM_NODE_ADDRESSES=…)."""
        self.team = team
        self.config = config
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.token = secrets.token_hex(16)  # the test service's JupyterHub token (not a Hugging Face token)
        self.folder = team.base / "hub"
        self.folder.mkdir(mode=0o700)
        team_bin = Path(team.python).parent  # what the users' servers and kernels run
        self.env = {**{k: v for k, v in os.environ.items() if not k.startswith(("HF_", "JUPYTER"))},
                    "PATH": f"{team_bin}:/usr/local/bin:/usr/bin:/bin",
                    "TEAM_HUB_URL": self.url, "TEAM_HUB_API_URL": f"http://{hub_address}:{free_port()}",
                    "TEAM_PROXY_API_URL": f"http://127.0.0.1:{free_port()}",
                    "TEAM_USERS": " ".join(user.name for user in team.users.values()),
                    "TEAM_SINGLEUSER": f"{team.python} -m jupyterhub.singleuser",
                    "TEAM_HF_HUB_CACHE": str(team.cache), "TEAM_HF_ENDPOINT": hf_endpoint,
                    "TEAM_JUPYTER_PATH": str(jupyter_path), "TEAM_SERVICE_TOKEN": self.token,
                    **{f"TEAM_{name}": value for name, value in settings.items()}}
        self.process: subprocess.Popen | None = None

    def __enter__(self) -> "TeamJupyterHub":
        self.log = open(self.folder / "jupyterhub.log", "w")
        self.process = subprocess.Popen([sys.executable, "-m", "jupyterhub", "-f", str(self.config)],
                                        cwd=self.folder, env=self.env, stdout=self.log, stderr=subprocess.STDOUT,
                                        start_new_session=True)
        try:
            self._wait(lambda: self.api("GET", "/users") is not None, 90, "the hub's REST API")
        except BaseException as error:
            self.__exit__(None, None, None)
            raise RuntimeError(f"JupyterHub did not start: {error}; its log:\n{self.log_text()[-4000:]}") from None
        return self

    def __exit__(self, *exc) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)  # the hub stops every server it spawned and its proxy
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.log.close()

    def log_text(self) -> str:
        return (self.folder / "jupyterhub.log").read_text(errors="replace")

    def api(self, method: str, path: str, payload=None):
        data = None if payload is None else json.dumps(payload).encode()
        request = urllib.request.Request(f"{self.url}/hub/api{path}", data=data, method=method,
                                         headers={"Authorization": f"token {self.token}"})
        with urllib.request.urlopen(request, timeout=60) as response:
            body = response.read()
        return json.loads(body) if body else {}

    @staticmethod
    def _wait(ready, timeout: float, what: str) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if ready():
                    return
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.5)
        raise TimeoutError(f"{what} not ready within {timeout} s")

    def stop_server(self, letter: str) -> None:
        self.api("DELETE", f"/users/{self.team.users[letter].name}/server")

    def start_server(self, letter: str, timeout: float = 150) -> JupyterServerAPI:
        """Starts that user's single-user server through the hub; returns its API behind the proxy."""
        name = self.team.users[letter].name
        self.api("POST", f"/users/{name}/server")

        def ready():
            server = self.api("GET", f"/users/{name}")["servers"].get("")
            return bool(server and server["ready"])
        try:
            self._wait(ready, timeout, f"{name}'s server")
        except TimeoutError as error:
            raise TimeoutError(f"{error}; hub log:\n{self.log_text()[-3000:]}") from None
        return JupyterServerAPI(f"{self.url}/user/{name}", self.token)

