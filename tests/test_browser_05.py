"""Notebook 05 runs in JupyterLab 4 in headless Chromium, and its generalisation explorer draws and responds.

Open the notebook, clear its stored outputs, Run All Cells, wait for the kernel
to go idle; then no cell may show an error or stderr, no widget may fail to
display, the explorer must have drawn its figure, and pressing ArrowRight on
its epochs slider must retrain and redraw it. Run with ``pytest -m browser``;
the fixtures (server, Chromium) are in conftest.py.
"""

import pytest

from test_browser import DRAWN, ERROR_OUTPUTS, SCREENSHOTS, open_notebook, run_all, wait_for_new_figure

pytestmark = pytest.mark.browser

NOTEBOOK = "05_generalisation.ipynb"
EXPLORER = ".cu-generalisation-explorer"


def test_notebook_05_runs_and_its_explorer_responds(browser, lab_server, page):
    if not (lab_server.root / NOTEBOOK).exists():
        pytest.skip(f"{NOTEBOOK} is not in the served notebooks folder")
    try:
        open_notebook(page, lab_server, NOTEBOOK)
        run_all(page)
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
        wait_for_new_figure(page, EXPLORER.lstrip("."), before_src)   # every redraw puts a new <img> in the page
        assert int(readout.inner_text()) == int(before_value) + 20      # one step of the epochs slider
        alt = explorer.locator("img").first.get_attribute("alt")
        assert f"in {int(before_value) + 20} epochs" in alt, alt        # the description follows the figure
        assert "Could not draw" not in explorer.inner_text()
        SCREENSHOTS.mkdir(exist_ok=True)
        explorer.scroll_into_view_if_needed()
        page.screenshot(path=str(SCREENSHOTS / "05_generalisation_explorer.png"))
    finally:
        lab_server.shutdown_kernels()
