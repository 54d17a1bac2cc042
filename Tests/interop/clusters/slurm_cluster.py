"""A Slurm cluster on this machine (slurm-wlm and munge from Debian): munged and slurmctld here (the login node), one
slurmd per compute node, each node a network namespace on one bridge. The local Hub's ports are forwarded into every
node, so jobs reach it at the same HF_ENDPOINT.

    with SlurmCluster(folder, ports=[…]) as cluster:          # needs root
        cluster.env                       # SLURM_CONF for sbatch/squeue/scancel
        cluster.nodes                     # {"n1": "10.232.x.2", "n2": …}
        cluster.bridge.address            # this host's address on the nodes' network

Daemons, namespaces and the bridge are removed on exit, also after a failure.
"""
from __future__ import annotations

import os
import socket
import subprocess
import time
from pathlib import Path

from clusters.netns import Bridge, Namespace
from clusters.processes import stop
from fixtures.tls import free_port


class SlurmCluster:
    def __init__(self, folder: Path, ports: list[int], node_count: int = 2):
        tag = os.getpid() % 100000
        self.folder = folder
        self.bridge = Bridge(f"hkbr{tag}", f"10.232.{tag % 250}.1")
        self.nodes = {f"n{i}": f"10.232.{tag % 250}.{i + 1}" for i in range(1, node_count + 1)}
        self.namespaces = [Namespace(f"hks{tag}{name}", address, bridge=self.bridge) for name, address in self.nodes.items()]
        self.ports = ports
        self.conf = folder / "slurm.conf"
        self.munge_socket = folder / "munge" / "munge.socket"
        self.env = {"SLURM_CONF": str(self.conf)}
        self.daemons: list[subprocess.Popen] = []

    def __enter__(self) -> "SlurmCluster":
        try:
            self.bridge.__enter__()
            for namespace in self.namespaces:
                namespace.__enter__()
                for port in self.ports:
                    namespace.forward(port)
            self._munge()
            self._configure()
            self._start(["/usr/sbin/slurmctld", "-D", "-i", "-f", str(self.conf)], "slurmctld")
            for namespace, name in zip(self.namespaces, self.nodes):
                self._start(namespace.command(["/usr/sbin/slurmd", "-D", "-N", name, "-f", str(self.conf)]), f"slurmd-{name}")
            self._wait_idle()
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def __exit__(self, *exc) -> None:
        if len(self.daemons) > 1:  # slurmctld runs: end every job first, so that no slurmstepd outlives its slurmd
            self.run(["scancel", "--partition=team"])
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline and self.run(["squeue", "-h"]).stdout.strip():
                time.sleep(0.3)
        for daemon in reversed(self.daemons):  # slurmds, slurmctld, then munged
            stop(daemon, grace=15)
        for namespace in self.namespaces:
            namespace.__exit__()
        self.bridge.__exit__()

    def _start(self, argv: list[str], name: str) -> None:
        log = open(self.folder / f"{name}.out", "w")
        self.daemons.append(subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, env={**os.environ, **self.env}))

    def _munge(self) -> None:
        folder = self.munge_socket.parent
        folder.mkdir(mode=0o755)
        subprocess.run(["mungekey", "--create", f"--keyfile={folder / 'munge.key'}"], check=True)
        (folder / "munge.key").chmod(0o600)
        self._start(["munged", "--foreground", "--force", f"--key-file={folder / 'munge.key'}", f"--socket={self.munge_socket}",
                     f"--pid-file={folder / 'munged.pid'}", f"--seed-file={folder / 'munged.seed'}",
                     f"--log-file={folder / 'munged.log'}"], "munged")
        deadline = time.monotonic() + 20
        while not self.munge_socket.exists():
            if time.monotonic() > deadline:
                raise RuntimeError(f"munged did not start: {(self.folder / 'munged.out').read_text()}")
            time.sleep(0.1)

    def _configure(self) -> None:
        state = self.folder / "state"
        state.mkdir()
        for name in self.nodes:
            (self.folder / f"spool-{name}").mkdir()
        nodes = "\n".join(f"NodeName={name} NodeAddr={address} CPUs=2 RealMemory=1000 State=UNKNOWN"
                          for name, address in self.nodes.items())
        self.conf.write_text(f"""ClusterName=hubkernel
SlurmctldHost={socket.gethostname()}({self.bridge.address})
SlurmctldPort={free_port()}
SlurmdPort={free_port()}
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket={self.munge_socket}
SlurmUser=root
SlurmdUser=root
StateSaveLocation={state}
SlurmdSpoolDir={self.folder}/spool-%n
SlurmctldPidFile={self.folder}/slurmctld.pid
SlurmdPidFile={self.folder}/slurmd-%n.pid
SlurmctldLogFile={self.folder}/slurmctld.log
SlurmdLogFile={self.folder}/slurmd-%n.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
MpiDefault=none
SwitchType=switch/none
ReturnToService=2
KillWait=5
{nodes}
PartitionName=team Nodes={",".join(self.nodes)} Default=YES MaxTime=INFINITE State=UP
""")
        self.conf.chmod(0o644)
        self.folder.chmod(0o755)

    def _wait_idle(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        states = ""
        while time.monotonic() < deadline:
            states = self.run(["sinfo", "-h", "-N", "-o", "%N %T"]).stdout
            if states.count("idle") == len(self.nodes):
                return
            time.sleep(0.5)
        logs = "\n".join(f"{p.name}: {p.read_text(errors='replace')[-1500:]}" for p in self.folder.glob("*.log"))
        raise RuntimeError(f"Slurm nodes not idle within {timeout} s ({states.strip()}):\n{logs}")

    def run(self, argv: list[str], **options) -> subprocess.CompletedProcess:
        return subprocess.run(argv, env={**os.environ, **self.env}, capture_output=True, text=True, timeout=60, **options)

    def wait_gone(self, job: str, timeout: float = 60) -> None:
        """Waits until `job` has left the queue (finished, failed or cancelled)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.run(["squeue", "-h", "-j", job]).stdout.strip():
                return
            time.sleep(0.3)
        raise TimeoutError(f"job {job} still queued after {timeout} s")
