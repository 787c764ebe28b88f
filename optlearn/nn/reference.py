"""Readable NumPy versions of every piece of the MLP: the specification the kernels must equal.

Written as the equations are written, allocating freely. ``Z`` is a layer's pre-activation
(batch, features), ``A = f(Z)`` its output, ``d<name>`` the gradient of the loss with respect
to ``<name>``. The fused kernels in ``_kernels.py`` compute the same in one pass each, and
``MLP`` chains them; ``mlp_loss_and_grads`` below is the whole network in one readable
function, which the tests compare ``MLP.loss_and_grads`` with.
"""

import math

import numpy as np
from scipy.special import erf

__all__ = [
    "act_backward", "activation", "activation_grad", "batch_norm_backward",
    "batch_norm_forward", "bias_act_forward", "binary_cross_entropy_with_logits",
    "cross_entropy", "l1", "l2", "layer_norm_backward", "layer_norm_forward", "mlp_loss_and_grads",
    "mse",
]  # fmt: skip


def activation(name, z, slope=0.01):
    """f(z) for relu, leaky_relu, tanh, sigmoid, gelu (exact: z Phi(z)) and identity."""
    return {
        "relu": lambda: np.maximum(z, 0),
        "leaky_relu": lambda: np.where(z > 0, z, slope * z),
        "tanh": lambda: np.tanh(z),
        "sigmoid": lambda: 1 / (1 + np.exp(-z)),
        "gelu": lambda: z * (1 + erf(z / math.sqrt(2))) / 2,
        "identity": lambda: z,
    }[name]()


def activation_grad(name, z, slope=0.01):
    """f'(z): relu 1[z > 0]; tanh 1 - tanh^2; sigmoid s (1 - s); gelu Phi(z) + z phi(z)."""
    if name == "relu":
        return (z > 0).astype(z.dtype)
    if name == "leaky_relu":
        return np.where(z > 0, 1.0, slope)
    if name == "tanh":
        return 1 - np.tanh(z) ** 2
    if name == "sigmoid":
        s = 1 / (1 + np.exp(-z))
        return s * (1 - s)
    if name == "gelu":
        return (1 + erf(z / math.sqrt(2))) / 2 + z * np.exp(-(z**2) / 2) / math.sqrt(2 * math.pi)
    return np.ones_like(z)


def bias_act_forward(Z, b, name, mask=None, slope=0.01):
    """Z <- Z + b;  A = f(Z), times the dropout mask (0 or 1 / (1 - p)) if there is one."""
    Z = Z + b
    A = activation(name, Z, slope)
    return Z, A if mask is None else A * mask


def act_backward(dA, Z, name, mask=None, slope=0.01):
    """dZ = dA * mask * f'(Z);  db = sum of dZ over the batch."""
    if mask is not None:
        dA = dA * mask
    dZ = dA * activation_grad(name, Z, slope)
    return dZ, dZ.sum(axis=0)


def batch_norm_forward(Z, gamma, beta, eps=1e-5):
    """Y = gamma (Z - mean) / sqrt(var + eps) + beta, statistics over the batch (axis 0).

    var is the biased variance (divide by n), as in torch's training mode.
    """
    mean = Z.mean(axis=0)
    inv_std = 1 / np.sqrt(Z.var(axis=0) + eps)
    xhat = (Z - mean) * inv_std
    return gamma * xhat + beta, xhat, mean, inv_std


def batch_norm_backward(dY, xhat, gamma, inv_std):
    """dZ = inv_std / n (n dxhat - sum(dxhat) - xhat sum(dxhat xhat)), with dxhat = dY gamma."""
    n = dY.shape[0]
    dxhat = dY * gamma
    dZ = inv_std / n * (n * dxhat - dxhat.sum(axis=0) - xhat * (dxhat * xhat).sum(axis=0))
    return dZ, (dY * xhat).sum(axis=0), dY.sum(axis=0)


def layer_norm_forward(Z, gamma, beta, eps=1e-5):
    """Y = gamma (Z - mean) / sqrt(var + eps) + beta, statistics over each row's features."""
    mean = Z.mean(axis=1, keepdims=True)
    inv_std = 1 / np.sqrt(Z.var(axis=1, keepdims=True) + eps)
    xhat = (Z - mean) * inv_std
    return gamma * xhat + beta, xhat, mean[:, 0], inv_std[:, 0]


def layer_norm_backward(dY, xhat, gamma, inv_std):
    """As batch_norm_backward, with the sums taken over each row's m features."""
    m = dY.shape[1]
    dxhat = dY * gamma
    s1 = dxhat.sum(axis=1, keepdims=True)
    s2 = (dxhat * xhat).sum(axis=1, keepdims=True)
    dZ = inv_std[:, None] / m * (m * dxhat - s1 - xhat * s2)
    return dZ, (dY * xhat).sum(axis=0), dY.sum(axis=0)


def cross_entropy(logits, y):
    """L = mean_i (logsumexp(z_i) - z_i,y_i);  dL/dz = (softmax(z) - onehot(y)) / n."""
    n = logits.shape[0]
    z = logits - logits.max(axis=1, keepdims=True)  # the same softmax, no overflow
    log_softmax = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
    loss = -log_softmax[np.arange(n), y].mean()
    grad = np.exp(log_softmax)
    grad[np.arange(n), y] -= 1
    return float(loss), grad / n


def mse(pred, target):
    """L = mean((pred - target)^2);  dL/dpred = 2 (pred - target) / size."""
    diff = pred - target
    return float(np.mean(diff**2)), 2 * diff / diff.size


def binary_cross_entropy_with_logits(logits, target):
    """L = mean(max(z, 0) - z y + log(1 + exp(-|z|)));  dL/dz = (sigmoid(z) - y) / size."""
    z = logits
    loss = np.mean(np.maximum(z, 0) - z * target + np.log1p(np.exp(-np.abs(z))))
    return float(loss), (1 / (1 + np.exp(-z)) - target) / z.size


def l1(params):
    """Penalty sum |w| over the arrays; gradient sign(w)."""
    return float(sum(np.abs(p).sum() for p in params)), [np.sign(p) for p in params]


def l2(params):
    """Penalty (1/2) sum w^2 over the arrays; gradient w.

    With the 1/2, adding lam * l2 to the loss is exactly SGD's weight_decay=lam.
    """
    return float(sum((p.astype(np.float64) ** 2).sum() for p in params) / 2), [p.copy()
                                                                              for p in params]


def _loss(name, out, y):
    if name == "cross_entropy":
        return cross_entropy(out, y)
    if name == "mse":
        return mse(out, y.reshape(out.shape))
    return binary_cross_entropy_with_logits(out, y.reshape(out.shape))


def mlp_loss_and_grads(layers, X, y, *, activation_name="relu", norm=None, loss="cross_entropy",
                       masks=None, eps=1e-5, slope=0.01):  # fmt: skip
    """The whole MLP in training mode: forward, loss, backward; gradients per layer.

    ``layers`` is a list of dicts, one per linear layer, with "W" (in, out) or "g", "v" (weight
    normalisation, W = g v / ||v||, norm of each column), "b", and for hidden layers with
    batch/layer normalisation "gamma", "beta". Hidden layer: Z = A W + b -> normalise ->
    activation -> dropout (``masks[i]``, or none); the last layer is linear. Returns the loss
    and, per layer, a dict of gradients with the same keys.
    """
    A, cache = X, []
    for i, layer in enumerate(layers):
        W = layer["W"] if "W" in layer else layer["g"] * layer["v"] / _col_norm(layer["v"])
        last = i == len(layers) - 1
        Z = A @ W + layer["b"]
        c = {"A_in": A, "W": W}
        if not last and norm in ("batch", "layer"):
            forward = batch_norm_forward if norm == "batch" else layer_norm_forward
            Z, c["xhat"], _, c["inv_std"] = forward(Z, layer["gamma"], layer["beta"], eps)
        c["Z"] = Z
        if not last:
            mask = None if masks is None else masks[i]
            _, A = bias_act_forward(Z, 0, activation_name, mask, slope)
            c["mask"] = mask
        else:
            A = Z
        cache.append(c)
    value, dA = _loss(loss, A, y)

    grads = [None] * len(layers)
    for i in reversed(range(len(layers))):
        c, layer, g = cache[i], layers[i], {}
        if i == len(layers) - 1:
            dZ = dA
        else:
            dZ, _ = act_backward(dA, c["Z"], activation_name, c["mask"], slope)
            if norm in ("batch", "layer"):
                backward = batch_norm_backward if norm == "batch" else layer_norm_backward
                dZ, g["gamma"], g["beta"] = backward(dZ, c["xhat"], layer["gamma"], c["inv_std"])
        g["b"] = dZ.sum(axis=0)
        dW = c["A_in"].T @ dZ
        if "W" in layer:
            g["W"] = dW
        else:  # W = g v / ||v||: the chain rule through the column norm
            n = _col_norm(layer["v"])
            g["g"] = (dW * layer["v"]).sum(axis=0) / n[0]
            g["v"] = layer["g"] / n * dW - layer["g"] * g["g"] / n**2 * layer["v"]
        dA = dZ @ c["W"].T
        grads[i] = g
    return value, grads


def _col_norm(v):
    return np.sqrt((v * v).sum(axis=0, keepdims=True))
