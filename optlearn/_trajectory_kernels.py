"""Fused Numba kernels that run one optimizer from many starts on a 2-D surface.

The optimizer's update is not re-implemented: the kernels call the element functions of
``optlearn.optim._kernels`` (``_sgd_elem``, ``_adam_elem``) with the scalars computed exactly as
the optimizer classes compute them, so a trajectory equals looping ``optlearn.optim`` over each
start (the tests assert it to 1e-12). What is new is the loop order: the starts are independent,
so each step runs over all starts side by side (the inner loop, which vectorises), and the
threads take disjoint blocks of starts (``prange``) for all the steps.

The surface's gradient is selected by an integer ``kind`` (see ``_surface_grad``) through a
chain of branches that the ``inline`` loops fold away, since ``kind`` is a constant at each
call site: one compiled loop per surface, all in one cached kernel. (A kernel that took the
gradient function as an argument, or closed over it, would be recompiled in every process:
Numba does not cache either.)

Divergence is handled without NaN warnings or branches in the loop: a start whose next point
would leave ``[-bound, bound]^2`` or be non-finite is frozen where it is (its position and
state stop changing) and the step it stopped at is recorded.

No input checking here: ``optlearn.trajectories`` validates everything first.
"""

import numba

from . import surfaces as S
from ._jit import jit
from .optim._kernels import _adam_elem, _sgd_elem

# The built-in surfaces, by kind (the order of surfaces.KINDS).
KINDS = S.KINDS


@jit(inline=True)
def _surface_grad(kind, x, y, params):
    return S.grad_by_kind(kind, x, y, params)


@jit(inline=True)
def _surface_value(kind, x, y, params):
    return S.value_by_kind(kind, x, y, params)


# Layout: positions and optimizer state are "structure of arrays", X[0] the x coordinates of all
# starts and X[1] the y coordinates, so the inner loop over starts reads and writes contiguous
# memory and vectorises; the recorded path ``out`` is (steps + 1, 2, n_starts), written one
# contiguous step at a time. Every decision in the loop (momentum or not, frozen or not) is a
# select, not a branch, for the same reason.


# --- SGD (momentum, dampening, Nesterov, weight decay, maximize), per-start hyperparameters ------
@jit(inline=True)
def _sgd_block(kind, params, lo, hi, X, buf, out, losses, lr, mu, damp_w, wd, sign, nesterov,
               noise, noise_std, bound, steps, record, alive, stopped):  # fmt: skip
    for t in range(steps):
        first = t == 0
        for i in range(lo, hi):
            x, y = X[0, i], X[1, i]
            gx, gy = _surface_grad(kind, x, y, params)
            if noise_std != 0:
                gx += noise_std * noise[t, 0, i]
                gy += noise_std * noise[t, 1, i]
            # SGD's element function: with momentum, and the plain step for starts whose
            # momentum is 0 (torch skips the buffer then, which differs under dampening).
            # lr and momentum may differ between starts (phase diagrams); weight decay and
            # dampening are scalars, so their branches stay out of the loop.
            nx, bx = _sgd_elem(x, gx, buf[0, i], lr[i], wd, mu[i], damp_w, sign, True,
                               nesterov, first)  # fmt: skip
            ny, by = _sgd_elem(y, gy, buf[1, i], lr[i], wd, mu[i], damp_w, sign, True,
                               nesterov, first)  # fmt: skip
            px, _ = _sgd_elem(x, gx, x, lr[i], wd, mu[i], damp_w, sign, False, False,
                              False)  # fmt: skip
            py, _ = _sgd_elem(y, gy, y, lr[i], wd, mu[i], damp_w, sign, False, False,
                              False)  # fmt: skip
            plain = mu[i] == 0
            nx = px if plain else nx
            ny = py if plain else ny
            was = alive[i]
            ok = was & (abs(nx) <= bound) & (abs(ny) <= bound)  # False for NaN
            X[0, i] = nx if ok else x
            X[1, i] = ny if ok else y
            buf[0, i] = bx if ok else buf[0, i]
            buf[1, i] = by if ok else buf[1, i]
            stopped[i] = t + 1 if was & ~ok else stopped[i]
            alive[i] = ok
        if record:
            for i in range(lo, hi):
                out[t + 1, 0, i], out[t + 1, 1, i] = X[0, i], X[1, i]
                losses[t + 1, i] = _surface_value(kind, X[0, i], X[1, i], params)


def _sgd_run_for(kind):
    def run(params, X, buf, out, losses, lr, mu, damp_w, wd, sign, nesterov, noise, noise_std,
            bound, steps, record, alive, stopped, blocks):  # fmt: skip
        n = X.shape[1]
        size = (n + blocks - 1) // blocks
        for b in numba.prange(blocks):
            lo, hi = b * size, min(n, (b + 1) * size)
            _sgd_block(kind, params, lo, hi, X, buf, out, losses, lr, mu, damp_w, wd, sign,
                       nesterov, noise, noise_std, bound, steps, record, alive,
                       stopped)  # fmt: skip

    return run


# --- Adam / AdamW (uniform betas, eps, weight decay; per-start lr) ------------------------------
@jit(inline=True)
def _adam_block(kind, params, lo, hi, X, m, v, vmax, out, losses, lr, beta1, beta2, eps,
                weight_decay, decoupled, amsgrad, sign, noise, noise_std, bound, steps, record,
                alive, stopped):  # fmt: skip
    # The scalars as Adam's loop computes them (optim._kernels._adam_loop), per step.
    w1, w1c, w2 = 1 - beta1, beta1, 1 - beta2
    wd = 0.0 if decoupled else weight_decay
    low = w1 < 0.5
    for t in range(steps):
        step = t + 1.0
        bias_correction1 = 1 - beta1**step
        bc2_sqrt = (1 - beta2**step) ** 0.5
        for i in range(lo, hi):
            decay = 1 - lr[i] * weight_decay if decoupled and weight_decay != 0 else 1.0
            step_size = lr[i] / bias_correction1
            x, y = X[0, i], X[1, i]
            gx, gy = _surface_grad(kind, x, y, params)
            if noise_std != 0:
                gx += noise_std * noise[t, 0, i]
                gy += noise_std * noise[t, 1, i]
            nx, mx, vx, ux = _adam_elem(x, gx, m[0, i], v[0, i], vmax[0, i], w1, w1c, beta2, w2,
                                        eps, wd, decay, step_size, bc2_sqrt, sign, amsgrad,
                                        low)  # fmt: skip
            ny, my, vy, uy = _adam_elem(y, gy, m[1, i], v[1, i], vmax[1, i], w1, w1c, beta2, w2,
                                        eps, wd, decay, step_size, bc2_sqrt, sign, amsgrad,
                                        low)  # fmt: skip
            was = alive[i]
            ok = was & (abs(nx) <= bound) & (abs(ny) <= bound)
            X[0, i] = nx if ok else x
            X[1, i] = ny if ok else y
            m[0, i] = mx if ok else m[0, i]
            m[1, i] = my if ok else m[1, i]
            v[0, i] = vx if ok else v[0, i]
            v[1, i] = vy if ok else v[1, i]
            if amsgrad:  # a constant here: vmax is v itself otherwise
                vmax[0, i] = ux if ok else vmax[0, i]
                vmax[1, i] = uy if ok else vmax[1, i]
            stopped[i] = t + 1 if was & ~ok else stopped[i]
            alive[i] = ok
        if record:
            for i in range(lo, hi):
                out[t + 1, 0, i], out[t + 1, 1, i] = X[0, i], X[1, i]
                losses[t + 1, i] = _surface_value(kind, X[0, i], X[1, i], params)


def _adam_run_for(kind):
    def run(params, X, m, v, vmax, out, losses, lr, beta1, beta2, eps, weight_decay, decoupled,
            amsgrad, sign, noise, noise_std, bound, steps, record, alive, stopped,
            blocks):  # fmt: skip
        n = X.shape[1]
        size = (n + blocks - 1) // blocks
        for b in numba.prange(blocks):
            lo, hi = b * size, min(n, (b + 1) * size)
            if amsgrad:
                _adam_block(kind, params, lo, hi, X, m, v, vmax, out, losses, lr, beta1, beta2,
                            eps, weight_decay, decoupled, True, sign, noise, noise_std, bound,
                            steps, record, alive, stopped)  # fmt: skip
            else:
                _adam_block(kind, params, lo, hi, X, m, v, v, out, losses, lr, beta1, beta2,
                            eps, weight_decay, decoupled, False, sign, noise, noise_std, bound,
                            steps, record, alive, stopped)  # fmt: skip

    return run


# One compiled kernel per (rule, surface kind), made on first use. Each is a distinct function
# with its own name, closing over an int, which Numba's disk cache keys correctly.
_COMPILED: dict = {}


def _compiled(make, rule, kind):
    key = (rule, kind)
    if key not in _COMPILED:
        loop = make(kind)
        loop.__name__ = loop.__qualname__ = f"{rule}_run_{kind}"
        _COMPILED[key] = jit(parallel=True)(loop)
    return _COMPILED[key]


def sgd_run(kind):
    """The fused SGD trajectory kernel for surface ``kind``."""
    return _compiled(_sgd_run_for, "sgd", kind)


def adam_run(kind):
    """The fused Adam/AdamW trajectory kernel for surface ``kind``."""
    return _compiled(_adam_run_for, "adam", kind)
