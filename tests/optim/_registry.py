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
