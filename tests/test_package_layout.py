"""Input checks go through one door, as in scikit-learn: ``course_utils/_checks.py`` holds every one.

A module that defines its own ``_check_table`` or ``as_vector`` grows a second version of a check
that already exists, with its own message; this test names it, so the check moves to ``_checks.py``
(or reuses one there) instead. The exercises' checks are a different thing: they grade a learner's
answer, never raise, and are listed in ``course_utils.exercises.CHECKS``.
"""

import ast
from pathlib import Path

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
