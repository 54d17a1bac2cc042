"""The local Hub's OAuth side (localhub/oauth.py) driven by huggingface_hub 2.4 itself: its device-code functions,
`get_token()` refresh and OIDC token exchange must work against it, with the token shapes the Hub issues."""
from __future__ import annotations

import base64
import json
import re
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest

ACCESS = re.compile(r"hf_oauth_[A-Za-z0-9]{34}")
REFRESH = re.compile(r"hf_oauth_rt_[A-Za-z0-9]{34}")


def post_form(url: str, form: dict) -> tuple[int, dict]:
    request = urllib.request.Request(url, data=urllib.parse.urlencode(form).encode(), method="POST")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


def device_login(hub, client_id: str = "26be6b09-91c5-47da-9861-d2d2bb7a7e36") -> dict:
    """A device code approved by alice, polled once: the token answer."""
    status, device = post_form(f"{hub.endpoint}/oauth/device", {"client_id": client_id})
    assert status == 200
    hub.approve(device["user_code"])
    status, answer = post_form(f"{hub.endpoint}/oauth/token", {
        "grant_type": "urn:ietf:params:oauth:grant-type:device_code", "device_code": device["device_code"],
        "client_id": client_id})
    assert status == 200, answer
    return answer


def id_token(claims: dict) -> str:
    """An unsigned JWT-shaped id token (the local Hub trusts configured subjects, not signatures)."""
    def part(data: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")
    return f"{part({'alg': 'none'})}.{part(claims)}.sig"


def test_python_device_code_functions_log_in_against_the_local_hub(local_hub, hf_run):
    local_hub.oauth(interval=1)
    approver = threading.Thread(target=lambda: (time.sleep(1.5), local_hub.approve(
        local_hub.oauth_state()["device_codes"][-1]["user_code"])))
    approver.start()
    result = hf_run("""
        from huggingface_hub.utils._oauth_device import request_device_code, poll_device_token
        from huggingface_hub._login import _save_oauth_token
        from huggingface_hub import whoami
        from huggingface_hub.utils._auth import _read_stored_tokens_full
        info = request_device_code()
        pending = []
        answer = poll_device_token(info, on_pending=lambda: pending.append(1))
        name, user = _save_oauth_token(answer)
        me = whoami()
        print(json.dumps({"info": info, "answer": answer, "pending": len(pending), "name": name, "user": user,
                          "auth": me["auth"], "stored": _read_stored_tokens_full()}))
    """)
    approver.join()
    assert "error" not in result, result
    info, answer = result["info"], result["answer"]
    assert info["verification_uri_complete"] == f"{info['verification_uri']}?user_code={info['user_code']}"
    assert re.fullmatch(r"[A-Z]{4}-[A-Z]{4}", info["user_code"]) and info["interval"] == 1
    assert ACCESS.fullmatch(answer["access_token"]) and REFRESH.fullmatch(answer["refresh_token"])
    assert result["pending"] >= 1
    assert (result["name"], result["user"]) == ("oauth-alice", "alice")
    assert result["auth"]["type"] == "oauth" and "accessToken" not in result["auth"]
    stored = result["stored"]["oauth-alice"]
    assert stored["hf_token"] == answer["access_token"] and stored["refresh_token"] == answer["refresh_token"]
    assert abs(int(stored["expires_at"]) - (time.time() + answer["expires_in"])) < 60


def test_verification_page_shows_the_code_and_both_buttons(local_hub):
    status, device = post_form(f"{local_hub.endpoint}/oauth/device", {"client_id": "x"})
    with urllib.request.urlopen(device["verification_uri_complete"], timeout=30) as response:
        page = response.read().decode()
    assert device["user_code"] in page and "Signed in as" in page and "alice" in page
    assert 'value=\'authorize\'' in page and 'value=\'deny\'' in page
    assert "Request denied" in local_hub.approve(device["user_code"], "deny")
    status, answer = post_form(f"{local_hub.endpoint}/oauth/token", {
        "grant_type": "urn:ietf:params:oauth:grant-type:device_code", "device_code": device["device_code"],
        "client_id": "x"})
    assert (status, answer["error"]) == (400, "access_denied")


@pytest.mark.parametrize("setting,error", [({"slow_down_polls": 1}, "slow_down"),
                                           ({"device_code_lifetime": 0}, "expired_token"),
                                           ({}, "authorization_pending")])
def test_device_poll_errors(local_hub, setting, error):
    local_hub.oauth(**setting)
    _, device = post_form(f"{local_hub.endpoint}/oauth/device", {"client_id": "x"})
    status, answer = post_form(f"{local_hub.endpoint}/oauth/token", {
        "grant_type": "urn:ietf:params:oauth:grant-type:device_code", "device_code": device["device_code"],
        "client_id": "x"})
    assert (status, answer["error"]) == (400, error)


def test_python_poll_reports_denied_and_expired(local_hub, hf_run):
    local_hub.oauth(interval=1, device_code_lifetime=2)
    result = hf_run("""
        from huggingface_hub.utils._oauth_device import request_device_code, poll_device_token
        try:
            poll_device_token(request_device_code())
        except Exception as e:
            print(json.dumps({"code": e.error_code}))
    """)
    assert result["code"] == "expired_token"


def test_python_get_token_refreshes_an_expiring_token_with_rotation(local_hub, hf_env, hf_run):
    answer = device_login(local_hub)
    home = hf_env["HF_HOME"]
    result = hf_run(f"""
        from huggingface_hub.utils._auth import _save_token, _write_secret, _read_stored_tokens_full
        from huggingface_hub import get_token, whoami
        from pathlib import Path
        import time
        _save_token({answer['access_token']!r}, "oauth-alice", refresh_token={answer['refresh_token']!r},
                    expires_at=int(time.time()) + 600)
        _write_secret(Path({home!r}) / "token", {answer['access_token']!r})
        token = get_token()
        print(json.dumps({{"token": token, "stored": _read_stored_tokens_full()["oauth-alice"],
                          "user": whoami(token)["name"]}}))
    """)
    assert result["token"] != answer["access_token"] and ACCESS.fullmatch(result["token"])
    assert result["user"] == "alice"
    assert result["stored"]["refresh_token"] != answer["refresh_token"]  # rotated
    assert local_hub.oauth_state()["counters"]["refreshes"] == 1
    status, reused = post_form(f"{local_hub.endpoint}/oauth/token",
                               {"grant_type": "refresh_token", "refresh_token": answer["refresh_token"], "client_id": "x"})
    assert (status, reused["error"]) == (400, "invalid_grant")


def test_expired_oauth_token_is_refused(local_hub):
    local_hub.oauth(access_token_lifetime=1)
    token = device_login(local_hub)["access_token"]
    time.sleep(1.2)
    request = urllib.request.Request(f"{local_hub.endpoint}/api/whoami-v2", headers={"Authorization": f"Bearer {token}"})
    with pytest.raises(urllib.error.HTTPError) as raised:
        urllib.request.urlopen(request, timeout=30)
    assert raised.value.code == 401


def test_python_oidc_exchange(local_hub, hf_env, hf_run):
    subject = "repo:alice/demo:ref:refs/heads/main"
    local_hub.oauth(oidc_subjects={subject: "alice"})
    good = id_token({"aud": local_hub.endpoint, "sub": subject, "exp": time.time() + 600})
    code = "from huggingface_hub import get_token, whoami; t = get_token(); print(json.dumps({'user': whoami(t)['name'], 'shape': t[:9]}))"
    hf_env.update(HF_OIDC_RESOURCE="alice/demo", HF_OIDC_ID_TOKEN=good)
    assert hf_run(code) == {"user": "alice", "shape": "hf_oauth_"}
    hf_env["HF_OIDC_ID_TOKEN"] = id_token({"aud": "https://elsewhere.example", "sub": subject, "exp": time.time() + 600})
    assert hf_run(code)["status"] == 400
    assert local_hub.oauth_state()["counters"]["exchanges"] == 1
