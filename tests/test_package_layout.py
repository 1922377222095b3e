"""Input checks go through one door, as in scikit-learn: ``course_utils/_checks.py`` holds every one.

A module that defines its own ``_check_table`` or ``as_vector`` grows a second version of a check
that already exists, with its own message; this test names it, so the check moves to ``_checks.py``
(or reuses one there) instead. The exercises' checks are a different thing: they grade a learner's
answer, never raise, and are listed in ``course_utils.exercises.CHECKS``.

Dependencies point one way: the exercises sit on top, so only they (and ``course_utils/__init__.py``,
which re-exports them) import ``course_utils.exercises``, and no module imports another subpackage's
private (``_x``) names.
"""

import ast
from pathlib import Path

import pytest

import course_utils
from course_utils.exercises import CHECKS

PACKAGE = Path(course_utils.__file__).resolve().parent
# Names that say "I check or convert an input": _check_x, check_x, _as_x, as_x, _require_x, require_x.
PREFIXES = ("_check", "check_", "_as_", "as_", "_require", "require_")
# What may keep such a name outside _checks.py, each with its reason.
ALLOWED = {
    ("exercises/feedback.py", "as_number"): "reads a learner's answer for an exercise check; None, never an error",
}


def checker_names(source):
    """Every function or method in ``source`` whose name starts with one of ``PREFIXES``, as (line, name)."""
    return [(node.lineno, node.name) for node in ast.walk(ast.parse(source))
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name.startswith(PREFIXES)]


def test_the_scan_finds_functions_and_methods_with_a_checker_name():
    source = ("def _check_ax(ax):\n    pass\n\n"
              "class Scaler:\n    def _as_table(self, X):\n        def require_2d():\n            pass\n\n"
              "def checked_value():\n    pass\n\ndef cascade():\n    pass\n")
    assert checker_names(source) == [(1, "_check_ax"), (5, "_as_table"), (6, "require_2d")]


def test_no_module_but_checks_defines_an_input_check():
    registered = {(f.__module__, f.__name__) for f, _ in CHECKS}    # the learner-facing exercise checks
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        where = path.relative_to(PACKAGE).as_posix()
        if where == "_checks.py":
            continue
        module = "course_utils." + where[:-3].replace("/", ".").removesuffix(".__init__")
        for line, name in checker_names(path.read_text(encoding="utf-8")):
            if (module, name) not in registered and (where, name) not in ALLOWED:
                found.append(f"{where}:{line} {name}")
    assert not found, ("input checks outside course_utils/_checks.py (move them there, or use the one there "
                       "that does the same job): " + ", ".join(found))


def test_every_exemption_still_names_a_function():
    for (where, name), reason in ALLOWED.items():
        assert (PACKAGE / where).is_file(), f"{where} is gone: drop its exemption ({reason})"
        assert name in [n for _, n in checker_names((PACKAGE / where).read_text(encoding="utf-8"))], (
            f"{where} no longer defines {name}: drop its exemption ({reason})")


def test_the_checks_module_is_private_and_the_old_name_is_gone():
    # validation.py shared its name with train(validation=), which means held-out data.
    assert (PACKAGE / "_checks.py").is_file() and not (PACKAGE / "validation.py").exists()


# ----- the API page lists what a learner calls; the engine is private -----

def api_page_modules():
    """The modules the ``course-modules`` directive of docs/api.rst documents, in its order."""
    import importlib
    import sys
    sys.path.insert(0, str(PACKAGE.parent / "docs" / "_ext"))
    try:
        return importlib.import_module("course_site").public_modules()
    finally:
        sys.path.remove(str(PACKAGE.parent / "docs" / "_ext"))


def test_the_api_page_lists_the_learner_modules_and_no_private_one():
    pytest.importorskip("docutils", reason="the website's extension needs docutils, from the site extra")
    names = api_page_modules()
    learner = ["data", "activations", "network", "gradcheck", "training", "stacked", "truth", "scaling", "split",
               "curvature", "diagnostics", "plotting", "widgets", "exercises"]
    assert not [n for n in names if any(part.startswith("_") for part in n.split("."))], names
    assert [f"course_utils.{m}" for m in learner if f"course_utils.{m}" not in names] == [], names
    # The engine behind train, train_many and width_sweep is private, so the page does not list it.
    assert (PACKAGE / "_descent.py").is_file() and (PACKAGE / "_minibatch.py").is_file()
    assert not [n for n in names if n.rsplit(".", 1)[-1] in ("descent", "minibatch")], names


# ----- one helper for the inputs with ones, one for products cut below OpenBLAS's threading bounds -----

# The two helpers of course_utils/_descent.py that may do these things.
HELPERS = {("_descent.py", "inputs_with_ones"), ("_descent.py", "one_thread")}
STACKS = {"vstack", "hstack", "column_stack", "row_stack", "concatenate", "stack", "append", "block"}
PRODUCTS = {"matmul", "vecdot", "dot", "inner", "einsum", "product"}   # product: what one_thread is handed


def _name(call):
    """The called name of a Call node: ``np.vstack(...)`` and ``vstack(...)`` both give ``vstack``."""
    f = call.func
    return f.attr if isinstance(f, ast.Attribute) else f.id if isinstance(f, ast.Name) else None


def engine_copies(source):
    """(line, function, what) for each array built with a row or column of ones (``np.ones`` inside a stack)
    and each loop that steps ``range(start, stop, step)`` over a product, in ``source``."""
    found = []
    functions = [n for n in ast.walk(ast.parse(source)) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]
    for fn in functions:
        for node in ast.walk(fn):
            if isinstance(node, ast.Call) and _name(node) in STACKS:
                if any(isinstance(a, ast.Call) and _name(a) in ("ones", "ones_like")
                       for arg in node.args for a in ast.walk(arg)):
                    found.append((node.lineno, fn.name, "inputs with ones"))
            if (isinstance(node, ast.For) and isinstance(node.iter, ast.Call) and _name(node.iter) == "range"
                    and len(node.iter.args) == 3):
                body = [a for stmt in node.body for a in ast.walk(stmt)]
                if any((isinstance(a, ast.Call) and _name(a) in PRODUCTS)
                       or (isinstance(a, (ast.BinOp, ast.AugAssign)) and isinstance(a.op, ast.MatMult))
                       for a in body):
                    found.append((node.lineno, fn.name, "a product in slices"))
    # A function nested in another is walked twice; report each place once.
    return sorted(set(found))


def test_the_scan_finds_inputs_with_ones_and_products_in_slices():
    source = ("def aug(X):\n    return np.vstack([X.T, np.ones((1, len(X)))])\n\n"
              "def loss(o):\n    t = o[:10] @ o[:10]\n    for c in range(10, len(o), 10):\n"
              "        t += o[c:c + 10] @ o[c:c + 10]\n    return t\n\n"
              "def gemm(A, B, out):\n    for c in range(0, 9, 3):\n        np.matmul(A, B[:, c:c + 3], out=out[:, c:c + 3])\n\n"
              "def fine(X):\n    for c in range(0, 9, 3):\n        X[c] += 1\n    return np.hstack([X, np.zeros(3)])\n")
    assert engine_copies(source) == [(2, "aug", "inputs with ones"), (6, "loss", "a product in slices"),
                                     (11, "gemm", "a product in slices")]


def test_only_the_two_helpers_build_inputs_with_ones_or_cut_products():
    found, seen = [], set()
    for path in sorted(PACKAGE.rglob("*.py")):
        where = path.relative_to(PACKAGE).as_posix()
        for line, name, what in engine_copies(path.read_text(encoding="utf-8")):
            seen.add((where, name))
            if (where, name) not in HELPERS:
                found.append(f"{where}:{line} {name} ({what})")
    assert not found, ("call inputs_with_ones or one_thread from course_utils/_descent.py instead of writing "
                       "another copy: " + ", ".join(found))
    assert HELPERS <= seen, f"the scan no longer finds the helpers themselves: {sorted(HELPERS - seen)}"


def test_diagnostics_takes_its_hidden_layer_from_the_network():
    # diagnostics.py reads H from forward_cache, so it never applies the sigmoid itself.
    tree = ast.parse((PACKAGE / "diagnostics.py").read_text(encoding="utf-8"))
    calls = {_name(n) for n in ast.walk(tree) if isinstance(n, ast.Call)}
    assert "sigmoid" not in calls and "forward_cache" in calls


# The engine behind train: the widgets reach it only through the public functions (train, train_many,
# width_sweep), so the engine can change, or its modules be renamed, without touching an explorer.
ENGINE = {"course_utils.descent", "course_utils._descent", "course_utils.minibatch", "course_utils._minibatch"}


def imported_modules(source, module):
    """Every module that ``source``, the code of ``module`` (dotted), imports from: ``imports`` below, resolved.

    ``from .. import minibatch`` counts as importing ``course_utils.minibatch``.
    """
    return {origin for _, origin, _ in imports(source, module)}


def test_the_import_scan_resolves_relative_imports():
    source = ("from ..minibatch import minibatch_descent\nfrom .. import _descent\nfrom ._base import Explorer\n"
              "import course_utils._minibatch\nfrom ..training import train\n")
    found = imported_modules(source, "course_utils.widgets.generalisation")
    assert found & ENGINE == {"course_utils.minibatch", "course_utils._descent", "course_utils._minibatch"}
    assert {"course_utils.widgets._base", "course_utils.training"} <= found


def test_no_widget_imports_the_training_engine():
    found = []
    for path in sorted((PACKAGE / "widgets").rglob("*.py")):
        module = "course_utils." + path.relative_to(PACKAGE).as_posix()[:-3].replace("/", ".")
        engine = imported_modules(path.read_text(encoding="utf-8"), module) & ENGINE
        found += [f"{path.relative_to(PACKAGE).as_posix()} imports {name}" for name in sorted(engine)]
    assert not found, ("widgets must train through train, train_many or width_sweep, not the engine: "
                       + ", ".join(found))


# ----- which module may import what -----

def _module_name(where):
    """``exercises/feedback.py`` -> ``course_utils.exercises.feedback``; ``__init__.py`` -> ``course_utils``."""
    return "course_utils." + where[:-3].replace("/", ".") if not where.endswith("__init__.py") else (
        "course_utils" + ("." + where[: -len("/__init__.py")].replace("/", ".") if "/" in where else ""))


def imports(source, module, is_package=False):
    """Every ``from ... import`` in ``source`` as ``(line, source module, imported name)``, relative ones resolved.

    ``from . import x`` gives the source module ``package.x`` when ``x`` is a submodule's name, so both
    ``from . import exercises`` and ``from .exercises import Feedback`` come from ``course_utils.exercises``.
    """
    package = module if is_package else module.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name, alias.name.rpartition(".")[2]) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[: len(parts) - node.level + 1] + ([node.module] if node.module else []))
            for alias in node.names:
                found.append((node.lineno, f"{base}.{alias.name}" if not node.module else base, alias.name))
    return found


def _subpackage(module):
    """``course_utils.widgets._base`` -> ``course_utils.widgets``; a top-level module -> ``course_utils``."""
    parts = module.split(".")
    return ".".join(parts[:2]) if len(parts) > 2 or (PACKAGE / parts[-1]).is_dir() else "course_utils"


def _layout_problems(sources):
    """What breaks the import rules in ``{where: source}``: see the test below."""
    problems = []
    for where, source in sources.items():
        module = _module_name(where)
        inside = module == "course_utils.exercises" or module.startswith("course_utils.exercises.")
        for line, origin, name in imports(source, module, where.endswith("__init__.py")):
            if not origin.startswith("course_utils"):
                continue
            if (origin == "course_utils.exercises" or origin.startswith("course_utils.exercises.")) and not inside \
                    and where != "__init__.py":
                problems.append(f"{where}:{line} imports {name} from {origin}")
            if name.startswith("_") and _subpackage(origin) != _subpackage(module):
                problems.append(f"{where}:{line} imports the private {name} from {origin}")
    return problems


def test_the_subpackage_import_scan_resolves_relative_imports():
    sources = {"gradcheck.py": "from .exercises.feedback import describe\n",
               "widgets/_base.py": "from ..exercises import Feedback\nfrom .._checks import _private\n"
                                   "from ._html import _CSS\nfrom .. import _checks\n",
               "plotting/show.py": "import course_utils.exercises.feedback\n",
               "__init__.py": "from . import exercises\nfrom .exercises import check_gradients\n",
               "exercises/width.py": "from .feedback import _shared\nfrom ..text import brief\n"}
    assert _layout_problems(sources) == [
        "gradcheck.py:1 imports describe from course_utils.exercises.feedback",
        "widgets/_base.py:1 imports Feedback from course_utils.exercises",
        "widgets/_base.py:2 imports the private _private from course_utils._checks",
        "widgets/_base.py:4 imports the private _checks from course_utils._checks",
        "plotting/show.py:1 imports feedback from course_utils.exercises.feedback"]


def test_only_the_exercises_import_the_exercises_and_no_private_name_crosses_a_subpackage():
    # The exercises sit on top of everything else, so nothing else imports them (course_utils/__init__.py
    # re-exports them for ``cu.``). A name starting with _ is private to its subpackage: another subpackage
    # that needs it should get a public name for it instead.
    sources = {path.relative_to(PACKAGE).as_posix(): path.read_text(encoding="utf-8")
               for path in sorted(PACKAGE.rglob("*.py"))}
    problems = _layout_problems(sources)
    assert not problems, "imports that break the package layout: " + "; ".join(problems)
