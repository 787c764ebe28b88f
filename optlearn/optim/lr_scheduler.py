r"""Learning-rate schedules, as ``torch.optim.lr_scheduler``.

Same class names, argument names, defaults, formulas, attributes (``base_lrs``,
``last_epoch``) and ``state_dict`` layout as PyTorch 2.13, for the optimizers of
``optlearn.optim``. A scheduler owns nothing but a counter: it reads and writes the ``"lr"``
(and, for the cycling schedules, ``"momentum"`` or ``"betas"``) of the optimizer's parameter
groups, which stay Python floats.

**Epochs and batches.** A scheduler counts its own ``step()`` calls in ``last_epoch``; it does
not know whether a call stands for an epoch or for a batch. The convention, from the papers
that introduced the schedules, is:

- ``StepLR``, ``MultiStepLR``, ``ExponentialLR``, ``CosineAnnealingLR``, ``LinearLR``,
  ``ConstantLR``, ``PolynomialLR``, ``LambdaLR``, ``MultiplicativeLR`` and
  ``ReduceLROnPlateau`` are usually stepped once per epoch, so ``T_max``, ``step_size``,
  ``milestones``, ``total_iters`` and ``patience`` are numbers of epochs;
- ``CyclicLR`` and ``OneCycleLR`` are stepped once per batch: ``step_size_up`` and
  ``total_steps`` count batches, and so does their ``last_epoch``;
- ``CosineAnnealingWarmRestarts`` takes either: ``step()`` once per epoch, or
  ``step(epoch + i / iters)`` after batch ``i`` of ``iters`` for a per-batch cosine.

Nothing stops a per-epoch schedule from being stepped per batch: then its lengths are
numbers of batches.

**The order of the calls.** Building a scheduler sets the learning rate of step 0 in the
optimizer (and records it as ``"initial_lr"`` in every group). The loop then uses that rate
*before* moving on::

    for epoch in range(n_epochs):
        for batch in batches:
            opt.step(grads(batch))    # uses the current lr
        sched.step()                  # then moves to the next one

Calling ``sched.step()`` before the first ``opt.step()`` skips the first value of the
schedule; the scheduler then warns, with torch's message. (``opt.step`` records that it ran
in ``opt._opt_called``; unlike torch, ``optlearn`` does not wrap the optimizer's ``step``.)

**Resuming.** ``state_dict()`` holds every attribute except the optimizer (and the lambdas of
``LambdaLR``/``MultiplicativeLR``, which are kept only for callable objects, as their
``__dict__``). The chainable schedules compute the next rate from the optimizer's current one,
so resume both: build the optimizer and the scheduler as before, then load the optimizer's
state, then the scheduler's.
"""

from __future__ import annotations

import copy
import itertools
import math
import types
import warnings
from bisect import bisect_right
from collections import Counter
from numbers import Integral, Real

from .optimizer import Optimizer

__all__ = [
    "ChainedScheduler",
    "ConstantLR",
    "CosineAnnealingLR",
    "CosineAnnealingWarmRestarts",
    "CyclicLR",
    "ExponentialLR",
    "LRScheduler",
    "LambdaLR",
    "LinearLR",
    "MultiStepLR",
    "MultiplicativeLR",
    "OneCycleLR",
    "PolynomialLR",
    "ReduceLROnPlateau",
    "SequentialLR",
    "StepLR",
]

EPOCH_DEPRECATION_WARNING = (
    "The epoch parameter in `scheduler.step()` was not necessary and is being "
    "deprecated where possible. Please use `scheduler.step()` to step the "
    "scheduler. During the deprecation, if epoch is different from None, the "
    "closed form is used instead of the new chainable form, where available. "
    "Please open an issue if you are unable to replicate your use case: "
    "https://github.com/pytorch/pytorch/issues/new/choose."
)

STEP_ORDER_WARNING = (
    "Detected call of `lr_scheduler.step()` before `optimizer.step()`. "
    "In PyTorch 1.1.0 and later, you should call them in the opposite order: "
    "`optimizer.step()` before `lr_scheduler.step()`.  Failure to do this "
    "will result in PyTorch skipping the first value of the learning rate schedule. "
    "See more details at "
    "https://pytorch.org/docs/stable/optim.html#how-to-adjust-learning-rate"
)

GET_LR_WARNING = (
    "To get the last learning rate computed by the scheduler, please use `get_last_lr()`."
)


# --- argument checks ---------------------------------------------------------------------------
# Each refuses with torch's message where torch has one, then the range that is accepted;
# elsewhere with "Invalid <name>: <value> (<name> must be ...)", as the optimizers do.


def _is_real(x) -> bool:
    return isinstance(x, Real) and not isinstance(x, bool)


def _is_int(x) -> bool:
    return isinstance(x, Integral) and not isinstance(x, bool)


def _refuse(name, value, valid, torch_message=None, shows_value=False) -> ValueError:
    if torch_message is None:
        return ValueError(f"Invalid {name}: {value!r} ({name} must be {valid})")
    if shows_value:
        return ValueError(f"{torch_message} ({name} must be {valid})")
    return ValueError(f"{torch_message} (got {value!r}; {name} must be {valid})")


def _check_real(name, value, *, low=None, high=None, low_open=False, high_open=False,
                torch_message=None, shows_value=False) -> None:  # fmt: skip
    """A finite real number in the given range."""
    ok = _is_real(value) and math.isfinite(value)
    ok = ok and (low is None or (value > low if low_open else value >= low))
    ok = ok and (high is None or (value < high if high_open else value <= high))
    if not ok:
        if high is None:
            valid = f"a finite number {'>' if low_open else '>='} {low}"
        else:
            left, right = "(" if low_open else "[", ")" if high_open else "]"
            valid = f"a number in {left}{low}, {high}{right}"
        raise _refuse(name, value, valid, torch_message, shows_value)


def _check_int(name, value, *, low, torch_message=None, shows_value=False) -> None:
    if not (_is_int(value) and value >= low):
        raise _refuse(name, value, f"an integer >= {low}", torch_message, shows_value)


def _increasing_ints(values, low) -> bool:
    """Whether ``values`` is a list of integers >= ``low``, each larger than the one before."""
    return (all(_is_int(v) and v >= low for v in values)
            and all(a < b for a, b in itertools.pairwise(values)))  # fmt: skip


def _check_choice(name, value, choices, torch_message, *, shows_value=True, also="") -> None:
    """One of the strings ``choices``; the message lists them."""
    if not isinstance(value, str) or value not in choices:
        valid = ", ".join(repr(c) for c in choices)
        got = "" if shows_value else f"got {value!r}; "
        raise ValueError(f"{torch_message} ({got}{name} must be one of {valid}{also})")


def _check_optimizer(optimizer) -> None:
    if not isinstance(optimizer, Optimizer):
        raise TypeError(
            f"{type(optimizer).__name__} is not an Optimizer (optimizer must be an "
            "optlearn.optim.Optimizer, such as optlearn.optim.SGD or optlearn.optim.Adam)"
        )


def _check_last_epoch(last_epoch) -> None:
    if not (_is_int(last_epoch) and last_epoch >= -1):
        raise _refuse(
            "last_epoch",
            last_epoch,
            "an integer >= -1: -1 to start, or the last epoch's index to resume",
        )


def _check_initial_lr(optimizer, last_epoch) -> None:
    """Torch's KeyError when resuming (``last_epoch != -1``) without ``initial_lr``."""
    if last_epoch == -1:
        return
    for i, group in enumerate(optimizer.param_groups):
        if "initial_lr" not in group:
            raise KeyError(
                f"param 'initial_lr' is not specified in param_groups[{i}] when resuming "
                "scheduler with last_epoch >= 0.\n"
                "This typically happens when:\n"
                "1. You're trying to resume training from a checkpoint but haven't properly "
                "loaded the optimizer state\n"
                "2. You're using last_epoch >= 0 for a fresh training run (not recommended)"
            )


def _format_param(name, optimizer, param, *, high=None, high_open=False) -> list[float]:
    """One float per parameter group, from a number or a list of them (torch's helper)."""
    n = len(optimizer.param_groups)
    if isinstance(param, list | tuple):
        if len(param) != n:
            raise ValueError(
                f"{name} must have the same length as optimizer.param_groups. {name} has "
                f"{len(param)} values, param_groups has {n}. (pass one number for every "
                f"group, or a list of {n})"
            )
        for i, value in enumerate(param):
            _check_real(f"{name}[{i}]", value, low=0, high=high, high_open=high_open)
        return [float(value) for value in param]
    _check_real(name, param, low=0, high=high, high_open=high_open)
    return [float(param)] * n


def _check_lambdas(optimizer, lr_lambda) -> list:
    n = len(optimizer.param_groups)
    if isinstance(lr_lambda, list | tuple):
        if len(lr_lambda) != n:
            raise ValueError(f"Expected {n} lr_lambdas, but got {len(lr_lambda)} (pass one "
                             f"function, or a list of one per param group)")  # fmt: skip
        lambdas = list(lr_lambda)
    else:
        lambdas = [lr_lambda] * n
    for fn in lambdas:
        if not callable(fn):
            raise TypeError(f"lr_lambda should be a function, but got {type(fn).__name__}")
    return lambdas


def _check_momentum_support(optimizer) -> bool:
    """Torch's error when momentum cycling meets an optimizer without it; True for ``betas``."""
    if "momentum" not in optimizer.defaults and "betas" not in optimizer.defaults:
        raise ValueError(
            "optimizer must support momentum or beta1 with `cycle_momentum` option enabled "
            f"({type(optimizer).__name__} has neither a 'momentum' nor a 'betas' option; pass "
            "cycle_momentum=False)"
        )
    return "betas" in optimizer.defaults


def _set_momentum(group, momentum, use_beta1) -> None:
    if use_beta1:
        group["betas"] = (momentum, *group["betas"][1:])
    else:
        group["momentum"] = momentum


def _lambdas_state(lambdas) -> list:
    """Torch's rule: a plain function or lambda is not saved; a callable object's __dict__ is."""
    return [None if isinstance(fn, types.FunctionType) else copy.deepcopy(fn.__dict__)
            for fn in lambdas]  # fmt: skip


# --- the base class ----------------------------------------------------------------------------
class LRScheduler:
    r"""Base class of the learning-rate schedulers (``torch.optim.lr_scheduler.LRScheduler``).

    A subclass defines :meth:`get_lr`, the rate of step :math:`t` = ``last_epoch`` for every
    parameter group, usually in the *chainable* form :math:`\eta_t = \eta_{t-1} \cdot r_t`,
    which reads the current ``group["lr"]`` (so schedulers can be composed), and, where one
    exists, ``_get_closed_form_lr``, the same rate from ``base_lrs`` alone:

    .. math::

        \eta_t = \eta_0 \, \rho(t), \qquad \eta_0 = \texttt{initial\_lr}.

    Parameters
    ----------
    optimizer : Optimizer
        The optimizer whose groups' ``"lr"`` the scheduler sets.
    last_epoch : int, default=-1
        ``-1`` to start: every group's ``"lr"`` is recorded as ``"initial_lr"`` (unless the
        group already has one) and the rate of step 0 is set. Any other value resumes at that
        step, and needs ``"initial_lr"`` in every group (torch's ``KeyError`` otherwise).

    Attributes
    ----------
    optimizer : Optimizer
        The scheduled optimizer.
    base_lrs : list of float
        The ``"initial_lr"`` of every group.
    last_epoch : int
        The number of ``step()`` calls since step 0 (epochs or batches).

    Notes
    -----
    Differences from torch: the optimizer's ``step`` is not wrapped; the order of the calls
    is checked through ``optimizer._opt_called``, which ``optlearn``'s optimizers set. The
    learning rates are Python floats. ``state_dict()`` returns copies, so it does not change
    as the scheduler steps on. Arguments are checked before anything is changed (torch
    changes some groups before it refuses others).

    Examples
    --------
    >>> import numpy as np
    >>> from optlearn.optim import SGD
    >>> from optlearn.optim.lr_scheduler import LRScheduler
    >>> class Halving(LRScheduler):
    ...     def get_lr(self):
    ...         return [base * 0.5**self.last_epoch for base in self.base_lrs]
    >>> opt = SGD([np.zeros(2)], lr=1.0)
    >>> sched = Halving(opt)
    >>> for _ in range(3):
    ...     opt.step([np.zeros(2)])
    ...     sched.step()
    >>> sched.get_last_lr()
    [0.125]
    """

    _get_lr_called_within_step: bool = False
    _is_initial: bool = False

    def __init__(self, optimizer: Optimizer, last_epoch: int = -1) -> None:
        _check_optimizer(optimizer)
        _check_last_epoch(last_epoch)
        _check_initial_lr(optimizer, last_epoch)
        self.optimizer = optimizer
        if last_epoch == -1:
            for group in optimizer.param_groups:
                group.setdefault("initial_lr", float(group["lr"]))
        self.base_lrs = [group["initial_lr"] for group in optimizer.param_groups]
        self.last_epoch = last_epoch
        self._initial_step()

    def _initial_step(self) -> None:
        """Set the rate of the current step (step 0 on a fresh start)."""
        self._step_count = 0
        self._is_initial = True
        try:
            self.step()
        finally:
            self._is_initial = False

    # -- saving and loading ------------------------------------------------------------------
    def state_dict(self) -> dict:
        """The scheduler's state: a copy of every attribute except the optimizer."""
        return {k: copy.deepcopy(v) for k, v in self.__dict__.items() if k != "optimizer"}

    def load_state_dict(self, state_dict: dict) -> None:
        """Load a ``state_dict()`` of a scheduler of the same class.

        Load the optimizer's state too (see the module's docstring).
        """
        if not isinstance(state_dict, dict):
            raise TypeError(f"state_dict must be a dict returned by state_dict(), got "
                            f"{type(state_dict).__name__}")  # fmt: skip
        self.__dict__.update(copy.deepcopy(state_dict))

    # -- learning rates ----------------------------------------------------------------------
    def get_last_lr(self) -> list[float]:
        """The learning rates last set, one per parameter group (a new list)."""
        return list(self._last_lr)

    def get_lr(self) -> list[float]:
        """The rates of step ``last_epoch``, one per group (called by :meth:`step`).

        To read the current rates, use :meth:`get_last_lr`: calling this outside ``step``
        warns, as in torch, since a chainable schedule would compute one step too far.
        """
        raise NotImplementedError

    def _warn_get_lr_outside_step(self) -> None:
        if not self._get_lr_called_within_step:
            warnings.warn(GET_LR_WARNING, UserWarning, stacklevel=3)

    def _check_step_order(self) -> None:
        if self._step_count == 1 and not getattr(self.optimizer, "_opt_called", False):
            warnings.warn(STEP_ORDER_WARNING, UserWarning, stacklevel=3)

    def step(self, epoch=None) -> None:
        """Move to the next step and set its learning rate in every group.

        Call it after ``optimizer.step()``.

        Parameters
        ----------
        epoch : int, optional
            Deprecated, as in torch (it warns): jump to step ``epoch``, using the closed
            form where the schedule has one.
        """
        self._check_step_order()
        self._step_count += 1
        if epoch is not None:
            warnings.warn(EPOCH_DEPRECATION_WARNING, UserWarning, stacklevel=2)
        self._update_lr(epoch)

    def _update_lr(self, epoch=None) -> None:
        self._get_lr_called_within_step = True
        try:
            if epoch is None:
                self.last_epoch += 1
                values = self.get_lr()
            else:
                self.last_epoch = epoch
                closed_form = getattr(self, "_get_closed_form_lr", None)
                values = closed_form() if closed_form is not None else self.get_lr()
        finally:
            self._get_lr_called_within_step = False
        for group, lr in zip(self.optimizer.param_groups, values, strict=True):
            group["lr"] = float(lr)
        self._last_lr = [group["lr"] for group in self.optimizer.param_groups]


# --- schedules of the form lr = initial_lr * factor(t) -----------------------------------------
class LambdaLR(LRScheduler):
    r"""Set every group's learning rate to its initial one times a function of the epoch.

    .. math::

        \eta_t = \eta_0 \, \lambda(t)

    Parameters
    ----------
    optimizer : Optimizer
        Wrapped optimizer.
    lr_lambda : callable or list of callable
        :math:`\lambda`, called with the integer epoch; or one function per group.
    last_epoch : int, default=-1
        The index of the last epoch (-1 to start).

    Notes
    -----
    ``state_dict()`` saves a callable object's ``__dict__`` and nothing of a plain function
    or lambda, as in torch. Unlike torch, a non-callable ``lr_lambda`` is refused here
    (``TypeError``), at construction instead of at the first step.

    Examples
    --------
    >>> import numpy as np
    >>> from optlearn.optim import SGD
    >>> from optlearn.optim.lr_scheduler import LambdaLR
    >>> opt = SGD([np.zeros(2)], lr=1.0)
    >>> sched = LambdaLR(opt, lr_lambda=lambda epoch: 1 / (1 + epoch))
    >>> for _ in range(3):
    ...     opt.step([np.zeros(2)])
    ...     sched.step()
    >>> sched.get_last_lr()
    [0.25]
    """

    def __init__(self, optimizer: Optimizer, lr_lambda, last_epoch: int = -1) -> None:
        _check_optimizer(optimizer)
        self.lr_lambdas = _check_lambdas(optimizer, lr_lambda)
        self.optimizer = optimizer
        super().__init__(optimizer, last_epoch)

    def state_dict(self) -> dict:
        """The state; ``lr_lambdas`` holds a callable object's ``__dict__``, None for a function."""
        state = {k: copy.deepcopy(v) for k, v in self.__dict__.items()
                 if k not in ("optimizer", "lr_lambdas")}  # fmt: skip
        state["lr_lambdas"] = _lambdas_state(self.lr_lambdas)
        return state

    def load_state_dict(self, state_dict: dict) -> None:
        """Load a ``state_dict()``; the lambdas' saved ``__dict__`` are restored into them."""
        state = dict(state_dict)
        saved = state.pop("lr_lambdas")
        LRScheduler.load_state_dict(self, state)  # shared with MultiplicativeLR: no super()
        for fn, attrs in zip(self.lr_lambdas, saved, strict=True):
            if attrs is not None:
                fn.__dict__.update(copy.deepcopy(attrs))

    def get_lr(self) -> list[float]:
        self._warn_get_lr_outside_step()
        return [base_lr * lmbda(self.last_epoch)
                for lmbda, base_lr in zip(self.lr_lambdas, self.base_lrs, strict=True)]  # fmt: skip


class MultiplicativeLR(LRScheduler):
    r"""Multiply every group's learning rate by a function of the epoch, at every step.

    .. math::

        \eta_t = \eta_{t-1} \, \lambda(t) \quad (t \ge 1), \qquad \eta_0 = \texttt{initial\_lr}

    Parameters
    ----------
    optimizer : Optimizer
        Wrapped optimizer.
    lr_lambda : callable or list of callable
        :math:`\lambda`, called with the integer epoch; or one function per group.
    last_epoch : int, default=-1
        The index of the last epoch (-1 to start).

    Notes
    -----
    As :class:`LambdaLR` for ``state_dict()``. Same behaviour as torch.

    Examples
    --------
    >>> import numpy as np
    >>> from optlearn.optim import SGD
    >>> from optlearn.optim.lr_scheduler import MultiplicativeLR
    >>> opt = SGD([np.zeros(2)], lr=1.0)
    >>> sched = MultiplicativeLR(opt, lr_lambda=lambda epoch: 0.5)
    >>> for _ in range(3):
    ...     opt.step([np.zeros(2)])
    ...     sched.step()
    >>> sched.get_last_lr()
    [0.125]
    """

    def __init__(self, optimizer: Optimizer, lr_lambda, last_epoch: int = -1) -> None:
        _check_optimizer(optimizer)
        self.lr_lambdas = _check_lambdas(optimizer, lr_lambda)
        self.optimizer = optimizer
        super().__init__(optimizer, last_epoch)

    state_dict = LambdaLR.state_dict
    load_state_dict = LambdaLR.load_state_dict

    def get_lr(self) -> list[float]:
        self._warn_get_lr_outside_step()
        if self._is_initial:
            return [group["lr"] for group in self.optimizer.param_groups]
        return [group["lr"] * lmbda(self.last_epoch)
                for lmbda, group in zip(self.lr_lambdas, self.optimizer.param_groups,
                                        strict=True)]  # fmt: skip


class StepLR(LRScheduler):
    r"""Multiply the learning rate by ``gamma`` every ``step_size`` epochs.

    .. math::

        \eta_t = \eta_0 \, \gamma^{\lfloor t / s \rfloor}

    Parameters
    ----------
    optimizer : Optimizer
        Wrapped optimizer.
    step_size : int
        Period :math:`s` of the decay, in epochs (>= 1).
    gamma : float, default=0.1
        Multiplicative factor :math:`\gamma` (> 0).
    last_epoch : int, default=-1
        The index of the last epoch (-1 to start).

    Notes
    -----
    Unlike torch, ``step_size < 1`` and ``gamma <= 0`` are refused.

    Examples
    --------
    >>> import numpy as np
    >>> from optlearn.optim import SGD
    >>> from optlearn.optim.lr_scheduler import StepLR
    >>> opt = SGD([np.zeros(2)], lr=1.0)
    >>> sched = StepLR(opt, step_size=2, gamma=0.5)
    >>> lrs = []
    >>> for epoch in range(6):
    ...     opt.step([np.zeros(2)])          # one epoch of training
    ...     lrs.append(sched.get_last_lr()[0])
    ...     sched.step()
    >>> lrs
    [1.0, 1.0, 0.5, 0.5, 0.25, 0.25]
    """

    def __init__(self, optimizer: Optimizer, step_size: int, gamma: float = 0.1,
                 last_epoch: int = -1) -> None:  # fmt: skip
        _check_int("step_size", step_size, low=1)
        _check_real("gamma", gamma, low=0, low_open=True)
        self.step_size = step_size
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        self._warn_get_lr_outside_step()
        if self.last_epoch == 0 or self.last_epoch % self.step_size != 0:
            return [group["lr"] for group in self.optimizer.param_groups]
        return [group["lr"] * self.gamma for group in self.optimizer.param_groups]

    def _get_closed_form_lr(self) -> list[float]:
        return [base_lr * self.gamma ** (self.last_epoch // self.step_size)
                for base_lr in self.base_lrs]  # fmt: skip


class MultiStepLR(LRScheduler):
    r"""Multiply the learning rate by ``gamma`` at each milestone epoch.

    .. math::

        \eta_t = \eta_0 \, \gamma^{\,|\{i \,:\, m_i \le t\}|}

    Parameters
    ----------
    optimizer : Optimizer
        Wrapped optimizer.
    milestones : list of int
        Epochs :math:`m_1 < m_2 < \dots` at which the rate is multiplied (strictly
        increasing, >= 0).
    gamma : float, default=0.1
        Multiplicative factor :math:`\gamma` (> 0).
    last_epoch : int, default=-1
        The index of the last epoch (-1 to start).

    Notes
    -----
    Torch sorts the milestones silently and counts a repeated one twice; an unsorted list is
    far more likely a mistake than an intent, so milestones that are not strictly increasing
    are refused here. ``gamma <= 0`` is refused too. ``milestones`` is stored as a
    ``collections.Counter``, as in torch.

    Examples
    --------
    >>> import numpy as np
    >>> from optlearn.optim import SGD
    >>> from optlearn.optim.lr_scheduler import MultiStepLR
    >>> opt = SGD([np.zeros(2)], lr=1.0)
    >>> sched = MultiStepLR(opt, milestones=[1, 3], gamma=0.5)
    >>> lrs = []
    >>> for epoch in range(5):
    ...     opt.step([np.zeros(2)])
    ...     lrs.append(sched.get_last_lr()[0])
    ...     sched.step()
    >>> lrs
    [1.0, 0.5, 0.5, 0.25, 0.25]
    """

    def __init__(self, optimizer: Optimizer, milestones, gamma: float = 0.1,
                 last_epoch: int = -1) -> None:  # fmt: skip
        try:
            ms = list(milestones)
        except TypeError:
            ms = None
        if ms is None or not _increasing_ints(ms, 0):
            raise _refuse("milestones", milestones,
                          "a strictly increasing list of integers >= 0")  # fmt: skip
        _check_real("gamma", gamma, low=0, low_open=True)
        self.milestones = Counter(ms)
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        self._warn_get_lr_outside_step()
        if self.last_epoch not in self.milestones:
            return [group["lr"] for group in self.optimizer.param_groups]
        return [group["lr"] * self.gamma ** self.milestones[self.last_epoch]
                for group in self.optimizer.param_groups]  # fmt: skip

    def _get_closed_form_lr(self) -> list[float]:
        milestones = sorted(self.milestones.elements())
        return [base_lr * self.gamma ** bisect_right(milestones, self.last_epoch)
                for base_lr in self.base_lrs]  # fmt: skip


class ConstantLR(LRScheduler):
    r"""Multiply the learning rate by a constant factor for the first ``total_iters`` epochs.

    .. math::

        \eta_t = \begin{cases} \eta_0 \, f & t < T \\ \eta_0 & t \ge T \end{cases}

    Parameters
    ----------
    optimizer : Optimizer
        Wrapped optimizer.
    factor : float, default=1/3
        The factor :math:`f`, in (0, 1].
    total_iters : int, default=5
        Number of epochs :math:`T` at the reduced rate (>= 1).
    last_epoch : int, default=-1
        The index of the last epoch (-1 to start).

    Notes
    -----
    Torch accepts ``factor=0`` but then divides by it at epoch ``total_iters``
    (``ZeroDivisionError``); it is refused here, with ``total_iters < 1``.

    Examples
    --------
    >>> import numpy as np
    >>> from optlearn.optim import SGD
    >>> from optlearn.optim.lr_scheduler import ConstantLR
    >>> opt = SGD([np.zeros(2)], lr=1.0)
    >>> sched = ConstantLR(opt, factor=0.5, total_iters=2)
    >>> lrs = []
    >>> for epoch in range(4):
    ...     opt.step([np.zeros(2)])
    ...     lrs.append(sched.get_last_lr()[0])
    ...     sched.step()
    >>> lrs
    [0.5, 0.5, 1.0, 1.0]
    """

    def __init__(self, optimizer: Optimizer, factor: float = 1.0 / 3, total_iters: int = 5,
                 last_epoch: int = -1) -> None:  # fmt: skip
        _check_real("factor", factor, low=0, high=1, low_open=True,
                    torch_message="Constant multiplicative factor expected to be between 0 "
                                  "and 1.")  # fmt: skip
        _check_int("total_iters", total_iters, low=1)
        self.factor = factor
        self.total_iters = total_iters
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        self._warn_get_lr_outside_step()
        if self.last_epoch == 0:
            return [group["lr"] * self.factor for group in self.optimizer.param_groups]
        if self.last_epoch != self.total_iters:
            return [group["lr"] for group in self.optimizer.param_groups]
        return [group["lr"] * (1.0 / self.factor) for group in self.optimizer.param_groups]

    def _get_closed_form_lr(self) -> list[float]:
        return [base_lr * (self.factor + (self.last_epoch >= self.total_iters) * (1 - self.factor))
                for base_lr in self.base_lrs]  # fmt: skip


class LinearLR(LRScheduler):
    r"""Change the learning rate's factor linearly from ``start_factor`` to ``end_factor``.

    .. math::

        \eta_t = \eta_0 \left(f_s + (f_e - f_s) \, \frac{\min(t, T)}{T}\right)

    Parameters
    ----------
    optimizer : Optimizer
        Wrapped optimizer.
    start_factor : float, default=1/3
        Factor :math:`f_s` at epoch 0, in (0, 1].
    end_factor : float, default=1.0
        Factor :math:`f_e` from epoch :math:`T` on, in [0, 1].
    total_iters : int, default=5
        Number of epochs :math:`T` of the ramp (>= 1).
    last_epoch : int, default=-1
        The index of the last epoch (-1 to start).

    Notes
    -----
    Differences from torch: ``total_iters < 1`` is refused (torch divides by it in the closed
    form); and the chainable factor is kept >= 0: with ``end_factor=0``, torch's rounding
    leaves a rate of about -1e-19 from epoch ``total_iters`` on, which ``optlearn``'s
    optimizers would refuse; here it is exactly 0.
    A linear warm-up is ``LinearLR(opt, start_factor=0.01, total_iters=n)``; a linear decay
    to zero is ``LinearLR(opt, start_factor=1.0, end_factor=0.0, total_iters=n)``.

    Examples
    --------
    >>> import numpy as np
    >>> from optlearn.optim import SGD
    >>> from optlearn.optim.lr_scheduler import LinearLR
    >>> opt = SGD([np.zeros(2)], lr=1.0)
    >>> sched = LinearLR(opt, start_factor=0.25, total_iters=3)
    >>> lrs = []
    >>> for epoch in range(5):
    ...     opt.step([np.zeros(2)])
    ...     lrs.append(sched.get_last_lr()[0])
    ...     sched.step()
    >>> lrs
    [0.25, 0.5, 0.75, 1.0, 1.0]
    """

    def __init__(self, optimizer: Optimizer, start_factor: float = 1.0 / 3,
                 end_factor: float = 1.0, total_iters: int = 5,
                 last_epoch: int = -1) -> None:  # fmt: skip
        _check_real("start_factor", start_factor, low=0, high=1, low_open=True,
                    torch_message="Starting multiplicative factor expected to be greater than "
                                  "0 and less or equal to 1.")  # fmt: skip
        _check_real("end_factor", end_factor, low=0, high=1,
                    torch_message="Ending multiplicative factor expected to be between 0 "
                                  "and 1.")  # fmt: skip
        _check_int("total_iters", total_iters, low=1)
        self.start_factor = start_factor
        self.end_factor = end_factor
        self.total_iters = total_iters
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        self._warn_get_lr_outside_step()
        if self.last_epoch == 0:
            return [group["lr"] * self.start_factor for group in self.optimizer.param_groups]
        if self._is_initial or self.last_epoch > self.total_iters:
            return [group["lr"] for group in self.optimizer.param_groups]
        delta = self.end_factor - self.start_factor
        ratio = 1.0 + delta / (self.total_iters * self.start_factor
                               + (self.last_epoch - 1) * delta)  # fmt: skip
        # With end_factor=0 the last ratio is 0 but rounds to about -1e-17 (torch keeps that,
        # so its rate ends at about -1e-19); a learning rate is never negative.
        ratio = max(ratio, 0.0)
        return [group["lr"] * ratio for group in self.optimizer.param_groups]

    def _get_closed_form_lr(self) -> list[float]:
        return [base_lr * (self.start_factor + (self.end_factor - self.start_factor)
                           * min(self.total_iters, self.last_epoch) / self.total_iters)
                for base_lr in self.base_lrs]  # fmt: skip


class ExponentialLR(LRScheduler):
    r"""Multiply the learning rate by ``gamma`` every epoch.

    .. math::

        \eta_t = \eta_0 \, \gamma^t

    Parameters
    ----------
    optimizer : Optimizer
        Wrapped optimizer.
    gamma : float
        Multiplicative factor :math:`\gamma` (> 0).
    last_epoch : int, default=-1
        The index of the last epoch (-1 to start).

    Notes
    -----
    Unlike torch, ``gamma <= 0`` is refused.

    Examples
    --------
    >>> import numpy as np
    >>> from optlearn.optim import SGD
    >>> from optlearn.optim.lr_scheduler import ExponentialLR
    >>> opt = SGD([np.zeros(2)], lr=1.0)
    >>> sched = ExponentialLR(opt, gamma=0.5)
    >>> for _ in range(3):
    ...     opt.step([np.zeros(2)])
    ...     sched.step()
    >>> sched.get_last_lr()
    [0.125]
    """

    def __init__(self, optimizer: Optimizer, gamma: float, last_epoch: int = -1) -> None:
        _check_real("gamma", gamma, low=0, low_open=True)
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        self._warn_get_lr_outside_step()
        # On resuming, the initial step must not move the rate one step further.
        if self._is_initial:
            return [group["lr"] for group in self.optimizer.param_groups]
        return [group["lr"] * self.gamma for group in self.optimizer.param_groups]

    def _get_closed_form_lr(self) -> list[float]:
        return [base_lr * self.gamma**self.last_epoch for base_lr in self.base_lrs]


class PolynomialLR(LRScheduler):
    r"""Decay the learning rate to zero along a polynomial over ``total_iters`` epochs.

    .. math::

        \eta_t = \eta_0 \left(1 - \frac{\min(t, T)}{T}\right)^{p}

    Parameters
    ----------
    optimizer : Optimizer
        Wrapped optimizer.
    total_iters : int, default=5
        Number of epochs :math:`T` of the decay (>= 1); the rate is 0 from then on.
    power : float, default=1.0
        The power :math:`p` (>= 0); 1 is a linear decay.
    last_epoch : int, default=-1
        The index of the last epoch (-1 to start).

    Notes
    -----
    Unlike torch, ``total_iters < 1`` and ``power < 0`` are refused.

    Examples
    --------
    >>> import numpy as np
    >>> from optlearn.optim import SGD
    >>> from optlearn.optim.lr_scheduler import PolynomialLR
    >>> opt = SGD([np.zeros(2)], lr=1.0)
    >>> sched = PolynomialLR(opt, total_iters=4, power=2.0)
    >>> lrs = []
    >>> for epoch in range(5):
    ...     opt.step([np.zeros(2)])
    ...     lrs.append(sched.get_last_lr()[0])
    ...     sched.step()
    >>> lrs
    [1.0, 0.5625, 0.25, 0.0625, 0.0]
    """

    def __init__(self, optimizer: Optimizer, total_iters: int = 5, power: float = 1.0,
                 last_epoch: int = -1) -> None:  # fmt: skip
        _check_int("total_iters", total_iters, low=1)
        _check_real("power", power, low=0)
        self.total_iters = total_iters
        self.power = power
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        self._warn_get_lr_outside_step()
        if self._is_initial or self.last_epoch > self.total_iters:
            return [group["lr"] for group in self.optimizer.param_groups]
        decay_factor = (
            (1.0 - self.last_epoch / self.total_iters)
            / (1.0 - (self.last_epoch - 1) / self.total_iters)
        ) ** self.power
        return [group["lr"] * decay_factor for group in self.optimizer.param_groups]

    def _get_closed_form_lr(self) -> list[float]:
        return [base_lr * (1.0 - min(self.total_iters, self.last_epoch) / self.total_iters)
                ** self.power for base_lr in self.base_lrs]  # fmt: skip


class CosineAnnealingLR(LRScheduler):
    r"""Anneal the learning rate along half a cosine from its initial value to ``eta_min``.

    .. math::

        \eta_t = \eta_{\min} + \tfrac12 (\eta_0 - \eta_{\min})
            \left(1 + \cos\frac{\pi t}{T_{\max}}\right)

    computed, as in torch, by the chainable recursion

    .. math::

        \eta_{t} = \eta_{\min} + (\eta_{t-1} - \eta_{\min})
            \frac{1 + \cos(\pi t / T_{\max})}{1 + \cos(\pi (t - 1) / T_{\max})},

    so that it composes with other schedules; past :math:`T_{\max}` the rate rises again
    (the cosine continues; there is no restart, see :class:`CosineAnnealingWarmRestarts`).

    Parameters
    ----------
    optimizer : Optimizer
        Wrapped optimizer.
    T_max : int
        Half period :math:`T_{\max}`: the number of epochs to reach ``eta_min`` (> 0).
    eta_min : float, default=0.0
        Minimum learning rate :math:`\eta_{\min}` (>= 0).
    last_epoch : int, default=-1
        The index of the last epoch (-1 to start).

    Notes
    -----
    Unlike torch, ``T_max <= 0`` and ``eta_min < 0`` are refused.

    Examples
    --------
    >>> import numpy as np
    >>> from optlearn.optim import SGD
    >>> from optlearn.optim.lr_scheduler import CosineAnnealingLR
    >>> opt = SGD([np.zeros(2)], lr=1.0)
    >>> sched = CosineAnnealingLR(opt, T_max=4)
    >>> lrs = []
    >>> for epoch in range(5):
    ...     opt.step([np.zeros(2)])
    ...     lrs.append(round(sched.get_last_lr()[0], 4))
    ...     sched.step()
    >>> lrs
    [1.0, 0.8536, 0.5, 0.1464, 0.0]
    """

    def __init__(self, optimizer: Optimizer, T_max: int, eta_min: float = 0.0,
                 last_epoch: int = -1) -> None:  # fmt: skip
        _check_real("T_max", T_max, low=0, low_open=True)
        _check_real("eta_min", eta_min, low=0)
        self.T_max = T_max
        self.eta_min = eta_min
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        self._warn_get_lr_outside_step()
        groups = self.optimizer.param_groups
        if self._is_initial:
            return [group["lr"] for group in groups]
        if self._step_count == 1 and self.last_epoch > 0:
            return [self.eta_min + (base_lr - self.eta_min)
                    * (1 + math.cos(self.last_epoch * math.pi / self.T_max)) / 2
                    for base_lr in self.base_lrs]  # fmt: skip
        if (self.last_epoch - 1 - self.T_max) % (2 * self.T_max) == 0:
            # Just past a minimum, where the recursion would divide by zero.
            return [group["lr"] + (base_lr - self.eta_min)
                    * (1 - math.cos(math.pi / self.T_max)) / 2
                    for base_lr, group in zip(self.base_lrs, groups, strict=True)]  # fmt: skip
        return [(1 + math.cos(math.pi * self.last_epoch / self.T_max))
                / (1 + math.cos(math.pi * (self.last_epoch - 1) / self.T_max))
                * (group["lr"] - self.eta_min) + self.eta_min
                for group in groups]  # fmt: skip

    def _get_closed_form_lr(self) -> list[float]:
        return [self.eta_min + (base_lr - self.eta_min)
                * (1 + math.cos(math.pi * self.last_epoch / self.T_max)) / 2
                for base_lr in self.base_lrs]  # fmt: skip


class CosineAnnealingWarmRestarts(LRScheduler):
    r"""Cosine annealing with warm restarts (SGDR, Loshchilov & Hutter 2017).

    .. math::

        \eta_t = \eta_{\min} + \tfrac12 (\eta_0 - \eta_{\min})
            \left(1 + \cos\frac{\pi T_{cur}}{T_i}\right),
        \qquad T_i = T_0 \, T_{mult}^{\,i}

    where :math:`T_{cur}` counts the epochs (possibly fractional) since the last restart, and
    the rate jumps back to :math:`\eta_0` when :math:`T_{cur}` reaches :math:`T_i`.

    Parameters
    ----------
    optimizer : Optimizer
        Wrapped optimizer.
    T_0 : int
        Number of epochs until the first restart (>= 1).
    T_mult : int, default=1
        Factor by which the period grows after each restart (>= 1).
    eta_min : float, default=0.0
        Minimum learning rate :math:`\eta_{\min}` (>= 0).
    last_epoch : int, default=-1
        The index of the last epoch (-1 to start).

    Notes
    -----
    ``step(epoch)`` takes a fractional epoch, without a deprecation warning, as in torch:
    call ``step(epoch + i / iters)`` after batch ``i`` of ``iters`` for a per-batch cosine.
    Difference from torch: torch's ``step`` skips the check of the call order (and keeps
    ``_step_count`` at 0); this one warns, like every other scheduler, when it is called
    before the optimizer's first ``step``. ``eta_min < 0`` is refused.

    Examples
    --------
    >>> import numpy as np
    >>> from optlearn.optim import SGD
    >>> from optlearn.optim.lr_scheduler import CosineAnnealingWarmRestarts
    >>> opt = SGD([np.zeros(2)], lr=1.0)
    >>> sched = CosineAnnealingWarmRestarts(opt, T_0=2, T_mult=2)
    >>> lrs = []
    >>> for epoch in range(7):
    ...     opt.step([np.zeros(2)])
    ...     lrs.append(round(sched.get_last_lr()[0], 4))
    ...     sched.step()
    >>> lrs
    [1.0, 0.5, 1.0, 0.8536, 0.5, 0.1464, 1.0]
    """

    def __init__(self, optimizer: Optimizer, T_0: int, T_mult: int = 1, eta_min: float = 0.0,
                 last_epoch: int = -1) -> None:  # fmt: skip
        _check_int("T_0", T_0, low=1, shows_value=True,
                   torch_message=f"Expected positive integer T_0, but got {T_0}")  # fmt: skip
        _check_int("T_mult", T_mult, low=1, shows_value=True,
                   torch_message=f"Expected integer T_mult >= 1, but got {T_mult}")  # fmt: skip
        if not _is_real(eta_min):
            raise ValueError(f"Expected float or int eta_min, but got {eta_min} of type "
                             f"{type(eta_min)} (eta_min must be a finite number >= 0)")  # fmt: skip
        _check_real("eta_min", eta_min, low=0)
        self.T_0 = T_0
        self.T_i = T_0
        self.T_mult = T_mult
        self.eta_min = eta_min
        self.T_cur = last_epoch
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        self._warn_get_lr_outside_step()
        return [self.eta_min + (base_lr - self.eta_min)
                * (1 + math.cos(math.pi * self.T_cur / self.T_i)) / 2
                for base_lr in self.base_lrs]  # fmt: skip

    def step(self, epoch=None) -> None:
        """Move to the next epoch, or to ``epoch`` (a float is allowed: see the Notes)."""
        if epoch is not None and not (_is_real(epoch) and epoch >= 0):
            raise ValueError(f"Expected non-negative epoch, but got {epoch} (epoch must be a "
                             "number >= 0)")  # fmt: skip
        self._check_step_order()
        self._step_count += 1
        if epoch is None and self.last_epoch < 0:
            epoch = 0
        if epoch is None:
            epoch = self.last_epoch + 1
            self.T_cur = self.T_cur + 1
            if self.T_cur >= self.T_i:
                self.T_cur = self.T_cur % self.T_i
                self.T_i = self.T_i * self.T_mult
        elif epoch >= self.T_0:
            if self.T_mult == 1:
                self.T_cur = epoch % self.T_0
            else:
                n = int(math.log((epoch / self.T_0 * (self.T_mult - 1) + 1), self.T_mult))
                self.T_cur = epoch - self.T_0 * (self.T_mult**n - 1) / (self.T_mult - 1)
                self.T_i = self.T_0 * self.T_mult ** (n)
        else:
            self.T_i = self.T_0
            self.T_cur = epoch
        self.last_epoch = math.floor(epoch)
        self._get_lr_called_within_step = True
        try:
            values = self.get_lr()
        finally:
            self._get_lr_called_within_step = False
        for group, lr in zip(self.optimizer.param_groups, values, strict=True):
            group["lr"] = float(lr)
        self._last_lr = [group["lr"] for group in self.optimizer.param_groups]


# --- per-batch cycles --------------------------------------------------------------------------
class CyclicLR(LRScheduler):
    r"""Cycle the learning rate between two bounds (Smith 2017), stepped once per batch.

    With :math:`s_u, s_d` the lengths of the rising and falling halves and
    :math:`r = s_u / (s_u + s_d)`,

    .. math::

        c &= \left\lfloor 1 + \frac{t}{s_u + s_d} \right\rfloor, \qquad
        x = 1 + \frac{t}{s_u + s_d} - c, \qquad
        h = \begin{cases} x / r & x \le r \\ (x - 1)/(r - 1) & x > r \end{cases} \\
        \eta_t &= \eta_{\text{base}} + (\eta_{\max} - \eta_{\text{base}})\, h\, \sigma, \qquad
        \mu_t = \mu_{\max} - (\mu_{\max} - \mu_{\text{base}})\, h\, \sigma

    with the scale :math:`\sigma` = 1 (``"triangular"``), :math:`2^{1-c}` (``"triangular2"``),
    :math:`\gamma^t` (``"exp_range"``), or ``scale_fn`` of :math:`c` or :math:`t`.

    Parameters
    ----------
    optimizer : Optimizer
        Wrapped optimizer.
    base_lr : float or list of float
        Lower bound :math:`\eta_{\text{base}}` of the cycle, per group; it replaces the groups'
        ``"lr"`` and is their ``base_lrs``.
    max_lr : float or list of float
        Upper bound :math:`\eta_{\max}`, per group (reached only if the scale is 1).
    step_size_up : int, default=2000
        Batches :math:`s_u` in the rising half of a cycle (> 0).
    step_size_down : int, optional
        Batches :math:`s_d` in the falling half (>= 0); ``step_size_up`` if None.
    mode : {"triangular", "triangular2", "exp_range"}, default="triangular"
        The scale policy; ignored if ``scale_fn`` is given.
    gamma : float, default=1.0
        The base of the ``"exp_range"`` scale, :math:`\gamma^t` (> 0).
    scale_fn : callable, optional
        A custom scale, :math:`0 \le \sigma(x) \le 1`; overrides ``mode``.
    scale_mode : {"cycle", "iterations"}, default="cycle"
        Whether ``scale_fn`` gets the cycle number :math:`c` or the batch :math:`t`.
    cycle_momentum : bool, default=True
        Cycle the momentum inversely to the rate, between ``base_momentum`` and
        ``max_momentum``: ``"momentum"`` for SGD, ``betas[0]`` for Adam and AdamW.
    base_momentum : float or list of float, default=0.8
        Lower bound :math:`\mu_{\text{base}}` of the momentum (at the peak of the rate).
    max_momentum : float or list of float, default=0.9
        Upper bound :math:`\mu_{\max}` of the momentum (at the start of a cycle).
    last_epoch : int, default=-1
        The index of the last *batch* (-1 to start).

    Notes
    -----
    ``state_dict()`` keeps ``scale_fn`` only as a callable object's ``__dict__``, as in
    torch. Differences from torch: an unknown ``scale_mode`` (torch treats anything other than
    ``"cycle"`` as ``"iterations"``), ``step_size_up <= 0``, ``step_size_down < 0``,
    ``gamma <= 0`` and negative bounds are refused; with Adam, momentum bounds must be in
    [0, 1). Torch sets the groups' ``"lr"`` before it checks the momentum; here nothing
    changes until every argument has been checked.

    Examples
    --------
    >>> import numpy as np
    >>> from optlearn.optim import SGD
    >>> from optlearn.optim.lr_scheduler import CyclicLR
    >>> opt = SGD([np.zeros(2)], lr=0.1, momentum=0.9)
    >>> sched = CyclicLR(opt, base_lr=0.25, max_lr=1.0, step_size_up=2, base_momentum=0.5,
    ...                  max_momentum=0.75)
    >>> lrs, moms = [], []
    >>> for batch in range(5):
    ...     opt.step([np.zeros(2)])
    ...     lrs.append(sched.get_last_lr()[0])
    ...     moms.append(opt.param_groups[0]["momentum"])
    ...     sched.step()
    >>> lrs
    [0.25, 0.625, 1.0, 0.625, 0.25]
    >>> moms
    [0.75, 0.625, 0.5, 0.625, 0.75]
    """

    _MODES = ("triangular", "triangular2", "exp_range")

    def __init__(self, optimizer: Optimizer, base_lr, max_lr, step_size_up: int = 2000,
                 step_size_down: int | None = None, mode: str = "triangular",
                 gamma: float = 1.0, scale_fn=None, scale_mode: str = "cycle",
                 cycle_momentum: bool = True, base_momentum=0.8, max_momentum=0.9,
                 last_epoch: int = -1) -> None:  # fmt: skip
        _check_optimizer(optimizer)
        _check_last_epoch(last_epoch)
        _check_initial_lr(optimizer, last_epoch)
        base_lrs = _format_param("base_lr", optimizer, base_lr)
        max_lrs = _format_param("max_lr", optimizer, max_lr)
        _check_real("step_size_up", step_size_up, low=0, low_open=True)
        if step_size_down is not None:
            _check_real("step_size_down", step_size_down, low=0)
        if scale_fn is None:
            _check_choice(
                "mode",
                mode,
                self._MODES,
                "mode is invalid and scale_fn is None",
                shows_value=False,
                also=", or a scale_fn must be given",
            )
        elif not callable(scale_fn):
            raise TypeError(f"scale_fn should be a function, but got {type(scale_fn).__name__}")
        _check_choice("scale_mode", scale_mode, ("cycle", "iterations"),
                      f"scale_mode {scale_mode!r} is unknown!")  # fmt: skip
        _check_real("gamma", gamma, low=0, low_open=True)
        if not isinstance(cycle_momentum, bool):
            raise TypeError(f"Invalid cycle_momentum: {cycle_momentum!r} (cycle_momentum must "
                            "be True or False)")  # fmt: skip
        if cycle_momentum:
            use_beta1 = _check_momentum_support(optimizer)
            high = 1 if use_beta1 else None
            base_momentums = _format_param("base_momentum", optimizer, base_momentum,
                                           high=high, high_open=True)  # fmt: skip
            max_momentums = _format_param("max_momentum", optimizer, max_momentum,
                                          high=high, high_open=True)  # fmt: skip

        # Every argument is valid: now change the optimizer.
        self.optimizer = optimizer
        if last_epoch == -1:
            for lr, group in zip(base_lrs, optimizer.param_groups, strict=True):
                group["lr"] = lr
        self.max_lrs = max_lrs
        step_size_up = float(step_size_up)
        step_size_down = float(step_size_down) if step_size_down is not None else step_size_up
        self.total_size = step_size_up + step_size_down
        self.step_ratio = step_size_up / self.total_size
        self.mode = mode
        self.gamma = gamma
        self._scale_fn_custom = scale_fn
        self.scale_mode = scale_mode
        self._init_scale_fn()
        self.cycle_momentum = cycle_momentum
        if cycle_momentum:
            self.use_beta1 = use_beta1
            self.base_momentums = base_momentums
            self.max_momentums = max_momentums
            if last_epoch == -1:
                for m_momentum, b_momentum, group in zip(
                    max_momentums, base_momentums, optimizer.param_groups, strict=True
                ):
                    _set_momentum(group, m_momentum, use_beta1)
                    group["max_momentum"] = m_momentum
                    group["base_momentum"] = b_momentum
        super().__init__(optimizer, last_epoch)
        self.base_lrs = base_lrs

    def _init_scale_fn(self) -> None:
        """The built-in modes fix ``scale_mode`` (cycle for triangular*, iterations for exp)."""
        if self._scale_fn_custom is None:
            self.scale_mode = "iterations" if self.mode == "exp_range" else "cycle"

    def scale_fn(self, x) -> float:
        """The scale :math:`\\sigma(x)` of the amplitude: ``scale_fn`` or the mode's."""
        if self._scale_fn_custom is not None:
            return self._scale_fn_custom(x)
        if self.mode == "triangular":
            return 1.0
        if self.mode == "triangular2":
            return 1 / (2.0 ** (x - 1))
        return self.gamma**x

    def get_lr(self) -> list[float]:
        """The rates of batch ``last_epoch``; sets the groups' momentum as a side effect."""
        self._warn_get_lr_outside_step()
        cycle = math.floor(1 + self.last_epoch / self.total_size)
        x = 1.0 + self.last_epoch / self.total_size - cycle
        if x <= self.step_ratio:
            scale_factor = x / self.step_ratio
        else:
            scale_factor = (x - 1) / (self.step_ratio - 1)
        scale = self.scale_fn(cycle if self.scale_mode == "cycle" else self.last_epoch)
        lrs = [base_lr + (max_lr - base_lr) * scale_factor * scale
               for base_lr, max_lr in zip(self.base_lrs, self.max_lrs, strict=True)]  # fmt: skip
        if self.cycle_momentum:
            momentums = [max_m - (max_m - base_m) * scale_factor * scale
                         for base_m, max_m in zip(self.base_momentums, self.max_momentums,
                                                  strict=True)]  # fmt: skip
            for group, momentum in zip(self.optimizer.param_groups, momentums, strict=True):
                _set_momentum(group, momentum, self.use_beta1)
        return lrs

    def state_dict(self) -> dict:
        """The state; ``_scale_fn_custom`` is a callable object's ``__dict__``, else None."""
        state = {k: copy.deepcopy(v) for k, v in self.__dict__.items()
                 if k not in ("optimizer", "_scale_fn_custom")}  # fmt: skip
        fn = self._scale_fn_custom
        state["_scale_fn_custom"] = None if fn is None else _lambdas_state([fn])[0]
        return state

    def load_state_dict(self, state_dict: dict) -> None:
        """Load a ``state_dict()``; a saved ``scale_fn`` object's ``__dict__`` is restored."""
        state = dict(state_dict)
        fn = state.pop("_scale_fn_custom")
        super().load_state_dict(state)
        if fn is not None:
            self._scale_fn_custom.__dict__.update(copy.deepcopy(fn))
        self._init_scale_fn()


class OneCycleLR(LRScheduler):
    r"""The 1cycle policy (Smith & Topin 2019), stepped once per batch.

    The rate rises from :math:`\eta_{\max}/d` to :math:`\eta_{\max}` over the first
    ``pct_start`` of the ``total_steps`` batches, then falls to
    :math:`\eta_{\max}/(d\,d_f)`; the momentum moves the other way, between ``max_momentum``
    and ``base_momentum``. Within each phase, from step :math:`a` to step :math:`b`,

    .. math::

        \eta_t = \operatorname{anneal}\left(\eta_{\text{start}}, \eta_{\text{end}},
            \frac{t - a}{b - a}\right), \qquad
        \operatorname{anneal}(u, v, p) = \begin{cases}
            v + \tfrac12 (u - v)(1 + \cos \pi p) & \text{"cos"} \\
            u + (v - u)\, p & \text{"linear"} \end{cases}

    with phases ending at :math:`b = p_s T - 1` and :math:`T - 1` (two phases), or
    :math:`p_s T - 1`, :math:`2 p_s T - 2` (back to :math:`\eta_{\max}/d`) and :math:`T - 1`
    (``three_phase``).

    Parameters
    ----------
    optimizer : Optimizer
        Wrapped optimizer.
    max_lr : float or list of float
        Peak rate :math:`\eta_{\max}`, per group.
    total_steps : int, optional
        Number of batches :math:`T` in the cycle; if None, ``epochs * steps_per_epoch``.
    epochs : int, optional
        Number of epochs (with ``steps_per_epoch``, when ``total_steps`` is None).
    steps_per_epoch : int, optional
        Number of batches per epoch.
    pct_start : float, default=0.3
        Fraction :math:`p_s` of the cycle spent raising the rate (a float in [0, 1]).
    anneal_strategy : {"cos", "linear"}, default="cos"
        The shape of each phase.
    cycle_momentum : bool, default=True
        Cycle ``"momentum"`` (SGD) or ``betas[0]`` (Adam, AdamW) inversely to the rate.
    base_momentum : float or list of float, default=0.85
        Momentum at the peak of the rate.
    max_momentum : float or list of float, default=0.95
        Momentum at the start and the end.
    div_factor : float, default=25.0
        :math:`d`: the initial rate is ``max_lr / div_factor`` (> 0).
    final_div_factor : float, default=1e4
        :math:`d_f`: the final rate is ``initial_lr / final_div_factor`` (> 0).
    three_phase : bool, default=False
        Three phases, the first two symmetric about ``pct_start`` (the paper's schedule),
        instead of fastai's two.
    last_epoch : int, default=-1
        The index of the last *batch* (-1 to start).

    Notes
    -----
    The groups get ``"initial_lr"``, ``"max_lr"``, ``"min_lr"``, ``"max_momentum"`` and
    ``"base_momentum"`` entries, as in torch. Stepping past ``total_steps`` raises torch's
    ``ValueError``, here without changing the scheduler. Differences from torch: refused
    here are ``div_factor <= 0``, ``final_div_factor <= 0``, ``pct_start * total_steps == 1``
    (a phase of length zero: torch divides by zero), ``three_phase`` with
    ``pct_start > 0.5`` (the second phase would end after the last step), and, with Adam,
    momentum bounds outside [0, 1).

    Examples
    --------
    >>> import numpy as np
    >>> from optlearn.optim import SGD
    >>> from optlearn.optim.lr_scheduler import OneCycleLR
    >>> opt = SGD([np.zeros(2)], lr=0.1, momentum=0.9)
    >>> sched = OneCycleLR(opt, max_lr=1.0, total_steps=10, pct_start=0.5, div_factor=4.0,
    ...                    final_div_factor=10.0, anneal_strategy="linear")
    >>> lrs = []
    >>> for batch in range(10):
    ...     opt.step([np.zeros(2)])
    ...     lrs.append(round(sched.get_last_lr()[0], 4))
    ...     sched.step()
    >>> lrs
    [0.25, 0.4375, 0.625, 0.8125, 1.0, 0.805, 0.61, 0.415, 0.22, 0.025]
    """

    def __init__(self, optimizer: Optimizer, max_lr, total_steps: int | None = None,
                 epochs: int | None = None, steps_per_epoch: int | None = None,
                 pct_start: float = 0.3, anneal_strategy: str = "cos",
                 cycle_momentum: bool = True, base_momentum=0.85, max_momentum=0.95,
                 div_factor: float = 25.0, final_div_factor: float = 1e4,
                 three_phase: bool = False, last_epoch: int = -1) -> None:  # fmt: skip
        _check_optimizer(optimizer)
        _check_last_epoch(last_epoch)
        _check_initial_lr(optimizer, last_epoch)
        if total_steps is not None:
            _check_int("total_steps", total_steps, low=1, shows_value=True,
                       torch_message=f"Expected positive integer total_steps, but got "
                                     f"{total_steps}")  # fmt: skip
        elif epochs is not None and steps_per_epoch is not None:
            _check_int(
                "epochs",
                epochs,
                low=1,
                shows_value=True,
                torch_message=f"Expected positive integer epochs, but got {epochs}",
            )
            _check_int("steps_per_epoch", steps_per_epoch, low=1, shows_value=True,
                       torch_message=f"Expected positive integer steps_per_epoch, but got "
                                     f"{steps_per_epoch}")  # fmt: skip
            total_steps = epochs * steps_per_epoch
        else:
            raise ValueError(
                "You must define either total_steps OR (epochs AND steps_per_epoch) (got "
                f"total_steps={total_steps}, epochs={epochs}, steps_per_epoch="
                f"{steps_per_epoch}; total_steps must be an integer >= 1, or epochs and "
                "steps_per_epoch both integers >= 1)"
            )
        if not (isinstance(pct_start, float) and 0 <= pct_start <= 1):
            raise ValueError(f"Expected float between 0 and 1 pct_start, but got {pct_start} "
                             "(pct_start must be a float in [0, 1])")  # fmt: skip
        if pct_start * total_steps == 1:
            raise ValueError(
                f"Invalid pct_start: {pct_start} (pct_start * total_steps must not be 1, "
                f"here {pct_start} * {total_steps}: the first phase would last zero steps)"
            )
        if three_phase and pct_start > 0.5:
            raise ValueError(f"Invalid pct_start: {pct_start} (with three_phase=True, "
                             "pct_start must be in [0, 0.5])")  # fmt: skip
        _check_choice("anneal_strategy", anneal_strategy, ("cos", "linear"),
                      "anneal_strategy must be one of 'cos' or 'linear', instead got "
                      f"{anneal_strategy}")  # fmt: skip
        max_lrs = _format_param("max_lr", optimizer, max_lr)
        _check_real("div_factor", div_factor, low=0, low_open=True)
        _check_real("final_div_factor", final_div_factor, low=0, low_open=True)
        for name, flag in (("cycle_momentum", cycle_momentum), ("three_phase", three_phase)):
            if not isinstance(flag, bool):
                raise TypeError(f"Invalid {name}: {flag!r} ({name} must be True or False)")
        if cycle_momentum:
            use_beta1 = _check_momentum_support(optimizer)
            high = 1 if use_beta1 else None
            max_momentums = _format_param("max_momentum", optimizer, max_momentum,
                                          high=high, high_open=True)  # fmt: skip
            base_momentums = _format_param("base_momentum", optimizer, base_momentum,
                                           high=high, high_open=True)  # fmt: skip

        # Every argument is valid: now change the optimizer.
        self.optimizer = optimizer
        self.total_steps = total_steps
        first = {"end_step": float(pct_start * total_steps) - 1, "start_lr": "initial_lr",
                 "end_lr": "max_lr", "start_momentum": "max_momentum",
                 "end_momentum": "base_momentum"}  # fmt: skip
        if three_phase:
            self._schedule_phases = [
                first,
                {"end_step": float(2 * pct_start * total_steps) - 2, "start_lr": "max_lr",
                 "end_lr": "initial_lr", "start_momentum": "base_momentum",
                 "end_momentum": "max_momentum"},
                {"end_step": total_steps - 1, "start_lr": "initial_lr", "end_lr": "min_lr",
                 "start_momentum": "max_momentum", "end_momentum": "max_momentum"},
            ]  # fmt: skip
        else:
            self._schedule_phases = [
                first,
                {"end_step": total_steps - 1, "start_lr": "max_lr", "end_lr": "min_lr",
                 "start_momentum": "base_momentum", "end_momentum": "max_momentum"},
            ]  # fmt: skip
        self._anneal_func_type = anneal_strategy
        if last_epoch == -1:
            for max_lr_i, group in zip(max_lrs, optimizer.param_groups, strict=True):
                group["initial_lr"] = max_lr_i / div_factor
                group["max_lr"] = max_lr_i
                group["min_lr"] = group["initial_lr"] / final_div_factor
        self.cycle_momentum = cycle_momentum
        if cycle_momentum:
            self.use_beta1 = use_beta1
            if last_epoch == -1:
                for m_momentum, b_momentum, group in zip(
                    max_momentums, base_momentums, optimizer.param_groups, strict=True
                ):
                    _set_momentum(group, m_momentum, use_beta1)
                    group["max_momentum"] = m_momentum
                    group["base_momentum"] = b_momentum
        super().__init__(optimizer, last_epoch)

    def _anneal_func(self, start, end, pct):
        if self._anneal_func_type == "cos":
            return self._annealing_cos(start, end, pct)
        return self._annealing_linear(start, end, pct)

    @staticmethod
    def _annealing_cos(start, end, pct):
        """Cosine anneal from ``start`` to ``end`` as ``pct`` goes from 0 to 1."""
        cos_out = math.cos(math.pi * pct) + 1
        return end + (start - end) / 2.0 * cos_out

    @staticmethod
    def _annealing_linear(start, end, pct):
        """Linear anneal from ``start`` to ``end`` as ``pct`` goes from 0 to 1."""
        return (end - start) * pct + start

    def _overstep_error(self, step_num) -> ValueError:
        return ValueError(f"Tried to step {step_num} times. The specified number of total "
                          f"steps is {self.total_steps} (build the scheduler with a larger "
                          "total_steps, or stop stepping it)")  # fmt: skip

    def step(self, epoch=None) -> None:
        """Move to the next batch; past ``total_steps``, raise and change nothing."""
        if epoch is None and not self._is_initial and self.last_epoch + 1 > self.total_steps:
            raise self._overstep_error(self.last_epoch + 1)
        super().step(epoch)

    def get_lr(self) -> list[float]:
        """The rates of batch ``last_epoch``; sets the groups' momentum as a side effect."""
        self._warn_get_lr_outside_step()
        step_num = self.last_epoch
        if step_num > self.total_steps:
            raise self._overstep_error(step_num)
        lrs = []
        last = len(self._schedule_phases) - 1
        for group in self.optimizer.param_groups:
            start_step = 0.0
            for i, phase in enumerate(self._schedule_phases):
                end_step = phase["end_step"]
                if step_num <= end_step or i == last:
                    pct = (step_num - start_step) / (end_step - start_step)
                    lrs.append(self._anneal_func(group[phase["start_lr"]],
                                                 group[phase["end_lr"]], pct))  # fmt: skip
                    if self.cycle_momentum:
                        momentum = self._anneal_func(
                            group[phase["start_momentum"]], group[phase["end_momentum"]], pct
                        )
                        _set_momentum(group, momentum, self.use_beta1)
                    break
                start_step = phase["end_step"]
        return lrs


# --- schedules of schedules --------------------------------------------------------------------
def _check_schedulers(cls_name, schedulers, optimizer) -> list:
    """Torch's checks of the schedulers given to SequentialLR and ChainedScheduler."""
    schedulers = list(schedulers)
    for i, scheduler in enumerate(schedulers):
        if not hasattr(scheduler, "optimizer"):
            raise TypeError(f"{cls_name} at index {i} should have `optimizer` as its attribute.")
        if isinstance(scheduler, ReduceLROnPlateau):
            raise ValueError(
                f"{cls_name} does not support `ReduceLROnPlateau` scheduler as it requires "
                "additional kwargs to be specified when calling `step`, but got one at index "
                f"{i} in the given schedulers sequence."
            )
        if scheduler.optimizer is not optimizer:
            raise ValueError(
                f"{cls_name} expects all schedulers to belong to the same optimizer, but got "
                f"scheduler {type(scheduler).__name__} at index {i} has "
                f"{scheduler.optimizer}, which is different from {type(optimizer).__name__}."
            )
    return schedulers


class SequentialLR(LRScheduler):
    r"""Run schedulers one after the other, switching at the milestones.

    .. math::

        \eta_t = S_k(t - m_k) \quad \text{for } m_k \le t < m_{k+1}, \qquad m_0 = 0

    where :math:`S_k(u)` is the rate of scheduler :math:`k` after :math:`u` steps; each
    scheduler restarts from step 0 (its closed form at 0) when its milestone is reached.

    Parameters
    ----------
    optimizer : Optimizer
        Wrapped optimizer, the one every scheduler schedules.
    schedulers : list of LRScheduler
        The schedulers, in order (at least one; no :class:`ReduceLROnPlateau`).
    milestones : list of int
        The epochs :math:`m_1 < m_2 < \dots` (>= 1) at which the next scheduler takes
        over: one fewer than ``schedulers``.
    last_epoch : int, default=-1
        The index of the last epoch (-1 to start).

    Notes
    -----
    Building it resets the groups' rates to ``"initial_lr"`` and undoes the initial step of
    every scheduler, then sets the first one's. Differences from torch: ``optimizer`` must be
    an :class:`~optlearn.optim.Optimizer`, and milestones must be strictly increasing
    integers >= 1 (torch's ``bisect`` would silently misbehave on an unsorted list).

    Examples
    --------
    >>> import numpy as np
    >>> from optlearn.optim import SGD
    >>> from optlearn.optim.lr_scheduler import ExponentialLR, LinearLR, SequentialLR
    >>> opt = SGD([np.zeros(2)], lr=1.0)
    >>> warmup = LinearLR(opt, start_factor=0.25, total_iters=3)
    >>> decay = ExponentialLR(opt, gamma=0.5)
    >>> sched = SequentialLR(opt, schedulers=[warmup, decay], milestones=[3])
    >>> lrs = []
    >>> for epoch in range(6):
    ...     opt.step([np.zeros(2)])
    ...     lrs.append(sched.get_last_lr()[0])
    ...     sched.step()
    >>> lrs
    [0.25, 0.5, 0.75, 1.0, 0.5, 0.25]
    """

    def __init__(self, optimizer: Optimizer, schedulers, milestones,
                 last_epoch: int = -1) -> None:  # fmt: skip
        name = type(self).__name__
        _check_optimizer(optimizer)
        _check_last_epoch(last_epoch)
        if len(schedulers) < 1:
            raise ValueError(f"{name} expects at least one scheduler, but got no scheduler.")
        schedulers = _check_schedulers(name, schedulers, optimizer)
        milestones = list(milestones)
        if len(milestones) != len(schedulers) - 1:
            raise ValueError(
                "Sequential Schedulers expects number of schedulers provided to be one more "
                f"than the number of milestone points, but got number of schedulers "
                f"{len(schedulers)} and the number of milestones to be equal to "
                f"{len(milestones)}"
            )
        if not _increasing_ints(milestones, 1):
            raise _refuse("milestones", milestones,
                          "a strictly increasing list of integers >= 1")  # fmt: skip
        _check_initial_lr(optimizer, 0)  # the schedulers have set it; make sure

        self._schedulers = schedulers
        self._milestones = milestones
        self.last_epoch = last_epoch + 1
        self.optimizer = optimizer
        for group in optimizer.param_groups:
            group["lr"] = float(group["initial_lr"])
        self.recursive_undo()
        idx = bisect_right(self._milestones, 0)
        self._schedulers[idx]._initial_step()
        self._last_lr = self._schedulers[idx].get_last_lr()

    def recursive_undo(self, sched=None) -> None:
        """Undo the initial step of every (nested) scheduler: ``last_epoch -= 1``."""
        scheds = self if sched is None else sched
        if hasattr(scheds, "_schedulers"):
            for s in scheds._schedulers:
                self.recursive_undo(s)
        elif hasattr(scheds, "last_epoch"):
            scheds.last_epoch -= 1

    def step(self) -> None:
        """Step the scheduler of the current epoch (restarting it at its milestone)."""
        self.last_epoch += 1
        idx = bisect_right(self._milestones, self.last_epoch)
        scheduler = self._schedulers[idx]
        if idx > 0 and self._milestones[idx - 1] == self.last_epoch:
            scheduler._update_lr(0)
        else:
            scheduler.step()
        self._last_lr = scheduler.get_last_lr()

    def state_dict(self) -> dict:
        """The state, with the state of every scheduler in ``_schedulers``."""
        state = {k: copy.deepcopy(v) for k, v in self.__dict__.items()
                 if k not in ("optimizer", "_schedulers")}  # fmt: skip
        state["_schedulers"] = [s.state_dict() for s in self._schedulers]
        return state

    def load_state_dict(self, state_dict: dict) -> None:
        """Load a ``state_dict()``, and the schedulers' states into them."""
        state = dict(state_dict)
        saved = state.pop("_schedulers")
        if len(saved) != len(self._schedulers):
            raise ValueError(f"loaded state dict has {len(saved)} schedulers, this "
                             f"{type(self).__name__} has {len(self._schedulers)}")  # fmt: skip
        LRScheduler.load_state_dict(self, state)  # shared with ChainedScheduler: no super()
        for scheduler, s in zip(self._schedulers, saved, strict=True):
            scheduler.load_state_dict(s)


class ChainedScheduler(LRScheduler):
    r"""Step several chainable schedulers together: their factors multiply.

    .. math::

        \eta_t = \eta_{t-1} \prod_k r^{(k)}_t

    where :math:`r^{(k)}_t` is the factor by which scheduler :math:`k`'s chainable form
    changes the rate at step :math:`t`.

    Parameters
    ----------
    schedulers : sequence of LRScheduler
        The schedulers (at least one; no :class:`ReduceLROnPlateau`), all of one optimizer.
    optimizer : Optimizer, optional
        The optimizer; the first scheduler's if None.

    Notes
    -----
    Same behaviour as torch, except that a given ``optimizer`` must be an
    :class:`~optlearn.optim.Optimizer`.

    Examples
    --------
    >>> import numpy as np
    >>> from optlearn.optim import SGD
    >>> from optlearn.optim.lr_scheduler import ChainedScheduler, ConstantLR, ExponentialLR
    >>> opt = SGD([np.zeros(2)], lr=1.0)
    >>> sched = ChainedScheduler([ConstantLR(opt, factor=0.5, total_iters=2),
    ...                           ExponentialLR(opt, gamma=0.5)])
    >>> lrs = []
    >>> for epoch in range(4):
    ...     opt.step([np.zeros(2)])
    ...     lrs.append(sched.get_last_lr()[0])
    ...     sched.step()
    >>> lrs
    [0.5, 0.25, 0.25, 0.125]
    """

    def __init__(self, schedulers, optimizer: Optimizer | None = None) -> None:
        name = type(self).__name__
        if len(schedulers) < 1:
            raise ValueError(f"{name} expects at least one scheduler to be chained, but got no "
                             "scheduler.")  # fmt: skip
        if optimizer is None:
            if not hasattr(schedulers[0], "optimizer"):
                raise TypeError(f"{name} at index 0 should have `optimizer` as its attribute.")
            optimizer = schedulers[0].optimizer
        _check_optimizer(optimizer)
        self._schedulers = _check_schedulers(name, schedulers, optimizer)
        self.optimizer = optimizer
        self._last_lr = [group["lr"] for group in self._schedulers[-1].optimizer.param_groups]

    def step(self) -> None:
        """Step every scheduler, in order."""
        for scheduler in self._schedulers:
            scheduler.step()
        self._last_lr = [group["lr"] for group in self._schedulers[-1].optimizer.param_groups]

    state_dict = SequentialLR.state_dict
    load_state_dict = SequentialLR.load_state_dict


# --- on a metric -------------------------------------------------------------------------------
class ReduceLROnPlateau(LRScheduler):
    r"""Reduce the learning rate when a metric has stopped improving.

    After each ``step(metric)``: a metric better than the best so far by more than the
    threshold resets the count of bad epochs; otherwise the count grows, and when it exceeds
    ``patience``, every group's rate is reduced (then ``cooldown`` epochs are not counted):

    .. math::

        \eta \leftarrow \max(f\,\eta,\ \eta_{\min}) \quad
        \text{(kept unchanged if that lowers it by no more than } \epsilon),

    where, in ``"min"`` mode, "better" means :math:`a < b\,(1 - \theta)` (``"rel"``) or
    :math:`a < b - \theta` (``"abs"``), and in ``"max"`` mode :math:`a > b\,(1 + \theta)` or
    :math:`a > b + \theta`.

    Parameters
    ----------
    optimizer : Optimizer
        Wrapped optimizer.
    mode : {"min", "max"}, default="min"
        Whether the metric should decrease (a loss) or increase (an accuracy).
    factor : float, default=0.1
        Factor :math:`f` of the reduction, in (0, 1).
    patience : int, default=10
        Number of bad epochs tolerated before reducing (>= 0).
    threshold : float, default=1e-4
        The threshold :math:`\theta` of a significant improvement (>= 0).
    threshold_mode : {"rel", "abs"}, default="rel"
        Relative or absolute threshold.
    cooldown : int, default=0
        Epochs after a reduction during which bad epochs are not counted (>= 0).
    min_lr : float or list of float, default=0
        Lower bound :math:`\eta_{\min}` of the rate, for all groups or per group (>= 0).
    eps : float, default=1e-8
        A reduction smaller than :math:`\epsilon` is skipped (>= 0).

    Notes
    -----
    ``step(metrics)`` takes anything ``float()`` accepts. It does not check the order of
    the calls (as in torch: the reduction waits ``patience`` epochs anyway). Differences from
    torch: ``factor <= 0`` and negative ``patience``, ``cooldown``, ``threshold``, ``min_lr``
    or ``eps`` are refused (torch checks only ``factor >= 1``).

    Examples
    --------
    >>> import numpy as np
    >>> from optlearn.optim import SGD
    >>> from optlearn.optim.lr_scheduler import ReduceLROnPlateau
    >>> opt = SGD([np.zeros(2)], lr=1.0)
    >>> sched = ReduceLROnPlateau(opt, factor=0.5, patience=1)
    >>> lrs = []
    >>> for val_loss in [3.0, 2.0, 2.0, 2.0, 1.0, 1.0, 1.0]:
    ...     opt.step([np.zeros(2)])
    ...     sched.step(val_loss)
    ...     lrs.append(sched.get_last_lr()[0])
    >>> lrs
    [1.0, 1.0, 1.0, 0.5, 0.5, 0.5, 0.25]
    """

    def __init__(self, optimizer: Optimizer, mode: str = "min", factor: float = 0.1,
                 patience: int = 10, threshold: float = 1e-4, threshold_mode: str = "rel",
                 cooldown: int = 0, min_lr=0, eps: float = 1e-8) -> None:  # fmt: skip
        if _is_real(factor) and factor >= 1.0:
            raise ValueError(f"Factor should be < 1.0. (got {factor}; factor must be in (0, 1))")
        _check_real("factor", factor, low=0, high=1, low_open=True, high_open=True)
        _check_optimizer(optimizer)
        n = len(optimizer.param_groups)
        if isinstance(min_lr, list | tuple):
            if len(min_lr) != n:
                raise ValueError(f"expected {n} min_lrs, got {len(min_lr)} (pass one number "
                                 f"for every group, or a list of {n})")  # fmt: skip
            for i, value in enumerate(min_lr):
                _check_real(f"min_lr[{i}]", value, low=0)
        else:
            _check_real("min_lr", min_lr, low=0)
        _check_int("patience", patience, low=0)
        _check_int("cooldown", cooldown, low=0)
        _check_real("threshold", threshold, low=0)
        _check_real("eps", eps, low=0)
        _check_choice("mode", mode, ("min", "max"), f"mode {mode} is unknown!")
        _check_choice("threshold_mode", threshold_mode, ("rel", "abs"),
                      f"threshold mode {threshold_mode} is unknown!")  # fmt: skip

        self.factor = factor
        self.optimizer = optimizer
        if isinstance(min_lr, list | tuple):
            self.default_min_lr = None
            self.min_lrs = list(min_lr)
        else:
            self.default_min_lr = min_lr
            self.min_lrs = [min_lr] * n
        self.patience = patience
        self.cooldown = cooldown
        self.eps = eps
        self.last_epoch = 0
        self._last_lr = [group["lr"] for group in optimizer.param_groups]
        self._init_is_better(mode=mode, threshold=threshold, threshold_mode=threshold_mode)
        self._reset()

    def _reset(self) -> None:
        """Reset the best metric, the bad-epoch count and the cooldown."""
        self.best = self.mode_worse
        self.cooldown_counter = 0
        self.num_bad_epochs = 0

    def step(self, metrics, epoch=None) -> None:
        """Record the epoch's metric, and reduce the rates if it has stopped improving.

        Parameters
        ----------
        metrics : float
            The epoch's metric (e.g. the validation loss).
        epoch : int, optional
            Deprecated, as in torch (it warns): the epoch's index.
        """
        current = float(metrics)
        if epoch is None:
            epoch = self.last_epoch + 1
        else:
            warnings.warn(EPOCH_DEPRECATION_WARNING, UserWarning, stacklevel=2)
        self.last_epoch = epoch
        if self._is_better(current, self.best):
            self.best = current
            self.num_bad_epochs = 0
        else:
            self.num_bad_epochs += 1
        if self.in_cooldown:
            self.cooldown_counter -= 1
            self.num_bad_epochs = 0  # bad epochs in cooldown are not counted
        if self.num_bad_epochs > self.patience:
            self._reduce_lr(epoch)
            self.cooldown_counter = self.cooldown
            self.num_bad_epochs = 0
        self._last_lr = [group["lr"] for group in self.optimizer.param_groups]

    def _reduce_lr(self, epoch) -> None:
        groups = self.optimizer.param_groups
        if len(groups) != len(self.min_lrs):
            if self.default_min_lr is None:
                raise RuntimeError(
                    f"The number of param groups in the `optimizer` ({len(groups)}) differs "
                    f"from when `ReduceLROnPlateau` was initialized ({len(self.min_lrs)}), "
                    "usually due to a new param group being added to the optimizer. Please "
                    "modify the `min_lrs` field to match the length of the `optimizer` param "
                    "groups."
                )
            self.min_lrs = [self.default_min_lr] * len(groups)
        for i, group in enumerate(groups):
            old_lr = float(group["lr"])
            new_lr = max(old_lr * self.factor, self.min_lrs[i])
            if old_lr - new_lr > self.eps:
                group["lr"] = float(new_lr)

    @property
    def in_cooldown(self) -> bool:
        """Whether bad epochs are currently not counted, after a reduction."""
        return self.cooldown_counter > 0

    def _is_better(self, a, best) -> bool:
        if self.mode == "min" and self.threshold_mode == "rel":
            return a < best * (1.0 - self.threshold)
        if self.mode == "min" and self.threshold_mode == "abs":
            return a < best - self.threshold
        if self.mode == "max" and self.threshold_mode == "rel":
            return a > best * (self.threshold + 1.0)
        return a > best + self.threshold

    def _init_is_better(self, mode, threshold, threshold_mode) -> None:
        _check_choice("mode", mode, ("min", "max"), f"mode {mode} is unknown!")
        _check_choice("threshold_mode", threshold_mode, ("rel", "abs"),
                      f"threshold mode {threshold_mode} is unknown!")  # fmt: skip
        self.mode_worse = math.inf if mode == "min" else -math.inf
        self.mode = mode
        self.threshold = threshold
        self.threshold_mode = threshold_mode

    def load_state_dict(self, state_dict: dict) -> None:
        """Load a ``state_dict()``."""
        super().load_state_dict(state_dict)
        self._init_is_better(mode=self.mode, threshold=self.threshold,
                             threshold_mode=self.threshold_mode)  # fmt: skip
