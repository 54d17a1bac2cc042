"""The guard's false positives, measured: ordinary output a notebook prints — a `pip freeze`, model and dataset card
templates, a training log with progress bars, this repository's `git log`, Python's own documentation (pydoc), and
huggingface_hub's source, full of `hf_…` and `api_…` names — printed by the hosted Python through HubKernel must
arrive exactly as written, and `hubkernel token-scan` must find nothing in it. Any masked byte is a false positive;
there are none (the test lists any it meets)."""
from __future__ import annotations

import os
import pathlib
import pydoc
import random
import shutil
import subprocess
import sys
import tempfile

import pytest

from fixtures.kernel import hubkernel_bin, run_cell, start_kernel, stop_kernel, stream_text

MODULES = ["os", "json", "re", "pathlib", "subprocess", "logging", "argparse", "collections", "itertools", "typing",
           "urllib.parse", "http.client", "hashlib", "base64", "secrets", "string", "datetime", "asyncio.tasks",
           "unittest.mock", "dataclasses"]


def training_log(lines: int = 3000) -> str:
    """A fine-tuning run's output as Trainer, tqdm and the Hub libraries print it (seeded)."""
    rng = random.Random(7)
    sha = "".join(rng.choice("0123456789abcdef") for _ in range(40))
    out = [f"Downloading shards: 100%|██████████| 2/2 [00:41<00:00, 20.5s/it]",
           f"loading weights file model.safetensors from cache at /root/.cache/huggingface/hub/models--meta-llama--"
           f"Llama-3.2-1B/snapshots/{sha}/model.safetensors", "wandb: Tracking run with wandb version 0.19.1",
           f"wandb: Run data is saved locally in /content/wandb/run-20261207_101112-{sha[:8]}"]
    for step in range(1, lines):
        if step % 50 == 0:
            out.append(str({"loss": round(rng.uniform(0.5, 3), 4), "grad_norm": round(rng.uniform(0.1, 9), 6),
                            "learning_rate": 2e-5 * (1 - step / lines), "epoch": round(step / 1000, 2)}))
        else:
            done = step * 100 // lines
            bar = "█" * (done // 10) + "▍" * (done % 10 > 4) + " " * (10 - done // 10 - (done % 10 > 4))
            out.append(f"\r {done:3d}%|{bar}| {step}/{lines} [{step // 120:02d}:{step % 60:02d}<{(lines - step) // 120:02d}:"
                       f"{(lines - step) % 60:02d},  {rng.uniform(1, 3):.2f}it/s]")
    out.append("Saving model checkpoint to ./out/checkpoint-3000\nhf_transfer not installed; set HF_HUB_ENABLE_HF_TRANSFER=1 "
               "after `pip install hf_transfer` for faster uploads")
    return "\n".join(out) + "\n"


@pytest.fixture(scope="module")
def corpus() -> dict[str, str]:
    import huggingface_hub

    package = pathlib.Path(huggingface_hub.__file__).parent
    texts = {
        "pip freeze": subprocess.run([sys.executable, "-m", "pip", "freeze"], capture_output=True, text=True).stdout,
        "model card template": (package / "templates" / "modelcard_template.md").read_text(),
        "dataset card template": (package / "templates" / "datasetcard_template.md").read_text(),
        "training log": training_log(),
        "git log": subprocess.run(["git", "log", "-n", "400", "--stat"], capture_output=True, text=True,
                                  cwd=pathlib.Path(__file__).parent).stdout,
        "python docs": "".join(pydoc.render_doc(name, renderer=pydoc.plaintext) for name in MODULES),
        "huggingface_hub source": "".join(path.read_text() for path in sorted(package.rglob("*.py"))),
    }
    assert all(len(text) > 1000 for text in texts.values()), {name: len(text) for name, text in texts.items()}
    return texts


def test_ordinary_output_arrives_exactly_as_written(corpus, tmp_path):
    km, kc = start_kernel(str(tmp_path), env={"HF_HOME": str(tmp_path / "hf"), "HF_ENDPOINT": "http://127.0.0.1:9"},
                          python=True)
    try:
        differences = {}
        for name, text in corpus.items():
            path = tmp_path / (name.replace(" ", "-") + ".txt")
            path.write_text(text)
            reply, iopub = run_cell(kc, f"print(open({str(path)!r}, newline='').read(), end='')", timeout=120)
            assert reply["content"]["status"] == "ok", reply["content"]
            shown = stream_text(iopub)
            if shown != text:
                at = next(i for i, (a, b) in enumerate(zip(shown, text)) if a != b) if shown[:len(text)] != text else len(text)
                differences[name] = f"{len(text)} bytes; first difference at {at}: {text[max(0, at - 40):at + 40]!r}"
    finally:
        stop_kernel(km, kc)
    total = sum(len(text) for text in corpus.values())
    assert total > 3_000_000, total
    assert not differences, f"false positives in {total} bytes of ordinary output: {differences}"


def test_the_scanner_finds_nothing_in_it(corpus, tmp_path):
    folder = tmp_path / "corpus"
    folder.mkdir()
    for name, text in corpus.items():
        (folder / (name.replace(" ", "-") + ".txt")).write_text(text)
    result = subprocess.run([hubkernel_bin(), "token-scan", str(folder), "--json"], capture_output=True, text=True,
                            env={**os.environ, "HF_HOME": str(tmp_path / "hf")}, timeout=120)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
