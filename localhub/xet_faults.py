"""Faults of Xet storage itself (fault rules with an `"xet"` key, faults.py), applied where each would really arise:

* `"corrupt_chunk"`: a stored chunk is damaged: the first uncompressed chunk of a xorb range has one byte of its data
  flipped (headers intact, so it still decodes);
* `"truncate_range"`: a xorb range comes back one chunk short, as a well-formed 206 for the shorter range (the bridge
  sends the file up to there and closes the connection);
* `"term_length"`: the reconstruction's first term claims 1,000 bytes more than its chunks hold;
* `"lying_reconstruction"`: the reconstruction lists the file's first two terms in the wrong order (same size, wrong
  bytes).

The CAS applies them to what it serves (hf_xet reads that). The bridge — the CDN serving a Xet file whole, which the
real Hub builds from the same xorbs — serves, while such a rule is active for the file, the bytes a server would
assemble from the damaged store or plan: corrupted or reordered bytes, a short body (the connection closes early), or
the wrong number of bytes.
"""
from . import xet

KINDS = ("corrupt_chunk", "truncate_range", "term_length", "lying_reconstruction")


def corrupt_first_raw_chunk(blob: bytes, chunk_starts: list[int]) -> bytes:
    """`blob` (serialized chunks, header first, starting at each of `chunk_starts`) with one data byte flipped in the
    first chunk stored uncompressed; unchanged if there is none."""
    for start in chunk_starts:
        header = blob[start:start + 8]
        if len(header) == 8 and header[4] == xet.NONE:
            length = int.from_bytes(header[1:4], "little")
            if length and start + 8 + length <= len(blob):
                spot = start + 8 + length // 2
                return blob[:spot] + bytes([blob[spot] ^ 0xFF]) + blob[spot + 1:]
    return blob


def chunk_starts_in(info: xet.XorbInfo, lo: int, hi: int) -> list[int]:
    """Offsets (relative to `lo`) of the chunks that start inside serialized bytes [lo, hi]."""
    starts = [0] + list(info.boundaries[:-1])
    return [s - lo for s in starts if lo <= s <= hi]


def truncated_end(info: xet.XorbInfo, lo: int, hi: int) -> int:
    """The last byte of [lo, hi] once its last chunk is dropped (hi itself for a single chunk)."""
    ends = [b - 1 for b in info.boundaries if lo <= b - 1 < hi]
    return ends[-1] if ends else hi


def apply_to_plan(kind: str, plan: dict) -> dict:
    """The reconstruction plan (cas.reconstruction) as the CAS answers it under `term_length` or `lying_reconstruction`."""
    terms = [dict(t) for t in plan["terms"]]
    if kind == "term_length" and terms:
        terms[0]["unpacked_length"] += 1000
    elif kind == "lying_reconstruction" and len(terms) >= 2:
        terms[0], terms[1] = terms[1], terms[0]
    return {**plan, "terms": terms}


def bridge_bytes(kind: str, xet_file: xet.XetFile, store: xet.XetStore) -> tuple[bytes, int]:
    """(bytes the bridge would send, the size it announces) for a Xet file reconstructed under fault `kind`."""
    terms = list(xet_file.terms)
    declared = xet_file.size
    if kind == "lying_reconstruction" and len(terms) >= 2:
        terms[0], terms[1] = terms[1], terms[0]
    out = bytearray()
    for k, term in enumerate(terms):
        info = store.xorb(term.xorb)
        lo, hi = info.byte_range(term.start, term.end)
        with open(store.xorb_path(term.xorb), "rb") as f:
            f.seek(lo)
            blob = f.read(hi - lo + 1)
        if k == 0 and kind == "corrupt_chunk":
            blob = corrupt_first_raw_chunk(blob, chunk_starts_in(info, lo, hi))
        short = k == 0 and kind == "truncate_range"
        if short:
            blob = blob[:truncated_end(info, lo, hi) - lo + 1]
        offset = 0
        while offset < len(blob):
            size, scheme = int.from_bytes(blob[offset + 1:offset + 4], "little"), blob[offset + 4]
            out += xet.decompress_chunk(scheme, blob[offset + 8:offset + 8 + size])
            offset += 8 + size
        if k == 0 and kind == "term_length":
            out += bytes(1000)
        if short:
            break  # the bridge stops where its xorb range ran out
    return bytes(out), declared
