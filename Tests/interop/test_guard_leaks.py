"""The token guard, tried as a careless user and their libraries would: every way in ``leak_paths.WAYS``, with tokens
of every shape, known and unknown, through HubKernel's relay to the hosted Python. Every message of each cell is
recorded (and, for background writers, what comes after the cell's idle); no whole token may be in any of them, in
a stream as a frontend joins it, or in the notebook nbclient saves. The false-positive corpus is
``test_guard_corpus.py``.
"""
from __future__ import annotations

import json
import os
import queue
import shutil
import tempfile
import time

import pytest

from fixtures.kernel import run_cell, start_kernel, stop_kernel
from leak_paths import WAYS, as_shown, leak_suite, make_tokens, setup_cell

TOKENS = make_tokens()
PATHS = leak_suite(TOKENS)
assert len(PATHS) >= 80


def hub_home(root: str) -> dict[str, str]:
    """An HF_HOME whose token file and stored_tokens hold the known tokens, and HF_TOKEN the other one."""
    home = os.path.join(root, "hf")
    os.makedirs(home, mode=0o700)
    with open(os.path.join(home, "token"), "w") as file:
        file.write(TOKENS["file_digits"].value)
    with open(os.path.join(home, "stored_tokens"), "w") as file:
        file.write(f"[laptop]\nhf_token = {TOKENS['stored_oauth'].value}\n")
    for name in ("token", "stored_tokens"):
        os.chmod(os.path.join(home, name), 0o600)
    return {"HF_TOKEN": TOKENS["env_letters"].value, "HF_HOME": home, "HF_ENDPOINT": "http://127.0.0.1:9"}


@pytest.fixture(scope="module")
def relay():
    root = tempfile.mkdtemp(prefix="hubkernel-leaks-")
    km, kc = start_kernel(root, env=hub_home(root), python=True)
    try:
        reply, _ = run_cell(kc, setup_cell(TOKENS), timeout=60)
        assert reply["content"]["status"] == "ok", reply["content"]
        yield km, kc
    finally:
        stop_kernel(km, kc)
        shutil.rmtree(root, ignore_errors=True)


def late_messages(kc, msg_id: str, seconds: float) -> list[dict]:
    """iopub messages of `msg_id` that arrive within `seconds` after its idle."""
    found = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            message = kc.get_iopub_msg(timeout=0.05)
        except queue.Empty:
            continue
        if message["parent_header"].get("msg_id") == msg_id:
            found.append(message)
    return found


def assert_no_token(shown: list[str], where: str) -> None:
    for token in TOKENS.values():
        for text in shown:
            at = text.find(token.value)
            assert at < 0, f"{token.kind} whole in {where}: …{text[max(0, at - 60):at + 50]!r}"


@pytest.mark.parametrize("path", PATHS, ids=lambda path: path.id)
def test_no_whole_token_reaches_the_frontend(relay, path):
    km, kc = relay
    prompts: list[dict] = []
    reply, iopub = run_cell(kc, path.cell(), stdin_answers=["ok"] * path.way.answers if path.way.answers else None,
                            stdin_requests=prompts, timeout=60)
    if path.way.late:
        iopub += late_messages(kc, reply["parent_header"]["msg_id"], path.way.late)
    shown = as_shown(iopub + [reply] + prompts)
    assert_no_token(shown, path.id)
    if path.way.shows_mask:
        assert "****" in "".join(shown), f"the output arrived, masked: {''.join(shown)[:600]}"
    if path.token.kind == "env_letters" and path.way.name in {"print", "raise", "json_key"}:
        assert path.token.mask in "".join(shown), "a known token shows as hf_****wxyz"


def test_the_saved_notebook_holds_no_token(tmp_path):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    km, kc = start_kernel(str(tmp_path), env=hub_home(str(tmp_path)), python=True)
    try:
        cells = [setup_cell(TOKENS)] + [path.cell() for path in PATHS if not path.way.answers]
        nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(code) for code in cells])
        client = nbclient.NotebookClient(nb, km=km, timeout=60, allow_errors=True)
        client.kc = kc
        with client.setup_kernel():
            for index, cell in enumerate(nb.cells):
                client.execute_cell(cell, index)
        saved = tmp_path / "saved.ipynb"
        nbformat.write(nb, saved)
    finally:
        stop_kernel(km, kc)
    text = saved.read_text()
    outputs = json.loads(text)["cells"]
    assert sum(len(cell.get("outputs", [])) for cell in outputs) > len(WAYS), "the cells ran and showed something"
    assert_no_token([text, json.dumps(outputs, ensure_ascii=False)], "the saved notebook")
    for cell in outputs:
        pieces = [output.get("text", "") for output in cell.get("outputs", []) if output.get("output_type") == "stream"]
        joined = "".join("".join(piece) if isinstance(piece, list) else piece for piece in pieces)
        assert_no_token([joined], "a saved cell's streams, joined")
