"""pytest configuration for ``pytest --nbval book``: the kernels nbval starts compute the same
bits as the ones that executed the stored outputs (see tools/execute_notebooks.py)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools"))
from execute_notebooks import pin_blas_kernels

pin_blas_kernels()
