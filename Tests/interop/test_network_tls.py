"""TLS as company networks and Red Hat-family systems present it: nginx serving the local Hub under a CA made at run
time, trusted through SSL_CERT_FILE / SSL_CERT_DIR (as huggingface_hub 2.4 honours them) or not at all (a clear
error, at once, no retries); the same through tinyproxy as HTTPS_PROXY, and NO_PROXY bypassing it; and a mount
namespace with only a Red Hat-style bundle (/etc/ssl/certs/ca-bundle.crt), where the wheel's libcurl's
Debian path does not exist (needs root: skipped otherwise)."""
from __future__ import annotations

import pathlib
import shlex
import shutil
import subprocess
import time

import pytest

from fixtures.kernel import hubkernel_bin

REPO = "demo/tiny-model"


def download(env, timeout=60) -> subprocess.CompletedProcess:
    return subprocess.run([hubkernel_bin(), "download", REPO, "config.json"], env=env, capture_output=True, text=True,
                          timeout=timeout)


def tls_env(hf_env, tls_hub, **extra) -> dict:
    env = {k: v for k, v in hf_env.items() if k not in ("SSL_CERT_FILE", "SSL_CERT_DIR")}
    return dict(env, HF_ENDPOINT=tls_hub.endpoint, **extra)


def test_an_untrusted_certificate_fails_at_once_and_names_the_fix(hf_env, tls_hub):
    started = time.monotonic()
    done = download(tls_env(hf_env, tls_hub))
    assert done.returncode != 0
    assert time.monotonic() - started < 10, "a certificate problem must not be retried like a network outage"
    assert "is not trusted" in done.stderr and "SSL_CERT_FILE" in done.stderr, done.stderr
    assert "check your connection" not in done.stderr.lower(), done.stderr


def test_ssl_cert_file_and_ssl_cert_dir_are_honoured_as_huggingface_hub_does(local_hub, hf_env, hf_run, tls_hub, tmp_path):
    original = local_hub.source(REPO, "config.json").read_bytes()
    done = download(tls_env(hf_env, tls_hub, SSL_CERT_FILE=str(tls_hub.ca_file)))
    assert done.returncode == 0, done.stderr
    assert pathlib.Path(done.stdout.strip().splitlines()[-1]).read_bytes() == original

    folder = tmp_path / "certs"
    folder.mkdir()
    shutil.copy(tls_hub.ca_file, folder / "ca.pem")
    subprocess.run(["openssl", "rehash", str(folder)], check=True, capture_output=True)
    done = download(tls_env(hf_env, tls_hub, SSL_CERT_DIR=str(folder), HF_HOME=str(tmp_path / "home-dir")))
    assert done.returncode == 0, done.stderr

    out = hf_run(f"""
        os.environ["HF_ENDPOINT"] = {tls_hub.endpoint!r}; os.environ["SSL_CERT_FILE"] = {str(tls_hub.ca_file)!r}
        from huggingface_hub import hf_hub_download
        print(json.dumps({{"same": open(hf_hub_download({REPO!r}, "config.json"), "rb").read() == {original!r}}}))
    """, timeout=60)
    assert out.get("same") is True, ("huggingface_hub trusts the same CA the same way", out)


def test_https_proxy_is_used_and_no_proxy_bypasses_it(hf_env, tls_hub, forward_proxy, tmp_path):
    before = len(forward_proxy.connects())
    env = tls_env(hf_env, tls_hub, SSL_CERT_FILE=str(tls_hub.ca_file), HTTPS_PROXY=forward_proxy.url, NO_PROXY="",
                  no_proxy="")
    done = download(env)
    assert done.returncode == 0, done.stderr
    tunnels = forward_proxy.connects()[before:]
    assert any(f"127.0.0.1:{tls_hub.port}" in line for line in tunnels), tunnels

    before = len(forward_proxy.connects())
    env.update(HF_HOME=str(tmp_path / "bypass"), NO_PROXY="127.0.0.1", no_proxy="127.0.0.1")
    done = download(env)
    assert done.returncode == 0, done.stderr
    assert forward_proxy.connects()[before:] == [], "NO_PROXY names the host: the proxy must not be asked"


def in_red_hat_layout(ca_file: pathlib.Path | None, command: list[str]) -> list[str]:
    """`command` in a mount namespace whose /etc/ssl holds only certs/ca-bundle.crt (Red Hat's name), or nothing."""
    steps = ["mount -t tmpfs tmpfs /etc/ssl", "mkdir -p /etc/ssl/certs"]
    if ca_file:
        steps.append(f"cp {shlex.quote(str(ca_file))} /etc/ssl/certs/ca-bundle.crt")
    script = " && ".join(steps) + ' && exec "$@"'
    return ["unshare", "--mount", "--propagation", "private", "sh", "-c", script, "sh", *command]


def test_a_red_hat_style_bundle_is_found_without_any_setting(hf_env, tls_hub, tmp_path):
    probe = subprocess.run(in_red_hat_layout(None, ["true"]), capture_output=True, text=True)
    if probe.returncode != 0:
        pytest.skip(f"cannot make a mount namespace here: {probe.stderr.strip()}")
    env = tls_env(hf_env, tls_hub)
    command = [hubkernel_bin(), "download", REPO, "config.json"]
    done = subprocess.run(in_red_hat_layout(tls_hub.ca_file, command), env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    env["HF_HOME"] = str(tmp_path / "no-bundle")
    missing = subprocess.run(in_red_hat_layout(None, command), env=env, capture_output=True, text=True, timeout=60)
    assert missing.returncode != 0, "with no bundle at all the download cannot be trusted"
    assert "SSL_CERT_FILE" in missing.stderr, missing.stderr
