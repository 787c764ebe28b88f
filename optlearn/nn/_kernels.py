"""Fused Numba kernels for the element-wise parts of an MLP's forward and backward passes.

Matrix products stay with BLAS (``np.dot`` in the wrappers); everything between two products
(bias, normalisation, activation, dropout; their backward passes; the loss and its gradient)
is one pass over a (batch, features) array here, instead of the five to ten temporaries
NumPy would allocate. Arrays are C-contiguous and 2-D unless said otherwise, and share one
dtype. No input checking: ``optlearn.nn`` validates first. Each kernel must equal its NumPy
reference in ``optlearn.nn.reference`` (rtol 1e-12 in float64).

Activations are chosen by an integer ``kind`` (the ``ACTIVATIONS`` table). Each kernel branches
on it once, outside the loops, and calls the element function with the kind as a constant, so
every loop body is branch-free and vectorises (the same trick as ``optim._kernels``).
"""

import math

import numpy as np

from .._jit import jit

IDENTITY, RELU, LEAKY_RELU, TANH, SIGMOID, GELU = range(6)
ACTIVATIONS = {"identity": IDENTITY, "relu": RELU, "leaky_relu": LEAKY_RELU, "tanh": TANH,
               "sigmoid": SIGMOID, "gelu": GELU}  # fmt: skip


# --- activations ---------------------------------------------------------------------------------
@jit
def _act(z, kind, slope):
    """f(z) for activation ``kind``."""
    # "not z <= 0" rather than "z > 0": a NaN passes through, as in torch.
    if kind == RELU:
        return z if not z <= 0 else 0.0
    if kind == LEAKY_RELU:
        return z if not z <= 0 else z * slope
    if kind == TANH:
        return np.tanh(z)
    if kind == SIGMOID:
        # 1 / (1 + exp(-z)) overflows for z << 0 (exp(-z) = inf gives 0, which is right, but
        # warns); the two-sided form is exact on both sides.
        if z >= 0:
            return 1 / (1 + np.exp(-z))
        e = np.exp(z)
        return e / (1 + e)
    if kind == GELU:  # the exact form, torch's default: z * Phi(z)
        return z * (1 + math.erf(z * 0.7071067811865476)) * 0.5
    return z


@jit
def _act_grad(z, a, kind, slope):
    """f'(z), given z and a = f(z) (tanh and sigmoid use a: 1 - a^2, a (1 - a))."""
    if kind == RELU:  # 0 at z = 0, as torch
        return 1.0 if z > 0 else 0.0
    if kind == LEAKY_RELU:
        return 1.0 if z > 0 else slope
    if kind == TANH:
        return 1 - a * a
    if kind == SIGMOID:
        return a * (1 - a)
    if kind == GELU:  # Phi(z) + z phi(z)
        cdf = (1 + math.erf(z * 0.7071067811865476)) * 0.5
        pdf = np.exp(-0.5 * z * z) * 0.3989422804014327
        return cdf + z * pdf
    return 1.0


@jit
def _forward_rows(Z, b, A, mask, kind, slope, use_mask):
    n, m = Z.shape
    for i in range(n):
        for j in range(m):
            z = Z[i, j] + b[j]
            Z[i, j] = z
            a = _act(z, kind, slope)
            A[i, j] = a * mask[i, j] if use_mask else a


@jit
def bias_act_forward(Z, b, A, mask, kind, slope, use_mask):
    """Z <- Z + b (in place: kept for the backward pass); A <- f(Z), times ``mask`` if asked.

    ``mask`` holds the inverted-dropout factors (0 or 1 / (1 - p)), drawn by the caller;
    ignored unless ``use_mask``. ``b`` may be all zeros (a normalised layer adds its shift
    in ``norm_forward``). Equals reference.bias_act_forward.
    """
    # One call per kind with the kind and use_mask as constants: branch-free loops.
    if use_mask:
        if kind == RELU:
            _forward_rows(Z, b, A, mask, RELU, slope, True)
        elif kind == LEAKY_RELU:
            _forward_rows(Z, b, A, mask, LEAKY_RELU, slope, True)
        elif kind == TANH:
            _forward_rows(Z, b, A, mask, TANH, slope, True)
        elif kind == SIGMOID:
            _forward_rows(Z, b, A, mask, SIGMOID, slope, True)
        elif kind == GELU:
            _forward_rows(Z, b, A, mask, GELU, slope, True)
        else:
            _forward_rows(Z, b, A, mask, IDENTITY, slope, True)
    elif kind == RELU:
        _forward_rows(Z, b, A, mask, RELU, slope, False)
    elif kind == LEAKY_RELU:
        _forward_rows(Z, b, A, mask, LEAKY_RELU, slope, False)
    elif kind == TANH:
        _forward_rows(Z, b, A, mask, TANH, slope, False)
    elif kind == SIGMOID:
        _forward_rows(Z, b, A, mask, SIGMOID, slope, False)
    elif kind == GELU:
        _forward_rows(Z, b, A, mask, GELU, slope, False)
    else:
        _forward_rows(Z, b, A, mask, IDENTITY, slope, False)


@jit
def _backward_rows(dA, Z, A, mask, db, kind, slope, use_mask):
    n, m = Z.shape
    for j in range(m):
        db[j] = 0
    for i in range(n):
        for j in range(m):
            z = Z[i, j]
            d = dA[i, j]
            if use_mask:
                # A holds f(z) times the mask; tanh and sigmoid need f(z) itself: recompute.
                d = d * mask[i, j]
                a = _act(z, kind, slope)
            else:
                a = A[i, j]
            d = d * _act_grad(z, a, kind, slope)
            dA[i, j] = d
            db[j] += d


@jit
def act_backward(dA, Z, A, mask, db, kind, slope, use_mask):
    """dA <- dL/dZ = dA * mask * f'(Z) in place; db <- column sums of it (the bias gradient).

    ``A`` is what ``bias_act_forward`` wrote (f(Z) times the mask). Equals
    reference.act_backward.
    """
    if use_mask:
        if kind == RELU:
            _backward_rows(dA, Z, A, mask, db, RELU, slope, True)
        elif kind == LEAKY_RELU:
            _backward_rows(dA, Z, A, mask, db, LEAKY_RELU, slope, True)
        elif kind == TANH:
            _backward_rows(dA, Z, A, mask, db, TANH, slope, True)
        elif kind == SIGMOID:
            _backward_rows(dA, Z, A, mask, db, SIGMOID, slope, True)
        elif kind == GELU:
            _backward_rows(dA, Z, A, mask, db, GELU, slope, True)
        else:
            _backward_rows(dA, Z, A, mask, db, IDENTITY, slope, True)
    elif kind == RELU:
        _backward_rows(dA, Z, A, mask, db, RELU, slope, False)
    elif kind == LEAKY_RELU:
        _backward_rows(dA, Z, A, mask, db, LEAKY_RELU, slope, False)
    elif kind == TANH:
        _backward_rows(dA, Z, A, mask, db, TANH, slope, False)
    elif kind == SIGMOID:
        _backward_rows(dA, Z, A, mask, db, SIGMOID, slope, False)
    elif kind == GELU:
        _backward_rows(dA, Z, A, mask, db, GELU, slope, False)
    else:
        _backward_rows(dA, Z, A, mask, db, IDENTITY, slope, False)


@jit
def column_sums(dZ, db):
    """db <- dZ.sum(axis=0) (the output layer's bias gradient)."""
    n, m = dZ.shape
    for j in range(m):
        db[j] = 0
    for i in range(n):
        for j in range(m):
            db[j] += dZ[i, j]


@jit
def add_bias(Z, b):
    """Z <- Z + b in place (the output layer: no activation)."""
    n, m = Z.shape
    for i in range(n):
        for j in range(m):
            Z[i, j] += b[j]


# --- batch and layer normalisation ---------------------------------------------------------------
@jit
def batch_norm_forward(Z, gamma, beta, xhat, mean, inv_std, eps):
    """Normalise each column of Z over the batch: Z <- gamma (Z - mean) / sqrt(var + eps) + beta.

    In place on Z; writes xhat (normalised, before gamma/beta), the batch ``mean`` and
    ``inv_std`` = 1 / sqrt(var + eps), var the biased batch variance (as torch's training
    mode). Statistics accumulate in float64. Equals reference.batch_norm_forward.
    """
    n, m = Z.shape
    s = np.zeros(m)
    for i in range(n):
        for j in range(m):
            s[j] += Z[i, j]
    for j in range(m):
        mean[j] = s[j] / n
        s[j] = 0.0
    for i in range(n):
        for j in range(m):
            d = Z[i, j] - mean[j]
            s[j] += d * d
    for j in range(m):
        inv_std[j] = 1.0 / np.sqrt(s[j] / n + eps)
    for i in range(n):
        for j in range(m):
            x = (Z[i, j] - mean[j]) * inv_std[j]
            xhat[i, j] = x
            Z[i, j] = gamma[j] * x + beta[j]


@jit
def batch_norm_backward(dY, xhat, gamma, inv_std, dgamma, dbeta):
    """dY <- dL/dZ in place, from dL/dY of Y = gamma xhat + beta (batch statistics).

    dxhat = dY gamma;  dZ = inv_std / n (n dxhat - sum(dxhat) - xhat sum(dxhat xhat)), sums
    over the batch. Writes dgamma = sum(dY xhat), dbeta = sum(dY). Equals
    reference.batch_norm_backward.
    """
    n, m = dY.shape
    s1 = np.zeros(m)
    s2 = np.zeros(m)
    for i in range(n):
        for j in range(m):
            d = dY[i, j]
            s1[j] += d
            s2[j] += d * xhat[i, j]
    for j in range(m):
        dbeta[j] = s1[j]
        dgamma[j] = s2[j]
    for i in range(n):
        for j in range(m):
            # sum(dxhat) = gamma s1 and sum(dxhat xhat) = gamma s2.
            dY[i, j] = (gamma[j] * inv_std[j] / n) * (n * dY[i, j] - s1[j] - xhat[i, j] * s2[j])


@jit
def layer_norm_forward(Z, gamma, beta, xhat, mean, inv_std, eps):
    """Normalise each row of Z over its features: Z <- gamma (Z - mean) / sqrt(var + eps) + beta.

    As batch_norm_forward with the roles of rows and columns swapped (``mean`` and
    ``inv_std`` have one entry per row); gamma and beta are per feature, as torch's LayerNorm.
    Equals reference.layer_norm_forward.
    """
    n, m = Z.shape
    for i in range(n):
        s = 0.0
        for j in range(m):
            s += Z[i, j]
        mu = s / m
        s = 0.0
        for j in range(m):
            d = Z[i, j] - mu
            s += d * d
        r = 1.0 / np.sqrt(s / m + eps)
        mean[i] = mu
        inv_std[i] = r
        for j in range(m):
            x = (Z[i, j] - mu) * r
            xhat[i, j] = x
            Z[i, j] = gamma[j] * x + beta[j]


@jit
def layer_norm_backward(dY, xhat, gamma, inv_std, dgamma, dbeta):
    """dY <- dL/dZ in place for layer normalisation (sums over each row's features).

    dxhat = dY gamma;  dZ = inv_std / m (m dxhat - sum(dxhat) - xhat sum(dxhat xhat)).
    Writes dgamma = sum over rows of dY xhat, dbeta = sum over rows of dY. Equals
    reference.layer_norm_backward.
    """
    n, m = dY.shape
    for j in range(m):
        dgamma[j] = 0
        dbeta[j] = 0
    for i in range(n):
        s1 = 0.0
        s2 = 0.0
        for j in range(m):
            d = dY[i, j]
            dgamma[j] += d * xhat[i, j]
            dbeta[j] += d
            dx = d * gamma[j]
            s1 += dx
            s2 += dx * xhat[i, j]
        r = inv_std[i] / m
        for j in range(m):
            dY[i, j] = r * (m * dY[i, j] * gamma[j] - s1 - xhat[i, j] * s2)


# --- losses ------------------------------------------------------------------------------------
@jit
def cross_entropy(logits, y, grad):
    """Mean softmax cross-entropy of integer labels ``y``; grad <- dL/dlogits.

    Per row: loss = logsumexp(z) - z_y, with the max subtracted first (stable); the gradient
    is (softmax(z) - onehot(y)) / n. The loss accumulates in float64 and is returned as a
    float. Equals reference.cross_entropy.
    """
    n, k = logits.shape
    total = 0.0
    for i in range(n):
        zmax = logits[i, 0]
        for j in range(1, k):
            if logits[i, j] > zmax:
                zmax = logits[i, j]
        s = 0.0
        for j in range(k):
            e = np.exp(logits[i, j] - zmax)
            grad[i, j] = e
            s += e
        total += np.log(s) + zmax - logits[i, y[i]]
        r = 1.0 / (s * n)
        for j in range(k):
            grad[i, j] = grad[i, j] * r
        grad[i, y[i]] -= 1.0 / n
    return total / n


@jit
def mse(pred, target, grad):
    """Mean squared error over every entry; grad <- 2 (pred - target) / size.

    Equals reference.mse (torch's MSELoss with reduction='mean').
    """
    n, k = pred.shape
    total = 0.0
    c = 2.0 / (n * k)
    for i in range(n):
        for j in range(k):
            d = pred[i, j] - target[i, j]
            total += d * d
            grad[i, j] = c * d
    return total / (n * k)


@jit
def bce_with_logits(logits, target, grad):
    """Mean binary cross-entropy on logits; grad <- (sigmoid(z) - y) / size.

    Per entry: max(z, 0) - z y + log1p(exp(-|z|)), the form that never overflows (torch's
    BCEWithLogitsLoss). Equals reference.binary_cross_entropy_with_logits.
    """
    n, k = logits.shape
    total = 0.0
    c = 1.0 / (n * k)
    for i in range(n):
        for j in range(k):
            z = np.float64(logits[i, j])
            t = target[i, j]
            total += max(z, 0.0) - z * t + np.log1p(np.exp(-abs(z)))
            if z >= 0:
                sig = 1.0 / (1.0 + np.exp(-z))
            else:
                e = np.exp(z)
                sig = e / (1.0 + e)
            grad[i, j] = c * (sig - t)
    return total * c
