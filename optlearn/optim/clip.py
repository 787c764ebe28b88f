"""Gradient clipping with ``torch.nn.utils``'s names, arguments and arithmetic.

``clip_grad_norm_`` rescales all gradients together, as one long vector, so that their p-norm is
at most ``max_norm``; ``clip_grad_value_`` clamps each entry to ``[-clip_value, clip_value]``.
``get_total_norm`` and ``clip_grads_with_norm_`` are the two halves of ``clip_grad_norm_``, as in
torch. Gradients are a list of NumPy arrays (``None`` entries are skipped, like parameters
without a ``.grad`` in torch), modified in place.

Where torch's arithmetic shows, it is followed exactly: the coefficient is computed in the
gradients' dtype as ``min((1 / (total_norm + 1e-6)) * max_norm, 1)`` (torch evaluates
``max_norm / tensor`` as a reciprocal times ``max_norm``), so ``clip_grads_with_norm_`` gives
bit-identical results to torch for the same ``total_norm``. One deliberate difference: the norm of
float32 gradients is accumulated in float64 and rounded once at the end, where torch accumulates
in float32. The results agree to float32 round-off, except that torch's sum of squares overflows
to ``inf`` once the norm passes about 1.8e19 (and underflows to 0 below about 1e-19), which
would turn the clipping coefficient into 0 and wipe the gradients out; here the norm stays
finite up to float32's largest value (about 3.4e38). The total norm is returned as a Python
float, holding the value of the gradients' dtype.

The NumPy references (the specification) are in :mod:`optlearn.optim.reference`; the fused
kernels (one read pass for the norm, one read-write pass for the scaling, skipped when the
coefficient is 1) in ``_kernels.py``.
"""

from __future__ import annotations

import math

import numpy as np

from .._validation import FLOAT_DTYPES, check_real, invalid
from . import _kernels

__all__ = [
    "NonFiniteNormError",
    "clip_grad_norm_",
    "clip_grad_value_",
    "clip_grads_with_norm_",
    "get_total_norm",
]

_EPS = 1e-6  # torch's guard against dividing by a zero norm


class NonFiniteNormError(RuntimeError, FloatingPointError):
    """The total norm is NaN or infinite and ``error_if_nonfinite=True`` was asked for.

    A ``RuntimeError`` like torch's, and a ``FloatingPointError`` like the optimizers'
    ``check_finite`` refusals, so either ``except`` clause catches it.
    """


# -- input checking ------------------------------------------------------------------------------
class _Grads(list):
    """The non-None gradients, remembering each one's index in the caller's list."""

    indices: list[int]


def _arrays(func: str, grads, *, writeable: bool) -> _Grads:
    """The non-None gradients as a list, after checking each (nothing is modified here)."""
    if isinstance(grads, np.ndarray):
        grads = [grads]  # torch accepts a single tensor too
    elif grads is None or isinstance(grads, str | bytes | dict) or not hasattr(grads, "__iter__"):
        raise invalid(func, "grads", "a list of NumPy arrays", type(grads).__name__,
                      exc=TypeError)  # fmt: skip
    if isinstance(grads, _Grads):  # checked already, by clip_grad_norm_
        return grads
    out, out.indices = _Grads(), []
    for i, g in enumerate(grads):
        if g is None:
            continue
        if not isinstance(g, np.ndarray):
            raise invalid(func, f"grads[{i}]", "a NumPy array (or None)", type(g).__name__,
                          exc=TypeError)  # fmt: skip
        if g.dtype not in FLOAT_DTYPES:
            raise invalid(func, f"grads[{i}]", "an array of dtype float32 or float64",
                          f"dtype {g.dtype}", "Convert it with g.astype(np.float32).",
                          exc=TypeError)  # fmt: skip
        if writeable and not g.flags.writeable:
            raise invalid(func, f"grads[{i}]", "writeable (it is modified in place)",
                          "a read-only array", "Pass a copy: g.copy().")  # fmt: skip
        out.append(g)
        out.indices.append(i)
    return out


def _norm_type(func: str, norm_type) -> float:
    if isinstance(norm_type, str):
        if norm_type.strip().lower() not in ("inf", "+inf", "infinity"):
            raise invalid(func, "norm_type", "a float > 0, or inf (also 'inf')", norm_type)
        return math.inf
    p = check_real(func, "norm_type", norm_type, finite=False)
    if not p > 0:
        raise invalid(func, "norm_type", "a float > 0, or inf (also 'inf')", norm_type,
                      "A p-norm needs p > 0 (torch also accepts 0 and negative p, which "
                      "are not norms and make no sense for clipping).")  # fmt: skip
    return p


def _check_bool(func: str, name: str, value) -> bool:
    if not isinstance(value, bool | np.bool_):
        raise invalid(func, name, "True or False", value, exc=TypeError)
    return bool(value)


def _result_dtype(arrays) -> np.dtype:
    """float64 if any gradient is float64, else float32 (torch.stack's promotion)."""
    return np.result_type(*arrays) if arrays else np.dtype(np.float32)


# -- kernels, per array -------------------------------------------------------------------------
def _flat(g: np.ndarray):
    """A 1-D view of ``g`` for the kernels, or None if ``g`` is not contiguous."""
    if g.flags.c_contiguous or g.flags.f_contiguous:
        return g.ravel(order="K")
    return None


def _pick(name: str, n: int):
    return _kernels.pick(getattr(_kernels, f"{name}_serial"),
                         getattr(_kernels, f"{name}_parallel"), n)  # fmt: skip


def _total(arrays, p: float) -> float:
    """The p-norm of all arrays together, in float64 (before rounding to their dtype)."""
    if p == math.inf:
        largest = 0.0
        for g in arrays:
            x = _flat(g)
            x = np.ascontiguousarray(g).reshape(-1) if x is None else x
            m = _pick("max_abs", x.size)(x) if x.size else 0.0
            if m != m:
                return math.nan
            largest = max(largest, m)
        return largest
    total = 0.0
    for g in arrays:
        x = _flat(g)
        x = np.ascontiguousarray(g).reshape(-1) if x is None else x
        if x.size:
            total += _pick("sum_abs_pow", x.size)(x, p)
    if p == 2.0:
        return math.sqrt(total)
    return total if p == 1.0 else total ** (1.0 / p)


def _scale(arrays, coef) -> None:
    for g in arrays:
        x = _flat(g)
        if x is None:
            np.multiply(g, g.dtype.type(coef), out=g)
        elif x.size:
            _pick("scale", x.size)(x, float(coef))


def _describe_nonfinite(arrays: _Grads) -> str:
    bad = []
    for i, g in zip(arrays.indices, arrays, strict=True):
        n = int(np.count_nonzero(~np.isfinite(g)))
        if n:
            bad.append(f"grads[{i}] has {n} of {g.size} entries NaN or infinite")
    if bad:
        return "; ".join(bad)
    return ("every entry is finite: the norm overflowed the gradients' dtype; rescale the loss "
            "or clip by value first")  # fmt: skip


# -- the public functions -----------------------------------------------------------------------
def get_total_norm(grads, norm_type=2.0, error_if_nonfinite: bool = False) -> float:
    """The p-norm of all ``grads`` taken together as one vector, as torch.nn.utils.get_total_norm.

    ``(sum_i sum_j |g_ij|^p)^(1/p)``, or ``max_ij |g_ij|`` for ``norm_type=inf`` (or ``'inf'``);
    0.0 for an empty list. Computed in float64 and rounded to the gradients' dtype (float64 if
    any is float64), returned as a Python float. NaN if any entry is NaN.

    Raises ``NonFiniteNormError`` if ``error_if_nonfinite`` and the norm is NaN or infinite.

    >>> import numpy as np
    >>> get_total_norm([np.array([3.0, 0.0]), np.array([[4.0]])])
    5.0
    >>> get_total_norm([np.array([3.0, -7.0])], norm_type="inf")
    7.0
    """
    func = "get_total_norm"
    arrays = _arrays(func, grads, writeable=False)
    p = _norm_type(func, norm_type)
    error_if_nonfinite = _check_bool(func, "error_if_nonfinite", error_if_nonfinite)
    total = float(_result_dtype(arrays).type(_total(arrays, p)))
    if error_if_nonfinite and not math.isfinite(total):
        raise NonFiniteNormError(
            f"The total norm of order {p} for gradients is non-finite ({total}), so it cannot be "
            f"clipped: {_describe_nonfinite(arrays)}. To scale the gradients by the non-finite "
            "norm anyway, set error_if_nonfinite=False"
        )
    return total


def clip_grads_with_norm_(grads, max_norm, total_norm) -> None:
    """Scale ``grads`` in place by ``min(max_norm / (total_norm + 1e-6), 1)``, as torch does.

    The second half of :func:`clip_grad_norm_`, for a ``total_norm`` computed beforehand (for
    example with :func:`get_total_norm` over several lists). The coefficient is computed in the
    gradients' dtype with torch's operations, so the result equals torch's bit for bit.

    >>> import numpy as np
    >>> g = [np.array([3.0, 4.0])]
    >>> clip_grads_with_norm_(g, max_norm=1.0, total_norm=5.0)
    >>> g[0]  # scaled by 1 / (5 + 1e-6), not exactly 1 / 5
    array([0.59999988, 0.79999984])
    """
    func = "clip_grads_with_norm_"
    arrays = _arrays(func, grads, writeable=True)
    max_norm = check_real(func, "max_norm", max_norm, low=0, finite=False)
    total_norm = check_real(func, "total_norm", total_norm, low=0, finite=False)
    if arrays:
        _clip_with_norm(arrays, max_norm, total_norm)


def _clip_with_norm(arrays, max_norm: float, total_norm: float) -> None:
    t = _result_dtype(arrays).type
    # torch: clip_coef = max_norm / (total_norm + 1e-6), where the division is evaluated as
    # total_norm.reciprocal() * max_norm, all in the dtype of total_norm; then clamp(max=1).
    coef = (t(1) / (t(total_norm) + t(_EPS))) * t(max_norm)
    coef = np.minimum(coef, t(1))  # keeps a NaN, as torch.clamp does
    if coef != 1:  # multiplying by exactly 1 changes no bit: skip the pass over memory
        _scale(arrays, coef)


def clip_grad_norm_(grads, max_norm, norm_type=2.0, error_if_nonfinite: bool = False) -> float:
    """Rescale ``grads`` in place so that their total p-norm is at most ``max_norm``.

    As ``torch.nn.utils.clip_grad_norm_``: the total norm of all gradients together (see
    :func:`get_total_norm`) is computed, then every gradient is multiplied by
    ``min(max_norm / (total_norm + 1e-6), 1)``, so the direction is kept and only the length
    changes. Returns the total norm *before* clipping, as a Python float (log it: its history
    is how exploding gradients show up).

    Raises before modifying anything: ``TypeError`` for non-float or non-array gradients,
    ``ValueError`` for a read-only gradient, a negative or NaN ``max_norm`` or a ``norm_type``
    that is not > 0, and ``NonFiniteNormError`` for a NaN or infinite norm when
    ``error_if_nonfinite=True`` (otherwise, as in torch, an infinite norm zeroes the finite
    entries and a NaN norm makes every entry NaN).

    >>> import numpy as np
    >>> g = [np.array([3.0, 0.0]), np.array([4.0])]
    >>> clip_grad_norm_(g, max_norm=1.0)
    5.0
    >>> np.round(np.concatenate(g), 6)
    array([0.6, 0. , 0.8])
    """
    func = "clip_grad_norm_"
    arrays = _arrays(func, grads, writeable=True)
    max_norm = check_real(func, "max_norm", max_norm, low=0, finite=False)
    p = _norm_type(func, norm_type)
    _check_bool(func, "error_if_nonfinite", error_if_nonfinite)
    total = get_total_norm(arrays, p, error_if_nonfinite)
    if arrays:
        _clip_with_norm(arrays, max_norm, total)
    return total


def clip_grad_value_(grads, clip_value) -> None:
    """Clamp every entry of ``grads`` in place to ``[-clip_value, clip_value]``.

    As ``torch.nn.utils.clip_grad_value_``: each coordinate is clipped on its own, so unlike
    :func:`clip_grad_norm_` this changes the gradient's direction. NaN entries stay NaN.
    ``clip_value`` must be >= 0 (torch accepts a negative one and sets every entry to it).

    >>> import numpy as np
    >>> g = [np.array([-3.0, 0.5, 2.0])]
    >>> clip_grad_value_(g, 1.0)
    >>> g[0]
    array([-1. ,  0.5,  1. ])
    """
    func = "clip_grad_value_"
    arrays = _arrays(func, grads, writeable=True)
    clip_value = check_real(func, "clip_value", clip_value, low=0, finite=False)
    for g in arrays:
        x = _flat(g)
        if x is None:
            c = g.dtype.type(clip_value)
            np.clip(g, -c, c, out=g)
        elif x.size:
            _pick("clamp", x.size)(x, clip_value)
