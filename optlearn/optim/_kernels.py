"""Fused Numba kernels for the update rules: one pass over memory per parameter.

Every kernel reads a parameter, its gradient and its state once, and writes the parameter and
the state once. Arrays are flat (the wrappers pass cached ``a.reshape(-1)`` views of C-contiguous
arrays) and share one dtype. Hyper-parameters arrive as Python floats; each kernel first
computes the step-dependent scalars (bias corrections, the step size) once, in float64 exactly
as torch computes them in Python, then rounds every scalar to the parameter's dtype through a
small scratch array, so float32 arithmetic stays float32, as in torch. (Building NumPy
float32 scalars in Python instead costs ~0.15 us each, over 1 us a step at N = 1e3.)

The element loops contain no numeric literals: Numba promotes ``int - float32`` to float64,
so ``1 - beta`` and the like are among the pre-computed scalars.

Each rule is written once, as an element function (``_<rule>_elem``), called by two loops:
``<rule>_serial`` and ``<rule>_parallel`` (the same loop with ``prange``). Threads only pay
off for large arrays (see ``PARALLEL_THRESHOLD``), so ``pick`` chooses per array.

No input checking here: the callers (``optlearn.optim``) validate everything first. Each
kernel must equal its NumPy reference in ``reference.py`` (rtol 1e-12 in float64).
"""

import numba
import numpy as np

from .._jit import jit

# Arrays with at least this many elements are updated by the prange loops. Measured with
# benchmarks/bench_optim.py on the 2-core machines: below ~1e5 elements thread start-up
# costs more than the second core gains; at 1e6 and above the parallel loop is ~1.7x faster.
PARALLEL_THRESHOLD = 1 << 17


def pick(serial, parallel, n: int):
    """The loop to run on an array of ``n`` elements."""
    return parallel if n >= PARALLEL_THRESHOLD else serial


# --- SGD (momentum, dampening, Nesterov) -------------------------------------------------------
@jit
def _sgd_elem(p, g, buf, lr, weight_decay, momentum, damp_w, nesterov, maximize, first):
    if maximize:
        g = -g
    if weight_decay != 0:
        g = g + weight_decay * p
    if momentum != 0:
        if first:
            buf = g
        else:
            buf = buf * momentum + damp_w * g
        if nesterov:
            g = g + momentum * buf
        else:
            g = buf
    return p - lr * g, buf


def _sgd_loop(prange):
    def loop(p, g, buf, lr, weight_decay, momentum, dampening, nesterov, maximize, first):
        """SGD step in place on ``p`` (and ``buf`` if momentum != 0); equals reference.sgd."""
        s = np.empty(4, p.dtype)  # the scalars, in the parameter's dtype
        s[0], s[1], s[2], s[3] = lr, weight_decay, momentum, 1 - dampening
        lr_, wd, mu, damp_w = s[0], s[1], s[2], s[3]
        if momentum != 0:
            for i in prange(p.size):
                p[i], buf[i] = _sgd_elem(p[i], g[i], buf[i], lr_, wd, mu, damp_w, nesterov,
                                         maximize, first)  # fmt: skip
        else:
            for i in prange(p.size):
                p[i], _ = _sgd_elem(p[i], g[i], p[i], lr_, wd, mu, damp_w, nesterov, maximize,
                                    first)  # fmt: skip

    return loop


# --- Adam / AdamW (decoupled weight decay, AMSGrad) -----------------------------------------------
@jit
def _adam_elem(p, g, m, v, vmax, w1, w1c, beta2, w2, eps, weight_decay, decay, step_size,
               bc2_sqrt, amsgrad, maximize):  # fmt: skip
    if maximize:
        g = -g
    if decay != 1:  # decoupled weight decay (AdamW): shrink p before the step
        p = p * decay
    elif weight_decay != 0:  # L2 penalty folded into the gradient (Adam)
        g = g + weight_decay * p
    # m <- lerp(m, g, 1 - beta1), written as torch's lerp computes it for weights < 0.5.
    if w1 < 0.5:
        m = m + w1 * (g - m)
    else:
        m = g - (g - m) * w1c
    v = v * beta2 + w2 * g * g
    if amsgrad:
        vmax = max(vmax, v)
        denom = np.sqrt(vmax) / bc2_sqrt + eps
    else:
        denom = np.sqrt(v) / bc2_sqrt + eps
    return p + (-step_size) * m / denom, m, v, vmax


def _adam_loop(prange):
    def loop(p, g, m, v, vmax, lr, beta1, beta2, eps, weight_decay, decoupled, t, amsgrad,
             maximize):  # fmt: skip
        """Adam/AdamW step ``t`` (a float, >= 1) in place on ``p, m, v`` (and ``vmax``).

        Equals reference.adam. The step-dependent scalars are computed here once, in float64
        exactly as torch computes them in Python, then rounded to the parameter's dtype.
        """
        bias_correction1 = 1 - beta1**t
        bias_correction2 = 1 - beta2**t
        s = np.empty(9, p.dtype)
        s[0], s[1], s[2], s[3], s[4] = 1 - beta1, beta1, beta2, 1 - beta2, eps
        s[5] = 0.0 if decoupled else weight_decay
        s[6] = 1 - lr * weight_decay if decoupled and weight_decay != 0 else 1.0
        s[7], s[8] = lr / bias_correction1, bias_correction2**0.5
        w1, w1c, b2, w2, e, wd, decay, step_size, bc2_sqrt = (
            s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7], s[8])  # fmt: skip
        if amsgrad:
            for i in prange(p.size):
                p[i], m[i], v[i], vmax[i] = _adam_elem(
                    p[i], g[i], m[i], v[i], vmax[i], w1, w1c, b2, w2, e, wd, decay, step_size,
                    bc2_sqrt, amsgrad, maximize)  # fmt: skip
        else:
            for i in prange(p.size):
                p[i], m[i], v[i], _ = _adam_elem(
                    p[i], g[i], m[i], v[i], v[i], w1, w1c, b2, w2, e, wd, decay, step_size,
                    bc2_sqrt, amsgrad, maximize)  # fmt: skip

    return loop


def _pair(make_loop, name):
    # Two compiled versions of one loop. They are distinct Python functions (each call of
    # make_loop creates one), so Numba's on-disk cache keeps their machine code apart.
    serial = make_loop(range)
    serial.__name__ = serial.__qualname__ = f"{name}_serial"
    parallel = make_loop(numba.prange)
    parallel.__name__ = parallel.__qualname__ = f"{name}_parallel"
    return jit(serial), jit(parallel=True)(parallel)


sgd_serial, sgd_parallel = _pair(_sgd_loop, "sgd")
adam_serial, adam_parallel = _pair(_adam_loop, "adam")
