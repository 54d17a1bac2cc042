"""LocalHub: the API server, the CDN origins (nginx, and a Python one for faults), and their shared state."""
import json
import shutil
import socket
import tempfile
import threading
from pathlib import Path

from .accounts import Accounts
from .api import APIHandler
from .cas import CASHandler, XetAuth
from .cdn import CDNHandler
from .faults import FaultBook
from .front import FrontConfig, front_locations
from .httpbase import HubHTTPServer
from .nginx import NginxOrigin, nginx_binary
from .oauth import OAuthState
from .reqlog import RequestLog
from .repos import load_repos
from .store import BlobStore
from .xet import XetStore

DEFAULT_PAGE_SIZE = 1000


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LocalHub:
    """A running local Hub. LFS redirects go to nginx unless nginx is missing or `cdn="python"`, and to the Python
    origin while any fault rule is active (so faults apply to large files too). With `front=True`, nginx also runs
    the front (front.py) at `front_endpoint`."""

    def __init__(self, root: Path, *, port: int = 0, cdn_port: int = 0, state: Path | None = None,
                 page_size: int = DEFAULT_PAGE_SIZE, lfs_threshold: int | None = None, cdn: str = "auto",
                 front: bool = False, cas_port: int = 0):
        self.root = Path(root)
        self.state_dir = self.root / ".localhub"
        self.store = BlobStore(self.state_dir / "blobs")
        self.lfs_threshold = lfs_threshold
        self.xet = XetStore(self.state_dir / "xet")
        self.xet_auth = XetAuth()
        self.repos = load_repos(self.root, self.store, lfs_threshold, self.xet)
        self.accounts = Accounts(state or (self.root / "state.json"))
        self.faults = FaultBook()
        self.oauth = OAuthState()
        self.page_size = page_size
        self.notes: list[str] = []
        self._workdir = Path(tempfile.mkdtemp(prefix="localhub-"))
        self.nginx = None
        self.api_server = self.cdn_server = self.cas_server = None
        self._serving = False
        self._front_generation = 0
        self._nginx_is_cdn = cdn != "python"  # with cdn="python" and front=True, nginx runs only for the front
        try:
            self.api_server = HubHTTPServer(("127.0.0.1", port), APIHandler, self)
            self._start_nginx(cdn, cdn_port, front)
            self.log = RequestLog(self.nginx.access_log if self.nginx else None)
            self.cdn_server = HubHTTPServer(("127.0.0.1", 0 if self._nginx_cdn else cdn_port), CDNHandler, self)
            self.cas_server = HubHTTPServer(("127.0.0.1", cas_port), CASHandler, self)
        except BaseException:
            self.stop()
            raise
        for server in self._servers:
            threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2}, daemon=True).start()
        self._serving = True
        self.log.clear()

    def _start_nginx(self, cdn: str, cdn_port: int, front: bool) -> None:
        binary = nginx_binary() if cdn in ("auto", "nginx") or front else None
        if front and binary is None:
            raise RuntimeError("the front needs nginx: install it (apt-get install nginx-light)")
        if binary is None:
            if cdn == "nginx":
                raise RuntimeError("nginx not found: install it (apt-get install nginx-light) or use --cdn python")
            if cdn == "auto":
                self.notes.append("nginx not found: serving LFS blobs from the Python CDN origin")
            return
        front_config = None
        if front:
            front_config = FrontConfig(free_port(), self.api_server.server_address[1], self._workdir / "front.conf")
            self._write_front()
        try:
            self.nginx = NginxOrigin(binary, self.store.directory, cdn_port or free_port(), self._workdir / "nginx",
                                     front_config)
        except RuntimeError as error:
            if cdn == "nginx" or front:
                raise
            self.notes.append(f"nginx failed to start ({error}): serving LFS blobs from the Python CDN origin")

    def reload(self) -> None:
        """Re-read `repos.json` (e.g. after `samples.add_benchmark_repo`), keeping the servers running."""
        self.repos = load_repos(self.root, self.store, self.lfs_threshold, self.xet)
        if self.nginx and self.nginx.front:
            self._write_front()
            self.nginx.reload(self._front_generation)

    def _write_front(self) -> None:
        self._front_generation += 1
        text = front_locations(self.repos, self.store.directory.resolve(), self._front_generation)
        path = self._workdir / "front.conf"
        path.with_suffix(".tmp").write_text(text)
        path.with_suffix(".tmp").replace(path)

    @property
    def front_endpoint(self) -> str | None:
        """The nginx front (front.py), if started with `front=True`."""
        return f"http://127.0.0.1:{self.nginx.front.port}" if self.nginx and self.nginx.front else None

    @property
    def api_address(self) -> str:
        return f"127.0.0.1:{self.api_server.server_address[1]}"

    @property
    def endpoint(self) -> str:
        return f"http://{self.api_address}"

    @property
    def _servers(self) -> tuple:
        return tuple(s for s in (self.api_server, self.cdn_server, self.cas_server) if s is not None)

    @property
    def cas_address(self) -> str:
        return f"127.0.0.1:{self.cas_server.server_address[1]}"

    @property
    def cas(self) -> str:
        """The Xet CAS server (cas.py): reconstructions and xorbs."""
        return f"http://{self.cas_address}"

    def cas_url(self) -> str:
        """The CAS address the Hub hands out (Link header, read token): the CAS itself, unless a benchmark puts a
        relay in front of it (`hub.cas_url = lambda: relay.url`, as `cdn_url`)."""
        return self.cas

    @property
    def python_cdn(self) -> str:
        return f"http://127.0.0.1:{self.cdn_server.server_address[1]}"

    @property
    def cdn(self) -> str:
        """The default CDN origin (nginx when available)."""
        return f"http://127.0.0.1:{self.nginx.port}" if self._nginx_cdn else self.python_cdn

    @property
    def _nginx_cdn(self) -> bool:
        return self.nginx is not None and self._nginx_is_cdn

    def cdn_url(self) -> str:
        """Where LFS redirects point right now."""
        return self.python_cdn if self.faults.active() else self.cdn

    def describe(self) -> dict:
        return {"endpoint": self.endpoint, "cdn": self.cdn, "fault_cdn": self.python_cdn,
                "cdn_kind": "nginx" if self._nginx_cdn else "python", "front": self.front_endpoint,
                "cas": self.cas,
                "page_size": self.page_size,
                "blobs": str(self.store.directory), "repos": sorted(f"{t}:{i}" for t, i in self.repos),
                "notes": self.notes}

    def stop(self) -> None:
        for server in self._servers:
            if self._serving:
                server.shutdown()  # only returns once serve_forever has stopped: never call it before
            server.server_close()
        self._serving = False
        if self.nginx:
            self.nginx.stop()
        shutil.rmtree(self._workdir, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


def serve(args) -> None:
    """`python -m localhub serve`: run until SIGTERM/SIGINT, after printing one JSON line."""
    import signal

    hub = LocalHub(Path(args.root), port=args.port, cdn_port=args.cdn_port, state=args.state and Path(args.state),
                   page_size=args.page_size, lfs_threshold=args.lfs_threshold, cdn=args.cdn, front=args.front,
                   cas_port=args.cas_port)
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    print(json.dumps(hub.describe()), flush=True)
    try:
        while not stop.wait(0.5):
            pass
    finally:
        hub.stop()
