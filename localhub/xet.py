"""Xet storage, as the real Hub's CAS stores LFS-sized files (the Xet protocol specification; xet-core's
`deduplication`, `merklehash` and `xorb_object`), in pure Python:

* content-defined chunking with the Gear rolling hash (target 64 KiB, min 8 KiB, max 128 KiB),
* chunk hashes (keyed BLAKE3, DATA_KEY), xorb hashes and file hashes (the aggregated merkle tree of
  "{hash} : {size}\n" lines hashed with INTERNAL_NODE_KEY; a file hash is that root keyed-hashed with a zero key),
* xorbs of at most 64 MiB / 8192 chunks: per chunk an 8-byte header (version 0, compressed length u24, scheme,
  uncompressed length u24) and the data, compressed with none / LZ4 (frame format) / byte-grouping-4 + LZ4; then the
  V1 footer (XETBLOB + xorb hash, XBLBHSH chunk hashes, XBLBBND boundaries, offsets) and its u32 length,
* `XetStore`: builds a file's chunks into xorbs once (deduplicated against every chunk already stored) and keeps the
  result on disk under `<root>/.localhub/xet/`, so a restart does not hash again (BLAKE3 here runs at ~1 MB/s).

Hashes print in Xet's hex form: each of the four little-endian u64 words as 16 hex digits (`xet_hex`).
"""
import json
import os
import struct
import threading
import zlib
from dataclasses import dataclass
from pathlib import Path

from .blake3 import keyed_blake3

TARGET_CHUNK = 64 * 1024
MIN_CHUNK = TARGET_CHUNK // 8
MAX_CHUNK = TARGET_CHUNK * 2
_HASH_WINDOW = 64
_MASK = (TARGET_CHUNK - 1) << (64 - (TARGET_CHUNK - 1).bit_length())  # the mask's bits shifted all the way left
_M64 = (1 << 64) - 1
MAX_XORB_BYTES = 64 * 1024 * 1024
MAX_XORB_CHUNKS = 8 * 1024

DATA_KEY = bytes([102, 151, 245, 119, 91, 149, 80, 222, 49, 53, 203, 172, 165, 151, 24, 28, 157, 228, 33, 16, 155, 235,
                  43, 88, 180, 208, 176, 75, 147, 173, 242, 41])
INTERNAL_NODE_KEY = bytes([1, 126, 197, 199, 165, 71, 41, 150, 253, 148, 102, 102, 180, 138, 2, 230, 93, 221, 83, 111,
                           55, 199, 109, 210, 248, 99, 82, 230, 74, 83, 113, 63])
ZERO_KEY = bytes(32)

# The Gear hash table (the `gearhash` crate's default table, which xet-core's chunker uses; the Xet specification
# lists the same 256 values).
GEAR_TABLE = tuple(int(word, 16) for word in ((
    "b088d3a9e840f559 5652c7f739ed20d6 45b28969898972ab 6b0a89d5b68ec777 "
    "368f573e8b7a31b7 1dc636dce936d94b 207a4c4e5554d5b6 a474b34628239acb "
    "3b06a83e1ca3b912 90e78d6c2f02baf7 e1c92df7150d9a8a 8e95053a1086d3ad "
    "5a2ef4f1b83a0722 a50fac949f807fae 0e7303eb80d8d681 99b07edc1570ad0f "
    "689d2fb555fd3076 00005082119ea468 c4b08306a88fcc28 3eb0678af6374afd "
    "f19f87ab86ad7436 f2129fbfbe6bc736 481149575c98a4ed 0000010695477bc5 "
    "1fba37801a9ceacc 3bf06fd663a49b6d 99687e9782e3874b 79a10673aa50d8e3 "
    "e4accf9e6211f420 2520e71f87579071 2bd5d3fd781a8a9b 00de4dcddd11c873 "
    "eaa9311c5a87392f db748eb617bc40ff af579a8df620bf6f 86a6e5da1b09c2b1 "
    "cc2fc30ac322a12e 355e2afec1f74267 2d99c8f4c021a47b bade4b4a9404cfc3 "
    "f7b518721d707d69 3286b6587bf32c20 0000b68886af270c a115d6e4db8a9079 "
    "484f7e9c97b2e199 ccca7bb75713e301 bf2584a62bb0f160 ade7e813625dbcc8 "
    "000070940d87955a 8ae69108139e626f bd776ad72fde38a2 fb6b001fc2fcc0cf "
    "c7a474b8e67bc427 baf6f11610eb5d58 09cb1f5b6de770d1 b0b219e6977d4c47 "
    "00ccbc386ea7ad4a cc849d0adf973f01 73a3ef7d016af770 c807d2d386bdbdfe "
    "7f2ac9966c791730 d037a86bc6c504da f3f17c661eaa609d aca626b04daae687 "
    "755a99374f4a5b07 90837ee65b2caede 6ee8ad93fd560785 0000d9e11053edd8 "
    "9e063bb2d21cdbd7 07ab77f12a01d2b2 ec550255e6641b44 78fb94a8449c14c6 "
    "c7510e1bc6c0f5f5 0000320b36e4cae3 827c33262c8b1a2d 14675f0b48ea4144 "
    "267bd3a6498deceb f1916ff982f5035e 86221b7ff434fb88 9dbecee7386f49d8 "
    "ea58f8cac80f8f4a 008d198692fc64d8 6d38704fbabf9a36 e032cb07d1e7be4c "
    "228d21f6ad450890 635cb1bfc02589a5 4620a1739ca2ce71 a7e7dfe3aae5fb58 "
    "0c10ca932b3c0deb 2727fee884afed7b a2df1c6df9e2ab1f 4dcdd1ac0774f523 "
    "000070ffad33e24e a2ace87bc5977816 9892275ab4286049 c2861181ddf18959 "
    "bb9972a042483e19 ef70cd3766513078 00000513abfc9864 c058b61858c94083 "
    "09e850859725e0de 9197fb3bf83e7d94 7e1e626d12b64bce 520c54507f7b57d1 "
    "bee1797174e22416 6fd9ac3222e95587 0023957c9adfbf3e a01c7d7e234bbe15 "
    "aba2c758b8a38cbb 0d1fa0ceec3e2b30 0bb6a58b7e60b991 4333dd5b9fa26635 "
    "c2fd3b7d4001c1a3 fb41802454731127 65a56185a50d18cb f67a02bd8784b54f "
    "696f11dd67e65063 00002022fca814ab 8cd6be912db9d852 695189b6e9ae8a57 "
    "ee9453b50ada0c28 d8fc5ea91a78845e ab86bf191a4aa767 0000c6b5c86415e5 "
    "267310178e08a22e ed2d101b078bca25 3b41ed84b226a8fb 13e622120f28dc06 "
    "a315f5ebfb706d26 8816c34e3301bace e9395b9cbb71fdae 002ce9202e721648 "
    "4283db1d2bb3c91c d77d461ad2b1a6a5 e2ec17e46eeb866b b8e0be4039fbc47c "
    "dea160c4d5299d04 7eec86c8d28c3634 2119ad129f98a399 a6ccf46b61a283ef "
    "2c52cedef658c617 2db4871169acdd83 0000f0d6f39ecbe9 3dd5d8c98d2f9489 "
    "8a1872a22b01f584 f282a4c40e7b3cf2 8020ec2ccb1ba196 6693b6e09e59e313 "
    "0000ce19cc7c83eb 20cb5735f6479c3b 762ebf3759d75a5b 207bfe823d693975 "
    "d77dc112339cd9d5 9ba7834284627d03 217dc513e95f51e9 b27b1a29fc5e7816 "
    "00d5cd9831bb662d 71e39b806d75734c 7e572af006fb1a23 a2734f2f6ae91f85 "
    "bf82c6b5022cddf2 5c3beac60761a0de cdc893bb47416998 6d1085615c187e01 "
    "77f8ae30ac277c5d 917c6b81122a2c91 5b75b699add16967 0000cf6ae79a069b "
    "f3c40afa60de1104 2063127aa59167c3 621de62269d1894d d188ac1de62b4726 "
    "107036e2154b673c 0000b85f28553a1d f2ef4e4c18236f3d d9d6de6611b9f602 "
    "a1fc7955fb47911c eb85fd032f298dbd be27502fb3befae1 e3034251c4cd661e "
    "441364d354071836 0082b36c75f2983e b145910316fa66f0 021c069c9847caf7 "
    "2910dfc75a4b5221 735b353e1c57a8b5 ce44312ce98ed96c bc942e4506bdfa65 "
    "f05086a71257941b fec3b215d351cead 00ae1055e0144202 f54b40846f42e454 "
    "00007fd9c8bcbcc8 bfbd9ef317de9bfe a804302ff2854e12 39ce4957a5e5d8d4 "
    "ffb9e2a45637ba84 55b9ad1d9ea0818b 00008acbf319178a 48e2bfc8d0fbfb38 "
    "8be39841e848b5e8 0e2712160696a08b d51096e84b44242a 1101ba176792e13a "
    "c22e770f4531689d 1689eff272bbc56c 00a92a197f5650ec bc765990bda1784e "
    "c61441e392fcb8ae 07e13a2ced31e4a0 92cbe984234e9d4d 8f4ff572bb7d8ac5 "
    "0b9670c00b963bd0 62955a581a03eb01 645f83e5ea000254 41fce516cd88f299 "
    "bbda9748da7a98cf 0000aab2fe4845fa 19761b069bf56555 8b8f5e8343b6ad56 "
    "3e5d1cfd144821d9 ec5c1e2ca2b0cd8f faf7e0fea7fbb57f 000000d3ba12961b "
    "da3f90178401b18e 70ff906de33a5feb 0527d5a7c06970e7 22d8e773607c13e9 "
    "c9ab70df643c3bac eda4c6dc8abe12e3 ecef1f410033e78a 0024c2b274ac72cb "
    "06740d954fa900b4 1d7a299b323d6304 b3c37cb298cbead5 c986e3c76178739b "
    "9fabea364b46f58a 6da214c5af85cc56 17a43ed8b7a38f84 6eccec511d9adbeb "
    "f9cab30913335afb 4a5e60c5f415eed2 00006967503672b4 9da51d121454bb87 "
    "84321e13b9bbc816 fb3d6fb6ab2fdd8d 60305eed8e160a8d cbbf4b14e9946ce8 "
    "00004f63381b10c3 07d5b7816fcc4e10 e5a536726a6a8155 57afb23447a07fdd "
    "18f346f7abc9d394 636dc655d61ad33d cc8bab4939f7f3f6 63c7a906c1dd187b")).split())
assert len(GEAR_TABLE) == 256


# -- hashes ------------------------------------------------------------------------------------------------------------
def xet_hex(digest: bytes) -> str:
    """Xet's hex form of a 32-byte hash: each little-endian u64 word printed as 16 hex digits."""
    return "".join(digest[i:i + 8][::-1].hex() for i in range(0, 32, 8))


def from_xet_hex(text: str) -> bytes:
    raw = bytes.fromhex(text)
    if len(raw) != 32:
        raise ValueError("a Xet hash is 64 hex digits")
    return b"".join(raw[i:i + 8][::-1] for i in range(0, 32, 8))


def chunk_hash(data: bytes) -> bytes:
    return keyed_blake3(DATA_KEY, data)


def _merge(nodes: list[tuple[bytes, int]]) -> tuple[bytes, int]:
    text = "".join(f"{xet_hex(h)} : {size}\n" for h, size in nodes)
    return keyed_blake3(INTERNAL_NODE_KEY, text.encode()), sum(size for _, size in nodes)


def _next_cut(nodes: list[tuple[bytes, int]], start: int) -> int:
    """Where the group starting at `start` ends: after the first node from the third on whose hash is 0 mod 4, else
    after 9 nodes (or at the end); the last one or two nodes form a group of their own."""
    left = len(nodes) - start
    if left <= 2:
        return len(nodes)
    end = min(9, left)
    for i in range(2, end):
        if nodes[start + i][0][24] % 4 == 0:  # the last u64 word (little-endian) mod 4
            return start + i + 1
    return start + end


def aggregated_hash(nodes: list[tuple[bytes, int]]) -> bytes:
    """The root of Xet's aggregated merkle tree over (hash, size) pairs; 32 zero bytes for none."""
    if not nodes:
        return bytes(32)
    level = list(nodes)
    while len(level) > 1:
        merged, start = [], 0
        while start < len(level):
            cut = _next_cut(level, start)
            merged.append(_merge(level[start:cut]))
            start = cut
        level = merged
    return level[0][0]


def xorb_hash(chunks: list[tuple[bytes, int]]) -> bytes:
    return aggregated_hash(chunks)


def file_hash(chunks: list[tuple[bytes, int]], salt: bytes = ZERO_KEY) -> bytes:
    """The file hash (X-Xet-Hash): the merkle root keyed-hashed with `salt` (zero for Hub files); 32 zero bytes for
    an empty file."""
    if not chunks:
        return bytes(32)
    return keyed_blake3(salt, aggregated_hash(chunks))


# -- chunking ----------------------------------------------------------------------------------------------------------
def chunk_boundaries(data: bytes) -> list[int]:
    """End offsets of the content-defined chunks of `data` (the last one is len(data)), exactly as xet-core cuts:
    the first MIN_CHUNK - 65 bytes of a chunk are skipped (the rolling hash has a 64-byte window), a boundary needs
    `hash & MASK == 0` at a chunk length of at least MIN_CHUNK, and a chunk never exceeds MAX_CHUNK."""
    table, mask, m64 = GEAR_TABLE, _MASK, _M64
    skip = MIN_CHUNK - _HASH_WINDOW - 1
    n, start, ends = len(data), 0, []
    view = memoryview(data)
    while start < n:
        i = start + min(skip, n - start)
        read_end = min(n, i + MAX_CHUNK)
        h, cut = 0, None
        for offset, byte in enumerate(view[i:read_end], i + 1):
            h = ((h << 1) + table[byte]) & m64
            if not h & mask and offset - start >= MIN_CHUNK:
                cut = offset
                break
        if cut is None:
            cut = read_end
        cut = min(cut, start + MAX_CHUNK)
        ends.append(cut)
        start = cut
    return ends


# -- compression -------------------------------------------------------------------------------------------------------
NONE, LZ4, BG4_LZ4 = 0, 1, 2
SCHEME_NAMES = {NONE: "none", LZ4: "lz4", BG4_LZ4: "bg4-lz4"}
_P1, _P2, _P3, _P4, _P5 = 2654435761, 2246822519, 3266489917, 668265263, 374761393
_M32 = 0xFFFFFFFF


def _rotl32(x: int, r: int) -> int:
    return ((x << r) | (x >> (32 - r))) & _M32


def xxh32(data: bytes, seed: int = 0) -> int:
    """xxHash32 (the LZ4 frame header checksum)."""
    n, i = len(data), 0
    if n >= 16:
        v = [(seed + _P1 + _P2) & _M32, (seed + _P2) & _M32, seed & _M32, (seed - _P1) & _M32]
        while i + 16 <= n:
            for lane in range(4):
                word = int.from_bytes(data[i:i + 4], "little")
                v[lane] = (_rotl32((v[lane] + word * _P2) & _M32, 13) * _P1) & _M32
                i += 4
        h = (_rotl32(v[0], 1) + _rotl32(v[1], 7) + _rotl32(v[2], 12) + _rotl32(v[3], 18)) & _M32
    else:
        h = (seed + _P5) & _M32
    h = (h + n) & _M32
    while i + 4 <= n:
        h = (_rotl32((h + int.from_bytes(data[i:i + 4], "little") * _P3) & _M32, 17) * _P4) & _M32
        i += 4
    while i < n:
        h = (_rotl32((h + data[i] * _P5) & _M32, 11) * _P1) & _M32
        i += 1
    h ^= h >> 15
    h = (h * _P2) & _M32
    h ^= h >> 13
    h = (h * _P3) & _M32
    return h ^ (h >> 16)


def _lengths(value: int) -> bytes:
    """LZ4's length continuation bytes for a length field that overflowed its nibble (value = length - 15)."""
    return b"\xff" * (value // 255) + bytes([value % 255])


def lz4_block_compress(src: bytes) -> bytes:
    """An LZ4 block (greedy, 4-byte hash matches, offsets up to 65535; the last 5 bytes are literals and no match
    starts in the last 12 bytes, as the format requires)."""
    n = len(src)
    out = bytearray()
    anchor = i = 0
    limit = n - 12
    table: dict = {}
    while i < limit:
        key = src[i:i + 4]
        ref = table.get(key)
        table[key] = i
        if ref is None or i - ref > 65535:
            i += 1
            continue
        m, max_m = 4, n - 5 - i
        while m + 16 <= max_m and src[ref + m:ref + m + 16] == src[i + m:i + m + 16]:
            m += 16
        while m < max_m and src[ref + m] == src[i + m]:
            m += 1
        literals = i - anchor
        token = (min(literals, 15) << 4) | min(m - 4, 15)
        out.append(token)
        if literals >= 15:
            out += _lengths(literals - 15)
        out += src[anchor:i]
        out += (i - ref).to_bytes(2, "little")
        if m - 4 >= 15:
            out += _lengths(m - 4 - 15)
        for j in range(i + 1, min(i + m, limit), max(1, m // 8)):  # a few positions inside the match, for later ones
            table[src[j:j + 4]] = j
        i += m
        anchor = i
    literals = n - anchor
    out.append(min(literals, 15) << 4)
    if literals >= 15:
        out += _lengths(literals - 15)
    out += src[anchor:]
    return bytes(out)


def lz4_block_decompress(src: bytes) -> bytes:
    out = bytearray()
    i, n = 0, len(src)
    while i < n:
        token = src[i]
        i += 1
        literals = token >> 4
        if literals == 15:
            while True:
                extra = src[i]
                i += 1
                literals += extra
                if extra != 255:
                    break
        out += src[i:i + literals]
        i += literals
        if i >= n:
            break
        offset = src[i] | (src[i + 1] << 8)
        i += 2
        length = token & 15
        if length == 15:
            while True:
                extra = src[i]
                i += 1
                length += extra
                if extra != 255:
                    break
        length += 4
        if offset == 0 or offset > len(out):
            raise ValueError("LZ4: bad match offset")
        start = len(out) - offset
        if offset >= length:
            out += out[start:start + length]
        else:
            for k in range(length):
                out.append(out[start + k])
    return bytes(out)


_LZ4_MAGIC = b"\x04\x22\x4d\x18"
_LZ4_FLG = 0x60  # version 01, independent blocks, no checksums, no content size
_LZ4_BD = 0x40  # 64 KiB maximum block size
_LZ4_BLOCK = 64 * 1024


def lz4_frame_compress(data: bytes) -> bytes:
    """An LZ4 frame (what xet-core's lz4_flex FrameEncoder writes and its FrameDecoder reads)."""
    descriptor = bytes([_LZ4_FLG, _LZ4_BD])
    out = bytearray(_LZ4_MAGIC + descriptor + bytes([(xxh32(descriptor) >> 8) & 0xFF]))
    for start in range(0, len(data), _LZ4_BLOCK):
        block = data[start:start + _LZ4_BLOCK]
        packed = lz4_block_compress(block)
        if len(packed) < len(block):
            out += struct.pack("<I", len(packed)) + packed
        else:
            out += struct.pack("<I", len(block) | 0x80000000) + block
    out += b"\0\0\0\0"
    return bytes(out)


def lz4_frame_decompress(frame: bytes) -> bytes:
    if frame[:4] != _LZ4_MAGIC:
        raise ValueError("not an LZ4 frame")
    flg = frame[4]
    i = 7 + (8 if flg & 0x08 else 0)
    if (xxh32(frame[4:i - 1]) >> 8) & 0xFF != frame[i - 1]:
        raise ValueError("LZ4 frame: bad header checksum")
    out = bytearray()
    while True:
        size = struct.unpack_from("<I", frame, i)[0]
        i += 4
        if size == 0:
            return bytes(out)
        raw, size = size & 0x80000000, size & 0x7FFFFFFF
        block = frame[i:i + size]
        out += block if raw else lz4_block_decompress(block)
        i += size + (4 if flg & 0x10 else 0)


def bg4_split(data: bytes) -> bytes:
    """Byte grouping 4: all bytes 0 mod 4, then 1 mod 4, 2 mod 4, 3 mod 4."""
    return b"".join(data[k::4] for k in range(4))


def bg4_regroup(grouped: bytes) -> bytes:
    n = len(grouped)
    out = bytearray(n)
    start = 0
    for k in range(4):
        size = (n - k + 3) // 4
        out[k::4] = grouped[start:start + size]
        start += size
    return bytes(out)


def compress_chunk(data: bytes, scheme: int | None = None) -> tuple[int, bytes]:
    """(scheme, bytes) for one chunk. Without a `scheme`: none for data that does not compress (zlib level 1 as a cheap
    probe), otherwise the smaller of LZ4 and BG4-LZ4. Like xet-core, a compressed form that is not smaller is stored
    uncompressed."""
    if scheme is None:
        if len(zlib.compress(data, 1)) > 0.95 * len(data):
            return NONE, data
        candidates = [(LZ4, lz4_frame_compress(data)), (BG4_LZ4, lz4_frame_compress(bg4_split(data)))]
        scheme, packed = min(candidates, key=lambda c: len(c[1]))
    else:
        packed = {NONE: lambda d: d, LZ4: lz4_frame_compress,
                  BG4_LZ4: lambda d: lz4_frame_compress(bg4_split(d))}[scheme](data)
    if scheme != NONE and len(packed) >= len(data):
        return NONE, data
    return scheme, packed


def decompress_chunk(scheme: int, packed: bytes) -> bytes:
    if scheme == NONE:
        return packed
    if scheme == LZ4:
        return lz4_frame_decompress(packed)
    if scheme == BG4_LZ4:
        return bg4_regroup(lz4_frame_decompress(packed))
    raise ValueError(f"unknown compression scheme {scheme}")


# -- xorbs -------------------------------------------------------------------------------------------------------------
def chunk_header(scheme: int, compressed_length: int, uncompressed_length: int) -> bytes:
    return (bytes([0]) + compressed_length.to_bytes(3, "little") + bytes([scheme])
            + uncompressed_length.to_bytes(3, "little"))


def xorb_footer(digest: bytes, hashes: list[bytes], boundaries: list[int], unpacked: list[int]) -> bytes:
    """The V1 xorb footer (XorbObjectInfoV1) followed by its length as u32."""
    n = len(hashes)
    boundary_from_end = 7 + 1 + 4 + 4 * n + 4 * n + 4 + 4 + 4 + 16
    hashes_from_end = 7 + 1 + 4 + 32 * n + boundary_from_end
    info = b"".join([
        b"XETBLOB", bytes([1]), digest,
        b"XBLBHSH", bytes([0]), struct.pack("<I", n), *hashes,
        b"XBLBBND", bytes([1]), struct.pack("<I", n), struct.pack(f"<{n}I", *boundaries),
        struct.pack(f"<{n}I", *unpacked),
        struct.pack("<III", n, hashes_from_end, boundary_from_end), bytes(16),
    ])
    return info + struct.pack("<I", len(info))


def parse_xorb(blob: bytes) -> dict:
    """Read a serialized xorb back: footer fields and the decompressed chunks (for tests and checks)."""
    info_length = struct.unpack_from("<I", blob, len(blob) - 4)[0]
    info = blob[len(blob) - 4 - info_length:len(blob) - 4]
    if info[:7] != b"XETBLOB" or info[7] != 1:
        raise ValueError("not a V1 xorb footer")
    digest = info[8:40]
    n = struct.unpack_from("<I", info, 48)[0]
    hashes = [info[52 + 32 * k:84 + 32 * k] for k in range(n)]
    pos = 52 + 32 * n
    if info[pos:pos + 7] != b"XBLBBND":
        raise ValueError("xorb footer: no boundary section")
    boundaries = list(struct.unpack_from(f"<{n}I", info, pos + 12))
    unpacked = list(struct.unpack_from(f"<{n}I", info, pos + 12 + 4 * n))
    chunks, schemes, offset = [], [], 0
    for end in boundaries:
        header = blob[offset:offset + 8]
        compressed = int.from_bytes(header[1:4], "little")
        schemes.append(header[4])
        chunks.append(decompress_chunk(header[4], blob[offset + 8:offset + 8 + compressed]))
        if int.from_bytes(header[5:8], "little") != len(chunks[-1]) or offset + 8 + compressed != end:
            raise ValueError("xorb: chunk header does not match its data")
        offset = end
    return {"hash": digest, "hashes": hashes, "boundaries": boundaries, "unpacked": unpacked, "chunks": chunks,
            "schemes": schemes, "footer_start": len(blob) - 4 - info_length}


# -- the store ---------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class XorbInfo:
    """Where a xorb's chunks are: `boundaries[k]` is the end of chunk k (header included) in the serialized xorb."""

    hash: str
    boundaries: tuple[int, ...]
    unpacked: tuple[int, ...]  # end of chunk k in the concatenated uncompressed chunks

    def byte_range(self, first: int, end: int) -> tuple[int, int]:
        """Serialized bytes [start, last] (inclusive, as HTTP ranges are) of chunks [first, end)."""
        return (self.boundaries[first - 1] if first else 0), self.boundaries[end - 1] - 1


@dataclass(frozen=True)
class XetTerm:
    """A run of consecutive chunks of one xorb, placed at `offset` in the file."""

    xorb: str
    start: int
    end: int
    offset: int
    sizes: tuple[int, ...]  # uncompressed size of each chunk of the run

    @property
    def length(self) -> int:
        return sum(self.sizes)


@dataclass(frozen=True)
class XetFile:
    hash: str
    size: int
    sha256: str
    terms: tuple[XetTerm, ...]


def _terms(chunks: list) -> tuple[XetTerm, ...]:
    terms, offset = [], 0
    for _, size, xorb, index in chunks:
        last = terms[-1] if terms else None
        if last and last.xorb == xorb and last.end == index:
            terms[-1] = XetTerm(xorb, last.start, index + 1, last.offset, last.sizes + (size,))
        else:
            terms.append(XetTerm(xorb, index, index + 1, offset, (size,)))
        offset += size
    return tuple(terms)


class XetStore:
    """Xorbs (`xorbs/<xorb hash>`, the serialized xorb) and file reconstructions (`files/<sha256>.json`: size, file
    hash and each chunk's (hash, size, xorb, index)) under `directory`. New chunks are deduplicated against every chunk
    of every file already stored, and against earlier chunks of the same file."""

    def __init__(self, directory: Path):
        self.directory = Path(directory)
        self.xorb_dir = self.directory / "xorbs"
        self.file_dir = self.directory / "files"
        self.xorb_dir.mkdir(parents=True, exist_ok=True)
        self.file_dir.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._chunks: dict[str, tuple[str, int]] | None = None  # chunk hash -> (xorb hash, index), loaded lazily
        self._xorbs: dict[str, XorbInfo] = {}
        self.files: dict[str, XetFile] = {}  # file hash -> file, for every file ingested by this process

    def xorb_path(self, xorb: str) -> Path:
        return self.xorb_dir / xorb

    def xorb(self, xorb: str) -> XorbInfo:
        with self._lock:
            known = self._xorbs.get(xorb)
        if known:
            return known
        with open(self.xorb_path(xorb), "rb") as f:
            f.seek(-4, os.SEEK_END)
            info_length = struct.unpack("<I", f.read(4))[0]
            f.seek(-4 - info_length, os.SEEK_END)
            info = f.read(info_length)
        n = struct.unpack_from("<I", info, 48)[0]
        pos = 52 + 32 * n + 12
        result = XorbInfo(xorb, struct.unpack_from(f"<{n}I", info, pos),
                          struct.unpack_from(f"<{n}I", info, pos + 4 * n))
        with self._lock:
            self._xorbs[xorb] = result
        return result

    def _load_chunk_index(self) -> dict:
        if self._chunks is None:
            self._chunks = {}
            for record in sorted(self.file_dir.glob("*.json")):
                for digest, _, xorb, index in json.loads(record.read_text())["chunks"]:
                    self._chunks.setdefault(digest, (xorb, index))
        return self._chunks

    def ingest(self, source: Path, sha256: str) -> XetFile:
        """The Xet form of the file `source` (content sha256 `sha256`), built on first use."""
        record_path = self.file_dir / f"{sha256}.json"
        with self._lock:
            if not record_path.exists():
                record = self._build(Path(source), sha256)
                tmp = record_path.with_suffix(f".{os.getpid()}.tmp")
                tmp.write_text(json.dumps(record))
                os.replace(tmp, record_path)
            else:
                record = json.loads(record_path.read_text())
            xet_file = XetFile(record["hash"], record["size"], sha256, _terms(record["chunks"]))
            self.files[xet_file.hash] = xet_file
        return xet_file

    def _build(self, source: Path, sha256: str) -> dict:
        index = self._load_chunk_index()
        data = source.read_bytes()
        chunks, pending = [], _XorbBuilder()
        start = 0
        for end in chunk_boundaries(data):
            piece = data[start:end]
            digest = chunk_hash(piece)
            hex_digest = xet_hex(digest)
            where = index.get(hex_digest) or pending.position(hex_digest)
            if where is None:
                if pending.full(len(piece)):
                    self._seal(pending, index, chunks)
                    pending = _XorbBuilder()
                where = pending.add(hex_digest, digest, piece)
            chunks.append([hex_digest, len(piece), where[0], where[1], digest])
            start = end
        self._seal(pending, index, chunks)
        return {"size": len(data), "sha256": sha256,
                "hash": xet_hex(file_hash([(c[4], c[1]) for c in chunks])),
                "chunks": [c[:4] for c in chunks]}

    def _seal(self, pending: "_XorbBuilder", index: dict, chunks: list) -> None:
        """Write the pending xorb under its hash and point the chunks that wait for it at it."""
        if not pending.hashes:
            return
        name, blob = pending.serialize()
        path = self.xorb_path(name)
        if not path.exists():
            tmp = path.with_name(f"{name}.{os.getpid()}.tmp")
            tmp.write_bytes(blob)
            os.replace(tmp, path)
        for k, hex_digest in enumerate(pending.hex_hashes):
            index.setdefault(hex_digest, (name, k))
        for chunk in chunks:
            if chunk[2] is pending:
                chunk[2] = name


class _XorbBuilder:
    def __init__(self):
        self.hashes: list[bytes] = []
        self.hex_hashes: list[str] = []
        self.pieces: list[bytes] = []
        self.size = 0
        self._positions: dict[str, int] = {}

    def position(self, hex_digest: str):
        k = self._positions.get(hex_digest)
        return None if k is None else (self, k)

    def full(self, extra: int) -> bool:
        return len(self.hashes) >= MAX_XORB_CHUNKS or self.size + extra + 8 > MAX_XORB_BYTES

    def add(self, hex_digest: str, digest: bytes, piece: bytes):
        self._positions[hex_digest] = len(self.hashes)
        self.hashes.append(digest)
        self.hex_hashes.append(hex_digest)
        self.pieces.append(piece)
        self.size += len(piece) + 8
        return self, len(self.hashes) - 1

    def serialize(self) -> tuple[str, bytes]:
        digest = xorb_hash([(h, len(p)) for h, p in zip(self.hashes, self.pieces)])
        body, boundaries, unpacked, total = bytearray(), [], [], 0
        for piece in self.pieces:
            scheme, packed = compress_chunk(piece)
            body += chunk_header(scheme, len(packed), len(piece)) + packed
            boundaries.append(len(body))
            total += len(piece)
            unpacked.append(total)
        return xet_hex(digest), bytes(body) + xorb_footer(digest, self.hashes, boundaries, unpacked)
