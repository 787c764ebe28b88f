"""Fused Numba kernels that run one optimizer from many starts on a 2-D surface.

The optimizer's update is not re-implemented: the kernels call the element functions of
``optlearn.optim._kernels`` (``_sgd_elem``, ``_adam_elem``) with the scalars computed exactly as
the optimizer classes compute them, so a trajectory equals looping ``optlearn.optim`` over each
start (the tests assert it to 1e-12). What is new is the loop order: the starts are independent,
so each step runs over all starts side by side (the inner loop, which vectorises), and
Python threads take disjoint blocks of starts for all the steps (see the layout note).

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

import numpy as np

from . import surfaces as S
from ._jit import jit
from .optim._kernels import _adam_elem, _sgd_elem

# The built-in surfaces, by kind (the order of surfaces.KINDS).
KINDS = S.KINDS
# The most parameters a built-in surface has (Quadratic: scale, angle, condition number).
N_PARAMS = 3
# Steps between checkpoints of a block's state (see the layout note).
CHUNK = 32


@jit(inline=True)
def _surface_grad(kind, x, y, params):
    return S.grad_by_kind(kind, x, y, params)


@jit(inline=True)
def _surface_value(kind, x, y, params):
    return S.value_by_kind(kind, x, y, params)


# Layout. The starts are cut into blocks; a kernel call runs blocks b_first .. b_last - 1 (the
# caller runs one call per thread, on disjoint blocks: the kernels release the GIL). Numba's
# ``prange`` would be simpler, but its parallel lowering kept LLVM from optimising the inner
# loop as well as in a serial kernel (measured 1.3-1.7x slower on one thread).
# A kernel call takes a block of starts (a few hundred) through all the steps. The block's
# state is copied into a small local array ``S`` (one row per quantity: x, y, the optimizer's
# state, the learning rate), which stays in the L1 cache; the inner loop runs over the block's
# starts side by side, reading and writing contiguous rows, so it vectorises. The recorded path
# ``out`` is (steps + 1, 2, n_starts): each step's positions are contiguous.
#
# What keeps the inner loop vectorised (10,000 starts x 1,000 steps, measured):
# - no run-time branch inside it: the optimizer's flags (Nesterov, the first step, AMSGrad,
#   the side of Adam's lerp, noise) are compile-time constants, one loop per combination; the
#   others are selects;
# - nothing in it that might alias what it writes: the surface's parameters come as a tuple of
#   scalars and the state as one fresh local array (reading them from the caller's arrays made
#   LLVM give up on vectorising: 3-4x slower);
# - divergence costs one compare per start and step, OR-ed into a flag (an integer or boolean
#   reduction vectorises; a floating-point one does not), and nothing else while no start
#   leaves the bound: the steps run in chunks of CHUNK, each starting from a checkpoint (a copy
#   of S). Only if some start left ``[-bound, bound]^2`` or turned NaN in a chunk (rare) is the
#   checkpoint restored and the chunk run again carefully: each step saves the positions it
#   starts from in ``prev``, and a scalar pass puts the starts that left back there, marks them
#   stopped at that step, and zeroes their learning rate and optimizer state, which freezes
#   them from then on (``x - 0 * u == x`` for finite u; were u ever non-finite, the same check
#   would refuse the step again). The rerun takes the same steps in the same order, so it is
#   bitwise what a careful run from the start would give. Saving ``prev`` at every step cost
#   20-30%; a per-start ``alive`` flag tested in the loop took twice as long. (A frozen start's
#   optimizer state is not reported, so it need not be kept.)
# - when every start has the same learning rate and momentum (``uniform``), they are scalars,
#   not rows of S (10-15% faster), until a start is frozen: its zeroed learning rate is a row.


@jit(inline=True)
def _refuse(lo, t, S, prev, bound, alive, stopped, lr_row):
    # Undo step t for the starts it took outside the bound (or to NaN): they go back to where
    # they started the step (prev) and, the first time, are marked stopped at this step with
    # learning rate 0 and their optimizer state zeroed, which freezes them from then on.
    for j in range(S.shape[1]):
        if not ((abs(S[0, j]) <= bound) & (abs(S[1, j]) <= bound)):
            S[0, j], S[1, j] = prev[0, j], prev[1, j]
            if alive[lo + j]:
                alive[lo + j] = False
                stopped[lo + j] = t + 1
                for r in range(2, lr_row):
                    S[r, j] = 0.0
                S[lr_row, j] = 0.0


@jit(inline=True)
def _record(kind, params, lo, t, S, out, losses):
    for j in range(S.shape[1]):
        x, y = S[0, j], S[1, j]
        out[t + 1, 0, lo + j], out[t + 1, 1, lo + j] = x, y
        losses[t + 1, lo + j] = _surface_value(kind, x, y, params)


# --- SGD (momentum, dampening, Nesterov, weight decay, maximize), per-start lr and momentum -----
# S rows: x, y, momentum buffer x, momentum buffer y, lr, momentum.
@jit(inline=True)
def _sgd_steps(kind, params, lo, t0, t1, S, prev, out, losses, damp_w, wd, sign, noise,
               noise_std, bound, record, alive, stopped, nesterov, first, with_noise,
               mode, careful, uniform, lr_u, mu_u):  # fmt: skip
    # Steps t0 .. t1 - 1 of the block starting at start lo; the last five are constants.
    # Careful: each step saves the positions it starts from and refuses the steps that leave
    # the bound. Fast: no saving; returns whether any step of any start left the bound (the
    # caller then restores its checkpoint and runs these steps again, carefully).
    any_bad = False
    for t in range(t0, t1):
        bad = False
        for j in range(S.shape[1]):
            x, y, b0, b1 = S[0, j], S[1, j], S[2, j], S[3, j]
            lr, mu = (lr_u, mu_u) if uniform else (S[4, j], S[5, j])
            if careful:
                prev[0, j], prev[1, j] = x, y
            gx, gy = _surface_grad(kind, x, y, params)
            if with_noise:
                gx += noise_std * noise[t, 0, lo + j]
                gy += noise_std * noise[t, 1, lo + j]
            # SGD's element function: with momentum, and the plain step for starts whose
            # momentum is 0 (torch keeps no buffer then, which differs under dampening).
            # ``mode`` (a constant) says which the block needs: 0 plain only, 1 momentum only,
            # 2 both, chosen per start.
            nx, ny, bx, by = x, y, b0, b1
            if mode != 0:
                nx, bx = _sgd_elem(x, gx, b0, lr, wd, mu, damp_w, sign, True, nesterov, first)
                ny, by = _sgd_elem(y, gy, b1, lr, wd, mu, damp_w, sign, True, nesterov, first)
            if mode != 1:
                px, _ = _sgd_elem(x, gx, x, lr, wd, mu, damp_w, sign, False, False, False)
                py, _ = _sgd_elem(y, gy, y, lr, wd, mu, damp_w, sign, False, False, False)
                plain = mu == 0
                nx = px if plain else nx
                ny = py if plain else ny
            S[0, j], S[1, j], S[2, j], S[3, j] = nx, ny, bx, by
            bad |= ~((abs(nx) <= bound) & (abs(ny) <= bound))  # True for NaN too
        if careful:
            if bad:
                _refuse(lo, t, S, prev, bound, alive, stopped, 4)
        else:
            any_bad |= bad
        if record:
            _record(kind, params, lo, t, S, out, losses)
    return any_bad


def _sgd_run_for(kind, nesterov, with_noise, mode, defaults, uniform):
    def run(params, X, out, losses, lr, mu, damp_w, wd, sign, noise, noise_std, bound, steps,
            record, alive, stopped, blocks, b_first, b_last):  # fmt: skip
        if defaults:  # a constant: no dampening, weight decay or maximize; LLVM then drops
            damp_w, wd, sign = 1.0, 0.0, 1.0  # their multiplies and branch (1.5x faster)
        n = X.shape[1]
        size = (n + blocks - 1) // blocks
        pt = (params[0], params[1], params[2])  # see the layout note above
        for b in range(b_first, b_last):
            lo, hi = b * size, min(n, (b + 1) * size)
            if lo >= hi:  # the last blocks are empty when blocks does not divide n
                continue
            S = np.zeros((6, hi - lo))
            S[0], S[1], S[4], S[5] = X[0, lo:hi], X[1, lo:hi], lr[lo:hi], mu[lo:hi]
            prev, C = np.empty((2, hi - lo)), np.empty_like(S)
            # The first step (buf <- g), carefully, then the others in checkpointed chunks.
            _sgd_steps(kind, pt, lo, 0, 1, S, prev, out, losses, damp_w, wd, sign, noise,
                       noise_std, bound, record, alive, stopped, nesterov, True,
                       with_noise, mode, True, False, 0.0, 0.0)  # fmt: skip
            frozen = not alive[lo:hi].all()
            for t0 in range(1, steps, CHUNK):
                t1 = min(steps, t0 + CHUNK)
                C[:] = S
                if uniform and not frozen:
                    bad = _sgd_steps(kind, pt, lo, t0, t1, S, prev, out, losses, damp_w, wd,
                                     sign, noise, noise_std, bound, record, alive, stopped,
                                     nesterov, False, with_noise, mode, False, True, lr[0],
                                     mu[0])  # fmt: skip
                else:
                    bad = _sgd_steps(kind, pt, lo, t0, t1, S, prev, out, losses, damp_w, wd,
                                     sign, noise, noise_std, bound, record, alive, stopped,
                                     nesterov, False, with_noise, mode, False, False, 0.0,
                                     0.0)  # fmt: skip
                if bad:
                    S[:] = C
                    _sgd_steps(kind, pt, lo, t0, t1, S, prev, out, losses, damp_w, wd, sign,
                               noise, noise_std, bound, record, alive, stopped, nesterov,
                               False, with_noise, mode, True, False, 0.0, 0.0)  # fmt: skip
                    frozen = True
            X[0, lo:hi], X[1, lo:hi] = S[0], S[1]

    return run


# --- Adam / AdamW (uniform betas, eps, weight decay; per-start lr) ------------------------------
# S rows: x, y, exp_avg x, exp_avg y, exp_avg_sq x, exp_avg_sq y, max_exp_avg_sq x and y
# (AMSGrad only), lr.
@jit(inline=True)
def _adam_steps(kind, params, lo, t0, t1, S, prev, out, losses, beta1, beta2, eps,
                weight_decay, decoupled, sign, noise, noise_std, bound, record, alive, stopped,
                amsgrad, low, with_noise, careful):  # fmt: skip
    # The scalars as Adam's loop computes them (optim._kernels._adam_loop); AMSGrad, the lerp
    # side (low) and noise are constants. Decoupled decay is 1 - lr * wd_dec, exactly 1 when
    # wd_dec is 0, as the optimizer's 1.0 is.
    w1, w1c, w2 = 1 - beta1, beta1, 1 - beta2
    wd = 0.0 if decoupled else weight_decay
    wd_dec = weight_decay if decoupled else 0.0
    any_bad = False  # careful and fast as in _sgd_steps
    for t in range(t0, t1):
        step = t + 1.0
        bias_correction1 = 1 - beta1**step
        bc2_sqrt = (1 - beta2**step) ** 0.5
        bad = False
        for j in range(S.shape[1]):
            x, y, m0, m1, v0, v1, lr = S[0, j], S[1, j], S[2, j], S[3, j], S[4, j], S[5, j], S[8, j]
            u0, u1 = (S[6, j], S[7, j]) if amsgrad else (v0, v1)
            if careful:
                prev[0, j], prev[1, j] = x, y
            decay = 1 - lr * wd_dec
            step_size = lr / bias_correction1
            gx, gy = _surface_grad(kind, x, y, params)
            if with_noise:
                gx += noise_std * noise[t, 0, lo + j]
                gy += noise_std * noise[t, 1, lo + j]
            nx, mx, vx, ux = _adam_elem(x, gx, m0, v0, u0, w1, w1c, beta2, w2, eps, wd, decay,
                                        step_size, bc2_sqrt, sign, amsgrad, low)  # fmt: skip
            ny, my, vy, uy = _adam_elem(y, gy, m1, v1, u1, w1, w1c, beta2, w2, eps, wd, decay,
                                        step_size, bc2_sqrt, sign, amsgrad, low)  # fmt: skip
            S[0, j], S[1, j], S[2, j], S[3, j], S[4, j], S[5, j] = nx, ny, mx, my, vx, vy
            if amsgrad:
                S[6, j], S[7, j] = ux, uy
            bad |= ~((abs(nx) <= bound) & (abs(ny) <= bound))  # True for NaN too
        if careful:
            if bad:
                _refuse(lo, t, S, prev, bound, alive, stopped, 8)
        else:
            any_bad |= bad
        if record:
            _record(kind, params, lo, t, S, out, losses)
    return any_bad


def _adam_run_for(kind, amsgrad, low, with_noise):
    def run(params, X, out, losses, lr, beta1, beta2, eps, weight_decay, decoupled, sign, noise,
            noise_std, bound, steps, record, alive, stopped, blocks, b_first, b_last):  # fmt: skip
        n = X.shape[1]
        size = (n + blocks - 1) // blocks
        pt = (params[0], params[1], params[2])  # see the layout note above
        for b in range(b_first, b_last):
            lo, hi = b * size, min(n, (b + 1) * size)
            if lo >= hi:  # the last blocks are empty when blocks does not divide n
                continue
            S = np.zeros((9, hi - lo))
            S[0], S[1], S[8] = X[0, lo:hi], X[1, lo:hi], lr[lo:hi]
            prev, C = np.empty((2, hi - lo)), np.empty_like(S)
            for t0 in range(0, steps, CHUNK):  # checkpointed chunks, as for SGD
                t1 = min(steps, t0 + CHUNK)
                C[:] = S
                if _adam_steps(kind, pt, lo, t0, t1, S, prev, out, losses, beta1, beta2, eps,
                               weight_decay, decoupled, sign, noise, noise_std, bound, record,
                               alive, stopped, amsgrad, low, with_noise, False):  # fmt: skip
                    S[:] = C
                    _adam_steps(kind, pt, lo, t0, t1, S, prev, out, losses, beta1, beta2, eps,
                                weight_decay, decoupled, sign, noise, noise_std, bound, record,
                                alive, stopped, amsgrad, low, with_noise, True)  # fmt: skip
            X[0, lo:hi], X[1, lo:hi] = S[0], S[1]

    return run


# One compiled kernel per rule, surface kind and combination of the flags that must be
# compile-time constants, made on first use: a notebook compiles only what it runs (a kernel with
# every combination inside took over a minute to compile). Each is a distinct function with its
# own name, closing over ints and bools, which Numba's disk cache keys correctly.
_COMPILED: dict = {}


def _compiled(make, rule, *key):
    if (rule, *key) not in _COMPILED:
        loop = make(*key)
        loop.__name__ = loop.__qualname__ = f"{rule}_run_" + "_".join(str(int(k)) for k in key)
        _COMPILED[(rule, *key)] = jit(loop)
    return _COMPILED[(rule, *key)]


def sgd_run(kind, nesterov, with_noise, mode, defaults, uniform=False):
    """The fused SGD trajectory kernel for surface ``kind`` and these flags.

    ``mode`` is 0 if every start's momentum is 0, 1 if none is, 2 otherwise; ``defaults`` says
    that dampening and weight decay are 0 and maximize is False; ``uniform`` that every start
    has the same learning rate and momentum.
    """
    return _compiled(_sgd_run_for, "sgd", int(kind), bool(nesterov), bool(with_noise),
                     int(mode), bool(defaults), bool(uniform))  # fmt: skip


def adam_run(kind, amsgrad, low, with_noise):
    """The fused Adam/AdamW trajectory kernel for surface ``kind`` and these flags.

    ``low`` is ``1 - beta1 < 0.5``, which selects torch's formula for the lerp of the first
    moment.
    """
    return _compiled(_adam_run_for, "adam", int(kind), bool(amsgrad), bool(low),
                     bool(with_noise))  # fmt: skip
