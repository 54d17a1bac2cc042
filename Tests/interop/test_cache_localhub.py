"""`hubkernel cache verify` and `doctor` against the local Hub, with the token in force."""
from __future__ import annotations

import pathlib
import subprocess

from fixtures.clients import cli_login
from fixtures.kernel import hubkernel_bin


def hubkernel(env, *args, timeout=120):
    return subprocess.run([hubkernel_bin(), *args], env=env, capture_output=True, text=True, timeout=timeout)


def test_verify_a_gated_repo_with_the_saved_token_then_detect_a_flipped_byte(local_hub, hf_env):
    cli_login(hf_env, local_hub.tokens["read"])
    assert hubkernel(hf_env, "download", "demo/gated-model").returncode == 0
    ok = hubkernel(hf_env, "cache", "verify", "demo/gated-model")
    assert ok.returncode == 0, ok.stderr
    assert "All checksums match" in ok.stdout and "checksums from the Hub" in ok.stdout
    assert any(entry["auth"] for entry in local_hub.log() if "/tree/" in entry["path"]), "the listing was asked with the token"

    blobs = pathlib.Path(hf_env["HF_HOME"]) / "hub" / "models--demo--gated-model" / "blobs"
    largest = max(blobs.iterdir(), key=lambda path: path.stat().st_size)
    data = bytearray(largest.read_bytes())
    data[len(data) // 2] ^= 0xFF
    largest.write_bytes(bytes(data))
    bad = hubkernel(hf_env, "cache", "verify", "demo/gated-model")
    assert bad.returncode == 1
    assert "VerificationFailed" in bad.stderr and "model.safetensors" in bad.stdout

    offline = hubkernel(dict(hf_env, HF_HUB_OFFLINE="1"), "cache", "verify", "demo/gated-model")
    assert offline.returncode == 1 and "checksums from the cached listing" in offline.stderr + offline.stdout


def test_doctor_verdicts_against_the_local_hub(local_hub, hf_env, tmp_path):
    none = hubkernel(hf_env, "doctor", "--repo", "demo/gated-model")
    assert none.returncode == 1 and "No token is set" in none.stdout and "needs a token" in none.stdout

    bad = hubkernel(dict(hf_env, HF_TOKEN="hf_" + "z" * 34), "doctor")
    assert bad.returncode == 1 and "invalid or expired" in bad.stdout and "/settings/tokens" in bad.stdout

    write = hubkernel(dict(hf_env, HF_TOKEN=local_hub.tokens["write"]), "doctor", "--repo", "demo/gated-model")
    assert write.returncode == 0, write.stdout
    assert "downloads only need read access" in write.stdout and "can read demo/gated-model" in write.stdout

    unapproved = hubkernel(dict(hf_env, HF_TOKEN=local_hub.tokens["unapproved"]), "doctor", "--repo", "demo/gated-model")
    assert unapproved.returncode == 1 and "not been granted access" in unapproved.stdout
    assert f"{local_hub.endpoint}/demo/gated-model" in unapproved.stdout

    unreachable = hubkernel(dict(hf_env, HF_ENDPOINT="http://127.0.0.1:9"), "doctor")
    assert unreachable.returncode == 1 and "cannot be reached" in unreachable.stdout
    for token in local_hub.tokens.values():
        assert token not in write.stdout + unapproved.stdout + write.stderr
