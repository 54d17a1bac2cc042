"""A second host for remote kernels: a network namespace joined to this one by a veth pair, with its own sshd (key
authentication for one user, set up here) and the local Hub's ports forwarded into it, so that the same HF_ENDPOINT
works on both sides.

    with SSHHost(user_name, client_home) as host:   # needs root
        host.address         # the namespace's IP (sshd on port 22); host.gateway_address: ours on the veth link
        host.forward(port)   # 127.0.0.1:port inside the namespace reaches 127.0.0.1:port here

The namespace (and with it the veth pair), sshd and the forwarders are removed on exit, also after a failure.
"""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

from clusters.netns import Namespace
from clusters.processes import stop


class SSHHost:
    def __init__(self, user: str, client_home: Path):
        tag = os.getpid() % 100000
        subnet = 4 * (tag % 60)  # a /30 of 10.231.<pid % 250>.0/24
        self.gateway_address = f"10.231.{tag % 250}.{subnet + 1}"
        self.address = f"10.231.{tag % 250}.{subnet + 2}"
        self.namespace = Namespace(f"hkssh{tag}", self.address, gateway=self.gateway_address)
        self.user = user
        self.client_home = client_home
        self.folder = Path(tempfile.mkdtemp(prefix="hubkernel-sshd-"))
        self.sshd: subprocess.Popen | None = None
        self.made_privsep_dir = False

    def __enter__(self) -> "SSHHost":
        try:
            self.namespace.__enter__()
            self._sshd()
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def __exit__(self, *exc) -> None:
        stop(self.sshd, grace=10)
        self.namespace.__exit__()
        if self.made_privsep_dir:
            shutil.rmtree("/run/sshd", ignore_errors=True)
        shutil.rmtree(self.folder, ignore_errors=True)

    def forward(self, port: int) -> None:
        """127.0.0.1:`port` on the SSH host reaches 127.0.0.1:`port` here."""
        self.namespace.forward(port)

    def _sshd(self) -> None:
        """sshd in the namespace; the client (whoever has `client_home`) logs in as `user` with a fresh key."""
        keygen = ["ssh-keygen", "-q", "-t", "ed25519", "-N", ""]
        subprocess.run(keygen + ["-f", str(self.folder / "host_key")], check=True)
        ssh = self.client_home / ".ssh"
        ssh.mkdir(mode=0o700, parents=True, exist_ok=True)
        subprocess.run(keygen + ["-f", str(ssh / "id_ed25519")], check=True)
        self.folder.chmod(0o755)  # sshd reads authorized_keys as the user
        (self.folder / "authorized_keys").write_text((ssh / "id_ed25519.pub").read_text())
        (self.folder / "authorized_keys").chmod(0o644)
        host_key = (self.folder / "host_key.pub").read_text().split()
        (ssh / "known_hosts").write_text(f"{self.address} {host_key[0]} {host_key[1]}\n")
        config = self.folder / "sshd_config"
        config.write_text(f"ListenAddress {self.address}\nPort 22\nHostKey {self.folder / 'host_key'}\n"
                          f"PidFile {self.folder / 'sshd.pid'}\nAuthorizedKeysFile {self.folder / 'authorized_keys'}\n"
                          f"AllowUsers {self.user}\nPasswordAuthentication no\nKbdInteractiveAuthentication no\n"
                          "UsePAM no\nStrictModes no\nLogLevel VERBOSE\n")
        if not Path("/run/sshd").exists():
            Path("/run/sshd").mkdir(mode=0o755)
            self.made_privsep_dir = True
        self.sshd = subprocess.Popen(self.namespace.command(["/usr/sbin/sshd", "-D", "-e", "-f", str(config)]),
                                     stdout=subprocess.DEVNULL, stderr=open(self.folder / "sshd.log", "w"))
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            with socket.socket() as probe:
                probe.settimeout(1)
                if probe.connect_ex((self.address, 22)) == 0:
                    return
            if self.sshd.poll() is not None:
                break
            time.sleep(0.1)
        raise RuntimeError(f"sshd did not start: {self.log()}")

    def log(self) -> str:
        return (self.folder / "sshd.log").read_text(errors="replace")
