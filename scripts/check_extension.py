"""Proves `%load_ext hubkernel` in an installed wheel (run by check_install.py inside the clean Debian, with the venv's
python): a plain ipykernel through jupyter_client, `%load_ext hubkernel`, `%whoami` against the local Hub with the
token in HF_TOKEN, then Python prints the token: it must arrive masked. Usage: check_extension.py ENDPOINT TOKEN_FILE
"""
from __future__ import annotations

import os
import sys
import tempfile

from jupyter_client.manager import start_new_kernel


def run(kc, code: str) -> str:
    """Runs `code`; returns everything it showed, as text."""
    msg_id = kc.execute(code)
    shown = []
    while True:
        message = kc.get_iopub_msg(timeout=120)
        if message["parent_header"].get("msg_id") != msg_id:
            continue
        content = message["content"]
        if message["msg_type"] == "status" and content["execution_state"] == "idle":
            return "".join(shown)
        shown.append(content.get("text", "") + str(content.get("data", "")) + " ".join(content.get("traceback", [])))


def main() -> int:
    endpoint, token_file = sys.argv[1], sys.argv[2]
    token = open(token_file).read().strip()
    env = {**os.environ, "HF_ENDPOINT": endpoint, "HF_TOKEN": token, "HF_HOME": tempfile.mkdtemp(prefix="hubkernel-extension-home-"),
           "NO_PROXY": "127.0.0.1"}
    km, kc = start_new_kernel(kernel_name="python3", env=env)
    failures = []
    try:
        loaded = run(kc, "%load_ext hubkernel")
        whoami = run(kc, "%whoami")
        printed = run(kc, "import os; print(os.environ['HF_TOKEN'])")
        print(f"%load_ext hubkernel: {loaded.strip() or 'ok'}\n%whoami: {whoami.strip()[:200]}\nprint(token): {printed.strip()}")
        if "alice" not in whoami:
            failures.append("%whoami did not show alice")
        if token in loaded + whoami + printed or "hf_****" not in printed:
            failures.append("the printed token was not masked")
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
    for failure in failures:
        print(f"FAIL: {failure}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
