"""JupyterLab 4 in headless Chromium, as a new user meets HubKernel (issue 20): the getting-started `%help`, a
download resumed from an earlier run's partial file, whose live display says where it resumed and how fast this run
goes, `%doctor`'s table with a fix column, and Shift-Tab help — in the light and the dark theme. Screenshots for the
README go to docs/."""
from __future__ import annotations

import re
import time

import pytest

from fixtures.clients import REPO
from test_clients_lab import (CHROMIUM, SCREENSHOTS, assert_readable, lab, lab_page, launcher_card,  # noqa: F401
                              open_notebook, run_cell, switch_to_dark)
from test_clients_resumed_progress import KEPT, MODEL, leave_partial

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (scripts/setup installs it)")]
DOCS = REPO / "docs"
RATE = 2_000_000  # bytes per second: the ~7.1 MB after the kept 5.5 MB take ~3.5 s
LIVE = re.compile(r"\(resumed at 5\.5 MB\), ([\d.]+) MB/s, (\d+) s left")


def watch_resumed(cell, screenshot) -> str:
    """Waits for the resumed download's display to say Done; photographs it once this run's rate has settled (over a
    second in), checking every state it reads on the way. Returns the final text."""
    from playwright.sync_api import expect

    expect(cell.locator("progress")).to_be_attached(timeout=30_000)
    first, shot, deadline = None, False, time.monotonic() + 60
    while time.monotonic() < deadline:
        text = cell.locator(".jp-OutputArea").inner_text()
        if "Done" in text:
            return text
        if live := LIVE.search(text):
            first = first or time.monotonic()
            if time.monotonic() - first > 1.2:
                speed = float(live.group(1)) * 1e6
                assert 0.6 * RATE < speed < 1.2 * RATE, f"the link gives {RATE} B/s, Lab shows {text!r}"
                if not shot:
                    cell.screenshot(path=str(screenshot))
                    shot = True
        time.sleep(0.1)
    raise AssertionError(f"no Done in time; last state: {cell.locator('.jp-OutputArea').inner_text()!r}")


def column_widths(table) -> list[float]:
    """The rendered width of each column of `table`'s first body row, in pixels."""
    return table.evaluate("table => [...table.querySelector('tbody tr').children].map(cell => cell.getBoundingClientRect().width)")


def check_doctor_layout(page, cell) -> None:
    """`%doctor` with a fix to show, in a narrow notebook (issue 20): each fix sits under its detail instead of in a
    fourth column that squeezed the detail, and the table fits the output area."""
    from playwright.sync_api import expect

    table = cell.locator(".jp-OutputArea table")
    expect(table).to_contain_text("Access to demo/gated-model", timeout=30_000)
    assert table.locator("th").all_inner_texts() == ["result", "check", "detail"]
    failed = table.locator("tr", has_text="Access to demo/gated-model").locator("td").nth(2)
    assert re.search(r"needs a token.*\n\s*Fix: Log in with %hf_login", failed.inner_text(), re.S), failed.inner_text()
    widths = column_widths(table)
    em = table.evaluate("table => parseFloat(getComputedStyle(table).fontSize)")
    assert widths[2] >= 16 * em, f"detail {widths[2]:.0f}px of {widths}"
    overflow = table.evaluate("table => table.getBoundingClientRect().right"
                              " - table.closest('.jp-OutputArea-output').getBoundingClientRect().right")
    assert overflow <= 1, f"the table is {overflow}px wider than the output area"


def check_shift_tab(page, cell):
    """Shift-Tab on a magic shows its help with HubKernel's own line breaks: the browser breaks none of them (no
    `--⏎revision`), and `[--revision R]` reads whole."""
    from playwright.sync_api import expect

    cell.locator(".cm-content").click()
    page.keyboard.type("%download demo/tiny-model")
    page.keyboard.press("Home")
    page.keyboard.press("Shift+Tab")
    tooltip = page.locator(".jp-Tooltip")
    expect(tooltip).to_contain_text("Usage: %download REPO", timeout=30_000)
    pre = tooltip.locator("pre")
    text = pre.inner_text()
    assert "[--revision R]" in text, text
    lines = pre.evaluate("""pre => {
        const range = document.createRange();
        range.selectNodeContents(pre);
        const tops = [...range.getClientRects()].map(rect => rect.top).sort((a, b) => a - b);
        return tops.filter((top, i) => i === 0 || top - tops[i - 1] > 4).length;  // "…" comes in its own font's box
    }""")
    written = text.rstrip("\n").split("\n")  # an empty line has a box of its own too
    assert lines == len(written), f"{lines} rendered lines for the {len(written)} written:\n{text}"
    return tooltip  # for its screenshot


def test_lab_help_and_a_resumed_download_in_both_themes(lab, local_hub):  # noqa: F811
    from playwright.sync_api import expect

    throttle = {"target": "cdn", "path": f"*{MODEL}", "rate": RATE}
    with lab_page({"width": 1400, "height": 1800}, "lab-help-failure.png") as page:  # the whole %help page in view
        cells = open_notebook(page, launcher_card(page, lab["url"]))
        for theme, first in (("light", 0), ("dark", 4)):
            if theme == "dark":
                switch_to_dark(page)
            help_cell, download_cell = cells.nth(first), cells.nth(first + 1)
            run_cell(page, help_cell, "%help")
            expect(help_cell.locator(".jp-OutputArea")).to_contain_text("Magics by task", timeout=30_000)
            expect(help_cell.locator(".jp-OutputArea ol li")).to_have_count(6)
            assert_readable(help_cell, "li, td, th", f"help page ({theme})")
            help_cell.screenshot(path=str(DOCS / f"lab-help-{theme}.png"))

            cache = f"cache-{theme}"  # beside the notebook: the kernel's working folder, a short line on screen
            size = leave_partial(local_hub, lab["root"] / cache)
            with local_hub.faults(throttle):
                run_cell(page, download_cell, f"%download demo/tiny-model {MODEL} --cache-dir {cache}")
                done = watch_resumed(download_cell, DOCS / f"lab-resumed-download-{theme}.png")
            assert f"resumed at 5.5 MB, {(size - KEPT) / 1e6:.1f} MB downloaded" in done, done
            assert_readable(download_cell, ".hubkernel-progress", f"resumed download ({theme})")

            doctor_cell, typing_cell = cells.nth(first + 2), cells.nth(first + 3)
            page.set_viewport_size({"width": 1000, "height": 1800})  # a laptop's notebook beside the file browser
            run_cell(page, doctor_cell, "%doctor --repo demo/gated-model")
            check_doctor_layout(page, doctor_cell)
            assert_readable(doctor_cell, "td, th", f"doctor table ({theme})")
            doctor_cell.screenshot(path=str(DOCS / f"lab-doctor-{theme}.png"))
            page.set_viewport_size({"width": 1400, "height": 1800})
            check_shift_tab(page, typing_cell).screenshot(path=str(SCREENSHOTS / f"lab-shift-tab-{theme}.png"))
            typing_cell.locator(".cm-content").click()  # back in the editor: the tooltip closes, the cell runs
            page.keyboard.press("Control+a")
            page.keyboard.type("%echo next")
            page.keyboard.press("Shift+Enter")
            expect(typing_cell.locator(".jp-OutputArea")).to_contain_text("next", timeout=30_000)
