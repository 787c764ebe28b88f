"""gradcheck: exact gradients pass, wrong ones fail, x is untouched, sampling is seeded."""

import math

import numpy as np
import pytest

import optlearn as ol
from optlearn._gradcheck import GradcheckReport, gradcheck, gradcheck_report


# --- test functions, each returning (value, gradient) ---------------------------------------------
def make_quadratic(rng, n=6):
    A = rng.standard_normal((n, n))  # not symmetric: the gradient is (A + A^T) x

    def f(x):
        return float(x @ A @ x), (A + A.T) @ x

    def wrong(x):  # the classic slip: 2 A x, right only for symmetric A
        return float(x @ A @ x), 2 * A @ x

    def half(x):  # the factor 2 of a symmetric quadratic forgotten
        S = A + A.T
        return float(x @ S @ x), S @ x

    return f, wrong, half


def sum_sin(x):
    return float(np.sum(np.sin(x))), np.cos(x)


def logsumexp(x):
    m = x.max()
    e = np.exp(x - m)
    return float(m + np.log(e.sum())), e / e.sum()


def least_squares(X, Y):
    def f(W):  # W of shape (in, out): the gradient has W's shape
        R = X @ W - Y
        return 0.5 * float(np.sum(R * R)), X.T @ R

    return f


# --- exact gradients pass, wrong ones fail --------------------------------------------------------
def test_public_name():
    assert ol.gradcheck is gradcheck


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_exact_gradients_give_tiny_errors(rng, dtype):
    f, _, _ = make_quadratic(rng)
    x = rng.standard_normal(6).astype(dtype)
    assert gradcheck(f, x) < 1e-7
    assert gradcheck(sum_sin, rng.uniform(-3, 3, size=(4, 5)).astype(dtype)) < 1e-7
    assert gradcheck(logsumexp, rng.standard_normal(10).astype(dtype)) < 1e-7
    X, Y = rng.standard_normal((20, 4)), rng.standard_normal((20, 3))
    assert gradcheck(least_squares(X, Y), rng.standard_normal((4, 3)).astype(dtype)) < 1e-7


def test_wrong_gradients_give_large_errors(rng):
    _, wrong, half = make_quadratic(rng)
    x = rng.standard_normal(6)
    assert gradcheck(wrong, x) > 0.1
    assert gradcheck(half, x) == pytest.approx(0.5, rel=1e-6)  # |2g - g| / |2g|

    def softmax_minus_one(x):  # a sign slip in one entry only
        v, g = logsumexp(x)
        g = g.copy()
        g[3] = -g[3]
        return v, g

    report = gradcheck_report(softmax_minus_one, rng.standard_normal(8))
    assert report.max_rel_error == pytest.approx(2.0, rel=1e-6)
    assert report.worst_index == (3,)
    assert report.numeric == pytest.approx(-report.analytic, rel=1e-6)


def test_report_points_at_the_wrong_entry_of_a_matrix(rng):
    X, Y = rng.standard_normal((20, 4)), rng.standard_normal((20, 3))
    f = least_squares(X, Y)

    def off(W):
        v, g = f(W)
        g[2, 1] *= 1.5
        return v, g

    W = rng.standard_normal((4, 3))
    report = gradcheck_report(off, W)
    assert isinstance(report, GradcheckReport)
    assert report.worst_index == (2, 1)
    assert report.n_checked == 12
    assert report.max_rel_error == pytest.approx(1 / 3, rel=1e-6)
    assert report.max_rel_error == gradcheck(off, W)
    assert "at index (2, 1)" in str(report)


def test_zero_gradient_gives_zero_error_without_dividing_by_zero(rng):
    assert gradcheck(lambda x: (1.0, np.zeros_like(x)), rng.standard_normal(5)) == 0.0


def test_error_of_a_sloppy_gradient_is_read_on_the_relative_scale(rng):
    x = rng.uniform(0.5, 2.0, size=7)
    for scale in (1e-6, 1.0, 1e6):  # the same relative slip at every scale
        def f(x, s=scale):
            return s * float(np.sum(x**2)), s * 2 * x * (1 + 1e-3)

        assert gradcheck(f, x) == pytest.approx(1e-3 / (1 + 1e-3), rel=1e-3)


def test_central_difference_is_exact_for_a_quadratic_up_to_round_off():
    # f(x + e) - f(x - e) = 2 e f'(x) exactly for a quadratic: only round-off remains.
    x = np.array([0.3, -1.7, 2.5])
    assert gradcheck(lambda x: (float(x @ x), 2 * x), x, eps=1e-3) < 1e-10


# --- x is not modified; f sees float64 copies -----------------------------------------------------
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_x_is_unchanged_and_f_gets_a_float64_copy(rng, dtype):
    x = rng.standard_normal((3, 4)).astype(dtype)
    before = x.copy()
    seen = []

    def f(z):
        seen.append((z is x, np.shares_memory(z, x), z.dtype, z.shape))
        return sum_sin(z)

    gradcheck(f, x)
    np.testing.assert_array_equal(x, before)
    assert x.dtype == dtype
    assert len(seen) == 1 + 2 * x.size
    assert all(s == (False, False, np.dtype(np.float64), (3, 4)) for s in seen)


def test_x_is_unchanged_when_f_raises(rng):
    x = rng.standard_normal(4)
    before = x.copy()
    calls = []

    def f(z):
        calls.append(1)
        if len(calls) == 3:
            raise RuntimeError("boom")
        return sum_sin(z)

    with pytest.raises(RuntimeError, match="boom"):
        gradcheck(f, x)
    np.testing.assert_array_equal(x, before)


def test_each_probe_moves_one_entry_and_restores_it_exactly(rng):
    x = rng.standard_normal(5)
    probes = []

    def f(z):
        probes.append(z.copy())
        return sum_sin(z)

    gradcheck(f, x, eps=1e-4)
    np.testing.assert_array_equal(probes[0], x)
    for i in range(x.size):
        for sign, z in zip((1, -1), probes[1 + 2 * i: 3 + 2 * i], strict=True):
            changed = np.flatnonzero(z != x)
            assert changed.tolist() == [i]
            assert z[i] == x[i] + sign * 1e-4  # from the stored value, never accumulated


def test_a_reused_gradient_buffer_is_copied_before_the_probes(rng):
    buffer = np.empty(6)

    def f(x):  # returns the same array every call, as fused kernels with an out= often do
        np.cos(x, out=buffer)
        return float(np.sum(np.sin(x))), buffer

    assert gradcheck(f, rng.standard_normal(6)) < 1e-7


def test_zero_dimensional_x(rng):
    assert gradcheck(lambda x: (float(np.sin(x)), np.cos(x)), np.array(0.7)) < 1e-7
    # a 0-d array as the value, and a value that is a NumPy scalar
    assert gradcheck(lambda x: (np.array(x**2), 2 * x), np.array(1.5)) < 1e-7
    assert gradcheck(lambda x: (np.float64(x**2).sum(), 2 * x), np.array(1.5)) < 1e-7


# --- max_entries ----------------------------------------------------------------------------------
def _probed_entries(x, **kwargs):
    probed = []

    def f(z):
        changed = np.flatnonzero(z != x)
        if changed.size:
            probed.append(int(changed[0]))
        return float(np.sum(z**2)), 2 * z

    err = gradcheck(f, x, **kwargs)
    return sorted(set(probed)), err


def test_max_entries_subsamples_deterministically(rng):
    x = rng.standard_normal((10, 10))
    first, err = _probed_entries(x, max_entries=7, seed=3)
    again, _ = _probed_entries(x, max_entries=7, seed=3)
    other, _ = _probed_entries(x, max_entries=7, seed=4)
    assert len(first) == 7
    assert first == again
    assert first != other
    assert err < 1e-7
    gen, _ = _probed_entries(x, max_entries=7, seed=np.random.default_rng(3))
    assert gen == first


def test_max_entries_at_least_the_size_checks_everything(rng):
    x = rng.standard_normal(5)
    assert _probed_entries(x, max_entries=5)[0] == list(range(5))
    assert _probed_entries(x, max_entries=100)[0] == list(range(5))
    assert gradcheck_report(sum_sin, x, max_entries=100).n_checked == 5


def test_subsampling_can_miss_a_wrong_entry_and_the_report_says_how_many_were_checked(rng):
    x = rng.standard_normal(50)

    def f(z):
        v, g = sum_sin(z)
        g[17] += 1.0
        return v, g

    full = gradcheck_report(f, x)
    assert full.worst_index == (17,) and full.n_checked == 50
    partial = [gradcheck_report(f, x, max_entries=5, seed=s) for s in range(20)]
    assert all(r.n_checked == 5 for r in partial)
    assert any(r.max_rel_error < 1e-7 for r in partial)  # some samples miss entry 17


# --- bad input: clear messages --------------------------------------------------------------------
def _ok(x):
    return sum_sin(x)


def _log(x):
    with np.errstate(invalid="ignore"):  # log of x - eps < 0: the NaN gradcheck must catch
        return float(np.sum(np.log(x))), 1 / x


X = np.array([[0.1, 0.2], [0.3, 0.4], [0.5, 0.6]])
BAD = [
    (lambda: gradcheck("f", X), TypeError,
     r"The 'f' parameter of gradcheck must be a callable returning \(value, grad\). "
     r"Got 'str' instead."),
    (lambda: gradcheck(_ok, [0.1, 0.2]), TypeError,
     r"'x' parameter of gradcheck must be a NumPy array. Got 'list' instead. "
     r"Pass np.asarray\(x, dtype=np.float64\)."),
    (lambda: gradcheck(_ok, np.arange(3)), TypeError,
     r"'x'.*float32 or float64. Got 'dtype int64' instead"),
    (lambda: gradcheck(_ok, np.zeros((0, 3))), ValueError,
     r"'x'.*a non-empty array. Got 'an array of shape \(0, 3\)' instead."),
    (lambda: gradcheck(_ok, X, eps=0.0), ValueError,
     r"'eps' parameter of gradcheck must be a finite float in the range \(0, inf\). "
     r"Got 0.0 instead."),
    (lambda: gradcheck(_ok, X, -1e-6), ValueError, "'eps'"),
    (lambda: gradcheck(_ok, X, eps=math.nan), ValueError, "'eps'"),
    (lambda: gradcheck(_ok, X, eps="1e-6"), TypeError, "'eps'.*a real number"),
    (lambda: gradcheck(_ok, X, atol=0.0), ValueError, r"'atol'.*\(0, inf\)"),
    (lambda: gradcheck(_ok, X, max_entries=0), ValueError,
     r"'max_entries' parameter of gradcheck must be None or an int >= 1. Got 0 instead."),
    (lambda: gradcheck(_ok, X, max_entries=2.5), TypeError, "'max_entries'"),
    (lambda: gradcheck(_ok, X, max_entries=True), TypeError, "'max_entries'"),
    (lambda: gradcheck(_ok, X, seed=-1), ValueError, "'seed'.*an int >= 0"),
    (lambda: gradcheck(_ok, X, seed="0"), TypeError, "'seed'"),
    (lambda: gradcheck(lambda x: float(np.sum(x)), X), TypeError,
     r"'f' parameter of gradcheck must be a callable returning a pair \(value, grad\). "
     r"Got 'a float at x' instead. f\(x\) must return the loss and its gradient"),
    (lambda: gradcheck(lambda x: (1.0, x, x), X), TypeError,
     r"'f'.*a pair.*Got 'a tuple of length 3 at x'"),
    (lambda: gradcheck(lambda x: (x, x), X), TypeError,
     r"'f'.*a real scalar value. Got 'a value of type ndarray at x'"),
    (lambda: gradcheck(lambda x: (math.nan, x), X), ValueError,
     r"'f'.*a finite value. Got 'nan at x' instead."),
    (lambda: gradcheck(_log, np.array([1e-7, 1.0])), ValueError,
     r"'f'.*a finite value. Got 'nan at x - eps at index \(0,\)' instead."),
    (lambda: gradcheck(lambda x: (1.0, x.ravel()), X), ValueError,
     r"'f' parameter of gradcheck must be a callable returning a gradient of x's shape "
     r"\(3, 2\). Got 'a gradient of shape \(6,\)' instead. .*reshape"),
    (lambda: gradcheck(lambda x: (1.0, None), X), TypeError,
     r"'f'.*grad a real array. Got 'a grad of type NoneType'"),
    (lambda: gradcheck(lambda x: (1.0, np.where(x > 0.35, np.nan, x)), X), ValueError,
     r"'f'.*a finite gradient. Got '3 NaN or infinite entries, the first at index \(1, 1\)'"),
    (lambda: gradcheck_report(_ok, X, eps=0), ValueError, "'eps' parameter of gradcheck_report"),
]


@pytest.mark.parametrize(("call", "exc", "match"), BAD)
def test_bad_input_is_refused_with_a_clear_message(call, exc, match):
    before = X.copy()
    with pytest.raises(exc, match=match):
        call()
    np.testing.assert_array_equal(X, before)
