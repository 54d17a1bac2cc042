"""The Xet CAS server (its own port, like cas-server.xethub.hf.co): file reconstructions and xorb ranges.

* `GET /v1/reconstructions/{file_hash}` and `/v2/reconstructions/{file_hash}` (hf_xet asks v2 first): needs
  `Authorization: Bearer <xet token>` from `/api/{type}s/{repo}/xet-read-token/{rev}` (401 without, or expired;
  403 for a file of another repo; 404 for an unknown hash). An optional `Range: bytes=S-E` (file bytes, inclusive)
  narrows the terms to the chunks that cover it (`offset_into_first_range` says where S falls in the first term);
  416 when S is past the end. v1 answers `fetch_info` (one entry per chunk range), v2 `xorbs` (one URL per xorb with
  its chunk ranges); both carry signed, expiring xorb URLs.
* `GET`/`HEAD /xorbs/default/{xorb_hash}?X-Xet-Expires=…&X-Xet-Signature=…`: the serialized xorb (chunks and
  footer), `Range` answered byte-exactly (206/416). 403 for a bad or expired signature; 400 if an `Authorization`
  header is sent too (a presigned URL is the only auth, as on S3).
* `POST /v1/telemetry`: hf_xet's transfer statistics; a JSON object is accepted (200) and dropped. Uploads are not
  served (405).
"""
import hashlib
import hmac
import json
import re
import secrets
import string
import threading
import time
from urllib.parse import parse_qs, urlencode

from .httpbase import BaseHandler
from .hub_errors import HubError
from .ranges import Unsatisfiable, parse_range
from .xet_faults import apply_to_plan, chunk_starts_in, corrupt_first_raw_chunk, truncated_end

XET_TOKEN_TTL = 3600
XORB_URL_TTL = 3600
_RECONSTRUCTION = re.compile(r"^/(v1|v2)/reconstructions/([0-9a-f]{64})$")
_XORB = re.compile(r"^/xorbs/default/([0-9a-f]{64})$")


class XetAuth:
    """Xet read tokens (in memory: token -> (repo key, expiry)) and the key that signs xorb URLs."""

    def __init__(self):
        self._lock = threading.Lock()
        self._tokens: dict[str, tuple[tuple[str, str], int]] = {}
        self._url_key = secrets.token_bytes(32)
        self.token_ttl = XET_TOKEN_TTL
        self.url_ttl = XORB_URL_TTL

    def mint(self, repo_key: tuple[str, str]) -> tuple[str, int]:
        token = "xet_" + "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(40))
        expires = int(time.time()) + self.token_ttl
        with self._lock:
            self._tokens = {t: v for t, v in self._tokens.items() if v[1] > time.time()}
            self._tokens[token] = (repo_key, expires)
        return token, expires

    def repo_of(self, token: str) -> tuple[str, str] | None:
        with self._lock:
            known = self._tokens.get(token)
        if known is None or known[1] <= time.time():
            return None
        return known[0]

    def sign(self, xorb: str, expires: int) -> str:
        return hmac.new(self._url_key, f"{xorb}:{expires}".encode(), hashlib.sha256).hexdigest()

    def xorb_query(self, xorb: str) -> str:
        expires = int(time.time()) + self.url_ttl
        return urlencode({"X-Xet-Expires": expires, "X-Xet-Signature": self.sign(xorb, expires)})

    def check_signature(self, xorb: str, query: str) -> bool:
        params = parse_qs(query)
        try:
            expires = int(params["X-Xet-Expires"][0])
            signature = params["X-Xet-Signature"][0]
        except (KeyError, ValueError):
            return False
        return expires > time.time() and hmac.compare_digest(signature, self.sign(xorb, expires))


def reconstruction(xet_file, start: int, end: int, store) -> dict:
    """Terms for file bytes [start, end) (end exclusive, already clipped to the size) and the xorb ranges to fetch:
    {"offset_into_first_range", "terms": [...], "ranges": {xorb: [(chunk start, chunk end, (first byte, last byte))]}}
    with overlapping or adjacent chunk ranges of a xorb merged."""
    terms, wanted = [], {}
    offset_into_first = 0
    for term in xet_file.terms:
        if term.offset >= end or term.offset + term.length <= start:
            continue
        first, position = term.start, term.offset
        for size in term.sizes:  # skip whole chunks before `start`
            if position + size > start:
                break
            first, position = first + 1, position + size
        last, stop = first, position
        while stop < end and last < term.end:  # chunks up to the one holding byte end - 1
            stop += term.sizes[last - term.start]
            last += 1
        if not terms:
            offset_into_first = start - position
        terms.append({"hash": term.xorb, "unpacked_length": stop - position, "range": {"start": first, "end": last}})
        wanted.setdefault(term.xorb, []).append((first, last))
    ranges = {}
    for xorb, spans in wanted.items():
        merged: list[list[int]] = []
        for first, last in sorted(spans):  # union of overlapping or adjacent chunk ranges
            if merged and first <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], last)
            else:
                merged.append([first, last])
        info = store.xorb(xorb)
        ranges[xorb] = [(first, last, info.byte_range(first, last)) for first, last in merged]
    return {"offset_into_first_range": offset_into_first, "terms": terms, "ranges": ranges}


class CASHandler(BaseHandler):
    log_target = "cas"

    def do_GET(self):
        try:
            self._dispatch()
        except HubError as error:
            self.send_hub_error(error)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
        except Exception as error:  # never die on a bad request
            if self.headers_sent:
                self.close_connection = True
                return
            self.send_json(500, {"error": f"LocalHub CAS internal error: {type(error).__name__}: {error}"})

    do_HEAD = do_GET

    def do_POST(self):
        if self.raw_path == "/v1/telemetry":  # hf_xet reports transfer statistics here: accepted and dropped
            body = self.read_body()
            try:
                valid = isinstance(json.loads(body or b"null"), dict)
            except ValueError:
                valid = False
            if valid:
                return self.send_bytes(200, {}, b"")
            return self.send_json(400, {"error": "telemetry body is not a JSON object"})
        self.close_connection = True  # the request body was not read
        self.send_json(405, {"error": "This local CAS serves downloads only"})

    do_PUT = do_POST

    @property
    def base(self) -> str:
        return f"http://{self.headers.get('Host') or self.hub.cas_address}"

    def _dispatch(self):
        match = _XORB.match(self.raw_path)
        if match:
            return self._xorb(match.group(1))
        match = _RECONSTRUCTION.match(self.raw_path)
        if match and self.command == "GET":
            return self._reconstruction(match.group(1), match.group(2))
        raise HubError(404, "Not found")

    def _reconstruction(self, version: str, file_hash: str):
        header = self.headers.get("Authorization") or ""
        scheme, _, secret = header.partition(" ")
        repo_key = self.hub.xet_auth.repo_of(secret.strip()) if scheme.lower() == "bearer" else None
        if repo_key is None:
            raise HubError(401, "Missing or expired Xet access token" if not header else "Invalid Xet access token")
        xet_file = self.hub.xet.files.get(file_hash)
        if xet_file is None:
            raise HubError(404, f"File {file_hash} not found")
        repo = self.hub.repos.get(repo_key)
        if repo is None or file_hash not in repo.xet_hashes():
            raise HubError(403, "This Xet token does not grant access to this file")
        start, end = 0, xet_file.size
        if self.headers.get("Range"):
            try:
                byte_range = parse_range(self.headers["Range"], xet_file.size)
            except Unsatisfiable:
                raise HubError(416, "Range not satisfiable")
            if byte_range is not None:
                start, end = byte_range.start, byte_range.end + 1
        plan = reconstruction(xet_file, start, end, self.hub.xet)
        fault = self.hub.faults.xet_fault("cas", self.command, self.fault_paths(), ("term_length", "lying_reconstruction"))
        if fault:
            plan = apply_to_plan(fault, plan)
        if version == "v1":
            body = {"offset_into_first_range": plan["offset_into_first_range"], "terms": plan["terms"],
                    "fetch_info": {xorb: [{"range": {"start": first, "end": last}, "url": self._xorb_url(xorb),
                                           "url_range": {"start": lo, "end": hi}}
                                          for first, last, (lo, hi) in spans]
                                   for xorb, spans in plan["ranges"].items()}}
        else:
            body = {"offset_into_first_range": plan["offset_into_first_range"], "terms": plan["terms"],
                    "xorbs": {xorb: [{"url": self._xorb_url(xorb),
                                      "ranges": [{"chunks": {"start": first, "end": last},
                                                  "bytes": {"start": lo, "end": hi}}
                                                 for first, last, (lo, hi) in spans]}]
                              for xorb, spans in plan["ranges"].items()}}
        self.send_json(200, body)

    def _xorb_url(self, xorb: str) -> str:
        return f"{self.base}/xorbs/default/{xorb}?{self.hub.xet_auth.xorb_query(xorb)}"

    def _xorb(self, xorb: str):
        if self.has_auth:
            raise HubError(400, "Only one auth mechanism allowed: the signed URL, not an Authorization header")
        if not self.hub.xet_auth.check_signature(xorb, self.query):
            raise HubError(403, "Request has expired or its signature does not match")
        path = self.hub.xet.xorb_path(xorb)
        if not path.is_file():
            raise HubError(404, "Xorb not found")
        headers = {"Content-Type": "application/octet-stream", "ETag": f'"{xorb}"'}
        fault = self.hub.faults.xet_fault("cas", self.command, self.fault_paths(), ("corrupt_chunk", "truncate_range"))
        if fault:
            return self._damaged_xorb_range(fault, xorb, path, headers)
        self.send_file(path, path.stat().st_size, headers)

    def _damaged_xorb_range(self, fault: str, xorb: str, path, headers: dict):
        """The requested xorb range as a damaged store would serve it (xet_faults.py): a flipped data byte, or one
        chunk short (a well-formed 206 for the shorter range)."""
        size = path.stat().st_size
        try:
            byte_range = parse_range(self.headers.get("Range"), size)
        except Unsatisfiable:
            raise HubError(416, "Range not satisfiable")
        lo, hi = (byte_range.start, byte_range.end) if byte_range else (0, size - 1)
        info = self.hub.xet.xorb(xorb)
        if fault == "truncate_range":
            hi = truncated_end(info, lo, hi)
        with open(path, "rb") as f:
            f.seek(lo)
            body = f.read(hi - lo + 1)
        if fault == "corrupt_chunk":
            body = corrupt_first_raw_chunk(body, chunk_starts_in(info, lo, hi))
        self.send_bytes(206, {**headers, "Accept-Ranges": "bytes", "Content-Range": f"bytes {lo}-{hi}/{size}"}, body)
