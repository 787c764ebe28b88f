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

from .._validation import check_real, invalid
from . import _kernels

__all__ = [
    "NonFiniteNormError",
    "clip_grad_norm_",
    "clip_grad_value_",
    "clip_grads_with_norm_",
    "get_total_norm",
]

class NonFiniteNormError(RuntimeError, FloatingPointError):
    """The total norm is NaN or infinite and ``error_if_nonfinite=True`` was asked for.

    A ``RuntimeError`` like torch's, and a ``FloatingPointError`` like the optimizers'
    ``check_finite`` refusals, so either ``except`` clause catches it.
    """


# -- input checking ------------------------------------------------------------------------------
# Clipping runs once per training step, so the checks are written for speed (a whole call at
# N = 1e3 costs a few microseconds): plain-type fast paths first, the general check (and its
# message) only when the fast path does not apply.


class _Grads(list):
    """The non-None gradients, checked, with what the kernels need about each."""

    indices: list[int]  # position of each in the caller's list (for messages)
    flat: list  # a 1-D view of each for the kernels, or None where it is not contiguous
    wide: bool  # any float64 among them: the norm and coefficient are then float64


def _arrays(func: str, grads, *, writeable: bool) -> _Grads:
    """The non-None gradients as a list, after checking each (nothing is modified here)."""
    if type(grads) is not list and type(grads) is not tuple:
        if isinstance(grads, _Grads):  # checked already, by clip_grad_norm_
            return grads
        if isinstance(grads, np.ndarray):
            grads = (grads,)  # torch accepts a single tensor too
        elif grads is None or isinstance(grads, str | bytes | dict) or not hasattr(
            grads, "__iter__"
        ):
            raise invalid(func, "grads", "a list of NumPy arrays", type(grads).__name__,
                          exc=TypeError)  # fmt: skip
    out = _Grads()
    indices, flat, wide = [], [], False
    for i, g in enumerate(grads):
        if g is None:
            continue
        if not isinstance(g, np.ndarray):
            raise invalid(func, f"grads[{i}]", "a NumPy array (or None)", type(g).__name__,
                          exc=TypeError)  # fmt: skip
        char = g.dtype.char
        if char != "f" and char != "d":
            raise invalid(func, f"grads[{i}]", "an array of dtype float32 or float64",
                          f"dtype {g.dtype}", "Convert it with g.astype(np.float32).",
                          exc=TypeError)  # fmt: skip
        flags = g.flags
        if writeable and not flags.writeable:
            raise invalid(func, f"grads[{i}]", "writeable (it is modified in place)",
                          "a read-only array", "Pass a copy: g.copy().")  # fmt: skip
        out.append(g)
        indices.append(i)
        if flags.c_contiguous:
            flat.append(g.ravel())  # a view
        elif flags.f_contiguous:
            flat.append(g.ravel(order="K"))  # a view, in memory order
        else:
            flat.append(None)
        wide = wide or char == "d"
    out.indices, out.flat, out.wide = indices, flat, wide
    return out


def _nonneg(func: str, name: str, value) -> float:
    """A float >= 0, inf allowed, NaN refused."""
    if type(value) is float or type(value) is int:  # the usual case, checked fast
        if value >= 0:  # False for NaN
            return float(value)
    return check_real(func, name, value, low=0, finite=False)


def _norm_type(func: str, norm_type) -> float:
    if (type(norm_type) is float or type(norm_type) is int) and norm_type > 0:
        return float(norm_type)
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
    if value is True or value is False:
        return value
    if not isinstance(value, np.bool_):
        raise invalid(func, name, "True or False", value, exc=TypeError)
    return bool(value)


# -- the work, over all arrays ------------------------------------------------------------------
_THRESHOLD = _kernels.PARALLEL_THRESHOLD
_SUM = (_kernels.sum_abs_pow_serial, _kernels.sum_abs_pow_parallel)
_MAX = (_kernels.max_abs_serial, _kernels.max_abs_parallel)
_SCALE = (_kernels.scale_serial, _kernels.scale_parallel)
_CLAMP = (_kernels.clamp_serial, _kernels.clamp_parallel)


def _total(arrays: _Grads, p: float) -> float:
    """The p-norm of all arrays together, rounded to their dtype, as a Python float."""
    largest = total = 0.0
    for g, x in zip(arrays, arrays.flat, strict=True):
        n = g.size
        if n == 0:
            continue
        if x is None:
            x = np.ascontiguousarray(g).reshape(-1)
        if p == math.inf:
            m = _MAX[n >= _THRESHOLD](x)
            if m != m:
                return math.nan
            largest = max(largest, m)
        else:
            total += _SUM[n >= _THRESHOLD](x, p)
    if p == math.inf:
        total = largest
    elif p == 2.0:
        total = math.sqrt(total)
    elif p != 1.0:
        total = total ** (1.0 / p)
    # Round to the gradients' dtype (float64 if any is float64, as torch.stack promotes).
    return total if arrays.wide else float(np.float32(total))


def _total_checked(arrays: _Grads, p: float, error_if_nonfinite: bool) -> float:
    total = _total(arrays, p)
    if error_if_nonfinite and not math.isfinite(total):
        raise NonFiniteNormError(
            f"The total norm of order {p} for gradients is non-finite ({total}), so it cannot be "
            f"clipped: {_describe_nonfinite(arrays)}. To scale the gradients by the non-finite "
            "norm anyway, set error_if_nonfinite=False"
        )
    return total


def _clip_with_norm(arrays: _Grads, max_norm: float, total_norm: float) -> None:
    # torch: clip_coef = max_norm / (total_norm + 1e-6), where the division is evaluated as
    # total_norm.reciprocal() * max_norm, all in the dtype of total_norm; then clamp(max=1).
    coef = _kernels.clip_coef(total_norm, max_norm, arrays.wide)
    if coef == 1.0:  # multiplying by exactly 1 changes no bit: skip the pass over memory
        return
    for g, x in zip(arrays, arrays.flat, strict=True):
        if x is None:
            np.multiply(g, g.dtype.type(coef), out=g)
        elif x.size:
            _SCALE[x.size >= _THRESHOLD](x, coef)


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
    return _total_checked(arrays, p, _check_bool(func, "error_if_nonfinite", error_if_nonfinite))


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
    max_norm = _nonneg(func, "max_norm", max_norm)
    total_norm = _nonneg(func, "total_norm", total_norm)
    if arrays:
        _clip_with_norm(arrays, max_norm, total_norm)


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
    max_norm = _nonneg(func, "max_norm", max_norm)
    p = _norm_type(func, norm_type)
    total = _total_checked(arrays, p, _check_bool(func, "error_if_nonfinite", error_if_nonfinite))
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
    clip_value = _nonneg(func, "clip_value", clip_value)
    for g, x in zip(arrays, arrays.flat, strict=True):
        if x is None:
            c = g.dtype.type(clip_value)
            np.clip(g, -c, c, out=g)
        elif x.size:
            _CLAMP[x.size >= _THRESHOLD](x, clip_value)
