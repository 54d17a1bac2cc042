"""A team on one machine (issue 30): JupyterHub from PyPI, Debian's configurable-http-proxy, the local process spawner
(examples/teams/jupyterhub_config.py as is), three real Unix users in one group, one shared setgid HF_HUB_CACHE and
each user's own token. Everything is driven through the hub's REST API and each user's server (kernels API and
websocket, as JupyterLab does). Takes ~1.5 min."""
from __future__ import annotations

import hashlib
import json
import os
import stat
import subprocess
import threading
import time
from pathlib import Path

import pytest

from clusters.jupyterhub import TeamJupyterHub
from clusters.unix_team import UnixTeam
from fixtures.kernel import write_kernelspec, write_python_kernelspec
from test_auth_oauth import approve_when_shown

pytestmark = pytest.mark.slow
REPO_FOLDER = "models--demo--tiny-model"
MIB = 1 << 20


@pytest.fixture(scope="module")
def team():
    with UnixTeam(["a", "b", "c"]) as team:
        yield team


@pytest.fixture(scope="module")
def hub(team, local_hub):
    share = team.base / "share" / "jupyter"
    write_kernelspec(share)
    write_python_kernelspec(share, team.python)
    for folder, _, files in os.walk(team.base / "share"):
        os.chmod(folder, 0o755)
        for name in files:
            os.chmod(Path(folder) / name, 0o644)
    with TeamJupyterHub(team, local_hub.endpoint, share) as hub:
        yield hub
        print(hub.log_text()[-6000:])  # shown when a test failed


def ok(cell) -> str:
    assert cell.status == "ok", cell.text
    return cell.text


def offline_load_script(repo: str, filename: str) -> str:
    """Python for a notebook cell: HF_HUB_OFFLINE=1, then huggingface_hub finds the file and safetensors reads it."""
    return (f"import os\nos.environ['HF_HUB_OFFLINE'] = '1'\n"
            f"from huggingface_hub import hf_hub_download\nfrom safetensors import safe_open\n"
            f"path = hf_hub_download({repo!r}, {filename!r})\n"
            f"with safe_open(path, 'np') as f:\n    names = sorted(f.keys())\n"
            f"print('LOADED', len(names), os.path.realpath(path))")


class HalfWrittenWatch:
    """Polls the repo's snapshots while downloads run: every file a snapshot shows must be whole (its final size)."""

    def __init__(self, cache: Path, sizes: dict[tuple[str, str], int]):
        self.repo = cache / REPO_FOLDER
        self.sizes = sizes  # (commit, path) -> size
        self.violations: list[str] = []
        self.incomplete_seen = 0
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)

    def run(self):
        while not self.stop.is_set():
            self.incomplete_seen += len(list((self.repo / "blobs").glob("*.incomplete")))
            for commit_folder in (self.repo / "snapshots").glob("*"):
                for link in commit_folder.rglob("*"):
                    relative = link.relative_to(commit_folder).as_posix()
                    expected = self.sizes.get((commit_folder.name, relative))
                    if expected is None or not link.exists() or link.is_dir():
                        continue
                    if link.stat().st_size != expected:
                        self.violations.append(f"{relative}@{commit_folder.name[:8]}: {link.stat().st_size} != {expected}")
            time.sleep(0.05)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join()


def expected_sizes(local_hub, revisions: list[str]) -> dict[tuple[str, str], int]:
    sizes = {}
    for revision in revisions:
        commit, source = local_hub.commit("demo/tiny-model", revision), local_hub.source_dir("demo/tiny-model", revision)
        for path in source.rglob("*"):
            if path.is_file():
                sizes[(commit, path.relative_to(source).as_posix())] = path.stat().st_size
    return sizes


def run_in_threads(*jobs):
    """Runs each `(kernel, code)` at once; returns their cells in order."""
    results: list = [None] * len(jobs)

    def run(index, kernel, code):
        try:
            results[index] = kernel.execute(code, timeout=180)
        except Exception as error:  # surfaced below
            results[index] = error
    threads = [threading.Thread(target=run, args=(i, *job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for result in results:
        if isinstance(result, Exception):
            raise result
    return results


def cache_problems(cache: Path, gid: int) -> list[str]:
    """Entries the group could not use: not group-owned, folders not g+rwx/setgid, locks and partial files not g+rw,
    files not g+r."""
    problems = []
    for folder, folders, files in os.walk(cache):
        for name in folders + files:
            path = Path(folder) / name
            info = path.lstat()
            if stat.S_ISLNK(info.st_mode):
                continue
            mode = stat.S_IMODE(info.st_mode)
            if stat.S_ISDIR(info.st_mode):
                needed = 0o2070
            elif name.endswith((".lock", ".incomplete")):
                needed = 0o060
            else:
                needed = 0o040
            if info.st_gid != gid or mode & needed != needed:
                problems.append(f"{path.relative_to(cache)} gid {info.st_gid} mode {mode:o}")
    return problems


def test_team_shares_one_cache_each_with_own_token(team, hub, local_hub):
    a, b, c = team.users["a"], team.users["b"], team.users["c"]
    server_a, server_b, server_c = hub.start_server("a"), hub.start_server("b"), hub.start_server("c")
    with server_a.kernel("hubkernel") as ka, server_b.kernel("hubkernel") as kb, server_c.kernel("hubkernel") as kc:
        # A logs in through the browser (device code) and downloads a model (all but the tokenizer, fetched later).
        local_hub.oauth(interval=1)
        approver = approve_when_shown(local_hub)
        assert "Logged in as alice" in ok(ka.execute("%hf_login", timeout=90))
        approver.join()
        token_a = a.hf_home / "token"
        info = token_a.stat()
        assert (info.st_uid, stat.S_IMODE(info.st_mode), stat.S_IMODE(a.hf_home.stat().st_mode)) == (a.uid, 0o600, 0o700)
        ok(ka.execute("%download demo/tiny-model --exclude tokenizer.json", timeout=120))

        # B, with no token, loads it offline in Python from the shared cache.
        loaded = ok(kb.execute(offline_load_script("demo/tiny-model", "model.safetensors")))
        assert "LOADED" in loaded and str(team.cache / REPO_FOLDER / "blobs") in loaded, loaded
        assert not (b.hf_home / "token").exists()

        # C downloads v1.0 while A downloads refs/pr/1: both need the tokenizer (one blob, one lock). Its GET stalls
        # and the weights come slowly, so the two overlap; a watcher checks that no snapshot shows a partial file.
        sizes = expected_sizes(local_hub, ["v1.0", "refs/pr/1"])
        local_hub.clear_log()
        with local_hub.faults({"path": "*tokenizer.json", "method": "GET", "stall": 2, "count": None},
                              {"path": "*model.safetensors", "target": "cdn", "rate": 4 * MIB, "count": None}), \
                HalfWrittenWatch(team.cache, sizes) as watch:
            cell_c, cell_a = run_in_threads((kc, "%download demo/tiny-model --revision v1.0"),
                                            (ka, "%download demo/tiny-model --revision refs/pr/1"))
        ok(cell_c), ok(cell_a)
        assert not watch.violations, watch.violations
        assert watch.incomplete_seen, "the watcher never saw a download in progress"
        tokenizer_gets = [e for e in local_hub.log() if e["method"] == "GET" and e["path"].endswith("/tokenizer.json")]
        assert len(tokenizer_gets) == 1, tokenizer_gets  # written once, the other waited on the lock and reused it
        repo = team.cache / REPO_FOLDER
        tokenizer_links = [repo / "snapshots" / local_hub.commit("demo/tiny-model", r) / "tokenizer.json"
                           for r in ("v1.0", "refs/pr/1")]
        assert len({link.resolve() for link in tokenizer_links}) == 1
        locks = list((team.cache / ".locks" / REPO_FOLDER).glob("*.lock"))
        assert locks and {lock.stat().st_uid for lock in locks} >= {a.uid, c.uid}, "both wrote blobs under locks"
        assert {p.stat().st_uid for p in (repo / "blobs").iterdir()} == {a.uid, c.uid}

        # A's download of a big file is interrupted half-way; B (no token, public repo) resumes A's partial file.
        local_hub.add_benchmark_repo("team/big", small_files=1, large_size=8 * MIB)
        big_blobs = team.cache / "models--team--big" / "blobs"
        with local_hub.faults({"path": "*large.bin", "target": "cdn", "rate": MIB, "count": None}):
            interrupted = []
            runner = threading.Thread(target=lambda: interrupted.append(ka.execute("%download team/big large.bin", timeout=120)))
            runner.start()
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and not any(p.stat().st_size > 2 * MIB for p in big_blobs.glob("*.incomplete")):
                time.sleep(0.1)
            ka.interrupt()
            runner.join()
        assert interrupted[0].status == "error", interrupted[0].text
        partial, = big_blobs.glob("*.incomplete")
        kept = partial.stat().st_size
        assert partial.stat().st_uid == a.uid and stat.S_IMODE(partial.stat().st_mode) & 0o060 == 0o060
        local_hub.clear_log()
        ok(kb.execute("%download team/big large.bin", timeout=120))
        blob, = big_blobs.iterdir()
        assert hashlib.sha256(blob.read_bytes()).hexdigest() == blob.name
        fetched = [e for e in local_hub.log() if e["method"] == "GET" and e["path"].endswith(("large.bin", blob.name))
                   and e["status"] in (200, 206)]
        starts = [int(e["range"].split("=")[1].split("-")[0]) if e["range"] else 0 for e in fetched]
        assert starts and min(starts) >= kept - MIB, (fetched, kept)  # resumed from A's partial file

        # A downloads a gated repo; C (bob's token, not approved) and B (no token) can read its files from the shared
        # cache: %download and %doctor say so.
        ok(ka.execute("%download demo/gated-model"))
        c.hf_home.mkdir(parents=True, mode=0o700)
        (c.hf_home / "token").write_text(local_hub.tokens["unapproved"])
        for path in (c.hf_home, c.hf_home / "token", c.home / ".cache"):
            os.chown(path, c.uid, c.gid)
        (c.hf_home / "token").chmod(0o600)
        served = ok(kc.execute("%download demo/gated-model"))  # from the cache, as huggingface_hub serves it
        assert f"holds 3 file(s) of demo/gated-model, downloaded by {a.name}" in served, served
        assert "not been granted access" in served
        python = ok(kc.execute("from huggingface_hub import hf_hub_download\n"
                               "print('PYTHON', hf_hub_download('demo/gated-model', 'config.json'))"))
        assert "PYTHON " + str(team.cache) in python, python  # huggingface_hub serves it too, and says nothing
        for kernel in (kc, kb):
            doctor = kernel.execute("%doctor --json")
            checks = {check["check"]: check for check in _doctor_json(doctor)}
            gated = checks["Gated repos from others"]
            assert gated["result"] == "warn" and f"demo/gated-model (downloaded by {a.name})" in gated["detail"], gated
            shared = checks["Shared cache"]
            assert shared["result"] == "pass" and f"shared with group {team.group}" in shared["detail"], shared
        own = {check["check"]: check for check in _doctor_json(ka.execute("%doctor --json"))}
        assert own["Gated repos from others"]["result"] == "pass", own["Gated repos from others"]

        # Whose token is in force, in each server.
        sources = {letter: json.loads(result_text(kernel.execute("%token_source --check --json")))
                   for letter, kernel in (("a", ka), ("b", kb), ("c", kc))}
        print(json.dumps(sources, indent=1)[:3000])
        assert_token_source(sources["a"], team.users["a"], "alice")
        assert_token_source(sources["c"], team.users["c"], "bob")
        assert not sources["b"].get("winner"), sources["b"]

        # Nobody reads another's token; no token is in the shared cache.
        peek = ok(kb.execute(f"import os\nfor p in [{str(token_a)!r}, {str(c.hf_home / 'token')!r}]:\n"
                             f"    try:\n        open(p).read(); print('READ', p)\n"
                             f"    except PermissionError:\n        print('DENIED', p)"))
        assert peek.count("DENIED") == 2 and "READ" not in peek, peek
        tokens = [token_a.read_text().strip(), local_hub.tokens["unapproved"]]
        for folder, _, files in os.walk(team.cache):
            for name in files:
                data = (Path(folder) / name).read_bytes()
                assert not any(t.encode() in data for t in tokens), f"a token in {Path(folder) / name}"

    # Every entry of the shared cache is usable by the group (owners A, B and C alike).
    assert not cache_problems(team.cache, team.gid), cache_problems(team.cache, team.gid)[:10]


def result_text(cell) -> str:
    """The text/plain of the cell's last result or display."""
    ok(cell)
    for message in reversed(cell.messages):
        if message["msg_type"] in ("execute_result", "display_data"):
            return message["content"]["data"]["text/plain"]
    raise AssertionError(f"no result in {cell.text}")


def _doctor_json(cell) -> list[dict]:
    """The checks of `%doctor --json` (shown before the error when a check fails)."""
    for message in cell.messages:
        data = message["content"].get("data", {})
        if "application/json" in data:
            return data["application/json"]
        text = data.get("text/plain", "")
        if text.startswith("["):
            return json.loads(text)
    raise AssertionError(f"no doctor JSON in {cell.text}")


def assert_token_source(report: dict, user, account: str) -> None:
    assert report["winner"]["source"] == {"kind": "token_file", "path": str(user.hf_home / "token")}, report["winner"]
    assert report["account"]["user"] == account and not report["warnings"], report


def team_env(team, local_hub) -> dict[str, str]:
    return {"PATH": f"{Path(team.python).parent}:/usr/bin:/bin", "HF_HUB_CACHE": str(team.cache),
            "HF_ENDPOINT": local_hub.endpoint, "HF_HUB_DISABLE_TELEMETRY": "1", "NO_PROXY": "127.0.0.1",
            "HUBKERNEL_PYTHON_KERNEL": "none"}


def test_umask_022_user_in_the_team_folder_hubkernel_keeps_the_cache_usable(team, local_hub):
    """User A has the usual umask 022. HubKernel, killed half-way through a download in the team's setgid cache, still
    leaves folders, lock and partial file group-writable. When an older client left them read-only (0644), user C's
    huggingface_hub 2.4 stops with PermissionError on the lock; HubKernel locks it anyway (flock on a read-only
    descriptor), adopts A's partial file and resumes it. huggingface_hub with umask 022 leaves repo folders 0755 that
    nobody else can add a file to, and never resumes (each process writes its own `<etag>.<8 hex>.incomplete`, which
    a killed process leaves behind)."""
    env = team_env(team, local_hub)
    local_hub.add_benchmark_repo("team/big2", small_files=1, large_size=8 * MIB)
    repo = team.cache / "models--team--big2"
    download = [os.environ["HUBKERNEL_BIN"], "download", "team/big2", "large.bin"]
    with local_hub.faults({"path": "*large.bin", "target": "cdn", "rate": MIB, "count": None}):
        kill_when_partial(subprocess.Popen(download, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                                           **team.as_user("a", env, umask=0o022)), repo / "blobs")
    partial, = (repo / "blobs").glob("*.incomplete")
    lock, = (team.cache / ".locks" / repo.name).glob("*.lock")
    modes = {path.name: stat.S_IMODE(path.stat().st_mode) for path in (repo, repo / "blobs", partial, lock)}
    assert modes == {repo.name: 0o2775, "blobs": 0o2775, partial.name: 0o664, lock.name: 0o664}, modes

    team.run_as("a", ["chmod", "644", str(lock), str(partial)], env)  # as an older client leaves them
    kept = partial.stat().st_size
    fetch = "from huggingface_hub import hf_hub_download\nprint(hf_hub_download('team/big2', 'large.bin'))"
    python = team.run_as("c", [team.python, "-c", fetch], env)
    assert python.returncode != 0 and "PermissionError" in python.stderr and ".lock" in python.stderr, python.stderr[-2000:]
    local_hub.clear_log()
    done = team.run_as("c", download, env)
    assert done.returncode == 0, done.stderr
    blob, = (repo / "blobs").iterdir()
    assert hashlib.sha256(blob.read_bytes()).hexdigest() == blob.name and blob.stat().st_uid == team.users["c"].uid
    starts = [int(e["range"].split("=")[1].split("-")[0]) if e["range"] else 0 for e in local_hub.log()
              if e["method"] == "GET" and e["path"].endswith(("large.bin", blob.name)) and e["status"] in (200, 206)]
    assert starts and min(starts) >= kept - MIB, (starts, kept)

    # huggingface_hub, umask 022: a new repo's folders are 0755 (setgid inherited); killed, it leaves its own
    # partial file, which nothing resumes.
    local_hub.add_benchmark_repo("team/big3", small_files=1, large_size=8 * MIB)
    python_repo = team.cache / "models--team--big3"
    fetch3 = fetch.replace("team/big2", "team/big3")
    with local_hub.faults({"path": "*large.bin", "target": "cdn", "rate": MIB, "count": None}):
        kill_when_partial(subprocess.Popen([team.python, "-c", fetch3], stdout=subprocess.DEVNULL,
                                           stderr=subprocess.PIPE, text=True, **team.as_user("a", env, umask=0o022)),
                          python_repo / "blobs", size=0, settle=3)
    assert stat.S_IMODE((python_repo / "blobs").stat().st_mode) == 0o2755
    orphan, = (python_repo / "blobs").glob("*.incomplete")
    assert orphan.name.count(".") == 2, orphan.name  # <etag>.<8 hex>.incomplete


def kill_when_partial(process: subprocess.Popen, blobs: Path, size: int = 2 * MIB, settle: float = 0) -> None:
    """SIGKILLs `process` once a partial file in `blobs` is bigger than `size` bytes (and `settle` s have passed)."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None \
            and not any(p.stat().st_size >= size for p in blobs.glob("*.incomplete")):
        time.sleep(0.1)
    time.sleep(settle)
    finished = process.poll()
    process.kill()
    problem = process.communicate()[1]
    assert finished is None, f"the download ended before it could be killed: {problem[-2000:]}"
