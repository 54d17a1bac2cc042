"""The same notebook, the same saved file (issue 28): a notebook of ordinary Python cells run with nbclient through
ipykernel directly and through HubKernel hosting that ipykernel gives equal outputs, apart from what differs from
run to run (timings, widget model ids, object addresses). A normal start adds nothing to any cell.
"""
from __future__ import annotations

import asyncio
import copy
import json
import re

import nbformat
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import AsyncKernelManager
from nbclient import NotebookClient

from fixtures.kernel import python_env, write_kernelspec, write_python_kernelspec

CELLS = [
    "print('hello')\nimport sys\nprint('to stderr', file=sys.stderr)",
    "1 / 0",
    "from IPython.display import display, HTML, Markdown\ndisplay(HTML('<b>bold</b>'))\nMarkdown('*md*')",
    "h = display('first', display_id=True)\nh.update('second')\nprint('after the update')",
    "import ipywidgets as widgets\nwidgets.IntSlider(value=3)",
    "name = input('name? ')\nprint('hi', name)",
    "\n    x = 41\n    x += 1\n    print(x)\n",
    "%%time\nsum(range(1000))",
    "!ls",
    "for i in range(3):\n    print(i, end=' ', flush=True)\nprint()\nx",
]
ANSWER = "twin"


class AnsweringClient(NotebookClient):
    """nbclient with stdin: every input_request is answered with ANSWER (nbclient itself turns stdin off)."""

    async def async_start_new_kernel_client(self):
        kc = await super().async_start_new_kernel_client()
        kc.allow_stdin = True
        self._answerer = asyncio.ensure_future(self._answer(kc))
        return kc

    async def _answer(self, kc) -> None:
        while True:
            msg = await kc.get_stdin_msg()
            if msg["msg_type"] == "input_request":
                kc.input(ANSWER)


def normalised(nb) -> list[dict]:
    """Each cell's execution count and outputs, with what changes from run to run replaced."""
    def steady(text: str) -> str:
        text = re.sub(r"\x1b\[[0-9;]*m", "", text)  # colours
        text = re.sub(r"(CPU times|Wall time):.*", r"\1: <time>", text)
        return re.sub(r"0x[0-9a-f]+", "0x<address>", text)

    def walk(value):
        if isinstance(value, dict):
            return {k: "<id>" if k == "model_id" else walk(v) for k, v in value.items()}
        if isinstance(value, list):
            return [walk(v) for v in value]
        return steady(value) if isinstance(value, str) else value

    return [{"execution_count": cell.get("execution_count"), "outputs": walk(json.loads(json.dumps(cell["outputs"])))}
            for cell in nb.cells]


def run(nb, kernel_name: str, data_dir, env: dict[str, str], cwd) -> list[dict]:
    ksm = KernelSpecManager(kernel_dirs=[str(data_dir / "kernels")])
    km = AsyncKernelManager(kernel_name=kernel_name, kernel_spec_manager=ksm)
    client = AnsweringClient(copy.deepcopy(nb), km=km, timeout=120, allow_errors=True,
                             resources={"metadata": {"path": str(cwd)}})
    executed = client.execute(env=env)
    return normalised(executed)


def test_a_notebook_saves_the_same_through_hubkernel_as_through_ipykernel(tmp_path):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(code) for code in CELLS])
    cwd = tmp_path / "work"
    cwd.mkdir()
    (cwd / "data.csv").write_text("a,b\n")
    env = python_env({"HF_HOME": str(tmp_path / "hf")}, True)
    env.update(write_python_kernelspec(tmp_path))
    write_kernelspec(tmp_path)
    direct = run(nb, "python3", tmp_path, env, cwd)
    # The reference ran as intended: each kind of output is there.
    kinds = [[o["output_type"] for o in cell["outputs"]] for cell in direct]
    assert kinds[1] == ["error"] and "display_data" in kinds[2] and kinds[5] == ["stream"], kinds
    assert "hi twin" in json.dumps(direct[5]) and "42" in json.dumps(direct[6]) and "data.csv" in json.dumps(direct[8])
    assert "second" in json.dumps(direct[3]) and "first" not in json.dumps(direct[3]), "update_display applied"
    hub = run(nb, "hubkernel", tmp_path, env, cwd)
    for index, (ours, theirs) in enumerate(zip(hub, direct)):
        assert ours == theirs, f"cell {index} ({CELLS[index]!r}) differs through HubKernel"
