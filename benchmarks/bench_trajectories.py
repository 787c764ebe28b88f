"""Many optimizer runs at once: optlearn.trajectories vs careful NumPy, on Rosenbrock.

10,000 starts x 1,000 steps of SGD with momentum (lr 1e-4, momentum 0.9), float64:

- optlearn: ``trajectories.run`` (fused kernel: the starts side by side in the inner loop,
  threads over blocks of starts), with every position recorded and with ``record=False``;
- careful NumPy: vectorised over the starts with a structure of arrays (x and y apart),
  in-place ufuncs into preallocated scratch arrays, a Python loop over the steps; the same two
  variants: final positions only, or every position and loss recorded into arrays allocated
  once per call before the loop (as ``run`` hands back new arrays on every call).

Also a 64 x 64 (lr, momentum) phase diagram with ``trajectories.sweep`` (1,000 steps each).
Medians of interleaved rounds after warm-up; ratios within this run. Writes
benchmarks/results/trajectories.json.
"""

from __future__ import annotations

import json
import platform
from pathlib import Path

import numba
import numpy as np
from bench_optim import compare

from optlearn import surfaces, trajectories

OUT = Path(__file__).resolve().parent / "results" / "trajectories.json"
N, STEPS, LR, MOMENTUM = 10_000, 1_000, 1e-4, 0.9


def numpy_careful(starts, record):
    """A careful NumPy version, vectorised over the starts; returns run() -> (x, y[, paths])."""
    n = len(starts)
    x, y = starts[:, 0].copy(), starts[:, 1].copy()
    bx, by = np.zeros(n), np.zeros(n)
    gx, gy, t1, t2 = (np.empty(n) for _ in range(4))

    def run():
        x[:], y[:] = starts[:, 0], starts[:, 1]
        bx[:] = 0
        by[:] = 0
        # Like trajectories.run, every call hands back new arrays of positions and losses
        # (allocated once per call, before the loop, laid out step by step).
        if record:
            paths, losses = np.empty((STEPS + 1, 2, n)), np.empty((STEPS + 1, n))
            paths[0, 0], paths[0, 1] = x, y
            rosenbrock_value(x, y, losses[0], t1)
        for k in range(STEPS):
            # Rosenbrock (a = 1, b = 100): gx = -2 (1 - x) - 400 x (y - x^2), gy = 200 (y - x^2)
            np.multiply(x, x, out=t1)
            np.subtract(y, t1, out=t1)  # y - x^2
            np.multiply(t1, 200.0, out=gy)
            np.multiply(x, t1, out=t2)
            np.multiply(t2, -400.0, out=gx)
            np.subtract(x, 1.0, out=t2)
            np.multiply(t2, 2.0, out=t2)
            np.add(gx, t2, out=gx)
            if k == 0:  # torch's first step: buf <- g
                bx[:], by[:] = gx, gy
            else:
                np.multiply(bx, MOMENTUM, out=bx)
                np.add(bx, gx, out=bx)
                np.multiply(by, MOMENTUM, out=by)
                np.add(by, gy, out=by)
            np.multiply(bx, LR, out=t1)
            np.subtract(x, t1, out=x)
            np.multiply(by, LR, out=t1)
            np.subtract(y, t1, out=y)
            if record:
                paths[k + 1, 0], paths[k + 1, 1] = x, y
                rosenbrock_value(x, y, losses[k + 1], t1)
        return (x, y, paths, losses) if record else (x, y)

    return run


def rosenbrock_value(x, y, out, tmp):
    """(1 - x)^2 + 100 (y - x^2)^2 into out, in place."""
    np.multiply(x, x, out=tmp)
    np.subtract(y, tmp, out=tmp)
    np.multiply(tmp, tmp, out=tmp)
    np.multiply(tmp, 100.0, out=tmp)
    np.subtract(1.0, x, out=out)
    np.multiply(out, out, out=out)
    np.add(out, tmp, out=out)


def main() -> None:
    rng = np.random.default_rng(0)
    starts = rng.uniform((-2.0, -1.0), (2.0, 3.0), (N, 2))
    rosen = surfaces.Rosenbrock()
    fns = {
        "optlearn_paths": lambda: trajectories.run(rosen, "SGD", starts, STEPS, lr=LR,
                                                   momentum=MOMENTUM),
        "optlearn_final": lambda: trajectories.run(rosen, "SGD", starts, STEPS, lr=LR,
                                                   momentum=MOMENTUM, record=False),
        "numpy_paths": numpy_careful(starts, True),
        "numpy_final": numpy_careful(starts, False),
    }  # fmt: skip
    # The two implementations agree (same rule, same order of operations up to round-off).
    x, y, paths, losses = fns["numpy_paths"]()
    res = fns["optlearn_paths"]()
    agree = float(max(np.max(np.abs(res.final - np.stack([x, y], axis=1))),
                      np.max(np.abs(res.positions - paths.transpose(2, 0, 1))),
                      np.max(np.abs(res.losses - losses.T) / (1 + np.abs(losses.T)))))
    assert agree < 1e-9, agree
    t = compare(fns, 10**7)
    grid = {"lr": list(np.geomspace(1e-5, 3e-3, 64)), "momentum": list(np.linspace(0, 0.99, 64))}
    sweep_s = compare({"sweep": lambda: trajectories.sweep(rosen, "SGD", grid, [-1.5, 2.0],
                                                           STEPS)}, 10**6)["sweep"]  # fmt: skip
    rows = {
        "paths": {"optlearn": t["optlearn_paths"], "numpy": t["numpy_paths"],
                  "speedup": t["numpy_paths"] / t["optlearn_paths"]},
        "final_only": {"optlearn": t["optlearn_final"], "numpy": t["numpy_final"],
                       "speedup": t["numpy_final"] / t["optlearn_final"]},
        "sweep_64x64": {"optlearn": sweep_s},
    }  # fmt: skip
    print(f"numba threads {numba.get_num_threads()}; {N} starts x {STEPS} steps, SGD momentum "
          f"on Rosenbrock, float64; median ms (paths and losses agree to {agree:.1e})")
    for name, r in rows.items():
        if "numpy" in r:
            print(f"  {name:11s} optlearn {r['optlearn'] * 1e3:8.1f}   careful NumPy "
                  f"{r['numpy'] * 1e3:8.1f}   speed-up {r['speedup']:5.1f}x")
        else:
            print(f"  {name:11s} optlearn {r['optlearn'] * 1e3:8.1f}   (64 x 64 grid, "
                  f"{STEPS} steps each, paths kept)")
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps({"machine": platform.platform(),
                               "cores": numba.config.NUMBA_NUM_THREADS, "numba": numba.__version__,
                               "numpy": np.__version__, "n_starts": N, "steps": STEPS,
                               "max_abs_difference": agree, "rows": rows}, indent=1))  # fmt: skip
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
