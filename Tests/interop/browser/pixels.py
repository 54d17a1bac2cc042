"""Reading what the browser painted: PNG screenshots from Playwright decoded to pixels (no image library in the
venv), and WCAG contrast between two painted colours."""
from __future__ import annotations

import struct
import zlib


def fill_contrast(percent: int, png: bytes) -> float:
    """WCAG contrast ratio between the middle of the filled part of a progress bar screenshot (`percent` done) and
    the middle of its empty track."""
    width, height, pixels = decode_png_rgb(png)
    row = height // 2
    filled = pixels[row * width + int(width * percent / 200)]
    track = pixels[row * width + int(width * (100 + percent) / 200)]
    lighter, darker = sorted((relative_luminance(filled), relative_luminance(track)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def relative_luminance(rgb: tuple[int, int, int]) -> float:
    linear = [c / 255 / 12.92 if c <= 10 else ((c / 255 + 0.055) / 1.055) ** 2.4 for c in rgb]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def decode_png_rgb(data: bytes) -> tuple[int, int, list[tuple[int, int, int]]]:
    """The RGB pixels of an 8-bit RGB/RGBA non-interlaced PNG (what Chromium writes), without a PNG library."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, chunks, header = 8, [], None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            chunks.append(body)
        pos += 12 + length
    width, height, depth, colour, _, _, interlace = header
    assert depth == 8 and colour in (2, 6) and interlace == 0, header
    channels = 3 if colour == 2 else 4
    raw = zlib.decompress(b"".join(chunks))
    stride = width * channels
    rows, previous, pos = [], bytearray(stride), 0
    for _ in range(height):
        kind, line = raw[pos], bytearray(raw[pos + 1:pos + 1 + stride])
        pos += 1 + stride
        for i in range(stride):
            left = line[i - channels] if i >= channels else 0
            up, corner = previous[i], previous[i - channels] if i >= channels else 0
            if kind == 1:
                line[i] = (line[i] + left) & 255
            elif kind == 2:
                line[i] = (line[i] + up) & 255
            elif kind == 3:
                line[i] = (line[i] + (left + up) // 2) & 255
            elif kind == 4:
                guess = left + up - corner
                pa, pb, pc = abs(guess - left), abs(guess - up), abs(guess - corner)
                line[i] = (line[i] + (left if pa <= pb and pa <= pc else up if pb <= pc else corner)) & 255
        rows.append(bytes(line))
        previous = line
    return width, height, [tuple(row[i:i + 3]) for row in rows for i in range(0, stride, channels)]
