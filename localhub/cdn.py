"""The Python CDN origin: serves `/<sha256>` from the blob store like the nginx origin does, and honours faults.
It also stands in for nginx when nginx is missing."""
import re
from urllib.parse import parse_qs, unquote

from .httpbase import BaseHandler
from .ranges import Unsatisfiable, parse_range
from .xet_faults import KINDS as XET_KINDS, bridge_bytes

_BLOB = re.compile(r"^/([0-9a-f]{64})$")

# What S3/CloudFront answer when a signed URL also carries an Authorization header.
AUTH_REJECTED = ("Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string"
                 " parameter or the Authorization header should be specified")


class CDNHandler(BaseHandler):
    log_target = "cdn"

    def fault_paths(self) -> tuple[str, ...]:
        repo_file = parse_qs(self.query).get("x-repo-file", [])
        return (unquote(self.raw_path), *repo_file)

    def do_GET(self):
        try:
            self._serve()
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    do_HEAD = do_GET

    def _serve(self):
        headers = {"Content-Type": "text/plain; charset=utf-8"}
        if self.has_auth:
            return self.send_bytes(400, headers, AUTH_REJECTED.encode(), self.plan_faults(None, 0))
        match = _BLOB.match(self.raw_path)
        blob = self.hub.store.path_for(match.group(1)) if match else None
        if blob is None or not blob.is_file():
            return self.send_bytes(404, headers, b"Not Found", self.plan_faults(None, 0))
        disposition = parse_qs(self.query).get("response-content-disposition")
        file_headers = {"Content-Type": "application/octet-stream", "ETag": f'"{match.group(1)}"'}
        if disposition:
            file_headers["Content-Disposition"] = disposition[0]
        xet_file = next((f for f in list(self.hub.xet.files.values()) if f.sha256 == match.group(1)), None)
        fault = xet_file and self.hub.faults.xet_fault("cdn", self.command, self.fault_paths(), XET_KINDS)
        if fault:
            return self._reconstructed_under_fault(fault, xet_file, file_headers)
        self.send_file(blob, blob.stat().st_size, file_headers)

    def _reconstructed_under_fault(self, fault: str, xet_file, headers: dict):
        """The bridge serving a Xet file assembled from a damaged store or plan (xet_faults.py): a short body when a
        xorb range came back short (the connection closes early), else the assembled bytes as they are."""
        data, declared = bridge_bytes(fault, xet_file, self.hub.xet)
        size = declared if fault == "truncate_range" else len(data)
        try:
            byte_range = parse_range(self.headers.get("Range"), size)
        except Unsatisfiable:
            return self.send_bytes(416, {**headers, "Content-Range": f"bytes */{size}"}, b"")
        status, start, end = 200, 0, size - 1
        headers = {**headers, "Accept-Ranges": "bytes"}
        if byte_range is not None:
            status, start, end = 206, byte_range.start, byte_range.end
            headers["Content-Range"] = f"bytes {start}-{end}/{size}"
        body = data[start:end + 1]
        self._start(status, headers, end - start + 1)
        if self.command != "HEAD":
            self.wfile.write(body)
        if len(body) < end - start + 1:
            self.close_connection = True
        self._record(status, len(body), None)
