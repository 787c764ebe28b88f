"""One training step of the digits MLP: optlearn vs PyTorch (CPU) vs plain NumPy.

The network is ``[64, H, 10]`` (ReLU, softmax cross-entropy) on a batch of B standardised
digit images, float32; one step is forward, backward and an Adam update of all parameters:

- optlearn: ``MLP.loss_and_grads`` (BLAS products, fused Numba kernels for the rest) and
  ``optim.Adam.step``;
- PyTorch on the CPU with 1 and with 2 threads: ``zero_grad``, forward, ``cross_entropy``,
  ``backward``, ``Adam.step`` (the default implementation and ``fused=True``; the faster counts);
- plain NumPy, the same network and Adam written as a student would.

Medians of interleaved rounds after warm-up (compile time excluded); ratios within this run.
Writes benchmarks/results/train.json.
"""

from __future__ import annotations

import json
import platform
from pathlib import Path

import numba
import numpy as np
from bench_optim import compare

import optlearn as ol

try:
    import torch
except ImportError:
    torch = None

OUT = Path(__file__).resolve().parent / "results" / "train.json"
LR = 1e-3


def digits_batch(batch: int):
    from sklearn.datasets import load_digits

    X, y = load_digits(return_X_y=True)
    X = (X - X.mean(axis=0)) / np.maximum(X.std(axis=0), 1e-12)
    return X[:batch].astype(np.float32), y[:batch].astype(np.int64)


def optlearn_step(width, X, y):
    net = ol.nn.MLP([64, width, 10], seed=0)
    opt = ol.optim.Adam(net.parameters(), lr=LR)

    def step():
        _, grads = net.loss_and_grads(X, y)
        opt.step(grads)

    return step


def torch_step(width, X, y, fused):
    model = torch.nn.Sequential(torch.nn.Linear(64, width), torch.nn.ReLU(),
                                torch.nn.Linear(width, 10))  # fmt: skip
    opt = torch.optim.Adam(model.parameters(), lr=LR, fused=fused or None)
    tX, ty = torch.from_numpy(X), torch.from_numpy(y)

    def step():
        opt.zero_grad(set_to_none=True)
        loss = torch.nn.functional.cross_entropy(model(tX), ty)
        loss.backward()
        opt.step()

    return step


def numpy_step(width, X, y):
    rng = np.random.default_rng(0)
    params = [(rng.standard_normal((64, width)) * np.sqrt(2 / 64)).astype(np.float32),
              np.zeros(width, np.float32),
              (rng.standard_normal((width, 10)) * np.sqrt(2 / width)).astype(np.float32),
              np.zeros(10, np.float32)]  # fmt: skip
    m = [np.zeros_like(p) for p in params]
    v = [np.zeros_like(p) for p in params]
    t = [0]
    onehot = np.eye(10, dtype=np.float32)[y]

    def step():
        W1, b1, W2, b2 = params
        Z1 = X @ W1 + b1
        A1 = np.maximum(Z1, 0)
        Z2 = A1 @ W2 + b2
        P = np.exp(Z2 - Z2.max(axis=1, keepdims=True))
        P /= P.sum(axis=1, keepdims=True)
        dZ2 = (P - onehot) / len(X)
        dA1 = dZ2 @ W2.T
        dZ1 = dA1 * (Z1 > 0)
        grads = [X.T @ dZ1, dZ1.sum(axis=0), A1.T @ dZ2, dZ2.sum(axis=0)]
        t[0] += 1
        for p, g, mi, vi in zip(params, grads, m, v, strict=True):
            mi[...] = 0.9 * mi + 0.1 * g
            vi[...] = 0.999 * vi + 0.001 * g * g
            p -= LR * (mi / (1 - 0.9 ** t[0])) / (np.sqrt(vi / (1 - 0.999 ** t[0])) + 1e-8)

    return step


def main() -> None:
    version = torch.__version__ if torch else "absent"
    print(f"numba threads {numba.get_num_threads()}; torch {version}; float32; "
          "median us per training step")  # fmt: skip
    print(f"{'width':>5s} {'batch':>5s} {'optlearn':>9s} {'numpy':>9s} {'torch-1t':>9s} "
          f"{'torch-2t':>9s} {'x numpy':>7s} {'x torch-1t':>10s} {'x torch-2t':>10s}")  # fmt: skip
    rows = []
    for width in (64, 256):
        for batch in (32, 128):
            X, y = digits_batch(batch)
            fns = {"optlearn": optlearn_step(width, X, y), "numpy": numpy_step(width, X, y)}
            before = {}
            if torch is not None:
                for threads in (1, 2):
                    for fused in (False, True):
                        name = f"torch_{threads}t{'_fused' if fused else ''}"
                        fns[name] = torch_step(width, X, y, fused)
                        before[name] = lambda k=threads: torch.set_num_threads(k)
            t = compare(fns, 10**4, before)
            if torch is not None:
                torch.set_num_threads(2)
            best = {k: min(t[f"torch_{k}"], t[f"torch_{k}_fused"]) if torch else None
                    for k in ("1t", "2t")}  # fmt: skip
            row = {"width": width, "batch": batch, "seconds": t,
                   "torch_best_seconds": best,
                   "speedup_vs_numpy": t["numpy"] / t["optlearn"],
                   "speedup_vs_torch_1t": best["1t"] / t["optlearn"] if torch else None,
                   "speedup_vs_torch_2t": best["2t"] / t["optlearn"] if torch else None,
                   }  # fmt: skip
            rows.append(row)

            def us(x):
                return f"{x * 1e6:9.1f}" if x else f"{'-':>9s}"

            def ratio(x, w):
                return f"{x:{w}.1f}" if x else f"{'-':>{w}s}"

            print(f"{width:5d} {batch:5d} {us(t['optlearn'])} {us(t['numpy'])} {us(best['1t'])} "
                  f"{us(best['2t'])} {ratio(row['speedup_vs_numpy'], 7)} "
                  f"{ratio(row['speedup_vs_torch_1t'], 10)} "
                  f"{ratio(row['speedup_vs_torch_2t'], 10)}", flush=True)  # fmt: skip
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps({
        "machine": platform.platform(), "cores": numba.config.NUMBA_NUM_THREADS,
        "numba": numba.__version__, "numpy": np.__version__,
        "torch": torch.__version__ if torch else None, "rows": rows,
    }, indent=1))  # fmt: skip
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
