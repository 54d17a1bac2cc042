"""Network namespaces as the other hosts of a test (an SSH host, Slurm compute nodes), joined to this one by veth
pairs: the host end either gets an address of its own (a point-to-point /30) or joins a bridge (several namespaces on
one subnet). The local Hub's ports can be forwarded in, so the same HF_ENDPOINT works on every host.

    with Namespace("hkssh1", "10.231.5.2", gateway="10.231.5.1") as host:   # needs root
        host.forward(port)          # 127.0.0.1:port inside reaches 127.0.0.1:port here
        host.command(["sshd", …])   # argv that runs inside

Deleting the namespace deletes its veth pair; forwarders close with it.
"""
from __future__ import annotations

import ctypes
import os
import signal
import socket
import subprocess
import threading
from pathlib import Path

CLONE_NEWNET = 0x40000000
_libc = ctypes.CDLL("libc.so.6", use_errno=True)


def ip(*arguments: str, namespace: str | None = None) -> None:
    prefix = ["ip", "netns", "exec", namespace] if namespace else []
    subprocess.run(prefix + ["ip", *arguments], check=True, capture_output=True)


class Bridge:
    """A bridge here with `address`/24: the namespaces that join it reach this host and each other."""

    def __init__(self, name: str, address: str):
        self.name, self.address = name, address

    def __enter__(self) -> "Bridge":
        ip("link", "add", self.name, "type", "bridge")
        try:
            ip("addr", "add", f"{self.address}/24", "dev", self.name)
            ip("link", "set", self.name, "up")
        except BaseException:
            self.__exit__()
            raise
        return self

    def __exit__(self, *exc) -> None:
        subprocess.run(["ip", "link", "delete", self.name], capture_output=True)


class Namespace:
    def __init__(self, name: str, address: str, gateway: str | None = None, bridge: Bridge | None = None):
        self.name, self.address, self.gateway, self.bridge = name, address, gateway, bridge
        self.veth_here, self.veth_there = f"{name[:11]}h", f"{name[:11]}n"
        self.listeners: list[socket.socket] = []

    def __enter__(self) -> "Namespace":
        try:
            ip("netns", "add", self.name)
            ip("link", "add", self.veth_here, "type", "veth", "peer", "name", self.veth_there)
            ip("link", "set", self.veth_there, "netns", self.name)
            if self.bridge:
                ip("link", "set", self.veth_here, "master", self.bridge.name)
                prefix = 24
            else:
                ip("addr", "add", f"{self.gateway}/30", "dev", self.veth_here)
                prefix = 30
            ip("link", "set", self.veth_here, "up")
            ip("addr", "add", f"{self.address}/{prefix}", "dev", self.veth_there, namespace=self.name)
            ip("link", "set", self.veth_there, "up", namespace=self.name)
            ip("link", "set", "lo", "up", namespace=self.name)
        except BaseException:
            self.__exit__()
            raise
        return self

    def __exit__(self, *exc) -> None:
        for listener in self.listeners:
            listener.close()
        self.kill_processes()
        subprocess.run(["ip", "netns", "delete", self.name], capture_output=True)  # the veth pair goes with it
        subprocess.run(["ip", "link", "delete", self.veth_here], capture_output=True)

    def kill_processes(self) -> None:
        """SIGKILLs whatever still runs in this namespace (a job step its daemon left behind)."""
        try:
            inode = os.stat(f"/run/netns/{self.name}").st_ino
        except FileNotFoundError:
            return
        for entry in Path("/proc").iterdir():
            try:
                if entry.name.isdigit() and os.stat(entry / "ns" / "net").st_ino == inode:
                    os.kill(int(entry.name), signal.SIGKILL)
            except (FileNotFoundError, ProcessLookupError, PermissionError):
                pass

    def command(self, argv: list[str]) -> list[str]:
        """`argv` run in the namespace's network only (nsenter, not `ip netns exec`, which remounts /sys and so
        hides the cgroup mounts slurmd needs)."""
        return ["nsenter", f"--net=/run/netns/{self.name}", *argv]

    def forward(self, port: int) -> None:
        """Listens on 127.0.0.1:`port` inside and relays each connection to 127.0.0.1:`port` here."""
        listener = self._socket_inside()
        listener.bind(("127.0.0.1", port))
        listener.listen(64)
        self.listeners.append(listener)
        threading.Thread(target=_accept, args=(listener, port), daemon=True).start()

    def _socket_inside(self) -> socket.socket:
        """A socket of the namespace: this thread enters it just long enough to make one."""
        with open("/proc/thread-self/ns/net") as here, open(f"/run/netns/{self.name}") as there:
            if _libc.setns(there.fileno(), CLONE_NEWNET) != 0:
                raise OSError(ctypes.get_errno(), "setns into the namespace failed")
            try:
                return socket.socket()
            finally:
                if _libc.setns(here.fileno(), CLONE_NEWNET) != 0:
                    raise OSError(ctypes.get_errno(), "setns back failed: this thread is left in the namespace")


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
