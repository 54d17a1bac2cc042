"""A kernel driven through a Jupyter server's REST API and its websocket, as JupyterLab drives it (jupyter_server 2,
behind JupyterHub's proxy or on its own):

    server = JupyterServerAPI("http://127.0.0.1:8000/user/alice", token)
    with server.kernel("hubkernel") as kernel:
        cell = kernel.execute("%doctor")          # cell.status, cell.text (streams + text/plain), cell.error
        kernel.interrupt(); kernel.restart()
"""
from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass, field

import websocket


@dataclass
class Cell:
    """What one execute request produced."""
    status: str
    text: str
    error: dict | None = None
    messages: list[dict] = field(default_factory=list, repr=False)


class JupyterServerAPI:
    def __init__(self, base_url: str, token: str):
        self.base_url = base_url.rstrip("/")
        self.token = token

    def request(self, method: str, path: str, payload=None, timeout: float = 60):
        data = None if payload is None else json.dumps(payload).encode()
        request = urllib.request.Request(self.base_url + path, data=data, method=method,
                                         headers={"Authorization": f"token {self.token}",
                                                  "Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=timeout) as response:
            body = response.read()
        return json.loads(body) if body else None

    def kernel(self, name: str, timeout: float = 90) -> "ServerKernel":
        started = self.request("POST", "/api/kernels", {"name": name}, timeout=timeout)
        return ServerKernel(self, started["id"])

    def kernels(self) -> list[dict]:
        return self.request("GET", "/api/kernels")


class ServerKernel:
    """One kernel of a Jupyter server: execute cells over its channels websocket, interrupt/restart/shutdown by REST."""

    def __init__(self, server: JupyterServerAPI, kernel_id: str):
        self.server = server
        self.id = kernel_id
        self.session = uuid.uuid4().hex
        self.socket = self._connect()

    def _connect(self):
        url = self.server.base_url.replace("http", "ws", 1) + f"/api/kernels/{self.id}/channels?session_id={self.session}"
        return websocket.create_connection(url, header=[f"Authorization: token {self.server.token}"], timeout=300)

    def __enter__(self) -> "ServerKernel":
        return self

    def __exit__(self, *exc) -> None:
        self.shutdown()

    def _message(self, msg_type: str, content: dict, channel: str) -> dict:
        return {"header": {"msg_id": uuid.uuid4().hex, "msg_type": msg_type, "session": self.session,
                           "username": "test", "version": "5.3", "date": ""},
                "parent_header": {}, "metadata": {}, "content": content, "channel": channel, "buffers": []}

    def execute(self, code: str, timeout: float = 120) -> Cell:
        """Runs `code`; waits for its reply and for the kernel to go idle."""
        request = self._message("execute_request", {"code": code, "silent": False, "store_history": True,
                                                      "user_expressions": {}, "allow_stdin": False,
                                                      "stop_on_error": True}, "shell")
        self.socket.send(json.dumps(request))
        return self._collect(request["header"]["msg_id"], "execute_reply", timeout)

    def kernel_info(self, timeout: float = 60) -> dict:
        request = self._message("kernel_info_request", {}, "shell")
        self.socket.send(json.dumps(request))
        return self._collect(request["header"]["msg_id"], "kernel_info_reply", timeout).messages[-1]["content"]

    def _collect(self, msg_id: str, reply_type: str, timeout: float) -> Cell:
        deadline = time.monotonic() + timeout
        messages, reply, idle = [], None, False
        while reply is None or not idle:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"no {reply_type} within {timeout} s; got {[m['msg_type'] for m in messages]}")
            self.socket.settimeout(left)
            message = json.loads(self.socket.recv())
            if message.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            messages.append(message)
            if message["msg_type"] == reply_type:
                reply = message
            elif message["msg_type"] == "status" and message["content"]["execution_state"] == "idle":
                idle = True
        parts, error = [], None
        for message in messages:
            content = message["content"]
            if message["msg_type"] == "stream":
                parts.append(content["text"])
            elif message["msg_type"] in ("execute_result", "display_data", "update_display_data"):
                parts.append(content["data"].get("text/plain", "") + "\n")
            elif message["msg_type"] == "error":
                error = content
                parts.append(f"{content['ename']}: {content['evalue']}\n")
        messages.sort(key=lambda m: m is reply)  # the reply last
        return Cell(reply["content"].get("status", "ok"), "".join(parts), error, messages)

    def interrupt(self) -> None:
        self.server.request("POST", f"/api/kernels/{self.id}/interrupt")

    def restart(self, timeout: float = 90) -> None:
        self.server.request("POST", f"/api/kernels/{self.id}/restart", timeout=timeout)
        self.socket.close()
        self.socket = self._connect()

    def shutdown(self) -> None:
        try:
            self.socket.close()
        finally:
            try:
                self.server.request("DELETE", f"/api/kernels/{self.id}")
            except (urllib.error.URLError, OSError):
                pass
