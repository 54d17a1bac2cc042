"""Auth cross-checks with the reference client (huggingface_hub 2.4.0): the CLI and the kernel read and
write the same token file and stored_tokens as Python, byte for byte, and pick the same token.

Until the shared local Hub lands, a tiny whoami-v2 server (below) answers for generated tokens.
"""
from __future__ import annotations

import hashlib
import json
import os
import pathlib
import secrets
import shutil
import stat
import string
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from fixtures.kernel import hubkernel_bin, run_cell, stream_text

PYTHON = sys.executable
HF_CLI = str(pathlib.Path(sys.executable).with_name("hf"))


def fake_token() -> str:
    """A token-shaped string made at run time (never committed)."""
    return "hf_" + "".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(34))


def fingerprint(token: str | None) -> str | None:
    return hashlib.sha256(token.encode()).hexdigest()[:16] if token else None


class WhoamiHub:
    """`GET /api/whoami-v2` on 127.0.0.1: 200 for known tokens, 401 otherwise; records Authorization headers."""

    def __init__(self):
        self.tokens: dict[str, dict] = {}
        self.seen_authorization: list[str | None] = []
        hub = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                authorization = self.headers.get("authorization")
                hub.seen_authorization.append(authorization)
                token = (authorization or "")[len("Bearer "):]
                if self.path != "/api/whoami-v2" or token not in hub.tokens:
                    body, status = b'{"error":"Invalid credentials in Authorization header"}', 401
                else:
                    body, status = json.dumps(hub.tokens[token]).encode(), 200
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.endpoint = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def add(self, token: str, user: str = "alice", display_name: str | None = "laptop", role: str = "read") -> str:
        access = {"role": role} if display_name is None else {"displayName": display_name, "role": role}
        self.tokens[token] = {"type": "user", "id": "1", "name": user, "fullname": user.title(), "orgs": [{"name": "acme"}],
                              "auth": {"type": "access_token", "accessToken": access}}
        return token

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def whoami_hub():
    hub = WhoamiHub()
    yield hub
    hub.close()


def clean_env(home: pathlib.Path, **extra: str) -> dict[str, str]:
    """This process's environment without any HF_/token variable, with HOME and HF_HOME under `home`."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("HF_", "HUGGING")) and k not in ("XDG_CACHE_HOME",)}
    env.update(HOME=str(home), HF_HOME=str(home / "hf"), GIT_CONFIG_NOSYSTEM="1", NO_COLOR="1")
    env.update(extra)
    return env


def hubkernel(*args: str, env: dict[str, str], input: str | None = None, check: bool = True) -> subprocess.CompletedProcess:
    result = subprocess.run([hubkernel_bin(), *args], env=env, input=input, capture_output=True, text=True, timeout=60)
    if check:
        assert result.returncode == 0, f"hubkernel {' '.join(args)} failed: {result.stderr}"
    return result


def python(code: str, *, env: dict[str, str], input: str | None = None) -> str:
    result = subprocess.run([PYTHON, "-c", code], env=env, input=input, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout


def python_token_fingerprint(env: dict[str, str]) -> str | None:
    out = python("import hashlib, huggingface_hub as h; t = h.get_token(); "
                 "print(hashlib.sha256(t.encode()).hexdigest()[:16] if t else 'None')", env=env).strip()
    return None if out == "None" else out


def token_source(env: dict[str, str]) -> dict:
    return json.loads(hubkernel("auth", "token-source", "--json", env=env).stdout)


def mode(path: pathlib.Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


# --- which token wins -------------------------------------------------------------------------

ENV_CASES = [
    ({}, False),
    ({}, True),
    ({"HF_TOKEN": "A"}, True),
    ({"HF_TOKEN": "A", "HUGGING_FACE_HUB_TOKEN": "B"}, True),
    ({"HUGGING_FACE_HUB_TOKEN": "B"}, True),
    ({"HF_TOKEN": "", "HUGGING_FACE_HUB_TOKEN": "B"}, True),
    ({"HF_TOKEN": "", "HUGGING_FACE_HUB_TOKEN": "B"}, False),
    ({"HF_TOKEN": "   ", "HUGGING_FACE_HUB_TOKEN": "B"}, True),
    ({"HF_TOKEN": "   ", "HUGGING_FACE_HUB_TOKEN": "B"}, False),
    ({"HF_TOKEN": "\n"}, True),
    ({"HF_TOKEN": " A \n"}, False),
    ({"HUGGING_FACE_HUB_TOKEN": "\tB\r\n"}, True),
    ({"HF_TOKEN": "A", "HF_HUB_DISABLE_IMPLICIT_TOKEN": "1"}, True),
]


@pytest.mark.parametrize("variables,with_file", ENV_CASES)
def test_winner_agrees_with_python_get_token(tmp_path, variables, with_file):
    tokens = {"A": fake_token(), "B": fake_token(), "F": fake_token()}
    values = {k: "".join(tokens.get(c, c) if c in "AB" else c for c in v) for k, v in variables.items()}
    env = clean_env(tmp_path, **values)
    if with_file:
        (tmp_path / "hf").mkdir()
        (tmp_path / "hf" / "token").write_text(tokens["F"] + "\n")
    report = token_source(env)
    ours = report["winner"]["fingerprint"] if report["winner"] else None
    assert ours == python_token_fingerprint(env)
    assert report["python_fingerprint"] == ours
    assert not any("get_token() sees a different token" in w for w in report["warnings"])


@pytest.mark.parametrize("with_file", [True, False])
def test_deprecated_name_is_used_but_flagged(tmp_path, with_file):
    deprecated, file_token = fake_token(), fake_token()
    env = clean_env(tmp_path, HUGGINGFACE_TOKEN=deprecated)
    if with_file:
        (tmp_path / "hf").mkdir()
        (tmp_path / "hf" / "token").write_text(file_token)
    report = token_source(env)
    assert report["winner"]["source"] == {"kind": "environment", "variable": "HUGGINGFACE_TOKEN"}
    assert report["python_fingerprint"] == python_token_fingerprint(env) == (fingerprint(file_token) if with_file else None)
    assert any(w.startswith("HUGGINGFACE_TOKEN is a deprecated name") for w in report["warnings"])
    assert any("get_token() sees a different token" in w for w in report["warnings"])


# --- login, files and names shared with Python ----------------------------------------------

def test_cli_login_is_seen_by_python_and_hf_auth_list(tmp_path, whoami_hub):
    token = whoami_hub.add(fake_token(), display_name="laptop", role="write")
    env = clean_env(tmp_path, HF_ENDPOINT=whoami_hub.endpoint)
    result = hubkernel("auth", "login", env=env, input=token)  # piped stdin, no newline
    assert "Logged in as alice (token 'laptop', permission: write)." in result.stdout
    assert token not in result.stdout + result.stderr
    assert whoami_hub.seen_authorization == [f"Bearer {token}"]

    assert python("import huggingface_hub as h; print(h.get_token())", env=env).strip() == token
    stored = json.loads(python("import json; from huggingface_hub.utils import get_stored_tokens; "
                               "print(json.dumps(get_stored_tokens()))", env=env))
    assert stored == {"laptop": token}
    listing = subprocess.run([HF_CLI, "auth", "list"], env=env, capture_output=True, text=True, timeout=60)
    assert "laptop" in listing.stdout and f"{token[:3]}****{token[-4:]}" in listing.stdout
    assert mode(tmp_path / "hf" / "token") == 0o600
    assert mode(tmp_path / "hf" / "stored_tokens") == 0o600
    assert mode(tmp_path / "hf") == 0o700


@pytest.mark.parametrize("client", ["login()", "hf auth login"])
def test_python_login_is_seen_by_hubkernel(tmp_path, whoami_hub, client):
    token = whoami_hub.add(fake_token(), user="bob", display_name=None)  # an OAuth-style token: saved as oauth-bob
    env = clean_env(tmp_path, HF_ENDPOINT=whoami_hub.endpoint)
    if client == "login()":
        python("import sys; from huggingface_hub import login; login(token=sys.stdin.read())", env=env, input=token)
    else:
        done = subprocess.run([HF_CLI, "auth", "login", "--token", token], env=env, capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr
    whoami = json.loads(hubkernel("auth", "whoami", "--json", env=env).stdout)
    assert whoami["user"] == "bob"
    assert whoami["token_name"] == "oauth-bob"
    assert whoami["token_source"] == {"kind": "token_file", "path": str(tmp_path / "hf" / "token")}
    assert whoami["endpoint"] == whoami_hub.endpoint
    report = token_source(env)
    assert report["winner"]["fingerprint"] == fingerprint(token)
    assert "saved as 'oauth-bob'" in next(c for c in report["candidates"] if c["name"] == "token file")["status"]
    listing = json.loads(hubkernel("auth", "list", "--json", env=env).stdout)
    assert listing == [{"name": "oauth-bob", "token": f"{token[:3]}****{token[-4:]}", "active": True, "expires": None}]


EXISTING_STORED_TOKENS = "[zeta]\nhf_token = {z}\nrefresh_token = {r}\nexpires_at = 4102444800\ncustom = kept\n\n[laptop]\nhf_token = {old}\nrefresh_token = stale\n\n"


def two_homes(tmp_path: pathlib.Path, seed: str | None) -> tuple[pathlib.Path, pathlib.Path]:
    homes = tmp_path / "python", tmp_path / "hubkernel"
    for home in homes:
        (home / "hf").mkdir(parents=True)
        if seed is not None:
            (home / "hf" / "stored_tokens").write_text(seed)
    return homes


def assert_same_files(python_home: pathlib.Path, our_home: pathlib.Path):
    for name in ("token", "stored_tokens"):
        ours, theirs = our_home / "hf" / name, python_home / "hf" / name
        assert ours.exists() == theirs.exists(), name
        if theirs.exists():
            assert ours.read_bytes() == theirs.read_bytes(), name
            assert mode(ours) == mode(theirs), name
    assert mode(our_home / "hf") == mode(python_home / "hf")


@pytest.mark.parametrize("seeded", [False, True])
def test_login_writes_the_same_bytes_as_python(tmp_path, whoami_hub, seeded):
    token = whoami_hub.add(fake_token(), display_name="laptop")
    seed = EXISTING_STORED_TOKENS.format(z=fake_token(), r=fake_token(), old=fake_token()) if seeded else None
    python_home, our_home = two_homes(tmp_path, seed)
    python("import sys; from huggingface_hub import login; login(token=sys.stdin.read())",
           env=clean_env(python_home, HF_ENDPOINT=whoami_hub.endpoint), input=token)
    hubkernel("auth", "login", env=clean_env(our_home, HF_ENDPOINT=whoami_hub.endpoint), input=token)
    assert_same_files(python_home, our_home)
    assert mode(our_home / "hf") == 0o700
    assert mode(our_home / "hf" / "token") == mode(our_home / "hf" / "stored_tokens") == 0o600


@pytest.mark.parametrize("operation", [("logout", "laptop"), ("logout", "zeta"), ("logout", None), ("switch", "zeta")])
def test_logout_and_switch_change_files_like_python(tmp_path, operation):
    old = fake_token()
    seed = EXISTING_STORED_TOKENS.format(z=fake_token(), r=fake_token(), old=old)
    python_home, our_home = two_homes(tmp_path, seed)
    for home in (python_home, our_home):
        (home / "hf" / "token").write_text(old)
        os.chmod(home / "hf" / "token", 0o600)
    kind, name = operation
    if kind == "logout":
        python(f"from huggingface_hub import logout; logout({name!r})", env=clean_env(python_home))
        hubkernel("auth", "logout", *(["--token-name", name] if name else []), env=clean_env(our_home))
    else:
        python(f"from huggingface_hub._login import auth_switch; auth_switch({name!r})", env=clean_env(python_home))
        hubkernel("auth", "switch", name, env=clean_env(our_home))
    assert_same_files(python_home, our_home)


CONFIGPARSER_INPUTS = [
    "[b]\nhf_token = {t1}\n\n[a]\nHF_TOKEN={t2}\nexpires_at: 1\n",
    "# comment\n[DEFAULT]\nhf_token = {t1}\n\n[only]\nother = x\n",
    "[a]\nhf_token = {t1}\n[a]\nhf_token = {t2}\n",          # duplicate section: Python reads nothing
    "[ spaced ]\nhf_token =   {t1}   \n\n[x]y]\nhf_token = {t2}\n",
]


@pytest.mark.parametrize("template", CONFIGPARSER_INPUTS)
def test_stored_tokens_read_like_configparser(tmp_path, template):
    (tmp_path / "hf").mkdir()
    (tmp_path / "hf" / "stored_tokens").write_text(template.format(t1=fake_token(), t2=fake_token()))
    env = clean_env(tmp_path)
    theirs = json.loads(python("import json; from huggingface_hub.utils import get_stored_tokens; "
                               "print(json.dumps(list(get_stored_tokens().items())))", env=env))
    ours = json.loads(hubkernel("auth", "list", "--json", env=env).stdout)
    assert [(row["name"], row["token"]) for row in ours] == [
        (name, f"{value[:3]}****{value[-4:]}" if value else "<not set>") for name, value in theirs]


# --- through the kernel -------------------------------------------------------------------------

def all_text(messages) -> str:
    return json.dumps(messages, default=str)


def test_kernel_login_prompt_and_secrecy(tmp_path, start_hubkernel, whoami_hub):
    token = whoami_hub.add(fake_token(), display_name="nb", role="write")
    env_token = fake_token()
    env = clean_env(tmp_path, HF_ENDPOINT=whoami_hub.endpoint)
    stderr_path = tmp_path / "kernel.stderr"
    with open(stderr_path, "w") as stderr:
        km, kc = start_hubkernel(env=env, stderr=stderr)
        transcript = []
        requests: list[dict] = []
        reply, iopub = run_cell(kc, "%hf_login --paste", stdin_answers=[token], stdin_requests=requests)
        transcript += [reply, iopub, requests]
        assert reply["content"]["status"] == "ok", reply["content"]
        assert requests[0]["content"]["password"] is True
        assert python("import huggingface_hub as h; print(h.get_token())", env=env).strip() == token

        cells = ["%whoami", "%whoami --token-name nb", "%auth_list", "%token_source", "%token_source --check --json",
                 "%auth_switch nb", "%whoami --token-name missing", "%hf_login --paste --force --name other",
                 "%hf_logout --token-name nb", "%whoami", "%auth_switch nb", "%hf_logout", "%dotenv nowhere.env"]
        for cell in cells:
            reply, iopub = run_cell(kc, cell, allow_stdin=False)
            transcript += [reply, iopub]
        # A wrong token typed at the prompt: error, and its bytes are not echoed either.
        reply, iopub = run_cell(kc, "%hf_login --paste --force", stdin_answers=[env_token], stdin_requests=requests)
        transcript += [reply, iopub, requests]
        assert reply["content"]["ename"] == "HfHubHTTPError"
        history = kc.history(hist_access_type="tail", n=100, raw=True, output=True)
        transcript.append(kc.get_shell_msg(timeout=10))

    no_stdin = [r for r in transcript if isinstance(r, dict) and r.get("content", {}).get("ename") == "StdinNotAllowedError"]
    assert no_stdin and "hubkernel auth login" in no_stdin[0]["content"]["evalue"]
    text = all_text(transcript) + stderr_path.read_text()
    assert token not in text
    assert env_token not in text
    assert token[3:-4] not in text and env_token[3:-4] not in text


def test_kernel_sees_hf_token_from_its_environment(tmp_path, start_hubkernel, whoami_hub):
    token = whoami_hub.add(fake_token(), user="carol", display_name="ci")
    env = clean_env(tmp_path, HF_ENDPOINT=whoami_hub.endpoint, HF_TOKEN=token)
    stderr_path = tmp_path / "kernel.stderr"
    with open(stderr_path, "w") as stderr:
        _, kc = start_hubkernel(env=env, stderr=stderr)
        reply, iopub = run_cell(kc, "%whoami --json")
        assert reply["content"]["status"] == "ok"
        result = next(m for m in iopub if m["msg_type"] == "execute_result")
        data = result["content"]["data"]["application/json"]
        assert data["user"] == "carol" and data["token_source"] == {"kind": "environment", "variable": "HF_TOKEN"}
        reply, iopub = run_cell(kc, "%hf_login")
        assert "Already logged in (environment variable HF_TOKEN)" in all_text(iopub)
    assert token not in all_text(iopub) + stderr_path.read_text()


def test_kernel_masks_a_token_pasted_by_mistake(tmp_path, start_hubkernel):
    token = fake_token()
    _, kc = start_hubkernel(env=clean_env(tmp_path, HF_TOKEN=token))
    reply, iopub = run_cell(kc, f"%echo oops {token}")
    assert reply["content"]["status"] == "ok"
    assert stream_text(iopub) == f"oops {token[:3]}****{token[-4:]}\n"
    kc.history(hist_access_type="tail", n=10, raw=True, output=True)
    history = kc.get_shell_msg(timeout=10)
    assert token not in all_text([iopub, history])
