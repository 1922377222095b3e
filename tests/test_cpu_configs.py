"""tools/cpu_configs.py: the processor configurations that `make test-cpus` runs nbval under.

The names come from the running numpy, each configuration is checked in a child
interpreter before anything runs under it, and a configuration that did not take
effect stops the run instead of passing as if it had.
"""

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("cpu_configs", ROOT / "tools" / "cpu_configs.py")
cpu_configs = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(cpu_configs)


def test_the_configurations_use_this_numpys_own_target_names():
    targets, _ = cpu_configs.dispatch_targets()
    configs = cpu_configs.configurations()
    assert list(configs) == ["native", "avx2", "baseline"] and configs["native"] == {}
    avx2 = configs["avx2"]["NPY_DISABLE_CPU_FEATURES"].split()
    baseline = configs["baseline"]["NPY_DISABLE_CPU_FEATURES"].split()
    assert set(avx2) == {t for t in targets if "AVX512" in t or t == "X86_V4"} and avx2
    assert baseline == targets                                    # every dispatch target off
    assert not {"AVX2", "X86_V3"} & set(avx2)                     # AVX2 itself stays on
    assert configs["avx2"]["OPENBLAS_CORETYPE"] != configs["baseline"]["OPENBLAS_CORETYPE"]


@pytest.mark.parametrize("name", ["avx2", "baseline"])
def test_each_configuration_takes_effect_in_a_child_interpreter(name):
    overrides = cpu_configs.configurations()[name]
    in_use, core = cpu_configs.probe(dict(overrides))
    assert not any(in_use[t] for t in overrides["NPY_DISABLE_CPU_FEATURES"].split())
    assert core == overrides["OPENBLAS_CORETYPE"]
    assert cpu_configs.verify(name, overrides).startswith(f"{name}: numpy ")


def test_a_configuration_that_does_not_take_effect_stops_the_run():
    with pytest.raises(SystemExit, match="OpenBLAS chose the .* kernels, not Nonexistent"):
        cpu_configs.verify("bogus", {"OPENBLAS_CORETYPE": "Nonexistent"})


def test_run_reports_each_configuration_and_fails_when_one_fails(tmp_path):
    script = tmp_path / "fail_on_baseline.py"
    script.write_text("import os, sys\nsys.exit(1 if os.environ.get('OPENBLAS_CORETYPE') == 'Sandybridge' else 0)\n")
    done = subprocess.run([sys.executable, str(ROOT / "tools" / "cpu_configs.py"), "run", "--",
                           sys.executable, str(script)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 1
    assert "== avx2: exit 0" in done.stdout and "== baseline: exit 1" in done.stdout
    assert "failed under: baseline" in done.stderr


def test_together_runs_every_configuration_at_once_and_prints_each_output_whole(tmp_path):
    # Each run writes three lines with pauses between them; run one after the other they would take 2 x 0.6 s.
    script = tmp_path / "three_lines.py"
    script.write_text(
        "import os, sys, time\n"
        "core = os.environ.get('OPENBLAS_CORETYPE')\n"
        "for i in range(3):\n"
        "    print(f'{core} line {i}', flush=True)\n"
        "    time.sleep(0.2)\n"
        "sys.exit(1 if core == 'Sandybridge' else 0)\n")
    done = subprocess.run([sys.executable, str(ROOT / "tools" / "cpu_configs.py"), "run", "--together", "--",
                           sys.executable, str(script)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 1
    assert "== avx2: exit 0" in done.stdout and "== baseline: exit 1" in done.stdout
    assert "failed under: baseline" in done.stderr
    lines = done.stdout.splitlines()
    for core in ("Haswell", "Sandybridge"):                        # each run's lines together, in order
        at = [i for i, line in enumerate(lines) if line.startswith(f"{core} line")]
        assert len(at) == 3 and at == list(range(at[0], at[0] + 3)), done.stdout
    started = [i for i, line in enumerate(lines) if ": started:" in line]
    first_output = min(i for i, line in enumerate(lines) if " line " in line)
    assert len(started) == 2 and max(started) < first_output       # both started before either printed
