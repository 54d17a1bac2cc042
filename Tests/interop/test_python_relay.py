"""Python in the same notebook: HubKernel hosts the test venv's ipykernel and relays it (Sources/Jupyter/Relay).

Each test drives HubKernel through jupyter_client as a frontend does and checks what reaches the frontend:
Python's outputs in the right cell, one execution counter, stdin, interrupts, a killed Python, no orphan, comms,
and — above all — no token Python shows ever leaving the kernel unmasked.
"""
from __future__ import annotations

import json
import os
import pathlib
import queue
import signal
import sys
import time

import pytest

from fixtures.kernel import run_cell, stream_text

TOKEN = "hf_" + "KnownTokenForRelayTestsAbcdefghij"[:34].ljust(34, "x")
UNSEEN = "hf_" + "NeverSeenByHubKernelQwertyuiopasdf"[:34].ljust(34, "z")
assert len(TOKEN) == len(UNSEEN) == 37


def mask(token: str) -> str:
    return token[:3] + "****" + token[-4:]


@pytest.fixture
def python_kernel(start_hubkernel, tmp_path):
    """HubKernel hosting Python, with HF_TOKEN set to a known token (a fresh HF_HOME, no Hub needed)."""
    return start_hubkernel(env={"HF_TOKEN": TOKEN, "HF_HOME": str(tmp_path / "hf")}, python=True)


def everything(iopub: list[dict], reply: dict) -> str:
    """Every output message and the reply (not execute_input, which echoes the code the user typed)."""
    shown = [m for m in iopub if m["msg_type"] != "execute_input"]
    return json.dumps([m["content"] for m in shown] + [m.get("metadata", {}) for m in shown] + [reply["content"]])


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return pathlib.Path(f"/proc/{pid}").exists() and "zombie" not in pathlib.Path(f"/proc/{pid}/status").read_text().lower()


def python_pid(kc) -> int:
    reply, iopub = run_cell(kc, "import os; print(os.getpid())", timeout=60)
    assert reply["content"]["status"] == "ok", reply["content"]
    return int(stream_text(iopub).strip())


# -- cells, counts, routing --------------------------------------------------------------------------------------


def test_one_counter_for_magic_and_python_cells_and_out_matches(python_kernel):
    km, kc = python_kernel
    counts = []
    for code in ["%echo first", "40 + 2", "%echo third", "Out[2] * 2"]:
        reply, iopub = run_cell(kc, code, timeout=60)
        assert reply["content"]["status"] == "ok", reply["content"]
        inputs = [m["content"]["execution_count"] for m in iopub if m["msg_type"] == "execute_input"]
        assert inputs == [reply["content"]["execution_count"]], "one execute_input, with HubKernel's count"
        counts.append(reply["content"]["execution_count"])
    assert counts == [1, 2, 3, 4]
    results = [m for m in iopub if m["msg_type"] == "execute_result"]
    assert results[0]["content"]["execution_count"] == 4 and results[0]["content"]["data"]["text/plain"] == "84"
    statuses = [m["content"]["execution_state"] for m in iopub if m["msg_type"] == "status"]
    assert statuses == ["busy", "idle"], "Python's own busy/idle are folded into HubKernel's one pair"


def test_mixed_cell_runs_magics_first_then_python_with_the_cells_line_numbers(python_kernel):
    km, kc = python_kernel
    reply, iopub = run_cell(kc, "%echo from the magic\nx = 1\nraise ValueError('boom')", timeout=60)
    assert reply["content"]["status"] == "error" and reply["content"]["ename"] == "ValueError"
    assert stream_text(iopub).startswith("from the magic")
    assert "line 3" in "".join(reply["content"]["traceback"]) or "3 raise" in "".join(reply["content"]["traceback"]).replace("\x1b", "")
    reply, _ = run_cell(kc, "x = 1\n%echo late", timeout=60)
    assert reply["content"]["ename"] == "CellOrderError" and "split the cell" in reply["content"]["evalue"]
    reply, _ = run_cell(kc, "%echoo hi", timeout=60)
    assert reply["content"]["ename"] == "UnknownMagic" and "%echo" in reply["content"]["evalue"]
    reply, iopub = run_cell(kc, "%time 1 + 1", timeout=60)
    assert reply["content"]["status"] == "ok", "IPython's own magics go to Python"
    assert "Wall time" in stream_text(iopub)


def test_python_gets_the_cell_as_sent_and_an_indented_rest_runs(python_kernel):
    """ipykernel's own test_execute_reply_error_status: an indented cell after a blank line is valid IPython (it drops
    leading blank lines and the first line's indent). It must reach Python byte for byte, not with a `#` line."""
    km, kc = python_kernel
    cell = "\n    ip = get_ipython()\n    try:\n        1 / 0\n    except:\n        ip.showtraceback()\n"
    reply, iopub = run_cell(kc, cell, timeout=60)
    assert reply["content"]["status"] == "ok", reply["content"]
    assert any(m["msg_type"] == "error" and m["content"]["ename"] == "ZeroDivisionError" for m in iopub)
    reply, iopub = run_cell(kc, "print(repr(get_ipython().history_manager.input_hist_raw[-2]))", timeout=60)
    assert stream_text(iopub).strip() == repr(cell.rstrip()), "the text Python ran is the cell (IPython keeps it rstripped)"
    reply, _ = run_cell(kc, "%echo first\n\n    x = 41\n    x += 1\n", timeout=60)
    assert reply["content"]["status"] == "ok", "an indented rest after a magic runs as it would alone in a cell"
    reply, iopub = run_cell(kc, "print(x)", timeout=60)
    assert stream_text(iopub).strip() == "42"


def test_kernel_info_is_pythons_and_completion_routes_by_line(python_kernel):
    km, kc = python_kernel
    run_cell(kc, "import os", timeout=60)
    kc.kernel_info()
    info = kc.get_shell_msg(timeout=10)["content"]
    assert info["language_info"]["name"] == "python" and info["language_info"]["file_extension"] == ".py"
    assert info["debugger"] is True and "debugger" in info["supported_features"], "the debugger is relayed: offered"
    code = "%echo hi\nos.pa"
    kc.complete(code, len(code))
    completion = kc.get_shell_msg(timeout=20)["content"]
    assert "path" in completion["matches"] and completion["cursor_start"] == len(code) - 2
    kc.complete("%downl", 6)
    assert kc.get_shell_msg(timeout=20)["content"]["matches"] == ["%download"]
    kc.history(hist_access_type="tail", n=10)
    history = [entry[2] for entry in kc.get_shell_msg(timeout=20)["content"]["history"]]
    assert history[-1] == "import os"


# -- tokens never leave ------------------------------------------------------------------------------------------

LEAKS = {
    "print": "import os; print(os.environ['HF_TOKEN'])",
    "stderr": "import os, sys; print('token', os.environ['HF_TOKEN'], file=sys.stderr)",
    "repr": "import os; {'token': os.environ['HF_TOKEN']}",
    "raise": "import os; raise RuntimeError('Authorization: Bearer ' + os.environ['HF_TOKEN'])",
    "log": "import logging, os; logging.getLogger('x').warning('token=%s', os.environ['HF_TOKEN'])",
    "html": "import os; from IPython.display import HTML, display; display(HTML('<b>' + os.environ['HF_TOKEN'] + '</b>'))",
    "json": "import os; from IPython.display import JSON, display; display(JSON({'t': os.environ['HF_TOKEN']}))",
    "update_display": ("import os; from IPython.display import display; h = display('x', display_id=True); "
                       "h.update(os.environ['HF_TOKEN'])"),
    "split_writes": ("import os, sys, time; t = os.environ['HF_TOKEN']; sys.stdout.write('a ' + t[:9]); sys.stdout.flush(); "
                     "time.sleep(0.3); sys.stdout.write(t[9:] + ' b\\n'); sys.stdout.flush()"),
    "shell": "!echo $HF_TOKEN",
    "unseen_shape": f"print('hf_' + '{UNSEEN[3:]}')",
}


@pytest.mark.parametrize("name", sorted(LEAKS))
def test_no_token_python_shows_reaches_the_frontend(python_kernel, name):
    km, kc = python_kernel
    reply, iopub = run_cell(kc, LEAKS[name], timeout=60)
    shown = everything(iopub, reply)
    secret = UNSEEN if name == "unseen_shape" else TOKEN
    assert secret not in shown
    assert secret[3:20] not in shown, "no piece of the token either"
    assert mask(secret) in shown, f"the output itself arrived, masked: {shown[:500]}"
    if name == "split_writes":
        assert f"a {mask(TOKEN)} b" in stream_text(iopub), "the two writes are joined where the token was split"
    if name == "update_display":
        updates = [m for m in iopub if m["msg_type"] == "update_display_data"]
        created = [m for m in iopub if m["msg_type"] == "display_data"]
        assert updates and updates[0]["content"]["transient"] == created[0]["content"]["transient"], "display_id untouched"
    # Python's own value is untouched: only what is shown is masked.
    reply, iopub = run_cell(kc, "import os; print(len(os.environ['HF_TOKEN']), os.environ['HF_TOKEN'][-4:])", timeout=60)
    assert stream_text(iopub) == f"37 {TOKEN[-4:]}\n"


def test_saved_notebook_holds_no_token(start_hubkernel, tmp_path):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    km, kc = start_hubkernel(env={"HF_TOKEN": TOKEN, "HF_HOME": str(tmp_path / "hf")}, python=True)
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(code) for code in
                                         ["%echo hello", "import os\nos.environ['HF_TOKEN']", "print(os.environ['HF_TOKEN'])",
                                          f"print('hf_' + '{UNSEEN[3:]}')"]])
    client = nbclient.NotebookClient(nb, km=km, timeout=60)
    client.kc = kc
    with client.setup_kernel():
        for index, cell in enumerate(nb.cells):
            client.execute_cell(cell, index)
    saved = tmp_path / "saved.ipynb"
    nbformat.write(nb, saved)
    text = saved.read_text()
    at = text.find(TOKEN)
    assert at < 0, text[max(0, at - 300):at + 50]
    assert UNSEEN not in text
    outputs = json.dumps([cell.get("outputs", []) for cell in json.loads(text)["cells"]])
    assert UNSEEN not in outputs and outputs.count(mask(TOKEN)) >= 2 and mask(UNSEEN) in outputs


# -- stdin and interrupts ----------------------------------------------------------------------------------------


def test_input_and_getpass_reach_the_frontend_and_answer_back(python_kernel):
    km, kc = python_kernel
    requests: list[dict] = []
    reply, iopub = run_cell(kc, "a = input('name? ')\nimport getpass; b = getpass.getpass('secret? ')\nprint(a, len(b))",
                            stdin_answers=["alice", "s3cret"], stdin_requests=requests, timeout=60)
    assert reply["content"]["status"] == "ok", reply["content"]
    assert [(r["content"]["prompt"], r["content"]["password"]) for r in requests] == [("name? ", False), ("secret? ", True)]
    assert stream_text(iopub) == "alice 6\n"
    reply, _ = run_cell(kc, "input('x')", allow_stdin=False, timeout=60)
    assert reply["content"]["ename"] == "StdinNotImplementedError"


def test_interrupt_stops_sleeping_python_and_keeps_its_variables(python_kernel):
    km, kc = python_kernel
    run_cell(kc, "kept = 7", timeout=60)
    msg_id = kc.execute("import time; time.sleep(60)")
    time.sleep(1.5)
    started = time.monotonic()
    km.interrupt_kernel()
    reply = kc.get_shell_msg(timeout=20)
    assert reply["parent_header"]["msg_id"] == msg_id
    assert reply["content"]["ename"] == "KeyboardInterrupt"
    assert time.monotonic() - started < 5
    reply, iopub = run_cell(kc, "print(kept)", timeout=60)
    assert stream_text(iopub) == "7\n"


def test_killed_python_ends_the_cell_and_the_next_cell_gets_a_fresh_one(python_kernel):
    km, kc = python_kernel
    first = python_pid(kc)
    run_cell(kc, "lost = 1", timeout=60)
    started = time.monotonic()
    reply, iopub = run_cell(kc, "import os, signal; os.kill(os.getpid(), signal.SIGKILL)", timeout=30)
    assert time.monotonic() - started < 10
    assert reply["content"]["ename"] == "PythonDied"
    assert "SIGKILL" in reply["content"]["evalue"] and "out of memory" in reply["content"]["evalue"]
    reply, iopub = run_cell(kc, "%echo still here", timeout=30)
    assert reply["content"]["status"] == "ok" and stream_text(iopub) == "still here\n"
    reply, iopub = run_cell(kc, "print('lost' in dir())", timeout=60)
    assert reply["content"]["status"] == "ok", reply["content"]
    assert stream_text(iopub) == "False\n"
    assert "variables defined before are gone" in stream_text(iopub, "stderr")
    assert python_pid(kc) != first


def test_no_orphan_after_restart_or_shutdown(python_kernel):
    km, kc = python_kernel
    first = python_pid(kc)
    run_cell(kc, "%python restart", timeout=120)
    assert not alive(first), "restart ends the old Python"
    second = python_pid(kc)
    assert second != first
    child = python_pid(kc)  # same process
    reply, iopub = run_cell(kc, "import subprocess; p = subprocess.Popen(['sleep', '300']); print(p.pid)", timeout=60)
    grandchild = int(stream_text(iopub))
    kc.stop_channels()
    km.shutdown_kernel(now=False)
    deadline = time.monotonic() + 10
    while (alive(child) or alive(grandchild)) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not alive(child) and not alive(grandchild), "Python and what it started are gone with the kernel"


def test_hubkernel_killed_takes_python_with_it(start_hubkernel, tmp_path):
    km, kc = start_hubkernel(env={"HF_HOME": str(tmp_path / "hf")}, python=True)
    child = python_pid(kc)
    os.kill(km.provisioner.process.pid, signal.SIGKILL)
    deadline = time.monotonic() + 10
    while alive(child) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not alive(child)


def test_python_status_magic(python_kernel):
    km, kc = python_kernel
    pid = python_pid(kc)
    reply, iopub = run_cell(kc, "%python", timeout=60)
    text = [m for m in iopub if m["msg_type"] == "execute_result"][0]["content"]["data"]["text/plain"]
    assert "ready" in text and f"pid {pid}" in text and sys.version.split()[0] in text
    reply, _ = run_cell(kc, "%python sideways", timeout=30)
    assert reply["content"]["ename"] == "UsageError"


# -- comms and the environment -----------------------------------------------------------------------------------


def test_comms_both_ways(python_kernel):
    km, kc = python_kernel
    code = """
from comm import create_comm
got = []
c = create_comm(target_name='hubkernel.test', data={'hello': 1})
c.on_msg(lambda msg: (got.append(msg['content']['data']), c.send({'echo': msg['content']['data']})))
"""
    reply, iopub = run_cell(kc, code, timeout=60)
    opened = [m for m in iopub if m["msg_type"] == "comm_open"]
    assert opened and opened[0]["content"]["data"] == {"hello": 1}
    comm_id = opened[0]["content"]["comm_id"]
    kc.comm_info()
    comms = kc.get_shell_msg(timeout=20)["content"]["comms"]
    assert comms[comm_id]["target_name"] == "hubkernel.test", "comm_info finds Python's comms (a reloaded page)"
    message = kc.session.msg("comm_msg", {"comm_id": comm_id, "data": {"x": 5}})
    kc.shell_channel.send(message)
    deadline = time.monotonic() + 20
    echoed = None
    while echoed is None and time.monotonic() < deadline:
        msg = kc.get_iopub_msg(timeout=20)
        if msg["msg_type"] == "comm_msg" and msg["parent_header"].get("msg_id") == message["header"]["msg_id"]:
            echoed = msg["content"]["data"]
    assert echoed == {"echo": {"x": 5}}
    reply, iopub = run_cell(kc, "print(got)", timeout=60)
    assert stream_text(iopub) == "[{'x': 5}]\n"


def test_dotenv_change_reaches_the_running_python(python_kernel, tmp_path):
    km, kc = python_kernel
    python_pid(kc)
    dotenv = tmp_path / ".env"
    dotenv.write_text("HF_HUB_OFFLINE=1\n")
    reply, _ = run_cell(kc, f"%dotenv {dotenv}", timeout=60)
    assert reply["content"]["status"] == "ok", reply["content"]
    reply, iopub = run_cell(kc, "import os; print(os.environ.get('HF_HUB_OFFLINE'))", timeout=60)
    assert stream_text(iopub) == "1\n"


def test_no_ipykernel_keeps_magics_and_says_how_to_install(start_hubkernel, tmp_path):
    bare = tmp_path / "bin"
    bare.mkdir()
    (bare / "python3").symlink_to("/usr/bin/python3")
    # An empty HUBKERNEL_PYTHON_KERNEL is "unset": the python3 in PATH is tried, and it has no ipykernel.
    km, kc = start_hubkernel(env={"PATH": f"{bare}:/usr/bin:/bin", "HF_HOME": str(tmp_path / "hf"),
                                  "HUBKERNEL_PYTHON_KERNEL": ""})
    reply, iopub = run_cell(kc, "%echo magics work", timeout=30)
    assert stream_text(iopub) == "magics work\n"
    reply, _ = run_cell(kc, "import os", timeout=60)
    assert reply["content"]["ename"] == "PythonUnavailable"
    assert "pip install ipykernel" in reply["content"]["evalue"]


def test_token_source_shows_what_the_running_python_resolves(python_kernel):
    pytest.importorskip("huggingface_hub")
    km, kc = python_kernel
    python_pid(kc)
    reply, iopub = run_cell(kc, "%token_source", timeout=60)
    text = [m for m in iopub if m["msg_type"] == "execute_result"][0]["content"]["data"]["text/plain"]
    python_row = [line for line in text.splitlines() if line.startswith("running Python")]
    assert python_row and "same token as HubKernel's" in python_row[0] and mask(TOKEN) in python_row[0]
    other = "hf_" + "OtherTokenSetInACellZxcvbnmlkjhgf"[:34].ljust(34, "q")
    run_cell(kc, f"import os; os.environ['HF_TOKEN'] = 'hf_' + '{other[3:]}'", timeout=60)
    reply, iopub = run_cell(kc, "%token_source", timeout=60)
    shown = everything(iopub, reply)
    assert "differs from HubKernel's" in shown and "%python restart" in shown
    assert mask(other) in shown and other not in shown and TOKEN not in shown


# -- what ipykernel's own protocol tests check (scripts/ipykernel-suite) ----------------------------------------


def test_connect_request_is_answered_on_shell_and_control(python_kernel):
    km, kc = python_kernel
    ports = {f"{name}_port": getattr(km, f"{name}_port") for name in ("shell", "iopub", "stdin", "control", "hb")}
    for channel in (kc.shell_channel, kc.control_channel):
        message = kc.session.msg("connect_request")
        channel.send(message)
        reply = channel.get_msg(timeout=10)
        assert reply["msg_type"] == "connect_reply" and reply["parent_header"]["msg_id"] == message["header"]["msg_id"]
        assert {key: reply["content"][key] for key in ports} == ports


def test_control_requests_other_than_ours_reach_python_in_order(python_kernel):
    """ipykernel answers execute_request (and comm_info, the subshell requests) on control too, one at a time."""
    km, kc = python_kernel
    reply, _ = run_cell(kc, "import time; seen = []", timeout=60)
    assert reply["content"]["status"] == "ok", reply["content"]
    messages = [kc.session.msg("execute_request", {"code": f"time.sleep({s}); seen.append({s}); print('slept', {s})",
                                                   "silent": False, "store_history": False, "user_expressions": {},
                                                   "allow_stdin": False})
                for s in (0.3, 0.1)]
    for message in messages:
        kc.control_channel.send(message)
    replies = [kc.control_channel.get_msg(timeout=20) for _ in messages]
    assert [r["parent_header"]["msg_id"] for r in replies] == [m["header"]["msg_id"] for m in messages]
    assert all(r["msg_type"] == "execute_reply" and r["content"]["status"] == "ok" for r in replies), replies
    reply, iopub = run_cell(kc, "print(seen)", timeout=30)
    assert stream_text(iopub).strip() == "[0.3, 0.1]"
    subshell = kc.session.msg("create_subshell_request")
    kc.control_channel.send(subshell)
    reply = kc.control_channel.get_msg(timeout=10)
    assert reply["msg_type"] == "create_subshell_reply" and reply["content"]["status"] == "ok", reply


def test_what_python_writes_while_starting_never_leaves_without_a_parent(start_hubkernel, tmp_path):
    """Text the child writes before its first request (here a sitecustomize that writes to stderr as debugpy's
    frozen-modules warning does) has no parent:
    ipykernel's own frontends never see it; through HubKernel it goes to the kernel log, not to iopub."""
    site = tmp_path / "site"
    site.mkdir()
    (site / "sitecustomize.py").write_text(
        "import sys\nif sys.argv[:1] == ['-m']:  # python -m ipykernel_launcher (the module is not in argv yet)\n"
        "    import ipykernel.iostream, threading\n"
        "    _orig = ipykernel.iostream.OutStream.__init__\n"
        "    def _init(self, *a, **k):\n"
        "        _orig(self, *a, **k)\n"
        "        if getattr(self, 'name', '') == 'stderr':\n"
        "            threading.Timer(0.5, lambda: (self.write('startup noise\\n'), self.flush())).start()\n"
        "    ipykernel.iostream.OutStream.__init__ = _init\n")
    env = {"HF_HOME": str(tmp_path / "hf"), "PYTHONPATH": str(site)}
    km, kc = start_hubkernel(env=env, python=True)
    time.sleep(4)  # Python is up and has written its noise before the first request
    sent: set[str] = set()

    def foreign(timeout: float) -> list[dict]:
        """iopub messages whose parent is not a request this client sent (run_cell would skip them)."""
        found = []
        while True:
            try:
                message = kc.get_iopub_msg(timeout=timeout)
            except queue.Empty:
                return found
            parent = message["parent_header"]
            # wait_for_ready's kernel_info_requests are this client's too: relayed to Python, they are its parent
            # for what it writes next, as with ipykernel itself.
            ours = parent.get("msg_type") == "kernel_info_request" and parent.get("session") == kc.session.session
            if parent.get("msg_id") not in sent and not ours:
                found.append(message)

    orphans = foreign(0.5)
    message = kc.session.msg("execute_request", {"code": "1 + 1", "silent": False, "store_history": True,
                                                 "user_expressions": {}, "allow_stdin": False})
    sent.add(message["header"]["msg_id"])
    kc.shell_channel.send(message)
    assert kc.get_shell_msg(timeout=60)["content"]["status"] == "ok"
    orphans += foreign(1.0)
    assert not orphans, [(m["msg_type"], m["parent_header"], m["content"]) for m in orphans]


def test_a_comm_message_reaches_python_while_a_cell_awaits_it(python_kernel):
    """ipykernel's test_async_cell_waiting_for_comm_reply: a cell awaits a widget's answer; the frontend's comm_msg
    must reach Python while the cell runs (and a cell queued before it still runs after)."""
    km, kc = python_kernel
    reply, _ = run_cell(kc, "1", timeout=60)
    msg_id = kc.execute("import asyncio, comm\nreply = asyncio.get_running_loop().create_future()\n"
                        "widget = comm.create_comm(target_name='comm-reply-test')\n"
                        "widget.on_msg(lambda msg: reply.set_result(msg['content']['data']['value']))\n"
                        "result = await asyncio.wait_for(reply, 5)\n")
    while True:
        message = kc.get_iopub_msg(timeout=10)
        if message["msg_type"] == "comm_open" and message["parent_header"].get("msg_id") == msg_id:
            comm_id = message["content"]["comm_id"]
            break
    next_id = kc.execute("assert result == 42")
    comm = kc.session.msg("comm_msg", {"comm_id": comm_id, "data": {"value": 42}})
    kc.shell_channel.send(comm)
    replies = {}
    while len(replies) < 2:
        message = kc.get_shell_msg(timeout=10)
        replies[message["parent_header"]["msg_id"]] = message["content"]
    assert replies[msg_id]["status"] == "ok", replies[msg_id]
    assert replies[next_id]["status"] == "ok", replies[next_id]


def test_a_cell_queued_while_python_runs_is_still_aborted_after_an_error(python_kernel):
    km, kc = python_kernel
    reply, _ = run_cell(kc, "1", timeout=60)
    failing = kc.execute("import time; time.sleep(1); 1 / 0")
    time.sleep(0.3)  # read off the socket while the cell runs
    queued = kc.execute("ran_after = True")
    replies = {}
    while len(replies) < 2:
        message = kc.get_shell_msg(timeout=20)
        replies[message["parent_header"]["msg_id"]] = message["content"]
    assert replies[failing]["status"] == "error"
    assert replies[queued]["status"] == "aborted", replies[queued]


def test_a_cell_sent_to_python_at_once_still_shows_busy_and_input_before_its_outputs(python_kernel):
    """A cell that is all Python's goes to Python at once, and Python's own busy and execute_input are relayed for
    it: one of each, before its outputs, numbered by HubKernel's counter; its reply, then its idle, end it."""
    km, kc = python_kernel
    run_cell(kc, "1", timeout=60)  # Python ready: the next cells take the short way
    for number in range(30):
        code = f"import sys; sys.stdout.write('out {number}\\n'); sys.stdout.flush(); {number}"
        reply, iopub = run_cell(kc, code, timeout=30)
        kinds = [m["msg_type"] + (":" + m["content"]["execution_state"] if m["msg_type"] == "status" else "")
                 for m in iopub]
        assert kinds[:2] == ["status:busy", "execute_input"], kinds
        assert kinds[-1] == "status:idle", kinds
        assert kinds.count("status:busy") == 1 and kinds.count("execute_input") == 1, kinds
        assert stream_text(iopub) == f"out {number}\n"
        result = [m for m in iopub if m["msg_type"] == "execute_result"]
        assert reply["content"]["status"] == "ok"
        assert result and result[0]["content"]["execution_count"] == reply["content"]["execution_count"]
        assert iopub[1]["content"]["execution_count"] == reply["content"]["execution_count"]
        assert iopub[1]["content"]["code"] == code
