"""A notebook on a plain ipykernel with ``%load_ext hubkernel``, run by nbclient against the local Hub: log in through
the device flow (approved as a browser would), whoami, token source, a download with live progress, info, cache ls,
then Python reads the file offline; cells that print the token five ways leave no token in the saved notebook."""
from __future__ import annotations

import json
import threading

import nbclient
import nbformat

from examples.run_quickstart import approve_logins_as_a_browser
from ipykernel_fixture import start_ipykernel

CELLS = [
    "%load_ext hubkernel",
    "%hf_login",
    "%whoami",
    "%token_source",
    "%download demo/tiny-model",
    "%info demo/tiny-model",
    "%cache ls",
    "from huggingface_hub import hf_hub_download\n"
    "path = hf_hub_download('demo/tiny-model', 'tokenizer.json', local_files_only=True)\n"
    "print(open(path).read()[:20])",
    # the token, five ways
    "from huggingface_hub import get_token\nt = get_token()\nprint(t)",
    "t",
    "display({'text/plain': 'token ' + t}, raw=True)",
    "import sys; sys.stderr.write(t[:10]); sys.stderr.flush(); sys.stderr.write(t[10:] + '\\n')",
    "raise ValueError(t)",
]


class RecordingClient(nbclient.NotebookClient):
    """Keeps every iopub message it processes, per cell."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.messages: dict[int, list[dict]] = {}

    def process_message(self, msg, cell, cell_index):
        self.messages.setdefault(cell_index, []).append(msg)
        return super().process_message(msg, cell, cell_index)


def outputs(nb, index):
    return nb.cells[index].outputs


def test_a_notebook_with_the_extension(tmp_path, local_hub, hf_env):
    stop = threading.Event()
    approve_logins_as_a_browser(local_hub.endpoint, stop)
    km, kc = start_ipykernel(tmp_path / "spec", env=hf_env)
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(code) for code in CELLS])
    client = RecordingClient(nb, km=km, timeout=120, allow_errors=True)
    client.kc = kc
    try:
        with client.setup_kernel():
            for index, cell in enumerate(nb.cells):
                client.execute_cell(cell, index)
    finally:
        stop.set()
        kc.stop_channels()
        km.shutdown_kernel(now=False)
    saved = tmp_path / "saved.ipynb"
    nbformat.write(nb, saved)

    errors = {i: o for i, c in enumerate(nb.cells) for o in c.outputs if o.output_type == "error"}
    assert list(errors) == [len(CELLS) - 1], f"only the last cell raises: {errors}"
    login = [o for o in outputs(nb, 1) if o.output_type == "display_data"]
    assert any("Logged in as alice" in o.data.get("text/plain", "") for o in login), outputs(nb, 1)
    assert "alice" in json.dumps(outputs(nb, 2))
    assert "token" in json.dumps(outputs(nb, 3)).lower(), outputs(nb, 3)

    download = outputs(nb, 4)
    updates = [m for m in client.messages[4] if m["msg_type"] == "update_display_data"]
    assert updates, f"live progress: {[m['msg_type'] for m in client.messages[4]]}"
    displays = [o for o in download if o.output_type == "display_data"]
    assert len(displays) == 1 and displays[0].data["text/plain"].startswith("Done"), download
    result = next(o for o in download if o.output_type == "execute_result")
    assert "models--demo--tiny-model/snapshots/" in result.data["text/plain"]

    assert "demo/tiny-model" in json.dumps(outputs(nb, 5))
    assert "demo/tiny-model" in json.dumps(outputs(nb, 6))
    assert '"version": "1.0"' in "".join(o.get("text", "") for o in outputs(nb, 7))

    token = (tmp_path / "hf_home" / "token").read_text().strip()
    assert token.startswith("hf_") and len(token) > 20, "the login saved a token"
    text = saved.read_text()
    assert token not in text, "no token in the saved notebook"
    for index in range(8, len(CELLS)):
        shown = json.dumps(outputs(nb, index))
        assert "****" in shown, f"cell {index} showed the token masked: {shown[:300]}"
