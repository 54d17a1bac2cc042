"""BLAKE3 in pure Python (hashlib has no BLAKE3): plain and keyed hashing, 32-byte output, as Xet's merkle hashes use
it. The compression function is generated as straight-line code (7 rounds unrolled, locals only), which makes it about
as fast as CPython allows: roughly 1-2 MB/s, so callers cache what they hash (see xet.py). When the `blake3` package
(requirements-dev.txt) is installed, `blake3` and `keyed_blake3` use it instead (the benchmarks' 256 MiB Xet file would
take minutes here); `pure_blake3` / `pure_keyed_blake3` are always this file's own code, and the tests check both."""
import struct

try:
    import blake3 as _native
except ImportError:  # the pure-Python code below serves
    _native = None

IV = (0x6A09E667, 0xBB67AE85, 0x3C6EF372, 0xA54FF53A, 0x510E527F, 0x9B05688C, 0x1F83D9AB, 0x5BE0CD19)
_PERMUTATION = (2, 6, 3, 10, 7, 0, 4, 13, 1, 11, 12, 5, 9, 14, 15, 8)
CHUNK_START, CHUNK_END, PARENT, ROOT, KEYED_HASH = 1, 2, 4, 8, 16
BLOCK_LEN, CHUNK_LEN = 64, 1024
_WORDS16 = struct.Struct("<16I")


def _generate_compress():
    """Source of `compress(cv, m, counter, block_len, flags) -> 16 words`, every G call inlined."""
    order = list(range(16))
    lines = ["def compress(cv, m, counter, block_len, flags):",
             "    v0, v1, v2, v3, v4, v5, v6, v7 = cv",
             "    v8, v9, v10, v11 = 0x6A09E667, 0xBB67AE85, 0x3C6EF372, 0xA54FF53A",
             "    v12, v13, v14, v15 = counter & 0xFFFFFFFF, counter >> 32, block_len, flags",
             "    m0, m1, m2, m3, m4, m5, m6, m7, m8, m9, m10, m11, m12, m13, m14, m15 = m"]

    def g(a, b, c, d, x, y):
        a, b, c, d = f"v{a}", f"v{b}", f"v{c}", f"v{d}"
        return [f"    {a} = ({a} + {b} + m{x}) & 0xFFFFFFFF",
                f"    {d} ^= {a}; {d} = (({d} >> 16) | ({d} << 16)) & 0xFFFFFFFF",
                f"    {c} = ({c} + {d}) & 0xFFFFFFFF",
                f"    {b} ^= {c}; {b} = (({b} >> 12) | ({b} << 20)) & 0xFFFFFFFF",
                f"    {a} = ({a} + {b} + m{y}) & 0xFFFFFFFF",
                f"    {d} ^= {a}; {d} = (({d} >> 8) | ({d} << 24)) & 0xFFFFFFFF",
                f"    {c} = ({c} + {d}) & 0xFFFFFFFF",
                f"    {b} ^= {c}; {b} = (({b} >> 7) | ({b} << 25)) & 0xFFFFFFFF"]

    for _ in range(7):
        s = order
        lines += g(0, 4, 8, 12, s[0], s[1]) + g(1, 5, 9, 13, s[2], s[3]) + g(2, 6, 10, 14, s[4], s[5])
        lines += g(3, 7, 11, 15, s[6], s[7]) + g(0, 5, 10, 15, s[8], s[9]) + g(1, 6, 11, 12, s[10], s[11])
        lines += g(2, 7, 8, 13, s[12], s[13]) + g(3, 4, 9, 14, s[14], s[15])
        order = [order[p] for p in _PERMUTATION]
    lines.append("    return (v0 ^ v8, v1 ^ v9, v2 ^ v10, v3 ^ v11, v4 ^ v12, v5 ^ v13, v6 ^ v14, v7 ^ v15,"
                 " v8 ^ cv[0], v9 ^ cv[1], v10 ^ cv[2], v11 ^ cv[3], v12 ^ cv[4], v13 ^ cv[5], v14 ^ cv[6],"
                 " v15 ^ cv[7])")
    namespace: dict = {}
    exec("\n".join(lines), namespace)  # generated from the fixed template above, no outside input
    return namespace["compress"]


compress = _generate_compress()


def _chunk_output(key: tuple, chunk: bytes, counter: int, flags: int):
    """The last block's compression inputs of one chunk (cv, block words, block length, flags)."""
    cv = key
    blocks = max(1, -(-len(chunk) // BLOCK_LEN))
    for i in range(blocks):
        block = chunk[i * BLOCK_LEN:(i + 1) * BLOCK_LEN]
        block_flags = flags | (CHUNK_START if i == 0 else 0)
        words = _WORDS16.unpack(block.ljust(BLOCK_LEN, b"\0"))
        if i == blocks - 1:
            return cv, words, counter, len(block), block_flags | CHUNK_END
        cv = compress(cv, words, counter, BLOCK_LEN, block_flags)[:8]


def _hash(key: tuple, data: bytes, flags: int) -> bytes:
    n_chunks = max(1, -(-len(data) // CHUNK_LEN))
    if n_chunks == 1:
        cv, words, counter, block_len, block_flags = _chunk_output(key, data, 0, flags)
        return struct.pack("<8I", *compress(cv, words, counter, block_len, block_flags | ROOT)[:8])
    cvs = []
    for i in range(n_chunks):
        chunk = data[i * CHUNK_LEN:(i + 1) * CHUNK_LEN]
        cv, words, counter, block_len, block_flags = _chunk_output(key, chunk, i, flags)
        cvs.append(compress(cv, words, counter, block_len, block_flags)[:8])

    def subtree(lo: int, hi: int, root: bool) -> tuple:
        if hi - lo == 1:
            return cvs[lo]
        left = 1 << ((hi - lo - 1).bit_length() - 1)  # the largest power of two below the chunk count
        words = subtree(lo, lo + left, False) + subtree(lo + left, hi, False)
        return compress(key, words, 0, BLOCK_LEN, flags | PARENT | (ROOT if root else 0))[:8]

    return struct.pack("<8I", *subtree(0, n_chunks, True))


def pure_blake3(data: bytes) -> bytes:
    return _hash(IV, bytes(data), 0)


def pure_keyed_blake3(key: bytes, data: bytes) -> bytes:
    if len(key) != 32:
        raise ValueError("a BLAKE3 key is 32 bytes")
    return _hash(struct.unpack("<8I", key), bytes(data), KEYED_HASH)


def blake3(data: bytes) -> bytes:
    return _native.blake3(data).digest() if _native else pure_blake3(data)


def keyed_blake3(key: bytes, data: bytes) -> bytes:
    if _native is None or len(key) != 32:
        return pure_keyed_blake3(key, data)
    return _native.blake3(data, key=key).digest()
