"""The stdin channel through jupyter_client: a password prompt answered by the client, allow_stdin
false making the prompt fail, and an interrupt while the kernel waits for an answer. The prompting
magic is %hf_login (it asks for a token with password=True)."""
from __future__ import annotations

import json
import secrets
import string
import time

import pytest

from fixtures.kernel import run_cell


@pytest.fixture
def hubkernel_env(tmp_path):
    # A private HF_HOME, no token anywhere, and a Hub endpoint that refuses connections.
    return {"HF_HOME": str(tmp_path / "hf_home"), "HF_TOKEN": "", "HF_HUB_OFFLINE": "0",
            "HF_ENDPOINT": "http://127.0.0.1:9", "HOME": str(tmp_path / "home")}


@pytest.fixture
def prompting_kernel(hubkernel):
    _, kc = hubkernel
    reply, iopub = run_cell(kc, "%lsmagic")
    listing = json.dumps([m["content"] for m in iopub])
    if "hf_login" not in listing:
        pytest.skip("%hf_login (the prompting magic) is not in this build yet")
    return hubkernel


def fake_token() -> str:
    return "hf_" + "".join(secrets.choice(string.ascii_letters) for _ in range(34))


def test_password_prompt_answered_by_client(prompting_kernel):
    _, kc = prompting_kernel
    token = fake_token()
    requests: list[dict] = []
    reply, iopub = run_cell(kc, "%hf_login --paste", stdin_answers=[token], stdin_requests=requests, timeout=60)
    assert len(requests) == 1
    assert requests[0]["content"]["password"] is True
    assert "token" in requests[0]["content"]["prompt"].lower()
    # The endpoint refuses connections, so the login fails, but the answer reached the magic …
    assert reply["content"]["status"] == "error"
    # … and the secret never leaves the kernel: not in outputs, the reply, or history.
    everything = json.dumps([m["content"] for m in iopub]) + json.dumps(reply["content"])
    kc.history(hist_access_type="tail", n=10, output=True, raw=True)
    everything += json.dumps(kc.get_shell_msg(timeout=10)["content"])
    assert token not in everything


def test_allow_stdin_false_makes_the_prompt_fail(prompting_kernel):
    _, kc = prompting_kernel
    reply, _ = run_cell(kc, "%hf_login --paste", allow_stdin=False)
    assert reply["content"]["status"] == "error"
    assert reply["content"]["ename"] == "StdinNotAllowedError"


def test_interrupt_while_waiting_for_input(prompting_kernel):
    km, kc = prompting_kernel
    msg_id = kc.execute("%hf_login --paste", allow_stdin=True)
    request = kc.get_stdin_msg(timeout=30)
    assert request["msg_type"] == "input_request"
    started = time.monotonic()
    km.interrupt_kernel()
    reply = kc.get_shell_msg(timeout=5)
    assert reply["parent_header"]["msg_id"] == msg_id
    assert reply["content"]["ename"] == "KeyboardInterrupt"
    assert time.monotonic() - started < 2
    assert run_cell(kc, "%echo ok")[0]["content"]["status"] == "ok"
