"""The Python CDN origin: serves `/<sha256>` from the blob store like the nginx origin does, and honours faults.
It also stands in for nginx when nginx is missing."""
import re
from urllib.parse import parse_qs, unquote

from .httpbase import BaseHandler

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
        self.send_file(blob, blob.stat().st_size, file_headers)
