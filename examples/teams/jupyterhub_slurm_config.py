# jupyterhub_slurm_config.py: JupyterHub on a Slurm login node; batchspawner starts each user's server as a Slurm job
# on a compute node, where HubKernel runs. One Hugging Face cache on the shared file system (HF_HUB_CACHE, a setgid
# folder of the team's group); compute nodes without internet use HF_HUB_OFFLINE=1 and find what the login node
# fetched (`hubkernel download …` there).
#
# Tested as is by Tests/interop/test_team_slurm.py (slurm-wlm and munge from Debian 12, two slurmd nodes), which
# sets the TEAM_* variables below.
import json
import os

import batchspawner  # noqa: F401 (registers the hub's /api/batchspawner route, where a job reports its port)

c = get_config()  # noqa: F821 (JupyterHub's config loader defines it)
env = os.environ.get

c.JupyterHub.bind_url = env("TEAM_HUB_URL", "http://127.0.0.1:8000")
c.JupyterHub.hub_bind_url = env("TEAM_HUB_API_URL", "http://0.0.0.0:8081")  # compute nodes call the hub's API
c.ConfigurableHTTPProxy.command = ["/usr/bin/configurable-http-proxy"]  # apt install node-configurable-http-proxy
os.environ.setdefault("NODE_PATH", "/usr/share/nodejs")  # Debian's node modules, for a node that does not look there
c.ConfigurableHTTPProxy.api_url = env("TEAM_PROXY_API_URL", "http://127.0.0.1:8001")
c.Authenticator.allowed_users = set(env("TEAM_USERS", "").split())

c.JupyterHub.spawner_class = "batchspawner.MultiSlurmSpawner"
c.MultiSlurmSpawner.daemon_resolver = json.loads(env("TEAM_NODE_ADDRESSES", "{}"))  # node name -> address, without DNS
c.BatchSpawnerBase.exec_prefix = "/usr/sbin/runuser -u {username} --"  # sbatch/squeue/scancel as the user (default: sudo -E -u)
c.SlurmSpawner.req_partition = env("TEAM_PARTITION", "")
if env("TEAM_SLURM_CONF"):  # a slurm.conf elsewhere than /etc/slurm: for the hub's squeue and scancel too
    os.environ["SLURM_CONF"] = env("TEAM_SLURM_CONF")
c.SlurmSpawner.req_srun = ""  # the server is the job's batch step itself
c.Spawner.ip = "0.0.0.0"  # the proxy reaches the server on the compute node
c.BatchSpawnerBase.batchspawner_singleuser_cmd = env("TEAM_BATCHSPAWNER_SINGLEUSER", "batchspawner-singleuser")
c.Spawner.cmd = env("TEAM_SINGLEUSER", "jupyterhub-singleuser").split()
c.Spawner.start_timeout = c.Spawner.http_timeout = 180
c.Spawner.environment = {
    "HF_HUB_CACHE": env("TEAM_HF_HUB_CACHE", "/shared/hf-cache"),  # on the shared file system; HF_HOME stays per user
    "HF_HUB_OFFLINE": env("TEAM_HF_HUB_OFFLINE", "1"),  # compute nodes have no internet: the cache only
    **{name: env(f"TEAM_{name}") for name in ("HF_ENDPOINT", "JUPYTER_PATH", "SLURM_CONF") if env(f"TEAM_{name}")},
}

if env("TEAM_SERVICE_TOKEN"):  # the tests drive the hub through its REST API
    c.JupyterHub.services = [{"name": "team-test", "api_token": env("TEAM_SERVICE_TOKEN")}]
    c.JupyterHub.load_roles = [{"name": "team-test", "services": ["team-test"],
                                "scopes": ["admin:users", "admin:servers", "access:servers"]}]
