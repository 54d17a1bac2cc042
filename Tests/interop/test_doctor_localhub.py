"""`hubkernel doctor` (and `%doctor` in the kernel) against the local Hub: one test per problem the doctor must
find, each also showing the check passes once the fix it prints is applied (so no check can pass by accident)."""
from __future__ import annotations

import json
import os
import pathlib
import subprocess

import pytest

from fixtures.clients import cli_login
from fixtures.kernel import hubkernel_bin, run_cell

GATED = "demo/gated-model"
PRIVATE = "alice/private-model"


def doctor(env, *args, cwd=None):
    """Runs `hubkernel doctor --json …`; returns (completed process, {check name: check})."""
    done = subprocess.run([hubkernel_bin(), "doctor", "--json", *args], env=env, capture_output=True, text=True,
                          timeout=120, cwd=cwd)
    assert done.returncode in (0, 1), done.stderr
    checks = {check["check"]: check for check in json.loads(done.stdout)}
    assert (done.returncode == 1) == any(c["result"] == "fail" for c in checks.values()), (done.stdout, done.stderr)
    if done.returncode == 1:
        assert done.stderr.startswith("DoctorFoundProblems:"), done.stderr
    return done, checks


def assert_no_token_in(local_hub, *texts):
    for token in local_hub.tokens.values():
        for text in texts:
            assert token not in text


@pytest.fixture
def plain_cwd(tmp_path):
    """A working directory outside any git work tree and without .env."""
    folder = tmp_path / "work"
    folder.mkdir()
    return folder


def test_no_token_public_repo_passes_gated_repo_needs_a_token(local_hub, hf_env, plain_cwd):
    done, checks = doctor(hf_env, "--repo", "demo/tiny-model", cwd=plain_cwd)
    assert done.returncode == 0, done.stdout
    assert checks["Hub reachable"]["result"] == "pass"
    assert checks["Token valid and scoped"]["result"] == "warn"
    assert "No token is set" in checks["Token valid and scoped"]["detail"]
    assert checks["Access to demo/tiny-model"]["result"] == "pass"

    done, checks = doctor(hf_env, "--repo", GATED, cwd=plain_cwd)
    access = checks[f"Access to {GATED}"]
    assert done.returncode == 1 and access["result"] == "fail" and "needs a token" in access["detail"]
    assert access["link"] == f"{local_hub.endpoint}/{GATED}" and "hubkernel auth login" in access["fix"]
    assert f"Access to {GATED}" in done.stderr


def test_rejected_token_says_where_to_create_a_new_one(local_hub, hf_env, plain_cwd):
    fake = "hf_" + "Zz9" * 11 + "x"
    done, checks = doctor(dict(hf_env, HF_TOKEN=fake), cwd=plain_cwd)
    token = checks["Token valid and scoped"]
    assert done.returncode == 1 and token["result"] == "fail"
    assert "invalid or expired (HTTP 401)" in token["detail"] and "HF_TOKEN" in token["detail"]
    assert f"{local_hub.endpoint}/settings/tokens" in token["fix"] and "hubkernel auth login --force" in token["fix"]
    assert fake not in done.stdout + done.stderr and fake[-4:] in token["detail"]  # masked, last 4 shown

    done, checks = doctor(dict(hf_env, HF_TOKEN=local_hub.tokens["read"]), cwd=plain_cwd)
    assert done.returncode == 0 and checks["Token valid and scoped"]["result"] == "pass"
    assert "alice" in checks["Token valid and scoped"]["detail"] and "read" in checks["Token valid and scoped"]["detail"]
    assert_no_token_in(local_hub, done.stdout, done.stderr)


def test_write_token_warns_that_read_suffices(local_hub, hf_env, plain_cwd):
    done, checks = doctor(dict(hf_env, HF_TOKEN=local_hub.tokens["write"]), "--repo", GATED, cwd=plain_cwd)
    token = checks["Token valid and scoped"]
    assert done.returncode == 0, done.stdout
    assert token["result"] == "warn" and "downloads only need read access" in token["detail"]
    assert f"{local_hub.endpoint}/settings/tokens" in token["fix"]
    assert checks[f"Access to {GATED}"]["result"] == "pass"
    assert_no_token_in(local_hub, done.stdout, done.stderr)


def test_gated_repo_not_approved_links_to_the_repo_page_approved_passes(local_hub, hf_env, plain_cwd):
    local_hub.clear_log()
    done, checks = doctor(dict(hf_env, HF_TOKEN=local_hub.tokens["unapproved"]), "--repo", GATED, cwd=plain_cwd)
    access = checks[f"Access to {GATED}"]
    assert done.returncode == 1 and access["result"] == "fail"
    assert "not been granted access" in access["detail"] and "accept" in access["fix"]
    assert access["link"] == f"{local_hub.endpoint}/{GATED}"
    checks_sent = [e for e in local_hub.log() if e["path"].endswith(f"/{GATED}/auth-check")]
    assert checks_sent and all(e["auth"] for e in checks_sent), "the token is sent to auth-check"

    done, checks = doctor(dict(hf_env, HF_TOKEN=local_hub.tokens["read"]), "--repo", GATED, cwd=plain_cwd)
    assert done.returncode == 0 and checks[f"Access to {GATED}"]["result"] == "pass"
    assert "can read" in checks[f"Access to {GATED}"]["detail"]

    done, checks = doctor(dict(hf_env, HF_TOKEN=local_hub.tokens["unapproved"]), "--repo", PRIVATE, cwd=plain_cwd)
    assert done.returncode == 1 and "not found, or is private" in checks[f"Access to {PRIVATE}"]["detail"]
    assert_no_token_in(local_hub, done.stdout, done.stderr)


def test_token_name_picks_a_stored_token_for_every_check(local_hub, hf_env, plain_cwd):
    cli_login(hf_env, local_hub.tokens["unapproved"], "--name", "bob")
    cli_login(hf_env, local_hub.tokens["read"], "--name", "alice-read", "--force")
    cli_login(hf_env, local_hub.tokens["unapproved"], "--name", "bob", "--force")  # bob's token is active again

    done, checks = doctor(hf_env, "--repo", GATED, cwd=plain_cwd)
    assert done.returncode == 1 and checks[f"Access to {GATED}"]["result"] == "fail"
    done, checks = doctor(hf_env, "--repo", GATED, "--token-name", "alice-read", cwd=plain_cwd)
    assert done.returncode == 0, done.stdout
    assert "alice" in checks["Token valid and scoped"]["detail"] and "alice-read" in checks["Token valid and scoped"]["detail"]
    assert checks[f"Access to {GATED}"]["result"] == "pass"

    done, checks = doctor(hf_env, "--repo", GATED, "--token-name", "nobody", cwd=plain_cwd)
    assert done.returncode == 1 and "nobody" in checks["Token valid and scoped"]["detail"]
    assert "hubkernel auth list" in checks["Token valid and scoped"]["fix"], "a terminal names commands, not magics"
    assert checks[f"Access to {GATED}"]["result"] == "skip"


def test_shadowed_saved_token(local_hub, hf_env, plain_cwd):
    cli_login(hf_env, local_hub.tokens["read"])
    done, checks = doctor(hf_env, cwd=plain_cwd)
    assert checks["Token not shadowed"]["result"] == "pass"

    done, checks = doctor(dict(hf_env, HF_TOKEN=local_hub.tokens["write"]), cwd=plain_cwd)
    shadowed = checks["Token not shadowed"]
    assert shadowed["result"] == "warn" and "HF_TOKEN" in shadowed["detail"] and "overrides" in shadowed["detail"]
    assert local_hub.tokens["write"][-4:] in shadowed["detail"] and local_hub.tokens["read"][-4:] in shadowed["detail"]
    assert "Unset HF_TOKEN" in shadowed["fix"]
    # the same token in both places is not a conflict
    done, checks = doctor(dict(hf_env, HF_TOKEN=local_hub.tokens["read"]), cwd=plain_cwd)
    assert checks["Token not shadowed"]["result"] == "pass"
    assert_no_token_in(local_hub, done.stdout, done.stderr)


def test_world_readable_token_file_and_the_printed_fix(local_hub, hf_env, plain_cwd):
    cli_login(hf_env, local_hub.tokens["read"], "--name", "alice-read")
    token_path = pathlib.Path(hf_env["HF_HOME"]) / "token"
    stored_path = pathlib.Path(hf_env["HF_HOME"]) / "stored_tokens"
    assert token_path.stat().st_mode & 0o077 == 0
    token_path.chmod(0o644)
    stored_path.chmod(0o640)

    done, checks = doctor(hf_env, cwd=plain_cwd)
    modes = checks["Token file permissions"]
    assert done.returncode == 1 and modes["result"] == "fail"
    assert f"{token_path} is readable by others (mode 644)" in modes["detail"] and str(stored_path) in modes["detail"]
    assert modes["fix"] == f"Run: chmod 600 {token_path} && chmod 600 {stored_path}"

    subprocess.run(modes["fix"].removeprefix("Run: "), shell=True, check=True)
    done, checks = doctor(hf_env, cwd=plain_cwd)
    assert checks["Token file permissions"]["result"] == "pass" and done.returncode == 0, done.stdout


def test_dotenv_not_ignored_by_git(local_hub, hf_env, tmp_path):
    project = tmp_path / "project"
    project.mkdir()
    git_env = dict(hf_env, GIT_CONFIG_GLOBAL=os.devnull, GIT_CONFIG_NOSYSTEM="1")
    subprocess.run(["git", "init", "-q", str(project)], check=True, env=git_env)
    (project / ".env").write_text("HF_TOKEN=placeholder\n")

    done, checks = doctor(git_env, cwd=project)
    dotenv = checks[".env ignored by git"]
    assert done.returncode == 1 and dotenv["result"] == "fail"
    assert str(project / ".env") in dotenv["detail"] and ".gitignore" in dotenv["fix"]

    (project / ".gitignore").write_text(".env\n")
    done, checks = doctor(git_env, cwd=project)
    assert checks[".env ignored by git"]["result"] == "pass" and "git-ignored" in checks[".env ignored by git"]["detail"]


def test_unreachable_endpoint(local_hub, hf_env, plain_cwd):
    done, checks = doctor(dict(hf_env, HF_ENDPOINT="http://127.0.0.1:9", HF_TOKEN=local_hub.tokens["read"]),
                          "--repo", GATED, cwd=plain_cwd)
    assert done.returncode == 1
    assert checks["Hub reachable"]["result"] == "fail" and "cannot be reached" in checks["Hub reachable"]["detail"]
    assert "HF_HUB_OFFLINE=1" in checks["Hub reachable"]["fix"]
    assert checks["Token valid and scoped"]["result"] == "skip"
    assert checks[f"Access to {GATED}"]["result"] == "skip"
    assert_no_token_in(local_hub, done.stdout, done.stderr)


def test_doctor_in_the_kernel_shows_the_table_and_fails_the_cell(local_hub, hf_env, start_hubkernel, plain_cwd):
    token = local_hub.tokens["unapproved"]
    _, kc = start_hubkernel(env=dict(hf_env, HF_TOKEN=token), cwd=str(plain_cwd))
    reply, iopub = run_cell(kc, f"%doctor --repo {GATED}", timeout=120)
    assert reply["content"]["status"] == "error" and reply["content"]["ename"] == "DoctorFoundProblems"
    displays = [m["content"]["data"] for m in iopub if m["msg_type"] == "display_data"]
    assert len(displays) == 1
    html = displays[0]["text/html"]
    assert "not been granted access" in html and f'<a href="{local_hub.endpoint}/{GATED}"' in html
    assert "✗ fail" in displays[0]["text/plain"]
    assert all(token not in json.dumps(m["content"]) for m in iopub)

    reply, iopub = run_cell(kc, f"%doctor --repo demo/tiny-model --json", timeout=120)
    assert reply["content"]["status"] == "ok"
    results = [m["content"]["data"] for m in iopub if m["msg_type"] == "execute_result"]
    assert len(results) == 1
    checks = json.loads(results[0]["text/plain"])
    assert {c["check"]: c["result"] for c in checks}["Access to demo/tiny-model"] == "pass"
