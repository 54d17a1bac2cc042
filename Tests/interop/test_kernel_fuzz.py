"""Signed requests with strange content: from a fixed seed, fields of every request type (and of the header) get
values of the wrong type, out of range, huge, empty or not valid UTF-8. None may crash or stall the kernel: each is
answered (with an error status where the content cannot be used) or dropped and logged, every reply answers a
request that was sent, and normal requests work afterwards."""
from __future__ import annotations

import random
import time

from jupyter_client.session import DELIM

SEED = 20261125
MESSAGES = 300

# The requests a frontend sends, with valid content; code that never reaches the network or asks for input.
REQUESTS = {
    "execute_request": {"code": "%echo fuzz", "silent": False, "store_history": True, "user_expressions": {},
                        "allow_stdin": False, "stop_on_error": False},
    "complete_request": {"code": "%dow", "cursor_pos": 4},
    "inspect_request": {"code": "%download", "cursor_pos": 3, "detail_level": 0},
    "history_request": {"output": False, "raw": True, "hist_access_type": "tail", "n": 10, "pattern": "%*",
                        "unique": False, "session": 0, "start": 0, "stop": 5},
    "is_complete_request": {"code": "%echo \\"},
    "kernel_info_request": {},
    "comm_info_request": {"target_name": "x"},
}
IS_COMPLETE_STATUSES = ("complete", "incomplete", "invalid", "unknown")
HEADER_FIELDS = ["msg_id", "session", "username", "date", "version"]
ODD_VALUES = [None, True, False, -1, 0, 2**31, 2**63 - 1, -(2**63), 10**30, 1.5, -0.0, "", "x" * 100_000, "\udcff",
              "\u0000", "😀" * 50, [], {}, [None, [1, [2, [3]]]], {"code": "%echo nested"}, "%lsmagic", "%set a b",
              "%echo " + "y" * 10_000, "%help", "%cache ls", "\\", "%%", "%echo \\\n  more", "# only a comment"]


def strange_messages(session, rng: random.Random):
    """(channel, msg_id, whether it is an execute_request without string code, frames): a valid request with one
    field (or two) replaced, then signed."""
    for _ in range(MESSAGES):
        msg_type = rng.choice(sorted(REQUESTS))
        content = dict(REQUESTS[msg_type])
        message = session.msg(msg_type, content=content)
        header = dict(message["header"])
        for _ in range(rng.choice([1, 1, 2])):
            if content and rng.random() < 0.8:
                field = rng.choice(sorted(content) + ["unexpected_field"])
                content[field] = rng.choice(ODD_VALUES)
            else:
                header[rng.choice(HEADER_FIELDS)] = rng.choice(ODD_VALUES)
        if rng.random() < 0.05:
            content = rng.choice([[], "text", 7, None])  # content that is not even an object
        parts = [session.pack(header), b"{}", b"{}", session.pack(content)]
        channel = "control" if msg_type == "kernel_info_request" and rng.random() < 0.5 else "shell"
        code_is_text = isinstance(content, dict) and isinstance(content.get("code"), str)
        yield channel, header.get("msg_id"), msg_type == "execute_request" and not code_is_text, [DELIM, session.sign(parts), *parts]


def test_strange_requests_never_crash_the_kernel(start_hubkernel, tmp_path):
    env = {"HF_HUB_OFFLINE": "1", "HF_ENDPOINT": "http://127.0.0.1:9", "HF_HOME": str(tmp_path / "hf_home")}
    with open(tmp_path / "kernel-stderr.log", "w") as log:
        km, kc = start_hubkernel(env=env, stderr=log)
    sockets = {"shell": km.connect_shell(identity=b"fuzz-shell"), "control": km.connect_control(identity=b"fuzz-control")}
    sent: set = set()
    codeless: set = set()
    replies: list[dict] = []
    try:
        for channel, msg_id, without_code, frames in strange_messages(km.session, random.Random(SEED)):
            sockets[channel].send_multipart(frames)
            if isinstance(msg_id, str):
                sent.add(msg_id)
                if without_code:
                    codeless.add(msg_id)
        quiet_since = time.monotonic()
        while time.monotonic() - quiet_since < 2.0:
            for socket in sockets.values():
                while socket.poll(50):
                    _, parts = km.session.feed_identities(socket.recv_multipart())
                    replies.append(km.session.deserialize(parts))
                    quiet_since = time.monotonic()
        assert km.is_alive(), (tmp_path / "kernel-stderr.log").read_text()[-3000:]
        assert replies, "valid-enough requests are answered"
        for reply in replies:
            assert reply["parent_header"].get("msg_id") in sent, reply["parent_header"]
            statuses = IS_COMPLETE_STATUSES if reply["msg_type"] == "is_complete_reply" else ("ok", "error", "aborted")
            assert reply["content"].get("status") in statuses, (reply["msg_type"], reply["content"])
        refused = [r for r in replies if r["parent_header"].get("msg_id") in codeless]
        assert refused, "the seed sends execute_requests whose code is not a string"
        for reply in refused:
            assert (reply["content"]["status"], reply["content"]["ename"]) == ("error", "InvalidRequest"), reply["content"]
            assert "'code' must be a string" in reply["content"]["evalue"]
        # and the kernel is still fully usable
        msg_id = kc.execute("%echo still here")
        reply = kc.get_shell_msg(timeout=30)
        assert reply["parent_header"]["msg_id"] == msg_id and reply["content"]["status"] == "ok"
        kc.kernel_info()
        assert kc.get_shell_msg(timeout=30)["content"]["status"] == "ok"
    finally:
        for socket in sockets.values():
            socket.close(linger=0)
