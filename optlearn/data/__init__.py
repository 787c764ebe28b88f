"""Data for the book's experiments: a real data set, synthetic ones with a known truth, and
minibatches.

- :func:`load_digits`: scikit-learn's 8 x 8 handwritten digits, split into stratified
  train/val/test sets and standardized with the training statistics.
- :func:`polynomial_regression`, :func:`linear_regression`, :func:`two_spirals`,
  :func:`gaussian_blobs`: synthetic sets drawn from a seed, returned with their true
  parameters where they have some.
- :class:`Batches` (or :func:`batches`): minibatches, reshuffled every epoch, like torch's
  ``DataLoader``.

Every function takes ``seed`` (an int, or a ``np.random.Generator`` to draw from) and never
touches NumPy's global random state; every split unpacks as ``X, y = split``.

>>> import optlearn as ol
>>> X, y = ol.data.two_spirals(n=100, seed=0)
>>> [len(xb) for xb, yb in ol.data.batches(X, y, batch_size=32)]
[32, 32, 32, 4]
"""

from ._types import BlobsSplit, Dataset, RegressionSplit, Split
from .batching import Batches, batches
from .digits import load_digits
from .synthetic import gaussian_blobs, linear_regression, polynomial_regression, two_spirals

__all__ = [
    "Batches",
    "BlobsSplit",
    "Dataset",
    "RegressionSplit",
    "Split",
    "batches",
    "gaussian_blobs",
    "linear_regression",
    "load_digits",
    "polynomial_regression",
    "two_spirals",
]
