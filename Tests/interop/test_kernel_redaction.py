"""Every string that leaves the kernel passes through the redactor: outputs, execute_input, replies,
history, and the kernel's own stderr log. The token comes from HF_TOKEN (generated at run time)."""
from __future__ import annotations

import json
import secrets
import string
import time

import pytest

from fixtures.kernel import run_cell

TOKEN = "hf_" + "".join(secrets.choice(string.ascii_letters) for _ in range(34))


@pytest.fixture
def redacting_kernel(start_hubkernel, tmp_path):
    log_path = tmp_path / "kernel-stderr.log"
    with open(log_path, "w") as log:
        km, kc = start_hubkernel(env={"HF_TOKEN": TOKEN, "HF_HOME": str(tmp_path / "hf_home"),
                                      "HF_ENDPOINT": "http://127.0.0.1:9"}, stderr=log)
    return km, kc, log_path


def test_outputs_history_and_log_are_redacted(redacting_kernel):
    km, kc, log_path = redacting_kernel
    reply, iopub = run_cell(kc, f"%echo the token is {TOKEN}")
    assert reply["content"]["status"] == "ok"
    streams = [m for m in iopub if m["msg_type"] == "stream"]
    assert streams and "the token is" in streams[0]["content"]["text"]
    reply_error, iopub_error = run_cell(kc, f"%no_such_magic {TOKEN}")
    kc.history(hist_access_type="tail", n=10, output=True, raw=True)
    history = kc.get_shell_msg(timeout=10)["content"]["history"]
    assert len(history) == 2

    # The kernel logs unknown message types to stderr: that line must be redacted too.
    raw = km.connect_shell(identity=b"raw")
    try:
        message = km.session.msg(f"{TOKEN}_request")
        raw.send_multipart(km.session.serialize(message))
        time.sleep(0.3)
    finally:
        raw.close(linger=0)
    deadline = time.monotonic() + 5
    while "_request" not in log_path.read_text() and time.monotonic() < deadline:
        time.sleep(0.05)
    log_text = log_path.read_text()
    assert "unknown message type" in log_text
    assert streams[0]["content"]["text"] != f"the token is {TOKEN}\n"  # masked, not dropped

    everything = json.dumps([m["content"] for m in iopub + iopub_error]) + json.dumps(reply["content"])
    everything += json.dumps(reply_error["content"]) + json.dumps(history) + log_text
    assert TOKEN not in everything
    assert TOKEN[-6:] not in everything
