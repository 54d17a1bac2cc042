"""A planted corpus for the token scanner: tokens of every format in every place issue 13 lists, and decoys for every
false-positive family. Everything is generated at run time, so the repository never holds a token-shaped string.

`plant(root, home)` writes the corpus and returns a `Corpus`: the planted tokens (with where they are), and the git
repository under `root` with a token in a file deleted three commits back. Used by `test_token_scan.py` and
`Benchmarks/token_scan.py` (recall and false positives of HubKernel and detect-secrets).
"""
from __future__ import annotations

import base64
import json
import os
import random
import sqlite3
import string
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

LETTERS = string.ascii_letters
ALNUM = string.ascii_letters + string.digits


def _body(alphabet: str, rng: random.Random, digit: bool = False) -> str:
    text = "".join(rng.choice(alphabet) for _ in range(34))
    return text[:-1] + rng.choice(string.digits) if digit else text


def user_token(rng=random) -> str:
    return "hf" + "_" + _body(LETTERS, rng)


def oauth_token(rng=random) -> str:
    return "hf" + "_oauth_" + _body(ALNUM, rng, digit=True)


def refresh_token(rng=random) -> str:
    return "hf" + "_oauth_rt_" + _body(ALNUM, rng, digit=True)


def org_token(rng=random) -> str:
    return "api" + "_org_" + _body(LETTERS, rng)


def legacy_token(rng=random) -> str:
    return "api" + "_" + _body(LETTERS, rng)


MAKERS = [user_token, oauth_token, refresh_token, org_token, legacy_token]


def mask(token: str) -> str:
    """HubKernel's mask (`hf_****wxyz`)."""
    return token[:3] + "****" + token[-4:]


@dataclass
class Planted:
    token: str
    path: str  # relative to root (or "~/…" for home files)
    place: str  # what the scanner's "where" should contain
    history: bool = False


@dataclass
class Corpus:
    root: Path
    home: Path
    planted: list[Planted] = field(default_factory=list)
    decoys: list[str] = field(default_factory=list)

    def add(self, maker, path: str, place: str, history: bool = False) -> str:
        token = maker()
        self.planted.append(Planted(token, path, place, history))
        return token

    @property
    def tokens(self) -> set[str]:
        return {p.token for p in self.planted}


def decoy_lines(rng=random) -> list[str]:
    """One line per false-positive family: none of them is a token."""
    hexdigits = "0123456789abcdef"
    return [
        "from huggingface_hub import hf_hub_download, snapshot_download",
        "path = hf_hub_download(repo_id='gpt2', filename='config.json')",
        'hf_token = os.environ["HF_TOKEN"]',
        "HF_TOKEN=${{ secrets.HF_TOKEN }}",
        "sha256: " + "".join(rng.choice(hexdigits) for _ in range(64)),
        "commit " + "".join(rng.choice(hexdigits) for _ in range(40)),
        "etag: \"" + "".join(rng.choice(hexdigits) for _ in range(40)) + "\"",
        # Tokens with digits, glued to other text or followed by more letters are tokens (issue 31): not decoys.
        "HF_" + _body(LETTERS, rng),
        "hf_" + _body(LETTERS, rng)[:20] + "_" + _body(LETTERS, rng)[:20],
        "secret_key = '" + "".join(rng.choice(ALNUM + "+/") for _ in range(40)) + "'",
        "aws_secret_access_key = " + "".join(rng.choice(ALNUM) for _ in range(40)),
        "password: " + "".join(rng.choice(ALNUM) for _ in range(24)),
        "uuid = " + "-".join("".join(rng.choice(hexdigits) for _ in range(n)) for n in (8, 4, 4, 4, 12)),
    ]


def png_base64(size: int = 3000, rng=random) -> str:
    """A base64 'image' (random bytes behind a PNG signature): high entropy, no token."""
    return base64.b64encode(b"\x89PNG\r\n\x1a\n" + bytes(rng.getrandbits(8) for _ in range(size))).decode()


def notebook(cells: list[dict], metadata: dict | None = None) -> dict:
    return {"cells": cells, "metadata": metadata or {"kernelspec": {"name": "python3", "language": "python", "display_name": "Python 3"}},
            "nbformat": 4, "nbformat_minor": 5}


def code_cell(index: int, source: str, outputs: list[dict] | None = None, metadata: dict | None = None) -> dict:
    return {"cell_type": "code", "execution_count": index, "id": f"cell-{index}", "metadata": metadata or {},
            "source": source.splitlines(keepends=True), "outputs": outputs or []}


def write_notebook(path: Path, nb: dict, *, raw: str | None = None) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(raw if raw is not None else json.dumps(nb, indent=1, sort_keys=True, ensure_ascii=False) + "\n")


def git(root: Path, *args: str) -> str:
    env = dict(os.environ, GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@example.com", GIT_COMMITTER_NAME="t",
               GIT_COMMITTER_EMAIL="t@example.com", GIT_CONFIG_NOSYSTEM="1", HOME=str(root))
    return subprocess.run(["git", *args], cwd=root, env=env, check=True, capture_output=True, text=True).stdout


def plant(root: Path, home: Path, big_output_mb: int = 10) -> Corpus:
    """Writes the corpus under `root` (a git repository) and `home` (history files); returns what was planted."""
    corpus = Corpus(root=root, home=home)
    root.mkdir(parents=True, exist_ok=True)
    home.mkdir(parents=True, exist_ok=True)
    decoys = decoy_lines()
    corpus.decoys = decoys

    git(root, "init", "-q")
    # History: a token in a file that was deleted three commits back, and an old version of a kept file.
    (root / "secrets.yaml").write_text("hub:\n  token: " + corpus.add(user_token, "secrets.yaml", "commit", history=True) + "\n")
    (root / "train.py").write_text("TOKEN = '" + corpus.add(legacy_token, "train.py", "commit", history=True) + "'\n")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "add config")
    (root / "secrets.yaml").unlink()
    (root / "train.py").write_text("import os\nTOKEN = os.environ['HF_TOKEN']\n" + "\n".join("# " + d for d in decoys) + "\n")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "remove the secret")
    for step in range(2):
        (root / "notes.md").write_text(f"step {step}\n" + "\n".join(decoys) + "\n")
        git(root, "add", "-A")
        git(root, "commit", "-qm", f"step {step}")

    # Notebooks: every place.
    image = png_base64()
    split_token = corpus.add(user_token, "analysis.ipynb", "output 2 (text/plain)")
    split_json = json.dumps(split_token)[1:-1]
    escaped = split_json[:6] + "\\u%04x" % ord(split_json[6]) + split_json[7:]  # hf_ab\u0063d…: a JSON escape splits it
    cells = [
        code_cell(1, "from huggingface_hub import login\nlogin(token=\"" + corpus.add(user_token, "analysis.ipynb", "cell 1, source line 2") + "\")\n",
                  metadata={"tags": ["setup"], "secret": corpus.add(oauth_token, "analysis.ipynb", "cell 1, cell metadata")}),
        code_cell(2, "import os\nprint(os.environ)\n", outputs=[
            {"output_type": "stream", "name": "stdout", "text": ["environ({'HF_TOKEN': '" + corpus.add(user_token, "analysis.ipynb", "cell 2, output 1 (stream)") + "'})\n"]},
            {"output_type": "execute_result", "execution_count": 2, "metadata": {},
             "data": {"image/png": image, "text/plain": ["<Figure size 640x480> SPLIT"],
                      "text/html": ["<img src=\"data:image/png;base64," + image + "\"/> " + corpus.add(refresh_token, "analysis.ipynb", "output 2 (text/html)")]}},
            {"output_type": "display_data", "metadata": {},
             "data": {"application/json": {"headers": {"authorization": "Bearer " + corpus.add(org_token, "analysis.ipynb", "output 3 (application/json)")}},
                      "text/plain": ["{...}"]}},
            {"output_type": "error", "ename": "HTTPError", "evalue": "401 Client Error for token " + corpus.add(user_token, "analysis.ipynb", "output 4 (error)"),
             "traceback": ["\u001b[0;31mHTTPError\u001b[0m: bad token \u001b[0;32m" + corpus.add(legacy_token, "analysis.ipynb", "output 4 (traceback)") + "\u001b[0m"]},
        ]),
        {"cell_type": "markdown", "id": "md-1", "metadata": {}, "source": ["# Notes\n", "![shot](attachment:shot.png)\n"],
         "attachments": {"shot.png": {"image/png": image, "text/plain": "token " + corpus.add(user_token, "analysis.ipynb", "attachment shot.png")}}},
        code_cell(4, "\n".join(decoys) + "\n", outputs=[{"output_type": "stream", "name": "stdout", "text": [d + "\n" for d in decoys]}]),
    ]
    metadata = {"kernelspec": {"name": "python3", "language": "python", "display_name": "Python 3"},
                "widgets": {"application/vnd.jupyter.widget-state+json": {"state": {"m1": {"model_name": "TextModel", "state": {
                    "value": corpus.add(user_token, "analysis.ipynb", "notebook metadata (widget state)")}}}, "version_major": 2, "version_minor": 0}}}
    raw = json.dumps(notebook(cells, metadata), indent=1, sort_keys=True)
    write_notebook(root / "analysis.ipynb", {}, raw=raw.replace("SPLIT", escaped))

    checkpoint = notebook([code_cell(1, "HF_TOKEN = '" + corpus.add(user_token, ".ipynb_checkpoints/analysis-checkpoint.ipynb", "source line 1") + "'\n")])
    write_notebook(root / ".ipynb_checkpoints" / "analysis-checkpoint.ipynb", checkpoint)

    # A notebook with a 10 MB output, the token at its end.
    chunk = "".join(random.choice(ALNUM + " ") for _ in range(1000)) + "\n"
    lines = [chunk] * (big_output_mb * 1024 * 1024 // len(chunk))
    lines.append("done, token was " + corpus.add(user_token, "big-output.ipynb", "output 1 (stream)") + "\n")
    write_notebook(root / "big-output.ipynb", notebook([code_cell(1, "train()\n", outputs=[{"output_type": "stream", "name": "stdout", "text": lines}])]))
    write_notebook(root / "clean.ipynb", notebook([code_cell(1, "\n".join(decoys), outputs=[
        {"output_type": "display_data", "metadata": {}, "data": {"image/png": png_base64(200_000), "text/plain": ["<Figure>"]}}])]))

    # Text files of every kind.
    (root / ".env").write_text("HF_TOKEN=" + corpus.add(user_token, ".env", "line 1") + "\n")
    (root / ".gitignore").write_text(".env\n")
    (root / "config.yaml").write_text("\n".join(decoys) + "\nhub_token: " + corpus.add(org_token, "config.yaml", f"line {len(decoys) + 1}") + "\n")
    (root / "pyproject.toml").write_text("[tool.x]\n" + "token = \"" + corpus.add(oauth_token, "pyproject.toml", "line 2") + "\"\n")
    (root / "settings.json").write_text(json.dumps({"notes": decoys, "token": corpus.add(legacy_token, "settings.json", "line")}, indent=1))
    (root / "README.md").write_text("Run `huggingface-cli login --token " + corpus.add(user_token, "README.md", "line 1") + "`\n")
    (root / "run.sh").write_text("#!/bin/sh\n" + "\n".join("# " + d for d in decoys) + "\nexport HF_TOKEN=" + corpus.add(refresh_token, "run.sh", "line") + "\n")
    (root / "weights.bin").write_bytes(b"\x00\x01" + user_token().encode())  # binary: skipped and counted, not planted

    # Home: shell and Python history, IPython's history database.
    (home / ".bash_history").write_text("ls\nexport HF_TOKEN=" + corpus.add(user_token, "~/.bash_history", "line 2") + "\n")
    (home / ".zsh_history").write_text(": 1700000000:0;huggingface-cli login --token " + corpus.add(user_token, "~/.zsh_history", "line 1") + "\n")
    (home / ".python_history").write_text("import os\nos.environ['HF_TOKEN'] = '" + corpus.add(legacy_token, "~/.python_history", "line 2") + "'\n")
    profile = home / ".ipython" / "profile_default"
    profile.mkdir(parents=True)
    database = sqlite3.connect(profile / "history.sqlite")
    database.execute("CREATE TABLE history (session integer, line integer, source text, source_raw text, PRIMARY KEY (session, line))")
    ipython_token = corpus.add(user_token, "~/.ipython/profile_default/history.sqlite", "database")
    database.execute("INSERT INTO history VALUES (1, 1, ?, ?)", (f"login('{ipython_token}')", f"login('{ipython_token}')"))
    database.commit()
    database.close()
    return corpus
