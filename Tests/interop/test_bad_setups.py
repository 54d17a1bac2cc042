"""Set-ups a user gets wrong, each with a message that names the cause and the fix: a connection file whose key is
not a string (refused: the kernel would otherwise run unsigned while saying it signs), an empty key (runs, and says
it is unsigned), a bad `ip`, a folder as connection file; HF_HOME pointing at a file, for a download and for
`%doctor`; `%doctor` with HF_HUB_OFFLINE=1, which must not reach for the network."""
from __future__ import annotations

import json
import socket
import subprocess
import time

from fixtures.kernel import hubkernel_bin

PORTS = ("shell_port", "iopub_port", "stdin_port", "control_port", "hb_port")


def free_ports(count: int) -> list[int]:
    sockets = [socket.socket() for _ in range(count)]
    for s in sockets:
        s.bind(("127.0.0.1", 0))
    ports = [s.getsockname()[1] for s in sockets]
    for s in sockets:
        s.close()
    return ports


def connection_file(tmp_path, **overrides) -> str:
    info = {"transport": "tcp", "ip": "127.0.0.1", "key": "secret", "signature_scheme": "hmac-sha256",
            **dict(zip(PORTS, free_ports(5)))}
    info.update(overrides)
    path = tmp_path / "kernel.json"
    path.write_text(json.dumps(info))
    return str(path)


def kernel(path: str, env=None, timeout=20) -> subprocess.CompletedProcess:
    return subprocess.run([hubkernel_bin(), "kernel", "-f", path], capture_output=True, text=True, timeout=timeout, env=env)


def test_a_key_that_is_not_a_string_is_refused(tmp_path):
    for key in (42, None, ["a"]):
        done = kernel(connection_file(tmp_path, key=key))
        assert done.returncode == 1, (key, done.stderr)
        assert "'key' must be a string" in done.stderr, done.stderr


def test_an_empty_key_runs_and_says_messages_are_not_signed(tmp_path, hf_env):
    process = subprocess.Popen([hubkernel_bin(), "kernel", "-f", connection_file(tmp_path, key="")], env=hf_env,
                               stderr=subprocess.PIPE, text=True)
    try:
        time.sleep(1.5)
        assert process.poll() is None, "the kernel must run without a key (the protocol allows it)"
    finally:
        process.terminate()
        _, stderr = process.communicate(timeout=10)
    assert "NOT signed" in stderr, stderr
    assert "messages are signed" not in stderr, stderr


def test_a_bad_ip_names_the_ip_not_a_busy_port(tmp_path):
    done = kernel(connection_file(tmp_path, ip="10.255.255.254"))
    assert done.returncode == 1
    assert "Check 'ip' in the connection file" in done.stderr, done.stderr
    assert "Another process holds the port" not in done.stderr


def test_a_folder_as_connection_file_says_so(tmp_path):
    done = kernel(str(tmp_path))
    assert done.returncode == 1
    assert "is a folder, not a file" in done.stderr, done.stderr
    assert "NSCocoaErrorDomain" not in done.stderr


def test_hf_home_that_is_a_file_is_named_by_download_and_doctor(tmp_path, hf_env):
    home = tmp_path / "hf_home_file"
    home.write_text("not a folder")
    env = dict(hf_env, HF_HOME=str(home))
    done = subprocess.run([hubkernel_bin(), "download", "demo/tiny-model", "config.json"], env=env, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode != 0
    assert f"{home} is a file, not a folder" in done.stderr and "HF_HOME" in done.stderr, done.stderr
    assert "NSCocoaErrorDomain" not in done.stderr
    doctor = subprocess.run([hubkernel_bin(), "doctor", "--json"], env=env, capture_output=True, text=True, timeout=60,
                            cwd=tmp_path)
    checks = {c["check"]: c for c in json.loads(doctor.stdout)}
    assert checks["Cache writable"]["result"] == "fail" and "is a file" in checks["Cache writable"]["detail"], checks
    assert checks["Symlinks in cache"]["result"] != "warn" or "symlinks" not in checks["Symlinks in cache"]["detail"]


def test_doctor_offline_asks_nothing(local_hub, hf_env, tmp_path):
    local_hub.clear_log()
    env = dict(hf_env, HF_HUB_OFFLINE="1", HF_TOKEN=local_hub.tokens["read"])
    doctor = subprocess.run([hubkernel_bin(), "doctor", "--json", "--repo", "demo/gated-model"], env=env,
                            capture_output=True, text=True, timeout=60, cwd=tmp_path)
    checks = {c["check"]: c for c in json.loads(doctor.stdout)}
    assert checks["Hub reachable"]["result"] == "skip" and "HF_HUB_OFFLINE" in checks["Hub reachable"]["detail"]
    assert checks["Token valid and scoped"]["result"] == "skip"
    assert local_hub.log() == [], "offline: no request may reach the Hub"
