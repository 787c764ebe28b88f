"""Argument checks shared by ``optlearn.data``, all through the project's one message template.

Each returns the value normalised (an ``int``, a ``float``, a ``Generator``, a ``dtype``, arrays)
or raises what :func:`optlearn._validation.invalid` builds: ``TypeError`` for a value of the wrong
kind, ``ValueError`` for one of the right kind outside the accepted range. Nothing here changes
its arguments, so every public function can check everything before its first write.
"""

from __future__ import annotations

from numbers import Integral

import numpy as np

from .._validation import check_real, invalid

_FLOATS = (np.dtype(np.float32), np.dtype(np.float64))


def check_int(func: str, name: str, value, *, low: int) -> int:
    """An int (a NumPy integer too, never a bool) >= ``low``."""
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise invalid(func, name, f"an int in the range [{low}, inf)", value, exc=TypeError)
    if value < low:
        raise invalid(func, name, f"an int in the range [{low}, inf)", int(value))
    return int(value)


def check_bool(func: str, name: str, value) -> bool:
    if value is True or value is False or isinstance(value, np.bool_):
        return bool(value)
    raise invalid(func, name, "True or False", value, exc=TypeError)


def check_seed(func: str, seed) -> np.random.Generator:
    """A ``Generator`` as given (it is advanced, not copied), or a fresh one from an int >= 0."""
    if isinstance(seed, np.random.Generator):
        return seed
    expected = "an int >= 0 or a np.random.Generator"
    if isinstance(seed, Integral) and not isinstance(seed, bool):
        if seed < 0:
            raise invalid(func, "seed", expected, int(seed), "Pass seed=abs(seed).")
        return np.random.default_rng(int(seed))
    if seed is None:
        fix = ("Pass an int (seed=0) for data that are the same on every run, or "
               "np.random.default_rng() for fresh randomness.")  # fmt: skip
    elif isinstance(seed, np.random.RandomState):
        fix = "The legacy RandomState is not accepted: pass np.random.default_rng(...)."
    else:
        fix = ""
    raise invalid(func, "seed", expected, seed, fix, exc=TypeError)


def check_float_dtype(func: str, dtype) -> np.dtype:
    """``np.float32`` or ``np.float64`` (anything ``np.dtype`` reads as one of them)."""
    try:
        dt = np.dtype(dtype)
    except TypeError:
        raise invalid(func, "dtype", "np.float32 or np.float64", dtype, exc=TypeError) from None
    if dt not in _FLOATS:
        raise invalid(func, "dtype", "np.float32 or np.float64", str(dt),
                      "Cast the result afterwards if you need another type.")  # fmt: skip
    return dt


def check_interval(func: str, name: str, value) -> tuple[float, float]:
    """A pair ``(low, high)`` of finite reals with ``low < high``."""
    if isinstance(value, str | bytes) or not hasattr(value, "__len__") or len(value) != 2:
        raise invalid(func, name, "a pair (low, high)", value, exc=TypeError)
    low = check_real(func, f"{name}[0]", value[0])
    high = check_real(func, f"{name}[1]", value[1])
    if not low < high:
        fix = f"Pass ({high}, {low}) if the ends were swapped." if low > high else ""
        raise invalid(func, name, "a pair (low, high) with low < high", tuple(value), fix)
    return low, high


def check_finite(func: str, name: str, a: np.ndarray) -> None:
    """Refuse NaN or inf in a float array: a cheap sum first, the offender located on failure."""
    if a.dtype.kind != "f":
        return  # integers and booleans are always finite
    with np.errstate(over="ignore", invalid="ignore"):
        if np.isfinite(a.sum()):
            return
    bad = ~np.isfinite(a)
    if not bad.any():  # the sum overflowed, every entry is finite
        return
    first = tuple(int(i) for i in np.argwhere(bad)[0])
    where = ", ".join(map(str, first))
    rows = int(bad.reshape(len(a), -1).any(axis=1).sum())
    keep = {1: f"np.isfinite({name})", 2: f"np.isfinite({name}).all(axis=1)"}.get(
        a.ndim, f"np.isfinite({name}).reshape(len({name}), -1).all(axis=1)")
    raise invalid(func, name, "finite (no NaN or inf)", f"{a[first]} at {name}[{where}]",
                  f"{rows} of {len(a)} samples {'has' if rows == 1 else 'have'} a NaN or inf "
                  f"entry: drop them (keep = {keep}; X, y = X[keep], y[keep]) or fill them "
                  "in.")  # fmt: skip


def check_xy(func: str, X, y) -> tuple[np.ndarray, np.ndarray]:
    """``X`` of shape (n, d) and ``y`` with n entries (first axis), numeric, finite, n >= 1."""
    X = np.asarray(X)
    y = np.asarray(y)
    for name, a in (("X", X), ("y", y)):
        if a.dtype.kind not in "biuf":
            raise invalid(func, name, "a numeric array", f"dtype {a.dtype}", exc=TypeError)
    if X.ndim != 2:
        if X.ndim == 1:
            fix = ("Reshape your data with X.reshape(-1, 1) if it has a single feature, or "
                   "X.reshape(1, -1) if it is a single sample.")  # fmt: skip
        elif X.ndim > 2:
            fix = "Flatten each sample: X.reshape(len(X), -1)."
        else:
            fix = ""
        raise invalid(func, "X", "a 2-D array of shape (n_samples, n_features)",
                      f"an array of shape {X.shape}", fix)  # fmt: skip
    if y.ndim == 0:
        raise invalid(func, "y", f"an array with one entry per row of X ({len(X)})",
                      "a scalar", "Pass one target per sample.")  # fmt: skip
    if len(y) != len(X):
        raise invalid(func, "y", f"an array with one entry per row of X ({len(X)})",
                      f"{len(y)} entries", "X and y must hold the same samples, in the same "
                      "order.")  # fmt: skip
    if len(X) == 0:
        raise invalid(func, "X", "an array with at least one sample", f"shape {X.shape}")
    check_finite(func, "X", X)
    check_finite(func, "y", y)
    return X, y
