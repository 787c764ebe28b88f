r"""The loss landscape of a network: 1-D and 2-D slices, Hessian-vector products, curvature.

Every function takes a model that follows the protocol of :class:`optlearn.nn.MLP`:
``parameters()`` (a list of arrays, updated in place), ``parameter_names()`` and
``state_dict()`` (for start and end points given as state dicts), ``loss(X, y, loss)`` (the loss
in evaluation mode), ``loss_and_grads(X, y, loss)`` (the loss and its gradients in training
mode) and, for classification losses, ``accuracy(X, y)``. The whole of ``(X, y)`` is used as one
batch at every point.

- :func:`get_params` / :func:`set_params`: the parameters as one flat float64 vector, in the
  order of ``parameters()``; every other function here works on such vectors.
- :func:`slice_1d`: the loss along the line from one point to another (Goodfellow et al.
  2015), :math:`\theta(\alpha) = (1 - \alpha)\,\theta_0 + \alpha\,\theta_1`.
- :func:`slice_2d`: the loss on a plane :math:`\theta_c + \alpha d_1 + \beta d_2` spanned by two
  filter-normalised random directions (Li et al. 2018), by the top two principal directions of
  an optimisation path, or by directions of your own.
- :func:`hessian_vector_product`, :func:`hessian_eigs` and :func:`sharpness`: curvature,
  from central differences of the gradient, without ever forming the Hessian.

Nothing here changes the model: every function restores its parameters (and batch norm's
running statistics) before returning, also when it raises.

Loss values are always taken in evaluation mode (``model.loss``: no dropout, batch norm's
running statistics), so a slice is a deterministic function of the parameters. Gradients, which
the curvature functions need, only exist in training mode (``loss_and_grads``): with batch norm
they are the gradients of the loss computed with the statistics of the batch ``X``, a different
(still deterministic) function; with dropout they are random, so the curvature functions refuse
models with ``dropout > 0``. Build landscape models with ``dropout=0`` and, preferably, without
batch norm: the slices of a batch-norm model keep the model's current running statistics at
every point, which only match the parameters they were accumulated with. A trained model's
weights load into a dropout-free copy unchanged::

    probe = MLP(sizes, activation, dtype=np.float64)  # no dropout, float64 (see below)
    probe.load_state_dict(model.state_dict())

Curvature is computed by finite differences of the gradient in the model's own dtype: about
eight correct digits for a float64 model, about three (relative error ~1e-3) for a float32 one.
For spectra, load the weights into a float64 copy as above. Finite differences need a smooth
loss: use ``'tanh'`` or ``'gelu'`` networks for curvature, not ReLU (see
:func:`hessian_vector_product`).

References
----------
Goodfellow, I. J., Vinyals, O. and Saxe, A. M. (2015). Qualitatively characterizing neural
network optimization problems. ICLR.

Li, H., Xu, Z., Taylor, G., Studer, C. and Goldstein, T. (2018). Visualizing the loss landscape
of neural nets. NeurIPS.

Cohen, J., Kaur, S., Li, Y., Kolter, J. Z. and Talwalkar, A. (2021). Gradient descent on neural
networks typically occurs at the edge of stability. ICLR.

Pearlmutter, B. A. (1994). Fast exact multiplication by the Hessian. Neural Computation 6(1).

Foret, P., Kleiner, A., Mobahi, H. and Neyshabur, B. (2021). Sharpness-aware minimization for
efficiently improving generalization. ICLR.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from ._validation import check_real, invalid
from .data._checks import check_int, check_seed

__all__ = [
    "Slice1D",
    "Slice2D",
    "get_params",
    "hessian_eigs",
    "hessian_vector_product",
    "set_params",
    "sharpness",
    "slice_1d",
    "slice_2d",
]

_CLASSIFICATION = ("cross_entropy", "binary_cross_entropy_with_logits")
_DIRECTIONS = ("random", "pca")
_WHICH = ("largest", "smallest", "both")
_METHODS = ("lanczos", "power")
_POWER_MAX_ITER = 1000


# -- results --------------------------------------------------------------------------------------
def _range(a: np.ndarray) -> str:
    finite = a[np.isfinite(a)]
    if finite.size == 0:
        return "no finite value"
    return f"[{finite.min():.4g}, {finite.max():.4g}]"


@dataclass(frozen=True, eq=False, repr=False)
class Slice1D:
    """The result of :func:`slice_1d`: the loss along a line through parameter space.

    Attributes
    ----------
    alphas : ndarray of shape (num,)
        The positions on the line: 0 is ``start``, 1 is ``end``.
    losses : ndarray of shape (num,)
        The loss (evaluation mode) at each position.
    accuracies : ndarray of shape (num,) or None
        The accuracy at each position, for a classification loss; None otherwise.
    distance : float
        ``||end - start||``: one unit of ``alpha`` in parameter-space length, for an axis in
        those units (``alphas * distance``).

    Examples
    --------
    >>> import numpy as np
    >>> Slice1D(np.linspace(0, 1, 3), np.array([2.0, 0.5, 0.1]), None, 4.0)
    Slice1D(3 points, alpha in [0, 1], loss in [0.1, 2], distance 4)
    """

    alphas: np.ndarray
    losses: np.ndarray
    accuracies: np.ndarray | None
    distance: float

    def __repr__(self) -> str:
        return (f"Slice1D({len(self.alphas)} points, alpha in [{self.alphas[0]:.4g}, "
                f"{self.alphas[-1]:.4g}], loss in {_range(self.losses)}, "
                f"distance {self.distance:.4g})")  # fmt: skip


@dataclass(frozen=True, eq=False, repr=False)
class Slice2D:
    """The result of :func:`slice_2d`: the loss on a plane through parameter space.

    Attributes
    ----------
    alphas : ndarray of shape (num,)
        Coordinates along ``directions[0]``, ``linspace(-span, span, num)``.
    betas : ndarray of shape (num,)
        Coordinates along ``directions[1]``, the same values.
    losses : ndarray of shape (num, num)
        ``losses[j, i]`` is the loss at ``center + alphas[i] * directions[0] + betas[j] *
        directions[1]``: rows follow ``betas``, columns ``alphas``, which is the layout
        ``plt.contour(alphas, betas, losses)`` expects.
    accuracies : ndarray of shape (num, num) or None
        The accuracy on the same grid, for a classification loss; None otherwise.
    center : ndarray of shape (n_params,)
        The point at ``alpha = beta = 0``.
    directions : ndarray of shape (2, n_params)
        The two directions, as flat parameter vectors.
    explained_variance_ratio : ndarray of shape (2,) or None
        For ``directions='pca'``: the fraction of the path's squared distance to its final
        point that each direction captures. None otherwise.
    trajectory_coords : ndarray of shape (n_points, 2) or None
        For ``directions='pca'``: each point of the path projected on the plane,
        ``((theta_t - center) @ directions[0], (theta_t - center) @ directions[1])``, to draw the
        path over the contours. None otherwise.

    Examples
    --------
    >>> import numpy as np
    >>> grid = np.linspace(-1, 1, 3)
    >>> Slice2D(grid, grid, np.ones((3, 3)), None, np.zeros(4), np.eye(2, 4))
    Slice2D(3 x 3 grid, span 1, loss in [1, 1], 4 parameters)
    """

    alphas: np.ndarray
    betas: np.ndarray
    losses: np.ndarray
    accuracies: np.ndarray | None
    center: np.ndarray
    directions: np.ndarray
    explained_variance_ratio: np.ndarray | None = None
    trajectory_coords: np.ndarray | None = None

    def __repr__(self) -> str:
        return (f"Slice2D({len(self.betas)} x {len(self.alphas)} grid, span "
                f"{self.alphas[-1]:.4g}, loss in {_range(self.losses)}, "
                f"{self.directions.shape[1]} parameters)")  # fmt: skip


# -- the model, flattened ------------------------------------------------------------------------
def _check_model(func: str, model) -> list[np.ndarray]:
    """The model's parameter arrays, after checking that it follows the MLP protocol."""
    missing = [m for m in ("parameters", "loss", "loss_and_grads")
               if not callable(getattr(model, m, None))]  # fmt: skip
    if missing:
        raise invalid(func, "model", "a model with parameters(), loss(X, y, loss) and "
                      "loss_and_grads(X, y, loss), such as optlearn.nn.MLP",
                      type(model).__name__, f"It has no {', '.join(missing)}.",
                      exc=TypeError)  # fmt: skip
    params = list(model.parameters())
    for i, p in enumerate(params):
        if not isinstance(p, np.ndarray) or p.dtype.kind != "f":
            raise invalid(func, "model", "a model whose parameters() are float arrays",
                          f"parameters()[{i}] of type {type(p).__name__}", exc=TypeError)
    if not params:
        raise invalid(func, "model", "a model with at least one parameter", "no parameters")
    return params


def _check_no_dropout(func: str, model) -> None:
    p = getattr(model, "dropout", 0.0)
    if p:
        raise invalid(func, "model", "a model without dropout (dropout=0): with dropout its "
                      "gradients, hence its curvature, are random", f"dropout={p}",
                      "Load the weights into a copy built with dropout=0: "
                      "copy.load_state_dict(model.state_dict()).")  # fmt: skip


class _Probe:
    """The model seen as a function of one flat float64 vector; restores the model on exit.

    ``with _Probe(func, model, X, y, loss) as probe:`` snapshots the parameters and buffers,
    checks ``X``, ``y`` and ``loss`` with one evaluation at the current parameters (the model's
    own checks, before anything is written), and puts everything back when the block ends,
    also on an exception.
    """

    def __init__(self, func, model, X=None, y=None, loss=None):
        self.func, self.model = func, model
        self.params = _check_model(func, model)
        self.sizes = [p.size for p in self.params]
        self.n = int(sum(self.sizes))
        # the coarsest dtype sets the accuracy of finite differences
        self.eps_machine = max(float(np.finfo(p.dtype).eps) for p in self.params)
        self.X, self.y, self.loss = X, y, loss
        self._saved = None
        self._buffers = None

    def __enter__(self):
        self._saved = [p.copy() for p in self.params]
        state_dict = getattr(self.model, "state_dict", None)
        if callable(state_dict) and callable(getattr(self.model, "load_state_dict", None)):
            names = getattr(self.model, "parameter_names", None)
            names = set(names()) if callable(names) else set()
            state = state_dict()
            if set(state) - names:  # buffers (batch norm's running statistics)
                self._buffers = {k: np.array(v, copy=True) for k, v in state.items()
                                 if k not in names}  # fmt: skip
        if self.X is not None:
            self.value0 = float(self.model.loss(self.X, self.y, self.loss))
        return self

    def __exit__(self, *exc_info):
        for p, saved in zip(self.params, self._saved, strict=True):
            np.copyto(p, saved)
        self._restore_buffers()
        return False

    def _restore_buffers(self):
        # Training-mode gradients update batch norm's running statistics; put them back so the
        # evaluation-mode losses that follow see the model's own.
        if self._buffers is not None:
            state = self.model.state_dict()
            state.update(self._buffers)
            self.model.load_state_dict(state)

    def get(self) -> np.ndarray:
        return np.concatenate([p.reshape(-1) for p in self.params]).astype(np.float64)

    def set(self, theta: np.ndarray) -> None:
        offset = 0
        for p, size in zip(self.params, self.sizes, strict=True):
            np.copyto(p, theta[offset:offset + size].reshape(p.shape), casting="same_kind")
            offset += size

    def split(self, theta: np.ndarray) -> list[np.ndarray]:
        """Views of ``theta``, one per parameter, in its shape."""
        out, offset = [], 0
        for p, size in zip(self.params, self.sizes, strict=True):
            out.append(theta[offset:offset + size].reshape(p.shape))
            offset += size
        return out

    def value(self, theta: np.ndarray) -> float:
        self.set(theta)
        return float(self.model.loss(self.X, self.y, self.loss))

    def accuracy(self, theta: np.ndarray) -> float:
        self.set(theta)
        return float(self.model.accuracy(self.X, self.y))

    def grad(self, theta: np.ndarray) -> np.ndarray:
        self.set(theta)
        _, grads = self.model.loss_and_grads(self.X, self.y, self.loss)
        self._restore_buffers()
        return np.concatenate([np.asarray(g, dtype=np.float64).reshape(-1) for g in grads])

    def vector(self, name: str, value, *, finite: bool = True) -> np.ndarray:
        """``value`` (a flat vector or a state dict) as a float64 vector of length ``n``."""
        func, n = self.func, self.n
        if isinstance(value, Mapping):
            names = getattr(self.model, "parameter_names", None)
            if not callable(names):
                raise invalid(func, name, "a flat parameter vector (this model has no "
                              "parameter_names() to read a state dict with)", "a dict",
                              "Pass get_params(model) of the model in that state.",
                              exc=TypeError)  # fmt: skip
            names = list(names())
            missing = [k for k in names if k not in value]
            if missing:
                raise invalid(func, name, "a state dict with every parameter of the model",
                              f"a dict without {missing}")  # fmt: skip
            parts = []
            for key, p in zip(names, self.params, strict=True):
                a = np.asarray(value[key])
                if a.shape != p.shape:
                    raise invalid(func, f"{name}[{key!r}]", f"shape {p.shape}",
                                  f"shape {a.shape}")  # fmt: skip
                parts.append(a.reshape(-1))
            a = np.concatenate(parts)
        else:
            a = np.asarray(value)
        if a.dtype.kind not in "fiu":
            raise invalid(func, name, "a numeric vector", f"dtype {a.dtype}", exc=TypeError)
        if a.ndim != 1 or a.size != n:
            raise invalid(func, name, f"a flat vector of {n} values, one per parameter entry "
                          "(as get_params(model) returns), or a state dict",
                          f"shape {a.shape}", "Flatten parameters with get_params(model)."
                          if a.ndim != 1 else "")  # fmt: skip
        a = a.astype(np.float64)
        if finite and not np.isfinite(a.sum()):
            bad = int(np.count_nonzero(~np.isfinite(a)))
            raise invalid(func, name, "finite", f"{bad} NaN or infinite entries of {n}")
        return a


# -- get and set ----------------------------------------------------------------------------------
def get_params(model) -> np.ndarray:
    """The model's parameters as one flat float64 vector, in the order of ``parameters()``.

    Each array is flattened in C order (for an MLP weight of shape (in, out), row by row) and
    the arrays are concatenated. The vector is a copy: changing it does not change the model.

    Parameters
    ----------
    model : optlearn.nn.MLP or a model with the same ``parameters()``

    Returns
    -------
    ndarray of shape (n_params,), float64

    Raises
    ------
    TypeError
        If ``model`` does not follow the protocol.

    Examples
    --------
    >>> from optlearn.nn import MLP
    >>> net = MLP([2, 3, 1], seed=0)
    >>> theta = get_params(net)
    >>> theta.shape, theta.dtype  # 2 * 3 + 3 + 3 * 1 + 1
    ((13,), dtype('float64'))
    >>> bool((theta[:6] == net.parameters()[0].ravel()).all())
    True
    """
    return _Probe("get_params", model).get()


def set_params(model, vector) -> None:
    """Write a flat parameter vector into the model's arrays, in place.

    The inverse of :func:`get_params`: the arrays keep their identity (an optimizer holding them
    keeps working) and their dtype (a float64 vector is rounded into a float32 model).

    Parameters
    ----------
    model : optlearn.nn.MLP or a model with the same ``parameters()``
    vector : array-like of shape (n_params,)
        Finite values, in the order of :func:`get_params`.

    Raises
    ------
    ValueError
        If ``vector`` has the wrong length or a NaN or infinite entry (nothing is written).
    TypeError
        If ``model`` does not follow the protocol or ``vector`` is not numeric.

    Examples
    --------
    >>> import numpy as np
    >>> from optlearn.nn import MLP
    >>> net = MLP([2, 3, 1], seed=0)
    >>> set_params(net, np.arange(13.0))
    >>> net.parameters()[1]  # layers.0.bias, after the 6 entries of layers.0.weight
    array([6., 7., 8.], dtype=float32)
    """
    probe = _Probe("set_params", model)
    probe.set(probe.vector("vector", vector))


# -- argument checks ------------------------------------------------------------------------------
def _check_choice(func: str, name: str, value, options) -> str:
    if not isinstance(value, str) or value not in options:
        raise invalid(func, name, f"one of {', '.join(repr(o) for o in options)}", value)
    return value


def _check_extend(func: str, extend) -> tuple[float, float]:
    if isinstance(extend, str | bytes) or not hasattr(extend, "__len__") or len(extend) != 2:
        raise invalid(func, "extend", "a pair (before, after) of floats >= 0", extend,
                      exc=TypeError)  # fmt: skip
    return (check_real(func, "extend[0]", extend[0], low=0),
            check_real(func, "extend[1]", extend[1], low=0))  # fmt: skip


def _check_max_iter(func: str, max_iter):
    return None if max_iter is None else check_int(func, "max_iter", max_iter, low=1)


# -- slices ---------------------------------------------------------------------------------------
def slice_1d(model, X, y, start, end, *, num=51, loss="cross_entropy",
             extend=(0.0, 0.0)) -> Slice1D:  # fmt: skip
    r"""The loss along the straight line between two points of parameter space.

    .. math::

        \theta(\alpha) = (1 - \alpha)\,\theta_{\text{start}} + \alpha\,\theta_{\text{end}},
        \qquad \alpha \in \text{linspace}(-e_0,\ 1 + e_1,\ \text{num}),

    the experiment of Goodfellow et al. (2015): from the initial to the trained weights, the
    loss of a network often falls monotonically, with no bump to cross.

    Parameters
    ----------
    model : optlearn.nn.MLP or a model with the same protocol
    X : array-like of shape (n_samples, n_features)
    y : array-like
        Targets, as ``model.loss`` takes them.
    start, end : ndarray of shape (n_params,) or dict
        The two points, as flat vectors from :func:`get_params` or as state dicts (only the
        parameters are read; buffers such as batch norm's running statistics are not
        interpolated, the model's current ones are used throughout).
    num : int, default=51
        Number of points, >= 2.
    loss : {'cross_entropy', 'mse', 'binary_cross_entropy_with_logits'}, default='cross_entropy'
    extend : tuple of 2 floats >= 0, default=(0.0, 0.0)
        How far to continue the line before ``start`` and after ``end``, in units of the
        segment: ``(0.5, 0.5)`` shows ``alpha`` from -0.5 to 1.5.

    Returns
    -------
    Slice1D
        ``alphas``, ``losses`` (evaluation mode), ``accuracies`` (for a classification loss,
        else None) and the ``distance`` between the two points. With ``extend=(0, 0)`` the
        first and last losses are exactly the model's loss at ``start`` and ``end``.

    Raises
    ------
    ValueError
        If ``num < 2``, ``extend`` has a negative entry, ``start`` or ``end`` do not have one
        finite value per parameter entry, or ``X``, ``y`` or ``loss`` are refused by the model.
    TypeError
        If an argument is of the wrong type.

    Notes
    -----
    The model's parameters are restored afterwards. With ``(1 - alpha) start + alpha end``
    (rather than ``start + alpha (end - start)``) both endpoints are reproduced bit for bit.

    Examples
    --------
    >>> import numpy as np
    >>> from optlearn.nn import MLP
    >>> from optlearn.data import gaussian_blobs
    >>> X, y = gaussian_blobs(n=60, centers=3, seed=0)
    >>> net = MLP([2, 8, 3], dtype=np.float64, seed=0)
    >>> init = get_params(net)
    >>> for _ in range(100):  # plain gradient descent
    ...     _, grads = net.loss_and_grads(X, y)
    ...     for p, g in zip(net.parameters(), grads):
    ...         p -= 0.1 * g
    >>> s = slice_1d(net, X, y, init, get_params(net), num=5)
    >>> s.alphas
    array([0.  , 0.25, 0.5 , 0.75, 1.  ])
    >>> bool(np.all(np.diff(s.losses) < 0)), bool(s.losses[-1] == net.loss(X, y))
    (True, True)
    """
    func = "slice_1d"
    with _Probe(func, model) as probe:  # validation only: nothing is written yet
        num = check_int(func, "num", num, low=2)
        e0, e1 = _check_extend(func, extend)
        start = probe.vector("start", start)
        end = probe.vector("end", end)
    alphas = np.linspace(-e0, 1.0 + e1, num)
    if e0 == 0.0:
        alphas[0] = 0.0  # not -0.0
    with _Probe(func, model, X, y, loss) as probe:
        classify = loss in _CLASSIFICATION and callable(getattr(model, "accuracy", None))
        losses = np.empty(num)
        accuracies = np.empty(num) if classify else None
        for i, a in enumerate(alphas):
            theta = (1.0 - a) * start + a * end
            losses[i] = probe.value(theta)
            if classify:
                accuracies[i] = probe.accuracy(theta)
    return Slice1D(alphas, losses, accuracies, float(np.linalg.norm(end - start)))


def _filter_normalize(probe: _Probe, direction: np.ndarray, center: np.ndarray) -> np.ndarray:
    """Li et al. (2018)'s filter normalisation, on a copy of ``direction``.

    Every column of a 2-D parameter (one output unit of ``X @ W + b``: the MLP's equivalent of
    a convolution filter) is rescaled to the norm of the same column of ``center``; 1-D
    parameters (biases, normalisation gains and shifts, weight norm's ``g``) are set to zero.
    """
    out = direction.copy()
    for d, w in zip(probe.split(out), probe.split(center), strict=True):
        if d.ndim < 2:
            d[...] = 0.0
            continue
        d2, w2 = d.reshape(-1, d.shape[-1]), w.reshape(-1, w.shape[-1])  # views
        norm_d = np.linalg.norm(d2, axis=0)
        scale = np.divide(np.linalg.norm(w2, axis=0), norm_d, out=np.zeros_like(norm_d),
                          where=norm_d > 0)  # fmt: skip
        d2 *= scale
    return out


def _pca(func: str, probe: _Probe, trajectory) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Top-2 principal directions of the path relative to its final point, their share of
    the squared distances, and the path as rows of float64 vectors."""
    if trajectory is None:
        raise invalid(func, "trajectory", "a list of at least 3 parameter vectors when "
                      "directions='pca'", None, "Save get_params(model) every epoch and pass "
                      "the list.")  # fmt: skip
    if isinstance(trajectory, np.ndarray) and trajectory.ndim == 2:
        points = list(trajectory)
    elif isinstance(trajectory, Mapping | str | bytes) or not hasattr(trajectory, "__len__"):
        raise invalid(func, "trajectory", "a list of parameter vectors",
                      type(trajectory).__name__, exc=TypeError)  # fmt: skip
    else:
        points = list(trajectory)
    if len(points) < 3:
        raise invalid(func, "trajectory", "a list of at least 3 parameter vectors (two "
                      "directions need two steps away from the final point)",
                      f"{len(points)} points")  # fmt: skip
    path = np.stack([probe.vector(f"trajectory[{t}]", p) for t, p in enumerate(points)])
    # Li et al. (2018), section 7: M = [theta_0 - theta_n; ...; theta_{n-1} - theta_n], not
    # mean-centred, so that the plane passes through the final point.
    M = path[:-1] - path[-1]
    _, s, vt = np.linalg.svd(M, full_matrices=False)
    directions = vt[:2].copy()
    # Fix the signs (as scikit-learn's svd_flip): the largest entry of each direction > 0.
    rows = np.arange(2)
    directions *= np.sign(directions[rows, np.abs(directions).argmax(axis=1)])[:, None]
    total = float(np.sum(s**2))
    ratio = s[:2] ** 2 / total if total > 0 else np.zeros(2)
    return directions, ratio, path


def slice_2d(model, X, y, *, center=None, directions="random", trajectory=None, span=1.0,
             num=31, seed=0, loss="cross_entropy") -> Slice2D:  # fmt: skip
    r"""The loss on a plane through parameter space, for contour and surface plots.

    .. math::

        L(\alpha, \beta) = L(\theta_c + \alpha\, d_1 + \beta\, d_2), \qquad
        \alpha, \beta \in \text{linspace}(-\text{span},\ \text{span},\ \text{num}).

    Parameters
    ----------
    model : optlearn.nn.MLP or a model with the same protocol
    X : array-like of shape (n_samples, n_features)
    y : array-like
        Targets, as ``model.loss`` takes them.
    center : ndarray of shape (n_params,) or dict, optional
        The point at the middle of the plane. Default: the model's current parameters, or the
        final point of ``trajectory`` for ``directions='pca'``.
    directions : {'random', 'pca'} or tuple of 2 vectors, default='random'
        - ``'random'``: two Gaussian directions, filter-normalised (Li et al. 2018): each
          column of each weight matrix (the incoming weights of one output unit) is rescaled
          to the norm of that column in ``center``, and biases and other 1-D parameters are
          set to zero (Li et al.'s "ignore biases and BN parameters"). A step of 1 along such
          a direction changes every unit's weights by as much as their own size, so slices of
          networks of different scales compare.
        - ``'pca'``: the top two principal directions (unit vectors) of ``trajectory`` taken
          relative to its final point (Li et al. 2018, section 7): the plane that the
          optimisation path lies closest to.
        - ``(d1, d2)``: your own directions (flat vectors or state dicts), used as given.
    trajectory : list of ndarray of shape (n_params,), or ndarray of shape (n_points, n_params)
        The optimisation path for ``directions='pca'`` (at least 3 points, for example
        :func:`get_params` saved every epoch, the last one being the trained model).
    span : float > 0, default=1.0
        Half the side of the square, in units of the directions.
    num : int, default=31
        Points per side, >= 2 (the loss is evaluated ``num ** 2`` times).
    seed : int or np.random.Generator, default=0
        Draws the random directions (``d1`` first, then ``d2``); unused otherwise.
    loss : {'cross_entropy', 'mse', 'binary_cross_entropy_with_logits'}, default='cross_entropy'

    Returns
    -------
    Slice2D
        ``alphas``, ``betas``, ``losses`` of shape (num, num) with ``losses[j, i]`` at
        ``(alphas[i], betas[j])``, ``accuracies`` (classification losses), ``center``,
        ``directions`` and, for ``'pca'``, ``explained_variance_ratio`` and
        ``trajectory_coords``.

    Raises
    ------
    ValueError
        If ``num < 2``, ``span <= 0``, ``directions`` is an unknown name or its vectors have
        the wrong length, ``trajectory`` is missing or has fewer than 3 points for ``'pca'``,
        or ``X``, ``y`` or ``loss`` are refused by the model.
    TypeError
        If an argument is of the wrong type.

    Notes
    -----
    With an odd ``num`` the middle of the grid is exactly ``center``, so
    ``losses[num // 2, num // 2]`` is the loss there. A plane through a high-dimensional space
    shows very little of it: a 2-D slice can hide directions of negative curvature or make a
    saddle look like a minimum (Li et al. 2018, section 6); read it with the Hessian's spectrum
    (:func:`hessian_eigs`). Random directions are nearly orthogonal to each other and to any
    fixed vector in high dimension, so a random plane almost never contains the optimisation
    path: project the path on a ``'pca'`` plane instead.

    Examples
    --------
    >>> import numpy as np
    >>> from optlearn.nn import MLP
    >>> from optlearn.data import gaussian_blobs
    >>> X, y = gaussian_blobs(n=60, centers=3, seed=0)
    >>> net = MLP([2, 8, 3], dtype=np.float64, seed=0)
    >>> s = slice_2d(net, X, y, num=5, span=0.5)
    >>> s.losses.shape, s.directions.shape
    ((5, 5), (2, 51))
    >>> bool(s.losses[2, 2] == net.loss(X, y))
    True
    """
    func = "slice_2d"
    explained = coords = None
    with _Probe(func, model) as probe:  # validation only: nothing is written yet
        num = check_int(func, "num", num, low=2)
        span = check_real(func, "span", span, low=0, low_open=True)
        path = None
        if isinstance(directions, str):
            if directions not in _DIRECTIONS:
                raise invalid(func, "directions", "'random', 'pca' or a pair (d1, d2) of "
                              "parameter vectors", directions)  # fmt: skip
            if directions == "pca":
                dirs, explained, path = _pca(func, probe, trajectory)
            else:
                gen = check_seed(func, seed)
        elif (isinstance(directions, bytes | Mapping)
              or not hasattr(directions, "__len__")):  # fmt: skip
            raise invalid(func, "directions", "'random', 'pca' or a pair (d1, d2) of parameter "
                          "vectors", type(directions).__name__, exc=TypeError)  # fmt: skip
        elif len(directions) != 2:
            raise invalid(func, "directions", "'random', 'pca' or a pair (d1, d2) of parameter "
                          "vectors", f"{len(directions)} directions")  # fmt: skip
        else:
            dirs = np.stack([probe.vector("directions[0]", directions[0]),
                             probe.vector("directions[1]", directions[1])])  # fmt: skip
        if center is not None:
            center = probe.vector("center", center)
        elif path is not None:
            center = path[-1].copy()
        else:
            center = probe.get()
        if isinstance(directions, str) and directions == "random":
            raw = gen.standard_normal((2, probe.n))
            dirs = np.stack([_filter_normalize(probe, raw[0], center),
                             _filter_normalize(probe, raw[1], center)])  # fmt: skip
        if path is not None:
            coords = (path - center) @ dirs.T
    alphas = np.linspace(-span, span, num)
    if num % 2:
        alphas[num // 2] = 0.0  # linspace may miss 0 by a rounding error; the center is exact
    betas = alphas.copy()
    with _Probe(func, model, X, y, loss) as probe:
        classify = loss in _CLASSIFICATION and callable(getattr(model, "accuracy", None))
        losses = np.empty((num, num))
        accuracies = np.empty((num, num)) if classify else None
        for j, b in enumerate(betas):
            row = center + b * dirs[1]
            for i, a in enumerate(alphas):
                theta = row + a * dirs[0]
                losses[j, i] = probe.value(theta)
                if classify:
                    accuracies[j, i] = probe.accuracy(theta)
    return Slice2D(alphas, betas, losses, accuracies, center, dirs, explained, coords)


# -- curvature ------------------------------------------------------------------------------------
def _default_eps(probe: _Probe, theta: np.ndarray, norm_v: float) -> float:
    """A step of length u^(1/3) * max(1, rms(theta)) along v.

    The truncation error of the central difference is O(h^2) in the step length h and the
    rounding error O(u / h), so the best h is about u^(1/3) (6e-6 for float64, 5e-3 for
    float32) on the scale over which the loss changes: O(1) for networks with weights of order
    one (standardised inputs, usual initialisations). Scaling by ||theta|| instead (the usual
    rule for optimisation variables) is too coarse for networks: on a trained tanh digits MLP
    (||theta|| ~ 16), a step of 0.08 along the sharpest direction gives an 8% error (truncation:
    the same in float32 and float64), a step of 5e-3 errors of 1e-4 to 1e-3 in float32 and
    1e-5 to 1e-9 steps give about 1e-9 in float64 (measured). The max(1, rms) factor keeps each
    coordinate's change above the rounding of large weights.
    """
    rms = float(np.linalg.norm(theta)) / math.sqrt(theta.size)
    return probe.eps_machine ** (1 / 3) * max(1.0, rms) / norm_v


def _hvp(probe: _Probe, theta: np.ndarray, v: np.ndarray, eps) -> np.ndarray:
    norm_v = float(np.linalg.norm(v))
    if norm_v == 0.0:
        return np.zeros_like(v)
    if eps is None:
        eps = _default_eps(probe, theta, norm_v)
    g_plus = probe.grad(theta + eps * v)
    g_minus = probe.grad(theta - eps * v)
    return (g_plus - g_minus) / (2.0 * eps)


def hessian_vector_product(model, X, y, v, *, loss="cross_entropy", eps=None) -> np.ndarray:
    r"""The Hessian of the loss times a vector, from central differences of the gradient.

    .. math::

        H v \approx \frac{\nabla L(\theta + \epsilon v) - \nabla L(\theta - \epsilon v)}
        {2 \epsilon},

    exact for a loss that is quadratic in the parameters, with error :math:`O(\epsilon^2)`
    otherwise. Two gradient evaluations; the Hessian (``n_params ** 2`` entries) is never
    formed.

    Parameters
    ----------
    model : optlearn.nn.MLP or a model with the same protocol, without dropout
        The Hessian is taken at its current parameters.
    X : array-like of shape (n_samples, n_features)
    y : array-like
        Targets, as ``model.loss_and_grads`` takes them.
    v : ndarray of shape (n_params,) or dict
        The vector, flat (as :func:`get_params`) or as a state dict.
    loss : {'cross_entropy', 'mse', 'binary_cross_entropy_with_logits'}, default='cross_entropy'
    eps : float > 0, optional
        The step is ``eps * v``. Default: a step of length
        :math:`u^{1/3} \max(1, \|\theta\| / \sqrt{n})` (that is, ``eps`` is that divided by
        :math:`\|v\|`), with :math:`u` the machine epsilon of the model's dtype: about 6e-6
        for float64 and 5e-3 for float32 when the weights are of order one. It balances the
        :math:`O(\epsilon^2)` truncation error against the :math:`O(u / \epsilon)` rounding
        error of the difference, does not depend on the length of ``v``, and grows with the
        root-mean-square weight only when that is above 1.

    Returns
    -------
    ndarray of shape (n_params,), float64
        Zero for ``v = 0`` (no gradient is evaluated).

    Raises
    ------
    ValueError
        If the model has dropout, ``v`` does not have one finite value per parameter entry,
        ``eps <= 0``, or ``X``, ``y`` or ``loss`` are refused by the model.
    TypeError
        If an argument is of the wrong type.

    Notes
    -----
    The gradients are computed by the model in its own dtype and differenced in float64. For a
    float64 model the result has about eight correct digits; for a float32 model the relative
    error is about 1e-3 (the rounding of the gradients to float32, divided by a step that
    cannot be small), enough for the sharpness, too coarse for the small eigenvalues: load the
    weights into a float64 copy of the model for spectra.

    Use smooth activations (``'tanh'``, ``'gelu'``, ``'sigmoid'``) for curvature. A ReLU
    network's gradient jumps where a pre-activation crosses zero, and a finite difference picks
    up the jumps its two points straddle: with thousands of pre-activations, some sit within any
    step of a kink, and the result is dominated by them (errors of 100% and more, measured on a
    trained digits MLP, changing with ``eps``). Automatic differentiation (PyTorch's double
    backward, Pearlmutter 1994) gives the Hessian of the current linear piece instead; the
    tests compare this function with it on a tanh network.

    With batch norm the gradient is that of the training-mode loss (statistics of the batch
    ``X``), so this is the Hessian of that loss, not of the evaluation-mode ``model.loss``.

    Examples
    --------
    >>> import numpy as np
    >>> from optlearn.nn import MLP
    >>> X = np.array([[1.0, 0.0], [0.0, 2.0], [1.0, 1.0]])
    >>> y = np.array([1.0, 2.0, 0.5])
    >>> net = MLP([2, 1], activation="identity", dtype=np.float64, seed=0)  # linear: L quadratic
    >>> A = np.hstack([X, np.ones((3, 1))])  # parameters: w1, w2, b
    >>> H = 2 / 3 * A.T @ A  # the Hessian of mean((X w + b - y)^2)
    >>> v = np.array([1.0, -1.0, 0.5])
    >>> np.allclose(hessian_vector_product(net, X, y, v, loss="mse"), H @ v, rtol=1e-8)
    True
    """
    func = "hessian_vector_product"
    _check_model(func, model)
    _check_no_dropout(func, model)
    if eps is not None:
        eps = check_real(func, "eps", eps, low=0, low_open=True)
    with _Probe(func, model) as probe:
        v = probe.vector("v", v)
    with _Probe(func, model, X, y, loss) as probe:
        return _hvp(probe, probe.get(), v, eps)


def _power(matvec, n: int, k: int, which: str, tol: float, max_iter: int, gen) -> np.ndarray:
    """The ``k`` largest (or smallest) eigenvalues of the symmetric ``matvec`` by power
    iteration, with deflation (each iterate kept orthogonal to the vectors already found)."""

    def run(shift, basis):
        u = gen.standard_normal(n)
        lam = math.nan
        for _ in range(max_iter):
            if basis:
                u -= np.stack(basis).T @ (np.stack(basis) @ u)
            u /= np.linalg.norm(u)
            w = matvec(u) - shift * u
            lam_new = float(u @ w)  # the Rayleigh quotient of H - shift I
            if abs(lam_new - lam) <= tol * abs(lam_new):
                return lam_new + shift, u
            lam = lam_new
            if not np.any(w):
                return shift, u  # u is in the null space of H - shift I
            u = w
        raise RuntimeError(
            f"hessian_eigs: power iteration did not converge within max_iter={max_iter} "
            f"iterations (last estimate {lam + shift:.6g}). Raise max_iter or tol, or use "
            "method='lanczos', which converges in far fewer Hessian-vector products."
        )

    # Power iteration finds the eigenvalue of largest magnitude, lam_dom. Shifting by
    # -|lam_dom| (for the largest) or +|lam_dom| (smallest) makes every eigenvalue of
    # H - shift I of one sign, so that largest magnitude means largest (smallest) algebraic
    # value, also for the deflated runs.
    lam_dom, u_dom = run(0.0, [])
    wanted_sign = 1.0 if which == "largest" else -1.0
    values, basis = [], []
    if lam_dom * wanted_sign >= 0:
        values.append(lam_dom)
        basis.append(u_dom)
    shift = -wanted_sign * abs(lam_dom)
    while len(values) < k:
        lam, u = run(shift, basis)
        values.append(lam)
        basis.append(u)
    return np.array(values)


def hessian_eigs(model, X, y, k=1, *, which="largest", method="lanczos", loss="cross_entropy",
                 tol=1e-6, max_iter=None, seed=0) -> np.ndarray:  # fmt: skip
    r"""Extreme eigenvalues of the Hessian of the loss, from Hessian-vector products.

    Each product costs two gradient evaluations on ``(X, y)``
    (:func:`hessian_vector_product` with its default step); the Hessian is never formed.

    Parameters
    ----------
    model : optlearn.nn.MLP or a model with the same protocol, without dropout
        The Hessian is taken at its current parameters.
    X : array-like of shape (n_samples, n_features)
    y : array-like
        Targets, as ``model.loss_and_grads`` takes them.
    k : int, default=1
        How many eigenvalues from each requested end: ``1 <= k < n_params`` for Lanczos
        (ARPACK's requirement), ``1 <= k <= n_params`` for power iteration, and
        ``2 k <= n_params`` for ``which='both'``.
    which : {'largest', 'smallest', 'both'}, default='largest'
        The ``k`` algebraically largest eigenvalues (the sharpest directions), the ``k``
        smallest (the most negative curvature, at a saddle), or both (``2 k`` values).
    method : {'lanczos', 'power'}, default='lanczos'
        ``'lanczos'``: ``scipy.sparse.linalg.eigsh`` (ARPACK's implicitly restarted Lanczos)
        on a ``LinearOperator`` of Hessian-vector products, ``which='LA'`` / ``'SA'``.
        ``'power'``: power iteration, the textbook method (see Notes), slower.
    loss : {'cross_entropy', 'mse', 'binary_cross_entropy_with_logits'}, default='cross_entropy'
    tol : float > 0, default=1e-6
        Relative accuracy: ARPACK's ``tol`` for Lanczos; for power iteration, the relative
        change of the Rayleigh quotient between two iterations at which to stop.
    max_iter : int >= 1, optional
        ARPACK's ``maxiter`` (default ``10 * n_params``) for Lanczos; the number of
        iterations per eigenvalue for power iteration (default 1000).
    seed : int or np.random.Generator, default=0
        Draws the starting vectors.

    Returns
    -------
    ndarray of shape (k,) or (2 k,), float64
        The eigenvalues, sorted in decreasing order (for ``'both'``, the ``k`` largest then
        the ``k`` smallest).

    Raises
    ------
    ValueError
        If ``k`` is out of range, ``which`` or ``method`` is unknown, ``tol <= 0``, the model
        has dropout, or ``X``, ``y`` or ``loss`` are refused by the model.
    RuntimeError
        If the method does not converge within ``max_iter``.
    TypeError
        If an argument is of the wrong type.

    Notes
    -----
    Power iteration converges to the eigenvalue of largest magnitude, which can be a negative
    one. It is run once for that value :math:`\lambda_{\text{dom}}`; if it is not the wanted
    end, it is run again on :math:`H + |\lambda_{\text{dom}}| I` (for the largest; on
    :math:`H - |\lambda_{\text{dom}}| I` for the smallest), whose eigenvalues all have one sign.
    Further eigenvalues (``k > 1``) come from the same iteration kept orthogonal to the
    eigenvectors already found (deflation). The error shrinks like
    :math:`(\lambda_2 / \lambda_1)^{2t}`: slow when the top eigenvalues are close, and slower
    after a shift; Lanczos reaches the same accuracy in far fewer products.

    The accuracy is bounded by that of the Hessian-vector products: about 1e-3 relative for a
    float32 model (use a float64 copy, see :func:`hessian_vector_product`).

    Examples
    --------
    >>> import numpy as np
    >>> from optlearn.nn import MLP
    >>> X = np.array([[1.0, 0.0], [0.0, 2.0], [1.0, 1.0]])
    >>> y = np.array([1.0, 2.0, 0.5])
    >>> net = MLP([2, 1], activation="identity", dtype=np.float64, seed=0)
    >>> A = np.hstack([X, np.ones((3, 1))])
    >>> np.linalg.eigvalsh(2 / 3 * A.T @ A)[::-1].round(6)  # the exact spectrum, decreasing
    array([5.233903, 1.392097, 0.040666])
    >>> hessian_eigs(net, X, y, k=2, loss="mse").round(6)
    array([5.233903, 1.392097])
    >>> hessian_eigs(net, X, y, which="smallest", method="power", loss="mse", tol=1e-12).round(6)
    array([0.040666])
    """
    func = "hessian_eigs"
    params = _check_model(func, model)
    _check_no_dropout(func, model)
    _check_choice(func, "which", which, _WHICH)
    _check_choice(func, "method", method, _METHODS)
    n = int(sum(p.size for p in params))
    k = check_int(func, "k", k, low=1)
    high = n - 1 if method == "lanczos" else n
    if which == "both":
        high = min(high, n // 2)
    if k > high:
        why = {"lanczos": "ARPACK's Lanczos needs k < n_params",
               "power": "there are n_params eigenvalues"}[method]  # fmt: skip
        if which == "both":
            why += " and which='both' asks for 2 k distinct ones"
        raise invalid(func, "k", f"an int in the range [1, {high}] for this model of {n} "
                      f"parameters ({why})", k, "Ask for fewer eigenvalues."
                      if high >= 1 else "This model is too small for it.")  # fmt: skip
    tol = check_real(func, "tol", tol, low=0, low_open=True)
    max_iter = _check_max_iter(func, max_iter)
    gen = check_seed(func, seed)
    ends = ("largest", "smallest") if which == "both" else (which,)
    with _Probe(func, model, X, y, loss) as probe:
        theta = probe.get()

        def matvec(v):
            return _hvp(probe, theta, np.asarray(v, dtype=np.float64).reshape(-1), None)

        values = []
        for end in ends:
            if method == "power":
                values.append(_power(matvec, n, k, end, tol, max_iter or _POWER_MAX_ITER, gen))
            else:
                values.append(_lanczos(matvec, n, k, end, tol, max_iter, gen))
    return np.sort(np.concatenate(values))[::-1].copy()


def _lanczos(matvec, n: int, k: int, which: str, tol: float, max_iter, gen) -> np.ndarray:
    from scipy.sparse.linalg import ArpackNoConvergence, LinearOperator, eigsh

    operator = LinearOperator((n, n), matvec=matvec, dtype=np.float64)
    try:
        return eigsh(operator, k=k, which="LA" if which == "largest" else "SA", tol=tol,
                     maxiter=max_iter, v0=gen.standard_normal(n),
                     return_eigenvectors=False)  # fmt: skip
    except ArpackNoConvergence as error:
        raise RuntimeError(
            f"hessian_eigs: Lanczos (ARPACK) did not converge for the {k} {which} "
            f"eigenvalues within max_iter={max_iter} restarts ({error}). Raise max_iter or tol."
        ) from None


def sharpness(model, X, y, *, loss="cross_entropy", rho=None, tol=1e-6, seed=0) -> float:
    r"""How sharp the loss is at the model's parameters.

    Without ``rho``: the largest eigenvalue of the Hessian, :math:`\lambda_{\max}(\nabla^2
    L(\theta))`, the "sharpness" of Cohen et al. (2021). Gradient descent with learning rate
    :math:`\eta` is stable on a quadratic only while :math:`\lambda_{\max} < 2 / \eta`; on
    neural networks full-batch GD drives the sharpness up to that value and then hovers there
    (the edge of stability).

    With ``rho``: the SAM sharpness of Foret et al. (2021, eq. 1-2), the largest increase of
    the loss within an L2 ball of radius :math:`\rho`, with the maximiser approximated by one
    normalised gradient-ascent step (their first-order solution):

    .. math::

        \max_{\|\epsilon\|_2 \le \rho} L(\theta + \epsilon) - L(\theta)
        \approx L\!\left(\theta + \rho \frac{\nabla L(\theta)}{\|\nabla L(\theta)\|}\right)
        - L(\theta).

    Parameters
    ----------
    model : optlearn.nn.MLP or a model with the same protocol, without dropout
    X : array-like of shape (n_samples, n_features)
    y : array-like
        Targets, as ``model.loss`` takes them.
    loss : {'cross_entropy', 'mse', 'binary_cross_entropy_with_logits'}, default='cross_entropy'
    rho : float > 0, optional
        The radius for the SAM sharpness; None for the top Hessian eigenvalue.
    tol : float > 0, default=1e-6
        Lanczos' relative tolerance, for the eigenvalue (see :func:`hessian_eigs`).
    seed : int or np.random.Generator, default=0
        Lanczos' starting vector, for the eigenvalue.

    Returns
    -------
    float
        :math:`\lambda_{\max}`, or the loss increase (0.0 at a point where the gradient is
        exactly zero, where the one-step approximation has no direction to go).

    Raises
    ------
    ValueError
        If the model has dropout, ``rho <= 0``, or ``X``, ``y`` or ``loss`` are refused by the
        model.
    TypeError
        If an argument is of the wrong type.

    Notes
    -----
    The eigenvalue is ``hessian_eigs(model, X, y, k=1, method='lanczos')[0]``. For the SAM
    sharpness the two loss values are taken in evaluation mode and the gradient in training
    mode (they agree without batch norm). A one-step ascent underestimates the true maximum
    where the loss curves up away from the gradient; for a quadratic it is exact only when the
    gradient is an eigenvector of the top eigenvalue.

    Examples
    --------
    >>> import numpy as np
    >>> from optlearn.nn import MLP
    >>> X = np.array([[1.0, 0.0], [0.0, 2.0], [1.0, 1.0]])
    >>> y = np.array([1.0, 2.0, 0.5])
    >>> net = MLP([2, 1], activation="identity", dtype=np.float64, seed=0)
    >>> round(sharpness(net, X, y, loss="mse"), 6)  # 2 / 3 times the top eigenvalue of A^T A
    5.233903
    >>> sharpness(net, X, y, loss="mse", rho=0.05) > 0
    True
    """
    func = "sharpness"
    _check_model(func, model)
    _check_no_dropout(func, model)
    if rho is None:
        return float(hessian_eigs(model, X, y, k=1, which="largest", method="lanczos",
                                  loss=loss, tol=tol, seed=seed)[0])  # fmt: skip
    rho = check_real(func, "rho", rho, low=0, low_open=True)
    with _Probe(func, model, X, y, loss) as probe:
        theta = probe.get()
        g = probe.grad(theta)
        norm = float(np.linalg.norm(g))
        if norm == 0.0 or not math.isfinite(norm):
            return 0.0 if norm == 0.0 else math.nan
        return probe.value(theta + (rho / norm) * g) - probe.value0
