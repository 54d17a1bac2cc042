"""A forward proxy that says no, as company networks do: 407 Proxy Authentication Required or 403 to CONNECT (a tiny
proxy on 127.0.0.1 that answers every CONNECT with that status), or nothing listening at HTTPS_PROXY. Each gets its
own message naming the proxy by host:port (never the user or password of the proxy URL) and the fix; a 407 or 403
is not retried."""
from __future__ import annotations

import socket
import subprocess
import threading
import time

import pytest

from fixtures.kernel import hubkernel_bin
from fixtures.tls import free_port

USER, PASSWORD = "alice-proxy-user", "s3cret-proxy-pw"


class RefusingProxy:
    """Answers every CONNECT with `status`; records the request lines (and whether Proxy-Authorization came)."""

    def __init__(self, status: str):
        self.status, self.requests = status, []
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        while True:
            try:
                client, _ = self.server.accept()
            except OSError:
                return
            with client:
                head = b""
                while b"\r\n\r\n" not in head:
                    chunk = client.recv(4096)
                    if not chunk:
                        break
                    head += chunk
                lines = head.decode(errors="replace").split("\r\n")
                self.requests.append((lines[0], any(l.lower().startswith("proxy-authorization:") for l in lines)))
                extra = 'Proxy-Authenticate: Basic realm="corp"\r\n' if self.status.startswith("407") else ""
                client.sendall(f"HTTP/1.1 {self.status}\r\n{extra}Content-Length: 0\r\nConnection: close\r\n\r\n".encode())

    def close(self):
        self.server.close()


@pytest.fixture
def refusing_proxy():
    proxies = []

    def start(status: str) -> RefusingProxy:
        proxies.append(RefusingProxy(status))
        return proxies[-1]
    yield start
    for proxy in proxies:
        proxy.close()


def download_through(hf_env, proxy_url: str, timeout=90) -> tuple[subprocess.CompletedProcess, float]:
    # An https endpoint, so that libcurl tunnels with CONNECT; the proxy never lets it get further.
    env = dict(hf_env, HF_ENDPOINT=f"https://127.0.0.1:{free_port()}", HTTPS_PROXY=proxy_url, NO_PROXY="", no_proxy="")
    started = time.monotonic()
    done = subprocess.run([hubkernel_bin(), "download", "demo/tiny-model", "config.json"], env=env, capture_output=True,
                          text=True, timeout=timeout)
    return done, time.monotonic() - started


def assert_no_credentials(done: subprocess.CompletedProcess):
    output = done.stdout + done.stderr
    assert PASSWORD not in output and USER not in output, output


def test_a_407_names_the_proxy_and_how_to_give_credentials_without_retrying(hf_env, refusing_proxy):
    proxy = refusing_proxy("407 Proxy Authentication Required")
    done, took = download_through(hf_env, f"http://127.0.0.1:{proxy.port}")
    assert done.returncode != 0
    assert f"The proxy 127.0.0.1:{proxy.port} (from HTTPS_PROXY) asks for a login" in done.stderr, done.stderr
    assert f"HTTPS_PROXY=http://user:pass@127.0.0.1:{proxy.port}" in done.stderr, done.stderr
    assert "Could not connect" not in done.stderr and "check your connection" not in done.stderr.lower(), done.stderr
    assert took < 10 and len(proxy.requests) <= 2, ("a 407 must not be retried", took, proxy.requests)


def test_a_407_with_credentials_says_check_them_and_never_shows_them(hf_env, refusing_proxy):
    proxy = refusing_proxy("407 Proxy Authentication Required")
    done, _ = download_through(hf_env, f"http://{USER}:{PASSWORD}@127.0.0.1:{proxy.port}")
    assert done.returncode != 0
    assert proxy.requests and all(sent for _, sent in proxy.requests), ("the credentials go to the proxy", proxy.requests)
    assert f"The proxy 127.0.0.1:{proxy.port} (from HTTPS_PROXY) asks for a login" in done.stderr, done.stderr
    assert "were refused: check them" in done.stderr, done.stderr
    assert_no_credentials(done)


def test_a_refused_connect_says_the_host_is_not_allowed_and_names_no_proxy(hf_env, refusing_proxy):
    proxy = refusing_proxy("403 Forbidden")
    done, took = download_through(hf_env, f"http://{USER}:{PASSWORD}@127.0.0.1:{proxy.port}")
    assert done.returncode != 0
    assert f"The proxy 127.0.0.1:{proxy.port} (from HTTPS_PROXY) refused to open a tunnel to 127.0.0.1:" in done.stderr, done.stderr
    assert "does not allow this host" in done.stderr and "NO_PROXY" in done.stderr, done.stderr
    assert took < 10 and len(proxy.requests) <= 2, ("a 403 from the proxy must not be retried", took, proxy.requests)
    assert_no_credentials(done)


def test_a_proxy_that_is_not_listening_says_check_https_proxy(hf_env):
    port = free_port()
    done, _ = download_through(hf_env, f"http://{USER}:{PASSWORD}@127.0.0.1:{port}")
    assert done.returncode != 0
    assert f"Could not connect to the proxy 127.0.0.1:{port} (from HTTPS_PROXY): nothing answers there" in done.stderr, done.stderr
    assert "Check HTTPS_PROXY" in done.stderr, done.stderr
    assert_no_credentials(done)
