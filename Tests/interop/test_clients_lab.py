"""JupyterLab 4 in headless Chromium drives HubKernel: the launcher card, %hf_login through Lab's password box,
%whoami, and %download with a progress display that updates in place; screenshots in light and dark themes."""
from __future__ import annotations

import contextlib
import json
import os
import pathlib
import re
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from browser.pixels import fill_contrast
from browser.readability import contrast_ratio
from fixtures.clients import REPO
from fixtures.kernel import hubkernel_bin

CHROMIUM = shutil.which("chromium")
pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (scripts/setup installs it)")]
SCREENSHOTS = REPO / "artifacts" / "screenshots"
# Flags that let Chromium run in this sandbox and keep it from calling any outside service.
CHROMIUM_ARGS = ["--no-sandbox", "--headless=new", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-default-apps", "--metrics-recording-only", "--no-pings"]


@contextlib.contextmanager
def lab_page(viewport: dict[str, int], failure: str):
    """A headless Chromium page of `viewport` size, in a context of its own (`page.context` opens more tabs). When
    the test fails inside, the whole page is photographed to SCREENSHOTS/`failure` first."""
    from playwright.sync_api import sync_playwright

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_context(viewport=viewport).new_page()
        try:
            yield page
        except Exception:
            page.screenshot(path=str(SCREENSHOTS / failure), full_page=True)
            raise
        finally:
            browser.close()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def lab(tmp_path, client_env):
    """A JupyterLab server on 127.0.0.1 with HubKernel installed by `hubkernel install --prefix`."""
    prefix = tmp_path / "prefix"
    installed = subprocess.run([hubkernel_bin(), "install", "--prefix", str(prefix)], capture_output=True, text=True)
    assert installed.returncode == 0, installed.stderr
    root = tmp_path / "notebooks"
    root.mkdir()
    port, token = free_port(), secrets.token_hex(16)
    # Answer "Jupyter news?" up front (Never) so no toast covers the screenshots and nothing asks the internet.
    settings = tmp_path / "lab-user-settings"
    notification = settings / "@jupyterlab" / "apputils-extension" / "notification.jupyterlab-settings"
    notification.parent.mkdir(parents=True)
    notification.write_text(json.dumps({"fetchNews": "false", "checkForUpdates": False}))
    env = dict(client_env, JUPYTER_PATH=str(prefix / "share" / "jupyter"), JUPYTERLAB_SETTINGS_DIR=str(settings))
    log = open(tmp_path / "lab.log", "w")
    process = subprocess.Popen(
        [sys.executable, "-m", "jupyter", "lab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
         f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}", "--ServerApp.open_browser=False",
         "--allow-root", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
         "--LabApp.extension_manager=readonly"],
        env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2)
            break
        except OSError:
            if time.monotonic() > deadline or process.poll() is not None:
                process.kill()
                raise AssertionError("JupyterLab did not start:\n" + (tmp_path / "lab.log").read_text()[-3000:])
            time.sleep(0.3)
    yield {"url": f"{base}/lab?token={token}", "root": root}
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()


def launcher_card(page, url: str):
    """Opens Lab at `url` and returns HubKernel's card in the launcher once it shows."""
    from playwright.sync_api import expect

    page.goto(url)
    card = page.locator('.jp-LauncherCard[data-category="Notebook"][title="HubKernel"]')
    expect(card).to_be_visible(timeout=60_000)
    return card


def wait_until_idle(page) -> None:
    """Waits until the status bar says the notebook's HubKernel is idle."""
    from playwright.sync_api import expect

    expect(page.locator(".jp-StatusBar-TextItem", has_text="HubKernel | Idle")).to_be_visible(timeout=60_000)


def open_notebook(page, card):
    """Clicks the launcher `card`, waits for the new notebook's kernel, and returns a locator of its cells."""
    card.click()
    wait_until_idle(page)
    return page.locator(".jp-Notebook .jp-Cell")


def switch_to_dark(page) -> None:
    """Settings → Theme → JupyterLab Dark, waiting until the dark theme is applied."""
    from playwright.sync_api import expect

    page.locator(".lm-MenuBar-item", has_text="Settings").click()
    page.locator(".lm-Menu-item").filter(has=page.locator(".lm-Menu-itemLabel", has_text=re.compile(r"^Theme$"))).hover()
    page.get_by_role("menuitem", name="JupyterLab Dark", exact=True).click()
    expect(page.locator("body[data-jp-theme-light='false']")).to_be_attached(timeout=30_000)
    expect(page.locator("#jupyterlab-splash")).to_have_count(0, timeout=30_000)


def run_cell(page, cell, code: str) -> None:
    """Types `code` into `cell` (a locator of a notebook cell), runs it with Shift+Enter, and waits until the
    kernel has taken it (the prompt shows `[*]` or a number)."""
    from playwright.sync_api import expect

    cell.locator(".cm-content").click()
    page.keyboard.type(code)
    page.keyboard.press("Shift+Enter")
    expect(cell.locator(".jp-InputPrompt")).not_to_have_text("[ ]:", timeout=30_000)


def output_text(cell) -> str:
    return cell.locator(".jp-OutputArea").inner_text()


PERCENT = re.compile(r"(\d+)% ·")


def watch_download(cell, screenshot: pathlib.Path) -> float:
    """Polls a running `%download` cell until its display says Done, checking the display is replaced in place and
    saving a screenshot of the cell at the furthest bar state below 100% it saw. Then measures the bar the kernel
    drew, as this theme paints it: returns the contrast ratio between its filled part and its track."""
    from playwright.sync_api import expect

    bar = cell.locator("progress")
    expect(bar).to_be_attached(timeout=30_000)
    bar_html = bar.evaluate("element => element.outerHTML")
    seen: set[str] = set()
    most_outputs = 0
    shot = -1
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        # one read of the DOM for both, so a result that lands between two reads is not counted as progress
        outputs, text = cell.locator(".jp-OutputArea").evaluate(
            "area => [area.querySelectorAll('.jp-OutputArea-output').length, area.innerText]")
        if "Done" in text:
            break
        most_outputs = max(most_outputs, outputs)
        percent = PERCENT.search(text)
        if percent and shot < int(percent.group(1)) < 100:
            cell.screenshot(path=str(screenshot))
            shot = int(percent.group(1))
        seen.add(text)
        time.sleep(0.05)
    expect(cell.locator(".jp-OutputArea")).to_contain_text("Done", timeout=5_000)
    seen.add(output_text(cell))
    assert shot >= 0, f"a progress state was on screen before Done: {seen}"
    assert most_outputs == 1, f"the progress display is replaced in place, not appended ({most_outputs} outputs)"
    assert cell.locator(".jp-OutputArea-output").count() == 2, "final display + the result (paths)"
    expect(cell.locator(".jp-OutputArea")).to_contain_text("snapshots/")
    return painted_bar_contrast(cell, bar_html)


# WCAG AA for normal text.
MIN_TEXT_CONTRAST = 4.5


def assert_readable(cell, selector: str, what: str) -> None:
    """Every element matching `selector` in `cell` has text that contrasts enough with what it is drawn on."""
    elements = cell.locator(selector)
    assert elements.count() > 0, f"nothing matches {selector} in the {what}"
    for index in range(elements.count()):
        ratio = contrast_ratio(elements.nth(index))
        assert ratio >= MIN_TEXT_CONTRAST, f"{what} #{index}: text contrast {ratio:.2f} < {MIN_TEXT_CONTRAST}"


def wrapped_cells(table, columns: tuple[int, ...]) -> list[str]:
    """Texts of the table's cells in the given 1-based columns that the browser laid out on more than one line."""
    selector = ", ".join(f"td:nth-child({n})" for n in columns)
    return table.evaluate("""(table, selector) => [...table.querySelectorAll(selector)].filter(cell => {
        const range = document.createRange();
        range.selectNodeContents(cell);
        const tallest = Math.max(...[...range.getClientRects()].map(rect => rect.height));
        return range.getBoundingClientRect().height > 1.5 * tallest;  // one rect per line (and per font run)
    }).map(cell => cell.textContent)""", selector)


def painted_bar_contrast(cell, bar_html: str) -> float:
    """Puts the kernel's own <progress> markup, set to 50%, back into the cell's rendered HTML output (same theme
    and CSS as the live one), photographs it, removes it, and returns the filled-vs-track contrast ratio."""
    probe = cell.locator(".jp-OutputArea .jp-RenderedHTMLCommon").first
    probe.evaluate("""(host, html) => {
        const holder = document.createElement('div');
        holder.className = 'hubkernel-test-probe';
        holder.innerHTML = html;
        holder.firstElementChild.max = 100;
        holder.firstElementChild.value = 50;
        host.appendChild(holder);
    }""", bar_html)
    try:
        png = cell.locator(".hubkernel-test-probe progress").screenshot()
    finally:
        probe.evaluate("host => host.querySelector('.hubkernel-test-probe').remove()")
    return fill_contrast(50, png)


def test_lab_login_whoami_and_live_download(lab, local_hub):
    from playwright.sync_api import expect

    token = local_hub.tokens["read"]
    with lab_page({"width": 1400, "height": 1000}, "lab-failure.png") as page:
        card = launcher_card(page, lab["url"])
        logo = card.locator("img")
        assert logo.count() == 1, "the launcher card shows the kernelspec's logo (Lab draws a letter without one)"
        assert logo.evaluate("img => img.complete && img.naturalWidth") == 64, "logo-64x64.png loaded"
        cells = open_notebook(page, card)

        run_cell(page, cells.nth(0), "%hf_login --paste --name lab")
        password = page.locator(".jp-Stdin input[type='password']")
        expect(password).to_be_visible(timeout=30_000)
        password.fill(token)
        password.press("Enter")
        expect(cells.nth(0).locator(".jp-OutputArea")).to_contain_text("Login successful", timeout=30_000)

        # Lab's own completer: Tab after "%whoa" sends complete_request; the popup offers %whoami; choosing it inserts it
        cells.nth(1).locator(".cm-content").click()
        page.keyboard.type("%whoa")
        expect(cells.nth(1).locator(".jp-InputArea-editor")).to_have_class(re.compile("jp-mod-completer-enabled"))
        # Accepted with Enter, as a keyboard user does. In about 1 run of 3 Lab shows the popup with the kernel's
        # item, active, on an editor marked jp-mod-completer-active, and still takes the Enter as a newline (its
        # completer is reset between the two; Playwright's click on the item failed the same way). The kernel's
        # part, the offered item, is checked on every try; Lab's insertion is given three tries, as a user would
        # delete the newline and press Tab again.
        editor = cells.nth(1).locator(".cm-content")
        for attempt in range(3):
            page.keyboard.press("Tab")
            expect(page.locator(".jp-Completer-item")).to_have_text(["%whoami"], timeout=10_000)
            expect(page.locator(".jp-Completer-item.jp-mod-active")).to_have_text("%whoami")
            page.keyboard.press("Enter")
            try:
                expect(editor).to_have_text("%whoami", timeout=3_000)
                break
            except AssertionError:
                page.keyboard.press("Backspace")  # the newline Lab typed instead
                expect(editor).to_have_text("%whoa")
        else:
            raise AssertionError("Lab did not insert the offered %whoami in 3 tries")
        page.keyboard.press("Shift+Enter")
        expect(cells.nth(1).locator(".jp-OutputArea")).to_contain_text("alice", timeout=30_000)
        expect(cells.nth(1).locator(".jp-OutputArea table")).to_be_visible()
        assert_readable(cells.nth(1), "td, th", "whoami table (light)")

        # Hold the 12 MiB weights file at 4 MiB for a moment so the live display is seen part-way.
        stall = {"target": "cdn", "stall": 1.5, "stall_at": 4 << 20}
        with local_hub.faults(stall):
            run_cell(page, cells.nth(2), "%download demo/tiny-model")
            light_contrast = watch_download(cells.nth(2), SCREENSHOTS / "lab-progress-light.png")
        assert_readable(cells.nth(2), ".hubkernel-progress", "download result (light)")
        page.screenshot(path=str(SCREENSHOTS / "lab-light.png"), full_page=True)

        switch_to_dark(page)
        with local_hub.faults(stall):
            run_cell(page, cells.nth(3), "%download demo/tiny-model --force-download")
            dark_contrast = watch_download(cells.nth(3), SCREENSHOTS / "lab-progress-dark.png")
        run_cell(page, cells.nth(4), "%cache ls")
        expect(cells.nth(4).locator(".jp-OutputArea table")).to_contain_text("demo/tiny-model", timeout=30_000)
        page.screenshot(path=str(SCREENSHOTS / "lab-dark.png"), full_page=True)
        cells.nth(4).screenshot(path=str(SCREENSHOTS / "lab-dark-cache-ls.png"))  # the notebook scrolls inside
        run_cell(page, cells.nth(5), "%doctor")
        expect(cells.nth(5).locator(".jp-OutputArea table")).to_contain_text("Hub reachable", timeout=30_000)
        cells.nth(5).screenshot(path=str(SCREENSHOTS / "lab-dark-doctor.png"))
        # Short cells read on one line (Lab's table-layout:fixed once broke "✓ pass" under "result").
        assert wrapped_cells(cells.nth(5).locator("table"), columns=(1, 2)) == []
        for index, what in ((1, "whoami table"), (4, "cache ls table"), (5, "doctor table")):
            assert_readable(cells.nth(index), "td, th", what + " (dark)")
        assert_readable(cells.nth(3), ".hubkernel-progress", "download result (dark)")
        # WCAG asks 3:1 for the parts of a graphic needed to understand it: the filled part against the track.
        assert light_contrast >= 3 and dark_contrast >= 3, f"bar contrast light {light_contrast:.2f}, dark {dark_contrast:.2f}"

        page.locator(".jp-NotebookPanel-toolbar [data-command='docmanager:save']").click()
        page.get_by_role("button", name="Rename and Save").click()  # Lab asks for a name on first save
        saved = lab["root"] / "Untitled.ipynb"
        deadline = time.monotonic() + 20
        while not (saved.exists() and "Done" in saved.read_text()) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert token not in page.content(), "the token never reaches the page"

    notebook = json.loads(saved.read_text())
    # Lab saves the kernel's kernel_info language_info and the kernelspec it ran on into the notebook: the hosted
    # Python's (the client venv has ipykernel), so Lab highlights Python and shows % lines as IPython magics.
    language = notebook["metadata"]["language_info"]
    assert (language["name"], language["mimetype"], language["file_extension"]) == ("python", "text/x-python", ".py"), language
    assert notebook["metadata"]["kernelspec"]["display_name"] == "HubKernel", notebook["metadata"]
    assert token not in saved.read_text()
    for index in (2, 3):
        outputs = notebook["cells"][index]["outputs"]
        displays = [o for o in outputs if o["output_type"] == "display_data"]
        assert len(displays) == 1 and "".join(displays[0]["data"]["text/plain"]).startswith("Done"), outputs
