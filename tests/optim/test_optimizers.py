"""Every optimizer in the registry: torch equality, kernel == reference, state, groups, errors."""

import copy

import numpy as np
import pytest
from _registry import CASES, CONVERGE, REFERENCE, Case
from hypothesis import given, settings
from hypothesis import strategies as st

import optlearn as ol
from optlearn.optim import _kernels

CASE_IDS = [c.id for c in CASES]
NAMES = sorted({c.name for c in CASES})


def make(case: Case, params, **override):
    return getattr(ol.optim, case.name)(params, **{**case.kwargs, **override})


def grads_at(params, step):
    # Deterministic, step-dependent gradients that change sign: exercises every branch.
    return [np.sin(3 * p + step) + 0.1 * p for p in params]


def two_params(rng, dtype=np.float64):
    return [rng.standard_normal((5, 4)).astype(dtype), rng.standard_normal(4).astype(dtype)]


# --- against torch -----------------------------------------------------------------------------
@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_equals_torch_over_100_steps(case, rng):
    torch = pytest.importorskip("torch")
    params = two_params(rng)
    tparams = [torch.tensor(p.copy(), requires_grad=True) for p in params]
    opt = make(case, params)
    topt = getattr(torch.optim, case.name)(tparams, **case.kwargs)
    for step in range(100):
        grads = grads_at(params, step)
        opt.step(grads)
        for tp, g in zip(tparams, grads, strict=True):
            tp.grad = torch.tensor(g)
        topt.step()
    for p, tp in zip(params, tparams, strict=True):
        np.testing.assert_allclose(p, tp.detach().numpy(), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("name", NAMES)
def test_param_groups_with_their_own_options_equal_torch(name, rng):
    torch = pytest.importorskip("torch")
    case = next(c for c in CASES if c.name == name)
    W, b = two_params(rng)
    groups = [{"params": [W], "weight_decay": 0.05}, {"params": [b], "lr": 0.002}]
    tW, tb = (torch.tensor(a.copy(), requires_grad=True) for a in (W, b))
    tgroups = [{"params": [tW], "weight_decay": 0.05}, {"params": [tb], "lr": 0.002}]
    opt = make(case, groups)
    topt = getattr(torch.optim, name)(tgroups, **case.kwargs)
    assert opt.param_groups[1]["lr"] == 0.002
    for step in range(30):
        gW, gb = grads_at([W, b], step)
        opt.step([gW, gb])
        tW.grad, tb.grad = torch.tensor(gW), torch.tensor(gb)
        topt.step()
    np.testing.assert_allclose(W, tW.detach().numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(b, tb.detach().numpy(), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_state_dict_has_torch_structure(case, rng):
    torch = pytest.importorskip("torch")
    params = two_params(rng)
    tparams = [torch.tensor(p.copy(), requires_grad=True) for p in params]
    opt, topt = make(case, params), getattr(torch.optim, case.name)(tparams, **case.kwargs)
    opt.step(grads_at(params, 0))
    for tp, g in zip(tparams, grads_at([t.detach().numpy() for t in tparams], 0), strict=True):
        tp.grad = torch.tensor(g)
    topt.step()
    sd, tsd = opt.state_dict(), topt.state_dict()
    assert set(sd) == {"state", "param_groups"}
    assert sd["param_groups"][0]["params"] == tsd["param_groups"][0]["params"] == [0, 1]
    assert set(sd["state"]) == set(tsd["state"])
    for i in sd["state"]:
        assert set(sd["state"][i]) == set(tsd["state"][i])
        for key, value in sd["state"][i].items():
            np.testing.assert_allclose(np.asarray(value), tsd["state"][i][key].numpy()
                                       if hasattr(tsd["state"][i][key], "numpy")
                                       else tsd["state"][i][key], rtol=1e-12)  # fmt: skip
    ours = {k for k in sd["param_groups"][0] if k not in ("params", "check_finite")}
    assert ours <= set(tsd["param_groups"][0]), ours - set(tsd["param_groups"][0])


# --- kernel == reference ----------------------------------------------------------------------
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_kernel_equals_reference(case, dtype, rng):
    sizes = [(7, 3), (_kernels.PARALLEL_THRESHOLD + 3,)]  # the serial and the parallel loop
    params = [rng.standard_normal(s).astype(dtype) for s in sizes]
    ref_params = [p.copy() for p in params]
    ref_states = [{} for _ in params]
    opt = make(case, params)
    for t in range(1, 9):  # RAdam rectifies from step 6 on
        grads = [g.astype(dtype) for g in grads_at(params, t)]
        ref_grads = [g.astype(dtype) for g in grads_at(ref_params, t)]
        opt.step(grads)
        for p, g, s in zip(ref_params, ref_grads, ref_states, strict=True):
            REFERENCE[case.name](p, g, s, t, case.kwargs)
    rtol, atol = (1e-12, 1e-14) if dtype == np.float64 else (2e-5, 1e-6)
    for p, q in zip(params, ref_params, strict=True):
        assert p.dtype == dtype
        np.testing.assert_allclose(p, q, rtol=rtol, atol=atol)


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_float32_stays_float32_with_float32_state(case, rng):
    params = two_params(rng, np.float32)
    opt = make(case, params)
    opt.step([g.astype(np.float32) for g in grads_at(params, 0)])
    assert all(p.dtype == np.float32 for p in params)
    for state in opt.state.values():
        for key, value in state.items():
            if isinstance(value, np.ndarray):
                assert value.dtype == np.float32, key


# --- hand-computed steps ------------------------------------------------------------------------
def test_sgd_momentum_first_two_steps_by_hand():
    w = np.array([1.0, -2.0])
    opt = ol.optim.SGD([w], lr=0.1, momentum=0.9)
    opt.step([np.array([1.0, 2.0])])  # b1 = g1 = [1, 2]; w = [1, -2] - 0.1 [1, 2]
    np.testing.assert_allclose(w, [0.9, -2.2], rtol=1e-15)
    opt.step([np.array([3.0, -1.0])])  # b2 = 0.9 [1, 2] + [3, -1] = [3.9, 0.8]
    np.testing.assert_allclose(opt.state[w]["momentum_buffer"], [3.9, 0.8], rtol=1e-15)
    np.testing.assert_allclose(w, [0.9 - 0.39, -2.2 - 0.08], rtol=1e-15)


def test_adam_first_two_steps_by_hand():
    w = np.array([1.0])
    opt = ol.optim.Adam([w], lr=0.1, betas=(0.9, 0.99), eps=1e-8)
    opt.step([np.array([2.0])])
    # m1 = 0.2, v1 = 0.04; m_hat = 2, v_hat = 4: step = 0.1 * 2 / (2 + 1e-8)
    np.testing.assert_allclose(w, [1.0 - 0.1 * 2 / (2 + 1e-8)], rtol=1e-15)
    opt.step([np.array([-1.0])])
    m2, v2 = 0.9 * 0.2 - 0.1, 0.99 * 0.04 + 0.01 * 1.0
    m_hat, v_hat = m2 / (1 - 0.9**2), v2 / (1 - 0.99**2)
    expected = 1.0 - 0.1 * 2 / (2 + 1e-8) - 0.1 * m_hat / (np.sqrt(v_hat) + 1e-8)
    np.testing.assert_allclose(w, [expected], rtol=1e-14)
    assert opt.state[w]["step"] == 2


def test_adam_first_step_moves_every_coordinate_by_about_lr(rng):
    w = rng.standard_normal(1000) * 100
    before = w.copy()
    g = rng.standard_normal(1000) * 10.0 ** rng.uniform(-3, 3, 1000)  # scales 1e-3 .. 1e3
    ol.optim.Adam([w], lr=0.01).step([g])
    # m_hat = g and sqrt(v_hat) = |g|: the step is lr |g| / (|g| + eps), whatever g's scale.
    np.testing.assert_allclose(np.abs(w - before), 0.01 * np.abs(g) / (np.abs(g) + 1e-8),
                               rtol=1e-9)  # fmt: skip
    assert np.all(np.abs(w - before)[np.abs(g) > 1e-4] > 0.01 * (1 - 1e-4))
    assert np.all(np.sign(before - w) == np.sign(g))


# --- theory as tests ----------------------------------------------------------------------------
@pytest.mark.parametrize("lr_over_bound, converges", [(0.9, True), (0.99, True), (1.01, False)])
def test_sgd_on_a_quadratic_converges_below_2_over_L_and_diverges_above(lr_over_bound, converges):
    curvatures = np.array([1.0, 4.0, 10.0])  # L = 10: the bound is lr < 2 / 10
    w = np.ones(3)
    opt = ol.optim.SGD([w], lr=lr_over_bound * 2 / curvatures.max())
    for _ in range(3000):
        opt.step([curvatures * w])
    assert (np.abs(w).max() < 1e-6) == converges
    if not converges:
        assert np.abs(w).max() > 1e3


@pytest.mark.parametrize("name", NAMES)
def test_converges_on_an_ill_conditioned_quadratic(name):
    d = np.array([1.0, 10.0])
    w = np.array([1.0, 1.0])
    opt = getattr(ol.optim, name)([w], **CONVERGE[name])
    for _ in range(2000):
        opt.step([d * w])
    assert np.abs(w).max() < 1e-3, w


@pytest.mark.parametrize("name, kwargs, steps", [
    ("SGD", dict(lr=1e-3, momentum=0.9), 20000),
    ("Adam", dict(lr=0.02), 20000),
    ("AdamW", dict(lr=0.02, weight_decay=0.0), 20000),
])  # fmt: skip
def test_reaches_the_rosenbrock_minimum(name, kwargs, steps):
    if name not in NAMES:
        pytest.skip(f"{name} not registered")
    w = np.array([-1.5, 2.0])
    opt = getattr(ol.optim, name)([w], **kwargs)
    for _ in range(steps):
        x, y = w
        opt.step([np.array([-2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x)])])
    np.testing.assert_allclose(w, [1.0, 1.0], atol=2e-2)


# --- state_dict ----------------------------------------------------------------------------------
@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_state_dict_round_trip_continues_bit_identically(case, rng):
    params = two_params(rng)
    twin = [p.copy() for p in params]
    opt = make(case, params)
    for step in range(10):
        opt.step(grads_at(params, step))
    saved = opt.state_dict()
    snapshot = copy.deepcopy(saved)
    for step in range(10, 20):
        opt.step(grads_at(params, step))
    assert all(np.array_equal(np.asarray(saved["state"][i][k]), np.asarray(v))
               for i in saved["state"] for k, v in snapshot["state"][i].items())  # fmt: skip

    restored = make(case, twin)
    for step in range(10):
        restored.step(grads_at(twin, step))
    fresh_params = [p.copy() for p in twin]
    fresh = make(case, fresh_params)
    fresh.load_state_dict(saved)
    for step in range(10, 20):
        fresh.step(grads_at(fresh_params, step))
        restored.step(grads_at(twin, step))
    for a, b in zip(fresh_params, params, strict=True):
        assert np.array_equal(a, b)


def test_load_state_dict_refuses_another_optimizer_and_other_shapes(rng):
    W = rng.standard_normal((3, 2))
    adam = ol.optim.Adam([W])
    adam.step([np.ones_like(W)])
    sgd = ol.optim.SGD([W.copy()], momentum=0.9)
    with pytest.raises(ValueError, match="is not from a SGD"):
        sgd.load_state_dict(adam.state_dict())
    other = ol.optim.Adam([np.zeros((2, 3))])
    before = copy.deepcopy(other.state_dict())
    with pytest.raises(ValueError, match=r"\(3, 2\) for parameter 0, whose shape is \(2, 3\)"):
        other.load_state_dict(adam.state_dict())
    assert other.state_dict()["state"] == before["state"] == {}
    with pytest.raises(ValueError, match="different number of parameter groups"):
        ol.optim.Adam([{"params": [W]}, {"params": [W.copy()]}]).load_state_dict(
            adam.state_dict())  # fmt: skip


# --- bad input ----------------------------------------------------------------------------------
W0 = np.zeros((2, 2))
READ_ONLY = np.zeros(3)
READ_ONLY.setflags(write=False)
BAD_CONSTRUCTION = [
    ("SGD", dict(lr=-0.1), ValueError, r"Invalid learning rate: -0.1 \(lr must be"),
    ("SGD", dict(lr=float("nan")), ValueError, "Invalid learning rate: nan"),
    ("SGD", dict(momentum=-1.0), ValueError, "Invalid momentum value: -1.0"),
    ("SGD", dict(weight_decay=-1e-4), ValueError, "Invalid weight_decay value"),
    ("SGD", dict(nesterov=True), ValueError, "Nesterov momentum requires a momentum"),
    ("SGD", dict(nesterov=True, momentum=0.9, dampening=0.1), ValueError, "zero dampening"),
    ("SGD", dict(nesterov=1), TypeError, "nesterov must be True or False"),
    ("SGD", dict(foreach=True), TypeError, "unexpected keyword argument 'foreach'"),
    ("Adam", dict(betas=(1.0, 0.999)), ValueError, r"beta parameter at index 0: 1.0 \(betas"),
    ("Adam", dict(betas=(0.9, -0.1)), ValueError, "beta parameter at index 1: -0.1"),
    ("Adam", dict(betas=0.9), ValueError, "betas must be a pair"),
    ("Adam", dict(eps=-1e-8), ValueError, "Invalid epsilon value: -1e-08"),
    ("AdamW", dict(weight_decay=float("nan")), ValueError, "Invalid weight_decay value: nan"),
]


@pytest.mark.parametrize("name, kwargs, exc, match", BAD_CONSTRUCTION,
                         ids=[f"{r[0]}-{next(iter(r[1]))}" for r in BAD_CONSTRUCTION])  # fmt: skip
def test_bad_hyperparameters_are_refused(name, kwargs, exc, match):
    with pytest.raises(exc, match=match):
        getattr(ol.optim, name)([W0.copy()], **kwargs)


@pytest.mark.parametrize("params, exc, match", [
    ([], ValueError, "empty parameter list"),
    (np.zeros(3), TypeError, r"single ndarray of shape \(3,\); wrap it in a list"),
    ([np.zeros(3, dtype=np.int64)], TypeError, "dtype int64; parameters must be float32"),
    ([np.zeros((4, 4))[:, ::2]], ValueError, "not C-contiguous"),
    ([READ_ONLY], ValueError, "read-only"),
    ([[1.0, 2.0]], TypeError, "can only optimize NumPy arrays"),
    ([{"params": [W0], "colour": "red"}], TypeError, r"unknown option\(s\) \['colour'\]"),
    ([{"params": [W0]}, {"params": [W0]}], ValueError, "more than one parameter group"),
    ([W0, W0], ValueError, "the same array twice"),
])  # fmt: skip
def test_bad_params_are_refused(params, exc, match):
    with pytest.raises(exc, match=match):
        ol.optim.SGD(params, lr=0.1)


def test_param_group_lr_is_checked_per_group():
    with pytest.raises(ValueError, match="Invalid learning rate: -1"):
        ol.optim.Adam([{"params": [W0.copy()], "lr": -1}])


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_refused_steps_change_nothing(case, rng):
    W, b = two_params(rng)
    opt = make(case, [W, b])
    opt.step(grads_at([W, b], 0))
    before = ([W.copy(), b.copy()], copy.deepcopy(opt.state_dict()))
    bad_steps = [
        ([np.ones_like(W)], ValueError, "got 1 gradients for 2 parameters"),
        ([np.ones_like(W), np.ones(5)], ValueError, r"grads\[1\] has shape \(5,\)"),
        ([np.ones_like(W), np.ones(4, np.float32)], TypeError, r"grads\[1\] has dtype float32"),
        (np.ones_like(W), TypeError, "single ndarray"),
        ([np.ones_like(W), [1.0] * 4], TypeError, r"grads\[1\] must be a NumPy array"),
    ]
    for grads, exc, match in bad_steps:
        with pytest.raises(exc, match=match):
            opt.step(grads)
    opt.param_groups[0]["lr"] = -0.5
    with pytest.raises(ValueError, match=r"Invalid learning rate: -0\.5"):
        opt.step([np.ones_like(W), np.ones_like(b)])
    opt.param_groups[0]["lr"] = case.kwargs["lr"]
    assert np.array_equal(W, before[0][0]) and np.array_equal(b, before[0][1])
    after = opt.state_dict()
    for i, state in before[1]["state"].items():
        for key, value in state.items():
            assert np.array_equal(np.asarray(after["state"][i][key]), np.asarray(value))


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_check_finite_raises_before_changing_anything(name, bad, rng):
    case = next(c for c in CASES if c.name == name)
    W, b = two_params(rng)
    opt = make(case, [W, b], check_finite=True)
    gW, gb = grads_at([W, b], 0)
    gb[[1, 3]] = bad
    W0_, b0_ = W.copy(), b.copy()
    with pytest.raises(FloatingPointError, match=r"grads\[1\] has 2 non-finite .* out of 4"):
        opt.step([gW, gb])
    assert np.array_equal(W, W0_) and np.array_equal(b, b0_) and len(opt.state) == 0
    opt.step(grads_at([W, b], 0))  # a finite step still works afterwards
    assert not np.array_equal(W, W0_)


def test_check_finite_is_off_by_default_and_nan_propagates():
    w = np.ones(2)
    ol.optim.SGD([w], lr=0.1).step([np.array([np.nan, 1.0])])
    assert np.isnan(w[0]) and w[1] == 0.9


def test_none_gradient_leaves_that_parameter_and_its_state_alone(rng):
    W, b = two_params(rng)
    b0_ = b.copy()
    opt = ol.optim.Adam([W, b], lr=0.1)
    opt.step([np.ones_like(W), None])
    assert np.array_equal(b, b0_) and b not in opt.state and W in opt.state


@settings(max_examples=40, deadline=None)
@given(shape=st.lists(st.integers(1, 4), min_size=1, max_size=3),
       gshape=st.lists(st.integers(1, 4), min_size=0, max_size=3),
       gdtype=st.sampled_from([np.float32, np.float64, np.int64, np.float16]))  # fmt: skip
def test_any_mismatched_gradient_is_refused_without_side_effects(shape, gshape, gdtype):
    p = np.linspace(-1, 1, int(np.prod(shape))).reshape(shape)
    before = p.copy()
    opt = ol.optim.Adam([p], lr=0.1)
    g = np.ones(gshape, dtype=gdtype)
    if tuple(gshape) == tuple(shape) and gdtype == np.float64:
        opt.step([g])
        assert not np.array_equal(p, before)
    else:
        with pytest.raises((ValueError, TypeError)):
            opt.step([g])
        assert np.array_equal(p, before) and len(opt.state) == 0


def test_state_is_reachable_by_index_and_by_array(rng):
    W, b = two_params(rng)
    opt = ol.optim.SGD([W, b], lr=0.1, momentum=0.9)
    opt.step(grads_at([W, b], 0))
    assert opt.state[1] is opt.state[b]
    with pytest.raises(KeyError, match="not one of the optimizer's parameters"):
        opt.state[np.zeros(4)]


def test_add_param_group_takes_defaults_and_repr_lists_groups():
    W, b = np.zeros((2, 2)), np.zeros(2)
    opt = ol.optim.SGD([W], lr=0.1, momentum=0.9)
    opt.add_param_group({"params": b, "lr": 0.01})
    assert opt.param_groups[1]["momentum"] == 0.9 and opt.param_groups[1]["lr"] == 0.01
    assert "Parameter Group 1" in repr(opt) and "lr: 0.01" in repr(opt)


def test_optimizer_state_saved_under_one_cycle_loads_back(rng):
    # OneCycleLR adds max_lr, min_lr and the momentum bounds to the groups, as in torch.
    W = rng.standard_normal(3)
    opt = ol.optim.SGD([W], lr=0.1, momentum=0.9)
    sched = ol.optim.lr_scheduler.OneCycleLR(opt, max_lr=1.0, total_steps=10)
    opt.step([np.ones(3)])
    sched.step()
    fresh = ol.optim.SGD([W.copy()], lr=0.1, momentum=0.9)
    fresh.load_state_dict(opt.state_dict())
    assert fresh.param_groups[0]["max_lr"] == 1.0
    assert fresh.param_groups[0]["lr"] == opt.param_groups[0]["lr"]
