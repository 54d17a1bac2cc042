"""`hubkernel token-scan` (issue 13) on a planted corpus generated at run time: every token in every place is found,
no decoy is; --fix leaves valid nbformat notebooks without tokens; --check tells a live token from a revoked one
against the local Hub; the shipped .pre-commit-hooks.yaml refuses a commit with a token through `pre-commit`."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import nbformat
import pytest

import token_corpus
from fixtures.kernel import hubkernel_bin

REPO = Path(__file__).resolve().parents[2]


def scan(*args, env=None, cwd=None):
    """Runs `hubkernel token-scan --json …`; returns (completed process, parsed JSON or None)."""
    done = subprocess.run([hubkernel_bin(), "token-scan", "--json", *args], env=env, cwd=cwd,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode in (0, 1, 2), done.stderr
    return done, (json.loads(done.stdout) if done.stdout.strip() else None)


@pytest.fixture
def corpus(tmp_path):
    return token_corpus.plant(tmp_path / "project", tmp_path / "home")


@pytest.fixture
def scan_env(tmp_path, corpus):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HF_", "HUGGINGFACE_", "HIST", "IPYTHON"))}
    env.update(HOME=str(corpus.home), HF_HOME=str(tmp_path / "hf_home"), HF_HUB_OFFLINE="1")
    return env


def assert_never_whole(corpus, *texts):
    for text in texts:
        for token in corpus.tokens:
            assert token not in text, f"{token_corpus.mask(token)} shown whole"


def test_recall_and_false_positives_on_the_planted_corpus(corpus, scan_env):
    done, report = scan(".", "--home", "--history", env=scan_env, cwd=corpus.root)
    assert done.returncode == 1 and done.stderr.startswith("TokensFound:"), done.stderr
    assert_never_whole(corpus, done.stdout, done.stderr)

    found = report["findings"]
    masks = {token_corpus.mask(t): t for t in corpus.tokens}
    assert len(masks) == len(corpus.tokens)  # masks tell the planted tokens apart
    false_positives = [f for f in found if f["token"] not in masks]
    assert false_positives == [], false_positives
    for planted in corpus.planted:
        path = str(corpus.home) + planted.path[1:] if planted.path.startswith("~") else planted.path
        matching = [f for f in found if f["token"] == token_corpus.mask(planted.token)
                    and (f["path"] == path or f["path"].endswith("/" + planted.path)) and planted.place.split(",")[-1].strip() in f["where"]]
        assert matching, (planted.path, planted.place, [f for f in found if f["token"] == token_corpus.mask(planted.token)])
        assert all(("commit" in f) == planted.history for f in matching)
    assert {t["token"] for t in report["tokens"]} == set(masks)

    deleted = next(f for f in found if f["path"].endswith("secrets.yaml"))
    first_commit = token_corpus.git(corpus.root, "rev-list", "--reverse", "HEAD").split()[0]
    assert deleted["commit"] == first_commit and deleted["line"] == 2
    env_file = next(f for f in found if f["path"] == ".env")
    assert env_file["gitignored"] is True
    assert next(f for f in found if f["path"] == "config.yaml")["gitignored"] is False
    assert report["scanned"]["skipped_binary"] == 1
    assert len(report["scanned"]["history_files"]) == 4
    assert report["scanned"]["git_blobs"] >= 5
    assert any("git filter-repo --replace-text" in line for line in report["advice"])


def test_text_table_and_exit_status(corpus, scan_env, tmp_path):
    done = subprocess.run([hubkernel_bin(), "token-scan", "analysis.ipynb"], env=scan_env, cwd=corpus.root,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert "cell 2, output 2 (text/html)" in done.stdout and "OAuth refresh token" in done.stdout
    assert "hubkernel token-scan --fix" in done.stdout  # advice worded for the terminal
    assert_never_whole(corpus, done.stdout, done.stderr)

    clean = tmp_path / "clean"
    clean.mkdir()
    (clean / "a.py").write_text("\n".join(corpus.decoys))
    done = subprocess.run([hubkernel_bin(), "token-scan", str(clean)], env=scan_env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and done.stdout.startswith("No token found; scanned 1 file"), done.stdout
    done = subprocess.run([hubkernel_bin(), "token-scan", "--max-size", "many"], env=scan_env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "UsageError" in done.stderr


def test_fix_leaves_valid_notebooks_without_tokens(corpus, scan_env, tmp_path):
    notebooks = sorted(p.relative_to(corpus.root) for p in corpus.root.rglob("*.ipynb"))
    done, before = scan(".", "--fix", env=scan_env, cwd=corpus.root)
    assert done.returncode == 1
    fixed = {f["path"]: f for f in before["fixed"]}
    assert fixed["analysis.ipynb"]["left_in_code"] == 1 and fixed["analysis.ipynb"]["masked"] >= 8
    # Without --fix-code the code cell keeps its token; the outputs and metadata are clean.
    _, after = scan("analysis.ipynb", env=scan_env, cwd=corpus.root)
    assert [f["where"] for f in after["findings"]] == ["cell 1, source line 2"]

    done, _ = scan(".", "--fix", "--fix-code", env=scan_env, cwd=corpus.root)
    for relative in notebooks:
        text = (corpus.root / relative).read_text()
        assert_never_whole(corpus, text)
        nbformat.validate(nbformat.reads(text, as_version=4))
    source = "".join(nbformat.read(corpus.root / "analysis.ipynb", as_version=4).cells[0].source)
    assert source.startswith("import os\n") and 'login(token=os.environ["HF_TOKEN"])' in source
    _, last = scan(*[str(n) for n in notebooks], env=scan_env, cwd=corpus.root)
    assert last["findings"] == []
    backups = list((tmp_path / "hf_home" / "token-scan-backups").rglob("*.ipynb"))
    assert backups and all(oct(b.stat().st_mode & 0o777) == "0o600" for b in backups)
    assert any(token_corpus.mask(t) for t in corpus.tokens if t in backups[0].read_text())  # the originals are kept


def test_check_tells_live_from_revoked(local_hub, hf_env, tmp_path):
    state_file = local_hub.root / "state.json"
    state = json.loads(state_file.read_text())
    live, revoked = token_corpus.user_token(), token_corpus.user_token()
    state["tokens"][live] = {"user": "alice", "displayName": "leaked-laptop", "role": "write"}
    state["tokens"][revoked] = {"user": "alice", "displayName": "old", "role": "read"}
    state_file.write_text(json.dumps(state))
    try:
        # `revoked` is revoked: taken out of the Hub's state again (the Hub reloads the file when it changes).
        del state["tokens"][revoked]
        state_file.write_text(json.dumps(state))
        project = tmp_path / "p"
        project.mkdir()
        (project / "a.py").write_text(f"A = '{live}'\nB = '{revoked}'\nC = '{live}'\n")
        env = dict(hf_env, HOME=str(tmp_path))
        local_hub.clear_log()
        done, report = scan(str(project), "--check", env=env)
        assert done.returncode == 1
        assert_never_whole(type("C", (), {"tokens": {live, revoked}})(), done.stdout, done.stderr)
        checks = {t["token"]: t for t in report["tokens"]}
        assert checks[token_corpus.mask(live)]["check"] == "live" and checks[token_corpus.mask(live)]["user"] == "alice"
        assert checks[token_corpus.mask(live)]["role"] == "write"
        assert checks[token_corpus.mask(revoked)]["check"] == "invalid/revoked"
        assert report["advice"][0].startswith(f"Revoke the live token(s) first, at {local_hub.endpoint}/settings/tokens")
        whoami = [e for e in local_hub.log() if e["path"] == "/api/whoami-v2"]
        assert len(whoami) == 2 and all(e["auth"] for e in whoami), whoami  # one request per distinct token

        local_hub.clear_log()
        done, report = scan(str(project), env=env)
        assert all(t["check"] is None for t in report["tokens"])
        assert [e for e in local_hub.log() if e["path"] == "/api/whoami-v2"] == []  # no --check: no request
    finally:
        state["tokens"].pop(live, None)
        state_file.write_text(json.dumps(state))


def _hook_repo(tmp_path) -> Path:
    """A git repository holding this checkout's .pre-commit-hooks.yaml (pre-commit clones it locally, no network)."""
    hooks = tmp_path / "hooks-repo"
    hooks.mkdir()
    shutil.copy(REPO / ".pre-commit-hooks.yaml", hooks / ".pre-commit-hooks.yaml")
    token_corpus.git(hooks, "init", "-q")
    token_corpus.git(hooks, "add", "-A")
    token_corpus.git(hooks, "commit", "-qm", "hooks")
    return hooks


def test_pre_commit_hook_refuses_a_commit_with_a_token(tmp_path):
    pre_commit = shutil.which("pre-commit", path=str(Path(os.sys.executable).parent))
    assert pre_commit, "pre-commit is not installed (requirements-dev.txt)"
    hooks = _hook_repo(tmp_path)
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "hubkernel").symlink_to(hubkernel_bin())
    project = tmp_path / "project"
    project.mkdir()
    token_corpus.git(project, "init", "-q")
    rev = token_corpus.git(hooks, "rev-parse", "HEAD").strip()
    (project / ".pre-commit-config.yaml").write_text(
        f"repos:\n- repo: {hooks}\n  rev: {rev}\n  hooks:\n  - id: hubkernel-token-scan\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HF_", "HUGGINGFACE_"))}
    env.update(PATH=f"{bin_dir}:{Path(os.sys.executable).parent}:{env.get('PATH', '/usr/bin:/bin')}", HOME=str(tmp_path),
               PRE_COMMIT_HOME=str(tmp_path / "pre-commit-cache"), HF_HUB_OFFLINE="1", GIT_AUTHOR_NAME="t",
               GIT_AUTHOR_EMAIL="t@example.com", GIT_COMMITTER_NAME="t", GIT_COMMITTER_EMAIL="t@example.com", GIT_CONFIG_NOSYSTEM="1")

    def git(*args):
        return subprocess.run(["git", *args], cwd=project, env=env, capture_output=True, text=True, timeout=120)

    assert subprocess.run([pre_commit, "install"], cwd=project, env=env, capture_output=True).returncode == 0
    token = token_corpus.user_token()
    (project / "leak.py").write_text(f"TOKEN = '{token}'\n")
    (project / "unstaged.py").write_text(f"OTHER = '{token_corpus.user_token()}'\n")  # never staged: not the hook's business
    git("add", ".pre-commit-config.yaml", "leak.py")
    refused = git("commit", "-m", "leak")
    assert refused.returncode != 0, refused.stdout + refused.stderr
    said = refused.stdout + refused.stderr  # pre-commit writes to stderr when git runs it
    assert "leak.py" in said and token_corpus.mask(token) in said, said
    assert token not in said
    assert "unstaged.py" not in said
    assert git("rev-parse", "HEAD").returncode != 0  # nothing was committed

    (project / "leak.py").write_text("import os\nTOKEN = os.environ['HF_TOKEN']\n")
    git("add", "leak.py")
    accepted = git("commit", "-m", "clean")
    assert accepted.returncode == 0, accepted.stdout + accepted.stderr
    assert "Passed" in accepted.stdout + accepted.stderr
