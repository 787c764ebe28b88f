"""The pieces together: the digits MLP trained with fit, as the chapters will train it."""

import numpy as np
import pytest

import optlearn as ol


@pytest.fixture(scope="module")
def digits():
    return ol.data.load_digits(seed=0)


def test_digits_mlp_with_adam_reaches_96_percent_in_30_epochs(digits):
    net = ol.nn.MLP([64, 64, 10], seed=0)
    opt = ol.optim.Adam(net.parameters(), lr=1e-3)
    history = ol.train.fit(net, opt, digits.train, digits.val, epochs=30, batch_size=32,
                           progress=False)  # fmt: skip
    assert len(history) == 30
    assert net.accuracy(*digits.test) >= 0.96
    assert history.train_loss[-1] < history.train_loss[0] / 10
    assert set(history.layer_grad_norms) == {"layers.0", "layers.1"}


def test_same_seed_same_history_with_dropout_and_batch_norm(digits):
    def run(seed):
        net = ol.nn.MLP([64, 32, 10], dropout=0.2, norm="batch", seed=0)
        opt = ol.optim.SGD(net.parameters(), lr=0.05, momentum=0.9)
        h = ol.train.fit(net, opt, digits.train, digits.val, epochs=3, batch_size=64,
                         progress=False, seed=seed)  # fmt: skip
        return h, net.state_dict()

    (h1, s1), (h2, s2), (h3, _) = run(0), run(0), run(1)
    assert h1.train_loss == h2.train_loss and h1.val_accuracy == h2.val_accuracy
    assert h1.layer_grad_norms == h2.layer_grad_norms
    for k in s1:
        np.testing.assert_array_equal(s1[k], s2[k])
    assert h1.train_loss != h3.train_loss


def test_terminate_on_nan_keeps_the_last_finite_mlp(digits):
    net = ol.nn.MLP([64, 64, 10], seed=0)
    opt = ol.optim.SGD(net.parameters(), lr=1e8)  # diverges within a few steps
    h = ol.train.fit(net, opt, digits.train, epochs=5, batch_size=32, progress=False,
                     callbacks=[ol.train.TerminateOnNaN()])  # fmt: skip
    assert h.stopped_early and ("nan" in h.stop_reason or "inf" in h.stop_reason)
    assert all(np.all(np.isfinite(p)) for p in net.parameters())


def test_weight_decay_groups_from_the_model(digits):
    net = ol.nn.MLP([64, 32, 10], norm="layer", seed=0)
    opt = ol.optim.AdamW(net.param_groups(weight_decay=0.1), lr=3e-3)
    ol.train.fit(net, opt, digits.train, epochs=5, batch_size=32, progress=False)
    assert net.accuracy(*digits.val) > 0.9
