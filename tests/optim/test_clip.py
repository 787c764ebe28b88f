"""Gradient clipping: kernels against the NumPy references, torch, hand values and invariants."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import optlearn as ol
from optlearn.optim import _kernels, reference
from optlearn.optim.clip import NonFiniteNormError

NORMS = [2.0, 1.0, math.inf, 3.0, 0.5, 1.5]
BIG = _kernels.PARALLEL_THRESHOLD + 5  # an array the parallel loops handle


def grads_of(rng, dtype, big=False, scale=3.0):
    shapes = [(5, 4), (4,), (BIG if big else 17,), (0,)]
    return [(scale * rng.standard_normal(s)).astype(dtype) for s in shapes]


def copies(grads):
    return [g.copy() for g in grads]


def rtol(dtype):
    return 1e-12 if dtype == np.float64 else 2e-6


# --- hand-computed values --------------------------------------------------------------------
def test_hand_values_two_norm():
    g = [np.array([3.0, 0.0]), np.array([[4.0]])]
    total = ol.optim.clip_grad_norm_(g, max_norm=2.5)
    assert total == 5.0
    coef = 2.5 / (5.0 + 1e-6)
    np.testing.assert_allclose(g[0], [3.0 * coef, 0.0], rtol=1e-15)
    np.testing.assert_allclose(g[1], [[4.0 * coef]], rtol=1e-15)


@pytest.mark.parametrize(("norm_type", "expected"),
                         [(1.0, 10.0), (2.0, math.sqrt(30.0)), (math.inf, 4.0), ("inf", 4.0),
                          (3.0, 100.0 ** (1 / 3))])  # fmt: skip
def test_hand_values_norm_types(norm_type, expected):
    g = [np.array([1.0, -2.0]), np.array([[3.0], [-4.0]])]
    assert ol.optim.get_total_norm(g, norm_type) == pytest.approx(expected, rel=1e-15)


def test_below_max_norm_leaves_grads_bit_identical():
    g = [np.array([0.1, -0.2], dtype=np.float32)]
    before = g[0].copy()
    assert ol.optim.clip_grad_norm_(g, max_norm=1.0) == pytest.approx(math.sqrt(0.05), rel=1e-7)
    assert np.array_equal(g[0], before)


def test_clip_grad_value_hand_values_and_nan():
    g = [np.array([-3.0, -1.0, 0.5, 2.0, np.nan, np.inf, -np.inf])]
    ol.optim.clip_grad_value_(g, 1.0)
    np.testing.assert_array_equal(g[0], [-1.0, -1.0, 0.5, 1.0, np.nan, 1.0, -1.0])


def test_empty_list_and_none_entries():
    assert ol.optim.clip_grad_norm_([], 1.0) == 0.0
    g = [None, np.array([6.0, 8.0]), None]
    assert ol.optim.clip_grad_norm_(g, 5.0) == 10.0
    np.testing.assert_allclose(g[1], [3.0, 4.0], rtol=1e-6)
    assert g[0] is None and g[2] is None


def test_single_array_is_accepted_like_a_tensor():
    g = np.array([6.0, 8.0])
    assert ol.optim.clip_grad_norm_(g, 5.0) == 10.0
    np.testing.assert_allclose(g, [3.0, 4.0], rtol=1e-6)


def test_non_contiguous_grads_are_clipped_in_place():
    base = np.arange(24.0).reshape(4, 6)
    view = base[:, ::2]  # a strided view: no kernel, NumPy does it in place
    expected = [view.copy()]
    total = reference.clip_grad_norm_(expected, 1.0)
    assert ol.optim.clip_grad_norm_([view], 1.0) == pytest.approx(total, rel=1e-14)
    np.testing.assert_allclose(base[:, ::2], expected[0], rtol=1e-14)
    np.testing.assert_array_equal(base[:, 1::2], np.arange(24.0).reshape(4, 6)[:, 1::2])
    ol.optim.clip_grad_value_([view], 3.0)
    assert base[:, ::2].max() <= 3.0


# --- kernels against the NumPy references ------------------------------------------------------
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("norm_type", NORMS)
@pytest.mark.parametrize("big", [False, True], ids=["serial", "parallel"])
def test_clip_grad_norm_equals_reference(rng, dtype, norm_type, big):
    grads = grads_of(rng, dtype, big)
    expected = copies(grads)
    max_norm = 0.5 * reference.total_norm(grads, norm_type)  # always clips
    want = reference.clip_grad_norm_(expected, max_norm, norm_type)
    got = ol.optim.clip_grad_norm_(grads, max_norm, norm_type)
    assert isinstance(got, float)
    assert got == pytest.approx(want, rel=rtol(dtype))
    for g, e in zip(grads, expected, strict=True):
        assert g.dtype == dtype
        np.testing.assert_allclose(g, e, rtol=rtol(dtype), atol=0)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("big", [False, True], ids=["serial", "parallel"])
def test_clip_grad_value_equals_reference(rng, dtype, big):
    grads = grads_of(rng, dtype, big)
    expected = copies(grads)
    reference.clip_grad_value_(expected, 1.25)
    ol.optim.clip_grad_value_(grads, 1.25)
    for g, e in zip(grads, expected, strict=True):
        assert g.dtype == dtype
        np.testing.assert_array_equal(g, e)


def test_float32_norm_is_accumulated_in_float64(rng):
    # 2e6 float32 squares summed one by one in float32 lose digits; the kernel does not.
    g = rng.random(2_000_000).astype(np.float32)
    exact = math.sqrt(math.fsum((g.astype(np.float64) ** 2).tolist()))
    assert ol.optim.get_total_norm([g]) == float(np.float32(exact))
    running = np.cumsum(g * g, dtype=np.float32)[-1]  # a float32 running sum
    assert abs(math.sqrt(running) / exact - 1) > 1e-5


def test_float32_norm_does_not_overflow_where_torch_does():
    g = [np.full(4, 1e30, dtype=np.float32)]
    assert ol.optim.get_total_norm(g) == float(np.float32(2e30))
    torch = pytest.importorskip("torch")
    assert math.isinf(torch.nn.utils.get_total_norm([torch.from_numpy(g[0])]).item())


def test_mixed_dtypes_total_in_float64(rng):
    g = [rng.standard_normal(10).astype(np.float32), rng.standard_normal(7)]
    expected = copies(g)
    want = reference.clip_grad_norm_(expected, 0.1)
    assert ol.optim.clip_grad_norm_(g, 0.1) == pytest.approx(want, rel=1e-12)
    assert g[0].dtype == np.float32 and g[1].dtype == np.float64
    np.testing.assert_allclose(g[0], expected[0], rtol=1e-6)
    np.testing.assert_allclose(g[1], expected[1], rtol=1e-12)


# --- against torch -----------------------------------------------------------------------------
def _torch_clip(torch, grads, max_norm, norm_type, **kw):
    params = [torch.zeros(g.shape, dtype=torch.from_numpy(g).dtype) for g in grads]
    for p, g in zip(params, grads, strict=True):
        p.grad = torch.from_numpy(g.copy())
    total = torch.nn.utils.clip_grad_norm_(params, max_norm, norm_type, **kw)
    return total.item(), [p.grad.numpy() for p in params]


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("norm_type", [*NORMS, "inf"])
@pytest.mark.parametrize("max_norm", [0.0, 0.3, 5.0, 1e9])
def test_clip_grad_norm_equals_torch(rng, dtype, norm_type, max_norm):
    torch = pytest.importorskip("torch")
    grads = [g for g in grads_of(rng, dtype, scale=0.7) if g.size]
    want_total, want = _torch_clip(torch, grads, max_norm, norm_type)
    got_total = ol.optim.clip_grad_norm_(grads, max_norm, norm_type)
    assert got_total == pytest.approx(want_total, rel=rtol(dtype))
    for g, w in zip(grads, want, strict=True):
        np.testing.assert_allclose(g, w, rtol=rtol(dtype), atol=0)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("total_norm", [0.0, 1e-7, 0.37, 0.9, 2.2, 3.0, 7.123456789, 11.3,
                                        math.inf])
def test_clip_grads_with_norm_is_bit_identical_to_torch(rng, dtype, total_norm):
    # Given the same total norm, the coefficient is torch's to the last bit: the division
    # max_norm / (total + 1e-6) is a reciprocal times max_norm, in the gradients' dtype.
    torch = pytest.importorskip("torch")
    grads = [g for g in grads_of(rng, dtype, big=True) if g.size]
    tgrads = [torch.from_numpy(g.copy()) for g in grads]
    params = [torch.zeros_like(t) for t in tgrads]
    for p, t in zip(params, tgrads, strict=True):
        p.grad = t
    torch.nn.utils.clip_grads_with_norm_(params, 1.7, torch.tensor(total_norm,
                                         dtype=tgrads[0].dtype))  # fmt: skip
    ol.optim.clip_grads_with_norm_(grads, 1.7, total_norm)
    for g, p in zip(grads, params, strict=True):
        np.testing.assert_array_equal(g, p.grad.numpy())


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("clip_value", [0.0, 0.5, 2.0, math.inf])
def test_clip_grad_value_equals_torch(rng, dtype, clip_value):
    torch = pytest.importorskip("torch")
    grads = grads_of(rng, dtype, big=True)
    grads[0][0, 0] = np.nan
    want = [torch.from_numpy(g.copy()) for g in grads]
    params = [torch.zeros_like(t) for t in want]
    for p, t in zip(params, want, strict=True):
        p.grad = t
    torch.nn.utils.clip_grad_value_(params, clip_value)
    ol.optim.clip_grad_value_(grads, clip_value)
    for g, p in zip(grads, params, strict=True):
        np.testing.assert_array_equal(g, p.grad.numpy())


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_nonfinite_grads_behave_as_in_torch(bad):
    torch = pytest.importorskip("torch")
    grads = [np.array([1.0, bad, 2.0]), np.array([3.0])]
    want_total, want = _torch_clip(torch, grads, 1.0, 2.0)
    got_total = ol.optim.clip_grad_norm_(grads, 1.0)
    np.testing.assert_array_equal(got_total, want_total)
    for g, w in zip(grads, want, strict=True):
        np.testing.assert_array_equal(g, w)


@pytest.mark.parametrize("norm_type", [2.0, math.inf])
def test_error_if_nonfinite_names_the_array_and_changes_nothing(norm_type):
    grads = [np.ones(3), np.array([1.0, np.nan, np.inf, 2.0])]
    before = copies(grads)
    with pytest.raises(NonFiniteNormError, match=r"grads\[1\] has 2 of 4 entries") as info:
        ol.optim.clip_grad_norm_(grads, 1.0, norm_type, error_if_nonfinite=True)
    assert isinstance(info.value, RuntimeError) and isinstance(info.value, FloatingPointError)
    assert "error_if_nonfinite=False" in str(info.value)
    for g, b in zip(grads, before, strict=True):
        np.testing.assert_array_equal(g, b)


def test_error_if_nonfinite_on_overflow_says_so():
    g = [np.full(2, 1e200)]
    with pytest.raises(FloatingPointError, match="every entry is finite: the norm overflowed"):
        ol.optim.get_total_norm(g, error_if_nonfinite=True)


# --- invariants (hypothesis) ---------------------------------------------------------------------
finite = st.floats(-1e6, 1e6, allow_nan=False, width=32)
grad_lists = st.lists(hnp.arrays(st.sampled_from([np.float32, np.float64]),
                                 hnp.array_shapes(min_dims=1, max_dims=3, max_side=6),
                                 elements=finite), min_size=1, max_size=4)  # fmt: skip


@settings(max_examples=200, deadline=None)
@given(grads=grad_lists, max_norm=st.floats(0.0, 1e3), norm_type=st.sampled_from(NORMS))
def test_norm_after_clip_is_at_most_max_norm(grads, max_norm, norm_type):
    total = ol.optim.clip_grad_norm_(grads, max_norm, norm_type)
    after = reference.total_norm(grads, norm_type)
    assert after <= max(max_norm, 0.0) * (1 + 1e-5) + 1e-30
    if total + 1e-6 <= max_norm:  # coefficient 1: nothing was clipped
        assert after == pytest.approx(total, rel=1e-5)


@settings(max_examples=200, deadline=None)
@given(grads=grad_lists, max_norm=st.floats(1e-3, 1e3), norm_type=st.sampled_from(NORMS))
def test_clipping_twice_equals_clipping_once(grads, max_norm, norm_type):
    once = copies(grads)
    ol.optim.clip_grad_norm_(once, max_norm, norm_type)
    twice = copies(once)
    ol.optim.clip_grad_norm_(twice, max_norm, norm_type)
    for a, b in zip(once, twice, strict=True):
        # Idempotent up to torch's 1e-6 guard: a clipped norm lands at max_norm (1 - ~1e-6 /
        # max_norm), so the second pass scales by at least 1 - ~1e-6 / max_norm.
        np.testing.assert_allclose(b, a, rtol=2e-6 / max_norm + 4e-7, atol=0)


@settings(max_examples=100, deadline=None)
@given(grads=grad_lists, clip_value=st.floats(0.0, 1e3))
def test_clip_value_bounds_and_idempotent(grads, clip_value):
    ol.optim.clip_grad_value_(grads, clip_value)
    once = copies(grads)
    for g in grads:
        assert np.all(np.abs(g) <= g.dtype.type(clip_value))
    ol.optim.clip_grad_value_(grads, clip_value)
    for a, b in zip(grads, once, strict=True):
        np.testing.assert_array_equal(a, b)


@settings(max_examples=100, deadline=None)
@given(grads=grad_lists, max_norm=st.floats(0.0, 1e3))
def test_clipping_keeps_the_direction(grads, max_norm):
    before = copies(grads)
    ol.optim.clip_grad_norm_(grads, max_norm)
    for g, b in zip(grads, before, strict=True):
        assert np.all(np.sign(g) * np.sign(b) >= 0)  # no sign flips (zeros allowed)


# --- bad input: a clear message, nothing modified ------------------------------------------------
BAD_CALLS = [
    (lambda g: ol.optim.clip_grad_norm_(g, -1.0), ValueError,
     r"'max_norm' parameter of clip_grad_norm_ must be a float in the range \[0, inf\]. "
     r"Got -1.0"),
    (lambda g: ol.optim.clip_grad_norm_(g, float("nan")), ValueError, "'max_norm'.*Got nan"),
    (lambda g: ol.optim.clip_grad_norm_(g, "1"), TypeError, "'max_norm'.*a real number"),
    (lambda g: ol.optim.clip_grad_norm_(g, 1.0, norm_type=0), ValueError,
     "'norm_type'.*> 0, or inf.*Got 0"),
    (lambda g: ol.optim.clip_grad_norm_(g, 1.0, norm_type=-math.inf), ValueError, "'norm_type'"),
    (lambda g: ol.optim.clip_grad_norm_(g, 1.0, norm_type="fro"), ValueError,
     "'norm_type'.*Got 'fro'"),
    (lambda g: ol.optim.clip_grad_norm_(g, 1.0, error_if_nonfinite="yes"), TypeError,
     "'error_if_nonfinite'.*True or False"),
    (lambda g: ol.optim.clip_grad_norm_(g, 1.0, foreach=True), TypeError, "foreach"),
    (lambda g: ol.optim.clip_grad_value_(g, -0.5), ValueError,
     r"'clip_value' parameter of clip_grad_value_ must be a float in the range \[0, inf\]"),
    (lambda g: ol.optim.clip_grads_with_norm_(g, 1.0, -2.0), ValueError, "'total_norm'"),
    (lambda g: ol.optim.clip_grad_norm_([*g, np.arange(3)], 1.0), TypeError,
     r"'grads\[2\]'.*float32 or float64.*Got 'dtype int64'.*astype"),
    (lambda g: ol.optim.clip_grad_norm_([*g, [1.0, 2.0]], 1.0), TypeError,
     r"'grads\[2\]'.*a NumPy array.*Got 'list'"),
    (lambda g: ol.optim.clip_grad_norm_([*g, _read_only()], 1.0), ValueError,
     r"'grads\[2\]'.*writeable.*g.copy\(\)"),
    (lambda g: ol.optim.clip_grad_value_([*g, _read_only()], 1.0), ValueError, "writeable"),
    (lambda g: ol.optim.clip_grad_norm_(3.0, 1.0), TypeError, "'grads'.*list of NumPy arrays"),
]


def _read_only():
    a = np.ones(3)
    a.flags.writeable = False
    return a


@pytest.mark.parametrize(("call", "exc", "match"), BAD_CALLS)
def test_bad_input_is_refused_before_anything_changes(rng, call, exc, match):
    grads = [rng.standard_normal((3, 2)) * 10, rng.standard_normal(4) * 10]
    before = copies(grads)
    with pytest.raises(exc, match=match):
        call(grads)
    for g, b in zip(grads, before, strict=True):
        np.testing.assert_array_equal(g, b)


def test_read_only_grads_are_fine_for_get_total_norm():
    assert ol.optim.get_total_norm([_read_only()]) == pytest.approx(math.sqrt(3.0), rel=1e-15)
