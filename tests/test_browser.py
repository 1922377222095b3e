"""Every notebook runs in JupyterLab 4 in headless Chromium, and its explorer renders and responds.

For each notebook: open it, clear the stored outputs, Run All Cells, wait for
the kernel to go idle, then check that no cell shows an error or stderr, that
no widget failed to display, and that the notebook's explorer drew its
figure, with slider tracks at least 350 px wide. In notebook 03 the training
explorer is driven to a diverging learning rate: its table must print no
number longer than 12 characters and its y-range must hold the finite part of
the run. In notebook 04 the width-sweep explorer's epochs slider and a width
checkbox are moved with the keyboard and the figure must change. A screenshot of each notebook's
explorer goes to tests/screenshots/ (git-ignored).

Run just these with ``pytest -m browser``; ``--notebooks-dir DIR`` points them
at another folder of notebooks (the fixtures are in conftest.py).
"""

import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

# Which explorer each notebook shows, by the notebook's number (its CSS class in the page).
EXPLORERS = {
    "01": "cu-dataset-explorer",
    "02": "cu-output-explorer",
    "03": "cu-training-explorer",
    "04": "cu-width-sweep-explorer",
    "05": "cu-generalisation-explorer",
}
SCREENSHOTS = Path(__file__).parent / "screenshots"
RUN_TIMEOUT_MS = 180_000
# A number as a table prints it: 81.6337, 2.4e+302, 10,000, 80.6x.
NUMBER = re.compile(r"[-+]?(?:\d[\d,]*\.?\d*|\.\d+)(?:e[-+]?\d+)?x?", re.IGNORECASE)

# JupyterLab renders a traceback as stderr text; the error mime type is checked too, in case that changes.
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
# An explorer's <img> whose PNG arrived and was decoded.
DRAWN = "img => img.complete && img.naturalWidth > 0 && /^(blob|data):/.test(img.src)"


def menu(page, top, item):
    """Click a menu-bar entry, then one of its items (as a learner would)."""
    page.get_by_role("menuitem", name=top, exact=True).click()
    page.get_by_role("menuitem", name=item, exact=True).click()


def open_notebook(page, lab_server, name):
    # `reset` starts from an empty workspace: only this notebook is open, so page-wide checks see only it.
    page.goto(f"{lab_server.url}/lab/tree/{name}?reset&token={lab_server.token}")
    page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=60_000)
    # A notebook whose kernel JupyterLab cannot choose asks for one; take the suggested kernel.
    dialog = page.locator(".jp-Dialog")
    try:
        dialog.wait_for(timeout=2_000)
        dialog.locator(".jp-Dialog-button.jp-mod-accept").click()
    except Exception:   # playwright's TimeoutError: no dialog came up, which is the usual case
        pass
    page.wait_for_selector('.jp-Notebook-ExecutionIndicator[data-status="idle"]', timeout=60_000)


def run_all(page):
    """Clear the stored outputs, so only this run's are checked, then Run All Cells and wait for the end."""
    menu(page, "Edit", "Clear Outputs of All Cells")
    page.wait_for_function("() => !document.querySelector('.jp-Notebook .jp-OutputArea-output')")
    menu(page, "Run", "Run All Cells")
    page.wait_for_function(FINISHED, timeout=RUN_TIMEOUT_MS, polling=250)


def explorer_image_js(css_class):
    """JavaScript for the current <img> of the first explorer with ``css_class`` (it is replaced on every redraw)."""
    return f"document.querySelector('.{css_class} img')"


def wait_for_new_figure(page, css_class, before_src, condition="true", timeout=60_000):
    img = explorer_image_js(css_class)
    page.wait_for_function(f"([before]) => {{ const img = {img}; return img && img.src !== before && "
                           f"({DRAWN})(img) && ({condition}); }}", arg=[before_src], timeout=timeout)


def move_width_sweep_slider(page):
    """Press ArrowRight on the epochs slider and tick a width with the keyboard; the figure must follow."""
    explorer = page.locator(".cu-width-sweep-explorer").first
    image = explorer.locator("img").first
    readout = explorer.locator(".cu-control-epochs .widget-readout")
    before_src, before_value = image.get_attribute("src"), readout.inner_text()
    explorer.locator(".cu-control-epochs .noUi-handle").focus()
    page.keyboard.press("ArrowRight")
    wait_for_new_figure(page, "cu-width-sweep-explorer", before_src)
    assert int(readout.inner_text()) > int(before_value)
    # The width checkboxes: untick 16 with the keyboard, and the description follows.
    box = explorer.locator(".cu-control-widths input[type=checkbox]").last
    assert box.is_checked()
    before_src = image.get_attribute("src")
    box.focus()
    page.keyboard.press("Space")
    wait_for_new_figure(page, "cu-width-sweep-explorer", before_src, "!/16/.test(img.alt.split(':')[0])")
    assert not box.is_checked()


def drive_training_explorer_to_divergence(page):
    """Type a diverging learning rate into the slider's readout; the table stays short and the frame holds the run."""
    explorer = page.locator(".cu-training-explorer").first
    before_src = explorer.locator("img").first.get_attribute("src")
    readout = explorer.locator(".cu-control-lr .widget-readout")
    readout.click()
    page.keyboard.press("Control+A")
    page.keyboard.type("1.78")
    page.keyboard.press("Enter")
    wait_for_new_figure(page, "cu-training-explorer", before_src, "/diverges at epoch \\d+/.test(img.alt)")
    image = explorer.locator("img").first
    cells = explorer.locator("td").all_inner_texts()
    numbers = [token for cell in cells for token in NUMBER.findall(cell)]
    assert numbers, cells
    too_long = [token for token in numbers if len(token) > 12]
    assert not too_long, f"table numbers longer than 12 characters: {too_long}"
    assert any(re.fullmatch(r"diverged at epoch \d+", cell) for cell in cells), cells
    low, high = map(float, image.get_attribute("data-ylim-log10").split())
    run_low, run_high = map(float, image.get_attribute("data-runs-log10").split())
    assert run_high > 200, "lr 1.78 should overflow past 1e200 before it diverges"
    assert low <= run_low and run_high <= high, f"y-range 1e{low:.1f}..1e{high:.1f} misses 1e{run_low:.1f}..1e{run_high:.1f}"
    # The message travels right after the figure; wait for it rather than race it.
    explorer.locator("[role=status]").filter(has_text="Diverged at epoch").wait_for(timeout=30_000)
    status = explorer.locator("[role=status]").inner_text()
    assert re.match(r"Diverged at epoch \d+", status), status


def check_slider_tracks(page):
    """Every explorer slider's track is at least 350 px wide."""
    widths = page.locator(".cu-explorer .noUi-target").evaluate_all(
        "els => els.map(e => e.getBoundingClientRect().width)")
    assert all(w >= 350 for w in widths), f"slider tracks narrower than 350 px: {widths}"


def test_notebook_runs_and_its_explorer_responds(lab_notebook, browser, lab_server, page):
    # `browser` comes first so a missing Chromium is reported before a server is started.
    open_notebook(page, lab_server, lab_notebook)
    try:
        run_all(page)
        errors = page.locator(ERROR_OUTPUTS)
        assert errors.count() == 0, f"{lab_notebook}: error output:\n" + "\n---\n".join(errors.all_inner_texts())
        prompts = page.locator(".jp-CodeCell .jp-InputPrompt").all_inner_texts()
        assert prompts == [f"[{i}]:" for i in range(1, len(prompts) + 1)], f"cells did not all run in order: {prompts}"
        text = page.locator(".jp-Notebook").inner_text()
        for failure in ("Error displaying widget", "model not found"):
            assert failure not in text, f"{lab_notebook}: a widget failed to display ({failure})"

        expected = EXPLORERS.get(lab_notebook[:2])
        explorers = page.locator(".cu-explorer")
        if expected is not None:
            assert page.locator(f".{expected}").count() >= 1, f"{lab_notebook} shows no {expected}"
        drawn = explorers.locator("img").evaluate_all(f"imgs => imgs.filter({DRAWN}).length")
        assert drawn >= explorers.count() >= (expected is not None), f"{lab_notebook}: an explorer drew no figure"
        assert "Could not draw" not in explorers.all_inner_texts().__str__()

        check_slider_tracks(page)
        if expected == "cu-width-sweep-explorer":
            move_width_sweep_slider(page)
        if expected == "cu-training-explorer":
            drive_training_explorer_to_divergence(page)
        SCREENSHOTS.mkdir(exist_ok=True)
        if explorers.count():
            explorers.last.scroll_into_view_if_needed()
        page.screenshot(path=str(SCREENSHOTS / f"{Path(lab_notebook).stem}.png"))
    finally:
        lab_server.shutdown_kernels()   # one kernel at a time on a small machine


def test_rerunning_an_explorer_cell_in_jupyterlab_leaks_no_widgets(browser, lab_server, page):
    # JupyterLab tells the kernel which cell runs (metadata.cellId); the explorer built there last is closed.
    import nbformat

    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    notebook.cells = [nbformat.v4.new_code_cell("from course_utils.widgets import output_explorer\noutput_explorer()"),
                      nbformat.v4.new_code_cell("from ipywidgets.widgets import widget\n"
                                                "print('widgets alive', len(widget._instances))")]
    nbformat.write(notebook, lab_server.root / "rerun_check.ipynb")
    idle = '.jp-Notebook-ExecutionIndicator[data-status="idle"]'
    open_notebook(page, lab_server, "rerun_check.ipynb")
    try:
        run_all(page)
        cells = page.locator(".jp-Notebook .jp-Cell")
        counts = []
        for _ in range(5):
            for i in (0, 1):
                cells.nth(i).locator(".jp-InputPrompt").click()
                page.keyboard.press("Control+Enter")
                page.wait_for_timeout(500)
                page.wait_for_selector(idle)
            counts.append(int(cells.nth(1).locator(".jp-OutputArea").inner_text().split()[-1]))
        assert len(set(counts)) == 1, f"live widgets after each re-run of the explorer cell: {counts}"
    finally:
        lab_server.shutdown_kernels()
        (lab_server.root / "rerun_check.ipynb").unlink()
