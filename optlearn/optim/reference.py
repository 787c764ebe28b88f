"""Readable NumPy versions of every update rule: the specification the kernels must equal.

Each function performs one step for one parameter, in place, written as the equations are
written in the papers and in ``torch.optim``'s documentation (``<-`` is assignment). They
allocate temporaries freely; the fused kernels in ``_kernels.py`` compute the same thing in
one pass over memory. ``t`` is the step number, starting at 1.
"""

import numpy as np

__all__ = ["adam", "sgd"]


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
