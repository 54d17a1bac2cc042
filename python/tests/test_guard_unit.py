"""The guard's shortcuts never let a secret through: a status or an execute_reply is sent without a look only when it
holds nothing but what the protocol fixes; anything more is masked."""
from __future__ import annotations

import datetime
import json

from jupyter_client.session import Session

from hubkernel.guard import OutputGuard

TOKEN = "hf_" + "Q" * 30 + "w9yz"


class Wire:
    """A socket that keeps what was sent."""

    def __init__(self):
        self.sent: list[list[bytes]] = []

    def send_multipart(self, frames, *args, **kwargs):
        self.sent.append(frames)


def sent_json(wire: Wire) -> str:
    return "".join(frame.decode("utf-8", "replace") for frames in wire.sent for frame in frames if isinstance(frame, bytes))


def guarded() -> tuple[Session, Wire, OutputGuard]:
    session = Session(key=b"k")
    return session, Wire(), OutputGuard(session, engine="kernel-ident-1")


def test_plain_messages_pass_and_anything_more_is_masked():
    session, wire, guard = guarded()
    parent = session.msg("execute_request", {"code": "pass"})
    plain = {"started": datetime.datetime.now(datetime.timezone.utc), "dependencies_met": True,
             "engine": "kernel-ident-1", "status": "ok"}
    session.send(wire, "status", {"execution_state": "busy"}, parent=parent)
    session.send(wire, "execute_reply", {"status": "ok", "execution_count": 1, "user_expressions": {}, "payload": []},
                 parent=parent, metadata=plain)
    assert TOKEN not in sent_json(wire) and len(wire.sent) == 2
    session.send(wire, "execute_reply", {"status": "ok", "execution_count": 2, "payload": [],
                                         "user_expressions": {"t": {"data": {"text/plain": TOKEN}}}}, parent=parent,
                 metadata=plain)
    session.send(wire, "execute_reply", {"status": "ok", "execution_count": 3, "user_expressions": {}, "payload": []},
                 parent=parent, metadata=dict(plain, engine=TOKEN))
    session.send(wire, "execute_reply", {"status": "ok", "execution_count": 4, "user_expressions": {}, "payload": []},
                 parent=parent, metadata=dict(plain, started=TOKEN))
    session.send(wire, "status", {"execution_state": TOKEN}, parent=parent)
    text = sent_json(wire)
    assert TOKEN not in text, "every message that carries more than the protocol fixes is masked"
    assert text.count("hf_****w9yz") == 4, text
    guard.uninstall()


def test_keys_and_values_are_masked_and_ids_kept():
    session, wire, guard = guarded()
    parent = session.msg("execute_request", {"code": "x"})
    session.send(wire, "comm_msg", {"comm_id": "c1", "data": {TOKEN: [TOKEN]}}, parent=parent)
    content = json.loads(wire.sent[-1][-1])
    assert content["comm_id"] == "c1" and list(content["data"]) == ["hf_****w9yz"]
    assert content["data"]["hf_****w9yz"] == ["hf_****w9yz"]
    guard.uninstall()
