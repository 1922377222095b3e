"""Google Colab: every notebook links to it and installs the course there, and the explorers run on ipywidgets 7.

The tests without a marker run in every leg. The one marked ``colab`` drives the explorers in the classic
Notebook 6 front-end, whose widget manager (widgetsnbextension 3.6) runs ipywidgets 7 as Colab's does;
``make test-colab`` runs it, in the environment with Colab's library versions (``tools/colab.py``).
"""

import json
import os
import re
import secrets
import subprocess
import sys
import time
import urllib.request
from importlib import metadata
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
import colab  # noqa: E402
import lower_bounds  # noqa: E402  (its TOML reader works on Python 3.10, which has no tomllib)

from _web import free_port, stop  # noqa: E402

NOTEBOOKS = sorted((ROOT / "notebooks").glob("0*.ipynb"))
PYPROJECT = lower_bounds.parse_minimal_toml((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def test_every_notebook_has_its_colab_cells_right_after_the_title():
    assert NOTEBOOKS
    for path in NOTEBOOKS:
        notebook = json.loads(path.read_text(encoding="utf-8"))
        assert colab.up_to_date(notebook, path.name), f"{path.name}: run python tools/colab.py"
    assert subprocess.run([sys.executable, str(ROOT / "tools" / "colab.py"), "check"]).returncode == 0


def test_the_links_open_this_notebook_from_the_course_repository():
    source = PYPROJECT["project"]["urls"]["Source"]
    assert source == f"https://github.com/{colab.REPOSITORY}"
    for path in NOTEBOOKS:
        text = colab.links(path.name)
        urls = re.findall(r"\]\((https://[^)]+)\)", text)
        assert urls == [f"https://colab.research.google.com/github/{colab.REPOSITORY}/blob/main/notebooks/{path.name}",
                        f"https://mybinder.org/v2/gh/{colab.REPOSITORY}/main?urlpath=lab/tree/notebooks/{path.name}"]


def _run_install_cell(in_colab):
    """Run the install cell with ``subprocess.run`` recording the commands instead of running them."""
    import subprocess as real

    calls = []
    saved = sys.modules.get("google.colab")
    if in_colab:
        sys.modules["google.colab"] = type(sys)("google.colab")
    original, real.run = real.run, lambda command, **options: calls.append((command, options))
    try:
        exec(colab.INSTALL, {})
    finally:
        real.run = original
        if in_colab and saved is None:
            del sys.modules["google.colab"]
    return calls


def test_the_install_cell_does_nothing_outside_colab_and_installs_the_course_inside():
    assert _run_install_cell(in_colab=False) == []
    (command, options), = _run_install_cell(in_colab=True)
    assert command[:4] == [sys.executable, "-m", "pip", "install"] and options == {"check": True}
    assert command[-1] == f"course-utils @ git+https://github.com/{colab.REPOSITORY}@main"
    # No --upgrade and no pins: pip keeps Colab's own numpy, matplotlib and ipywidgets, which meet the bounds.
    assert not {"--upgrade", "-U", "--force-reinstall"} & set(command)


def test_colabs_library_versions_meet_the_bounds_the_course_claims():
    from packaging.requirements import Requirement
    from packaging.specifiers import SpecifierSet

    assert colab.COLAB["python"] in SpecifierSet(PYPROJECT["project"]["requires-python"])
    runtime = {Requirement(r).name: Requirement(r).specifier for r in PYPROJECT["project"]["dependencies"]}
    assert set(runtime) <= set(colab.COLAB), "every runtime dependency has Colab's version listed"
    for name, spec in runtime.items():
        assert colab.COLAB[name] in spec, f"Colab's {name} {colab.COLAB[name]} is outside {name}{spec}"


def test_the_readme_and_the_website_open_each_notebook_in_colab():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for path in NOTEBOOKS:
        url = f"https://colab.research.google.com/github/{colab.REPOSITORY}/blob/main/notebooks/{path.name}"
        assert url in readme, f"README.md has no Colab link for {path.name}"
    conf = (ROOT / "docs" / "conf.py").read_text(encoding="utf-8")
    assert re.search(r'"colab_url":\s*"https://colab.research.google.com"', conf)


# --- the explorers in an ipywidgets 7 front-end ----------------------------------------------

EXPLORER_NOTEBOOK = {
    "cells": [{"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [],
               "source": "import ipywidgets\nipywidgets.__version__"},
              {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [],
               "source": "from course_utils.widgets import output_explorer\nexplorer = output_explorer()\nexplorer"}],
    "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}},
    "nbformat": 4, "nbformat_minor": 4,
}


def _ipywidgets_major():
    return int(metadata.version("ipywidgets").split(".")[0])


@pytest.fixture
def classic_notebook(tmp_path):
    """The classic Notebook front-end (nbclassic, on jupyter_server) serving a notebook that shows an explorer.

    Returns ``(url of that notebook, server process)``. Its widget manager is widgetsnbextension's, which
    runs ipywidgets 7 models as Colab's front-end does.
    """
    root = tmp_path / "root"
    root.mkdir()
    (root / "explorer.ipynb").write_text(json.dumps(EXPLORER_NOTEBOOK), encoding="utf-8")
    port, token = free_port(), secrets.token_hex(16)
    command = [sys.executable, "-m", "nbclassic", "--no-browser", "--ServerApp.ip=127.0.0.1",
               f"--ServerApp.port={port}", "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}",
               f"--ServerApp.root_dir={root}"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")
    env = dict(os.environ, JUPYTER_RUNTIME_DIR=str(tmp_path / "runtime"), PYTHONPATH=str(ROOT))
    log_path = tmp_path / "notebook.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=5):
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("The classic Notebook did not start; its log:\n"
                                       + log_path.read_text(errors="replace")[-3000:]) from None
                time.sleep(0.3)
        yield f"{base}/notebooks/explorer.ipynb?token={token}", process
    finally:
        stop(process)


@pytest.mark.colab
@pytest.mark.browser
@pytest.mark.skipif(_ipywidgets_major() != 7, reason="needs ipywidgets 7, as Colab has: make test-colab")
def test_an_explorer_redraws_when_a_slider_moves_in_the_ipywidgets_7_front_end(page, classic_notebook):
    url, _ = classic_notebook
    assert metadata.version("widgetsnbextension").startswith("3.6"), "the classic front-end's widget manager"
    page.goto(url)
    page.wait_for_function("window.Jupyter && Jupyter.notebook && Jupyter.notebook.kernel "
                           "&& Jupyter.notebook.kernel.is_connected()", timeout=60_000)
    # A first cell that the kernel has answered, as a learner's would be, so the widget manager is listening
    # before the explorer's widgets are created (on a kernel's very first message they can miss it).
    page.evaluate("Jupyter.notebook.execute_cells([0])")
    page.wait_for_function("Jupyter.notebook.get_cell(0).output_area.outputs.length > 0", timeout=60_000)
    assert "'7." in page.inner_text(".output_area")                       # the kernel's ipywidgets
    page.evaluate("Jupyter.notebook.execute_cells([1])")
    image = page.locator(".jupyter-widgets-view img").first
    image.wait_for(timeout=60_000)
    before = image.get_attribute("src")
    assert before.startswith("data:image/png;base64,") and image.get_attribute("alt")
    # ipywidgets 7 draws a slider with jQuery UI: its handle takes the arrow keys.
    handle = page.locator(".cu-control-hidden-weight .ui-slider-handle")
    handle.focus()
    handle.press("ArrowRight")
    page.wait_for_function("(old) => { const img = document.querySelector('.jupyter-widgets-view img');"
                           " return img && img.getAttribute('src') !== old; }", arg=before, timeout=30_000)
    after = image.get_attribute("src")
    assert after != before and after.startswith("data:image/png;base64,")
