"""Read the lower bounds that pyproject.toml claims, so `make test-oldest` can prove them.

pyproject.toml is the one list of dependencies. Each of them states a lower
bound (``numpy>=1.24``); this script turns those bounds into exact pins
(``numpy==1.24``) for ``pip install -c``, finds the oldest Python the course
claims, and checks that an environment really holds the pinned versions.

Usage::

    python tools/lower_bounds.py constraints test   # pins for runtime + [test]
    python tools/lower_bounds.py python             # interpreter for the oldest leg
    python tools/lower_bounds.py verify test        # installed == lower bound?

Python 3.11+ reads the file with ``tomllib``; Python 3.10 has no TOML reader
in the standard library, so a tiny reader covers the keys used here.
"""

from __future__ import annotations

import argparse
import glob
import os
import re
import shutil
import subprocess
import sys
from importlib import metadata
from pathlib import Path

PYPROJECT = Path(__file__).resolve().parents[1] / "pyproject.toml"
_STRING = r'"(?:[^"\\]|\\.)*"'
_REQUIREMENT = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(\[[^\]]*\])?\s*([^;]*)(;.*)?$")


def _strings(line):
    """Return the contents of the double-quoted TOML strings in `line`, up to a comment."""
    found = []
    for token in re.findall(_STRING + "|#.*", line):
        if token.startswith("#"):
            break
        found.append(token[1:-1].replace('\\"', '"'))
    return found


def parse_minimal_toml(text):
    """Read tables, strings and arrays of strings: enough for pyproject.toml on Python 3.10.

    Values of any other type (numbers, booleans, inline tables) are left out.
    """
    root, pending = {}, None
    table = root
    for line in text.splitlines():
        bare = re.sub(_STRING, '""', line).split("#", 1)[0]        # brackets outside strings and comments
        if pending is not None:
            table[pending] += _strings(line)
            if bare.count("]") > bare.count("["):
                pending = None
            continue
        header = re.match(r"^\s*\[([^\[\]]+)\]\s*$", bare)
        if header:
            table = root
            for part in header.group(1).split("."):
                table = table.setdefault(part.strip().strip('"'), {})
            continue
        pair = re.match(r'^\s*("[^"]*"|[A-Za-z0-9_.-]+)\s*=\s*(.*)$', line)
        if not pair:
            continue
        key, value = pair.group(1).strip('"'), pair.group(2)
        value_bare = re.sub(_STRING, '""', value).split("#", 1)[0].strip()
        if value_bare.startswith("["):
            table[key] = _strings(value)
            if value_bare.count("[") != value_bare.count("]"):
                pending = key
        elif value_bare == '""':
            table[key] = _strings(value)[0]
    return root


def read_project(path=PYPROJECT):
    """Return the ``[project]`` table of `path` as a dict."""
    text = Path(path).read_text(encoding="utf-8")
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        return parse_minimal_toml(text)["project"]
    return tomllib.loads(text)["project"]


def normalize(name):
    """Return the PEP 503 form of a distribution name (``Jupyter_Lab`` -> ``jupyter-lab``)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def requirements(project, extras=()):
    """Return the runtime requirements plus those of `extras`, self-references expanded."""
    optional = project.get("optional-dependencies", {})
    own, todo, seen, found = normalize(project["name"]), list(extras), set(), []
    found.extend(project.get("dependencies", []))
    while todo:
        extra = todo.pop(0)
        if extra in seen:
            continue
        if extra not in optional:
            raise ValueError(f"pyproject.toml has no extra [{extra}]; it has {sorted(optional)}")
        seen.add(extra)
        for req in optional[extra]:
            name, more, _, _ = _REQUIREMENT.match(req).groups()
            if normalize(name) == own:
                todo.extend(e.strip() for e in more.strip("[]").split(","))
            else:
                found.append(req)
    return found


def lower_bound(requirement):
    """Return ``(name, version)`` from ``"name>=version"``; ValueError if no lower bound is stated."""
    match = _REQUIREMENT.match(requirement)
    if not match:
        raise ValueError(f"cannot read the requirement {requirement!r}")
    name, _, spec, _ = match.groups()
    bounds = [s.strip()[2:].strip() for s in spec.split(",") if s.strip().startswith(">=")]
    if len(bounds) != 1:
        raise ValueError(f"{requirement!r} must state one lower bound as '>=X', got {spec.strip()!r}")
    return normalize(name), bounds[0]


def lower_bounds(project, extras=()):
    """Return ``{name: version}`` for the runtime requirements plus those of `extras`."""
    return dict(lower_bound(req) for req in requirements(project, extras))


def python_floor(project):
    """Return the oldest Python the project claims, ``(3, 10)`` from ``requires-python = ">=3.10"``."""
    match = re.fullmatch(r"\s*>=\s*(\d+)\.(\d+)\s*", project.get("requires-python", ""))
    if not match:
        raise ValueError("requires-python must read '>=X.Y', got " + repr(project.get("requires-python")))
    return int(match.group(1)), int(match.group(2))


def _version_of(executable):
    """Return ``(major, minor)`` of an interpreter, or None if it does not run."""
    try:
        out = subprocess.run([executable, "-c", "import sys; print(*sys.version_info[:2])"],
                             capture_output=True, text=True, timeout=30, check=True).stdout
        return tuple(int(part) for part in out.split())
    except (OSError, subprocess.SubprocessError, ValueError):
        return None


def find_python(floor, newest=(3, 14)):
    """Return the path of the oldest Python at or above `floor`, looking on PATH and in pyenv."""
    pyenv = os.environ.get("PYENV_ROOT", os.path.expanduser("~/.pyenv"))
    for minor in range(floor[1], newest[1] + 1):
        want = (floor[0], minor)
        tag = "%d.%d" % want
        candidates = [shutil.which(f"python{tag}")]
        candidates += sorted(glob.glob(f"{pyenv}/versions/{tag}.*/bin/python{tag}"), reverse=True)
        for candidate in filter(None, candidates):
            if _version_of(candidate) == want:
                if want != floor:
                    print(f"lower_bounds: no Python %d.%d found; the oldest leg runs on {tag}" % floor,
                          file=sys.stderr)
                return candidate
    raise SystemExit("lower_bounds: no Python >= %d.%d found on PATH or in pyenv" % floor)


def _release(version):
    """Return the numeric release of a version with trailing zeros dropped: ``"8.0.0"`` -> ``(8,)``."""
    parts = [int(p) for p in re.match(r"\d+(?:\.\d+)*", version).group().split(".")]
    while len(parts) > 1 and parts[-1] == 0:
        parts.pop()
    return tuple(parts)


def verify(bounds):
    """Print installed against claimed versions; return the names whose versions differ."""
    wrong = []
    for name, bound in sorted(bounds.items()):
        try:
            installed = metadata.version(name)
        except metadata.PackageNotFoundError:
            installed = "missing"
        ok = installed != "missing" and _release(installed) == _release(bound)
        print(f"  {name:<22} lower bound {bound:<10} installed {installed:<10} {'ok' if ok else 'DIFFERS'}")
        wrong += [] if ok else [name]
    return wrong


def main(argv=None):
    """Command line: ``constraints``, ``python`` or ``verify``, followed by extras."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["constraints", "python", "verify"])
    parser.add_argument("extras", nargs="*", help="optional-dependency groups to include")
    args = parser.parse_args(argv)
    project = read_project()
    if args.command == "python":
        print(find_python(python_floor(project)))
        return 0
    bounds = lower_bounds(project, args.extras)
    if args.command == "constraints":
        print("\n".join(f"{name}=={version}" for name, version in sorted(bounds.items())))
        return 0
    print("Python %d.%d (claimed floor %d.%d)" % (sys.version_info[:2] + python_floor(project)))
    wrong = verify(bounds)
    if wrong:
        print("lower_bounds: installed versions differ from the lower bounds: " + ", ".join(wrong),
              file=sys.stderr)
    return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main())
