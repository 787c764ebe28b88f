"""One optimizer step: optlearn vs NumPy vs torch.optim, against the memory-bandwidth bound.

For N float32 parameters (1e3 ... 1e7) and SGD with momentum, Adam and AdamW, time one whole
step (Python wrapper included) of

- optlearn (fused Numba kernel, parallel above optim._kernels.PARALLEL_THRESHOLD),
- plain NumPy, written as a student writes it (temporaries everywhere),
- careful NumPy (in-place ufuncs with ``out=``, one scratch array),
- torch.optim with ``foreach=True`` and with ``fused=True`` (where the CPU build supports it),

and a STREAM triad ``a = b + s c`` (Numba, parallel) in the same run: its bytes per second are
the memory-bandwidth bound that a step moving the same bytes cannot beat. Bytes are counted as
they actually cross the memory bus, the same way for every kernel: SGD-momentum reads p, g,
buf and writes p, buf (5 arrays); Adam/AdamW read p, g, m, v and write p, m, v (7). The triad
reads b and c and writes a, but a write-back cache first reads each line of ``a`` that it
writes (write-allocate), so the triad moves 4 arrays, not the 3 that STREAM reports. Measured
here: at N = 1e7 the triad takes 1.35x as long as the in-place ``a = a + s c``, which moves 3.
Counting 3 would understate the triad's bandwidth by a quarter and flatter every "% of triad"
figure. The optimizers write only arrays they have just read, so they pay no write-allocate.
Every timing is the median over repeats after warm-up (compile time excluded), taken in
interleaved rounds so that all contenders see the same machine. These machines
are shared and their bandwidth varies between runs, so only ratios within one run mean
anything.

Writes the table to benchmarks/results/optim.json.
"""

from __future__ import annotations

import json
import platform
import statistics
import time
from pathlib import Path

import numba
import numpy as np

import optlearn as ol
from optlearn._jit import jit

try:
    import torch
except ImportError:  # the benchmark still runs, without the torch columns
    torch = None

SIZES = [10**3, 10**4, 10**5, 10**6, 10**7]
ARRAYS_MOVED = {"SGD-momentum": 5, "Adam": 7, "AdamW": 7}
TRIAD_ARRAYS_MOVED = 4  # read b, c; read a's lines (write-allocate), write a
LR, MOMENTUM, BETAS, EPS, WD = 1e-3, 0.9, (0.9, 0.999), 1e-8, 1e-2
OUT = Path(__file__).resolve().parent / "results" / "optim.json"


@jit(parallel=True)
def _triad(a, b, c, s):
    for i in numba.prange(a.size):
        a[i] = b[i] + s * c[i]


def compare(fns: dict, n: int, before: dict | None = None) -> dict:
    """Median seconds per call of each fn(), measured in interleaved rounds.

    Each round times one batch (sized to take ~20 ms) of every contender in turn, so that the
    drift of a shared machine's speed over the run hits all of them alike and the ratios
    between them stay meaningful. ``before[name]()``, if given, runs untimed before each of
    that contender's batches (e.g. to set torch's thread count).
    """
    before = before or {}
    per_batch = {}
    for name, fn in fns.items():
        before.get(name, lambda: None)()
        for _ in range(3):
            fn()  # warm-up: compilation, caches, page faults
        start = time.perf_counter()
        fn()
        per_batch[name] = max(1, int(0.02 / max(time.perf_counter() - start, 1e-7)))
    samples = {name: [] for name in fns}
    for _ in range(15 if n >= 10**6 else 25):
        for name, fn in fns.items():
            before.get(name, lambda: None)()
            start = time.perf_counter()
            for _ in range(per_batch[name]):
                fn()
            samples[name].append((time.perf_counter() - start) / per_batch[name])
    return {name: statistics.median(x) for name, x in samples.items()}


# --- the contenders ----------------------------------------------------------------------------
def optlearn_step(rule, p, g):
    if rule == "SGD-momentum":
        opt = ol.optim.SGD([p], lr=LR, momentum=MOMENTUM)
    else:
        opt = getattr(ol.optim, rule)([p], lr=LR, betas=BETAS, eps=EPS,
                                      weight_decay=WD if rule == "AdamW" else 0.0)  # fmt: skip
    grads = [g]
    return lambda: opt.step(grads)


def numpy_plain_step(rule, p, g):
    state = {"t": 0, "m": np.zeros_like(p), "v": np.zeros_like(p), "buf": np.zeros_like(p)}

    def sgd():
        state["buf"] = MOMENTUM * state["buf"] + g
        p[...] = p - LR * state["buf"]

    def adam():
        b1, b2 = BETAS
        state["t"] += 1
        t = state["t"]
        if rule == "AdamW":
            p[...] = p * (1 - LR * WD)
        state["m"] = b1 * state["m"] + (1 - b1) * g
        state["v"] = b2 * state["v"] + (1 - b2) * g**2
        m_hat = state["m"] / (1 - b1**t)
        v_hat = state["v"] / (1 - b2**t)
        p[...] = p - LR * m_hat / (np.sqrt(v_hat) + EPS)

    return sgd if rule == "SGD-momentum" else adam


def numpy_careful_step(rule, p, g):
    m, v, buf, tmp = (np.zeros_like(p) for _ in range(4))
    state = {"t": 0}

    # In-place ufuncs (out=...) only: no temporaries beyond the one scratch array.
    def sgd():
        np.multiply(buf, MOMENTUM, out=buf)
        np.add(buf, g, out=buf)
        np.multiply(buf, -LR, out=tmp)
        np.add(p, tmp, out=p)

    def adam():
        b1, b2 = BETAS
        state["t"] += 1
        t = state["t"]
        if rule == "AdamW":
            np.multiply(p, 1 - LR * WD, out=p)
        np.multiply(m, b1, out=m)
        np.multiply(g, 1 - b1, out=tmp)
        np.add(m, tmp, out=m)
        np.multiply(v, b2, out=v)
        np.multiply(g, g, out=tmp)
        np.multiply(tmp, 1 - b2, out=tmp)
        np.add(v, tmp, out=v)
        np.sqrt(v, out=tmp)
        np.multiply(tmp, 1 / np.sqrt(1 - b2**t), out=tmp)
        np.add(tmp, EPS, out=tmp)
        np.divide(m, tmp, out=tmp)
        np.multiply(tmp, -LR / (1 - b1**t), out=tmp)
        np.add(p, tmp, out=p)

    return sgd if rule == "SGD-momentum" else adam


def torch_step(rule, p, g, mode):
    tp = torch.from_numpy(p.copy()).requires_grad_()
    tp.grad = torch.from_numpy(g.copy())
    kwargs = {mode: True}
    if rule == "SGD-momentum":
        opt = torch.optim.SGD([tp], lr=LR, momentum=MOMENTUM, **kwargs)
    else:
        wd = WD if rule == "AdamW" else 0.0
        opt = getattr(torch.optim, rule)([tp], lr=LR, betas=BETAS, eps=EPS, weight_decay=wd,
                                         **kwargs)  # fmt: skip
    opt.step()  # raises here if this mode does not run on the CPU
    return opt.step


def parallel_crossover(rng) -> list[dict]:
    """Serial vs prange Adam loop by size: the basis of _kernels.PARALLEL_THRESHOLD."""
    from optlearn.optim import _kernels as K

    rows = []
    print("Adam kernel, serial vs parallel loop (median us):")
    for n in [2**k for k in range(12, 22)]:
        p, g = rng.standard_normal(n).astype(np.float32), rng.standard_normal(n).astype(np.float32)
        m, v = np.zeros_like(p), np.zeros_like(p)
        args = (p, g, m, v, v, LR, *BETAS, EPS, 0.0, False, 3.0, False, False)
        times = compare({"serial": lambda args=args: K.adam_serial(*args),
                         "parallel": lambda args=args: K.adam_parallel(*args)}, n)  # fmt: skip
        rows.append({"n": n, **times})
        print(f"  n = 2^{n.bit_length() - 1:<3d} serial {times['serial'] * 1e6:9.1f}  parallel "
              f"{times['parallel'] * 1e6:9.1f}  speed-up {times['serial'] / times['parallel']:.2f}")
    return rows


def main() -> None:
    rng = np.random.default_rng(0)
    crossover = parallel_crossover(rng)
    rows = []
    print(f"numba threads {numba.get_num_threads()}, torch "
          f"{torch.__version__ if torch else 'absent'} threads "
          f"{torch.get_num_threads() if torch else '-'}; float32; median us per step")  # fmt: skip
    header = (f"{'rule':13s} {'N':>9s} {'optlearn':>9s} {'np-plain':>9s} {'np-careful':>10s} "
              f"{'t-foreach':>9s} {'t-fused':>9s} {'triad':>9s} {'GB/s':>6s} {'%triad':>6s} "
              f"{'xplain':>6s} {'xcareful':>8s} {'xtorch':>6s}")  # fmt: skip
    print(header)
    for n in SIZES:
        a, b, c = (rng.standard_normal(n).astype(np.float32) for _ in range(3))
        for rule, arrays in ARRAYS_MOVED.items():
            p = rng.standard_normal(n).astype(np.float32)
            g = (rng.standard_normal(n) * 1e-2).astype(np.float32)
            fns = {
                "optlearn": optlearn_step(rule, p.copy(), g),
                "numpy_plain": numpy_plain_step(rule, p.copy(), g),
                "numpy_careful": numpy_careful_step(rule, p.copy(), g),
            }
            for mode in ("foreach", "fused"):
                if torch is not None:
                    try:
                        fns[f"torch_{mode}"] = torch_step(rule, p, g, mode)
                    except (RuntimeError, TypeError, ValueError):
                        pass  # this mode does not run on the CPU
            fns["triad"] = lambda a=a, b=b, c=c: _triad(a, b, c, np.float32(0.5))
            t = compare(fns, n)
            triad_s = t.pop("triad")
            triad_gbs = TRIAD_ARRAYS_MOVED * 4 * n / triad_s / 1e9
            for mode in ("foreach", "fused"):
                t.setdefault(f"torch_{mode}", None)
            gbs = arrays * 4 * n / t["optlearn"] / 1e9
            torch_best = min((v for k, v in t.items() if k.startswith("torch") and v), default=None)
            row = {
                "rule": rule, "n": n, "seconds": t, "triad_seconds": triad_s,
                "optlearn_GBps": gbs, "triad_GBps": triad_gbs,
                "fraction_of_triad": gbs / triad_gbs,
                "speedup_vs_numpy_plain": t["numpy_plain"] / t["optlearn"],
                "speedup_vs_numpy_careful": t["numpy_careful"] / t["optlearn"],
                "speedup_vs_torch_best": torch_best / t["optlearn"] if torch_best else None,
            }  # fmt: skip
            rows.append(row)

            def us(x):
                return f"{x * 1e6:9.1f}" if x else f"{'-':>9s}"

            xt = f"{row['speedup_vs_torch_best']:6.2f}" if torch_best else f"{'-':>6s}"
            print(f"{rule:13s} {n:9d} {us(t['optlearn'])} {us(t['numpy_plain'])} "
                  f"{us(t['numpy_careful']):>10s} {us(t['torch_foreach'])} {us(t['torch_fused'])} "
                  f"{us(triad_s)} {gbs:6.1f} {100 * row['fraction_of_triad']:6.0f} "
                  f"{row['speedup_vs_numpy_plain']:6.1f} {row['speedup_vs_numpy_careful']:8.1f} "
                  f"{xt}", flush=True)  # fmt: skip
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps({
        "machine": platform.platform(), "cores": numba.config.NUMBA_NUM_THREADS,
        "numba": numba.__version__, "numpy": np.__version__,
        "torch": torch.__version__ if torch else None,
        "parallel_threshold": ol.optim._kernels.PARALLEL_THRESHOLD,
        "parallel_crossover": crossover, "rows": rows,
    }, indent=1))  # fmt: skip
    print(f"wrote {OUT.relative_to(Path.cwd()) if OUT.is_relative_to(Path.cwd()) else OUT}")


if __name__ == "__main__":
    main()
