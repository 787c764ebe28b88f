"""Gradient clipping: optlearn vs NumPy vs torch.nn.utils, one call on N float32 entries.

For N in 1e3 ... 1e7, split over two arrays (a weight matrix and a bias, 99:1) with a norm
above ``max_norm`` so that every call scales, time

- ``optlearn.optim.clip_grad_norm_`` and ``clip_grad_value_`` (fused Numba kernels),
- NumPy as a student writes it (``np.sqrt(sum(np.sum(g**2)))``, then ``g *= coef``;
  ``np.clip(g, -c, c, out=g)``),
- ``torch.nn.utils.clip_grad_norm_`` / ``clip_grad_value_`` (foreach, torch's CPU default).

Clipping by norm reads every array twice (once for the norm, once to scale, writing it back):
3 arrays' worth of bytes per call; clipping by value reads and writes once: 2. Medians
after warm-up, in interleaved rounds; ratios are within this run. Writes
benchmarks/results/clip.json.
"""

from __future__ import annotations

import json
import platform
from pathlib import Path

import numba
import numpy as np
from bench_optim import SIZES, compare

import optlearn as ol

try:
    import torch
except ImportError:
    torch = None

OUT = Path(__file__).resolve().parent / "results" / "clip.json"


def split(rng, n):
    g = (rng.standard_normal(n) * 10).astype(np.float32)
    k = max(1, n // 100)
    return [g[k:].copy(), g[:k].copy()]


def numpy_norm(grads, max_norm=1.0):
    total = np.sqrt(sum(np.sum(g**2) for g in grads))
    coef = min(max_norm / (total + 1e-6), 1.0)
    for g in grads:
        g *= coef
    return total


def numpy_value(grads, clip_value=1.0):
    for g in grads:
        np.clip(g, -clip_value, clip_value, out=g)


def torch_fn(fn, grads, arg):
    params = [torch.zeros(g.shape) for g in grads]
    for p, g in zip(params, grads, strict=True):
        p.grad = torch.from_numpy(g)
    return lambda: fn(params, arg)


def main() -> None:
    rng = np.random.default_rng(0)
    print(f"numba threads {numba.get_num_threads()}; float32; median us per call; the grads "
          "are rescaled on every call (each call multiplies by coef < 1)")  # fmt: skip
    print(f"{'op':6s} {'N':>9s} {'optlearn':>9s} {'numpy':>9s} {'torch':>9s} {'GB/s':>6s} "
          f"{'xnumpy':>6s} {'xtorch':>6s}")  # fmt: skip
    rows = []
    for n in SIZES:
        for op, arrays in (("norm", 3), ("value", 2)):
            grads = split(rng, n)
            if op == "norm":
                fns = {"optlearn": lambda g=grads: ol.optim.clip_grad_norm_(g, 1.0),
                       "numpy": lambda g=grads: numpy_norm(g, 1.0)}  # fmt: skip
                if torch is not None:
                    fns["torch"] = torch_fn(torch.nn.utils.clip_grad_norm_, split(rng, n), 1.0)
            else:
                fns = {"optlearn": lambda g=grads: ol.optim.clip_grad_value_(g, 1.0),
                       "numpy": lambda g=grads: numpy_value(g, 1.0)}  # fmt: skip
                if torch is not None:
                    fns["torch"] = torch_fn(torch.nn.utils.clip_grad_value_, split(rng, n), 1.0)
            t = compare(fns, n)
            gbs = arrays * 4 * n / t["optlearn"] / 1e9
            row = {"op": op, "n": n, "seconds": t, "optlearn_GBps": gbs,
                   "speedup_vs_numpy": t["numpy"] / t["optlearn"],
                   "speedup_vs_torch": t["torch"] / t["optlearn"] if "torch" in t else None,
                   }  # fmt: skip
            rows.append(row)
            xt = f"{row['speedup_vs_torch']:6.1f}" if "torch" in t else f"{'-':>6s}"
            tt = f"{t['torch'] * 1e6:9.1f}" if "torch" in t else f"{'-':>9s}"
            print(f"{op:6s} {n:9d} {t['optlearn'] * 1e6:9.1f} {t['numpy'] * 1e6:9.1f} {tt} "
                  f"{gbs:6.1f} {row['speedup_vs_numpy']:6.1f} {xt}", flush=True)  # fmt: skip
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps({
        "machine": platform.platform(), "cores": numba.config.NUMBA_NUM_THREADS,
        "numba": numba.__version__, "numpy": np.__version__,
        "torch": torch.__version__ if torch else None, "rows": rows,
    }, indent=1))  # fmt: skip
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
