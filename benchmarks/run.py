"""Run every benchmark in this folder, one after another (``make bench``).

Benchmarks never run in parallel: the machines have 2 cores and a second benchmark would
distort the first. Each ``bench_*.py`` is a script that prints its own table of medians and
same-run ratios. Pass names to run a subset: ``python benchmarks/run.py import``.
"""

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main(names: list[str]) -> int:
    every = sorted(HERE.glob("bench_*.py"))
    scripts = [s for s in every if not names or s.stem.removeprefix("bench_") in names]
    if not scripts:
        known = ", ".join(s.stem.removeprefix("bench_") for s in every)
        print(f"No benchmark named {names}; known: {known}.")
        return 2
    status = 0
    for script in scripts:
        print(f"\n== {script.name}", flush=True)
        status |= subprocess.run([sys.executable, str(script)]).returncode
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
