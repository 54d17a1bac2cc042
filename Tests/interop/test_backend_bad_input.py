"""`hubkernel serve --stdio` against bad input, byte by byte: every malformed frame or message gets the JSON-RPC error
the spec gives (or a clean exit), and the backend goes on answering; exit statuses follow the LSP lifecycle."""
from __future__ import annotations

import json
import os
import select
import signal
import subprocess
import time

import pytest

from fixtures.kernel import hubkernel_bin


class RawClient:
    """Bytes to the backend's stdin, framed messages from its stdout."""

    def __init__(self, tmp_path, process_id: int | None = None):
        env = {k: v for k, v in os.environ.items() if not k.startswith("HF_")}
        env.update(HF_HOME=str(tmp_path / "hf"), HF_ENDPOINT="http://127.0.0.1:9")
        self.process = subprocess.Popen([hubkernel_bin(), "serve", "--stdio"], stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
        self.buffer = b""
        self.process_id = process_id

    def write(self, data: bytes) -> None:
        self.process.stdin.write(data)
        self.process.stdin.flush()

    def send(self, message: dict) -> None:
        body = json.dumps(message).encode()
        self.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)

    def receive(self, timeout: float = 10) -> dict:
        deadline = time.monotonic() + timeout
        while True:
            if b"\r\n\r\n" in self.buffer:
                header, rest = self.buffer.split(b"\r\n\r\n", 1)
                length = int(header.split(b"Content-Length:")[1].split(b"\r\n")[0])
                if len(rest) >= length:
                    self.buffer = rest[length:]
                    return json.loads(rest[:length])
            remaining = deadline - time.monotonic()
            assert remaining > 0, f"no answer in {timeout} s; got {self.buffer[:200]!r}"
            ready, _, _ = select.select([self.process.stdout], [], [], remaining)
            if ready:
                chunk = os.read(self.process.stdout.fileno(), 65536)
                assert chunk, f"the backend closed stdout (status {self.process.wait(5)}): {self.process.stderr.read()[-500:]!r}"
                self.buffer += chunk

    def request(self, id_, method: str, params=None) -> dict:
        """The answer to a request (notifications before it are skipped)."""
        self.send({"jsonrpc": "2.0", "id": id_, "method": method, **({"params": params} if params is not None else {})})
        while True:
            message = self.receive()
            if "method" not in message:
                return message

    def initialize(self) -> dict:
        answer = self.request(1, "initialize", {"processId": self.process_id, "capabilities": {}})
        self.send({"jsonrpc": "2.0", "method": "initialized", "params": {}})
        return answer

    def still_answers(self, id_=9000) -> None:
        answer = self.request(id_, "hub/runMagic", {"code": "%echo alive"})
        assert answer.get("result") == {"data": None}, answer

    def close(self) -> int:
        if self.process.poll() is None:
            self.process.kill()
        return self.process.wait(5)


@pytest.fixture
def raw(tmp_path):
    client = RawClient(tmp_path)
    yield client
    client.close()


def error_code(answer: dict) -> int:
    assert "error" in answer, answer
    return answer["error"]["code"]


def test_requests_before_initialize_and_a_second_initialize(raw):
    assert error_code(raw.request(1, "hub/whoami", {})) == -32002
    assert "result" in raw.initialize()
    assert error_code(raw.request(2, "initialize", {"processId": None, "capabilities": {}})) == -32600
    raw.still_answers()


def test_broken_frames_get_parse_errors_and_the_backend_goes_on(raw):
    raw.initialize()
    raw.write(b"Content-Type: application/json\r\n\r\n")  # no Content-Length
    assert error_code(raw.receive()) == -32700
    raw.write(b"Content-Length: twelve\r\n\r\n")
    assert error_code(raw.receive()) == -32700
    raw.write(b"Content-Length: -5\r\n\r\n")
    assert error_code(raw.receive()) == -32700
    body = b"{not json"
    raw.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
    answer = raw.receive()
    assert error_code(answer) == -32700 and answer["id"] is None
    raw.still_answers(9001)
    raw.write(b"X-Padding: " + b"a" * (1 << 20) + b"\r\n")  # a header of a megabyte
    assert error_code(raw.receive()) == -32700
    raw.still_answers(9002)


def test_content_length_counts_bytes(raw):
    raw.initialize()
    body = json.dumps({"jsonrpc": "2.0", "id": "é", "method": "hub/runMagic", "params": {"code": "%echo é😀"}},
                      ensure_ascii=False).encode()
    raw.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
    notification = raw.receive()
    assert notification["params"]["text"] == "é😀\n"
    assert raw.receive()["id"] == "é"


def test_batches_unknown_methods_and_wrong_params(raw):
    raw.initialize()
    raw.send([{"jsonrpc": "2.0", "id": 5, "method": "hub/whoami"}])  # type: ignore[arg-type]
    answer = raw.receive()
    assert error_code(answer) == -32600 and answer["id"] is None
    assert error_code(raw.request(6, "hub/noSuchThing", {})) == -32601
    assert error_code(raw.request(7, "hub/download", ["demo/tiny-model"])) == -32602
    assert error_code(raw.request(8, "hub/download", {"repo": 42, "dryRun": "yes"})) == -32602
    assert error_code(raw.request(9, "hub/runMagic", {"cell": "%echo"})) == -32602
    raw.send({"jsonrpc": "1.0", "id": 10, "method": "hub/whoami"})
    assert error_code(raw.receive()) == -32600
    raw.still_answers()


def test_shutdown_then_exit_is_status_0_and_requests_after_shutdown_fail(raw):
    raw.initialize()
    assert raw.request(2, "shutdown")["result"] is None
    assert error_code(raw.request(3, "hub/whoami", {})) == -32600
    raw.send({"jsonrpc": "2.0", "method": "exit"})
    assert raw.process.wait(5) == 0


def test_exit_without_shutdown_is_status_1(raw):
    raw.initialize()
    raw.send({"jsonrpc": "2.0", "method": "exit"})
    assert raw.process.wait(5) == 1


def test_stdin_closed_half_way_through_a_message_ends_cleanly(raw):
    raw.initialize()
    raw.write(b'Content-Length: 100\r\n\r\n{"jsonrpc": "2.0", "id"')
    raw.process.stdin.close()
    assert raw.process.wait(5) == 1


def test_the_backend_exits_when_its_parent_dies(tmp_path):
    parent = subprocess.Popen(["sleep", "60"])
    client = RawClient(tmp_path, process_id=parent.pid)
    try:
        client.initialize()
        client.still_answers()
        parent.send_signal(signal.SIGKILL)
        parent.wait(5)
        assert client.process.wait(10) == 1
    finally:
        client.close()
        parent.kill()
