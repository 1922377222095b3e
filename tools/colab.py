"""Give every notebook its two Colab cells: the links to run it, and the install that runs only on Colab.

Google Colab opens a notebook straight from the repository, but it has none of the course's files:
the first code cell installs the ``course_utils`` package from the repository when (and only when)
the notebook runs in Colab. Colab's own numpy, matplotlib and ipywidgets (7.7) meet the package's
lower bounds, so pip keeps them. Everywhere else the cell does nothing and prints nothing, so nbval
and a fresh kernel see no difference.

Usage::

    python tools/colab.py              # add or update the cells in every notebooks/0*.ipynb
    python tools/colab.py check        # exit 1 if a notebook's cells are missing or out of date
    python tools/colab.py constraints  # pins for `make test-colab`: Colab's library versions
    python tools/colab.py verify       # exit 1 unless this environment holds them

The cells go right after the notebook's title cell, each marked with the cell tag ``colab``.

``COLAB`` lists what Google Colab ships (checked 2026-11), for the leg that tests the course with it.
Python 3.13 is not installable on the course's CI machines, so that leg runs the newest Python there;
the pins are Colab's exactly. ``FRONT_END`` gives the classic Notebook front-end (nbclassic), whose widget
manager (widgetsnbextension 3.6) runs ipywidgets 7 as Colab's does, for the browser test of the explorers.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REPOSITORY = "backprop-from-scratch/backprop-from-scratch"
BRANCH = "main"
TAG = "colab"
COLAB = {"python": "3.13", "numpy": "2.1.3", "matplotlib": "3.10.0", "ipywidgets": "7.7.1"}
# The classic front-end (nbclassic with widgetsnbextension 3.6) and a kernel whose Comm ipywidgets 7 can use:
# under ipykernel 7 its widgets never reach the page.
FRONT_END = ["notebook<7", "ipykernel<7"]


def links(name):
    """The markdown cell: where this notebook runs with nothing installed."""
    colab = f"https://colab.research.google.com/github/{REPOSITORY}/blob/{BRANCH}/notebooks/{name}"
    binder = f"https://mybinder.org/v2/gh/{REPOSITORY}/{BRANCH}?urlpath=lab/tree/notebooks/{name}"
    return (f"*Run this notebook with nothing installed:* [open it in Google Colab]({colab}) "
            f"or [on Binder]({binder}). On your own machine, `make lab` (see the README).")


INSTALL = f"""\
# On Google Colab this installs the course's package from its repository; anywhere else it does nothing.
import subprocess
import sys

if "google.colab" in sys.modules:
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet",
                    "course-utils @ git+https://github.com/{REPOSITORY}@{BRANCH}"], check=True)"""


def cells(name):
    """The two cells for notebook file ``name``: (markdown, code)."""
    return ({"cell_type": "markdown", "metadata": {"tags": [TAG]}, "source": links(name)},
            {"cell_type": "code", "execution_count": None, "metadata": {"tags": [TAG]}, "outputs": [],
             "source": INSTALL})


def _source(cell):
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


def up_to_date(notebook, name):
    """True when the two cells right after the title are this notebook's Colab cells, unchanged."""
    found = notebook["cells"][1:3]
    return len(found) == 2 and all(
        got["cell_type"] == want["cell_type"] and TAG in got.get("metadata", {}).get("tags", [])
        and _source(got) == want["source"] for got, want in zip(found, cells(name)))


def write(path):
    """Add or refresh the cells in the notebook at ``path``; the outputs of other cells are kept."""
    notebook = json.loads(path.read_text(encoding="utf-8"))
    kept = [c for c in notebook["cells"] if TAG not in c.get("metadata", {}).get("tags", [])]
    markdown, code = cells(path.name)
    previous = {c["cell_type"]: c for c in notebook["cells"] if TAG in c.get("metadata", {}).get("tags", [])}
    for new in (markdown, code):                      # keep a cell's id, so nbformat sees the same cell
        if "id" in previous.get(new["cell_type"], {}):
            new["id"] = previous[new["cell_type"]]["id"]
        elif notebook.get("nbformat_minor", 0) >= 5:
            new["id"] = f"colab-{new['cell_type']}"
    notebook["cells"] = kept[:1] + [markdown, code] + kept[1:]
    path.write_text(json.dumps(notebook, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def constraints():
    """``pip install -c`` lines: Colab's library versions and the classic front-end."""
    return [f"{name}=={version}" for name, version in COLAB.items() if name != "python"] + FRONT_END


def verify():
    """Problems with this environment as Colab's stand-in: a library at another version than Colab's."""
    from importlib import metadata
    return [f"{name} {metadata.version(name)} is installed, Colab has {version}"
            for name, version in COLAB.items() if name != "python" and metadata.version(name) != version]


def main(argv):
    notebooks = sorted((ROOT / "notebooks").glob("0*.ipynb"))
    if argv[1:] == ["constraints"]:
        print("\n".join(constraints()))
        return 0
    if argv[1:] == ["verify"]:
        problems = verify()
        print("\n".join(problems) or f"Colab's versions: {', '.join(f'{k} {v}' for k, v in COLAB.items())} "
              f"(Python {sys.version.split()[0]} here)")
        return 1 if problems else 0
    if argv[1:] == ["check"]:
        stale = [p.name for p in notebooks if not up_to_date(json.loads(p.read_text(encoding="utf-8")), p.name)]
        if stale:
            print("Colab cells missing or out of date (run python tools/colab.py): " + ", ".join(stale))
            return 1
        return 0
    if argv[1:]:
        print(__doc__)
        return 2
    for path in notebooks:
        write(path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
