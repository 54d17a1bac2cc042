# jupyterhub_config.py: a team on one machine. JupyterHub (PyPI) with Debian's configurable-http-proxy and the local
# process spawner; HubKernel in every user's server; one Hugging Face cache for everybody (HF_HUB_CACHE, a setgid
# folder of the team's group), each user's token in their own HF_HOME (~/.cache/huggingface, 0600 in 0700).
#
#   groupadd team && usermod -aG team alice …           # every user in the team's group
#   install -d -m 2775 -g team /srv/hf-cache              # the shared cache: group-writable, setgid
#   hubkernel install --prefix /usr/local                 # the kernelspec, for every user
#   jupyterhub -f jupyterhub_config.py                    # as root (PAM login, servers run as each user)
#
# Tested as is by Tests/interop/test_team_jupyterhub.py, which sets the TEAM_* variables below.
import os

from jupyterhub.spawner import LocalProcessSpawner

c = get_config()  # noqa: F821 (JupyterHub's config loader defines it)
env = os.environ.get

c.JupyterHub.bind_url = env("TEAM_HUB_URL", "http://127.0.0.1:8000")
c.JupyterHub.hub_bind_url = env("TEAM_HUB_API_URL", "http://127.0.0.1:8081")
c.ConfigurableHTTPProxy.command = ["/usr/bin/configurable-http-proxy"]  # apt install node-configurable-http-proxy
# Debian's node modules (commander, http-proxy …), for a node that does not look there itself (NodeSource's).
os.environ.setdefault("NODE_PATH", "/usr/share/nodejs")
c.ConfigurableHTTPProxy.api_url = env("TEAM_PROXY_API_URL", "http://127.0.0.1:8001")
c.Authenticator.allowed_users = set(env("TEAM_USERS", "").split())  # PAM (the default authenticator)


class TeamSpawner(LocalProcessSpawner):
    """Each user's server with umask 002, so what one writes to the shared cache stays usable by the group (a
    download another user interrupted can be resumed, a lock file opened by everyone)."""

    def make_preexec_fn(self, name):
        become_user = super().make_preexec_fn(name)

        def preexec():
            become_user()
            os.umask(0o002)
        return preexec


c.JupyterHub.spawner_class = TeamSpawner
c.Spawner.cmd = env("TEAM_SINGLEUSER", "jupyterhub-singleuser").split()
c.Spawner.start_timeout = c.Spawner.http_timeout = 120
c.Spawner.environment = {
    "HF_HUB_CACHE": env("TEAM_HF_HUB_CACHE", "/srv/hf-cache"),  # shared; HF_HOME (the token) stays per user
    **({"HF_ENDPOINT": env("TEAM_HF_ENDPOINT")} if env("TEAM_HF_ENDPOINT") else {}),
    **({"JUPYTER_PATH": env("TEAM_JUPYTER_PATH")} if env("TEAM_JUPYTER_PATH") else {}),
}

# The tests drive the hub through its REST API as a service with admin rights over users and their servers.
if env("TEAM_SERVICE_TOKEN"):
    c.JupyterHub.services = [{"name": "team-test", "api_token": env("TEAM_SERVICE_TOKEN")}]
    c.JupyterHub.load_roles = [{"name": "team-test", "services": ["team-test"],
                                "scopes": ["admin:users", "admin:servers", "access:servers"]}]
