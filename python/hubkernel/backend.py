"""The JSON-RPC client of ``hubkernel serve --stdio`` (docs/stdio-backend.md).

One backend per IPython session (``shared()``): started on first use, started again with a one-line notice when it
died, shut down (``shutdown`` + ``exit``) at interpreter exit. Every message the backend sends about a request
(``hub/stream``, ``hub/display``, ``$/progress``, the ``hub/prompt`` question, the answer) goes into that request's
queue, which the thread that made the request drains: outputs land in the cell that asked.
"""
from __future__ import annotations

import atexit
import itertools
import os
import pathlib
import queue
import shutil
import subprocess
import sys
import threading
import uuid
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from . import colab
from .framing import encode, read_message

TOKEN_VARIABLES = ("HUGGING_FACE_HUB_TOKEN", "HUGGINGFACE_TOKEN")
CANCELLED = -32800


class BackendError(Exception):
    """The backend failed or is not there; the message says what to do."""


class BackendDied(BackendError):
    pass


@dataclass
class RemoteError(Exception):
    """A JSON-RPC error answer: ``code``, ``message`` (the words the kernel prints), ``data``."""
    code: int
    message: str
    data: Any = None

    def __str__(self) -> str:
        return self.message


def find_binary() -> str:
    """``hubkernel``: ``$HUBKERNEL_BIN`` when set, else next to the package (the wheel's ``<prefix>/bin``), else PATH."""
    if os.environ.get("HUBKERNEL_BIN"):
        return os.environ["HUBKERNEL_BIN"]
    beside = pathlib.Path(sys.prefix) / "bin" / "hubkernel"
    if beside.is_file() and os.access(beside, os.X_OK):
        return str(beside)
    found = shutil.which("hubkernel")
    if found:
        return found
    raise BackendError("hubkernel is not installed here: `pip install` the hubkernel wheel into this environment, "
                       "or set HUBKERNEL_BIN to the hubkernel binary")


def client_environment() -> dict[str, str]:
    """The process's own ``HF_*`` variables and legacy token variables, as its Python sees them now."""
    return {name: value for name, value in os.environ.items() if name.startswith("HF_") or name in TOKEN_VARIABLES}


def initialization_options() -> dict[str, Any]:
    env = os.environ
    options: dict[str, Any] = {"environment": client_environment()}
    for option, variable in (("endpoint", "HF_ENDPOINT"), ("home", "HF_HOME"), ("cacheDir", "HF_HUB_CACHE")):
        if env.get(variable):
            options[option] = env[variable]
    sources = colab.token_sources()
    if sources:
        options["tokenSources"] = sources
    return options


@dataclass
class Pending:
    """One request in flight: what the backend sends about it arrives in ``events`` as ``(kind, payload)``:
    ``("notification", (method, params))``, ``("request", (id, method, params))``, ``("result", value)``,
    ``("error", RemoteError | BackendDied)``."""
    id: int
    method: str
    events: queue.Queue = field(default_factory=queue.Queue)


class Backend:
    """One running ``hubkernel serve --stdio``."""

    def __init__(self, binary: str | None = None, env: dict[str, str] | None = None, timeout: float = 30.0):
        self.binary = binary or find_binary()
        self.uid = uuid.uuid4().hex[:8]
        self.environment = client_environment()
        self._ids = itertools.count(1)
        self._pending: dict[int, Pending] = {}
        self._lock = threading.Lock()
        self._write_lock = threading.Lock()
        self.stderr_tail: deque[str] = deque(maxlen=40)
        try:
            self.process = subprocess.Popen(
                [self.binary, "serve", "--stdio"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                stderr=subprocess.PIPE, env=env, start_new_session=True)  # Ctrl-C to the kernel's group is not ours
        except OSError as error:
            raise BackendError(f"could not start {self.binary} serve --stdio ({error.strerror}): reinstall the "
                               "hubkernel wheel or set HUBKERNEL_BIN") from None
        self._stderr_thread = threading.Thread(target=self._stderr_loop, name="hubkernel-backend-stderr", daemon=True)
        self._stderr_thread.start()
        threading.Thread(target=self._read_loop, name="hubkernel-backend-reader", daemon=True).start()
        try:
            self.capabilities = self.call("initialize", {
                "processId": os.getpid(), "clientInfo": {"name": "hubkernel-ipython", "version": _version()},
                "initializationOptions": initialization_options(), "capabilities": {}}, timeout=timeout)
            self.notify("initialized", {})
        except BaseException:
            self.process.kill()
            self.process.wait()
            raise

    # Sending

    def _send(self, message: dict[str, Any]) -> None:
        data = encode({"jsonrpc": "2.0", **message})
        with self._write_lock:
            try:
                self.process.stdin.write(data)
                self.process.stdin.flush()
            except (BrokenPipeError, ValueError, OSError):
                raise BackendDied(self.death_notice()) from None

    def request(self, method: str, params: Any = None) -> Pending:
        """Sends a request; its answer and notifications arrive in the returned ``Pending.events``."""
        pending = Pending(next(self._ids), method)
        with self._lock:
            self._pending[pending.id] = pending
        message = {"id": pending.id, "method": method}
        if params is not None:
            message["params"] = params
        try:
            self._send(message)
        except BackendDied:
            with self._lock:
                self._pending.pop(pending.id, None)
            raise
        return pending

    def notify(self, method: str, params: Any = None) -> None:
        self._send({"method": method, **({"params": params} if params is not None else {})})

    def respond(self, request_id: Any, result: Any = None, error: dict | None = None) -> None:
        """Answers a request of the backend (``hub/prompt``)."""
        self._send({"id": request_id, **({"error": error} if error else {"result": result})})

    def cancel(self, pending: Pending) -> None:
        try:
            self.notify("$/cancelRequest", {"id": pending.id})
        except BackendDied:
            pass

    def call(self, method: str, params: Any = None, timeout: float | None = None) -> Any:
        """A request whose notifications nobody needs: its result, or RemoteError / BackendDied."""
        pending = self.request(method, params)
        while True:
            try:
                kind, payload = pending.events.get(timeout=timeout)
            except queue.Empty:
                self.cancel(pending)
                raise BackendError(f"the backend did not answer {method} in {timeout:.0f} s") from None
            if kind == "result":
                return payload
            if kind == "error":
                raise payload
            if kind == "request":
                self.respond(payload[0], error={"code": -32601, "message": "this client cannot ask the user here"})

    # Receiving

    def _read_loop(self) -> None:
        try:
            while True:
                message = read_message(self.process.stdout)
                if message is None:
                    break
                self._dispatch(message)
        except Exception as error:  # a framing error: the backend is broken; treat it as gone
            self.stderr_tail.append(f"client: unreadable message from the backend: {error}")
        finally:
            self.process.wait()
            self._stderr_thread.join(timeout=1)
            died = BackendDied(self.death_notice())
            with self._lock:
                waiting, self._pending = list(self._pending.values()), {}
            for pending in waiting:
                pending.events.put(("error", died))

    def _dispatch(self, message: dict[str, Any]) -> None:
        method, params = message.get("method"), message.get("params")
        if method is None:  # an answer
            with self._lock:
                pending = self._pending.pop(message.get("id"), None)
            if pending is None:
                return
            if "error" in message:
                error = message["error"] or {}
                pending.events.put(("error", RemoteError(error.get("code", 0), error.get("message", ""),
                                                         error.get("data"))))
            else:
                pending.events.put(("result", message.get("result")))
            return
        target = None
        if isinstance(params, dict):
            owner = params.get("request")
            if method == "$/progress":
                owner = _progress_owner(params.get("token"))
            with self._lock:
                target = self._pending.get(owner)
        if "id" in message:  # a request of the backend
            if target is None:
                self.respond(message["id"], error={"code": -32603, "message": "no request of this client is waiting"})
            else:
                target.events.put(("request", (message["id"], method, params)))
        elif target is not None:
            target.events.put(("notification", (method, params)))
        elif method == "window/logMessage" and isinstance(params, dict):
            self.stderr_tail.append(str(params.get("message", "")))

    def _stderr_loop(self) -> None:
        for line in iter(self.process.stderr.readline, b""):
            text = line.decode("utf-8", "replace").rstrip()
            self.stderr_tail.append(text)
            if os.environ.get("HUBKERNEL_DEBUG"):
                print(f"hubkernel backend: {text}", file=sys.__stderr__)

    # Life

    @property
    def alive(self) -> bool:
        return self.process.poll() is None

    def death_notice(self) -> str:
        status = self.process.poll()
        how = "is still running" if status is None else (
            f"was killed by signal {-status}" if status < 0 else f"exited with status {status}")
        last = next((line for line in reversed(self.stderr_tail) if line.strip()), "")
        return f"the hubkernel backend {how}" + (f" (its last words: {last})" if last else "")

    def close(self, timeout: float = 3.0) -> None:
        """``shutdown`` then ``exit``; kills the backend if it does not end in ``timeout`` seconds."""
        if self.alive:
            try:
                self.call("shutdown", None, timeout=timeout)
                self.notify("exit")
            except (BackendError, RemoteError):
                pass
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        for pipe in (self.process.stdin, self.process.stdout, self.process.stderr):
            try:
                pipe.close()
            except OSError:
                pass


def _progress_owner(token: Any) -> int | None:
    if isinstance(token, str) and token.startswith("hubkernel-"):
        try:
            return int(token.rsplit("-", 1)[1])
        except ValueError:
            return None
    return None


def _version() -> str:
    from . import __version__
    return __version__


_shared: Backend | None = None
_shared_lock = threading.Lock()


def shared() -> Backend:
    """This session's backend: started on first use; started again (with a notice) when it died, and quietly when
    the process's ``HF_*`` variables changed since it started (the backend resolves tokens as Python would now)."""
    global _shared
    with _shared_lock:
        if _shared is not None and not _shared.alive:
            print(f"hubkernel: {_shared.death_notice()}; starting a new one.", file=sys.stderr)
            _shared.close()
            _shared = None
        if _shared is not None and _shared.environment != client_environment():
            _shared.close()
            _shared = None
        if _shared is None:
            _shared = Backend()
        return _shared


def shutdown_shared() -> None:
    global _shared
    with _shared_lock:
        backend, _shared = _shared, None
    if backend is not None:
        backend.close()


atexit.register(shutdown_shared)
