"""The handwritten digits that ship with scikit-learn, split and standardized for training.

1797 grey-scale images of 8 x 8 pixels (values 0 to 16), flattened to 64 features, labels 0 to
9: small enough that a network trains on it in seconds on a laptop, real enough that
optimizers differ. Read from the copy bundled with scikit-learn, so no network is needed;
scikit-learn is imported on the first call only, so ``import optlearn.data`` stays cheap.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence

import numpy as np

from .._validation import check_real, invalid
from ._checks import check_bool, check_float_dtype, check_seed
from ._types import Dataset, Split

__all__ = ["load_digits"]

_SPLIT_NAMES = ("train", "val", "test")


@functools.lru_cache(maxsize=1)
def _raw_digits() -> tuple[np.ndarray, np.ndarray]:
    """The 1797 x 64 pixels (float64) and labels (int64), read once per process, read-only."""
    try:
        from sklearn.datasets import load_digits as sklearn_load_digits
    except ImportError as e:
        raise ImportError(
            "load_digits reads the digits bundled with scikit-learn, which is not installed. "
            "Install it with 'pip install scikit-learn' (it is in optlearn's 'book' extra)."
        ) from e
    bunch = sklearn_load_digits()
    X = np.ascontiguousarray(bunch.data, dtype=np.float64)
    y = np.ascontiguousarray(bunch.target, dtype=np.int64)
    X.flags.writeable = False  # shared by every call: nothing may write to it
    y.flags.writeable = False
    return X, y


def _check_fractions(func: str, split) -> tuple[float, ...]:
    fix = "Pass (train, val, test), e.g. (0.6, 0.2, 0.2), or (train, test) for no validation set."
    if isinstance(split, str | bytes | np.ndarray) or not isinstance(split, Sequence):
        raise invalid(func, "split", "a tuple of 2 or 3 fractions", split, fix, exc=TypeError)
    if len(split) not in (2, 3):
        raise invalid(func, "split", "a tuple of 2 or 3 fractions", tuple(split), fix)
    fractions = tuple(check_real(func, f"split[{i}]", f, low=0, high=1, low_open=True,
                                 high_open=True) for i, f in enumerate(split))  # fmt: skip
    total = sum(fractions)
    if abs(total - 1.0) > 1e-9:
        raise invalid(func, "split", "fractions that sum to 1 (within 1e-9)",
                      f"{tuple(split)}, which sums to {total:.12g}",
                      "Divide each fraction by their sum.")  # fmt: skip
    return fractions


def _stratified_counts(class_sizes: np.ndarray, fractions: tuple[float, ...]) -> np.ndarray:
    """How many samples of each class go to each split: an int array (n_classes, n_splits).

    Each count is the ideal ``class_size * fraction`` rounded down or up, so every class's
    share of every split is within one sample of exact. Which counts are rounded up is chosen
    class by class, giving the extra samples to the splits whose running totals lag furthest
    behind their ideal, so the split sizes also stay within one sample of exact. (For 2 or 3
    splits each running lag stays in (-1, 1): the lags sum to 0, and one that reaches 1 is
    among the ``short`` largest, so it is rounded up; the tests also check it by search.)
    """
    # Rounded to 9 decimals first, so 100 * 0.29 = 28.999999999999996 counts as 29.
    ideal = np.round(np.outer(class_sizes, fractions), 9)
    counts = np.floor(ideal).astype(np.int64)
    lag = np.zeros(len(fractions))  # ideal minus assigned, summed over the classes so far
    for c in range(len(class_sizes)):
        lag += ideal[c] - counts[c]
        short = int(class_sizes[c] - counts[c].sum())
        if short:
            candidates = ideal[c] > counts[c]  # rounding these up keeps them within one
            key = np.where(candidates, lag, -np.inf)
            up = np.argsort(-key, kind="stable")[:short]
            counts[c, up] += 1
            lag[up] -= 1
    return counts


def load_digits(split=(0.6, 0.2, 0.2), standardize=True, seed=0, dtype=np.float32) -> Dataset:
    r"""The handwritten digits, split into stratified train/val/test sets and standardized.

    Parameters
    ----------
    split : tuple of 3 floats or tuple of 2 floats, default=(0.6, 0.2, 0.2)
        Fractions ``(train, val, test)`` of the 1797 samples, each in (0, 1), summing to 1
        within 1e-9. A pair ``(train, test)`` gives no validation set (``val`` is None).
    standardize : bool, default=True
        Whether to standardize every feature with the training split's statistics:

        .. math::

            x_{ij} \leftarrow \frac{x_{ij} - \mu_j}{\sigma_j},
            \qquad \mu_j, \sigma_j \text{ over the training rows only,}

        with :math:`\sigma_j = 1` for features that are constant on the training split (three
        border pixels are always 0). ``mean`` and ``std`` are kept on the result.
    seed : int or np.random.Generator, default=0
        Seeds the split: the same int gives the same split on every run and machine. A
        Generator is used (and advanced) as it is.
    dtype : {np.float32, np.float64}, default=np.float32
        The dtype of ``X`` in every split. Labels are always ``int64``.

    Returns
    -------
    Dataset
        ``train``, ``val`` and ``test`` (each a :class:`Split`: ``X, y = ds.train``), with
        ``n_classes=10``, ``n_features=64``, and the ``mean`` and ``std`` used (None if not
        standardized); ``ds.transform(X_new)`` prepares new raw samples the same way.

    Raises
    ------
    ValueError
        If ``split`` does not hold 2 or 3 fractions in (0, 1) summing to 1, or leaves a split
        without samples, or ``seed`` is negative, or ``dtype`` is not float32 or float64.
    TypeError
        If an argument is of the wrong type.
    ImportError
        If scikit-learn is not installed.

    Notes
    -----
    Stratified: each class is shuffled and dealt to the splits in the given proportions, so
    every class's share of every split is within one sample of exact (the classes hold 174 to
    183 samples each), and the split sizes are within one sample of ``1797 * fraction``.
    Each split's rows are then shuffled, so they are not sorted by class. The statistics come
    from the training split alone: using all rows would leak information about the
    validation and test sets into training.

    The data are the test set of the UCI "Optical Recognition of Handwritten Digits" data
    (Alpaydin and Kaynak, 1998), as bundled with scikit-learn.

    References
    ----------
    .. [1] E. Alpaydin and C. Kaynak, "Optical Recognition of Handwritten Digits", UCI Machine
       Learning Repository, 1998. https://doi.org/10.24432/C50P49

    Examples
    --------
    >>> from optlearn.data import load_digits
    >>> ds = load_digits(seed=0)
    >>> ds
    Dataset('digits', train=1078, val=360, test=359, n_classes=10, n_features=64, dtype=float32, standardized=True)
    >>> X, y = ds.train
    >>> X.shape, X.dtype, y.dtype
    ((1078, 64), dtype('float32'), dtype('int64'))
    >>> load_digits(split=(0.8, 0.2)).val is None
    True
    """  # noqa: E501
    func = "load_digits"
    fractions = _check_fractions(func, split)
    standardize = check_bool(func, "standardize", standardize)
    rng = check_seed(func, seed)
    dtype = check_float_dtype(func, dtype)

    X, y = _raw_digits()
    n_classes = int(y.max()) + 1
    counts = _stratified_counts(np.bincount(y, minlength=n_classes), fractions)
    names = _SPLIT_NAMES if len(fractions) == 3 else ("train", "test")
    empty = [name for name, size in zip(names, counts.sum(axis=0), strict=True) if size == 0]
    if empty:
        raise invalid(func, "split", "fractions that leave at least one sample in every split",
                      tuple(split), f"The {' and '.join(empty)} split"
                      f"{' would' if len(empty) == 1 else 's would'} be empty: make "
                      f"{'its fraction' if len(empty) == 1 else 'their fractions'} "
                      "larger.")  # fmt: skip

    parts = [[] for _ in fractions]
    for c in range(n_classes):
        rows = rng.permutation(np.flatnonzero(y == c))
        for k, chunk in enumerate(np.split(rows, np.cumsum(counts[c])[:-1])):
            parts[k].append(chunk)
    index = [rng.permutation(np.concatenate(p)) for p in parts]

    mean = std = None
    if standardize:
        train = X[index[0]]
        mean = train.mean(axis=0)
        std = train.std(axis=0)
        std[std == 0] = 1.0
    splits = []
    for rows in index:
        Xs = X[rows]
        if standardize:
            Xs = (Xs - mean) / std
        splits.append(Split(Xs.astype(dtype), y[rows].copy()))
    if len(splits) == 2:
        splits.insert(1, None)
    return Dataset("digits", *splits, n_classes=n_classes, n_features=X.shape[1], mean=mean,
                   std=std)  # fmt: skip
