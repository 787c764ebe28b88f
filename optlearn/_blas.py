"""Run BLAS on one thread around the MLP's matrix products, to keep two thread pools apart.

NumPy's BLAS (OpenBLAS) and Numba's parallel kernels (OpenMP) each keep their own worker
threads, which spin for a while after each call. In a training loop the two alternate every
few microseconds (matrix products, then a parallel optimizer step), so on a 2-core machine
each pool's spinning workers starve the other's: measured here, one Adam step of the digits
MLP at width 256 took 8.5 ms instead of 0.2 ms. The MLP's products are small (batch x width),
where a second BLAS thread gains little, so ``MLP`` runs them with BLAS limited to one
thread, restoring the user's setting on return (about 2 us per library and call).
``OMP_WAIT_POLICY=PASSIVE`` would also cure it, but makes every parallel optimizer step
slower (it must wake sleeping threads), and must be set before Numba starts its pool.
"""

from __future__ import annotations

_libs = None  # BLAS libraries whose thread count can be set (found on first use)


def _blas_libs():
    global _libs
    if _libs is None:
        try:
            from threadpoolctl import ThreadpoolController
        except ImportError:  # pragma: no cover - threadpoolctl is a dependency
            _libs = []
        else:
            _libs = [lib for lib in ThreadpoolController().lib_controllers
                     if lib.user_api == "blas"]  # fmt: skip
    return _libs


class single_threaded_blas:  # lower case: used like a function, as threadpool_limits is
    """Context manager: BLAS on one thread inside, the previous thread counts restored after."""

    __slots__ = ("_saved",)

    def __enter__(self):
        saved = []
        for lib in _blas_libs():
            n = lib.get_num_threads()
            if n and n > 1:
                lib.set_num_threads(1)
                saved.append((lib, n))
        self._saved = saved
        return self

    def __exit__(self, *exc):
        for lib, n in self._saved:
            lib.set_num_threads(n)
        return False
