"""Adadelta, as ``torch.optim.Adadelta``."""

import numpy as np

from . import _kernels
from ._checks import check_bool, check_nonneg, check_unit
from .optimizer import Optimizer

__all__ = ["Adadelta", "adadelta"]


class Adadelta(Optimizer):
    r"""Adadelta (Zeiler 2012): scale the gradient by RMS(past steps) / RMS(gradients).

    .. math::

        g_t &\leftarrow \nabla f(\theta_{t-1}) + \lambda \theta_{t-1} \\
        v_t &\leftarrow \rho v_{t-1} + (1 - \rho) g_t^2 \\
        \Delta_t &\leftarrow \frac{\sqrt{u_{t-1} + \epsilon}}{\sqrt{v_t + \epsilon}}\, g_t \\
        u_t &\leftarrow \rho u_{t-1} + (1 - \rho) \Delta_t^2 \\
        \theta_t &\leftarrow \theta_{t-1} - \gamma \Delta_t

    Parameters
    ----------
    params : list of ndarray or list of dict
        Parameters or parameter groups (see :class:`Optimizer`).
    lr : float, default=1.0
        Learning rate :math:`\gamma`, a factor on :math:`\Delta_t` (the paper has none: 1.0).
    rho : float, default=0.9
        Decay rate :math:`\rho` of both running averages, in [0, 1].
    eps : float, default=1e-6
        Added *inside* both square roots; it also sets the size of the first steps,
        about :math:`\sqrt{\epsilon / (1 - \rho)}` whatever the gradient's scale.
    weight_decay : float, default=0
        L2 penalty :math:`\lambda` added to the gradient.
    maximize : bool, default=False
        Ascend instead of descend.
    check_finite : bool, default=False
        Raise ``FloatingPointError`` if a gradient holds NaN or Inf, before changing anything.

    Notes
    -----
    Zeiler's (2012) Algorithm 1: the ratio of the two root mean squares has the units of the
    parameters, so no learning rate is needed (torch's ``lr`` multiplies the step and
    defaults to 1, the paper's method). torch's ``rho=0.9`` differs from the paper's 0.95;
    Keras defaults to ``rho=0.95, epsilon=1e-7`` and ``learning_rate=1e-3``, so Keras's
    Adadelta takes steps a thousand times smaller than the paper's unless ``learning_rate``
    is set to 1.

    State per parameter (torch's keys): ``step`` (int), ``square_avg`` (:math:`v`) and
    ``acc_delta`` (:math:`u`), in the parameter's dtype.

    References
    ----------
    .. [1] M. D. Zeiler, "ADADELTA: an adaptive learning rate method", arXiv:1212.5701, 2012.

    Examples
    --------
    >>> import numpy as np
    >>> import optlearn as ol
    >>> w = np.array([1.0, -2.0])
    >>> opt = ol.optim.Adadelta([w])
    >>> opt.step([2 * w])          # first step: about sqrt(eps / (1 - rho)) = 0.00316
    >>> np.round(w, 6)
    array([ 0.996838, -1.996838])
    """

    def __init__(self, params, lr=1.0, rho=0.9, eps=1e-6, weight_decay=0.0, *, maximize=False,
                 check_finite=False):  # fmt: skip
        defaults = dict(lr=lr, rho=rho, eps=eps, weight_decay=weight_decay, maximize=maximize,
                        check_finite=check_finite)  # fmt: skip
        self._check_options(defaults)
        super().__init__(params, defaults)

    def _check_options(self, group):
        check_nonneg("learning rate", "lr", group["lr"])
        check_unit("rho value", "rho", group["rho"], closed=True)
        check_nonneg("epsilon value", "eps", group["eps"])
        check_nonneg("weight_decay value", "weight_decay", group["weight_decay"])
        for flag in ("maximize", "check_finite"):
            check_bool(flag, group[flag])

    def _update_group(self, group, grads, first_index):
        lr, rho, eps, wd = group["lr"], group["rho"], group["eps"], group["weight_decay"]
        maximize = group["maximize"]

        def init(p):
            return {"step": 0, "square_avg": np.zeros_like(p), "acc_delta": np.zeros_like(p)}

        for k, g in enumerate(grads):
            if g is None:
                continue
            index = first_index + k
            state = self._state_for(index, self._flat[index], init)
            state["step"] += 1
            p, v, u = self._kernel_views(index, state, ("square_avg", "acc_delta"))
            _adadelta_kernel(p, g.reshape(-1), v, u, lr, rho, eps, wd, maximize)


def _adadelta_kernel(p, g, v, u, lr, rho, eps, weight_decay, maximize):
    loop = _kernels.pick(_kernels.adadelta_serial, _kernels.adadelta_parallel, p.size)
    loop(p, g, v, u, lr, rho, eps, weight_decay, maximize)


def adadelta(params, grads, square_avgs, acc_deltas, state_steps, *, lr, rho, eps,
             weight_decay, maximize):  # fmt: skip
    """Functional Adadelta: update ``params`` and both averages in place (no input checks).

    The update does not depend on ``state_steps``, which is accepted for torch's signature.
    """
    for i, (p, g) in enumerate(zip(params, grads, strict=True)):
        _adadelta_kernel(p.reshape(-1), g.reshape(-1), square_avgs[i].reshape(-1),
                         acc_deltas[i].reshape(-1), lr, rho, eps, weight_decay,
                         maximize)  # fmt: skip
