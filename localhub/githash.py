"""Git object ids (blob, tree, commit) and Git LFS pointers, computed the way git itself does."""
import hashlib

LFS_POINTER_TEMPLATE = "version https://git-lfs.github.com/spec/v1\noid sha256:{sha256}\nsize {size}\n"

# Fixed author/committer line: commit ids only depend on the content and the message.
_SIGNATURE = "LocalHub <localhub@example.invalid> 1704067200 +0000"


def _object_id(kind: str, payload: bytes) -> str:
    return hashlib.sha1(f"{kind} {len(payload)}\0".encode() + payload).hexdigest()


def blob_oid_of_bytes(data: bytes) -> str:
    """Git blob id of `data` (what `git hash-object` prints)."""
    return _object_id("blob", data)


def blob_oid_header(size: int) -> bytes:
    """The header git hashes in front of a blob of `size` bytes (for streaming hashes)."""
    return f"blob {size}\0".encode()


def lfs_pointer(sha256: str, size: int) -> bytes:
    """The Git LFS pointer file stored in git in place of a large file."""
    return LFS_POINTER_TEMPLATE.format(sha256=sha256, size=size).encode()


def tree_oid(entries: list[tuple[str, str, bool]]) -> str:
    """Git tree id from (name, object id, is_directory) entries, sorted the way git sorts them."""
    def sort_key(entry):
        name, _, is_dir = entry
        return name.encode() + (b"/" if is_dir else b"")

    payload = b""
    for name, oid, is_dir in sorted(entries, key=sort_key):
        payload += (b"40000 " if is_dir else b"100644 ") + name.encode() + b"\0" + bytes.fromhex(oid)
    return _object_id("tree", payload)


def commit_oid(tree: str, message: str, parent: str | None = None) -> str:
    """Git commit id of a commit of `tree` with a fixed author and date."""
    text = f"tree {tree}\n"
    if parent:
        text += f"parent {parent}\n"
    text += f"author {_SIGNATURE}\ncommitter {_SIGNATURE}\n\n{message}\n"
    return _object_id("commit", text.encode())
