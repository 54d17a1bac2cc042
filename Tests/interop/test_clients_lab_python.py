"""JupyterLab 4 in headless Chromium with the hosted Python (issue 18): a cell that downloads with `%download` and
then loads the downloaded safetensors file in Python (`local_files_only=True`), and a `tqdm.auto` bar — the kind
huggingface_hub's own progress bars are — that renders as an ipywidget and is found again after a page reload
(Lab's `comm_info_request`). Light and dark theme; screenshots for the README go to docs/."""
from __future__ import annotations


import pytest

from fixtures.clients import REPO
from test_clients_lab import (CHROMIUM, assert_readable, lab, lab_page, launcher_card,  # noqa: F401
                              open_notebook, run_cell, switch_to_dark, wait_until_idle)

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (scripts/setup installs it)")]
DOCS = REPO / "docs"
LOAD = ("%download demo/tiny-model model.safetensors\n"
        "from huggingface_hub import hf_hub_download\n"
        "from safetensors.numpy import load_file\n"
        "path = hf_hub_download('demo/tiny-model', 'model.safetensors', local_files_only=True)\n"
        "{name: (t.dtype.name, t.shape) for name, t in load_file(path).items()}")
BAR = "import time\nfrom tqdm.auto import tqdm\nfor _ in tqdm(range(40), desc='layers'): time.sleep(0.02)"
WIDGET = ".jp-OutputArea .widget-hprogress"


def test_lab_download_then_python_and_a_tqdm_widget(lab, local_hub):  # noqa: F811
    from playwright.sync_api import expect

    with lab_page({"width": 1400, "height": 1000}, "lab-python-failure.png") as page:
        cells = open_notebook(page, launcher_card(page, lab["url"]))
        for theme, first in (("light", 0), ("dark", 2)):
            if theme == "dark":
                switch_to_dark(page)
            load, bar = cells.nth(first), cells.nth(first + 1)
            run_cell(page, load, LOAD)
            # The magic's result, then Python's: the tensor the file holds (one uint8 tensor in the sample).
            expect(load.locator(".jp-OutputArea")).to_contain_text("models--demo--tiny-model/snapshots/", timeout=60_000)
            expect(load.locator(".jp-OutputArea")).to_contain_text("'uint8'", timeout=60_000)
            assert "Error" not in load.locator(".jp-OutputArea").inner_text()
            run_cell(page, bar, BAR)
            expect(bar.locator(WIDGET)).to_be_visible(timeout=60_000)
            expect(bar.locator(".jp-OutputArea")).to_contain_text("40/40", timeout=60_000)
            assert "IProgress not found" not in bar.locator(".jp-OutputArea").inner_text(), "a widget, not text"
            assert_readable(load, ".jp-OutputArea-output pre", f"Python result ({theme})")
            top, bottom = load.bounding_box(), bar.bounding_box()
            page.screenshot(path=str(DOCS / f"lab-python-{theme}.png"), clip={
                "x": top["x"], "y": top["y"], "width": top["width"],
                "height": bottom["y"] + bottom["height"] - top["y"]})

        # Saved and reloaded: Lab asks the kernel which comms are open and draws the bars again from them.
        page.keyboard.press("Control+s")
        page.get_by_role("button", name="Rename and Save").click()  # Lab 4 asks for a name on the first save
        expect(page.locator(".jp-mod-dirty")).to_have_count(0, timeout=30_000)
        page.reload()
        wait_until_idle(page)
        expect(page.locator(".jp-Notebook .jp-Cell").nth(1).locator(WIDGET)).to_be_visible(timeout=60_000)
        expect(page.locator(".jp-Notebook " + WIDGET)).to_have_count(2, timeout=30_000)
