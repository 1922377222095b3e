"""Sphinx configuration of the course's website (``make site``).

The pages are built from the notebooks' stored outputs and never execute them.
Every script the pages load is served from ``_static/vendor/`` (``docs/vendor.py``
fetches the pinned files), so a reader's browser asks no other host for anything.
"""

import os
import sys
import tomllib
from pathlib import Path

DOCS = Path(__file__).resolve().parent
sys.path[:0] = [str(DOCS / "_ext"), str(DOCS.parent)]

import course_site  # noqa: E402  (docs/_ext)

hub, org, repo, branch = course_site.readme_binder()
REPOSITORY = f"https://github.com/{org}/{repo}"
URLS = tomllib.loads((DOCS.parent / "pyproject.toml").read_text(encoding="utf-8"))["project"]["urls"]

project = "Backprop from Scratch"
author = "The Backprop from Scratch authors"
copyright = "2026, the Backprop from Scratch authors"
release = "0.1.0"

extensions = ["myst_nb", "sphinx.ext.autodoc", "sphinx.ext.napoleon", "sphinx.ext.githubpages", "course_site"]
exclude_patterns = ["_build", "jupyter_execute", "_generated", ".vendored.json", "vendor.*"]
suppress_warnings = []

# Notebooks: stored outputs only (nbval already proves they are current).
nb_execution_mode = "off"
myst_enable_extensions = ["dollarmath", "amsmath"]
myst_heading_anchors = 3

# Maths: MathJax 3 from _static/vendor, SVG output (no font files), and the textmacros package so that
# text-mode macros inside \text{} work: \text{fan\_in} shows fan_in, not a stray backslash.
mathjax_path = "vendor/mathjax/tex-svg.js"
mathjax3_config = {
    "loader": {"load": ["[tex]/textmacros"]},
    "tex": {"packages": {"[+]": ["textmacros"]}},
}

# The explorers' stored state, drawn by the ipywidgets HTML manager, also from _static/vendor.
# The manager finds its font files next to the module path RequireJS gives it (by default the page's own
# folder), so RequireJS is told that the manager's files are in _static/vendor/html-manager.
REQUIREJS_PATHS = """(function () {
  var loader = document.querySelector('script[src*="vendor/requirejs/require.js"]').src;
  var vendor = loader.slice(0, loader.indexOf("vendor/requirejs/")) + "vendor/";
  require.config({paths: {"@jupyter-widgets/html-manager/dist": vendor + "html-manager"}});
})();"""
nb_ipywidgets_js = {
    "vendor/requirejs/require.js": {},
    "": {"body": REQUIREJS_PATHS},
    "vendor/html-manager/embed-amd.js": {},
}

# API page.
autodoc_member_order = "bysource"
autodoc_default_options = {"undoc-members": False}
napoleon_google_docstring = False
napoleon_numpy_docstring = True
napoleon_use_ivar = True

html_theme = "sphinx_book_theme"
html_baseurl = URLS["Documentation"]
html_title = "Backprop from Scratch"
# course-a11y.js (names for the explorers' sliders and figures) is shared with the playground's template.
html_static_path = ["_static", "../playground/voila/templates/course/static"]
html_css_files = ["course.css"]
html_js_files = ["course-a11y.js"]
templates_path = ["_templates"]
html_last_updated_fmt = None
# A class hub: COURSE_JUPYTERHUB_URL=https://hub.example.edu make site adds a JupyterHub launch button, whose
# nbgitpuller link copies the repository into each student's home on that hub (README: Teaching with the course).
JUPYTERHUB_URL = os.environ.get("COURSE_JUPYTERHUB_URL", "").rstrip("/")
html_theme_options = {
    "repository_url": REPOSITORY,
    # The README badge's branch, main: Colab's launch button opens notebooks by branch name.
    "repository_branch": branch,
    # Pages live at notebooks/NAME.html, and the notebooks at notebooks/NAME.ipynb in the repository.
    "path_to_docs": "",
    "use_repository_button": True,
    "use_download_button": True,
    "launch_buttons": {"binderhub_url": hub, "colab_url": "https://colab.research.google.com",
                       "notebook_interface": "jupyterlab", **({"jupyterhub_url": JUPYTERHUB_URL} if JUPYTERHUB_URL else {})},
    "home_page_in_toc": True,
    "show_navbar_depth": 1,
}
html_context = {"default_mode": "light"}
