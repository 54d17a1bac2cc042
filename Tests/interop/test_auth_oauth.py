"""Browser login (device code), refresh of expiring tokens and OIDC, HubKernel against the local Hub's OAuth side
and against huggingface_hub 2.4 sharing the same files."""
from __future__ import annotations

import hashlib
import http.server
import json
import os
import stat
import subprocess
import sys
import threading
import time
import urllib.parse

import pytest

from fixtures.kernel import run_cell
from test_auth_interop import hubkernel, python
from test_localhub_oauth import device_login, id_token

SUBJECT = "repo:alice/demo:ref:refs/heads/main"


@pytest.fixture
def env(hf_env, tmp_path):
    return dict(hf_env, HOME=str(tmp_path), GIT_CONFIG_NOSYSTEM="1")


def approve_when_shown(hub, action: str = "authorize", delay: float = 0.0) -> threading.Thread:
    """Presses Authorize (or Deny) on the verification page as soon as a login code is pending."""
    def run():
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            pending = [d for d in hub.oauth_state()["device_codes"] if d["state"] == "pending"]
            if pending:
                time.sleep(delay)
                hub.approve(pending[-1]["user_code"], action)
                return
            time.sleep(0.2)
    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def displays(iopub: list[dict]) -> list[dict]:
    return [m for m in iopub if m["msg_type"] in ("display_data", "update_display_data")]


def text_of(message: dict) -> str:
    return message["content"]["data"]["text/plain"]


def read_files(home) -> dict:
    return {name: ((home / name).read_bytes(), stat.S_IMODE((home / name).stat().st_mode))
            for name in ("token", "stored_tokens")}


def test_kernel_browser_login_shows_code_then_logged_in_and_writes_what_python_writes(local_hub, env, start_hubkernel, tmp_path):
    local_hub.oauth(interval=1)
    _, kc = start_hubkernel(env=env)
    approver = approve_when_shown(local_hub, delay=1.5)
    reply, iopub = run_cell(kc, "%hf_login", allow_stdin=False, timeout=60)
    approver.join()
    assert reply["content"]["status"] == "ok", reply["content"]
    shown = displays(iopub)
    first, last = shown[0], shown[-1]
    code = local_hub.oauth_state()["device_codes"][-1]["user_code"]
    assert first["msg_type"] == "display_data" and code in text_of(first)
    assert f"{local_hub.endpoint}/device?user_code={code}" in first["content"]["data"]["text/html"]
    assert "waiting for approval · expires in" in text_of(first)
    display_id = first["content"]["transient"]["display_id"]
    assert last["msg_type"] == "update_display_data" and last["content"]["transient"]["display_id"] == display_id
    assert text_of(last) == "Logged in as alice (token oauth-alice) · refreshed automatically before it expires"
    assert not [m for m in iopub if m["msg_type"] == "execute_result"]

    # The same answer saved by Python's _save_oauth_token gives byte-identical files with the same modes.
    home = tmp_path / "hf_home"
    ours = read_files(home)
    stored = python("import json; from huggingface_hub.utils._auth import _read_stored_tokens_full; "
                    "print(json.dumps(_read_stored_tokens_full()))", env=env)
    section = json.loads(stored)["oauth-alice"]
    assert section["hf_token"].startswith("hf_oauth_") and section["refresh_token"].startswith("hf_oauth_rt_")
    theirs_home = tmp_path / "python_home"
    lifetime = 2592000
    python(f"""
import time, huggingface_hub._login as login
login.time.time = lambda: {int(section['expires_at'])} - {lifetime}
login._save_oauth_token({{"access_token": {section['hf_token']!r}, "refresh_token": {section['refresh_token']!r},
                          "expires_in": {lifetime}}})
""", env=dict(env, HF_HOME=str(theirs_home)))
    assert read_files(theirs_home) == ours
    assert stat.S_IMODE(home.stat().st_mode) == 0o700
    everything = json.dumps(iopub, default=str) + json.dumps(reply, default=str)
    assert section["hf_token"] not in everything and section["refresh_token"] not in everything


def test_kernel_login_again_with_force_shows_only_its_card(local_hub, env, start_hubkernel):
    """`%hf_login --force` while logged in (issue 20): the notebook gets the login card and its updates, no stream
    text in monospace above it; the card itself ends logged in with the new token."""
    local_hub.oauth(interval=1)
    _, kc = start_hubkernel(env=env)
    approver = approve_when_shown(local_hub)
    assert run_cell(kc, "%hf_login", allow_stdin=False, timeout=60)[0]["content"]["status"] == "ok"
    approver.join()
    approver = approve_when_shown(local_hub, delay=1.0)
    reply, iopub = run_cell(kc, "%hf_login --force", allow_stdin=False, timeout=60)
    approver.join()
    assert reply["content"]["status"] == "ok", reply["content"]
    streams = [m["content"]["text"] for m in iopub if m["msg_type"] == "stream"]
    assert streams == [], streams
    shown = displays(iopub)
    assert [m["msg_type"] for m in shown[:1]] == ["display_data"], [m["msg_type"] for m in shown]
    assert {m["msg_type"] for m in shown[1:]} == {"update_display_data"}, [m["msg_type"] for m in shown]
    assert len(local_hub.oauth_state()["device_codes"]) == 2, "the second login asked for a new code"
    assert text_of(shown[-1]).startswith("Logged in as alice"), text_of(shown[-1])


@pytest.mark.parametrize("case", ["denied", "expired"])
def test_kernel_browser_login_denied_or_expired(local_hub, env, start_hubkernel, tmp_path, case):
    local_hub.oauth(interval=1, device_code_lifetime=3 if case == "expired" else 60)
    _, kc = start_hubkernel(env=env)
    if case == "denied":
        approve_when_shown(local_hub, action="deny")
    reply, iopub = run_cell(kc, "%hf_login", allow_stdin=False, timeout=60)
    assert reply["content"]["status"] == "error"
    assert reply["content"]["ename"] == "DeviceCodeError"
    assert ("denied" if case == "denied" else "expired") in reply["content"]["evalue"]
    assert "%hf_login" in reply["content"]["evalue"]
    assert text_of(displays(iopub)[-1]).startswith("Not logged in:")
    assert not (tmp_path / "hf_home" / "token").exists()


def test_kernel_browser_login_honours_slow_down(local_hub, env, start_hubkernel):
    local_hub.oauth(interval=1, slow_down_polls=1)
    _, kc = start_hubkernel(env=env)
    local_hub.clear_log()
    approve_when_shown(local_hub)
    reply, _ = run_cell(kc, "%hf_login", allow_stdin=False, timeout=60)
    assert reply["content"]["status"] == "ok", reply["content"]
    polls = [e["start"] for e in local_hub.log() if e["path"] == "/oauth/token"]
    assert len(polls) >= 2 and polls[1] - polls[0] >= 5.5, polls  # interval 1 s + 5 s after slow_down


def test_kernel_browser_login_stops_at_once_on_interrupt(local_hub, env, start_hubkernel, tmp_path):
    local_hub.oauth(interval=5)
    km, kc = start_hubkernel(env=env)
    msg_id = kc.execute("%hf_login", allow_stdin=False)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        message = kc.get_iopub_msg(timeout=30)
        if message["parent_header"].get("msg_id") == msg_id and message["msg_type"] == "display_data":
            break
    started = time.monotonic()
    km.interrupt_kernel()
    reply = kc.get_shell_msg(timeout=10)
    assert reply["parent_header"]["msg_id"] == msg_id
    assert reply["content"]["ename"] == "KeyboardInterrupt"
    assert time.monotonic() - started < 2
    assert not (tmp_path / "hf_home" / "token").exists()


def test_paste_and_missing_device_endpoint_fall_back_to_the_prompt(local_hub, env, start_hubkernel):
    local_hub.oauth(device_endpoint=False)
    _, kc = start_hubkernel(env=env)
    requests: list[dict] = []
    reply, iopub = run_cell(kc, "%hf_login --name fallback", stdin_answers=[local_hub.tokens["read"]],
                            stdin_requests=requests)
    assert reply["content"]["status"] == "ok", reply["content"]
    assert requests and requests[0]["content"]["password"] is True
    warned = "".join(m["content"]["text"] for m in iopub if m["msg_type"] == "stream" and m["content"]["name"] == "stderr")
    assert "/oauth/device is not available (HTTP 404)" in warned and warned.count("\n") == 1


def test_terminal_piped_token_still_logs_in_and_browser_flag_uses_the_device_flow(local_hub, env):
    assert "Logged in as alice" in hubkernel("auth", "login", "--force", env=env, input=local_hub.tokens["read"]).stdout
    local_hub.oauth(interval=1)
    approve_when_shown(local_hub)
    done = hubkernel("auth", "login", "--browser", "--force", env=env)
    assert "Code: " in done.stdout and "/device?user_code=" in done.stdout
    assert "Logged in as alice (token oauth-alice)" in done.stdout


# -- refresh --------------------------------------------------------------------------------------------------


def expiring_login(hub, env, seconds_left: int = 600) -> dict:
    """A browser login stored the way `hf auth login` stores it, with `seconds_left` of validity."""
    answer = device_login(hub)
    python(f"""
import time
from pathlib import Path
from huggingface_hub.utils._auth import _save_token, _write_secret
_save_token({answer['access_token']!r}, "oauth-alice", refresh_token={answer['refresh_token']!r},
            expires_at=int(time.time()) + {seconds_left})
_write_secret(Path({env['HF_HOME']!r}) / "token", {answer['access_token']!r})
""", env=env)
    return answer


def python_token(env) -> str:
    return python("import huggingface_hub as h; print(h.get_token())", env=env).strip()


def hubkernel_fingerprint(env) -> str:
    return json.loads(hubkernel("auth", "token-source", "--json", env=env).stdout)["winner"]["fingerprint"]


def fingerprint(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()[:16]


def test_hubkernel_refreshes_then_python_uses_it_without_refreshing(local_hub, env):
    old = expiring_login(local_hub, env)
    whoami = hubkernel("auth", "whoami", env=env)
    assert "alice" in whoami.stdout and old["access_token"] not in whoami.stdout + whoami.stderr
    assert local_hub.oauth_state()["counters"]["refreshes"] == 1
    new = python_token(env)
    assert new != old["access_token"] and new.startswith("hf_oauth_")
    assert hubkernel_fingerprint(env) == fingerprint(new)
    assert local_hub.oauth_state()["counters"]["refreshes"] == 1


def test_python_refreshes_then_hubkernel_uses_it_without_refreshing(local_hub, env):
    old = expiring_login(local_hub, env, seconds_left=-5)  # already expired
    new = python_token(env)
    assert new != old["access_token"]
    assert local_hub.oauth_state()["counters"]["refreshes"] == 1
    assert "alice" in hubkernel("auth", "whoami", env=env).stdout
    assert hubkernel_fingerprint(env) == fingerprint(new)
    assert local_hub.oauth_state()["counters"]["refreshes"] == 1


def test_concurrent_refresh_by_both_clients_refreshes_once(local_hub, env):
    expiring_login(local_hub, env)
    local_hub.oauth(refresh_delay=1.5)  # both processes reach the lock while the first refresh is in flight
    ours = subprocess.Popen([os.environ.get("HUBKERNEL_BIN") or "hubkernel", "auth", "token-source", "--json"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    theirs = python_token(env)
    out, err = ours.communicate(timeout=60)
    assert ours.returncode == 0, err
    assert local_hub.oauth_state()["counters"]["refreshes"] == 1
    assert json.loads(out)["winner"]["fingerprint"] == fingerprint(theirs)
    assert python_token(env) == theirs


def test_revoked_session_on_an_expired_token_says_log_in_again(local_hub, env):
    expiring_login(local_hub, env, seconds_left=-5)
    local_hub.oauth(revoke_refresh_tokens=True)
    result = hubkernel("auth", "whoami", env=env, check=False)
    assert result.returncode == 1
    assert "DeviceCodeError" in result.stderr and "Log in again with hubkernel auth login" in result.stderr
    assert "create a new" not in result.stderr


# -- OIDC -----------------------------------------------------------------------------------------------------


def test_oidc_wins_over_the_env_token_and_a_bad_id_token_is_an_error(local_hub, env):
    local_hub.oauth(oidc_subjects={SUBJECT: "alice"})
    good = id_token({"aud": local_hub.endpoint, "sub": SUBJECT, "exp": time.time() + 600})
    ci = dict(env, HF_TOKEN=local_hub.tokens["unapproved"], HF_OIDC_RESOURCE="alice/demo", HF_OIDC_ID_TOKEN=good)
    whoami = json.loads(hubkernel("auth", "whoami", "--json", env=ci).stdout)
    assert whoami["user"] == "alice" and whoami["token_source"] == {"kind": "oidc", "resource": "alice/demo"}
    report = json.loads(hubkernel("auth", "token-source", "--json", env=ci).stdout)
    assert report["candidates"][0]["name"] == "HF_OIDC_RESOURCE" and report["winner"]["source"]["kind"] == "oidc"
    assert "HF_OIDC_RESOURCE" in report["reason"] and "before HF_TOKEN" in report["reason"]
    bad = dict(ci, HF_OIDC_ID_TOKEN=id_token({"aud": "https://elsewhere.example", "sub": SUBJECT, "exp": time.time() + 600}))
    failed = hubkernel("auth", "whoami", env=bad, check=False)
    assert failed.returncode == 1 and "OIDCError" in failed.stderr and "audience" in failed.stderr
    assert bad["HF_OIDC_ID_TOKEN"] not in failed.stderr + failed.stdout


class FakeActions(http.server.BaseHTTPRequestHandler):
    """GitHub Actions' id-token endpoint: checks the request token and answers an id token for the audience."""
    request_token = ""
    seen: list[dict] = []

    def do_GET(self):
        query = urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query)
        FakeActions.seen.append({"auth": self.headers.get("Authorization"), "audience": query.get("audience", [""])[0]})
        if self.headers.get("Authorization") != f"Bearer {FakeActions.request_token}":
            self.send_response(401)
            self.end_headers()
            return
        body = json.dumps({"value": id_token({"aud": query["audience"][0], "sub": SUBJECT, "exp": time.time() + 600})})
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body.encode())

    def log_message(self, *args):
        pass


def test_oidc_id_token_minted_by_github_actions(local_hub, env):
    local_hub.oauth(oidc_subjects={SUBJECT: "alice"})
    FakeActions.request_token = "actions-" + os.urandom(12).hex()
    FakeActions.seen = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), FakeActions)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        ci = dict(env, HF_OIDC_RESOURCE="alice", GITHUB_ACTIONS="true",
                  ACTIONS_ID_TOKEN_REQUEST_URL=f"http://127.0.0.1:{server.server_address[1]}/token?api-version=2.0",
                  ACTIONS_ID_TOKEN_REQUEST_TOKEN=FakeActions.request_token)
        whoami = json.loads(hubkernel("auth", "whoami", "--json", env=ci).stdout)
        assert whoami["user"] == "alice"
        assert FakeActions.seen == [{"auth": f"Bearer {FakeActions.request_token}", "audience": local_hub.endpoint}]
        missing = hubkernel("auth", "whoami", env=dict(ci, ACTIONS_ID_TOKEN_REQUEST_TOKEN=""), check=False)
        assert missing.returncode == 1 and "id-token: write" in missing.stderr
    finally:
        server.shutdown()


@pytest.mark.parametrize("choice", ["", "2"])
def test_terminal_on_a_tty_asks_browser_or_paste(local_hub, env, choice):
    """`hubkernel auth login` on a TTY asks how to log in, as `hf auth login` does: Enter = browser, 2 = paste."""
    import pty

    local_hub.oauth(interval=1)
    controller, terminal = pty.openpty()
    process = subprocess.Popen([os.environ.get("HUBKERNEL_BIN") or "hubkernel", "auth", "login"], env=env,
                               stdin=terminal, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    os.close(terminal)
    os.write(controller, (choice + "\n").encode())
    early = b""
    if choice == "2":
        # A person types once the prompt is there (hiding the input flushes what was typed before it).
        while b"Enter your token" not in early:
            chunk = os.read(process.stderr.fileno(), 4096)
            assert chunk, early
            early += chunk
        os.write(controller, (local_hub.tokens["read"] + "\n").encode())
    else:
        approve_when_shown(local_hub)
    out, err = process.communicate(timeout=60)
    err = early.decode() + err
    os.close(controller)
    assert process.returncode == 0, err
    assert "How would you like to log in?" in err
    if choice == "2":
        assert "Code: " not in out and "Logged in as alice (token 'alice-read'" in out
        assert local_hub.tokens["read"] not in out + err
    else:
        assert "Code: " in out and "Logged in as alice (token oauth-alice)" in out


def test_expiry_is_shown_by_whoami_token_source_doctor_and_list(local_hub, env):
    expiring_login(local_hub, env, seconds_left=3 * 86400)
    shown = "expires in 3 days, refreshed automatically"
    assert shown in hubkernel("auth", "whoami", env=env).stdout
    assert json.loads(hubkernel("auth", "whoami", "--json", env=env).stdout)["expires"] == shown
    assert f"The token in force {shown}." in hubkernel("auth", "token-source", env=env).stdout
    doctor = hubkernel("doctor", env=env, check=False).stdout
    assert f"It {shown}." in doctor and "(a browser login)" in doctor and "unknown role" not in doctor, doctor
    listing = hubkernel("auth", "list", env=env).stdout
    theirs = subprocess.run([os.path.join(os.path.dirname(sys.executable), "hf"), "auth", "list"], env=env,
                            capture_output=True, text=True, timeout=60).stdout
    assert "expires" in listing.splitlines()[0] and time.strftime("%Y-%m-%d", time.localtime(time.time() + 3 * 86400)) in listing
    assert [line.split()[-1] for line in listing.splitlines()[2:] if line.strip()] == \
           [line.split()[-1] for line in theirs.splitlines()[2:] if line.strip()]
    assert local_hub.oauth_state()["counters"]["refreshes"] == 0, "3 days left: nothing to refresh"


def test_an_expired_browser_login_without_refresh_token_says_log_in_again(local_hub, env):
    local_hub.oauth(return_refresh_token=False, access_token_lifetime=1, interval=1)
    approve_when_shown(local_hub)
    hubkernel("auth", "login", "--browser", env=env)
    time.sleep(1.2)
    result = hubkernel("auth", "whoami", env=env, check=False)
    assert result.returncode == 1
    assert "browser login 'oauth-alice' has expired" in result.stderr and "hubkernel auth login" in result.stderr
    assert "create a new" not in result.stderr


def test_kernel_refreshes_before_use_and_masks_the_new_token(local_hub, env, start_hubkernel):
    old = expiring_login(local_hub, env)
    _, kc = start_hubkernel(env=env)
    reply, iopub = run_cell(kc, "%whoami --json")
    assert reply["content"]["status"] == "ok", reply["content"]
    assert local_hub.oauth_state()["counters"]["refreshes"] == 1
    new = python_token(env)
    assert new != old["access_token"]
    reply, iopub = run_cell(kc, f"%echo {new} {old['refresh_token']}")
    text = json.dumps(iopub, default=str) + json.dumps(reply, default=str)
    assert new not in text and old["refresh_token"] not in text and f"hf_****{new[-4:]}" in text
    kc.history(hist_access_type="tail", n=10, raw=True, output=True)
    assert new not in json.dumps(kc.get_shell_msg(timeout=10)["content"])  # the history reply


def test_papermill_in_ci_runs_the_quickstart_as_the_oidc_identity(local_hub, client_env, tmp_path):
    """The README's CI recipe: no login step, HF_OIDC_RESOURCE + the CI's id token; the OIDC identity (alice) wins
    over an HF_TOKEN of another account (bob), the gated repo check passes as alice, and no token is in the output."""
    from test_clients_notebooks import QUICKSTART, REPO, check_executed_quickstart

    import nbformat

    local_hub.oauth(oidc_subjects={SUBJECT: "alice"})
    good = id_token({"aud": local_hub.endpoint, "sub": SUBJECT, "exp": time.time() + 600})
    ci = dict(client_env, HF_OIDC_RESOURCE="alice", HF_OIDC_ID_TOKEN=good, HF_TOKEN=local_hub.tokens["unapproved"])
    out = tmp_path / "ci.ipynb"
    done = subprocess.run([sys.executable, str(REPO / "examples" / "hubkernel_papermill.py"), str(QUICKSTART), str(out),
                           "-k", "hubkernel"], env=ci, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    notebook = nbformat.read(out, as_version=4)
    check_executed_quickstart(notebook)
    text = out.read_text()
    assert "OIDC token exchange for alice" in text
    assert good not in text and local_hub.tokens["unapproved"] not in text
    # One exchange per process, each cached for its life: HubKernel's own, and the hosted Python's, whose
    # huggingface_hub exchanges for itself when %token_source asks it which token it resolves.
    assert local_hub.oauth_state()["counters"]["exchanges"] == 2, "HubKernel and its Python each exchanged once"
    token_source = next(c for c in notebook.cells if c.cell_type == "code" and c.source.strip() == "%token_source")
    shown = json.dumps(token_source.outputs)
    assert "its own OIDC exchange for alice" in shown and "differs" not in shown, shown
