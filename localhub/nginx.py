"""nginx as the CDN origin (and, optionally, the front of the API server: see front.py): config generated into a temp
dir, run in the foreground as a child process."""
import getpass
import os
import shutil
import signal
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

from .cdn import AUTH_REJECTED
from .front import GENERATION_PATH, FrontConfig, front_server

_CONFIG = """daemon off;
master_process on;
worker_processes 1;
{user}
pid {tmp}/nginx.pid;
error_log {tmp}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    sendfile on;
    tcp_nopush on;
    keepalive_requests 10000;
    client_body_temp_path {tmp}/client_body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    types {{ }}
    default_type application/octet-stream;
    server_tokens off;
    map $http_authorization $localhub_has_auth {{ "" false; default true; }}
    log_format localhub escape=json '{{"server":"nginx","method":"$request_method","path":"$uri","query":"$args",'
        '"status":$status,"range":"$http_range","auth":$localhub_has_auth,"bytes":$body_bytes_sent,"time":$msec,"request_time":$request_time}}';
    log_format localhub_front escape=json '{{"server":"front","method":"$request_method","path":"$uri",'
        '"query":"$args","status":$status,"range":"$http_range","auth":$localhub_has_auth,"bytes":$body_bytes_sent,'
        '"time":$msec,"request_time":$request_time}}';
    server {{
        listen 127.0.0.1:{port};
        access_log {tmp}/access.log localhub;
        root {blobs};
        location ~ "^/[0-9a-f]{{64}}$" {{
            if ($http_authorization) {{ return 400 "{rejected}"; }}
            etag on;
        }}
        location / {{ return 404; }}
    }}
{front}}}
"""


def nginx_binary() -> str | None:
    return shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx", "/usr/local/sbin/nginx")
                                          if os.access(p, os.X_OK)), None)


class NginxOrigin:
    """A running nginx serving `<blobs>/<sha256>` on 127.0.0.1:`port`, and the front on `front.port` if given
    (`front.locations` must be written before starting)."""

    def __init__(self, binary: str, blobs: Path, port: int, workdir: Path, front: FrontConfig | None = None):
        self.port, self.workdir, self.front = port, workdir, front
        self.access_log = workdir / "access.log"
        workdir.mkdir(parents=True, exist_ok=True)
        user = f"user {getpass.getuser()};" if os.geteuid() == 0 else ""
        conf = workdir / "nginx.conf"
        conf.write_text(_CONFIG.format(user=user, tmp=workdir, port=port, blobs=blobs.resolve(),
                                       rejected=AUTH_REJECTED, front=front_server(front, workdir) if front else ""))
        self.process = subprocess.Popen([binary, "-p", str(workdir), "-c", str(conf), "-e", str(workdir / "error.log")],
                                        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        self._wait_ready()

    def _wait_ready(self, timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"nginx exited: {self.process.stderr.read().decode(errors='replace').strip()}")
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{self.port}/ready", timeout=1)
            except urllib.error.HTTPError:
                return  # a 404 means nginx answers
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError("nginx did not start listening in time")

    def reload(self, generation: int, timeout: float = 10.0) -> None:
        """Re-read the config (the front's locations file was rewritten for `generation`) and wait until the new
        workers answer and the old ones are gone: nginx reloads gracefully on SIGHUP, and an old worker could otherwise
        still accept a connection with the old config."""
        old_workers = self._workers()
        self.process.send_signal(signal.SIGHUP)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._answers(generation) and not any(Path(f"/proc/{pid}").exists() for pid in old_workers):
                return
            time.sleep(0.05)
        raise RuntimeError(f"nginx did not load the front's new locations in time: see {self.workdir / 'error.log'}")

    def _answers(self, generation: int) -> bool:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.front.port}{GENERATION_PATH}", timeout=1) as answer:
                return answer.read().decode() == str(generation)
        except OSError:
            return False

    def _workers(self) -> list[int]:
        """nginx's worker processes (children of the master), from /proc."""
        try:
            text = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children").read_text()
        except OSError:
            return []
        return [int(pid) for pid in text.split()]

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()  # SIGTERM: fast shutdown
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
