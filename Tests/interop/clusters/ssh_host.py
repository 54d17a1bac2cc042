"""A second host for remote kernels: a network namespace joined to this one by a veth pair, with its own sshd (key
authentication for one user, set up here) and the local Hub's ports forwarded into it, so that the same HF_ENDPOINT
works on both sides.

    with SSHHost(user_name, client_home) as host:   # needs root
        host.address         # the namespace's IP (sshd on port 22); host.gateway_address: ours on the veth link
        host.forward(port)   # 127.0.0.1:port inside the namespace reaches 127.0.0.1:port here

The namespace (and with it the veth pair), sshd and the forwarders are removed on exit, also after a failure.
"""
from __future__ import annotations

import ctypes
import os
import shutil
import socket
import subprocess
import tempfile
import threading
import time
from pathlib import Path

CLONE_NEWNET = 0x40000000
_libc = ctypes.CDLL("libc.so.6", use_errno=True)


class SSHHost:
    def __init__(self, user: str, client_home: Path):
        tag = os.getpid() % 100000
        self.namespace = f"hkssh{tag}"
        self.veth_here, self.veth_there = f"hkh{tag}", f"hkn{tag}"
        subnet = 4 * (tag % 60)  # a /30 of 10.231.<pid % 250>.0/24
        self.gateway_address = f"10.231.{tag % 250}.{subnet + 1}"
        self.address = f"10.231.{tag % 250}.{subnet + 2}"
        self.user = user
        self.client_home = client_home
        self.folder = Path(tempfile.mkdtemp(prefix="hubkernel-sshd-"))
        self.sshd: subprocess.Popen | None = None
        self.listeners: list[socket.socket] = []
        self.made_privsep_dir = False

    def __enter__(self) -> "SSHHost":
        try:
            self._network()
            self._sshd()
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def __exit__(self, *exc) -> None:
        for listener in self.listeners:
            listener.close()
        if self.sshd and self.sshd.poll() is None:
            self.sshd.terminate()
            try:
                self.sshd.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.sshd.kill()
                self.sshd.wait()
        subprocess.run(["ip", "netns", "delete", self.namespace], capture_output=True)  # the veth pair goes with it
        subprocess.run(["ip", "link", "delete", self.veth_here], capture_output=True)
        if self.made_privsep_dir:
            shutil.rmtree("/run/sshd", ignore_errors=True)
        shutil.rmtree(self.folder, ignore_errors=True)

    def _ip(self, *arguments: str, inside: bool = False) -> None:
        prefix = ["ip", "netns", "exec", self.namespace] if inside else []
        subprocess.run(prefix + ["ip", *arguments], check=True, capture_output=True)

    def _network(self) -> None:
        self._ip("netns", "add", self.namespace)
        self._ip("link", "add", self.veth_here, "type", "veth", "peer", "name", self.veth_there)
        self._ip("link", "set", self.veth_there, "netns", self.namespace)
        self._ip("addr", "add", f"{self.gateway_address}/30", "dev", self.veth_here)
        self._ip("link", "set", self.veth_here, "up")
        self._ip("addr", "add", f"{self.address}/30", "dev", self.veth_there, inside=True)
        self._ip("link", "set", self.veth_there, "up", inside=True)
        self._ip("link", "set", "lo", "up", inside=True)

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
        self.sshd = subprocess.Popen(["ip", "netns", "exec", self.namespace, "/usr/sbin/sshd", "-D", "-e", "-f", str(config)],
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

    def forward(self, port: int) -> None:
        """Listens on 127.0.0.1:`port` inside the namespace and relays each connection to 127.0.0.1:`port` here."""
        listener = self._socket_inside()
        listener.bind(("127.0.0.1", port))
        listener.listen(64)
        self.listeners.append(listener)
        threading.Thread(target=self._accept, args=(listener, port), daemon=True).start()

    def _socket_inside(self) -> socket.socket:
        """A socket of the namespace: this thread enters it just long enough to make one."""
        with open("/proc/thread-self/ns/net") as here, open(f"/run/netns/{self.namespace}") as there:
            if _libc.setns(there.fileno(), CLONE_NEWNET) != 0:
                raise OSError(ctypes.get_errno(), "setns into the namespace failed")
            try:
                return socket.socket()
            finally:
                if _libc.setns(here.fileno(), CLONE_NEWNET) != 0:
                    raise OSError(ctypes.get_errno(), "setns back failed: this thread is left in the namespace")

    @staticmethod
    def _accept(listener: socket.socket, port: int) -> None:
        while True:
            try:
                inside, _ = listener.accept()
            except OSError:
                return
            try:
                outside = socket.create_connection(("127.0.0.1", port))
            except OSError:
                inside.close()
                continue
            for source, target in ((inside, outside), (outside, inside)):
                threading.Thread(target=_pump, args=(source, target), daemon=True).start()


def _pump(source: socket.socket, target: socket.socket) -> None:
    try:
        while data := source.recv(65536):
            target.sendall(data)
    except OSError:
        pass
    finally:
        for end in (source, target):
            try:
                end.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
