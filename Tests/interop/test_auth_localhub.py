"""Auth against the shared local Hub (localhub/): real whoami-v2 answers for the sample accounts, checked
with the reference client. Runs once the local Hub is on this branch."""
from __future__ import annotations

import importlib.util
import json
import subprocess

import pytest

if importlib.util.find_spec("fixtures.hub") is None:
    pytest.skip("the local Hub fixtures (Tests/interop/fixtures/hub.py) are not on this branch yet", allow_module_level=True)

from fixtures.kernel import run_cell
from test_auth_interop import HF_CLI, fake_token, fingerprint, hubkernel, python


@pytest.fixture
def env(hf_env, tmp_path):
    """`hf_env` with a throw-away HOME (git credential commands run on logout)."""
    return dict(hf_env, HOME=str(tmp_path), GIT_CONFIG_NOSYSTEM="1")


def test_cli_login_matches_python_whoami_and_stored_name(local_hub, env):
    token = local_hub.tokens["write"]
    login = hubkernel("auth", "login", env=env, input=token)
    assert token not in login.stdout + login.stderr
    theirs = json.loads(python("import json; from huggingface_hub import whoami; print(json.dumps(whoami()))", env=env))
    ours = json.loads(hubkernel("auth", "whoami", "--json", env=env).stdout)
    access = theirs["auth"]["accessToken"]
    assert ours["user"] == theirs["name"]
    assert ours["orgs"] == [org["name"] for org in theirs.get("orgs", [])]
    assert ours["role"] == access.get("role")
    assert ours["token_name"] == (access.get("displayName") or f"oauth-{theirs['name']}")
    stored = json.loads(python("import json; from huggingface_hub.utils import get_stored_tokens; "
                               "print(json.dumps(get_stored_tokens()))", env=env))
    assert stored == {ours["token_name"]: token}
    listing = subprocess.run([HF_CLI, "auth", "list"], env=env, capture_output=True, text=True, timeout=60)
    assert ours["token_name"] in listing.stdout


def test_write_token_warning_with_check(local_hub, env):
    for role, warned in (("write", True), ("read", False)):
        report = json.loads(hubkernel("auth", "token-source", "--check", "--json",
                                      env=dict(env, HF_TOKEN=local_hub.tokens[role])).stdout)
        assert report["account"]["role"] == role
        assert any("This is a write token" in w for w in report["warnings"]) is warned
        assert report["winner"]["fingerprint"] == fingerprint(local_hub.tokens[role])


def test_rejected_token_says_what_to_do_and_writes_nothing(local_hub, env, tmp_path):
    token = fake_token()
    result = hubkernel("auth", "login", env=env, input=token, check=False)
    assert result.returncode == 1
    assert "HfHubHTTPError" in result.stderr and f"{local_hub.endpoint}/settings/tokens" in result.stderr
    assert token not in result.stdout + result.stderr
    assert not (tmp_path / "hf_home" / "token").exists()
    whoami = hubkernel("auth", "whoami", env=dict(env, HF_TOKEN=token), check=False)
    assert whoami.returncode == 1 and "environment variable HF_TOKEN" in whoami.stderr


def test_token_goes_only_to_the_api(local_hub, env):
    local_hub.clear_log()
    hubkernel("auth", "whoami", env=dict(env, HF_TOKEN=local_hub.tokens["read"]))
    entries = local_hub.log()
    assert entries and all(entry["server"] == "api" for entry in entries if entry["auth"])
    assert any(entry["path"] == "/api/whoami-v2" and entry["auth"] for entry in entries)


def test_kernel_login_is_seen_by_python(local_hub, env, start_hubkernel):
    token = local_hub.tokens["read"]
    _, kc = start_hubkernel(env=env)
    reply, iopub = run_cell(kc, "%hf_login --paste", stdin_answers=[token])
    assert reply["content"]["status"] == "ok", reply["content"]
    assert token not in json.dumps(iopub, default=str)
    assert python("import huggingface_hub as h; print(h.get_token())", env=env).strip() == token
    reply, iopub = run_cell(kc, "%whoami --json")
    data = next(m for m in iopub if m["msg_type"] == "execute_result")["content"]["data"]["application/json"]
    assert data["user"] == "alice" and data["token_source"]["kind"] == "token_file"


def test_a_second_account_is_saved_and_made_active_as_hf_auth_login_does(local_hub, env, start_hubkernel, tmp_path):
    """While logged in, `%hf_login --paste --name ci-bot` saves the new token and makes it active without --force,
    as `hf auth login --token` does; what Python then sees is the same in both."""
    first, second = local_hub.tokens["read"], local_hub.tokens["write"]
    theirs = dict(env, HF_HOME=str(tmp_path / "python-home"))
    for environment in (env, theirs):
        hubkernel("auth", "login", "--name", "laptop", env=environment, input=first)
    subprocess.run([HF_CLI, "auth", "login", "--token", second], env=theirs, capture_output=True, text=True, timeout=60,
                   check=True)
    _, kc = start_hubkernel(env=env)
    reply, iopub = run_cell(kc, "%hf_login --paste --name ci-bot", stdin_answers=[second])
    assert reply["content"]["status"] == "ok", reply["content"]
    result = next(m for m in iopub if m["msg_type"] == "execute_result")["content"]["data"]["text/plain"]
    assert "'ci-bot' is now the active token; %auth_switch laptop goes back." in result, result
    assert second not in json.dumps(iopub, default=str)
    seen = ("import huggingface_hub as h; from huggingface_hub.utils import get_stored_tokens; "
            "print(h.get_token() == {!r}, sorted(get_stored_tokens()) == {!r})")
    ours = python(seen.format(second, ["ci-bot", "laptop"]), env=env).strip()
    hf_names = json.loads(python("import json; from huggingface_hub.utils import get_stored_tokens; "
                                 "print(json.dumps(sorted(get_stored_tokens())))", env=theirs))
    assert len(hf_names) == 2 and "laptop" in hf_names, hf_names  # hf names the second after the Hub's token name
    assert python(seen.format(second, hf_names), env=theirs).strip() == ours == "True True"
