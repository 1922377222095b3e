"""tools/lower_bounds.py turns pyproject.toml's lower bounds into the pins of `make test-oldest`."""

import importlib.util
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("lower_bounds", ROOT / "tools" / "lower_bounds.py")
lb = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(lb)

TOY = '''
[project]
name = "toy_pkg"   # a comment
requires-python = ">=3.10"
dependencies = ["numpy>=1.24", "matplotlib>=3.7"]

[project.optional-dependencies]
test = [
    "pytest>=7.4",  # neither the ] nor the "string" in this comment is part of the array
    "nbval>=0.11",
]
dev = [
    "toy-pkg[test]",
    "playwright>=1.40",
]

[tool.pytest.ini_options]
markers = ["a: has [brackets] inside"]
'''


def test_minimal_reader_agrees_with_tomllib_on_pyproject():
    tomllib = pytest.importorskip("tomllib")
    text = (ROOT / "pyproject.toml").read_text()
    assert lb.parse_minimal_toml(text)["project"] == tomllib.loads(text)["project"]


def test_minimal_reader_handles_comments_brackets_and_nested_tables():
    data = lb.parse_minimal_toml(TOY)
    assert data["project"]["name"] == "toy_pkg"
    assert data["project"]["optional-dependencies"]["test"] == ["pytest>=7.4", "nbval>=0.11"]
    assert data["tool"]["pytest"]["ini_options"]["markers"] == ["a: has [brackets] inside"]


def test_self_referencing_extra_is_expanded_without_naming_the_package():
    project = lb.parse_minimal_toml(TOY)["project"]
    bounds = lb.lower_bounds(project, ["dev"])
    assert bounds == {"numpy": "1.24", "matplotlib": "3.7", "pytest": "7.4",
                      "nbval": "0.11", "playwright": "1.40"}
    with pytest.raises(ValueError, match=r"no extra \[docs\]"):
        lb.lower_bounds(project, ["docs"])


@pytest.mark.parametrize("req, expected", [
    ("numpy>=1.24", ("numpy", "1.24")),
    ("Jupyter_Repo2Docker >= 2024.7", ("jupyter-repo2docker", "2024.7")),
    ("numpy>=1.24,<3 ; python_version >= '3.10'", ("numpy", "1.24")),
])
def test_lower_bound_reads_the_bound(req, expected):
    assert lb.lower_bound(req) == expected


@pytest.mark.parametrize("req", ["numpy", "numpy<2", "numpy==1.24", "numpy>=1.24,>=1.26"])
def test_a_requirement_without_one_lower_bound_is_refused(req):
    with pytest.raises(ValueError, match="one lower bound"):
        lb.lower_bound(req)


def test_every_dependency_of_the_project_states_a_lower_bound():
    project = lb.read_project()
    every = lb.lower_bounds(project, list(project["optional-dependencies"]))
    for name in ("numpy", "matplotlib", "ipywidgets", "jupyterlab", "pytest", "nbval", "hypothesis",
                 "playwright", "jupyter-repo2docker"):
        assert name in every, f"pyproject.toml does not name {name}"
    # The oldest leg installs [test]: the runtime libraries and what runs the tests.
    assert set(lb.lower_bounds(project, ["test"])) == {
        "numpy", "matplotlib", "ipywidgets", "jupyterlab", "pytest", "nbval", "hypothesis", "pytest-xdist"}


def test_environment_yml_states_the_same_bounds_as_pyproject():
    every = lb.lower_bounds(lb.read_project(), ["lab", "dev"])
    listed = re.findall(r"^\s*-\s*([A-Za-z0-9._-]+)\s*>=\s*([0-9.]+)\s*$",
                        (ROOT / "environment.yml").read_text(), re.M)
    assert {"numpy", "matplotlib", "ipywidgets", "jupyterlab"} <= {lb.normalize(n) for n, _ in listed}
    for name, bound in listed:
        assert every.get(lb.normalize(name)) == bound, f"environment.yml: {name}>={bound}"


def test_readme_table_states_every_lower_bound():
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Supported versions", 1)[1]
    project = lb.read_project()
    assert "Python %d.%d" % lb.python_floor(project) in section
    for name, bound in lb.lower_bounds(project, ["dev"]).items():
        assert re.search(rf"^\| {re.escape(name)} \| {re.escape(bound)} \|", section, re.M), name


def test_release_drops_trailing_zeros_only():
    assert lb._release("8.0.0") == lb._release("8.0") == (8,)
    assert lb._release("2024.07.0") == lb._release("2024.7") == (2024, 7)
    assert lb._release("1.24.1") != lb._release("1.24")
    assert lb._release("3.7.0rc1") == (3, 7)


def test_verify_reports_versions_that_differ(capsys):
    assert lb.verify({"pytest": pytest.__version__}) == []
    assert lb.verify({"pytest": "0.1", "no-such-distribution": "1.0"}) == ["no-such-distribution", "pytest"]
    assert "DIFFERS" in capsys.readouterr().out


def test_python_floor_and_an_interpreter_for_it():
    project = lb.read_project()
    assert lb.python_floor(project) == (3, 10)
    with pytest.raises(ValueError, match="requires-python"):
        lb.python_floor({"requires-python": "~=3.10"})
    found = lb.find_python(lb.python_floor(project), newest=sys.version_info[:2])
    assert lb._version_of(found) >= (3, 10)
