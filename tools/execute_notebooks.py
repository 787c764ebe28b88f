"""Re-execute the book's notebooks in place, in ``_toc.yml`` order (``make execute``).

Each notebook runs top to bottom in a fresh kernel started from this Python (the project's
virtual environment), with the notebook's folder as working directory. Execution timing
metadata is not recorded, so a re-run changes only what really changed.

After running, a notebook is refused (and left unwritten) if any cell wrote to stderr or
raised: warnings on stderr (Numba's carry the kernel's PID and absolute paths) must be fixed
at their source, not stored for readers and nbval to see.

Usage: python tools/execute_notebooks.py [NOTEBOOK ...]   (default: every notebook in the toc)
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from pathlib import Path

import nbformat
import yaml
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]


def pin_blas_kernels() -> None:
    """Make OpenBLAS use the same kernels on every x86-64 machine with AVX2 (for kernels started
    from now on, which inherit the environment).

    OpenBLAS picks its matrix-multiply kernels by CPU: on an AVX-512 Xeon its SkylakeX kernels
    add in another order than the Haswell kernels it runs on AVX2 machines (AMD Zen included),
    so products differ in the last bits. Most outputs do not notice; a diverging run or a deep
    network trained for a few epochs amplifies the difference into other printed digits, and a
    notebook executed on one kind of machine then fails nbval on the other. Haswell's kernels
    run on both, so the stored outputs and CI's agree. Set OPENBLAS_CORETYPE yourself to
    override; machines without AVX2 (or not x86) keep OpenBLAS's own choice.
    """
    if platform.machine().lower() not in ("x86_64", "amd64"):
        return
    try:
        flags = Path("/proc/cpuinfo").read_text()
    except OSError:
        return
    if " avx2" in flags:
        os.environ.setdefault("OPENBLAS_CORETYPE", "Haswell")


def toc_files(toc_path: Path = ROOT / "_toc.yml") -> list[Path]:
    """Every file named in the table of contents, in reading order (root first)."""
    toc = yaml.safe_load(toc_path.read_text())
    out = [toc["root"]]

    def walk(node):
        if isinstance(node, dict):
            if "file" in node:
                out.append(node["file"])
            for key in ("parts", "chapters", "sections"):
                for child in node.get(key, []):
                    walk(child)
        elif isinstance(node, list):
            for child in node:
                walk(child)

    walk({k: v for k, v in toc.items() if k != "root"})
    paths = []
    for name in out:
        for suffix in (".ipynb", ".md"):
            path = ROOT / f"{name}{suffix}"
            if path.exists():
                paths.append(path)
                break
        else:
            raise FileNotFoundError(f"_toc.yml names {name!r}, but no {name}.ipynb or .md exists")
    return paths


def problems(nb) -> list[str]:
    """Outputs that must not be stored: stderr streams and errors."""
    found = []
    for i, cell in enumerate(nb.cells):
        for out in cell.get("outputs", []):
            if out.get("output_type") == "stream" and out.get("name") == "stderr":
                found.append(f"cell {i} wrote to stderr: {''.join(out['text'])[:200]!r}")
            elif out.get("output_type") == "error":
                found.append(f"cell {i} raised {out.get('ename')}: {out.get('evalue')}")
    return found


def execute(path: Path, timeout: int = 600) -> None:
    nb = nbformat.read(path, as_version=4)
    kernel = nb.metadata.get("kernelspec", {}).get("name", "python3")
    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name=kernel,
        record_timing=False,
        resources={"metadata": {"path": str(path.parent)}},
    )
    start = time.perf_counter()
    client.execute()
    bad = problems(nb)
    if bad:
        raise SystemExit(f"{path}: not written, fix these first:\n  " + "\n  ".join(bad))
    nbformat.write(nb, path)
    print(f"executed {path.relative_to(ROOT)} in {time.perf_counter() - start:.1f} s")


def main(argv: list[str] | None = None) -> int:
    pin_blas_kernels()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path)
    args = parser.parse_args(argv)
    paths = [p.resolve() for p in args.notebooks] or [
        p for p in toc_files() if p.suffix == ".ipynb"
    ]
    for path in paths:
        execute(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
