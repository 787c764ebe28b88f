r"""Training loops: ``fit``, its ``History``, callbacks, and the learning-rate range test.

``fit`` runs minibatch training of any model that follows the small protocol below with an
:class:`~optlearn.optim.Optimizer` (and optionally a scheduler and gradient clipping), and
records what the book's chapters plot: losses, accuracies, the learning rate and gradient
norms, once per epoch (and per step if asked). ``lr_range_test`` is Smith's range test
(fast.ai's "LR finder").

**The model protocol.** ``fit`` needs nothing but these methods and one attribute (the MLP in
:mod:`optlearn.nn` has them; so can any class written in a chapter):

- ``parameters() -> list[ndarray]``: the parameters, always the same arrays in the same order;
  the optimizer updates them in place.
- ``parameter_names() -> list[str]``: torch-style names (``"layers.0.weight"``), one per
  parameter. They group parameters into layers for the per-layer gradient norms (see
  :func:`fit`).
- ``loss_and_grads(X, y, loss="cross_entropy") -> (float, list[ndarray])``: forward pass in
  training mode (dropout on, batch statistics) and backward pass; the mean loss over the
  batch and one gradient per parameter, in parameter order.
- ``loss(X, y, loss="cross_entropy") -> float``: the mean loss in evaluation mode (no dropout,
  running statistics), no gradients.
- ``accuracy(X, y) -> float``: needed only for the classification losses
  ``"cross_entropy"`` and ``"binary_cross_entropy_with_logits"``.
- ``state_dict() -> dict[str, ndarray]`` (copies) and ``load_state_dict(d)``: needed only by
  the callbacks that keep weights (:class:`EarlyStopping` with ``restore_best_weights``,
  :class:`TerminateOnNaN`, :class:`ModelCheckpoint`).
- ``rng``: a settable ``np.random.Generator`` that the model draws its dropout masks from;
  ``fit`` sets it from its ``seed``, so a run is reproducible bit for bit.

**The loop** is the one every PyTorch tutorial writes, with torch's order of calls::

    for epoch in range(epochs):
        for Xb, yb in shuffled minibatches:          # a new order every epoch
            loss, grads = model.loss_and_grads(Xb, yb, loss=loss)
            clip_grad_norm_(grads, max_norm)         # if asked
            optimizer.step(grads)
            scheduler.step()                         # per-batch schedules (OneCycleLR, CyclicLR)
        evaluate; scheduler.step() or scheduler.step(val_loss)   # per-epoch schedules
"""

from __future__ import annotations

import importlib.util
import math
import os
import time
from dataclasses import dataclass, field
from numbers import Integral
from pathlib import Path

import numpy as np

from ._validation import check_real, invalid
from .optim.clip import clip_grad_norm_, clip_grads_with_norm_, get_total_norm
from .optim.lr_scheduler import CyclicLR, OneCycleLR, ReduceLROnPlateau

__all__ = [
    "Callback",
    "EarlyStopping",
    "History",
    "LRRangeTestResult",
    "ModelCheckpoint",
    "TerminateOnNaN",
    "TrainState",
    "fit",
    "lr_range_test",
]

_CLASSIFICATION_LOSSES = ("cross_entropy", "binary_cross_entropy_with_logits")
_HOOKS = ("on_train_begin", "on_epoch_begin", "on_step_begin", "on_step_end", "on_epoch_end",
          "on_train_end")  # fmt: skip
_METRICS = ("train_loss", "train_accuracy", "val_loss", "val_accuracy")


# --- the record of a run -------------------------------------------------------------------
@dataclass(repr=False)
class History:
    """What :func:`fit` recorded: one entry per epoch in every per-epoch list.

    Attributes
    ----------
    epoch : list of int
        The epochs, numbered from 1.
    train_loss, train_accuracy : list of float
        Loss and accuracy on the whole training set after each epoch, in evaluation mode
        (accuracy only for the classification losses; empty otherwise).
    val_loss, val_accuracy : list of float
        The same on the validation set (empty without one).
    lr : list of float
        ``param_groups[0]["lr"]`` used by the epoch's last step (for a per-epoch schedule, the
        epoch's rate).
    grad_norm, grad_norm_max : list of float
        Mean and maximum over the epoch's steps of the global 2-norm of the gradients, before
        clipping.
    layer_grad_norms : dict of str to list of float
        Per layer, the mean over the epoch's steps of the 2-norm of that layer's gradients
        (before clipping).
    time : list of float
        Seconds each epoch took (its steps and its evaluation).
    step_loss, step_lr, step_grad_norm : list of float
        Per step (with ``record_steps=True`` only): the minibatch loss, the learning rate used
        and the global gradient norm before clipping.
    stopped_early : bool
        Whether a callback stopped training.
    stop_reason : str or None
        Why, in the callback's words.

    Examples
    --------
    >>> h = History(epoch=[1, 2], train_loss=[0.9, 0.5], val_loss=[1.0, 0.7])
    >>> h.best("val_loss")
    (2, 0.7)
    >>> len(h)
    2
    """

    epoch: list = field(default_factory=list)
    train_loss: list = field(default_factory=list)
    train_accuracy: list = field(default_factory=list)
    val_loss: list = field(default_factory=list)
    val_accuracy: list = field(default_factory=list)
    lr: list = field(default_factory=list)
    grad_norm: list = field(default_factory=list)
    grad_norm_max: list = field(default_factory=list)
    layer_grad_norms: dict = field(default_factory=dict)
    time: list = field(default_factory=list)
    step_loss: list = field(default_factory=list)
    step_lr: list = field(default_factory=list)
    step_grad_norm: list = field(default_factory=list)
    stopped_early: bool = False
    stop_reason: str | None = None

    def __len__(self) -> int:
        return len(self.epoch)

    def __repr__(self) -> str:
        # A summary without the timings, so a notebook's stored output stays reproducible.
        parts = [f"epochs={len(self.epoch)}"]
        for name in _METRICS:
            values = getattr(self, name)
            if values:
                parts.append(f"{name}={values[-1]:.4g}")
        parts.append(f"stopped_early={self.stopped_early}")
        if self.stop_reason is not None:
            parts.append(f"stop_reason={self.stop_reason!r}")
        return f"History({', '.join(parts)})"

    def to_dict(self) -> dict:
        """Every field as plain Python lists, dicts, floats and strings (JSON-ready copies).

        Examples
        --------
        >>> History(epoch=[1], train_loss=[0.5]).to_dict()["train_loss"]
        [0.5]
        """
        out = {}
        for name in self.__dataclass_fields__:
            value = getattr(self, name)
            if isinstance(value, list):
                value = list(value)
            elif isinstance(value, dict):
                value = {k: list(v) for k, v in value.items()}
            out[name] = value
        return out

    def best(self, metric: str = "val_loss") -> tuple[int, float]:
        """The epoch with the best value of ``metric``, and that value.

        Parameters
        ----------
        metric : {"val_loss", "train_loss", "val_accuracy", "train_accuracy"}
            Lowest loss, or highest accuracy; NaN values are skipped; the first epoch wins ties.

        Returns
        -------
        (int, float)
            The epoch (numbered from 1) and the value.

        Raises
        ------
        ValueError
            For another name, or a metric that was not recorded (or is NaN at every epoch).

        Examples
        --------
        >>> History(epoch=[1, 2, 3], train_accuracy=[0.8, 0.9, 0.85]).best("train_accuracy")
        (2, 0.9)
        """
        func = "History.best"
        if metric not in _METRICS:
            raise invalid(func, "metric", f"one of {', '.join(map(repr, _METRICS))}", metric)
        values = np.asarray(getattr(self, metric), dtype=np.float64)
        if values.size == 0 or np.isnan(values).all():
            raise invalid(func, "metric", "a metric this run recorded", metric,
                          "Accuracies are recorded for classification losses only, "
                          "validation metrics only when fit got val=(X_val, y_val).")  # fmt: skip
        i = int(np.nanargmax(values) if metric.endswith("accuracy") else np.nanargmin(values))
        return int(self.epoch[i]), float(values[i])

    def plot(self, axes=None):
        """Draw the loss, accuracy (if recorded), learning-rate and gradient-norm panels.

        Parameters
        ----------
        axes : sequence of matplotlib Axes, optional
            One per panel, in the order loss, accuracy (only if recorded), lr, grad norm. If
            None, a new figure with the panels in a row is made with ``pyplot``, so a notebook
            shows it like any other figure (assign the result, ``fig = history.plot()``, or
            Jupyter shows it twice; in a loop, close it with ``plt.close(fig)``).

        Returns
        -------
        matplotlib.figure.Figure
            The figure of the panels. Nothing is printed and ``plt.show`` is not called.

        Examples
        --------
        >>> import matplotlib.pyplot as plt
        >>> h = History(epoch=[1, 2], train_loss=[0.9, 0.5], lr=[0.1, 0.1],
        ...             grad_norm=[2.0, 1.0], grad_norm_max=[3.0, 1.5])
        >>> fig = h.plot()
        >>> [ax.get_title() for ax in fig.axes]
        ['loss', 'learning rate', 'gradient norm']
        >>> plt.close(fig)
        """
        panels = ["loss"]
        if self.train_accuracy or self.val_accuracy:
            panels.append("accuracy")
        panels += ["lr", "grad_norm"]
        if axes is None:
            import matplotlib.pyplot as plt

            fig, axs = plt.subplots(1, len(panels), figsize=(3.4 * len(panels), 3.0),
                                    layout="constrained", squeeze=False)  # fmt: skip
            axs = list(axs[0])
        else:
            axs = list(np.ravel(np.asarray(axes, dtype=object)))
            if len(axs) != len(panels) or not all(hasattr(ax, "plot") for ax in axs):
                raise invalid("History.plot", "axes",
                              f"{len(panels)} matplotlib Axes, one per panel "
                              f"({', '.join(panels)})", f"{len(axs)} objects")  # fmt: skip
            fig = axs[0].figure
        epochs = self.epoch
        for ax, panel in zip(axs, panels, strict=True):
            if panel in ("loss", "accuracy"):
                for split in ("train", "val"):
                    values = getattr(self, f"{split}_{panel}")
                    if values:
                        ax.plot(epochs, values, marker=".", label=split)
                ax.set_title(panel)
                if ax.get_legend_handles_labels()[0]:
                    ax.legend()
            elif panel == "lr":
                ax.plot(epochs, self.lr, marker=".")
                ax.set_title("learning rate")
            else:
                ax.plot(epochs, self.grad_norm, marker=".", label="mean")
                ax.plot(epochs, self.grad_norm_max, lw=0.8, ls="--", label="max")
                finite = np.asarray(self.grad_norm_max + self.grad_norm, dtype=np.float64)
                finite = finite[np.isfinite(finite)]
                if finite.size and finite.min() > 0:
                    ax.set_yscale("log")
                ax.set_title("gradient norm")
                if ax.get_legend_handles_labels()[0]:
                    ax.legend()
            ax.set_xlabel("epoch")
        return fig


# --- callbacks -----------------------------------------------------------------------------
class TrainState:
    """What :func:`fit` shows its callbacks: the objects being trained and where it stands.

    Attributes
    ----------
    model, optimizer, scheduler
        The objects passed to :func:`fit` (``scheduler`` may be None).
    history : History
        The record so far (updated before ``on_epoch_end``).
    epochs : int
        The number of epochs asked for.
    epoch : int
        The current epoch, numbered from 1 (0 before the first).
    step : int
        Steps (minibatches) taken since training began, counting the current one.
    batch : int
        The current minibatch's index within its epoch, from 0.
    loss : float or None
        The loss of the last minibatch (before its update).
    metrics : tuple of str
        The per-epoch metrics this run records, e.g. ``("train_loss", "val_loss")``.
    stop : bool
        Set it to True to stop training: after the current step (the epoch is then evaluated
        and recorded as it is) or, from ``on_epoch_end``, before the next epoch.
    stop_reason : str or None
        Say why; it is copied to ``History.stop_reason``.

    Examples
    --------
    >>> class StopAtLoss(Callback):
    ...     def on_step_end(self, state):
    ...         if state.loss < 0.5:
    ...             state.stop = True
    ...             state.stop_reason = f"loss below 0.5 at step {state.step}"
    """

    def __init__(self, model, optimizer, scheduler, history, epochs, metrics):
        self.model = model
        self.optimizer = optimizer
        self.scheduler = scheduler
        self.history = history
        self.epochs = epochs
        self.metrics = metrics
        self.epoch = 0
        self.step = 0
        self.batch = 0
        self.loss = None
        self.stop = False
        self.stop_reason = None

    def __repr__(self) -> str:
        return (f"TrainState(epoch={self.epoch}/{self.epochs}, step={self.step}, "
                f"loss={self.loss}, stop={self.stop})")  # fmt: skip


class Callback:
    """Base class of the callbacks of :func:`fit`: every hook does nothing.

    Override the hooks you need; each gets the :class:`TrainState`. The order within one
    epoch is::

        on_epoch_begin
        for each minibatch: on_step_begin, (loss, gradients, clip, optimizer and per-batch
                            scheduler steps), on_step_end
        (evaluation, History updated, per-epoch scheduler step), on_epoch_end

    with ``on_train_begin`` before the first epoch (called before ``fit`` changes anything,
    so a callback may refuse its arguments there) and ``on_train_end`` after the last. An
    object that is not a ``Callback`` is accepted too if it has any of these methods; the
    others are skipped.

    Examples
    --------
    >>> class PrintLR(Callback):
    ...     def on_epoch_end(self, state):
    ...         print(f"epoch {state.epoch}: lr {state.history.lr[-1]}")
    """

    # Whether the callback needs model.state_dict / load_state_dict (fit checks it up front).
    _needs_state_dict = False

    def on_train_begin(self, state: TrainState) -> None:
        """Called once, before training."""

    def on_epoch_begin(self, state: TrainState) -> None:
        """Called at the start of each epoch."""

    def on_step_begin(self, state: TrainState) -> None:
        """Called before each minibatch's forward pass."""

    def on_step_end(self, state: TrainState) -> None:
        """Called after each optimizer step (and per-batch scheduler step)."""

    def on_epoch_end(self, state: TrainState) -> None:
        """Called after each epoch's evaluation and per-epoch scheduler step."""

    def on_train_end(self, state: TrainState) -> None:
        """Called once, after training (also when a callback stopped it)."""


class _Monitor(Callback):
    """A callback that watches one per-epoch metric (shared by EarlyStopping, ModelCheckpoint)."""

    def __init__(self, func: str, monitor, mode) -> None:
        if monitor not in _METRICS:
            raise invalid(func, "monitor", f"one of {', '.join(map(repr, _METRICS))}", monitor)
        if mode not in ("auto", "min", "max"):
            raise invalid(func, "mode", "one of 'auto', 'min', 'max'", mode)
        self.monitor = monitor
        if mode == "auto":
            mode = "max" if monitor.endswith("accuracy") else "min"
        self.mode = mode
        self._func = func

    def _check_recorded(self, state: TrainState) -> None:
        if self.monitor not in state.metrics:
            raise invalid(self._func, "monitor",
                          f"a metric that this fit records ({', '.join(state.metrics)})",
                          self.monitor, "Pass val=(X_val, y_val) to fit, or monitor "
                          "'train_loss'.")  # fmt: skip

    def _current(self, state: TrainState) -> float:
        return getattr(state.history, self.monitor)[-1]


class EarlyStopping(_Monitor):
    """Stop training when a metric has stopped improving, and go back to the best weights.

    After each epoch, the monitored value counts as an improvement if it beats the best so
    far by more than ``min_delta`` (lower for ``"min"``, higher for ``"max"``). After
    ``patience`` epochs in a row without one, training stops and, with
    ``restore_best_weights``, the model gets back the weights of the best epoch.

    Parameters
    ----------
    monitor : {"val_loss", "val_accuracy", "train_loss", "train_accuracy"}, default="val_loss"
        The metric watched (a validation metric needs ``val`` in :func:`fit`).
    patience : int, default=5
        Stop after this many epochs in a row without improvement (>= 0; 0 acts as 1, as in
        Keras).
    min_delta : float, default=0.0
        The least change that counts as an improvement (>= 0).
    mode : {"auto", "min", "max"}, default="auto"
        ``"auto"``: ``"min"`` for a loss, ``"max"`` for an accuracy.
    restore_best_weights : bool, default=True
        Load the best epoch's weights (``model.load_state_dict``) when stopping. Costs one
        copy of the weights per improvement.

    Attributes
    ----------
    best : float
        The best value seen.
    best_epoch : int or None
        Its epoch (from 1).
    stopped_epoch : int or None
        The epoch after which training stopped.

    Notes
    -----
    As Keras' ``EarlyStopping``: the weights are restored only when it stops training (if
    training runs to the last epoch, the model keeps its last weights; compare
    ``History.best``). The optimizer's state is not restored. ``NaN`` never counts as an
    improvement.

    Examples
    --------
    >>> import numpy as np
    >>> from optlearn.nn import MLP
    >>> from optlearn.optim import SGD
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((40, 3)); y = (X[:, 0] > 0).astype(np.int64)
    >>> model = MLP([3, 2], dtype=np.float64)
    >>> stop = EarlyStopping(monitor="train_loss", patience=0, min_delta=0.1)
    >>> h = fit(model, SGD(model.parameters(), lr=0.5), (X, y), epochs=50, batch_size=8,
    ...         callbacks=[stop], progress=False)
    >>> h.stopped_early, len(h) < 50, stop.best_epoch == len(h) - 1
    (True, True, True)
    """

    _needs_state_dict = True

    def __init__(self, monitor: str = "val_loss", patience: int = 5, min_delta: float = 0.0,
                 mode: str = "auto", restore_best_weights: bool = True) -> None:  # fmt: skip
        func = "EarlyStopping"
        super().__init__(func, monitor, mode)
        self.patience = _int(func, "patience", patience, 0)
        self.min_delta = check_real(func, "min_delta", min_delta, low=0)
        self.restore_best_weights = _bool(func, "restore_best_weights", restore_best_weights)
        self._needs_state_dict = self.restore_best_weights
        self._reset()

    def _reset(self) -> None:
        self.best = math.inf if self.mode == "min" else -math.inf
        self.best_epoch = None
        self.best_state = None
        self.stopped_epoch = None
        self.wait = 0

    def on_train_begin(self, state: TrainState) -> None:
        self._check_recorded(state)
        self._reset()

    def on_epoch_end(self, state: TrainState) -> None:
        current = self._current(state)
        if self.mode == "min":
            better = current < self.best - self.min_delta
        else:
            better = current > self.best + self.min_delta
        if better:
            self.best, self.best_epoch, self.wait = current, state.epoch, 0
            if self.restore_best_weights:
                self.best_state = state.model.state_dict()
            return
        self.wait += 1
        if self.wait >= self.patience and not state.stop:
            self.stopped_epoch = state.epoch
            reason = (f"{self.monitor} did not improve for {self.wait} epoch"
                      f"{'s' if self.wait > 1 else ''}")  # fmt: skip
            if self.best_epoch is not None:
                reason += f" (best {self.best:.6g} at epoch {self.best_epoch})"
            if self.restore_best_weights and self.best_state is not None:
                state.model.load_state_dict(self.best_state)
                reason += f"; weights restored to epoch {self.best_epoch}"
            state.stop, state.stop_reason = True, reason


class TerminateOnNaN(Callback):
    """Stop training when a minibatch loss is NaN or infinite, and undo the damage.

    Before each step it keeps a copy of ``model.state_dict()`` and
    ``optimizer.state_dict()``; when a step's loss is not finite, it loads back the last
    state at which the loss was finite (the one the previous step started from), stops
    training and says where in ``History.stop_reason``, e.g. ``"loss became nan at epoch 3,
    step 17; parameters and optimizer state restored to the last finite state (the start of
    step 16, loss 4.1e+05)"``.

    Notes
    -----
    The cost: one copy of the parameters and of the optimizer's state per step (two are
    held at a time). Without this callback, :func:`fit` lets NaN propagate as PyTorch does:
    the parameters become NaN and every later loss is NaN. Only the minibatch losses are
    checked; the learning-rate scheduler is not rewound. Which state is restored: the
    parameters a bad step starts from may already be unusable (their loss is the NaN), so
    the state restored is the last one *whose loss was seen to be finite*; if the very first
    loss is not finite, the state before training.

    Examples
    --------
    >>> import numpy as np
    >>> from optlearn.nn import MLP
    >>> from optlearn.optim import SGD
    >>> rng = np.random.default_rng(0)
    >>> X = 1e6 * rng.standard_normal((40, 3)); y = (X[:, 0] > 0).astype(np.int64)
    >>> model = MLP([3, 2], dtype=np.float64)
    >>> h = fit(model, SGD(model.parameters(), lr=1e300), (X, y), epochs=5, batch_size=8,
    ...         callbacks=[TerminateOnNaN()], progress=False)
    >>> h.stopped_early, "nan" in h.stop_reason or "inf" in h.stop_reason
    (True, True)
    >>> all(np.isfinite(p).all() for p in model.parameters())
    True
    """

    _needs_state_dict = True

    def __init__(self) -> None:
        self._begin = self._good = None

    def on_train_begin(self, state: TrainState) -> None:
        self._begin = self._good = None

    def on_step_begin(self, state: TrainState) -> None:
        self._begin = (state.model.state_dict(), state.optimizer.state_dict(), state.epoch,
                       state.step)  # fmt: skip

    def on_step_end(self, state: TrainState) -> None:
        loss = state.loss
        if math.isfinite(loss):
            self._good = (*self._begin, loss)
            return
        kind = "nan" if math.isnan(loss) else ("inf" if loss > 0 else "-inf")
        reason = f"loss became {kind} at epoch {state.epoch}, step {state.step}; "
        if self._good is None:
            model_state, opt_state = self._begin[:2]
            reason += ("parameters and optimizer state restored to their values before "
                       "training (the first loss was not finite: check the data and the "
                       "initialisation)")  # fmt: skip
        else:
            model_state, opt_state, _, good_step, good_loss = self._good
            reason += ("parameters and optimizer state restored to the last finite state "
                       f"(the start of step {good_step}, loss {good_loss:.6g})")  # fmt: skip
        state.model.load_state_dict(model_state)
        state.optimizer.load_state_dict(opt_state)
        state.stop, state.stop_reason = True, reason


class ModelCheckpoint(_Monitor):
    """Keep the best weights seen (in memory, and in an ``.npz`` file if asked).

    After each epoch whose monitored value is strictly better than every earlier one, the
    callback stores ``model.state_dict()`` and, with ``path``, writes it with ``np.savez``
    (one array per parameter name; the file is replaced atomically).

    Parameters
    ----------
    monitor : {"val_loss", "val_accuracy", "train_loss", "train_accuracy"}, default="val_loss"
        The metric watched.
    mode : {"auto", "min", "max"}, default="auto"
        ``"auto"``: ``"min"`` for a loss, ``"max"`` for an accuracy.
    path : str or path-like, optional
        The file to write; ``".npz"`` is appended if it has another suffix (as ``np.savez``
        does). Its folder must exist. Load it back with
        ``model.load_state_dict(dict(np.load(path)))``.

    Attributes
    ----------
    best : float
        The best value seen.
    best_epoch : int or None
        Its epoch (from 1).
    best_state : dict of str to ndarray, or None
        The weights of that epoch.

    Examples
    --------
    >>> import numpy as np
    >>> from optlearn.nn import MLP
    >>> from optlearn.optim import SGD
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((40, 3)); y = (X[:, 0] > 0).astype(np.int64)
    >>> model = MLP([3, 2], dtype=np.float64)
    >>> ckpt = ModelCheckpoint(monitor="val_accuracy")
    >>> h = fit(model, SGD(model.parameters(), lr=0.5), (X[:30], y[:30]), (X[30:], y[30:]),
    ...         epochs=5, batch_size=8, callbacks=[ckpt], progress=False)
    >>> ckpt.best_epoch == h.best("val_accuracy")[0]
    True
    >>> sorted(ckpt.best_state)
    ['layers.0.bias', 'layers.0.weight']
    """

    _needs_state_dict = True

    def __init__(self, monitor: str = "val_loss", mode: str = "auto", path=None) -> None:
        func = "ModelCheckpoint"
        super().__init__(func, monitor, mode)
        if path is not None:
            if not isinstance(path, str | os.PathLike):
                raise invalid(func, "path", "a str or path-like", type(path).__name__,
                              exc=TypeError)  # fmt: skip
            path = Path(path)
            if path.suffix != ".npz":
                path = path.with_name(path.name + ".npz")
        self.path = path
        self._reset()

    def _reset(self) -> None:
        self.best = math.inf if self.mode == "min" else -math.inf
        self.best_epoch = None
        self.best_state = None

    def on_train_begin(self, state: TrainState) -> None:
        self._check_recorded(state)
        if self.path is not None and not self.path.parent.is_dir():
            raise invalid(self._func, "path", "a file in an existing folder", str(self.path),
                          "Create the folder first.")  # fmt: skip
        self._reset()

    def on_epoch_end(self, state: TrainState) -> None:
        current = self._current(state)
        if not (current < self.best if self.mode == "min" else current > self.best):
            return
        self.best, self.best_epoch = current, state.epoch
        self.best_state = state.model.state_dict()
        if self.path is not None:
            tmp = self.path.with_name(self.path.name + ".tmp")
            with open(tmp, "wb") as f:  # a file object: np.savez adds no suffix to it
                np.savez(f, **self.best_state)
            os.replace(tmp, self.path)  # never leaves a half-written checkpoint


# --- checks --------------------------------------------------------------------------------
def _int(func: str, name: str, value, low: int) -> int:
    if isinstance(value, bool) or not isinstance(value, Integral) or value < low:
        raise invalid(func, name, f"an int in the range [{low}, inf)", value,
                      exc=ValueError if isinstance(value, Integral) else TypeError)  # fmt: skip
    return int(value)


def _bool(func: str, name: str, value) -> bool:
    if not isinstance(value, bool | np.bool_):
        raise invalid(func, name, "True or False", value, exc=TypeError)
    return bool(value)


def _data(func: str, name: str, data) -> tuple[np.ndarray, np.ndarray]:
    """``(X, y)`` from a pair or an object with ``.X`` and ``.y``, checked."""
    expected = "a pair (X, y) or an object with attributes X and y"
    if hasattr(data, "X") and hasattr(data, "y"):
        X, y = data.X, data.y
    else:
        if isinstance(data, np.ndarray | str | bytes | dict) or not hasattr(data, "__len__"):
            what = (f"an ndarray of shape {data.shape}" if isinstance(data, np.ndarray)
                    else f"a {type(data).__name__}")  # fmt: skip
            raise invalid(func, name, expected, what, "Pass (X, y).", exc=TypeError)
        if len(data) != 2:
            raise invalid(func, name, expected, f"a {type(data).__name__} of length {len(data)}",
                          "Pass (X, y).", exc=TypeError)  # fmt: skip
        X, y = data[0], data[1]
    X, y = np.asarray(X), np.asarray(y)
    for label, a in (("X", X), ("y", y)):
        if a.dtype.kind not in "biuf":
            raise invalid(func, name, "numeric arrays (X, y)", f"{label} of dtype {a.dtype}",
                          exc=TypeError)  # fmt: skip
        if a.ndim == 0:
            raise invalid(func, name, "arrays (X, y) with one row per example",
                          f"{label} of shape ()")  # fmt: skip
    if len(X) != len(y):
        raise invalid(func, name, "a pair (X, y) with one row of X per entry of y",
                      f"X with {len(X)} rows and y with {len(y)} entries")  # fmt: skip
    if len(X) == 0:
        raise invalid(func, name, "at least one example", "X with 0 rows")
    for label, a in (("X", X), ("y", y)):
        # Cheap test first (a sum is NaN/Inf if any entry is); locate only on failure.
        if a.dtype.kind != "f":
            continue
        with np.errstate(over="ignore", invalid="ignore"):  # huge finite data may overflow
            total = float(a.sum(dtype=np.float64))
        if not math.isfinite(total):
            bad = ~np.isfinite(a)
            count = int(bad.sum())
            if count:
                row = int(np.argwhere(bad)[0][0])
                raise invalid(func, name, "finite data",
                              f"{label} with {count} NaN or infinite entr"
                              f"{'y' if count == 1 else 'ies'} (the first in row {row})",
                              "Remove or impute them before training.")  # fmt: skip
    return X, y


def _check_model(func: str, model, loss: str, needs_state_dict: bool) -> tuple[list, list]:
    required = ["parameters", "parameter_names", "loss_and_grads", "loss"]
    if loss in _CLASSIFICATION_LOSSES:
        required.append("accuracy")
    if needs_state_dict:
        required += ["state_dict", "load_state_dict"]
    missing = [m for m in required if not callable(getattr(model, m, None))]
    if missing:
        raise invalid(func, "model", f"an object with the methods {', '.join(required)}",
                      f"a {type(model).__name__} without {', '.join(missing)}",
                      "See the model protocol in the documentation of optlearn.train "
                      "(state_dict and load_state_dict are needed by EarlyStopping, "
                      "TerminateOnNaN and ModelCheckpoint; accuracy by the classification "
                      "losses).", exc=TypeError)  # fmt: skip
    params, names = list(model.parameters()), [str(n) for n in model.parameter_names()]
    if len(params) != len(names):
        raise invalid(func, "model", "a model with one name per parameter",
                      f"{len(params)} parameters and {len(names)} names")  # fmt: skip
    return params, names


def _check_optimizer(func: str, optimizer, params: list, names: list) -> list | None:
    """Check that ``optimizer`` updates exactly the model's parameters.

    Returns None when it holds them in the model's order, else the model index of each of the
    optimizer's parameters: param groups (``model.param_groups(...)``, biases without weight
    decay) list the parameters group by group, and ``fit`` then passes the gradients in that
    order.
    """
    groups = getattr(optimizer, "param_groups", None)
    if not callable(getattr(optimizer, "step", None)) or not isinstance(groups, list):
        raise invalid(func, "optimizer", "an optlearn.optim optimizer",
                      type(optimizer).__name__, exc=TypeError)  # fmt: skip
    theirs = [p for group in groups for p in group["params"]]
    position = {id(p): i for i, p in enumerate(theirs)}
    fix = f"Build it with {type(optimizer).__name__}(model.parameters(), ...)."
    expected = "an optimizer of model.parameters() (in any grouping)"
    for i, (p, name) in enumerate(zip(params, names, strict=True)):
        if id(p) not in position:
            got = (f"an optimizer that does not update the model's parameters: parameter {i} "
                   f"({name!r}) is not among the optimizer's")  # fmt: skip
            raise invalid(func, "optimizer", expected, got, fix)
    if len(theirs) != len(params):
        got = (f"an optimizer of {len(theirs)} parameters for a model of {len(params)}: "
               f"its parameter {len(params)} is not the model's")  # fmt: skip
        raise invalid(func, "optimizer", expected, got, fix)
    index = {id(p): i for i, p in enumerate(params)}
    order = [index[id(p)] for p in theirs]
    return None if order == list(range(len(params))) else order


def _check_scheduler(func: str, scheduler, interval, optimizer) -> str | None:
    if interval not in (None, "step", "epoch"):
        raise invalid(func, "scheduler_interval", "one of None, 'step', 'epoch'", interval)
    if scheduler is None:
        return None
    if not callable(getattr(scheduler, "step", None)):
        raise invalid(func, "scheduler", "a learning-rate scheduler (with a step method)",
                      type(scheduler).__name__, exc=TypeError)  # fmt: skip
    if getattr(scheduler, "optimizer", optimizer) is not optimizer:
        raise invalid(func, "scheduler", "a scheduler of the optimizer passed to fit",
                      "a scheduler of another optimizer",
                      "Build it on the same optimizer, e.g. StepLR(optimizer, ...).")  # fmt: skip
    if interval is None:
        return "step" if isinstance(scheduler, OneCycleLR | CyclicLR) else "epoch"
    if interval == "step" and isinstance(scheduler, ReduceLROnPlateau):
        raise invalid(func, "scheduler_interval",
                      "'epoch' or None for ReduceLROnPlateau (it steps on the epoch's loss)",
                      interval)  # fmt: skip
    return interval


def _check_callbacks(func: str, callbacks) -> list:
    expected = "a sequence of Callback objects"
    if isinstance(callbacks, Callback) or isinstance(callbacks, str | bytes | dict) or not (
        hasattr(callbacks, "__iter__")
    ):
        fix = "Wrap it in a list: callbacks=[cb]." if isinstance(callbacks, Callback) else ""
        raise invalid(func, "callbacks", expected, f"a {type(callbacks).__name__}", fix,
                      exc=TypeError)  # fmt: skip
    callbacks = list(callbacks)
    for i, cb in enumerate(callbacks):
        if isinstance(cb, type):
            raise invalid(func, f"callbacks[{i}]", "a Callback object", f"the class {cb.__name__}",
                          f"Pass an instance: {cb.__name__}().", exc=TypeError)  # fmt: skip
        if not isinstance(cb, Callback) and not any(callable(getattr(cb, h, None))
                                                    for h in _HOOKS):  # fmt: skip
            raise invalid(func, f"callbacks[{i}]",
                          f"a Callback object (or one with any of the methods {', '.join(_HOOKS)})",
                          f"a {type(cb).__name__}",
                          "Subclass optlearn.train.Callback and override its hooks.",
                          exc=TypeError)  # fmt: skip
    return callbacks


def _hooks(callbacks: list, name: str) -> list:
    """The bound hooks ``name`` that do something (the base class's no-ops are skipped)."""
    out = []
    for cb in callbacks:
        hook = getattr(cb, name, None)
        if hook is None or getattr(hook, "__func__", None) is getattr(Callback, name):
            continue
        out.append(hook)
    return out


def _progress_on(func: str, progress) -> bool:
    if progress is None:
        # Off on CI, so that the stored outputs of executed notebooks stay comparable; off
        # without tqdm (an optional dependency) too.
        on_ci = os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")
        return not on_ci and importlib.util.find_spec("tqdm") is not None
    if _bool(func, "progress", progress) and importlib.util.find_spec("tqdm") is None:
        raise invalid(func, "progress", "False or None when tqdm is not installed", progress,
                      "Install tqdm (pip install tqdm) for the progress bar.")  # fmt: skip
    return bool(progress)


def _seed(func: str, seed) -> int:
    if isinstance(seed, bool) or not isinstance(seed, Integral) or seed < 0:
        raise invalid(func, "seed", "an int in the range [0, inf)", seed,
                      exc=ValueError if isinstance(seed, Integral) else TypeError)  # fmt: skip
    return int(seed)


def _layer_of(name: str) -> str:
    """The layer of a parameter: its name without the last part, cut after two parts."""
    parts = name.split(".")
    if len(parts) == 1:
        return name
    return ".".join(parts[: min(2, len(parts) - 1)])


def _layers(names: list) -> list[tuple[str, list[int]]]:
    groups: dict[str, list[int]] = {}
    for i, name in enumerate(names):
        groups.setdefault(_layer_of(name), []).append(i)
    return list(groups.items())


# --- fit -----------------------------------------------------------------------------------
def fit(model, optimizer, train, val=None, *, epochs, batch_size, loss="cross_entropy",
        scheduler=None, scheduler_interval=None, clip_grad_norm=None, callbacks=(),
        progress=None, record_steps=False, seed=0) -> History:  # fmt: skip
    r"""Train ``model`` with ``optimizer`` by minibatch gradient descent, and record it.

    Each epoch visits every example once, in a new random order, in minibatches of
    ``batch_size`` (the last one smaller if ``batch_size`` does not divide the number of
    examples). For each minibatch :math:`B`,

    .. math::

        g \leftarrow \nabla_\theta \frac{1}{|B|} \sum_{i \in B} \ell(f_\theta(x_i), y_i),
        \qquad g \leftarrow g \min\left(1, \frac{c}{\|g\|_2 + 10^{-6}}\right)
        \ \text{(if clipping)}, \qquad \theta \leftarrow \operatorname{step}(\theta, g).

    Parameters
    ----------
    model : object
        A model following the protocol in this module's documentation (such as
        :class:`optlearn.nn.MLP`).
    optimizer : Optimizer
        An optimizer built on ``model.parameters()``, in one group or several (e.g.
        ``model.param_groups(weight_decay)``); gradients are passed in its order.
    train : (X, y)
        The training data: a pair of arrays (or an object with attributes ``X`` and ``y``),
        one example per row of ``X``.
    val : (X, y), optional
        Validation data, evaluated after every epoch.
    epochs : int
        Number of passes over ``train`` (>= 1).
    batch_size : int
        Examples per minibatch (>= 1; larger than the data set means full-batch descent).
    loss : str, default="cross_entropy"
        The loss name, passed to the model (e.g. ``"cross_entropy"``, ``"mse"``,
        ``"binary_cross_entropy_with_logits"``). Accuracies are recorded for the first and
        the last.
    scheduler : LRScheduler, optional
        A scheduler of ``optimizer``, stepped after the optimizer as in torch.
        :class:`~optlearn.optim.lr_scheduler.ReduceLROnPlateau` gets the epoch's validation
        loss (the training loss if there is no ``val``); the others ``step()``.
    scheduler_interval : {None, "step", "epoch"}, default=None
        Step the scheduler after every minibatch or after every epoch. None follows torch's
        convention: ``"step"`` for ``OneCycleLR`` and ``CyclicLR`` (build ``OneCycleLR``
        with ``epochs`` and ``steps_per_epoch=math.ceil(len(X) / batch_size)``), ``"epoch"``
        for the others.
    clip_grad_norm : float, optional
        Clip the gradients to this global 2-norm with
        :func:`~optlearn.optim.clip_grad_norm_` before each step (> 0).
    callbacks : sequence of Callback, default=()
        See :class:`Callback`; e.g. :class:`EarlyStopping`, :class:`TerminateOnNaN`,
        :class:`ModelCheckpoint`.
    progress : bool, optional
        Show a progress bar over the epochs (``tqdm.auto``, so a widget in Jupyter) with the
        latest losses and learning rate. None: on, unless the environment variable ``CI`` is
        set (to anything but ``""``, ``"0"``, ``"false"`` or ``"no"``) or tqdm is not
        installed.
    record_steps : bool, default=False
        Also record every minibatch's loss, learning rate and gradient norm.
    seed : int, default=0
        Seeds the shuffling (``np.random.default_rng([seed, 0])``) and ``model.rng``, which
        the model draws dropout from (``np.random.default_rng([seed, 1])``): the same seed
        gives the same run, bit for bit.

    Returns
    -------
    History
        One entry per epoch (see :class:`History`).

    Raises
    ------
    TypeError, ValueError
        For bad arguments, before anything is changed: data that is not a pair of numeric
        arrays of the same length or holds NaN or Inf, ``epochs`` or ``batch_size`` < 1, an
        unknown ``scheduler_interval``, a scheduler of another optimizer, something in
        ``callbacks`` that is not a callback, a model without the protocol's methods, or an
        optimizer that does not hold exactly ``model.parameters()``.

    Notes
    -----
    What is recorded after each epoch:

    - ``train_loss`` / ``train_accuracy`` are evaluated on the *whole training set* in
      evaluation mode (one more forward pass per epoch), as the book's learning curves plot
      them, not the running mean of the minibatch losses (which mixes parameters from the
      whole epoch and includes dropout; it is ``History.step_loss`` with
      ``record_steps=True``).
    - ``lr`` is the rate of the epoch's last step, read before a per-epoch scheduler moves on.
    - ``grad_norm`` and ``grad_norm_max`` are the mean and the maximum over the epoch's steps
      of the global 2-norm of the gradients *before* clipping (the value
      ``clip_grad_norm_`` returns); ``layer_grad_norms`` the mean 2-norm per layer. A
      parameter's layer is its name without its last part, cut after the second part:
      ``"layers.0.weight"`` and ``"layers.0.norm.weight"`` belong to ``"layers.0"``,
      ``"fc.bias"`` to ``"fc"``; a name without a dot is its own layer.
    - ``time`` is the epoch's wall-clock time (steps and evaluation).

    Non-finite losses are not refused: as in PyTorch, NaN propagates into the parameters
    and every later loss. Add :class:`TerminateOnNaN` to stop at the first one and get the
    last finite parameters back. When a callback stops training during an epoch, that
    epoch is still evaluated and recorded, and a per-epoch scheduler is not stepped.

    Examples
    --------
    >>> import numpy as np
    >>> from optlearn.nn import MLP
    >>> from optlearn.optim import SGD
    >>> from optlearn.optim.lr_scheduler import StepLR
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((200, 2)); y = (X[:, 0] + X[:, 1] > 0).astype(np.int64)
    >>> model = MLP([2, 2], dtype=np.float64)  # softmax regression; any model with the protocol
    >>> opt = SGD(model.parameters(), lr=1.0)
    >>> history = fit(model, opt, (X[:150], y[:150]), (X[150:], y[150:]), epochs=4,
    ...               batch_size=32, scheduler=StepLR(opt, step_size=2, gamma=0.5),
    ...               progress=False)
    >>> history.lr
    [1.0, 1.0, 0.5, 0.5]
    >>> history.val_accuracy[-1] > 0.9
    True
    >>> sorted(history.layer_grad_norms)
    ['layers.0']
    """
    func = "fit"
    X, y = _data(func, "train", train)
    val_data = None if val is None else _data(func, "val", val)
    epochs = _int(func, "epochs", epochs, 1)
    batch_size = _int(func, "batch_size", batch_size, 1)
    if not isinstance(loss, str):
        raise invalid(func, "loss", "a loss name (a str)", loss, exc=TypeError)
    callbacks = _check_callbacks(func, callbacks)
    needs_state_dict = any(getattr(cb, "_needs_state_dict", False) for cb in callbacks)
    params, names = _check_model(func, model, loss, needs_state_dict)
    grad_order = _check_optimizer(func, optimizer, params, names)
    interval = _check_scheduler(func, scheduler, scheduler_interval, optimizer)
    if clip_grad_norm is not None:
        clip_grad_norm = check_real(func, "clip_grad_norm", clip_grad_norm, low=0,
                                    low_open=True, finite=False)  # fmt: skip
    show = _progress_on(func, progress)
    record_steps = _bool(func, "record_steps", record_steps)
    seed = _seed(func, seed)

    classify = loss in _CLASSIFICATION_LOSSES
    metrics = tuple(m for m in _METRICS if (classify or m.endswith("loss"))
                    and (val_data is not None or m.startswith("train")))  # fmt: skip
    layers = _layers(names)
    history = History(layer_grad_norms={layer: [] for layer, _ in layers})
    state = TrainState(model, optimizer, scheduler, history, epochs, metrics)
    on_epoch_begin, on_step_begin, on_step_end, on_epoch_end = (
        _hooks(callbacks, h) for h in _HOOKS[1:5])  # fmt: skip
    for hook in _hooks(callbacks, "on_train_begin"):  # may refuse: nothing has changed yet
        hook(state)

    n = len(X)
    shuffle_rng = np.random.default_rng([seed, 0])
    model.rng = np.random.default_rng([seed, 1])
    plateau = isinstance(scheduler, ReduceLROnPlateau)
    bar = _progress_bar(epochs) if show else None
    try:
        for epoch in range(1, epochs + 1):
            state.epoch = epoch
            start_time = time.perf_counter()
            for hook in on_epoch_begin:
                hook(state)
            order = shuffle_rng.permutation(n)
            layer_sums = [0.0] * len(layers)
            norm_sum, norm_max, steps = 0.0, 0.0, 0
            lr_used = optimizer.param_groups[0]["lr"]
            for batch, first in enumerate(range(0, n, batch_size)):
                state.batch = batch
                state.step += 1
                for hook in on_step_begin:
                    hook(state)
                rows = order[first : first + batch_size]  # a copy per batch, not per epoch
                value, grads = model.loss_and_grads(X[rows], y[rows], loss=loss)
                value = float(value)
                norm = _norms(grads, layers, layer_sums, clip_grad_norm)
                norm_sum += norm
                if not norm <= norm_max and norm_max == norm_max:  # NaN, once seen, stays
                    norm_max = norm
                steps += 1
                lr_used = optimizer.param_groups[0]["lr"]
                optimizer.step(grads if grad_order is None else [grads[k] for k in grad_order])
                if interval == "step":
                    scheduler.step()
                if record_steps:
                    history.step_loss.append(value)
                    history.step_lr.append(float(lr_used))
                    history.step_grad_norm.append(norm)
                state.loss = value
                for hook in on_step_end:
                    hook(state)
                if state.stop:
                    break
            stopped_in_epoch = state.stop
            train_loss = float(model.loss(X, y, loss=loss))
            history.epoch.append(epoch)
            history.train_loss.append(train_loss)
            if classify:
                history.train_accuracy.append(float(model.accuracy(X, y)))
            if val_data is not None:
                history.val_loss.append(float(model.loss(*val_data, loss=loss)))
                if classify:
                    history.val_accuracy.append(float(model.accuracy(*val_data)))
            history.lr.append(float(lr_used))
            history.grad_norm.append(norm_sum / steps)
            history.grad_norm_max.append(norm_max)
            for (layer, _), total in zip(layers, layer_sums, strict=True):
                history.layer_grad_norms[layer].append(total / steps)
            history.time.append(time.perf_counter() - start_time)
            if interval == "epoch" and not stopped_in_epoch:
                if plateau:
                    scheduler.step(history.val_loss[-1] if val_data is not None else train_loss)
                else:
                    scheduler.step()
            for hook in on_epoch_end:
                hook(state)
            if bar is not None:
                _update_bar(bar, history)
            if state.stop:
                break
    finally:
        if bar is not None:
            bar.close()
    history.stopped_early = bool(state.stop)
    history.stop_reason = state.stop_reason if state.stop else None
    for hook in _hooks(callbacks, "on_train_end"):
        hook(state)
    return history


def _norms(grads: list, layers: list, layer_sums: list, max_norm) -> float:
    """Add each layer's gradient norm to ``layer_sums``, clip, return the norm before clipping.

    One pass over the gradients gives every parameter's squared norm, hence the layers' and
    the global norm, which is then passed to ``clip_grads_with_norm_`` (the second half of
    ``clip_grad_norm_``, with torch's arithmetic): this costs about half as much per step as
    ``get_total_norm`` and ``clip_grad_norm_`` on small networks. When the global norm is not
    finite (NaN or Inf gradients, or float32 squares overflowing), ``get_total_norm`` /
    ``clip_grad_norm_`` decide, so the result and the clipping are exactly theirs.
    """
    squares = [0.0 if g is None else float(np.vdot(g, g)) for g in grads]
    total = 0.0
    for k, (_, indices) in enumerate(layers):
        sq = sum(squares[i] for i in indices) if len(indices) > 1 else squares[indices[0]]
        total += sq
        if sq == math.inf:  # an Inf entry, or float32 squares that overflowed: check
            layer_sums[k] += get_total_norm([grads[i] for i in indices])
        else:
            layer_sums[k] += math.sqrt(sq)
    total = math.sqrt(total)
    if not math.isfinite(total):
        if max_norm is None:
            return get_total_norm(grads)
        return clip_grad_norm_(grads, max_norm)
    if max_norm is not None:
        clip_grads_with_norm_(grads, max_norm, total)
    return total


def _progress_bar(total: int):
    import warnings

    with warnings.catch_warnings():
        # In Jupyter without ipywidgets, tqdm.auto warns once and falls back to the text bar,
        # which is what we want anyway: keep the warning out of stored notebook outputs.
        warnings.filterwarnings("ignore", message="IProgress not found")
        from tqdm.auto import tqdm  # imported only when a bar is shown: tqdm is optional

    return tqdm(total=total, desc="fit", unit="epoch", dynamic_ncols=True)


def _update_bar(bar, history: History) -> None:
    postfix = {"loss": f"{history.train_loss[-1]:.4g}"}
    if history.val_loss:
        postfix["val_loss"] = f"{history.val_loss[-1]:.4g}"
    postfix["lr"] = f"{history.lr[-1]:.3g}"
    bar.set_postfix(postfix, refresh=False)
    bar.update(1)


# --- the learning-rate range test ----------------------------------------------------------
@dataclass(repr=False)
class LRRangeTestResult:
    """What :func:`lr_range_test` found.

    Attributes
    ----------
    lrs : ndarray of shape (n,)
        The learning rates tried, increasing.
    losses : ndarray of shape (n,)
        The smoothed (bias-corrected) minibatch losses at those rates.
    raw_losses : ndarray of shape (n,)
        The minibatch losses themselves.
    suggested_lr : float or None
        The rate where the smoothed loss falls fastest against :math:`\\log \\eta` (None if
        it never falls).
    diverged : bool
        Whether the test stopped early because the loss blew up.

    Examples
    --------
    >>> import numpy as np
    >>> r = LRRangeTestResult(np.array([0.1, 1.0]), np.array([1.0, 0.5]),
    ...                       np.array([1.0, 0.4]), 1.0, False)
    >>> r
    LRRangeTestResult(steps=2, lrs=[0.1, 1], suggested_lr=1, diverged=False)
    """

    lrs: np.ndarray
    losses: np.ndarray
    raw_losses: np.ndarray
    suggested_lr: float | None
    diverged: bool

    def __repr__(self) -> str:
        lrs = f"[{self.lrs[0]:.3g}, {self.lrs[-1]:.3g}]" if len(self.lrs) else "[]"
        lr = "None" if self.suggested_lr is None else f"{self.suggested_lr:.3g}"
        return (f"LRRangeTestResult(steps={len(self.lrs)}, lrs={lrs}, suggested_lr={lr}, "
                f"diverged={self.diverged})")  # fmt: skip

    def plot(self, ax=None):
        """Plot the loss against the learning rate (log scale), marking the suggestion.

        Parameters
        ----------
        ax : matplotlib Axes, optional
            Where to draw; if None, a new ``pyplot`` figure.

        Returns
        -------
        matplotlib.figure.Figure

        Examples
        --------
        >>> import numpy as np, matplotlib.pyplot as plt
        >>> r = LRRangeTestResult(np.array([0.1, 1.0]), np.array([1.0, 0.5]),
        ...                       np.array([1.0, 0.4]), 1.0, False)
        >>> fig = r.plot()
        >>> fig.axes[0].get_xscale()
        'log'
        >>> plt.close(fig)
        """
        if ax is None:
            import matplotlib.pyplot as plt

            fig, ax = plt.subplots(figsize=(5.0, 3.4), layout="constrained")
        elif not hasattr(ax, "plot"):
            raise invalid("LRRangeTestResult.plot", "ax", "a matplotlib Axes",
                          type(ax).__name__, exc=TypeError)  # fmt: skip
        else:
            fig = ax.figure
        ax.plot(self.lrs, self.raw_losses, lw=0.8, alpha=0.4, label="minibatch loss")
        ax.plot(self.lrs, self.losses, label="smoothed")
        if self.suggested_lr is not None:
            ax.axvline(self.suggested_lr, color="k", ls=":", lw=1,
                       label=f"steepest: {self.suggested_lr:.2g}")  # fmt: skip
        ax.set_xscale("log")
        ax.set_xlabel("learning rate")
        ax.set_ylabel("loss")
        ax.legend()
        return fig


def lr_range_test(make_model, make_optimizer, train, *, start_lr=1e-7, end_lr=10.0,
                  num_steps=100, batch_size=32, loss="cross_entropy", smooth=0.98,
                  diverge_factor=4.0, seed=0) -> LRRangeTestResult:  # fmt: skip
    r"""The learning-rate range test: train briefly while the rate grows exponentially.

    A fresh model and optimizer are trained for up to ``num_steps`` minibatches, step
    :math:`i` with the rate

    .. math::

        \eta_i = \eta_{\text{start}} \left(\frac{\eta_{\text{end}}}{\eta_{\text{start}}}
            \right)^{i / (n - 1)},

    recording each minibatch loss :math:`\ell_i` and its exponential average with bias
    correction (as Adam's moments),

    .. math::

        a_i = \beta a_{i-1} + (1 - \beta) \ell_i, \qquad \bar\ell_i = \frac{a_i}{1 - \beta^{i+1}}.

    The test stops early when :math:`\bar\ell_i` exceeds ``diverge_factor`` times the lowest
    so far, or a loss is not finite. Too small rates leave the loss flat, good ones make it
    fall, too large ones make it blow up.

    Parameters
    ----------
    make_model : callable
        ``make_model()`` returns a fresh model (see this module's model protocol).
    make_optimizer : callable
        ``make_optimizer(params)`` returns an optimizer of the list ``params``, e.g.
        ``optlearn.optim.Adam`` itself or ``functools.partial(SGD, lr=0.1, momentum=0.9)``.
        Its rate is overwritten: every group gets :math:`\eta_i` at step :math:`i`.
    train : (X, y)
        Training data, as in :func:`fit`; minibatches are drawn from it in random order,
        reshuffled at every pass.
    start_lr, end_lr : float, default=1e-7, 10.0
        The first and the last rate (0 < start_lr < end_lr).
    num_steps : int, default=100
        The number of rates tried (>= 2).
    batch_size : int, default=32
        Examples per minibatch (>= 1).
    loss : str, default="cross_entropy"
        The loss name, passed to the model.
    smooth : float, default=0.98
        The averaging weight :math:`\beta`, in [0, 1).
    diverge_factor : float, default=4.0
        Stop when the smoothed loss exceeds this multiple of its minimum (> 1).
    seed : int, default=0
        Seeds the shuffling and the model's ``rng``, as in :func:`fit`.

    Returns
    -------
    LRRangeTestResult
        ``lrs``, ``losses`` (smoothed), ``raw_losses``, ``suggested_lr``, ``diverged`` and
        ``plot()``. The step whose loss exceeded the threshold is included; a non-finite loss
        is not.

    Notes
    -----
    Smith (2017, Sec. 3.3) raises the rate linearly over a few epochs and reads off the rate
    where the accuracy starts to rise and where it falls apart; the exponential sweep, the
    smoothing and the stopping rule are fast.ai's LR finder (Howard & Gugger 2020), as in the
    ``torch-lr-finder`` package. The loss at step :math:`i` is that of the parameters before
    the update with :math:`\eta_i`, paired with :math:`\eta_i`, as fast.ai does.

    ``suggested_lr`` is the rate of the steepest descent of the smoothed loss against
    :math:`\log \eta` (``np.gradient``), looked for between the 11th step (the first
    averages rest on a few minibatches and are noisy; ``torch-lr-finder`` skips 10 too) and
    the minimum of the smoothed loss (from the first step if the minimum comes before the
    11th); None if the loss never falls. It is a heuristic: look at the plot. A common choice is
    about a tenth of the rate at the minimum of the loss, which is often close.

    References
    ----------
    L. N. Smith, "Cyclical Learning Rates for Training Neural Networks", WACV 2017.
    J. Howard and S. Gugger, "Fastai: A Layered API for Deep Learning", Information 11(2), 2020.

    Examples
    --------
    >>> import numpy as np
    >>> from optlearn.nn import MLP
    >>> from optlearn.optim import SGD
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((200, 2)); y = (X[:, 0] > 0).astype(np.int64)
    >>> result = lr_range_test(lambda: MLP([2, 2], dtype=np.float64), SGD, (X, y),
    ...                        start_lr=1e-4, end_lr=1e4, num_steps=60)
    >>> bool(np.all(np.diff(result.lrs) > 0))
    True
    >>> 1e-4 <= result.suggested_lr <= 1e4
    True
    """
    func = "lr_range_test"
    if not callable(make_model):
        raise invalid(func, "make_model", "a function that returns a new model",
                      type(make_model).__name__, exc=TypeError)  # fmt: skip
    if not callable(make_optimizer):
        raise invalid(func, "make_optimizer", "a function of a parameter list that returns "
                      "an optimizer", type(make_optimizer).__name__, exc=TypeError)  # fmt: skip
    X, y = _data(func, "train", train)
    start_lr = check_real(func, "start_lr", start_lr, low=0, low_open=True)
    end_lr = check_real(func, "end_lr", end_lr, low=start_lr, low_open=True)
    num_steps = _int(func, "num_steps", num_steps, 2)
    batch_size = _int(func, "batch_size", batch_size, 1)
    if not isinstance(loss, str):
        raise invalid(func, "loss", "a loss name (a str)", loss, exc=TypeError)
    smooth = check_real(func, "smooth", smooth, low=0, high=1, high_open=True)
    diverge_factor = check_real(func, "diverge_factor", diverge_factor, low=1, low_open=True)
    seed = _seed(func, seed)

    model = make_model()
    params, names = _check_model(func, model, loss, needs_state_dict=False)
    optimizer = make_optimizer(params)
    grad_order = _check_optimizer(func, optimizer, params, names)

    n = len(X)
    shuffle_rng = np.random.default_rng([seed, 0])
    model.rng = np.random.default_rng([seed, 1])
    schedule = start_lr * (end_lr / start_lr) ** (np.arange(num_steps) / (num_steps - 1))
    lrs, raw, smoothed = [], [], []
    average, best, diverged = 0.0, math.inf, False
    order, first = shuffle_rng.permutation(n), 0
    for i, lr in enumerate(schedule):
        if first >= n:
            order, first = shuffle_rng.permutation(n), 0
        batch = order[first : first + batch_size]
        first += batch_size
        value, grads = model.loss_and_grads(X[batch], y[batch], loss=loss)
        value = float(value)
        if not math.isfinite(value):
            diverged = True
            break
        average = smooth * average + (1.0 - smooth) * value
        current = average / (1.0 - smooth ** (i + 1))
        lrs.append(float(lr))
        raw.append(value)
        smoothed.append(current)
        if current > diverge_factor * best:
            diverged = True
            break
        best = min(best, current)
        for group in optimizer.param_groups:
            group["lr"] = float(lr)
        optimizer.step(grads if grad_order is None else [grads[k] for k in grad_order])
    lrs, raw, smoothed = np.array(lrs), np.array(raw), np.array(smoothed)
    return LRRangeTestResult(lrs, smoothed, raw, _steepest(lrs, smoothed), diverged)


_SKIP_START = 10  # torch-lr-finder's skip_start: the first averages are still noisy


def _steepest(lrs: np.ndarray, losses: np.ndarray) -> float | None:
    """The rate where ``losses`` falls fastest against log(lr), up to its minimum."""
    if len(lrs) < 2:
        return None
    slopes = np.gradient(losses, np.log(lrs))
    last = int(np.argmin(losses))
    first = _SKIP_START if last > _SKIP_START else 0
    i = first + int(np.argmin(slopes[first : last + 1]))
    return float(lrs[i]) if slopes[i] < 0 else None
