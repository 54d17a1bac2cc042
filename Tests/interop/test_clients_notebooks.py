"""examples/quickstart.ipynb executed end to end by nbclient, `jupyter nbconvert --execute` and papermill against
the local Hub. Headless runners cannot prompt (nbclient sends allow_stdin: false), so the test logs in first with
`hubkernel auth login`; `%hf_login` then reports the token already in force."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import nbformat
import pytest

from fixtures.clients import REPO, cli_login
from fixtures.kernel import write_kernelspec

QUICKSTART = REPO / "examples" / "quickstart.ipynb"


def outputs_of(notebook, source: str) -> list:
    """The outputs of the code cell whose source is exactly `source`."""
    return next(c for c in notebook.cells if c.cell_type == "code" and c.source.strip() == source).outputs


def check_executed_quickstart(notebook, repo: str = "demo/tiny-model") -> None:
    """Every code cell ran without error, the download kept one final progress display, and the result is a path."""
    code_cells = [c for c in notebook.cells if c.cell_type == "code"]
    assert all(c.get("execution_count") for c in code_cells), "every cell ran"
    errors = [o for c in code_cells for o in c.outputs if o.output_type == "error"]
    assert not errors, errors
    download = outputs_of(notebook, "%download $repo")
    displays = [o for o in download if o.output_type == "display_data"]
    assert len(displays) == 1, f"one progress display, not one per update: {[o.output_type for o in download]}"
    assert displays[0].data["text/plain"].startswith("Done"), displays[0].data["text/plain"]
    result = next(o for o in download if o.output_type == "execute_result")
    assert f"models--{repo.replace('/', '--')}/snapshots/" in result.data["text/plain"]
    whoami = outputs_of(notebook, "%whoami")[0]
    assert "alice" in whoami.data["text/plain"]
    python = next(c for c in code_cells if "scan_cache_dir" in c.source).outputs
    listed = next(o for o in python if o.output_type == "execute_result").data["text/plain"]
    assert repr(repo) in listed, f"Python's scan_cache_dir() sees what the magics downloaded: {listed}"


def test_nbconvert_execute(tmp_path, local_hub, client_env):
    cli_login(client_env, local_hub.tokens["read"])
    out = tmp_path / "executed.ipynb"
    done = subprocess.run(
        [sys.executable, "-m", "jupyter", "nbconvert", "--to", "notebook", "--execute", str(QUICKSTART),
         "--output", str(out), "--ExecutePreprocessor.kernel_name=hubkernel", "--ExecutePreprocessor.timeout=300"],
        env=client_env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    notebook = nbformat.read(out, as_version=4)
    check_executed_quickstart(notebook)
    assert local_hub.tokens["read"] not in out.read_text()


def test_papermill_with_parameters(tmp_path, local_hub, client_env):
    """papermill injects `%set` lines after the parameters cell; the notebook then downloads the injected repo."""
    cli_login(client_env, local_hub.tokens["read"])
    out = tmp_path / "papermill.ipynb"
    done = subprocess.run(
        [sys.executable, str(REPO / "examples" / "hubkernel_papermill.py"), str(QUICKSTART), str(out),
         "-k", "hubkernel", "-p", "repo", "demo/tiny-dataset", "--log-output"],
        env=client_env, capture_output=True, text=True, timeout=600)
    # demo/tiny-dataset is a dataset: as a model id it does not exist, so the notebook must fail at the download and
    # say so — proof that the injected parameter, not the default, was used.
    assert done.returncode != 0
    notebook = nbformat.read(out, as_version=4)
    injected = next(c for c in notebook.cells if "injected-parameters" in c.metadata.get("tags", []))
    assert injected.source.splitlines()[-1] == "%set repo demo/tiny-dataset"
    errors = [o for c in notebook.cells if c.cell_type == "code" for o in c.get("outputs", []) if o.output_type == "error"]
    assert errors and errors[0].ename == "RepositoryNotFoundError", errors

    out_ok = tmp_path / "papermill-ok.ipynb"
    done = subprocess.run(
        [sys.executable, str(REPO / "examples" / "hubkernel_papermill.py"), str(QUICKSTART), str(out_ok),
         "-k", "hubkernel", "-p", "repo", "demo/tiny-model"],
        env=client_env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    check_executed_quickstart(nbformat.read(out_ok, as_version=4))


def test_run_quickstart_runner_logs_in_through_the_browser_flow(tmp_path):
    """The README's main job: the runner starts its own local Hub, and %hf_login logs in through the browser flow
    with the runner approving the code over HTTP as a browser would."""
    out = tmp_path / "quickstart.ipynb"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HF_", "HUGGING"))}
    data = tmp_path / "jupyter-data"
    write_kernelspec(data)
    env.update(JUPYTER_PATH=str(data), JUPYTER_PREFER_ENV_PATH="0")
    done = subprocess.run([sys.executable, str(REPO / "examples" / "run_quickstart.py"), "--output", str(out),
                           "--workdir", str(tmp_path / "demo")], env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
    notebook = nbformat.read(out, as_version=4)
    check_executed_quickstart(notebook)
    login = outputs_of(notebook, "%hf_login --name quickstart")
    shown = [o["data"]["text/plain"] for o in login if o.get("output_type") == "display_data"]
    assert shown == ["Logged in as alice (token quickstart) · refreshed automatically before it expires"], login
    state = json.loads((tmp_path / "demo" / "hub" / "state.json").read_text())
    for token in state["tokens"]:
        assert token not in out.read_text()
