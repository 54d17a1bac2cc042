"""The debugger through HubKernel (issue 28) shows a token held in a variable masked, as every relayed message is:
the variables panel's requests (`inspectVariables` and `richInspectVariables` between cells, `stackTrace` →
`scopes` → `variables` at a breakpoint), every `debug_reply` on control and every `debug_event` on iopub. Tokens of
every kind of ``leak_paths`` (fresh, put together in Python from halves: no whole token is in any code sent).
"""
from __future__ import annotations

import itertools
import json
import queue
import time

from fixtures.kernel import run_cell, start_kernel
from leak_paths import kernel_with, make_tokens, setup_cell

TOKENS = make_tokens()
ASSIGNMENTS = "\n".join(f"var_{kind} = TOKENS[{kind!r}]" for kind in TOKENS)
BREAKPOINT_CELL = "def f():\n    local_secret = TOKENS['unknown_digits']\n    return len(local_secret)\n\nf()\n"
SEQ = itertools.count(1)


def debug(kc, seen: list[dict], command: str, arguments: dict | None = None) -> dict:
    """Sends one DAP request as a debug_request on control; returns the debug_reply's content (recorded in seen)."""
    msg = kc.session.msg("debug_request", {"type": "request", "seq": next(SEQ), "command": command,
                                           "arguments": arguments or {}})
    kc.control_channel.send(msg)
    while True:
        reply = kc.get_control_msg(timeout=30)
        if reply["parent_header"].get("msg_id") == msg["header"]["msg_id"]:
            seen.append(reply)
            return reply["content"]


def next_event(kc, seen: list[dict], event: str, timeout: float = 30) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            msg = kc.get_iopub_msg(timeout=0.2)
        except queue.Empty:
            continue
        if msg["msg_type"] == "debug_event":
            seen.append(msg)
            if msg["content"].get("event") == event:
                return msg["content"]
    raise TimeoutError(f"no '{event}' debug_event in {timeout} s")


def assert_no_whole_token(seen: list[dict]) -> None:
    text = json.dumps([[m["content"], m.get("metadata", {})] for m in seen], default=str)
    for token in TOKENS.values():
        assert token.value not in text, f"{token.kind} reached the frontend through the debugger"


def test_the_variables_panel_shows_token_variables_masked():
    start = lambda root, env: start_kernel(root, env=env, python=True)  # noqa: E731
    with kernel_with(start, [setup_cell(TOKENS), ASSIGNMENTS], TOKENS) as (km, kc):
        seen: list[dict] = []
        kc.kernel_info()
        assert kc.get_shell_msg(timeout=30)["content"]["debugger"] is True
        debug(kc, seen, "initialize", {"clientID": "test", "adapterID": "", "pathFormat": "path", "linesStartAt1": True,
                                        "columnsStartAt1": True, "supportsVariableType": True, "locale": "en"})
        debug(kc, seen, "attach")
        try:
            # Between cells: the panel lists the globals, and shows one rich.
            panel = {v["name"]: v["value"] for v in debug(kc, seen, "inspectVariables")["body"]["variables"]}
            for kind, token in TOKENS.items():
                assert "****" in panel[f"var_{kind}"], f"var_{kind} is listed, masked: {panel[f'var_{kind}']!r}"
            rich = debug(kc, seen, "richInspectVariables", {"variableName": "var_env_letters"})
            assert TOKENS["env_letters"].mask in rich["body"]["data"]["text/plain"]

            # At a breakpoint: the stopped frame's locals.
            source = debug(kc, seen, "dumpCell", {"code": BREAKPOINT_CELL})["body"]["sourcePath"]
            debug(kc, seen, "setBreakpoints", {"breakpoints": [{"line": 3}], "source": {"path": source},
                                                "sourceModified": False})
            debug(kc, seen, "configurationDone")
            msg_id = kc.execute(BREAKPOINT_CELL)
            stopped = next_event(kc, seen, "stopped")
            assert stopped["body"]["reason"] == "breakpoint"
            thread = stopped["body"]["threadId"]
            frame = debug(kc, seen, "stackTrace", {"threadId": thread})["body"]["stackFrames"][0]
            scopes = debug(kc, seen, "scopes", {"frameId": frame["id"]})["body"]["scopes"]
            local_ref = next(s["variablesReference"] for s in scopes if s["name"] == "Locals")
            local = {v["name"]: v["value"] for v in debug(kc, seen, "variables", {"variablesReference": local_ref})["body"]["variables"]}
            assert TOKENS["unknown_digits"].mask in local["local_secret"], local
            debug(kc, seen, "continue", {"threadId": thread})
            while True:
                reply = kc.get_shell_msg(timeout=30)
                if reply["parent_header"].get("msg_id") == msg_id:
                    assert reply["content"]["status"] == "ok"
                    break
        finally:
            debug(kc, seen, "disconnect", {"restart": False, "terminateDebuggee": True})
        assert_no_whole_token(seen)
