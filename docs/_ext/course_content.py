"""What the course's site reads from the repository: notebooks, the Binder badge, exported figures.

Plain Python (numpy and matplotlib only), so the tests can check it without Sphinx;
``course_site`` turns it into pages.
"""

from __future__ import annotations

import filecmp
import json
import re
import shutil
from pathlib import Path

import numpy as np

DOCS = Path(__file__).resolve().parents[1]
ROOT = DOCS.parent
NOTEBOOKS = ROOT / "notebooks"
MIRROR = DOCS / "notebooks"
FIGURES_IN = ROOT / "assets" / "images"
FIGURES_OUT = DOCS / "_generated" / "figures"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
# How the contents table estimates a learner's time (stated on the landing page).
WORDS_PER_MINUTE = 150
MINUTES_PER_CODE_CELL = 1
MINUTES_PER_EXERCISE = 10
# Dark text for the light variants: the theme's body text colour in light mode.
LIGHT_PAGE_INK = (0x22, 0x28, 0x32)

# ---------------------------------------------------------------------------------------------------
# Reading the repository


def readme_binder():
    """``(binderhub, org, repo, branch)`` from the README's Binder badge: the one place they are written."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    match = re.search(r"\((https://[^/\s)]+)/v2/gh/([^/\s)]+)/([^/\s)]+)/([^/?\s)]+)\?urlpath=lab/tree/", readme)
    if match is None:
        raise ValueError("README.md has no Binder badge of the form "
                         "https://HUB/v2/gh/ORG/REPO/BRANCH?urlpath=lab/tree/notebooks/NAME.ipynb")
    return match.groups()


def binder_url(notebook_name):
    """The Binder link that opens ``notebooks/<notebook_name>`` in JupyterLab, as the README's badge does."""
    hub, org, repo, branch = readme_binder()
    return f"{hub}/v2/gh/{org}/{repo}/{branch}?urlpath=lab/tree/notebooks/{notebook_name}"


def course_notebooks():
    """The repository's ``notebooks/0*.ipynb``, in course order."""
    return sorted(NOTEBOOKS.glob("0*.ipynb"))


def notebook_summary(path):
    """Title, estimated minutes and the counts behind the estimate, read from one notebook."""
    cells = json.loads(Path(path).read_text(encoding="utf-8"))["cells"]
    markdown = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
    title = next((line[2:].strip() for line in markdown.splitlines() if line.startswith("# ")), Path(path).stem)
    prose = re.sub(r"\$\$.*?\$\$|\$[^$\n]*\$", " ", markdown, flags=re.S)
    words = len(re.findall(r"[A-Za-z0-9']+", prose))
    code_cells = sum(c["cell_type"] == "code" for c in cells)
    exercises = len(re.findall(r"^(?:#+\s*|\*\*)Exercise \d", markdown, flags=re.M))
    minutes = (words / WORDS_PER_MINUTE + code_cells * MINUTES_PER_CODE_CELL + exercises * MINUTES_PER_EXERCISE)
    return {"title": title, "words": words, "code_cells": code_cells, "exercises": exercises,
            "minutes": max(5, int(5 * round(minutes / 5)))}


def mirror_notebooks(source=NOTEBOOKS, mirror=MIRROR):
    """Copy ``source/0*.ipynb`` into ``mirror``, dropping notebooks that are gone; unchanged files are left alone."""
    mirror.mkdir(parents=True, exist_ok=True)
    wanted = {p.name: p for p in sorted(source.glob("0*.ipynb"))}
    for stale in mirror.glob("*.ipynb"):
        if stale.name not in wanted:
            stale.unlink()
    for name, path in wanted.items():
        target = mirror / name
        if not target.exists() or not filecmp.cmp(path, target, shallow=False):
            shutil.copy2(path, target)
    return sorted(wanted)


def mirror_notation(source=ROOT / "NOTATION.md", target=DOCS / "NOTATION.md"):
    """Copy the notation table beside the pages, where the notebooks' links ``../NOTATION.md`` land."""
    if not target.exists() or not filecmp.cmp(source, target, shallow=False):
        shutil.copy2(source, target)
    return target


# ---------------------------------------------------------------------------------------------------
# Light variants of the figures exported for a dark page


def light_variant(source, target, ink=LIGHT_PAGE_INK):
    """Write a copy of the PNG ``source`` whose white pixels are ``ink``: labels readable on a light page.

    ``cu.save_figure`` draws axes, ticks, labels and titles in pure white on a
    transparent background. Those pixels (white at any opacity) take the colour
    ``ink`` and keep their opacity, so anti-aliased edges stay smooth; coloured
    curves, grey grid lines and the transparent background are left exactly as
    they are. Returns the number of pixels changed.
    """
    import matplotlib.image as mpimg

    rgba = mpimg.imread(source)
    if rgba.ndim != 3 or rgba.shape[2] != 4:
        raise ValueError(f"{source}: expected an RGBA PNG as cu.save_figure writes, got shape {rgba.shape}")
    rgb = rgba[..., :3]
    white = (rgb.min(axis=2) >= 0.94) & (rgba[..., 3] > 0)
    out = rgba.copy()
    out[white, :3] = np.asarray(ink, dtype=out.dtype) / 255
    Path(target).parent.mkdir(parents=True, exist_ok=True)
    mpimg.imsave(target, out)
    return int(white.sum())


def figure_slug(path):
    """A file name safe in URLs: ``training(2).png`` -> ``training-2``."""
    return re.sub(r"[^A-Za-z0-9]+", "-", Path(path).stem).strip("-")


def exported_figures():
    """``(name, notebook, alt)`` of every PNG in assets/images, with the notebook that writes it.

    The description is the one the notebook shows the figure with (``cu.show_figure``'s
    ``[Figure: ...]`` text) where there is one.
    """
    found = []
    for png in sorted(FIGURES_IN.glob("*.png")):
        notebook, alt = None, None
        for path in course_notebooks():
            for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
                if cell["cell_type"] == "code" and f'/{png.name}"' in "".join(cell["source"]):
                    notebook = path
                    for output in cell.get("outputs", []):
                        text = "".join(output.get("data", {}).get("text/plain", ""))
                        if text.startswith("[Figure: "):
                            alt = text[len("[Figure: "):].rstrip("]").strip()
        found.append((png, notebook, alt))
    return found


def make_light_figures(app=None):
    """Write the light variant of every exported figure, and a copy of its original, under docs/_generated."""
    FIGURES_OUT.mkdir(parents=True, exist_ok=True)
    for png, _, _ in exported_figures():
        slug = figure_slug(png)
        light = FIGURES_OUT / f"{slug}-light.png"
        dark = FIGURES_OUT / f"{slug}-dark.png"
        if not light.exists() or light.stat().st_mtime < png.stat().st_mtime:
            light_variant(png, light)
        if not dark.exists() or not filecmp.cmp(png, dark, shallow=False):
            shutil.copy2(png, dark)
