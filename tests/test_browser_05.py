"""Notebook 05 runs in JupyterLab 4 in headless Chromium, and its generalisation explorer draws and responds.

Open the notebook, clear its stored outputs, Run All Cells, wait for the kernel
to go idle; then no cell may show an error or stderr, no widget may fail to
display, the explorer must have drawn its figure, and pressing ArrowRight on
its epochs slider must retrain and redraw it. Run with ``pytest -m browser``;
the fixtures (server, Chromium) are in conftest.py.
"""

from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

NOTEBOOK = "05_generalisation.ipynb"
EXPLORER = ".cu-generalisation-explorer"
SCREENSHOTS = Path(__file__).parent / "screenshots"
RUN_TIMEOUT_MS = 240_000
ERROR_OUTPUTS = (
    '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"], '
    '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.error"], '
    '.jp-RenderedText[data-mime-type="application/vnd.jupyter.error"]'
)
# True once the kernel is idle and every code cell either ran or was left behind by an error.
FINISHED = """() => {
    const status = document.querySelector('.jp-Notebook-ExecutionIndicator')?.dataset.status;
    const prompts = [...document.querySelectorAll('.jp-CodeCell .jp-InputPrompt')].map(p => p.textContent.trim());
    if (status !== 'idle' || prompts.length === 0 || prompts.some(p => p.includes('*'))) return false;
    return document.querySelector('%s') !== null || prompts.every(p => /^\\[\\d+\\]:$/.test(p));
}""" % ERROR_OUTPUTS
DRAWN = "img => img.complete && img.naturalWidth > 0 && /^(blob|data):/.test(img.src)"


def menu(page, top, item):
    page.get_by_role("menuitem", name=top, exact=True).click()
    page.get_by_role("menuitem", name=item, exact=True).click()


def open_and_run_all(page, lab_server):
    page.goto(f"{lab_server.url}/lab/tree/{NOTEBOOK}?reset&token={lab_server.token}")
    page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=60_000)
    dialog = page.locator(".jp-Dialog")
    try:                      # a kernel-choice dialog, if JupyterLab asks
        dialog.wait_for(timeout=2_000)
        dialog.locator(".jp-Dialog-button.jp-mod-accept").click()
    except Exception:         # playwright's TimeoutError: no dialog, the usual case
        pass
    page.wait_for_selector('.jp-Notebook-ExecutionIndicator[data-status="idle"]', timeout=60_000)
    menu(page, "Edit", "Clear Outputs of All Cells")
    page.wait_for_function("() => !document.querySelector('.jp-Notebook .jp-OutputArea-output')")
    menu(page, "Run", "Run All Cells")
    page.wait_for_function(FINISHED, timeout=RUN_TIMEOUT_MS, polling=250)


def test_notebook_05_runs_and_its_explorer_responds(browser, lab_server, page):
    if not (lab_server.root / NOTEBOOK).exists():
        pytest.skip(f"{NOTEBOOK} is not in the served notebooks folder")
    try:
        open_and_run_all(page, lab_server)
        errors = page.locator(ERROR_OUTPUTS)
        assert errors.count() == 0, "error output:\n" + "\n---\n".join(errors.all_inner_texts())
        prompts = page.locator(".jp-CodeCell .jp-InputPrompt").all_inner_texts()
        assert prompts == [f"[{i}]:" for i in range(1, len(prompts) + 1)], f"cells did not all run in order: {prompts}"
        text = page.locator(".jp-Notebook").inner_text()
        for failure in ("Error displaying widget", "model not found"):
            assert failure not in text, f"a widget failed to display ({failure})"

        explorer = page.locator(EXPLORER)
        assert explorer.count() == 1, "notebook 05 shows no generalisation explorer"
        image = explorer.locator("img").first
        page.wait_for_function(DRAWN, arg=image.element_handle(), timeout=30_000)
        assert "Could not draw" not in explorer.inner_text()
        assert "best validation" in explorer.inner_text()      # the table of numbers under the figure

        readout = explorer.locator(".cu-control-epochs .widget-readout")
        before_src, before_value = image.get_attribute("src"), readout.inner_text()
        explorer.locator(".cu-control-epochs .noUi-handle").focus()
        page.keyboard.press("ArrowRight")
        # Every redraw puts a new <img> in the page: look it up afresh until its picture differs and has loaded.
        page.wait_for_function(f"([before]) => {{ const img = document.querySelector('{EXPLORER} img'); "
                               f"return img && img.src !== before && ({DRAWN})(img); }}",
                               arg=[before_src], timeout=60_000)
        assert int(readout.inner_text()) == int(before_value) + 20      # one step of the epochs slider
        alt = explorer.locator("img").first.get_attribute("alt")
        assert f"in {int(before_value) + 20} epochs" in alt, alt        # the description follows the figure
        assert "Could not draw" not in explorer.inner_text()
        SCREENSHOTS.mkdir(exist_ok=True)
        explorer.scroll_into_view_if_needed()
        page.screenshot(path=str(SCREENSHOTS / "05_generalisation_explorer.png"))
    finally:
        lab_server.shutdown_kernels()
