"""Fixtures for the browser tests: a JupyterLab server on a copy of the notebooks, and headless Chromium.

The server runs this interpreter's ``-m jupyterlab`` on 127.0.0.1, on a free
port, with a random token, serving a temporary copy of ``notebooks/`` (so a
run never changes the repository's notebooks) and its own settings and
workspace folders. A test class that defines ``copy_for_notebook`` (test_lab.py's
``TestNotebook``) is collected once for each notebook in ``--notebooks-dir``.
Chromium is Debian's package, driven by playwright-python;
playwright's own browser downloads are never used. Without Chromium or
playwright the browser tests skip, unless the environment variable ``CI`` is
set: then they fail, so CI cannot pass by skipping them.
"""

import importlib.util
import json
import os
import secrets
import shutil
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

from _web import free_port, stop

REPO = Path(__file__).resolve().parents[1]
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
# Lab settings for a quiet, predictable page: every cell in the DOM (so every output
# can be checked), and the course's own settings (lab-settings/overrides.json: no news or
# update checks over the network), as user settings files: plugin "a:b" -> a/b.jupyterlab-settings.
LAB_SETTINGS = {
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
    **{f"{plugin.replace(':', '/')}.jupyterlab-settings": settings for plugin, settings in
       json.loads((REPO / "lab-settings" / "overrides.json").read_text(encoding="utf-8")).items()},
}


def pytest_addoption(parser):
    parser.addoption("--notebooks-dir", default=str(REPO / "notebooks"),
                     help="folder whose *.ipynb the browser tests open (default: the repository's notebooks/)")


def pytest_pycollect_makeitem(collector, name, obj):
    """Collect a test class that defines ``copy_for_notebook`` once per notebook in --notebooks-dir.

    Each copy is the class that ``copy_for_notebook(file name)`` returns, under its own name
    (test_lab.py's ``TestNotebook_03_backprop``), so its class-scoped fixtures run once per
    notebook and pytest-xdist's ``--dist loadscope`` hands each notebook to one worker.
    """
    if not (isinstance(obj, type) and "copy_for_notebook" in vars(obj)):
        return None
    folder = Path(collector.config.getoption("--notebooks-dir"))
    copies = []
    for path in sorted(folder.glob("*.ipynb")):
        copy = obj.copy_for_notebook(path.name)
        setattr(collector.obj, copy.__name__, copy)     # where pytest's Class collector looks it up
        copies.append(pytest.Class.from_parent(collector, name=copy.__name__))
    return copies


def _unavailable(reason):
    """Skip for a learner's machine; fail under CI, where the browser tests must really run."""
    if os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no"):
        pytest.fail(f"{reason} (CI is set, so the browser tests may not skip)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def chromium_path():
    path = shutil.which("chromium")
    if path is None:
        _unavailable("Chromium is not installed; install Debian's package with: apt-get install -y chromium")
    return path


@pytest.fixture(scope="session")
def browser(chromium_path):
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("playwright-python is not installed; install it with: pip install -e '.[dev]'")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=chromium_path, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    yield context.new_page()
    context.close()


@dataclass
class LabServer:
    """A running JupyterLab: its base ``url``, ``token`` and the ``root`` folder it serves."""

    url: str
    token: str
    root: Path

    def api(self, path, method="GET"):
        request = urllib.request.Request(f"{self.url}/api/{path}", method=method,
                                         headers={"Authorization": f"token {self.token}"})
        with urllib.request.urlopen(request, timeout=10) as response:
            body = response.read()
        return json.loads(body) if body else None

    def shutdown_kernels(self):
        for kernel in self.api("kernels"):
            self.api(f"kernels/{kernel['id']}", method="DELETE")


@pytest.fixture(scope="session")
def lab_server(request, tmp_path_factory):
    base = tmp_path_factory.mktemp("jupyterlab")
    root = base / "notebooks"
    shutil.copytree(request.config.getoption("--notebooks-dir"), root)
    for name, settings in LAB_SETTINGS.items():
        path = base / "settings" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(settings))
    port, token = free_port(), secrets.token_hex(16)
    command = [sys.executable, "-m", "jupyterlab", "--no-browser", "--ServerApp.ip=127.0.0.1",
               f"--ServerApp.port={port}", "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}",
               f"--ServerApp.root_dir={root}", f"--LabApp.user_settings_dir={base / 'settings'}",
               f"--LabApp.workspaces_dir={base / 'workspaces'}",
               "--LabApp.expose_app_in_browser=True"]      # window.jupyterapp: the next notebook opens without a reload
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        command.append("--allow-root")
    # The course's figure CSS, installed as make lab and Binder install it (tools/lab_settings.py), into a
    # configuration folder of this server's own.
    spec = importlib.util.spec_from_file_location("lab_settings", REPO / "tools" / "lab_settings.py")
    lab_settings = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(lab_settings)
    lab_settings.install_css(base / "config")
    env = dict(os.environ, JUPYTER_RUNTIME_DIR=str(base / "runtime"), JUPYTER_CONFIG_DIR=str(base / "config"))
    log_path = base / "jupyterlab.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env)
    server = LabServer(f"http://127.0.0.1:{port}", token, root)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                server.api("status")
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"JupyterLab did not answer on port {port}; its log:\n"
                                       + log_path.read_text(errors="replace")[-3000:]) from None
                time.sleep(0.3)
        yield server
    finally:
        if process.poll() is None:
            try:
                server.shutdown_kernels()
            except OSError:
                pass
        stop(process)


# --- Data shared by the kernel-side tests: built when a test first asks for it, never at import ---

@pytest.fixture(scope="session")
def course_data():
    """``cu.make_dataset()``: the course's 10,000 samples ``(X, y)``, read-only so that no test changes them."""
    import course_utils as cu

    X, y = cu.make_dataset()
    X.flags.writeable = False
    y.flags.writeable = False
    return X, y
