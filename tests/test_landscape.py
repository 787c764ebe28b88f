"""landscape: slices reproduce the model's losses, curvature equals the exact Hessian of a
quadratic and torch's Hessian-vector products, and the model is never changed."""

import re

import numpy as np
import pytest

from optlearn.landscape import (
    Slice1D,
    Slice2D,
    get_params,
    hessian_eigs,
    hessian_vector_product,
    set_params,
    sharpness,
    slice_1d,
    slice_2d,
)
from optlearn.nn import MLP


# --- fixtures -----------------------------------------------------------------------------------
@pytest.fixture
def quadratic(rng):
    """A linear model with loss='mse': L(w, b) = mean((X w + b - y)^2), exactly quadratic in
    the parameters, with Hessian 2/n [X 1]^T [X 1]. The columns of X are scaled apart so that
    the eigenvalues are well separated (power iteration converges fast)."""
    n, d = 40, 5
    X = rng.standard_normal((n, d)) * np.array([4.0, 2.5, 1.5, 1.0, 0.5])
    y = rng.standard_normal(n)
    net = MLP([d, 1], activation="identity", dtype=np.float64, seed=1)
    A = np.hstack([X, np.ones((n, 1))])  # parameter order: weight (d, 1), then bias (1,)
    H = 2.0 / n * A.T @ A
    return net, X, y, H


@pytest.fixture
def classifier(rng):
    """A small tanh classifier in float64 and its data."""
    X = rng.standard_normal((30, 4))
    y = rng.integers(0, 3, size=30)
    return MLP([4, 8, 3], activation="tanh", dtype=np.float64, seed=2), X, y


def snapshot(net):
    return [p.copy() for p in net.parameters()], net.state_dict()


def assert_unchanged(net, snap, arrays=None):
    params, state = snap
    for p, q in zip(net.parameters(), params, strict=True):
        np.testing.assert_array_equal(p, q)
    after = net.state_dict()
    assert after.keys() == state.keys()
    for key in state:
        np.testing.assert_array_equal(after[key], state[key])
    if arrays is not None:  # updated in place: the very same arrays
        assert all(p is q for p, q in zip(net.parameters(), arrays, strict=True))


# --- get_params / set_params ---------------------------------------------------------------------
def test_get_set_params_round_trip_keeps_arrays_and_dtype():
    net = MLP([3, 4, 2], seed=0)  # float32
    arrays = net.parameters()
    theta = get_params(net)
    assert theta.dtype == np.float64 and theta.shape == (3 * 4 + 4 + 4 * 2 + 2,)
    np.testing.assert_array_equal(theta, np.concatenate([p.ravel() for p in arrays]))
    theta[0] = 123.0  # a copy
    assert arrays[0][0, 0] != 123.0
    new = np.arange(theta.size, dtype=np.float64) / 7
    set_params(net, new)
    assert all(p is q for p, q in zip(net.parameters(), arrays, strict=True))
    assert all(p.dtype == np.float32 for p in net.parameters())
    np.testing.assert_array_equal(get_params(net), new.astype(np.float32))
    assert net.parameters()[1][0] == np.float32(12 / 7)  # layers.0.bias after the 12 weights


def test_set_params_refuses_bad_vectors_and_writes_nothing():
    net = MLP([3, 4, 2], seed=0)
    snap = snapshot(net)
    n = get_params(net).size
    with pytest.raises(ValueError, match=rf"a flat vector of {n} values.*Got 'shape \(5,\)'"):
        set_params(net, np.zeros(5))
    with pytest.raises(ValueError, match="Flatten parameters with get_params"):
        set_params(net, np.zeros((2, n)))
    bad = np.zeros(n)
    bad[-1] = np.nan
    with pytest.raises(ValueError, match=msg("must be finite. Got '1 NaN or infinite entries")):
        set_params(net, bad)
    with pytest.raises(TypeError, match="numeric vector"):
        set_params(net, np.array(["a"] * n))
    with pytest.raises(TypeError, match=msg("such as optlearn.nn.MLP")):
        get_params(object())
    assert_unchanged(net, snap)


# --- Hessian-vector products and eigenvalues on an exact quadratic -------------------------------
def test_hvp_equals_hessian_times_vector_on_quadratic(quadratic, rng):
    net, X, y, H = quadratic
    snap, arrays = snapshot(net), net.parameters()
    for _ in range(3):
        v = rng.standard_normal(H.shape[0])
        hv = hessian_vector_product(net, X, y, v, loss="mse")
        np.testing.assert_allclose(hv, H @ v, rtol=1e-6, atol=1e-9 * np.abs(H @ v).max())
    v = rng.standard_normal(H.shape[0])  # an explicit step: still exact on a quadratic
    np.testing.assert_allclose(hessian_vector_product(net, X, y, v, loss="mse", eps=0.1),
                               H @ v, rtol=1e-6)  # fmt: skip
    np.testing.assert_array_equal(
        hessian_vector_product(net, X, y, np.zeros(H.shape[0]), loss="mse"), 0.0
    )
    assert_unchanged(net, snap, arrays)


def test_hvp_accepts_state_dict(quadratic, rng):
    net, X, y, H = quadratic
    v = rng.standard_normal(H.shape[0])
    as_dict = {"layers.0.weight": v[:-1].reshape(-1, 1), "layers.0.bias": v[-1:]}
    np.testing.assert_array_equal(hessian_vector_product(net, X, y, as_dict, loss="mse"),
                                  hessian_vector_product(net, X, y, v, loss="mse"))  # fmt: skip


@pytest.mark.parametrize("k", [1, 3, 5])
def test_lanczos_eigenvalues_equal_exact_spectrum(quadratic, k):
    net, X, y, H = quadratic
    exact = np.linalg.eigvalsh(H)[::-1]  # decreasing
    top = hessian_eigs(net, X, y, k=k, loss="mse")
    np.testing.assert_allclose(top, exact[:k], rtol=1e-6)
    bottom = hessian_eigs(net, X, y, k=k, which="smallest", loss="mse")
    np.testing.assert_allclose(bottom, exact[-k:], rtol=1e-6)


def test_both_ends_sorted_decreasing(quadratic):
    net, X, y, H = quadratic
    exact = np.linalg.eigvalsh(H)[::-1]
    both = hessian_eigs(net, X, y, k=2, which="both", loss="mse")
    np.testing.assert_allclose(both, np.r_[exact[:2], exact[-2:]], rtol=1e-6)
    assert np.all(np.diff(both) <= 0)


@pytest.mark.parametrize(("which", "k"), [("largest", 1), ("largest", 3), ("smallest", 1),
                                          ("smallest", 2), ("both", 1)])  # fmt: skip
def test_power_iteration_equals_exact_spectrum(quadratic, which, k):
    net, X, y, H = quadratic
    exact = np.linalg.eigvalsh(H)[::-1]
    want = {"largest": exact[:k], "smallest": exact[-k:], "both": np.r_[exact[:k], exact[-k:]]}
    got = hessian_eigs(net, X, y, k=k, which=which, method="power", loss="mse", tol=1e-13,
                       max_iter=20_000)  # fmt: skip
    np.testing.assert_allclose(got, want[which], rtol=1e-6)


def test_power_iteration_finds_largest_algebraic_not_largest_magnitude():
    # A network at a saddle-like point: the Hessian has negative eigenvalues. Build a float64
    # tanh net and compare power iteration against Lanczos at both ends.
    rng = np.random.default_rng(5)
    X, y = rng.standard_normal((20, 2)), rng.standard_normal((20, 1))
    net = MLP([2, 3, 1], activation="tanh", dtype=np.float64, seed=3)
    lanczos = hessian_eigs(net, X, y, k=1, which="both", loss="mse", tol=1e-10)
    assert lanczos[-1] < 0 < lanczos[0]  # indefinite here, so the test means something
    power = hessian_eigs(net, X, y, k=1, which="both", method="power", loss="mse", tol=1e-12,
                         max_iter=50_000)  # fmt: skip
    np.testing.assert_allclose(power, lanczos, rtol=1e-5)


def test_sharpness_is_top_eigenvalue(quadratic):
    net, X, y, H = quadratic
    snap = snapshot(net)
    lam = np.linalg.eigvalsh(H)[-1]
    assert sharpness(net, X, y, loss="mse") == pytest.approx(lam, rel=1e-6)
    assert_unchanged(net, snap)


def test_sam_sharpness_is_one_ascent_step(quadratic):
    # On a quadratic, L(theta + rho g / |g|) - L(theta) = rho |g| + rho^2 / 2 ghat^T H ghat.
    net, X, y, H = quadratic
    snap = snapshot(net)
    _, grads = net.loss_and_grads(X, y, loss="mse")
    g = np.concatenate([gi.ravel() for gi in grads])
    ghat = g / np.linalg.norm(g)
    rho = 0.05
    want = rho * np.linalg.norm(g) + rho**2 / 2 * ghat @ H @ ghat
    assert sharpness(net, X, y, loss="mse", rho=rho) == pytest.approx(want, rel=1e-9)
    assert_unchanged(net, snap)


def test_gradient_descent_stability_threshold_is_two_over_sharpness(quadratic):
    # The chapter's law: on a quadratic GD converges for lr < 2 / lambda_max, diverges above.
    net, X, y, _ = quadratic
    lam = sharpness(net, X, y, loss="mse")
    start = get_params(net)
    for factor, converges in [(0.95, True), (1.05, False)]:
        set_params(net, start)
        lr = factor * 2 / lam
        for _ in range(400):
            _, grads = net.loss_and_grads(X, y, loss="mse")
            for p, gi in zip(net.parameters(), grads, strict=True):
                p -= lr * gi
        assert (net.loss(X, y, loss="mse") < 10) == converges


# --- Hessian-vector products on a nonlinear network, against torch -------------------------------
def torch_hvp(net, X, y, v, loss):
    torch = pytest.importorskip("torch")
    activation = {"tanh": torch.tanh, "sigmoid": torch.sigmoid,
                  "gelu": torch.nn.functional.gelu}[net.activation]  # fmt: skip
    params = [torch.tensor(p, requires_grad=True) for p in net.parameters()]
    Xt = torch.tensor(X)

    def objective():
        h = Xt
        for i in range(0, len(params) - 2, 2):
            h = activation(h @ params[i] + params[i + 1])
        out = h @ params[-2] + params[-1]
        if loss == "cross_entropy":
            return torch.nn.functional.cross_entropy(out, torch.tensor(y))
        return torch.nn.functional.mse_loss(out, torch.tensor(y).reshape(out.shape))

    grads = torch.autograd.grad(objective(), params, create_graph=True)
    vs, offset = [], 0
    for p in params:
        vs.append(torch.tensor(v[offset:offset + p.numel()]).reshape(p.shape))
        offset += p.numel()
    dot = sum((g * vi).sum() for g, vi in zip(grads, vs, strict=True))
    hv = torch.autograd.grad(dot, params)  # double backward (Pearlmutter's trick)
    return np.concatenate([h.detach().numpy().ravel() for h in hv])


@pytest.mark.parametrize(("activation", "loss"), [("tanh", "cross_entropy"), ("gelu", "mse"),
                                                  ("sigmoid", "cross_entropy")])  # fmt: skip
def test_hvp_equals_torch_double_backward(rng, activation, loss):
    pytest.importorskip("torch")
    X = rng.standard_normal((30, 4))
    y = rng.integers(0, 3, size=30) if loss == "cross_entropy" else rng.standard_normal((30, 3))
    net = MLP([4, 8, 3], activation=activation, dtype=np.float64, seed=4)
    for _ in range(3):
        v = rng.standard_normal(get_params(net).size)
        want = torch_hvp(net, X, y, v, loss)
        got = hessian_vector_product(net, X, y, v, loss=loss)
        assert np.linalg.norm(got - want) <= 1e-6 * np.linalg.norm(want)  # measured ~1e-10


def test_float32_model_is_accurate_to_about_1e_3(classifier, rng):
    net64, X, y = classifier
    net32 = MLP([4, 8, 3], activation="tanh", dtype=np.float32)
    net32.load_state_dict(net64.state_dict())
    v = rng.standard_normal(get_params(net64).size)
    want = hessian_vector_product(net64, X, y, v)
    got = hessian_vector_product(net32, X, y, v)
    assert np.linalg.norm(got - want) <= 2e-3 * np.linalg.norm(want)
    assert sharpness(net32, X, y) == pytest.approx(sharpness(net64, X, y), rel=2e-3)


def test_curvature_restores_batch_norm_statistics(rng):
    X, y = rng.standard_normal((25, 4)), rng.integers(0, 3, size=25)
    net = MLP([4, 6, 3], activation="tanh", norm="batch", dtype=np.float64, seed=0)
    snap = snapshot(net)
    hessian_eigs(net, X, y, k=1)
    hessian_vector_product(net, X, y, rng.standard_normal(get_params(net).size))
    before = net.loss(X, y)
    sharpness(net, X, y, rho=0.1)
    assert_unchanged(net, snap)
    assert net.loss(X, y) == before


# --- slice_1d ------------------------------------------------------------------------------------
def test_slice_1d_endpoints_are_the_models_losses_and_model_unchanged(classifier):
    net, X, y = classifier
    start = get_params(net)
    end = start + 0.5 * np.random.default_rng(0).standard_normal(start.size)
    snap, arrays = snapshot(net), net.parameters()
    s = slice_1d(net, X, y, start, end, num=11)
    assert_unchanged(net, snap, arrays)
    assert isinstance(s, Slice1D)
    np.testing.assert_array_equal(s.alphas, np.linspace(0, 1, 11))
    assert s.losses.shape == s.accuracies.shape == (11,)
    assert s.distance == pytest.approx(np.linalg.norm(end - start))
    loss_start, acc_start = net.loss(X, y), net.accuracy(X, y)
    set_params(net, end)
    assert s.losses[0] == loss_start and s.accuracies[0] == acc_start
    assert s.losses[-1] == net.loss(X, y) and s.accuracies[-1] == net.accuracy(X, y)
    set_params(net, 0.3 * start + 0.7 * end)
    assert s.losses[7] == pytest.approx(net.loss(X, y), rel=1e-12)


def test_slice_1d_state_dicts_extend_and_regression(quadratic):
    net, X, y, _ = quadratic
    start_sd = net.state_dict()
    end_sd = {k: v + 1.0 for k, v in start_sd.items()}
    s = slice_1d(net, X, y, start_sd, end_sd, num=9, loss="mse", extend=(0.5, 1.0))
    np.testing.assert_array_equal(s.alphas, np.linspace(-0.5, 2.0, 9))
    assert s.accuracies is None  # not a classification loss
    flat = slice_1d(net, X, y, get_params(net), get_params(net) + 1.0, num=9, loss="mse",
                    extend=(0.5, 1.0))  # fmt: skip
    np.testing.assert_array_equal(s.losses, flat.losses)
    # the loss along a line through a quadratic is a parabola in alpha
    coef = np.polyfit(s.alphas, s.losses, 2)
    np.testing.assert_allclose(np.polyval(coef, s.alphas), s.losses, rtol=1e-10)
    assert "Slice1D(9 points, alpha in [-0.5, 2]" in repr(s)


# --- slice_2d ------------------------------------------------------------------------------------
def test_slice_2d_orientation_and_center(quadratic):
    net, X, y, _ = quadratic
    n = get_params(net).size
    center = get_params(net)
    d1, d2 = np.zeros(n), np.zeros(n)
    d1[0], d2[-1] = 1.0, 1.0  # alpha moves the first weight, beta the bias
    snap = snapshot(net)
    s = slice_2d(net, X, y, directions=(d1, d2), span=2.0, num=5, loss="mse")
    odd = slice_2d(net, X, y, directions=(d1, d2), span=0.3, num=31, loss="mse")
    assert odd.alphas[15] == 0.0 and odd.losses[15, 15] == net.loss(X, y, loss="mse")
    assert_unchanged(net, snap)
    assert isinstance(s, Slice2D) and s.losses.shape == (5, 5) and s.accuracies is None
    np.testing.assert_array_equal(s.alphas, np.linspace(-2, 2, 5))
    np.testing.assert_array_equal(s.betas, s.alphas)
    np.testing.assert_array_equal(s.center, center)
    assert s.losses[2, 2] == net.loss(X, y, loss="mse")  # exactly the center
    i, j = 4, 1  # alphas[4] = 2 on the weight, betas[1] = -1 on the bias
    set_params(net, center + 2.0 * d1 - 1.0 * d2)
    assert s.losses[j, i] == pytest.approx(net.loss(X, y, loss="mse"), rel=1e-12)
    assert s.losses[i, j] != pytest.approx(s.losses[j, i])  # the layout matters here


def test_slice_2d_random_directions_are_filter_normalised(classifier):
    net, X, y = classifier
    s = slice_2d(net, X, y, num=3, seed=7)
    assert s.explained_variance_ratio is None and s.trajectory_coords is None
    assert s.accuracies.shape == (3, 3)
    for direction in s.directions:
        offset = 0
        for p in net.parameters():
            d = direction[offset:offset + p.size].reshape(p.shape)
            offset += p.size
            if p.ndim == 1:  # biases: zero, as Li et al. ignore them
                np.testing.assert_array_equal(d, 0.0)
            else:  # each column (one output unit's weights) has the parameter's column norm
                np.testing.assert_allclose(np.linalg.norm(d, axis=0),
                                           np.linalg.norm(p, axis=0), rtol=1e-12)  # fmt: skip
    assert abs(s.directions[0] @ s.directions[1]) < np.linalg.norm(s.directions[0]) ** 2


def test_slice_2d_filter_normalises_against_center(classifier):
    net, X, y = classifier
    center = 2.0 * get_params(net)
    s = slice_2d(net, X, y, center=center, num=2, seed=0)
    base = slice_2d(net, X, y, num=2, seed=0)
    np.testing.assert_allclose(s.directions, 2.0 * base.directions, rtol=1e-12)


def test_slice_2d_is_reproducible(classifier):
    net, X, y = classifier
    a = slice_2d(net, X, y, num=4, seed=3)
    b = slice_2d(net, X, y, num=4, seed=np.random.default_rng(3))
    c = slice_2d(net, X, y, num=4, seed=4)
    np.testing.assert_array_equal(a.directions, b.directions)
    np.testing.assert_array_equal(a.losses, b.losses)
    assert not np.array_equal(a.directions, c.directions)


def test_slice_2d_pca_of_straight_line(classifier, rng):
    net, X, y = classifier
    theta0 = get_params(net)
    u = rng.standard_normal(theta0.size)
    path = [theta0 + t * u for t in np.linspace(0, 1, 6)]
    snap = snapshot(net)
    s = slice_2d(net, X, y, directions="pca", trajectory=path, num=3, span=0.5)
    assert_unchanged(net, snap)
    np.testing.assert_allclose(s.explained_variance_ratio, [1.0, 0.0], atol=1e-12)
    np.testing.assert_array_equal(s.center, path[-1])
    np.testing.assert_allclose(np.linalg.norm(s.directions, axis=1), 1.0)
    cos = s.directions[0] @ u / np.linalg.norm(u)
    assert abs(cos) == pytest.approx(1.0, rel=1e-12)
    # the path projects onto the first axis, at its distances from the final point
    ts = np.linspace(0, 1, 6)
    np.testing.assert_allclose(np.abs(s.trajectory_coords[:, 0]),
                               (1 - ts) * np.linalg.norm(u), rtol=1e-10, atol=1e-12)  # fmt: skip
    np.testing.assert_allclose(s.trajectory_coords[:, 1], 0.0, atol=1e-10)
    set_params(net, path[-1])
    assert s.losses[1, 1] == net.loss(X, y)


def test_slice_2d_pca_of_planar_path(classifier, rng):
    net, X, y = classifier
    theta = get_params(net)
    a, b = rng.standard_normal((2, theta.size))
    t = np.linspace(0, 1, 8)
    path = np.array([theta + ti * a + ti**2 * b for ti in t])  # a curve in a plane: rank 2
    s = slice_2d(net, X, y, directions="pca", trajectory=path, num=2)
    assert s.explained_variance_ratio.sum() == pytest.approx(1.0, rel=1e-12)
    assert s.explained_variance_ratio[0] > s.explained_variance_ratio[1] > 0.0
    # the plane holds the path: the projection reproduces it
    back = path[-1] + s.trajectory_coords @ s.directions
    np.testing.assert_allclose(back, path, atol=1e-10)


# --- bad input -----------------------------------------------------------------------------------
def msg(text):
    return re.escape(text)


def test_bad_slice_arguments_are_refused_and_change_nothing(classifier):
    net, X, y = classifier
    theta = get_params(net)
    n = theta.size
    snap = snapshot(net)
    cases = [
        (lambda: slice_1d(net, X, y, theta, theta, num=1), ValueError,
         "The 'num' parameter of slice_1d must be an int in the range [2, inf). Got 1 instead."),
        (lambda: slice_1d(net, X, y, theta, theta, extend=(-0.1, 0)), ValueError,
         "The 'extend[0]' parameter of slice_1d must be a finite float in the range [0, inf)"),
        (lambda: slice_1d(net, X, y, theta, theta[:-1]), ValueError,
         f"The 'end' parameter of slice_1d must be a flat vector of {n} values"),
        (lambda: slice_1d(net, X, y, {"layers.0.weight": 0}, theta), ValueError,
         "without ['layers.0.bias', 'layers.1.weight', 'layers.1.bias']"),
        (lambda: slice_1d(net, X, y[:-1], theta, 2 * theta), ValueError,
         "The 'y' parameter of MLP.loss must be 30 targets, one per row of X"),
        (lambda: slice_1d(net, X[:, :3], y, theta, 2 * theta), ValueError,
         "The 'X' parameter of MLP.loss must be a 2-D array of shape (n_samples, 4)"),
        (lambda: slice_1d(net, X, y, theta, 2 * theta, loss="hinge"), ValueError,
         "The 'loss' parameter of MLP.loss must be one of 'cross_entropy'"),
        (lambda: slice_2d(net, X, y, num=1), ValueError,
         "The 'num' parameter of slice_2d must be an int in the range [2, inf). Got 1 instead."),
        (lambda: slice_2d(net, X, y, span=0), ValueError,
         "The 'span' parameter of slice_2d must be a finite float in the range (0, inf). Got "
         "0.0 instead."),
        (lambda: slice_2d(net, X, y, span=-1.0), ValueError, "range (0, inf). Got -1.0"),
        (lambda: slice_2d(net, X, y, directions="filter"), ValueError,
         "The 'directions' parameter of slice_2d must be 'random', 'pca' or a pair (d1, d2) "
         "of parameter vectors. Got 'filter' instead."),
        (lambda: slice_2d(net, X, y, directions=(theta, theta, theta)), ValueError,
         "Got '3 directions' instead."),
        (lambda: slice_2d(net, X, y, directions=(theta, theta[:5])), ValueError,
         f"The 'directions[1]' parameter of slice_2d must be a flat vector of {n} values"),
        (lambda: slice_2d(net, X, y, directions=5), TypeError,
         "must be 'random', 'pca' or a pair (d1, d2) of parameter vectors. Got 'int'"),
        (lambda: slice_2d(net, X, y, directions="pca"), ValueError,
         "The 'trajectory' parameter of slice_2d must be a list of at least 3 parameter "
         "vectors when directions='pca'. Got None instead."),
        (lambda: slice_2d(net, X, y, directions="pca", trajectory=[theta, theta]), ValueError,
         "Got '2 points' instead."),
        (lambda: slice_2d(net, X, y, directions="pca", trajectory=[theta, theta, theta[1:]]),
         ValueError, "The 'trajectory[2]' parameter of slice_2d must be a flat vector"),
        (lambda: slice_2d(net, X, y, seed=-1), ValueError, "seed=abs(seed)"),
        (lambda: slice_2d(net, X, y, center=theta[:3]), ValueError,
         "The 'center' parameter of slice_2d must be a flat vector"),
        (lambda: slice_2d(net, X.T, y), ValueError, "The 'X' parameter of MLP.loss"),
    ]
    for call, exc, text in cases:
        with pytest.raises(exc, match=msg(text)):
            call()
        assert_unchanged(net, snap)


def test_bad_curvature_arguments_are_refused(quadratic):
    net, X, y, _ = quadratic
    n = get_params(net).size  # 6
    snap = snapshot(net)
    v = np.ones(n)
    cases = [
        (lambda: hessian_eigs(net, X, y, k=0, loss="mse"), ValueError,
         "The 'k' parameter of hessian_eigs must be an int in the range [1, inf). Got 0"),
        (lambda: hessian_eigs(net, X, y, k=n, loss="mse"), ValueError,
         f"The 'k' parameter of hessian_eigs must be an int in the range [1, {n - 1}] for "
         f"this model of {n} parameters (ARPACK's Lanczos needs k < n_params). Got {n} "
         "instead."),
        (lambda: hessian_eigs(net, X, y, k=n + 1, method="power", loss="mse"), ValueError,
         f"in the range [1, {n}] for this model of {n} parameters (there are n_params "
         "eigenvalues)"),
        (lambda: hessian_eigs(net, X, y, k=4, which="both", loss="mse"), ValueError,
         "in the range [1, 3] for this model of 6 parameters (ARPACK's Lanczos needs k < "
         "n_params and which='both' asks for 2 k distinct ones). Got 4"),
        (lambda: hessian_eigs(net, X, y, k=1.0, loss="mse"), TypeError, "Got 1.0 instead."),
        (lambda: hessian_eigs(net, X, y, which="top", loss="mse"), ValueError,
         "The 'which' parameter of hessian_eigs must be one of 'largest', 'smallest', 'both'. "
         "Got 'top' instead."),
        (lambda: hessian_eigs(net, X, y, method="arnoldi", loss="mse"), ValueError,
         "The 'method' parameter of hessian_eigs must be one of 'lanczos', 'power'. Got "
         "'arnoldi' instead."),
        (lambda: hessian_eigs(net, X, y, tol=0, loss="mse"), ValueError,
         "The 'tol' parameter of hessian_eigs must be a finite float in the range (0, inf)"),
        (lambda: hessian_eigs(net, X, y, max_iter=0, loss="mse"), ValueError,
         "The 'max_iter' parameter of hessian_eigs must be an int in the range [1, inf)"),
        (lambda: hessian_eigs(net, X, y[:5], loss="mse"), ValueError,
         "The 'y' parameter of MLP.loss must be 40 targets"),
        (lambda: hessian_vector_product(net, X, y, v[:-1], loss="mse"), ValueError,
         f"The 'v' parameter of hessian_vector_product must be a flat vector of {n} values"),
        (lambda: hessian_vector_product(net, X, y, v, loss="mse", eps=0.0), ValueError,
         "The 'eps' parameter of hessian_vector_product must be a finite float in the range "
         "(0, inf). Got 0.0 instead."),
        (lambda: sharpness(net, X, y, loss="mse", rho=0), ValueError,
         "The 'rho' parameter of sharpness must be a finite float in the range (0, inf)"),
        (lambda: sharpness(net, X, y, loss="mse", rho="big"), TypeError,
         "The 'rho' parameter of sharpness must be a real number"),
    ]
    for call, exc, text in cases:
        with pytest.raises(exc, match=msg(text)):
            call()
        assert_unchanged(net, snap)


def test_power_iteration_reports_non_convergence(quadratic):
    net, X, y, _ = quadratic
    with pytest.raises(RuntimeError, match="did not converge within max_iter=2"):
        hessian_eigs(net, X, y, method="power", loss="mse", tol=1e-14, max_iter=2)


def test_dropout_models_are_refused_by_curvature_functions(rng):
    X, y = rng.standard_normal((10, 4)), rng.integers(0, 3, size=10)
    net = MLP([4, 5, 3], dropout=0.5, dtype=np.float64)
    snap = snapshot(net)
    text = ("The 'model' parameter of {} must be a model without dropout (dropout=0): with "
            "dropout its gradients, hence its curvature, are random. Got 'dropout=0.5' instead."
            " Load the weights into a copy built with dropout=0")  # fmt: skip
    for func, call in [
        ("hessian_vector_product",
         lambda: hessian_vector_product(net, X, y, np.ones(get_params(net).size))),
        ("hessian_eigs", lambda: hessian_eigs(net, X, y)),
        ("sharpness", lambda: sharpness(net, X, y)),
        ("sharpness", lambda: sharpness(net, X, y, rho=0.1)),
    ]:  # fmt: skip
        with pytest.raises(ValueError, match=msg(text.format(func))):
            call()
    assert_unchanged(net, snap)
    # slices evaluate in evaluation mode (no dropout), so they accept such a model
    s = slice_1d(net, X, y, get_params(net), 0.5 * get_params(net), num=3)
    assert np.isfinite(s.losses).all()
    assert_unchanged(net, snap)
