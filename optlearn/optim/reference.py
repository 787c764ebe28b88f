"""Readable NumPy versions of every update rule: the specification the kernels must equal.

Each function performs one step for one parameter, in place, written as the equations are
written in the papers and in ``torch.optim``'s documentation (``<-`` is assignment). They
allocate temporaries freely; the fused kernels in ``_kernels.py`` compute the same thing in
one pass over memory. ``t`` is the step number, starting at 1.
"""

import math

import numpy as np

__all__ = ["adadelta", "adagrad", "adam", "adamax", "clip_grad_norm_", "clip_grad_value_", "nadam",
           "radam", "rmsprop", "sgd", "total_norm"]


def sgd(p, g, buf, *, lr, weight_decay=0.0, momentum=0.0, dampening=0.0, nesterov=False,
        maximize=False, first=False):  # fmt: skip
    """SGD with momentum (Polyak 1964; Sutskever et al. 2013 for Nesterov), as torch.optim.SGD.

    g <- -g if maximize;  g <- g + weight_decay * p
    b <- g on the first step, else momentum * b + (1 - dampening) * g
    g <- g + momentum * b (Nesterov) or g <- b
    p <- p - lr * g
    """
    g = -g if maximize else g
    if weight_decay != 0:
        g = g + weight_decay * p
    if momentum != 0:
        buf[...] = g if first else momentum * buf + (1 - dampening) * g
        g = g + momentum * buf if nesterov else buf
    p -= lr * g


def adam(p, g, m, v, vmax, *, t, lr, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0,
         amsgrad=False, maximize=False, decoupled_weight_decay=False):  # fmt: skip
    """Adam (Kingma & Ba 2015), with AMSGrad (Reddi et al. 2018) and AdamW's decoupled decay.

    g <- -g if maximize
    p <- p (1 - lr weight_decay)             if decoupled (AdamW)
    g <- g + weight_decay p                  otherwise (L2 penalty, Adam)
    m <- beta1 m + (1 - beta1) g             (estimate the mean)
    v <- beta2 v + (1 - beta2) g^2           (estimate the uncentred variance)
    vmax <- max(vmax, v)                     (AMSGrad; then use vmax in place of v)
    p <- p - lr / (1 - beta1^t) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)
    """
    beta1, beta2 = betas
    g = -g if maximize else g
    if weight_decay != 0:
        if decoupled_weight_decay:
            p *= 1 - lr * weight_decay
        else:
            g = g + weight_decay * p
    m += (1 - beta1) * (g - m)
    v[...] = beta2 * v + (1 - beta2) * g * g
    if amsgrad:
        np.maximum(vmax, v, out=vmax)
    v_hat = vmax if amsgrad else v
    p -= lr / (1 - beta1**t) * m / (np.sqrt(v_hat) / np.sqrt(1 - beta2**t) + eps)


def rmsprop(p, g, v, g_avg, buf, *, lr, alpha=0.99, eps=1e-8, weight_decay=0.0, momentum=0.0,
            centered=False, maximize=False):  # fmt: skip
    """RMSprop (Hinton 2012; centred form: Graves 2013), as torch.optim.RMSprop.

    g <- -g if maximize;  g <- g + weight_decay p
    v <- alpha v + (1 - alpha) g^2                  (mean square of the gradient)
    g_avg <- alpha g_avg + (1 - alpha) g            (centred only: mean of the gradient)
    d <- sqrt(v - g_avg^2) + eps  if centred, else  sqrt(v) + eps   (eps outside the root)
    b <- momentum b + g / d;  p <- p - lr b         if momentum > 0 (b starts at 0)
    p <- p - lr g / d                               otherwise

    ``g_avg`` and ``buf`` are only used (and may be None otherwise) with ``centered=True``
    and ``momentum > 0`` respectively.
    """
    g = -g if maximize else g
    if weight_decay != 0:
        g = g + weight_decay * p
    v[...] = alpha * v + (1 - alpha) * g * g
    if centered:
        g_avg += (1 - alpha) * (g - g_avg)
        d = np.sqrt(v - g_avg * g_avg) + eps
    else:
        d = np.sqrt(v) + eps
    if momentum > 0:
        buf[...] = momentum * buf + g / d
        p -= lr * buf
    else:
        p -= lr * g / d


def adagrad(p, g, acc, *, t, lr, lr_decay=0.0, weight_decay=0.0, eps=1e-10, maximize=False):
    """Adagrad (Duchi, Hazan & Singer 2011), as torch.optim.Adagrad.

    g <- -g if maximize;  g <- g + weight_decay p
    acc <- acc + g^2                          (starts at initial_accumulator_value)
    p <- p - lr / (1 + (t - 1) lr_decay) * g / (sqrt(acc) + eps)
    """
    g = -g if maximize else g
    if weight_decay != 0:
        g = g + weight_decay * p
    acc += g * g
    clr = lr / (1 + (t - 1) * lr_decay)
    p -= clr * g / (np.sqrt(acc) + eps)


def adadelta(p, g, v, u, *, lr=1.0, rho=0.9, eps=1e-6, weight_decay=0.0, maximize=False):
    """Adadelta (Zeiler 2012), as torch.optim.Adadelta (``v``: square_avg, ``u``: acc_delta).

    g <- -g if maximize;  g <- g + weight_decay p
    v <- rho v + (1 - rho) g^2                      (mean square of the gradient)
    delta <- sqrt(u + eps) / sqrt(v + eps) * g      (units of p: RMS of past steps / RMS of g)
    u <- rho u + (1 - rho) delta^2                  (mean square of the steps)
    p <- p - lr delta
    """
    g = -g if maximize else g
    if weight_decay != 0:
        g = g + weight_decay * p
    v[...] = rho * v + (1 - rho) * g * g
    delta = np.sqrt(u + eps) / np.sqrt(v + eps) * g
    u[...] = rho * u + (1 - rho) * delta * delta
    p -= lr * delta


def adamax(p, g, m, u, *, t, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0,
           maximize=False):  # fmt: skip
    """Adamax (Kingma & Ba 2015, section 7.1), as torch.optim.Adamax (``u``: exp_inf).

    g <- -g if maximize;  g <- g + weight_decay p
    m <- beta1 m + (1 - beta1) g
    u <- max(beta2 u, |g| + eps)                    (infinity norm; eps inside the max)
    p <- p - lr / (1 - beta1^t) * m / u
    """
    beta1, beta2 = betas
    g = -g if maximize else g
    if weight_decay != 0:
        g = g + weight_decay * p
    m += (1 - beta1) * (g - m)
    np.maximum(beta2 * u, np.abs(g) + eps, out=u)
    p -= lr / (1 - beta1**t) * m / u


def nadam(p, g, m, v, *, t, mu_product, lr=2e-3, betas=(0.9, 0.999), eps=1e-8,
          weight_decay=0.0, momentum_decay=4e-3, decoupled_weight_decay=False,
          maximize=False):  # fmt: skip
    """NAdam (Dozat 2016), as torch.optim.NAdam; returns the new ``mu_product``.

    ``mu_product`` is the product mu_1 ... mu_{t-1} (1.0 before the first step).

    g <- -g if maximize
    p <- p (1 - lr weight_decay) if decoupled, else g <- g + weight_decay p
    mu_t <- beta1 (1 - 0.5 * 0.96^(t momentum_decay))       (momentum schedule)
    mu_{t+1} <- beta1 (1 - 0.5 * 0.96^((t + 1) momentum_decay))
    mu_product <- mu_product * mu_t                         (kept in float32, as torch does)
    m <- beta1 m + (1 - beta1) g;  v <- beta2 v + (1 - beta2) g^2
    d <- sqrt(v / (1 - beta2^t)) + eps
    p <- p - lr (1 - mu_t) / (1 - mu_product) * g / d
           - lr mu_{t+1} / (1 - mu_product mu_{t+1}) * m / d
    """
    beta1, beta2 = betas
    g = -g if maximize else g
    if weight_decay != 0:
        if decoupled_weight_decay:
            p *= 1 - lr * weight_decay
        else:
            g = g + weight_decay * p
    mu = beta1 * (1 - 0.5 * 0.96 ** (t * momentum_decay))
    mu_next = beta1 * (1 - 0.5 * 0.96 ** ((t + 1) * momentum_decay))
    # torch stores mu_product as a float32 scalar tensor: round as it does.
    mu_product = float(np.float32(mu_product) * np.float32(mu))
    m += (1 - beta1) * (g - m)
    v[...] = beta2 * v + (1 - beta2) * g * g
    d = np.sqrt(v / (1 - beta2**t)) + eps
    p -= lr * (1 - mu) / (1 - mu_product) * g / d
    p -= lr * mu_next / (1 - mu_product * mu_next) * m / d
    return mu_product


def radam(p, g, m, v, *, t, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0,
          decoupled_weight_decay=False, maximize=False):  # fmt: skip
    """RAdam (Liu et al. 2020), as torch.optim.RAdam.

    g <- -g if maximize
    p <- p (1 - lr weight_decay) if decoupled, else g <- g + weight_decay p
    m <- beta1 m + (1 - beta1) g;  v <- beta2 v + (1 - beta2) g^2
    m_hat <- m / (1 - beta1^t)
    rho_inf <- 2 / (1 - beta2) - 1;  rho_t <- rho_inf - 2 t beta2^t / (1 - beta2^t)
    if rho_t > 5 (the variance of the adaptive step is tractable):
        r <- sqrt((rho_t - 4)(rho_t - 2) rho_inf / ((rho_inf - 4)(rho_inf - 2) rho_t))
        p <- p - lr m_hat r sqrt(1 - beta2^t) / (sqrt(v) + eps)
    else (early steps: momentum SGD without adaptive scaling):
        p <- p - lr m_hat
    """
    beta1, beta2 = betas
    g = -g if maximize else g
    if weight_decay != 0:
        if decoupled_weight_decay:
            p *= 1 - lr * weight_decay
        else:
            g = g + weight_decay * p
    m += (1 - beta1) * (g - m)
    v[...] = beta2 * v + (1 - beta2) * g * g
    m_hat = m / (1 - beta1**t)
    rho_inf = 2 / (1 - beta2) - 1
    rho_t = rho_inf - 2 * t * beta2**t / (1 - beta2**t)
    if rho_t > 5:
        r = math.sqrt((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t))
        p -= lr * m_hat * r * math.sqrt(1 - beta2**t) / (np.sqrt(v) + eps)
    else:
        p -= lr * m_hat


# --- Gradient clipping (operate on the list of all gradients at once) ----------------------------
def total_norm(grads, norm_type=2.0):
    """The p-norm of all gradients as one long vector, as torch.nn.utils.get_total_norm.

    ||g||_p = (sum_i sum_j |g_ij|^p)^(1/p),      ||g||_inf = max_ij |g_ij|
    """
    if norm_type == math.inf:
        return float(np.max([np.max(np.abs(g), initial=0.0) for g in grads], initial=0.0))
    return sum(np.sum(np.abs(g.astype(np.float64)) ** norm_type) for g in grads) ** (1 / norm_type)


def clip_grad_norm_(grads, max_norm, norm_type=2.0):
    """Rescale all gradients together so that their total norm is at most max_norm.

    c <- min(max_norm / (||g||_p + 1e-6), 1);   g <- c g   (same direction, shorter)
    Returns ||g||_p before clipping.
    """
    norm = total_norm(grads, norm_type)
    coef = min(max_norm / (norm + 1e-6), 1.0)
    for g in grads:
        g *= coef
    return norm


def clip_grad_value_(grads, clip_value):
    """Clamp each entry: g <- min(max(g, -clip_value), clip_value) (the direction changes)."""
    for g in grads:
        np.clip(g, -clip_value, clip_value, out=g)
