"""What the data functions return: a ``Split`` (X, y), its variants that carry the true
parameters of a synthetic set, and a ``Dataset`` of train/val/test splits."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._validation import invalid
from ._checks import check_finite, check_xy

__all__ = ["BlobsSplit", "Dataset", "RegressionSplit", "Split"]


def _describe(a: np.ndarray) -> str:
    return f"{a.dtype}{list(a.shape)}"


@dataclass(frozen=True, eq=False, repr=False)
class Split:
    """Samples ``X`` and their targets ``y``: unpacks as ``X, y = split``; ``len`` counts samples.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_features)
        The inputs, one row per sample.
    y : ndarray of shape (n_samples,) or (n_samples, ...)
        The targets: class labels (``int64``) or real values.

    Raises
    ------
    ValueError
        If ``X`` is not 2-D, ``y`` has not one entry per row of ``X``, there are no samples,
        or an entry is NaN or infinite. ``TypeError`` if either is not numeric.

    Notes
    -----
    Iterating yields ``X`` then ``y`` (so ``X, y = split`` works), while ``len(split)`` is the
    number of samples, not 2: a ``Split`` is a pair of arrays to unpack, not a tuple to index.
    Equality is identity (arrays have no single truth value); compare ``X`` and ``y`` instead.

    Examples
    --------
    >>> import numpy as np
    >>> s = Split(np.zeros((3, 2)), np.array([0, 1, 1]))
    >>> X, y = s
    >>> len(s), X.shape
    (3, (3, 2))
    >>> s
    Split(X=float64[3, 2], y=int64[3])
    """

    X: np.ndarray
    y: np.ndarray

    def __post_init__(self):
        X, y = check_xy(type(self).__name__, self.X, self.y)
        object.__setattr__(self, "X", X)
        object.__setattr__(self, "y", y)

    def __iter__(self):
        yield self.X
        yield self.y

    def __len__(self) -> int:
        return len(self.X)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(X={_describe(self.X)}, y={_describe(self.y)}{self._extra()})"

    def _extra(self) -> str:
        return ""


@dataclass(frozen=True, eq=False, repr=False)
class RegressionSplit(Split):
    """A regression ``Split`` that also carries the true parameters it was drawn from.

    The noiseless targets are ``features @ coef + bias``, where ``features`` is ``X`` itself
    for :func:`linear_regression` and the powers ``[1, x, x**2, ...]`` of ``x = X[:, 0]`` for
    :func:`polynomial_regression` (whose constant term is ``coef[0]``, so ``bias`` is 0.0).

    Parameters
    ----------
    X, y : ndarray
        As in :class:`Split`.
    coef : ndarray of shape (n_coef,), float64
        The true coefficients.
    bias : float
        The true intercept.

    Examples
    --------
    >>> import numpy as np
    >>> from optlearn.data import linear_regression
    >>> data = linear_regression(n=4, d=2, noise=0.0, bias=1.0)
    >>> X, y = data  # unpacks like any Split; the truth is in the attributes
    >>> bool(np.allclose(X @ data.coef + data.bias, y))
    True
    """

    coef: np.ndarray
    bias: float = 0.0

    def _extra(self) -> str:
        return f", coef={np.array2string(self.coef, precision=3)}, bias={self.bias:g}"


@dataclass(frozen=True, eq=False, repr=False)
class BlobsSplit(Split):
    """A ``Split`` from :func:`gaussian_blobs` that also carries the blob centers.

    Parameters
    ----------
    X, y : ndarray
        As in :class:`Split`; ``y[i]`` is the row of ``centers`` that sample ``i`` was drawn
        around.
    centers : ndarray of shape (n_centers, n_features), float64
        The true centers.

    Examples
    --------
    >>> from optlearn.data import gaussian_blobs
    >>> gaussian_blobs(n=10, centers=2)
    BlobsSplit(X=float64[10, 2], y=int64[10], centers=float64[2, 2])
    """

    centers: np.ndarray

    def _extra(self) -> str:
        return f", centers={_describe(self.centers)}"


@dataclass(frozen=True, eq=False, repr=False)
class Dataset:
    """A data set split into train, validation and test sets, as :func:`load_digits` returns it.

    Not torch's ``Dataset`` (an indexable sequence of samples): a bundle of three
    :class:`Split` objects and what is needed to prepare new data the same way.

    Parameters
    ----------
    name : str
        The data set's name, for ``repr``.
    train, test : Split
        The training and test samples.
    val : Split or None
        The validation samples; None when no validation split was asked for.
    n_classes : int
        Number of classes (labels are ``0 .. n_classes - 1``).
    n_features : int
        Number of columns of ``X``.
    mean, std : ndarray of shape (n_features,), float64, or None
        The per-feature statistics of the *training* split that every split was standardized
        with (``std`` is 1 where the training split is constant); None if not standardized.

    Examples
    --------
    >>> from optlearn.data import load_digits
    >>> ds = load_digits()
    >>> X_train, y_train = ds.train
    >>> new = ds.transform(X_train[:2] * ds.std + ds.mean)  # raw pixels -> standardized
    >>> bool(abs(new - X_train[:2]).max() < 1e-5)
    True
    """

    name: str
    train: Split
    val: Split | None
    test: Split
    n_classes: int
    n_features: int
    mean: np.ndarray | None = None
    std: np.ndarray | None = None

    @property
    def standardized(self) -> bool:
        """Whether the splits were standardized with ``mean`` and ``std``."""
        return self.mean is not None

    def transform(self, X) -> np.ndarray:
        """Prepare new raw samples as the splits were prepared.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Raw samples (for the digits: pixel values 0 to 16).

        Returns
        -------
        ndarray of shape (n_samples, n_features)
            ``(X - mean) / std``, or ``X`` unchanged if not standardized, as a new array of
            the splits' dtype.

        Raises
        ------
        ValueError
            If ``X`` is not 2-D with ``n_features`` columns, or holds NaN or inf.
        TypeError
            If ``X`` is not numeric.
        """
        func = f"{type(self).__name__}.transform"
        X = np.asarray(X)
        if X.dtype.kind not in "biuf":
            raise invalid(func, "X", "a numeric array", f"dtype {X.dtype}", exc=TypeError)
        if X.ndim != 2 or X.shape[1] != self.n_features:
            raise invalid(func, "X", f"a 2-D array with {self.n_features} columns",
                          f"an array of shape {X.shape}",
                          f"For a single sample use x.reshape(1, {self.n_features}).")  # fmt: skip
        check_finite(func, "X", X)
        X = X.astype(np.float64, copy=False)
        if self.standardized:
            X = (X - self.mean) / self.std
        return X.astype(self.train.X.dtype)

    def __repr__(self) -> str:
        sizes = ", ".join(f"{k}={'None' if s is None else len(s)}"
                          for k, s in (("train", self.train), ("val", self.val),
                                       ("test", self.test)))  # fmt: skip
        return (f"Dataset({self.name!r}, {sizes}, n_classes={self.n_classes}, "
                f"n_features={self.n_features}, dtype={self.train.X.dtype}, "
                f"standardized={self.standardized})")  # fmt: skip
