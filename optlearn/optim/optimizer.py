"""The ``Optimizer`` base class: parameter groups, per-parameter state and ``state_dict``.

It follows ``torch.optim.Optimizer`` (same attributes, same ``state_dict`` structure), with one
difference that NumPy forces: arrays have no ``.grad``, so ``step(grads)`` takes the gradients
explicitly, one per parameter, in the order of the parameters across the groups.
"""

from __future__ import annotations

import copy
import math

import numpy as np

from .._validation import FLOAT_DTYPES

__all__ = ["Optimizer", "required"]


class _Required:
    """Marks a hyper-parameter that has no default (torch's ``required``)."""

    def __repr__(self):
        return "<required parameter>"


required = _Required()

# Keys a parameter group may carry besides the optimizer's own options: schedulers add
# ``initial_lr`` (and torch users sometimes pass it), CyclicLR and OneCycleLR add their bounds
# (so a saved optimizer state with them loads back), and a group may be given a ``name``.
_EXTRA_GROUP_KEYS = {"params", "initial_lr", "max_lr", "min_lr", "max_momentum",
                     "base_momentum", "name"}  # fmt: skip


class _State(dict):
    """Per-parameter state, keyed by the parameter's index (as in ``state_dict``).

    ``opt.state[W]`` also works, finding the array ``W`` by identity, as ``opt.state[W]`` does
    for a tensor in torch.
    """

    def __init__(self, optimizer):
        super().__init__()
        self._optimizer = optimizer

    def _key(self, key):
        if isinstance(key, np.ndarray):
            return self._optimizer._index_of(key)
        return key

    def __getitem__(self, key):
        return super().__getitem__(self._key(key))

    def __contains__(self, key):
        return super().__contains__(self._key(key))

    def get(self, key, default=None):
        return super().get(self._key(key), default)

    def __deepcopy__(self, memo):
        return {k: copy.deepcopy(v, memo) for k, v in self.items()}


class Optimizer:
    """Base class of every optimizer (``torch.optim.Optimizer`` for NumPy arrays).

    Parameters
    ----------
    params : list of ndarray, or list of dict
        The arrays to optimise (float32 or float64, C-contiguous, writeable), or parameter
        groups: dicts with a ``"params"`` list and any options that override ``defaults``
        for that group, e.g. ``{"params": [b], "weight_decay": 0.0}``.
    defaults : dict
        Default options of every group.

    Attributes
    ----------
    param_groups : list of dict
        The groups, each with its ``"params"`` and every option.
    state : dict
        Per-parameter state (torch's key names), created on the first step, keyed by the
        parameter's index across the groups; ``state[array]`` also works.
    """

    def __init__(self, params, defaults):
        self.defaults = defaults
        self.state = _State(self)
        self.param_groups = []
        self._ids = {}  # id(array) -> index across groups
        self._flat = []  # parameters in index order
        self._views = {}  # index -> flat views of (param, *state arrays) for the kernels
        self._opt_called = False  # read by lr_scheduler to warn when it steps first
        self._step_count = 0
        if isinstance(params, np.ndarray):
            raise TypeError(
                "params argument given to the optimizer should be an iterable of arrays or "
                f"dicts, but got a single ndarray of shape {params.shape}; wrap it in a list: "
                "[array]"
            )
        if isinstance(params, dict):
            raise TypeError(
                "params argument given to the optimizer should be an iterable of arrays or "
                "dicts, but got a dict; pass a list of parameter groups: [group]"
            )
        groups = list(params)
        if len(groups) == 0:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(groups[0], dict):
            groups = [{"params": groups}]
        for group in groups:
            self.add_param_group(group)

    # -- construction ------------------------------------------------------------------------
    def _check_options(self, group: dict) -> None:
        """Validate one group's options (subclasses raise torch's messages)."""

    def add_param_group(self, param_group: dict) -> None:
        """Add a group of parameters, with options that override ``defaults``.

        Raises
        ------
        TypeError, ValueError
            If the group is not a dict, a parameter is not a float32/float64 C-contiguous
            writeable array, an option is unknown or out of range, or a parameter is already
            in a group.
        """
        name = type(self).__name__
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {type(param_group).__name__}")
        group = dict(param_group)
        params = group.get("params")
        if params is None:
            raise ValueError("param_group must have a 'params' entry (a list of arrays)")
        if isinstance(params, np.ndarray):
            params = [params]
        elif isinstance(params, set):
            raise TypeError(
                "optimizer parameters need to be organized in ordered collections, but the "
                "ordering in sets changes between runs; use a list instead"
            )
        params = list(params)
        if not params:
            raise ValueError("optimizer got an empty parameter list")
        for i, p in enumerate(params):
            _check_param(name, i, p)
        unknown = set(group) - set(self.defaults) - _EXTRA_GROUP_KEYS
        if unknown:
            raise TypeError(
                f"{name} got unknown option(s) {sorted(unknown)} in a parameter group; valid "
                f"options are {sorted(self.defaults)}"
            )
        for key, default in self.defaults.items():
            if default is required and key not in group:
                raise ValueError(
                    f"parameter group didn't specify a value of required optimization "
                    f"parameter {key}"
                )
            group.setdefault(key, default)
        self._check_options(group)
        ids = [id(p) for p in params]
        if len(set(ids)) != len(ids):
            raise ValueError("a parameter group contains the same array twice")
        if any(i in self._ids for i in ids):
            raise ValueError("some parameters appear in more than one parameter group")
        group["params"] = params
        for p in params:
            self._ids[id(p)] = len(self._flat)
            self._flat.append(p)
        self.param_groups.append(group)

    def _index_of(self, param: np.ndarray) -> int:
        try:
            return self._ids[id(param)]
        except KeyError:
            raise KeyError("this array is not one of the optimizer's parameters") from None

    # -- stepping ----------------------------------------------------------------------------
    def _check_grads(self, grads) -> list:
        """Check every gradient against its parameter before anything is modified."""
        name = type(self).__name__
        if isinstance(grads, np.ndarray):
            raise TypeError(
                f"{name}.step expects a list of gradients, one per parameter, but got a single "
                f"ndarray of shape {grads.shape}; wrap it in a list: [grad]"
            )
        if type(grads) is not list:
            grads = list(grads)
        params = self._flat
        if len(grads) != len(params):
            raise ValueError(
                f"{name}.step got {len(grads)} gradients for {len(params)} parameters; pass "
                "one gradient per parameter, in the order of the parameters across the groups "
                "(None for a parameter to leave unchanged)"
            )
        copied = False
        for i, p in enumerate(params):
            g = grads[i]
            if g is None:
                continue
            if not isinstance(g, np.ndarray):
                raise TypeError(f"{name}.step: grads[{i}] must be a NumPy array, got "
                                f"{type(g).__name__}")  # fmt: skip
            if g.shape != p.shape:
                raise ValueError(f"{name}.step: grads[{i}] has shape {g.shape} but its parameter "
                                 f"has shape {p.shape}")  # fmt: skip
            if g.dtype != p.dtype:
                raise TypeError(f"{name}.step: grads[{i}] has dtype {g.dtype} but its parameter "
                                f"has dtype {p.dtype}; convert it with "
                                "g.astype(p.dtype)")  # fmt: skip
            if not g.flags.c_contiguous:
                if not copied:  # never modify the caller's list
                    grads, copied = list(grads), True
                grads[i] = np.ascontiguousarray(g)
        for group in self.param_groups:
            lr = group["lr"]
            if not (lr >= 0 and lr < math.inf) or isinstance(lr, bool):
                raise ValueError(f"Invalid learning rate: {lr} (lr must be a finite float >= 0); "
                                 "it was changed after the optimizer was created")  # fmt: skip
        return grads

    def _check_finite(self, grads) -> None:
        index = 0
        for group in self.param_groups:
            n = len(group["params"])
            if group.get("check_finite"):
                for i in range(index, index + n):
                    g = grads[i]
                    # Cheap test first (a sum is NaN/Inf if any entry is); locate on failure.
                    if g is not None and not math.isfinite(float(g.sum(dtype=np.float64))):
                        bad = int(g.size - np.count_nonzero(np.isfinite(g)))
                        if bad:
                            raise FloatingPointError(
                                f"{type(self).__name__}.step: grads[{i}] has {bad} non-finite "
                                f"(NaN or Inf) entr{'y' if bad == 1 else 'ies'} out of {g.size}; "
                                "no parameter or state was changed. Lower the learning rate, "
                                "clip the gradients, or find where the NaN comes from."
                            )
            index += n

    def step(self, grads) -> None:
        """Update every parameter in place, given one gradient per parameter.

        Parameters
        ----------
        grads : list of (ndarray or None)
            Gradients in the order of the parameters across the groups, each with its
            parameter's shape and dtype; None leaves that parameter (and its state) unchanged.

        Raises
        ------
        TypeError, ValueError
            Wrong number, shape or dtype of gradients (nothing is changed).
        FloatingPointError
            With ``check_finite=True``, a gradient holds NaN or Inf (nothing is changed).
        """
        grads = self._check_grads(grads)
        self._check_finite(grads)
        index = 0
        for group in self.param_groups:
            n = len(group["params"])
            self._update_group(group, grads[index : index + n], index)
            index += n
        self._opt_called = True
        self._step_count += 1

    def _update_group(self, group: dict, grads: list, first_index: int) -> None:
        raise NotImplementedError

    def _state_for(self, index: int, param: np.ndarray, init) -> dict:
        """The state of parameter ``index``, created by ``init(param)`` on first use."""
        state = dict.get(self.state, index)
        if state is None:
            state = init(param)
            dict.__setitem__(self.state, index, state)
        return state

    def _kernel_views(self, index: int, state: dict, keys: tuple) -> tuple:
        """Flat views ``(param, *state[k] for k in keys)`` for the kernels, made once.

        Reshaping costs about 0.15 us per array per step, a large part of a step on a small
        array, so the views are cached; ``load_state_dict`` replaces the state arrays and
        clears the cache.
        """
        views = self._views.get(index)
        if views is None:
            views = (self._flat[index].reshape(-1),
                     *(state[k].reshape(-1) if state.get(k) is not None else None
                       for k in keys))  # fmt: skip
            self._views[index] = views
        return views

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Does nothing: gradients are passed to ``step`` and not stored (kept for torch code)."""

    # -- saving and loading ------------------------------------------------------------------
    def state_dict(self) -> dict:
        """The optimizer's state as ``{"state": {int: {...}}, "param_groups": [...]}``.

        As in torch: parameters are replaced by their integer index; the arrays in the state
        are copies, so the result does not change when the optimizer steps on.
        """
        groups, start = [], 0
        for group in self.param_groups:
            packed = {k: copy.deepcopy(v) for k, v in group.items() if k != "params"}
            packed["params"] = list(range(start, start + len(group["params"])))
            start += len(group["params"])
            groups.append(packed)
        return {"state": copy.deepcopy(dict(self.state)), "param_groups": groups}

    def load_state_dict(self, state_dict: dict) -> None:
        """Load a ``state_dict()`` of an optimizer of the same class and parameter shapes.

        Everything is checked before anything is changed.
        """
        name = type(self).__name__
        if not isinstance(state_dict, dict) or set(state_dict) != {"state", "param_groups"}:
            raise ValueError(
                f"{name}.load_state_dict expects a dict with keys 'state' and 'param_groups', "
                "as returned by state_dict()"
            )
        saved_groups = state_dict["param_groups"]
        if len(saved_groups) != len(self.param_groups):
            raise ValueError("loaded state dict has a different number of parameter groups")
        for g, s in zip(self.param_groups, saved_groups, strict=True):
            if len(g["params"]) != len(s["params"]):
                raise ValueError(
                    "loaded state dict contains a parameter group that doesn't match the size "
                    "of optimizer's group"
                )
            foreign = set(s) - set(self.defaults) - _EXTRA_GROUP_KEYS
            missing = set(self.defaults) - set(s)
            if foreign or missing:
                raise ValueError(
                    f"loaded state dict is not from a {name}: its parameter groups have "
                    f"options {sorted(set(s) - {'params'})}, a {name} has "
                    f"{sorted(self.defaults)}"
                )
        id_map = {}
        for g, s in zip(self.param_groups, saved_groups, strict=True):
            for saved_id, p in zip(s["params"], g["params"], strict=True):
                id_map[saved_id] = p
        new_state = {}
        for saved_id, entry in state_dict["state"].items():
            if saved_id not in id_map:
                raise ValueError(f"loaded state dict has state for parameter {saved_id}, "
                                 "which is in none of its parameter groups")  # fmt: skip
            p = id_map[saved_id]
            entry = copy.deepcopy(entry)
            for key, value in entry.items():
                if isinstance(value, np.ndarray) and value.ndim > 0:
                    if value.shape != p.shape:
                        raise ValueError(
                            f"loaded state dict has {key!r} of shape {value.shape} for "
                            f"parameter {saved_id}, whose shape is {p.shape}"
                        )
                    entry[key] = np.ascontiguousarray(value, dtype=p.dtype)
            new_state[self._index_of(p)] = entry
        for g, s in zip(self.param_groups, saved_groups, strict=True):
            options = {k: copy.deepcopy(v) for k, v in s.items() if k != "params"}
            self._check_options(dict(options, params=g["params"]))
            g.update(options)
        dict.clear(self.state)
        dict.update(self.state, new_state)
        self._views.clear()

    def __repr__(self) -> str:
        lines = [f"{type(self).__name__} ("]
        for i, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i}")
            for key in sorted(k for k in group if k != "params"):
                lines.append(f"    {key}: {group[key]}")
        lines.append(")")
        return "\n".join(lines)


def _check_param(name: str, i: int, p) -> None:
    if not isinstance(p, np.ndarray):
        raise TypeError(f"{name} can only optimize NumPy arrays, but params[{i}] is a "
                        f"{type(p).__name__}")  # fmt: skip
    if p.dtype not in FLOAT_DTYPES:
        raise TypeError(f"{name}: params[{i}] has dtype {p.dtype}; parameters must be float32 "
                        "or float64 (convert with p.astype(np.float32))")  # fmt: skip
    if not p.flags.c_contiguous:
        raise ValueError(f"{name}: params[{i}] is not C-contiguous, so it cannot be updated in "
                         "place; pass np.ascontiguousarray(p) and keep that array")  # fmt: skip
    if not p.flags.writeable:
        raise ValueError(f"{name}: params[{i}] is read-only; parameters are updated in place, "
                         "so pass a writeable copy (p.copy())")  # fmt: skip
