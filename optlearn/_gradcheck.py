r"""Check an analytic gradient against central finite differences.

``gradcheck(f, x)`` is exposed as ``optlearn.gradcheck``; ``gradcheck_report`` returns the same
check with what is needed to read a failure (where the worst entry is, and both values there).
``f(x)`` returns ``(value, grad)``: the scalar loss and its gradient with respect to ``x``, an
array of ``x``'s shape. Every entry (or a seeded sample of them) is probed with

.. math::

    \tilde g_i = \frac{f(x + \varepsilon e_i) - f(x - \varepsilon e_i)}{2 \varepsilon},
    \qquad
    \text{error} = \max_i \frac{|\tilde g_i - g_i|}{\max(|\tilde g_i|, |g_i|, \text{atol})}.

The central difference is exact for quadratics and has error :math:`O(\varepsilon^2)` in
general, against a round-off error of about :math:`10^{-16} |f| / \varepsilon`; with the default
:math:`\varepsilon = 10^{-6}` a correct gradient gives errors around :math:`10^{-9}` to
:math:`10^{-7}`, and a wrong one (a missing factor, a transposed matrix) errors of order 1.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from numbers import Integral, Real

import numpy as np

from ._validation import check_real, invalid

__all__ = ["GradcheckReport", "gradcheck", "gradcheck_report"]


@dataclass(frozen=True)
class GradcheckReport:
    """The result of :func:`gradcheck_report`.

    Attributes
    ----------
    max_rel_error : float
        The largest relative error over the checked entries (what :func:`gradcheck` returns).
    worst_index : tuple of int
        The index into ``x`` of the entry with that error.
    numeric : float
        The central-difference derivative at ``worst_index``.
    analytic : float
        The gradient returned by ``f`` at ``worst_index``.
    n_checked : int
        How many entries were probed (``x.size``, or ``max_entries``).

    Examples
    --------
    >>> report = GradcheckReport(0.5, (1, 0), numeric=4.0, analytic=2.0, n_checked=6)
    >>> print(report)
    max relative error 5.000e-01 at index (1, 0): numeric 4, analytic 2 (6 entries checked)
    """

    max_rel_error: float
    worst_index: tuple
    numeric: float
    analytic: float
    n_checked: int

    def __str__(self) -> str:
        return (f"max relative error {self.max_rel_error:.3e} at index {self.worst_index}: "
                f"numeric {self.numeric:.10g}, analytic {self.analytic:.10g} "
                f"({self.n_checked} entries checked)")  # fmt: skip


# -- input checking ------------------------------------------------------------------------------
def _check_x(func: str, x) -> np.ndarray:
    if not isinstance(x, np.ndarray):
        raise invalid(func, "x", "a NumPy array", type(x).__name__,
                      "Pass np.asarray(x, dtype=np.float64).", exc=TypeError)  # fmt: skip
    char = x.dtype.char
    if char != "f" and char != "d":
        raise invalid(func, "x", "an array of dtype float32 or float64", f"dtype {x.dtype}",
                      "Convert it with x.astype(np.float64).", exc=TypeError)  # fmt: skip
    if x.size == 0:
        raise invalid(func, "x", "a non-empty array", f"an array of shape {x.shape}")
    return x


def _value(func: str, out, where: str) -> float:
    """The loss from ``f``'s output ``out``, checked to be a finite real scalar."""
    value = out[0]
    if isinstance(value, np.ndarray) and value.ndim == 0:
        value = value[()]
    if isinstance(value, bool | np.bool_) or not isinstance(value, Real | np.floating | np.integer):
        raise invalid(func, "f", "a callable returning (value, grad) with a real scalar value",
                      f"a value of type {type(value).__name__}{where}",
                      "Return the loss as a float (e.g. float(loss)).",
                      exc=TypeError)  # fmt: skip
    value = float(value)
    if not math.isfinite(value):
        raise invalid(func, "f", "a callable returning (value, grad) with a finite value",
                      f"{value}{where}", "Check f near x, or use a smaller eps.")  # fmt: skip
    return value


def _call(func: str, f, x: np.ndarray, where: str):
    out = f(x)
    if not isinstance(out, tuple | list) or len(out) != 2:
        got = (f"a {type(out).__name__} of length {len(out)}" if isinstance(out, tuple | list)
               else f"a {type(out).__name__}")  # fmt: skip
        raise invalid(func, "f", "a callable returning a pair (value, grad)", got + where,
                      "f(x) must return the loss and its gradient with respect to x.",
                      exc=TypeError)  # fmt: skip
    return out


def _checked_args(func, f, x, eps, atol, max_entries, seed):
    if not callable(f):
        raise invalid(func, "f", "a callable returning (value, grad)", type(f).__name__,
                      exc=TypeError)  # fmt: skip
    _check_x(func, x)
    eps = check_real(func, "eps", eps, low=0, low_open=True)
    atol = check_real(func, "atol", atol, low=0, low_open=True)
    if max_entries is not None:
        if isinstance(max_entries, bool) or not isinstance(max_entries, Integral):
            raise invalid(func, "max_entries", "None or an int >= 1", max_entries, exc=TypeError)
        if max_entries < 1:
            raise invalid(func, "max_entries", "None or an int >= 1", max_entries)
        max_entries = int(max_entries)
    if not isinstance(seed, np.random.Generator):
        if isinstance(seed, bool) or not isinstance(seed, Integral):
            raise invalid(func, "seed", "an int >= 0 or an np.random.Generator", seed,
                          exc=TypeError)  # fmt: skip
        if seed < 0:
            raise invalid(func, "seed", "an int >= 0 or an np.random.Generator", seed)
    return eps, atol, max_entries


# -- the check ---------------------------------------------------------------------------------
def gradcheck_report(f, x, eps=1e-6, *, atol=1e-8, max_entries=None, seed=0) -> GradcheckReport:
    r"""Compare ``f``'s gradient with central differences and say where they differ most.

    The same check as :func:`gradcheck`, returning a :class:`GradcheckReport` with the largest
    relative error, the index of the entry where it occurs, the numeric and analytic
    derivatives there, and the number of entries checked. Print it to read a failure.

    Parameters
    ----------
    f : callable
        ``f(x)`` returns ``(value, grad)``: a finite real scalar and the gradient with
        respect to ``x``, an array of ``x``'s shape. It is called with a float64 array of
        ``x``'s shape and must not keep or modify it.
    x : ndarray of dtype float32 or float64
        The point, non-empty. It is copied to float64 and never modified.
    eps : float, default=1e-6
        The finite-difference step, ``> 0``.
    atol : float, keyword-only, default=1e-8
        The floor of the denominator of the relative error, ``> 0``, so that entries where
        both derivatives are (nearly) zero do not divide by zero.
    max_entries : int, keyword-only, optional
        Probe only this many entries, chosen at random without replacement (each probe costs
        two calls of ``f``). Default: all of them.
    seed : int or numpy.random.Generator, keyword-only, default=0
        Chooses the sampled entries (``np.random.default_rng(seed)``), so that the same seed
        checks the same entries.

    Returns
    -------
    GradcheckReport
        ``max_rel_error``, ``worst_index``, ``numeric``, ``analytic``, ``n_checked``.

    Raises
    ------
    TypeError
        If ``f`` is not callable or does not return a pair with a real scalar value, ``x``
        is not a float32/float64 array, or an argument has the wrong type.
    ValueError
        If ``x`` is empty, ``eps`` or ``atol`` is not a finite float > 0, ``max_entries``
        < 1, ``seed`` < 0, the value of ``f`` is not finite (at ``x`` or at a probe), or the
        gradient's shape differs from ``x``'s or it has NaN or infinite entries.

    Examples
    --------
    >>> import numpy as np
    >>> def f(x):                         # f = x0^2 x1 + x2, but df/dx2 = 1 was forgotten
    ...     return float(x[0]**2 * x[1] + x[2]), np.array([2 * x[0] * x[1], x[0]**2, 0.0])
    >>> report = gradcheck_report(f, np.array([1.0, -2.0, 0.5]))
    >>> print(report)
    max relative error 1.000e+00 at index (2,): numeric 1, analytic 0 (3 entries checked)
    >>> report.worst_index
    (2,)
    """
    return _report("gradcheck_report", f, x, eps, atol, max_entries, seed)


def _report(func, f, x, eps, atol, max_entries, seed) -> GradcheckReport:
    eps, atol, max_entries = _checked_args(func, f, x, eps, atol, max_entries, seed)
    # A float64 copy in C order: probes write into it, never into the caller's x, and
    # reshape(-1) below is a view of it.
    xw = np.array(x, dtype=np.float64, order="C", copy=True)
    flat = xw.reshape(-1)

    out = _call(func, f, xw, " at x")
    _value(func, out, " at x")
    grad = out[1]
    if not isinstance(grad, np.ndarray):
        grad = np.asarray(grad) if isinstance(grad, Real | list | tuple) else grad
    if not isinstance(grad, np.ndarray) or grad.dtype.kind not in "fiu":
        raise invalid(func, "f", "a callable returning (value, grad) with grad a real array",
                      f"a grad of type {type(out[1]).__name__}", exc=TypeError)  # fmt: skip
    if grad.shape != x.shape:
        raise invalid(func, "f", f"a callable returning a gradient of x's shape {x.shape}",
                      f"a gradient of shape {grad.shape}",
                      "The gradient has one entry per entry of x, in x's shape: reshape it "
                      "(grad.reshape(x.shape)) or check which variable it is taken with "
                      "respect to.")  # fmt: skip
    # Copied now: f may return a buffer it reuses, which the probes below would overwrite.
    analytic = np.array(grad, dtype=np.float64, copy=True).reshape(-1)
    if not math.isfinite(float(analytic.sum())):  # cheap first; locate only on failure
        bad = np.flatnonzero(~np.isfinite(analytic))
        first = np.unravel_index(bad[0], x.shape)
        raise invalid(func, "f", "a callable returning a finite gradient",
                      f"{bad.size} NaN or infinite entries, the first at index "
                      f"{tuple(int(i) for i in first)}")  # fmt: skip

    n = flat.size
    if max_entries is not None and max_entries < n:
        rng = np.random.default_rng(seed)
        indices = np.sort(rng.choice(n, size=max_entries, replace=False))
    else:
        indices = np.arange(n)

    numeric = np.empty(indices.size)
    for k, i in enumerate(indices):
        at = tuple(int(j) for j in np.unravel_index(i, x.shape))
        original = flat[i]
        flat[i] = x_plus = original + eps
        f_plus = _value(func, _call(func, f, xw, ""), f" at x + eps at index {at}")
        flat[i] = x_minus = original - eps
        f_minus = _value(func, _call(func, f, xw, ""), f" at x - eps at index {at}")
        flat[i] = original  # the stored value, not original + eps - eps (round-off)
        # Divided by the step actually taken, which differs from 2 eps by the rounding of
        # original +- eps (a relative 1e-7 for |x| ~ 1e3 and eps = 1e-6).
        numeric[k] = (f_plus - f_minus) / (x_plus - x_minus)

    a = analytic[indices]
    rel = np.abs(numeric - a) / np.maximum(np.maximum(np.abs(numeric), np.abs(a)), atol)
    k = int(np.argmax(rel))
    worst = tuple(int(j) for j in np.unravel_index(indices[k], x.shape))
    return GradcheckReport(max_rel_error=float(rel[k]), worst_index=worst,
                           numeric=float(numeric[k]), analytic=float(a[k]),
                           n_checked=int(indices.size))  # fmt: skip


def gradcheck(f, x, eps=1e-6, *, atol=1e-8, max_entries=None, seed=0) -> float:
    r"""Return the largest relative error between ``f``'s gradient and central differences.

    For every entry :math:`i` of ``x`` (or ``max_entries`` of them, chosen with
    ``np.random.default_rng(seed)``):

    .. math::

        \tilde g_i = \frac{f(x + \varepsilon e_i) - f(x - \varepsilon e_i)}{2 \varepsilon},
        \qquad
        \text{error} = \max_i \frac{|\tilde g_i - g_i|}{\max(|\tilde g_i|, |g_i|,
        \text{atol})},

    where :math:`g` is the gradient ``f`` returns at ``x``. ``x`` is copied to float64 and
    the probes change one entry of the copy at a time (restored after each), so ``x`` is
    unchanged when ``gradcheck`` returns. To see where a failure is, use
    :func:`optlearn._gradcheck.gradcheck_report`.

    Parameters
    ----------
    f : callable
        ``f(x)`` returns ``(value, grad)``: a finite real scalar and the gradient with
        respect to ``x``, an array of ``x``'s shape. It is called with a float64 array of
        ``x``'s shape and must not keep or modify it.
    x : ndarray of dtype float32 or float64
        The point, non-empty. It is copied to float64 and never modified.
    eps : float, default=1e-6
        The finite-difference step, ``> 0``.
    atol : float, keyword-only, default=1e-8
        The floor of the denominator, ``> 0``, so that entries where both derivatives are
        (nearly) zero do not divide by zero.
    max_entries : int, keyword-only, optional
        Probe only this many entries, sampled without replacement (each probe costs two
        calls of ``f``). Default: all of them.
    seed : int or numpy.random.Generator, keyword-only, default=0
        Chooses the sampled entries: the same seed checks the same entries.

    Returns
    -------
    float
        The largest relative error. A correct gradient gives about 1e-9 to 1e-7 in float64;
        a wrong one, errors of order 1.

    Raises
    ------
    TypeError
        If ``f`` is not callable or does not return a pair with a real scalar value, ``x``
        is not a float32/float64 array, or an argument has the wrong type.
    ValueError
        If ``x`` is empty, ``eps`` or ``atol`` is not a finite float > 0, ``max_entries``
        < 1, ``seed`` < 0, the value of ``f`` is not finite (at ``x`` or at a probe), or the
        gradient's shape differs from ``x``'s or it has NaN or infinite entries.

    Notes
    -----
    The relative error with a floor, not ``numpy.allclose``'s mixed tolerance: it reads the
    same for gradients of any scale. Entries whose derivative is tiny compared with
    :math:`10^{-16} |f| / \varepsilon` are dominated by round-off; raise ``atol`` to ignore
    them. The difference quotient is divided by the step actually taken,
    :math:`\mathrm{fl}(x_i + \varepsilon) - \mathrm{fl}(x_i - \varepsilon)`, which is
    :math:`2\varepsilon` up to the rounding of :math:`x_i \pm \varepsilon`. Unlike
    ``torch.autograd.gradcheck``, nothing is raised on a large error: compare the result with
    a threshold.

    Examples
    --------
    >>> import numpy as np
    >>> A = np.array([[2.0, 1.0], [1.0, 3.0]])
    >>> def quadratic(x):                 # f(x) = x^T A x, gradient (A + A^T) x
    ...     return float(x @ A @ x), (A + A.T) @ x
    >>> x = np.array([1.0, -2.0])
    >>> gradcheck(quadratic, x) < 1e-8
    True
    >>> def wrong(x):                     # forgot the factor 2
    ...     return float(x @ A @ x), A @ x
    >>> round(gradcheck(wrong, x), 3)     # |2g - g| / |2g|
    0.5
    """
    return _report("gradcheck", f, x, eps, atol, max_entries, seed).max_rel_error
