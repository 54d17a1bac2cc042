"""hubkernel-launcher (the kernelspec's command): listens on the five ports, then execs hubkernel, which adopts them."""
from __future__ import annotations

import os
import pathlib

import pytest

from fixtures.kernel import KERNEL_NAME, hubkernel_bin, run_cell, write_kernelspec
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import KernelManager

CHANNELS = ("shell", "iopub", "stdin", "control", "hb")


def launcher() -> str:
    path = pathlib.Path(hubkernel_bin()).with_name("hubkernel-launcher")
    if not path.exists():
        pytest.fail(f"{path} does not exist: run scripts/build-launcher")
    return str(path)


def listening_inodes() -> dict[int, str]:
    """Listening IPv4 TCP sockets on this machine: port -> socket inode."""
    sockets = {}
    for line in pathlib.Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if fields[3] == "0A":  # TCP_LISTEN
            sockets[int(fields[1].split(":")[1], 16)] = fields[9]
    return sockets


@pytest.mark.parametrize("encryption", ["disabled", "required"])
def test_kernel_serves_on_the_sockets_the_launcher_bound(tmp_path, encryption):
    write_kernelspec(tmp_path, binary=launcher())
    km = KernelManager(kernel_name=KERNEL_NAME, kernel_spec_manager=KernelSpecManager(kernel_dirs=[str(tmp_path / "kernels")]),
                       transport_encryption=encryption)
    km.start_kernel()
    kc = km.client()
    kc.start_channels()
    try:
        kc.wait_for_ready(timeout=30)
        reply, messages = run_cell(kc, "%echo launched")
        assert reply["content"]["status"] == "ok"
        assert any(m["msg_type"] == "stream" and "launched" in m["content"]["text"] for m in messages)
        pid = km.provisioner.process.pid
        assert pathlib.Path(f"/proc/{pid}/exe").resolve() == pathlib.Path(hubkernel_bin()).resolve()  # exec'd in place
        # The launcher's descriptors 3…7, in channel order, are the sockets listening on the connection's ports.
        listening = listening_inodes()
        for offset, channel in enumerate(CHANNELS):
            target = os.readlink(f"/proc/{pid}/fd/{3 + offset}")
            assert target == f"socket:[{listening[getattr(km, f'{channel}_port')]}]", channel
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=False)


def test_descriptors_that_do_not_listen_on_the_ports_are_ignored(start_hubkernel):
    # Started directly, with the variable naming descriptors that are not the kernel's listening sockets: it binds itself.
    km, kc = start_hubkernel(env={"HUBKERNEL_LISTEN_FDS": "shell:40,iopub:41,hb:nonsense,bogus:42"})
    reply, _ = run_cell(kc, "%echo still fine")
    assert reply["content"]["status"] == "ok"
