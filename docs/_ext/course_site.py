"""Sphinx glue for the course's site: its notebooks, its contents table, its API page and its figures.

- Every ``notebooks/0*.ipynb`` of the repository is mirrored into ``docs/notebooks/``
  when the build starts, so a new notebook gets a page without touching the docs.
- ``course-contents`` (landing page): a table of the notebooks in order, with the
  time each takes, estimated from the notebook itself.
- ``course-modules`` (API page): one section per public module of ``course_utils``,
  each documented from its docstrings by autodoc.
- ``course-figures`` (landing page): the figures the notebooks export for a dark
  web page, each with a variant whose labels read on the site's light background.
- After each explorer's stored snapshot, a note says that the snapshot does not
  recompute and that the live explorer is one click away (Binder).
"""

from __future__ import annotations

import filecmp
import html
import importlib
import json
import pkgutil
import re
import shutil
from pathlib import Path

import numpy as np
from docutils import nodes
from docutils.parsers.rst import Directive
from docutils.statemachine import StringList
from sphinx.util.nodes import nested_parse_with_titles

DOCS = Path(__file__).resolve().parents[1]
ROOT = DOCS.parent
NOTEBOOKS = ROOT / "notebooks"
MIRROR = DOCS / "notebooks"
FIGURES_IN = ROOT / "assets" / "images"
FIGURES_OUT = DOCS / "_generated" / "figures"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"

# The modules of course_utils in the order the course meets them; any other public module follows.
MODULE_ORDER = ["data", "activations", "network", "gradcheck", "training", "descent", "plotting", "widgets",
                "exercises", "validation"]
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


def make_light_figures(app):
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


# ---------------------------------------------------------------------------------------------------
# Directives


class ParsedContent(Directive):
    """A directive whose output is generated source text, parsed in place (headings allowed)."""

    def generated(self):
        raise NotImplementedError

    def run(self):
        holder = nodes.section() if self.with_titles else nodes.container()
        lines = StringList(self.generated().splitlines(), source=f"<{self.name}>")
        if self.with_titles:
            nested_parse_with_titles(self.state, lines, holder)
        else:
            self.state.nested_parse(lines, 0, holder)
        return holder.children


class CourseContents(ParsedContent):
    """The notebooks in order: title, link and estimated time (MyST source)."""

    with_titles = False

    def generated(self):
        rows = ["| notebook | estimated time | live |", "| --- | --- | --- |"]
        for path in course_notebooks():
            info = notebook_summary(path)
            rows.append(f"| [{info['title']}](notebooks/{path.name}) | about {info['minutes']} min "
                        f"| [open on Binder]({binder_url(path.name)}) |")
        return "\n".join(rows)


class CourseModules(ParsedContent):
    """One section per public module of course_utils, filled in by autodoc (reStructuredText source)."""

    with_titles = True

    def generated(self):
        lines = []
        for name in public_modules():
            lines += [f"``{name}``", "-" * (len(name) + 4), "", f".. automodule:: {name}", "   :members:", "   :ignore-module-all:", ""]
        return "\n".join(lines)


def public_modules(package="course_utils"):
    """Every module of ``package`` without a leading underscore, in the course's order."""
    root = importlib.import_module(package)
    names = [package] + sorted(m.name for m in pkgutil.walk_packages(root.__path__, package + ".")
                               if not any(part.startswith("_") for part in m.name.split(".")))

    def key(name):
        parts = name.split(".")
        top = parts[1] if len(parts) > 1 else ""
        rank = MODULE_ORDER.index(top) if top in MODULE_ORDER else len(MODULE_ORDER)
        return (top != "", rank, name)

    return sorted(names, key=key)


class CourseFigures(Directive):
    """Each exported figure, in its light variant on a light page and as exported on a dark one."""

    def run(self):
        env = self.state.document.settings.env
        out = []
        for png, notebook, alt in exported_figures():
            slug = figure_slug(png)
            where = f"notebook {notebook.stem[:2]}" if notebook else "a notebook"
            alt = alt or f"The figure {where} exports as {png.name}."
            figure = nodes.figure(classes=["cu-exported-figure"])
            for variant, theme in (("light", "only-light"), ("dark", "only-dark")):
                uri = f"/_generated/figures/{slug}-{variant}.png"
                figure += nodes.image(uri=uri, alt=alt, classes=[theme, f"cu-figure-{variant}"])
            caption = nodes.caption()
            caption += nodes.literal(text=f"assets/images/{png.name}")
            caption += nodes.Text(f", exported by {where}. Shown here with dark labels for this page; "
                                  "the file itself has white labels on a transparent background, for a dark page.")
            figure += caption
            out.append(figure)
            env.note_dependency(str(png))
        return out


# ---------------------------------------------------------------------------------------------------
# The note under each explorer snapshot


def note_live_explorers(app, doctree, docname):
    """After every stored explorer on a notebook page, say that it is a snapshot and link the live one."""
    if not docname.startswith("notebooks/"):
        return
    name = docname.split("/", 1)[1] + ".ipynb"
    for raw in list(doctree.findall(nodes.raw)):
        if WIDGET_VIEW not in raw.astext():
            continue
        cell = raw
        while cell.parent is not None and "cell" not in cell.get("classes", []):
            cell = cell.parent
        if cell.parent is None:
            cell = raw
        note = nodes.raw(format="html", text=(
            '<p class="cu-live-note"><strong>This explorer is a snapshot</strong> of its default state: '
            "its controls move here, but nothing is recomputed on this page. The live explorer is one click "
            f'away: <a href="{html.escape(binder_url(name))}">open this notebook on Binder</a> and run it, '
            "or run <code>make playground</code> on your own machine.</p>"))
        cell.parent.insert(cell.parent.index(cell) + 1, note)


def setup(app):
    app.connect("config-inited", lambda app, config: mirror_notebooks())
    app.connect("builder-inited", make_light_figures)
    app.connect("doctree-resolved", note_live_explorers)
    app.add_directive("course-contents", CourseContents)
    app.add_directive("course-modules", CourseModules)
    app.add_directive("course-figures", CourseFigures)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
