"""A Slurm cluster (issue 30): slurm-wlm and munge from Debian 12, slurmctld on this machine (the login node), two
slurmd compute nodes in network namespaces, one shared HF_HUB_CACHE. A download job killed by Slurm leaves a cache the
next job (on the other node) resumes; JupyterHub with batchspawner (examples/teams/jupyterhub_slurm_config.py as is)
starts a user's server as a Slurm job, where HubKernel, offline, finds what the login node fetched and Python reads
it. Takes ~1.5 min."""
from __future__ import annotations

import hashlib
import json
import os
import time
import urllib.parse
from pathlib import Path

import pytest

from clusters.jupyterhub import REPO, TeamJupyterHub
from clusters.slurm_cluster import SlurmCluster
from clusters.unix_team import UnixTeam
from fixtures.kernel import hubkernel_bin, write_kernelspec, write_python_kernelspec
from test_team_jupyterhub import MIB, ok, team_env

pytestmark = pytest.mark.slow
CONFIG = REPO / "examples" / "teams" / "jupyterhub_slurm_config.py"


@pytest.fixture(scope="module")
def slurm(local_hub):
    with UnixTeam(["a"]) as team:
        ports = [urllib.parse.urlsplit(url).port for url in (local_hub.endpoint, local_hub.cdn, local_hub.fault_cdn)]
        folder = team.base / "slurm"
        folder.mkdir()
        with SlurmCluster(folder, ports) as cluster:
            yield team, cluster
            for log in sorted(folder.glob("*.log")):  # shown when a test failed
                print(f"--- {log.name}\n{log.read_text(errors='replace')[-2000:]}")


def submit(team, cluster, command: str, node: str, env: dict[str, str]) -> str:
    """sbatch as user a on `node`; returns the job id."""
    user = team.users["a"]
    done = team.run_as("a", ["sbatch", "--parsable", "-w", node, f"--output={user.home}/job-%j.out", "--wrap", command],
                       dict(env, **cluster.env))
    assert done.returncode == 0, done.stderr
    return done.stdout.strip().split(";")[0]


def test_job_killed_by_slurm_mid_download_leaves_a_cache_the_next_job_resumes(slurm, local_hub):
    team, cluster = slurm
    env = team_env(team, local_hub)
    local_hub.add_benchmark_repo("team/slurm-big", small_files=1, large_size=8 * MIB)
    blobs = team.cache / "models--team--slurm-big" / "blobs"
    command = f"exec {hubkernel_bin()} download team/slurm-big large.bin"
    with local_hub.faults({"path": "*large.bin", "target": "cdn", "rate": MIB, "count": None}):
        first = submit(team, cluster, command, "n1", env)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not any(p.stat().st_size > 2 * MIB for p in blobs.glob("*.incomplete")):
            time.sleep(0.1)
        assert cluster.run(["scancel", first]).returncode == 0
        cluster.wait_gone(first)
    partial, = blobs.glob("*.incomplete")
    kept = partial.stat().st_size
    assert 2 * MIB <= kept < 8 * MIB and not [p for p in blobs.iterdir() if not p.name.endswith(".incomplete")]

    local_hub.clear_log()
    second = submit(team, cluster, command, "n2", env)
    cluster.wait_gone(second, timeout=120)
    output = (team.users["a"].home / f"job-{second}.out").read_text()
    blob, = blobs.iterdir()
    assert hashlib.sha256(blob.read_bytes()).hexdigest() == blob.name, output
    starts = [int(e["range"].split("=")[1].split("-")[0]) if e["range"] else 0 for e in local_hub.log()
              if e["method"] == "GET" and e["path"].endswith(("large.bin", blob.name)) and e["status"] in (200, 206)]
    assert starts and min(starts) >= kept - MIB, (starts, kept, output)


def test_jupyterhub_starts_the_server_as_a_slurm_job_that_finds_the_login_nodes_download_offline(slurm, local_hub):
    team, cluster = slurm
    user = team.users["a"]
    fetched = team.run_as("a", [hubkernel_bin(), "download", "demo/tiny-model", "config.json"], team_env(team, local_hub))
    assert fetched.returncode == 0, fetched.stderr  # on the login node, online

    share = team.base / "share" / "jupyter"
    write_kernelspec(share)
    write_python_kernelspec(share, team.python)
    scripts = team.base / "bin"
    scripts.mkdir()
    for name, module in (("batchspawner-singleuser", "batchspawner.singleuser"), ("jupyterhub-singleuser", "jupyterhub.singleuser")):
        (scripts / name).write_text(f"#!{team.python}\nfrom {module} import main\nmain()\n")
    for folder, _, files in os.walk(team.base / "share"):
        os.chmod(folder, 0o755)
        for name in files:
            os.chmod(Path(folder) / name, 0o644)
    for script in scripts.iterdir():
        script.chmod(0o755)

    with TeamJupyterHub(team, local_hub.endpoint, share, config=CONFIG, hub_address=cluster.bridge.address,
                        NODE_ADDRESSES=json.dumps(cluster.nodes), PARTITION="team", SLURM_CONF=cluster.env["SLURM_CONF"],
                        BATCHSPAWNER_SINGLEUSER=str(scripts / "batchspawner-singleuser"),
                        SINGLEUSER=str(scripts / "jupyterhub-singleuser")) as hub:
        try:
            server = hub.start_server("a", timeout=180)
            jobs = cluster.run(["squeue", "-h", "-u", user.name, "-o", "%i %T %N"]).stdout.split()
            assert len(jobs) == 3 and jobs[1] == "RUNNING" and jobs[2] in cluster.nodes, jobs
            with server.kernel("hubkernel") as kernel:
                where = ok(kernel.execute(f"import socket\ns = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n"
                                          f"s.connect(({cluster.bridge.address!r}, 9))\nprint('AT', s.getsockname()[0])"))
                assert f"AT {cluster.nodes[jobs[2]]}" in where, where
                served = ok(kernel.execute("%download demo/tiny-model config.json"))
                assert "Offline mode (HF_HUB_OFFLINE): served from the local cache." in served, served
                read = ok(kernel.execute("import json\nfrom huggingface_hub import hf_hub_download\n"
                                         "path = hf_hub_download('demo/tiny-model', 'config.json')\n"
                                         "print('HIDDEN', json.load(open(path))['hidden_size'], path)"))
                assert f"HIDDEN 64 {team.cache}" in read, read
            hub.stop_server("a")
            cluster.wait_gone(jobs[0])
        except BaseException:
            print(hub.log_text()[-6000:])
            for log in user.home.glob("jupyterhub_slurmspawner_*.log"):
                print(log.read_text(errors="replace")[-3000:])
            raise
