"""Request handler base shared by the API server and the Python CDN origin: request parsing, logging, error
answers, and file bodies with Range support and fault injection."""
import secrets
import io
import json
import select
import socket
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote, urlsplit

from .faults import FaultPlan
from .hub_errors import HubError
from .ranges import Unsatisfiable, parse_range

_CHUNK = 256 * 1024


class HubHTTPServer(ThreadingHTTPServer):
    """Threaded server carrying the shared hub state as `.hub`."""

    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, address, handler, hub):
        self.hub = hub
        super().__init__(address, handler)


class BaseHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out in separate writes: without TCP_NODELAY, Nagle + delayed ACK add ~40 ms per response.
    disable_nagle_algorithm = True
    server_version = "LocalHub/1.0"

    def version_string(self) -> str:
        return self.server_version
    log_target = "api"  # "api" or "cdn": the server name in the request log and the fault target
    headers_sent = False

    def handle_one_request(self):
        self.headers_sent = False  # one handler serves every request of a keep-alive connection
        super().handle_one_request()

    def parse_request(self) -> bool:
        self.started_at = time.time()  # the request line has just arrived (not: when we began waiting for it)
        return super().parse_request()

    # -- request facts -------------------------------------------------------------------------------------------
    @property
    def hub(self):
        return self.server.hub

    @property
    def raw_path(self) -> str:
        return urlsplit(self.path).path

    @property
    def query(self) -> str:
        return urlsplit(self.path).query

    @property
    def has_auth(self) -> bool:
        return self.headers.get("Authorization") is not None

    def fault_paths(self) -> tuple[str, ...]:
        """Names a fault's `path` glob is matched against."""
        return (unquote(self.raw_path),)

    def read_body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def log_message(self, format, *args):  # silence the default stderr access log
        pass

    def _record(self, status: int, sent: int, plan: FaultPlan | None) -> None:
        if self.raw_path.startswith("/_admin/"):
            return
        self.hub.log.record(self.log_target, self.command, unquote(self.raw_path), self.query, status,
                            self.headers.get("Range"), self.has_auth, sent, plan.describe() if plan else None,
                            self.started_at)

    # -- answers -------------------------------------------------------------------------------------------------
    def _start(self, status: int, headers: dict, length: int) -> None:
        self.headers_sent = True
        self.send_response(status)
        for name, value in headers.items():
            # Header bytes on the wire are UTF-8 (e.g. a unicode revision name quoted in X-Error-Message).
            self.send_header(name, str(value).encode("utf-8", "replace").decode("latin-1"))
        if not any(name.lower() == "x-request-id" for name in headers):
            # As the Hub does: every answer names the request, for support (huggingface_hub shows it in errors).
            self.send_header("X-Request-Id", "Root=1-" + secrets.token_hex(12))
        self.send_header("Content-Length", str(length))
        self.end_headers()

    def _pause(self, seconds: float) -> None:
        """Sleep `seconds`, or less if the client hangs up meanwhile (writing to it then fails at once, so an abandoned
        response is logged now rather than after a long stall)."""
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            readable, _, _ = select.select([self.connection], [], [], left)
            if not readable:
                continue
            try:
                if self.connection.recv(1, socket.MSG_PEEK) == b"":
                    return  # end of stream: the client is gone
            except OSError:
                return
            time.sleep(max(0.0, deadline - time.monotonic()))  # it sent more (a next request): just wait
            return

    def _apply_status_fault(self, plan: FaultPlan) -> bool:
        if plan.stall_before:
            self._pause(plan.stall_before)
        if plan.status is None:
            return False
        body = json.dumps({"error": f"Injected fault: HTTP {plan.status}"}).encode()
        headers = {"Content-Type": "application/json; charset=utf-8"}
        if plan.retry_after is not None:
            headers["Retry-After"] = f"{plan.retry_after:g}"
        self._start(plan.status, headers, len(body))
        if self.command != "HEAD":
            self.wfile.write(body)
        self._record(plan.status, 0 if self.command == "HEAD" else len(body), plan)
        return True

    def send_bytes(self, status: int, headers: dict, body: bytes, plan: FaultPlan | None = None) -> None:
        """Answer with an in-memory body (faults may still drop or corrupt it)."""
        self._send(status, headers, io.BytesIO(body), 0, len(body), plan)

    def send_json(self, status: int, payload, headers: dict | None = None) -> None:
        body = json.dumps(payload).encode()
        self.send_bytes(status, {"Content-Type": "application/json; charset=utf-8", **(headers or {})}, body,
                        self.plan_faults(0, len(body)))

    def send_hub_error(self, error: HubError) -> None:
        self.send_json(error.status, {"error": error.message}, error.response_headers())

    def plan_faults(self, body_start: int | None, body_length: int) -> FaultPlan:
        if self.raw_path.startswith("/_admin/"):
            return FaultPlan()
        return self.hub.faults.plan(self.log_target, self.command, self.fault_paths(), body_start, body_length)

    def send_file(self, path, size: int, headers: dict) -> None:
        """Answer with a file from disk: 200, 206 for a satisfiable Range, 416 otherwise."""
        try:
            byte_range = parse_range(self.headers.get("Range"), size)
        except Unsatisfiable:
            plan = self.plan_faults(None, 0)
            if not self._apply_status_fault(plan):
                self._start(416, {**headers, "Content-Range": f"bytes */{size}"}, 0)
                self._record(416, 0, plan)
            return
        status, start, length = 200, 0, size
        headers = {**headers, "Accept-Ranges": "bytes"}
        if byte_range is not None:
            status, start, length = 206, byte_range.start, byte_range.length
            headers["Content-Range"] = f"bytes {byte_range.start}-{byte_range.end}/{size}"
        plan = self.plan_faults(start, length)
        with open(path, "rb") as f:
            self._send(status, headers, f, start, length, plan)

    def _send(self, status: int, headers: dict, source, start: int, length: int, plan: FaultPlan | None) -> None:
        plan = plan or FaultPlan()
        if self._apply_status_fault(plan):
            return
        self._start(status, headers, length)
        sent = 0
        if self.command != "HEAD":
            try:
                sent = self._write_body(source, start, length, plan)
            except (BrokenPipeError, ConnectionResetError):
                self.close_connection = True
        self._record(status, sent, plan if plan.describe() else None)

    def _write_body(self, source, start: int, length: int, plan: FaultPlan) -> int:
        if not plan.touches_body:
            return self.connection.sendfile(source, start, length) if length else 0
        end = length if plan.drop_after is None else min(length, plan.drop_after)
        events = sorted({end, *([plan.stall_at] if plan.stall_at is not None and plan.stall_at < end else [])})
        source.seek(start)
        sent = 0
        # With a rate, small chunks paced against the clock (about 20 a second); otherwise big ones.
        chunk_size = max(1, min(_CHUNK, plan.rate // 20)) if plan.rate else _CHUNK
        started = time.monotonic()
        for boundary in events:
            while sent < boundary:
                chunk = bytearray(source.read(min(chunk_size, boundary - sent)))
                if not chunk:
                    break
                for offset in plan.corrupt_at:
                    if sent <= offset < sent + len(chunk):
                        chunk[offset - sent] ^= 0xFF
                if plan.rate:  # the chunk leaves when a link of that rate would have carried it
                    self._pause(started + (sent + len(chunk)) / plan.rate - time.monotonic())
                self.wfile.write(chunk)
                sent += len(chunk)
            if plan.stall_at is not None and sent == plan.stall_at:
                self._pause(plan.stall_for)
                started += plan.stall_for  # the stall is not part of the paced transfer
        if sent < length:  # drop: the client sees a body shorter than Content-Length
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        return sent
