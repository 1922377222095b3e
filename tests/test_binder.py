"""Binder builds the course from environment.yml and postBuild; these tests check that plan offline."""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _requirement_names(lines):
    """Map package name -> version spec for requirement strings like 'numpy>=1.24'."""
    found = {}
    for line in lines:
        match = re.match(r"\s*([A-Za-z0-9_.-]+)\s*(.*)$", line)
        if match:
            found[match.group(1).lower().replace("_", "-")] = match.group(2).strip()
    return found


def _runtime_dependencies():
    text = (ROOT / "pyproject.toml").read_text()
    block = re.search(r"^dependencies\s*=\s*\[(.*?)\]", text, re.S | re.M).group(1)
    return _requirement_names(re.findall(r'"([^"]+)"', block))


def _environment_dependencies():
    lines = (ROOT / "environment.yml").read_text().splitlines()
    start = lines.index("dependencies:")
    deps = [ln.strip()[2:] for ln in lines[start + 1:] if ln.strip().startswith("- ")]
    return _requirement_names(deps)


def test_environment_yml_asks_for_every_runtime_dependency():
    runtime, conda = _runtime_dependencies(), _environment_dependencies()
    assert runtime, "found no runtime dependencies in pyproject.toml"
    for name, spec in runtime.items():
        assert name in conda, f"environment.yml does not ask for {name} (pyproject.toml needs {name}{spec})"
        assert conda[name] == spec, f"environment.yml asks for {name}{conda[name]}, pyproject.toml for {name}{spec}"


def test_environment_yml_pins_python_for_binder():
    text = (ROOT / "environment.yml").read_text()
    assert re.search(r"^\s*- python=3\.12\s*$", text, re.M), "environment.yml must pin exactly `- python=3.12`"
    assert re.search(r"^\s*- conda-forge\s*$", text, re.M)


def test_postbuild_installs_the_package():
    script = ROOT / "postBuild"
    assert os.access(script, os.X_OK), "postBuild must be executable"
    text = script.read_text()
    assert "set -e" in text and "python -m pip install --no-deps -e ." in text


def _repo2docker():
    exe = shutil.which("jupyter-repo2docker") or str(Path(sys.executable).parent / "jupyter-repo2docker")
    if not Path(exe).exists():
        if os.environ.get("CI"):
            pytest.fail("jupyter-repo2docker is missing; it is part of the dev extra (pip install -e '.[dev]')")
        pytest.skip("jupyter-repo2docker is not installed: pip install -e '.[dev]'")
    return exe


@pytest.mark.binder
def test_repo2docker_plans_conda_with_pinned_python_and_postbuild():
    result = subprocess.run([_repo2docker(), "--no-build", "--debug", str(ROOT)],
                            capture_output=True, text=True, timeout=120)
    plan = result.stdout + result.stderr
    assert result.returncode == 0, plan[-2000:]
    assert "Building conda environment for python=3.12" in plan
    assert 'env update -p ${NB_PYTHON_PREFIX} --file "environment.yml"' in plan
    assert "RUN ./postBuild" in plan


def test_readme_binder_badge_opens_the_first_notebook():
    readme = (ROOT / "README.md").read_text()
    first = sorted(p.name for p in (ROOT / "notebooks").glob("*.ipynb"))[0]
    assert f"urlpath=lab/tree/notebooks/{first}" in readme


def test_environment_yml_can_run_the_notebook_tests():
    # The README's conda route runs nbval over the notebooks, so the environment brings pytest and nbval.
    conda = _environment_dependencies()
    for name in ("pytest", "nbval"):
        assert name in conda, f"environment.yml does not ask for {name}, which the conda route's tests need"
    readme = (ROOT / "README.md").read_text()
    assert "--nbval" in readme.split("### The conda route", 1)[1].split("##", 1)[0]


def test_editable_install_has_a_simple_layout():
    # With package-dir = {"" = "."} setuptools installs in editable mode through a plain .pth file;
    # without it, it falls back to an import hook and prints a "BuildBackendWarning: Editable installation" box.
    text = (ROOT / "pyproject.toml").read_text()
    assert re.search(r'^package-dir\s*=\s*\{\s*""\s*=\s*"\."\s*\}', text, re.M)
