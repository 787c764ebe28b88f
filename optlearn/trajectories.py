"""Many optimizer runs on a 2-D surface at once: paths, basins, phase diagrams.

``run`` starts one optimizer (any class of ``optlearn.optim``, with its torch options) from many
points of a surface at once; ``sweep`` runs a grid of hyperparameters (a phase diagram over
``lr`` and ``momentum``, say) from one start. Both use the optimizers' own update rules, so a
picture made here shows what ``optlearn.optim`` (and torch) do:

- for ``SGD``, ``Adam`` and ``AdamW`` on the built-in surfaces, a fused kernel
  (``optlearn._trajectory_kernels``) calls the same element functions as the optimizers, with
  the starts side by side in the inner loop and the threads over blocks of starts;
- for everything else (other optimizers, a scheduler, a ``surfaces.Custom`` surface), the
  starts are stacked into one parameter vector and the optimizer class itself steps it: the
  updates are element-wise, so this equals one optimizer per start.

Either way the result equals looping ``optlearn.optim`` over each start (tested to 1e-12).
"""

from __future__ import annotations

import functools
import inspect
import math
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numba
import numpy as np

from . import optim, surfaces
from ._validation import check_real, invalid

__all__ = ["SweepResult", "Trajectories", "basins", "distance_to_minimum", "run",
           "steps_to_tolerance", "sweep"]  # fmt: skip

_OPTIMIZERS = {name: getattr(optim, name) for name in optim.__all__
               if isinstance(getattr(optim, name), type) and name != "Optimizer"
               and issubclass(getattr(optim, name), optim.Optimizer)}  # fmt: skip
_FUSED_SGD = ("lr", "momentum", "dampening", "weight_decay", "nesterov", "maximize")
_FUSED_ADAM = ("lr", "betas", "eps", "weight_decay", "amsgrad", "maximize",
               "decoupled_weight_decay")  # fmt: skip
_BLOCKS = 16  # blocks of starts for the threads (more blocks than threads: load balance;
# fewer, longer blocks measured 10-20% faster than 64 on 10,000 starts)


@dataclass
class Trajectories:
    """The result of :func:`run`.

    Attributes
    ----------
    positions : ndarray of shape (n_starts, steps + 1, 2), or None if ``record=False``
        The path of each start (row 0 is the start). A view of an array laid out step by
        step, so that each step's positions are written contiguously.
    losses : ndarray of shape (n_starts, steps + 1), or None if ``record=False``
    final : ndarray of shape (n_starts, 2)
        Where each run ended (for a diverged run, its last point inside the bound).
    final_loss : ndarray of shape (n_starts,)
    diverged : ndarray of bool, shape (n_starts,)
        True for runs that left ``[-bound, bound]^2`` or became non-finite; they were frozen
        at their last point inside (their remaining path repeats it).
    stopped_at : ndarray of int, shape (n_starts,)
        The step at which a diverged run was stopped, -1 for the others.
    """

    surface: surfaces.Surface
    optimizer: str
    hyperparameters: dict
    starts: np.ndarray
    steps: int
    positions: np.ndarray | None
    losses: np.ndarray | None
    final: np.ndarray
    final_loss: np.ndarray
    diverged: np.ndarray
    stopped_at: np.ndarray
    extra: dict = field(default_factory=dict)

    def __repr__(self):
        return (f"Trajectories({self.optimizer} on {self.surface.name}: {len(self.starts)} "
                f"starts x {self.steps} steps, {int(self.diverged.sum())} diverged)")  # fmt: skip


# --- input checking --------------------------------------------------------------------------
def _surface(func, surface):
    if isinstance(surface, str):
        return surfaces.get(surface)
    if not isinstance(surface, surfaces.Surface):
        raise invalid(func, "surface", "a surfaces.Surface or the name of one",
                      type(surface).__name__, exc=TypeError)  # fmt: skip
    return surface


def _optimizer(func, optimizer):
    if isinstance(optimizer, type) and optimizer in _OPTIMIZERS.values():
        return optimizer.__name__, optimizer
    if isinstance(optimizer, str):
        for name, cls in _OPTIMIZERS.items():
            if name.lower() == optimizer.lower():
                return name, cls
    valid = ", ".join(sorted(_OPTIMIZERS))
    raise invalid(func, "optimizer", f"one of {valid} (a name or the class)", optimizer)


def _hyper(func, name, cls, hyper):
    accepted = [p for p in _signature(cls) if p not in ("params",
                "check_finite")]  # fmt: skip
    for key in hyper:
        if key not in accepted:
            raise invalid(func, key, f"a hyperparameter of {name}: one of "
                          f"{', '.join(accepted)}", f"{key}={hyper[key]!r}",
                          exc=TypeError)  # fmt: skip
    cls([np.zeros(2)], **hyper)  # the optimizer's own checks, with torch's messages
    return dict(hyper)


def _starts(func, starts):
    X = np.array(starts, dtype=np.float64)
    if X.ndim == 1:
        X = X[None, :]
    if X.ndim != 2 or X.shape[1] != 2 or len(X) == 0:
        raise invalid(func, "starts", "an array of shape (n_starts, 2) or (2,)",
                      f"shape {np.shape(starts)}")  # fmt: skip
    if not np.isfinite(X).all():
        raise invalid(func, "starts", "finite", "NaN or infinite coordinates")
    return np.ascontiguousarray(X)


def _int(func, name, value, low):
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < low:
        raise invalid(func, name, f"an int >= {low}", value)
    return int(value)


# --- running -------------------------------------------------------------------------------
def run(surface, optimizer, starts, steps, *, noise_std=0.0, seed=0, record=True,
        scheduler=None, bound=1e6, **hyperparameters) -> Trajectories:  # fmt: skip
    """Run ``optimizer`` from every start on ``surface`` for ``steps`` steps.

    Parameters
    ----------
    surface : surfaces.Surface or str
        E.g. ``surfaces.Rosenbrock()`` or ``"rosenbrock"``.
    optimizer : str or class
        A name in ``optlearn.optim`` (``"SGD"``, ``"Adam"``, ...; any case) or the class.
    starts : array of shape (n_starts, 2) or (2,)
    steps : int >= 1
    noise_std : float, default=0.0
        Gaussian noise of this standard deviation added to every gradient coordinate (a model
        of stochastic gradients), drawn from ``np.random.default_rng(seed)`` step by step.
    seed : int, default=0
    record : bool, default=True
        Keep every position and loss. ``False`` keeps only the end points (much faster and
        lighter: 10,000 starts x 1,000 steps of paths take 160 MB).
    scheduler : callable, optional
        ``scheduler(optimizer) -> LRScheduler``, e.g. ``lambda opt: StepLR(opt, 100)``;
        stepped after every optimizer step. (``ReduceLROnPlateau`` needs a metric: not here.)
    bound : float, default=1e6
        Runs that leave ``[-bound, bound]^2`` or become non-finite are stopped and marked.
    **hyperparameters
        The optimizer's arguments, with torch's names and defaults (``lr``, ``momentum``,
        ``betas``, ``nesterov``, ...).

    Returns
    -------
    Trajectories

    Examples
    --------
    >>> import numpy as np
    >>> from optlearn import surfaces
    >>> bowl = surfaces.Quadratic(condition_number=10)
    >>> res = run(bowl, "SGD", [[1.0, 1.0], [-1.0, 0.5]], steps=100, lr=0.1, momentum=0.5)
    >>> res.positions.shape, bool(np.all(np.abs(res.final) < 1e-3))
    ((2, 101, 2), True)
    >>> run(bowl, "SGD", [1.0, 1.0], steps=100, lr=0.25).diverged   # lr > 2 / L = 0.2
    array([ True])
    """
    func = "run"
    surface = _surface(func, surface)
    name, cls = _optimizer(func, optimizer)
    hyper = _hyper(func, name, cls, hyperparameters)
    X0 = _starts(func, starts)
    steps = _int(func, "steps", steps, 1)
    noise_std = check_real(func, "noise_std", noise_std, low=0)
    bound = check_real(func, "bound", bound, low=0, low_open=True, finite=False)
    seed = _int(func, "seed", seed, 0)
    if not isinstance(record, bool):
        raise invalid(func, "record", "True or False", record, exc=TypeError)
    if scheduler is not None and not callable(scheduler):
        raise invalid(func, "scheduler", "a function optimizer -> scheduler",
                      type(scheduler).__name__, exc=TypeError)  # fmt: skip
    n = len(X0)
    per_start = {k: np.full(n, float(hyper.get(k, _default(cls, k)))) for k in ("lr",)}
    fused = _fused_kind(surface, name, hyper, scheduler)
    if fused is not None:
        out = _run_fused(fused, surface, name, cls, hyper, X0, steps, noise_std, seed, record,
                         bound, per_start)  # fmt: skip
    else:
        out = _run_classes(surface, cls, hyper, X0, steps, noise_std, seed, record, bound,
                           scheduler)  # fmt: skip
    positions, losses, final, diverged, stopped = out
    final_loss = surface.value(final)
    return Trajectories(surface, name, hyper, X0, steps, positions, losses, final, final_loss,
                        diverged, stopped)  # fmt: skip


def _default(cls, key):
    return _signature(cls)[key].default


@functools.cache
def _signature(cls):
    # The optimizer's parameters, looked up once per class (inspect.signature costs ~10 us a
    # call, and run asks for several defaults: more than 100 steps of the kernels).
    return inspect.signature(cls).parameters


def _fused_kind(surface, name, hyper, scheduler):
    if scheduler is not None or getattr(surface, "kind", None) is None:
        return None
    if name == "SGD" and set(hyper) <= set(_FUSED_SGD):
        return "SGD"
    if name in ("Adam", "AdamW") and set(hyper) <= set(_FUSED_ADAM):
        return "Adam"
    return None


def _noise(noise_std, seed, steps, n):
    """Gradient noise for every step, (steps, n, 2), drawn step by step from the seed."""
    if noise_std == 0:
        return None
    return np.random.default_rng(seed).standard_normal((steps, n, 2))


def _run_fused(kind, surface, name, cls, hyper, X0, steps, noise_std, seed, record, bound,
               per_start):  # fmt: skip
    from . import _trajectory_kernels as K

    n = len(X0)
    X = np.ascontiguousarray(X0.T)  # (2, n): x and y coordinates apart (see the kernels)
    out = np.empty((steps + 1, 2, n) if record else (1, 1, 1))
    losses = np.empty((steps + 1, n) if record else (1, 1))
    if record:
        out[0] = X
        losses[0] = surface.value(X0)
    alive, stopped = np.ones(n, np.bool_), np.full(n, -1, np.int64)
    noise = _noise(noise_std, seed, steps, n)
    noise = np.zeros((1, 2, 1)) if noise is None else np.ascontiguousarray(
        noise.transpose(0, 2, 1))  # fmt: skip
    # Many small blocks balance the threads' load; with paths recorded, one block per thread
    # writes each step's positions in longer contiguous runs (measured 1.5x faster).
    blocks = min(numba.get_num_threads() if record else _BLOCKS, n)
    params = np.zeros(K.N_PARAMS)  # padded: the kernels take them as a fixed-size tuple
    params[: len(surface.params)] = surface.params
    sign = -1.0 if hyper.get("maximize", False) else 1.0
    if kind == "SGD":
        h = {k: hyper.get(k, _default(cls, k)) for k in _FUSED_SGD}
        full = {"momentum": np.full(n, float(h["momentum"]))}
        full.update(per_start)
        mu = full["momentum"]
        mode = 0 if not mu.any() else 1 if mu.all() else 2
        defaults = h["dampening"] == 0 and h["weight_decay"] == 0 and sign == 1.0
        lr = full["lr"]
        uniform = bool((lr == lr[0]).all() and (mu == mu[0]).all())
        kernel = K.sgd_run(surface.kind, h["nesterov"], noise_std != 0, mode, defaults, uniform)
        _in_threads(kernel, (params, X, out, losses, lr, mu,
                             1 - float(h["dampening"]), float(h["weight_decay"]), sign, noise,
                             noise_std, bound, steps, record, alive, stopped, blocks),
                    blocks, n * steps)  # fmt: skip
    else:
        sig = _signature(cls)
        h = {k: hyper.get(k, _default(cls, k)) for k in _FUSED_ADAM if k in sig}
        decoupled = name == "AdamW" or bool(h.get("decoupled_weight_decay", False))
        beta1, beta2 = h["betas"]
        kernel = K.adam_run(surface.kind, h["amsgrad"], 1 - float(beta1) < 0.5, noise_std != 0)
        _in_threads(kernel, (params, X, out, losses, per_start["lr"], float(beta1),
                             float(beta2), float(h["eps"]), float(h["weight_decay"]), decoupled,
                             sign, noise, noise_std, bound, steps, record, alive, stopped,
                             blocks),
                    blocks, n * steps)  # fmt: skip
    positions = out.transpose(2, 0, 1) if record else None  # (n, steps + 1, 2), a view
    return positions, losses.T if record else None, np.ascontiguousarray(X.T), ~alive, stopped


def _in_threads(kernel, args, blocks, work):
    """Run ``kernel(*args, b_first, b_last)`` over all blocks, split across Numba's threads.

    The kernels release the GIL and write disjoint blocks, so Python threads run them side by
    side. Below ~1e5 start-steps a thread pool costs more than it saves: one call then.
    """
    k = min(numba.get_num_threads(), blocks) if work >= 100_000 else 1
    cuts = [blocks * i // k for i in range(k + 1)]
    if k == 1:
        kernel(*args, 0, blocks)
        return
    pool = _pool(k)
    done = [pool.submit(kernel, *args, cuts[i], cuts[i + 1]) for i in range(k)]
    for d in done:
        d.result()  # re-raises a kernel's exception here


_POOLS: dict = {}


def _pool(k):
    # One pool of k threads per process, kept (starting threads on every call cost ~0.1 ms, as
    # much as a few hundred steps of the kernels). Keyed by the process id: a child made by
    # fork() inherits the parent's pool object but not its threads, and work submitted to it
    # would wait forever.
    key = (os.getpid(), k)
    if key not in _POOLS:
        _POOLS[key] = ThreadPoolExecutor(k, thread_name_prefix="optlearn-trajectories")
    return _POOLS[key]


def _run_classes(surface, cls, hyper, X0, steps, noise_std, seed, record, bound, scheduler):
    n = len(X0)
    P = X0.copy()
    flat = P.reshape(-1)  # one parameter vector: the updates are element-wise
    opt = cls([flat], **hyper)
    sched = scheduler(opt) if scheduler is not None else None
    out = np.empty((steps + 1, n, 2)) if record else None
    losses = np.empty((steps + 1, n)) if record else None
    if record:
        out[0], losses[0] = X0, surface.value(X0)
    alive, stopped = np.ones(n, np.bool_), np.full(n, -1, np.int64)
    noise = _noise(noise_std, seed, steps, n)
    frozen = P.copy()
    with np.errstate(all="ignore"):
        for t in range(steps):
            G = surface.grad(P)
            if noise is not None:
                G = G + noise_std * noise[t]
            G = np.where(alive[:, None], G, 0.0)
            opt.step([np.ascontiguousarray(G).reshape(-1)])
            if sched is not None:
                sched.step()
            ok = alive & np.all(np.abs(P) <= bound, axis=1)  # False for NaN
            newly = alive & ~ok
            stopped[newly] = t + 1
            alive &= ok
            P[~alive] = frozen[~alive]  # frozen runs stay where they left off
            frozen[alive] = P[alive]
            if record:
                out[t + 1], losses[t + 1] = P, surface.value(P)
    return (out.transpose(1, 0, 2) if record else None, losses.T if record else None, P,
            ~alive, stopped)  # fmt: skip


# --- summaries -------------------------------------------------------------------------------
def steps_to_tolerance(result: Trajectories, tol: float) -> np.ndarray:
    """The first step at which each run's loss is within ``tol`` of the surface's global
    minimum value (-1 for runs that never get there). Needs ``record=True``."""
    if result.losses is None:
        raise invalid("steps_to_tolerance", "result", "a run made with record=True",
                      "a run with record=False", "Run again with record=True.")  # fmt: skip
    tol = check_real("steps_to_tolerance", "tol", tol, low=0, low_open=True)
    hit = result.losses - result.surface.min_value <= tol
    first = np.argmax(hit, axis=1)
    return np.where(hit.any(axis=1), first, -1)


def distance_to_minimum(result: Trajectories) -> np.ndarray:
    """Distance from each run's end point to the nearest of the surface's known minima."""
    minima = np.asarray(result.surface.minima, dtype=np.float64).reshape(-1, 2)
    if len(minima) == 0:
        raise invalid("distance_to_minimum", "result.surface", "a surface with known minima",
                      result.surface.name)  # fmt: skip
    d = np.linalg.norm(result.final[:, None, :] - minima[None, :, :], axis=2)
    return d.min(axis=1)


def basins(result: Trajectories, tol: float = 1e-3) -> np.ndarray:
    """Index (into ``surface.minima``) of the minimum each run ended within ``tol`` of, or -1."""
    minima = np.asarray(result.surface.minima, dtype=np.float64).reshape(-1, 2)
    d = np.linalg.norm(result.final[:, None, :] - minima[None, :, :], axis=2)
    nearest = d.argmin(axis=1) if len(minima) else np.full(len(result.final), -1)
    ok = (d.min(axis=1) <= tol) & ~result.diverged if len(minima) else np.zeros(len(d), bool)
    return np.where(ok, nearest, -1)


# --- sweeps ----------------------------------------------------------------------------------
@dataclass
class SweepResult:
    """The result of :func:`sweep`: one run per grid point, from one start.

    ``values[k]`` are the grid values of ``names[k]``; arrays are indexed like
    ``np.meshgrid(*values, indexing="ij")`` (first name first). ``status`` is 0 (converged:
    loss within ``tol`` of the minimum), 1 (slow: neither converged nor diverged) or 2
    (diverged); ``steps`` is the first step within ``tol`` (-1 if never).
    """

    names: list
    values: list
    final_loss: np.ndarray
    status: np.ndarray
    steps: np.ndarray
    runs: Trajectories


def sweep(surface, optimizer, grid: dict, start, steps, *, tol=1e-6, bound=1e6,
          **hyperparameters) -> SweepResult:  # fmt: skip
    """Run ``optimizer`` from ``start`` for every combination of the ``grid`` values.

    ``grid`` maps hyperparameter names to lists (``{"lr": [...], "momentum": [...]}``);
    other hyperparameters are fixed by keyword. For SGD and Adam's ``lr`` all grid points run
    in one fused pass (a 64 x 64 phase diagram is one call); other grids loop over runs.

    >>> from optlearn import surfaces
    >>> res = sweep(surfaces.Quadratic(4), "SGD", {"lr": [0.1, 0.6]}, [1.0, 1.0], steps=200)
    >>> res.status.tolist()   # 0.6 > 2 / L = 0.5 diverges
    [0, 2]
    """
    func = "sweep"
    surface = _surface(func, surface)
    name, cls = _optimizer(func, optimizer)
    if not isinstance(grid, dict) or not grid:
        raise invalid(func, "grid", "a dict of hyperparameter name -> list of values", grid,
                      exc=TypeError)  # fmt: skip
    names = list(grid)
    values = [list(grid[k]) for k in names]
    for k, vals in zip(names, values, strict=True):
        if not vals:
            raise invalid(func, f"grid[{k!r}]", "a non-empty list of values", vals)
        _hyper(func, name, cls, {**hyperparameters, k: vals[0]})
    X0 = _starts(func, start)
    if len(X0) != 1:
        raise invalid(func, "start", "one point of shape (2,)", f"shape {X0.shape}")
    steps = _int(func, "steps", steps, 1)
    tol = check_real(func, "tol", tol, low=0, low_open=True)
    combos = np.array(np.meshgrid(*[np.arange(len(v)) for v in values], indexing="ij"))
    shape = combos.shape[1:]
    combos = combos.reshape(len(names), -1).T
    n = len(combos)
    starts = np.repeat(X0, n, axis=0)
    per_start = {"lr": np.full(n, float(hyperparameters.get("lr", _default(cls, "lr"))))}
    grid_keys_fusable = set(names) <= ({"lr", "momentum"} if name == "SGD" else {"lr"})
    fused = _fused_kind(surface, name, hyperparameters, None)
    if fused is not None and grid_keys_fusable:
        hyper = _hyper(func, name, cls, hyperparameters)
        for k in names:
            per_start[k] = np.array([float(values[names.index(k)][c]) for c in
                                     combos[:, names.index(k)]])  # fmt: skip
        pos, losses, final, diverged, stopped = _run_fused(fused, surface, name, cls, hyper,
                                                           starts, steps, 0.0, 0, True, bound,
                                                           per_start)  # fmt: skip
        runs = Trajectories(surface, name, hyper, starts, steps, pos, losses, final,
                            surface.value(final), diverged, stopped)  # fmt: skip
    else:
        parts = []
        for c in combos:
            h = {**hyperparameters, **{k: values[j][c[j]] for j, k in enumerate(names)}}
            parts.append(run(surface, cls, X0, steps, bound=bound, **h))
        runs = Trajectories(surface, name, hyperparameters, starts, steps,
                            np.concatenate([p.positions for p in parts]),
                            np.concatenate([p.losses for p in parts]),
                            np.concatenate([p.final for p in parts]),
                            np.concatenate([p.final_loss for p in parts]),
                            np.concatenate([p.diverged for p in parts]),
                            np.concatenate([p.stopped_at for p in parts]))  # fmt: skip
    hit = steps_to_tolerance(runs, tol) if math.isfinite(surface.min_value) else np.full(n, -1)
    status = np.where(runs.diverged, 2, np.where(hit >= 0, 0, 1))
    return SweepResult(names, values, runs.final_loss.reshape(shape), status.reshape(shape),
                       hit.reshape(shape), runs)  # fmt: skip
