"""How much ``import optlearn`` adds to ``import numba`` (the bar: < 0.1 s, DESIGN.md).

Each sample is a fresh interpreter that imports numba, then optlearn, timing both with
perf_counter; we report medians over the samples (these machines are shared and noisy).
"""

import json
import statistics
import subprocess
import sys

PROBE = """
import json, time
t0 = time.perf_counter(); import numba
t1 = time.perf_counter(); import optlearn
t2 = time.perf_counter()
print(json.dumps([t1 - t0, t2 - t1]))
"""


def main(samples: int = 15) -> None:
    numba_s, optlearn_s = [], []
    for _ in range(samples):
        out = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True)
        a, b = json.loads(out.stdout)
        numba_s.append(a)
        optlearn_s.append(b)
    med_numba, med_ol = statistics.median(numba_s), statistics.median(optlearn_s)
    print(f"samples: {samples} fresh interpreters")
    print(f"import numba            median {med_numba * 1e3:8.1f} ms")
    print(f"import optlearn (extra) median {med_ol * 1e3:8.1f} ms   "
          f"max {max(optlearn_s) * 1e3:.1f} ms   ratio to numba {med_ol / med_numba:.3f}")


if __name__ == "__main__":
    main()
