"""JupyterLab 4's debugger in headless Chromium on the Python HubKernel hosts (issue 28): the bug icon is there, a
breakpoint set in a cell's gutter is hit, the call stack names the function, and the variables panel shows its
locals — a token among them masked. Light and dark theme; screenshots for the README go to docs/."""
from __future__ import annotations

import pytest

from fixtures.clients import REPO
from leak_paths import make_tokens
from test_clients_lab import (CHROMIUM, lab, lab_page, launcher_card, open_notebook, switch_to_dark,  # noqa: F401
                              wait_until_idle)

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (scripts/setup installs it)")]
DOCS = REPO / "docs"
TOKEN = make_tokens()["unknown_digits"]
# The token is read from a file in Python: only what the debugger shows can carry it to the page.
CODE = ("def greet(name):\n"
        "    secret = open('token.txt').read()\n"
        "    message = 'hello ' + name\n"
        "    return message\n"
        "\n"
        "greet('lab')")
BREAKPOINT_LINE = 4  # return message


def test_lab_debugger_stops_at_a_breakpoint_and_shows_variables_masked(lab):  # noqa: F811
    from playwright.sync_api import expect

    (lab["root"] / "token.txt").write_text(TOKEN.value)
    with lab_page({"width": 1500, "height": 950}, "lab-debugger-failure.png") as page:
        cells = open_notebook(page, launcher_card(page, lab["url"]))
        bug = page.locator(".jp-DebuggerBugButton")
        expect(bug).to_be_visible(timeout=30_000)
        bug.click()
        expect(bug).to_have_attribute("aria-pressed", "true", timeout=30_000)
        for theme, index in (("light", 0), ("dark", 1)):
            if theme == "dark":
                switch_to_dark(page)
            cell = cells.nth(index)
            cell.locator(".cm-content").click()
            page.keyboard.insert_text(CODE)
            # The breakpoint gutter shows once the debugger's session with Python started.
            gutter = cell.locator(".cm-breakpoint-gutter .cm-gutterElement").nth(BREAKPOINT_LINE)
            expect(gutter).to_be_visible(timeout=60_000)
            gutter.click()
            expect(cell.locator(".cm-breakpoint-gutter .cm-gutterElement").nth(BREAKPOINT_LINE).locator("*")).not_to_have_count(0)
            page.keyboard.press("Shift+Enter")
            # Stopped: the call stack names the function, the variables panel its locals.
            expect(page.locator(".jp-DebuggerCallstackFrame-name", has_text="greet")).to_be_visible(timeout=60_000)
            variables = page.locator(".jp-DebuggerVariables")
            expect(variables).to_contain_text("message", timeout=30_000)
            expect(variables).to_contain_text("hello lab", timeout=30_000)
            expect(variables).to_contain_text(TOKEN.mask, timeout=30_000)
            assert TOKEN.value not in page.content(), "the token reached the page whole"
            page.screenshot(path=str(DOCS / f"lab-debugger-{theme}.png"))
            page.locator("button[title^='Continue']").first.click()
            expect(cell.locator(".jp-OutputArea")).to_contain_text("hello lab", timeout=60_000)
            wait_until_idle(page)
