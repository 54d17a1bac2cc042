"""The screenshot pixel reader the Lab test relies on: PNG rows with every filter type, and WCAG contrast."""
from __future__ import annotations

import random
import struct
import zlib

import pytest

from browser.pixels import decode_png_rgb, fill_contrast, relative_luminance


def paeth(left: int, up: int, corner: int) -> int:
    guess = left + up - corner
    pa, pb, pc = abs(guess - left), abs(guess - up), abs(guess - corner)
    return left if pa <= pb and pa <= pc else up if pb <= pc else corner


def encode_png(width: int, height: int, pixels: list[tuple[int, ...]], channels: int, filters: list[int]) -> bytes:
    """A PNG whose row y uses filter filters[y % len(filters)] (written straight from the PNG spec)."""
    stride = width * channels
    raw, previous = bytearray(), bytes(stride)
    for y in range(height):
        line = bytes(v for p in pixels[y * width:(y + 1) * width] for v in p)
        kind = filters[y % len(filters)]
        out = bytearray([kind])
        for i, value in enumerate(line):
            left = line[i - channels] if i >= channels else 0
            up, corner = previous[i], previous[i - channels] if i >= channels else 0
            predictor = [0, left, up, (left + up) // 2, paeth(left, up, corner)][kind]
            out.append((value - predictor) & 255)
        raw += out
        previous = line

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2 if channels == 3 else 6, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(bytes(raw))) + chunk(b"IEND", b"")


@pytest.mark.parametrize("channels", [3, 4])
def test_decode_round_trips_every_filter(channels):
    rng = random.Random(7)
    width, height = 9, 10
    pixels = [tuple(rng.randrange(256) for _ in range(channels)) for _ in range(width * height)]
    got_width, got_height, got = decode_png_rgb(encode_png(width, height, pixels, channels, [0, 1, 2, 3, 4]))
    assert (got_width, got_height) == (width, height)
    assert got == [p[:3] for p in pixels]


def test_contrast_of_a_half_filled_bar():
    width = 40
    bar = [(255, 255, 255) if x < width // 2 else (0, 0, 0) for _ in range(3) for x in range(width)]
    assert fill_contrast(50, encode_png(width, 3, bar, 3, [4])) == pytest.approx(21.0)
    flat = [(120, 120, 120)] * (width * 3)
    assert fill_contrast(50, encode_png(width, 3, flat, 3, [1])) == pytest.approx(1.0)
    assert relative_luminance((128, 128, 128)) == pytest.approx(0.2158605, abs=1e-6)  # WCAG's mid grey
