"""The playground (``make playground``): every explorer on one Voila page, live, quiet offline, accessible.

Quick checks, no browser: the playground notebook shows every explorer that
``course_utils.widgets`` exports, each section says what to try and links its
notebook's page on the course's website, and the Voila template drops the CDN
stylesheets.

Browser check (marker ``browser``): Voila serves ``playground/playground.ipynb``
with the course's template on 127.0.0.1; Chromium waits for the first
explorer's image, presses ArrowRight on one of its sliders and waits for the
image to change. Every request is recorded and none may leave 127.0.0.1; axe
finds no violation in the course's cells. The first-render time is printed and
a screenshot goes to tests/screenshots/playground.png (git-ignored).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

import course_utils.widgets as explorers
from _web import RequestLog, axe_violations, free_port, stop, wait_for_http

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))

import lower_bounds  # noqa: E402  (tools/lower_bounds.py: reads pyproject.toml on Python 3.10 too)

PLAYGROUND = ROOT / "playground" / "playground.ipynb"
TEMPLATE = ROOT / "playground" / "voila" / "templates" / "course"
SCREENSHOTS = Path(__file__).parent / "screenshots"
EXPLORERS = [name for name in explorers.__all__ if name.endswith("_explorer")]
# What the course shows on the page: its markdown and its explorers (Voila hides the code).
CONTENT = ".jp-Cell"
# axe rules to ignore on Voila's own page furniture, outside the course's cells: none is needed, since the
# course's template marks the cells as the main landmark and underlines their links.
VOILA_RULES = {}
SETTLED = "img => img.complete && img.naturalWidth > 0 && img.getBoundingClientRect().width > 0"


def cells():
    return json.loads(PLAYGROUND.read_text(encoding="utf-8"))["cells"]


def site_url():
    return lower_bounds.read_project()["urls"]["Documentation"]


def test_every_explorer_is_on_the_playground():
    code = "\n".join("".join(c["source"]) for c in cells() if c["cell_type"] == "code")
    assert EXPLORERS, "course_utils.widgets exports no explorer"
    shown = set(re.findall(r"explorers\.(\w+_explorer)\(", code))
    listed = {name.strip().strip('"') for name in re.search(r"SHOWN = \{([^}]*)\}", code).group(1).split(",")}
    assert shown == listed, "the catch-all cell's SHOWN must name exactly the explorers shown above it"
    missing = sorted(set(EXPLORERS) - shown)
    # The catch-all cell shows the rest, but each deserves a sentence on what to try: say which.
    assert not missing, f"add a section (what to try, a link to its notebook) for: {missing}"


def test_each_section_says_what_to_try_and_links_its_notebook():
    notebooks = {p.stem for p in (ROOT / "notebooks").glob("0*.ipynb")}
    sections = [c for c in cells() if c["cell_type"] == "markdown" and "".join(c["source"]).startswith("## ")]
    assert len(sections) == len(EXPLORERS)
    for cell in sections:
        text = "".join(cell["source"])
        assert "**Try:**" in text, f"no sentence on what to try in: {text[:60]}"
        links = re.findall(r"\]\((https?://[^)]+)\)", text)
        assert len(links) == 1, text
        assert links[0].startswith(site_url() + "notebooks/"), f"{links[0]} is not a page of the course's website"
        assert links[0][len(site_url() + "notebooks/"):-len(".html")] in notebooks, f"{links[0]}: no such notebook"


def test_template_drops_the_cdn_stylesheets_and_names_the_controls():
    template = (TEMPLATE / "index.html.j2").read_text()
    assert "'fontawesome' not in line" in template
    assert "course-a11y.js" in template
    assert 'role="main" id="rendered_cells"' in template
    assert json.loads((TEMPLATE / "conf.json").read_text())["base_template"] == "lab"
    makefile = (ROOT / "Makefile").read_text()
    assert "--template=course" in makefile and "--Voila.ip=127.0.0.1" in makefile


@pytest.fixture(scope="module")
def voila(tmp_path_factory):
    """Voila serving the playground on 127.0.0.1 with the course's template; yields its URL."""
    base = tmp_path_factory.mktemp("voila")
    port = free_port()
    env = dict(os.environ, JUPYTER_PATH=str(ROOT / "playground"), JUPYTER_DATA_DIR=str(base / "data"),
               JUPYTER_RUNTIME_DIR=str(base / "runtime"), JUPYTER_CONFIG_DIR=str(base / "config"))
    command = [sys.executable, "-m", "voila", str(PLAYGROUND), "--template=course", "--no-browser",
               "--progressive_rendering=True", "--Voila.ip=127.0.0.1", f"--port={port}", "--Voila.port_retries=0"]
    log_path = base / "voila.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env, cwd=ROOT)
    try:
        # A static file of the template: asking for the page itself would run the notebook.
        wait_for_http(f"http://127.0.0.1:{port}/voila/templates/course/static/course-a11y.js", process, log_path)
        yield f"http://127.0.0.1:{port}/"
    finally:
        stop(process)


@pytest.mark.browser
def test_playground_runs_live_stays_local_and_is_accessible(browser, voila):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    log = RequestLog().attach(context)
    page = context.new_page()
    try:
        start = time.monotonic()
        page.goto(voila, timeout=120_000, wait_until="commit")
        first = page.locator(".cu-explorer img").first
        first.wait_for(timeout=120_000)
        page.wait_for_function(f"img => ({SETTLED})(img)", arg=first.element_handle(), timeout=60_000)
        print(f"\nplayground: first explorer image {time.monotonic() - start:.1f} s after the page was requested")
        page.wait_for_function(f"n => document.querySelectorAll('.cu-explorer').length >= n", arg=len(EXPLORERS),
                               timeout=120_000)
        print(f"playground: all {len(EXPLORERS)} explorers drawn {time.monotonic() - start:.1f} s after the request")
        text = page.locator("body").inner_text()
        for failure in ("Error displaying widget", "Traceback", "There was an error when executing"):
            assert failure not in text, f"the playground shows an error: {failure}"

        # Live: a key press on the first explorer's slider makes the kernel redraw its figure.
        # The first slider of the first explorer with room to its right (a slider at its maximum would not move).
        explorer = page.locator(".cu-explorer").first
        before = explorer.locator("img").first.get_attribute("src")
        handles = explorer.locator(".noUi-handle")
        movable = handles.evaluate_all(
            "hs => hs.findIndex(h => +h.getAttribute('aria-valuenow') < +h.getAttribute('aria-valuemax'))")
        assert movable >= 0, "the first explorer has no slider that can move right"
        handles.nth(movable).focus()
        page.keyboard.press("ArrowRight")
        moved_at = time.monotonic()
        page.wait_for_function(
            f"""before => {{
                const img = document.querySelector('.cu-explorer img');
                return img && img.src !== before && ({SETTLED})(img);
            }}""", arg=before, timeout=60_000)
        print(f"playground: new image {time.monotonic() - moved_at:.2f} s after ArrowRight")

        SCREENSHOTS.mkdir(exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "playground.png"))
        assert not log.foreign(), f"the playground asked other hosts for: {log.foreign()}"
        assert page.locator(f"{CONTENT} h1").count() == 1, "the playground's first cell should be its one h1"
        failures, ignored = axe_violations(page, CONTENT, VOILA_RULES)
        print(f"playground: axe rules ignored as Voila's own: {ignored}")
        assert not failures, "accessibility violations caused by the course:\n" + "\n".join(failures)
    finally:
        context.close()
