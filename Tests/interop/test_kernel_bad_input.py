"""Hostile or broken frames on the shell channel: each is answered or dropped, logged to the kernel's
stderr (never to the notebook), the process stays up, and a valid kernel_info_request still works."""
from __future__ import annotations

import json
import time

import pytest
from jupyter_client.session import DELIM


def signed(session, header: bytes, parent: bytes, metadata: bytes, content: bytes) -> list[bytes]:
    return [DELIM, session.sign([header, parent, metadata, content]), header, parent, metadata, content]


def valid_parts(session, msg_type="kernel_info_request", content=None):
    message = session.msg(msg_type, content=content or {})
    return [session.pack(message["header"]), b"{}", b"{}", session.pack(message["content"])], message


def case_wrong_signature(session):
    parts, _ = valid_parts(session)
    return [[DELIM, b"0" * 64, *parts]], "invalid signature"


def case_missing_signature(session):
    parts, _ = valid_parts(session)
    return [[DELIM, b"", *parts]], "unsigned"


def case_replayed(session):
    parts, _ = valid_parts(session)
    frames = signed(session, *parts)
    return [frames, frames], "replayed"


def case_malformed_json(session):
    parts, _ = valid_parts(session)
    return [signed(session, parts[0], b"{}", b"{}", b"{not json")], "not a JSON object"


def case_missing_header_fields(session):
    return [signed(session, json.dumps({"username": "x", "session": "s"}).encode(), b"{}", b"{}", b"{}")], "has no 'msg_id'"


def case_unknown_msg_type(session):
    parts, _ = valid_parts(session, "no_such_request")
    return [signed(session, *parts)], "unknown message type 'no_such_request'"


def case_too_few_frames(session):
    parts, _ = valid_parts(session)
    return [[DELIM, session.sign(parts), parts[0]]], "frames after <IDS|MSG>"


def case_no_delimiter(session):
    return [[b"just", b"noise"]], "without the <IDS|MSG> delimiter"


def case_50_mb_frame(session):
    parts, _ = valid_parts(session, content={"padding": "x" * (50 * 1024 * 1024)})
    return [signed(session, *parts)], None  # a valid (huge) request: answered, nothing to log


CASES = {name[len("case_"):]: function for name, function in globals().items() if name.startswith("case_")}


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_input_is_dropped_and_kernel_survives(start_hubkernel, tmp_path, case):
    log_path = tmp_path / "kernel-stderr.log"
    with open(log_path, "w") as log:
        km, kc = start_hubkernel(stderr=log)
    raw = km.connect_shell(identity=b"raw-client")
    try:
        batches, expected_log = CASES[case](km.session)
        for frames in batches:
            raw.send_multipart(frames)
        replies = []
        while raw.poll(1500 if case == "50_mb_frame" else 500):
            replies.append(km.session.deserialize(km.session.feed_identities(raw.recv_multipart())[1]))
        if case == "replayed":
            assert [r["msg_type"] for r in replies] == ["kernel_info_reply"], "only the first copy may be answered"
        elif case == "50_mb_frame":
            if not replies and raw.poll(30000):
                replies.append(km.session.deserialize(km.session.feed_identities(raw.recv_multipart())[1]))
            assert [r["msg_type"] for r in replies] == ["kernel_info_reply"]
        else:
            assert replies == [], f"{case} must be dropped, got {[r['msg_type'] for r in replies]}"
        assert km.is_alive()
        msg_id = kc.kernel_info()
        reply = kc.get_shell_msg(timeout=30)
        assert reply["parent_header"]["msg_id"] == msg_id
        assert reply["content"]["status"] == "ok"
        if expected_log:
            deadline = time.monotonic() + 5
            while expected_log not in log_path.read_text() and time.monotonic() < deadline:
                time.sleep(0.05)
            assert expected_log in log_path.read_text()
    finally:
        raw.close(linger=0)
