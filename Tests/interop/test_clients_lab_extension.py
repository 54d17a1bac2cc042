"""JupyterLab 4 in headless Chromium with the **default Python kernel** (a plain ipykernel, as on Colab, Kaggle or
VS Code) and `%load_ext hubkernel` (issue 27): a `%download` whose live bar is replaced in place through display ids,
and a token Python prints, masked by the extension's guard. Light and dark theme; screenshots for the README go to
docs/."""
from __future__ import annotations

import re

import pytest

from fixtures.clients import REPO
from fixtures.kernel import hubkernel_bin
from test_clients_lab import (CHROMIUM, assert_readable, lab, lab_page, run_cell, switch_to_dark,  # noqa: F401
                              watch_download)

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (scripts/setup installs it)")]
DOCS = REPO / "docs"
PYTHON_CARD = '.jp-LauncherCard[data-category="Notebook"][title="Python 3 (ipykernel)"]'


@pytest.fixture
def client_env(client_env, local_hub):
    """Lab's environment, plus what the extension needs from a source checkout (a wheel installs both next to it)
    and the user's token in HF_TOKEN, which the guard must mask."""
    return dict(client_env, PYTHONPATH=str(REPO / "python"), HUBKERNEL_BIN=hubkernel_bin(),
                HUBGUARD_LIB=str(REPO / ".build" / "release" / "libhubguard.so"), HF_TOKEN=local_hub.tokens["read"])


def test_lab_default_kernel_with_the_extension(lab, local_hub, tmp_path):  # noqa: F811
    from playwright.sync_api import expect

    token = local_hub.tokens["read"]
    local_hub.set_faults({"target": "cdn", "rate": 1_500_000, "count": None})  # seconds of live bar
    with lab_page({"width": 1300, "height": 900}, "lab-extension-failure.png") as page:
        page.goto(lab["url"])
        card = page.locator(PYTHON_CARD)
        expect(card).to_be_visible(timeout=60_000)
        card.click()
        expect(page.locator(".jp-StatusBar-TextItem", has_text="Python 3 (ipykernel) | Idle")).to_be_visible(timeout=60_000)
        cells = page.locator(".jp-Notebook .jp-Cell")
        run_cell(page, cells.nth(0), "%load_ext hubkernel")
        expect(cells.nth(0).locator(".jp-InputPrompt")).to_have_text("[1]:", timeout=30_000)
        for theme, first, revision in (("light", 1, "main"), ("dark", 3, "v1.0")):
            if theme == "dark":
                switch_to_dark(page)
            download, leak = cells.nth(first), cells.nth(first + 1)
            run_cell(page, download, f"%download demo/tiny-model model.safetensors --revision {revision}")
            # Half way: the live bar, for the README (then watch_download checks it is replaced in place until Done).
            expect(download.locator(".jp-OutputArea")).to_contain_text(re.compile(r"\b([3-8]\d)% ·"), timeout=60_000)
            download.screenshot(path=str(DOCS / f"lab-extension-download-{theme}.png"))
            watch_download(download, tmp_path / f"progress-{theme}.png")
            run_cell(page, leak, "import os\nprint('my token is', os.environ['HF_TOKEN'])")
            expect(leak.locator(".jp-OutputArea")).to_contain_text("my token is hf_****", timeout=30_000)
            shown = page.locator(".jp-Notebook").inner_text()
            assert token not in shown, "the guard masked the printed token"
            assert_readable(download, ".jp-OutputArea-output", f"download result ({theme})")
            top, bottom = download.bounding_box(), leak.bounding_box()
            page.screenshot(path=str(DOCS / f"lab-extension-{theme}.png"), clip={
                "x": top["x"], "y": top["y"], "width": top["width"], "height": bottom["y"] + bottom["height"] - top["y"]})
