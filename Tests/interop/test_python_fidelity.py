"""HubKernel hosting Python behaves as ipykernel itself does (issue 28): each test runs the same scenario against the
venv's ipykernel directly (the reference, which proves the scenario) and through HubKernel.

* kernel_info: Python's own reply apart from HubKernel's identity (implementation, version, banner, help links);
* identity: Python sees each frontend under the routing identity it connected with, and its input_request goes to
  that frontend alone;
* subshells (JEP 91): a subshell's execute answered while the main shell runs a long cell, a comm message that a
  running cell waits for handled in a subshell, HubKernel's magics answered while Python runs in a subshell, and a
  token a subshell prints masked.
"""
from __future__ import annotations

import json
import queue
import sys
import time

import pytest
from jupyter_client.blocking.client import BlockingKernelClient
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import KernelManager
from jupyter_client.session import Session

from fixtures.kernel import python_env, ready_client, run_cell, stop_kernel, stream_text, write_python_kernelspec

TOKEN = "hf_" + "SubshellFidelityTokenAbcdefghijklmn"[:34]
assert len(TOKEN) == 37
MASKED = TOKEN[:3] + "****" + TOKEN[-4:]
IDENTITY_KEYS = {"implementation", "implementation_version", "banner", "help_links"}
KERNEL_INFO: dict[str, dict] = {}  # each kernel's reply without its identity, for the comparison


@pytest.fixture(params=["ipykernel", "hubkernel"])
def kernel(request, start_hubkernel, tmp_path):
    """``(name, KernelManager, client)``: the venv's ipykernel directly, or HubKernel hosting it."""
    env = {"HF_TOKEN": TOKEN, "HF_HOME": str(tmp_path / "hf")}
    if request.param == "hubkernel":
        km, kc = start_hubkernel(env=env, python=True)
        yield request.param, km, kc
        return
    write_python_kernelspec(tmp_path)
    km = KernelManager(kernel_name="python3", kernel_spec_manager=KernelSpecManager(kernel_dirs=[str(tmp_path / "kernels")]))
    km.start_kernel(env=python_env(env, True))
    kc = ready_client(km, timeout=60)
    yield request.param, km, kc
    stop_kernel(km, kc)


def send(kc: BlockingKernelClient, channel, msg_type: str, content: dict | None = None, subshell_id: str | None = None) -> str:
    msg = kc.session.msg(msg_type, content or {})
    if subshell_id is not None:
        msg["header"]["subshell_id"] = subshell_id
    channel.send(msg)
    return msg["header"]["msg_id"]


class Replies:
    """Shell replies as they come, by parent msg_id, with when each came."""

    def __init__(self, kc: BlockingKernelClient):
        self.kc = kc
        self.seen: dict[str, tuple[float, dict]] = {}

    def wait(self, msg_id: str, timeout: float = 30) -> dict:
        deadline = time.monotonic() + timeout
        while msg_id not in self.seen:
            if time.monotonic() > deadline:
                raise TimeoutError(f"no reply to {msg_id} in {timeout} s (have {list(self.seen)})")
            try:
                reply = self.kc.get_shell_msg(timeout=0.1)
            except queue.Empty:
                continue
            self.seen[reply["parent_header"].get("msg_id")] = (time.monotonic(), reply)
        return self.seen[msg_id][1]

    def came_before(self, first: str, second: str) -> bool:
        return self.seen[first][0] < self.seen[second][0]


def control_message(kc: BlockingKernelClient, msg_type: str, content: dict | None = None) -> dict:
    """The reply to a new `msg_type` request on control, whole."""
    msg_id = send(kc, kc.control_channel, msg_type, content)
    while True:
        reply = kc.get_control_msg(timeout=30)
        if reply["parent_header"].get("msg_id") == msg_id:
            return reply


def control_reply(kc: BlockingKernelClient, msg_type: str, content: dict | None = None) -> dict:
    return control_message(kc, msg_type, content)["content"]


def create_subshell(kc: BlockingKernelClient) -> str:
    reply = control_reply(kc, "create_subshell_request")
    assert reply["status"] == "ok", reply
    return reply["subshell_id"]


def iopub_text(kc: BlockingKernelClient, msg_id: str, timeout: float = 30) -> str:
    """The stdout a request printed, read from iopub until its idle."""
    text, deadline = "", time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            msg = kc.get_iopub_msg(timeout=0.1)
        except queue.Empty:
            continue
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        if msg["msg_type"] == "stream":
            text += msg["content"]["text"]
        if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
            return text
    raise TimeoutError(f"no idle for {msg_id}")


def test_kernel_info_is_pythons_but_for_identity(kernel):
    name, km, kc = kernel
    kc.kernel_info()
    info = kc.get_shell_msg(timeout=30)["content"]
    features = info.get("supported_features", [])
    assert "debugger" in features and "kernel subshells" in features, info
    stash = KERNEL_INFO
    stash[name] = {k: v for k, v in info.items() if k not in IDENTITY_KEYS | {"debugger"}}
    if name == "hubkernel":
        assert info["implementation"] == "hubkernel" and info["debugger"] is True
        if "ipykernel" in stash:
            assert stash["hubkernel"] == stash["ipykernel"], "everything but the identity is Python's own"


SESSION_CELL = """
import comm
from IPython.display import display
print("out")
display({"text/plain": "shown"}, raw=True)
opened = [comm.create_comm(target_name="session-probe") for _ in range(5)]
print("more")
"""


@pytest.fixture
def wrapped_python(start_hubkernel, tmp_path):
    """HubKernel hosting ipykernel through a kernelspec whose command is a shell wrapper: HubKernel cannot tell it
    starts ipykernel, so it does not give it its session id, and Python's messages come under Python's own."""
    spec = tmp_path / "data" / "kernels" / "wrapped"
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": ["/bin/sh", "-c", 'exec "$0" -m ipykernel_launcher -f "$1"', sys.executable, "{connection_file}"],
        "display_name": "Wrapped Python", "language": "python"}))
    km, kc = start_hubkernel(env={"HUBKERNEL_PYTHON_KERNEL": "wrapped", "JUPYTER_PATH": str(tmp_path / "data"),
                                  "HF_HOME": str(tmp_path / "hf")}, python=True)
    return "hubkernel hosting a wrapper", km, kc


def test_every_message_carries_the_kernels_one_session(kernel):
    """JupyterLab takes the session of each message it receives as the kernel's, and drops a comm_open whose session
    is not the last one it saw (`_assertCurrentMessage`): a widget then shows "model not found". ipykernel's messages
    all carry its one session; through HubKernel, Python's relayed messages and HubKernel's own must carry one too."""
    assert_one_session(*kernel)


def test_a_hosted_kernel_with_its_own_session_is_relayed_under_the_kernels(wrapped_python):
    """The same when the hosted kernel was not started with HubKernel's session: the relay gives its messages the
    kernel's."""
    assert_one_session(*wrapped_python)


def assert_one_session(name: str, km, kc: BlockingKernelClient) -> None:
    sessions: dict[str, set] = {}

    def note(msg: dict) -> None:
        sessions.setdefault(msg["header"]["session"], set()).add(f'{msg["msg_type"]}')

    kc.kernel_info()
    note(kc.get_shell_msg(timeout=30))
    note(control_message(kc, "create_subshell_request"))
    cell = kc.execute(SESSION_CELL)
    note(kc.get_shell_msg(timeout=30))
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            msg = kc.get_iopub_msg(timeout=0.5)
        except queue.Empty:
            continue
        note(msg)
        if msg["parent_header"].get("msg_id") == cell and msg["msg_type"] == "status" \
                and msg["content"]["execution_state"] == "idle":
            break
    seen = set().union(*sessions.values())
    assert {"stream", "display_data", "comm_open", "status", "execute_reply"} <= seen, seen
    assert len(sessions) == 1, f"{name}: messages under {len(sessions)} sessions: {sessions}"


def test_python_sees_each_frontend_under_its_own_identity(kernel):
    name, km, kc = kernel
    # A second frontend: its own session, so its own routing identity (km.client() would share the first one's).
    other = km.client(session=Session(key=km.session.key, signature_scheme=km.session.signature_scheme))
    other.start_channels()
    try:
        other.wait_for_ready(timeout=30)
        for client in (kc, other):
            reply, iopub = run_cell(client, "print(get_ipython().kernel._parent_ident['shell'])", timeout=60)
            assert reply["content"]["status"] == "ok", reply["content"]
            assert stream_text(iopub) == f"[{client.session.bsession!r}]\n", f"{name}: Python sees the frontend's own identity"
        # Python asks the frontend that ran the cell, on that frontend's stdin, and no other.
        asked: list[dict] = []
        reply, iopub = run_cell(other, "print(input('name? ') + '!')", stdin_answers=["other"], stdin_requests=asked, timeout=60)
        assert stream_text(iopub) == "other!\n" and len(asked) == 1
        with pytest.raises(queue.Empty):
            kc.get_stdin_msg(timeout=0.5)
    finally:
        other.stop_channels()


def test_subshell_execute_is_answered_while_the_main_shell_runs_a_long_cell(kernel):
    name, km, kc = kernel
    subshell = create_subshell(kc)
    replies = Replies(kc)
    main = send(kc, kc.shell_channel, "execute_request", {"code": "import time; time.sleep(4)", "silent": False})
    time.sleep(0.5)
    started = time.monotonic()
    sub = send(kc, kc.shell_channel, "execute_request", {"code": "import os; print('in the subshell', os.environ['HF_TOKEN'])"},
               subshell_id=subshell)
    assert replies.wait(sub)["content"]["status"] == "ok"
    assert time.monotonic() - started < 3, f"{name}: the subshell's reply waited for the main shell"
    assert replies.wait(main, timeout=30)["content"]["status"] == "ok"
    assert replies.came_before(sub, main)
    listed = control_reply(kc, "list_subshell_request")
    assert listed["subshell_id"] == [subshell]
    assert control_reply(kc, "delete_subshell_request", {"subshell_id": subshell})["status"] == "ok"
    assert control_reply(kc, "list_subshell_request")["subshell_id"] == []


def test_subshell_output_and_reply_are_masked(kernel):
    name, km, kc = kernel
    subshell = create_subshell(kc)
    sub = send(kc, kc.shell_channel, "execute_request", {"code": "import os; print(os.environ['HF_TOKEN'])"}, subshell_id=subshell)
    printed = iopub_text(kc, sub)
    reply = Replies(kc).wait(sub)
    assert reply["content"]["status"] == "ok"
    if name == "hubkernel":
        assert printed == MASKED + "\n", "a subshell's output is masked as the main shell's is"
        assert TOKEN not in str(reply)
    else:
        assert printed == TOKEN + "\n", "ipykernel itself shows it (the reference)"


def test_a_comm_message_in_a_subshell_reaches_a_cell_that_waits_for_it(kernel):
    name, km, kc = kernel
    setup = ("got = []\n"
             "get_ipython().kernel.comm_manager.register_target('fidelity', "
             "lambda comm, msg: comm.on_msg(lambda m: got.append(m['content']['data'])))")
    reply, _ = run_cell(kc, setup, timeout=60)
    assert reply["content"]["status"] == "ok", reply["content"]
    send(kc, kc.shell_channel, "comm_open", {"comm_id": "c1", "target_name": "fidelity", "data": {}})
    subshell = create_subshell(kc)
    replies = Replies(kc)
    waiting = send(kc, kc.shell_channel, "execute_request",
                   {"code": "import time\nt = time.monotonic()\nwhile not got and time.monotonic() - t < 20: time.sleep(0.02)\nprint(got)"})
    time.sleep(0.5)
    send(kc, kc.shell_channel, "comm_msg", {"comm_id": "c1", "data": {"answer": 42}}, subshell_id=subshell)
    started = time.monotonic()
    assert replies.wait(waiting, timeout=30)["content"]["status"] == "ok"
    assert time.monotonic() - started < 10, f"{name}: the waiting cell did not get the comm message"


def test_hubkernel_magics_answer_while_python_runs_in_a_subshell(start_hubkernel, tmp_path):
    km, kc = start_hubkernel(env={"HF_HOME": str(tmp_path / "hf")}, python=True)
    subshell = create_subshell(kc)
    replies = Replies(kc)
    sub = send(kc, kc.shell_channel, "execute_request", {"code": "import time; time.sleep(4); print('slept')"}, subshell_id=subshell)
    time.sleep(0.5)
    magic = send(kc, kc.shell_channel, "execute_request", {"code": "%echo still here"})
    assert replies.wait(magic)["content"]["status"] == "ok"
    assert replies.wait(sub, timeout=30)["content"]["status"] == "ok"
    assert replies.came_before(magic, sub), "the main shell's magic waited for Python's subshell"


def test_frontends_without_a_routing_id_leave_pythons_own_sockets_alone(start_hubkernel, tmp_path):
    """libzmq numbers anonymous peers from the same start in every process: the ids HubKernel's ROUTER gives frontends
    that set none would, passed on, take over the socket ipykernel's debugger opens to its own shell (the first
    anonymous peer there), and the debugger's `initialize` would never be answered (JupyterLab's server opens such
    connections)."""
    import zmq

    km, kc = start_hubkernel(env={"HF_HOME": str(tmp_path / "hf")}, python=True)
    info = km.get_connection_info()
    context = zmq.Context.instance()
    anonymous = []
    for _ in range(3):
        socket = context.socket(zmq.DEALER)  # no routing id: HubKernel's ROUTER makes one up
        socket.linger = 0
        socket.connect(f"tcp://{info['ip']}:{info['shell_port']}")
        anonymous.append(socket)
        kc.session.send(socket, "kernel_info_request", {})
        assert socket.poll(30_000), "an anonymous frontend is answered"
        kc.session.recv(socket)
    try:
        reply = control_reply(kc, "debug_request", {"type": "request", "seq": 1, "command": "initialize",
                                                     "arguments": {"clientID": "t", "adapterID": "", "pathFormat": "path",
                                                                   "linesStartAt1": True, "columnsStartAt1": True}})
        assert reply["success"] is True, reply
    finally:
        for socket in anonymous:
            socket.close()


def saved_outputs(iopub: list[dict]) -> list[dict]:
    """The outputs a notebook keeps of a cell's iopub messages (clear_output applied, as nbclient and Lab do)."""
    outputs: list[dict] = []
    for msg in iopub:
        if msg["msg_type"] == "clear_output":
            outputs = []
        elif msg["msg_type"] in ("stream", "display_data", "execute_result", "error"):
            outputs.append({"type": msg["msg_type"], **{k: msg["content"].get(k) for k in ("text", "data")}})
    return outputs


def test_a_slow_start_shows_a_notice_that_is_gone_when_the_cell_ends(tmp_path):
    """A Python that takes seconds to start: a cell sent meanwhile shows "Starting Python…" and then only its own
    output, as ipykernel's cell would hold."""
    site = tmp_path / "site"
    site.mkdir()
    (site / "sitecustomize.py").write_text("import sys, time\nif sys.argv[:1] == ['-m']:\n    time.sleep(6)\n")
    data = tmp_path / "jupyter"
    from fixtures.kernel import write_kernelspec
    write_kernelspec(data)
    km = KernelManager(kernel_name="hubkernel", kernel_spec_manager=KernelSpecManager(kernel_dirs=[str(data / "kernels")]))
    km.start_kernel(env=python_env({"HF_HOME": str(tmp_path / "hf"), "PYTHONPATH": str(site)}, True))
    kc = km.client()
    kc.start_channels()
    try:
        time.sleep(1)  # iopub subscribed; no kernel_info sent (it would wait for Python)
        reply, iopub = run_cell(kc, "print('hello')", timeout=60)
        assert reply["content"]["status"] == "ok", reply["content"]
        shown = [m for m in iopub if m["msg_type"] == "display_data"]
        assert shown and "Starting" in shown[0]["content"]["data"]["text/plain"], "the notice was shown meanwhile"
        assert saved_outputs(iopub) == [{"type": "stream", "text": "hello\n", "data": None}]
    finally:
        stop_kernel(km, kc)
