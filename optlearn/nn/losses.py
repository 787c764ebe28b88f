"""Losses and penalties, each returning the value and its gradient, as the MLP uses them.

Mean reduction everywhere, as torch's defaults (``CrossEntropyLoss``, ``MSELoss``,
``BCEWithLogitsLoss``). The losses run as fused Numba kernels (``_kernels.py``) that equal
the NumPy references in ``optlearn.nn.reference``.
"""

from __future__ import annotations

import numpy as np

from .._validation import invalid
from . import _kernels

__all__ = ["LOSSES", "binary_cross_entropy_with_logits", "cross_entropy", "l1", "l2", "mse"]

LOSSES = ("cross_entropy", "mse", "binary_cross_entropy_with_logits")


def _logits(func: str, name: str, z) -> np.ndarray:
    if not isinstance(z, np.ndarray) or z.dtype.char not in "fd":
        raise invalid(func, name, "a float32 or float64 ndarray", type(z).__name__
                      if not isinstance(z, np.ndarray) else f"dtype {z.dtype}",
                      exc=TypeError)  # fmt: skip
    if z.ndim != 2:
        raise invalid(func, name, "2-D, of shape (n_samples, n_outputs)", f"shape {z.shape}",
                      "Reshape it with z.reshape(len(z), -1).")  # fmt: skip
    if not np.isfinite(z.sum()):
        raise invalid(func, name, "finite", "NaN or infinite entries",
                      exc=FloatingPointError)  # fmt: skip
    return np.ascontiguousarray(z)


def _targets(func: str, y, pred: np.ndarray) -> np.ndarray:
    y = np.asarray(y, dtype=pred.dtype)
    if y.size != pred.size or (y.ndim == 2 and y.shape != pred.shape):
        raise invalid(func, "target", f"an array of shape {pred.shape} (or {pred.shape[0]} "
                      "values for one output)", f"shape {y.shape}")  # fmt: skip
    if not np.isfinite(y.sum()):
        raise invalid(func, "target", "finite", "NaN or infinite entries")
    return np.ascontiguousarray(y.reshape(pred.shape))


def cross_entropy(logits, y) -> tuple[float, np.ndarray]:
    """Mean softmax cross-entropy of integer class labels, and its gradient.

    .. math:: L = \\frac1n \\sum_i \\Big(\\log \\sum_j e^{z_{ij}} - z_{i y_i}\\Big),

    .. math:: \\partial L / \\partial z = (\\mathrm{softmax}(z) - \\mathrm{onehot}(y)) / n

    As ``torch.nn.functional.cross_entropy`` on logits (not probabilities: the softmax is
    inside, computed stably by subtracting each row's maximum).

    Parameters
    ----------
    logits : ndarray of shape (n, k), float32 or float64
    y : array of n ints in [0, k)

    Returns
    -------
    loss : float
    grad : ndarray of shape (n, k), dL/dlogits in logits' dtype

    Examples
    --------
    >>> import numpy as np
    >>> loss, grad = cross_entropy(np.zeros((2, 4)), np.array([0, 3]))
    >>> round(loss, 6) == round(float(np.log(4)), 6)
    True
    """
    func = "cross_entropy"
    z = _logits(func, "logits", logits)
    y = _labels(func, y, z.shape)
    grad = np.empty_like(z)
    return float(_kernels.cross_entropy(z, y, grad)), grad


def _labels(func: str, y, shape) -> np.ndarray:
    y = np.asarray(y)
    if y.dtype.kind not in "iu" and not (y.dtype.kind == "f" and np.all(y == np.round(y))):
        raise invalid(func, "y", "integer class labels", f"dtype {y.dtype}", exc=TypeError)
    y = y.astype(np.int64).reshape(-1)
    if len(y) != shape[0]:
        raise invalid(func, "y", f"{shape[0]} labels, one per row of the logits", len(y))
    if len(y) and (y.min() < 0 or y.max() >= shape[1]):
        bad = y[(y < 0) | (y >= shape[1])][0]
        raise invalid(func, "y", f"labels in [0, {shape[1]}) for {shape[1]} outputs",
                      f"label {bad}", "Check the last layer's width against the number of "
                      "classes.")  # fmt: skip
    return np.ascontiguousarray(y)


def mse(pred, target) -> tuple[float, np.ndarray]:
    """Mean squared error over all entries, and its gradient 2 (pred - target) / size.

    >>> import numpy as np
    >>> mse(np.array([[1.0], [3.0]]), np.array([0.0, 1.0]))[0]
    2.5
    """
    func = "mse"
    p = _logits(func, "pred", pred)
    t = _targets(func, target, p)
    grad = np.empty_like(p)
    return float(_kernels.mse(p, t, grad)), grad


def binary_cross_entropy_with_logits(logits, target) -> tuple[float, np.ndarray]:
    """Mean binary cross-entropy on logits (targets in [0, 1]), and its gradient.

    .. math:: L = \\mathrm{mean}\\big(\\max(z, 0) - z y + \\log(1 + e^{-|z|})\\big), \\qquad
              \\frac{\\partial L}{\\partial z} = (\\sigma(z) - y) / \\mathrm{size}

    The form torch's ``BCEWithLogitsLoss`` uses: no overflow for any z.

    >>> import numpy as np
    >>> round(binary_cross_entropy_with_logits(np.zeros((3, 1)), np.ones(3))[0], 6)
    0.693147
    """
    func = "binary_cross_entropy_with_logits"
    z = _logits(func, "logits", logits)
    t = _targets(func, target, z)
    if t.size and (t.min() < 0 or t.max() > 1):
        raise invalid(func, "target", "values in [0, 1]", f"values in [{t.min()}, {t.max()}]")
    grad = np.empty_like(z)
    return float(_kernels.bce_with_logits(z, t, grad)), grad


def l1(params) -> tuple[float, list[np.ndarray]]:
    """The penalty sum |w| over the arrays, and its (sub)gradient sign(w).

    >>> import numpy as np
    >>> l1([np.array([1.0, -2.0])])
    (3.0, [array([ 1., -1.])])
    """
    arrays = _arrays("l1", params)
    return float(sum(np.abs(p).sum(dtype=np.float64) for p in arrays)), [np.sign(p)
                                                                        for p in arrays]


def l2(params) -> tuple[float, list[np.ndarray]]:
    """The penalty (1/2) sum w^2 over the arrays, and its gradient w.

    With the 1/2, adding ``lam * l2(params)[0]`` to the loss and ``lam * w`` to each gradient
    is exactly SGD's ``weight_decay=lam``; without it the decay would be twice as strong.

    >>> import numpy as np
    >>> l2([np.array([3.0, 4.0])])[0]
    12.5
    """
    arrays = _arrays("l2", params)
    total = sum(np.dot(p.ravel().astype(np.float64), p.ravel().astype(np.float64))
                for p in arrays)  # fmt: skip
    return float(total) / 2, [p.copy() for p in arrays]


def _arrays(func: str, params) -> list[np.ndarray]:
    if isinstance(params, np.ndarray):
        raise invalid(func, "params", "a list of arrays", "a single ndarray",
                      "Wrap it in a list: [w].", exc=TypeError)  # fmt: skip
    arrays = list(params)
    for i, p in enumerate(arrays):
        if not isinstance(p, np.ndarray) or p.dtype.kind != "f":
            raise invalid(func, f"params[{i}]", "a float ndarray", type(p).__name__,
                          exc=TypeError)  # fmt: skip
    return arrays
