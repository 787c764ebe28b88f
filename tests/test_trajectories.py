"""Trajectories: equal to looping optlearn.optim per start; theory on quadratics; errors."""

import importlib.util
import math
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest

import optlearn as ol
from optlearn import surfaces, trajectories

_spec = importlib.util.spec_from_file_location(
    "_optim_registry", Path(__file__).parent / "optim" / "_registry.py")  # fmt: skip
_registry = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_registry)
CASES = _registry.CASES


def loop_per_start(surface, name, starts, steps, **kwargs):
    """The specification: one optimizer per start, stepped in a Python loop."""
    paths = []
    for s in starts:
        p = np.array(s, dtype=np.float64)
        opt = getattr(ol.optim, name)([p], **kwargs)
        path = [p.copy()]
        for _ in range(steps):
            opt.step([surface.grad(p)])
            path.append(p.copy())
        paths.append(path)
    return np.array(paths)


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
@pytest.mark.parametrize("surface", [surfaces.Quadratic(3.0, angle=0.3), surfaces.Booth()],
                         ids=["quadratic", "booth"])  # fmt: skip
def test_run_equals_optim_loop_per_start(case, surface, rng):
    minimum = surface.minima[0]
    starts = minimum + rng.uniform(-1, 1, (5, 2))
    steps = 8 if case.kwargs.get("maximize") else 30  # ascent leaves any bound in the end
    res = trajectories.run(surface, case.name, starts, steps, **case.kwargs)
    want = loop_per_start(surface, case.name, starts, steps, **case.kwargs)
    assert not res.diverged.any()
    np.testing.assert_allclose(res.positions, want, rtol=1e-12, atol=1e-12)
    np.testing.assert_array_equal(res.final, res.positions[:, -1])


@pytest.mark.parametrize("name", ["SGD", "Adam", "AdamW"])
def test_fused_and_class_paths_agree_with_noise_and_record_off(name, rng):
    # A scheduler that never changes the lr forces the class path; it must agree exactly.
    surface = surfaces.Rosenbrock()
    starts = rng.uniform(-1.5, 1.5, (7, 2))
    kw = dict(lr=1e-3, noise_std=0.3, seed=4)
    if name == "SGD":
        kw["momentum"] = 0.9
    fused = trajectories.run(surface, name, starts, 40, **kw)
    slow = trajectories.run(surface, name, starts, 40,
                            scheduler=lambda o: ol.optim.lr_scheduler.LambdaLR(o, lambda e: 1.0),
                            **kw)  # fmt: skip
    np.testing.assert_allclose(fused.positions, slow.positions, rtol=1e-12, atol=1e-14)
    light = trajectories.run(surface, name, starts, 40, record=False, **kw)
    assert light.positions is None and light.losses is None
    np.testing.assert_array_equal(light.final, fused.final)


def test_gd_on_a_quadratic_diverges_iff_lr_above_2_over_L():
    bowl = surfaces.Quadratic(condition_number=10.0, angle=0.4)
    bound = 2 / bowl.L
    for factor, diverges in ((0.95, False), (1.05, True)):
        res = trajectories.run(bowl, "SGD", [[1.0, -2.0]], 2000, lr=factor * bound)
        assert bool(res.diverged[0]) == diverges
    res = trajectories.run(bowl, "SGD", [[1.0, -2.0]], 2000, lr=0.95 * bound)
    assert np.linalg.norm(res.final) < 1e-6


def test_heavy_ball_with_optimal_parameters_converges_at_the_predicted_rate():
    # Polyak: lr = 4 / (sqrt(L) + sqrt(mu))^2, momentum = ((sqrt(k) - 1) / (sqrt(k) + 1))^2;
    # the error then shrinks by (sqrt(k) - 1) / (sqrt(k) + 1) per step (asymptotically).
    kappa = 100.0
    bowl = surfaces.Quadratic(condition_number=kappa, angle=0.7)
    L, mu = bowl.L, bowl.mu
    lr = 4 / (math.sqrt(L) + math.sqrt(mu)) ** 2
    rate = (math.sqrt(kappa) - 1) / (math.sqrt(kappa) + 1)
    # torch's SGD: buf <- momentum buf + g; p <- p - lr buf, i.e. heavy ball with the same
    # (lr, momentum) as Polyak's x+ = x - lr g + momentum (x - x-).
    res = trajectories.run(bowl, "SGD", [[1.0, 1.0]], 400, lr=lr, momentum=rate**2)
    dist = np.linalg.norm(res.positions[0], axis=1)
    observed = (dist[400] / dist[200]) ** (1 / 200)
    assert observed == pytest.approx(rate, rel=0.02)
    plain = trajectories.run(bowl, "SGD", [[1.0, 1.0]], 400, lr=2 / (L + mu))
    assert np.linalg.norm(plain.final) > 100 * dist[400]  # momentum wins by far


def test_divergence_is_marked_and_frozen_without_warnings():
    res = trajectories.run(surfaces.Quadratic(10.0), "SGD", [[1.0, 1.0], [0.0, 0.1]], 500,
                           lr=0.5, bound=1e3)  # fmt: skip
    assert res.diverged.tolist() == [True, True]
    assert np.all(np.isfinite(res.positions)) and np.all(np.abs(res.final) <= 1e3)
    k = res.stopped_at[0]
    assert 0 < k < 500 and np.all(res.positions[0, k:] == res.positions[0, k - 1])


@pytest.mark.parametrize("name, kw", [
    ("SGD", dict(lr=4.0, momentum=0.9)),  # lr in units of 1 / L; heavy ball's limit is 3.8
    ("SGD", dict(lr=2.2, momentum=0.3, nesterov=True, weight_decay=0.1)),
    ("SGD", dict(lr=2.2)),  # beyond 2 / L: |error| grows 1.2x per step
    ("Adam", dict(lr=40.0, betas=(0.95, 0.999))),  # the first step of ~lr leaves the bound
    ("AdamW", dict(lr=40.0, amsgrad=True, weight_decay=0.05)),
], ids=["momentum", "nesterov-wd", "plain", "adam", "adamw-amsgrad"])  # fmt: skip
def test_fused_kernel_freezes_diverging_runs_exactly_as_the_optimizer_loop(name, kw, rng):
    # On an axis-aligned bowl (curvature 1 along x, L along y) the runs grow along y only:
    # starts at y-scales from 1e-14 to 10 leave the bound at many different steps, and those
    # with y = 0 never (for Adam, the minimum itself). The class path (an unfused loop over
    # optlearn.optim, forced by a constant scheduler) is the reference for positions, losses,
    # which runs diverged and when.
    bowl = surfaces.Quadratic(condition_number=10.0, angle=0.0)
    kw = dict(kw, lr=kw["lr"] / bowl.L) if name == "SGD" else kw
    starts = rng.choice([-1, 1], (300, 2)) * 10 ** rng.uniform((-3, -14), (1, 1), (300, 2))
    starts[::10, 1] = 0.0
    if name != "SGD":  # Adam moves every coordinate with a nonzero gradient by ~lr
        starts[::10, 0] = 0.0
    bound = 30.0
    const = lambda o: ol.optim.lr_scheduler.LambdaLR(o, lambda e: 1.0)  # noqa: E731
    for record in (True, False):
        fused = trajectories.run(bowl, name, starts, 150, bound=bound, record=record, **kw)
        slow = trajectories.run(bowl, name, starts, 150, bound=bound, record=record,
                                scheduler=const, **kw)  # fmt: skip
        assert 0 < fused.diverged.sum() < len(starts)
        np.testing.assert_array_equal(fused.diverged, slow.diverged)
        np.testing.assert_array_equal(fused.stopped_at, slow.stopped_at)
        np.testing.assert_allclose(fused.final, slow.final, rtol=1e-12, atol=1e-13)
        if record:
            if name == "SGD":
                assert len(set(fused.stopped_at[fused.diverged].tolist())) > 20
            np.testing.assert_allclose(fused.positions, slow.positions, rtol=1e-12, atol=1e-13)
            np.testing.assert_allclose(fused.losses, slow.losses, rtol=1e-12, atol=1e-13)
            assert np.all(np.abs(fused.positions) <= bound)


def test_summaries(rng):
    him = surfaces.Himmelblau()
    starts = rng.uniform(-4, 4, (200, 2))
    res = trajectories.run(him, "Adam", starts, 3000, lr=0.05)
    b = trajectories.basins(res, tol=1e-3)
    assert set(b.tolist()) - {-1} == {0, 1, 2, 3}  # every basin is found
    assert np.mean(b >= 0) > 0.9  # and nearly every run ends in one
    assert np.all(trajectories.distance_to_minimum(res)[b >= 0] <= 1e-3)
    hit = trajectories.steps_to_tolerance(res, 1e-8)
    assert np.all(hit[b >= 0] > 0)


def test_sweep_phase_diagram_matches_single_runs():
    bowl = surfaces.Quadratic(condition_number=20.0)
    grid = {"lr": [0.01, 0.05, 0.099, 0.11], "momentum": [0.0, 0.5, 0.9]}
    res = trajectories.sweep(bowl, "SGD", grid, [1.0, 1.0], 300, tol=1e-8)
    assert res.status.shape == (4, 3)
    for i, lr in enumerate(grid["lr"]):
        for j, mom in enumerate(grid["momentum"]):
            one = trajectories.run(bowl, "SGD", [1.0, 1.0], 300, lr=lr, momentum=mom)
            assert res.final_loss[i, j] == pytest.approx(float(one.final_loss[0]), rel=1e-12,
                                                         abs=1e-300)  # fmt: skip
    assert res.status[3, 0] == 2  # lr 0.11 > 2 / L = 0.1 without momentum diverges
    assert res.status[1, 1] == 0


BAD = [
    (lambda: trajectories.run("nosuch", "SGD", [0, 0], 5), ValueError, "valid|one of"),
    (lambda: trajectories.run("rosenbrock", "Adagrad2", [0, 0], 5), ValueError,
     "'optimizer'.*one of Adadelta, Adagrad, Adam"),
    (lambda: trajectories.run("rosenbrock", "SGD", [[0, 0, 0]], 5), ValueError,
     r"'starts'.*shape \(n_starts, 2\).*Got 'shape \(1, 3\)'"),
    (lambda: trajectories.run("rosenbrock", "SGD", [0, 0], 0), ValueError, "'steps'.*>= 1"),
    (lambda: trajectories.run("rosenbrock", "SGD", [0, 0], 5, betas=(0.9, 0.99)), TypeError,
     "'betas' parameter of run must be a hyperparameter of SGD: one of lr, momentum"),
    (lambda: trajectories.run("rosenbrock", "SGD", [0, 0], 5, lr=-1.0), ValueError,
     "Invalid learning rate"),
    (lambda: trajectories.sweep("rosenbrock", "SGD", {"beta": [1]}, [0, 0], 5), TypeError,
     "'beta' parameter of sweep must be a hyperparameter of SGD"),
]


@pytest.mark.parametrize(("call", "exc", "match"), BAD)
def test_bad_input(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


def _run_in_child(queue):
    starts = np.random.default_rng(1).uniform(-1, 1, (2000, 2))
    res = trajectories.run(surfaces.Rosenbrock(), "SGD", starts, 200, lr=1e-4, momentum=0.9,
                           record=False)  # fmt: skip
    queue.put(res.final.tolist())


@pytest.mark.skipif(sys.platform == "win32", reason="fork() is POSIX only")
def test_run_works_in_a_child_made_by_fork_after_the_parent_ran():
    # The kept thread pool must not be reused across fork(): the child has the pool object but
    # not its threads, and used to wait forever for its first run.
    import multiprocessing

    starts = np.random.default_rng(1).uniform(-1, 1, (2000, 2))
    parent = trajectories.run(surfaces.Rosenbrock(), "SGD", starts, 200, lr=1e-4, momentum=0.9,
                              record=False)  # fmt: skip (enough work to use the thread pool)
    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()
    child = ctx.Process(target=_run_in_child, args=(queue,))
    with warnings.catch_warnings():  # Python >= 3.12 warns about forking with threads: the
        warnings.simplefilter("ignore", DeprecationWarning)  # very case under test
        child.start()
    child.join(60)
    if child.is_alive():
        child.kill()
        pytest.fail("trajectories.run hung in a forked child")
    assert child.exitcode == 0
    np.testing.assert_array_equal(np.array(queue.get(timeout=10)), parent.final)
