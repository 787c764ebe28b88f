"""Minibatches: the samples dealt out in batches, in a new random order every epoch.

The NumPy counterpart of ``torch.utils.data.DataLoader`` for arrays held in memory, with its
argument names (``batch_size``, ``shuffle``, ``drop_last``) and behaviour: iterating an
:class:`Batches` object is one epoch, each epoch shuffles anew, and ``len`` is the number of
batches per epoch.
"""

from __future__ import annotations

from .._validation import invalid
from ._checks import check_bool, check_int, check_seed, check_xy

__all__ = ["Batches", "batches"]


class Batches:
    r"""An iterable over minibatches ``(X_batch, y_batch)``; each pass is one epoch.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        The inputs, one row per sample.
    y : array-like of shape (n_samples,) or (n_samples, ...)
        The targets, one per sample.
    batch_size : int
        Samples per batch, >= 1. The last batch of an epoch holds the
        ``n_samples % batch_size`` left over, unless ``drop_last``.
    shuffle : bool, default=True
        Whether to deal the samples in a new random order every epoch; if False they come in
        the order of ``X``.
    seed : int or np.random.Generator, default=0
        Seeds the order. An int makes a generator once, here: successive epochs differ from
        each other, and a new ``Batches`` with the same seed repeats the same sequence of
        epochs. A Generator is used (and advanced) as it is, so one generator can drive a
        whole experiment.
    drop_last : bool, default=False
        Whether to drop the last, smaller batch, so every batch has ``batch_size`` samples.
        (With shuffling, which samples are dropped changes from epoch to epoch.)

    Attributes
    ----------
    X, y : ndarray
        The data, as given (not copied).
    n_samples, batch_size : int
    shuffle, drop_last : bool

    Raises
    ------
    ValueError
        If ``X`` is not 2-D, ``y`` has not one entry per row, there are no samples, an entry is
        NaN or infinite, ``batch_size < 1``, or ``drop_last`` with ``batch_size > n_samples``
        (no batch would be left).
    TypeError
        If an argument is of the wrong type.

    Notes
    -----
    Each epoch draws one permutation of ``range(n_samples)`` when iteration starts and yields
    consecutive slices of it, so every sample appears exactly once per epoch (or at most once
    with ``drop_last``). The number of batches is

    .. math::

        \lceil n / B \rceil \text{ (or } \lfloor n / B \rfloor \text{ with drop\_last)}.

    With ``shuffle=True`` each batch is a new array (fancy indexing copies); with
    ``shuffle=False`` it is a view into ``X`` and ``y``, so writing to it writes to the data.
    The arrays are not copied at construction: changing ``X`` in place changes later batches.

    Examples
    --------
    >>> import numpy as np
    >>> from optlearn.data import Batches
    >>> X, y = np.arange(10.0).reshape(5, 2), np.arange(5)
    >>> loader = Batches(X, y, batch_size=2, shuffle=False)
    >>> len(loader)
    3
    >>> [yb.tolist() for _, yb in loader]
    [[0, 1], [2, 3], [4]]
    >>> [yb.tolist() for _, yb in Batches(X, y, batch_size=2, drop_last=True, seed=1)]
    [[4, 0], [1, 2]]
    """

    def __init__(self, X, y, batch_size, shuffle=True, seed=0, drop_last=False):
        self._setup("Batches", X, y, batch_size, shuffle, seed, drop_last)

    def _setup(self, func, X, y, batch_size, shuffle, seed, drop_last) -> None:
        X, y = check_xy(func, X, y)
        batch_size = check_int(func, "batch_size", batch_size, low=1)
        shuffle = check_bool(func, "shuffle", shuffle)
        rng = check_seed(func, seed)
        drop_last = check_bool(func, "drop_last", drop_last)
        n = len(X)
        if drop_last and batch_size > n:
            raise invalid(func, "batch_size", f"an int <= the number of samples ({n}) when "
                          "drop_last=True", batch_size, "Every batch would be dropped: use a "
                          "smaller batch_size, or drop_last=False to keep the one partial "
                          "batch.")  # fmt: skip
        self.X, self.y = X, y
        self.n_samples = n
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.drop_last = drop_last
        self._rng = rng

    def __len__(self) -> int:
        if self.drop_last:
            return self.n_samples // self.batch_size
        return -(-self.n_samples // self.batch_size)

    def __iter__(self):
        # The order is drawn here, when the epoch starts, not at the first next().
        order = self._rng.permutation(self.n_samples) if self.shuffle else None
        return self._epoch(order)

    def _epoch(self, order):
        X, y, size = self.X, self.y, self.batch_size
        stop = len(self) * size if self.drop_last else self.n_samples
        for start in range(0, stop, size):
            if order is None:
                yield X[start : start + size], y[start : start + size]
            else:
                rows = order[start : start + size]
                yield X[rows], y[rows]

    def __repr__(self) -> str:
        return (f"Batches(n_samples={self.n_samples}, batch_size={self.batch_size}, "
                f"shuffle={self.shuffle}, drop_last={self.drop_last})")  # fmt: skip


def batches(X, y, batch_size, shuffle=True, seed=0, drop_last=False) -> Batches:
    """Minibatches of ``(X, y)``, reshuffled every epoch: the same as ``Batches(...)``.

    Parameters
    ----------
    X, y, batch_size, shuffle, seed, drop_last
        As in :class:`Batches`.

    Returns
    -------
    Batches
        Iterate it once per epoch; ``len`` is the number of batches per epoch.

    Raises
    ------
    ValueError, TypeError
        As :class:`Batches` does, naming ``batches`` in the message.

    Examples
    --------
    >>> import numpy as np
    >>> from optlearn.data import batches
    >>> X, y = np.zeros((10, 3)), np.zeros(10)
    >>> loader = batches(X, y, batch_size=4)
    >>> for epoch in range(2):
    ...     print([len(xb) for xb, yb in loader])
    [4, 4, 2]
    [4, 4, 2]
    """
    loader = Batches.__new__(Batches)
    loader._setup("batches", X, y, batch_size, shuffle, seed, drop_last)
    return loader
