"""Executes a HubKernel notebook headless and writes it with its outputs (README's main command runs this).

With no `HF_ENDPOINT` configured it runs on the embedded default: a local Hub on 127.0.0.1 with sample repos and
tokens generated now, an HF_HOME of its own under the output folder, and `%hf_login` logging in through the browser
flow: this runner plays the browser, opening the verification page and pressing Authorize over HTTP. With
`HF_ENDPOINT` set, it runs against that Hub with your own token settings; `%hf_login` then becomes
`%hf_login --paste` (nobody could see the link in a headless run) and you are asked for a token only if it needs one.
"""
import argparse
import asyncio
import getpass
import json
import os
import shutil
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))


class PromptAnsweringClient(NotebookClient):
    """An nbclient that allows stdin and answers each password prompt with `answer()`."""

    def __init__(self, *args, answer, **kwargs):
        super().__init__(*args, **kwargs)
        self._answer = answer
        self._stdin_task = None

    async def async_start_new_kernel_client(self):
        kc = await super().async_start_new_kernel_client()
        kc.allow_stdin = True
        self._stdin_task = asyncio.ensure_future(self._answer_prompts(kc))
        return kc

    async def _answer_prompts(self, kc):
        while True:
            try:
                msg = await kc.get_stdin_msg(timeout=0.2)
            except Exception:
                continue
            if msg["msg_type"] == "input_request":
                secret = self._answer(msg["content"]) if msg["content"].get("password") else ""
                kc.input(secret)


def start_local_hub(root: Path):
    """Builds the sample repos and starts the local Hub; returns (process, endpoint, tokens by role)."""
    from localhub.samples import build_samples

    samples = build_samples(root)
    process = subprocess.Popen([sys.executable, "-m", "localhub", "serve", "--root", str(root)], cwd=REPO_ROOT,
                               stdout=subprocess.PIPE, stderr=open(root / "localhub.log", "w"), text=True)
    line = process.stdout.readline()
    if not line:
        raise SystemExit(f"The local Hub did not start; see {root / 'localhub.log'}")
    return process, json.loads(line)["endpoint"], samples.tokens


def approve_logins_as_a_browser(endpoint: str, stop: threading.Event) -> threading.Thread:
    """Plays the user's browser for `%hf_login`: for each pending login code, opens the verification page the
    kernel shows and presses its Authorize button (the form's POST). Polls the local Hub's admin route."""
    def admin(method: str, payload=None) -> dict:
        data = None if payload is None else json.dumps(payload).encode()
        request = urllib.request.Request(f"{endpoint}/_admin/oauth", data=data, method=method,
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read())

    def run():
        admin("POST", {"interval": 1})  # the demo need not wait the Hub's usual 5 s between polls
        approved = set()
        while not stop.wait(0.5):
            for device in admin("GET")["device_codes"]:
                code = device["user_code"]
                if device["state"] != "pending" or code in approved:
                    continue
                page_url = f"{endpoint}/device?" + urllib.parse.urlencode({"user_code": code})
                with urllib.request.urlopen(page_url, timeout=30) as page:
                    assert code in page.read().decode(), "the verification page shows the code"
                time.sleep(1)  # a person takes a moment to read the code
                form = urllib.parse.urlencode({"user_code": code, "action": "authorize"}).encode()
                urllib.request.urlopen(urllib.request.Request(f"{endpoint}/device", data=form, method="POST"),
                                       timeout=30).read()
                approved.add(code)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def use_paste_login(notebook) -> None:
    """Against a real Hub nobody can open the login link of a headless run: log in by pasting instead."""
    for cell in notebook.cells:
        if cell.cell_type == "code" and cell.source.startswith("%hf_login") and "--paste" not in cell.source:
            cell.source = cell.source.replace("%hf_login", "%hf_login --paste", 1)


def use_real_repos(notebook) -> None:
    """Points the parameters cell at real repos (override with HUBKERNEL_DEMO_REPO / HUBKERNEL_DEMO_GATED_REPO)."""
    repo = os.environ.get("HUBKERNEL_DEMO_REPO", "hf-internal-testing/tiny-random-bert")
    gated = os.environ.get("HUBKERNEL_DEMO_GATED_REPO", "meta-llama/Llama-3.2-1B")
    for cell in notebook.cells:
        if "parameters" in cell.get("metadata", {}).get("tags", []):
            cell.source = f"%set repo {repo}\n%set gated_repo {gated}"


def summarize(notebook) -> str:
    """The text/plain of every output, cell by cell, for the terminal."""
    lines = []
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        lines.append(f"In [{cell.get('execution_count') or ' '}]: {cell.source}")
        for output in cell.get("outputs", []):
            text = output.get("text") or output.get("data", {}).get("text/plain") or \
                (f"{output['ename']}: {output['evalue']}" if output.get("output_type") == "error" else "")
            lines.extend("    " + line for line in str(text).rstrip().splitlines())
        lines.append("")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--notebook", default=str(REPO_ROOT / "examples" / "quickstart.ipynb"))
    parser.add_argument("--output", default=str(REPO_ROOT / "artifacts" / "quickstart.ipynb"))
    parser.add_argument("--workdir", default=str(REPO_ROOT / "artifacts" / "demo"),
                        help="local Hub and HF_HOME of the embedded default (recreated on each run)")
    parser.add_argument("--local-hub", metavar="ENDPOINT",
                        help="use this already running local Hub (sample repos) instead of starting one")
    parser.add_argument("--token-file", help="with --local-hub: the token that answers the password prompt")
    args = parser.parse_args()

    notebook = nbformat.read(args.notebook, as_version=4)
    env = dict(os.environ)
    # The notebook's Python lines run in this interpreter's environment (HubKernel finds its python3 in PATH).
    env["PATH"] = os.path.dirname(sys.executable) + os.pathsep + env.get("PATH", "")
    hub = None
    stop_browser = threading.Event()
    if os.environ.get("HF_ENDPOINT"):
        print(f"Running {args.notebook} against {os.environ['HF_ENDPOINT']} with your token settings.")
        use_real_repos(notebook)
        use_paste_login(notebook)
        answer = lambda content: getpass.getpass(content.get("prompt") or "Hugging Face token: ")
    else:
        workdir = Path(args.workdir)
        shutil.rmtree(workdir, ignore_errors=True)
        (workdir / "hub").mkdir(parents=True)
        if args.local_hub:
            endpoint, tokens = args.local_hub, {"read": Path(args.token_file).read_text().strip()}
        else:
            hub, endpoint, tokens = start_local_hub(workdir / "hub")
        env = {k: v for k, v in env.items() if not k.startswith(("HF_", "HUGGING_FACE_", "HUGGINGFACE_"))}
        env.update(HF_ENDPOINT=endpoint, HF_HOME=str(workdir / "hf_home"), NO_PROXY="127.0.0.1,localhost")
        print(f"Running {args.notebook} on the embedded default: local Hub at {endpoint}, HF_HOME={env['HF_HOME']}.")
        answer = lambda content: tokens["read"]  # only if a cell asks for a token (%hf_login --paste)
        approve_logins_as_a_browser(endpoint, stop_browser)
    failure = None
    try:
        client = PromptAnsweringClient(notebook, kernel_name="hubkernel", timeout=600, answer=answer,
                                       resources={"metadata": {"path": str(REPO_ROOT)}})
        client.execute(env=env)
    except CellExecutionError as error:
        failure = error
    finally:
        Path(args.output).parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(notebook, args.output)
        stop_browser.set()
        if hub is not None:
            hub.terminate()
            hub.wait(timeout=15)
    print(summarize(notebook))
    print(f"Wrote the executed notebook to {args.output}")
    if failure is not None:
        print(f"A cell failed; the notebook stops there:\n{failure}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
