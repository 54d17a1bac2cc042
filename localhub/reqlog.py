"""Request log of the API server and the CDN origins: method, path, status, range, whether an Authorization header
was present (never the header itself), body bytes sent and the fault applied."""
import json
import threading
import time
from pathlib import Path


class RequestLog:
    """Entries from the Python servers, plus nginx's JSON access log read on demand."""

    def __init__(self, nginx_access_log: Path | None = None):
        self._lock = threading.Lock()
        self._entries: list[dict] = []
        self.nginx_access_log = nginx_access_log
        self._nginx_offset = 0
        self._cutoff = 0.0

    def record(self, server: str, method: str, path: str, query: str, status: int, range_header: str | None,
               has_auth: bool, body_bytes: int, fault: str | None, started: float) -> None:
        """Log one answered request; `started` is when it arrived (time.time())."""
        entry = {"server": server, "method": method, "path": path, "query": query, "status": status,
                 "range": range_header or "", "auth": has_auth, "bytes": body_bytes, "fault": fault,
                 "start": round(started, 3), "time": round(time.time(), 3)}
        with self._lock:
            self._entries.append(entry)

    def _nginx_entries(self) -> list[dict]:
        if self.nginx_access_log is None or not self.nginx_access_log.exists():
            return []
        with open(self.nginx_access_log, "rb") as f:
            f.seek(self._nginx_offset)
            lines = f.read().decode("utf-8", "replace").splitlines()
        entries = []
        for line in lines:
            try:
                entry = json.loads(line)
            except ValueError:
                continue
            entry.setdefault("fault", None)
            entry["start"] = round(entry["time"] - entry.pop("request_time", 0.0), 3)
            entries.append(entry)
        return entries

    def entries(self) -> list[dict]:
        """Requests that arrived after the last clear(), in the order they were answered."""
        with self._lock:
            merged = self._entries + self._nginx_entries()
            cutoff = self._cutoff
        return sorted((e for e in merged if e["start"] >= cutoff), key=lambda e: e["time"])

    def clear(self) -> None:
        """Forget past requests, including ones still being answered (they are logged just after answering)."""
        with self._lock:
            self._cutoff = round(time.time(), 3)
            self._entries.clear()
            if self.nginx_access_log is not None and self.nginx_access_log.exists():
                self._nginx_offset = self.nginx_access_log.stat().st_size
