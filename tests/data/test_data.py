"""optlearn.data: the digits split, the synthetic sets' known truths, minibatches, bad input."""

import json
import math
import re
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import optlearn as ol
from optlearn.data import Batches, Split, batches
from optlearn.data.digits import _stratified_counts

DIGITS_CLASS_SIZES = np.array([178, 182, 177, 183, 181, 182, 181, 179, 174, 180])
SPLITS = [(0.6, 0.2, 0.2), (0.5, 0.25, 0.25), (1 / 3, 1 / 3, 1 / 3), (0.8, 0.1, 0.1), (0.7, 0.3)]


def raw_digits():
    from sklearn.datasets import load_digits

    bunch = load_digits()
    return bunch.data, bunch.target


def splits_of(ds):
    return [s for s in (ds.train, ds.val, ds.test) if s is not None]


def rows_with_labels(X, y):
    """The rows of [X | y], sorted, to compare sets of samples regardless of order."""
    table = np.column_stack([X, y])
    return table[np.lexsort(table.T[::-1])]


# --- load_digits -------------------------------------------------------------------------------
def test_digits_shapes_dtypes_and_attributes():
    ds = ol.data.load_digits()
    assert (ds.n_classes, ds.n_features) == (10, 64)
    assert (len(ds.train), len(ds.val), len(ds.test)) == (1078, 360, 359)
    for s in splits_of(ds):
        X, y = s  # unpacks as a pair
        assert X is s.X and y is s.y
        assert X.dtype == np.float32 and X.shape == (len(s), 64) and X.flags.c_contiguous
        assert y.dtype == np.int64 and y.shape == (len(s),)
        assert set(np.unique(y)) == set(range(10))
    assert ds.mean.shape == ds.std.shape == (64,) and ds.standardized
    assert repr(ds) == ("Dataset('digits', train=1078, val=360, test=359, n_classes=10, "
                        "n_features=64, dtype=float32, standardized=True)")  # fmt: skip
    assert repr(ds.train) == "Split(X=float32[1078, 64], y=int64[1078])"
    assert ol.data.load_digits(dtype=np.float64).train.X.dtype == np.float64


@pytest.mark.parametrize("split", SPLITS)
def test_digits_split_is_stratified(split):
    ds = ol.data.load_digits(split=split, seed=3)
    for s, fraction in zip(splits_of(ds), split, strict=True):
        per_class = np.bincount(s.y, minlength=10)
        assert np.all(np.abs(per_class - DIGITS_CLASS_SIZES * fraction) < 1 + 1e-9)
        assert abs(len(s) - 1797 * fraction) < 1 + 1e-9
    assert sum(len(s) for s in splits_of(ds)) == 1797


@pytest.mark.parametrize("split", SPLITS)
def test_digits_splits_are_disjoint_and_cover_every_sample(split):
    ds = ol.data.load_digits(split=split, standardize=False, dtype=np.float64, seed=1)
    X, y = raw_digits()
    assert len(np.unique(X, axis=0)) == len(X)  # no duplicate images, so rows identify samples
    parts = splits_of(ds)
    together = np.concatenate([s.X for s in parts])
    assert len(np.unique(together, axis=0)) == 1797  # no sample in two splits
    # Every (image, label) pair is there once: labels stay with their images.
    got = rows_with_labels(together, np.concatenate([s.y for s in parts]))
    np.testing.assert_array_equal(got, rows_with_labels(X, y))


def test_digits_rows_are_shuffled_not_sorted_by_class():
    y = ol.data.load_digits().train.y
    assert np.count_nonzero(np.diff(y)) > len(y) // 2


def test_digits_standardizes_with_training_statistics_only():
    ds = ol.data.load_digits(dtype=np.float64, seed=5)
    raw = ol.data.load_digits(standardize=False, dtype=np.float64, seed=5)  # the same split
    np.testing.assert_array_equal(ds.train.y, raw.train.y)
    np.testing.assert_allclose(ds.mean, raw.train.X.mean(axis=0), rtol=0, atol=1e-12)
    constant = raw.train.X.std(axis=0) == 0
    assert constant.sum() >= 3  # the always-blank border pixels
    np.testing.assert_array_equal(ds.std[constant], 1.0)
    np.testing.assert_allclose(ds.std[~constant], raw.train.X.std(axis=0)[~constant], rtol=1e-12)
    np.testing.assert_allclose(ds.train.X.mean(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(ds.train.X.std(axis=0)[~constant], 1.0, rtol=1e-12)
    np.testing.assert_array_equal(ds.train.X[:, constant], 0.0)
    for s, r in ((ds.val, raw.val), (ds.test, raw.test)):
        np.testing.assert_allclose(s.X, (r.X - ds.mean) / ds.std, rtol=1e-12, atol=1e-12)
        assert np.abs(s.X.mean(axis=0)).max() > 1e-3  # not re-centred on its own statistics
        assert np.all(np.isfinite(s.X))


def test_digits_transform_prepares_new_data_like_the_splits():
    ds = ol.data.load_digits(seed=2)
    raw = ol.data.load_digits(standardize=False, dtype=np.float64, seed=2)
    new = ds.transform(raw.test.X)
    assert new.dtype == np.float32
    np.testing.assert_allclose(new, ds.test.X, rtol=1e-6, atol=1e-6)
    plain = ol.data.load_digits(standardize=False, seed=2)
    assert plain.mean is None and plain.std is None and not plain.standardized
    assert "standardized=False" in repr(plain)
    np.testing.assert_array_equal(plain.transform(raw.test.X), plain.test.X)
    with pytest.raises(ValueError, match=re.escape(
            "The 'X' parameter of Dataset.transform must be a 2-D array with 64 columns. "
            "Got 'an array of shape (64,)' instead. For a single sample use "
            "x.reshape(1, 64).")):  # fmt: skip
        ds.transform(raw.test.X[0])
    with pytest.raises(ValueError, match=r"Got 'nan at X\[0, 3\]' instead"):
        ds.transform(np.where(np.arange(64) == 3, np.nan, 0.0)[None, :])


def test_digits_seed_reproduces_and_varies_the_split():
    a, b = ol.data.load_digits(seed=7), ol.data.load_digits(seed=7)
    for sa, sb in zip(splits_of(a), splits_of(b), strict=True):
        np.testing.assert_array_equal(sa.X, sb.X)
        np.testing.assert_array_equal(sa.y, sb.y)
    np.testing.assert_array_equal(a.mean, b.mean)
    c = ol.data.load_digits(seed=8)
    assert not np.array_equal(a.test.X, c.test.X)
    assert not np.array_equal(a.mean, c.mean)
    gen = np.random.default_rng(7)  # a Generator is used as it is, and advanced
    d, e = ol.data.load_digits(seed=gen), ol.data.load_digits(seed=gen)
    np.testing.assert_array_equal(d.train.X, a.train.X)
    assert not np.array_equal(d.train.X, e.train.X)


def test_digits_pair_split_has_no_validation_set():
    ds = ol.data.load_digits(split=(0.75, 0.25))
    assert ds.val is None and "val=None" in repr(ds)
    assert (len(ds.train), len(ds.test)) == (1348, 449)


def test_digits_results_do_not_share_memory():
    a, b = ol.data.load_digits(), ol.data.load_digits()
    a.train.X[:] = 0.0
    a.train.y[:] = 0
    assert np.abs(b.train.X).sum() > 0 and b.train.y.any()


def test_digits_without_sklearn_says_how_to_install_it(monkeypatch):
    from optlearn.data import digits

    digits._raw_digits.cache_clear()
    monkeypatch.setitem(sys.modules, "sklearn.datasets", None)  # makes the import fail
    try:
        with pytest.raises(ImportError, match=r"pip install scikit-learn"):
            ol.data.load_digits()
    finally:
        digits._raw_digits.cache_clear()


def test_import_optlearn_data_does_not_import_sklearn():
    probe = ("import json, sys; import optlearn.data; "
             "print(json.dumps('sklearn' in sys.modules))")  # fmt: skip
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         check=True).stdout  # fmt: skip
    assert json.loads(out) is False


@settings(max_examples=300, deadline=None)
@given(st.lists(st.floats(0.001, 1.0), min_size=2, max_size=3),
       st.lists(st.integers(1, 400), min_size=1, max_size=12))  # fmt: skip
def test_stratified_counts_round_each_class_and_each_split_within_one(weights, sizes):
    fractions = tuple(np.array(weights) / sum(weights))
    sizes = np.array(sizes)
    counts = _stratified_counts(sizes, fractions)
    ideal = np.outer(sizes, fractions)
    np.testing.assert_array_equal(counts.sum(axis=1), sizes)
    assert np.all(counts >= 0)
    assert np.all(np.abs(counts - ideal) < 1 + 1e-6)
    assert np.all(np.abs(counts.sum(axis=0) - ideal.sum(axis=0)) < 1 + 1e-6)


# (keyword arguments, exception, message pattern)
DIGITS_BAD = [
    ({"split": (0.6, 0.2, 0.1)}, ValueError, re.escape(
        "The 'split' parameter of load_digits must be fractions that sum to 1 (within 1e-9). "
        "Got '(0.6, 0.2, 0.1), which sums to 0.9' instead. Divide each fraction by their sum.")),
    ({"split": (0.6, 0.4, 0.0)}, ValueError, re.escape(
        "The 'split[2]' parameter of load_digits must be a finite float in the range (0, 1). "
        "Got 0.0 instead.")),
    ({"split": (1.0,)}, ValueError, r"'split' parameter .* must be a tuple of 2 or 3 fractions"
                                    r"\. Got \(1\.0,\) instead\. Pass \(train, val, test\)"),
    ({"split": 0.8}, TypeError, r"'split' parameter of load_digits must be a tuple of 2 or 3"),
    ({"split": "0.6,0.4"}, TypeError, r"'split' parameter of load_digits must be a tuple"),
    ({"split": (0.6, "0.2", 0.2)}, TypeError, r"'split\[1\]' parameter .* a real number"),
    ({"split": (0.9998, 0.0001, 0.0001)}, ValueError, re.escape(
        "must be fractions that leave at least one sample in every split. Got (0.9998, 0.0001, "
        "0.0001) instead. The val and test splits would be empty: make their fractions "
        "larger.")),
    ({"standardize": "yes"}, TypeError,
     r"'standardize' parameter of load_digits must be True or False\. Got 'yes' instead"),
    ({"seed": -1}, ValueError, r"'seed' parameter .* an int >= 0 or a np.random.Generator\. "
                               r"Got -1 instead\. Pass seed=abs\(seed\)\."),
    ({"seed": None}, TypeError, r"Got None instead\. Pass an int \(seed=0\) for data that are"),
    ({"seed": 1.5}, TypeError, r"'seed' parameter .* Got 1\.5 instead"),
    ({"seed": np.random.RandomState(0)}, TypeError, r"legacy RandomState is not accepted"),
    ({"dtype": np.int32}, ValueError, re.escape(
        "The 'dtype' parameter of load_digits must be np.float32 or np.float64. Got 'int32' "
        "instead.")),
    ({"dtype": "nonsense"}, TypeError, r"'dtype' parameter .* Got 'nonsense' instead"),
]


@pytest.mark.parametrize(("kwargs", "exc", "match"), DIGITS_BAD)
def test_digits_refuses_bad_input(kwargs, exc, match):
    with pytest.raises(exc, match=match):
        ol.data.load_digits(**kwargs)


# --- synthetic sets ----------------------------------------------------------------------------
GENERATORS = {
    "polynomial_regression": (ol.data.polynomial_regression, {"n": 40}, (40, 1), "real"),
    "linear_regression": (ol.data.linear_regression, {"n": 50, "d": 4}, (50, 4), "real"),
    "two_spirals": (ol.data.two_spirals, {"n": 61}, (61, 2), "labels"),
    "gaussian_blobs": (ol.data.gaussian_blobs, {"n": 70, "centers": 4, "d": 3}, (70, 3),
                       "labels"),
}


@pytest.mark.parametrize("name", GENERATORS)
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_synthetic_shapes_and_dtypes(name, dtype):
    make, kwargs, shape, kind = GENERATORS[name]
    data = make(**kwargs, dtype=dtype)
    assert isinstance(data, Split)
    X, y = data
    assert X.shape == shape and X.dtype == dtype and len(data) == shape[0]
    assert y.shape == (shape[0],)
    assert y.dtype == (dtype if kind == "real" else np.int64)
    assert np.all(np.isfinite(X)) and np.all(np.isfinite(y))
    assert make(**kwargs).X.dtype == np.float64  # the default


@pytest.mark.parametrize("name", GENERATORS)
def test_synthetic_seed_reproduces_and_varies(name):
    make, kwargs, _, _ = GENERATORS[name]
    a, b, c = make(**kwargs, seed=11), make(**kwargs, seed=11), make(**kwargs, seed=12)
    np.testing.assert_array_equal(a.X, b.X)
    np.testing.assert_array_equal(a.y, b.y)
    assert not np.array_equal(a.X, c.X)
    gen = np.random.default_rng(11)  # a Generator is used as it is, and advanced
    d, e = make(**kwargs, seed=gen), make(**kwargs, seed=gen)
    np.testing.assert_array_equal(d.X, a.X)
    assert not np.array_equal(d.X, e.X)


def test_polynomial_without_noise_lies_on_the_polynomial():
    data = ol.data.polynomial_regression(n=200, degree=5, noise=0.0, x_range=(-2, 3), seed=4)
    x = data.X[:, 0]
    assert data.coef.shape == (6,) and data.coef.dtype == np.float64 and data.bias == 0.0
    np.testing.assert_array_equal(data.y, np.polynomial.polynomial.polyval(x, data.coef))
    vander = np.vander(x, 6, increasing=True)  # the features the overfitting chapter builds
    np.testing.assert_allclose(vander @ data.coef + data.bias, data.y, rtol=1e-12, atol=1e-12)
    assert x.min() >= -2 and x.max() < 3 and x.max() - x.min() > 4.5


def test_polynomial_given_coefficients_and_noise_level():
    coef = np.array([1.0, -2.0, 0.5])
    data = ol.data.polynomial_regression(n=20_000, degree=2, noise=0.3, coef=coef, seed=0)
    np.testing.assert_array_equal(data.coef, coef)
    assert data.coef is not coef  # a copy: changing ours later does not change the record
    residual = data.y - np.polynomial.polynomial.polyval(data.X[:, 0], coef)
    assert abs(residual.std() - 0.3) < 0.01 and abs(residual.mean()) < 0.01


def test_polynomial_same_seed_same_truth_for_any_noise_and_n():
    a = ol.data.polynomial_regression(n=10, noise=0.0, seed=3)
    b = ol.data.polynomial_regression(n=10, noise=0.5, seed=3)
    c = ol.data.polynomial_regression(n=99, noise=0.5, seed=3)
    np.testing.assert_array_equal(a.coef, b.coef)
    np.testing.assert_array_equal(a.coef, c.coef)
    np.testing.assert_array_equal(a.X, b.X)  # only the noise changed
    assert not np.array_equal(a.y, b.y)


def test_polynomial_random_coefficients_are_standard_normal():
    coefs = np.array([ol.data.polynomial_regression(n=1, degree=3, seed=s).coef
                      for s in range(500)])  # fmt: skip
    assert np.all(np.abs(coefs.mean(axis=0)) < 0.15)
    assert np.all(np.abs(coefs.std(axis=0) - 1.0) < 0.1)


def test_linear_regression_least_squares_recovers_the_truth():
    data = ol.data.linear_regression(n=2000, d=5, noise=0.0, bias=-1.5, seed=9)
    X, y = data
    A = np.column_stack([X, np.ones(len(X))])
    solution = np.linalg.lstsq(A, y, rcond=None)[0]
    np.testing.assert_allclose(solution[:-1], data.coef, rtol=0, atol=1e-10)
    assert abs(solution[-1] - data.bias) < 1e-10 and data.bias == -1.5
    assert data.coef.shape == (5,) and data.coef.dtype == np.float64


def test_linear_regression_noise_level_and_first_rows_shared_across_n():
    data = ol.data.linear_regression(n=20_000, d=3, noise=0.2, seed=1)
    residual = data.y - data.X @ data.coef - data.bias
    assert abs(residual.std() - 0.2) < 0.005
    small = ol.data.linear_regression(n=10, d=3, noise=0.2, seed=1)
    np.testing.assert_array_equal(small.coef, data.coef)
    np.testing.assert_array_equal(small.X, data.X[:10])


def test_two_spirals_are_not_linearly_separable():
    X, y = ol.data.two_spirals(n=2000, noise=0.1, seed=0)
    A = np.column_stack([X, np.ones(len(X))])
    w = np.linalg.lstsq(A, 2.0 * y - 1.0, rcond=None)[0]
    accuracy = np.mean((A @ w > 0) == (y == 1))
    assert accuracy < 0.8


def test_two_spirals_radius_grows_with_the_angle():
    X, y = ol.data.two_spirals(n=501, noise=0.0, seed=2)
    assert np.bincount(y).tolist() == [251, 250]  # class 0 takes the odd one
    r = np.hypot(X[:, 0], X[:, 1])
    angle = np.arctan2(X[:, 1], X[:, 0])
    assert r.min() >= 0.5 - 1e-12 and r.max() <= 3.5 + 1e-12
    # Class 0 is on r = theta / pi, class 1 half a turn further round: angle = pi r (+ pi).
    expected = math.pi * r + math.pi * y
    np.testing.assert_allclose(np.exp(1j * angle), np.exp(1j * expected), atol=1e-12)
    # So, unwrapped along each arm sorted by radius, the angle increases with the radius.
    for label in (0, 1):
        order = np.argsort(r[y == label])
        unwrapped = np.unwrap(angle[y == label][order])
        assert np.all(np.diff(unwrapped) > 0)
    assert np.count_nonzero(np.diff(y)) > 100  # rows not sorted by class


def test_two_spirals_noise_is_gaussian_with_the_given_std():
    clean = ol.data.two_spirals(n=4000, noise=0.0, seed=5)
    noisy = ol.data.two_spirals(n=4000, noise=0.05, seed=5)  # same angles, order and draws
    np.testing.assert_array_equal(clean.y, noisy.y)
    assert abs((noisy.X - clean.X).std() - 0.05) < 0.002


def test_gaussian_blobs_points_lie_near_their_centers():
    data = ol.data.gaussian_blobs(n=3001, centers=5, d=3, std=0.5, box=(-10, 10), seed=3)
    X, y = data
    assert data.centers.shape == (5, 3) and data.centers.dtype == np.float64
    assert np.all((data.centers >= -10) & (data.centers < 10))
    assert np.bincount(y).tolist() == [601, 600, 600, 600, 600]
    offsets = X - data.centers[y]
    assert abs(offsets.std() - 0.5) < 0.02 and np.all(np.abs(offsets.mean(axis=0)) < 0.03)
    assert np.linalg.norm(offsets, axis=1).max() < 0.5 * 6  # no point 6 std from its center


def test_gaussian_blobs_given_centers_are_kept_and_separated_blobs_are_classifiable():
    centers = np.array([[0.0, 0.0], [10.0, 0.0], [0.0, 10.0]])
    data = ol.data.gaussian_blobs(n=300, centers=centers, std=1.0, seed=0)
    np.testing.assert_array_equal(data.centers, centers)
    assert data.centers is not centers
    distance = np.linalg.norm(data.X[:, None, :] - centers[None], axis=2)
    assert np.mean(distance.argmin(axis=1) == data.y) > 0.99
    assert repr(data) == "BlobsSplit(X=float64[300, 2], y=int64[300], centers=float64[3, 2])"
    exact = ol.data.gaussian_blobs(n=3, centers=[[1.0], [2.0], [3.0]], d=1, std=0.0)
    np.testing.assert_array_equal(exact.X[:, 0], exact.y + 1.0)


# (function, keyword arguments, exception, message pattern)
SYNTHETIC_BAD = [
    (ol.data.polynomial_regression, {"n": 0}, ValueError, re.escape(
        "The 'n' parameter of polynomial_regression must be an int in the range [1, inf). "
        "Got 0 instead.")),
    (ol.data.polynomial_regression, {"n": 10.0}, TypeError, r"'n' parameter .* Got 10\.0"),
    (ol.data.polynomial_regression, {"degree": -1}, ValueError,
     r"'degree' parameter of polynomial_regression must be an int in the range \[0, inf\)"),
    (ol.data.polynomial_regression, {"noise": -0.1}, ValueError, re.escape(
        "The 'noise' parameter of polynomial_regression must be a finite float in the range "
        "[0, inf). Got -0.1 instead.")),
    (ol.data.polynomial_regression, {"noise": math.nan}, ValueError, r"'noise' .* Got nan"),
    (ol.data.polynomial_regression, {"x_range": (1, -1)}, ValueError, re.escape(
        "The 'x_range' parameter of polynomial_regression must be a pair (low, high) with "
        "low < high. Got (1, -1) instead. Pass (-1.0, 1.0) if the ends were swapped.")),
    (ol.data.polynomial_regression, {"x_range": 1.0}, TypeError, r"'x_range' .* a pair"),
    (ol.data.polynomial_regression, {"x_range": (0, math.inf)}, ValueError, r"'x_range\[1\]'"),
    (ol.data.polynomial_regression, {"coef": [1.0, 2.0]}, ValueError, re.escape(
        "The 'coef' parameter of polynomial_regression must be a 1-D array of degree + 1 = 4 "
        "coefficients. Got 'an array of shape (2,)' instead. Pass degree=1 too, or leave "
        "coef=None to draw the coefficients.")),
    (ol.data.polynomial_regression, {"degree": 1, "coef": [1.0, np.nan]}, ValueError,
     r"'coef' parameter .* must be finite"),
    (ol.data.polynomial_regression, {"coef": ["a", "b", "c", "d"]}, TypeError,
     r"'coef' parameter .* an array of real numbers"),
    (ol.data.linear_regression, {"d": 0}, ValueError, r"'d' parameter of linear_regression .* "
                                                      r"\[1, inf\)\. Got 0 instead"),
    (ol.data.linear_regression, {"bias": math.inf}, ValueError, r"'bias' parameter .* Got inf"),
    (ol.data.linear_regression, {"noise": "0.1"}, TypeError, r"'noise' .* a real number"),
    (ol.data.linear_regression, {"dtype": np.float16}, ValueError,
     r"'dtype' parameter of linear_regression must be np\.float32 or np\.float64\. "
     r"Got 'float16'"),
    (ol.data.two_spirals, {"n": 1}, ValueError, re.escape(
        "The 'n' parameter of two_spirals must be an int in the range [2, inf). Got 1 instead.")),
    (ol.data.two_spirals, {"n": True}, TypeError, r"'n' parameter .* Got True instead"),
    (ol.data.two_spirals, {"noise": -1}, ValueError, r"'noise' parameter of two_spirals"),
    (ol.data.two_spirals, {"seed": "0"}, TypeError, r"'seed' parameter of two_spirals"),
    (ol.data.gaussian_blobs, {"centers": 0}, ValueError, re.escape(
        "The 'centers' parameter of gaussian_blobs must be an int in the range [1, inf). "
        "Got 0 instead.")),
    (ol.data.gaussian_blobs, {"centers": 2.0}, TypeError, r"'centers' .* Got 2\.0 instead"),
    (ol.data.gaussian_blobs, {"centers": np.zeros((2, 3))}, ValueError, re.escape(
        "The 'centers' parameter of gaussian_blobs must be an int >= 1 or an array of shape "
        "(k, d=2). Got 'an array of shape (2, 3)' instead. Pass d=3 for centers with 3 "
        "coordinates.")),
    (ol.data.gaussian_blobs, {"centers": [[0.0, 0.0], [1.0]]}, ValueError,
     r"'centers' .* Got 'rows of different lengths'"),
    (ol.data.gaussian_blobs, {"centers": [[0.0, np.inf]]}, ValueError, r"'centers' .* finite"),
    (ol.data.gaussian_blobs, {"n": 2, "centers": 3}, ValueError, re.escape(
        "The 'n' parameter of gaussian_blobs must be an int >= the number of centers (3). "
        "Got 2 instead. Every blob needs at least one point.")),
    (ol.data.gaussian_blobs, {"std": -1.0}, ValueError, r"'std' parameter of gaussian_blobs"),
    (ol.data.gaussian_blobs, {"box": (3, 3)}, ValueError, r"'box' .* low < high\. Got \(3, 3\)"
                                                          r" instead\.$"),
    (ol.data.gaussian_blobs, {"d": 0}, ValueError, r"'d' parameter of gaussian_blobs"),
]


@pytest.mark.parametrize(("make", "kwargs", "exc", "match"), SYNTHETIC_BAD,
                         ids=[f"{m.__name__}-{sorted(k)}" for m, k, _, _ in SYNTHETIC_BAD])
def test_synthetic_refuses_bad_input(make, kwargs, exc, match):  # fmt: skip
    with pytest.raises(exc, match=match):
        make(**kwargs)


def test_refused_call_does_not_advance_a_given_generator():
    gen = np.random.default_rng(0)
    with pytest.raises(ValueError):
        ol.data.linear_regression(noise=-1.0, seed=gen)
    np.testing.assert_array_equal(gen.random(3), np.random.default_rng(0).random(3))


# --- Split ------------------------------------------------------------------------------------
def test_split_unpacks_counts_samples_and_checks_its_arrays(rng):
    X, y = rng.standard_normal((6, 2)), rng.integers(0, 3, 6)
    s = Split(X, y)
    first, second = s
    assert first is X and second is y and len(s) == 6
    assert Split([[1, 2], [3, 4]], [0.5, 1.5]).X.shape == (2, 2)  # array-likes converted
    with pytest.raises(ValueError, match=r"'y' parameter of Split must be an array with one "
                                         r"entry per row of X \(6\)\. Got '5 entries'"):
        Split(X, y[:5])
    with pytest.raises(AttributeError):
        s.X = X  # frozen


# --- batches -----------------------------------------------------------------------------------
def collect(loader):
    return [(xb.copy(), yb.copy()) for xb, yb in loader]


def test_batches_cover_every_sample_once_per_epoch(rng):
    X = rng.standard_normal((103, 4))
    y = np.arange(103)
    loader = batches(X, y, batch_size=10)
    for _ in range(3):
        got = collect(loader)
        assert [len(yb) for _, yb in got] == [10] * 10 + [3]
        ys = np.concatenate([yb for _, yb in got])
        np.testing.assert_array_equal(np.sort(ys), y)
        for xb, yb in got:  # rows stay paired with their targets
            np.testing.assert_array_equal(xb, X[yb])


def test_batches_sizes_len_and_drop_last(rng):
    X, y = rng.standard_normal((25, 2)), rng.standard_normal(25)
    assert len(Batches(X, y, 10)) == 3
    assert len(Batches(X, y, 10, drop_last=True)) == 2
    assert len(Batches(X, y, 5, drop_last=True)) == 5
    assert len(Batches(X, y, 25, drop_last=True)) == 1
    assert len(Batches(X, y, 100)) == 1  # one partial batch: full-batch gradient descent
    dropped = collect(Batches(X, y, 10, drop_last=True))
    assert [len(yb) for _, yb in dropped] == [10, 10]
    assert len(collect(Batches(X, y, 100))[0][1]) == 25
    for loader in (Batches(X, y, 7), Batches(X, y, 7, drop_last=True)):
        assert len(collect(loader)) == len(loader)


def test_batches_shuffle_order_depends_on_seed_and_changes_each_epoch():
    X, y = np.arange(200.0).reshape(100, 2), np.arange(100)

    def epochs(loader, k=3):
        return [np.concatenate([yb for _, yb in loader]) for _ in range(k)]

    a, b = epochs(batches(X, y, 16, seed=1)), epochs(batches(X, y, 16, seed=1))
    for ea, eb in zip(a, b, strict=True):
        np.testing.assert_array_equal(ea, eb)  # same seed: same sequence of epochs
    assert not np.array_equal(a[0], a[1])  # a new order every epoch
    c = epochs(batches(X, y, 16, seed=2))
    assert not np.array_equal(a[0], c[0])
    assert not np.array_equal(a[0], y)  # shuffled
    gen = np.random.default_rng(1)  # a shared Generator gives the same as seed=1
    g = epochs(batches(X, y, 16, seed=gen))
    np.testing.assert_array_equal(g[0], a[0])


def test_batches_without_shuffle_keep_order_and_are_views():
    X, y = np.arange(20.0).reshape(10, 2), np.arange(10)
    got = list(batches(X, y, 4, shuffle=False))
    assert [yb.tolist() for _, yb in got] == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]
    assert all(np.shares_memory(xb, X) for xb, _ in got)
    again = [yb.tolist() for _, yb in batches(X, y, 4, shuffle=False)]
    assert again == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]
    shuffled = next(iter(batches(X, y, 4)))[0]
    assert not np.shares_memory(shuffled, X)  # shuffled batches are copies


def test_batches_accept_lists_multi_column_targets_and_repr():
    loader = batches([[1.0], [2.0], [3.0]], [[1, 0], [0, 1], [1, 0]], 2, shuffle=False)
    (_, y0), (x1, y1) = loader
    assert y0.shape == (2, 2) and y1.shape == (1, 2) and x1.tolist() == [[3.0]]
    assert repr(loader) == "Batches(n_samples=3, batch_size=2, shuffle=False, drop_last=False)"


def test_batches_finite_check_survives_an_overflowing_sum():
    X = np.full((3, 2), 1e308)  # the sum overflows to inf, but every entry is finite
    assert len(list(batches(X, np.zeros(3), 2))) == 2


@settings(max_examples=150, deadline=None)
@given(n=st.integers(1, 300), batch_size=st.integers(1, 64), shuffle=st.booleans(),
       drop_last=st.booleans(), seed=st.integers(0, 2**32))  # fmt: skip
def test_batches_always_partition_range_n(n, batch_size, shuffle, drop_last, seed):
    if drop_last and batch_size > n:
        with pytest.raises(ValueError, match="drop_last=True"):
            batches(np.zeros((n, 1)), np.arange(n), batch_size, drop_last=drop_last)
        return
    X, y = np.arange(n, dtype=np.float64)[:, None], np.arange(n)
    loader = batches(X, y, batch_size, shuffle=shuffle, seed=seed, drop_last=drop_last)
    sizes, seen = [], []
    for xb, yb in loader:
        np.testing.assert_array_equal(xb[:, 0], yb)
        sizes.append(len(yb))
        seen.append(yb)
    seen = np.concatenate(seen)
    assert len(sizes) == len(loader)
    assert all(s == batch_size for s in sizes[:-1]) and 1 <= sizes[-1] <= batch_size
    if drop_last:
        assert sizes[-1] == batch_size and len(seen) == n - n % batch_size
        assert len(np.unique(seen)) == len(seen)  # each sample at most once
    else:
        np.testing.assert_array_equal(np.sort(seen), np.arange(n))  # each exactly once
    if not shuffle:
        np.testing.assert_array_equal(seen, np.arange(len(seen)))


X_OK = np.zeros((4, 2))
Y_OK = np.zeros(4)
X_NAN = np.array([[0.0, 1.0], [2.0, 3.0], [4.0, np.nan], [np.inf, 7.0]])

# (positional arguments, keyword arguments, exception, message pattern)
BATCHES_BAD = [
    ((np.zeros(4), Y_OK, 2), {}, ValueError, re.escape(
        "The 'X' parameter of batches must be a 2-D array of shape (n_samples, n_features). "
        "Got 'an array of shape (4,)' instead. Reshape your data with X.reshape(-1, 1) if it "
        "has a single feature, or X.reshape(1, -1) if it is a single sample.")),
    ((np.zeros((4, 2, 2)), Y_OK, 2), {}, ValueError, r"Got 'an array of shape \(4, 2, 2\)' "
                                                     r"instead\. Flatten each sample"),
    ((X_OK, np.zeros(3), 2), {}, ValueError, re.escape(
        "The 'y' parameter of batches must be an array with one entry per row of X (4). Got "
        "'3 entries' instead. X and y must hold the same samples, in the same order.")),
    ((X_OK, 0.0, 2), {}, ValueError, r"'y' parameter .* Got 'a scalar' instead"),
    ((np.zeros((0, 2)), np.zeros(0), 2), {}, ValueError,
     r"'X' parameter of batches must be an array with at least one sample"),
    ((X_NAN, Y_OK, 2), {}, ValueError, re.escape(
        "The 'X' parameter of batches must be finite (no NaN or inf). Got 'nan at X[2, 1]' "
        "instead. 2 of 4 samples have a NaN or inf entry: drop them (keep = "
        "np.isfinite(X).all(axis=1); X, y = X[keep], y[keep]) or fill them in.")),
    ((X_OK, np.array([0.0, -np.inf, 0.0, 0.0]), 2), {}, ValueError,
     r"'y' parameter .* Got '-inf at y\[1\]' instead\. 1 of 4 samples has a NaN or inf entry: "
     r"drop them \(keep = np\.isfinite\(y\);"),
    ((X_OK.astype(object), Y_OK, 2), {}, TypeError, r"'X' .* a numeric array\. Got 'dtype obj"),
    ((X_OK, np.array(["a"] * 4), 2), {}, TypeError, r"'y' parameter .* a numeric array"),
    ((X_OK, Y_OK, 0), {}, ValueError, re.escape(
        "The 'batch_size' parameter of batches must be an int in the range [1, inf). Got 0 "
        "instead.")),
    ((X_OK, Y_OK, 2.0), {}, TypeError, r"'batch_size' parameter .* Got 2\.0 instead"),
    ((X_OK, Y_OK, True), {}, TypeError, r"'batch_size' parameter .* Got True instead"),
    ((X_OK, Y_OK, 5), {"drop_last": True}, ValueError, re.escape(
        "The 'batch_size' parameter of batches must be an int <= the number of samples (4) "
        "when drop_last=True. Got 5 instead. Every batch would be dropped: use a smaller "
        "batch_size, or drop_last=False to keep the one partial batch.")),
    ((X_OK, Y_OK, 2), {"shuffle": "no"}, TypeError, r"'shuffle' parameter .* True or False"),
    ((X_OK, Y_OK, 2), {"drop_last": 1}, TypeError, r"'drop_last' parameter .* True or False"),
    ((X_OK, Y_OK, 2), {"seed": -3}, ValueError, r"'seed' parameter of batches"),
]


@pytest.mark.parametrize(("args", "kwargs", "exc", "match"), BATCHES_BAD)
def test_batches_refuse_bad_input(args, kwargs, exc, match):
    with pytest.raises(exc, match=match):
        batches(*args, **kwargs)
    class_match = match.replace("of batches", "of Batches").replace(r"of\ batches", r"of\ Batches")
    with pytest.raises(exc, match=class_match):
        Batches(*args, **kwargs)


def test_batches_accept_numpy_scalars_for_int_and_bool_arguments():
    loader = batches(X_OK, Y_OK, np.int64(3), shuffle=np.bool_(False), drop_last=np.True_)
    assert len(loader) == 1 and loader.batch_size == 3 and type(loader.batch_size) is int
