"""The package skeleton: metadata, a cheap import, and the project's jit decorator."""

import json
import subprocess
import sys

import numpy as np
import pytest

import optlearn
from optlearn._jit import jit


def test_version_matches_installed_metadata():
    from importlib.metadata import version

    assert optlearn.__version__ == version("optlearn")


def test_import_compiles_nothing_and_pulls_in_nothing_heavy():
    # A fresh interpreter, so that what this test session already imported does not count.
    probe = r"""
import json, sys
import numba
before = set(sys.modules)
import optlearn
from numba.core.registry import CPUDispatcher
compiled = []
for name, mod in list(sys.modules.items()):
    if name == "optlearn" or name.startswith("optlearn."):
        for attr, obj in vars(mod).items():
            if isinstance(obj, CPUDispatcher) and obj.signatures:
                compiled.append(f"{name}.{attr}")
new = set(sys.modules) - before
heavy = [m for m in ("matplotlib", "scipy", "torch", "sklearn", "IPython") if m in new]
print(json.dumps({"compiled": compiled, "heavy": heavy}))
"""
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout
    report = json.loads(out)
    assert report["compiled"] == [], f"compiled at import: {report['compiled']}"
    assert report["heavy"] == [], f"import optlearn imported {report['heavy']}; import lazily"


def test_jit_compiles_on_first_call_with_the_project_options():
    @jit
    def axpy(a, x, y):
        for i in range(x.size):
            y[i] += a * x[i]

    assert axpy.signatures == []  # nothing compiled by decorating
    x, y = np.arange(5.0), np.ones(5)
    axpy(2.0, x, y)
    np.testing.assert_array_equal(y, 1.0 + 2.0 * np.arange(5.0))
    assert len(axpy.signatures) == 1
    opts = axpy.targetoptions
    assert opts["nopython"] and opts["nogil"] and opts["error_model"] == "numpy"
    assert not opts.get("fastmath") and not opts.get("parallel")


def test_jit_error_model_numpy_divides_like_numpy():
    @jit
    def ratio(a, b):
        return a / b

    # Numba's default error model would raise ZeroDivisionError here.
    assert ratio(1.0, 0.0) == np.inf
    assert np.isnan(ratio(0.0, 0.0))


def test_jit_parallel_option_is_passed_through():
    @jit(parallel=True)
    def total(x):
        return x.sum()

    assert total.targetoptions["parallel"]
    assert total(np.ones(10)) == pytest.approx(10.0)
