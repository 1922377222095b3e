"""Settings for every test run from this folder: ``pytest tests`` and ``pytest --nbval notebooks`` alike.

A test run leaves the repository as it found it. Notebooks 03 and 04 export
figures with ``cu.save_figure`` into ``assets/images/``; under test the
environment variable ``COURSE_FIGURES_DIR`` sends them into a temporary folder
instead. It is set before any kernel or JupyterLab server starts, so every
kernel the tests start (nbval's, the browser tests') inherits it, and so do
pytest-xdist's workers.
"""

import os
import shutil
import tempfile

FIGURES = "COURSE_FIGURES_DIR"
_made_here = []


def pytest_configure(config):
    if not os.environ.get(FIGURES):
        os.environ[FIGURES] = tempfile.mkdtemp(prefix="course-figures-")
        _made_here.append(os.environ[FIGURES])


def pytest_unconfigure(config):
    for folder in _made_here:
        shutil.rmtree(folder, ignore_errors=True)
        if os.environ.get(FIGURES) == folder:
            del os.environ[FIGURES]
