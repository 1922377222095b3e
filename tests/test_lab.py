"""Every notebook runs in JupyterLab 4 in headless Chromium, passes axe-core in both themes, and its explorer responds.

``TestNotebook`` holds the checks for one notebook, and conftest.py collects one
copy of it for each notebook in ``--notebooks-dir``, named after the notebook
(``TestNotebook_03_backprop``). A copy opens its notebook once, with the outputs
it stores, and runs live the cells a learner needs for its explorers: the first
cell after the Colab one (imports and data) and every cell that builds an
explorer (the ``notebook_page`` fixture). The other cells keep the outputs that
nbval, in the same test run, checks a fresh kernel still prints, so running
them again here would only repeat that work. Every check then reads that page,
in this order:

- no cell shows an error or stderr, stored or live, the live cells ran in the order run, and no widget
  failed to display;
- the notebook's explorer drew its figure, and every explorer slider's track is at least 350 px wide;
- every explorer slider has an accessible name, and every image in the outputs has alt text;
- notebook 05's generalisation explorer shows its table of numbers ("best validation");
- axe-core (bundled by axe-playwright-python), run over the course's own content only (a cell's
  outputs and its rendered Markdown), finds no violation, first in the JupyterLab Light theme, then
  in JupyterLab Dark, which stays for the checks that follow; the theme is set back to Light when
  the notebook has been closed. JupyterLab's own chrome (menus,
  toolbars, editors, the file browser) is not scanned: the course cannot change it. The results go to
  tests/screenshots/axe-<notebook>-<theme>.json. For notebook 01, an image without alt text is put
  into an output, and axe must find it (the scan reaches the content);
- last, the checks that change the page. Notebook 03: ArrowRight then ArrowLeft on the training
  explorer's learning-rate slider gives back the very same rate and run; a diverging learning rate
  typed into its readout makes it print no table number longer than 12 characters, a
  "diverged at epoch" row, a y-range that holds the finite part of the run, and a "Diverged at
  epoch" status. Notebook 04: ArrowRight on the width-sweep explorer's epochs slider raises the
  epochs and redraws the figure, and Space on the last width checkbox unticks width 16 and drops it
  from the figure's description. Notebook 05: ArrowRight on the generalisation explorer's epochs
  slider adds 20 epochs, and the figure's description follows. Notebook 06: ArrowRight on the
  regularisation explorer's weight decay slider moves λ from 0 to 0.0001, and the description follows.

Screenshots of each notebook and of each explorer in both themes, and after the keyboard checks, go
to tests/screenshots/ (git-ignored). One more test re-runs an explorer cell in JupyterLab five times
and checks that the number of live widgets stays the same.

That the stored outputs come from one run from a fresh kernel, top to bottom, is checked on the
files (test_notebook_files.py).

Each copy of ``TestNotebook`` is one unit for pytest-xdist's ``--dist loadscope``, so two workers
(each with its own JupyterLab and Chromium, from conftest.py) share the notebooks between them.
Run just these with ``pytest -m browser``; ``--notebooks-dir DIR`` points them at another folder of
notebooks.
"""

import json
import re
import time
from pathlib import Path

import pytest

from course_utils.plotting.show import DARK_FILTER

pytestmark = pytest.mark.browser

# Which explorer each notebook shows, by the notebook's number (its CSS class in the page).
EXPLORERS = {
    "01": "cu-dataset-explorer",
    "02": "cu-output-explorer",
    "03": "cu-training-explorer",
    "04": "cu-width-sweep-explorer",
    "05": "cu-generalisation-explorer",
    "06": "cu-regularisation-explorer",
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
IDLE = '.jp-Notebook-ExecutionIndicator[data-status="idle"]'
# True once the kernel is idle and every code cell either ran or was left behind by an error.
FINISHED = """() => {
    const status = document.querySelector('.jp-Notebook-ExecutionIndicator')?.dataset.status;
    const prompts = [...document.querySelectorAll('.jp-CodeCell .jp-InputPrompt')].map(p => p.textContent.trim());
    if (status !== 'idle' || prompts.length === 0 || prompts.some(p => p.includes('*'))) return false;
    return document.querySelector('%s') !== null || prompts.every(p => /^\\[\\d+\\]:$/.test(p));
}""" % ERROR_OUTPUTS
# An explorer's <img> whose PNG arrived and was decoded.
DRAWN = "img => img.complete && img.naturalWidth > 0 && /^(blob|data):/.test(img.src)"

# Where the course's own content lives in JupyterLab's page: axe scans these and nothing else.
CONTENT = ".jp-OutputArea-output, .jp-MarkdownOutput"
LIGHT, DARK = "JupyterLab Light", "JupyterLab Dark"
# The course's figures (show_figure's and the explorers'), and what the dark theme does to them (plotting/show.py).
FIGURES = ".jp-OutputArea-output img.cu-figure"
FILTERS = "imgs => imgs.map(i => getComputedStyle(i).filter)"


# Driving JupyterLab

def menu(page, top, item):
    """Click a menu-bar entry, then one of its items (as a learner would)."""
    page.get_by_role("menuitem", name=top, exact=True).click()
    page.get_by_role("menuitem", name=item, exact=True).click()


def open_notebook(page, lab_server, name):
    """Open ``name`` as the only document in the page, which JupyterLab loads the first time only.

    The first time, ``reset`` starts from an empty workspace. Later, every open document is closed
    (discarding the last run's outputs) and the notebook is opened through JupyterLab's own command,
    which saves the 2 to 5 s of a reload. Either way page-wide checks see only this notebook.
    """
    if not page.url.startswith(f"{lab_server.url}/lab"):
        page.goto(f"{lab_server.url}/lab/tree/{name}?reset&token={lab_server.token}")
    else:
        close_documents(page)
        page.evaluate("path => jupyterapp.commands.execute('docmanager:open', {path, factory: 'Notebook'})", name)
        page.wait_for_function("() => document.querySelectorAll('.jp-NotebookPanel').length === 1")
    page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=60_000)
    # Usually JupyterLab starts the notebook's kernel at once. A notebook whose kernel it cannot
    # choose asks for one in a dialog, and has no session until then: take the suggested kernel.
    dialog = page.locator(".jp-Dialog")
    deadline = time.monotonic() + 60
    while not any(session["path"] == name and session.get("kernel") for session in lab_server.api("sessions")):
        if dialog.count():
            dialog.locator(".jp-Dialog-button.jp-mod-accept").click()
            break
        assert time.monotonic() < deadline, f"{name}: JupyterLab started no kernel and asked for none in 60 s"
        page.wait_for_timeout(100)
    page.wait_for_selector(IDLE, timeout=60_000)


def close_documents(page):
    """Close every document open in the page, discarding unsaved outputs (the notebooks on disk stay as stored)."""
    page.evaluate("""() => {
        for (const widget of Array.from(jupyterapp.shell.widgets('main'))) {
            if (widget.context) widget.context.model.dirty = false;
            widget.close();
        }
    }""")
    page.wait_for_function("() => !document.querySelector('.jp-NotebookPanel')")


def live_cells(path):
    """The indices (among all cells) of the cells run live: the first code cell not tagged ``colab``, and the explorers'.

    A cell builds an explorer if its code names one (``..._explorer``); each such cell imports what it uses.
    """
    import nbformat

    cells = nbformat.read(path, as_version=4).cells
    code = [i for i, cell in enumerate(cells) if cell.cell_type == "code"]
    setup = next(i for i in code if "colab" not in cells[i].metadata.get("tags", []))
    explorers = [i for i in code if i != setup and re.search(r"\w_explorer\b", cells[i].source)]
    return [setup] + explorers


# True once the kernel is idle and the cells given ran, in order, in this kernel (prompts [1], [2], ...; the stored
# counts of those cells are never these, the Colab cell being [1]), or an error was shown.
LIVE_FINISHED = """(indices) => {
    const status = document.querySelector('.jp-Notebook-ExecutionIndicator')?.dataset.status;
    const cells = document.querySelectorAll('.jp-Notebook .jp-Cell');
    const prompts = indices.map(i => cells[i]?.querySelector('.jp-InputPrompt')?.textContent.trim() ?? '');
    if (status !== 'idle' || prompts.some(p => p.includes('*'))) return false;
    return document.querySelector('%s') !== null || prompts.every((p, k) => p === `[${k + 1}]:`);
}""" % ERROR_OUTPUTS


def run_cells(page, indices):
    """Run these cells (indices among all cells) one after another, as Shift+Enter would, and wait for the end."""
    page.evaluate("""(indices) => {
        const notebook = jupyterapp.shell.currentWidget.content;
        for (const i of indices) {
            notebook.activeCellIndex = i;
            jupyterapp.commands.execute('notebook:run-cell');   // queued in the kernel in this order
        }
    }""", indices)
    page.wait_for_function(LIVE_FINISHED, arg=indices, timeout=RUN_TIMEOUT_MS, polling=250)


def leave_page(page, lab_server):
    """Close every document, set the theme (a user setting) back to Light, and shut the kernels down."""
    try:
        close_documents(page)
        if is_dark(page):
            use_theme(page, LIGHT)
    finally:
        lab_server.shutdown_kernels()


def run_all(page):
    """Clear the stored outputs, so only this run's are checked, then Run All Cells and wait for the end."""
    menu(page, "Edit", "Clear Outputs of All Cells")
    page.wait_for_function("() => !document.querySelector('.jp-Notebook .jp-OutputArea-output')")
    menu(page, "Run", "Run All Cells")
    page.wait_for_function(FINISHED, timeout=RUN_TIMEOUT_MS, polling=250)


def use_theme(page, theme):
    """Pick a theme from the Settings menu, as a learner would, and wait for the page to repaint."""
    page.get_by_role("menuitem", name="Settings", exact=True).click()
    page.locator(".lm-Menu-item[data-type=submenu] .lm-Menu-itemLabel").get_by_text("Theme", exact=True).hover()
    page.locator(".lm-Menu-item .lm-Menu-itemLabel").get_by_text(theme, exact=True).click()
    light = theme == LIGHT
    page.wait_for_function(f"() => document.body.dataset.jpThemeLight === '{str(light).lower()}'", timeout=30_000)
    page.wait_for_timeout(500)


def is_dark(page):
    return page.locator("body[data-jp-theme-light='false']").count() > 0


def axe_in_lab(page, rules=None):
    """Run axe-core over the course's content in the page (``CONTENT``); return its violations, summarised.

    JupyterLab's own chrome (menus, toolbars, editors, the file browser) is not scanned: the course
    cannot change it. Colour contrast is still judged against the backgrounds JupyterLab paints.
    """
    from axe_playwright_python.sync_playwright import Axe

    context = {"include": [[selector.strip()] for selector in CONTENT.split(",")]}
    options = {"resultTypes": ["violations"]} | ({"runOnly": rules} if rules else {})
    results = Axe().run(page, context=context, options=options).response
    return [{"id": v["id"], "impact": v["impact"], "help": v["help"], "nodes": [n["html"][:200] for n in v["nodes"][:5]]}
            for v in results["violations"]]


# Reading and moving the explorers

def explorer_image_js(css_class):
    """JavaScript for the current <img> of the first explorer with ``css_class`` (it is replaced on every redraw)."""
    return f"document.querySelector('.{css_class} img')"


def wait_for_new_figure(page, css_class, before_src, condition="true", timeout=60_000):
    img = explorer_image_js(css_class)
    page.wait_for_function(f"([before]) => {{ const img = {img}; return img && img.src !== before && "
                           f"({DRAWN})(img) && ({condition}); }}", arg=[before_src], timeout=timeout)


def screenshot_explorers(page, stem, tag):
    """Save each explorer, and the page, as tests/screenshots/<stem>-explorer<i>-<tag>.png and <stem>-<tag>.png."""
    SCREENSHOTS.mkdir(exist_ok=True)
    for i, explorer in enumerate(page.locator(".cu-explorer").all()):
        explorer.scroll_into_view_if_needed()
        explorer.screenshot(path=str(SCREENSHOTS / f"{stem}-explorer{i}-{tag}.png"))
    page.screenshot(path=str(SCREENSHOTS / f"{stem}-{tag}.png"))


def only_in(*numbers):
    """Mark a check that applies only to the notebooks with these numbers (the file name's first two characters)."""
    def mark(test):
        test.only_in = numbers
        return test
    return mark


@pytest.fixture(scope="session")
def lab_page(browser, lab_server):
    """One JupyterLab page per test process, tall enough for a whole explorer; each class opens its notebook in it."""
    context = browser.new_context(viewport={"width": 1280, "height": 2000})
    try:
        yield context.new_page()
    finally:
        context.close()


@pytest.fixture(scope="class")
def notebook_page(request, lab_page, lab_server):
    """The page of the class's notebook, its stored outputs and its live cells run, shared by the class's checks.

    Its kernel stays up while the class's checks run and is shut down after them, so a test
    session runs one kernel at a time per JupyterLab. Afterwards the notebook is closed and the
    theme, a user setting, is set back to Light: on an empty page that repaints little.
    """
    try:
        open_notebook(lab_page, lab_server, request.cls.notebook)
        if is_dark(lab_page):       # left so by a run that stopped before it could set the theme back
            use_theme(lab_page, LIGHT)
        run_cells(lab_page, live_cells(lab_server.root / request.cls.notebook))
        yield lab_page
    finally:
        leave_page(lab_page, lab_server)


class TestNotebook:
    """The checks on one notebook's page, in the order they run; ``notebook`` is set in each copy."""

    notebook = None
    light_filters = None    # the figures' filters in the light theme, as the light-theme check read them

    @classmethod
    def copy_for_notebook(cls, name):
        """This class for notebook ``name``, without the checks that are ``only_in`` other notebooks."""
        attributes = {"notebook": name}
        for attribute, value in vars(cls).items():
            numbers = getattr(value, "only_in", None)
            if numbers is not None and name[:2] not in numbers:
                attributes[attribute] = None    # pytest collects no test under this name in this copy
        suffix = re.sub(r"\W", "_", Path(name).stem)
        return type(f"{cls.__name__}_{suffix}", (cls,), attributes)

    @property
    def stem(self):
        return Path(self.notebook).stem

    # Read-only checks on the page as Run All left it

    def test_no_cell_shows_an_error_or_stderr(self, notebook_page):
        errors = notebook_page.locator(ERROR_OUTPUTS)
        assert errors.count() == 0, f"{self.notebook}: error output:\n" + "\n---\n".join(errors.all_inner_texts())

    def test_the_live_cells_ran_in_order(self, notebook_page, lab_server):
        live = live_cells(lab_server.root / self.notebook)
        cells = notebook_page.locator(".jp-Notebook .jp-Cell")
        prompts = [cells.nth(i).locator(".jp-InputPrompt").inner_text().strip() for i in live]
        assert prompts == [f"[{i}]:" for i in range(1, len(live) + 1)], \
            f"{self.notebook}: the live cells {live} did not all run, in order: {prompts}"

    def test_no_widget_failed_to_display(self, notebook_page):
        text = notebook_page.locator(".jp-Notebook").inner_text()
        for failure in ("Error displaying widget", "model not found"):
            assert failure not in text, f"{self.notebook}: a widget failed to display ({failure})"

    def test_its_explorer_drew_its_figure(self, notebook_page):
        expected = EXPLORERS.get(self.notebook[:2])
        explorers = notebook_page.locator(".cu-explorer")
        if expected is not None:
            assert notebook_page.locator(f".{expected}").count() >= 1, f"{self.notebook} shows no {expected}"
        drawn = explorers.locator("img").evaluate_all(f"imgs => imgs.filter({DRAWN}).length")
        assert drawn >= explorers.count() >= (expected is not None), f"{self.notebook}: an explorer drew no figure"
        texts = explorers.all_inner_texts()
        assert "Could not draw" not in str(texts), f"{self.notebook}: an explorer could not draw: {texts}"

    def test_explorer_slider_tracks_are_at_least_350_px_wide(self, notebook_page):
        widths = notebook_page.locator(".cu-explorer .noUi-target").evaluate_all(
            "els => els.map(e => e.getBoundingClientRect().width)")
        assert all(w >= 350 for w in widths), f"{self.notebook}: slider tracks narrower than 350 px: {widths}"

    def test_explorer_sliders_have_accessible_names(self, notebook_page):
        names = notebook_page.locator(".cu-explorer [role=slider]").evaluate_all(
            "els => els.map(e => e.getAttribute('aria-label') || '')")
        assert all(names), f"{self.notebook}: an explorer slider has no accessible name: {names}"

    def test_every_output_image_has_alt_text(self, notebook_page):
        missing = notebook_page.locator(".jp-OutputArea-output img").evaluate_all(
            "imgs => imgs.filter(i => !(i.alt || '').trim()).map(i => i.outerHTML.slice(0, 80))")
        assert not missing, f"{self.notebook}: images without alt text:\n" + "\n".join(missing)

    @only_in("05")
    def test_generalisation_explorer_shows_its_table(self, notebook_page):
        explorer = notebook_page.locator(".cu-generalisation-explorer")
        assert explorer.count() == 1, f"{self.notebook} shows no generalisation explorer"
        notebook_page.wait_for_function(DRAWN, arg=explorer.locator("img").first.element_handle(), timeout=30_000)
        text = explorer.inner_text()
        assert "Could not draw" not in text, f"{self.notebook}: {text}"
        assert "best validation" in text, f"{self.notebook}: no table of numbers under the figure: {text}"

    # axe-core, in both themes

    def check_axe(self, page, theme):
        tag = "dark" if theme == DARK else "light"
        ours = axe_in_lab(page)
        screenshot_explorers(page, self.stem, tag)
        (SCREENSHOTS / f"axe-{self.stem}-{tag}.json").write_text(json.dumps({"theme": theme, "course": ours}, indent=1))
        failures = [f"{theme}: {v['id']} ({v['help']}): {v['nodes']}" for v in ours]
        assert not failures, f"{self.notebook}: axe found course-caused violations:\n" + "\n".join(failures)

    def test_content_passes_axe_in_the_light_theme(self, notebook_page):
        assert not is_dark(notebook_page), f"{self.notebook}: the page is not in the light theme"
        # Read here, while the page is light, for test_figures_are_dark_in_the_dark_theme.
        type(self).light_filters = notebook_page.locator(FIGURES).evaluate_all(FILTERS)
        self.check_axe(notebook_page, LIGHT)

    def test_content_passes_axe_in_the_dark_theme(self, notebook_page):
        use_theme(notebook_page, DARK)          # and so it stays for the checks below (the fixture sets it back)
        self.check_axe(notebook_page, DARK)

    def test_figures_are_dark_in_the_dark_theme(self, notebook_page):
        """Every figure and explorer image has the course's dark filter now, and had none in the light theme."""
        if self.light_filters is None:          # the light-theme check did not run: read them now
            use_theme(notebook_page, LIGHT)
            type(self).light_filters = notebook_page.locator(FIGURES).evaluate_all(FILTERS)
        if not is_dark(notebook_page):
            use_theme(notebook_page, DARK)
        filters = notebook_page.locator(FIGURES).evaluate_all(FILTERS)
        assert filters, f"{self.notebook}: no figure carries the class cu-figure"
        assert set(filters) == {DARK_FILTER}, f"{self.notebook}: filters in the dark theme: {set(filters)}"
        explorers = notebook_page.locator(".jp-OutputArea-output .cu-explorer img.cu-figure").count()
        assert explorers >= (self.notebook[:2] in EXPLORERS), f"{self.notebook}: the explorer's figure is not marked"
        assert set(self.light_filters) == {"none"}, f"{self.notebook}: filters in the light theme: {self.light_filters}"

    # The checks that change the page come last

    @only_in("01")
    def test_axe_sees_a_flaw_put_into_the_content(self, notebook_page):
        """The scan reaches the content: an image without alt text put into an output is found.

        (Faint text put there is not: in JupyterLab's page axe finds colour contrast inapplicable to the
        outputs, so contrast is checked on the website's pages, test_site.py, which show the same content.)
        """
        notebook_page.evaluate("""() => {
            const out = document.querySelector('.jp-OutputArea-output');
            const flaw = document.createElement('div');
            flaw.id = 'cu-axe-probe';
            flaw.innerHTML = '<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" width="20" height="20">';
            out.appendChild(flaw);
            flaw.scrollIntoView();
        }""")
        try:
            found = {v["id"] for v in axe_in_lab(notebook_page, rules=["image-alt"])}
        finally:
            notebook_page.evaluate("() => document.getElementById('cu-axe-probe').remove()")
        assert "image-alt" in found, f"axe missed an image without alt text in the content: {found}"


    def screenshot_after_keys(self, page, css_class):
        SCREENSHOTS.mkdir(exist_ok=True)
        page.locator(f".{css_class}").first.scroll_into_view_if_needed()
        page.screenshot(path=str(SCREENSHOTS / f"{self.stem}-after-keys.png"))

    @only_in("03")
    def test_training_explorer_lr_slider_goes_back_to_the_very_same_rate(self, notebook_page):
        """ArrowRight then ArrowLeft on the learning-rate slider: the same rate as before, and the same run."""
        page, name = notebook_page, self.notebook
        explorer = page.locator(".cu-training-explorer").first
        readout = explorer.locator(".cu-control-lr .widget-readout")
        handle = explorer.locator(".cu-control-lr .noUi-handle")
        image = explorer.locator("img").first
        before_value, before_src, before_alt = readout.inner_text(), image.get_attribute("src"), image.get_attribute("alt")
        handle.focus()
        page.keyboard.press("ArrowRight")
        wait_for_new_figure(page, "cu-training-explorer", before_src)
        moved_value, moved_src = readout.inner_text(), explorer.locator("img").first.get_attribute("src")
        assert float(moved_value) > float(before_value), f"{name}: lr went from {before_value} to {moved_value}"
        handle.focus()
        page.keyboard.press("ArrowLeft")
        assert readout.inner_text() == before_value, f"{name}: lr {before_value} -> {moved_value} -> {readout.inner_text()}"
        # The same run, described as before (the explorer may first draw the run and then add 2/lambda_max).
        wait_for_new_figure(page, "cu-training-explorer", moved_src, f"img.alt === {json.dumps(before_alt)}")

    @only_in("03")
    def test_training_explorer_reports_a_diverging_rate(self, notebook_page):
        """Type a diverging rate into the slider's readout; the table stays short, the frame holds the run."""
        page, name = notebook_page, self.notebook
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
        assert numbers, f"{name}: no numbers in the table: {cells}"
        too_long = [token for token in numbers if len(token) > 12]
        assert not too_long, f"{name}: table numbers longer than 12 characters: {too_long}"
        assert any(re.fullmatch(r"diverged at epoch \d+", cell) for cell in cells), f"{name}: {cells}"
        low, high = map(float, image.get_attribute("data-ylim-log10").split())
        run_low, run_high = map(float, image.get_attribute("data-runs-log10").split())
        assert run_high > 200, f"{name}: lr 1.78 should overflow past 1e200 before it diverges"
        assert low <= run_low and run_high <= high, \
            f"{name}: y-range 1e{low:.1f}..1e{high:.1f} misses 1e{run_low:.1f}..1e{run_high:.1f}"
        # The message travels right after the figure; wait for it rather than race it.
        explorer.locator("[role=status]").filter(has_text="Diverged at epoch").wait_for(timeout=30_000)
        status = explorer.locator("[role=status]").inner_text()
        assert re.match(r"Diverged at epoch \d+", status), f"{name}: {status}"
        self.screenshot_after_keys(page, "cu-training-explorer")

    @only_in("04")
    def test_width_sweep_explorer_follows_the_keyboard(self, notebook_page):
        """Press ArrowRight on the epochs slider and untick a width with the keyboard; the figure must follow."""
        page, name = notebook_page, self.notebook
        explorer = page.locator(".cu-width-sweep-explorer").first
        image = explorer.locator("img").first
        readout = explorer.locator(".cu-control-epochs .widget-readout")
        before_src, before_value = image.get_attribute("src"), readout.inner_text()
        explorer.locator(".cu-control-epochs .noUi-handle").focus()
        page.keyboard.press("ArrowRight")
        wait_for_new_figure(page, "cu-width-sweep-explorer", before_src)
        after_value = readout.inner_text()
        assert int(after_value) > int(before_value), f"{name}: epochs went from {before_value} to {after_value}"
        # The width checkboxes: untick 16 with the keyboard, and the description follows.
        box = explorer.locator(".cu-control-widths input[type=checkbox]").last
        assert box.is_checked(), f"{name}: the last width checkbox starts unticked"
        before_src = image.get_attribute("src")
        box.focus()
        page.keyboard.press("Space")
        wait_for_new_figure(page, "cu-width-sweep-explorer", before_src, "!/16/.test(img.alt.split(':')[0])")
        assert not box.is_checked(), f"{name}: Space left the last width checkbox ticked"
        self.screenshot_after_keys(page, "cu-width-sweep-explorer")

    @only_in("05")
    def test_generalisation_explorer_follows_its_epochs_slider(self, notebook_page):
        """Press ArrowRight on the epochs slider: 20 more epochs, a new figure, and its description follows."""
        page, name = notebook_page, self.notebook
        explorer = page.locator(".cu-generalisation-explorer")
        image = explorer.locator("img").first
        readout = explorer.locator(".cu-control-epochs .widget-readout")
        before_src, before_value = image.get_attribute("src"), readout.inner_text()
        explorer.locator(".cu-control-epochs .noUi-handle").focus()
        page.keyboard.press("ArrowRight")
        wait_for_new_figure(page, "cu-generalisation-explorer", before_src)   # each redraw adds a new <img>
        expected = int(before_value) + 20                                     # one step of the epochs slider
        assert int(readout.inner_text()) == expected, f"{name}: epochs {before_value} -> {readout.inner_text()}"
        alt = explorer.locator("img").first.get_attribute("alt")
        assert f"in {expected} epochs" in alt, f"{name}: the description does not follow the figure: {alt}"
        assert "Could not draw" not in explorer.inner_text(), f"{name}: {explorer.inner_text()}"
        self.screenshot_after_keys(page, "cu-generalisation-explorer")

    @only_in("06")
    def test_regularisation_explorer_follows_its_weight_decay_slider(self, notebook_page):
        """Press ArrowRight on the weight decay slider: λ 0 -> 0.0001, the run's start, then the trained run."""
        page, name = notebook_page, self.notebook
        explorer = page.locator(".cu-regularisation-explorer")
        readout = explorer.locator(".cu-control-weight-decay .widget-readout")
        before_src, before_value = explorer.locator("img").first.get_attribute("src"), readout.inner_text()
        explorer.locator(".cu-control-weight-decay .noUi-handle").focus()
        page.keyboard.press("ArrowRight")
        # The start is drawn at once ("under way"); the trained run follows, and its description names λ.
        wait_for_new_figure(page, "cu-regularisation-explorer", before_src,
                            "/weight decay 0\\.0001,/.test(img.alt) && !/under way/.test(img.alt)")
        after_value = readout.inner_text()
        assert (before_value, after_value) == ("0", "0.0001"), f"{name}: λ {before_value} -> {after_value}"
        alt = explorer.locator("img").first.get_attribute("alt")
        assert "grid error G is" in alt and "Could not draw" not in explorer.inner_text(), f"{name}: {alt}"
        self.screenshot_after_keys(page, "cu-regularisation-explorer")


def test_rerunning_an_explorer_cell_in_jupyterlab_leaks_no_widgets(lab_server, lab_page):
    page = lab_page
    # JupyterLab tells the kernel which cell runs (metadata.cellId); the explorer built there last is closed.
    import nbformat

    notebook = nbformat.v4.new_notebook()
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    notebook.cells = [nbformat.v4.new_code_cell("from course_utils.widgets import output_explorer\noutput_explorer()"),
                      nbformat.v4.new_code_cell("from ipywidgets.widgets import widget\n"
                                                "print('widgets alive', len(widget._instances))")]
    nbformat.write(notebook, lab_server.root / "rerun_check.ipynb")
    open_notebook(page, lab_server, "rerun_check.ipynb")
    try:
        run_all(page)
        cells = page.locator(".jp-Notebook .jp-Cell")
        counts, execution_count = [], 2
        for _ in range(5):
            for i in (0, 1):
                cells.nth(i).locator(".jp-InputPrompt").click()
                page.keyboard.press("Control+Enter")
                # The prompt shows the new execution count once the kernel has replied and sent all outputs.
                execution_count += 1
                cells.nth(i).locator(".jp-InputPrompt", has_text=re.compile(rf"^\[{execution_count}\]:$")).wait_for()
                page.wait_for_selector(IDLE)
            counts.append(int(cells.nth(1).locator(".jp-OutputArea").inner_text().split()[-1]))
        assert len(set(counts)) == 1, f"live widgets after each re-run of the explorer cell: {counts}"
    finally:
        lab_server.shutdown_kernels()
        (lab_server.root / "rerun_check.ipynb").unlink()


def test_stored_figures_are_dark_in_the_dark_theme_before_anything_runs(lab_server, lab_page):
    """A learner opens a fresh clone's notebook and runs nothing: its stored figures still turn dark.

    JupyterLab does not trust a notebook it has not seen run, and strips the ``<style>`` each stored
    figure brings; the course's custom.css, which make lab and Binder install (tools/lab_settings.py,
    as conftest.py does for this server), turns the figures dark all the same, and no CSS shows as text.
    """
    page, name = lab_page, "01_dataset.ipynb"
    open_notebook(page, lab_server, name)
    try:
        page.wait_for_selector(FIGURES, timeout=60_000)
        use_theme(page, DARK)
        filters = page.locator(FIGURES).evaluate_all(FILTERS)
        assert filters and set(filters) == {DARK_FILTER}, f"{name}: stored figures' filters: {set(filters)}"
        shown = " ".join(page.locator(".jp-OutputArea-output").all_inner_texts())
        assert "cu-figure" not in shown and "hue-rotate" not in shown, f"{name}: CSS shows as text in an output"
        SCREENSHOTS.mkdir(exist_ok=True)
        page.locator(FIGURES).first.scroll_into_view_if_needed()
        page.screenshot(path=str(SCREENSHOTS / f"{Path(name).stem}-stored-dark.png"))
    finally:
        leave_page(page, lab_server)
