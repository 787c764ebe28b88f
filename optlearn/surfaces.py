r"""Two-dimensional test surfaces with exact gradients and Hessians, for watching optimizers move.

Each surface is a small object with its value, gradient and Hessian (vectorised over any array of
points of shape ``(..., 2)``), a plotting window, and its known minima and saddle points:

================== ==================================================================
``Quadratic``      an ill-conditioned bowl, :math:`\tfrac12 z^\top A z`: the model of every
                   convergence-rate argument (condition number and rotation chosen)
``Rosenbrock``     the curved, flat-bottomed valley
``Beale``          sharp ridges, flat plateaus, minimum at (3, 0.5)
``Himmelblau``     four global minima, one maximum, four saddles: basins of attraction
``Rastrigin``      a bowl covered with a grid of local minima
``Booth``          a plain, mildly conditioned quadratic
``Saddle``         :math:`x^2 - y^2`: the escape from a saddle point
``MonkeySaddle``   :math:`x^3 - 3xy^2`: a degenerate saddle (zero Hessian)
``SixHumpCamel``   two global and four local minima, seven saddles
``StyblinskiTang`` a separable surface with one global and three local minima
``Custom``         a surface of your own, from NumPy functions
================== ==================================================================

``get("rosenbrock", b=10)`` makes one by (case-insensitive) name; ``SURFACES`` lists the names.

For kernels, every built-in surface also has three scalar Numba functions of ``(x, y, params)``
with ``params`` its :attr:`Surface.params` (a float64 1-D array): ``value_kernel`` returns a
float, ``grad_kernel`` the pair ``(gx, gy)`` and ``hessian_kernel`` the triple
``(hxx, hxy, hyy)``. They can be called from inside another jitted function (passed in through a
closure). A kernel that should be cached on disk must not close over a function, though (Numba
does not cache closures), so for those the same functions are reachable by an integer:
``grad_by_kind(surface.kind, x, y, params)`` (and ``value_by_kind``, ``hessian_by_kind``), a
chain of branches on ``kind`` that folds away where ``kind`` is a compile-time constant. The
vectorised methods run one cached loop per method over all points, built on the same chains, so
a method and its kernel agree bit for bit.

Nothing is compiled at import; the first call of a method compiles (or loads from the on-disk
cache) the loops for all surfaces at once. The known critical points are hard-coded to full
float64 precision (found by Newton's method in 40-digit arithmetic with ``mpmath``; the tests
check that the gradient vanishes there), except those of ``Rastrigin``, which depend on ``A`` and
are found by bisection when the surface is made.

References
----------
Rosenbrock, H. H. (1960). An automatic method for finding the greatest or least value of a
function. The Computer Journal 3(3).

Jamil, M. and Yang, X.-S. (2013). A literature survey of benchmark functions for global
optimisation problems. International Journal of Mathematical Modelling and Numerical
Optimisation 4(2). (Beale, Booth, Himmelblau, Rastrigin, six-hump camel, Styblinski-Tang.)

Dauphin, Y. N., Pascanu, R., Gulcehre, C., Cho, K., Ganguli, S. and Bengio, Y. (2014).
Identifying and attacking the saddle point problem in high-dimensional non-convex optimization.
NeurIPS.

Goh, G. (2017). Why momentum really works. Distill.
"""

from __future__ import annotations

import math

import numpy as np

from ._jit import jit
from ._validation import check_real, invalid

__all__ = [
    "KINDS",
    "SURFACES",
    "Beale",
    "Booth",
    "Custom",
    "Himmelblau",
    "MonkeySaddle",
    "Quadratic",
    "Rastrigin",
    "Rosenbrock",
    "Saddle",
    "SixHumpCamel",
    "StyblinskiTang",
    "Surface",
    "get",
    "grad_by_kind",
    "hessian_by_kind",
    "value_by_kind",
]

# The built-in surfaces. A surface's ``kind`` is its index here: the branches of the
# ``*_by_kind`` functions below are numbered in this order (a test checks that they match).
SURFACES = ("Quadratic", "Rosenbrock", "Beale", "Himmelblau", "Rastrigin", "Booth", "Saddle",
            "MonkeySaddle", "SixHumpCamel", "StyblinskiTang")  # fmt: skip
KINDS = SURFACES

_TWO_PI = 2.0 * math.pi


# --- scalar kernels, one triple per surface -------------------------------------------------------
# Each takes (x, y, params) as float64, float64, float64[:] and assumes valid input (no checking).
# The formulas are those of the class docstrings; the tests compare the gradients with central
# differences of the values and the Hessians with central differences of the gradients.


@jit
def _quadratic_value(x, y, params):
    a11, a12, a22 = params[0], params[1], params[2]
    return 0.5 * (a11 * x * x + 2.0 * a12 * x * y + a22 * y * y)


@jit
def _quadratic_grad(x, y, params):
    a11, a12, a22 = params[0], params[1], params[2]
    return a11 * x + a12 * y, a12 * x + a22 * y


@jit
def _quadratic_hessian(x, y, params):
    return params[0], params[1], params[2]


@jit
def _rosenbrock_value(x, y, params):
    a, b = params[0], params[1]
    r = y - x * x
    return (a - x) ** 2 + b * r * r


@jit
def _rosenbrock_grad(x, y, params):
    a, b = params[0], params[1]
    r = y - x * x
    return -2.0 * (a - x) - 4.0 * b * x * r, 2.0 * b * r


@jit
def _rosenbrock_hessian(x, y, params):
    b = params[1]
    return 2.0 - 4.0 * b * (y - 3.0 * x * x), -4.0 * b * x, 2.0 * b


@jit
def _beale_value(x, y, params):
    t1 = 1.5 - x + x * y
    t2 = 2.25 - x + x * y * y
    t3 = 2.625 - x + x * y * y * y
    return t1 * t1 + t2 * t2 + t3 * t3


@jit
def _beale_grad(x, y, params):
    y2 = y * y
    y3 = y2 * y
    t1 = 1.5 - x + x * y
    t2 = 2.25 - x + x * y2
    t3 = 2.625 - x + x * y3
    gx = 2.0 * (t1 * (y - 1.0) + t2 * (y2 - 1.0) + t3 * (y3 - 1.0))
    gy = 2.0 * x * (t1 + 2.0 * y * t2 + 3.0 * y2 * t3)
    return gx, gy


@jit
def _beale_hessian(x, y, params):
    y2 = y * y
    y3 = y2 * y
    t1 = 1.5 - x + x * y
    t2 = 2.25 - x + x * y2
    t3 = 2.625 - x + x * y3
    d1, d2, d3 = y - 1.0, y2 - 1.0, y3 - 1.0  # d t_i / dx
    e1, e2, e3 = x, 2.0 * x * y, 3.0 * x * y2  # d t_i / dy
    hxx = 2.0 * (d1 * d1 + d2 * d2 + d3 * d3)
    hxy = 2.0 * (e1 * d1 + t1 + e2 * d2 + 2.0 * y * t2 + e3 * d3 + 3.0 * y2 * t3)
    hyy = 2.0 * (e1 * e1 + e2 * e2 + e3 * e3 + 2.0 * x * t2 + 6.0 * x * y * t3)
    return hxx, hxy, hyy


@jit
def _himmelblau_value(x, y, params):
    u = x * x + y - 11.0
    v = x + y * y - 7.0
    return u * u + v * v


@jit
def _himmelblau_grad(x, y, params):
    u = x * x + y - 11.0
    v = x + y * y - 7.0
    return 4.0 * x * u + 2.0 * v, 2.0 * u + 4.0 * y * v


@jit
def _himmelblau_hessian(x, y, params):
    return 12.0 * x * x + 4.0 * y - 42.0, 4.0 * (x + y), 4.0 * x + 12.0 * y * y - 26.0


@jit
def _rastrigin_value(x, y, params):
    A = params[0]
    return 2.0 * A + x * x - A * math.cos(_TWO_PI * x) + y * y - A * math.cos(_TWO_PI * y)


@jit
def _rastrigin_grad(x, y, params):
    A = params[0]
    return (2.0 * x + _TWO_PI * A * math.sin(_TWO_PI * x),
            2.0 * y + _TWO_PI * A * math.sin(_TWO_PI * y))  # fmt: skip


@jit
def _rastrigin_hessian(x, y, params):
    c = _TWO_PI * _TWO_PI * params[0]
    return 2.0 + c * math.cos(_TWO_PI * x), 0.0, 2.0 + c * math.cos(_TWO_PI * y)


@jit
def _booth_value(x, y, params):
    u = x + 2.0 * y - 7.0
    v = 2.0 * x + y - 5.0
    return u * u + v * v


@jit
def _booth_grad(x, y, params):
    u = x + 2.0 * y - 7.0
    v = 2.0 * x + y - 5.0
    return 2.0 * u + 4.0 * v, 4.0 * u + 2.0 * v


@jit
def _booth_hessian(x, y, params):
    return 10.0, 8.0, 10.0


@jit
def _saddle_value(x, y, params):
    return x * x - y * y


@jit
def _saddle_grad(x, y, params):
    return 2.0 * x, -2.0 * y


@jit
def _saddle_hessian(x, y, params):
    return 2.0, 0.0, -2.0


@jit
def _monkey_saddle_value(x, y, params):
    return x * x * x - 3.0 * x * y * y


@jit
def _monkey_saddle_grad(x, y, params):
    return 3.0 * x * x - 3.0 * y * y, -6.0 * x * y


@jit
def _monkey_saddle_hessian(x, y, params):
    return 6.0 * x, -6.0 * y, -6.0 * x


@jit
def _six_hump_camel_value(x, y, params):
    x2 = x * x
    y2 = y * y
    return (4.0 - 2.1 * x2 + x2 * x2 / 3.0) * x2 + x * y + (-4.0 + 4.0 * y2) * y2


@jit
def _six_hump_camel_grad(x, y, params):
    x2 = x * x
    return 8.0 * x - 8.4 * x2 * x + 2.0 * x2 * x2 * x + y, x - 8.0 * y + 16.0 * y * y * y


@jit
def _six_hump_camel_hessian(x, y, params):
    x2 = x * x
    return 8.0 - 25.2 * x2 + 10.0 * x2 * x2, 1.0, -8.0 + 48.0 * y * y


@jit
def _styblinski_tang_value(x, y, params):
    x2 = x * x
    y2 = y * y
    return 0.5 * (x2 * x2 - 16.0 * x2 + 5.0 * x + y2 * y2 - 16.0 * y2 + 5.0 * y)


@jit
def _styblinski_tang_grad(x, y, params):
    return 2.0 * x * x * x - 16.0 * x + 2.5, 2.0 * y * y * y - 16.0 * y + 2.5


@jit
def _styblinski_tang_hessian(x, y, params):
    return 6.0 * x * x - 16.0, 0.0, 6.0 * y * y - 16.0


# --- dispatch by kind -----------------------------------------------------------------------------
# One function per quantity over all surfaces, selected by an integer, so that a cached kernel can
# reach every surface without taking a function argument or closing over one (either would be
# recompiled in every process: Numba caches neither). ``inline`` puts the chain into the caller at
# Numba's level, where a constant ``kind`` prunes it to one branch.


@jit(inline=True)
def value_by_kind(kind, x, y, params):
    """The value at (x, y) of built-in surface number ``kind`` (NaN if none). No input checking."""
    if kind == 0:
        return _quadratic_value(x, y, params)
    if kind == 1:
        return _rosenbrock_value(x, y, params)
    if kind == 2:
        return _beale_value(x, y, params)
    if kind == 3:
        return _himmelblau_value(x, y, params)
    if kind == 4:
        return _rastrigin_value(x, y, params)
    if kind == 5:
        return _booth_value(x, y, params)
    if kind == 6:
        return _saddle_value(x, y, params)
    if kind == 7:
        return _monkey_saddle_value(x, y, params)
    if kind == 8:
        return _six_hump_camel_value(x, y, params)
    if kind == 9:
        return _styblinski_tang_value(x, y, params)
    return math.nan


@jit(inline=True)
def grad_by_kind(kind, x, y, params):
    """The gradient ``(gx, gy)`` of built-in surface number ``kind``. No input checking."""
    if kind == 0:
        return _quadratic_grad(x, y, params)
    if kind == 1:
        return _rosenbrock_grad(x, y, params)
    if kind == 2:
        return _beale_grad(x, y, params)
    if kind == 3:
        return _himmelblau_grad(x, y, params)
    if kind == 4:
        return _rastrigin_grad(x, y, params)
    if kind == 5:
        return _booth_grad(x, y, params)
    if kind == 6:
        return _saddle_grad(x, y, params)
    if kind == 7:
        return _monkey_saddle_grad(x, y, params)
    if kind == 8:
        return _six_hump_camel_grad(x, y, params)
    if kind == 9:
        return _styblinski_tang_grad(x, y, params)
    return math.nan, math.nan


@jit(inline=True)
def hessian_by_kind(kind, x, y, params):
    """The Hessian ``(hxx, hxy, hyy)`` of built-in surface number ``kind``. No input checking."""
    if kind == 0:
        return _quadratic_hessian(x, y, params)
    if kind == 1:
        return _rosenbrock_hessian(x, y, params)
    if kind == 2:
        return _beale_hessian(x, y, params)
    if kind == 3:
        return _himmelblau_hessian(x, y, params)
    if kind == 4:
        return _rastrigin_hessian(x, y, params)
    if kind == 5:
        return _booth_hessian(x, y, params)
    if kind == 6:
        return _saddle_hessian(x, y, params)
    if kind == 7:
        return _monkey_saddle_hessian(x, y, params)
    if kind == 8:
        return _six_hump_camel_hessian(x, y, params)
    if kind == 9:
        return _styblinski_tang_hessian(x, y, params)
    return math.nan, math.nan, math.nan


# --- the vectorised loops -------------------------------------------------------------------------
# One cached loop per quantity for all surfaces (``kind`` is a run-time argument here). Serial: a
# plotting grid of 1e5 points takes about a millisecond.


@jit
def _value_loop(kind, xy, params, out):
    """out[i] = f(xy[i, 0], xy[i, 1]) for surface ``kind``; xy (n, 2), out (n,). No checking."""
    for i in range(xy.shape[0]):
        out[i] = value_by_kind(kind, xy[i, 0], xy[i, 1], params)


@jit
def _grad_loop(kind, xy, params, out):
    """out[i] = grad f(xy[i]) for surface ``kind``; xy and out (n, 2). No checking."""
    for i in range(xy.shape[0]):
        gx, gy = grad_by_kind(kind, xy[i, 0], xy[i, 1], params)
        out[i, 0] = gx
        out[i, 1] = gy


@jit
def _hessian_loop(kind, xy, params, out):
    """out[i] = the Hessian of f at xy[i] for surface ``kind``; xy (n, 2), out (n, 2, 2)."""
    for i in range(xy.shape[0]):
        hxx, hxy, hyy = hessian_by_kind(kind, xy[i, 0], xy[i, 1], params)
        out[i, 0, 0] = hxx
        out[i, 0, 1] = hxy
        out[i, 1, 0] = hxy
        out[i, 1, 1] = hyy


# --- input checking -------------------------------------------------------------------------------
def _points(func: str, xy) -> np.ndarray:
    """``xy`` as a float64 array of shape (..., 2) (a view when it already is one)."""
    if not (isinstance(xy, np.ndarray) and xy.dtype == np.float64):
        try:
            a = np.asarray(xy)
        except (TypeError, ValueError):  # ragged nested lists
            raise invalid(func, "xy", "an array of shape (..., 2)", "a ragged sequence",
                          exc=TypeError) from None  # fmt: skip
        if a.dtype.kind not in "fiu":
            raise invalid(func, "xy", "an array of real numbers", f"dtype {a.dtype}",
                          "Convert it with np.asarray(xy, dtype=float).",
                          exc=TypeError)  # fmt: skip
        xy = a.astype(np.float64, copy=False)
    if xy.ndim == 0 or xy.shape[-1] != 2:
        raise invalid(func, "xy", "an array of shape (..., 2): points (x, y) on the last axis",
                      f"an array of shape {xy.shape}",
                      "Stack coordinate grids with np.stack([X, Y], axis=-1).")  # fmt: skip
    return xy


def _point_list(func: str, name: str, points) -> np.ndarray:
    """A list of points as a fresh finite float64 array of shape (k, 2)."""
    try:
        a = np.array(points, dtype=np.float64)
    except (TypeError, ValueError):
        raise invalid(func, name, "a sequence of points (x, y)", points, exc=TypeError) from None
    if a.size == 0:
        return np.empty((0, 2))
    if a.ndim == 1 and a.shape == (2,):
        a = a[None, :]
    if a.ndim != 2 or a.shape[1] != 2:
        raise invalid(func, name, "an array of shape (k, 2)", f"an array of shape {a.shape}")
    if not np.isfinite(a.sum()):
        raise invalid(func, name, "finite", a.tolist())
    return a


def _window(func: str, window) -> tuple:
    """``((xmin, xmax), (ymin, ymax))`` as floats, finite, with min < max."""
    try:
        w = np.array(window, dtype=np.float64)
    except (TypeError, ValueError):
        raise invalid(func, "window", "((xmin, xmax), (ymin, ymax))", window,
                      exc=TypeError) from None  # fmt: skip
    if w.shape != (2, 2) or not np.isfinite(w.sum()) or not (w[:, 0] < w[:, 1]).all():
        raise invalid(func, "window", "((xmin, xmax), (ymin, ymax)), finite, with min < max",
                      window)  # fmt: skip
    return ((float(w[0, 0]), float(w[0, 1])), (float(w[1, 0]), float(w[1, 1])))


# --- the surfaces ---------------------------------------------------------------------------------
class Surface:
    r"""A function of two variables with its gradient, Hessian and known critical points.

    Not made directly: use one of the built-in subclasses (``Rosenbrock()``, ...), :func:`get`,
    or :class:`Custom` for a function of your own.

    Attributes
    ----------
    name : str
        For titles, e.g. ``"Rosenbrock"``.
    window : tuple of shape ((xmin, xmax), (ymin, ymax))
        A plotting window that shows the surface's features.
    minima : ndarray of shape (k, 2)
        Known minima, a global one first (the others may be global too, or local).
    saddles : ndarray of shape (m, 2)
        Known saddle points (possibly none: shape (0, 2)).
    maxima : ndarray of shape (j, 2)
        Known local maxima (possibly none).
    min_value : float
        The global minimum value; ``-inf`` for a surface unbounded below, NaN where unknown
        (a :class:`Custom` surface without minima).
    params : ndarray of shape (p,)
        The surface's constants as float64 (possibly empty), as the kernels take them.
    log_levels : bool
        Whether contour plots read better with levels spaced logarithmically in
        ``value - min_value`` (for surfaces whose values span orders of magnitude).
    kind : int or None
        The surface's index in :data:`KINDS`, for ``grad_by_kind`` and friends; None for a
        :class:`Custom` surface.
    value_kernel, grad_kernel, hessian_kernel : numba dispatcher or None
        Jitted scalar functions of ``(x, y, params)`` returning the value, the pair
        ``(gx, gy)`` and the triple ``(hxx, hxy, hyy)``; None for a :class:`Custom` surface.
    """

    name: str
    window: tuple
    minima: np.ndarray
    saddles: np.ndarray
    maxima: np.ndarray
    min_value: float
    params: np.ndarray
    log_levels: bool
    kind: int | None = None
    _kernels = (None, None, None)

    def __init__(self):
        raise TypeError("Surface is a base class: use a built-in surface such as "
                        "surfaces.Rosenbrock(), surfaces.get(name), or surfaces.Custom(...).")

    def _setup(self, *, name, window, minima=(), saddles=(), maxima=(), min_value, params=(),
               log_levels=False) -> None:  # fmt: skip
        self.name = name
        self.window = window
        self.minima = np.array(minima, dtype=np.float64).reshape(-1, 2)
        self.saddles = np.array(saddles, dtype=np.float64).reshape(-1, 2)
        self.maxima = np.array(maxima, dtype=np.float64).reshape(-1, 2)
        self.min_value = float(min_value)
        self.params = np.array(params, dtype=np.float64).reshape(-1)
        self.log_levels = bool(log_levels)
        for cls in type(self).__mro__:  # a user's subclass of a built-in keeps its kind
            if cls.__module__ == __name__ and cls.__name__ in SURFACES:
                self.kind = SURFACES.index(cls.__name__)
                break
        # Instance attributes, not class attributes: a dispatcher stored on a class would be
        # bound as a method (it has a __get__).
        self.value_kernel, self.grad_kernel, self.hessian_kernel = self._kernels

    def _flat(self, func, xy):
        xy = _points(f"{type(self).__name__}.{func}", xy)
        return np.ascontiguousarray(xy.reshape(-1, 2)), xy.shape[:-1]

    def value(self, xy):
        """The value at each point of ``xy``.

        Parameters
        ----------
        xy : array_like of shape (..., 2)
            Points (x, y) on the last axis. NaN coordinates give NaN values.

        Returns
        -------
        ndarray of shape (...), float64
            A NumPy float64 scalar for a single point of shape (2,).

        Raises
        ------
        ValueError
            If the last axis of ``xy`` does not have length 2.
        TypeError
            If ``xy`` is not an array of real numbers.
        """
        pts, shape = self._flat("value", xy)
        out = np.empty(pts.shape[0])
        _value_loop(self.kind, pts, self.params, out)
        return out.reshape(shape)[()]

    def grad(self, xy) -> np.ndarray:
        """The gradient at each point of ``xy`` (array_like of shape (..., 2)).

        Returns an ndarray of shape (..., 2), float64: ``[..., 0]`` is the derivative in x.
        Raises as :meth:`value`.
        """
        pts, shape = self._flat("grad", xy)
        out = np.empty((pts.shape[0], 2))
        _grad_loop(self.kind, pts, self.params, out)
        return out.reshape((*shape, 2))

    def hessian(self, xy) -> np.ndarray:
        """The Hessian at each point of ``xy`` (array_like of shape (..., 2)).

        Returns an ndarray of shape (..., 2, 2), float64, symmetric in the last two axes.
        Raises as :meth:`value`.
        """
        pts, shape = self._flat("hessian", xy)
        out = np.empty((pts.shape[0], 2, 2))
        _hessian_loop(self.kind, pts, self.params, out)
        return out.reshape((*shape, 2, 2))

    def __call__(self, xy):
        """The value at each point of ``xy``: the same as :meth:`value`."""
        return self.value(xy)

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class Quadratic(Surface):
    r"""The quadratic bowl with Hessian :math:`A`, of chosen condition number and orientation.

    .. math::

        f(z) = \tfrac12\, z^\top A z, \qquad
        A = R_\theta \begin{pmatrix} 1 & 0 \\ 0 & \kappa \end{pmatrix} R_\theta^\top, \qquad
        R_\theta = \begin{pmatrix} \cos\theta & -\sin\theta \\ \sin\theta & \cos\theta
        \end{pmatrix},

    so the eigenvalues are :math:`\mu = 1` (direction :math:`(\cos\theta, \sin\theta)`) and
    :math:`L = \kappa` (direction :math:`(-\sin\theta, \cos\theta)`). Minimum 0 at the origin.

    Source: the model problem of convergence analysis (e.g. Goh 2017, "Why momentum really
    works"): gradient descent converges for a learning rate below :math:`2/L`.

    Parameters
    ----------
    condition_number : float, default=10.0
        :math:`\kappa = L / \mu`, finite and ``>= 1``.
    angle : float, default=0.0
        :math:`\theta`, the rotation of the eigenvectors from the axes, in radians.

    Attributes
    ----------
    A : ndarray of shape (2, 2)
        The Hessian (symmetric positive definite).
    L, mu : float
        The largest and smallest eigenvalues of ``A`` (``condition_number`` and 1).
    params : ndarray of shape (3,)
        ``(A[0, 0], A[0, 1], A[1, 1])``.

    Raises
    ------
    ValueError
        If ``condition_number`` is below 1 or not finite, or ``angle`` is not finite.

    Examples
    --------
    >>> from optlearn import surfaces
    >>> bowl = surfaces.Quadratic(condition_number=4.0)
    >>> bowl.A
    array([[1., 0.],
           [0., 4.]])
    >>> print(bowl.value([1.0, 1.0]), bowl.grad([1.0, 1.0]))
    2.5 [1. 4.]
    >>> bowl.L, bowl.mu
    (4.0, 1.0)
    """

    _kernels = (_quadratic_value, _quadratic_grad, _quadratic_hessian)

    def __init__(self, condition_number=10.0, angle=0.0):
        self.condition_number = check_real("Quadratic", "condition_number", condition_number,
                                           low=1)  # fmt: skip
        self.angle = check_real("Quadratic", "angle", angle)
        c, s = math.cos(self.angle), math.sin(self.angle)
        k = self.condition_number
        # + 0.0 turns the -0.0 of angle=0 into 0.0, for a clean repr
        a11, a12, a22 = c * c + k * s * s, (1.0 - k) * c * s + 0.0, s * s + k * c * c
        self.A = np.array([[a11, a12], [a12, a22]])
        self.L, self.mu = k, 1.0
        self._setup(name="Quadratic", window=((-2.0, 2.0), (-2.0, 2.0)), minima=[(0.0, 0.0)],
                    min_value=0.0, params=(a11, a12, a22))  # fmt: skip

    def __repr__(self) -> str:
        return f"Quadratic(condition_number={self.condition_number!r}, angle={self.angle!r})"


class Rosenbrock(Surface):
    r"""Rosenbrock's banana valley: easy to find, slow to follow to its minimum.

    .. math::

        f(x, y) = (a - x)^2 + b\,(y - x^2)^2,

    with its global minimum 0 at :math:`(a, a^2)` and no other critical point. The valley floor
    :math:`y = x^2` is curved and nearly flat; across it the curvature is about :math:`2b(1 +
    4a^2)`, along it about :math:`2 / (1 + 4a^2)`, so the Hessian at the minimum has condition
    number about 2508 for the classic :math:`a = 1, b = 100`.

    Source: Rosenbrock, H. H. (1960), The Computer Journal 3(3).

    Parameters
    ----------
    a : float, default=1.0
        Finite. Sets the minimum :math:`(a, a^2)`.
    b : float, default=100.0
        Finite and ``> 0``: the steepness of the valley walls.

    Examples
    --------
    >>> from optlearn import surfaces
    >>> f = surfaces.Rosenbrock()
    >>> f.minima
    array([[1., 1.]])
    >>> print(f.value([[1.0, 1.0], [0.0, 0.0]]), f.grad([0.0, 0.0]))
    [0. 1.] [-2.  0.]
    """

    _kernels = (_rosenbrock_value, _rosenbrock_grad, _rosenbrock_hessian)

    def __init__(self, a=1.0, b=100.0):
        self.a = check_real("Rosenbrock", "a", a)
        self.b = check_real("Rosenbrock", "b", b, low=0, low_open=True)
        s = max(1.0, abs(self.a))
        self._setup(name="Rosenbrock", window=((-2.0 * s, 2.0 * s), (-s * s, 3.0 * s * s)),
                    minima=[(self.a, self.a * self.a)], min_value=0.0, params=(self.a, self.b),
                    log_levels=True)  # fmt: skip

    def __repr__(self) -> str:
        return f"Rosenbrock(a={self.a!r}, b={self.b!r})"


class Beale(Surface):
    r"""Beale's function: a narrow valley between steep walls and flat plateaus.

    .. math::

        f(x, y) = (1.5 - x + xy)^2 + (2.25 - x + xy^2)^2 + (2.625 - x + xy^3)^2.

    Global minimum 0 at :math:`(3, 0.5)`; saddles at :math:`(0, 1)` (where the whole line
    :math:`x = 0` has :math:`\partial f / \partial y = 0`) and near :math:`(0.1005, -2.6445)`.

    Source: Beale, E. M. L. (1958), On an iterative method for finding a local minimum of a
    function of more than one variable, Princeton University; see Jamil and Yang (2013).

    Examples
    --------
    >>> from optlearn import surfaces
    >>> print(surfaces.Beale().value([3.0, 0.5]))
    0.0
    """

    _kernels = (_beale_value, _beale_grad, _beale_hessian)

    def __init__(self):
        self._setup(name="Beale", window=((-4.5, 4.5), (-4.5, 4.5)), minima=[(3.0, 0.5)],
                    saddles=[(0.0, 1.0), (0.10053793732415836, -2.644513585023125)],
                    min_value=0.0, log_levels=True)  # fmt: skip


class Himmelblau(Surface):
    r"""Himmelblau's function: four global minima, so four basins of attraction.

    .. math::

        f(x, y) = (x^2 + y - 11)^2 + (x + y^2 - 7)^2.

    All nine of its critical points are listed (the most that two cubic equations can have):
    four global minima with value 0, at :math:`(3, 2)` (exactly) and near
    :math:`(-2.8051, 3.1313)`, :math:`(-3.7793, -3.2832)`, :math:`(3.5844, -1.8481)`; four
    saddles, between neighbouring basins; and one local maximum near :math:`(-0.2708, -0.9230)`
    with value about 181.617.

    Source: Himmelblau, D. M. (1972), Applied Nonlinear Programming, McGraw-Hill.

    Examples
    --------
    >>> from optlearn import surfaces
    >>> f = surfaces.Himmelblau()
    >>> f.minima.shape, f.saddles.shape, f.maxima.shape
    ((4, 2), (4, 2), (1, 2))
    >>> print(f.value([3.0, 2.0]))
    0.0
    """

    _kernels = (_himmelblau_value, _himmelblau_grad, _himmelblau_hessian)

    def __init__(self):
        self._setup(
            name="Himmelblau",
            window=((-5.0, 5.0), (-5.0, 5.0)),
            minima=[(3.0, 2.0),
                    (-2.8051180869527448, 3.131312518250573),
                    (-3.779310253377747, -3.2831859912861694),
                    (3.5844283403304917, -1.8481265269644036)],
            saddles=[(0.08667750455539635, 2.884254701174776),
                     (-3.0730257507643896, -0.08135304428796751),
                     (-0.12796134673068007, -1.9537149802445764),
                     (3.385154183607021, 0.07385187983774929)],
            maxima=[(-0.2708445906673476, -0.9230385564799815)],
            min_value=0.0,
            log_levels=True,
        )  # fmt: skip


class Rastrigin(Surface):
    r"""Rastrigin's function in two dimensions: a bowl covered with a grid of local minima.

    .. math::

        f(x, y) = 2A + \left(x^2 - A \cos 2\pi x\right) + \left(y^2 - A \cos 2\pi y\right).

    Global minimum 0 at the origin, and a local minimum near every point of the integer grid
    (for ``A`` large enough). Listed: the origin, the four nearest local minima
    :math:`(\pm m, 0), (0, \pm m)` with :math:`m` slightly below 1 (0.99496 for ``A = 10``),
    the four saddles between them and the origin, :math:`(\pm s, 0), (0, \pm s)` with
    :math:`s` slightly below 1/2, and the four local maxima :math:`(\pm s, \pm s)`. ``m`` and
    ``s`` are the roots of :math:`t + \pi A \sin 2\pi t = 0` in :math:`(1/2, 1)`, found by
    bisection; for ``A`` below about 0.2332 there are none and only the origin is listed (the
    surface then has no other critical point near it).

    Source: Rastrigin, L. A. (1974), Systems of Extremal Control, Nauka; see Jamil and Yang
    (2013).

    Parameters
    ----------
    A : float, default=10.0
        Finite and ``>= 0``: the depth of the ripples.

    Examples
    --------
    >>> from optlearn import surfaces
    >>> f = surfaces.Rastrigin()
    >>> f.minima.round(5)
    array([[ 0.     ,  0.     ],
           [ 0.99496,  0.     ],
           [-0.99496,  0.     ],
           [ 0.     ,  0.99496],
           [ 0.     , -0.99496]])
    """

    _kernels = (_rastrigin_value, _rastrigin_grad, _rastrigin_hessian)

    def __init__(self, A=10.0):
        self.A = check_real("Rastrigin", "A", A, low=0)
        roots = _rastrigin_roots(self.A)
        minima, saddles, maxima = [(0.0, 0.0)], [], []
        if roots is not None:
            s, m = roots
            minima += [(m, 0.0), (-m, 0.0), (0.0, m), (0.0, -m)]
            saddles = [(s, 0.0), (-s, 0.0), (0.0, s), (0.0, -s)]
            maxima = [(s, s), (-s, s), (-s, -s), (s, -s)]
        self._setup(name="Rastrigin", window=((-5.12, 5.12), (-5.12, 5.12)), minima=minima,
                    saddles=saddles, maxima=maxima, min_value=0.0, params=(self.A,))  # fmt: skip

    def __repr__(self) -> str:
        return f"Rastrigin(A={self.A!r})"


def _rastrigin_roots(A: float):
    """The roots (s, m), s < m, of h'(t) = 2t + 2 pi A sin(2 pi t) in (1/2, 1), or None.

    On [1/2, 1], h' is 1 at 1/2 and 2 at 1, decreasing until t* (where h'' = 0) and increasing
    after, so it has two roots there exactly when h'(t*) < 0: a maximum of the 1-D function
    below t* and a minimum above it.
    """
    if A == 0.0:
        return None
    c = -1.0 / (2.0 * math.pi**2 * A)
    if c <= -1.0:  # h'' > 0 on (1/2, 1): h' increasing, no root
        return None
    t_star = 1.0 - math.acos(c) / _TWO_PI

    def dh(t):
        return 2.0 * t + _TWO_PI * A * math.sin(_TWO_PI * t)

    if not dh(t_star) < 0.0:
        return None

    def bisect(lo, hi):  # dh(lo) and dh(hi) have opposite signs; halve down to one ulp
        up = dh(lo) < 0.0
        while True:
            mid = 0.5 * (lo + hi)
            if mid in (lo, hi):
                return lo if abs(dh(lo)) <= abs(dh(hi)) else hi
            if (dh(mid) < 0.0) == up:
                lo = mid
            else:
                hi = mid

    return bisect(0.5, t_star), bisect(t_star, 1.0)


class Booth(Surface):
    r"""Booth's function: a plain quadratic with condition number 9.

    .. math::

        f(x, y) = (x + 2y - 7)^2 + (2x + y - 5)^2,

    with Hessian :math:`\begin{pmatrix} 10 & 8 \\ 8 & 10 \end{pmatrix}` (eigenvalues 2 and 18)
    and its minimum 0 at :math:`(1, 3)`.

    Source: Jamil and Yang (2013), function 17.

    Examples
    --------
    >>> from optlearn import surfaces
    >>> print(surfaces.Booth().value([1.0, 3.0]))
    0.0
    """

    _kernels = (_booth_value, _booth_grad, _booth_hessian)

    def __init__(self):
        self._setup(name="Booth", window=((-10.0, 10.0), (-10.0, 10.0)), minima=[(1.0, 3.0)],
                    min_value=0.0, log_levels=True)  # fmt: skip


class Saddle(Surface):
    r"""The saddle :math:`x^2 - y^2`: how fast does an optimizer escape along :math:`y`?

    .. math::

        f(x, y) = x^2 - y^2.

    One critical point, the saddle at the origin (Hessian eigenvalues 2 and -2). No minimum:
    ``minima`` is empty (shape (0, 2)) and ``min_value`` is ``-inf``, the surface being
    unbounded below. Gradient descent started exactly on the x axis converges to the saddle;
    any offset in ``y`` grows geometrically.

    Source: the hyperbolic paraboloid; on saddles in deep learning see Dauphin et al. (2014).

    Examples
    --------
    >>> from optlearn import surfaces
    >>> f = surfaces.Saddle()
    >>> f.minima.shape, f.saddles, f.min_value
    ((0, 2), array([[0., 0.]]), -inf)
    """

    _kernels = (_saddle_value, _saddle_grad, _saddle_hessian)

    def __init__(self):
        self._setup(name="Saddle", window=((-2.0, 2.0), (-2.0, 2.0)), saddles=[(0.0, 0.0)],
                    min_value=-math.inf)  # fmt: skip


class MonkeySaddle(Surface):
    r"""The monkey saddle: a degenerate saddle, with a zero Hessian, where curvature says nothing.

    .. math::

        f(x, y) = x^3 - 3xy^2 = \operatorname{Re}\,(x + iy)^3.

    Its one critical point, the origin, has gradient and Hessian zero; the surface falls away
    in three directions (for a "monkey's two legs and tail") and rises in three. No minimum:
    ``minima`` is empty and ``min_value`` is ``-inf``.

    Source: the classic example of a degenerate saddle (Hilbert, D. and Cohn-Vossen, S. (1932),
    Anschauliche Geometrie, Springer).

    Examples
    --------
    >>> import numpy as np
    >>> from optlearn import surfaces
    >>> f = surfaces.MonkeySaddle()
    >>> print(f.value([[1.0, 0.0], [-1.0, 0.0]]), np.abs(f.hessian([0.0, 0.0])).max())
    [ 1. -1.] 0.0
    """

    _kernels = (_monkey_saddle_value, _monkey_saddle_grad, _monkey_saddle_hessian)

    def __init__(self):
        self._setup(name="Monkey saddle", window=((-1.5, 1.5), (-1.5, 1.5)),
                    saddles=[(0.0, 0.0)], min_value=-math.inf)  # fmt: skip


class SixHumpCamel(Surface):
    r"""The six-hump camel: two global minima, four local ones, seven saddles, two maxima.

    .. math::

        f(x, y) = \left(4 - 2.1 x^2 + \tfrac{x^4}{3}\right) x^2 + xy + \left(-4 + 4y^2\right)
        y^2.

    All 15 critical points are listed (the most that the equations :math:`\nabla f = 0`, of
    degrees 5 and 3, can have). The surface is symmetric under :math:`(x, y) \to (-x, -y)`:
    global minima :math:`\pm(0.08984, -0.71266)` with value about -1.0316285, local minima
    :math:`\pm(1.70361, -0.79608)` (value -0.21546) and :math:`\pm(1.60710, 0.56865)` (value
    2.10425), saddles at the origin and in three symmetric pairs, maxima
    :math:`\pm(1.23023, 0.16233)`.

    Source: Dixon, L. C. W. and Szegő, G. P. (1978), The global optimisation problem: an
    introduction, in Towards Global Optimisation 2, North-Holland; see Jamil and Yang (2013).

    Examples
    --------
    >>> from optlearn import surfaces
    >>> f = surfaces.SixHumpCamel()
    >>> f.minima[:2].round(6)
    array([[ 0.089842, -0.712656],
           [-0.089842,  0.712656]])
    >>> round(f.min_value, 10)
    -1.0316284535
    """

    _kernels = (_six_hump_camel_value, _six_hump_camel_grad, _six_hump_camel_hessian)

    def __init__(self):
        g = (0.08984201310031806, -0.7126564030207396)
        l1 = (1.7036067149699809, -0.7960835686726251)
        l2 = (1.6071047529201972, 0.5686514548841314)
        s1 = (1.2960702671671092, 0.6050843880386585)
        s2 = (1.1092053368047864, -0.7682680925095398)
        s3 = (1.6380679841897786, 0.22867406904439407)
        mx = (1.2302298765166526, 0.16233458445899497)

        def pm(p):
            return [p, (-p[0], -p[1])]

        self._setup(name="Six-hump camel", window=((-2.2, 2.2), (-1.2, 1.2)),
                    minima=pm(g) + pm(l1) + pm(l2), saddles=[(0.0, 0.0), *pm(s1), *pm(s2),
                    *pm(s3)], maxima=pm(mx), min_value=-1.0316284534898774)  # fmt: skip


class StyblinskiTang(Surface):
    r"""The Styblinski-Tang function in two dimensions: one global and three local minima.

    .. math::

        f(x, y) = \tfrac12 \left(x^4 - 16x^2 + 5x\right) + \tfrac12 \left(y^4 - 16y^2 +
        5y\right).

    Each term has two minima, at :math:`t_1 \approx -2.903534` and :math:`t_2 \approx
    2.746803`, and a maximum at :math:`t_0 \approx 0.156731` (the roots of :math:`4t^3 - 32t +
    5`), so the surface has minima at :math:`(t_i, t_j)` (global at :math:`(t_1, t_1)`, value
    :math:`-78.33233\ldots`), saddles at :math:`(t_0, t_i)` and :math:`(t_i, t_0)`, and a
    maximum at :math:`(t_0, t_0)`. All are listed.

    Source: Styblinski, M. A. and Tang, T.-S. (1990), Experiments in nonconvex optimization:
    stochastic approximation with function smoothing and simulated annealing, Neural Networks
    3(4).

    Examples
    --------
    >>> from optlearn import surfaces
    >>> f = surfaces.StyblinskiTang()
    >>> f.minima[0].round(6), round(f.min_value, 6)
    (array([-2.903534, -2.903534]), -78.332331)
    """

    _kernels = (_styblinski_tang_value, _styblinski_tang_grad, _styblinski_tang_hessian)

    def __init__(self):
        t1, t2, t0 = -2.903534027771177, 2.746802770990837, 0.1567312567803401
        self._setup(name="Styblinski-Tang", window=((-5.0, 5.0), (-5.0, 5.0)),
                    minima=[(t1, t1), (t1, t2), (t2, t1), (t2, t2)],
                    saddles=[(t0, t1), (t1, t0), (t0, t2), (t2, t0)], maxima=[(t0, t0)],
                    min_value=-78.33233140754283)  # fmt: skip


class Custom(Surface):
    r"""A surface of your own, from NumPy functions of points of shape ``(..., 2)``.

    Parameters
    ----------
    value : callable
        ``value(xy)`` returns the values, of shape ``xy.shape[:-1]``.
    grad : callable
        ``grad(xy)`` returns the gradients, of shape ``xy.shape``.
    hessian : callable, optional
        ``hessian(xy)`` returns the Hessians, of shape ``xy.shape + (2,)``. If not given, it is
        computed by central differences of ``grad`` with a relative step of
        :math:`2^{-17} \approx 7.6 \times 10^{-6}` (about the cube root of float64's epsilon,
        which balances truncation and round-off: about 10 correct digits) and symmetrised.
    window : ((xmin, xmax), (ymin, ymax)), keyword-only
        The plotting window, finite, with min < max.
    minima, saddles : sequence of points (x, y), keyword-only, default=()
        The known minima (a global one first) and saddle points.
    name : str, keyword-only, default="custom"

    Notes
    -----
    ``min_value`` is the value at ``minima[0]`` (NaN if no minima are given). ``kind`` and the
    kernels are None: the functions are Python, so ``optlearn.trajectories`` steps the
    optimizer classes on it instead of a fused kernel. The functions are called with float64
    arrays of the caller's shape and must not modify them.

    Raises
    ------
    TypeError
        If ``value``, ``grad`` or a given ``hessian`` is not callable, or ``name`` is not a str.
    ValueError
        If ``window`` or the points are malformed or not finite, or ``value`` at ``minima[0]``
        is not a finite number.

    Examples
    --------
    >>> import numpy as np
    >>> from optlearn import surfaces
    >>> f = surfaces.Custom(lambda p: np.sum(p**4, axis=-1), lambda p: 4 * p**3,
    ...                     window=((-1, 1), (-1, 1)), minima=[(0, 0)], name="quartic")
    >>> print(f.value([1.0, 2.0]), f.grad([1.0, 2.0]))
    17.0 [ 4. 32.]
    >>> f.hessian([1.0, 2.0]).round(6)
    array([[12.,  0.],
           [ 0., 48.]])
    """

    _STEP = 2.0**-17

    def __init__(self, value, grad, hessian=None, *, window, minima=(), saddles=(),
                 name="custom"):  # fmt: skip
        func = "Custom"
        for arg, f in (("value", value), ("grad", grad)):
            if not callable(f):
                raise invalid(func, arg, "a callable", type(f).__name__, exc=TypeError)
        if hessian is not None and not callable(hessian):
            raise invalid(func, "hessian", "a callable or None", type(hessian).__name__,
                          exc=TypeError)  # fmt: skip
        if not isinstance(name, str):
            raise invalid(func, "name", "a str", type(name).__name__, exc=TypeError)
        self._value, self._grad, self._hessian = value, grad, hessian
        window = _window(func, window)
        minima = _point_list(func, "minima", minima)
        saddles = _point_list(func, "saddles", saddles)
        min_value = math.nan
        if len(minima):
            min_value = self.value(minima[0])
            if not np.isfinite(min_value):
                raise invalid(func, "value", "a function that is finite at minima[0]",
                              f"value(minima[0]) = {min_value}")  # fmt: skip
        self._setup(name=name, window=window, minima=minima, saddles=saddles,
                    min_value=min_value)  # fmt: skip
        self.kind = None

    def _call(self, method, f, xy, extra):
        xy = _points(f"Custom.{method}", xy)
        out = np.asarray(f(xy.copy()), dtype=np.float64)
        if out.shape != xy.shape[:-1] + extra:
            raise invalid(f"Custom.{method}", method, f"a function returning shape "
                          f"{xy.shape[:-1] + extra} for points of shape {xy.shape}",
                          f"shape {out.shape}")  # fmt: skip
        return out

    def value(self, xy):
        """The value at each point of ``xy`` (shape (..., 2)): shape (...), float64."""
        return self._call("value", self._value, xy, ())[()]

    def grad(self, xy) -> np.ndarray:
        """The gradient at each point of ``xy`` (shape (..., 2)): shape (..., 2), float64."""
        return self._call("grad", self._grad, xy, (2,))

    def hessian(self, xy) -> np.ndarray:
        """The Hessian at each point of ``xy``: shape (..., 2, 2), given or by differences."""
        if self._hessian is not None:
            return self._call("hessian", self._hessian, xy, (2, 2))
        xy = _points("Custom.hessian", xy)
        H = np.empty((*xy.shape, 2))
        for j in range(2):
            h = self._STEP * np.maximum(1.0, np.abs(xy[..., j]))
            up, down = xy.copy(), xy.copy()
            up[..., j] += h
            down[..., j] -= h
            step = up[..., j] - down[..., j]  # the step actually taken, after rounding
            diff = self._call("grad", self._grad, up, (2,)) - self._call("grad", self._grad,
                                                                        down, (2,))  # fmt: skip
            H[..., :, j] = diff / step[..., None]
        return 0.5 * (H + np.swapaxes(H, -1, -2))

    def __repr__(self) -> str:
        return f"Custom(name={self.name!r})"


_BY_KEY = {name.lower(): name for name in SURFACES}


def get(name: str, **kwargs) -> Surface:
    """The built-in surface called ``name`` (case, spaces, '-' and '_' ignored), made with
    ``kwargs``.

    Parameters
    ----------
    name : str
        One of :data:`SURFACES`, e.g. ``"rosenbrock"``, ``"six-hump camel"``.
    **kwargs
        The surface's parameters, e.g. ``b=10`` for Rosenbrock.

    Returns
    -------
    Surface

    Raises
    ------
    TypeError
        If ``name`` is not a str, or a keyword is not a parameter of the surface.
    ValueError
        If there is no surface called ``name`` (the message lists them), or a parameter is
        out of range.

    Examples
    --------
    >>> from optlearn import surfaces
    >>> surfaces.get("rosenbrock", b=10)
    Rosenbrock(a=1.0, b=10.0)
    >>> surfaces.get("Six-hump camel").name
    'Six-hump camel'
    """
    if not isinstance(name, str):
        raise invalid("get", "name", "a str", type(name).__name__, exc=TypeError)
    key = "".join(c for c in name.lower() if c not in " -_")
    if key not in _BY_KEY:
        raise invalid("get", "name", f"one of {', '.join(SURFACES)} (case-insensitive)", name)
    return globals()[_BY_KEY[key]](**kwargs)
