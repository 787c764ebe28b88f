"""Stochastic gradient descent with momentum, as ``torch.optim.SGD``."""

import numpy as np

from . import _kernels
from ._checks import check_bool, check_nonneg
from .optimizer import Optimizer

__all__ = ["SGD", "sgd"]


class SGD(Optimizer):
    r"""Stochastic gradient descent, optionally with (Nesterov) momentum: ``torch.optim.SGD``.

    .. math::

        g_t &\leftarrow \nabla f(\theta_{t-1}) + \lambda \theta_{t-1} \\
        b_t &\leftarrow \mu b_{t-1} + (1 - \tau) g_t \quad (b_1 = g_1) \\
        \theta_t &\leftarrow \theta_{t-1} - \gamma\,(g_t + \mu b_t \text{ if Nesterov, else } b_t)

    Parameters
    ----------
    params : list of ndarray or list of dict
        Parameters or parameter groups (see :class:`Optimizer`).
    lr : float, default=1e-3
        Learning rate :math:`\gamma` (torch's default).
    momentum : float, default=0
        Momentum factor :math:`\mu`. The buffer is an (undamped) sum, not an exponential
        average: with ``dampening=0`` the long-run step is ``lr / (1 - momentum)`` times the
        gradient. To get the exponential-average convention some texts use, set
        ``dampening=momentum``.
    dampening : float, default=0
        Dampening :math:`\tau` of the gradient added to the buffer.
    weight_decay : float, default=0
        L2 penalty :math:`\lambda` added to the gradient.
    nesterov : bool, default=False
        Nesterov momentum (Sutskever et al. 2013's formulation); needs momentum > 0 and
        dampening = 0.
    maximize : bool, default=False
        Ascend instead of descend.
    check_finite : bool, default=False
        Raise ``FloatingPointError`` if a gradient holds NaN or Inf, before changing anything.

    Examples
    --------
    >>> import numpy as np
    >>> import optlearn as ol
    >>> w = np.array([1.0, -2.0])
    >>> opt = ol.optim.SGD([w], lr=0.1, momentum=0.9)
    >>> opt.step([2 * w])          # gradient of ||w||^2
    >>> w
    array([ 0.8, -1.6])
    """

    def __init__(self, params, lr=1e-3, momentum=0.0, dampening=0.0, weight_decay=0.0,
                 nesterov=False, *, maximize=False, check_finite=False):  # fmt: skip
        defaults = dict(lr=lr, momentum=momentum, dampening=dampening,
                        weight_decay=weight_decay, nesterov=nesterov, maximize=maximize,
                        check_finite=check_finite)  # fmt: skip
        self._check_options(defaults)
        super().__init__(params, defaults)

    def _check_options(self, group):
        check_nonneg("learning rate", "lr", group["lr"])
        check_nonneg("momentum value", "momentum", group["momentum"])
        check_nonneg("dampening value", "dampening", group["dampening"])
        check_nonneg("weight_decay value", "weight_decay", group["weight_decay"])
        for flag in ("nesterov", "maximize", "check_finite"):
            check_bool(flag, group[flag])
        if group["nesterov"] and (group["momentum"] <= 0 or group["dampening"] != 0):
            raise ValueError(
                "Nesterov momentum requires a momentum and zero dampening (got momentum="
                f"{group['momentum']}, dampening={group['dampening']})"
            )

    def _update_group(self, group, grads, first_index):
        momentum = group["momentum"]
        lr, wd, damp = group["lr"], group["weight_decay"], group["dampening"]
        nesterov, maximize = group["nesterov"], group["maximize"]
        for k, g in enumerate(grads):
            if g is None:
                continue
            index = first_index + k
            if momentum == 0:  # as in torch, plain SGD keeps no state
                p, buf, first = self._flat[index].reshape(-1), None, False
            else:
                state = self._state_for(index, self._flat[index], lambda p: {})
                first = "momentum_buffer" not in state
                if first:  # the buffer starts as a copy of the first gradient
                    state["momentum_buffer"] = np.empty_like(self._flat[index])
                    self._views.pop(index, None)
                p, buf = self._kernel_views(index, state, ("momentum_buffer",))
            _sgd_kernel(p, g.reshape(-1), buf, lr, wd, momentum, damp, nesterov, maximize,
                        first)  # fmt: skip


def _sgd_kernel(p, g, buf, lr, weight_decay, momentum, dampening, nesterov, maximize, first):
    loop = _kernels.pick(_kernels.sgd_serial, _kernels.sgd_parallel, p.size)
    loop(p, g, p if buf is None else buf, lr, weight_decay, momentum, dampening, nesterov,
         maximize, first)  # fmt: skip


def sgd(params, grads, momentum_buffer_list, *, lr, weight_decay, momentum, dampening,
        nesterov, maximize):  # fmt: skip
    """Functional SGD: update ``params`` in place (torch.optim's ``sgd``; no input checks).

    ``momentum_buffer_list[i]`` is None before the first step with momentum; it is then
    replaced by a new buffer (a copy of the first gradient, as in torch).
    """
    for i, (p, g) in enumerate(zip(params, grads, strict=True)):
        buf, first = momentum_buffer_list[i], False
        if momentum != 0 and buf is None:
            buf, first = np.empty_like(p), True
            momentum_buffer_list[i] = buf
        _sgd_kernel(p.reshape(-1), g.reshape(-1), None if buf is None else buf.reshape(-1),
                    lr, weight_decay, momentum, dampening, nesterov, maximize, first)  # fmt: skip
