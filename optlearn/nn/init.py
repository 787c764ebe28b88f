r"""Weight initialisers with ``torch.nn.init``'s names, arguments, defaults and formulas.

Every function fills a NumPy array **in place** and returns that same array, as torch's
functions fill and return a tensor. The array must be float32 or float64 and writeable; it may
be a non-contiguous view (``W.T``, ``W[:, :k]``), which is filled through the view, so the base
array changes.

**Which dimension is the fan-in.** The fan-based initialisers (``xavier_*``, ``kaiming_*``)
follow torch's convention for a weight of shape ``(out_features, in_features, *kernel)``:

.. math::

    \text{fan\_in} = \text{shape}[1] \prod_{k \ge 2} \text{shape}[k], \qquad
    \text{fan\_out} = \text{shape}[0] \prod_{k \ge 2} \text{shape}[k],

exactly as ``torch.nn.init._calculate_fan_in_and_fan_out``. A layer that computes ``X @ W``
stores ``W`` as ``(in_features, out_features)``, the transpose of torch's layout: initialise it
through its transpose, ``kaiming_uniform_(W.T)``, which fills ``W`` in place with the fans the
right way round (torch's documentation gives the same advice for ``x @ w``).

**Randomness.** ``generator`` is ``None`` (a fresh ``np.random.default_rng()``, so the
result is not reproducible), an int seed, or an ``np.random.Generator``, which is advanced.
NumPy's global ``np.random`` state is never used. Values are drawn in float64 and then rounded
to the array's dtype, so a float32 and a float64 array filled from the same seed hold the same
numbers up to float32 rounding; the streams are NumPy's, so the numbers differ from torch's
for the same seed (the distributions are the same).

**Arguments are checked before anything is written**: a refused call leaves the array as it
was. Zero-size arrays are accepted and left alone (torch warns for ``kaiming_*`` and divides by
zero in ``xavier_*``).
"""

from __future__ import annotations

import math
import warnings
from numbers import Integral, Real

import numpy as np

from .._validation import check_real, invalid

__all__ = [
    "calculate_gain",
    "constant_",
    "kaiming_normal_",
    "kaiming_uniform_",
    "normal_",
    "ones_",
    "orthogonal_",
    "trunc_normal_",
    "uniform_",
    "xavier_normal_",
    "xavier_uniform_",
    "zeros_",
]

_LINEAR = (
    "linear",
    "conv1d",
    "conv2d",
    "conv3d",
    "conv_transpose1d",
    "conv_transpose2d",
    "conv_transpose3d",
)
_NONLINEARITIES = (*_LINEAR, "sigmoid", "tanh", "relu", "leaky_relu", "selu")
_MODES = ("fan_in", "fan_out")


# -- input checking ------------------------------------------------------------------------------
def _check_tensor(func: str, tensor, *, min_ndim: int = 0, why: str = "") -> np.ndarray:
    if not isinstance(tensor, np.ndarray):
        raise invalid(func, "tensor", "a NumPy array (it is filled in place)",
                      type(tensor).__name__, "Create it with np.empty(shape).",
                      exc=TypeError)  # fmt: skip
    char = tensor.dtype.char
    if char != "f" and char != "d":
        raise invalid(func, "tensor", "an array of dtype float32 or float64",
                      f"dtype {tensor.dtype}",
                      "Create it as a float array, e.g. np.empty(shape, dtype=np.float32): "
                      "a converted copy would be filled, not the original.",
                      exc=TypeError)  # fmt: skip
    if not tensor.flags.writeable:
        raise invalid(func, "tensor", "writeable (it is filled in place)", "a read-only array",
                      "Pass a copy: tensor.copy().")  # fmt: skip
    if tensor.ndim < min_ndim:
        raise invalid(func, "tensor", f"an array with at least {min_ndim} dimensions",
                      f"an array of shape {tensor.shape}", why)  # fmt: skip
    return tensor


# torch's wording, kept so that the message reads as in PyTorch.
_FAN_WHY = ("Fan in and fan out can not be computed for tensor with fewer than 2 dimensions. "
            "For a bias vector use zeros_, constant_, uniform_ or normal_.")  # fmt: skip


def _rng(func: str, generator) -> np.random.Generator:
    if generator is None:
        return np.random.default_rng()
    if isinstance(generator, np.random.Generator):
        return generator
    if isinstance(generator, Integral) and not isinstance(generator, bool):
        if generator < 0:
            raise invalid(func, "generator", "None, an int seed >= 0 or an np.random.Generator",
                          generator)  # fmt: skip
        return np.random.default_rng(int(generator))
    raise invalid(func, "generator", "None, an int seed >= 0 or an np.random.Generator",
                  type(generator).__name__,
                  "Pass np.random.default_rng(seed); the legacy global np.random state and "
                  "RandomState are not used.", exc=TypeError)  # fmt: skip


def _fans(shape) -> tuple[int, int]:
    """``(fan_in, fan_out)`` of a weight of ``shape``, as torch's ``_calculate_fan_in_and_fan_out``.

    ``shape`` is ``(out_features, in_features, *kernel)``: the fans are ``shape[1]`` and
    ``shape[0]``, each times the product of the trailing (receptive-field) dimensions.
    """
    shape = tuple(int(s) for s in shape)
    if len(shape) < 2:
        raise ValueError(
            "Fan in and fan out can not be computed for tensor with fewer than 2 dimensions"
        )
    receptive_field = math.prod(shape[2:])
    return shape[1] * receptive_field, shape[0] * receptive_field


def _mode(func: str, mode) -> str:
    # torch lowercases the mode, so 'FAN_IN' is accepted there and here.
    if isinstance(mode, str) and mode.lower() in _MODES:
        return mode.lower()
    raise invalid(func, "mode", "one of 'fan_in', 'fan_out'", mode,
                  "'fan_in' keeps the variance of the forward pass, 'fan_out' that of the "
                  "backward pass.")  # fmt: skip


def _gain(func: str, nonlinearity, param, param_name: str) -> float:
    if not isinstance(nonlinearity, str) or nonlinearity not in _NONLINEARITIES:
        names = ", ".join(repr(n) for n in _NONLINEARITIES)
        raise invalid(func, "nonlinearity", f"one of {names}", nonlinearity,
                      "These are torch.nn.functional names, in lower case.")  # fmt: skip
    if nonlinearity in _LINEAR or nonlinearity == "sigmoid":
        return 1.0
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        if param is None:
            negative_slope = 0.01
        else:
            # torch raises ValueError for a non-number slope: so do we, with the same class.
            if isinstance(param, bool) or not isinstance(param, Real):
                raise invalid(func, param_name, "a real number (the negative slope of "
                              "leaky_relu)", param)  # fmt: skip
            negative_slope = check_real(func, param_name, param)
        return math.sqrt(2.0 / (1 + negative_slope**2))
    # selu: torch's empirical value (pytorch/pytorch#50664).
    return 3.0 / 4


def _fill(tensor: np.ndarray, values) -> np.ndarray:
    # Assigning through [...] writes into the caller's memory, views included, and rounds the
    # float64 draw to the array's dtype.
    tensor[...] = values
    return tensor


# -- the public functions -----------------------------------------------------------------------
def calculate_gain(nonlinearity, param=None) -> float:
    r"""Return the recommended gain for a nonlinearity, as ``torch.nn.init.calculate_gain``.

    The gain scales the standard deviation of the initial weights so that the activations'
    variance neither grows nor shrinks from layer to layer:

    ========================================  ==========================================
    nonlinearity                              gain
    ========================================  ==========================================
    ``'linear'``, ``'conv*'``, ``'sigmoid'``  :math:`1`
    ``'tanh'``                                :math:`5/3`
    ``'relu'``                                :math:`\sqrt{2}`
    ``'leaky_relu'``                          :math:`\sqrt{2 / (1 + \text{negative\_slope}^2)}`
    ``'selu'``                                :math:`3/4`
    ========================================  ==========================================

    Parameters
    ----------
    nonlinearity : {'linear', 'conv1d', 'conv2d', 'conv3d', 'conv_transpose1d', \
'conv_transpose2d', 'conv_transpose3d', 'sigmoid', 'tanh', 'relu', 'leaky_relu', 'selu'}
        The nonlinearity's ``torch.nn.functional`` name.
    param : float, optional
        The negative slope of ``'leaky_relu'`` (default 0.01); ignored for the others.

    Returns
    -------
    float
        The gain.

    Raises
    ------
    ValueError
        If ``nonlinearity`` is not one of the names above (the message lists them), or if
        ``param`` is not a finite real number for ``'leaky_relu'``.

    Notes
    -----
    ``'selu'`` gets torch's empirical 3/4; for self-normalising networks use ``'linear'``
    (variance :math:`1/\text{fan\_in}`), as torch's documentation advises.

    Examples
    --------
    >>> calculate_gain("relu")
    1.4142135623730951
    >>> calculate_gain("leaky_relu", 0.2)
    1.3867504905630728
    >>> calculate_gain("tanh")
    1.6666666666666667
    """
    return _gain("calculate_gain", nonlinearity, param, "param")


def constant_(tensor: np.ndarray, val) -> np.ndarray:
    """Fill ``tensor`` in place with ``val``, as ``torch.nn.init.constant_``.

    Parameters
    ----------
    tensor : ndarray of dtype float32 or float64
        The array to fill (any shape, views included); it must be writeable.
    val : float
        The value, finite.

    Returns
    -------
    ndarray
        ``tensor`` itself.

    Raises
    ------
    TypeError
        If ``tensor`` is not a float32/float64 array or ``val`` is not a real number.
    ValueError
        If ``tensor`` is read-only or ``val`` is NaN or infinite.

    Examples
    --------
    >>> import numpy as np
    >>> b = np.empty(3, dtype=np.float32)
    >>> constant_(b, 0.1)
    array([0.1, 0.1, 0.1], dtype=float32)
    """
    func = "constant_"
    _check_tensor(func, tensor)
    val = check_real(func, "val", val)
    return _fill(tensor, val)


def zeros_(tensor: np.ndarray) -> np.ndarray:
    """Fill ``tensor`` in place with zeros, as ``torch.nn.init.zeros_``.

    Parameters
    ----------
    tensor : ndarray of dtype float32 or float64
        The array to fill (any shape, views included); it must be writeable.

    Returns
    -------
    ndarray
        ``tensor`` itself.

    Raises
    ------
    TypeError
        If ``tensor`` is not a float32/float64 array.
    ValueError
        If ``tensor`` is read-only.

    Examples
    --------
    >>> import numpy as np
    >>> zeros_(np.ones((2, 2)))
    array([[0., 0.],
           [0., 0.]])
    """
    return _fill(_check_tensor("zeros_", tensor), 0.0)


def ones_(tensor: np.ndarray) -> np.ndarray:
    """Fill ``tensor`` in place with ones, as ``torch.nn.init.ones_``.

    Parameters
    ----------
    tensor : ndarray of dtype float32 or float64
        The array to fill (any shape, views included); it must be writeable.

    Returns
    -------
    ndarray
        ``tensor`` itself.

    Raises
    ------
    TypeError
        If ``tensor`` is not a float32/float64 array.
    ValueError
        If ``tensor`` is read-only.

    Examples
    --------
    >>> import numpy as np
    >>> ones_(np.zeros(3))
    array([1., 1., 1.])
    """
    return _fill(_check_tensor("ones_", tensor), 1.0)


def uniform_(tensor: np.ndarray, a=0.0, b=1.0, *, generator=None) -> np.ndarray:
    r"""Fill ``tensor`` in place from :math:`\mathcal{U}(a, b)`, as ``torch.nn.init.uniform_``.

    Parameters
    ----------
    tensor : ndarray of dtype float32 or float64
        The array to fill (any shape, views included); it must be writeable.
    a : float, default=0.0
        The lower bound.
    b : float, default=1.0
        The upper bound, ``>= a`` (``b == a`` fills with ``a``, as in torch).
    generator : None, int or numpy.random.Generator, default=None
        Where the numbers come from: ``None`` for a fresh ``np.random.default_rng()``, an int
        seed, or a ``Generator``, which is advanced.

    Returns
    -------
    ndarray
        ``tensor`` itself.

    Raises
    ------
    TypeError
        If ``tensor`` is not a float32/float64 array, ``a`` or ``b`` is not a real number, or
        ``generator`` is of another type.
    ValueError
        If ``tensor`` is read-only, ``a`` or ``b`` is not finite, ``b < a``, or the seed is
        negative.

    Examples
    --------
    >>> import numpy as np
    >>> w = uniform_(np.empty((100, 50)), -0.1, 0.1, generator=0)
    >>> bool(-0.1 <= w.min() and w.max() < 0.1)
    True
    """
    func = "uniform_"
    _check_tensor(func, tensor)
    a = check_real(func, "a", a)
    b = check_real(func, "b", b)
    if b < a:
        raise invalid(func, "b", f"a float >= a = {a}", b, "uniform_ draws from [a, b).")
    rng = _rng(func, generator)
    return _fill(tensor, rng.uniform(a, b, size=tensor.shape))


def normal_(tensor: np.ndarray, mean=0.0, std=1.0, *, generator=None) -> np.ndarray:
    r"""Fill ``tensor`` in place from :math:`\mathcal{N}(\text{mean}, \text{std}^2)`.

    As ``torch.nn.init.normal_``.

    Parameters
    ----------
    tensor : ndarray of dtype float32 or float64
        The array to fill (any shape, views included); it must be writeable.
    mean : float, default=0.0
        The mean.
    std : float, default=1.0
        The standard deviation, ``>= 0`` (0 fills with ``mean``).
    generator : None, int or numpy.random.Generator, default=None
        ``None`` for a fresh ``np.random.default_rng()``, an int seed, or a ``Generator``.

    Returns
    -------
    ndarray
        ``tensor`` itself.

    Raises
    ------
    TypeError
        If ``tensor`` is not a float32/float64 array, ``mean`` or ``std`` is not a real
        number, or ``generator`` is of another type.
    ValueError
        If ``tensor`` is read-only, ``mean`` is not finite, ``std`` is negative or not finite,
        or the seed is negative.

    Examples
    --------
    >>> import numpy as np
    >>> w = normal_(np.empty((1000, 1000)), mean=1.0, std=0.02, generator=0)
    >>> round(float(w.mean()), 3), round(float(w.std()), 3)
    (1.0, 0.02)
    """
    func = "normal_"
    _check_tensor(func, tensor)
    mean = check_real(func, "mean", mean)
    std = check_real(func, "std", std, low=0)
    rng = _rng(func, generator)
    return _fill(tensor, rng.normal(mean, std, size=tensor.shape))


def trunc_normal_(tensor: np.ndarray, mean=0.0, std=1.0, a=-2.0, b=2.0, *,
                  generator=None) -> np.ndarray:  # fmt: skip
    r"""Fill ``tensor`` in place from a normal distribution truncated to ``[a, b]``.

    As ``torch.nn.init.trunc_normal_``: values are drawn from
    :math:`\mathcal{N}(\text{mean}, \text{std}^2)` conditioned on lying in :math:`[a, b]`.
    Note that ``a`` and ``b`` are absolute bounds, not numbers of standard deviations: the
    default ``[-2, 2]`` truncates at two standard deviations only when ``std=1``.

    Parameters
    ----------
    tensor : ndarray of dtype float32 or float64
        The array to fill (any shape, views included); it must be writeable.
    mean : float, default=0.0
        The mean of the untruncated normal.
    std : float, default=1.0
        Its standard deviation, ``> 0``.
    a : float, default=-2.0
        The lower cut-off.
    b : float, default=2.0
        The upper cut-off, ``> a``.
    generator : None, int or numpy.random.Generator, default=None
        ``None`` for a fresh ``np.random.default_rng()``, an int seed, or a ``Generator``.

    Returns
    -------
    ndarray
        ``tensor`` itself; every entry lies in ``[a, b]`` (in the array's dtype).

    Raises
    ------
    TypeError
        If ``tensor`` is not a float32/float64 array, a number is not real, or ``generator``
        is of another type.
    ValueError
        If ``tensor`` is read-only, a number is not finite, ``std <= 0``, ``b <= a``, or the
        seed is negative.

    Warns
    -----
    UserWarning
        torch's warning, when ``mean`` is more than ``2 * std`` outside ``[a, b]``.

    Notes
    -----
    torch's sampler, in NumPy: when the interval holds more than 30% of the normal's mass,
    normal draws outside it are redrawn; otherwise uniform draws on ``[a, b]`` are accepted
    with probability :math:`\exp(-\tfrac12 z^2) / \exp(-\tfrac12 z_{\text{mode}}^2)`. Both
    sample the truncated normal exactly.

    Examples
    --------
    >>> import numpy as np
    >>> w = trunc_normal_(np.empty(10_000), std=0.02, a=-0.04, b=0.04, generator=0)
    >>> bool(np.abs(w).max() <= 0.04)
    True
    """
    func = "trunc_normal_"
    _check_tensor(func, tensor)
    mean = check_real(func, "mean", mean)
    std = check_real(func, "std", std, low=0, low_open=True)
    a = check_real(func, "a", a)
    b = check_real(func, "b", b)
    if not b > a:
        raise invalid(func, "b", f"a float > a = {a}", b)
    rng = _rng(func, generator)
    if mean < a - 2 * std or mean > b + 2 * std:
        warnings.warn("mean is more than 2 std from [a, b] in nn.init.trunc_normal_. "
                      "The distribution of values may be incorrect.", stacklevel=2)  # fmt: skip
    if tensor.size == 0:
        return tensor

    def norm_cdf(x: float) -> float:
        return (1.0 + math.erf(x / math.sqrt(2.0))) / 2.0

    n = tensor.size
    p = norm_cdf((b - mean) / std) - norm_cdf((a - mean) / std)
    if p > 0.3:
        x = rng.normal(mean, std, size=n)
        bad = np.flatnonzero((x < a) | (x > b))
        while bad.size:
            x[bad] = rng.normal(mean, std, size=bad.size)
            bad = bad[(x[bad] < a) | (x[bad] > b)]
    else:
        # Uniform proposals on [a, b], accepted with the normal density relative to its
        # largest value on the interval (at the point of [a, b] nearest the mean).
        mode = max(a, min(mean, b))
        log_peak = -0.5 * ((mode - mean) / std) ** 2
        x = np.empty(n)
        pending = np.arange(n)
        while pending.size:
            c = rng.uniform(a, b, size=pending.size)
            log_ratio = -0.5 * ((c - mean) / std) ** 2 - log_peak
            accept = np.log(rng.uniform(size=pending.size)) <= log_ratio
            x[pending[accept]] = c[accept]
            pending = pending[~accept]
    return _fill(tensor, x.reshape(tensor.shape))


def xavier_uniform_(tensor: np.ndarray, gain=1.0, *, generator=None) -> np.ndarray:
    r"""Fill ``tensor`` in place with Glorot/Xavier uniform values.

    As ``torch.nn.init.xavier_uniform_``: values from :math:`\mathcal{U}(-a, a)` with

    .. math::

        a = \text{gain} \sqrt{\frac{6}{\text{fan\_in} + \text{fan\_out}}},

    a variance of :math:`\text{gain}^2 \cdot 2 / (\text{fan\_in} + \text{fan\_out})`, the
    compromise between keeping the forward and the backward variance.

    Parameters
    ----------
    tensor : ndarray of dtype float32 or float64
        A writeable array of at least 2 dimensions, in torch's layout
        ``(out_features, in_features, *kernel)``; for a weight used as ``X @ W``, pass ``W.T``.
    gain : float, default=1.0
        A scaling factor, ``>= 0`` (see :func:`calculate_gain`).
    generator : None, int or numpy.random.Generator, default=None
        ``None`` for a fresh ``np.random.default_rng()``, an int seed, or a ``Generator``.

    Returns
    -------
    ndarray
        ``tensor`` itself.

    Raises
    ------
    TypeError
        If ``tensor`` is not a float32/float64 array, ``gain`` is not a real number, or
        ``generator`` is of another type.
    ValueError
        If ``tensor`` is read-only or has fewer than 2 dimensions, ``gain`` is negative or
        not finite, or the seed is negative.

    References
    ----------
    X. Glorot and Y. Bengio, "Understanding the difficulty of training deep feedforward
    neural networks", AISTATS 2010, eq. (16).

    Examples
    --------
    >>> import numpy as np
    >>> W = np.empty((784, 256))          # used as X @ W: (in_features, out_features)
    >>> _ = xavier_uniform_(W.T, generator=0)   # fills W through its transpose
    >>> bound = np.sqrt(6 / (784 + 256))
    >>> bool(np.abs(W).max() <= bound)
    True
    """
    func = "xavier_uniform_"
    _check_tensor(func, tensor, min_ndim=2, why=_FAN_WHY)
    gain = check_real(func, "gain", gain, low=0)
    rng = _rng(func, generator)
    if tensor.size == 0:
        return tensor
    fan_in, fan_out = _fans(tensor.shape)
    std = gain * math.sqrt(2.0 / float(fan_in + fan_out))
    bound = math.sqrt(3.0) * std  # the uniform on [-bound, bound] has this std
    return _fill(tensor, rng.uniform(-bound, bound, size=tensor.shape))


def xavier_normal_(tensor: np.ndarray, gain=1.0, *, generator=None) -> np.ndarray:
    r"""Fill ``tensor`` in place with Glorot/Xavier normal values.

    As ``torch.nn.init.xavier_normal_``: values from :math:`\mathcal{N}(0, \text{std}^2)` with

    .. math::

        \text{std} = \text{gain} \sqrt{\frac{2}{\text{fan\_in} + \text{fan\_out}}}.

    Parameters
    ----------
    tensor : ndarray of dtype float32 or float64
        A writeable array of at least 2 dimensions, in torch's layout
        ``(out_features, in_features, *kernel)``; for a weight used as ``X @ W``, pass ``W.T``.
    gain : float, default=1.0
        A scaling factor, ``>= 0`` (see :func:`calculate_gain`).
    generator : None, int or numpy.random.Generator, default=None
        ``None`` for a fresh ``np.random.default_rng()``, an int seed, or a ``Generator``.

    Returns
    -------
    ndarray
        ``tensor`` itself.

    Raises
    ------
    TypeError
        If ``tensor`` is not a float32/float64 array, ``gain`` is not a real number, or
        ``generator`` is of another type.
    ValueError
        If ``tensor`` is read-only or has fewer than 2 dimensions, ``gain`` is negative or
        not finite, or the seed is negative.

    References
    ----------
    X. Glorot and Y. Bengio, "Understanding the difficulty of training deep feedforward
    neural networks", AISTATS 2010.

    Examples
    --------
    >>> import numpy as np
    >>> W = xavier_normal_(np.empty((500, 1500)), generator=0)
    >>> round(float(W.std() / np.sqrt(2 / (500 + 1500))), 2)
    1.0
    """
    func = "xavier_normal_"
    _check_tensor(func, tensor, min_ndim=2, why=_FAN_WHY)
    gain = check_real(func, "gain", gain, low=0)
    rng = _rng(func, generator)
    if tensor.size == 0:
        return tensor
    fan_in, fan_out = _fans(tensor.shape)
    std = gain * math.sqrt(2.0 / float(fan_in + fan_out))
    return _fill(tensor, rng.normal(0.0, std, size=tensor.shape))


def _kaiming_std(func, tensor, a, mode, nonlinearity) -> float:
    _check_tensor(func, tensor, min_ndim=2, why=_FAN_WHY)
    if isinstance(a, bool) or not isinstance(a, Real):
        # kaiming_uniform_(w, "relu") passes the nonlinearity as the slope `a`.
        fix = "Pass the nonlinearity by keyword: nonlinearity='relu'." if isinstance(a, str) else ""
        raise invalid(func, "a", "a real number (the negative slope of leaky_relu)", a, fix,
                      exc=TypeError)  # fmt: skip
    a = check_real(func, "a", a)
    mode = _mode(func, mode)
    gain = _gain(func, nonlinearity, a, "a")
    if tensor.size == 0:
        return math.nan  # unused: nothing to fill
    fan_in, fan_out = _fans(tensor.shape)
    return gain / math.sqrt(fan_in if mode == "fan_in" else fan_out)


def kaiming_uniform_(tensor: np.ndarray, a=0, mode="fan_in", nonlinearity="leaky_relu", *,
                     generator=None) -> np.ndarray:  # fmt: skip
    r"""Fill ``tensor`` in place with He/Kaiming uniform values.

    As ``torch.nn.init.kaiming_uniform_``: values from
    :math:`\mathcal{U}(-\text{bound}, \text{bound})` with

    .. math::

        \text{bound} = \text{gain} \sqrt{\frac{3}{\text{fan\_mode}}},

    a variance of :math:`\text{gain}^2 / \text{fan\_mode}`, where ``gain`` is
    ``calculate_gain(nonlinearity, a)``.

    Parameters
    ----------
    tensor : ndarray of dtype float32 or float64
        A writeable array of at least 2 dimensions, in torch's layout
        ``(out_features, in_features, *kernel)``; for a weight used as ``X @ W``, pass ``W.T``.
    a : float, default=0
        The negative slope of the rectifier after this layer (used with ``'leaky_relu'``
        only).
    mode : {'fan_in', 'fan_out'}, default='fan_in'
        ``'fan_in'`` keeps the variance of the activations in the forward pass,
        ``'fan_out'`` that of the gradients in the backward pass.
    nonlinearity : str, default='leaky_relu'
        A name accepted by :func:`calculate_gain`. torch's default, ``'leaky_relu'`` with
        ``a=0``, is the ReLU gain :math:`\sqrt{2}`.
    generator : None, int or numpy.random.Generator, default=None
        ``None`` for a fresh ``np.random.default_rng()``, an int seed, or a ``Generator``.

    Returns
    -------
    ndarray
        ``tensor`` itself.

    Raises
    ------
    TypeError
        If ``tensor`` is not a float32/float64 array, ``a`` is not a real number, or
        ``generator`` is of another type.
    ValueError
        If ``tensor`` is read-only or has fewer than 2 dimensions, ``a`` is not finite,
        ``mode`` or ``nonlinearity`` is unknown, or the seed is negative.

    References
    ----------
    K. He, X. Zhang, S. Ren and J. Sun, "Delving deep into rectifiers: surpassing human-level
    performance on ImageNet classification", ICCV 2015, eqs. (10) and (14).

    Examples
    --------
    >>> import numpy as np
    >>> W = np.empty((784, 256))          # used as X @ W
    >>> _ = kaiming_uniform_(W.T, nonlinearity="relu", generator=0)
    >>> bool(np.abs(W).max() <= np.sqrt(2) * np.sqrt(3 / 784))   # fan_in = 784
    True
    """
    func = "kaiming_uniform_"
    std = _kaiming_std(func, tensor, a, mode, nonlinearity)
    rng = _rng(func, generator)
    if tensor.size == 0:
        return tensor
    bound = math.sqrt(3.0) * std  # the uniform on [-bound, bound] has this std
    return _fill(tensor, rng.uniform(-bound, bound, size=tensor.shape))


def kaiming_normal_(tensor: np.ndarray, a=0, mode="fan_in", nonlinearity="leaky_relu", *,
                    generator=None) -> np.ndarray:  # fmt: skip
    r"""Fill ``tensor`` in place with He/Kaiming normal values.

    As ``torch.nn.init.kaiming_normal_``: values from :math:`\mathcal{N}(0, \text{std}^2)`
    with

    .. math::

        \text{std} = \frac{\text{gain}}{\sqrt{\text{fan\_mode}}},

    where ``gain`` is ``calculate_gain(nonlinearity, a)``.

    Parameters
    ----------
    tensor : ndarray of dtype float32 or float64
        A writeable array of at least 2 dimensions, in torch's layout
        ``(out_features, in_features, *kernel)``; for a weight used as ``X @ W``, pass ``W.T``.
    a : float, default=0
        The negative slope of the rectifier after this layer (used with ``'leaky_relu'``
        only).
    mode : {'fan_in', 'fan_out'}, default='fan_in'
        ``'fan_in'`` keeps the variance of the activations in the forward pass,
        ``'fan_out'`` that of the gradients in the backward pass.
    nonlinearity : str, default='leaky_relu'
        A name accepted by :func:`calculate_gain`. torch's default, ``'leaky_relu'`` with
        ``a=0``, is the ReLU gain :math:`\sqrt{2}`.
    generator : None, int or numpy.random.Generator, default=None
        ``None`` for a fresh ``np.random.default_rng()``, an int seed, or a ``Generator``.

    Returns
    -------
    ndarray
        ``tensor`` itself.

    Raises
    ------
    TypeError
        If ``tensor`` is not a float32/float64 array, ``a`` is not a real number, or
        ``generator`` is of another type.
    ValueError
        If ``tensor`` is read-only or has fewer than 2 dimensions, ``a`` is not finite,
        ``mode`` or ``nonlinearity`` is unknown, or the seed is negative.

    References
    ----------
    K. He, X. Zhang, S. Ren and J. Sun, "Delving deep into rectifiers: surpassing human-level
    performance on ImageNet classification", ICCV 2015.

    Examples
    --------
    >>> import numpy as np
    >>> W = kaiming_normal_(np.empty((1000, 500)), mode="fan_out", generator=0)
    >>> round(float(W.std() / np.sqrt(2 / 1000)), 2)     # fan_out = shape[0]
    1.0
    """
    func = "kaiming_normal_"
    std = _kaiming_std(func, tensor, a, mode, nonlinearity)
    rng = _rng(func, generator)
    if tensor.size == 0:
        return tensor
    return _fill(tensor, rng.normal(0.0, std, size=tensor.shape))


def orthogonal_(tensor: np.ndarray, gain=1.0, *, generator=None) -> np.ndarray:
    r"""Fill ``tensor`` in place with a (semi-)orthogonal matrix times ``gain``.

    As ``torch.nn.init.orthogonal_``. The array is seen as a matrix with ``rows = shape[0]``
    and ``cols = size // rows`` (trailing dimensions flattened). A Gaussian matrix of that
    shape (transposed if it is wide) is factored as :math:`QR`, and the columns of :math:`Q`
    are multiplied by :math:`d = \operatorname{sign}(\operatorname{diag} R)`, which makes the
    result uniformly (Haar) distributed. Then :math:`W W^\top = \text{gain}^2 I` if
    ``rows <= cols``, and :math:`W^\top W = \text{gain}^2 I` otherwise.

    Parameters
    ----------
    tensor : ndarray of dtype float32 or float64
        A writeable array of at least 2 dimensions.
    gain : float, default=1.0
        A scaling factor, ``>= 0``.
    generator : None, int or numpy.random.Generator, default=None
        ``None`` for a fresh ``np.random.default_rng()``, an int seed, or a ``Generator``.

    Returns
    -------
    ndarray
        ``tensor`` itself.

    Raises
    ------
    TypeError
        If ``tensor`` is not a float32/float64 array, ``gain`` is not a real number, or
        ``generator`` is of another type.
    ValueError
        If ``tensor`` is read-only or has fewer than 2 dimensions, ``gain`` is negative or
        not finite, or the seed is negative.

    Notes
    -----
    The QR factorisation is computed in float64 and ``gain`` applied before rounding to the
    array's dtype (torch factors in the tensor's dtype and multiplies afterwards).

    References
    ----------
    A. M. Saxe, J. L. McClelland and S. Ganguli, "Exact solutions to the nonlinear dynamics
    of learning in deep linear neural networks", ICLR 2014.
    F. Mezzadri, "How to generate random matrices from the classical compact groups",
    Notices of the AMS 54 (2007), for the sign correction.

    Examples
    --------
    >>> import numpy as np
    >>> W = orthogonal_(np.empty((3, 5)), gain=2.0, generator=0)
    >>> np.allclose(W @ W.T, 4 * np.eye(3))
    True
    """
    func = "orthogonal_"
    # torch's wording, "Only tensors with 2 or more dimensions are supported".
    _check_tensor(func, tensor, min_ndim=2,
                  why="Only tensors with 2 or more dimensions are supported.")  # fmt: skip
    gain = check_real(func, "gain", gain, low=0)
    rng = _rng(func, generator)
    if tensor.size == 0:
        return tensor
    rows = tensor.shape[0]
    cols = tensor.size // rows
    flat = rng.standard_normal((rows, cols))
    if rows < cols:
        flat = flat.T  # factor the tall matrix, so that Q has orthonormal columns
    q, r = np.linalg.qr(flat)
    # sign(diag R), with a zero diagonal entry (probability 0) counted as +1 so that no column
    # of Q is wiped out.
    q *= np.where(np.diagonal(r) < 0, -1.0, 1.0)
    if rows < cols:
        q = q.T
    return _fill(tensor, (gain * q).reshape(tensor.shape))
