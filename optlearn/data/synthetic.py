"""Small synthetic data sets whose truth is known: regression lines and polynomials, two
spirals, Gaussian blobs.

Each takes ``seed`` (an int, or a ``np.random.Generator`` that is used and advanced) and
``dtype`` (of ``X``, and of ``y`` for regression; labels are always ``int64``), and returns a
:class:`~optlearn.data.Split` that unpacks as ``X, y = ...``. The regression sets return a
:class:`~optlearn.data.RegressionSplit` carrying the true ``coef`` and ``bias``, the blobs a
:class:`~optlearn.data.BlobsSplit` carrying the ``centers``. Everything is drawn in float64
and cast to ``dtype`` at the end. The true parameters are drawn first, so the same seed gives
the same truth for every ``n`` and noise level: vary one argument and the rest stays put.
"""

from __future__ import annotations

import math

import numpy as np

from .._validation import check_real, invalid
from ._checks import check_float_dtype, check_int, check_interval, check_seed
from ._types import BlobsSplit, RegressionSplit, Split

__all__ = ["gaussian_blobs", "linear_regression", "polynomial_regression", "two_spirals"]


def _check_noise(func: str, noise) -> float:
    return check_real(func, "noise", noise, low=0)


def polynomial_regression(n=30, degree=3, noise=0.1, *, x_range=(-1, 1), coef=None, seed=0,
                          dtype=np.float64) -> RegressionSplit:  # fmt: skip
    r"""Noisy samples of a polynomial in one variable, for fitting and overfitting experiments.

    .. math::

        y_i = \sum_{k=0}^{\text{degree}} c_k x_i^k + \text{noise} \cdot \varepsilon_i,
        \qquad x_i \sim U(\text{x_range}), \quad \varepsilon_i \sim N(0, 1).

    Parameters
    ----------
    n : int, default=30
        Number of samples, >= 1.
    degree : int, default=3
        Degree of the true polynomial, >= 0.
    noise : float, default=0.1
        Standard deviation of the Gaussian noise added to ``y``, >= 0.
    x_range : tuple of 2 floats, default=(-1, 1)
        The interval ``(low, high)`` that ``x`` is drawn uniformly from.
    coef : array-like of shape (degree + 1,), optional
        The true coefficients :math:`c_0, \dots, c_{\text{degree}}` in increasing powers (the
        order of ``numpy.polynomial``). If None, each is drawn from :math:`N(0, 1)`.
    seed : int or np.random.Generator, default=0
        Seeds the draws (coefficients first, then ``x``, then the noise).
    dtype : {np.float64, np.float32}, default=np.float64
        The dtype of ``X`` and ``y``.

    Returns
    -------
    RegressionSplit
        ``X`` of shape (n, 1) holding the raw ``x`` (build polynomial features from it
        yourself), ``y`` of shape (n,), the true ``coef`` (float64, increasing powers) and
        ``bias=0.0`` (the constant term is ``coef[0]``).

    Raises
    ------
    ValueError
        If ``n < 1``, ``degree < 0``, ``noise < 0`` or NaN, ``x_range`` is not increasing, or
        ``coef`` does not hold ``degree + 1`` finite numbers.
    TypeError
        If an argument is of the wrong type.

    Notes
    -----
    With ``noise=0`` the targets are exactly
    ``numpy.polynomial.polynomial.polyval(X[:, 0], coef)`` in float64. Changing ``noise``
    with the same seed changes only the noise: ``x`` and ``coef`` stay the same.

    Examples
    --------
    >>> import numpy as np
    >>> from optlearn.data import polynomial_regression
    >>> data = polynomial_regression(n=5, degree=2, noise=0.0, coef=[1.0, 0.0, -2.0])
    >>> X, y = data
    >>> X.shape, y.shape
    ((5, 1), (5,))
    >>> bool(np.allclose(y, 1.0 - 2.0 * X[:, 0] ** 2))
    True
    >>> data.coef
    array([ 1.,  0., -2.])
    """
    func = "polynomial_regression"
    n = check_int(func, "n", n, low=1)
    degree = check_int(func, "degree", degree, low=0)
    noise = _check_noise(func, noise)
    low, high = check_interval(func, "x_range", x_range)
    if coef is not None:
        coef = _check_coef(func, coef, degree)
    rng = check_seed(func, seed)
    dtype = check_float_dtype(func, dtype)

    if coef is None:
        coef = rng.standard_normal(degree + 1)
    x = rng.uniform(low, high, size=n)
    y = np.polynomial.polynomial.polyval(x, coef) + noise * rng.standard_normal(n)
    return RegressionSplit(x[:, None].astype(dtype), y.astype(dtype), coef=coef, bias=0.0)


def _check_coef(func: str, coef, degree: int) -> np.ndarray:
    c = np.asarray(coef)
    if c.dtype.kind not in "biuf":
        raise invalid(func, "coef", "an array of real numbers", f"dtype {c.dtype}",
                      exc=TypeError)  # fmt: skip
    if c.ndim != 1 or len(c) != degree + 1:
        fix = ""
        if c.ndim == 1 and c.size:
            fix = f"Pass degree={c.size - 1} too, or leave coef=None to draw the coefficients."
        raise invalid(func, "coef", f"a 1-D array of degree + 1 = {degree + 1} coefficients",
                      f"an array of shape {c.shape}", fix)  # fmt: skip
    if not np.isfinite(c).all():
        raise invalid(func, "coef", "finite (no NaN or inf)", c.tolist())
    return c.astype(np.float64)  # a copy: the caller's array is not kept


def linear_regression(n=100, d=5, noise=0.1, bias=0.0, *, seed=0,
                      dtype=np.float64) -> RegressionSplit:  # fmt: skip
    r"""Samples of a random linear model with Gaussian inputs and noise.

    .. math::

        y = X w + b + \text{noise} \cdot \varepsilon, \qquad
        X_{ij} \sim N(0, 1), \quad w_j \sim N(0, 1), \quad \varepsilon_i \sim N(0, 1).

    Parameters
    ----------
    n : int, default=100
        Number of samples, >= 1.
    d : int, default=5
        Number of features, >= 1.
    noise : float, default=0.1
        Standard deviation of the Gaussian noise added to ``y``, >= 0.
    bias : float, default=0.0
        The true intercept :math:`b`.
    seed : int or np.random.Generator, default=0
        Seeds the draws (``w`` first, then ``X`` row by row, then the noise), so the same seed
        gives the same ``w`` for every ``n``, and the first rows of ``X`` for every larger ``n``.
    dtype : {np.float64, np.float32}, default=np.float64
        The dtype of ``X`` and ``y``.

    Returns
    -------
    RegressionSplit
        ``X`` of shape (n, d), ``y`` of shape (n,), the true weights ``coef`` (float64, shape
        (d,)) and ``bias``.

    Raises
    ------
    ValueError
        If ``n < 1``, ``d < 1``, ``noise < 0``, or ``bias`` is not finite.
    TypeError
        If an argument is of the wrong type.

    Examples
    --------
    >>> import numpy as np
    >>> from optlearn.data import linear_regression
    >>> data = linear_regression(n=50, d=3, noise=0.0, bias=2.0)
    >>> X, y = data
    >>> bool(np.allclose(y, X @ data.coef + data.bias))
    True
    """
    func = "linear_regression"
    n = check_int(func, "n", n, low=1)
    d = check_int(func, "d", d, low=1)
    noise = _check_noise(func, noise)
    bias = check_real(func, "bias", bias)
    rng = check_seed(func, seed)
    dtype = check_float_dtype(func, dtype)

    w = rng.standard_normal(d)
    X = rng.standard_normal((n, d))
    y = X @ w + bias + noise * rng.standard_normal(n)
    return RegressionSplit(X.astype(dtype), y.astype(dtype), coef=w, bias=bias)


# The spirals' arc: 1.5 turns, from angle pi/2 to 7 pi/2, at radius angle / pi (0.5 to 3.5).
_THETA_MIN, _THETA_MAX = 0.5 * math.pi, 3.5 * math.pi


def two_spirals(n=200, noise=0.1, *, seed=0, dtype=np.float64) -> Split:
    r"""Two interleaved spirals in the plane, one per class: the classic hard 2-D problem.

    Class 0 lies on the Archimedean spiral :math:`r = \theta / \pi`, class 1 on the same
    spiral turned by half a turn (every point mirrored through the origin):

    .. math::

        x = \pm \frac{\theta}{\pi} (\cos\theta, \sin\theta) + \text{noise} \cdot \varepsilon,
        \qquad \theta \in [\tfrac{\pi}{2}, \tfrac{7\pi}{2}], \quad \varepsilon \sim N(0, I_2).

    Parameters
    ----------
    n : int, default=200
        Total number of points, >= 2: ``n - n // 2`` of class 0 and ``n // 2`` of class 1.
    noise : float, default=0.1
        Standard deviation of the Gaussian noise added to each coordinate, >= 0. Along any ray
        from the origin the two arms alternate 1 apart, so noise is in units of the gap
        between arms: about 0.3 and more makes them overlap.
    seed : int or np.random.Generator, default=0
        Seeds the draws (angles, noise, then the order of the rows).
    dtype : {np.float64, np.float32}, default=np.float64
        The dtype of ``X``.

    Returns
    -------
    Split
        ``X`` of shape (n, 2), within about 3.5 of the origin, and labels ``y`` (int64, 0 or
        1), rows in random order.

    Raises
    ------
    ValueError
        If ``n < 2`` or ``noise < 0``.
    TypeError
        If an argument is of the wrong type.

    Notes
    -----
    Each spiral makes 1.5 turns, from radius 0.5 to 3.5 (starting away from the origin,
    where the arms would meet, as Lang and Witbrock's original does). The angle is drawn as
    :math:`\theta = \sqrt{\theta_0^2 + u(\theta_1^2 - \theta_0^2)}` with :math:`u \sim U(0,
    1)`, so points are spread evenly along the arc (whose length grows as
    :math:`\theta^2`), not crowded near the center. No straight line separates the classes.

    References
    ----------
    .. [1] K. J. Lang and M. J. Witbrock, "Learning to tell two spirals apart", Proceedings
       of the 1988 Connectionist Models Summer School, pp. 52-59, 1988.

    Examples
    --------
    >>> import numpy as np
    >>> from optlearn.data import two_spirals
    >>> X, y = two_spirals(n=6, noise=0.0)
    >>> X.shape, np.bincount(y).tolist()
    ((6, 2), [3, 3])
    >>> r = np.hypot(X[:, 0], X[:, 1])
    >>> bool(((r >= 0.5) & (r <= 3.5)).all())
    True
    """
    func = "two_spirals"
    n = check_int(func, "n", n, low=2)
    noise = _check_noise(func, noise)
    rng = check_seed(func, seed)
    dtype = check_float_dtype(func, dtype)

    u = rng.uniform(size=n)
    eps = rng.standard_normal((n, 2))
    order = rng.permutation(n)
    theta = np.sqrt(_THETA_MIN**2 + u * (_THETA_MAX**2 - _THETA_MIN**2))
    y = (np.arange(n) >= n - n // 2).astype(np.int64)
    sign = 1.0 - 2.0 * y  # class 1 is class 0 mirrored through the origin
    r = sign * theta / math.pi
    X = np.column_stack((r * np.cos(theta), r * np.sin(theta))) + noise * eps
    return Split(X[order].astype(dtype), y[order])


def gaussian_blobs(n=300, centers=3, d=2, std=1.0, *, box=(-5, 5), seed=0,
                   dtype=np.float64) -> BlobsSplit:  # fmt: skip
    r"""Isotropic Gaussian clusters, one class per cluster.

    .. math::

        x_i = \mu_{y_i} + \text{std} \cdot \varepsilon_i, \qquad \varepsilon_i \sim N(0, I_d).

    Parameters
    ----------
    n : int, default=300
        Total number of points, >= the number of centers; dealt as evenly as possible (the
        first ``n % k`` blobs get one more).
    centers : int or array-like of shape (k, d), default=3
        The number of blobs ``k`` (>= 1), whose centers :math:`\mu` are drawn uniformly in
        the cube ``box ** d``; or the centers themselves.
    d : int, default=2
        Number of features, >= 1. Must equal ``centers.shape[1]`` when centers are given.
    std : float, default=1.0
        Standard deviation of each blob in every direction, >= 0.
    box : tuple of 2 floats, default=(-5, 5)
        The interval ``(low, high)`` each coordinate of a drawn center lies in; not used when
        the centers are given.
    seed : int or np.random.Generator, default=0
        Seeds the draws (centers, labels, then the noise).
    dtype : {np.float64, np.float32}, default=np.float64
        The dtype of ``X``.

    Returns
    -------
    BlobsSplit
        ``X`` of shape (n, d), labels ``y`` (int64, ``0 .. k - 1``, rows in random order), and
        the true ``centers`` (float64, shape (k, d)).

    Raises
    ------
    ValueError
        If ``n`` is smaller than the number of centers, ``centers < 1``, ``d < 1``,
        ``std < 0``, ``box`` is not increasing, or given centers are not a finite (k, d) array.
    TypeError
        If an argument is of the wrong type.

    Examples
    --------
    >>> import numpy as np
    >>> from optlearn.data import gaussian_blobs
    >>> data = gaussian_blobs(n=7, centers=[[0.0, 0.0], [10.0, 10.0]], std=0.0)
    >>> X, y = data
    >>> np.bincount(y).tolist()
    [4, 3]
    >>> bool((X == data.centers[y]).all())
    True
    """
    func = "gaussian_blobs"
    d = check_int(func, "d", d, low=1)
    if isinstance(centers, list | tuple) or (isinstance(centers, np.ndarray) and centers.ndim):
        given = _check_centers(func, centers, d)
        k = len(given)
    else:
        k = check_int(func, "centers", centers, low=1)
        given = None
    n = check_int(func, "n", n, low=1)
    if n < k:
        raise invalid(func, "n", f"an int >= the number of centers ({k})", n,
                      "Every blob needs at least one point.")  # fmt: skip
    std = check_real(func, "std", std, low=0)
    low, high = check_interval(func, "box", box)
    rng = check_seed(func, seed)
    dtype = check_float_dtype(func, dtype)

    mu = rng.uniform(low, high, size=(k, d)) if given is None else given
    sizes = np.full(k, n // k)
    sizes[: n % k] += 1
    y = rng.permutation(np.repeat(np.arange(k, dtype=np.int64), sizes))
    X = mu[y] + std * rng.standard_normal((n, d))
    return BlobsSplit(X.astype(dtype), y, centers=mu)


def _check_centers(func: str, centers, d: int) -> np.ndarray:
    expected = f"an int >= 1 or an array of shape (k, d={d})"
    try:
        c = np.asarray(centers)
    except ValueError:  # a ragged list
        raise invalid(func, "centers", expected, "rows of different lengths") from None
    if c.dtype.kind not in "biuf":
        raise invalid(func, "centers", "an int or an array of real numbers", f"dtype {c.dtype}",
                      exc=TypeError)  # fmt: skip
    if c.ndim != 2 or len(c) == 0 or c.shape[1] != d:
        fix = (f"Pass d={c.shape[1]} for centers with {c.shape[1]} coordinates."
               if c.ndim == 2 and len(c) and c.shape[1] != d else "")  # fmt: skip
        raise invalid(func, "centers", expected, f"an array of shape {c.shape}", fix)
    if not np.isfinite(c).all():
        raise invalid(func, "centers", "finite (no NaN or inf)", c.tolist())
    return c.astype(np.float64)  # a copy: the caller's array is not kept
