"""ctypes binding of ``libhubguard.so``, HubKernel's token guard (Sources/HubGuardLibrary/HubGuardC.swift).

The library is looked for in ``$HUBGUARD_LIB``, then next to an installed wheel (``<prefix>/lib/hubkernel/``), then
in a source checkout's ``.build/release/``. Every call is thread-safe (the library locks); text is UTF-8.
"""
from __future__ import annotations

import ctypes
import os
import pathlib
import sys
import threading

_char_pp = ctypes.POINTER(ctypes.c_char_p)

# A str's own UTF-8 bytes, without a copy (CPython keeps them for ASCII strings and caches them for others).
_as_utf8 = ctypes.pythonapi.PyUnicode_AsUTF8AndSize
_as_utf8.argtypes = [ctypes.py_object, ctypes.POINTER(ctypes.c_ssize_t)]
_as_utf8.restype = ctypes.c_void_p


def utf8(text: str) -> tuple[int | bytes, int]:
    """A pointer to ``text``'s UTF-8 bytes and their length; the bytes themselves for a str that has none (lone
    surrogates). The pointer lives as long as ``text``."""
    size = ctypes.c_ssize_t()
    try:
        return _as_utf8(text, ctypes.byref(size)), size.value
    except UnicodeEncodeError:
        data = text.encode("utf-8", "surrogatepass")
        return data, len(data)


def library_path() -> pathlib.Path | None:
    """Where ``libhubguard.so`` is, or None."""
    candidates = []
    if os.environ.get("HUBGUARD_LIB"):
        candidates.append(pathlib.Path(os.environ["HUBGUARD_LIB"]))
    candidates.append(pathlib.Path(sys.prefix) / "lib" / "hubkernel" / "libhubguard.so")
    checkout = pathlib.Path(__file__).resolve().parents[2]
    candidates.append(checkout / ".build" / "release" / "libhubguard.so")
    return next((path for path in candidates if path.is_file()), None)


class GuardLibrary:
    """One guard of the library: masking, and the stream holding state (``hubguard_stream`` / ``hubguard_release``)."""

    def __init__(self, path: str | os.PathLike | None = None):
        path = path or library_path()
        if path is None:
            raise FileNotFoundError("libhubguard.so not found: set HUBGUARD_LIB, or build it with "
                                    "`swift build -c release --product hubguard`, or reinstall the hubkernel wheel")
        # PyDLL: calls keep the GIL. They take microseconds; releasing the GIL for them made each call wait for it to
        # come back from the kernel's busy threads (60 µs a message instead of 5).
        lib = ctypes.PyDLL(str(path))
        out = [ctypes.POINTER(ctypes.c_void_p), ctypes.POINTER(ctypes.c_size_t)]
        lib.hubguard_new.restype = ctypes.c_void_p
        lib.hubguard_release_guard.argtypes = [ctypes.c_void_p]
        lib.hubguard_free_buffer.argtypes = [ctypes.c_void_p]
        lib.hubguard_mask.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_ssize_t, *out]
        lib.hubguard_mask.restype = ctypes.c_int32
        lib.hubguard_stream.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_void_p,
                                        ctypes.c_ssize_t, ctypes.c_double, *out]
        lib.hubguard_stream.restype = ctypes.c_int32
        lib.hubguard_release.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_double, *out]
        lib.hubguard_release.restype = ctypes.c_int32
        lib.hubguard_next_deadline.argtypes = [ctypes.c_void_p]
        lib.hubguard_next_deadline.restype = ctypes.c_double
        lib.hubguard_remember.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_ssize_t]
        lib.hubguard_known_count.argtypes = [ctypes.c_void_p]
        lib.hubguard_known_count.restype = ctypes.c_ssize_t
        self._lib = lib
        self._guard = ctypes.c_void_p(lib.hubguard_new())
        self.path = str(path)
        self._out = threading.local()

    def _outputs(self):
        """This thread's out-parameters (made once: a call from any thread is safe, and costs no allocation)."""
        out = self._out
        if not hasattr(out, "buffer"):
            out.buffer, out.length = ctypes.c_void_p(), ctypes.c_size_t()
            out.refs = (ctypes.byref(out.buffer), ctypes.byref(out.length))
        out.buffer.value = None
        return out

    def _take(self, buffer: ctypes.c_void_p, length: ctypes.c_size_t) -> bytes:
        try:
            return ctypes.string_at(buffer.value, length.value) if buffer.value else b""
        finally:
            if buffer.value:
                self._lib.hubguard_free_buffer(buffer)

    def mask(self, text: str) -> str | None:
        """``text`` with every secret masked, or None when there was nothing to mask (then nothing was copied)."""
        data, size = utf8(text)
        out = self._outputs()
        if not self._lib.hubguard_mask(self._guard, data, size, *out.refs):
            return None
        return self._take(out.buffer, out.length).decode("utf-8", "replace")

    def stream(self, parent: str, name: str, text: str, now: float) -> str:
        """What to show now of a new piece of stream ``name`` of request ``parent`` (may be empty: held); ``text``
        itself when it shows as it is."""
        data, size = utf8(text)
        out = self._outputs()
        if not self._lib.hubguard_stream(self._guard, parent.encode(), name.encode(), data, size, now, *out.refs):
            return text
        return self._take(out.buffer, out.length).decode("utf-8", "replace")

    def release(self, parent: str | None = None, now: float = -1.0) -> list[tuple[str, str, str]]:
        """Held text to show now, as ``(parent, name, text)``: ``parent``'s streams; every stream's (parent None,
        now < 0); or, with parent None and ``now`` ≥ 0, the held text whose quiet time is over."""
        buffer, length = ctypes.c_void_p(), ctypes.c_size_t()
        count = self._lib.hubguard_release(self._guard, parent.encode() if parent is not None else None, now,
                                           ctypes.byref(buffer), ctypes.byref(length))
        if count <= 0:
            return []
        return parse_released(self._take(buffer, length))

    def next_deadline(self) -> float | None:
        """When held text is next due (``time.monotonic()`` clock), or None when nothing is held."""
        deadline = self._lib.hubguard_next_deadline(self._guard)
        return None if deadline < 0 else deadline

    def remember(self, secret: str) -> None:
        """Masks ``secret`` from now on (a token typed at a prompt)."""
        data = secret.encode("utf-8", "surrogatepass")
        self._lib.hubguard_remember(self._guard, data, len(data))

    def known_count(self) -> int:
        return self._lib.hubguard_known_count(self._guard)


def parse_released(data: bytes) -> list[tuple[str, str, str]]:
    """Parses ``parent \\t name \\t byte-length \\n text`` records."""
    records, at = [], 0
    while at < len(data):
        newline = data.index(b"\n", at)
        parent, name, length = data[at:newline].split(b"\t")
        start = newline + 1
        end = start + int(length)
        records.append((parent.decode(), name.decode(), data[start:end].decode("utf-8", "replace")))
        at = end
    return records
