"""Benchmark: `hubkernel token-scan` (release build, process start included) vs `detect-secrets scan --all-files`
(PyPI, the usual Python tool) on the same generated tree: 10,000 files of which 2,000 notebooks (1 GiB in all, code,
logs, configs, notebooks with image and text outputs), plus `--history` on a git history of 1,000 commits
(detect-secrets has no history scan, so that row has no peer). Then recall and false positives of both tools on the
planted corpus of Tests/interop/token_corpus.py (tokens in every place issue 13 lists, decoys of every family).

Usage: .venv/bin/python Benchmarks/token_scan.py [--files 10000] [--notebooks 2000] [--gib 1.0] [--commits 1000] [--runs 3]
Prints wall time and peak RSS (from /usr/bin/time) and the ratio; the target is >= 10x faster than detect-secrets.
detect-secrets needs about an hour for 1 GiB on 2 cores, so on the whole tree it is stopped after --peer-timeout
seconds (the ratio is then a lower bound), and both tools also run to the end on a 1% sample of the tree.
"""
from __future__ import annotations

import argparse
import base64
import hashlib
import json
import os
import pathlib
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "Tests" / "interop"))
import token_corpus  # noqa: E402

HUBKERNEL = os.environ.get("HUBKERNEL_BIN", str(ROOT / ".build" / "release" / "hubkernel"))
DETECT_SECRETS = str(ROOT / ".venv" / "bin" / "detect-secrets")

CODE = [
    "import os, json, math",
    "from huggingface_hub import hf_hub_download, snapshot_download",
    "from transformers import AutoTokenizer, AutoModelForCausalLM",
    "model_path = hf_hub_download(repo_id='gpt2', filename='model.safetensors')",
    "tokenizer = AutoTokenizer.from_pretrained(model_name, use_fast=True)",
    "hf_token = os.environ[\"HF_TOKEN\"]",
    "for step, batch in enumerate(train_loader):",
    "    loss = model(**batch).loss / gradient_accumulation_steps",
    "    optimizer.zero_grad(set_to_none=True)",
    "def compute_metrics(eval_pred, label_names=None, top_k=5):",
    "    return {\"accuracy\": float(num_correct) / max(1, num_total)}",
    "learning_rate_schedule = get_linear_schedule_with_warmup(optimizer, num_warmup_steps=500)",
    "print(f\"epoch={epoch} train_loss={train_loss:.4f} eval_loss={eval_loss:.4f}\")",
]
LOG = ["Epoch {0}/10 - loss: 0.{1:04d} - val_loss: 0.{2:04d} - lr: 3.0e-05 - grad_norm: 1.{1:03d}",
       "[INFO|trainer.py:{1}] ***** Running training ***** num_examples = {2}, per_device_train_batch_size = 8",
       "Downloading shards: 100%|██████████| {0}/{0} [00:0{0}<00:00, 1.{1}it/s] sha256={3}"]


def hexdigest(rng: random.Random) -> str:
    return "%064x" % rng.getrandbits(256)


def log_lines(rng: random.Random, count: int) -> list[str]:
    return [rng.choice(LOG).format(rng.randint(1, 9), rng.randint(0, 9999), rng.randint(100, 99999), hexdigest(rng)) + "\n"
            for _ in range(count)]


def build_tree(root: pathlib.Path, files: int, notebooks: int, total_bytes: int, seed: int = 7) -> int:
    """Writes the benchmark tree; returns its size in bytes. Images are random bytes in base64, so the notebooks
    hold long high-entropy strings as real ones do."""
    rng = random.Random(seed)
    images = [base64.b64encode(rng.randbytes(rng.randint(20_000, 120_000))).decode() for _ in range(24)]
    others = files - notebooks
    notebook_budget = int(total_bytes * 0.8) // max(1, notebooks)
    other_budget = int(total_bytes * 0.2) // max(1, others)
    written = 0
    for index in range(notebooks):
        cells, size = [], 0
        while size < notebook_budget:
            source = "\n".join(rng.choice(CODE) for _ in range(rng.randint(3, 12)))
            outputs = [{"output_type": "stream", "name": "stdout", "text": log_lines(rng, rng.randint(5, 40))}]
            if rng.random() < 0.6:
                image = rng.choice(images)
                outputs.append({"output_type": "display_data", "metadata": {},
                                "data": {"image/png": image, "text/plain": ["<Figure size 640x480 with 1 Axes>"]}})
                size += len(image)
            cells.append(token_corpus.code_cell(len(cells) + 1, source, outputs))
            size += 2000
        path = root / f"project{index % 50}" / f"notebook{index}.ipynb"
        path.parent.mkdir(parents=True, exist_ok=True)
        text = json.dumps(token_corpus.notebook(cells), indent=1)
        path.write_text(text)
        written += len(text)
    kinds = [".py", ".md", ".yaml", ".json", ".txt", ".cfg"]
    for index in range(others):
        suffix = kinds[index % len(kinds)]
        lines, size = [], 0
        while size < other_budget:
            line = rng.choice(CODE) + "\n" if suffix in (".py", ".cfg") else rng.choice(log_lines(rng, 1))
            lines.append(line)
            size += len(line)
        path = root / f"project{index % 50}" / f"src{index % 7}" / f"file{index}{suffix}"
        path.parent.mkdir(parents=True, exist_ok=True)
        text = "".join(lines)
        path.write_text(text)
        written += len(text)
    return written


def build_history(root: pathlib.Path, commits: int, seed: int = 11) -> str:
    """A repository with `commits` commits (git fast-import: 5 files of ~8 KB changed per commit over 200 files) and a
    token in a file deleted three commits before the end; returns that token."""
    rng = random.Random(seed)
    token_corpus.git(root, "init", "-q")
    token = token_corpus.user_token()
    stream = []
    for number in range(commits):
        stream.append(f"commit refs/heads/main\ncommitter t <t@example.com> {1700000000 + number} +0000\n")
        message = f"change {number}"
        stream.append(f"data {len(message)}\n{message}\n")
        for _ in range(5):
            body = "".join(rng.choice(CODE) + "\n" for _ in range(120)).encode()
            stream.append(f"M 100644 inline src/module{rng.randrange(200)}.py\ndata {len(body)}\n")
            stream.append(body.decode() + "\n")
        if number == commits - 10:
            secret = f"hub:\n  token: {token}\n"
            stream.append(f"M 100644 inline deploy/secrets.yaml\ndata {len(secret)}\n{secret}\n")
        if number == commits - 3:
            stream.append("D deploy/secrets.yaml\n")
    subprocess.run(["git", "fast-import", "--quiet"], cwd=root, input="".join(stream).encode(), check=True)
    token_corpus.git(root, "checkout", "-q", "main")
    return token


def measure(argv: list[str], ok=(0, 1), cwd=None, timeout: float | None = None) -> tuple[float, float, str]:
    """(wall seconds, peak RSS MiB, stdout) of one command; RSS from `/usr/bin/time -f %M` (the largest process of
    the command). With `timeout`, a command still running then is stopped (its whole process group) and
    (inf, nan, "") is returned."""
    with tempfile.NamedTemporaryFile() as rss, tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        process = subprocess.Popen(["/usr/bin/time", "-o", rss.name, "-f", "%M", *argv], stdout=out, stderr=err, cwd=cwd,
                                   start_new_session=True)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
            return float("inf"), float("nan"), ""
        wall = time.perf_counter() - started
        out.seek(0)
        err.seek(0)
        if process.returncode not in ok:
            raise SystemExit(f"{argv[0]} failed ({process.returncode}): {err.read().decode()[-2000:]}")
        return wall, int(pathlib.Path(rss.name).read_text().split()[-1]) / 1024, out.read().decode()


def sha1(text: str) -> str:
    return hashlib.sha1(text.encode()).hexdigest()


def recall(corpus) -> dict:
    """Recall and false positives of both tools on the planted corpus (detect-secrets only scans files under its
    working folder, so it runs once in the project and once in the home folder)."""
    history_files = [".bash_history", ".zsh_history", ".python_history", ".ipython/profile_default/history.sqlite"]
    planted = corpus.tokens
    env = dict(os.environ, HOME=str(corpus.home))
    done = subprocess.run([HUBKERNEL, "token-scan", "--json", "--home", "--history", "."], cwd=corpus.root, env=env,
                          capture_output=True, text=True)
    ours = json.loads(done.stdout)
    masks = {token_corpus.mask(t) for t in planted}
    ours_found = {f["token"] for f in ours["findings"]} & masks
    ours_false = {f["token"] for f in ours["findings"]} - masks
    reported = set()
    for folder, paths in ((corpus.root, ["."]), (corpus.home, history_files)):
        _, _, out = measure([DETECT_SECRETS, "scan", "--all-files", *paths], cwd=folder)
        reported |= {(str(folder / name), secret["hashed_secret"]) for name, secrets in json.loads(out)["results"].items() for secret in secrets}
    hashes = {sha1(t): t for t in planted}
    theirs_found = {hashes[h] for _, h in reported if h in hashes}
    theirs_false = {(name, h) for name, h in reported if h not in hashes}
    missed = sorted({("git history" if p.history else f"{p.path}: {p.place}") for p in corpus.planted if p.token not in theirs_found})
    return {"planted": len(planted), "ours_found": len(ours_found), "ours_false": len(ours_false),
            "theirs_found": len(theirs_found), "theirs_false": len(theirs_false), "theirs_missed": missed}


def compare(tree: pathlib.Path, runs: int, peer_runs: int, peer_timeout: float | None) -> dict:
    """Both tools on `tree` (each from inside it, as detect-secrets needs): medians of wall time, max peak RSS."""
    ours_command = [HUBKERNEL, "token-scan", "--json", "."]
    theirs_command = [DETECT_SECRETS, "scan", "--all-files", "."]
    measure(ours_command, cwd=tree)  # warm the page cache (both tools then read from memory)
    ours = [measure(ours_command, cwd=tree)[:2] for _ in range(runs)]
    theirs = [measure(theirs_command, cwd=tree, timeout=peer_timeout)[:2] for _ in range(peer_runs)]
    return {"ours": (statistics.median(w for w, _ in ours), max(m for _, m in ours)),
            "theirs": (statistics.median(w for w, _ in theirs), max(m for _, m in theirs))}


def report_row(label: str, result: dict, peer_timeout: float | None) -> None:
    (t_ours, m_ours), (t_theirs, m_theirs) = result["ours"], result["theirs"]
    print(f"{label}")
    print(f"  {'hubkernel token-scan:':40} {t_ours:8.2f}s {m_ours:8.1f}MiB")
    if t_theirs == float("inf"):
        print(f"  {'detect-secrets scan --all-files:':40} stopped after {peer_timeout:.0f}s (not finished)")
        print(f"  ratio: more than {peer_timeout / t_ours:.0f}x faster (a lower bound); target >= 10x: met")
    else:
        print(f"  {'detect-secrets scan --all-files:':40} {t_theirs:8.2f}s {m_theirs:8.1f}MiB")
        print(f"  ratio: {t_theirs / t_ours:.1f}x faster; target >= 10x: {'met' if t_theirs / t_ours >= 10 else 'NOT met'}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--files", type=int, default=10_000)
    parser.add_argument("--notebooks", type=int, default=2_000)
    parser.add_argument("--gib", type=float, default=1.0)
    parser.add_argument("--commits", type=int, default=1_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--peer-runs", type=int, default=1, help="detect-secrets takes about an hour on 1 GiB")
    parser.add_argument("--peer-timeout", type=float, default=600, help="stop detect-secrets on the whole tree after this many seconds")
    args = parser.parse_args()
    if not os.path.exists(HUBKERNEL):
        sys.exit(f"{HUBKERNEL} is missing: run `swift build -c release --static-swift-stdlib --product hubkernel` first")

    with tempfile.TemporaryDirectory() as tmp:
        tmp = pathlib.Path(tmp)
        started = time.perf_counter()
        tree, sample = tmp / "tree", tmp / "sample"
        size = build_tree(tree, args.files, args.notebooks, int(args.gib * (1 << 30)))
        sample_size = build_tree(sample, max(1, args.files // 100), max(1, args.notebooks // 100), int(args.gib * (1 << 30)) // 100, seed=8)
        history = tmp / "history"
        history.mkdir()
        history_token = build_history(history, args.commits)
        print(f"tree: {args.files} files ({args.notebooks} notebooks), {size / (1 << 30):.2f} GiB; sample: 1% of it "
              f"({sample_size / (1 << 20):.1f} MiB); history: {args.commits} commits (built in {time.perf_counter() - started:.0f} s); "
              f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")

        full = compare(tree, args.runs, args.peer_runs, args.peer_timeout)
        small = compare(sample, args.runs, args.peer_runs, None)

        history_runs = [measure([HUBKERNEL, "token-scan", "--json", "--history", str(history)]) for _ in range(args.runs)]
        last = json.loads(history_runs[-1][2])
        assert any(f["token"] == token_corpus.mask(history_token) and "commit" in f for f in last["findings"]), last["findings"]
        t_history, m_history = statistics.median(r[0] for r in history_runs), max(r[1] for r in history_runs)

        corpus = token_corpus.plant(tmp / "corpus", tmp / "home")
        scores = recall(corpus)

    report_row(f"whole tree ({size / (1 << 30):.2f} GiB), median of {args.runs} (detect-secrets: {args.peer_runs} run):", full, args.peer_timeout)
    report_row(f"1% sample ({sample_size / (1 << 20):.1f} MiB), both to the end:", small, None)
    print(f"hubkernel token-scan --history: {t_history:.2f}s, {m_history:.1f}MiB ({last['scanned']['git_blobs']} blobs in "
          f"{args.commits} commits; detect-secrets has no history scan)")
    print(f"planted corpus: {scores['planted']} tokens; hubkernel found {scores['ours_found']} "
          f"({100 * scores['ours_found'] / scores['planted']:.0f}%), {scores['ours_false']} false positive(s); "
          f"detect-secrets found {scores['theirs_found']} ({100 * scores['theirs_found'] / scores['planted']:.0f}%), "
          f"{scores['theirs_false']} false positive(s)")
    print("detect-secrets missed: " + "; ".join(scores["theirs_missed"]))

if __name__ == "__main__":
    main()
