"""Run a command as if on other processors: numpy's and OpenBLAS's kernels chosen by environment.

numpy picks its SIMD kernels (exp, tanh, sums...) when it starts, and OpenBLAS its
matrix-product kernels, by what the processor offers. Their results differ in the
last bits, so a notebook's stored outputs must print only digits that every kernel
agrees on. Both choices can be forced on one machine:

- ``NPY_DISABLE_CPU_FEATURES`` lists dispatch targets numpy must not use. The names
  differ between numpy versions (2.0 says ``AVX512_SKX``, 2.4 says ``X86_V4``), so
  they are read from the running numpy's ``__cpu_dispatch__``, never hard-coded.
- ``OPENBLAS_CORETYPE`` names the OpenBLAS kernel family (``Haswell``, ``Sandybridge``).

Configurations (``native`` is what ``make test`` runs; the others are ``make test-cpus``):

    native     numpy's best kernels for this machine (AVX-512 where it has them), OpenBLAS's own choice
    avx2       numpy's AVX2 kernels, OpenBLAS Haswell kernels
    baseline   numpy's baseline kernels (SSE, no dispatch), OpenBLAS Sandybridge kernels

Before running the command under a configuration, a child interpreter checks that it
took effect: every disabled target reads as off in ``__cpu_features__``, and
OpenBLAS reports the requested core (``OPENBLAS_VERBOSE=2``).

Usage::

    python tools/cpu_configs.py list                       # the configurations for this numpy
    python tools/cpu_configs.py run [--only NAME ...] [--together] -- COMMAND ...

``--together`` starts every configuration at once (``make test-cpus`` does, each nbval run in
one process): two runs side by side keep both cores busy to the end, where one run on two
xdist workers leaves a core idle behind notebook 04. On the 2-core machine (AMD EPYC), the two
configurations took 178 s this way and 193 s with two workers each.

Run it with the interpreter whose numpy is under test: the names come from it.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time

# Dispatch targets that belong to the AVX2 level (numpy 2.4 groups them as X86_V3).
AVX2_LEVEL = {"X86_V3", "AVX", "F16C", "FMA3", "AVX2"}
OPENBLAS_CORES = {"native": None, "avx2": "Haswell", "baseline": "Sandybridge"}


def dispatch_targets():
    """numpy's dispatch targets, in its own order, and which of them this processor has."""
    from numpy._core._multiarray_umath import __cpu_dispatch__, __cpu_features__
    return list(__cpu_dispatch__), {name: bool(__cpu_features__.get(name)) for name in __cpu_dispatch__}


def is_avx512(name):
    return "AVX512" in name or name == "X86_V4"


def configurations():
    """Map name -> environment overrides, for the configurations this numpy can express."""
    targets, _ = dispatch_targets()
    above_avx2 = [t for t in targets if is_avx512(t)]
    above_baseline = list(targets)
    unknown = [t for t in targets if not is_avx512(t) and t not in AVX2_LEVEL
               and not re.fullmatch(r"SSE\d*|SSSE3|POPCNT|X86_V2|VSX.*|NEON.*|ASIMD.*", t)]
    if unknown:
        raise SystemExit(f"numpy {_numpy_version()} dispatches to targets this tool does not place: {unknown}")
    configs = {"native": {}}
    configs["avx2"] = {"NPY_DISABLE_CPU_FEATURES": " ".join(above_avx2), "OPENBLAS_CORETYPE": OPENBLAS_CORES["avx2"]}
    configs["baseline"] = {"NPY_DISABLE_CPU_FEATURES": " ".join(above_baseline),
                           "OPENBLAS_CORETYPE": OPENBLAS_CORES["baseline"]}
    return configs


def _numpy_version():
    import numpy
    return numpy.__version__


PROBE = """
import json, numpy as np
from numpy._core._multiarray_umath import __cpu_dispatch__, __cpu_features__
a = np.ones((64, 64))
a @ a
print(json.dumps({name: bool(__cpu_features__.get(name)) for name in __cpu_dispatch__}))
"""


def probe(env):
    """What numpy and OpenBLAS chose in a child interpreter with ``env``: (targets in use, OpenBLAS core)."""
    done = subprocess.run([sys.executable, "-c", PROBE], env=dict(env, OPENBLAS_VERBOSE="2"),
                          capture_output=True, text=True, timeout=120)
    if done.returncode != 0:
        raise SystemExit(f"numpy did not start under {env_text(env)}:\n{done.stderr[-2000:]}")
    core = re.search(r"Core:\s*(\w+)", done.stderr + done.stdout)
    return json.loads(done.stdout.strip().splitlines()[-1]), core.group(1) if core else None


def verify(name, overrides):
    """Check that a configuration took effect in a child interpreter; return a one-line description."""
    env = dict(os.environ, **overrides)
    in_use, core = probe(env)
    disabled = overrides.get("NPY_DISABLE_CPU_FEATURES", "").split()
    still_on = [t for t in disabled if in_use.get(t)]
    if still_on:
        raise SystemExit(f"{name}: numpy still uses {still_on} with NPY_DISABLE_CPU_FEATURES set")
    wanted = overrides.get("OPENBLAS_CORETYPE")
    if wanted and core != wanted:
        raise SystemExit(f"{name}: OpenBLAS chose the {core} kernels, not {wanted}")
    best = [t for t in in_use if in_use[t]]
    return f"{name}: numpy {_numpy_version()} up to {best[-1] if best else 'its baseline'}, OpenBLAS {core}"


def env_text(overrides):
    return " ".join(f'{k}="{v}"' for k, v in overrides.items()) or "(no overrides)"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="what", required=True)
    sub.add_parser("list", help="print the configurations this numpy can express")
    run = sub.add_parser("run", help="run a command under each configuration but native")
    run.add_argument("--only", nargs="+", help="configuration names to run (default: every one but native)")
    run.add_argument("--together", action="store_true",
                     help="run the configurations at the same time, each printing its output whole when it ends")
    run.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    configs = configurations()
    if args.what == "list":
        for name, overrides in configs.items():
            print(f"{name:9} {env_text(overrides)}")
        return 0
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("run needs a command after --")
    names = args.only or [n for n in configs if n != "native"]
    unknown = sorted(set(names) - set(configs))
    if unknown:
        parser.error(f"unknown configuration {unknown}; expected some of {sorted(configs)}")
    for name in names:
        print(f"== {verify(name, configs[name])}", flush=True)
    if args.together:
        codes = run_together(names, configs, command)
    else:
        codes = {}
        for name in names:
            print(f"== {env_text(configs[name])} {' '.join(command)}", flush=True)
            start = time.monotonic()
            codes[name] = subprocess.call(command, env=dict(os.environ, **configs[name]))
            print(f"== {name}: exit {codes[name]} after {time.monotonic() - start:.0f} s", flush=True)
    failed = [name for name in names if codes[name] != 0]
    if failed:
        print(f"== failed under: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


def run_together(names, configs, command):
    """Run ``command`` under every configuration at once; print each one's output whole, in order, as it ends.

    One run of nbval keeps a core busy only while its longest notebook runs, so two runs side by side finish
    sooner than one after the other. The outputs go to temporary files, so they are never interleaved.
    """
    start = time.monotonic()
    running = {}
    for name in names:
        log = tempfile.TemporaryFile(mode="w+", encoding="utf-8", errors="replace")
        process = subprocess.Popen(command, env=dict(os.environ, **configs[name]), stdout=log,
                                   stderr=subprocess.STDOUT, text=True)
        running[name] = (process, log)
        print(f"== {name}: started: {env_text(configs[name])} {' '.join(command)}", flush=True)
    codes = {}
    try:
        for name, (process, log) in running.items():
            codes[name] = process.wait()
            log.seek(0)
            print(f"== {name}: output\n{log.read()}", end="", flush=True)
            print(f"== {name}: exit {codes[name]} after {time.monotonic() - start:.0f} s", flush=True)
            log.close()
    finally:                       # Ctrl-C or an error here: leave no run behind
        for process, _ in running.values():
            if process.poll() is None:
                process.terminate()
                process.wait()
    return codes


if __name__ == "__main__":
    sys.exit(main())
