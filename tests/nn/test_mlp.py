"""The MLP: kernels against the NumPy reference, against torch, finite differences, errors."""

import math

import numpy as np
import pytest

import optlearn as ol
from optlearn.nn import _kernels
from optlearn.nn import reference as R

ACTIVATIONS = list(_kernels.ACTIVATIONS)
NORMS = [None, "batch", "layer", "weight"]
SIZES = [5, 7, 6, 3]


def reference_of(net, X, y, *, loss="cross_entropy", rng_state=None):
    """The reference's loss and gradients (flattened in parameter order) for ``net``'s weights,
    with the dropout masks ``net`` drew from ``rng_state``."""
    masks = None
    if net.dropout > 0:
        net.rng.bit_generator.state = rng_state
        masks = [(net.rng.random((len(X), s)) >= net.dropout) * (1 / (1 - net.dropout))
                 for s in net.sizes[1:-1]]  # fmt: skip
    keys = ("W", "g", "v", "b", "gamma", "beta")
    layers = [{k: v.astype(np.float64) for k, v in L.items() if k in keys} for L in net._layers]
    value, per_layer = R.mlp_loss_and_grads(
        layers, X.astype(np.float64), y, activation_name=net.activation, norm=net.norm,
        masks=masks, loss=loss)  # fmt: skip
    flat = []
    for L, g in zip(layers, per_layer, strict=True):
        names = (["g", "v"] if "g" in L else ["W"]) + ["b"] + (["gamma", "beta"] if "gamma" in L
                                                               else [])  # fmt: skip
        flat += [g[k] for k in names]
    return value, flat


def assert_grads_close(got, want, rtol):
    for g, w in zip(got, want, strict=True):
        scale = max(float(np.max(np.abs(w), initial=0.0)), 1.0)
        np.testing.assert_allclose(g, w, rtol=rtol, atol=rtol * scale)


# --- kernels against the reference -------------------------------------------------------------
@pytest.mark.parametrize("norm", NORMS)
@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize("dropout", [0.0, 0.3])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_loss_and_grads_equal_reference(rng, norm, activation, dropout, dtype):
    net = ol.nn.MLP(SIZES, activation=activation, norm=norm, dropout=dropout, dtype=dtype, seed=3)
    X, y = rng.standard_normal((9, 5)), rng.integers(0, 3, 9)
    state = net.rng.bit_generator.state
    loss, grads = net.loss_and_grads(X, y)
    want_loss, want = reference_of(net, X.astype(dtype), y, rng_state=state)
    tol = 1e-10 if dtype == np.float64 else 2e-4
    assert loss == pytest.approx(want_loss, rel=tol)
    assert [g.dtype for g in grads] == [np.dtype(dtype)] * len(grads)
    assert_grads_close(grads, want, tol)


@pytest.mark.parametrize("loss", ["mse", "binary_cross_entropy_with_logits"])
def test_other_losses_equal_reference(rng, loss):
    net = ol.nn.MLP([4, 6, 1], activation="tanh", dtype=np.float64, seed=1)
    X = rng.standard_normal((10, 4))
    y = rng.random(10) if loss == "mse" else (rng.random(10) > 0.5).astype(float)
    value, grads = net.loss_and_grads(X, y, loss=loss)
    want_value, want = reference_of(net, X, y, loss=loss)
    assert value == pytest.approx(want_value, rel=1e-12)
    assert_grads_close(grads, want, 1e-10)


# --- finite differences --------------------------------------------------------------------------
@pytest.mark.parametrize("norm", NORMS)
@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_gradcheck_every_parameter(rng, norm, activation):
    net = ol.nn.MLP([4, 5, 3], activation=activation, norm=norm, dropout=0.25,
                    dtype=np.float64, seed=2)  # fmt: skip
    X, y = rng.standard_normal((6, 4)), rng.integers(0, 3, 6)
    state = net.rng.bit_generator.state
    _, grads = net.loss_and_grads(X, y)
    for index, (p, name) in enumerate(zip(net.parameters(), net.parameter_names(), strict=True)):
        if norm == "batch" and name == "layers.0.bias":
            # A bias right before batch norm has gradient exactly 0 (the mean removes it);
            # central differences would only measure their own round-off.
            assert np.abs(grads[index]).max() < 1e-15
            continue

        def f(values, p=p, index=index):
            saved = p.copy()
            p[...] = values
            net.rng.bit_generator.state = state  # the same dropout mask every call
            loss, grads = net.loss_and_grads(X, y)
            p[...] = saved
            return loss, grads[index]

        assert ol.gradcheck(f, p.copy(), eps=1e-5) < 1e-6, name


@pytest.mark.parametrize("loss", ["cross_entropy", "mse", "binary_cross_entropy_with_logits"])
def test_gradcheck_losses(rng, loss):
    z = rng.standard_normal((5, 1 if loss != "cross_entropy" else 4))
    if loss == "cross_entropy":
        y = rng.integers(0, 4, 5)
    else:
        y = rng.random(5).reshape(5, 1)
    fn = getattr(ol.nn, loss)
    assert ol.gradcheck(lambda v: fn(v, y), z) < 1e-7


@pytest.mark.parametrize("penalty", ["l1", "l2"])
def test_gradcheck_penalties(rng, penalty):
    w = rng.standard_normal((3, 4)) + 0.1  # away from l1's kink at 0
    fn = getattr(ol.nn, penalty)

    def f(v):
        value, grads = fn([v])
        return value, grads[0]

    assert ol.gradcheck(f, w) < 1e-7


# --- against torch ----------------------------------------------------------------------------
def torch_twin(net, torch):
    """A torch model with ``net``'s weights (dropout must be 0)."""
    nn = torch.nn
    acts = {"relu": nn.ReLU, "leaky_relu": lambda: nn.LeakyReLU(net.negative_slope),
            "tanh": nn.Tanh, "sigmoid": nn.Sigmoid, "gelu": nn.GELU,
            "identity": nn.Identity}  # fmt: skip
    modules = []
    for i, layer in enumerate(net._layers):
        lin = nn.Linear(net.sizes[i], net.sizes[i + 1]).double()
        with torch.no_grad():
            lin.bias.copy_(torch.from_numpy(layer["b"].astype(np.float64)))
            if "W" in layer:
                lin.weight.copy_(torch.from_numpy(layer["W"].T.astype(np.float64)))
        if "g" in layer:
            lin = torch.nn.utils.parametrizations.weight_norm(lin, dim=0)
            with torch.no_grad():
                p = lin.parametrizations.weight
                p.original0.copy_(torch.from_numpy(layer["g"][:, None].astype(np.float64)))
                p.original1.copy_(torch.from_numpy(layer["v"].T.astype(np.float64)))
        modules.append(lin)
        if i < len(net._layers) - 1:
            if net.norm in ("batch", "layer"):
                n = net.sizes[i + 1]
                norm = (nn.BatchNorm1d(n) if net.norm == "batch" else nn.LayerNorm(n)).double()
                modules.append(norm)
            modules.append(acts[net.activation]())
    return nn.Sequential(*modules)


def torch_grads(model, net):
    out = []
    for m in model:
        if hasattr(m, "parametrizations"):
            p = m.parametrizations.weight
            out += [p.original0.grad.numpy()[:, 0], p.original1.grad.numpy().T, m.bias.grad.numpy()]
        elif getattr(m, "weight", None) is not None:  # Linear, BatchNorm1d, LayerNorm
            w = m.weight.grad.numpy()
            out += [w.T if w.ndim == 2 else w, m.bias.grad.numpy()]
    return out


@pytest.mark.parametrize("norm", NORMS)
@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_forward_and_grads_equal_torch(rng, norm, activation):
    torch = pytest.importorskip("torch")
    net = ol.nn.MLP(SIZES, activation=activation, norm=norm, dtype=np.float64, seed=5)
    model = torch_twin(net, torch)
    X, y = rng.standard_normal((11, 5)), rng.integers(0, 3, 11)
    loss, grads = net.loss_and_grads(X, y)
    model.train()
    tloss = torch.nn.functional.cross_entropy(model(torch.from_numpy(X)), torch.from_numpy(y))
    tloss.backward()
    assert loss == pytest.approx(tloss.item(), rel=1e-12)
    assert_grads_close(grads, torch_grads(model, net), 1e-10)
    # Evaluation mode (batch norm's running statistics, updated once by the step above).
    model.eval()
    with torch.no_grad():
        want = model(torch.from_numpy(X)).numpy()
    np.testing.assert_allclose(net.forward(X, train=False), want, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize(("loss", "torch_loss"), [
    ("mse", "mse_loss"), ("binary_cross_entropy_with_logits", "binary_cross_entropy_with_logits")])
def test_regression_and_binary_losses_equal_torch(rng, loss, torch_loss):
    torch = pytest.importorskip("torch")
    z = rng.standard_normal((7, 1)) * 5
    y = rng.random((7, 1))
    value, grad = getattr(ol.nn, loss)(z, y)
    tz = torch.from_numpy(z).requires_grad_()
    tv = getattr(torch.nn.functional, torch_loss)(tz, torch.from_numpy(y))
    tv.backward()
    assert value == pytest.approx(tv.item(), rel=1e-12)
    np.testing.assert_allclose(grad, tz.grad.numpy(), rtol=1e-12, atol=1e-15)


def test_init_torch_matches_torch_linear_distribution():
    # 'torch' init is nn.Linear's default: weights and biases U(-1/sqrt(fan_in), 1/sqrt(fan_in)).
    net = ol.nn.MLP([400, 300, 10], init="torch", dtype=np.float64, seed=0)
    W, b = net.parameters()[:2]
    bound = 1 / math.sqrt(400)
    assert np.abs(W).max() <= bound and np.abs(b).max() <= bound
    assert W.var() == pytest.approx(bound**2 / 3, rel=0.03)


# --- hand values and theory -----------------------------------------------------------------------
def test_cross_entropy_hand_values_and_stability():
    loss, grad = ol.nn.cross_entropy(np.array([[0.0, 0.0], [1000.0, 0.0]]), np.array([1, 0]))
    assert loss == pytest.approx(math.log(2) / 2, rel=1e-15)  # no overflow at z = 1000
    np.testing.assert_allclose(grad, [[0.25, -0.25], [0.0, 0.0]], atol=1e-15)


def test_sigmoid_derivative_is_at_most_a_quarter():
    # The vanishing-gradient chapter's law: each sigmoid layer multiplies the signal by <= 1/4.
    z = np.linspace(-10, 10, 20001)
    d = R.activation_grad("sigmoid", z)
    assert d.max() == pytest.approx(0.25, abs=1e-12) and d.max() <= 0.25


def test_deep_sigmoid_net_gradients_vanish_and_kaiming_relu_keeps_them(rng):
    X, y = rng.standard_normal((64, 32)), rng.integers(0, 10, 64)
    ratios = {}
    for activation, init in (("sigmoid", "normal"), ("relu", "kaiming")):
        net = ol.nn.MLP([32] + [64] * 8 + [10], activation=activation, init=init,
                        dtype=np.float64, seed=0)  # fmt: skip
        net.loss_and_grads(X, y, record=True)
        norms = [r["weight_grad_norm"] for r in net.records]
        ratios[activation] = norms[0] / norms[-1]  # first hidden layer vs last hidden layer
    assert ratios["sigmoid"] < 1e-6  # vanished by many orders of magnitude
    assert 0.1 < ratios["relu"] < 10


# --- behaviour ---------------------------------------------------------------------------------
def test_parameters_names_and_param_groups():
    net = ol.nn.MLP([4, 8, 8, 3], norm="batch")
    names = net.parameter_names()
    assert names[:4] == ["layers.0.weight", "layers.0.bias", "layers.0.norm.weight",
                         "layers.0.norm.bias"]  # fmt: skip
    assert len(names) == len(net.parameters()) == 10
    decay, rest = net.param_groups(weight_decay=0.1)
    assert decay["weight_decay"] == 0.1 and rest["weight_decay"] == 0.0
    assert len(decay["params"]) == 3 and len(rest["params"]) == 7
    opt = ol.optim.AdamW(net.param_groups(1e-2), lr=1e-3)
    assert sum(len(g["params"]) for g in opt.param_groups) == 10


def test_state_dict_round_trip_in_place(rng):
    net = ol.nn.MLP([4, 6, 3], norm="batch", seed=1)
    params = net.parameters()
    X, y = rng.standard_normal((8, 4)), rng.integers(0, 3, 8)
    saved = net.state_dict()
    before = net.loss(X, y)
    net.loss_and_grads(X, y)  # moves the running statistics
    for p in params:
        p += 1
    net.load_state_dict(saved)
    assert net.loss(X, y) == before
    assert all(a is b for a, b in zip(params, net.parameters(), strict=True))
    with pytest.raises(KeyError, match="missing"):
        net.load_state_dict({k: v for k, v in saved.items() if "running_var" not in k})
    bad = dict(saved, **{"layers.0.weight": np.zeros((3, 3))})
    with pytest.raises(ValueError, match=r"shape \(4, 6\)"):
        net.load_state_dict(bad)


def test_dropout_only_in_training_and_seeded(rng):
    X = rng.standard_normal((50, 4))
    a, b = ol.nn.MLP([4, 32, 2], dropout=0.5, seed=0), ol.nn.MLP([4, 32, 2], dropout=0.5, seed=0)
    np.testing.assert_array_equal(a.forward(X), b.forward(X))  # same seed, same masks
    np.testing.assert_array_equal(a.forward(X, train=False), a.forward(X, train=False))
    assert not np.array_equal(a.forward(X), a.forward(X))  # a fresh mask each call


def test_predict_and_accuracy():
    net = ol.nn.MLP([2, 3], activation="identity", dtype=np.float64)
    W, b = net.parameters()
    W[...] = np.eye(2, 3)
    b[...] = 0
    X = np.array([[1.0, 0.0], [0.0, 1.0], [-1.0, -1.0]])
    np.testing.assert_array_equal(net.predict(X), [0, 1, 2])
    assert net.accuracy(X, [0, 1, 1]) == pytest.approx(2 / 3)


BAD = [
    (lambda: ol.nn.MLP([5]), ValueError, "'sizes'.*at least two"),
    (lambda: ol.nn.MLP([5, 0, 2]), ValueError, "ints >= 1"),
    (lambda: ol.nn.MLP([5, 2], activation="softplus"), ValueError,
     "'activation'.*one of 'identity', 'relu'.*Got 'softplus'"),
    (lambda: ol.nn.MLP([5, 2], init="he"), ValueError, "'init'.*'kaiming'.*Got 'he'"),
    (lambda: ol.nn.MLP([5, 2], norm="group"), ValueError, "'norm'.*None, 'batch'"),
    (lambda: ol.nn.MLP([5, 2], dropout=1.0), ValueError, r"'dropout'.*\[0, 1\)"),
    (lambda: ol.nn.MLP([5, 2], dtype=np.int32), TypeError, "'dtype'"),
]


@pytest.mark.parametrize(("make", "exc", "match"), BAD)
def test_bad_construction(make, exc, match):
    with pytest.raises(exc, match=match):
        make()


def test_bad_data_is_refused_before_anything_changes(rng):
    net = ol.nn.MLP([4, 5, 3], norm="batch", seed=0)
    X, y = rng.standard_normal((6, 4)), rng.integers(0, 3, 6)
    before = net.state_dict()
    Xnan = X.copy()
    Xnan[2, 1] = np.nan
    cases = [
        ((X[:, :3], y), ValueError, r"'X'.*shape \(n_samples, 4\).*Got 'shape \(6, 3\)'"),
        ((X, y[:5]), ValueError, "'y'.*6 targets.*Got '5 targets'"),
        ((X, y + 1), ValueError, r"labels in \[0, 3\).*Got 'label 3'"),
        ((X, y.astype(float)), TypeError, "integer class labels"),
        ((Xnan, y), ValueError, "NaN or infinite values in 1 rows.*row 2"),
        ((X[0], y), ValueError, "Reshape your data"),
    ]
    for args, exc, match in cases:
        with pytest.raises(exc, match=match):
            net.loss_and_grads(*args)
    with pytest.raises(ValueError, match=r"'loss'.*'cross_entropy'.*Got 'hinge'"):
        net.loss_and_grads(X, y, loss="hinge")
    for k, v in net.state_dict().items():
        np.testing.assert_array_equal(v, before[k])
