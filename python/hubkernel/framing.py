"""LSP base-protocol framing: ``Content-Length: N`` (bytes) headers, a blank line, N bytes of UTF-8 JSON."""
from __future__ import annotations

import json
from typing import Any, BinaryIO

MAX_HEADER = 8192


class FramingError(Exception):
    """The other side sent something that is not an LSP frame."""


def encode(message: dict[str, Any]) -> bytes:
    body = json.dumps(message, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


def read_message(stream: BinaryIO) -> dict[str, Any] | None:
    """The next message, or None at the end of the stream."""
    length = None
    header_bytes = 0
    while True:
        line = stream.readline(MAX_HEADER)
        if not line:
            return None
        header_bytes += len(line)
        if header_bytes >= MAX_HEADER:
            raise FramingError("header too long")
        line = line.rstrip(b"\r\n")
        if not line:
            break
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            try:
                length = int(value.strip())
            except ValueError:
                raise FramingError(f"bad Content-Length {value!r}") from None
    if length is None:
        raise FramingError("a frame without Content-Length")
    body = stream.read(length)
    if len(body) < length:
        return None
    return json.loads(body.decode("utf-8"))
