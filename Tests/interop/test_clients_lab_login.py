"""JupyterLab 4 in headless Chromium: %hf_login through the browser. The first tab shows the link and the code; the
test opens the link in a second tab, clicks Authorize on the local Hub's verification page, and the first tab's
display turns into "Logged in as …" in place. Screenshots of both states for the README."""
from __future__ import annotations

import pytest

from test_clients_lab import (CHROMIUM, SCREENSHOTS, lab, lab_page, launcher_card,  # noqa: F401 (lab is a fixture)
                              open_notebook, run_cell)

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (scripts/setup installs it)")]


def test_lab_browser_login_second_tab_authorize(lab, local_hub):  # noqa: F811
    from playwright.sync_api import expect

    local_hub.oauth(interval=1)
    with lab_page({"width": 1200, "height": 800}, "lab-login-failure.png") as page:
        cell = open_notebook(page, launcher_card(page, lab["url"])).nth(0)
        run_cell(page, cell, "%hf_login")

        link = cell.locator(".hubkernel-login a")
        expect(link).to_be_visible(timeout=30_000)
        code = cell.locator(".hubkernel-login-code").inner_text().strip()
        pending = [d["user_code"] for d in local_hub.oauth_state()["device_codes"] if d["state"] == "pending"]
        assert code in pending, (code, pending)
        expect(cell.locator(".hubkernel-login-status")).to_contain_text("waiting for approval · expires in")
        assert link.get_attribute("target") == "_blank"
        cell.screenshot(path=str(SCREENSHOTS / "lab-login-waiting.png"))

        with page.context.expect_page() as opened:  # the user clicks the link: a second tab
            link.click()
        verification = opened.value
        verification.wait_for_load_state()
        expect(verification.locator("#user-code")).to_have_text(code)
        verification.screenshot(path=str(SCREENSHOTS / "lab-login-verification.png"))
        verification.locator("#authorize").click()
        expect(verification.locator("#message")).to_contain_text("Device authorized")

        expect(cell.locator(".hubkernel-login")).to_have_text(
            "Logged in as alice (token oauth-alice) · refreshed automatically before it expires", timeout=30_000)
        assert cell.locator(".hubkernel-login").count() == 1, "the display was replaced in place, not appended"
        page.bring_to_front()
        cell.screenshot(path=str(SCREENSHOTS / "lab-login-done.png"))
        stored = (lab["root"].parent / "hf_home" / "stored_tokens").read_text()
        token = next(line.split(" = ")[1] for line in stored.splitlines() if line.startswith("hf_token"))
        assert token not in page.content()
