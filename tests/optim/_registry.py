"""The one registry of optimizers that every parametrised optimizer test reads.

Adding an optimizer to the tests is adding rows here:

- ``CASES``: (optimizer name, kwargs) option sets; each is checked against torch, against the
  NumPy reference, for dtypes, state_dict round trips and convergence.
- ``REFERENCE[name]``: runs one step of ``optlearn.optim.reference`` for one parameter,
  keeping its own state dict, so kernels can be compared with the readable version.
- ``CONVERGE[name]``: a learning rate at which the optimizer reaches the minimum of a small
  ill-conditioned quadratic within 2,000 steps (their ``lr`` overrides the case's).
"""

from dataclasses import dataclass, field

import numpy as np

from optlearn.optim import reference as R


@dataclass(frozen=True)
class Case:
    name: str
    kwargs: dict = field(default_factory=dict)

    @property
    def id(self) -> str:
        opts = ",".join(f"{k}={v}" for k, v in self.kwargs.items())
        return f"{self.name}({opts})"


CASES = [
    Case("SGD", dict(lr=0.05)),
    Case("SGD", dict(lr=0.05, momentum=0.9)),
    Case("SGD", dict(lr=0.05, momentum=0.9, dampening=0.5, weight_decay=0.01)),
    Case("SGD", dict(lr=0.05, momentum=0.9, nesterov=True, weight_decay=0.01)),
    Case("SGD", dict(lr=0.05, momentum=0.5, maximize=True)),
    Case("Adam", dict(lr=0.01)),
    Case("Adam", dict(lr=0.01, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.1)),
    Case("Adam", dict(lr=0.01, amsgrad=True, maximize=True)),
    Case("Adam", dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True)),
    Case("AdamW", dict(lr=0.01)),
    Case("AdamW", dict(lr=0.01, weight_decay=0.1, amsgrad=True)),
]


def _sgd(p, g, state, t, kw):
    first = "momentum_buffer" not in state
    if first and kw.get("momentum", 0) != 0:
        state["momentum_buffer"] = np.empty_like(p)
    R.sgd(p, g, state.get("momentum_buffer"), first=first, **kw)


def _adam(p, g, state, t, kw, decoupled=False):
    if not state:
        state.update(m=np.zeros_like(p), v=np.zeros_like(p), vmax=np.zeros_like(p))
    kw = dict(kw)
    kw.setdefault("decoupled_weight_decay", decoupled)
    if decoupled:
        kw.setdefault("weight_decay", 1e-2)
    R.adam(p, g, state["m"], state["v"], state["vmax"], t=t, **kw)


REFERENCE = {
    "SGD": _sgd,
    "Adam": _adam,
    "AdamW": lambda p, g, state, t, kw: _adam(p, g, state, t, kw, decoupled=True),
}

CONVERGE = {
    "SGD": dict(lr=0.05),
    "Adam": dict(lr=0.05),
    "AdamW": dict(lr=0.05, weight_decay=0.0),
}

# --- RMSprop, Adagrad, Adadelta, Adamax, NAdam, RAdam -------------------------------------------
# betas=(0.3, ...) and alpha=0.3 make torch's lerp take its branch for weights >= 0.5.
CASES += [
    Case("RMSprop", dict(lr=0.01)),
    Case("RMSprop", dict(lr=0.01, alpha=0.9, eps=1e-6, weight_decay=0.1)),
    Case("RMSprop", dict(lr=0.01, momentum=0.9)),
    Case("RMSprop", dict(lr=0.01, centered=True)),
    Case("RMSprop", dict(lr=0.005, centered=True, momentum=0.9, weight_decay=0.1)),
    Case("RMSprop", dict(lr=0.01, alpha=0.3, centered=True)),
    Case("RMSprop", dict(lr=0.01, momentum=0.5, maximize=True)),
    Case("Adagrad", dict(lr=0.1)),
    Case("Adagrad", dict(lr=0.1, lr_decay=0.01, initial_accumulator_value=0.1)),
    Case("Adagrad", dict(lr=0.1, weight_decay=0.1, eps=1e-8)),
    Case("Adagrad", dict(lr=0.1, maximize=True)),
    Case("Adadelta", dict(lr=1.0)),
    Case("Adadelta", dict(lr=0.5, rho=0.95, eps=1e-5, weight_decay=0.1)),
    Case("Adadelta", dict(lr=1.0, rho=0.3, maximize=True)),
    Case("Adamax", dict(lr=0.01)),
    Case("Adamax", dict(lr=0.01, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.1)),
    Case("Adamax", dict(lr=0.01, betas=(0.3, 0.9), maximize=True)),
    Case("NAdam", dict(lr=0.01)),
    Case("NAdam", dict(lr=0.01, betas=(0.8, 0.99), weight_decay=0.1, momentum_decay=0.01)),
    Case("NAdam", dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True)),
    Case("NAdam", dict(lr=0.01, betas=(0.3, 0.9), eps=1e-6, maximize=True)),
    Case("RAdam", dict(lr=0.01)),
    Case("RAdam", dict(lr=0.01, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.1)),
    Case("RAdam", dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True)),
    Case("RAdam", dict(lr=0.01, betas=(0.3, 0.9), maximize=True)),
]


def _zeros(state, p, *keys):
    if not state:
        state.update({k: np.zeros_like(p) for k in keys})


def _rmsprop(p, g, state, t, kw):
    _zeros(state, p, "v", "g_avg", "buf")
    R.rmsprop(p, g, state["v"], state["g_avg"], state["buf"], **kw)


def _adagrad(p, g, state, t, kw):
    kw = dict(kw)
    initial = kw.pop("initial_accumulator_value", 0.0)
    if not state:
        state["sum"] = np.full_like(p, initial)
    R.adagrad(p, g, state["sum"], t=t, **kw)


def _adadelta(p, g, state, t, kw):
    _zeros(state, p, "v", "u")
    R.adadelta(p, g, state["v"], state["u"], **kw)


def _adamax(p, g, state, t, kw):
    _zeros(state, p, "m", "u")
    R.adamax(p, g, state["m"], state["u"], t=t, **kw)


def _nadam(p, g, state, t, kw):
    _zeros(state, p, "m", "v")
    state["mu_product"] = R.nadam(p, g, state["m"], state["v"], t=t,
                                  mu_product=state.get("mu_product", 1.0), **kw)  # fmt: skip


def _radam(p, g, state, t, kw):
    _zeros(state, p, "m", "v")
    R.radam(p, g, state["m"], state["v"], t=t, **kw)


REFERENCE.update(RMSprop=_rmsprop, Adagrad=_adagrad, Adadelta=_adadelta, Adamax=_adamax,
                 NAdam=_nadam, RAdam=_radam)  # fmt: skip

CONVERGE.update(
    RMSprop=dict(lr=0.003),
    Adagrad=dict(lr=0.3),
    # Near the minimum Adadelta is gradient descent with step lr: lr < 2 / L = 0.2 here.
    Adadelta=dict(lr=0.15, eps=1e-5),
    Adamax=dict(lr=0.05),
    NAdam=dict(lr=0.05),
    RAdam=dict(lr=0.1),
)
