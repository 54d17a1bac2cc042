"""What a notebook shows while a download is slow: the live display must reflect the bytes already received while
the server stalls, not the state from before the stall (a frozen 0% reads as "nothing is happening"), and say
for how long no data has come."""
from __future__ import annotations

import re
from datetime import datetime

from fixtures.clients import cli_login
from fixtures.kernel import run_cell

STALL = 5.0  # well past the 3 s after which a display says the data stopped
PERCENT = re.compile(r" (\d+)% ")
NO_DATA = re.compile(r"no data for (\d+) s")


def shown_at(message: dict) -> float:
    date = message["header"]["date"]
    return (date if isinstance(date, datetime) else datetime.fromisoformat(date)).timestamp()


def test_display_shows_received_bytes_during_a_stall(local_hub, hf_env, start_hubkernel):
    cli_login(hf_env, local_hub.tokens["read"])
    _, kc = start_hubkernel(env=hf_env)
    # The 12 MiB weights file stops for STALL seconds after 4 MiB; the small files finish long before that.
    with local_hub.faults({"target": "cdn", "path": "*model.safetensors", "stall": STALL, "stall_at": 4 << 20}):
        reply, iopub = run_cell(kc, "%download demo/tiny-model", timeout=60)
    assert reply["content"]["status"] == "ok", reply["content"]
    displays = [m for m in iopub if m["msg_type"] in ("display_data", "update_display_data")]
    assert displays[-1]["content"]["data"]["text/plain"].startswith("Done"), "the display ends in its final state"
    first = shown_at(displays[0])
    during_stall = [(round(shown_at(m) - first, 2), m["content"]["data"]["text/plain"]) for m in displays
                    if shown_at(m) - first < STALL - 0.5]
    percents = [int(p.group(1)) for _, text in during_stall if (p := PERCENT.search(text))]
    assert any(0 < p < 100 for p in percents), f"while the server stalled the display showed only: {during_stall}"
    waits = [int(w.group(1)) for _, text in during_stall if (w := NO_DATA.search(text))]
    assert waits and waits == sorted(waits) and waits[-1] >= 3, f"the stall is named and counted: {during_stall}"
