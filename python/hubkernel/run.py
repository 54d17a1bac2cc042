"""Runs a magic line through the backend (``hub/runMagic``) and shows what it sends, on the cell's own thread.

``hub/stream`` goes to ``sys.stdout`` / ``sys.stderr``; ``hub/display`` to ``display`` / ``update_display``
(display ids made unique per backend, so a restarted backend never updates an old cell's output); ``hub/prompt`` to
``getpass`` (password) or ``input``; the result bundle is returned, for IPython to show as the cell's result; an error
is raised as an exception named as huggingface_hub names it, shown as the kernel's words, without a Python
traceback. Ctrl-C / the stop button sends ``$/cancelRequest`` and raises KeyboardInterrupt at once.
"""
from __future__ import annotations

import getpass
import queue
import sys
from typing import Any, Callable

from . import backend as backend_module
from . import colab
from .terminal import LiveLine, has_frontend

_error_classes: dict[str, type] = {}
remember_secret: Callable[[str], None] | None = None  # set by the guard: a token typed at a prompt is masked


class HubError(Exception):
    """A magic failed; ``data`` is the backend's ``{kind, name, message, fix, ...}``."""

    def __init__(self, message: str, data: dict | None = None):
        super().__init__(message)
        self.data = data or {}

    def _render_traceback_(self) -> list[str]:
        return [f"\x1b[0;31m{type(self).__name__}\x1b[0m: {self}"]


def error_class(name: str) -> type:
    """``HubError`` subclass named as huggingface_hub names the error (``GatedRepoError``)."""
    if not name.isidentifier():
        name = "HubError"
    if name not in _error_classes:
        _error_classes[name] = HubError if name == "HubError" else type(name, (HubError,), {"__module__": "hubkernel"})
    return _error_classes[name]


class Interrupted(KeyboardInterrupt):
    """The user stopped a magic: one line, not a traceback through the extension's waiting loop."""

    def _render_traceback_(self) -> list[str]:
        return [f"\x1b[0;31mKeyboardInterrupt\x1b[0m: {self}"]


class Result:
    """A magic's result bundle: shown as the cell's result; ``.data`` the MIME bundle, ``.json`` its JSON."""

    def __init__(self, data: dict[str, Any]):
        self.data = data

    @property
    def json(self) -> Any:
        return self.data.get("application/vnd.hubkernel+json", self.data.get("application/json"))

    def _repr_mimebundle_(self, include=None, exclude=None):
        return self.data

    def __repr__(self) -> str:
        return str(self.data.get("text/plain", ""))


def run_magic(code: str) -> Result | None:
    """Runs ``code`` (``%name args``) and shows its output; returns its result."""
    backend = backend_module.shared()
    token = colab.secret()
    if token and remember_secret:
        remember_secret(token)
    pending = backend.request("hub/runMagic", {"code": code})
    line = None if has_frontend() else LiveLine()
    try:
        while True:
            try:
                kind, payload = pending.events.get(timeout=0.05)
            except queue.Empty:
                continue
            if kind == "notification":
                show(backend, *payload, line=line)
            elif kind == "request":
                if line:
                    line.end()
                answer(backend, *payload)
            elif kind == "result":
                data = (payload or {}).get("data") if isinstance(payload, dict) else None
                return Result(data) if data else None
            elif isinstance(payload, backend_module.RemoteError):
                data = payload.data if isinstance(payload.data, dict) else {}
                if payload.code == backend_module.CANCELLED:
                    raise KeyboardInterrupt
                name = str(data.get("name") or "HubError")
                message = payload.message.removeprefix(f"{name}: ")
                raise error_class(name)(message, data) from None
            else:
                raise error_class("BackendDied")(f"{payload}; run the cell again: a new backend will start.") from None
    except KeyboardInterrupt:
        backend.cancel(pending)
        raise Interrupted(f"{code.split()[0]} stopped. A download keeps what it fetched: run it again to resume.") from None
    finally:
        if line:
            line.end()


def show(backend, method: str, params: dict, line: LiveLine | None = None) -> None:
    """One notification: in a notebook through IPython's display machinery; in a terminal (``line``), a live display
    is one line rewritten in place."""
    if line is not None and method == "hub/display" and params.get("displayId") is not None:
        line.show(str((params.get("data") or {}).get("text/plain", "")))
        return
    if line is not None:
        line.end()
    if method == "hub/stream":
        stream = sys.stderr if params.get("name") == "stderr" else sys.stdout
        stream.write(params.get("text", ""))
        stream.flush()
    elif method == "hub/display":
        from IPython.display import display, update_display

        data = params.get("data") or {}
        display_id = params.get("displayId")
        if display_id is not None:
            display_id = f"hubkernel-{backend.uid}-{display_id}"
        if params.get("update") and display_id is not None:
            update_display(data, raw=True, display_id=display_id)
        else:
            display(data, raw=True, display_id=display_id)


def answer(backend, request_id: Any, method: str, params: dict) -> None:
    if method != "hub/prompt":
        backend.respond(request_id, error={"code": -32601, "message": f"{method} is not a method of this client"})
        return
    prompt = str(params.get("prompt", ""))
    try:
        value = getpass.getpass(prompt) if params.get("password") else input(prompt)
    except KeyboardInterrupt:
        backend.respond(request_id, error={"code": -32800, "message": "interrupted"})
        raise
    except Exception as error:  # StdinNotImplementedError: this frontend cannot ask
        backend.respond(request_id, error={"code": -32803, "message": f"cannot ask here: {error}"})
        return
    if params.get("password") and remember_secret and value.strip():
        remember_secret(value.strip())
    backend.respond(request_id, {"value": value})
