"""A download that goes on from an earlier run's partial file (issue 20): the live display's rate and time left come
from this run's bytes over the last seconds, not from the kept ones, and the result says where it resumed and how
much arrived — in a notebook and in the terminal."""
from __future__ import annotations

import hashlib
import re
import subprocess
from datetime import datetime
from pathlib import Path

from fixtures.kernel import hubkernel_bin, run_cell

REPO, MODEL = "demo/tiny-model", "model.safetensors"
KEPT = 5_500_000
RATE = 3_000_000  # bytes per second: the ~7.1 MB left take ~2.4 s
SPEED = re.compile(r", ([\d.]+) MB/s")
LEFT = re.compile(r", (\d+) s left")


def leave_partial(local_hub, cache: Path) -> int:
    """What an interrupted run leaves: the first KEPT bytes as `<etag>.incomplete`; returns the file's size."""
    data = local_hub.source(REPO, MODEL).read_bytes()
    blobs = cache / "models--demo--tiny-model" / "blobs"
    blobs.mkdir(parents=True)
    (blobs / f"{hashlib.sha256(data).hexdigest()}.incomplete").write_bytes(data[:KEPT])
    return len(data)


def shown_at(message: dict) -> float:
    date = message["header"]["date"]
    return (date if isinstance(date, datetime) else datetime.fromisoformat(date)).timestamp()


def test_notebook_progress_after_a_resume_counts_only_this_runs_bytes(local_hub, hf_env, start_hubkernel, tmp_path):
    env = dict(hf_env, HF_HUB_CACHE=str(tmp_path / "cache"))
    size = leave_partial(local_hub, tmp_path / "cache")
    _, kc = start_hubkernel(env=env)
    with local_hub.faults({"target": "cdn", "path": f"*{MODEL}", "rate": RATE}):
        reply, iopub = run_cell(kc, f"%download {REPO} {MODEL}", timeout=60)
    assert reply["content"]["status"] == "ok", reply["content"]
    displays = [(shown_at(m), m["content"]["data"]["text/plain"]) for m in iopub
                if m["msg_type"] in ("display_data", "update_display_data")]
    done_at, done = displays[-1]
    left_mb = (size - KEPT) / 1e6
    assert f"resumed at 5.5 MB, {left_mb:.1f} MB downloaded" in done, done
    first_byte = next(at for at, text in displays if "resumed at" in text)
    steady = [(at, text) for at, text in displays[:-1] if at - first_byte > 1.0]
    assert steady, f"the download took over a second: {displays}"
    for at, text in steady:
        assert "(resumed at 5.5 MB)" in text, text
        speed = float(SPEED.search(text).group(1)) * 1e6
        assert 0.6 * RATE < speed < 1.2 * RATE, f"the link gives {RATE} B/s, the display said {text!r}"
        if left := LEFT.search(text):
            assert abs(int(left.group(1)) - (done_at - at)) <= 1.5, f"{text!r} {done_at - at:.1f} s before the end"


def test_terminal_result_after_a_resume_says_where_it_resumed(local_hub, hf_env, tmp_path):
    env = dict(hf_env, HF_HUB_CACHE=str(tmp_path / "cache"))
    size = leave_partial(local_hub, tmp_path / "cache")
    result = subprocess.run([hubkernel_bin(), "download", REPO, MODEL], env=env, capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stderr
    assert f"1 downloaded (resumed at 5.5 MB, {(size - KEPT) / 1e6:.1f} MB downloaded)" in result.stderr, result.stderr
