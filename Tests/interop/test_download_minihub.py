"""A tiny Hub on 127.0.0.1 for the download interop tests and `Benchmarks/download_bench.py`.

Until the shared local Hub (`fixtures/hub.py`, branch localhub) is on main: the routes the download engine
uses (revision, tree, resolve HEAD/GET, LFS redirect to a CDN on another origin, Range) plus fault injection.
LFS bytes can be served by nginx instead (`cdn_url=`), so benchmarks measure clients, not this server.
"""
from __future__ import annotations

import hashlib
import http.server
import json
import socketserver
import threading
import time
import urllib.parse

COMMIT = "1" * 40


def git_oid(data: bytes) -> str:
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


class MiniHub:
    """A tiny Hub: one repo `org/repo` (files given), a CDN origin for LFS files, faults by repo path."""

    def __init__(self, files: dict[str, tuple[bytes, bool]], cdn_url: str | None = None):
        self.files = dict(files)
        self.shas = {name: hashlib.sha256(data).hexdigest() for name, (data, lfs) in files.items() if lfs}
        self.oids = {name: git_oid(data) for name, (data, _) in files.items()}
        self.faults: dict[str, list[tuple]] = {}
        self.log: list[tuple[str, str, bool, str | None]] = []
        self.lock = threading.Lock()
        hub = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def send(self, status, body=b"", headers=()):
                self.send_response(status)
                for key, value in headers:
                    self.send_header(key, value)
                if not any(k.lower() == "content-length" for k, _ in headers):
                    self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(body)

            def send_file(self, name, data, extra=()):
                fault = hub.take_fault(name) if self.command == "GET" else None
                if fault and fault[0] == "status":
                    return self.send(fault[1], b"busy", [("Retry-After", "0")])
                start, last = 0, len(data) - 1
                rng = self.headers.get("Range")
                if rng and rng.startswith("bytes="):
                    first, _, end = rng[6:].partition("-")
                    start, last = int(first), min(int(end), len(data) - 1) if end else len(data) - 1
                body = data[start:last + 1]
                if fault and fault[0] == "corrupt":
                    body = bytes([body[0] ^ 0xFF]) + body[1:]
                status = 206 if rng else 200
                headers = [("Content-Length", str(len(body))), *extra]
                if rng:
                    headers.append(("Content-Range", f"bytes {start}-{last}/{len(data)}"))
                self.send_response(status)
                for key, value in headers:
                    self.send_header(key, value)
                self.end_headers()
                if self.command == "HEAD":
                    return
                if fault and fault[0] == "drop":
                    self.wfile.write(body[:fault[1]])
                    self.wfile.flush()
                    self.close_connection = True
                    self.connection.shutdown(2)
                    return
                if fault and fault[0] == "stall":
                    self.wfile.write(body[:fault[1]])
                    self.wfile.flush()
                    time.sleep(fault[2])
                    self.close_connection = True
                    return
                if fault and fault[0] == "slow":
                    for i in range(0, len(body), 65536):
                        self.wfile.write(body[i:i + 65536])
                        self.wfile.flush()
                        time.sleep(fault[1])
                    return
                self.wfile.write(body)

            def do_GET(self):
                path = urllib.parse.unquote(urllib.parse.urlparse(self.path).path)
                with hub.lock:
                    hub.log.append((self.command, path, "Authorization" in self.headers, self.headers.get("Range")))
                if self.server is hub.cdn:
                    for name, sha in hub.shas.items():
                        if path == "/" + sha:
                            return self.send_file(name, hub.files[name][0])
                    return self.send(404)
                if path.startswith("/api/models/org/repo/revision/"):
                    return self.send(200, json.dumps({"id": "org/repo", "sha": COMMIT}).encode())
                if path.startswith("/api/models/org/repo/tree/"):
                    items = []
                    for name, (data, lfs) in hub.files.items():
                        item = {"type": "file", "path": name, "oid": hub.oids[name], "size": len(data)}
                        if lfs:
                            item["lfs"] = {"oid": hub.shas[name], "size": len(data), "pointerSize": 134}
                        items.append(item)
                    return self.send(200, json.dumps(items).encode())
                if path.startswith("/org/repo/resolve/"):
                    revision, name = path[len("/org/repo/resolve/"):].split("/", 1)
                    if name not in hub.files:
                        return self.send(404, b"", [("X-Error-Code", "EntryNotFound"), ("X-Repo-Commit", COMMIT)])
                    data, lfs = hub.files[name]
                    headers = [("X-Repo-Commit", COMMIT), ("ETag", f'"{hub.oids[name]}"')]
                    if lfs:
                        sha = hub.shas[name]
                        return self.send(302, b"", headers + [("X-Linked-Etag", f'"{sha}"'), ("X-Linked-Size", str(len(data))),
                                                             ("Location", f"{hub.cdn_url}/{sha}")])
                    return self.send_file(name, data, headers)
                return self.send(404, b"", [("X-Error-Code", "RepoNotFound")])

            do_HEAD = do_GET

        class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
            daemon_threads = True
            allow_reuse_address = True

        self.hub = Server(("127.0.0.1", 0), Handler)
        self.cdn = Server(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.hub.server_port}"
        self.cdn_url = cdn_url or f"http://127.0.0.1:{self.cdn.server_port}"
        for server in (self.hub, self.cdn):
            threading.Thread(target=server.serve_forever, daemon=True).start()

    def take_fault(self, name):
        with self.lock:
            queue = self.faults.get(name)
            return queue.pop(0) if queue else None

    def inject(self, name, *faults):
        with self.lock:
            self.faults.setdefault(name, []).extend(faults)

    def requests(self):
        with self.lock:
            return list(self.log)

    def stop(self):
        for server in (self.hub, self.cdn):
            server.shutdown()
            server.server_close()


