"""Safetensors files for the sample repos: write real ones (header + deterministic tensor bytes), and read a header
back to count parameters for the model info's `safetensors` field, as the Hub computes it.

Format: 8-byte little-endian header length, a JSON header (`{name: {dtype, shape, data_offsets}}` plus an optional
`__metadata__`), then the tensor data.
"""
import json
import math
import struct
from pathlib import Path

DTYPE_BYTES = {"F64": 8, "F32": 4, "F16": 2, "BF16": 2, "I64": 8, "I32": 4, "I16": 2, "I8": 1, "U8": 1, "BOOL": 1,
               "F8_E4M3": 1, "F8_E5M2": 1}


def header_bytes(tensors: list[tuple[str, str, list[int]]], metadata: dict | None = None) -> tuple[bytes, int]:
    """The length-prefixed header for `tensors` [(name, dtype, shape)] laid out in order, and the data length."""
    header: dict = {"__metadata__": metadata} if metadata else {}
    offset = 0
    for name, dtype, shape in tensors:
        length = math.prod(shape) * DTYPE_BYTES[dtype]
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [offset, offset + length]}
        offset += length
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)  # padded with spaces to 8 bytes, as the safetensors library writes it
    return struct.pack("<Q", len(text)) + text, offset


MAX_HEADER_LENGTH = 25_000_000  # huggingface_hub's SAFETENSORS_MAX_HEADER_LENGTH


def read_header(path: Path) -> dict | None:
    """The JSON header of a safetensors file, or None when the file is not one (as the Hub skips such files)."""
    try:
        with open(path, "rb") as f:
            (length,) = struct.unpack("<Q", f.read(8))
            if length > MAX_HEADER_LENGTH:
                return None
            header = json.loads(f.read(length))
        return header if isinstance(header, dict) else None
    except (OSError, ValueError, struct.error):
        return None


def parameter_counts(header: dict | None) -> dict[str, int]:
    """Parameters per dtype (the product of each tensor's shape), as `SafetensorsFileMetadata.parameter_count`."""
    counts: dict[str, int] = {}
    for name, tensor in (header or {}).items():
        if name != "__metadata__":
            counts[tensor["dtype"]] = counts.get(tensor["dtype"], 0) + math.prod(tensor["shape"])
    return counts
