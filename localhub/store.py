"""Content-addressed blob store: every served file lives at `<store>/<sha256>` so nginx can serve `/<sha256>`."""
import hashlib
import json
import os
import shutil
import threading
from dataclasses import dataclass
from pathlib import Path

from .githash import blob_oid_header

_CHUNK = 4 * 1024 * 1024


@dataclass(frozen=True)
class FileDigest:
    """Size and hashes of one file's content."""

    size: int
    sha256: str
    git_oid: str  # git blob id of the content itself (not of an LFS pointer)


def digest_file(path: Path) -> FileDigest:
    """Hash a file in one pass (sha256 and git blob sha1)."""
    size = path.stat().st_size
    sha256, sha1 = hashlib.sha256(), hashlib.sha1(blob_oid_header(size))
    with open(path, "rb") as f:
        while chunk := f.read(_CHUNK):
            sha256.update(chunk)
            sha1.update(chunk)
    return FileDigest(size=size, sha256=sha256.hexdigest(), git_oid=sha1.hexdigest())


class BlobStore:
    """Directory of blobs named by sha256, with a small index so restarts do not re-hash unchanged sources."""

    def __init__(self, directory: Path):
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)
        self._index_path = self.directory.parent / "digests.json"
        self._lock = threading.Lock()
        try:
            self._index = json.loads(self._index_path.read_text())
        except (OSError, ValueError):
            self._index = {}

    def path_for(self, sha256: str) -> Path:
        return self.directory / sha256

    def ingest(self, source: Path) -> FileDigest:
        """Hash `source` (or reuse its indexed digest) and make sure its blob is in the store."""
        stat = source.stat()
        key = str(source.resolve())
        with self._lock:
            known = self._index.get(key)
        if known and known["size"] == stat.st_size and known["mtime_ns"] == stat.st_mtime_ns:
            digest = FileDigest(size=known["size"], sha256=known["sha256"], git_oid=known["git_oid"])
        else:
            digest = digest_file(source)
            with self._lock:
                self._index[key] = {"size": digest.size, "sha256": digest.sha256, "git_oid": digest.git_oid,
                                    "mtime_ns": stat.st_mtime_ns}
        target = self.path_for(digest.sha256)
        if not target.exists():
            tmp = target.with_name(target.name + f".{os.getpid()}.tmp")
            try:
                os.link(source, tmp)
            except OSError:
                shutil.copyfile(source, tmp)
            os.replace(tmp, target)
        return digest

    def save_index(self) -> None:
        with self._lock:
            text = json.dumps(self._index)
        tmp = self._index_path.with_suffix(".tmp")
        tmp.write_text(text)
        os.replace(tmp, self._index_path)
