"""Completion, inspection and is_complete through jupyter_client, as Lab and the console ask for them."""
from __future__ import annotations

import subprocess

from fixtures.clients import cli_login
from fixtures.kernel import hubkernel_bin


def complete(kc, code: str, cursor: int | None = None) -> dict:
    kc.complete(code, len(code) if cursor is None else cursor)
    return kc.get_shell_msg(timeout=10)["content"]


def test_completion_inspect_and_is_complete(local_hub, hf_env, start_hubkernel):
    cli_login(hf_env, local_hub.tokens["read"], "--name", "ci-token")
    fetched = subprocess.run([hubkernel_bin(), "download", "demo/tiny-model", "config.json"], env=hf_env,
                             capture_output=True, text=True, timeout=120)
    assert fetched.returncode == 0, fetched.stderr
    _, kc = start_hubkernel(env=hf_env)

    reply = complete(kc, "%dow")
    assert reply["matches"] == ["%download"] and reply["cursor_start"] == 0 and reply["cursor_end"] == 4
    assert "--revision" in complete(kc, "%download org/m --rev")["matches"]
    assert complete(kc, "%whoami --token-name ")["matches"] == ["ci-token"]
    assert "demo/tiny-model" in complete(kc, "%download ")["matches"]
    files = complete(kc, "%download demo/tiny-model con")
    assert files["matches"] == ["config.json"] and files["cursor_start"] == len("%download demo/tiny-model ")
    assert complete(kc, "%download demo/tiny-model n")["matches"] == [], "only config.json is cached so far"
    # a `\` continuation (what the console offers after is_complete says "incomplete") and --option=value
    continued = complete(kc, "%download demo/tiny-model \\\n  con")
    assert continued["matches"] == ["config.json"] and continued["cursor_start"] == len("%download demo/tiny-model \\\n  ")
    assert complete(kc, "%download demo/tiny-model \\\n  --rev")["matches"] == ["--revision"]
    assert complete(kc, "%download demo/tiny-model --repo-type=d")["matches"] == ["--repo-type=dataset"]
    snapshot = subprocess.run([hubkernel_bin(), "download", "demo/tiny-model", "--include", "*.json"], env=hf_env,
                              capture_output=True, text=True, timeout=120)
    assert snapshot.returncode == 0, snapshot.stderr
    assert complete(kc, "%download demo/tiny-model n")["matches"] == ["nested/deeper/notes.txt", "nested/params.json"], \
        "a snapshot's cached tree listing names files that were not downloaded"
    assert complete(kc, "%cache ")["matches"] == ["ls", "rm", "prune", "verify"]

    kc.inspect("%download demo/tiny-model", 3)
    inspect = kc.get_shell_msg(timeout=10)["content"]
    assert inspect["found"] and inspect["data"]["text/plain"].startswith("Usage: %download REPO")

    kc.is_complete("%download demo/tiny-model \\")
    assert kc.get_shell_msg(timeout=10)["content"]["status"] == "incomplete"
    kc.is_complete("%download demo/tiny-model")
    assert kc.get_shell_msg(timeout=10)["content"]["status"] == "complete"
