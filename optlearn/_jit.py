"""The project's one Numba decorator, so that every kernel is compiled the same way.

Each option is deliberate:

- ``nopython=True``: never fall back to object mode; a kernel that cannot compile is a bug.
- ``cache=True``: the machine code is written next to the source (``__pycache__``) on the
  first call, so notebooks, tests and later sessions load it instead of recompiling.
- ``error_model="numpy"``: division by zero gives inf/nan as in NumPy instead of raising.
  Numba's default ("python") inserts a zero check into every division, which stops a
  serial loop from vectorising (about 5x slower on an Adam step, measured on these machines).
- ``fastmath=False``: reassociation would make kernels differ from their NumPy references
  beyond round-off, and the tests assert that they agree to ``rtol=1e-12`` in float64.
  The one exception is ``reassoc=True`` for reductions (sums for gradient norms): a sum has
  no order that is "the" right one (NumPy sums pairwise, torch in vector lanes), and without
  reassociation LLVM must add one element at a time, measured 7x slower than with it
  (95 us against 13 us for 1e5 float32 squares). Only the ``reassoc`` flag is set: no
  assumptions about NaN, Inf or signed zeros, so those still propagate as in NumPy.
- ``nogil=True``: kernels release the GIL, so Python threads can run them concurrently
  (the asynchronous-training chapter relies on this).
- ``parallel``: off by default. Turn it on only for kernels whose benchmark shows a gain,
  and only above the size threshold that benchmark found; say the threshold beside the kernel.

No signatures are given, so nothing compiles when a module is imported; the first call
compiles (or loads from the cache) the specialisation it needs.
"""

import numba

__all__ = ["jit"]

_OPTIONS = {
    "nopython": True,
    "cache": True,
    "error_model": "numpy",
    "fastmath": False,
    "nogil": True,
}


def jit(func=None, *, parallel=False, reassoc=False, inline=False):
    """Compile ``func`` with the project's Numba options (lazily, on first call).

    Use as ``@jit``, ``@jit(parallel=True)`` or, for reductions only, ``@jit(reassoc=True)``.
    ``inline=True`` inlines the function into its callers at Numba's level, so that arguments
    that are constants at a call site (a surface's kind, a flag) fold away and each call site
    gets its own branch-free loop.
    """
    options = dict(_OPTIONS, parallel=parallel)
    if inline:
        options["inline"] = "always"
    if reassoc:
        options["fastmath"] = {"reassoc"}
    if func is None:
        return lambda f: numba.jit(**options)(f)
    return numba.jit(**options)(func)
