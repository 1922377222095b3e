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

import html
import importlib
import pkgutil
import re

from docutils import nodes
from docutils.parsers.rst import Directive
from docutils.statemachine import StringList
from sphinx.util.nodes import nested_parse_with_titles

from course_content import (WIDGET_VIEW, binder_url, course_notebooks, exported_figures, figure_slug,
                            make_light_figures, mirror_notation, mirror_notebooks, notebook_summary, readme_binder)

__all__ = ["readme_binder", "setup"]

# The modules of course_utils in the order the course meets them; any other public module follows.
MODULE_ORDER = ["data", "activations", "network", "gradcheck", "training", "optimizers", "stacked", "truth", "plotting",
                "widgets", "exercises"]

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


# ---------------------------------------------------------------------------------------------------
# Docstrings written as plain text


PLAIN_BARS = re.compile(r"(?<![\\|])\|(?=[^\s|])([^|`]*?[^\s|\\])\|(?![|_])")


def escape_plain_bars(app, what, name, obj, options, lines):
    """Keep a norm written as ``|g|`` in a docstring as text: reST would read it as a substitution."""
    for i, line in enumerate(lines):
        if line.lstrip().startswith(("|", "+")):   # a line of a reST table
            continue
        parts = re.split(r"(``.*?``|`[^`]*`)", line)
        lines[i] = "".join(part if part.startswith("`") else PLAIN_BARS.sub(r"\\|\1\\|", part) for part in parts)


def setup(app):
    app.connect("config-inited", lambda app, config: (mirror_notebooks(), mirror_notation()))
    app.connect("builder-inited", make_light_figures)
    app.connect("doctree-resolved", note_live_explorers)
    app.connect("autodoc-process-docstring", escape_plain_bars)
    app.add_directive("course-contents", CourseContents)
    app.add_directive("course-modules", CourseModules)
    app.add_directive("course-figures", CourseFigures)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
