"""One way to refuse bad input, used by every public function outside ``optim``'s classes.

The message template (from scikit-learn) names the function and the argument, says what was
expected and what was got, and, where there is one, how to fix it:

    The 'max_norm' parameter of clip_grad_norm_ must be a finite float >= 0. Got -1.0 instead.

Optimizers and schedulers use torch's prefixes instead (``Invalid learning rate: -0.1``), with
the valid range added, so messages read the same as in PyTorch.
"""

from __future__ import annotations

import math
from numbers import Real

import numpy as np

__all__ = ["check_float_arrays", "check_real", "invalid"]

FLOAT_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))


def invalid(func: str, name: str, expected: str, got, fix: str = "", exc=ValueError):
    """Build the exception for argument ``name`` of ``func`` (the caller raises it)."""
    message = f"The {name!r} parameter of {func} must be {expected}. Got {got!r} instead."
    if fix:
        message += f" {fix}"
    return exc(message)


def check_real(func: str, name: str, value, *, low=None, high=None, low_open=False,
               high_open=False, finite=True) -> float:  # fmt: skip
    """Return ``value`` as a float after checking its type and range."""
    if isinstance(value, bool) or not isinstance(value, Real | np.floating | np.integer):
        raise invalid(func, name, "a real number", value, exc=TypeError)
    value = float(value)
    lo = "-inf" if low is None else low
    hi = "inf" if high is None else high
    interval = f"{'(' if low_open or (low is None and finite) else '['}{lo}, {hi}{')' if high_open or (high is None and finite) else ']'}"  # noqa: E501
    bad = math.isnan(value) or (finite and math.isinf(value))
    bad = bad or (low is not None and (value <= low if low_open else value < low))
    bad = bad or (high is not None and (value >= high if high_open else value > high))
    if bad:
        raise invalid(func, name, f"a {'finite ' if finite else ''}float in the range {interval}",
                      value)  # fmt: skip
    return value


def check_float_arrays(func: str, name: str, arrays, *, writeable: bool) -> list[np.ndarray]:
    """Check a list of float32/float64 C-contiguous arrays (writeable if asked)."""
    if isinstance(arrays, np.ndarray):
        raise invalid(func, name, "a list of arrays", f"a single ndarray of shape {arrays.shape}",
                      "Wrap it in a list: [array].", exc=TypeError)  # fmt: skip
    arrays = list(arrays)
    for i, a in enumerate(arrays):
        if not isinstance(a, np.ndarray):
            raise invalid(func, f"{name}[{i}]", "a NumPy array", type(a).__name__, exc=TypeError)
        if a.dtype not in FLOAT_DTYPES:
            raise invalid(func, f"{name}[{i}]", "an array of dtype float32 or float64",
                          f"dtype {a.dtype}", "Convert it with a.astype(np.float32).",
                          exc=TypeError)  # fmt: skip
        if writeable and not a.flags.c_contiguous:
            raise invalid(func, f"{name}[{i}]", "C-contiguous (it is updated in place)",
                          "a non-contiguous view", "Pass np.ascontiguousarray(a) and keep "
                          "that array.")  # fmt: skip
        if writeable and not a.flags.writeable:
            raise invalid(func, f"{name}[{i}]", "writeable (it is updated in place)",
                          "a read-only array", "Pass a copy: a.copy().")  # fmt: skip
    return arrays
