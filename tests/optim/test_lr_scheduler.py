"""Learning-rate schedulers: torch equality, hand-computed schedules, state_dict, errors.

Every parametrised test reads ``ROWS``: (scheduler name, kwargs, optimizer kind, optimizer
kwargs). ``SequentialLR`` and ``ChainedScheduler`` rows give their schedulers as
``(name, kwargs)`` pairs, which ``build`` turns into schedulers of the same optimizer, for
optlearn and for torch alike. The optimizer always has two parameter groups, with learning
rates ``LRS``.
"""

import copy
import math
import pickle
import warnings
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import optlearn as ol
from optlearn.optim import lr_scheduler as S

LRS = (0.1, 0.05)  # the two groups' learning rates
N_STEPS = 300
ORDER_WARNING = r"Detected call of `lr_scheduler\.step\(\)` before `optimizer\.step\(\)`"


# --- the table ---------------------------------------------------------------------------------
def exp97(epoch):
    return 0.97**epoch


def inverse(epoch):
    return 1 / (1 + 0.05 * epoch)


def constant99(epoch):
    return 0.99


def half_per_cycle(x):
    return 0.5**x


@dataclass(frozen=True)
class Row:
    name: str
    kwargs: dict
    opt: str = "sgd"  # "sgd" or "adam"
    opt_kwargs: dict = field(default_factory=dict)

    @property
    def id(self) -> str:
        opts = ",".join(f"{k}={v}" for k, v in self.opt_kwargs.items())
        return f"{self.name}({_short(self.kwargs)})-{self.opt}({opts})"


def _short(v) -> str:
    if isinstance(v, dict):
        return ",".join(f"{k}={_short(x)}" for k, x in v.items())
    if callable(v):
        return v.__name__
    if isinstance(v, tuple) and len(v) == 2 and isinstance(v[0], str):
        return f"{v[0]}({_short(v[1])})"
    if isinstance(v, list):
        return "[" + ",".join(_short(x) for x in v) + "]"
    return repr(v)


MOM = {"momentum": 0.9}
BETAS = {"betas": (0.9, 0.999)}
CYC = dict(base_lr=0.01, max_lr=0.1)
# fmt: off
ROWS = [
    Row("LambdaLR", dict(lr_lambda=exp97)),
    Row("LambdaLR", dict(lr_lambda=[inverse, exp97])),  # one function per group
    Row("MultiplicativeLR", dict(lr_lambda=constant99)),
    Row("StepLR", dict(step_size=30, gamma=0.5)),
    Row("MultiStepLR", dict(milestones=[30, 80, 150], gamma=0.3)),
    Row("ConstantLR", dict(factor=0.25, total_iters=40)),
    Row("LinearLR", dict(start_factor=0.1, total_iters=50)),  # warm-up
    Row("LinearLR", dict(start_factor=1.0, end_factor=0.05, total_iters=200)),  # decay
    Row("ExponentialLR", dict(gamma=0.99)),
    Row("PolynomialLR", dict(total_iters=200, power=1.0)),
    Row("PolynomialLR", dict(total_iters=200, power=2.0)),
    Row("CosineAnnealingLR", dict(T_max=100, eta_min=0.001)),  # past T_max: the cosine goes on
    Row("CosineAnnealingLR", dict(T_max=300)),
    Row("CosineAnnealingWarmRestarts", dict(T_0=50, T_mult=1, eta_min=0.001)),
    Row("CosineAnnealingWarmRestarts", dict(T_0=20, T_mult=2)),
    Row("CyclicLR", dict(CYC, step_size_up=20), "sgd", MOM),
    Row("CyclicLR", dict(CYC, step_size_up=20, step_size_down=30, mode="triangular2"), "sgd", MOM),
    Row("CyclicLR", dict(base_lr=[0.01, 0.02], max_lr=[0.1, 0.3], step_size_up=25,
                         mode="exp_range", gamma=0.995), "sgd", MOM),
    Row("CyclicLR", dict(CYC, step_size_up=20, cycle_momentum=False)),
    Row("CyclicLR", dict(CYC, step_size_up=15, mode="triangular2", base_momentum=0.85,
                         max_momentum=0.95), "adam", BETAS),
    Row("CyclicLR", dict(CYC, step_size_up=10, mode="exp_range", gamma=0.99,
                         cycle_momentum=False), "adam"),
    Row("CyclicLR", dict(CYC, step_size_up=10, scale_fn=half_per_cycle), "sgd", MOM),
    Row("CyclicLR", dict(CYC, step_size_up=10, scale_fn=exp97, scale_mode="iterations"),
        "adam", BETAS),
    Row("OneCycleLR", dict(max_lr=0.1, total_steps=300), "sgd", MOM),
    Row("OneCycleLR", dict(max_lr=[0.1, 0.3], total_steps=300, anneal_strategy="linear"),
        "sgd", MOM),
    Row("OneCycleLR", dict(max_lr=0.1, total_steps=300, three_phase=True), "sgd", MOM),
    Row("OneCycleLR", dict(max_lr=0.1, epochs=30, steps_per_epoch=10, pct_start=0.25,
                           div_factor=10.0, final_div_factor=100.0), "adam", BETAS),
    Row("OneCycleLR", dict(max_lr=0.1, total_steps=300, anneal_strategy="linear",
                           three_phase=True, base_momentum=0.8, max_momentum=0.9),
        "adam", BETAS),
    Row("OneCycleLR", dict(max_lr=0.1, total_steps=300, cycle_momentum=False)),
    Row("SequentialLR", dict(schedulers=[("LinearLR", dict(start_factor=0.1, total_iters=10)),
                                         ("CosineAnnealingLR", dict(T_max=290))],
                             milestones=[10])),
    Row("SequentialLR", dict(schedulers=[("ConstantLR", dict(factor=0.5, total_iters=20)),
                                         ("ExponentialLR", dict(gamma=0.98)),
                                         ("StepLR", dict(step_size=40, gamma=0.5))],
                             milestones=[50, 120])),
    Row("ChainedScheduler", dict(schedulers=[("ConstantLR", dict(factor=0.5, total_iters=10)),
                                             ("ExponentialLR", dict(gamma=0.99))])),
    Row("ChainedScheduler", dict(schedulers=[("LinearLR", dict(start_factor=0.2, total_iters=20)),
                                             ("MultiStepLR", dict(milestones=[100, 200]))])),
    Row("ReduceLROnPlateau", dict(factor=0.5, patience=3)),
    Row("ReduceLROnPlateau", dict(mode="max", factor=0.5, patience=2, threshold=0.05,
                                  threshold_mode="abs", cooldown=3, min_lr=0.02)),
    Row("ReduceLROnPlateau", dict(factor=0.3, patience=1, cooldown=2, min_lr=[0.01, 0.002])),
    Row("ReduceLROnPlateau", dict(mode="max", factor=0.5, patience=0, eps=0.004)),
]
# fmt: on
IDS = [row.id for row in ROWS]
STEPPED = [row for row in ROWS if row.name != "ReduceLROnPlateau"]  # those that step()
PLAIN = [row for row in STEPPED if row.name not in ("SequentialLR", "ChainedScheduler")]


def loss(t: int) -> float:
    """A validation loss that improves every 25 epochs, gets worse for a few, and wiggles."""
    level = 0.9 ** (t // 25)
    bump = 0.05 * level if 10 <= t % 25 < 14 else 0.0
    return level + bump + 1e-6 * ((7 * t) % 5)  # the wiggle is below the rel threshold


def metric(t: int, mode: str = "min") -> float:
    return loss(t) if mode == "min" else 1 / loss(t)


# --- building and running ----------------------------------------------------------------------
def make_opt(row: Row, lrs=LRS):
    params = [np.zeros(3), np.zeros(2)]
    groups = [{"params": [p], "lr": lr} for p, lr in zip(params, lrs, strict=True)]
    cls = ol.optim.SGD if row.opt == "sgd" else ol.optim.Adam
    return cls(groups, **row.opt_kwargs), params


def make_torch_opt(torch, row: Row, lrs=LRS):
    params = [torch.zeros(3, dtype=torch.float64, requires_grad=True),
              torch.zeros(2, dtype=torch.float64, requires_grad=True)]  # fmt: skip
    groups = [{"params": [p], "lr": lr} for p, lr in zip(params, lrs, strict=True)]
    cls = torch.optim.SGD if row.opt == "sgd" else torch.optim.Adam
    return cls(groups, **row.opt_kwargs)


def build(module, opt, name: str, kwargs: dict):
    """Scheduler ``name`` of ``module`` (optlearn's or torch's) on ``opt``."""
    kwargs = dict(kwargs)
    if "schedulers" in kwargs:
        kwargs["schedulers"] = [build(module, opt, n, kw) for n, kw in kwargs["schedulers"]]
        if name == "ChainedScheduler":
            return module.ChainedScheduler(kwargs["schedulers"], optimizer=opt)
    return getattr(module, name)(opt, **kwargs)


def advance(sched, row: Row, t: int) -> None:
    if row.name == "ReduceLROnPlateau":
        sched.step(metric(t, row.kwargs.get("mode", "min")))
    else:
        sched.step()


def hyper(groups) -> list[float]:
    """What a scheduler may change in the groups: lr, and momentum or betas."""
    out = []
    for g in groups:
        out.append(float(g["lr"]))
        if "momentum" in g:
            out.append(float(g["momentum"]))
        if "betas" in g:
            out.extend(float(b) for b in g["betas"])
    return out


def run(opt, params, sched, row: Row, steps) -> list[list[float]]:
    """optimizer.step, then scheduler.step, for every t in ``steps``; the hypers after each."""
    out = []
    for t in steps:
        opt.step([np.zeros_like(p) for p in params])
        advance(sched, row, t)
        out.append(hyper(opt.param_groups))
    return out


def options(opt) -> list[dict]:
    """A copy of every group's options (all but the parameters)."""
    return [{k: copy.deepcopy(v) for k, v in g.items() if k != "params"}
            for g in opt.param_groups]  # fmt: skip


# --- against torch -----------------------------------------------------------------------------
@pytest.mark.parametrize("row", ROWS, ids=IDS)
def test_equals_torch_over_300_steps(row):
    torch = pytest.importorskip("torch")
    opt, params = make_opt(row)
    topt = make_torch_opt(torch, row)
    sched = build(S, opt, row.name, row.kwargs)
    tsched = build(torch.optim.lr_scheduler, topt, row.name, row.kwargs)
    ours, theirs = [hyper(opt.param_groups)], [hyper(topt.param_groups)]
    last, tlast = [sched.get_last_lr()], [tsched.get_last_lr()]
    for t in range(N_STEPS):
        opt.step([np.zeros_like(p) for p in params])
        topt.step()
        advance(sched, row, t)
        advance(tsched, row, t)
        ours.append(hyper(opt.param_groups))
        theirs.append(hyper(topt.param_groups))
        last.append(sched.get_last_lr())
        tlast.append(tsched.get_last_lr())
        assert all(type(g["lr"]) is float for g in opt.param_groups)
    np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=0)
    np.testing.assert_allclose(last, tlast, rtol=1e-12, atol=0)
    assert len(set(map(tuple, ours))) > 1  # the schedule did change something


@pytest.mark.parametrize("row", ROWS, ids=IDS)
def test_state_dict_keys_and_attributes_match_torch(row):
    torch = pytest.importorskip("torch")
    opt, _ = make_opt(row)
    topt = make_torch_opt(torch, row)
    sched = build(S, opt, row.name, row.kwargs)
    tsched = build(torch.optim.lr_scheduler, topt, row.name, row.kwargs)
    assert set(sched.state_dict()) == set(tsched.state_dict())
    assert "optimizer" not in sched.state_dict()
    for attr in ("base_lrs", "last_epoch"):
        assert getattr(sched, attr, None) == getattr(tsched, attr, None)
    # The keys the scheduler adds to the groups (initial_lr, max_lr, base_momentum, ...).
    for g, tg in zip(opt.param_groups, topt.param_groups, strict=True):
        assert set(g) - set(opt.defaults) == set(tg) - set(topt.defaults)


@pytest.mark.parametrize("mode", ["min", "max"])
@pytest.mark.parametrize("threshold_mode,threshold", [("rel", 1e-4), ("rel", 0.02),
                                                      ("abs", 0.05)])  # fmt: skip
@pytest.mark.parametrize("cooldown", [0, 3])
@pytest.mark.parametrize("min_lr", [0, 0.02, [0.01, 0.03]], ids=["0", "0.02", "list"])
@pytest.mark.parametrize("eps", [1e-8, 3e-3])
def test_reduce_lr_on_plateau_equals_torch(mode, threshold_mode, threshold, cooldown, min_lr,
                                           eps):  # fmt: skip
    torch = pytest.importorskip("torch")
    row = Row("ReduceLROnPlateau", dict(mode=mode, factor=0.5, patience=2, threshold=threshold,
                                        threshold_mode=threshold_mode, cooldown=cooldown,
                                        min_lr=min_lr, eps=eps))  # fmt: skip
    opt, _ = make_opt(row)
    topt = make_torch_opt(torch, row)
    sched = S.ReduceLROnPlateau(opt, **row.kwargs)
    tsched = torch.optim.lr_scheduler.ReduceLROnPlateau(topt, **row.kwargs)
    ours, theirs = [], []
    for t in range(N_STEPS):
        advance(sched, row, t)
        advance(tsched, row, t)
        ours.append([*sched.get_last_lr(), sched.num_bad_epochs, sched.cooldown_counter])
        theirs.append([*tsched.get_last_lr(), tsched.num_bad_epochs, tsched.cooldown_counter])
    np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=0)
    assert ours[-1][0] < LRS[0]  # it did reduce


def test_warm_restarts_with_fractional_epochs_equal_torch():
    torch = pytest.importorskip("torch")
    row = Row("CosineAnnealingWarmRestarts", dict(T_0=3, T_mult=2, eta_min=0.001), "sgd", MOM)
    opt, params = make_opt(row)
    topt = make_torch_opt(torch, row)
    sched = S.CosineAnnealingWarmRestarts(opt, **row.kwargs)
    tsched = torch.optim.lr_scheduler.CosineAnnealingWarmRestarts(topt, **row.kwargs)
    iters = 7
    for epoch in range(20):
        for i in range(iters):
            opt.step([np.zeros_like(p) for p in params])
            topt.step()
            sched.step(epoch + i / iters)  # the per-batch form: no deprecation warning
            tsched.step(epoch + i / iters)
            np.testing.assert_allclose(sched.get_last_lr(), tsched.get_last_lr(), rtol=1e-12)
    sched.step()  # and back to whole epochs
    tsched.step()
    np.testing.assert_allclose(sched.get_last_lr(), tsched.get_last_lr(), rtol=1e-12)


@pytest.mark.parametrize("row", PLAIN, ids=[r.id for r in PLAIN])
def test_resuming_with_last_epoch_equals_torch(row):
    torch = pytest.importorskip("torch")
    opt, params = make_opt(row)
    topt = make_torch_opt(torch, row)
    build(S, opt, row.name, row.kwargs)
    build(torch.optim.lr_scheduler, topt, row.name, row.kwargs)
    # A second scheduler resumes at epoch 10 from the groups' initial_lr (and max_lr, ...).
    sched = build(S, opt, row.name, dict(row.kwargs, last_epoch=10))
    tsched = build(torch.optim.lr_scheduler, topt, row.name, dict(row.kwargs, last_epoch=10))
    ours, theirs = [hyper(opt.param_groups)], [hyper(topt.param_groups)]
    for t in range(20):
        opt.step([np.zeros_like(p) for p in params])
        topt.step()
        advance(sched, row, t)
        advance(tsched, row, t)
        ours.append(hyper(opt.param_groups))
        theirs.append(hyper(topt.param_groups))
    np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=0)


DECAY_TO_ZERO = Row("LinearLR", dict(start_factor=0.01, end_factor=0.0, total_iters=15))


def test_linear_decay_to_zero_ends_at_exactly_zero():
    # Torch's chainable factor rounds to about -1e-17 at total_iters (see LinearLR's Notes);
    # optlearn's optimizers refuse a negative lr, so the next optimizer.step would fail.
    row = DECAY_TO_ZERO
    opt, params = make_opt(row)
    sched = build(S, opt, row.name, row.kwargs)
    run(opt, params, sched, row, range(20))  # the optimizer steps at lr 0 after epoch 15
    assert sched.get_last_lr() == [0.0, 0.0]


def test_linear_decay_to_zero_is_within_1e_15_of_torch():
    torch = pytest.importorskip("torch")
    row = DECAY_TO_ZERO
    opt, params = make_opt(row)
    topt = make_torch_opt(torch, row)
    sched = build(S, opt, row.name, row.kwargs)
    tsched = build(torch.optim.lr_scheduler, topt, row.name, row.kwargs)
    ours, theirs = [], []
    for t in range(20):
        opt.step([np.zeros_like(p) for p in params])
        topt.step()
        advance(sched, row, t)
        advance(tsched, row, t)
        ours.append(hyper(opt.param_groups))
        theirs.append(hyper(topt.param_groups))
    np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-15)


def test_deprecated_epoch_argument_uses_the_closed_form_as_torch():
    torch = pytest.importorskip("torch")
    row = Row("StepLR", dict(step_size=3, gamma=0.5))
    opt, params = make_opt(row)
    topt = make_torch_opt(torch, row)
    sched = S.StepLR(opt, **row.kwargs)
    tsched = torch.optim.lr_scheduler.StepLR(topt, **row.kwargs)
    opt.step([np.zeros_like(p) for p in params])
    topt.step()
    with pytest.warns(UserWarning, match="The epoch parameter in `scheduler.step\\(\\)`"):
        sched.step(7)
    with pytest.warns(UserWarning, match="The epoch parameter"):
        tsched.step(7)
    assert sched.last_epoch == 7
    np.testing.assert_allclose(sched.get_last_lr(), [lr * 0.5**2 for lr in LRS], rtol=1e-15)
    np.testing.assert_allclose(sched.get_last_lr(), tsched.get_last_lr(), rtol=1e-15)


# --- against hand-computed schedules -----------------------------------------------------------
def schedule(name, steps, lrs=LRS, opt_kwargs=None, **kwargs):
    """The lrs of both groups at steps 0 .. steps-1 (optimizer.step first, as it should)."""
    row = Row(name, kwargs, "sgd", opt_kwargs or {})
    opt, params = make_opt(row, lrs)
    sched = build(S, opt, name, kwargs)
    out = [sched.get_last_lr()]
    for _ in range(steps - 1):
        opt.step([np.zeros_like(p) for p in params])
        sched.step()
        out.append(sched.get_last_lr())
    return np.array(out), opt


def test_step_lr_by_hand():
    got, _ = schedule("StepLR", 10, step_size=3, gamma=0.5)
    expected = [[lr * 0.5 ** (t // 3) for lr in LRS] for t in range(10)]
    np.testing.assert_allclose(got, expected, rtol=1e-15)


def test_multistep_lr_by_hand():
    got, _ = schedule("MultiStepLR", 8, lrs=(1.0, 0.5), milestones=[2, 5], gamma=0.1)
    factor = [1, 1, 0.1, 0.1, 0.1, 0.01, 0.01, 0.01]
    np.testing.assert_allclose(got, [[f, 0.5 * f] for f in factor], rtol=1e-14)


def test_cosine_annealing_follows_the_closed_form():
    T_max, eta_min = 10, 0.001
    got, _ = schedule("CosineAnnealingLR", 3 * T_max + 1, T_max=T_max, eta_min=eta_min)
    t = np.arange(3 * T_max + 1)[:, None]
    expected = eta_min + (np.array(LRS) - eta_min) * (1 + np.cos(np.pi * t / T_max)) / 2
    np.testing.assert_allclose(got, expected, rtol=1e-12)
    np.testing.assert_allclose(got[T_max], eta_min, rtol=1e-15)  # the minimum, at T_max
    np.testing.assert_allclose(got[2 * T_max], LRS, rtol=1e-12)  # back up: no restart


@pytest.mark.parametrize("anneal_strategy", ["cos", "linear"])
def test_one_cycle_endpoints(anneal_strategy):
    total, pct, div, final = 100, 0.3, 25.0, 1e4
    got, opt = schedule("OneCycleLR", total, lrs=(1.0, 1.0), opt_kwargs=MOM,
                        max_lr=[1.0, 2.0], total_steps=total, pct_start=pct,
                        anneal_strategy=anneal_strategy, div_factor=div,
                        final_div_factor=final)  # fmt: skip
    max_lr = np.array([1.0, 2.0])
    peak = int(pct * total) - 1  # the first phase ends at step pct * total - 1
    np.testing.assert_allclose(got[0], max_lr / div, rtol=1e-15)  # starts at max_lr / div
    np.testing.assert_allclose(got[peak], max_lr, rtol=1e-15)  # peaks at max_lr
    assert (np.argmax(got, axis=0) == peak).all()
    # initial_lr / final_div_factor (rtol: the linear anneal cancels, (end - start) + start)
    np.testing.assert_allclose(got[-1], max_lr / div / final, rtol=1e-9)
    assert (np.diff(got[: peak + 1], axis=0) > 0).all()
    assert (np.diff(got[peak:], axis=0) < 0).all()
    # The momentum runs the other way: max (0.95) at both ends, base (0.85) at the peak.
    assert [g["initial_lr"] for g in opt.param_groups] == list(max_lr / div)
    assert opt.param_groups[0]["momentum"] == pytest.approx(0.95, abs=1e-12)


def test_one_cycle_three_phases_by_hand():
    total, pct = 100, 0.3
    got, _ = schedule("OneCycleLR", total, lrs=(1.0, 1.0), max_lr=1.0, total_steps=total,
                      pct_start=pct, three_phase=True, cycle_momentum=False)  # fmt: skip
    up, down = int(pct * total) - 1, int(2 * pct * total) - 2
    np.testing.assert_allclose(got[[0, up, down, total - 1], 0], [0.04, 1.0, 0.04, 4e-6],
                               rtol=1e-12)  # fmt: skip


def test_one_cycle_refuses_a_step_past_total_steps_and_changes_nothing():
    row = Row("OneCycleLR", dict(max_lr=0.1, total_steps=10), "sgd", MOM)
    opt, params = make_opt(row)
    sched = build(S, opt, row.name, row.kwargs)
    run(opt, params, sched, row, range(10))  # steps 1 .. 10: the last one is allowed
    before, state = options(opt), sched.state_dict()
    with pytest.raises(ValueError, match=r"Tried to step 11 times\. The specified number of "
                                         r"total steps is 10"):  # fmt: skip
        sched.step()
    assert options(opt) == before
    assert sched.state_dict() == state


def test_cyclic_lr_triangle_by_hand():
    got, opt = schedule("CyclicLR", 9, opt_kwargs=MOM, base_lr=0.25, max_lr=1.0,
                        step_size_up=2, step_size_down=2)  # fmt: skip
    triangle = np.array([0, 0.5, 1, 0.5, 0, 0.5, 1, 0.5, 0])
    np.testing.assert_allclose(got[:, 0], 0.25 + 0.75 * triangle, rtol=1e-15)
    np.testing.assert_allclose(opt.param_groups[0]["momentum"], 0.9)  # back at max_momentum


def test_reduce_lr_on_plateau_by_hand():
    opt, _ = make_opt(Row("ReduceLROnPlateau", {}), lrs=(1.0, 1.0))
    sched = S.ReduceLROnPlateau(opt, factor=0.5, patience=1, cooldown=1, min_lr=[0.3, 0.0])
    lrs = []
    for loss_value in [3, 2, 2, 2, 2, 2, 2, 2, 1, 1]:
        sched.step(loss_value)
        lrs.append(sched.get_last_lr())
    # bad epochs: 1, 2 -> reduce; cooldown eats one; 1, 2 -> reduce (0.3 floors group 0) ...
    assert [lr[1] for lr in lrs] == [1, 1, 1, 0.5, 0.5, 0.5, 0.25, 0.25, 0.25, 0.25]
    assert [lr[0] for lr in lrs] == [1, 1, 1, 0.5, 0.5, 0.5, 0.3, 0.3, 0.3, 0.3]


# --- state_dict --------------------------------------------------------------------------------
@pytest.mark.parametrize("row", ROWS, ids=IDS)
def test_state_dict_round_trip(row):
    opt, params = make_opt(row)
    sched = build(S, opt, row.name, row.kwargs)
    uninterrupted = run(opt, params, sched, row, range(100))

    opt1, params1 = make_opt(row)
    sched1 = build(S, opt1, row.name, row.kwargs)
    first = run(opt1, params1, sched1, row, range(50))
    saved = pickle.loads(pickle.dumps(sched1.state_dict()))  # plain data: no optimizer, no lambda
    saved_groups = options(opt1)
    run(opt1, params1, sched1, row, range(50, 60))  # the saved state does not change with it

    opt2, params2 = make_opt(row)
    sched2 = build(S, opt2, row.name, row.kwargs)
    # Restore the optimizer's groups first (the chainable schedules read their lr), as
    # opt.load_state_dict would, then the scheduler.
    for g, s in zip(opt2.param_groups, saved_groups, strict=True):
        g.update(s)
    sched2.load_state_dict(saved)
    rest = run(opt2, params2, sched2, row, range(50, 100))
    assert first + rest == uninterrupted


class Halving:
    """A callable object: LambdaLR saves its __dict__ (a function would not be saved)."""

    def __init__(self, rate):
        self.rate = rate

    def __call__(self, epoch):
        return self.rate**epoch


def test_lambda_state_dict_keeps_objects_not_functions():
    opt, _ = make_opt(Row("LambdaLR", {}))
    sched = S.LambdaLR(opt, lr_lambda=[Halving(0.5), exp97])
    state = sched.state_dict()
    assert state["lr_lambdas"] == [{"rate": 0.5}, None]
    other = S.LambdaLR(make_opt(Row("LambdaLR", {}))[0], lr_lambda=[Halving(0.9), exp97])
    other.load_state_dict(state)
    assert other.lr_lambdas[0].rate == 0.5
    assert state["lr_lambdas"] == [{"rate": 0.5}, None]  # loading did not consume it


def test_get_last_lr_is_a_copy_and_get_lr_outside_step_warns():
    opt, _ = make_opt(Row("StepLR", {}))
    sched = S.StepLR(opt, step_size=2)
    sched.get_last_lr()[0] = 123.0
    assert sched.get_last_lr() == list(LRS)
    with pytest.warns(UserWarning, match=r"please use `get_last_lr\(\)`"):
        sched.get_lr()


# --- the order of the calls --------------------------------------------------------------------
@pytest.mark.parametrize("row", STEPPED, ids=[r.id for r in STEPPED])
def test_warns_when_scheduler_steps_before_optimizer(row):
    opt, _ = make_opt(row)
    sched = build(S, opt, row.name, row.kwargs)
    with pytest.warns(UserWarning, match=ORDER_WARNING):
        sched.step()


@pytest.mark.parametrize("row", ROWS, ids=IDS)
def test_no_warning_in_the_right_order(row):
    opt, params = make_opt(row)
    sched = build(S, opt, row.name, row.kwargs)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        run(opt, params, sched, row, range(5))


# --- refused input -----------------------------------------------------------------------------
class Bad(NamedTuple):
    name: str
    kwargs: dict
    exc: type
    match: str  # a regular expression searched in the message
    kind: str = "sgd"  # the optimizer


ONE_CYCLE = dict(max_lr=0.1, total_steps=100)
# fmt: off
BAD = [
    Bad("StepLR", dict(step_size=0), ValueError,
        r"Invalid step_size: 0 \(step_size must be an integer >= 1\)"),
    Bad("StepLR", dict(step_size=2.5), ValueError, r"Invalid step_size: 2\.5"),
    Bad("StepLR", dict(step_size=3, gamma=0), ValueError,
        r"Invalid gamma: 0 \(gamma must be a finite number > 0\)"),
    Bad("StepLR", dict(step_size=3, gamma=-0.5), ValueError, r"Invalid gamma: -0\.5"),
    Bad("StepLR", dict(step_size=3, last_epoch=-2), ValueError,
        r"Invalid last_epoch: -2 \(last_epoch must be an integer >= -1"),
    Bad("StepLR", dict(step_size=3, last_epoch=5), KeyError,
        r"param 'initial_lr' is not specified in param_groups\[0\] when resuming"),
    Bad("MultiStepLR", dict(milestones=[30, 10]), ValueError,
        r"Invalid milestones: \[30, 10\] \(milestones must be a strictly increasing list of "
        r"integers >= 0\)"),
    Bad("MultiStepLR", dict(milestones=[10, 10]), ValueError, r"Invalid milestones: \[10, 10\]"),
    Bad("MultiStepLR", dict(milestones=[-1, 5]), ValueError, r"Invalid milestones: \[-1, 5\]"),
    Bad("MultiStepLR", dict(milestones=[5], gamma=0.0), ValueError, r"Invalid gamma: 0\.0"),
    Bad("ExponentialLR", dict(gamma=0), ValueError, r"Invalid gamma: 0 \(gamma must be"),
    Bad("ExponentialLR", dict(gamma=-0.9), ValueError, r"Invalid gamma: -0\.9"),
    Bad("ExponentialLR", dict(gamma=math.nan), ValueError, r"Invalid gamma: nan"),
    Bad("ConstantLR", dict(factor=1.5), ValueError,
        r"Constant multiplicative factor expected to be between 0 and 1\. \(got 1\.5; factor "
        r"must be a number in \(0, 1\]\)"),
    Bad("ConstantLR", dict(factor=0.0), ValueError,
        r"Constant multiplicative factor .* \(got 0\.0"),
    Bad("ConstantLR", dict(total_iters=0), ValueError, r"Invalid total_iters: 0"),
    Bad("LinearLR", dict(start_factor=0), ValueError,
        r"Starting multiplicative factor expected to be greater than 0 and less or equal to 1\. "
        r"\(got 0; start_factor must be a number in \(0, 1\]\)"),
    Bad("LinearLR", dict(start_factor=1.5), ValueError, r"Starting multiplicative factor"),
    Bad("LinearLR", dict(end_factor=-0.1), ValueError,
        r"Ending multiplicative factor expected to be between 0 and 1\. \(got -0\.1; "
        r"end_factor must be a number in \[0, 1\]\)"),
    Bad("LinearLR", dict(total_iters=0), ValueError, r"Invalid total_iters: 0"),
    Bad("PolynomialLR", dict(total_iters=0), ValueError, r"Invalid total_iters: 0"),
    Bad("PolynomialLR", dict(power=-1.0), ValueError,
        r"Invalid power: -1\.0 \(power must be a finite number >= 0\)"),
    Bad("CosineAnnealingLR", dict(T_max=0), ValueError,
        r"Invalid T_max: 0 \(T_max must be a finite number > 0\)"),
    Bad("CosineAnnealingLR", dict(T_max=-5), ValueError, r"Invalid T_max: -5"),
    Bad("CosineAnnealingLR", dict(T_max=10, eta_min=-0.1), ValueError, r"Invalid eta_min: -0\.1"),
    Bad("CosineAnnealingWarmRestarts", dict(T_0=0), ValueError,
        r"Expected positive integer T_0, but got 0 \(T_0 must be an integer >= 1\)"),
    Bad("CosineAnnealingWarmRestarts", dict(T_0=2.5), ValueError,
        r"Expected positive integer T_0, but got 2\.5"),
    Bad("CosineAnnealingWarmRestarts", dict(T_0=10, T_mult=0), ValueError,
        r"Expected integer T_mult >= 1, but got 0 \(T_mult must be an integer >= 1\)"),
    Bad("CosineAnnealingWarmRestarts", dict(T_0=10, T_mult=1.5), ValueError,
        r"Expected integer T_mult >= 1, but got 1\.5"),
    Bad("CosineAnnealingWarmRestarts", dict(T_0=10, eta_min="0"), ValueError,
        r"Expected float or int eta_min, but got 0 of type <class 'str'>"),
    Bad("CosineAnnealingWarmRestarts", dict(T_0=10, eta_min=-1.0), ValueError,
        r"Invalid eta_min: -1\.0"),
    Bad("CyclicLR", dict(base_lr=[0.01], max_lr=0.1), ValueError,
        r"base_lr must have the same length as optimizer\.param_groups\. base_lr has 1 values, "
        r"param_groups has 2\."),
    Bad("CyclicLR", dict(base_lr=0.01, max_lr=[0.1, 0.2, 0.3]), ValueError,
        r"max_lr must have the same length as optimizer\.param_groups\. max_lr has 3 values"),
    Bad("CyclicLR", dict(CYC, mode="triangle"), ValueError,
        r"mode is invalid and scale_fn is None \(got 'triangle'; mode must be one of "
        r"'triangular', 'triangular2', 'exp_range', or a scale_fn must be given\)"),
    Bad("CyclicLR", dict(CYC, scale_fn=exp97, scale_mode="epochs"), ValueError,
        r"scale_mode 'epochs' is unknown! \(scale_mode must be one of 'cycle', 'iterations'\)"),
    Bad("CyclicLR", dict(CYC, step_size_up=0), ValueError, r"Invalid step_size_up: 0"),
    Bad("CyclicLR", dict(CYC, mode="exp_range", gamma=0), ValueError, r"Invalid gamma: 0"),
    Bad("CyclicLR", dict(base_lr=-0.01, max_lr=0.1), ValueError, r"Invalid base_lr: -0\.01"),
    Bad("CyclicLR", dict(CYC, base_momentum=[0.8]), ValueError,
        r"base_momentum must have the same length as optimizer\.param_groups"),
    Bad("CyclicLR", dict(CYC, max_momentum=(0.9, 0.9, 0.9)), ValueError,
        r"max_momentum must have the same length as optimizer\.param_groups"),
    Bad("CyclicLR", dict(CYC, max_momentum=1.2), ValueError,
        r"Invalid max_momentum: 1\.2 \(max_momentum must be a number in \[0, 1\)\)", "adam"),
    Bad("OneCycleLR", dict(max_lr=[0.1], total_steps=10), ValueError,
        r"max_lr must have the same length as optimizer\.param_groups\. max_lr has 1 values, "
        r"param_groups has 2\."),
    Bad("OneCycleLR", dict(max_lr=0.1), ValueError,
        r"You must define either total_steps OR \(epochs AND steps_per_epoch\)"),
    Bad("OneCycleLR", dict(max_lr=0.1, epochs=10), ValueError,
        r"You must define either total_steps OR .*steps_per_epoch=None"),
    Bad("OneCycleLR", dict(max_lr=0.1, total_steps=0), ValueError,
        r"Expected positive integer total_steps, but got 0 \(total_steps must be an integer "
        r">= 1\)"),
    Bad("OneCycleLR", dict(max_lr=0.1, total_steps=10.5), ValueError,
        r"Expected positive integer total_steps, but got 10\.5"),
    Bad("OneCycleLR", dict(max_lr=0.1, epochs=0, steps_per_epoch=10), ValueError,
        r"Expected positive integer epochs, but got 0"),
    Bad("OneCycleLR", dict(max_lr=0.1, epochs=3, steps_per_epoch=-1), ValueError,
        r"Expected positive integer steps_per_epoch, but got -1"),
    Bad("OneCycleLR", dict(ONE_CYCLE, pct_start=1.5), ValueError,
        r"Expected float between 0 and 1 pct_start, but got 1\.5 \(pct_start must be a float in "
        r"\[0, 1\]\)"),
    Bad("OneCycleLR", dict(ONE_CYCLE, pct_start=1), ValueError,
        r"Expected float between 0 and 1 pct_start, but got 1 "),
    Bad("OneCycleLR", dict(max_lr=0.1, total_steps=10, pct_start=0.1), ValueError,
        r"Invalid pct_start: 0\.1 \(pct_start \* total_steps must not be 1"),
    Bad("OneCycleLR", dict(ONE_CYCLE, pct_start=0.6, three_phase=True), ValueError,
        r"with three_phase=True, pct_start must be in \[0, 0\.5\]"),
    Bad("OneCycleLR", dict(ONE_CYCLE, anneal_strategy="cosine"), ValueError,
        r"anneal_strategy must be one of 'cos' or 'linear', instead got cosine"),
    Bad("OneCycleLR", dict(ONE_CYCLE, div_factor=0), ValueError,
        r"Invalid div_factor: 0 \(div_factor must be a finite number > 0\)"),
    Bad("OneCycleLR", dict(ONE_CYCLE, final_div_factor=-1.0), ValueError,
        r"Invalid final_div_factor: -1\.0"),
    Bad("OneCycleLR", dict(ONE_CYCLE, base_momentum=[0.8, 0.8, 0.8]), ValueError,
        r"base_momentum must have the same length as optimizer\.param_groups", "adam"),
    Bad("ReduceLROnPlateau", dict(factor=1.5), ValueError,
        r"Factor should be < 1\.0\. \(got 1\.5; factor must be in \(0, 1\)\)"),
    Bad("ReduceLROnPlateau", dict(factor=1.0), ValueError, r"Factor should be < 1\.0\."),
    Bad("ReduceLROnPlateau", dict(factor=0), ValueError,
        r"Invalid factor: 0 \(factor must be a number in \(0, 1\)\)"),
    Bad("ReduceLROnPlateau", dict(factor=-0.5), ValueError, r"Invalid factor: -0\.5"),
    Bad("ReduceLROnPlateau", dict(mode="minimum"), ValueError,
        r"mode minimum is unknown! \(mode must be one of 'min', 'max'\)"),
    Bad("ReduceLROnPlateau", dict(threshold_mode="relative"), ValueError,
        r"threshold mode relative is unknown! \(threshold_mode must be one of 'rel', 'abs'\)"),
    Bad("ReduceLROnPlateau", dict(min_lr=[0.1]), ValueError, r"expected 2 min_lrs, got 1"),
    Bad("ReduceLROnPlateau", dict(min_lr=-1e-3), ValueError, r"Invalid min_lr: -0\.001"),
    Bad("ReduceLROnPlateau", dict(min_lr=[0.1, -1.0]), ValueError, r"Invalid min_lr\[1\]: -1\.0"),
    Bad("ReduceLROnPlateau", dict(patience=-1), ValueError, r"Invalid patience: -1"),
    Bad("ReduceLROnPlateau", dict(cooldown=1.5), ValueError, r"Invalid cooldown: 1\.5"),
    Bad("ReduceLROnPlateau", dict(threshold=-1e-4), ValueError, r"Invalid threshold: -0\.0001"),
    Bad("ReduceLROnPlateau", dict(eps=-1.0), ValueError, r"Invalid eps: -1\.0"),
    Bad("LambdaLR", dict(lr_lambda=[exp97]), ValueError,
        r"Expected 2 lr_lambdas, but got 1 \(pass one function, or a list of one per param "
        r"group\)"),
    Bad("LambdaLR", dict(lr_lambda=3), TypeError, r"lr_lambda should be a function, but got int"),
    Bad("MultiplicativeLR", dict(lr_lambda=[exp97, exp97, exp97]), ValueError,
        r"Expected 2 lr_lambdas, but got 3"),
    Bad("MultiplicativeLR", dict(lr_lambda=[exp97, 0.9]), TypeError,
        r"lr_lambda should be a function, but got float"),
]
# fmt: on


@pytest.mark.parametrize("bad", BAD, ids=[f"{b.name}({_short(b.kwargs)})-{b.kind}" for b in BAD])
def test_refuses_bad_input_and_leaves_the_optimizer_unchanged(bad):
    opt, _ = make_opt(Row(bad.name, {}, bad.kind, MOM if bad.kind == "sgd" else BETAS))
    before = options(opt)
    with pytest.raises(bad.exc, match=bad.match):
        getattr(S, bad.name)(opt, **bad.kwargs)
    assert options(opt) == before
    assert all("initial_lr" not in g for g in opt.param_groups)


# Minimal valid arguments of every scheduler that takes an optimizer first.
VALID = {
    "LambdaLR": dict(lr_lambda=exp97),
    "MultiplicativeLR": dict(lr_lambda=constant99),
    "StepLR": dict(step_size=3),
    "MultiStepLR": dict(milestones=[3]),
    "ConstantLR": {},
    "LinearLR": {},
    "ExponentialLR": dict(gamma=0.9),
    "PolynomialLR": {},
    "CosineAnnealingLR": dict(T_max=10),
    "CosineAnnealingWarmRestarts": dict(T_0=10),
    "CyclicLR": dict(base_lr=0.01, max_lr=0.1, cycle_momentum=False),
    "OneCycleLR": dict(max_lr=0.1, total_steps=10, cycle_momentum=False),
    "ReduceLROnPlateau": {},
}


@pytest.mark.parametrize("name", sorted(VALID))
@pytest.mark.parametrize("not_an_optimizer", [object(), [np.zeros(2)]], ids=["object", "list"])
def test_refuses_what_is_not_an_optimizer(name, not_an_optimizer):
    with pytest.raises(TypeError, match=r"is not an Optimizer \(optimizer must be an "
                                        r"optlearn\.optim\.Optimizer"):  # fmt: skip
        getattr(S, name)(not_an_optimizer, **VALID[name])


class NoMomentum(ol.optim.Optimizer):
    """An optimizer with neither a 'momentum' nor a 'betas' option."""

    def __init__(self, params, lr=0.1):
        super().__init__(params, dict(lr=lr))

    def _update_group(self, group, grads, first_index):
        for p, g in zip(group["params"], grads, strict=True):
            p -= group["lr"] * g


@pytest.mark.parametrize("name,kwargs", [
    ("CyclicLR", dict(base_lr=0.01, max_lr=0.1)),
    ("OneCycleLR", dict(max_lr=0.1, total_steps=10)),
])  # fmt: skip
def test_momentum_cycling_needs_momentum_or_betas(name, kwargs):
    w = np.zeros(2)
    opt = NoMomentum([w])
    before = options(opt)
    with pytest.raises(ValueError, match="optimizer must support momentum or beta1 with "
                                         "`cycle_momentum` option enabled"):  # fmt: skip
        getattr(S, name)(opt, **kwargs)
    assert options(opt) == before
    sched = getattr(S, name)(opt, **kwargs, cycle_momentum=False)  # fine without cycling
    opt.step([np.ones(2)])
    sched.step()


def test_composite_schedulers_refuse_bad_input():
    opt, _ = make_opt(Row("SequentialLR", {}))
    other, _ = make_opt(Row("SequentialLR", {}))
    a, b = S.ConstantLR(opt), S.ExponentialLR(opt, gamma=0.9)
    foreign = S.ExponentialLR(other, gamma=0.9)
    plateau = S.ReduceLROnPlateau(opt)
    before = options(opt)
    cases = [
        (lambda: S.SequentialLR(opt, [], []), ValueError,
         "SequentialLR expects at least one scheduler, but got no scheduler"),
        (lambda: S.SequentialLR(opt, [a, b], []), ValueError,
         "Sequential Schedulers expects number of schedulers provided to be one more than the "
         "number of milestone points, but got number of schedulers 2 and the number of "
         "milestones to be equal to 0"),
        (lambda: S.SequentialLR(opt, [a, b, a], [5, 3]), ValueError,
         r"Invalid milestones: \[5, 3\] \(milestones must be a strictly increasing list of "
         r"integers >= 1\)"),
        (lambda: S.SequentialLR(opt, [a, plateau], [5]), ValueError,
         "SequentialLR does not support `ReduceLROnPlateau` scheduler .* at index 1"),
        (lambda: S.SequentialLR(opt, [a, foreign], [5]), ValueError,
         "SequentialLR expects all schedulers to belong to the same optimizer, but got "
         "scheduler ExponentialLR at index 1"),
        (lambda: S.SequentialLR(opt, [a, object()], [5]), TypeError,
         "SequentialLR at index 1 should have `optimizer` as its attribute"),
        (lambda: S.SequentialLR(object(), [a], []), TypeError, "is not an Optimizer"),
        (lambda: S.ChainedScheduler([]), ValueError,
         "ChainedScheduler expects at least one scheduler to be chained"),
        (lambda: S.ChainedScheduler([a, plateau]), ValueError,
         "ChainedScheduler does not support `ReduceLROnPlateau`"),
        (lambda: S.ChainedScheduler([a, foreign]), ValueError,
         "ChainedScheduler expects all schedulers to belong to the same optimizer"),
        (lambda: S.ChainedScheduler([a], optimizer=object()), TypeError,
         "is not an Optimizer"),
    ]  # fmt: skip
    for make, exc, match in cases:
        with pytest.raises(exc, match=match):
            make()
        assert options(opt) == before


def test_sequential_lr_restarts_each_scheduler_at_its_milestone():
    got, _ = schedule("SequentialLR", 8, lrs=(1.0, 1.0),
                      schedulers=[("ConstantLR", dict(factor=0.5, total_iters=10)),
                                  ("ExponentialLR", dict(gamma=0.5))],
                      milestones=[3])  # fmt: skip
    np.testing.assert_allclose(got[:, 0], [0.5, 0.5, 0.5, 1, 0.5, 0.25, 0.125, 0.0625])


# --- invariants --------------------------------------------------------------------------------
def _stepped(name, steps, lrs=LRS, opt_kwargs=None, **kwargs):
    """Yield the scheduler after steps 0 .. steps-1 (for per-step checks)."""
    opt, params = make_opt(Row(name, kwargs, "sgd", opt_kwargs or {}), lrs)
    sched = build(S, opt, name, kwargs)
    yield sched, opt
    for _ in range(steps - 1):
        opt.step([np.zeros_like(p) for p in params])
        sched.step()
        yield sched, opt


@settings(max_examples=60, deadline=None)
@given(T_max=st.integers(1, 60), base=st.floats(1e-4, 1.0), frac=st.floats(0.0, 1.0),
       periods=st.floats(0.1, 3.0))  # fmt: skip
def test_cosine_annealing_stays_within_eta_min_and_base_lr(T_max, base, frac, periods):
    eta_min = frac * base
    for sched, _ in _stepped("CosineAnnealingLR", int(periods * T_max) + 1, lrs=(base, base),
                             T_max=T_max, eta_min=eta_min):  # fmt: skip
        for lr in sched.get_last_lr():
            assert eta_min - 1e-12 * base <= lr <= base * (1 + 1e-12)


@settings(max_examples=60, deadline=None)
@given(gamma=st.floats(0.5, 1.2), base=st.floats(1e-4, 1.0), steps=st.integers(1, 200))
def test_exponential_lr_is_base_times_gamma_to_the_t(gamma, base, steps):
    for t, (sched, _) in enumerate(_stepped("ExponentialLR", steps, lrs=(base, 2 * base),
                                            gamma=gamma)):  # fmt: skip
        np.testing.assert_allclose(sched.get_last_lr(), [base * gamma**t, 2 * base * gamma**t],
                                   rtol=1e-12)  # fmt: skip


CLOSED_FORM = st.one_of(
    st.builds(lambda s, g: ("StepLR", dict(step_size=s, gamma=g)),
              st.integers(1, 20), st.floats(0.1, 2.0)),
    st.builds(lambda ms, g: ("MultiStepLR", dict(milestones=sorted(set(ms)), gamma=g)),
              st.lists(st.integers(0, 100), max_size=5), st.floats(0.1, 2.0)),
    st.builds(lambda f, n: ("ConstantLR", dict(factor=f, total_iters=n)),
              st.floats(0.01, 1.0), st.integers(1, 50)),
    st.builds(lambda a, b, n: ("LinearLR", dict(start_factor=a, end_factor=b, total_iters=n)),
              st.floats(0.01, 1.0), st.floats(0.0, 1.0), st.integers(1, 50)),
    st.builds(lambda g: ("ExponentialLR", dict(gamma=g)), st.floats(0.5, 1.2)),
    st.builds(lambda n, p: ("PolynomialLR", dict(total_iters=n, power=p)),
              st.integers(1, 50), st.floats(0.0, 3.0)),
    st.builds(lambda T, e: ("CosineAnnealingLR", dict(T_max=T, eta_min=e)),
              st.integers(1, 50), st.floats(0.0, 0.01)),
)  # fmt: skip


@settings(max_examples=100, deadline=None)
@given(case=CLOSED_FORM, steps=st.integers(1, 120))
def test_chainable_form_equals_closed_form(case, steps):
    name, kwargs = case
    for sched, _ in _stepped(name, steps, **kwargs):
        np.testing.assert_allclose(sched.get_last_lr(), sched._get_closed_form_lr(),
                                   rtol=1e-9, atol=1e-12)  # fmt: skip


@settings(max_examples=60, deadline=None)
@given(total=st.integers(2, 200), pct=st.floats(0.0, 1.0), three_phase=st.booleans(),
       strategy=st.sampled_from(["cos", "linear"]))  # fmt: skip
def test_one_cycle_stays_within_its_bounds(total, pct, three_phase, strategy):
    assume(pct * total != 1 and not (three_phase and pct > 0.5))
    max_lr, div, final = 0.5, 25.0, 1e4
    for sched, opt in _stepped("OneCycleLR", total, opt_kwargs=MOM, max_lr=max_lr,
                               total_steps=total, pct_start=pct, three_phase=three_phase,
                               anneal_strategy=strategy):  # fmt: skip
        lr, momentum = sched.get_last_lr()[0], opt.param_groups[0]["momentum"]
        assert max_lr / div / final * (1 - 1e-12) <= lr <= max_lr * (1 + 1e-12)
        assert 0.85 - 1e-12 <= momentum <= 0.95 + 1e-12


@settings(max_examples=60, deadline=None)
@given(up=st.integers(1, 30), down=st.integers(0, 30),
       mode=st.sampled_from(["triangular", "triangular2", "exp_range"]),
       gamma=st.floats(0.9, 1.0), steps=st.integers(1, 150))  # fmt: skip
def test_cyclic_lr_stays_within_its_bounds_and_moves_momentum_inversely(up, down, mode, gamma,
                                                                         steps):  # fmt: skip
    for sched, opt in _stepped("CyclicLR", steps, opt_kwargs=MOM, base_lr=0.01, max_lr=0.1,
                               step_size_up=up, step_size_down=down, mode=mode,
                               gamma=gamma):  # fmt: skip
        lr, momentum = sched.get_last_lr()[0], opt.param_groups[0]["momentum"]
        assert 0.01 - 1e-15 <= lr <= 0.1 + 1e-15
        # lr and momentum move along the same fraction h of their ranges, in opposite ways.
        assert (lr - 0.01) / 0.09 == pytest.approx((0.9 - momentum) / 0.1, abs=1e-9)


@settings(max_examples=60, deadline=None)
@given(metrics=st.lists(st.floats(0.0, 10.0), min_size=1, max_size=60),
       patience=st.integers(0, 4), cooldown=st.integers(0, 3),
       mode=st.sampled_from(["min", "max"]))  # fmt: skip
def test_reduce_lr_on_plateau_only_lowers_by_factor_down_to_min_lr(metrics, patience, cooldown,
                                                                    mode):  # fmt: skip
    opt, _ = make_opt(Row("ReduceLROnPlateau", {}), lrs=(1.0, 1.0))
    sched = S.ReduceLROnPlateau(opt, mode=mode, factor=0.5, patience=patience,
                                cooldown=cooldown, min_lr=0.1)  # fmt: skip
    previous = sched.get_last_lr()
    for m in metrics:
        sched.step(m)
        lrs = sched.get_last_lr()
        for old, new in zip(previous, lrs, strict=True):
            assert new == old or new == max(old * 0.5, 0.1)
            assert new >= 0.1
        previous = lrs
