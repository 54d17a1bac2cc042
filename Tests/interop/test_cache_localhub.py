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


def test_verify_a_snapshot_downloaded_by_python(local_hub, hf_env, hf_run):
    """Python's snapshot_download fills the cache; our verify agrees, then finds a flipped byte and a deleted file."""
    folder = hf_run("from huggingface_hub import snapshot_download\n"
                    "print(json.dumps(snapshot_download('demo/tiny-model')))")
    snapshot = pathlib.Path(folder)
    files = sorted(p.relative_to(snapshot).as_posix() for p in snapshot.rglob("*") if p.is_file())
    assert len(files) >= 3, files

    ok = hubkernel(hf_env, "cache", "verify", "demo/tiny-model")
    assert ok.returncode == 0, ok.stderr
    assert f"Verified {len(files)} file(s)" in ok.stdout and "All checksums match" in ok.stdout

    victim = snapshot / files[0]
    blob = victim.resolve()
    data = bytearray(blob.read_bytes())
    data[0] ^= 0x01
    blob.write_bytes(bytes(data))
    flipped = hubkernel(hf_env, "cache", "verify", "demo/tiny-model")
    assert flipped.returncode == 1 and "VerificationFailed" in flipped.stderr and "1 mismatch(es)" in flipped.stderr
    mismatch_line = next(line for line in flipped.stdout.splitlines() if line.startswith("checksum mismatch"))
    assert files[0] in mismatch_line

    victim.unlink()
    blob.unlink()
    missing = hubkernel(hf_env, "cache", "verify", "demo/tiny-model")
    assert missing.returncode == 0, missing.stderr  # a partial download is not an error by default …
    assert "1 remote file(s) are missing locally" in missing.stderr
    assert any(line.startswith("missing locally") and files[0] in line for line in missing.stdout.splitlines())
    strict = hubkernel(hf_env, "cache", "verify", "demo/tiny-model", "--fail-on-missing-files")
    assert strict.returncode == 1 and "1 missing" in strict.stderr  # … unless asked to fail on it
