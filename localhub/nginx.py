"""nginx as the CDN origin: config generated into a temp dir, run in the foreground as a child process."""
import getpass
import os
import shutil
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

from .cdn import AUTH_REJECTED

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
}}
"""


def nginx_binary() -> str | None:
    return shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx", "/usr/local/sbin/nginx")
                                          if os.access(p, os.X_OK)), None)


class NginxOrigin:
    """A running nginx serving `<blobs>/<sha256>` on 127.0.0.1:`port`."""

    def __init__(self, binary: str, blobs: Path, port: int, workdir: Path):
        self.port, self.workdir = port, workdir
        self.access_log = workdir / "access.log"
        workdir.mkdir(parents=True, exist_ok=True)
        user = f"user {getpass.getuser()};" if os.geteuid() == 0 else ""
        conf = workdir / "nginx.conf"
        conf.write_text(_CONFIG.format(user=user, tmp=workdir, port=port, blobs=blobs.resolve(),
                                       rejected=AUTH_REJECTED))
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

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()  # SIGTERM: fast shutdown
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
