"""The ways a careless user, and the libraries they use, show a token in a notebook: the guard's leak suite.

Each way is a cell that shows the token ``t`` one way (print, display, raise, log, comm, split writes with other
messages between, a late background write …). The code never holds a whole token: ``t`` is put together in Python
from two halves, so only what Python shows can carry it. ``leak_suite`` crosses the ways with token kinds (known and
unknown, letters only and with digits, every shape the Hub issues) into the table the tests run: through HubKernel's
relay (``test_guard_leaks.py``) and through the extension's guard in a plain ipykernel.
"""
from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
import queue
import re
import secrets
import string
import time
from dataclasses import dataclass

LETTERS = string.ascii_letters
ALNUM = string.ascii_letters + string.digits


def body(alphabet: str = LETTERS, length: int = 34) -> str:
    text = "".join(secrets.choice(alphabet) for _ in range(length))
    return text if alphabet == LETTERS else text[:-1] + secrets.choice(string.digits)


@dataclass(frozen=True)
class Token:
    kind: str
    value: str
    known: bool  # HubKernel (or the extension) can know it: a token variable, the token file, stored_tokens

    @property
    def halves(self) -> tuple[str, str]:
        middle = len(self.value) // 2
        return self.value[:middle], self.value[middle:]

    @property
    def mask(self) -> str:
        return self.value[:3] + "****" + self.value[-4:]


def make_tokens() -> dict[str, Token]:
    """Fresh tokens of every kind (made at run time; none is committed)."""
    tokens = [
        Token("env_letters", "hf_" + body(), True),               # HF_TOKEN
        Token("file_digits", "hf_" + body(ALNUM), True),          # the token file, with digits (CI / staging Hubs)
        Token("stored_oauth", "hf_oauth_" + body(ALNUM), True),   # stored_tokens
        Token("unknown_letters", "hf_" + body(), False),
        Token("unknown_digits", "hf_" + body(ALNUM), False),
        Token("unknown_org", "api_org_" + body(ALNUM), False),
        Token("unknown_refresh", "hf_oauth_rt_" + body(ALNUM), False),
        Token("unknown_legacy", "api_" + body(), False),
    ]
    return {token.kind: token for token in tokens}


@dataclass(frozen=True)
class Way:
    name: str
    code: str
    late: float = 0.0     # seconds to keep listening after the cell's idle (a background writer)
    answers: int = 0      # input() answers the cell needs
    shows_mask: bool = True  # the output arrives, masked (else: it is in a key, a prompt … checked for absence only)


WAYS = [
    # printed, shown, raised, logged
    Way("print", "print(t)"),
    Way("stderr", "print('token', t, file=sys.stderr)"),
    Way("result", "t"),
    Way("result_dict_value", "{'token': t}"),
    Way("result_dict_key", "{t: 1}"),
    Way("result_bytes", "t.encode()"),
    Way("last_result", "t\n_"),
    Way("pprint_nested", "import pprint; pprint.pprint({'a': [{'b': (t,)}]})"),
    Way("padded", "print(f'{t:>70}|')"),
    Way("json_key", "display(JSON({t: {'nested': 1}}))"),
    Way("json_value", "display(JSON({'a': [t]}))"),
    Way("json_text", "print(json.dumps({t: t}))"),
    Way("html", "display(HTML('<b>' + t + '</b>'))"),
    Way("html_link", "display(HTML(f'<a href=\"https://example.invalid/?token={t}\">x</a>'))"),
    Way("markdown", "display(Markdown(f'`{t}`'))"),
    Way("raw_bundle", "display({'text/plain': t, 'text/html': '<i>' + t + '</i>'}, raw=True)"),
    Way("metadata", "display({'text/plain': 'x'}, metadata={'note': t, t: 'key'}, raw=True)", shows_mask=True),
    Way("pandas_columns", "import pandas as pd; pd.DataFrame({t: [1, 2], 'b': [t, 'x']})"),
    Way("pandas_index", "import pandas as pd; display(pd.Series([1], index=[t]))"),
    Way("raise", "raise RuntimeError('Authorization: Bearer ' + t)"),
    Way("raise_keyerror", "d = {}; d[t]"),
    Way("raise_class_name", "raise type(t, (Exception,), {})('x')"),
    Way("raise_note", "e = ValueError('x'); e.add_note(t); raise e"),
    Way("raise_chained", "try:\n    raise KeyError(t)\nexcept KeyError as e:\n    raise RuntimeError('failed') from e"),
    Way("system_exit", "raise SystemExit(t)"),
    Way("logging", "logging.getLogger('x').warning('token=%s', t)"),
    Way("logging_exception", "try:\n    1/0\nexcept Exception:\n    logging.getLogger('x').exception('with %s', t)"),
    Way("warning", "warnings.warn('token ' + t)"),
    # glued, escaped, encoded
    Way("glued_left", "print('Bearer' + t)"),
    Way("glued_underscore", "print('token_' + t)"),
    Way("glued_digit", "print(t + '2')"),
    Way("glued_letters", "print('x' + t + 'y')"),
    Way("zero_width_repr", "print(repr('\\u200b' + t))"),
    Way("zero_width_raw", "print('\\u200b' + t)"),
    Way("nul_repr", "print(repr('\\x00' + t))"),
    Way("curly_quote_json", "print(json.dumps({'q': '\\u201c' + t}))"),
    Way("url_encoded", "import urllib.parse; print(urllib.parse.quote('token=' + t))"),
    Way("url_query", "print(f'https://example.invalid/x?access_token={t}&y=1')"),
    Way("ansi_erase", "print('\\x1b[2K' + t)"),
    Way("ansi_colour", "print('\\x1b[38:5:208m' + t + '\\x1b[0m')"),
    Way("carriage_return", "print('\\r' + t, end='')"),
    # the environment
    Way("env_magic", "%env HF_TOKEN"),
    Way("environ_repr", "dict(os.environ)"),
    Way("environ_print", "print(os.environ)"),
    Way("shell_echo", "!echo $HF_TOKEN"),
    Way("set_in_python", "os.environ['MY_HUB_TOKEN'] = t\nprint(os.environ['MY_HUB_TOKEN'])"),
    Way("get_token", "import huggingface_hub; huggingface_hub.get_token()"),
    # prompts, pager, widgets, comms
    Way("input_prompt", "input('paste ' + t + ' ?')", answers=1, shows_mask=False),
    Way("pager", "t?", shows_mask=False),
    Way("comm_data_key", "from comm import create_comm; c = create_comm(target_name='leak', data={t: 1}); c.close()",
        shows_mask=False),
    Way("comm_msg_value", "from comm import create_comm; c = create_comm(target_name='leak'); c.send({'v': t}); c.close()"),
    Way("widget_value", "import ipywidgets; w = ipywidgets.Text(value=t); display(w)"),
    Way("widget_description", "import ipywidgets; display(ipywidgets.Button(description=t))"),
    Way("tqdm_desc", "from tqdm.auto import tqdm\nfor _ in tqdm(range(2), desc=t): pass"),
    Way("update_display", "h = display('x', display_id=True); h.update(t)"),
    Way("clear_then_print", "from IPython.display import clear_output; print('a'); clear_output(wait=True); print(t)"),
    # split writes: the token in pieces, with other things between them
    Way("split_two", "sys.stdout.write('a ' + t[:9]); sys.stdout.flush(); time.sleep(0.3); print(t[9:] + ' b')"),
    Way("split_after_h", "sys.stdout.write('a ' + t[:1]); sys.stdout.flush(); time.sleep(0.3); print(t[1:] + ' b')"),
    Way("split_late_half", "sys.stdout.write(t[:20]); sys.stdout.flush(); time.sleep(0.2); print(t[20:])"),
    Way("split_one_before_end", "sys.stdout.write(t[:-1]); sys.stdout.flush(); time.sleep(0.3); print(t[-1:])"),
    Way("char_by_char", "for c in t:\n    print(c, end='', flush=True)\nprint()"),
    Way("char_by_char_slow", "for c in t:\n    print(c, end='', flush=True); time.sleep(0.03)\nprint()"),
    Way("quiet_time_between", "sys.stdout.write('x ' + t[:16]); sys.stdout.flush(); time.sleep(1.0); print(t[16:])"),
    Way("update_between", "h = display('x', display_id=True)\nsys.stdout.write(t[:12]); sys.stdout.flush(); "
        "time.sleep(0.3); h.update('y'); sys.stdout.write(t[12:] + '\\n')"),
    Way("widget_between", "import ipywidgets; w = ipywidgets.IntSlider(); display(w)\nsys.stdout.write(t[:12]); "
        "sys.stdout.flush(); time.sleep(0.3); w.value = 3; time.sleep(0.3); print(t[12:])"),
    Way("tqdm_between", "from tqdm.auto import tqdm\nsys.stdout.write(t[:12]); sys.stdout.flush(); time.sleep(0.3)\n"
        "for _ in tqdm(range(3)): time.sleep(0.05)\nprint(t[12:])"),
    Way("stderr_between", "sys.stdout.write(t[:12]); sys.stdout.flush(); time.sleep(0.3); print('e', file=sys.stderr); "
        "sys.stderr.flush(); time.sleep(0.3); print(t[12:])"),
    Way("comm_between", "from comm import create_comm; c = create_comm(target_name='leak')\nsys.stdout.write(t[:12]); "
        "sys.stdout.flush(); time.sleep(0.3); c.send({'n': 1}); time.sleep(0.2); print(t[12:]); c.close()"),
    Way("end_of_cell_tail", "print('a ' + t, end='')"),
    Way("end_of_cell_half", "print('a ' + t[:20], end='')"),
    Way("thread_after_idle", "import threading\nsys.stdout.write('a ' + t[:15]); sys.stdout.flush()\n"
        "def rest():\n    time.sleep(0.6); print(t[15:] + ' b', flush=True)\nthreading.Thread(target=rest).start()", late=1.5),
    Way("subprocess_after_idle", "sys.stdout.write('a ' + t[:15]); sys.stdout.flush()\n"
        "import subprocess; subprocess.Popen(['sh', '-c', 'sleep 0.6; printf \"%s b\\\\n\" \"$0\"', t[15:]])", late=2.0,
        shows_mask=False),  # ipykernel does not capture a child process's output after idle: checked for absence
    Way("thread_while_running", "import threading\ndef w():\n    for c in t: sys.stdout.write(c); sys.stdout.flush(); "
        "time.sleep(0.01)\nth = threading.Thread(target=w); th.start(); th.join(); print()"),
    Way("time_magic", "%%time\nprint(t)"),
    # large output: what the relay forwards as it came when it holds nothing to mask (pieces over 64 KiB pass the
    # stream guard by their ends), with the token inside, at an end, or split across such a piece and another
    Way("large_print_middle", "print('x' * 200000 + ' ' + t + ' ' + 'y' * 200000)"),
    Way("large_print_glued", "print('x' * 200000 + t + 'y' * 200000)"),
    Way("large_many_writes", "for _ in range(5000):\n    sys.stdout.write('z' * 99 + '\\n')\nprint(t)"),
    Way("large_then_half", "sys.stdout.write('x' * 200000 + ' ' + t[:12]); sys.stdout.flush(); time.sleep(0.3); "
        "print(t[12:])"),
    Way("half_then_large", "sys.stdout.write('a ' + t[:12]); sys.stdout.flush(); time.sleep(0.3); "
        "print(t[12:] + ' ' + 'y' * 200000)"),
    Way("shown_half_then_large", "sys.stdout.write('x ' + t[:16]); sys.stdout.flush(); time.sleep(1.0); "
        "print(t[16:] + 'y' * 200000)"),
    Way("large_escaped_lines", "print(('\\t' + 'w' * 30 + '\\n') * 5000 + t + '\\n' + '\\x1b[0m' * 3000)"),
    Way("large_display", "display({'text/plain': 'x' * 200000 + t}, raw=True)"),
    Way("large_update", "h = display('x', display_id=True); h.update('y' * 200000 + t)"),
]


@dataclass(frozen=True)
class LeakPath:
    way: Way
    token: Token

    @property
    def id(self) -> str:
        return f"{self.way.name}-{self.token.kind}"

    def cell(self) -> str:
        setup = f"t = TOKENS[{self.token.kind!r}]\n"
        if self.way.code.startswith("%%"):
            first, rest = self.way.code.split("\n", 1)
            return f"{first}\n{setup}{rest}"
        if self.way.code.startswith("%env") or self.way.code.startswith("!"):
            return self.way.code
        return setup + self.way.code


def leak_suite(tokens: dict[str, Token]) -> list[LeakPath]:
    """Every way with two token kinds (rotating through all eight), and the environment ways with HF_TOKEN's."""
    kinds = list(tokens)
    paths: list[LeakPath] = []
    for index, way in enumerate(WAYS):
        if way.name in {"env_magic", "environ_repr", "environ_print", "shell_echo", "get_token"}:
            paths.append(LeakPath(way, tokens["env_letters"]))
            continue
        for offset in (0, len(kinds) // 2 + 1):
            paths.append(LeakPath(way, tokens[kinds[(index + offset) % len(kinds)]]))
    return paths


def setup_cell(tokens: dict[str, Token]) -> str:
    """The first cell: imports, and every token put together from its halves (no whole token in any code)."""
    parts = ", ".join(f"{kind!r}: {token.halves[0]!r} + {token.halves[1]!r}" for kind, token in tokens.items())
    return ("import os, sys, json, time, logging, warnings\n"
            "from IPython.display import display, HTML, JSON, Markdown\n"
            f"TOKENS = {{{parts}}}\n"
            "None")


ANSI = re.compile(r"\x1b\[[0-9;:?]*[A-Za-z]")


def as_shown(messages: list[dict]) -> list[str]:
    """What a frontend shows of a cell: every stream's pieces joined per stream name (whatever came between), the
    same with terminal escapes removed, and every other message's content and metadata as JSON text."""
    import json

    streams: dict[str, str] = {}
    texts: list[str] = []
    for message in messages:
        content = message.get("content", {})
        if message.get("msg_type") == "stream":
            streams[content.get("name", "")] = streams.get(content.get("name", ""), "") + content.get("text", "")
        texts.append(json.dumps(content, ensure_ascii=False))
        texts.append(json.dumps(message.get("metadata", {}), ensure_ascii=False))
    joined = list(streams.values())
    return texts + joined + [ANSI.sub("", text) for text in joined] + ["".join(joined)]


@contextlib.contextmanager
def kernel_with(start, first_cells: list[str], tokens: dict[str, Token]):
    """``(km, kc)`` of ``start(root, env)`` with ``hub_home``'s environment and ``first_cells`` run (each must succeed);
    stopped and its folder removed afterwards."""
    from fixtures.kernel import run_cell, stop_kernel

    root = tempfile.mkdtemp(prefix="hubkernel-leaks-")
    km, kc = start(root, hub_home(root, tokens))
    try:
        for code in first_cells:
            reply, iopub = run_cell(kc, code, timeout=60)
            assert reply["content"]["status"] == "ok", (reply["content"], iopub)
        yield km, kc
    finally:
        stop_kernel(km, kc)
        shutil.rmtree(root, ignore_errors=True)


def hub_home(root: str, tokens: dict[str, Token]) -> dict[str, str]:
    """An HF_HOME whose token file and stored_tokens hold the known tokens, and HF_TOKEN the other one."""
    home = os.path.join(root, "hf")
    os.makedirs(home, mode=0o700)
    with open(os.path.join(home, "token"), "w") as file:
        file.write(tokens["file_digits"].value)
    with open(os.path.join(home, "stored_tokens"), "w") as file:
        file.write(f"[laptop]\nhf_token = {tokens['stored_oauth'].value}\n")
    for name in ("token", "stored_tokens"):
        os.chmod(os.path.join(home, name), 0o600)
    return {"HF_TOKEN": tokens["env_letters"].value, "HF_HOME": home, "HF_ENDPOINT": "http://127.0.0.1:9"}


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


def assert_no_token(shown: list[str], where: str, tokens: dict[str, Token]) -> None:
    for token in tokens.values():
        for text in shown:
            at = text.find(token.value)
            assert at < 0, f"{token.kind} whole in {where}: …{text[max(0, at - 60):at + 50]!r}"


def check_path(kc, path: LeakPath, tokens: dict[str, Token]) -> None:
    """Runs one leak path on a kernel whose setup cell ran, and asserts what a frontend shows holds no whole token
    (and, where the way shows its output, that it arrived masked)."""
    from fixtures.kernel import run_cell

    prompts: list[dict] = []
    reply, iopub = run_cell(kc, path.cell(), stdin_answers=["ok"] * path.way.answers if path.way.answers else None,
                            stdin_requests=prompts, timeout=60)
    if path.way.late:
        iopub += late_messages(kc, reply["parent_header"]["msg_id"], path.way.late)
    shown = as_shown(iopub + [reply] + prompts)
    assert_no_token(shown, path.id, tokens)
    if path.way.shows_mask:
        assert "****" in "".join(shown), f"the output arrived, masked: {''.join(shown)[:600]}"
    if path.token.kind == "env_letters" and path.way.name in {"print", "raise", "json_key"}:
        assert path.token.mask in "".join(shown), "a known token shows as hf_****wxyz"


def check_saved_notebook(km, kc, directory, first_cells: list[str], paths: list[LeakPath],
                         tokens: dict[str, Token]) -> None:
    """Runs ``first_cells`` then every path that needs no answer through nbclient, saves the notebook, and asserts
    it holds no whole token, in its text or in any cell's streams joined."""
    import nbclient
    import nbformat

    cells = first_cells + [path.cell() for path in paths if not path.way.answers]
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(code) for code in cells])
    client = nbclient.NotebookClient(nb, km=km, timeout=60, allow_errors=True)
    client.kc = kc
    with client.setup_kernel():
        for index, cell in enumerate(nb.cells):
            client.execute_cell(cell, index)
    saved = os.path.join(str(directory), "saved.ipynb")
    nbformat.write(nb, saved)
    with open(saved) as file:
        text = file.read()
    outputs = json.loads(text)["cells"]
    assert sum(len(cell.get("outputs", [])) for cell in outputs) > len(WAYS), "the cells ran and showed something"
    assert_no_token([text, json.dumps(outputs, ensure_ascii=False)], "the saved notebook", tokens)
    for cell in outputs:
        pieces = [output.get("text", "") for output in cell.get("outputs", []) if output.get("output_type") == "stream"]
        joined = "".join("".join(piece) if isinstance(piece, list) else piece for piece in pieces)
        assert_no_token([joined], "a saved cell's streams, joined", tokens)
