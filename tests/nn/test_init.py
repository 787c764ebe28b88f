"""Initialisers: torch's gains and fans, the variance formulas, bounds, orthogonality, seeds."""

import math

import numpy as np
import pytest

from optlearn.nn import init
from optlearn.nn.init import _fans

BIG = (512, 1024)  # torch layout (out, in): fan_in = 1024, fan_out = 512
CONV = (64, 32, 3, 3)  # fan_in = 32 * 9 = 288, fan_out = 64 * 9 = 576

NONLINEARITIES = [
    ("linear", None), ("conv1d", None), ("conv2d", None), ("conv3d", None),
    ("conv_transpose1d", None), ("conv_transpose2d", None), ("conv_transpose3d", None),
    ("sigmoid", None), ("tanh", None), ("relu", None), ("selu", None),
    ("leaky_relu", None), ("leaky_relu", 0.2), ("leaky_relu", 0), ("leaky_relu", 1),
    ("leaky_relu", -0.5), ("leaky_relu", 3),
]  # fmt: skip

# (function, kwargs) for every initialiser that draws random numbers.
RANDOM = [
    (init.uniform_, {"a": -0.3, "b": 0.7}),
    (init.normal_, {"mean": 0.5, "std": 2.0}),
    (init.trunc_normal_, {"std": 0.5, "a": -1.0, "b": 1.0}),
    (init.xavier_uniform_, {"gain": 2.0}),
    (init.xavier_normal_, {}),
    (init.kaiming_uniform_, {"mode": "fan_out"}),
    (init.kaiming_normal_, {"a": 0.1}),
    (init.orthogonal_, {"gain": 1.5}),
]
RANDOM_IDS = [f.__name__ for f, _ in RANDOM]


def truncnorm_moments(mean, std, a, b):
    """Mean and variance of N(mean, std^2) conditioned on [a, b], from the textbook formulas."""
    alpha, beta = (a - mean) / std, (b - mean) / std
    pdf = lambda z: math.exp(-0.5 * z * z) / math.sqrt(2 * math.pi)  # noqa: E731
    cdf = lambda z: 0.5 * (1 + math.erf(z / math.sqrt(2)))  # noqa: E731
    Z = cdf(beta) - cdf(alpha)
    m = (pdf(alpha) - pdf(beta)) / Z
    var = 1 + (alpha * pdf(alpha) - beta * pdf(beta)) / Z - m * m
    return mean + std * m, std * std * var


# --- torch's gains and fans -----------------------------------------------------------------------
@pytest.mark.parametrize(("nonlinearity", "param"), NONLINEARITIES)
def test_calculate_gain_equals_torch(nonlinearity, param):
    torch = pytest.importorskip("torch")
    expected = torch.nn.init.calculate_gain(nonlinearity, param)
    got = init.calculate_gain(nonlinearity, param)
    assert isinstance(got, float)
    assert got == pytest.approx(expected, rel=1e-15)


def test_calculate_gain_hand_values():
    assert init.calculate_gain("relu") == math.sqrt(2)
    assert init.calculate_gain("tanh") == 5 / 3
    assert init.calculate_gain("selu") == 0.75
    assert init.calculate_gain("leaky_relu") == math.sqrt(2 / (1 + 0.01**2))  # default slope
    assert init.calculate_gain("relu", param="ignored") == math.sqrt(2)  # as torch: unused


@pytest.mark.parametrize("shape", [(3, 5), (5, 3), (1, 1), (4, 2, 3), CONV, (2, 3, 4, 5, 6)])
def test_fans_equal_torch(shape):
    torch = pytest.importorskip("torch")
    assert _fans(shape) == torch.nn.init._calculate_fan_in_and_fan_out(torch.empty(shape))


def test_fans_refuse_fewer_than_two_dimensions_with_torchs_message():
    msg = "Fan in and fan out can not be computed for tensor with fewer than 2 dimensions"
    with pytest.raises(ValueError, match=msg):
        _fans((5,))


# --- the variance formulas ------------------------------------------------------------------------
def _expected_std(func, shape, kwargs):
    fan_in, fan_out = _fans(shape)
    if func.__name__.startswith("xavier"):
        return kwargs.get("gain", 1.0) * math.sqrt(2 / (fan_in + fan_out))
    fan = fan_in if kwargs.get("mode", "fan_in") == "fan_in" else fan_out
    nonlinearity = kwargs.get("nonlinearity", "leaky_relu")
    slope = kwargs.get("a", 0)
    gain = {"relu": math.sqrt(2), "tanh": 5 / 3, "linear": 1.0, "selu": 0.75,
            "leaky_relu": math.sqrt(2 / (1 + slope**2))}[nonlinearity]  # fmt: skip
    return gain / math.sqrt(fan)


FAN_CASES = [
    (f, kw)
    for f in (init.xavier_uniform_, init.xavier_normal_)
    for kw in ({}, {"gain": 5 / 3})
] + [
    (f, {"mode": mode, **extra})
    for f in (init.kaiming_uniform_, init.kaiming_normal_)
    for mode in ("fan_in", "fan_out")
    for extra in ({}, {"nonlinearity": "relu"}, {"nonlinearity": "tanh"},
                  {"nonlinearity": "leaky_relu", "a": 0.2}, {"nonlinearity": "linear"})
]  # fmt: skip


@pytest.mark.parametrize("shape", [BIG, CONV], ids=["linear", "conv"])
@pytest.mark.parametrize(("func", "kwargs"), FAN_CASES,
                         ids=[f"{f.__name__}-{kw}" for f, kw in FAN_CASES])  # fmt: skip
def test_empirical_variance_matches_the_formula(func, kwargs, shape):
    w = func(np.empty(shape), **kwargs, generator=1)
    std = _expected_std(func, shape, kwargs)
    assert abs(w.mean()) < 0.01 * std
    assert w.var() == pytest.approx(std**2, rel=0.03)
    if func.__name__.endswith("uniform_"):
        bound = math.sqrt(3) * std
        assert np.abs(w).max() <= bound  # exactly
        assert np.abs(w).max() > 0.999 * bound  # and not a smaller bound


@pytest.mark.parametrize(("func", "kwargs"), [
    ("xavier_uniform_", {}), ("xavier_normal_", {"gain": 2.0}),
    ("kaiming_uniform_", {}), ("kaiming_normal_", {"mode": "fan_out"}),
    ("kaiming_uniform_", {"a": 0.3, "nonlinearity": "leaky_relu"}),
    ("kaiming_normal_", {"nonlinearity": "selu"}),
])  # fmt: skip
@pytest.mark.parametrize("shape", [(256, 1024), CONV])
def test_same_spread_as_torch(func, kwargs, shape):
    torch = pytest.importorskip("torch")
    ours = getattr(init, func)(np.empty(shape), **kwargs, generator=3)
    theirs = getattr(torch.nn.init, func)(torch.empty(shape, dtype=torch.float64), **kwargs,
                                          generator=torch.Generator().manual_seed(3))
    assert ours.std() == pytest.approx(theirs.std().item(), rel=0.03)


def test_kaiming_default_is_the_relu_gain():
    a = init.kaiming_normal_(np.empty((20, 30)), generator=5)
    b = init.kaiming_normal_(np.empty((20, 30)), nonlinearity="relu", generator=5)
    np.testing.assert_array_equal(a, b)


def test_mode_is_case_insensitive_as_in_torch():
    a = init.kaiming_uniform_(np.empty((20, 30)), mode="FAN_OUT", generator=5)
    b = init.kaiming_uniform_(np.empty((20, 30)), mode="fan_out", generator=5)
    np.testing.assert_array_equal(a, b)


def test_uniform_and_normal_moments():
    u = init.uniform_(np.empty(BIG), -1.0, 3.0, generator=0)
    assert u.min() >= -1.0 and u.max() < 3.0
    assert u.mean() == pytest.approx(1.0, abs=0.01)
    assert u.var() == pytest.approx(16 / 12, rel=0.01)
    n = init.normal_(np.empty(BIG), mean=-2.0, std=0.5, generator=0)
    assert n.mean() == pytest.approx(-2.0, abs=0.005)
    assert n.std() == pytest.approx(0.5, rel=0.01)


def test_degenerate_but_valid_ranges_fill_a_constant():
    np.testing.assert_array_equal(init.uniform_(np.empty(4), 2.0, 2.0, generator=0), 2.0)
    np.testing.assert_array_equal(init.normal_(np.empty(4), 3.0, 0.0, generator=0), 3.0)


@pytest.mark.parametrize(("mean", "std", "a", "b"), [
    (0.0, 1.0, -2.0, 2.0),  # most of the mass inside: normal draws, outliers redrawn
    (0.0, 0.02, -0.04, 0.04),
    (0.0, 1.0, 1.0, 1.5),  # 9% of the mass: uniform proposals, accepted by the density
    (1.0, 2.0, 3.0, 6.0),
])  # fmt: skip
def test_trunc_normal_moments_and_bounds(mean, std, a, b):
    w = init.trunc_normal_(np.empty(400_000), mean, std, a, b, generator=2)
    assert w.min() >= a and w.max() <= b
    m, var = truncnorm_moments(mean, std, a, b)
    assert w.mean() == pytest.approx(m, abs=0.01 * math.sqrt(var))
    assert w.var() == pytest.approx(var, rel=0.02)


def test_trunc_normal_warns_like_torch_when_the_mean_is_far_outside():
    with pytest.warns(UserWarning, match="mean is more than 2 std from"):
        w = init.trunc_normal_(np.empty(100), mean=0.0, std=0.1, a=1.0, b=1.1, generator=0)
    assert w.min() >= 1.0 and w.max() <= 1.1


# --- orthogonal_ ----------------------------------------------------------------------------------
@pytest.mark.parametrize("shape", [(50, 20), (20, 50), (30, 30), (1, 7), (7, 1), (8, 3, 2, 2),
                                   (3, 4, 5)])  # fmt: skip
@pytest.mark.parametrize("gain", [1.0, 2.5])
def test_orthogonal_rows_or_columns_are_orthonormal(shape, gain):
    w = init.orthogonal_(np.empty(shape), gain=gain, generator=4)
    rows = shape[0]
    m = w.reshape(rows, -1)  # trailing dimensions flattened, as torch
    small = m @ m.T if rows <= m.shape[1] else m.T @ m
    np.testing.assert_allclose(small, gain**2 * np.eye(small.shape[0]), rtol=0, atol=1e-10)


def gram_schmidt(columns):
    """Orthonormalise the columns in order (modified Gram-Schmidt): Q R with diag(R) > 0."""
    q = np.array(columns, dtype=np.float64)
    for j in range(q.shape[1]):
        for i in range(j):
            q[:, j] -= (q[:, i] @ q[:, j]) * q[:, i]
        q[:, j] /= np.linalg.norm(q[:, j])
    return q


@pytest.mark.parametrize("seed", [0, 9])  # the first Gaussian draw is > 0 for 0, < 0 for 9
@pytest.mark.parametrize("shape", [(6, 4), (4, 6), (5, 5)])
def test_orthogonal_is_gram_schmidt_of_the_gaussian_draw(shape, seed):
    # With the sign correction, Q R is the QR factorisation with diag(R) > 0, which is unique:
    # Gram-Schmidt of the Gaussian columns (of its rows, for a wide matrix). Without the
    # correction, columns come out with flipped signs.
    g = np.random.default_rng(seed).standard_normal(shape)
    w = init.orthogonal_(np.empty(shape), generator=seed)
    expected = gram_schmidt(g) if shape[0] >= shape[1] else gram_schmidt(g.T).T
    np.testing.assert_allclose(w, expected, rtol=0, atol=1e-12)


def test_orthogonal_sign_correction_makes_entries_symmetric():
    # Without it, LAPACK's Householder QR makes W[0, 0] < 0 every time.
    rng = np.random.default_rng(0)
    first = [init.orthogonal_(np.empty((3, 3)), generator=rng)[0, 0] for _ in range(4000)]
    assert abs(np.mean(first)) < 0.05  # standard error about 0.009
    assert 0.4 < np.mean(np.array(first) > 0) < 0.6


# --- seeds, dtypes, views -------------------------------------------------------------------------
@pytest.mark.parametrize(("func", "kwargs"), RANDOM, ids=RANDOM_IDS)
def test_same_seed_same_bits_and_generator_forms_agree(func, kwargs):
    a = func(np.empty((40, 30)), **kwargs, generator=11)
    b = func(np.empty((40, 30)), **kwargs, generator=11)
    c = func(np.empty((40, 30)), **kwargs, generator=np.random.default_rng(11))
    d = func(np.empty((40, 30)), **kwargs, generator=np.int64(11))
    for other in (b, c, d):
        np.testing.assert_array_equal(a, other)
    assert not np.array_equal(a, func(np.empty((40, 30)), **kwargs, generator=12))


@pytest.mark.parametrize(("func", "kwargs"), RANDOM, ids=RANDOM_IDS)
def test_a_generator_is_advanced_and_none_is_fresh(func, kwargs):
    rng = np.random.default_rng(0)
    first = func(np.empty((10, 8)), **kwargs, generator=rng)
    second = func(np.empty((10, 8)), **kwargs, generator=rng)
    assert not np.array_equal(first, second)
    # The legacy global state, read on purpose: the initialisers must never touch it.
    state = np.random.get_state()[1].copy()  # noqa: NPY002
    x = func(np.empty((10, 8)), **kwargs)
    y = func(np.empty((10, 8)), **kwargs)
    assert not np.array_equal(x, y)
    np.testing.assert_array_equal(np.random.get_state()[1], state)  # noqa: NPY002


@pytest.mark.parametrize(("func", "kwargs"), RANDOM, ids=RANDOM_IDS)
def test_float32_stays_float32_and_is_the_float64_draw_rounded(func, kwargs):
    w32 = func(np.empty((40, 30), dtype=np.float32), **kwargs, generator=13)
    w64 = func(np.empty((40, 30)), **kwargs, generator=13)
    assert w32.dtype == np.float32
    np.testing.assert_array_equal(w32, w64.astype(np.float32))


@pytest.mark.parametrize(("func", "kwargs"), RANDOM, ids=RANDOM_IDS)
def test_filled_in_place_through_a_transposed_view(func, kwargs):
    W = np.zeros((30, 40))  # stored (in, out) for X @ W
    view = W.T
    out = func(view, **kwargs, generator=17)
    assert out is view
    assert np.count_nonzero(W) == W.size
    expected = func(np.empty((40, 30)), **kwargs, generator=17)
    np.testing.assert_array_equal(W, expected.T)


def test_kaiming_through_the_transpose_uses_the_stored_in_features():
    W = np.zeros((784, 64))  # X @ W: 784 inputs
    init.kaiming_uniform_(W.T, nonlinearity="relu", generator=0)
    bound = math.sqrt(2) * math.sqrt(3 / 784)
    assert np.abs(W).max() <= bound
    assert np.abs(W).max() > 0.99 * bound


@pytest.mark.parametrize(("func", "kwargs"), RANDOM, ids=RANDOM_IDS)
def test_filled_through_a_strided_view_leaving_the_rest(func, kwargs):
    base = np.full((20, 30), 7.0)
    view = base[:, ::3]
    func(view, **kwargs, generator=19)
    np.testing.assert_array_equal(np.delete(base, np.s_[::3], axis=1), 7.0)
    assert not np.any(view == 7.0)


@pytest.mark.parametrize(("func", "kwargs"), RANDOM, ids=RANDOM_IDS)
@pytest.mark.parametrize("shape", [(0, 5), (5, 0), (0, 0), (3, 0, 2)])
def test_zero_size_arrays_are_left_alone(func, kwargs, shape):
    w = np.empty(shape)
    assert func(w, **kwargs, generator=0) is w


# --- the deterministic fills ----------------------------------------------------------------------
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_constant_zeros_ones(dtype):
    w = np.full((3, 4), np.nan, dtype=dtype)
    assert init.constant_(w, 0.25) is w
    assert w.dtype == dtype
    np.testing.assert_array_equal(w, 0.25)
    assert init.zeros_(w) is w
    np.testing.assert_array_equal(w, 0.0)
    assert init.ones_(w) is w
    np.testing.assert_array_equal(w, 1.0)
    b = np.zeros(5, dtype=dtype)  # 1-D is fine for these (biases)
    init.constant_(b, np.float32(-3))
    np.testing.assert_array_equal(b, -3.0)
    s = np.zeros((), dtype=dtype)
    init.ones_(s)
    assert s == 1.0


def test_deterministic_fills_through_views():
    W = np.zeros((4, 6))
    init.ones_(W.T)
    np.testing.assert_array_equal(W, 1.0)
    init.constant_(W[::2, 1:], 5.0)
    assert W[0, 1] == 5.0 and W[1, 1] == 1.0 and W[0, 0] == 1.0


def test_one_dimensional_is_fine_without_fans():
    b = init.uniform_(np.empty(10), -0.1, 0.1, generator=0)
    assert np.abs(b).max() <= 0.1
    init.normal_(np.empty(10), generator=0)
    init.trunc_normal_(np.empty(10), generator=0)


# --- bad input: a clear message, nothing modified -------------------------------------------------
def _read_only():
    a = np.zeros((3, 4))
    a.flags.writeable = False
    return a


TENSOR = "w"  # placeholder: the test substitutes its array
BAD = [
    (init.xavier_uniform_, ([[1.0, 2.0]],), {}, TypeError,
     r"The 'tensor' parameter of xavier_uniform_ must be a NumPy array \(it is filled in "
     r"place\). Got 'list' instead."),
    (init.zeros_, (np.zeros((3, 4), dtype=np.int64),), {}, TypeError,
     r"'tensor' parameter of zeros_ must be an array of dtype float32 or float64. "
     r"Got 'dtype int64' instead.*a converted copy would be filled"),
    (init.normal_, (np.zeros((3, 4), dtype=np.float16),), {}, TypeError, "float32 or float64"),
    (init.ones_, (_read_only(),), {}, ValueError, r"'tensor'.*writeable.*tensor.copy\(\)"),
    (init.kaiming_normal_, (_read_only(),), {}, ValueError, "writeable"),
    (init.xavier_uniform_, (np.zeros(5),), {}, ValueError,
     r"'tensor' parameter of xavier_uniform_ must be an array with at least 2 dimensions. "
     r"Got 'an array of shape \(5,\)' instead. Fan in and fan out can not be computed for "
     r"tensor with fewer than 2 dimensions"),
    (init.kaiming_uniform_, (np.zeros(5),), {}, ValueError, "Fan in and fan out"),
    (init.xavier_normal_, (np.zeros(()),), {}, ValueError, "at least 2 dimensions"),
    (init.kaiming_normal_, (np.zeros(5),), {}, ValueError, "Fan in and fan out"),
    (init.orthogonal_, (np.zeros(5),), {}, ValueError,
     r"'tensor' parameter of orthogonal_ must be an array with at least 2 dimensions.*"
     r"Only tensors with 2 or more dimensions are supported"),
    (init.kaiming_uniform_, (TENSOR,), {"mode": "fan_avg"}, ValueError,
     r"'mode' parameter of kaiming_uniform_ must be one of 'fan_in', 'fan_out'. "
     r"Got 'fan_avg' instead."),
    (init.kaiming_normal_, (TENSOR,), {"mode": None}, ValueError, "'mode'"),
    (init.kaiming_normal_, (TENSOR,), {"nonlinearity": "gelu"}, ValueError,
     r"'nonlinearity' parameter of kaiming_normal_ must be one of 'linear', .*'relu', "
     r"'leaky_relu', 'selu'. Got 'gelu' instead."),
    (init.kaiming_uniform_, (TENSOR, "relu"), {}, TypeError,
     r"'a' parameter of kaiming_uniform_ must be a real number.*Got 'relu' instead. "
     r"Pass the nonlinearity by keyword: nonlinearity='relu'."),
    (init.kaiming_uniform_, (TENSOR,), {"a": math.nan}, ValueError, "'a'.*Got nan"),
    (init.calculate_gain, ("ReLU",), {}, ValueError,
     r"'nonlinearity' parameter of calculate_gain must be one of 'linear', 'conv1d', "
     r"'conv2d', 'conv3d', 'conv_transpose1d', 'conv_transpose2d', 'conv_transpose3d', "
     r"'sigmoid', 'tanh', 'relu', 'leaky_relu', 'selu'. Got 'ReLU' instead."),
    (init.calculate_gain, (None,), {}, ValueError, "'nonlinearity'.*Got None"),
    (init.calculate_gain, ("leaky_relu", "0.2"), {}, ValueError,
     r"'param' parameter of calculate_gain must be a real number \(the negative slope"),
    (init.calculate_gain, ("leaky_relu", True), {}, ValueError, "'param'"),
    (init.calculate_gain, ("leaky_relu", math.inf), {}, ValueError, "'param'.*finite"),
    (init.normal_, (TENSOR,), {"std": -1.0}, ValueError,
     r"'std' parameter of normal_ must be a finite float in the range \[0, inf\). "
     r"Got -1.0 instead."),
    (init.normal_, (TENSOR,), {"mean": math.inf}, ValueError, "'mean'"),
    (init.normal_, (TENSOR,), {"mean": "0"}, TypeError, "'mean'.*a real number"),
    (init.uniform_, (TENSOR, 1.0, 0.0), {}, ValueError,
     r"'b' parameter of uniform_ must be a float >= a = 1.0. Got 0.0 instead."),
    (init.uniform_, (TENSOR,), {"b": math.nan}, ValueError, "'b'"),
    (init.trunc_normal_, (TENSOR,), {"a": 1.0, "b": 1.0}, ValueError, r"'b'.*> a = 1.0"),
    (init.trunc_normal_, (TENSOR,), {"std": 0.0}, ValueError, r"'std'.*\(0, inf\)"),
    (init.xavier_uniform_, (TENSOR,), {"gain": -1.0}, ValueError,
     r"'gain' parameter of xavier_uniform_ must be a finite float in the range \[0, inf\)"),
    (init.orthogonal_, (TENSOR,), {"gain": math.nan}, ValueError, "'gain'"),
    (init.constant_, (TENSOR, math.nan), {}, ValueError, "'val' parameter of constant_"),
    (init.constant_, (TENSOR, "1"), {}, TypeError, "'val'.*a real number"),
    (init.constant_, (TENSOR,), {"val": None}, TypeError, "'val'"),
    (init.normal_, (TENSOR,), {"generator": -1}, ValueError,
     r"'generator' parameter of normal_ must be None, an int seed >= 0 or an "
     r"np.random.Generator. Got -1 instead."),
    (init.xavier_normal_, (TENSOR,), {"generator": np.random.RandomState(0)}, TypeError,
     r"'generator'.*Got 'RandomState' instead. Pass np.random.default_rng\(seed\)"),
    (init.orthogonal_, (TENSOR,), {"generator": 1.5}, TypeError, "'generator'.*'float'"),
    (init.uniform_, (TENSOR,), {"generator": True}, TypeError, "'generator'"),
]


@pytest.mark.parametrize(("func", "args", "kwargs", "exc", "match"), BAD,
                         ids=[f"{b[0].__name__}-{i}" for i, b in enumerate(BAD)])  # fmt: skip
def test_bad_input_is_refused_before_anything_changes(func, args, kwargs, exc, match):
    w = np.arange(12.0).reshape(3, 4)
    args = tuple(w if a is TENSOR else a for a in args)
    with pytest.raises(exc, match=match):
        func(*args, **kwargs)
    np.testing.assert_array_equal(w, np.arange(12.0).reshape(3, 4))


def test_generator_keyword_only():
    with pytest.raises(TypeError):
        init.xavier_uniform_(np.empty((3, 4)), 1.0, 0)
