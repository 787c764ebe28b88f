r"""The figures every chapter draws: surfaces with optimizer paths, training curves, schedules,
gradient norms, phase diagrams, loss-landscape slices and Hessian spectra.

Each function takes plain arrays (or small duck-typed objects, below), draws on an ``ax`` it is
given, or on a new figure sized for the book's column, and returns the Axes. None of them
prints, calls ``plt.show`` or reads a global: every limit, level and start point is an argument
whose default comes from the input (a surface's window, the data's range). Only
:func:`animate_paths` returns something else, the self-contained HTML of an animation.

**Style.** ``optlearn.mplstyle`` (next to this module, :data:`STYLE_FILE`) is the house style:
a 6.5 in wide figure, readable fonts, Okabe and Ito's colour-blind-safe palette, no top and
right spines. Every function draws inside :func:`style`, a context manager, so the style shapes
what it draws while the caller's ``rcParams`` are the same afterwards; :func:`use_style` applies
it for good, to a chapter's own figures.

**The inputs.**

- A *surface* is any object with ``name``; ``window``, ``((xmin, xmax), (ymin, ymax))``;
  ``minima`` and ``saddles``, arrays of shape (k, 2); ``log_levels``, whether its contours read
  best log-spaced; and ``value(xy)``, the function, vectorised over arrays of shape (..., 2)
  (as :mod:`optlearn.surfaces` defines them).
- A *path* is an array of shape (steps + 1, 2), the start point first; many paths from one
  optimizer are an array of shape (n_starts, steps + 1, 2) (as :mod:`optlearn.trajectories`
  returns them). A diverged path may hold NaN or inf after some step.
- A *history* is an :class:`optlearn.train.History`, its ``to_dict()``, or any object with the
  same attributes (``epoch``, ``train_loss``, ``val_loss``, ...).

Examples
--------
>>> import numpy as np
>>> import matplotlib.pyplot as plt
>>> from optlearn.plotting import plot_paths
>>> path = np.array([[1.0, 1.0], [0.5, 0.4], [0.2, 0.1], [0.0, 0.0]])
>>> ax = plot_paths({"GD": path})
>>> [t.get_text() for t in ax.get_legend().get_texts()]
['GD']
>>> plt.close(ax.figure)
"""

from __future__ import annotations

import contextlib
import functools
import inspect
import math
import re
import tempfile
import warnings
from collections.abc import Mapping
from numbers import Integral
from pathlib import Path

import matplotlib as mpl
import matplotlib.pyplot as plt
import matplotlib.style as mplstyle
import numpy as np
from matplotlib.animation import HTMLWriter
from matplotlib.axes import Axes
from matplotlib.colors import BoundaryNorm, ListedColormap
from matplotlib.patches import Patch
from matplotlib.ticker import NullLocator

from ._validation import invalid

__all__ = [
    "STYLE_FILE",
    "AnimationHTML",
    "animate_paths",
    "plot_grad_norms",
    "plot_history",
    "plot_landscape_1d",
    "plot_landscape_2d",
    "plot_paths",
    "plot_phase_diagram",
    "plot_schedule",
    "plot_spectrum",
    "plot_surface",
    "style",
    "use_style",
]

STYLE_FILE = Path(__file__).with_name("optlearn.mplstyle")
"""The path of the house style, for ``plt.style.use(STYLE_FILE)`` or an ``mplstyle`` list."""

# Okabe & Ito (2008), "Color Universal Design": the phase diagram's categories. Converged is
# bluish green, slow yellow, diverged vermillion: hues chosen to stay apart for readers with
# any of the common colour-vision deficiencies.
_CATEGORY_COLORS = ("#009E73", "#F0E442", "#D55E00", "#0072B2", "#CC79A7", "#56B4E9",
                    "#E69F00", "#000000")  # fmt: skip
_NEGATIVE, _POSITIVE = "#D55E00", "#0072B2"  # vermillion and blue (Okabe & Ito)
_HISTORY_PANELS = {  # metric -> (title, ((field, label, line style), ...))
    "loss": ("loss", (("train_loss", "train", "-"), ("val_loss", "val", "-"))),
    "accuracy": ("accuracy", (("train_accuracy", "train", "-"), ("val_accuracy", "val", "-"))),
    "lr": ("learning rate", (("lr", None, "-"),)),
    "grad_norm": ("gradient norm", (("grad_norm", "mean", "-"), ("grad_norm_max", "max", "--"))),
}
_SURFACE_ATTRS = ("name", "window", "minima", "saddles", "log_levels", "value")
_STEP_ORDER_MESSAGE = r"Detected call of `lr_scheduler\.step\(\)` before `optimizer\.step\(\)`"


# --- style ---------------------------------------------------------------------------------
def use_style() -> None:
    """Apply the house style to every figure made from now on (changes ``rcParams``).

    For a chapter's own figures; the functions of this module apply it themselves. To undo it,
    ``plt.style.use("default")``; to apply it for a block only, use :func:`style`.

    Examples
    --------
    >>> import matplotlib as mpl
    >>> with mpl.rc_context():
    ...     use_style()
    ...     mpl.rcParams["axes.spines.top"]
    False
    """
    mplstyle.use(STYLE_FILE)


@contextlib.contextmanager
def style():
    """A context manager: the house style inside the block, the caller's ``rcParams`` after.

    Figures made inside take the style's size, fonts, colours and spines; text and lines keep
    them when drawn later (a notebook renders figures after the cell has run).

    Examples
    --------
    >>> import matplotlib as mpl
    >>> import matplotlib.pyplot as plt
    >>> with style():
    ...     fig, ax = plt.subplots()
    >>> [float(x) for x in fig.get_size_inches()]
    [6.5, 4.0]
    >>> plt.close(fig)
    """
    # Interactive mode is not style: keep what the block left. (The first figure made in
    # IPython/Jupyter loads the inline backend, which turns interactive mode on; restoring the
    # rcParams from before the block would turn it off, and the notebook would stop showing
    # every later figure on its own.)
    interactive = mpl.is_interactive()
    try:
        with mplstyle.context(STYLE_FILE):
            try:
                yield
            finally:
                interactive = mpl.is_interactive()
    finally:
        mpl.interactive(interactive)


def _in_style(func):
    """Run a plotting function inside :func:`style` (so a user's rcParams stay untouched)."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        with style():
            return func(*args, **kwargs)

    return wrapper


# --- checks --------------------------------------------------------------------------------
def _axes(func: str, ax) -> Axes:
    """``ax``, or the Axes of a new figure of the style's size if it is None."""
    if ax is None:
        return plt.subplots()[1]
    if not isinstance(ax, Axes):
        raise invalid(func, "ax", "a matplotlib Axes or None", type(ax).__name__,
                      exc=TypeError)  # fmt: skip
    return ax


def _int(func: str, name: str, value, low: int) -> int:
    if isinstance(value, bool) or not isinstance(value, Integral) or value < low:
        raise invalid(func, name, f"an int in the range [{low}, inf)", value,
                      exc=ValueError if isinstance(value, Integral) else TypeError)  # fmt: skip
    return int(value)


def _real_array(func: str, name: str, value, ndim, *, finite: bool = True) -> np.ndarray:
    """``value`` as a float64 array with ``ndim`` dimensions (an int or a tuple of ints)."""
    try:
        a = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise invalid(func, name, "an array of real numbers", type(value).__name__,
                      exc=TypeError) from None  # fmt: skip
    ndims = (ndim,) if isinstance(ndim, int) else ndim
    if a.ndim not in ndims:
        raise invalid(func, name, f"a {' or '.join(f'{d}-D' for d in ndims)} array",
                      f"shape {a.shape}")  # fmt: skip
    if a.size == 0:
        raise invalid(func, name, "a non-empty array", f"shape {a.shape}")
    if finite and not np.isfinite(a.sum()):  # cheap check first, locate only on failure
        bad = tuple(int(i) for i in np.argwhere(~np.isfinite(a))[0])
        raise invalid(func, name, "finite", f"{a[bad]} at index {bad}")
    return a


def _grid(func: str, name: str, value) -> np.ndarray:
    """A 1-D, finite, strictly monotonic grid of values."""
    v = _real_array(func, name, value, 1)
    d = np.diff(v)
    if v.size > 1 and not ((d > 0).all() or (d < 0).all()):
        raise invalid(func, name, "strictly increasing or strictly decreasing", v.tolist())
    return v


def _window(func: str, name: str, window) -> tuple[tuple[float, float], tuple[float, float]]:
    try:
        (x0, x1), (y0, y1) = ((float(a), float(b)) for a, b in window)
    except (TypeError, ValueError):
        raise invalid(func, name, "((xmin, xmax), (ymin, ymax))", window) from None
    if not all(map(math.isfinite, (x0, x1, y0, y1))) or x0 >= x1 or y0 >= y1:
        raise invalid(func, name, "((xmin, xmax), (ymin, ymax)) with finite xmin < xmax and "
                      "ymin < ymax", window)  # fmt: skip
    return (x0, x1), (y0, y1)


def _check_surface(func: str, surface) -> None:
    missing = [a for a in _SURFACE_ATTRS if not hasattr(surface, a)]
    if missing:
        raise invalid(func, "surface", "an object with the attributes "
                      f"{', '.join(_SURFACE_ATTRS)} (such as optlearn.surfaces.Rosenbrock())",
                      f"a {type(surface).__name__} without {', '.join(missing)}",
                      exc=TypeError)  # fmt: skip


def _points(func: str, name: str, value) -> np.ndarray:
    """An array of shape (k, 2), k >= 0 (a surface's minima or saddles)."""
    a = np.asarray(value, dtype=np.float64)
    if a.size == 0:
        return np.empty((0, 2))
    if a.ndim != 2 or a.shape[1] != 2:
        raise invalid(func, name, "an array of shape (k, 2)", f"shape {a.shape}")
    return a


def _is_geometric(v: np.ndarray) -> bool:
    """Whether a grid is evenly spaced in log (and not also evenly spaced)."""
    if v.size < 3 or (v <= 0).any():
        return False
    r, d = v[1:] / v[:-1], np.diff(v)
    return bool(np.allclose(r, r[0], rtol=1e-6) and not np.allclose(d, d[0], rtol=1e-6))


def _spans_decades(values, decades: float = 2.0) -> bool:
    """Whether positive, finite values span more than ``decades`` powers of ten."""
    v = np.asarray(values, dtype=np.float64)
    v = v[np.isfinite(v)]
    return bool(v.size and (v > 0).all() and v.max() / v.min() > 10.0**decades)


# --- surfaces and paths --------------------------------------------------------------------
def _levels(func: str, z: np.ndarray, levels, log: bool) -> np.ndarray:
    """Contour levels for the values ``z`` (NaN and inf ignored)."""
    if not isinstance(levels, Integral) or isinstance(levels, bool):
        lv = _real_array(func, "levels", levels, 1)
        if lv.size < 2 or (np.diff(lv) <= 0).any():
            raise invalid(func, "levels", "an int >= 2 or at least two increasing values",
                          lv.tolist())  # fmt: skip
        return lv
    n = _int(func, "levels", levels, 2)
    finite = z[np.isfinite(z)]
    if finite.size == 0:
        raise invalid(func, "the values to contour", "finite somewhere", "NaN or inf everywhere",
                      "Check the window: the function overflows on all of it.")  # fmt: skip
    lo, hi = float(finite.min()), float(finite.max())
    if hi == lo:
        return np.array([lo, lo + 1.0])  # a flat function: one level, to draw something
    if not log:
        return np.linspace(lo, hi, n)
    # Log-spaced heights above the minimum, which works for minima <= 0 too (the levels are
    # lo + gap, never log(z)). The smallest gap is the grid's smallest positive one, but no
    # less than 1e-6 of the range, so that a grid point next to the minimum does not spend
    # half the levels on round-off.
    gaps = finite - lo
    smallest = max(float(gaps[gaps > 0].min()), (hi - lo) * 1e-6)
    return lo + np.geomspace(smallest, hi - lo, n)


def _contour(ax, x, y, z, levels, *, filled, colorbar, cmap=None):
    """Contours of z[j, i] at (x[i], y[j]), one colour per level whatever their spacing."""
    cmap = plt.get_cmap(cmap if cmap is not None else mpl.rcParams["image.cmap"])
    # BoundaryNorm gives every level its own step of the colormap, so log-spaced levels are
    # told apart as well as linear ones (a linear norm would paint all low levels alike).
    norm = BoundaryNorm(levels, ncolors=cmap.N)
    z = np.ma.masked_invalid(z)
    if filled:
        cs = ax.contourf(x, y, z, levels=levels, cmap=cmap, norm=norm)
    else:
        cs = ax.contour(x, y, z, levels=levels, cmap=cmap, norm=norm, linewidths=0.8)
    if colorbar:
        cbar = ax.figure.colorbar(cs, ax=ax)
        step = max(1, math.ceil(len(levels) / 8))
        cbar.set_ticks(levels[::step], labels=[f"{v:.3g}" for v in levels[::step]])
    return cs


@_in_style
def plot_surface(surface, *, ax=None, levels=30, log=None, window=None, resolution=200,
                 filled=False, mark_minima=True, mark_saddles=True, colorbar=False,
                 aspect="equal", cmap=None) -> Axes:  # fmt: skip
    r"""Contours of a 2-D test function, its minima as stars and its saddle points as crosses.

    Parameters
    ----------
    surface : surface
        Any object with ``window``, ``minima``, ``saddles``, ``log_levels`` and ``value(xy)``
        (see the module's docstring), such as ``optlearn.surfaces.Rosenbrock()``.
    ax : matplotlib Axes, optional
        Where to draw; default a new figure of the house style's size.
    levels : int or array-like, default=30
        The number of contour levels, spread between the smallest and largest value on the
        grid, or the levels themselves (increasing).
    log : bool, optional
        Log-spaced levels: heights above the grid's minimum ``f_min``, ``f_min + g`` with ``g``
        geometric from the smallest positive gap on the grid (at least ``1e-6`` of the range)
        to the range, so minima at or below zero are handled. Default ``surface.log_levels``
        (narrow valleys such as Rosenbrock's read best on log levels).
    window : ((xmin, xmax), (ymin, ymax)), optional
        The region drawn and the axis limits; default ``surface.window``.
    resolution : int, default=200
        Grid points per axis: ``resolution**2`` evaluations of ``surface.value``.
    filled : bool, default=False
        Filled contours (``contourf``) instead of lines.
    mark_minima, mark_saddles : bool, default=True
        Draw ``surface.minima`` as stars and ``surface.saddles`` as crosses (labelled
        ``"minimum"`` and ``"saddle point"`` for a legend).
    colorbar : bool, default=False
        Add a colorbar of the levels.
    aspect : {"equal", "auto"} or float, default="equal"
        Equal scales on both axes keep gradients perpendicular to the contours, as they are.
    cmap : str or Colormap, optional
        Default the style's (viridis).

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    TypeError
        If ``surface`` lacks one of the attributes above.
    ValueError
        For a window with ``xmin >= xmax``, fewer than 2 levels or grid points, or a
        ``value`` that returns the wrong shape.

    Examples
    --------
    >>> import numpy as np
    >>> import matplotlib.pyplot as plt
    >>> from types import SimpleNamespace
    >>> bowl = SimpleNamespace(name="bowl", window=((-2, 2), (-2, 2)), minima=[[0.0, 0.0]],
    ...                        saddles=np.empty((0, 2)), log_levels=False,
    ...                        value=lambda xy: (xy**2).sum(axis=-1))
    >>> ax = plot_surface(bowl, levels=10)
    >>> [float(v) for v in ax.get_xlim()], len(ax.get_lines())  # the minimum's star
    ([-2.0, 2.0], 1)
    >>> plt.close(ax.figure)
    """
    func = "plot_surface"
    _check_surface(func, surface)
    (x0, x1), (y0, y1) = _window(func, "window", surface.window if window is None else window)
    n = _int(func, "resolution", resolution, 2)
    minima = _points(func, "surface.minima", surface.minima)
    saddles = _points(func, "surface.saddles", surface.saddles)
    x, y = np.linspace(x0, x1, n), np.linspace(y0, y1, n)
    xy = np.stack(np.meshgrid(x, y), axis=-1)  # xy[j, i] = (x[i], y[j])
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):  # masked below
        z = np.asarray(surface.value(xy), dtype=np.float64)
    if z.shape != (n, n):
        raise invalid(func, "surface.value", f"vectorised: an (n, n, 2) grid in, (n, n) out "
                      f"(here n = {n})", f"output of shape {z.shape}")  # fmt: skip
    lv = _levels(func, z, levels, bool(surface.log_levels if log is None else log))
    ax = _axes(func, ax)
    _contour(ax, x, y, z, lv, filled=filled, colorbar=colorbar, cmap=cmap)
    # White-faced markers with black edges show on light and dark contours alike.
    if mark_minima and len(minima):
        ax.plot(minima[:, 0], minima[:, 1], ls="", marker="*", ms=13, color="black", mfc="white",
                mew=1.0, zorder=4, label="minimum")  # fmt: skip
    if mark_saddles and len(saddles):
        ax.plot(saddles[:, 0], saddles[:, 1], ls="", marker="X", ms=9, color="black", mfc="white",
                mew=1.0, zorder=4, label="saddle point")  # fmt: skip
    ax.set(xlim=(x0, x1), ylim=(y0, y1), xlabel="$x$", ylabel="$y$")
    ax.set_aspect(aspect)
    return ax


def _path_array(func: str, name: str, value) -> np.ndarray:
    """One entry of ``paths`` as an array of shape (n_starts, steps + 1, 2)."""
    try:
        a = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise invalid(func, name, "an array of real numbers", type(value).__name__,
                      exc=TypeError) from None  # fmt: skip
    if a.ndim not in (2, 3) or a.shape[-1] != 2 or a.shape[-2] == 0 or a.size == 0:
        raise invalid(func, name, "an array of shape (steps + 1, 2) or (n_starts, steps + 1, 2)",
                      f"shape {a.shape}",
                      "A path lists the points (x, y) it visits, the start first.")  # fmt: skip
    return a[None] if a.ndim == 2 else a


def _path_groups(func: str, paths, labels) -> list[tuple[str | None, np.ndarray]]:
    """Normalise ``paths`` to [(label or None, array (n_starts, steps + 1, 2)), ...].

    A dict is one group per key (its starts share a colour); a list is one group per element;
    a bare array of shape (n, steps + 1, 2) is a list of its n paths.
    """
    if isinstance(paths, Mapping):
        if labels is not None:
            raise invalid(func, "labels", "None when paths is a dict (its keys are the labels)",
                          labels)  # fmt: skip
        if not paths:
            raise invalid(func, "paths", "a non-empty dict or list of paths", paths)
        return [(str(k), _path_array(func, f"paths[{k!r}]", v)) for k, v in paths.items()]
    if isinstance(paths, np.ndarray):
        a = _path_array(func, "paths", paths)
        items = list(a)
    elif isinstance(paths, list | tuple):
        if not paths:
            raise invalid(func, "paths", "a non-empty dict or list of paths", paths)
        items = [_path_array(func, f"paths[{i}]", p) for i, p in enumerate(paths)]
    else:
        raise invalid(func, "paths", "an array, a list of arrays or a dict label -> array",
                      type(paths).__name__, exc=TypeError)  # fmt: skip
    if labels is None:
        return [(None, p if p.ndim == 3 else p[None]) for p in items]
    labels = [labels] if isinstance(labels, str) else list(labels)
    if len(labels) != len(items):
        raise invalid(func, "labels", f"one label per path ({len(items)})",
                      f"{len(labels)} labels")  # fmt: skip
    return [(str(lab), p if p.ndim == 3 else p[None]) for lab, p in zip(labels, items,
                                                                        strict=True)]


def _last_finite(path: np.ndarray) -> np.ndarray:
    """The last point of a path (steps + 1, 2) before it left the finite numbers."""
    ok = np.flatnonzero(np.isfinite(path).all(axis=1))
    return path[ok[-1]] if ok.size else np.full(2, np.nan)


@_in_style
def plot_paths(paths, *, surface=None, ax=None, labels=None, markers=True, colors=None,
               linewidth=None, alpha=None, window=None, surface_kw=None) -> Axes:  # fmt: skip
    r"""Optimizer paths in the plane, with their start (circle) and end (square) points.

    Parameters
    ----------
    paths : ndarray, list of ndarray, or dict of str to ndarray
        Arrays of shape (steps + 1, 2) or (n_starts, steps + 1, 2). A dict draws each key in
        one colour, with the key in the legend (the way to draw many starts of one optimizer);
        a list draws each element in its own colour; a bare array of shape
        (n, steps + 1, 2) is a list of n paths. Paths may have different lengths. A path
        that diverged (NaN or inf) ends at its last finite point.
    surface : surface, optional
        If given, :func:`plot_surface` draws it underneath, with ``surface_kw``.
    ax : matplotlib Axes, optional
        Where to draw; default a new figure of the house style's size.
    labels : str or sequence of str, optional
        Legend entries, one per element of a list (not with a dict: its keys are the labels).
        A legend is drawn if there are labels.
    markers : bool, default=True
        Mark each start with a circle and each end with a square.
    colors : sequence of colors, optional
        One per group; default the style's colour cycle.
    linewidth, alpha : float, optional
        Of the path lines; default the style's line width, opaque.
    window : ((xmin, xmax), (ymin, ymax)), optional
        The axis limits; default ``surface.window`` with a surface, else matplotlib's autoscale
        over the paths (pass a window when a diverged path would stretch it).
    surface_kw : dict, optional
        Keyword arguments for :func:`plot_surface` (``levels``, ``filled``, ...).

    Returns
    -------
    matplotlib.axes.Axes
        Per group, one line per path, one line of start markers and one of end markers.

    Raises
    ------
    ValueError
        For paths of another shape (the message names it), labels that do not match the paths,
        or colours fewer than the groups.

    Examples
    --------
    >>> import numpy as np
    >>> import matplotlib.pyplot as plt
    >>> t = np.linspace(0, 1, 20)[:, None]
    >>> gd = (1 - t) * np.array([2.0, 1.0])                 # a straight line to the origin
    >>> many = np.stack([gd, gd + 0.5, gd - 0.5])           # three starts, one optimizer
    >>> ax = plot_paths({"GD": gd, "GD, 3 starts": many}, markers=False)
    >>> len(ax.get_lines()), [t.get_text() for t in ax.get_legend().get_texts()]
    (4, ['GD', 'GD, 3 starts'])
    >>> plt.close(ax.figure)
    """
    func = "plot_paths"
    groups = _path_groups(func, paths, labels)
    if colors is not None and len(colors) < len(groups):
        raise invalid(func, "colors", f"at least one colour per group ({len(groups)})",
                      f"{len(colors)} colours")  # fmt: skip
    if window is not None:
        window = _window(func, "window", window)
    if surface is not None:
        _check_surface(func, surface)
        ax = plot_surface(surface, ax=ax, **(surface_kw or {}))
        if window is None:
            window = _window(func, "surface.window", surface.window)
    else:
        ax = _axes(func, ax)
    handles = []
    for g, (label, group) in enumerate(groups):
        color = None if colors is None else colors[g]
        for i, path in enumerate(group):
            (line,) = ax.plot(path[:, 0], path[:, 1], color=color, lw=linewidth, alpha=alpha,
                              zorder=2.5, label=label if i == 0 and label else "_nolegend_")
            color = line.get_color()  # the cycle's colour, for the group's other lines
            if i == 0 and label:
                handles.append(line)
        if markers:
            starts = group[:, 0]
            ends = np.array([_last_finite(p) for p in group])
            for pts, marker in ((starts, "o"), (ends, "s")):
                ax.plot(pts[:, 0], pts[:, 1], ls="", marker=marker, color=color, mec="black",
                        mew=0.6, ms=6, zorder=3, label="_nolegend_")  # fmt: skip
    if window is not None:
        ax.set(xlim=window[0], ylim=window[1])
    if handles:  # framed: it often sits on contour lines
        ax.legend(handles=handles, frameon=True, framealpha=0.85, edgecolor="none")
    return ax


class AnimationHTML(str):
    """The HTML of an animation: a ``str`` that Jupyter displays as the animation itself.

    ``n_frames`` is the number of frames embedded. Its ``repr`` is a one-line summary, so a
    notebook stores the animation once (as HTML), not a second time as text.
    """

    n_frames: int

    def _repr_html_(self) -> str:
        return str(self)

    def __repr__(self) -> str:
        return f"<AnimationHTML: {self.n_frames} frames, {len(self) / 1e6:.2f} MB>"


@_in_style
def animate_paths(paths, *, surface=None, labels=None, interval=50, frames=60, window=None,
                  figsize=None, dpi=72, frame_format="jpeg", quality=90, default_mode="once",
                  show_step=True, surface_kw=None) -> AnimationHTML:  # fmt: skip
    r"""Optimizer paths drawn step by step, as self-contained HTML with the frames embedded.

    The HTML is that of matplotlib's ``FuncAnimation.to_jshtml()`` (its ``HTMLWriter``): a
    player with play, pause and step buttons that needs no server and no kernel, so it works
    in a static Jupyter Book page. In a notebook, the returned string displays as the player.

    Parameters
    ----------
    paths, labels, surface, surface_kw
        As in :func:`plot_paths`.
    interval : int, default=50
        Milliseconds between frames.
    frames : int, default=60
        The most frames to embed. Paths longer than that are shown at ``frames`` steps spread
        evenly from the first to the last, since every frame is a whole image.
    window : ((xmin, xmax), (ymin, ymax)), optional
        The axis limits; default ``surface.window``, else the range of the paths' finite
        points with a 5% margin.
    figsize : (float, float), optional
        Inches; default the house style's figure size (6.5 x 4).
    dpi : float, default=72
        Pixels per inch of the frames: 468 x 288 pixels at the default size.
    frame_format : {"jpeg", "png"}, default="jpeg"
        JPEG keeps a page small: contour lines over a white background compress badly as PNG
        (about 120 kB a frame for Rosenbrock's 30 coloured levels at 80 dpi, against 40 kB
        as JPEG; 60 frames make 10 MB of HTML, against 3 MB).
    quality : int, default=90
        JPEG quality, 1 to 95 (below about 85, blocks show around thin lines).
    default_mode : {"once", "loop", "reflect"}, default="once"
        What the player does at the end.
    show_step : bool, default=True
        Write the step number in the corner of each frame.

    Returns
    -------
    AnimationHTML
        A ``str`` of HTML with ``<script>`` and one ``data:image`` per frame; its
        ``n_frames`` says how many. The figure is closed: nothing else is drawn or shown.

    Warns
    -----
    UserWarning
        If matplotlib dropped frames to stay under ``rcParams["animation.embed_limit"]``
        (20 MB by default): lower ``frames`` or ``dpi`` rather than raising the limit.

    Examples
    --------
    >>> import numpy as np
    >>> t = np.linspace(0, 1, 101)[:, None]
    >>> html = animate_paths({"GD": (1 - t) * np.array([2.0, 1.0])}, frames=5, dpi=20)
    >>> html.n_frames, "<script" in html
    (5, True)
    """
    func = "animate_paths"
    groups = _path_groups(func, paths, labels)
    n_frames_max = _int(func, "frames", frames, 1)
    interval = _int(func, "interval", interval, 1)
    for name, value, options in (("frame_format", frame_format, ("jpeg", "png")),
                                 ("default_mode", default_mode, ("once", "loop", "reflect"))):
        if value not in options:
            raise invalid(func, name, f"one of {', '.join(map(repr, options))}", value)
    if _int(func, "quality", quality, 1) > 100:
        raise invalid(func, "quality", "an int in the range [1, 100]", quality)
    if window is not None:
        window = _window(func, "window", window)
    elif surface is not None:
        _check_surface(func, surface)
        window = _window(func, "surface.window", surface.window)
    else:
        points = np.concatenate([g.reshape(-1, 2) for _, g in groups])
        points = points[np.isfinite(points).all(axis=1)]
        if points.size == 0:
            raise invalid(func, "paths", "finite at some point", "NaN or inf everywhere")
        lo, hi = points.min(axis=0), points.max(axis=0)
        pad = 0.05 * np.where(hi > lo, hi - lo, 1.0)
        window = tuple(zip(lo - pad, hi + pad, strict=True))
    length = max(g.shape[1] for _, g in groups)
    # Frame k shows the steps up to index[k]: at most n_frames_max frames, the first and the
    # last step always among them.
    index = np.unique(np.round(np.linspace(0, length - 1, min(n_frames_max, length))).astype(int))

    fig, ax = plt.subplots(figsize=figsize, dpi=dpi)
    try:
        if surface is not None:
            plot_surface(surface, ax=ax, **{"window": window, **(surface_kw or {})})
        trails, heads, handles = [], [], []
        for label, group in groups:
            color = None
            for i, path in enumerate(group):
                (line,) = ax.plot([], [], color=color, zorder=2.5,
                                  label=label if i == 0 and label else "_nolegend_")
                color = line.get_color()
                trails.append((line, path))
                if i == 0 and label:
                    handles.append(line)
            ax.plot(group[:, 0, 0], group[:, 0, 1], ls="", marker="o", color=color,
                    mec="black", mew=0.6, ms=5, zorder=3)  # the starts stay
            (head,) = ax.plot([], [], ls="", marker="s", color=color, mec="black", mew=0.6,
                              ms=5, zorder=3)  # fmt: skip
            heads.append((head, group))
        ax.set(xlim=window[0], ylim=window[1])
        if surface is None:
            ax.set(xlabel="$x$", ylabel="$y$")
        if handles:
            ax.legend(handles=handles, loc="upper right", frameon=True, framealpha=0.85,
                      edgecolor="none")  # fmt: skip
        text = ax.text(0.02, 0.98, "", transform=ax.transAxes, va="top")
        # Lay the figure out once: the frames only move lines, and constrained layout would
        # otherwise redo its work (half of the time) for every frame.
        fig.canvas.draw()
        fig.set_layout_engine("none")

        def draw(k):
            for line, path in trails:
                line.set_data(path[:k + 1, 0], path[:k + 1, 1])
            for head, group in heads:
                j = min(k, group.shape[1] - 1)
                head.set_data(group[:, j, 0], group[:, j, 1])
            if show_step:
                text.set_text(f"step {k}")

        # matplotlib's HTMLWriter, the writer behind FuncAnimation.to_jshtml(), fed frame by
        # frame through its public saving()/grab_frame(): the same player, but each frame drawn
        # once (a FuncAnimation draws it twice when saving), in the format and quality chosen.
        writer = HTMLWriter(fps=1000 / interval, embed_frames=True, default_mode=default_mode)
        writer.frame_format = frame_format
        kwargs = {"pil_kwargs": {"quality": quality}} if frame_format == "jpeg" else {}
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp, "animation.html")
            # A tight bounding box (the style's savefig.bbox) would cost a second draw per
            # frame and could change the frame size between frames.
            with mpl.rc_context({"savefig.bbox": None}), writer.saving(fig, out, dpi):
                for k in index:
                    draw(int(k))
                    writer.grab_frame(**kwargs)
            html = AnimationHTML(out.read_text(encoding="utf-8"))
    finally:
        plt.close(fig)
    html.n_frames = len(re.findall(r"frames\[\d+\] = ", html))
    if html.n_frames < len(index):
        warnings.warn(f"animate_paths embedded {html.n_frames} of {len(index)} frames: the "
                      "others went past rcParams['animation.embed_limit']. Lower frames or "
                      "dpi.", UserWarning, stacklevel=3)  # fmt: skip
    return html


# --- training ------------------------------------------------------------------------------
def _field(obj, name: str):
    """A field of a History, of its ``to_dict()``, or of a History-like object."""
    if isinstance(obj, Mapping):
        return obj.get(name, [])
    return getattr(obj, name, [])


def _epochs(func: str, history, n: int) -> np.ndarray:
    epoch = np.asarray(_field(history, "epoch"), dtype=np.float64)
    if epoch.size == 0:
        return np.arange(1, n + 1, dtype=np.float64)
    if epoch.size != n:
        raise invalid(func, "history", f"one value per epoch ({epoch.size}) in every metric",
                      f"a metric with {n} values")  # fmt: skip
    return epoch


@_in_style
def plot_history(history, *, metrics=None, ax=None):
    r"""Training curves against the epoch: train and validation loss, accuracy, and more.

    Parameters
    ----------
    history : History, dict, or History-like
        An :class:`optlearn.train.History`, its ``to_dict()``, or an object with the same
        per-epoch attributes (``epoch``, ``train_loss``, ``val_loss``, ``train_accuracy``,
        ``val_accuracy``, ``lr``, ``grad_norm``, ``grad_norm_max``); a missing or empty one is
        not drawn.
    metrics : str or sequence of str, optional
        Panels, from ``"loss"`` (train and val), ``"accuracy"`` (train and val), ``"lr"`` and
        ``"grad_norm"`` (mean and, dashed, max over the epoch's steps). Default ``"loss"``,
        and ``"accuracy"`` if the history has it.
    ax : matplotlib Axes or sequence of Axes, optional
        One per panel; default a new figure with the panels in a row.

    Returns
    -------
    matplotlib.axes.Axes or ndarray of Axes
        The Axes if ``metrics`` is a str, else an array of shape (len(metrics),).

    Raises
    ------
    ValueError
        For an unknown metric (the message lists the valid ones), a metric the history did not
        record, or a number of Axes other than of panels.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from optlearn.train import History
    >>> h = History(epoch=[1, 2, 3], train_loss=[0.9, 0.5, 0.4], val_loss=[1.0, 0.7, 0.6])
    >>> axes = plot_history(h)
    >>> axes.shape, [t.get_text() for t in axes[0].get_legend().get_texts()]
    ((1,), ['train', 'val'])
    >>> plt.close(axes[0].figure)
    """
    func = "plot_history"
    recorded = {m for m, (_, fields) in _HISTORY_PANELS.items()
                if any(len(_field(history, f)) for f, _, _ in fields)}  # fmt: skip
    single = isinstance(metrics, str)
    if metrics is None:
        metrics = ["loss"] + (["accuracy"] if "accuracy" in recorded else [])
    names = [metrics] if single else list(metrics)
    if not names:
        raise invalid(func, "metrics", "at least one metric", metrics)
    for m in names:
        if m not in _HISTORY_PANELS:
            raise invalid(func, "metrics", f"names from {', '.join(map(repr, _HISTORY_PANELS))}",
                          m)  # fmt: skip
        if m not in recorded:
            raise invalid(func, "metrics", "metrics the history recorded "
                          f"({', '.join(map(repr, sorted(recorded))) or 'none'})", m,
                          "Accuracies are recorded for classification losses only.")  # fmt: skip
    panels = []  # (metric, [(epochs, values, label, line style), ...]), checked before drawing
    for m in names:
        curves = []
        for name, label, ls in _HISTORY_PANELS[m][1]:
            raw = _field(history, name)
            if len(raw):
                values = _real_array(func, f"history.{name}", raw, 1, finite=False)
                curves.append((_epochs(func, history, values.size), values, label, ls))
        panels.append((m, curves))
    if ax is None:
        width = mpl.rcParams["figure.figsize"][0]
        axes = plt.subplots(1, len(names), figsize=(width, 2.8), squeeze=False)[1][0]
    else:
        axes = np.ravel(np.asarray([ax] if isinstance(ax, Axes) else ax, dtype=object))
        if len(axes) != len(names) or not all(isinstance(a, Axes) for a in axes):
            raise invalid(func, "ax", f"{len(names)} matplotlib Axes, one per metric "
                          f"({', '.join(names)})", f"{len(axes)} objects of types "
                          f"{sorted({type(a).__name__ for a in axes})}")  # fmt: skip
    for a, (m, curves) in zip(axes, panels, strict=True):
        for epochs, values, label, ls in curves:
            a.plot(epochs, values, ls=ls, marker=".", label=label)
        if m in ("lr", "grad_norm") and _spans_decades(np.concatenate([c[1] for c in curves])):
            a.set_yscale("log")
        a.set(title=_HISTORY_PANELS[m][0], xlabel="epoch")
        if any(label for *_, label, _ in curves):
            a.legend()
    return axes[0] if single else axes


@_in_style
def plot_schedule(scheduler_or_lrs, *, steps=None, ax=None, label=None, log=None) -> Axes:
    r"""A learning-rate schedule: the rate used at each step.

    Parameters
    ----------
    scheduler_or_lrs : scheduler or array-like of float
        The rates, one per step; or a scheduler (``optlearn.optim.lr_scheduler`` or torch's),
        which is stepped ``steps`` times, recording ``get_last_lr()[0]`` (the first parameter
        group's rate) *before* each step: the rate each step would use. The scheduler is
        consumed (and its optimizer's rates changed): build one for the plot.
    steps : int, optional
        With a scheduler: how many steps to record (required). Not with a list.
    ax : matplotlib Axes, optional
        Where to draw; default a new figure of the house style's size.
    label : str, optional
        For a legend (drawn, or redrawn, when given): several schedules can share ``ax``.
    log : bool, optional
        A log scale for the rate; default when the rates are positive and span more than two
        decades (a schedule that reaches 0 stays linear).

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    ValueError
        For a scheduler without ``steps``, ``steps`` with a list, or ``ReduceLROnPlateau``
        (its rates follow the metric: plot ``History.lr`` of a run instead).

    Notes
    -----
    Stepping a scheduler before its optimizer makes it warn that the first rate would be
    skipped; this function never steps the optimizer, so it silences that one warning.

    Examples
    --------
    >>> import numpy as np
    >>> import matplotlib.pyplot as plt
    >>> from optlearn.optim import SGD
    >>> from optlearn.optim.lr_scheduler import CosineAnnealingLR
    >>> opt = SGD([np.zeros(3)], lr=0.1)
    >>> ax = plot_schedule(CosineAnnealingLR(opt, T_max=50), steps=100, label="cosine")
    >>> ax.get_lines()[0].get_ydata()[[0, 50]].round(6).tolist()
    [0.1, 0.0]
    >>> plt.close(ax.figure)
    """
    func = "plot_schedule"
    if hasattr(scheduler_or_lrs, "get_last_lr") and hasattr(scheduler_or_lrs, "step"):
        sched = scheduler_or_lrs
        if steps is None:
            raise invalid(func, "steps", "an int >= 1 with a scheduler (how many steps to "
                          "record)", steps)  # fmt: skip
        n = _int(func, "steps", steps, 1)
        required = [p for p in inspect.signature(sched.step).parameters.values()
                    if p.default is p.empty and p.kind is p.POSITIONAL_OR_KEYWORD]
        if required:  # ReduceLROnPlateau.step(metrics)
            raise invalid(func, "scheduler_or_lrs", "a scheduler whose step() takes no "
                          "argument", type(sched).__name__, "Its rates depend on the metric: "
                          "plot the lr that a training run recorded (History.lr).")  # fmt: skip
        lrs = np.empty(n)
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=_STEP_ORDER_MESSAGE, category=UserWarning)
            for i in range(n):
                lrs[i] = sched.get_last_lr()[0]
                sched.step()
    else:
        if steps is not None:
            raise invalid(func, "steps", "None when the rates are given as a list", steps,
                          "Slice the list instead.")  # fmt: skip
        lrs = _real_array(func, "scheduler_or_lrs", scheduler_or_lrs, 1)
    ax = _axes(func, ax)
    ax.plot(np.arange(lrs.size), lrs, label=label)
    if _spans_decades(lrs) if log is None else log:
        ax.set_yscale("log")
    ax.set(xlabel="step", ylabel="learning rate")
    if label is not None:
        ax.legend()
    return ax


@_in_style
def plot_grad_norms(history_or_dict, *, ax=None, log=True) -> Axes:
    r"""Gradient norms per layer over the epochs, with the global norm dashed.

    Parameters
    ----------
    history_or_dict : History, dict of str to list, or History-like
        A History (or its ``to_dict()``): its ``layer_grad_norms``, one line per layer, and
        its ``grad_norm``, the global norm, dashed in black (if recorded), against ``epoch``.
        Or a plain dict layer name -> norms per epoch (epochs numbered from 1).
    ax : matplotlib Axes, optional
        Where to draw; default a new figure of the house style's size.
    log : bool, default=True
        A log scale for the norms: vanishing and exploding gradients differ by decades.

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    ValueError
        If nothing was recorded, or the layers have different numbers of epochs.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> ax = plot_grad_norms({"layers.0": [1.0, 0.5, 0.2], "layers.1": [2.0, 1.0, 0.9]})
    >>> [t.get_text() for t in ax.get_legend().get_texts()]
    ['layers.0', 'layers.1']
    >>> plt.close(ax.figure)
    """
    func = "plot_grad_norms"
    h = history_or_dict
    is_history = not isinstance(h, Mapping) or "layer_grad_norms" in h
    layers = _field(h, "layer_grad_norms") if is_history else h
    total = np.asarray(_field(h, "grad_norm") if is_history else [], dtype=np.float64)
    if not isinstance(layers, Mapping):
        raise invalid(func, "history_or_dict", "a History or a dict layer -> list of norms",
                      type(layers).__name__, exc=TypeError)  # fmt: skip
    series = {str(k): _real_array(func, f"layer_grad_norms[{k!r}]", v, 1, finite=False)
              for k, v in layers.items()}  # fmt: skip
    if total.size:
        series["global"] = total
    if not series:
        raise invalid(func, "history_or_dict", "gradient norms (fit records them every epoch)",
                      "none")  # fmt: skip
    n = {v.size for v in series.values()}
    if len(n) > 1:
        raise invalid(func, "history_or_dict", "as many norms for every layer as epochs",
                      {k: v.size for k, v in series.items()})  # fmt: skip
    n = n.pop()
    epochs = _epochs(func, h, n) if is_history else np.arange(1, n + 1)
    ax = _axes(func, ax)
    for name, values in series.items():
        if name == "global" and total.size and values is total:
            ax.plot(epochs, values, ls="--", color="black", label="global")
        else:
            ax.plot(epochs, values, marker=".", label=name)
    if log:
        ax.set_yscale("log")
    ax.set(xlabel="epoch", ylabel="gradient norm")
    ax.legend()
    return ax


# --- studies -------------------------------------------------------------------------------
def _edges(v: np.ndarray, log: bool) -> np.ndarray:
    """Cell edges around grid values: midpoints (geometric on a log axis), ends mirrored."""
    w = np.log(v) if log else v
    if w.size == 1:
        half = 0.5 if log or w[0] == 0 else abs(w[0]) / 2
        e = w[0] + np.array([-half, half])
    else:
        mid = (w[1:] + w[:-1]) / 2
        e = np.concatenate([[2 * w[0] - mid[0]], mid, [2 * w[-1] - mid[-1]]])
    return np.exp(e) if log else e


def _grid_ticks(axis, v: np.ndarray) -> None:
    """Ticks at the grid values (at most about 8 of them), labelled to 2 significant digits."""
    shown = v[::max(1, math.ceil(v.size / 8))]
    axis.set_ticks(shown, labels=[f"{x:.2g}" for x in shown])
    axis.set_minor_locator(NullLocator())


@_in_style
def plot_phase_diagram(x_values, y_values, status, *, xlabel, ylabel, ax=None,
                       labels=("converged", "slow", "diverged"), colors=None, log_x=None,
                       log_y=None, values=None, values_label=None, cmap=None) -> Axes:  # fmt: skip
    r"""A grid study: which settings converged, were slow or diverged (or how fast).

    Parameters
    ----------
    x_values, y_values : array-like of shape (nx,) and (ny,)
        The grid: strictly monotonic, e.g. learning rates and momenta.
    status : array-like of int, shape (ny, nx)
        ``status[j, i]``, the outcome at ``(x_values[i], y_values[j])``: a code
        ``0, 1, ..., len(labels) - 1``, drawn as a categorical image with a legend.
    xlabel, ylabel : str
        The axis labels (the grid's names).
    ax : matplotlib Axes, optional
        Where to draw; default a new figure of the house style's size.
    labels : sequence of str, default=("converged", "slow", "diverged")
        The names of the codes, in order (all listed in the legend).
    colors : sequence of colors, optional
        One per code; default Okabe and Ito's bluish green, yellow, vermillion, ...
    log_x, log_y : bool, optional
        Log axes; default when the grid is geometric (evenly spaced in log, like
        ``np.geomspace``).
    values : array-like of shape (ny, nx), optional
        A number per cell (e.g. steps to converge), drawn instead of the status with a
        colorbar; cells where it is NaN or inf show their status colour (and only those
        statuses are in the legend).
    values_label : str, optional
        The colorbar's label.
    cmap : str or Colormap, optional
        For ``values``; default the style's (viridis).

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    ValueError
        For a ``status`` or ``values`` whose shape is not (len(y_values), len(x_values)),
        codes outside the labels, or a grid that is not monotonic.

    Examples
    --------
    >>> import numpy as np
    >>> import matplotlib.pyplot as plt
    >>> lrs, momenta = np.geomspace(1e-3, 1, 4), np.array([0.0, 0.5, 0.9])
    >>> status = np.array([[1, 0, 0, 2], [1, 0, 0, 2], [0, 0, 2, 2]])
    >>> ax = plot_phase_diagram(lrs, momenta, status, xlabel="learning rate", ylabel="momentum")
    >>> ax.get_xscale(), [t.get_text() for t in ax.get_legend().get_texts()]
    ('log', ['converged', 'slow', 'diverged'])
    >>> plt.close(ax.figure)
    """
    func = "plot_phase_diagram"
    x = _grid(func, "x_values", x_values)
    y = _grid(func, "y_values", y_values)
    labels = [labels] if isinstance(labels, str) else [str(s) for s in labels]
    colors = list(_CATEGORY_COLORS if colors is None else colors)
    if not labels or len(colors) < len(labels):
        raise invalid(func, "colors", f"at least one colour per label ({len(labels)})",
                      f"{len(colors)} colours")  # fmt: skip
    s = np.asarray(status)
    if s.shape != (y.size, x.size):
        raise invalid(func, "status", f"an array of shape (len(y_values), len(x_values)) = "
                      f"({y.size}, {x.size})", f"shape {s.shape}",
                      "Row j holds the results at y_values[j].")  # fmt: skip
    if s.dtype.kind not in "iub":
        raise invalid(func, "status", "an array of integer codes", f"dtype {s.dtype}",
                      exc=TypeError)  # fmt: skip
    if s.min() < 0 or s.max() >= len(labels):
        raise invalid(func, "status", f"codes from 0 to {len(labels) - 1} (one per label)",
                      f"codes {sorted(np.unique(s).tolist())}")  # fmt: skip
    if values is not None:
        v = _real_array(func, "values", values, 2, finite=False)
        if v.shape != s.shape:
            raise invalid(func, "values", f"an array of the shape of status {s.shape}",
                          f"shape {v.shape}")  # fmt: skip
    log_x = _is_geometric(x) if log_x is None else bool(log_x)
    log_y = _is_geometric(y) if log_y is None else bool(log_y)
    for name, grid, is_log in (("x_values", x, log_x), ("y_values", y, log_y)):
        if is_log and (grid <= 0).any():
            raise invalid(func, name, "positive on a log axis", grid.tolist())
    ax = _axes(func, ax)
    xe, ye = _edges(x, log_x), _edges(y, log_y)
    n = len(labels)
    ax.pcolormesh(xe, ye, s, cmap=ListedColormap(colors[:n]),
                  norm=BoundaryNorm(np.arange(n + 1) - 0.5, n))  # fmt: skip
    shown = np.arange(n)
    if values is not None:
        mesh = ax.pcolormesh(xe, ye, np.ma.masked_invalid(v), cmap=cmap)
        cbar = ax.figure.colorbar(mesh, ax=ax)
        if values_label is not None:
            cbar.set_label(values_label)
        shown = np.unique(s[~np.isfinite(v)])
    if log_x:
        ax.set_xscale("log")
    if log_y:
        ax.set_yscale("log")
    _grid_ticks(ax.xaxis, x)
    _grid_ticks(ax.yaxis, y)
    ax.set(xlim=(xe[0], xe[-1]), ylim=(ye[0], ye[-1]), xlabel=xlabel, ylabel=ylabel)
    if shown.size:
        ax.legend(handles=[Patch(facecolor=colors[c], edgecolor="black", linewidth=0.5,
                                 label=labels[c]) for c in shown],
                  loc="upper left", bbox_to_anchor=(1.02, 1.0))  # fmt: skip
    return ax


@_in_style
def plot_landscape_1d(alphas, losses, *, ax=None, label=None, mark=(0, 1)) -> Axes:
    r"""The loss along a line in parameter space, e.g. from the start to the trained weights.

    Parameters
    ----------
    alphas : array-like of shape (num,)
        Positions along the line, increasing (for :func:`optlearn.landscape.slice_1d`,
        ``theta = (1 - alpha) start + alpha end``).
    losses : array-like of shape (num,)
        The loss at each; NaN or inf (an overflow far out) leave a gap.
    ax : matplotlib Axes, optional
        Where to draw; default a new figure of the house style's size.
    label : str, optional
        For a legend (drawn when given): several slices can share ``ax``.
    mark : sequence of float, default=(0, 1)
        Positions to mark with a dot (the two endpoints of an interpolation), where they lie
        inside ``alphas``; the loss there is interpolated. ``()`` marks none.

    Returns
    -------
    matplotlib.axes.Axes
        One line for the losses, one of markers (if any point is marked).

    Raises
    ------
    ValueError
        For arrays of different shapes or ``alphas`` not increasing.

    Examples
    --------
    >>> import numpy as np
    >>> import matplotlib.pyplot as plt
    >>> alphas = np.linspace(-0.5, 1.5, 41)
    >>> ax = plot_landscape_1d(alphas, (alphas - 1) ** 2 + 0.1)
    >>> ax.get_lines()[1].get_xdata().tolist()
    [0.0, 1.0]
    >>> plt.close(ax.figure)
    """
    func = "plot_landscape_1d"
    a = _grid(func, "alphas", alphas)
    y = _real_array(func, "losses", losses, 1, finite=False)
    if y.shape != a.shape:
        raise invalid(func, "losses", f"an array of the shape of alphas {a.shape}",
                      f"shape {y.shape}")  # fmt: skip
    if a.size > 1 and a[1] < a[0]:
        raise invalid(func, "alphas", "increasing", a.tolist())
    m = np.empty(0) if mark is None or len(mark) == 0 else _real_array(func, "mark", mark, 1)
    m = m[(m >= a[0]) & (m <= a[-1])]
    ax = _axes(func, ax)
    (line,) = ax.plot(a, y, label=label)
    if m.size:
        ax.plot(m, np.interp(m, a, y), ls="", marker="o", color=line.get_color(), mec="black",
                mew=0.6, ms=7, zorder=3, label="_nolegend_")  # fmt: skip
    ax.set(xlabel=r"$\alpha$", ylabel="loss")
    if label is not None:
        ax.legend()
    return ax


@_in_style
def plot_landscape_2d(alphas, betas, losses, *, ax=None, levels=30, log=True, path=None,
                      filled=False, colorbar=False, cmap=None) -> Axes:  # fmt: skip
    r"""Contours of the loss on a plane through parameter space, with a projected path.

    Parameters
    ----------
    alphas, betas : array-like of shape (nx,) and (ny,)
        Coordinates along the plane's two directions, increasing.
    losses : array-like of shape (ny, nx)
        ``losses[j, i]`` is the loss at ``(alphas[i], betas[j])`` (as
        :func:`optlearn.landscape.slice_2d` returns it); NaN or inf cells are left blank.
    ax : matplotlib Axes, optional
        Where to draw; default a new figure of the house style's size.
    levels : int or array-like, default=30
        The number of levels or the levels (as in :func:`plot_surface`).
    log : bool, default=True
        Log-spaced heights above the smallest loss (as in :func:`plot_surface`): loss
        landscapes are steep walls around flat basins.
    path : array-like of shape (k, 2), optional
        Points in the plane's coordinates (e.g. ``Slice2D.trajectory_coords``), drawn as a
        line with the start marked by a circle and the end by a square.
    filled, colorbar, cmap
        As in :func:`plot_surface`.

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    ValueError
        For ``losses`` whose shape is not (len(betas), len(alphas)), or a path whose shape is
        not (k, 2).

    Examples
    --------
    >>> import numpy as np
    >>> import matplotlib.pyplot as plt
    >>> a = b = np.linspace(-1, 1, 21)
    >>> losses = a[None, :] ** 2 + 3 * b[:, None] ** 2
    >>> ax = plot_landscape_2d(a, b, losses, path=[[-0.8, 0.6], [-0.3, 0.1], [0.0, 0.0]])
    >>> len(ax.get_lines())  # the path, its start, its end
    3
    >>> plt.close(ax.figure)
    """
    func = "plot_landscape_2d"
    a = _grid(func, "alphas", alphas)
    b = _grid(func, "betas", betas)
    z = _real_array(func, "losses", losses, 2, finite=False)
    if z.shape != (b.size, a.size):
        raise invalid(func, "losses", f"an array of shape (len(betas), len(alphas)) = "
                      f"({b.size}, {a.size})", f"shape {z.shape}",
                      "Row j holds the losses at betas[j].")  # fmt: skip
    if path is not None:
        p = np.asarray(path, dtype=np.float64)
        if p.ndim != 2 or p.shape[1] != 2 or p.shape[0] == 0:
            raise invalid(func, "path", "an array of shape (k, 2)", f"shape {p.shape}")
    lv = _levels(func, z, levels, bool(log))
    ax = _axes(func, ax)
    _contour(ax, a, b, z, lv, filled=filled, colorbar=colorbar, cmap=cmap)
    if path is not None:
        ax.plot(p[:, 0], p[:, 1], color="black", lw=1.2, zorder=2.5)
        for pt, marker in ((p[0], "o"), (_last_finite(p), "s")):
            ax.plot(pt[0], pt[1], ls="", marker=marker, color="white", mec="black", ms=7,
                    zorder=3)  # fmt: skip
    ax.set(xlim=(a.min(), a.max()), ylim=(b.min(), b.max()), xlabel=r"$\alpha$",
           ylabel=r"$\beta$")  # fmt: skip
    return ax


@_in_style
def plot_spectrum(eigenvalues, *, ax=None, bins=None, label=None, kind=None,
                  log_counts=False) -> Axes:  # fmt: skip
    r"""Hessian eigenvalues: a histogram, or a stem plot when there are few; negative in red.

    Parameters
    ----------
    eigenvalues : array-like of shape (n,)
        Real, finite.
    ax : matplotlib Axes, optional
        Where to draw; default a new figure of the house style's size.
    bins : int, optional
        Histogram bins: that many across the range, aligned so that 0 is an edge (no bin
        mixes signs). Default numpy's ``"auto"`` width.
    label : str, optional
        Appended to the legend entries, e.g. the epoch.
    kind : {"hist", "stem"}, optional
        Default ``"stem"`` for fewer than 50 values (the top eigenvalues from Lanczos: each
        one shown, sorted from largest), else ``"hist"`` (a full spectrum).
    log_counts : bool, default=False
        A log scale for the histogram's counts (the bulk near 0 dwarfs the outliers).

    Returns
    -------
    matplotlib.axes.Axes
        Negative eigenvalues in vermillion, the others in blue, each with a legend entry
        that counts them.

    Raises
    ------
    ValueError
        For an empty or non-finite array, or an unknown ``kind``.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> ax = plot_spectrum([12.0, 3.5, 1.0, -0.4])
    >>> [t.get_text() for t in ax.get_legend().get_texts()]
    ['positive (3)', 'negative (1)']
    >>> plt.close(ax.figure)
    """
    func = "plot_spectrum"
    ev = _real_array(func, "eigenvalues", eigenvalues, 1)
    if kind is None:
        kind = "stem" if ev.size < 50 else "hist"
    if kind not in ("hist", "stem"):
        raise invalid(func, "kind", "one of 'hist', 'stem' or None", kind)
    if bins is not None:
        bins = _int(func, "bins", bins, 1)
    ax = _axes(func, ax)
    suffix = f", {label}" if label else ""
    neg = ev < 0
    if kind == "stem":
        order = np.argsort(ev)[::-1]
        rank = np.arange(1, ev.size + 1)
        for mask, color, name in ((~neg[order], _POSITIVE, "positive"),
                                  (neg[order], _NEGATIVE, "negative")):  # fmt: skip
            if mask.any():
                stem = ax.stem(rank[mask], ev[order][mask], linefmt=color, basefmt=" ",
                               label=f"{name} ({mask.sum()}){suffix}")  # fmt: skip
                stem.markerline.set(color=color, markersize=5)
        ax.axhline(0.0, color="0.5", lw=0.8, zorder=0)
        ax.set(xlabel="rank", ylabel="eigenvalue")
    else:
        lo, hi = float(ev.min()), float(ev.max())
        if hi == lo:
            width = max(abs(lo), 1.0) * 1e-3
        elif bins is None:
            edges = np.histogram_bin_edges(ev, bins="auto")
            width = float(edges[1] - edges[0])
        else:
            width = (hi - lo) / bins
        # Edges at multiples of the width, so 0 is one of them.
        edges = width * np.arange(math.floor(lo / width), math.floor(hi / width) + 2)
        for mask, side, color, name in ((~neg, edges >= 0, _POSITIVE, "positive"),
                                        (neg, edges <= 0, _NEGATIVE, "negative")):
            if mask.any():
                ax.hist(ev[mask], bins=edges[side], color=color,
                        label=f"{name} ({mask.sum()}){suffix}")
        ax.axvline(0.0, color="0.5", lw=0.8, zorder=0)
        if log_counts:
            ax.set_yscale("log")
        ax.set(xlabel="eigenvalue", ylabel="count")
    ax.legend()
    return ax
