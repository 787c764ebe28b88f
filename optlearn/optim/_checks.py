"""Hyper-parameter checks shared by the optimizers, with torch's message prefixes.

Each raises ``ValueError("Invalid <what>: <value> (<valid range>)")``: torch's wording first,
so a message reads the same as in PyTorch, then the range that would have been accepted.
"""

import math
from numbers import Real


def _is_real(x) -> bool:
    return isinstance(x, Real) and not isinstance(x, bool)


def check_nonneg(what: str, name: str, value) -> None:
    """A finite real >= 0 (lr, eps, weight_decay, momentum, ...)."""
    if not _is_real(value) or not math.isfinite(value) or value < 0:
        raise ValueError(f"Invalid {what}: {value} ({name} must be a finite float >= 0)")


def check_unit(what: str, name: str, value, *, closed: bool = False) -> None:
    """A real in [0, 1) (betas, alpha, rho), or [0, 1] if ``closed``."""
    ok = _is_real(value) and 0 <= value and (value <= 1 if closed else value < 1)
    if not ok:
        end = "]" if closed else ")"
        raise ValueError(f"Invalid {what}: {value} ({name} must be in [0, 1{end})")


def check_betas(betas) -> None:
    if not isinstance(betas, tuple | list) or len(betas) != 2:
        raise ValueError(f"Invalid betas: {betas!r} (betas must be a pair (beta1, beta2))")
    check_unit("beta parameter at index 0", "betas[0]", betas[0])
    check_unit("beta parameter at index 1", "betas[1]", betas[1])


def check_bool(name: str, value) -> None:
    if not isinstance(value, bool):
        raise TypeError(f"Invalid {name}: {value!r} ({name} must be True or False)")
