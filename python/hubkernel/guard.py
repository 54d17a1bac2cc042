"""The output guard: every message the kernel sends to the frontend has its tokens masked.

Hook point: the kernel's ``Session.send`` (``ip.kernel.session``, the one object ipykernel 7 sends every message
through: shell and control replies, iopub outputs from any thread, stream flushes of the IOPub thread, stdin's
``input_request``). The instance's ``send`` is replaced; headers pass untouched.

* Every string and every object key of a message's ``content`` and ``metadata`` is masked (values of ``comm_id``,
  ``display_id``, ``model_id`` excepted: they are ids, not text). Fast path: all strings are joined and masked with
  one library call; only a message that holds a secret is rebuilt (a copy: the sender's objects are not changed).
* ``stream`` text goes through the stream guard (keyed by parent msg_id and stream name), which holds back what could
  begin a token written in pieces; an empty result sends nothing. Held text is sent before its parent's
  ``status: idle``, before a new output of its parent (display_data, execute_result, error, clear_output), and by a
  timer when its quiet time is over.

Not covered: output sent before the extension was loaded; binary ``buffers`` (widgets' binary state, sent as is);
what a subprocess writes to the kernel's own terminal; IPython with no kernel (terminal IPython: nothing goes to a
frontend, the guard says so once and does nothing). ``HUBKERNEL_GUARD=0`` or ``%hubkernel_guard off`` turns it off.
"""
from __future__ import annotations

import re
import threading
import time
from typing import Any

from jupyter_client.session import extract_header

from .libguard import GuardLibrary

TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)?")
ID_KEYS = frozenset({"comm_id", "display_id", "model_id"})
NEW_OUTPUTS = frozenset({"display_data", "execute_result", "error", "clear_output"})
# A status message the protocol fixes to the letter (two per cell): nothing in it can be a secret.
PLAIN_STATUSES = [{"execution_state": state} for state in ("busy", "idle", "starting")]
# What an ordinary `execute_reply` holds (ipykernel 7): only these keys, no user expressions, no payload.
PLAIN_REPLY_KEYS = frozenset({"status", "execution_count", "user_expressions", "payload"})
PLAIN_REPLY_METADATA = frozenset({"started", "dependencies_met", "engine", "status"})


def collect_strings(value: Any, into: list[str]) -> None:
    """Every string and string key in ``value`` (id values left out), in any order."""
    if isinstance(value, str):
        into.append(value)
    elif isinstance(value, dict):
        for key, item in value.items():
            if isinstance(key, str):
                into.append(key)
                if key in ID_KEYS and isinstance(item, str):
                    continue
            collect_strings(item, into)
    elif isinstance(value, (list, tuple)):
        for item in value:
            collect_strings(item, into)


def masked_copy(value: Any, mask) -> Any:
    """A copy of ``value`` with every string and key masked (``mask(text) -> str | None``)."""
    if isinstance(value, str):
        return mask(value) or value
    if isinstance(value, dict):
        copy = {}
        for key, item in value.items():
            new_key = (mask(key) or key) if isinstance(key, str) else key
            keep = isinstance(key, str) and key in ID_KEYS and isinstance(item, str)
            copy[new_key] = item if keep else masked_copy(item, mask)
        return copy
    if isinstance(value, (list, tuple)):
        return [masked_copy(item, mask) for item in value]
    return value


class OutputGuard:
    """Wraps one ``Session``'s ``send``; ``uninstall()`` puts it back (after sending what it holds)."""

    def __init__(self, session, library: GuardLibrary | None = None, engine: str | None = None):
        self.session = session
        self.engine = engine  # the kernel's ident, which ipykernel puts in every execute_reply's metadata
        self.library = library or GuardLibrary()
        self._original = session.send
        self._lock = threading.RLock()
        self._streams: dict[tuple[str, str], tuple[Any, dict, Any]] = {}  # (parent, name) -> (socket, parent, ident)
        self._timer_wake = threading.Condition(self._lock)
        self._stopped = False
        self._timer = threading.Thread(target=self._timer_loop, name="hubkernel-guard-timer", daemon=True)
        session.send = self.send
        self._timer.start()

    # The hook

    def send(self, stream, msg_or_type, content=None, parent=None, ident=None, buffers=None, track=False,
             header=None, metadata=None):
        if msg_or_type == "status" and content in PLAIN_STATUSES and not metadata and \
                (content["execution_state"] != "idle" or self.library.next_deadline() is None):
            return self._original(stream, msg_or_type, content, parent, ident, buffers, track, header, metadata)  # nothing to mask
        if not isinstance(msg_or_type, str):
            msg = msg_or_type if isinstance(msg_or_type, dict) else dict(msg_or_type)
            msg_type = msg.get("msg_type") or msg.get("header", {}).get("msg_type", "")
            parent_header = msg.get("parent_header") or {}
            content_value, metadata_value = msg.get("content"), msg.get("metadata")
        else:
            msg = None
            msg_type = msg_or_type
            parent_header = extract_header(parent) if parent is not None else {}
            content_value, metadata_value = content, metadata
        parent_id = parent_header.get("msg_id", "") if isinstance(parent_header, dict) else ""

        is_stream = msg_type == "stream" and isinstance(content_value, dict) and isinstance(content_value.get("text"), str)
        if is_stream:
            new_content, new_metadata = content_value, self._mask(metadata_value)
        elif msg_type == "execute_reply" and self.engine is not None and self._plain_reply(content_value, metadata_value):
            new_content, new_metadata = content_value, metadata_value
        else:
            new_content, new_metadata = self._mask_both(content_value, metadata_value)
        with self._lock:
            if is_stream:
                name = str(content_value.get("name", "stdout"))
                self._streams.pop((parent_id, name), None)  # most recent last; the oldest are forgotten
                self._streams[(parent_id, name)] = (stream, parent_header, ident)
                while len(self._streams) > 512:
                    del self._streams[next(iter(self._streams))]
                shown = self.library.stream(parent_id, name, content_value["text"], time.monotonic())
                if self.library.next_deadline() is not None:
                    self._timer_wake.notify()
                if not shown:
                    return None
                if shown is not content_value["text"]:
                    new_content = dict(content_value, text=shown)
            elif (msg_type in NEW_OUTPUTS or (msg_type == "status" and isinstance(new_content, dict)
                                              and new_content.get("execution_state") == "idle")) \
                    and self.library.next_deadline() is not None:  # something is held (a cheap call)
                self._send_held(self.library.release(parent_id))
            if msg is not None:
                if new_content is not content_value or new_metadata is not metadata_value:
                    msg = dict(msg, content=new_content, metadata=new_metadata)
                return self._original(stream, msg, ident=ident, buffers=buffers, track=track)
            return self._original(stream, msg_type, new_content, parent, ident, buffers, track, header, new_metadata)

    def _plain_reply(self, content: Any, metadata: Any) -> bool:
        """Whether an `execute_reply` carries only what the protocol fixes: a status, a count, no user expressions,
        no payload, and metadata of a start time, flags and this kernel's own ident (one library call less a cell)."""
        if not (isinstance(content, dict) and isinstance(metadata, dict)):
            return False
        started = metadata.get("started")  # a datetime (not text), or its ISO form
        return (content.keys() <= PLAIN_REPLY_KEYS and content.get("status") == "ok"
                and isinstance(content.get("execution_count"), int) and not content.get("user_expressions")
                and not content.get("payload") and metadata.keys() <= PLAIN_REPLY_METADATA
                and metadata.get("engine", self.engine) == self.engine and metadata.get("status", "ok") == "ok"
                and metadata.get("dependencies_met", True) in (True, False)
                and (not isinstance(started, str) or TIMESTAMP.fullmatch(started) is not None))

    def _mask_both(self, content: Any, metadata: Any) -> tuple[Any, Any]:
        """Content and metadata, each itself when it holds no secret: one library call for both in the common case."""
        if isinstance(content, (bytes, bytearray)) or isinstance(metadata, (bytes, bytearray)):
            return self._mask(content), self._mask(metadata)
        strings: list[str] = []
        collect_strings(content, strings)
        collect_strings(metadata, strings)
        if not strings or self.library.mask(strings[0] if len(strings) == 1 else "\n".join(strings)) is None:
            return content, metadata
        return self._mask(content), self._mask(metadata)

    def _mask(self, value: Any) -> Any:
        """``value`` itself when it holds no secret, else a masked copy."""
        if value is None:
            return value
        if isinstance(value, (bytes, bytearray)):
            text = bytes(value).decode("utf-8", "replace")
            masked = self.library.mask(text)
            return masked.encode() if masked is not None else value
        strings: list[str] = []
        collect_strings(value, strings)
        if not strings or self.library.mask(strings[0] if len(strings) == 1 else "\n".join(strings)) is None:
            return value
        return masked_copy(value, self.library.mask)

    # Held text

    def _send_held(self, held: list[tuple[str, str, str]]) -> None:
        """Sends released stream text (called with the lock held, so it goes out in order)."""
        for parent_id, name, text in held:
            socket, parent_header, ident = self._streams.get((parent_id, name), (None, None, None))
            if socket is None or not text:
                continue
            message = self.session.msg("stream", {"name": name, "text": text}, parent=parent_header)
            self._original(socket, message, ident=ident)

    def flush(self) -> None:
        """Sends everything held now."""
        with self._lock:
            self._send_held(self.library.release(None))

    def _timer_loop(self) -> None:
        with self._lock:
            while not self._stopped:
                deadline = self.library.next_deadline()
                now = time.monotonic()
                if deadline is None:
                    self._timer_wake.wait()
                elif deadline > now:
                    self._timer_wake.wait(deadline - now + 0.005)
                else:
                    self._send_held(self.library.release(None, now))

    def uninstall(self) -> None:
        with self._lock:
            self._stopped = True
            self._send_held(self.library.release(None))
            self._timer_wake.notify()
            if self.session.send == self.send:
                self.session.send = self._original


_notices: set[str] = set()


def install(ip) -> OutputGuard | None:
    """Guards ``ip``'s kernel, or says once why it does not (no kernel, turned off, no library)."""
    import os
    import sys

    def notice(text: str) -> None:
        if text not in _notices:
            _notices.add(text)
            print(text, file=sys.stderr)

    kernel = getattr(ip, "kernel", None)
    session = getattr(kernel, "session", None)
    if session is None:
        notice("hubkernel: no Jupyter kernel here (terminal IPython): nothing goes to a frontend, so the output "
               "guard is off; the magics work.")
        return None
    if os.environ.get("HUBKERNEL_GUARD", "1").strip().lower() in {"0", "off", "false", "no"}:
        notice("hubkernel: HUBKERNEL_GUARD=0: the output guard is off (tokens Python prints are shown as they are).")
        return None
    existing = getattr(session.send, "__self__", None)
    if isinstance(existing, OutputGuard):
        return existing
    return OutputGuard(session, engine=getattr(kernel, "ident", None))
