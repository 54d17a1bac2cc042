"""Sample repos for the demo, the tests and the benchmarks, generated at run time with deterministic content.

`build_samples(root)` writes `root/repos.json`, the sources under `root/sources/`, and `root/state.json` with fresh
tokens (returned, never printed). `add_benchmark_repo(root, ...)` adds a repo of N small files and one file of S bytes.
"""
import hashlib
import json
import os
import random
import secrets
import string
import struct
from dataclasses import dataclass
from pathlib import Path

from .repos import SEED_MARKER_PREFIX
from .safetensors import header_bytes

MIB = 1024 * 1024
# Above the default 1 MiB LFS threshold, and above huggingface_hub's 10 MiB download chunk so that a connection
# dropped past the first chunk is resumed with a Range request.
DEFAULT_MODEL_SIZE = 12 * MIB + 4096

USERS = {
    "alice": {"fullname": "Alice Example", "email": "alice@example.com",
              "orgs": [{"name": "hubkernel-testers", "fullname": "HubKernel Testers"}]},
    "bob": {"fullname": "Bob Example", "email": "bob@example.com", "orgs": []},
    "carol": {"fullname": "Carol Example", "email": "carol@example.com", "orgs": []},
}
# role name (as tests ask for it) -> token owner, display name, token role
TOKEN_ROLES = {
    "read": ("alice", "alice-read", "read"),
    "write": ("alice", "alice-write", "write"),
    "fine": ("alice", "alice-fine", "fineGrained"),
    "unapproved": ("bob", "bob-read", "read"),
    "pending": ("carol", "carol-read", "read"),  # asked for demo/gated-model's access; the request awaits review
}


@dataclass(frozen=True)
class SampleSet:
    root: Path
    state: Path
    tokens: dict[str, str]  # role name -> token


def new_token() -> str:
    """A fresh fake token shaped like a real user access token: `hf_` + 34 letters (the shape `%token_scan` finds)."""
    return "hf_" + "".join(secrets.choice(string.ascii_letters) for _ in range(34))


def deterministic_bytes(seed: str, size: int) -> bytes:
    """`size` pseudo-random bytes that depend only on `seed` (small sizes only; see `write_deterministic`)."""
    out = bytearray()
    counter = 0
    while len(out) < size:
        out += hashlib.sha256(f"{seed}:{counter}".encode()).digest()
        counter += 1
    return bytes(out[:size])


def _atomic_write(path: Path, data: bytes) -> None:
    """Write via a new inode so hard-linked blobs of an older version are never changed in place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def write_deterministic(path: Path, seed: str, size: int, prefix: bytes = b"", unique: bool = False) -> None:
    """Write `prefix` then deterministic bytes up to `size` bytes, 1 MiB at a time (fast for GiB files). The 1 MiB
    blocks differ only in their first 32 bytes, so Xet would deduplicate them; `unique` writes bytes that never repeat
    (a seeded PRNG), incompressible like real weights."""
    marker = path.with_name(SEED_MARKER_PREFIX + path.name)
    tag = seed + ("/unique" if unique else "")
    if path.exists() and path.stat().st_size == size and marker.exists() and marker.read_text() == tag:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    base = bytearray(deterministic_bytes(seed, MIB))
    generator = random.Random(tag)
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "wb") as f:
        f.write(prefix)
        written, block = len(prefix), 0
        while written < size:
            if unique:
                chunk = generator.randbytes(min(MIB, size - written))
            else:
                base[:32] = hashlib.sha256(f"{seed}/{block}".encode()).digest()
                chunk = bytes(base[: min(MIB, size - written)])
            f.write(chunk)
            written, block = written + len(chunk), block + 1
    os.replace(tmp, path)
    _atomic_write(marker, tag.encode())


def write_safetensors(path: Path, seed: str, size: int) -> None:
    """A valid safetensors file of exactly `size` bytes holding one uint8 tensor."""
    def header_for(data_len: int) -> bytes:
        meta = {"__metadata__": {"format": "pt"},
                "weight": {"dtype": "U8", "shape": [data_len], "data_offsets": [0, data_len]}}
        return json.dumps(meta, separators=(",", ":")).encode()

    data_len = size - 8 - len(header_for(size))
    header = header_for(data_len).ljust(size - 8 - data_len)  # pad with spaces (allowed) to hit `size` exactly
    write_deterministic(path, seed, size, struct.pack("<Q", len(header)) + header)


def write_tensors(path: Path, seed: str, tensors: list[tuple[str, str, list[int]]], metadata: dict | None = None) -> None:
    """A safetensors file holding `tensors` [(name, dtype, shape)] filled with deterministic bytes."""
    header, data_len = header_bytes(tensors, metadata)
    write_deterministic(path, seed, len(header) + data_len, header)


def _text(path: Path, text: str) -> None:
    data = text.encode()
    if not path.exists() or path.read_bytes() != data:
        _atomic_write(path, data)


def _config(version: str, hidden: int) -> str:
    return json.dumps({"model_type": "tiny", "hidden_size": hidden, "num_layers": 2, "version": version}, indent=2)


def _tiny_model(src: Path, model_size: int) -> list[dict]:
    main, v1, pr = src / "main", src / "v1.0", src / "pr1"
    for folder, version in ((main, "1.1"), (v1, "1.0"), (pr, "1.2-pr")):
        _text(folder / "config.json", _config(version, 64 if version != "1.0" else 32) + "\n")
        _text(folder / "README.md", f"---\nlicense: mit\n---\n# tiny-model ({version})\nA tiny model for HubKernel.\n")
    tokenizer = {"version": "1.0", "model": {"type": "WordLevel", "vocab": {f"tok{i}": i for i in range(64)}}}
    for folder in (main, v1, pr):
        _text(folder / "tokenizer.json", json.dumps(tokenizer, indent=1) + "\n")
    _text(main / "nested" / "params.json", json.dumps({"dropout": 0.1}) + "\n")
    _text(main / "nested" / "deeper" / "notes.txt", "Nested two levels deep.\n")
    _text(main / "docs" / "naïve café 日本語.txt", "A file whose name has spaces and unicode.\n")
    _text(pr / "nested" / "params.json", json.dumps({"dropout": 0.2, "from": "refs/pr/1"}) + "\n")
    write_safetensors(main / "model.safetensors", "tiny-model/main", model_size)
    write_safetensors(v1 / "model.safetensors", "tiny-model/v1.0", model_size // 2)
    write_safetensors(pr / "model.safetensors", "tiny-model/pr1", model_size + 1024)
    return [{"name": "v1.0", "kind": "tag", "dir": "sources/tiny-model/v1.0"},
            {"name": "main", "dir": "sources/tiny-model/main"},
            {"name": "refs/pr/1", "kind": "pr", "dir": "sources/tiny-model/pr1"}]


def _single(src: Path, files: dict[str, str], lfs: dict[str, int] | None = None, seed: str = "") -> list[dict]:
    for name, text in files.items():
        _text(src / name, text)
    for name, size in (lfs or {}).items():
        write_deterministic(src / name, f"{seed}/{name}", size)
    return [{"name": "main", "dir": src.relative_to(src.parents[1]).as_posix()}]


_CARD = "---\nlicense: {license}\nlibrary_name: transformers\npipeline_tag: text-generation\ntags:\n- {tag}\n- hubkernel-sample\n---\n# {name}\n"
_TOKENIZER = {"tokenizer.json": json.dumps({"version": "1.0", "model": {"type": "WordLevel", "vocab": {"a": 0}}}) + "\n",
              "tokenizer_config.json": json.dumps({"model_max_length": 512}) + "\n",
              "special_tokens_map.json": json.dumps({"eos_token": "</s>"}) + "\n"}


def _layer(index: int, hidden: int, dtype: str) -> list[tuple[str, str, list[int]]]:
    prefix = f"model.layers.{index}"
    return [(f"{prefix}.attn.weight", dtype, [hidden, hidden]), (f"{prefix}.mlp.weight", dtype, [hidden, 2 * hidden]),
            (f"{prefix}.norm.weight", "F32", [hidden])]


def _safetensors_model(src: Path) -> list[dict]:
    """One `model.safetensors` (LFS) mixing F32, F16, BF16 and I64 tensors, with a model card and a tokenizer."""
    files = {"config.json": _config("safetensors", 256) + "\n", **_TOKENIZER,
             "README.md": _CARD.format(license="apache-2.0", tag="text-generation", name="safetensors-model")}
    revision = _single(src, files)
    tensors = [("embed.weight", "F16", [512, 256]), *_layer(0, 256, "BF16"), *_layer(1, 256, "F32"),
               ("position_ids", "I64", [1, 512])]
    write_tensors(src / "model.safetensors", "safetensors-model", tensors, {"format": "pt"})
    return revision


def write_sharded(folder: Path, seed: str, shards: int, layers_per_shard: int, hidden: int) -> None:
    """`shards` files `model-0000i-of-0000n.safetensors` and the `model.safetensors.index.json` naming them."""
    weight_map, total = {}, 0
    for shard in range(shards):
        name = f"model-{shard + 1:05d}-of-{shards:05d}.safetensors"
        tensors = [t for layer in range(layers_per_shard) for t in
                   _layer(shard * layers_per_shard + layer, hidden, "BF16" if shard % 2 == 0 else "F16")]
        if shard == 0:
            tensors.insert(0, ("embed.weight", "F32", [256, hidden]))
        header, data_len = header_bytes(tensors, {"format": "pt"})
        total += data_len
        weight_map.update({tensor[0]: name for tensor in tensors})
        write_tensors(folder / name, f"{seed}/{name}", tensors, {"format": "pt"})
    index = {"metadata": {"total_size": total}, "weight_map": dict(sorted(weight_map.items()))}
    _text(folder / "model.safetensors.index.json", json.dumps(index, indent=2) + "\n")


def _sharded_model(src: Path) -> list[dict]:
    """Three shards and their index (BF16, F16 and F32 tensors), a model card and a tokenizer."""
    files = {"config.json": _config("sharded", 256) + "\n", **_TOKENIZER,
             "README.md": _CARD.format(license="mit", tag="sharded", name="sharded-model")}
    revision = _single(src, files)
    write_sharded(src, "sharded-model", shards=3, layers_per_shard=3, hidden=256)
    return revision


def add_sharded_benchmark_repo(root, repo_id: str = "bench/sharded-30", shards: int = 30, layers_per_shard: int = 4,
                               hidden: int = 512) -> dict:
    """A sharded safetensors model of `shards` LFS shards (each a few MiB) for the %info benchmark."""
    root = Path(root)
    folder = root / "sources" / "bench" / repo_id.replace("/", "--")
    _text(folder / "config.json", _config("bench-sharded", hidden) + "\n")
    write_sharded(folder, repo_id, shards, layers_per_shard, hidden)
    spec = {"type": "model", "id": repo_id, "revisions": [{"name": "main", "dir": folder.relative_to(root).as_posix()}]}
    _write_manifest(root, [spec])
    return spec


def _hostile(src: Path) -> list[dict]:
    """A repo whose listings are unsafe: `main` lists `../../escape.txt`, branch `absolute` lists `/abs.txt`."""
    main = _single(src, {"config.json": _config("hostile", 8) + "\n"})[0]
    return [{**main, "hostile_paths": {"../../escape.txt": "config.json"}},
            {"name": "absolute", "dir": main["dir"], "hostile_paths": {"/abs.txt": "config.json"}}]


def _write_manifest(root: Path, repos: list[dict], lfs_threshold: int | None = None) -> None:
    path = root / "repos.json"
    manifest = json.loads(path.read_text()) if path.exists() else {"lfs_threshold": MIB, "repos": []}
    if lfs_threshold is not None:
        manifest["lfs_threshold"] = lfs_threshold
    keep = [r for r in manifest["repos"] if (r["type"], r["id"]) not in {(n["type"], n["id"]) for n in repos}]
    manifest["repos"] = keep + repos
    _atomic_write(path, json.dumps(manifest, indent=2, ensure_ascii=False).encode())


def _gated_model(src: Path) -> list[dict]:
    """A gated model whose weights are a real safetensors file (an LFS file just over 1 MiB), so `%info` counts its
    parameters once access is granted."""
    revisions = _single(src, {"config.json": _config("gated", 16) + "\n", "README.md": "# gated-model\nAsk for access.\n"})
    write_safetensors(src / "model.safetensors", "gated-model/weights", MIB + 512)
    return revisions


def build_samples(root, model_size: int = DEFAULT_MODEL_SIZE) -> SampleSet:
    """Build every sample repo under `root` and a state file with fresh tokens for each role of TOKEN_ROLES."""
    root = Path(root)
    src = root / "sources"
    repos = [
        {"type": "model", "id": "demo/tiny-model", "aliases": ["demo/old-tiny-model"], "revisions": _tiny_model(src / "tiny-model", model_size)},
        {"type": "model", "id": "demo/gated-model", "gated": "manual", "approved": ["alice"], "pending": ["carol"],
         "revisions": _gated_model(src / "gated-model")},
        {"type": "dataset", "id": "demo/tiny-dataset",
         "revisions": _single(src / "tiny-dataset", {
             "README.md": "# tiny-dataset\n",
             "data/train.csv": "text,label\n" + "".join(f"row {i},{i % 2}\n" for i in range(200)),
             "data/test.csv": "text,label\n" + "".join(f"test {i},{i % 2}\n" for i in range(50))})},
        {"type": "space", "id": "demo/tiny-space",
         "revisions": _single(src / "tiny-space", {"README.md": "---\nsdk: static\n---\n# tiny-space\n",
                                                   "index.html": "<h1>tiny-space</h1>\n"})},
        {"type": "model", "id": "alice/private-model", "private": True,
         "revisions": _single(src / "private-model", {"config.json": _config("private", 8) + "\n",
                                                      "secret.txt": "only alice can read this\n"})},
        {"type": "model", "id": "demo/disabled-model", "disabled": True,
         "revisions": _single(src / "disabled-model", {"config.json": _config("disabled", 8) + "\n"})},
        {"type": "model", "id": "demo/hostile-model", "revisions": _hostile(src / "hostile-model")},
        {"type": "model", "id": "demo/safetensors-model", "revisions": _safetensors_model(src / "safetensors-model")},
        {"type": "model", "id": "demo/sharded-model", "revisions": _sharded_model(src / "sharded-model")},
    ]
    _write_manifest(root, repos)
    tokens = {role: new_token() for role in TOKEN_ROLES}
    state = {"roles": tokens,  # role name -> token, for tools outside pytest (the server ignores this key)
             "users": USERS,
             "tokens": {tokens[role]: {"user": user, "displayName": name, "role": kind}
                        for role, (user, name, kind) in TOKEN_ROLES.items()}}
    state_path = root / "state.json"
    _atomic_write(state_path, json.dumps(state, indent=2).encode())
    os.chmod(state_path, 0o600)
    return SampleSet(root=root, state=state_path, tokens=tokens)


def add_benchmark_repo(root, repo_id: str = "bench/repo", *, small_files: int = 100, small_size: int = 1024,
                       large_size: int = 0, repo_type: str = "model", xet: bool = False) -> dict:
    """Add a repo with `small_files` files of `small_size` bytes and, if `large_size`, one `large.bin`; with `xet`,
    its LFS files are Xet-backed (built into xorbs when the Hub loads it) and `large.bin` never repeats itself (no
    chunk to deduplicate, nothing to compress: the xorbs carry as many bytes as the file, as for real weights)."""
    root = Path(root)
    folder = root / "sources" / "bench" / repo_id.replace("/", "--")
    for i in range(small_files):
        path = folder / "files" / f"file_{i:05d}.txt"
        if not path.exists() or path.stat().st_size != small_size:
            _atomic_write(path, deterministic_bytes(f"{repo_id}/{i}", small_size).hex()[:small_size].encode())
    if large_size:
        write_deterministic(folder / "large.bin", f"{repo_id}/large", large_size, unique=xet)
    spec = {"type": repo_type, "id": repo_id, "revisions": [{"name": "main", "dir": folder.relative_to(root).as_posix()}]}
    if xet:
        spec["xet"] = True
    _write_manifest(root, [spec])
    return spec


def xet_sample_bytes(seed: str, size: int = 3 * MIB) -> bytes:
    """Content for Xet tests: random runs (incompressible), a random run repeated later (deduplicated chunks),
    repetitive text (LZ4) and little-endian floats of a smooth curve (byte grouping 4 + LZ4)."""
    random_part = deterministic_bytes(f"{seed}/random", size // 3)
    text = b"".join(b"row %05d: the same few words, again and again\n" % (i % 997) for i in range(size // 6 // 47 + 1))
    floats = struct.pack(f"<{size // 6 // 4}f", *(1.0 + (i % 5000) / 5000.0 for i in range(size // 6 // 4)))
    data = random_part + text[: size // 6] + floats + random_part[: size // 4]
    return (data + deterministic_bytes(f"{seed}/tail", size))[:size]


def add_xet_repos(root, size: int = 3 * MIB) -> list[dict]:
    """Add `demo/xet-model` (public) and `demo/xet-gated-model` (gated, approved: alice), both `"xet": true`, with
    `model.bin` (`xet_sample_bytes`, Xet-backed) and a small README.md. Call `LocalHub.reload()` (or
    `POST /_admin/reload`) afterwards; the first build hashes with pure-Python BLAKE3 (~1 MB/s)."""
    root = Path(root)
    folder = root / "sources" / "xet" / "main"
    path = folder / "model.bin"
    if not path.exists() or path.stat().st_size != size:
        _atomic_write(path, xet_sample_bytes("demo/xet-model", size))
    _atomic_write(folder / "README.md", b"---\nlicense: mit\n---\n# A Xet-backed model\n")
    revisions = [{"name": "main", "dir": folder.relative_to(root).as_posix()}]
    specs = [{"type": "model", "id": "demo/xet-model", "xet": True, "revisions": revisions},
             {"type": "model", "id": "demo/xet-gated-model", "xet": True, "gated": "manual", "approved": ["alice"],
              "revisions": revisions}]
    _write_manifest(root, specs)
    return specs
