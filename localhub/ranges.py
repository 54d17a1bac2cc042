"""`Range: bytes=...` parsing (single range, as the Hub and its CDN serve)."""
import re
from dataclasses import dataclass

_RANGE = re.compile(r"^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$")


@dataclass(frozen=True)
class ByteRange:
    start: int
    end: int  # inclusive

    @property
    def length(self) -> int:
        return self.end - self.start + 1


class Unsatisfiable(Exception):
    """The range lies outside the file: answer 416 with `Content-Range: bytes */size`."""


def parse_range(header: str | None, size: int) -> ByteRange | None:
    """The requested range, None to send the whole file (no or unparseable header), or raises Unsatisfiable."""
    if not header:
        return None
    match = _RANGE.match(header)
    if not match or match.group(1) == match.group(2) == "":
        return None  # multiple ranges or garbage: ignored, like many servers do
    first, last = match.groups()
    if first == "":  # suffix range: last N bytes
        if int(last) == 0:
            raise Unsatisfiable()
        return ByteRange(max(size - int(last), 0), size - 1)
    start = int(first)
    end = size - 1 if last == "" else min(int(last), size - 1)
    if start >= size or (last != "" and int(last) < start):
        raise Unsatisfiable()
    return ByteRange(start, end)
