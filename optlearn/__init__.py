"""optlearn: the package that *Optimization in Deep Learning, by Experiment* runs on.

Fused Numba kernels for the optimizers, learning-rate schedules, gradient clipping and small
networks that the book's chapters study, each next to a short NumPy reference that states the
same computation the obvious way. Names, arguments and defaults follow ``torch.optim`` wherever
the concept exists there, so results carry over to PyTorch and can be checked against it.

Importing optlearn compiles nothing: every kernel is compiled on its first call and cached on
disk (``cache=True``), so later processes load it instead of compiling again.
"""

import importlib

__version__ = "0.1.0.dev0"

# Subpackages load on first use (``ol.optim``), so ``import optlearn`` stays cheap.
_SUBMODULES = ("data", "landscape", "nn", "optim", "plotting", "surfaces", "train",
               "trajectories")
_FUNCTIONS = {  # public names that live in private modules
    "gradcheck": "._gradcheck",
    "gradcheck_report": "._gradcheck",
    "GradcheckReport": "._gradcheck",
}

__all__ = ["__version__", *_SUBMODULES, *_FUNCTIONS]


def __getattr__(name):
    if name in _SUBMODULES:
        return importlib.import_module(f"{__name__}.{name}")
    if name in _FUNCTIONS:
        return getattr(importlib.import_module(_FUNCTIONS[name], __name__), name)
    raise AttributeError(f"module 'optlearn' has no attribute {name!r}")


def __dir__():
    return sorted([*globals(), *_SUBMODULES, *_FUNCTIONS])
