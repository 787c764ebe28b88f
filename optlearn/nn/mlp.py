"""A multi-layer perceptron with hand-written backpropagation on fused Numba kernels.

Each hidden layer is ``Linear -> [BatchNorm | LayerNorm] -> activation -> Dropout`` (torch's
usual order); the last layer is linear and produces logits (or regression outputs). Matrix
products go to BLAS through ``np.dot``; everything element-wise between them is one fused
kernel per layer and direction (``optlearn.nn._kernels``). ``optlearn.nn.reference.
mlp_loss_and_grads`` is the same network written as equations, and the tests compare the two.
"""

from __future__ import annotations

import math

import numpy as np

from .._blas import single_threaded_blas
from .._validation import invalid
from . import _kernels, init
from .losses import LOSSES

__all__ = ["MLP"]

INITS = ("kaiming", "kaiming_uniform", "xavier", "xavier_uniform", "orthogonal", "normal",
         "zeros", "torch")  # fmt: skip
NORMS = (None, "batch", "layer", "weight")
_GAIN_NAME = {"relu": "relu", "gelu": "relu", "leaky_relu": "leaky_relu", "tanh": "tanh",
              "sigmoid": "sigmoid", "identity": "linear"}  # fmt: skip


def _quiet():
    """Overflow and NaN become inf/NaN silently, as in torch: a diverging run (the book shows
    many) must reach the loss, where ``TerminateOnNaN`` or the History sees it, rather than
    stop at a RuntimeWarning from ``np.dot`` (an error under pytest's warning filters)."""
    return np.errstate(over="ignore", invalid="ignore", divide="ignore")


def _choice(func, name, value, options):
    if value not in options:
        valid = ", ".join(repr(o) for o in options)
        raise invalid(func, name, f"one of {valid}", value)
    return value


class MLP:
    """A fully connected network for classification or regression, with readable backprop.

    Parameters
    ----------
    sizes : sequence of int, at least two
        Layer widths ``[n_inputs, hidden..., n_outputs]``; ``[64, 64, 10]`` is one hidden layer
        of 64 units for the 10 digit classes.
    activation : {'relu', 'leaky_relu', 'tanh', 'sigmoid', 'gelu', 'identity'}, default='relu'
        Used by every hidden layer (leaky_relu with negative slope ``negative_slope``).
    init : {'kaiming', 'kaiming_uniform', 'xavier', 'xavier_uniform', 'orthogonal', 'normal', \
'zeros', 'torch'}, default='kaiming'
        How weights start (biases start at 0): Kaiming (He) or Xavier (Glorot) normal or
        uniform with the activation's gain, orthogonal with that gain, ``'normal'`` = N(0,
        0.01^2) (the "small random numbers" that make deep nets' signals vanish), ``'zeros'``
        (every unit stays identical: the symmetry problem), ``'torch'`` = torch.nn.Linear's
        default (Kaiming uniform with a = sqrt(5), i.e. U(+-1/sqrt(fan_in)) for weights and biases).
    dropout : float in [0, 1), default=0.0
        Inverted dropout after each hidden activation during training (kept units are scaled
        by 1 / (1 - p), so evaluation needs no rescaling).
    norm : {None, 'batch', 'layer', 'weight'}, default=None
        Batch normalisation (Ioffe & Szegedy 2015; running statistics with momentum 0.1 for
        evaluation, as torch) or layer normalisation (Ba et al. 2016) before each hidden
        activation, or weight normalisation (Salimans & Kingma 2016) of every layer,
        ``W = g v / ||v||`` with one g per output unit.
    dtype : {np.float32, np.float64}, default=np.float32
    seed : int, default=0
        Seeds the weights and the dropout masks (``self.rng``, which ``optlearn.train.fit``
        re-seeds from its own seed).
    negative_slope : float, default=0.01

    Attributes
    ----------
    rng : numpy.random.Generator
        Draws the dropout masks.
    records : list of dict
        After ``loss_and_grads(..., record=True)``: per hidden layer, statistics of the
        pre-activations, activations and gradients (for the vanishing/exploding chapter).

    Examples
    --------
    >>> import numpy as np
    >>> net = MLP([4, 8, 3], seed=0)
    >>> [p.shape for p in net.parameters()]
    [(4, 8), (8,), (8, 3), (3,)]
    >>> net.parameter_names()
    ['layers.0.weight', 'layers.0.bias', 'layers.1.weight', 'layers.1.bias']
    >>> X, y = np.ones((5, 4), np.float32), np.array([0, 1, 2, 0, 1])
    >>> loss, grads = net.loss_and_grads(X, y)
    >>> [g.shape for g in grads] == [p.shape for p in net.parameters()]
    True
    """

    eps = 1e-5  # normalisation epsilon (torch's default)
    momentum = 0.1  # batch-norm running-statistics momentum (torch's default)

    def __init__(self, sizes, activation="relu", init="kaiming", dropout=0.0, norm=None,
                 dtype=np.float32, seed=0, *, negative_slope=0.01):  # fmt: skip
        func = "MLP"
        if isinstance(sizes, str | bytes) or not hasattr(sizes, "__len__") or len(sizes) < 2:
            raise invalid(func, "sizes", "a list of at least two layer widths, [n_inputs, ..., "
                          "n_outputs]", sizes)  # fmt: skip
        for s in sizes:
            if isinstance(s, bool) or not isinstance(s, int | np.integer) or s < 1:
                raise invalid(func, "sizes", "a list of ints >= 1", list(sizes))
        self.sizes = [int(s) for s in sizes]
        self.activation = _choice(func, "activation", activation, tuple(_kernels.ACTIVATIONS))
        self.init = _choice(func, "init", init, INITS)
        self.norm = _choice(func, "norm", norm, NORMS)
        if isinstance(dropout, bool) or not isinstance(dropout, int | float) or not (
            0 <= dropout < 1
        ):
            raise invalid(func, "dropout", "a float in the range [0, 1)", dropout)
        self.dropout = float(dropout)
        if np.dtype(dtype) not in (np.dtype(np.float32), np.dtype(np.float64)):
            raise invalid(func, "dtype", "np.float32 or np.float64", dtype, exc=TypeError)
        self.dtype = np.dtype(dtype)
        self.negative_slope = float(negative_slope)
        self._kind = _kernels.ACTIVATIONS[self.activation]
        init_seq, drop_seq = np.random.SeedSequence(seed).spawn(2)
        self.rng = np.random.default_rng(drop_seq)
        self.records: list[dict] = []
        self._build(np.random.default_rng(init_seq))
        self._nomask = np.zeros((1, 1), self.dtype)

    # -- parameters ---------------------------------------------------------------------------
    def _build(self, gen):
        self._layers, self._params, self._names, self._buffers = [], [], [], {}
        n_layers = len(self.sizes) - 1
        gain_name = _GAIN_NAME[self.activation]
        param = self.negative_slope if gain_name == "leaky_relu" else None
        gain = init.calculate_gain(gain_name, param)
        for i in range(n_layers):
            fan_in, fan_out = self.sizes[i], self.sizes[i + 1]
            W = np.zeros((fan_in, fan_out), self.dtype)
            b = np.zeros(fan_out, self.dtype)
            Wt = W.T  # torch's (out, in) layout, a view: init fills W
            kind = self.init
            if kind == "kaiming":
                init.kaiming_normal_(Wt, a=param or 0, nonlinearity=gain_name, generator=gen)
            elif kind == "kaiming_uniform":
                init.kaiming_uniform_(Wt, a=param or 0, nonlinearity=gain_name, generator=gen)
            elif kind == "xavier":
                init.xavier_normal_(Wt, gain=gain, generator=gen)
            elif kind == "xavier_uniform":
                init.xavier_uniform_(Wt, gain=gain, generator=gen)
            elif kind == "orthogonal":
                init.orthogonal_(Wt, gain=gain, generator=gen)
            elif kind == "normal":
                init.normal_(W, 0.0, 0.01, generator=gen)
            elif kind == "torch":
                init.kaiming_uniform_(Wt, a=math.sqrt(5), generator=gen)
                bound = 1 / math.sqrt(fan_in)
                init.uniform_(b, -bound, bound, generator=gen)
            layer = {"b": b}
            prefix = f"layers.{i}"
            if self.norm == "weight":
                v = W
                g = np.sqrt((v.astype(np.float64) ** 2).sum(axis=0)).astype(self.dtype)
                layer["g"], layer["v"] = g, v
                self._add(f"{prefix}.weight_g", g)
                self._add(f"{prefix}.weight_v", v)
            else:
                layer["W"] = W
                self._add(f"{prefix}.weight", W)
            self._add(f"{prefix}.bias", b)
            if i < n_layers - 1 and self.norm in ("batch", "layer"):
                layer["gamma"] = np.ones(fan_out, self.dtype)
                layer["beta"] = np.zeros(fan_out, self.dtype)
                self._add(f"{prefix}.norm.weight", layer["gamma"])
                self._add(f"{prefix}.norm.bias", layer["beta"])
                if self.norm == "batch":
                    layer["running_mean"] = np.zeros(fan_out, self.dtype)
                    layer["running_var"] = np.ones(fan_out, self.dtype)
                    self._buffers[f"{prefix}.norm.running_mean"] = layer["running_mean"]
                    self._buffers[f"{prefix}.norm.running_var"] = layer["running_var"]
            self._layers.append(layer)

    def _add(self, name, array):
        self._names.append(name)
        self._params.append(array)

    def parameters(self) -> list[np.ndarray]:
        """The parameter arrays, updated in place by an optimizer.

        Order, per layer i: ``weight`` (shape (in, out): the layer computes ``X @ W + b``;
        torch stores the transpose) or, with ``norm='weight'``, ``weight_g`` (out,) then
        ``weight_v`` (in, out); ``bias``; then, for hidden layers with batch or layer
        normalisation, ``norm.weight`` (gamma) and ``norm.bias`` (beta). Names in
        ``parameter_names()``.
        """
        return list(self._params)

    def parameter_names(self) -> list[str]:
        """torch-style names of ``parameters()``, in the same order (``layers.0.weight`` ...)."""
        return list(self._names)

    def param_groups(self, weight_decay: float = 0.0) -> list[dict]:
        """Two optimizer param groups: weights with ``weight_decay``, the rest without.

        Biases, normalisation gains/shifts and weight-norm magnitudes ``g`` are not decayed
        (decaying them pulls the network toward zero offsets and unit scales for no benefit),
        the usual practice. Pass the result to any optimizer: ``AdamW(net.param_groups(1e-2),
        lr=1e-3)``.
        """
        decay = [p for n, p in zip(self._names, self._params, strict=True)
                 if (n.endswith(".weight") and ".norm." not in n) or n.endswith(".weight_v")]
        rest = [p for p in self._params if not any(p is d for d in decay)]
        groups = [{"params": decay, "weight_decay": weight_decay}]
        if rest:
            groups.append({"params": rest, "weight_decay": 0.0})
        return groups

    def state_dict(self) -> dict[str, np.ndarray]:
        """Copies of every parameter and buffer (batch-norm running statistics), by name."""
        state = {n: p.copy() for n, p in zip(self._names, self._params, strict=True)}
        state.update({n: b.copy() for n, b in self._buffers.items()})
        return state

    def load_state_dict(self, state: dict) -> None:
        """Copy ``state``'s arrays into the parameters and buffers, in place (optimizers that
        hold the arrays keep working). Keys and shapes must match exactly."""
        own = dict(zip(self._names, self._params, strict=True)) | self._buffers
        missing, unexpected = sorted(set(own) - set(state)), sorted(set(state) - set(own))
        if missing or unexpected:
            raise invalid("MLP.load_state_dict", "state", "the keys of this model's state_dict()",
                          f"missing {missing}, unexpected {unexpected}", exc=KeyError)  # fmt: skip
        for name, target in own.items():
            value = np.asarray(state[name])
            if value.shape != target.shape:
                raise invalid("MLP.load_state_dict", f"state[{name!r}]", f"shape {target.shape}",
                              f"shape {value.shape}")  # fmt: skip
        for name, target in own.items():
            np.copyto(target, state[name], casting="same_kind")

    def __repr__(self):
        extra = "".join(f", {k}={v!r}" for k, v in (("dropout", self.dropout),
                        ("norm", self.norm)) if v)  # fmt: skip
        return (f"MLP({self.sizes}, activation={self.activation!r}, init={self.init!r}{extra}, "
                f"dtype={self.dtype.name})")  # fmt: skip

    # -- input checking -------------------------------------------------------------------------
    def _inputs(self, func, X) -> np.ndarray:
        X = np.asarray(X)
        if X.dtype.kind not in "fiub":
            raise invalid(func, "X", "a numeric array", f"dtype {X.dtype}", exc=TypeError)
        if X.ndim != 2 or X.shape[1] != self.sizes[0]:
            raise invalid(func, "X", f"a 2-D array of shape (n_samples, {self.sizes[0]})",
                          f"shape {X.shape}", "Reshape your data with X.reshape(len(X), -1)."
                          if X.ndim != 2 else "")  # fmt: skip
        X = np.ascontiguousarray(X, dtype=self.dtype)
        if not np.isfinite(X.sum()):
            rows = np.flatnonzero(~np.isfinite(X).all(axis=1))
            raise invalid(func, "X", "finite", f"NaN or infinite values in {len(rows)} rows "
                          f"(first: row {rows[0]})")  # fmt: skip
        return X

    def _targets(self, func, y, n, loss):
        y = np.asarray(y)
        if len(y) != n:
            raise invalid(func, "y", f"{n} targets, one per row of X", f"{len(y)} targets")
        k = self.sizes[-1]
        if loss == "cross_entropy":
            if y.dtype.kind not in "iu":
                raise invalid(func, "y", "integer class labels for loss='cross_entropy'",
                              f"dtype {y.dtype}", "Use loss='mse' for regression targets.",
                              exc=TypeError)  # fmt: skip
            y = y.reshape(-1)
            if n and (y.min() < 0 or y.max() >= k):
                bad = y[(y < 0) | (y >= k)][0]
                raise invalid(func, "y", f"labels in [0, {k}) for {k} outputs", f"label {bad}",
                              "Make the last layer as wide as the number of classes.")  # fmt: skip
            return np.ascontiguousarray(y, dtype=np.int64)
        if y.size != n * k:
            raise invalid(func, "y", f"{n * k} values (shape ({n}, {k})) for loss={loss!r}",
                          f"shape {y.shape}")  # fmt: skip
        y = np.ascontiguousarray(y, dtype=self.dtype).reshape(n, k)
        if not np.isfinite(y.sum()):
            raise invalid(func, "y", "finite", "NaN or infinite values")
        if loss == "binary_cross_entropy_with_logits" and n and (y.min() < 0 or y.max() > 1):
            raise invalid(func, "y", "targets in [0, 1]", f"values in [{y.min()}, {y.max()}]")
        return y

    # -- forward and backward ---------------------------------------------------------------------
    def _weight(self, layer):
        if "W" in layer:
            return layer["W"]
        v = layer["v"]
        norm = np.sqrt((v * v).sum(axis=0))
        layer["_vnorm"] = norm
        return (v * (layer["g"] / norm)).astype(self.dtype, copy=False)

    def _forward(self, X, train: bool, cache: list | None):
        A = X
        last = len(self._layers) - 1
        slope, p = self.negative_slope, self.dropout
        for i, layer in enumerate(self._layers):
            W = self._weight(layer)
            Z = np.dot(A, W)
            if i == last:
                _kernels.add_bias(Z, layer["b"])
                if cache is not None:
                    cache.append({"A_in": A, "W": W})
                return Z
            c = {"A_in": A, "W": W}
            b = layer["b"]
            if self.norm in ("batch", "layer"):
                _kernels.add_bias(Z, b)
                b = np.zeros_like(b)
                if self.norm == "layer" or train:
                    xhat = np.empty_like(Z)
                    stat_n = Z.shape[1] if self.norm == "batch" else Z.shape[0]
                    mean, inv_std = np.empty(stat_n), np.empty(stat_n)
                    forward = (_kernels.batch_norm_forward if self.norm == "batch"
                               else _kernels.layer_norm_forward)  # fmt: skip
                    forward(Z, layer["gamma"], layer["beta"], xhat, mean, inv_std, self.eps)
                    c["xhat"], c["inv_std"] = xhat, inv_std
                    if self.norm == "batch":
                        self._update_running(layer, mean, inv_std, Z.shape[0])
                else:  # batch norm, evaluation: the running statistics
                    scale = layer["gamma"] / np.sqrt(layer["running_var"] + self.eps)
                    Z = ((Z - layer["running_mean"]) * scale + layer["beta"]).astype(self.dtype)
            mask, use_mask = self._nomask, False
            if train and p > 0:
                keep = self.rng.random(Z.shape) >= p
                mask, use_mask = (keep * (1 / (1 - p))).astype(self.dtype), True
            A = np.empty_like(Z)
            _kernels.bias_act_forward(Z, b, A, mask, self._kind, slope, use_mask)
            if cache is not None:
                c.update(Z=Z, A=A, mask=mask, use_mask=use_mask)
                cache.append(c)
        raise AssertionError("unreachable")

    def _update_running(self, layer, mean, inv_std, n):
        var = 1 / inv_std**2 - self.eps  # the biased batch variance
        m = self.momentum
        unbiased = var * n / (n - 1) if n > 1 else var
        layer["running_mean"][...] = (1 - m) * layer["running_mean"] + m * mean
        layer["running_var"][...] = (1 - m) * layer["running_var"] + m * unbiased

    def forward(self, X, train: bool = True) -> np.ndarray:
        """The network's outputs (logits) for ``X`` of shape (n, sizes[0]).

        ``train=True`` applies dropout and batch statistics (and updates batch norm's
        running statistics), as torch's ``model.train()``; ``train=False`` is ``model.eval()``.
        """
        X = self._inputs("MLP.forward", X)
        with single_threaded_blas(), _quiet():
            return self._forward(X, train, None)

    def loss_and_grads(self, X, y, loss: str = "cross_entropy", *, record: bool = False):
        """Forward in training mode, the loss, and backpropagation: ``(loss, grads)``.

        ``grads`` is a list of new arrays in the order of ``parameters()``, ready for
        ``optimizer.step(grads)``. ``loss`` is one of 'cross_entropy' (integer labels),
        'mse' (regression targets, shape (n, n_outputs) or (n,) for one output) or
        'binary_cross_entropy_with_logits' (targets in [0, 1], one output). With
        ``record=True``, ``self.records`` gets per-hidden-layer statistics.
        """
        func = "MLP.loss_and_grads"
        _choice(func, "loss", loss, LOSSES)
        X = self._inputs(func, X)
        y = self._targets(func, y, X.shape[0], loss)
        cache: list = []
        with single_threaded_blas(), _quiet():  # see optlearn/_blas.py and _quiet
            out = self._forward(X, True, cache)
            dZ = np.empty_like(out)
            if loss == "cross_entropy":
                value = _kernels.cross_entropy(out, y, dZ)
            elif loss == "mse":
                value = _kernels.mse(out, y, dZ)
            else:
                value = _kernels.bce_with_logits(out, y, dZ)
            grads = self._backward(cache, dZ, record)
        return float(value), grads

    def _backward(self, cache, dZ, record):
        grads: list = [None] * len(self._params)
        index = 0
        slots = []  # where each layer's gradients go in the parameter order
        for layer in self._layers:
            n_own = 3 if "g" in layer else 2 + 2 * ("gamma" in layer)
            slots.append(index)
            index += n_own
        records = []
        last = len(self._layers) - 1
        dA = None
        for i in range(last, -1, -1):
            layer, c, at = self._layers[i], cache[i], slots[i]
            db = np.empty_like(layer["b"])
            if i == last:
                _kernels.column_sums(dZ, db)
            else:
                dZ = dA
                _kernels.act_backward(dZ, c["Z"], c["A"], c["mask"], db, self._kind,
                                      self.negative_slope, c["use_mask"])  # fmt: skip
                if "gamma" in layer:
                    dgamma, dbeta = np.empty_like(db), np.empty_like(db)
                    backward = (_kernels.batch_norm_backward if self.norm == "batch"
                                else _kernels.layer_norm_backward)  # fmt: skip
                    backward(dZ, c["xhat"], layer["gamma"], c["inv_std"], dgamma, dbeta)
                    _kernels.column_sums(dZ, db)
                    grads[at + 2], grads[at + 3] = dgamma, dbeta
            dW = np.dot(c["A_in"].T, dZ)
            if "W" in layer:
                grads[at], grads[at + 1] = dW, db
            else:  # W = g v / ||v||, per column
                v, g, norm = layer["v"], layer["g"], layer["_vnorm"]
                dg = (dW * v).sum(axis=0) / norm
                dv = dW * (g / norm) - v * (g * dg / norm**2)
                grads[at], grads[at + 1] = dg.astype(self.dtype), dv.astype(self.dtype)
                grads[at + 2] = db
            if record and i < last:
                records.append(self._record(i, c, dZ, dW))
            if i > 0:
                dA = np.dot(dZ, c["W"].T)
        if record:
            self.records = records[::-1]
        return grads

    def _record(self, i, c, dZ, dW) -> dict:
        Z, A = c["Z"], c["A"]
        return {
            "layer": i,
            "pre_activation_mean": float(Z.mean()), "pre_activation_std": float(Z.std()),
            "activation_mean": float(A.mean()), "activation_std": float(A.std()),
            "zero_fraction": float(np.mean(A == 0)),
            "backprop_norm": float(np.linalg.norm(dZ)),  # ||dL/dZ||: the signal reaching layer i
            "weight_grad_norm": float(np.linalg.norm(dW)),
        }  # fmt: skip

    # -- evaluation -----------------------------------------------------------------------------
    def loss(self, X, y, loss: str = "cross_entropy") -> float:
        """The loss in evaluation mode (no dropout, batch norm's running statistics)."""
        func = "MLP.loss"
        _choice(func, "loss", loss, LOSSES)
        X = self._inputs(func, X)
        y = self._targets(func, y, X.shape[0], loss)
        with single_threaded_blas(), _quiet():
            out = self._forward(X, False, None)
        grad = np.empty_like(out)
        kernel = {"cross_entropy": _kernels.cross_entropy, "mse": _kernels.mse,
                  "binary_cross_entropy_with_logits": _kernels.bce_with_logits}[loss]  # fmt: skip
        return float(kernel(out, y, grad))

    def predict(self, X) -> np.ndarray:
        """Class labels (argmax of the logits) when there are several outputs; the outputs
        themselves (shape (n,)) for a single-output network (regression, or logits for a
        binary classifier: threshold them at 0)."""
        X = self._inputs("MLP.predict", X)
        with single_threaded_blas(), _quiet():
            out = self._forward(X, False, None)
        return out.argmax(axis=1) if out.shape[1] > 1 else out[:, 0]

    def accuracy(self, X, y) -> float:
        """Fraction of correct labels: argmax for several outputs, logit > 0 for one."""
        X = self._inputs("MLP.accuracy", X)
        y = np.asarray(y).reshape(-1)
        if len(y) != len(X):
            raise invalid("MLP.accuracy", "y", f"{len(X)} labels", f"{len(y)} labels")
        with single_threaded_blas(), _quiet():
            out = self._forward(X, False, None)
        pred = out.argmax(axis=1) if out.shape[1] > 1 else (out[:, 0] > 0).astype(np.int64)
        return float(np.mean(pred == y)) if len(y) else float("nan")
