"""The training loop: fit, History, callbacks, progress and the learning-rate range test.

Every test trains a stand-in model written here (multinomial logistic regression, with an
optional dropout mask drawn from ``model.rng``), so these tests depend only on the model
protocol documented in ``optlearn.train``, not on ``optlearn.nn``.
"""

import math
import types

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.figure import Figure

from optlearn import train as T
from optlearn.optim import SGD, Adam
from optlearn.optim.lr_scheduler import (
    CyclicLR,
    OneCycleLR,
    ReduceLROnPlateau,
    StepLR,
)


# --- the stand-in model ----------------------------------------------------------------------
class Softmax:
    """``logits = dropout(X) @ W + b`` with the model protocol; losses "cross_entropy", "mse".

    In training mode (``loss_and_grads``) each input entry is kept with probability
    ``1 - dropout`` (mask drawn from ``self.rng``) and scaled by ``1 / (1 - dropout)``.
    """

    def __init__(self, d, k, *, dropout=0.0, seed=0, dtype=np.float64, scale=0.01,
                 names=("layers.0.weight", "layers.0.bias")):  # fmt: skip
        init = np.random.default_rng(seed)
        self.W = (scale * init.standard_normal((d, k))).astype(dtype)
        self.b = np.zeros(k, dtype=dtype)
        self.dropout = dropout
        self.rng = np.random.default_rng(999)
        self.names = list(names)
        self.batches = []  # every minibatch's X, as seen by loss_and_grads

    def parameters(self):
        return [self.W, self.b]

    def parameter_names(self):
        return list(self.names)

    def _head(self, Z, y, loss):
        n = len(Z)
        if loss == "cross_entropy":
            z = Z - Z.max(axis=1, keepdims=True)
            logp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
            dZ = np.exp(logp)
            dZ[np.arange(n), y] -= 1.0
            return -logp[np.arange(n), y].mean(), dZ / n
        if loss == "mse":
            diff = Z - y
            return (diff**2).mean(), 2.0 * diff / diff.size
        raise ValueError(f"unknown loss {loss!r}")

    def loss_and_grads(self, X, y, loss="cross_entropy"):
        with np.errstate(over="ignore", invalid="ignore"):  # divergence shows as NaN
            self.batches.append(np.array(X))
            X = np.asarray(X, dtype=self.W.dtype)
            if self.dropout:
                keep = self.rng.random(X.shape) >= self.dropout
                X = X * keep / (1.0 - self.dropout)
            value, dZ = self._head(X @ self.W + self.b, y, loss)
            return float(value), [X.T @ dZ, dZ.sum(axis=0)]

    def loss(self, X, y, loss="cross_entropy"):
        with np.errstate(over="ignore", invalid="ignore"):
            return float(self._head(np.asarray(X, self.W.dtype) @ self.W + self.b, y, loss)[0])

    def accuracy(self, X, y):
        return float(((X @ self.W + self.b).argmax(axis=1) == y).mean())

    def state_dict(self):
        return dict(zip(self.names, (self.W.copy(), self.b.copy()), strict=True))

    def load_state_dict(self, state):
        self.W[...] = state[self.names[0]]
        self.b[...] = state[self.names[1]]


def blobs(rng, n=300, d=5, k=3, spread=0.5):
    """``k`` well-separated Gaussian clusters in ``d`` dimensions, labels 0..k-1."""
    centers = 3.0 * rng.standard_normal((k, d))
    y = rng.integers(0, k, n)
    return centers[y] + spread * rng.standard_normal((n, d)), y


def split(X, y, n_train):
    return (X[:n_train], y[:n_train]), (X[n_train:], y[n_train:])


def params_of(model):
    return [p.copy() for p in model.parameters()]


def same_history(a, b):
    da, db = a.to_dict(), b.to_dict()
    da.pop("time"), db.pop("time")
    return da == db


class Recorder(T.Callback):
    """Counts every hook and keeps the parameters each step started from."""

    def __init__(self):
        self.calls = {h: 0 for h in T._HOOKS}
        self.before = {}  # step -> (model state, optimizer state)
        self.after = {}  # step -> model state

    def on_train_begin(self, state):
        self.calls["on_train_begin"] += 1

    def on_epoch_begin(self, state):
        self.calls["on_epoch_begin"] += 1

    def on_step_begin(self, state):
        self.calls["on_step_begin"] += 1
        self.before[state.step] = (state.model.state_dict(), state.optimizer.state_dict())

    def on_step_end(self, state):
        self.calls["on_step_end"] += 1
        self.after[state.step] = state.model.state_dict()

    def on_epoch_end(self, state):
        self.calls["on_epoch_end"] += 1

    def on_train_end(self, state):
        self.calls["on_train_end"] += 1


# --- the stand-in itself ---------------------------------------------------------------------
@pytest.mark.parametrize("loss", ["cross_entropy", "mse"])
def test_stand_in_gradients_match_finite_differences(rng, loss):
    model = Softmax(4, 3, scale=0.5)
    X = rng.standard_normal((7, 4))
    y = rng.integers(0, 3, 7) if loss == "cross_entropy" else rng.standard_normal((7, 3))
    _, grads = model.loss_and_grads(X, y, loss=loss)
    for p, g in zip(model.parameters(), grads, strict=True):
        numeric = np.zeros_like(p)
        for i in np.ndindex(p.shape):
            old = p[i]
            p[i] = old + 1e-6
            up = model.loss(X, y, loss)
            p[i] = old - 1e-6
            down = model.loss(X, y, loss)
            p[i] = old
            numeric[i] = (up - down) / 2e-6
        np.testing.assert_allclose(g, numeric, rtol=1e-6, atol=1e-9)


# --- training works ----------------------------------------------------------------------------
def test_reaches_high_accuracy_on_separable_data(rng):
    X, y = blobs(rng)
    train, val = split(X, y, 200)
    model = Softmax(5, 3, dropout=0.1)
    h = T.fit(model, Adam(model.parameters(), lr=0.05), train, val, epochs=15, batch_size=32,
              progress=False)  # fmt: skip
    assert h.train_accuracy[-1] > 0.95
    assert h.val_accuracy[-1] > 0.95
    assert h.train_loss[-1] < h.train_loss[0]
    assert not h.stopped_early and h.stop_reason is None


def test_history_has_one_entry_per_epoch(rng):
    X, y = blobs(rng, n=50)
    train, val = split(X, y, 40)
    model = Softmax(5, 3)
    h = T.fit(model, SGD(model.parameters(), lr=0.1), train, val, epochs=4, batch_size=16,
              progress=False)  # fmt: skip
    assert len(h) == 4 and h.epoch == [1, 2, 3, 4]
    for name in ("train_loss", "train_accuracy", "val_loss", "val_accuracy", "lr",
                 "grad_norm", "grad_norm_max", "time"):  # fmt: skip
        values = getattr(h, name)
        assert len(values) == 4, name
        assert all(type(v) is float for v in values), name
    assert list(h.layer_grad_norms) == ["layers.0"]
    assert len(h.layer_grad_norms["layers.0"]) == 4
    assert h.step_loss == h.step_lr == h.step_grad_norm == []
    assert all(t > 0 for t in h.time)
    assert all(m >= g for g, m in zip(h.grad_norm, h.grad_norm_max, strict=True))
    # The recorded losses are full-set evaluations in evaluation mode.
    assert h.train_loss[-1] == model.loss(*train)
    assert h.val_accuracy[-1] == model.accuracy(*val)
    assert "time" not in repr(h) and "epochs=4" in repr(h)


def test_every_example_once_per_epoch_in_a_new_order(rng):
    X, y = blobs(rng, n=50)
    model = Softmax(5, 3)
    h = T.fit(model, SGD(model.parameters(), lr=0.1), (X, y), epochs=3, batch_size=16,
              record_steps=True, progress=False)  # fmt: skip
    sizes = [len(b) for b in model.batches]
    assert sizes == [16, 16, 16, 2] * 3  # the last, partial batch is kept
    assert len(h.step_loss) == len(h.step_lr) == len(h.step_grad_norm) == 12
    epochs = [np.concatenate(model.batches[4 * e : 4 * e + 4]) for e in range(3)]
    key = np.lexsort(X.T)
    for seen in epochs:
        np.testing.assert_array_equal(seen[np.lexsort(seen.T)], X[key])
    assert not np.array_equal(epochs[0], epochs[1])


def test_data_as_an_object_with_X_and_y(rng):
    X, y = blobs(rng, n=40)
    data = types.SimpleNamespace(X=X, y=y)
    model_a, model_b = Softmax(5, 3), Softmax(5, 3)
    a = T.fit(model_a, SGD(model_a.parameters(), lr=0.1), data, data, epochs=2, batch_size=8,
              progress=False)  # fmt: skip
    b = T.fit(model_b, SGD(model_b.parameters(), lr=0.1), [X, y], (X, y), epochs=2,
              batch_size=8, progress=False)  # fmt: skip
    assert same_history(a, b)


def test_regression_loss_records_no_accuracy(rng):
    X = rng.standard_normal((40, 3))
    Y = X @ rng.standard_normal((3, 2))
    model = Softmax(3, 2)
    h = T.fit(model, SGD(model.parameters(), lr=0.1), (X, Y), (X, Y), epochs=3, batch_size=8,
              loss="mse", progress=False)  # fmt: skip
    assert h.train_accuracy == h.val_accuracy == []
    assert len(h.val_loss) == 3 and h.val_loss[-1] < h.val_loss[0]


def test_float32_model(rng):
    X, y = blobs(rng, n=60)
    model = Softmax(5, 3, dtype=np.float32)
    h = T.fit(model, SGD(model.parameters(), lr=0.1), (X.astype(np.float32), y), epochs=2,
              batch_size=16, clip_grad_norm=1.0, progress=False)  # fmt: skip
    assert model.W.dtype == np.float32 and len(h) == 2


# --- learning-rate schedules -----------------------------------------------------------------
def test_lr_follows_step_lr_exactly(rng):
    X, y = blobs(rng, n=40)
    model = Softmax(5, 3)
    opt = SGD(model.parameters(), lr=0.8)
    h = T.fit(model, opt, (X, y), epochs=6, batch_size=8,
              scheduler=StepLR(opt, step_size=2, gamma=0.5), progress=False)  # fmt: skip
    assert h.lr == [0.8, 0.8, 0.4, 0.4, 0.2, 0.2]
    assert opt.param_groups[0]["lr"] == 0.1  # stepped after the last epoch too, as in torch


class RecordingPlateau(ReduceLROnPlateau):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.seen = []

    def step(self, metrics, epoch=None):
        self.seen.append(metrics)
        super().step(metrics, epoch)


@pytest.mark.parametrize("with_val", [True, False])
def test_reduce_lr_on_plateau_gets_the_validation_loss(rng, with_val):
    X, y = blobs(rng, n=60)
    train, val = split(X, y, 40)
    model = Softmax(5, 3)
    opt = SGD(model.parameters(), lr=0.5)
    sched = RecordingPlateau(opt, factor=0.5, patience=0, threshold=0.5)
    h = T.fit(model, opt, train, val if with_val else None, epochs=4, batch_size=8,
              scheduler=sched, progress=False)  # fmt: skip
    assert sched.seen == (h.val_loss if with_val else h.train_loss)
    # threshold=0.5 (relative) makes every epoch after the first a bad one: the rate halves.
    assert h.lr == [0.5, 0.5, 0.25, 0.125]


def test_one_cycle_is_stepped_per_batch(rng):
    X, y = blobs(rng, n=50)
    epochs, batch_size = 3, 16
    steps_per_epoch = math.ceil(len(X) / batch_size)
    kwargs = {"max_lr": 0.5, "epochs": epochs, "steps_per_epoch": steps_per_epoch}
    model = Softmax(5, 3)
    opt = SGD(model.parameters(), lr=0.1, momentum=0.9)
    h = T.fit(model, opt, (X, y), epochs=epochs, batch_size=batch_size,
              scheduler=OneCycleLR(opt, **kwargs), record_steps=True, progress=False)  # fmt: skip
    # An independent run of the same schedule, in torch's order of calls.
    ref_opt = SGD([np.zeros(1)], lr=0.1, momentum=0.9)
    ref = OneCycleLR(ref_opt, **kwargs)
    expected = []
    for _ in range(epochs * steps_per_epoch):
        expected.append(ref.get_last_lr()[0])
        ref_opt.step([np.zeros(1)])
        ref.step()
    assert h.step_lr == expected
    assert h.lr == expected[steps_per_epoch - 1 :: steps_per_epoch]  # each epoch's last step
    assert opt.param_groups[0]["lr"] == ref_opt.param_groups[0]["lr"]
    assert opt.param_groups[0]["momentum"] == ref_opt.param_groups[0]["momentum"]


def test_cyclic_lr_defaults_to_per_batch_and_interval_can_be_forced(rng):
    X, y = blobs(rng, n=32)

    def run(interval):
        model = Softmax(5, 3)
        opt = SGD(model.parameters(), lr=0.1, momentum=0.9)
        sched = CyclicLR(opt, base_lr=0.01, max_lr=0.1, step_size_up=2)
        T.fit(model, opt, (X, y), epochs=2, batch_size=8, scheduler=sched,
              scheduler_interval=interval, progress=False)  # fmt: skip
        return sched.last_epoch

    assert run(None) == run("step") == 8
    assert run("epoch") == 2


# --- determinism -------------------------------------------------------------------------------
def test_same_seed_same_run_other_seed_other_run(rng):
    X, y = blobs(rng, n=80)
    train, val = split(X, y, 60)

    def run(seed):
        model = Softmax(5, 3, dropout=0.3)
        h = T.fit(model, Adam(model.parameters(), lr=0.05), train, val, epochs=3,
                  batch_size=16, record_steps=True, seed=seed, progress=False)  # fmt: skip
        return h, params_of(model)

    (h1, p1), (h2, p2), (h3, p3) = run(7), run(7), run(8)
    assert same_history(h1, h2)
    for a, b in zip(p1, p2, strict=True):
        np.testing.assert_array_equal(a, b)
    assert not same_history(h1, h3)
    assert not np.array_equal(p1[0], p3[0])


# --- gradient norms and clipping ---------------------------------------------------------------
def test_grad_norms_per_layer_and_global(rng):
    X, y = blobs(rng, n=30)
    names = ("layers.0.norm.weight", "fc.bias")  # two layers: "layers.0" and "fc"
    model = Softmax(5, 3, names=names, scale=0.5)
    fresh = Softmax(5, 3, names=names, scale=0.5)
    # One full batch per epoch: the epoch's mean is the norm of that one gradient.
    h = T.fit(model, SGD(model.parameters(), lr=0.1), (X, y), epochs=3, batch_size=100,
              progress=False)  # fmt: skip
    assert list(h.layer_grad_norms) == ["layers.0", "fc"]
    order = np.random.default_rng([0, 0]).permutation(30)  # fit's first order for seed=0
    gW, gb = fresh.loss_and_grads(X[order], y[order])[1]
    assert h.layer_grad_norms["layers.0"][0] == pytest.approx(np.linalg.norm(gW), rel=1e-12)
    assert h.layer_grad_norms["fc"][0] == pytest.approx(np.linalg.norm(gb), rel=1e-12)
    for e in range(3):
        layers = [h.layer_grad_norms[k][e] for k in ("layers.0", "fc")]
        assert h.grad_norm[e] == pytest.approx(math.hypot(*layers), rel=1e-12)
        assert h.grad_norm_max[e] == h.grad_norm[e]


def test_norms_survive_float32_overflow_and_nan_propagates_as_in_torch():
    big = [np.full((3, 4), 1e20, np.float32), np.full(4, 1e20, np.float32)]
    exact = 1e20 * math.sqrt(16)
    sums = [0.0, 0.0]
    norm = T._norms(big, [("a", [0]), ("b", [1])], sums, None)  # float32 squares overflow
    assert norm == pytest.approx(exact, rel=1e-6)
    assert sums == pytest.approx([1e20 * math.sqrt(12), 1e20 * 2], rel=1e-6)
    assert T._norms(big, [("a", [0, 1])], [0.0], 1.0) == pytest.approx(exact, rel=1e-6)
    assert math.sqrt(sum(float(np.sum(g.astype(np.float64) ** 2)) for g in big)) == (
        pytest.approx(1.0, rel=1e-5))  # clipped to max_norm=1
    grads = [np.array([np.nan, 1.0]), np.array([1.0])]
    assert math.isnan(T._norms(grads, [("a", [0]), ("b", [1])], [0.0, 0.0], 1.0))
    assert all(np.isnan(g).all() for g in grads)  # torch: a NaN norm makes every entry NaN


@pytest.mark.parametrize(("name", "layer"), [
    ("layers.0.weight", "layers.0"), ("layers.0.norm.weight", "layers.0"),
    ("fc.bias", "fc"), ("W", "W"), ("a.b.c.d", "a.b"),
])  # fmt: skip
def test_layer_of_a_parameter_name(name, layer):
    assert T._layer_of(name) == layer


def test_clipping_bounds_each_step_and_norms_are_recorded_before_it(rng):
    X, y = blobs(rng, n=48)
    lr, max_norm = 0.1, 1e-3

    def run(clip):
        model = Softmax(5, 3, scale=0.5)
        rec = Recorder()
        h = T.fit(model, SGD(model.parameters(), lr=lr), (X, y), epochs=2, batch_size=16,
                  clip_grad_norm=clip, callbacks=[rec], record_steps=True,
                  progress=False)  # fmt: skip
        return h, rec

    clipped, rec = run(max_norm)
    plain, _ = run(None)
    for step, after in rec.after.items():
        before = rec.before[step][0]
        moved = math.sqrt(sum(np.sum((after[k] - before[k]) ** 2) for k in after))
        assert moved <= lr * max_norm * (1 + 1e-9)
    # The first step starts from the same parameters and batch: same norm, recorded pre-clip.
    assert clipped.step_grad_norm[0] == plain.step_grad_norm[0] > 100 * max_norm
    assert clipped.grad_norm_max[0] > max_norm


# --- callbacks -------------------------------------------------------------------------------
def test_hooks_are_called_in_number(rng):
    X, y = blobs(rng, n=20)
    model, rec = Softmax(5, 3), Recorder()

    class OnlyEpochEnd:  # not a Callback, but has a hook: accepted
        def __init__(self):
            self.epochs = []

        def on_epoch_end(self, state):
            self.epochs.append(state.epoch)

    duck = OnlyEpochEnd()
    T.fit(model, SGD(model.parameters(), lr=0.1), (X, y), epochs=3, batch_size=8,
          callbacks=[rec, duck], progress=False)  # fmt: skip
    assert rec.calls == {"on_train_begin": 1, "on_epoch_begin": 3, "on_step_begin": 9,
                         "on_step_end": 9, "on_epoch_end": 3, "on_train_end": 1}  # fmt: skip
    assert duck.epochs == [1, 2, 3]


def test_a_callback_stops_mid_epoch_and_the_epoch_is_recorded(rng):
    X, y = blobs(rng, n=40)

    class StopAtStep(T.Callback):
        def on_step_end(self, state):
            if state.step == 7:
                state.stop, state.stop_reason = True, "enough"

    model = Softmax(5, 3)
    opt = SGD(model.parameters(), lr=0.1)
    sched = StepLR(opt, step_size=1, gamma=0.5)
    h = T.fit(model, opt, (X, y), epochs=5, batch_size=8, scheduler=sched,
              callbacks=[StopAtStep()], record_steps=True, progress=False)  # fmt: skip
    assert h.epoch == [1, 2] and len(h.step_loss) == 7
    assert h.stopped_early and h.stop_reason == "enough"
    assert sched.last_epoch == 1  # not stepped after the interrupted epoch


def flipped_val(rng):
    """Training labels from one rule, validation labels from its opposite: val loss rises."""
    X = rng.standard_normal((80, 2))
    y = (X[:, 0] > 0).astype(np.int64)
    return (X[:60], y[:60]), (X[60:], 1 - y[60:])


def test_early_stopping_stops_and_restores_the_best_weights(rng):
    train, val = flipped_val(rng)

    def run(epochs, callbacks=()):
        model = Softmax(2, 2)
        h = T.fit(model, SGD(model.parameters(), lr=0.5), train, val, epochs=epochs,
                  batch_size=16, callbacks=callbacks, progress=False)  # fmt: skip
        return h, model

    stop = T.EarlyStopping(patience=2)
    h, model = run(20, [stop])
    assert np.all(np.diff(h.val_loss) > 0)  # the constructed case: val loss only rises
    assert h.epoch == [1, 2, 3] and h.stopped_early
    assert stop.best_epoch == 1 and stop.stopped_epoch == 3 and stop.best == h.val_loss[0]
    assert "val_loss did not improve for 2 epochs" in h.stop_reason
    assert "weights restored to epoch 1" in h.stop_reason
    _, after_one = run(1)  # the same run stopped after epoch 1 (same seed, same batches)
    for a, b in zip(model.parameters(), after_one.parameters(), strict=True):
        np.testing.assert_array_equal(a, b)


def test_early_stopping_modes_and_no_restore(rng):
    train, val = flipped_val(rng)
    assert T.EarlyStopping(monitor="val_accuracy").mode == "max"
    assert T.EarlyStopping(monitor="train_loss").mode == "min"
    model = Softmax(2, 2)
    stop = T.EarlyStopping(monitor="train_loss", patience=1, restore_best_weights=False)
    h = T.fit(model, SGD(model.parameters(), lr=0.5), train, val, epochs=5, batch_size=16,
              callbacks=[stop], progress=False)  # fmt: skip
    assert not h.stopped_early and stop.best_epoch == 5  # train loss keeps falling
    # min_delta too large for any change to count: stops after `patience` epochs.
    model = Softmax(2, 2)
    stop = T.EarlyStopping(monitor="train_loss", patience=2, min_delta=10.0,
                           restore_best_weights=False)  # fmt: skip
    h = T.fit(model, SGD(model.parameters(), lr=0.5), train, epochs=9, batch_size=16,
              callbacks=[stop], progress=False)  # fmt: skip
    assert h.epoch == [1, 2, 3] and "weights restored" not in h.stop_reason


def diverging(rng, scale=100.0):
    """Large features with MSE: plain SGD at lr=1e6 multiplies the error by ~1e10 a step."""
    X = scale * rng.standard_normal((64, 4))
    return X, rng.standard_normal((64, 2))


def test_terminate_on_nan_restores_the_last_finite_state(rng):
    X, Y = diverging(rng)
    model, rec = Softmax(4, 2), Recorder()
    opt = SGD(model.parameters(), lr=1e6, momentum=0.9)
    h = T.fit(model, opt, (X, Y), epochs=50, batch_size=16, loss="mse",
              callbacks=[rec, T.TerminateOnNaN()], record_steps=True,
              progress=False)  # fmt: skip
    bad = len(h.step_loss)
    assert h.stopped_early and bad < 50 * 4
    assert not math.isfinite(h.step_loss[-1]) and math.isfinite(h.step_loss[-2])
    assert f"step {bad};" in h.stop_reason and f"start of step {bad - 1}" in h.stop_reason
    assert h.stop_reason.startswith(("loss became nan at epoch", "loss became inf at epoch"))
    assert all(np.isfinite(p).all() for p in model.parameters())
    good_model, good_opt = rec.before[bad - 1]  # the last step whose loss was finite
    for name, p in zip(model.parameter_names(), model.parameters(), strict=True):
        np.testing.assert_array_equal(p, good_model[name])
    restored = opt.state_dict()["state"]
    for i, entry in good_opt["state"].items():
        np.testing.assert_array_equal(restored[i]["momentum_buffer"], entry["momentum_buffer"])
    assert math.isfinite(h.train_loss[-1])


def test_terminate_on_nan_at_the_first_step_restores_the_initial_state(rng):
    X, Y = diverging(rng, scale=1e200)  # the first loss already overflows
    model = Softmax(4, 2)
    initial = params_of(model)
    h = T.fit(model, SGD(model.parameters(), lr=0.1), (X, Y), epochs=3, batch_size=16,
              loss="mse", callbacks=[T.TerminateOnNaN()], progress=False)  # fmt: skip
    assert "epoch 1, step 1;" in h.stop_reason and "before training" in h.stop_reason
    for a, b in zip(model.parameters(), initial, strict=True):
        np.testing.assert_array_equal(a, b)


def test_without_terminate_on_nan_nan_propagates_like_torch(rng):
    X, Y = diverging(rng)
    model = Softmax(4, 2)
    h = T.fit(model, SGD(model.parameters(), lr=1e6), (X, Y), epochs=20, batch_size=16,
              loss="mse", progress=False)  # fmt: skip
    assert len(h) == 20 and not h.stopped_early
    assert math.isnan(h.train_loss[-1]) and math.isnan(h.grad_norm_max[-1])
    assert np.isnan(model.W).all()


def test_model_checkpoint_keeps_and_writes_the_best_weights(rng, tmp_path):
    train, val = flipped_val(rng)
    model = Softmax(2, 2)
    ckpt = T.ModelCheckpoint(path=tmp_path / "best")  # ".npz" is appended
    h = T.fit(model, SGD(model.parameters(), lr=0.5), train, val, epochs=4, batch_size=16,
              callbacks=[ckpt], progress=False)  # fmt: skip
    assert ckpt.path == tmp_path / "best.npz"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["best.npz"]  # no temporary left
    assert (ckpt.best_epoch, ckpt.best) == h.best("val_loss") == (1, h.val_loss[0])
    with np.load(ckpt.path) as saved:
        loaded = dict(saved)
    assert sorted(loaded) == ["layers.0.bias", "layers.0.weight"]
    fresh = Softmax(2, 2)
    fresh.load_state_dict(loaded)
    assert fresh.loss(*val) == h.val_loss[0]
    for k, v in ckpt.best_state.items():
        np.testing.assert_array_equal(loaded[k], v)


def test_model_checkpoint_max_mode_in_memory(rng):
    X, y = blobs(rng, n=60)
    train, val = split(X, y, 40)
    model = Softmax(5, 3)
    ckpt = T.ModelCheckpoint(monitor="val_accuracy")
    h = T.fit(model, SGD(model.parameters(), lr=0.5), train, val, epochs=4, batch_size=8,
              callbacks=[ckpt], progress=False)  # fmt: skip
    assert ckpt.mode == "max" and ckpt.path is None
    assert (ckpt.best_epoch, ckpt.best) == h.best("val_accuracy")


# --- History ---------------------------------------------------------------------------------
def test_history_best_and_to_dict():
    h = T.History(epoch=[1, 2, 3], train_loss=[3.0, 1.0, 2.0], val_loss=[2.0, math.nan, 1.5],
                  val_accuracy=[0.5, 0.7, 0.7], layer_grad_norms={"fc": [1.0, 2.0, 3.0]})
    assert h.best("train_loss") == (2, 1.0)
    assert h.best() == (3, 1.5)  # NaN skipped
    assert h.best("val_accuracy") == (2, 0.7)  # the first of a tie
    d = h.to_dict()
    d["layer_grad_norms"]["fc"].append(4.0)
    assert h.layer_grad_norms["fc"] == [1.0, 2.0, 3.0]  # a copy
    assert d["stopped_early"] is False and d["stop_reason"] is None
    with pytest.raises(ValueError, match=r"The 'metric' parameter of History.best must be one"):
        h.best("loss")
    with pytest.raises(ValueError, match=r"a metric this run recorded\. Got 'train_accuracy'"):
        h.best("train_accuracy")


def test_history_plot_returns_a_figure(rng):
    X, y = blobs(rng, n=40)
    train, val = split(X, y, 30)
    model = Softmax(5, 3)
    h = T.fit(model, SGD(model.parameters(), lr=0.1), train, val, epochs=3, batch_size=8,
              progress=False)  # fmt: skip
    fig = h.plot()
    try:
        assert isinstance(fig, Figure)
        titles = [ax.get_title() for ax in fig.axes]
        assert titles == ["loss", "accuracy", "learning rate", "gradient norm"]
        assert len(fig.axes[0].get_lines()) == 2  # train and val
    finally:
        plt.close(fig)
    fig, axes = plt.subplots(2, 2)
    try:
        assert h.plot(axes) is fig
        with pytest.raises(ValueError, match=r"must be 4 matplotlib Axes, one per panel"):
            h.plot(axes[0])
    finally:
        plt.close(fig)
    regression = T.History(epoch=[1], train_loss=[1.0], lr=[0.1], grad_norm=[0.0],
                           grad_norm_max=[0.0])  # fmt: skip
    fig = regression.plot()
    try:
        assert len(fig.axes) == 3 and fig.axes[2].get_yscale() == "linear"
    finally:
        plt.close(fig)


# --- the learning-rate range test --------------------------------------------------------------
def test_lr_range_test_sweeps_suggests_and_stops_on_divergence(rng):
    # Least squares: plain SGD diverges once lr passes 2 / L, somewhere in the sweep.
    X = rng.standard_normal((200, 5))
    Y = X @ rng.standard_normal((5, 2)) + 0.1 * rng.standard_normal((200, 2))
    result = T.lr_range_test(lambda: Softmax(5, 2), SGD, (X, Y), start_lr=1e-4, end_lr=1e4,
                             num_steps=100, batch_size=16, loss="mse")  # fmt: skip
    assert np.all(np.diff(result.lrs) > 0)
    assert result.lrs[0] == 1e-4
    assert result.diverged and len(result.lrs) < 100
    assert result.losses[-1] > 4.0 * result.losses[:-1].min()
    assert result.raw_losses[-1] > 10 * result.raw_losses[0]
    assert len(result.raw_losses) == len(result.losses) == len(result.lrs)
    assert result.lrs[0] <= result.suggested_lr <= result.lrs[-1]
    assert result.suggested_lr < result.lrs[np.argmin(result.losses)] * (1 + 1e-12)
    # The smoothing: a bias-corrected exponential average of the raw losses.
    avg, expected = 0.0, []
    for i, value in enumerate(result.raw_losses):
        avg = 0.98 * avg + 0.02 * value
        expected.append(avg / (1 - 0.98 ** (i + 1)))
    np.testing.assert_allclose(result.losses, expected, rtol=1e-12)
    fig = result.plot()
    try:
        assert isinstance(fig, Figure) and fig.axes[0].get_xscale() == "log"
    finally:
        plt.close(fig)


def test_lr_range_test_runs_every_step_when_nothing_diverges(rng):
    X, y = blobs(rng, n=40)
    result = T.lr_range_test(lambda: Softmax(5, 3), SGD, (X, y), start_lr=1e-5, end_lr=1e-1,
                             num_steps=30, batch_size=16)  # fmt: skip
    assert not result.diverged and len(result.lrs) == 30
    np.testing.assert_allclose(result.lrs, np.geomspace(1e-5, 1e-1, 30), rtol=1e-12)
    assert "LRRangeTestResult(steps=30" in repr(result)


# --- progress bar --------------------------------------------------------------------------------
@pytest.mark.parametrize(("ci", "progress", "shown"), [
    ("true", None, False), (None, None, True), ("true", True, True), (None, False, False),
    ("0", None, True),
])  # fmt: skip
def test_progress_bar_is_off_on_ci(rng, monkeypatch, capsys, ci, progress, shown):
    if ci is None:
        monkeypatch.delenv("CI", raising=False)
    else:
        monkeypatch.setenv("CI", ci)
    X, y = blobs(rng, n=20)
    model = Softmax(5, 3)
    T.fit(model, SGD(model.parameters(), lr=0.1), (X, y), epochs=2, batch_size=8,
          progress=progress)  # fmt: skip
    captured = capsys.readouterr()
    assert captured.out == ""
    if shown:
        assert "fit" in captured.err and "2/2" in captured.err
    else:
        assert captured.err == ""


def test_progress_without_tqdm(rng, monkeypatch, capsys):
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.setattr(T.importlib.util, "find_spec", lambda name: None)
    X, y = blobs(rng, n=20)
    model = Softmax(5, 3)
    T.fit(model, SGD(model.parameters(), lr=0.1), (X, y), epochs=1, batch_size=8)
    assert capsys.readouterr().err == ""  # progress=None: quietly off
    with pytest.raises(ValueError, match=r"Install tqdm \(pip install tqdm\)"):
        T.fit(model, SGD(model.parameters(), lr=0.1), (X, y), epochs=1, batch_size=8,
              progress=True)  # fmt: skip


# --- bad input -------------------------------------------------------------------------------
@pytest.fixture
def setup(rng):
    X, y = blobs(rng, n=30)
    model = Softmax(5, 3)
    return model, SGD(model.parameters(), lr=0.1), X, y


def bad_cases():
    """(name, change to fit's arguments, exception, message); each refused before any change."""
    other = Softmax(5, 3, seed=1)

    def args(**changes):
        return changes

    return [
        ("length", lambda m, o, X, y: args(train=(X, y[:-1])), ValueError,
         "The 'train' parameter of fit must be a pair (X, y) with one row of X per entry of y. "
         "Got 'X with 30 rows and y with 29 entries' instead."),
        ("val length", lambda m, o, X, y: args(val=(X[:5], y[:4])), ValueError,
         "The 'val' parameter of fit must be a pair (X, y) with one row of X per entry of y. "
         "Got 'X with 5 rows and y with 4 entries' instead."),
        ("array", lambda m, o, X, y: args(train=X), TypeError,
         "The 'train' parameter of fit must be a pair (X, y) or an object with attributes X "
         "and y. Got 'an ndarray of shape (30, 5)' instead. Pass (X, y)."),
        ("triple", lambda m, o, X, y: args(train=(X, y, y)), TypeError,
         "Got 'a tuple of length 3' instead."),
        ("strings", lambda m, o, X, y: args(train=(X.astype(str), y)), TypeError,
         "must be numeric arrays (X, y). Got 'X of dtype <U"),
        ("empty", lambda m, o, X, y: args(train=(X[:0], y[:0])), ValueError,
         "must be at least one example. Got 'X with 0 rows' instead."),
        ("nan", lambda m, o, X, y: args(train=(np.where(np.arange(30)[:, None] == 3, np.nan,
                                                         X), y)), ValueError,
         "The 'train' parameter of fit must be finite data. Got 'X with 5 NaN or infinite "
         "entries (the first in row 3)' instead. Remove or impute them before training."),
        ("inf in val y", lambda m, o, X, y: args(val=(X, np.where(y == y[0], np.inf, y)),
                                                 loss="mse"), ValueError,
         "The 'val' parameter of fit must be finite data. Got 'y with"),
        ("epochs 0", lambda m, o, X, y: args(epochs=0), ValueError,
         "The 'epochs' parameter of fit must be an int in the range [1, inf). Got 0 instead."),
        ("epochs float", lambda m, o, X, y: args(epochs=2.0), TypeError,
         "The 'epochs' parameter of fit must be an int in the range [1, inf). Got 2.0 instead."),
        ("batch_size 0", lambda m, o, X, y: args(batch_size=0), ValueError,
         "The 'batch_size' parameter of fit must be an int in the range [1, inf). Got 0"),
        ("interval", lambda m, o, X, y: args(scheduler_interval="batch"), ValueError,
         "The 'scheduler_interval' parameter of fit must be one of None, 'step', 'epoch'. "
         "Got 'batch' instead."),
        ("plateau per step", lambda m, o, X, y: args(scheduler=ReduceLROnPlateau(o),
                                                     scheduler_interval="step"), ValueError,
         "must be 'epoch' or None for ReduceLROnPlateau (it steps on the epoch's loss). "
         "Got 'step' instead."),
        ("scheduler of another optimizer",
         lambda m, o, X, y: args(scheduler=StepLR(SGD(other.parameters()), 1)), ValueError,
         "The 'scheduler' parameter of fit must be a scheduler of the optimizer passed to fit."),
        ("callback object", lambda m, o, X, y: args(callbacks=[object()]), TypeError,
         "The 'callbacks[0]' parameter of fit must be a Callback object (or one with any of "
         "the methods on_train_begin, "),
        ("callback class", lambda m, o, X, y: args(callbacks=[T.EarlyStopping]), TypeError,
         "Got 'the class EarlyStopping' instead. Pass an instance: EarlyStopping()."),
        ("bare callback", lambda m, o, X, y: args(callbacks=T.TerminateOnNaN()), TypeError,
         "The 'callbacks' parameter of fit must be a sequence of Callback objects. Got 'a "
         "TerminateOnNaN' instead. Wrap it in a list: callbacks=[cb]."),
        ("other model's optimizer",
         lambda m, o, X, y: args(optimizer=Adam(other.parameters())), ValueError,
         "The 'optimizer' parameter of fit must be an optimizer of model.parameters() (in any "
         "grouping). Got \"an optimizer that does not update the model's parameters: parameter 0 "
         "('layers.0.weight') is not among the optimizer's\" instead. Build it with "
         "Adam(model.parameters(), ...)."),
        ("missing parameter", lambda m, o, X, y: args(optimizer=SGD([m.W])), ValueError,
         "parameter 1 ('layers.0.bias') is not among the optimizer's\" instead. Build it with "
         "SGD(model.parameters(), ...)."),
        ("extra", lambda m, o, X, y: args(optimizer=SGD([m.W, m.b, np.zeros(2)])), ValueError,
         "Got \"an optimizer of 3 parameters for a model of 2: its parameter 2 is not the "
         "model's\" instead."),
        ("not an optimizer", lambda m, o, X, y: args(optimizer=object()), TypeError,
         "The 'optimizer' parameter of fit must be an optlearn.optim optimizer. Got 'object'"),
        ("clip 0", lambda m, o, X, y: args(clip_grad_norm=0.0), ValueError,
         "The 'clip_grad_norm' parameter of fit must be a float in the range (0, inf]. Got 0.0"),
        ("progress", lambda m, o, X, y: args(progress="yes"), TypeError,
         "The 'progress' parameter of fit must be True or False. Got 'yes' instead."),
        ("seed", lambda m, o, X, y: args(seed=-1), ValueError,
         "The 'seed' parameter of fit must be an int in the range [0, inf). Got -1 instead."),
        ("loss", lambda m, o, X, y: args(loss=None), TypeError,
         "The 'loss' parameter of fit must be a loss name (a str). Got None instead."),
        ("monitor without val", lambda m, o, X, y: args(callbacks=[T.EarlyStopping()]),
         ValueError, "The 'monitor' parameter of EarlyStopping must be a metric that this fit "
         "records (train_loss, train_accuracy). Got 'val_loss' instead. Pass val=(X_val, "
         "y_val) to fit, or monitor 'train_loss'."),
        ("accuracy of mse", lambda m, o, X, y: args(
            loss="mse", train=(X, np.eye(3)[y]), val=(X, np.eye(3)[y]),
            callbacks=[T.ModelCheckpoint(monitor="val_accuracy")]), ValueError,
         "The 'monitor' parameter of ModelCheckpoint must be a metric that this fit records "
         "(train_loss, val_loss). Got 'val_accuracy' instead."),
    ]  # fmt: skip


@pytest.mark.parametrize(("changes", "exc", "message"),
                         [case[1:] for case in bad_cases()],
                         ids=[case[0] for case in bad_cases()])  # fmt: skip
def test_bad_input_is_refused_before_anything_changes(setup, changes, exc, message):
    model, opt, X, y = setup
    kwargs = {"model": model, "optimizer": opt, "train": (X, y), "val": None, "epochs": 2,
              "batch_size": 8, "progress": False}  # fmt: skip
    kwargs.update(changes(model, opt, X, y))
    before, rng_before = params_of(model), model.rng
    with pytest.raises(exc) as info:
        T.fit(**kwargs)
    assert message in str(info.value)
    assert model.rng is rng_before and model.batches == []
    for a, b in zip(model.parameters(), before, strict=True):
        np.testing.assert_array_equal(a, b)


def test_a_model_without_the_protocol_is_refused(setup):
    _, _, X, y = setup

    class NoAccuracy(Softmax):
        accuracy = None

    model = NoAccuracy(5, 3)
    with pytest.raises(TypeError, match=r"Got 'a NoAccuracy without accuracy' instead"):
        T.fit(model, SGD(model.parameters()), (X, y), epochs=1, batch_size=8, progress=False)
    T.fit(model, SGD(model.parameters()), (X, np.eye(3)[y]), epochs=1, batch_size=8,
          loss="mse", progress=False)  # accuracy is needed by classification losses only

    class NoStateDict(Softmax):
        state_dict = None

    model = NoStateDict(5, 3)
    with pytest.raises(TypeError, match=r"without state_dict"):
        T.fit(model, SGD(model.parameters()), (X, y), epochs=1, batch_size=8,
              callbacks=[T.TerminateOnNaN()], progress=False)  # fmt: skip
    T.fit(model, SGD(model.parameters()), (X, y), epochs=1, batch_size=8, progress=False,
          callbacks=[T.EarlyStopping(monitor="train_loss", restore_best_weights=False)])


@pytest.mark.parametrize(("make", "exc", "message"), [
    (lambda: T.EarlyStopping(monitor="val_acc"), ValueError,
     "The 'monitor' parameter of EarlyStopping must be one of 'train_loss', 'train_accuracy', "
     "'val_loss', 'val_accuracy'. Got 'val_acc' instead."),
    (lambda: T.EarlyStopping(mode="up"), ValueError,
     "The 'mode' parameter of EarlyStopping must be one of 'auto', 'min', 'max'. Got 'up'"),
    (lambda: T.EarlyStopping(patience=-1), ValueError,
     "The 'patience' parameter of EarlyStopping must be an int in the range [0, inf)."),
    (lambda: T.EarlyStopping(min_delta=-0.1), ValueError,
     "The 'min_delta' parameter of EarlyStopping must be a finite float in the range [0, inf)"),
    (lambda: T.EarlyStopping(restore_best_weights=1), TypeError,
     "The 'restore_best_weights' parameter of EarlyStopping must be True or False."),
    (lambda: T.ModelCheckpoint(path=3), TypeError,
     "The 'path' parameter of ModelCheckpoint must be a str or path-like. Got 'int' instead."),
])  # fmt: skip
def test_bad_callback_arguments(make, exc, message):
    with pytest.raises(exc) as info:
        make()
    assert message in str(info.value)


def test_checkpoint_folder_must_exist(setup, tmp_path):
    model, opt, X, y = setup
    ckpt = T.ModelCheckpoint(monitor="train_loss", path=tmp_path / "missing" / "best.npz")
    with pytest.raises(ValueError, match="must be a file in an existing folder"):
        T.fit(model, opt, (X, y), epochs=1, batch_size=8, callbacks=[ckpt], progress=False)
    assert model.batches == []


@pytest.mark.parametrize(("changes", "exc", "message"), [
    ({"start_lr": 0.0}, ValueError,
     "The 'start_lr' parameter of lr_range_test must be a finite float in the range (0, inf)."),
    ({"end_lr": 1e-8}, ValueError,
     "The 'end_lr' parameter of lr_range_test must be a finite float in the range (1e-07, inf)"),
    ({"num_steps": 1}, ValueError,
     "The 'num_steps' parameter of lr_range_test must be an int in the range [2, inf)."),
    ({"smooth": 1.0}, ValueError,
     "The 'smooth' parameter of lr_range_test must be a finite float in the range [0, 1)."),
    ({"diverge_factor": 1.0}, ValueError,
     "The 'diverge_factor' parameter of lr_range_test must be a finite float in the range "
     "(1, inf)."),
    ({"make_model": Softmax(5, 3)}, TypeError,
     "The 'make_model' parameter of lr_range_test must be a function that returns a new model."),
    ({"make_optimizer": lambda params: SGD(Softmax(5, 3).parameters())}, ValueError,
     "is not among the optimizer's\" instead. Build it with SGD(model.parameters(), ...)."),
])  # fmt: skip
def test_bad_lr_range_test_input(setup, changes, exc, message):
    _, _, X, y = setup
    kwargs = {"make_model": lambda: Softmax(5, 3), "make_optimizer": SGD, "train": (X, y)}
    kwargs.update(changes)
    with pytest.raises(exc) as info:
        T.lr_range_test(**kwargs)
    assert message in str(info.value)


def test_param_groups_in_another_order_get_their_gradients(rng):
    # Groups list the parameters group by group (e.g. biases without weight decay first):
    # fit passes the gradients in the optimizer's order, so the result equals one group.
    X, y = blobs(rng, n=60)
    runs = []
    for grouped in (False, True):
        model = Softmax(5, 3)
        params = ([{"params": [model.b]}, {"params": [model.W]}] if grouped
                  else model.parameters())  # fmt: skip
        T.fit(model, SGD(params, lr=0.1), (X, y), epochs=2, batch_size=16, progress=False)
        runs.append([p.copy() for p in model.parameters()])
    for a, b in zip(*runs, strict=True):
        np.testing.assert_array_equal(a, b)
