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

# Arrays with at least this many elements (16384) are updated by the prange loops. Measured
# with benchmarks/bench_optim.py on the 2-core machines (float32 Adam step, serial against
# parallel, median of repeats): 1.0x at 2^12 and 0.7x at 2^13 (thread start-up costs as much
# as the second core gains), 1.4x at 2^14, about 2x from 2^16 on.
PARALLEL_THRESHOLD = 1 << 14


def pick(serial, parallel, n: int):
    """The loop to run on an array of ``n`` elements."""
    return parallel if n >= PARALLEL_THRESHOLD else serial


# --- SGD (momentum, dampening, Nesterov) -------------------------------------------------------
@jit
def _sgd_elem(p, g, buf, lr, weight_decay, momentum, damp_w, g_sign, use_momentum, nesterov,
              first):  # fmt: skip
    # use_momentum, nesterov and first arrive as constants (see _sgd_loop), so their branches
    # are removed at compile time; maximize is g_sign = -1, a multiply rather than a branch.
    g = g * g_sign
    if weight_decay != 0:  # the one run-time branch: LLVM unswitches it out of the loop
        g = g + weight_decay * p
    if use_momentum:
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
        """SGD step in place on ``p`` (and ``buf`` if momentum != 0); equals reference.sgd.

        One loop per combination of the flags, each calling the element function with them as
        constants: left as run-time values, LLVM keeps the branches inside the loop (too many
        to unswitch), measured 1.5x slower at 2^16 elements.
        """
        s = np.empty(5, p.dtype)  # the scalars, in the parameter's dtype
        s[0], s[1], s[2], s[3] = lr, weight_decay, momentum, 1 - dampening
        s[4] = -1.0 if maximize else 1.0
        lr_, wd, mu, damp_w, sign = s[0], s[1], s[2], s[3], s[4]
        n = p.size
        if momentum == 0:
            for i in prange(n):
                p[i], _ = _sgd_elem(p[i], g[i], p[i], lr_, wd, mu, damp_w, sign, False, False,
                                    False)  # fmt: skip
        elif first and nesterov:  # the first step sets buf <- g
            for i in prange(n):
                p[i], buf[i] = _sgd_elem(p[i], g[i], buf[i], lr_, wd, mu, damp_w, sign, True,
                                         True, True)  # fmt: skip
        elif first:
            for i in prange(n):
                p[i], buf[i] = _sgd_elem(p[i], g[i], buf[i], lr_, wd, mu, damp_w, sign, True,
                                         False, True)  # fmt: skip
        elif nesterov:
            for i in prange(n):
                p[i], buf[i] = _sgd_elem(p[i], g[i], buf[i], lr_, wd, mu, damp_w, sign, True,
                                         True, False)  # fmt: skip
        else:
            for i in prange(n):
                p[i], buf[i] = _sgd_elem(p[i], g[i], buf[i], lr_, wd, mu, damp_w, sign, True,
                                         False, False)  # fmt: skip

    return loop


# --- Adam / AdamW (decoupled weight decay, AMSGrad) -----------------------------------------------
@jit
def _adam_elem(p, g, m, v, vmax, w1, w1c, beta2, w2, eps, weight_decay, decay, step_size,
               bc2_sqrt, g_sign, amsgrad, low_weight):  # fmt: skip
    # amsgrad and low_weight arrive as constants (see _adam_loop), so these branches are
    # removed at compile time; g_sign = -1 for maximize, a multiply rather than a branch
    # (-g and g * -1 are the same float, NaN aside).
    g = g * g_sign
    # Decoupled weight decay (AdamW) shrinks p before the step; decay is exactly 1 otherwise,
    # and p * 1 == p for every float, so no branch is needed (one is: LLVM can unswitch one).
    p = p * decay
    if weight_decay != 0:  # L2 penalty folded into the gradient (Adam; 0 for AdamW)
        g = g + weight_decay * p
    # m <- lerp(m, g, 1 - beta1), written as torch's lerp computes it on either side of 0.5.
    if low_weight:
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
        s = np.empty(10, p.dtype)
        s[0], s[1], s[2], s[3], s[4] = 1 - beta1, beta1, beta2, 1 - beta2, eps
        s[5] = 0.0 if decoupled else weight_decay
        s[6] = 1 - lr * weight_decay if decoupled and weight_decay != 0 else 1.0
        s[7], s[8] = lr / bias_correction1, bias_correction2**0.5
        s[9] = -1.0 if maximize else 1.0
        w1, w1c, b2, w2, e, wd, decay, step_size, bc2_sqrt, sign = (
            s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7], s[8], s[9])  # fmt: skip
        # One loop per (amsgrad, lerp side), each calling the element function with constant
        # flags: with the flags as run-time values LLVM leaves the branches in the loop body
        # (too many to unswitch), which measured 1.6x slower at 2^16 elements in cache.
        low = w1 < 0.5
        n = p.size
        if amsgrad and low:
            for i in prange(n):
                p[i], m[i], v[i], vmax[i] = _adam_elem(
                    p[i], g[i], m[i], v[i], vmax[i], w1, w1c, b2, w2, e, wd, decay, step_size,
                    bc2_sqrt, sign, True, True)  # fmt: skip
        elif amsgrad:
            for i in prange(n):
                p[i], m[i], v[i], vmax[i] = _adam_elem(
                    p[i], g[i], m[i], v[i], vmax[i], w1, w1c, b2, w2, e, wd, decay, step_size,
                    bc2_sqrt, sign, True, False)  # fmt: skip
        elif low:
            for i in prange(n):
                p[i], m[i], v[i], _ = _adam_elem(
                    p[i], g[i], m[i], v[i], v[i], w1, w1c, b2, w2, e, wd, decay, step_size,
                    bc2_sqrt, sign, False, True)  # fmt: skip
        else:
            for i in prange(n):
                p[i], m[i], v[i], _ = _adam_elem(
                    p[i], g[i], m[i], v[i], v[i], w1, w1c, b2, w2, e, wd, decay, step_size,
                    bc2_sqrt, sign, False, False)  # fmt: skip

    return loop


def _pair(make_loop, name, reassoc=False):
    # Two compiled versions of one loop. They are distinct Python functions (each call of
    # make_loop creates one), so Numba's on-disk cache keeps their machine code apart.
    serial = make_loop(range)
    serial.__name__ = serial.__qualname__ = f"{name}_serial"
    parallel = make_loop(numba.prange)
    parallel.__name__ = parallel.__qualname__ = f"{name}_parallel"
    return jit(reassoc=reassoc)(serial), jit(parallel=True, reassoc=reassoc)(parallel)


sgd_serial, sgd_parallel = _pair(_sgd_loop, "sgd")
adam_serial, adam_parallel = _pair(_adam_loop, "adam")


# --- RMSprop (centred, momentum) ----------------------------------------------------------------
@jit
def _rmsprop_elem(p, g, v, g_avg, buf, alpha, w, wc, eps, weight_decay, momentum, neg_lr,
                  centered, use_momentum, maximize):  # fmt: skip
    if maximize:
        g = -g
    if weight_decay != 0:
        g = g + weight_decay * p
    v = v * alpha + w * g * g
    if centered:
        # g_avg <- lerp(g_avg, g, 1 - alpha), as torch's lerp computes it.
        if w < 0.5:
            g_avg = g_avg + w * (g - g_avg)
        else:
            g_avg = g - (g - g_avg) * wc
        avg = np.sqrt(v - g_avg * g_avg) + eps
    else:
        avg = np.sqrt(v) + eps
    if use_momentum:
        buf = buf * momentum + g / avg
        p = p + neg_lr * buf
    else:
        p = p + neg_lr * g / avg
    return p, v, g_avg, buf


def _rmsprop_loop(prange):
    def loop(p, g, v, g_avg, buf, lr, alpha, eps, weight_decay, momentum, centered, maximize):
        """RMSprop step in place on ``p, v`` (and ``g_avg``, ``buf``); equals reference.rmsprop.

        ``g_avg`` is only written if ``centered`` and ``buf`` only if ``momentum > 0``; pass
        ``v`` in their place when they are absent.
        """
        s = np.empty(7, p.dtype)
        s[0], s[1], s[2], s[3] = alpha, 1 - alpha, 1.0, eps
        s[4], s[5], s[6] = weight_decay, momentum, -lr
        a, w, one, e, wd, mu, neg_lr = s[0], s[1], s[2], s[3], s[4], s[5], s[6]
        wc = one - w  # torch's lerp computes 1 - weight in the parameter's dtype
        use_momentum = momentum > 0
        for i in prange(p.size):
            p_i, v_i, ga_i, buf_i = _rmsprop_elem(p[i], g[i], v[i], g_avg[i], buf[i], a, w, wc, e,
                                                  wd, mu, neg_lr, centered, use_momentum,
                                                  maximize)  # fmt: skip
            p[i], v[i] = p_i, v_i
            if centered:
                g_avg[i] = ga_i
            if use_momentum:
                buf[i] = buf_i

    return loop


# --- Adagrad (learning-rate decay, initial accumulator) -----------------------------------------
@jit
def _adagrad_elem(p, g, acc, weight_decay, eps, neg_clr, maximize):
    if maximize:
        g = -g
    if weight_decay != 0:
        g = g + weight_decay * p
    acc = acc + g * g
    return p + neg_clr * g / (np.sqrt(acc) + eps), acc


def _adagrad_loop(prange):
    def loop(p, g, acc, lr, lr_decay, weight_decay, eps, t, maximize):
        """Adagrad step ``t`` (a float, >= 1) in place on ``p, acc``; equals reference.adagrad."""
        clr = lr / (1 + (t - 1) * lr_decay)
        s = np.empty(3, p.dtype)
        s[0], s[1], s[2] = weight_decay, eps, -clr
        wd, e, neg_clr = s[0], s[1], s[2]
        for i in prange(p.size):
            p[i], acc[i] = _adagrad_elem(p[i], g[i], acc[i], wd, e, neg_clr, maximize)

    return loop


# --- Adadelta ------------------------------------------------------------------------------------
@jit
def _adadelta_elem(p, g, v, u, rho, w, eps, weight_decay, neg_lr, maximize):
    if maximize:
        g = -g
    if weight_decay != 0:
        g = g + weight_decay * p
    v = v * rho + w * g * g
    delta = np.sqrt(u + eps) / np.sqrt(v + eps) * g
    u = u * rho + w * delta * delta
    return p + neg_lr * delta, v, u


def _adadelta_loop(prange):
    def loop(p, g, v, u, lr, rho, eps, weight_decay, maximize):
        """Adadelta step in place on ``p, v, u`` (square_avg, acc_delta); equals reference."""
        s = np.empty(5, p.dtype)
        s[0], s[1], s[2], s[3], s[4] = rho, 1 - rho, eps, weight_decay, -lr
        r, w, e, wd, neg_lr = s[0], s[1], s[2], s[3], s[4]
        for i in prange(p.size):
            p[i], v[i], u[i] = _adadelta_elem(p[i], g[i], v[i], u[i], r, w, e, wd, neg_lr,
                                              maximize)  # fmt: skip

    return loop


# --- Adamax --------------------------------------------------------------------------------------
@jit
def _adamax_elem(p, g, m, u, w1, w1c, beta2, eps, weight_decay, neg_clr, maximize):
    if maximize:
        g = -g
    if weight_decay != 0:
        g = g + weight_decay * p
    if w1 < 0.5:  # m <- lerp(m, g, 1 - beta1), as torch's lerp computes it
        m = m + w1 * (g - m)
    else:
        m = g - (g - m) * w1c
    # u <- max(beta2 u, |g| + eps), NaN if either is NaN (torch.maximum).
    a = u * beta2
    b = abs(g) + eps
    u = a if (a >= b or a != a) else b
    return p + neg_clr * m / u, m, u


def _adamax_loop(prange):
    def loop(p, g, m, u, lr, beta1, beta2, eps, weight_decay, t, maximize):
        """Adamax step ``t`` (a float, >= 1) in place on ``p, m, u`` (exp_avg, exp_inf)."""
        clr = lr / (1 - beta1**t)
        s = np.empty(6, p.dtype)
        s[0], s[1], s[2], s[3], s[4], s[5] = 1 - beta1, 1.0, beta2, eps, weight_decay, -clr
        w1, one, b2, e, wd, neg_clr = s[0], s[1], s[2], s[3], s[4], s[5]
        w1c = one - w1
        for i in prange(p.size):
            p[i], m[i], u[i] = _adamax_elem(p[i], g[i], m[i], u[i], w1, w1c, b2, e, wd, neg_clr,
                                            maximize)  # fmt: skip

    return loop


# --- NAdam (momentum decay, decoupled weight decay) ----------------------------------------------
@jit
def _nadam_elem(p, g, m, v, w1, w1c, beta2, w2, eps, weight_decay, decay, bc2, c_grad, c_avg,
                maximize):  # fmt: skip
    if maximize:
        g = -g
    if decay != 1:  # decoupled weight decay: shrink p before the step
        p = p * decay
    elif weight_decay != 0:  # L2 penalty folded into the gradient
        g = g + weight_decay * p
    if w1 < 0.5:  # m <- lerp(m, g, 1 - beta1), as torch's lerp computes it
        m = m + w1 * (g - m)
    else:
        m = g - (g - m) * w1c
    v = v * beta2 + w2 * g * g
    denom = np.sqrt(v / bc2) + eps
    p = p + c_grad * g / denom  # two separate updates, in torch's order
    p = p + c_avg * m / denom
    return p, m, v


def _nadam_loop(prange):
    def loop(p, g, m, v, lr, beta1, beta2, eps, weight_decay, decoupled, t, mu, mu_next,
             mu_product, maximize):  # fmt: skip
        """NAdam step ``t`` (a float, >= 1) in place on ``p, m, v``; equals reference.nadam.

        ``mu``, ``mu_next`` are the momentum coefficients of steps t and t + 1, ``mu_product``
        the product of the coefficients of steps 1 to t (computed by the caller).
        """
        c_grad = -lr * (1.0 - mu) / (1.0 - mu_product)
        c_avg = (-lr * mu_next) / (1.0 - mu_product * mu_next)
        s = np.empty(10, p.dtype)
        s[0], s[1], s[2], s[3], s[4] = 1 - beta1, 1.0, beta2, 1 - beta2, eps
        s[5] = 0.0 if decoupled else weight_decay
        s[6] = 1 - lr * weight_decay if decoupled and weight_decay != 0 else 1.0
        s[7], s[8], s[9] = 1 - beta2**t, c_grad, c_avg
        w1, one, b2, w2, e, wd, decay, bc2, cg, ca = (
            s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7], s[8], s[9])  # fmt: skip
        w1c = one - w1
        for i in prange(p.size):
            p[i], m[i], v[i] = _nadam_elem(p[i], g[i], m[i], v[i], w1, w1c, b2, w2, e, wd, decay,
                                           bc2, cg, ca, maximize)  # fmt: skip

    return loop


# --- RAdam (rectified or not, decoupled weight decay) --------------------------------------------
@jit
def _radam_elem(p, g, m, v, w1, w1c, beta2, w2, eps, weight_decay, decay, bc1, lr, one,
                bc2_sqrt, rect, rectified, maximize):  # fmt: skip
    if maximize:
        g = -g
    if decay != 1:  # decoupled weight decay: shrink p before the step
        p = p * decay
    elif weight_decay != 0:  # L2 penalty folded into the gradient
        g = g + weight_decay * p
    if w1 < 0.5:  # m <- lerp(m, g, 1 - beta1), as torch's lerp computes it
        m = m + w1 * (g - m)
    else:
        m = g - (g - m) * w1c
    v = v * beta2 + w2 * g * g
    if rectified:
        # torch: (m / bc1) * lr * (reciprocal(sqrt(v) + eps) * sqrt(bc2)) * rect
        p = p - m / bc1 * lr * (one / (np.sqrt(v) + eps) * bc2_sqrt) * rect
    else:
        p = p - m / bc1 * lr
    return p, m, v


def _radam_loop(prange):
    def loop(p, g, m, v, lr, beta1, beta2, eps, weight_decay, decoupled, t, maximize):
        """RAdam step ``t`` (a float, >= 1) in place on ``p, m, v``; equals reference.radam.

        Whether this step is rectified (rho_t > 5) is decided once, here, for the whole array.
        """
        bias_correction1 = 1 - beta1**t
        bias_correction2 = 1 - beta2**t
        rho_inf = 2 / (1 - beta2) - 1
        rho_t = rho_inf - 2 * t * (beta2**t) / bias_correction2
        rectified = rho_t > 5.0
        rect = 1.0
        if rectified:
            rect = ((rho_t - 4) * (rho_t - 2) * rho_inf
                    / ((rho_inf - 4) * (rho_inf - 2) * rho_t)) ** 0.5  # fmt: skip
        s = np.empty(11, p.dtype)
        s[0], s[1], s[2], s[3], s[4] = 1 - beta1, 1.0, beta2, 1 - beta2, eps
        s[5] = 0.0 if decoupled else weight_decay
        s[6] = 1 - lr * weight_decay if decoupled and weight_decay != 0 else 1.0
        s[7], s[8], s[9], s[10] = bias_correction1, lr, bias_correction2**0.5, rect
        w1, one, b2, w2, e, wd, decay, bc1, lr_, bc2_sqrt, r = (
            s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7], s[8], s[9], s[10])  # fmt: skip
        w1c = one - w1
        for i in prange(p.size):
            p[i], m[i], v[i] = _radam_elem(p[i], g[i], m[i], v[i], w1, w1c, b2, w2, e, wd, decay,
                                           bc1, lr_, one, bc2_sqrt, r, rectified,
                                           maximize)  # fmt: skip

    return loop


rmsprop_serial, rmsprop_parallel = _pair(_rmsprop_loop, "rmsprop")
adagrad_serial, adagrad_parallel = _pair(_adagrad_loop, "adagrad")
adadelta_serial, adadelta_parallel = _pair(_adadelta_loop, "adadelta")
adamax_serial, adamax_parallel = _pair(_adamax_loop, "adamax")
nadam_serial, nadam_parallel = _pair(_nadam_loop, "nadam")
radam_serial, radam_parallel = _pair(_radam_loop, "radam")


# --- Gradient clipping --------------------------------------------------------------------------
# Norms are reductions: each kernel returns a float64 partial result for one array, accumulated
# in float64 whatever the array's dtype (a float32 sum of squares overflows once the norm passes
# ~1.8e19, which is where exploding gradients live). They are compiled with reassoc=True so that
# LLVM can sum in vector lanes (see optlearn/_jit.py). The wrappers in clip.py combine the
# partial results over the arrays and round the total to the gradients' dtype.


def _sum_abs_pow_loop(prange):
    def loop(x, p):
        """sum(|x|^p) in float64, with p = 1 and p = 2 done without pow."""
        total = 0.0
        if p == 2.0:
            for i in prange(x.size):
                a = np.float64(x[i])
                total += a * a
        elif p == 1.0:
            for i in prange(x.size):
                total += abs(np.float64(x[i]))
        else:
            for i in prange(x.size):
                total += abs(np.float64(x[i])) ** p
        return total

    return loop


def _max_abs_loop(prange):
    def loop(x):
        """max(|x|) in float64 (0 for an empty array), NaN if any entry is NaN."""
        largest = 0.0
        nans = 0
        for i in prange(x.size):
            a = abs(np.float64(x[i]))
            largest = max(largest, a)
            nans += a != a
        return np.nan if nans else largest

    return loop


@jit
def clip_coef(total_norm, max_norm, wide):
    """torch's min((1 / (total_norm + 1e-6)) * max_norm, 1), in float64 if ``wide`` else in
    float32 (the dtype of torch's total-norm tensor), returned as a float64. NaN stays NaN."""
    if wide:
        c = (1.0 / (total_norm + 1e-6)) * max_norm
        return c if not c > 1.0 else 1.0
    s = np.empty(3, np.float32)
    s[0], s[1], s[2] = total_norm, 1e-6, max_norm
    c32 = (np.float32(1.0) / (s[0] + s[1])) * s[2]
    return np.float64(c32) if not c32 > np.float32(1.0) else 1.0


def _scale_loop(prange):
    def loop(x, coef):
        """x <- x * coef in place, with coef rounded to x's dtype first (as torch does)."""
        s = np.empty(1, x.dtype)
        s[0] = coef
        c = s[0]
        for i in prange(x.size):
            x[i] = x[i] * c

    return loop


def _clamp_loop(prange):
    def loop(x, clip_value):
        """x <- min(max(x, -clip_value), clip_value) in place; NaN stays NaN, as in torch."""
        s = np.empty(2, x.dtype)
        s[0], s[1] = -clip_value, clip_value
        lo, hi = s[0], s[1]
        for i in prange(x.size):
            a = x[i]
            if a < lo:
                a = lo
            if a > hi:
                a = hi
            x[i] = a

    return loop


sum_abs_pow_serial, sum_abs_pow_parallel = _pair(_sum_abs_pow_loop, "sum_abs_pow", reassoc=True)
max_abs_serial, max_abs_parallel = _pair(_max_abs_loop, "max_abs", reassoc=True)
scale_serial, scale_parallel = _pair(_scale_loop, "scale")
clamp_serial, clamp_parallel = _pair(_clamp_loop, "clamp")
