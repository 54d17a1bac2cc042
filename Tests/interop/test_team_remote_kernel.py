"""HubKernel as a remote kernel (issue 30): jupyter_server 2 with gateway_provisioners' distributed provisioner starts
`hubkernel remote-kernel` over SSH on a second host (a network namespace with its own sshd), which speaks the
remote-kernel launcher protocol version 1 back (connection info sealed to the server's key, a communication port for
signals and shutdown). Interrupt, restart and shutdown go through it; the user's token stays on the remote host (no
token in the SSH command line). Takes ~1 min."""
from __future__ import annotations

import json
import os
import subprocess
import threading
import time
import urllib.parse
from pathlib import Path

import pytest

from clusters.gateway_server import GatewayServer
from clusters.ssh_host import SSHHost
from clusters.unix_team import UnixTeam
from fixtures.kernel import hubkernel_bin, write_python_kernelspec
from fixtures.tls import free_port
from test_team_jupyterhub import ok, result_text

pytestmark = pytest.mark.slow
REPO = Path(__file__).resolve().parents[2]
KERNELSPEC = REPO / "examples" / "teams" / "kernels" / "hubkernel_ssh" / "kernel.json"


def processes_of(uid: int) -> dict[int, tuple[str, bytes]]:
    """pid -> (command line, environment) of every process of `uid`."""
    found = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if entry.stat().st_uid == uid:
                    found[int(entry.name)] = ((entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace"),
                                              (entry / "environ").read_bytes())
            except (FileNotFoundError, ProcessLookupError, PermissionError):
                pass
    return found


def kernel_pids(uid: int) -> set[int]:
    return {pid for pid, (command, _) in processes_of(uid).items() if " kernel -f " in command}


@pytest.fixture(scope="module")
def remote(local_hub):
    with UnixTeam(["r"]) as team:
        user = team.users["r"]
        share = team.base / "share" / "jupyter"
        spec = json.loads(KERNELSPEC.read_text())
        spec["argv"][0] = hubkernel_bin()
        spec["env"] = {"HF_ENDPOINT": local_hub.endpoint, "HF_HUB_DISABLE_TELEMETRY": "1", "JUPYTER_PATH": str(share),
                       "PATH": f"{Path(team.python).parent}:/usr/bin:/bin"}
        (share / "kernels" / "hubkernel_ssh").mkdir(parents=True)
        (share / "kernels" / "hubkernel_ssh" / "kernel.json").write_text(json.dumps(spec, indent=1))
        write_python_kernelspec(share, team.python)
        subprocess.run(["chmod", "-R", "a+rX", str(team.base / "share")], check=True)
        logs = team.base / "kernel-logs"
        logs.mkdir(mode=0o777)
        logs.chmod(0o1777)
        user.hf_home.mkdir(parents=True, mode=0o700)
        (user.hf_home / "token").write_text(local_hub.tokens["read"])
        (user.hf_home / "token").chmod(0o600)
        subprocess.run(["chown", "-R", f"{user.uid}:{user.gid}", str(user.home / ".cache")], check=True)
        client_home = team.base / "gateway-home"
        client_home.mkdir(mode=0o700)
        with SSHHost(user.name, client_home) as host:
            for url in (local_hub.endpoint, local_hub.cdn, local_hub.fault_cdn):
                host.forward(urllib.parse.urlsplit(url).port)
            env = {k: v for k, v in os.environ.items() if not k.startswith(("HF_", "JUPYTER", "GP_"))}
            env.update(HOME=str(client_home), GP_REMOTE_HOSTS=host.address, GP_REMOTE_USER=user.name, KERNEL_USERNAME=user.name,
                       GP_RESPONSE_IP=host.gateway_address, GP_RESPONSE_PORT=str(free_port()),
                       GP_KERNEL_LOG_DIR=str(logs), KERNEL_LAUNCH_TIMEOUT="90",
                       HF_TOKEN=local_hub.tokens["write"])  # the server's own token: it must not travel to the kernel
            folder = team.base / "server"
            folder.mkdir()
            with GatewayServer(folder, share, env) as server:
                yield team, host, server
                log = server.log_text()[-5000:]  # shown when the test failed; it lists the server's environment
                for token in local_hub.tokens.values():
                    log = log.replace(token, "hf_***")
                print(log, host.log()[-2000:])


def test_launcher_refuses_to_start_without_the_provisioners_arguments():
    done = subprocess.run([hubkernel_bin(), "remote-kernel", "--kernel-id", "{kernel_id}"], capture_output=True, text=True,
                          timeout=30)
    assert done.returncode == 2 and "--kernel-id is missing (or its {placeholder} was not filled in)" in done.stderr, done.stderr


def test_hubkernel_runs_on_a_remote_host_over_ssh(remote, local_hub):
    team, host, server = remote
    user = team.users["r"]
    started = time.monotonic()
    kernel = server.api.kernel("hubkernel_ssh", timeout=120)
    launch_seconds = time.monotonic() - started
    try:
        assert kernel.kernel_info()["implementation"] == "hubkernel"
        # It runs as the remote user, inside the other host's network.
        where = ok(kernel.execute(f"import os, socket\ns = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n"
                                  f"s.connect(({host.gateway_address!r}, 9))\nprint('AT', os.getuid(), s.getsockname()[0])"))
        assert f"AT {user.uid} {host.address}" in where, where

        # The token in force is the remote user's own file; the server's HF_TOKEN did not come along.
        report = json.loads(result_text(kernel.execute("%token_source --json")))
        assert report["winner"]["source"] == {"kind": "token_file", "path": str(user.hf_home / "token")}, report["winner"]
        hf_token = next(c for c in report["candidates"] if c["name"] == "HF_TOKEN")
        assert hf_token["set"] is False, hf_token
        downloaded = ok(kernel.execute("%download demo/tiny-model config.json"))
        config = user.hf_home / "hub" / "models--demo--tiny-model" / "snapshots"
        assert str(config) in downloaded, downloaded
        read = ok(kernel.execute("import json, glob\n"
                                 f"print('HIDDEN', json.load(open(glob.glob({str(config)!r} + '/*/config.json')[0]))['hidden_size'])"))
        assert "HIDDEN 64" in read, read

        # Interrupt (interrupt_mode "signal": SIGINT through the launcher's communication port).
        first_pids = kernel_pids(user.uid)
        assert len(first_pids) == 1, first_pids
        cells = []
        runner = threading.Thread(target=lambda: cells.append(kernel.execute("%sleep 60", timeout=90)))
        runner.start()
        time.sleep(2)
        interrupted_at = time.monotonic()
        kernel.interrupt()
        runner.join(timeout=30)
        assert cells and cells[0].status == "error" and time.monotonic() - interrupted_at < 15, cells
        launcher_log = "".join(p.read_text() for p in (team.base / "kernel-logs").glob("kernel-*.log"))
        assert "[hubkernel remote-kernel] signal SIGINT for the kernel" in launcher_log, launcher_log[-2000:]
        assert kernel_pids(user.uid) == first_pids  # the same kernel, still alive
        ok(kernel.execute("print('still here')"))

        # Restart: a new kernel over SSH, the old one gone.
        kernel.restart(timeout=120)
        assert kernel.kernel_info()["implementation"] == "hubkernel"
        deadline = time.monotonic() + 20  # the old kernel finishes its shutdown reply, then exits
        while time.monotonic() < deadline and kernel_pids(user.uid) & first_pids:
            time.sleep(0.2)
        second_pids = kernel_pids(user.uid)
        assert second_pids and not second_pids & first_pids, (first_pids, second_pids)
        ok(kernel.execute("%whoami"))
        for pid, (command, environment) in processes_of(user.uid).items():
            for token in (local_hub.tokens["read"], local_hub.tokens["write"]):
                assert token not in command and token.encode() not in environment, f"a token in process {pid}'s command or environment"
    finally:
        kernel.shutdown()

    # Shutdown leaves nothing of the user's running on the remote host.
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and processes_of(user.uid):
        time.sleep(0.5)
    assert not processes_of(user.uid), processes_of(user.uid)
    launcher_log = "".join(p.read_text() for p in (team.base / "kernel-logs").glob("kernel-*.log"))
    requested = [line for line in launcher_log.splitlines() if line.startswith("[hubkernel remote-kernel] shutdown requested")]
    assert len(requested) == 2, launcher_log[-3000:]  # the restart's and the last one

    # No token in any SSH command the provisioner sent (its DEBUG log has each one). That log also lists the server's
    # whole environment, HF_TOKEN included: gateway_provisioners' doing, see the README.
    commands = [line for line in server.log_text().splitlines() if "Invoking cmd" in line]
    assert len(commands) == 2 and all("remote-kernel" in line for line in commands), commands
    leaked = [i for i, line in enumerate(commands) for t in local_hub.tokens.values() if t in line]
    assert not leaked, f"a token in SSH command(s) {leaked}"  # (never print the token itself)
    print(f"remote kernel launch over SSH: {launch_seconds:.1f} s")

