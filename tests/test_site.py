"""The course's website (``make site``): complete offline, maths typeset, figures readable, explorers drawn.

Quick checks, no browser: the pinned scripts, the light variants of the
exported figures, the notebook mirror behind the table of contents, the
contents table's estimates, the licences and the README.

Browser checks (marker ``browser``): the site is built with ``sphinx-build -W``
(every warning an error) into a temporary folder, served with
``python -m http.server`` on 127.0.0.1, and every page is opened in headless
Chromium while every request is recorded. Each notebook page must show its
figures at a non-zero size, typeset its maths (MathJax output, no raw ``$...$``,
no stray backslash in ``\\text{}``), draw its explorer's stored snapshot, and
link Binder exactly as the README's badge does; no request may leave
127.0.0.1; axe finds no violation in the course's content. The build time is
printed; a screenshot of notebook 04 goes to tests/screenshots/ (git-ignored).
"""

from __future__ import annotations

import html
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import numpy as np
import pytest

from _web import RequestLog, axe_violations, free_port, stop, wait_for_http

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
sys.path.insert(0, str(DOCS / "_ext"))
sys.path.insert(0, str(DOCS))

import course_content  # noqa: E402  (docs/_ext/course_content.py)
from course_utils.plotting.show import DARK_FILTER  # noqa: E402
import vendor  # noqa: E402  (docs/vendor.py)

SCREENSHOTS = Path(__file__).parent / "screenshots"
NOTEBOOKS = sorted(p.name for p in (ROOT / "notebooks").glob("0*.ipynb"))
REPOSITORY = "/".join(course_content.readme_binder()[1:3])
HUB = "https://hub.example.edu"          # a class hub's address, for the JupyterHub launch button
CONTENT = "article.bd-article"
# axe rules that fire on sphinx-book-theme's own page furniture, never on the course's content.
THEME_RULES = {
    "region": "the theme's sidebar logo and title sit outside every landmark (a theme template)",
}
DRAWN = "img => img.complete && img.naturalWidth > 0 && img.getBoundingClientRect().width > 0 " \
        "&& img.getBoundingClientRect().height > 0"
FILTERS = "imgs => imgs.map(img => getComputedStyle(img).filter)"
# The article's text with code, outputs and typeset maths taken out: what is left is prose.
PROSE = """() => {
    const article = document.querySelector('article.bd-article').cloneNode(true);
    article.querySelectorAll('pre, code, script, style, mjx-container, .cell_output').forEach(e => e.remove());
    return article.textContent;
}"""
# Every typeset formula as MathML, from MathJax's own record of what it typeset.
MATHML = "() => Array.from(MathJax.startup.document.math).map(item => MathJax.startup.toMML(item.root))"


def readme_badge_url():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    return re.search(r"\]\((https://mybinder\.org/v2/gh/[^)\s]+)\)", readme).group(1)


def expected_binder(notebook):
    """The README badge's URL with its notebook swapped for ``notebook``."""
    return re.sub(r"notebooks/[^/]+\.ipynb$", f"notebooks/{notebook}", readme_badge_url())


def notebook_outputs(name):
    """(number of figure outputs, alt texts of show_figure outputs, has an explorer) of a repository notebook."""
    cells = json.loads((ROOT / "notebooks" / name).read_text(encoding="utf-8"))["cells"]
    figures, alts, explorer = 0, [], False
    for cell in cells:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            markup = "".join(data.get("text/html", ""))
            if "<img" in markup:
                figures += 1
                alts += [html.unescape(alt) for alt in re.findall(r'<img [^>]*alt="([^"]*)"', markup)]
            elif "image/png" in data:
                figures += 1
            explorer |= course_content.WIDGET_VIEW in data
    return figures, alts, explorer


# --------------------------------------------------------------------------------------------------
# Quick checks


def test_vendored_scripts_are_pinned_to_exact_versions_and_hashes():
    packages = vendor.read_pins()
    assert {p["name"] for p in packages} == {"requirejs", "@jupyter-widgets/html-manager", "mathjax"}
    for package in packages:
        assert re.fullmatch(r"sha512-[A-Za-z0-9+/]{86}==", package["integrity"]), package["name"]
        assert package["files"], f"{package['name']} keeps no file"


def test_a_loose_version_pin_is_refused(tmp_path):
    pins = json.loads((DOCS / "vendor.json").read_text())
    pins["packages"][0]["version"] = "^2.3.8"
    (tmp_path / "vendor.json").write_text(json.dumps(pins))
    with pytest.raises(ValueError, match="exact version"):
        vendor.read_pins(tmp_path / "vendor.json")


def test_conf_loads_only_the_vendored_scripts():
    conf = (DOCS / "conf.py").read_text()
    assert re.search(r'^mathjax_path = "vendor/', conf, re.M)
    for script in re.findall(r'^\s+"([^"]*\.js)": \{', conf, re.M):
        assert script.startswith("vendor/"), script
    kept = {target for p in vendor.read_pins() for target in p["files"].values()}
    assert {"requirejs/require.js", "html-manager/embed-amd.js", "mathjax/tex-svg.js"} <= kept


def _write_png(path, rgba):
    import matplotlib.image as mpimg
    mpimg.imsave(path, rgba)


def test_light_variant_turns_white_labels_dark_and_leaves_the_rest(tmp_path):
    rgba = np.zeros((2, 3, 4))
    rgba[0, 0] = (1, 1, 1, 1)           # a white label pixel
    rgba[0, 1] = (1, 1, 1, 0.4)         # the anti-aliased edge of a label
    rgba[0, 2] = (0.0, 0.447, 0.698, 1)  # a blue curve
    rgba[1, 0] = (0.69, 0.69, 0.69, 0.3)  # a grey grid line
    # rgba[1, 1], rgba[1, 2]: transparent background
    source, target = tmp_path / "dark.png", tmp_path / "light.png"
    _write_png(source, rgba)
    before = source.read_bytes()
    import matplotlib.image as mpimg

    assert course_content.light_variant(source, target) == 2
    out = mpimg.imread(target)
    ink = np.asarray(course_content.LIGHT_PAGE_INK) / 255
    np.testing.assert_allclose(out[0, 0, :3], ink, atol=1 / 255)
    np.testing.assert_allclose(out[0, 1, :3], ink, atol=1 / 255)
    np.testing.assert_allclose(out[..., 3], mpimg.imread(source)[..., 3], atol=1 / 255)   # opacity kept
    np.testing.assert_allclose(out[0, 2], mpimg.imread(source)[0, 2], atol=1 / 255)       # curve untouched
    np.testing.assert_allclose(out[1, 0], mpimg.imread(source)[1, 0], atol=1 / 255)       # grid untouched
    assert source.read_bytes() == before, "the original export must not change"


def test_light_variant_refuses_an_image_without_transparency(tmp_path):
    import matplotlib.pyplot as plt
    path = tmp_path / "rgb.jpg"
    plt.imsave(path, np.zeros((2, 2, 3)))
    with pytest.raises(ValueError, match="RGBA"):
        course_content.light_variant(path, tmp_path / "out.png")


@pytest.mark.parametrize("png", sorted((ROOT / "assets" / "images").glob("*.png")), ids=lambda p: p.name)
def test_every_exported_figure_has_a_light_variant_with_dark_labels(png, tmp_path):
    import matplotlib.image as mpimg
    changed = course_content.light_variant(png, tmp_path / "light.png")
    original, light = mpimg.imread(png), mpimg.imread(tmp_path / "light.png")
    opaque_white = (original[..., :3].min(axis=2) >= 0.94) & (original[..., 3] > 0.5)
    assert opaque_white.sum() > 100, f"{png.name} has no white labels: is it still a dark-page export?"
    assert changed >= opaque_white.sum()
    # On a white page the labels now contrast: dark ink where there was white.
    assert light[opaque_white, :3].max() < 0.25


def test_mirror_picks_up_every_numbered_notebook_and_drops_stale_ones(tmp_path):
    source, mirror = tmp_path / "notebooks", tmp_path / "mirror"
    source.mkdir()
    for name in ("01_a.ipynb", "05_generalisation.ipynb", "scratch.ipynb"):
        (source / name).write_text("{}")
    mirror.mkdir()
    (mirror / "03_gone.ipynb").write_text("{}")
    assert course_content.mirror_notebooks(source, mirror) == ["01_a.ipynb", "05_generalisation.ipynb"]
    assert sorted(p.name for p in mirror.glob("*.ipynb")) == ["01_a.ipynb", "05_generalisation.ipynb"]
    assert "notebooks/0*" in (DOCS / "index.md").read_text(), "the table of contents must glob notebooks/0*"


def test_contents_estimate_counts_prose_code_and_exercises(tmp_path):
    cells = [{"cell_type": "markdown", "source": ["# 09 · A title\n", "word " * 300 + "$x + y$"]},
             {"cell_type": "markdown", "source": ["### Exercise 1: one\n"]},
             {"cell_type": "markdown", "source": ["**Exercise 2: two.** text"]},
             {"cell_type": "code", "source": ["1"]}, {"cell_type": "code", "source": ["2"]}]
    path = tmp_path / "09_x.ipynb"
    path.write_text(json.dumps({"cells": cells}))
    info = course_content.notebook_summary(path)
    # 300 + 6 words in the markdown ("09", "A", "title", "Exercise", "1", "one", ... minus the maths)
    assert info["title"] == "09 · A title"
    assert info["exercises"] == 2 and info["code_cells"] == 2
    assert 300 < info["words"] < 320
    # 300-odd words at 150 a minute (2) + 2 code cells (2) + 2 exercises (20) = 24, rounded to 25
    assert info["minutes"] == 25


def test_binder_links_come_from_the_readme_badge():
    assert course_content.binder_url(NOTEBOOKS[0]) == readme_badge_url()
    assert course_content.binder_url("05_x.ipynb") == expected_binder("05_x.ipynb")


def test_licences_and_citation_are_stated():
    licence = (ROOT / "LICENSE").read_text()
    assert licence.startswith("MIT License") and "Permission is hereby granted, free of charge" in licence
    readme = (ROOT / "README.md").read_text()
    for words in ("MIT", "CC BY 4.0", "LICENSE", "CITATION.cff", "make site", "make playground", "npm"):
        assert words in readme, f"README.md does not mention {words}"
    assert "CC BY 4.0" in (DOCS / "_templates" / "extra-footer.html").read_text()
    landing = (DOCS / "index.md").read_text()
    assert "CC BY 4.0" in landing and "MIT" in landing and "@misc{" in landing
    citation = (ROOT / "CITATION.cff").read_text()
    assert "cff-version:" in citation and "CC-BY-4.0" in citation
    repository = re.search(r"https://mybinder\.org/v2/gh/([^/]+)/([^/]+)/", readme).groups()
    assert f"https://github.com/{repository[0]}/{repository[1]}" in citation


# --------------------------------------------------------------------------------------------------
# The built site in a browser


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The site built with -W into a temporary folder, and served on 127.0.0.1: yields its base URL."""
    base = tmp_path_factory.mktemp("site")
    fetched = subprocess.run([sys.executable, str(DOCS / "vendor.py")], capture_output=True, text=True)
    assert fetched.returncode == 0, fetched.stdout + fetched.stderr
    start = time.monotonic()
    # Built as for a class hub, so the JupyterHub launch button is there to check (README: Teaching).
    built = subprocess.run([sys.executable, "-m", "sphinx", "-W", "--keep-going", "-q", "-b", "html",
                            "-d", str(base / "doctrees"), str(DOCS), str(base / "html")],
                           capture_output=True, text=True, env=dict(os.environ, COURSE_JUPYTERHUB_URL=HUB))
    seconds = time.monotonic() - start
    assert built.returncode == 0, f"sphinx-build -W failed:\n{built.stderr[-4000:]}"
    print(f"\nsite built in {seconds:.1f} s")
    port = free_port()
    log_path = base / "server.log"
    with open(log_path, "wb") as log:
        server = subprocess.Popen([sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1",
                                   "--directory", str(base / "html")], stdout=log, stderr=subprocess.STDOUT)
    try:
        url = f"http://127.0.0.1:{port}/"
        wait_for_http(url + "index.html", server, log_path)
        yield {"url": url, "html": base / "html", "build_seconds": seconds}
    finally:
        stop(server)


@pytest.fixture
def visit(browser, site):
    """Open a page of the site with every request recorded; returns (page, request log)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    log = RequestLog().attach(context)
    page = context.new_page()

    def go(path):
        log.urls.clear()
        log.failed.clear()
        page.goto(site["url"] + path)
        page.wait_for_load_state("networkidle")
        return page, log

    yield go
    context.close()


def _check_quiet_and_accessible(page, log, path):
    """No request left 127.0.0.1 or failed; the footer states the licences; axe passes on the content."""
    assert not log.foreign(), f"{path} asked other hosts for: {log.foreign()}"
    assert not log.failed, f"{path}: requests that failed: {log.failed}"
    footer = page.locator(".cu-licence").inner_text()
    assert "MIT" in footer and "CC BY 4.0" in footer, f"{path}: the footer does not state the licences"
    failures, ignored = axe_violations(page, CONTENT, THEME_RULES)
    print(f"{path}: axe rules ignored as the theme's own: {ignored}")
    assert not failures, f"{path}: accessibility violations caused by the course:\n" + "\n".join(failures)


def _wait_for_maths(page):
    page.wait_for_function("() => window.MathJax && MathJax.startup && MathJax.startup.promise", timeout=30_000)
    page.evaluate("() => MathJax.startup.promise")


@pytest.mark.browser
def test_every_notebook_has_a_page_and_every_page_is_served(site):
    pages = sorted(p.relative_to(site["html"]).as_posix() for p in site["html"].rglob("*.html"))
    for name in NOTEBOOKS:
        assert f"notebooks/{Path(name).stem}.html" in pages, f"no page for {name}"
    assert {"index.html", "api.html"} <= set(pages)


@pytest.mark.browser
@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_notebook_page(notebook, visit):
    path = f"notebooks/{Path(notebook).stem}.html"
    start = time.monotonic()
    page, log = visit(path)
    _wait_for_maths(page)
    figures, alts, explorer = notebook_outputs(notebook)

    # Figures: every stored figure is on the page, loaded and laid out at a non-zero size.
    # (An explorer's own image is checked below: it is drawn by the widget renderer, not stored as a figure.)
    images = page.locator(f"{CONTENT} .cell_output img")
    stored = f"imgs => imgs.filter(img => !img.closest('.jupyter-widgets, .cu-explorer'))"
    count = images.evaluate_all(f"{stored}.length")
    assert count == figures, f"{path}: {count} figures on the page, the notebook has {figures}"
    drawn = images.evaluate_all(f"imgs => ({stored})(imgs).filter({DRAWN}).length")
    assert drawn == figures, f"{path}: only {drawn} of {figures} figures loaded with a size"
    on_page = images.evaluate_all(f"imgs => ({stored})(imgs).map(img => img.alt)")
    for alt in alts:
        assert alt in on_page, f"{path}: a figure lost its description: {alt[:80]}"
    # The theme's dark mode turns every figure dark (docs/_static/course.css) on a page-coloured background;
    # the light mode leaves it as it is.
    marked = page.locator(f"{CONTENT} .cell_output div.output > img.cu-figure")
    assert marked.count() == figures, f"{path}: {marked.count()} of {figures} figures carry the class cu-figure"
    assert set(marked.evaluate_all(FILTERS)) == {"none"}, f"{path}: a figure is filtered in the light mode"
    page.evaluate("() => document.documentElement.dataset.theme = 'dark'")
    assert set(marked.evaluate_all(FILTERS)) == {DARK_FILTER}, f"{path}: {set(marked.evaluate_all(FILTERS))}"
    backgrounds = marked.evaluate_all("imgs => imgs.map(i => getComputedStyle(i.parentElement).backgroundColor)")
    assert set(backgrounds) == {"rgba(0, 0, 0, 0)"}, f"{path}: a dark figure sits on a card: {set(backgrounds)}"
    SCREENSHOTS.mkdir(exist_ok=True)
    marked.first.scroll_into_view_if_needed()
    page.screenshot(path=str(SCREENSHOTS / f"site-{Path(notebook).stem}-dark.png"))
    page.evaluate("() => document.documentElement.dataset.theme = 'light'")

    # Maths: typeset by MathJax, nothing left as raw TeX, no MathJax error, \text{} without stray backslashes.
    markdown = "".join("".join(c["source"]) for c in
                       json.loads((ROOT / "notebooks" / notebook).read_text())["cells"] if c["cell_type"] == "markdown")
    if "$" in markdown:
        assert page.locator(f"{CONTENT} mjx-container").count() > 0, f"{path}: no maths was typeset"
    prose = page.evaluate(PROSE)
    raw = re.findall(r"\$[^$\s][^$]*\$|\\\(|\\\[|\\[A-Za-z]+\{", prose)
    assert not raw, f"{path}: raw TeX left in the text: {raw[:5]}"
    mathml = page.evaluate(MATHML)
    assert not [m for m in mathml if "<merror" in m], f"{path}: MathJax reported an error"
    stray = [t for m in mathml for t in re.findall(r"<mtext[^>]*>([^<]*)</mtext>", m) if "\\" in t]
    assert not stray, f"{path}: text inside maths shows a backslash: {stray}"

    # The explorer: its stored snapshot is drawn, and the note under it links the live notebook.
    if explorer:
        snapshot = page.locator(f"{CONTENT} .cu-explorer img").first
        snapshot.wait_for(timeout=30_000)
        page.wait_for_function(f"img => ({DRAWN})(img) && /^(blob|data):/.test(img.src)",
                               arg=snapshot.element_handle(), timeout=30_000)
        assert snapshot.get_attribute("alt"), f"{path}: the explorer's figure has no text alternative"
        assert page.locator(".cu-live-note").count() >= 1, f"{path}: no note says the live explorer is a click away"
        # The dark mode draws the whole stored view dark, once: the view through the filter, its figure without one.
        view = page.locator(f"{CONTENT} .cu-explorer").first
        styles = "el => [getComputedStyle(el).filter, getComputedStyle(el.querySelector('img')).filter]"
        assert view.evaluate(styles) == ["none", "none"], f"{path}: the explorer is filtered in the light mode"
        page.evaluate("() => document.documentElement.dataset.theme = 'dark'")
        assert view.evaluate(styles) == [DARK_FILTER, "none"], f"{path}: the explorer in the dark mode: {view.evaluate(styles)}"
        page.evaluate("() => document.documentElement.dataset.theme = 'light'")
        render = time.monotonic() - start
        print(f"\n{path}: explorer snapshot drawn {render:.2f} s after the page was requested")

    # Binder: every Binder link on the page opens this notebook, with the README badge's repository.
    binder = page.locator('a[href*="mybinder.org"]').evaluate_all("links => links.map(a => a.href)")
    assert binder, f"{path}: no Binder link"
    assert set(binder) == {expected_binder(notebook)}, f"{path}: Binder links {set(binder)}"
    # Colab: the launch button and the notebook's own link open this notebook from the course's main branch.
    colab = page.locator('a[href*="colab.research.google.com"]').evaluate_all("links => links.map(a => a.href)")
    assert len(colab) >= 2, f"{path}: Colab links {colab}"
    assert set(colab) == {f"https://colab.research.google.com/github/{REPOSITORY}/blob/main/notebooks/{notebook}"}
    # A class hub: nbgitpuller copies the repository into the student's home and opens this notebook there.
    hub = page.locator(f'a[href^="{HUB}/"]').evaluate_all("links => links.map(a => a.href)")
    assert len(hub) == 1 and "/hub/user-redirect/git-pull?" in hub[0], f"{path}: JupyterHub links {hub}"
    pull = parse_qs(urlparse(hub[0]).query)
    assert pull["repo"] == [f"https://github.com/{REPOSITORY}"] and pull["urlpath"][0].endswith(f"notebooks/{notebook}")

    if explorer:
        SCREENSHOTS.mkdir(exist_ok=True)
        page.locator(".cu-explorer").first.scroll_into_view_if_needed()
        page.screenshot(path=str(SCREENSHOTS / f"site-{Path(notebook).stem}.png"))
    _check_quiet_and_accessible(page, log, path)


@pytest.mark.browser
def test_landing_page_lists_the_course_and_shows_readable_figures(visit, site):
    page, log = visit("index.html")
    _wait_for_maths(page)
    links = page.locator(f"{CONTENT} table a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    for name in NOTEBOOKS:
        assert f"notebooks/{Path(name).stem}.html" in links, f"the contents table does not link {name}"
        assert expected_binder(name) in links, f"the contents table has no Binder link for {name}"
    figures = len(list((ROOT / "assets" / "images").glob("*.png")))
    light = page.locator(f"{CONTENT} img.cu-figure-light")
    assert light.count() == figures
    assert light.evaluate_all(f"imgs => imgs.filter({DRAWN}).length") == figures
    assert page.locator(f"{CONTENT} img.cu-figure-dark").evaluate_all(
        "imgs => imgs.filter(img => img.getBoundingClientRect().width > 0).length") == 0, \
        "the white-label originals must not show on the light page"
    # The theme's dark mode shows the originals instead.
    page.evaluate("() => document.documentElement.dataset.theme = 'dark'")
    assert page.locator(f"{CONTENT} img.cu-figure-dark").evaluate_all(f"imgs => imgs.filter({DRAWN}).length") == figures
    page.evaluate("() => document.documentElement.dataset.theme = 'light'")
    _check_quiet_and_accessible(page, log, "index.html")


@pytest.mark.browser
def test_axe_still_sees_one_faint_word_among_many_alike(visit, site):
    """The contrast check looks at one inline-code word of each look (tests/_web.py): a word made faint is a new look."""
    page, _ = visit("teaching.html")
    words = page.locator(f"{CONTENT} span.pre")
    assert words.count() >= 10, "the teachers' page has too little inline code to probe"
    assert axe_violations(page, CONTENT, THEME_RULES)[0] == []
    words.nth(words.count() // 2).evaluate("span => { span.id = 'cu-faint'; span.style.color = '#dcdcdc'; }")
    failures, _ = axe_violations(page, CONTENT, THEME_RULES)
    assert any(f.startswith("color-contrast") and "cu-faint" in f for f in failures), failures
    assert page.locator("[data-cu-axe-alike]").count() == 0, "a word was left hidden after the check"


@pytest.mark.browser
def test_every_other_page_is_quiet_and_accessible(visit, site):
    others = sorted(p.relative_to(site["html"]).as_posix() for p in site["html"].rglob("*.html")
                    if not p.relative_to(site["html"]).as_posix().startswith(("notebooks/", "index.html", "_static/")))
    assert "api.html" in others
    api = ""
    for path in others:
        page, log = visit(path)
        if path == "api.html":
            api = page.locator(CONTENT).inner_text()
        _check_quiet_and_accessible(page, log, path)
    for name in ("course_utils.data", "course_utils.network", "course_utils.widgets"):
        assert name in api, f"the API page has no section for {name}"
