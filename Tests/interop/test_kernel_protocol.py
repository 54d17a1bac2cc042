"""HubKernel through jupyter_client: kernel_info, execute flow, status on every channel, history,
interrupts (message and SIGINT) with the heartbeat answered meanwhile, stdin, shutdown."""
from __future__ import annotations

import json
import pathlib
import time

import pytest
import zmq

from fixtures.kernel import run_cell, stream_text


def shell_request(kc, method, *args, **kwargs):
    msg_id = getattr(kc, method)(*args, **kwargs)
    reply = kc.get_shell_msg(timeout=10)
    assert reply["parent_header"]["msg_id"] == msg_id
    return reply


def heartbeat_answers(km, timeout_ms=1000) -> bool:
    """One ping on a fresh REQ socket (as jupyter_client's HBChannel does, curve-aware)."""
    socket = km._create_connected_socket("hb")
    try:
        socket.send(b"ping")
        return bool(socket.poll(timeout_ms)) and socket.recv() == b"ping"
    finally:
        socket.close(linger=0)


def test_kernel_info_reply(hubkernel):
    _, kc = hubkernel
    content = shell_request(kc, "kernel_info")["content"]
    major, minor = (int(part) for part in content["protocol_version"].split(".")[:2])
    assert (major, minor) >= (5, 3)
    language = content["language_info"]
    assert language["name"] == "hubkernel"
    assert language["mimetype"] == "text/x-hubkernel"
    assert language["file_extension"] == ".hub"
    assert content["banner"]
    assert all({"text", "url"} <= set(link) for link in content["help_links"])


def test_execute_flow_and_counts(hubkernel):
    _, kc = hubkernel
    reply, iopub = run_cell(kc, "%echo hello, world")
    assert reply["content"]["status"] == "ok"
    assert [m["msg_type"] for m in iopub] == ["status", "execute_input", "stream", "status"]
    assert iopub[1]["content"]["execution_count"] == reply["content"]["execution_count"] == 1
    assert stream_text(iopub) == "hello, world\n"
    reply, iopub = run_cell(kc, "%lsmagic")
    assert reply["content"]["execution_count"] == 2
    result = [m for m in iopub if m["msg_type"] == "execute_result"]
    assert len(result) == 1 and result[0]["content"]["execution_count"] == 2
    assert "%echo" in result[0]["content"]["data"]["text/plain"]


def test_silent_cell_does_not_count_or_echo(hubkernel):
    _, kc = hubkernel
    msg_id = kc.execute("%echo quiet", silent=True)
    reply = kc.get_shell_msg(timeout=10)
    assert reply["parent_header"]["msg_id"] == msg_id
    types = []
    while True:
        message = kc.get_iopub_msg(timeout=10)
        if message["parent_header"].get("msg_id") != msg_id:
            continue
        types.append(message["msg_type"])
        if message["msg_type"] == "status" and message["content"]["execution_state"] == "idle":
            break
    assert "execute_input" not in types
    assert run_cell(kc, "%echo loud")[0]["content"]["execution_count"] == 1


def test_error_reply_and_stop_on_error_aborts_queued_cells(hubkernel):
    _, kc = hubkernel
    failing = kc.execute("%sleep 0.5\n%no_such_magic")  # long enough for the next request to queue up
    queued = kc.execute("%echo never runs")
    first = kc.get_shell_msg(timeout=10)
    second = kc.get_shell_msg(timeout=10)
    assert first["parent_header"]["msg_id"] == failing
    assert first["content"]["status"] == "error"
    assert first["content"]["ename"] and isinstance(first["content"]["traceback"], list)
    assert second["parent_header"]["msg_id"] == queued
    assert second["content"]["status"] == "aborted"
    assert run_cell(kc, "%echo after")[0]["content"]["status"] == "ok"


def test_status_busy_idle_on_control(hubkernel):
    _, kc = hubkernel
    message = kc.session.msg("kernel_info_request")
    kc.control_channel.send(message)
    reply = kc.control_channel.get_msg(timeout=10)
    assert reply["msg_type"] == "kernel_info_reply"
    states = []
    deadline = time.monotonic() + 10
    while len(states) < 2 and time.monotonic() < deadline:
        status = kc.get_iopub_msg(timeout=10)
        if status["parent_header"].get("msg_id") == message["header"]["msg_id"]:
            states.append(status["content"]["execution_state"])
    assert states == ["busy", "idle"]


def test_comm_info_and_is_complete(hubkernel):
    _, kc = hubkernel
    assert shell_request(kc, "comm_info")["content"] == {"status": "ok", "comms": {}}
    assert shell_request(kc, "is_complete", "%echo a \\")["content"]["status"] == "incomplete"
    assert shell_request(kc, "is_complete", "%echo a")["content"]["status"] == "complete"


def test_history_tail_range_search(hubkernel):
    _, kc = hubkernel
    for code in ["%echo one", "%lsmagic", "%echo two", "%echo one"]:
        run_cell(kc, code)
    tail = shell_request(kc, "history", hist_access_type="tail", n=2, output=False, raw=True)["content"]["history"]
    assert [entry[1:] for entry in tail] == [[3, "%echo two"], [4, "%echo one"]]
    session = tail[0][0]
    ranged = shell_request(kc, "history", hist_access_type="range", session=session, start=2, stop=4, output=True,
                           raw=True)["content"]["history"]
    assert [entry[1] for entry in ranged] == [2, 3]
    assert ranged[0][2][0] == "%lsmagic" and "%echo" in ranged[0][2][1]
    assert ranged[1][2] == ["%echo two", None]
    found = shell_request(kc, "history", hist_access_type="search", pattern="%echo o*", output=False, raw=True,
                          unique=True)["content"]["history"]
    assert [entry[1:] for entry in found] == [[4, "%echo one"]]


@pytest.mark.parametrize("interrupt_mode", ["message", "signal"])
def test_interrupt_long_cell_with_heartbeat(start_hubkernel, interrupt_mode):
    km, kc = start_hubkernel(interrupt_mode=interrupt_mode)
    msg_id = kc.execute("%sleep 60")
    time.sleep(0.5)
    assert heartbeat_answers(km), "heartbeat must answer while a cell runs"
    started = time.monotonic()
    km.interrupt_kernel()
    reply = kc.get_shell_msg(timeout=5)
    assert reply["parent_header"]["msg_id"] == msg_id
    assert reply["content"]["status"] == "error"
    assert reply["content"]["ename"] == "KeyboardInterrupt"
    assert time.monotonic() - started < 3
    assert km.is_alive()
    assert run_cell(kc, "%echo still here")[0]["content"]["status"] == "ok"


def test_control_answers_while_cell_runs(hubkernel):
    km, kc = hubkernel
    kc.execute("%sleep 60")
    time.sleep(0.3)
    message = kc.session.msg("kernel_info_request")
    started = time.monotonic()
    kc.control_channel.send(message)
    assert kc.control_channel.get_msg(timeout=5)["msg_type"] == "kernel_info_reply"
    assert time.monotonic() - started < 1
    km.interrupt_kernel()
    assert kc.get_shell_msg(timeout=5)["content"]["ename"] == "KeyboardInterrupt"


def test_shutdown_request_ends_the_process(hubkernel):
    km, kc = hubkernel
    msg_id = kc.shutdown()
    reply = kc.control_channel.get_msg(timeout=10)
    assert reply["msg_type"] == "shutdown_reply"
    assert reply["parent_header"]["msg_id"] == msg_id
    assert reply["content"] == {"status": "ok", "restart": False}
    deadline = time.monotonic() + 5
    while km.is_alive() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not km.is_alive()
    assert km.provisioner.process.returncode == 0


def test_iopub_welcome_for_each_new_subscriber(hubkernel):
    km, _ = hubkernel
    socket = km.connect_iopub()
    try:
        assert socket.poll(5000), "no iopub_welcome for a second subscriber"
        frames = socket.recv_multipart()
        message = km.session.deserialize(km.session.feed_identities(frames)[1])
        assert message["msg_type"] == "iopub_welcome"
        assert message["content"] == {"subscription": ""}
    finally:
        socket.close(linger=0)


def test_empty_key_disables_signing(start_hubkernel):
    km, kc = start_hubkernel(session_key=b"")
    with open(km.connection_file) as handle:
        assert json.load(handle)["key"] == ""
    reply, iopub = run_cell(kc, "%echo unsigned")
    assert reply["content"]["status"] == "ok"
    assert stream_text(iopub) == "unsigned\n"


def test_ipc_transport(start_hubkernel):
    km, kc = start_hubkernel(transport="ipc")
    with open(km.connection_file) as handle:
        info = json.load(handle)
    assert info["transport"] == "ipc"
    assert pathlib.Path(f"{info['ip']}-{info['shell_port']}").is_socket()
    reply, iopub = run_cell(kc, "%echo over ipc")
    assert reply["content"]["status"] == "ok"
    assert stream_text(iopub) == "over ipc\n"
    assert heartbeat_answers(km)
