"""RMSprop, as ``torch.optim.RMSprop``."""

import numpy as np

from . import _kernels
from ._checks import check_bool, check_nonneg, check_unit
from .optimizer import Optimizer

__all__ = ["RMSprop", "rmsprop"]


class RMSprop(Optimizer):
    r"""RMSprop (Hinton 2012): divide the step by a running root mean square of the gradient.

    .. math::

        g_t &\leftarrow \nabla f(\theta_{t-1}) + \lambda \theta_{t-1} \\
        v_t &\leftarrow \alpha v_{t-1} + (1 - \alpha) g_t^2, \qquad
        \bar g_t \leftarrow \alpha \bar g_{t-1} + (1 - \alpha) g_t \quad \text{(centred)} \\
        d_t &\leftarrow \sqrt{v_t - \bar g_t^2} + \epsilon \ \text{(centred), else }
            \sqrt{v_t} + \epsilon \\
        b_t &\leftarrow \mu b_{t-1} + g_t / d_t, \qquad
        \theta_t \leftarrow \theta_{t-1} - \gamma b_t \qquad (b_0 = 0)

    Without momentum (:math:`\mu = 0`) the step is :math:`\gamma g_t / d_t`.

    Parameters
    ----------
    params : list of ndarray or list of dict
        Parameters or parameter groups (see :class:`Optimizer`).
    lr : float, default=1e-2
        Learning rate :math:`\gamma` (torch's default).
    alpha : float, default=0.99
        Smoothing constant :math:`\alpha` of the running averages, in [0, 1].
    eps : float, default=1e-8
        Added to the denominator *after* the square root.
    weight_decay : float, default=0
        L2 penalty :math:`\lambda` added to the gradient.
    momentum : float, default=0
        Momentum factor :math:`\mu` of the buffer of scaled gradients :math:`b`.
    centered : bool, default=False
        Divide by an estimate of the gradient's standard deviation,
        :math:`\sqrt{v_t - \bar g_t^2}`, instead of its root mean square (Graves 2013).
    maximize : bool, default=False
        Ascend instead of descend.
    check_finite : bool, default=False
        Raise ``FloatingPointError`` if a gradient holds NaN or Inf, before changing anything.

    Notes
    -----
    RMSprop was proposed in a lecture (Hinton, Srivastava & Swersky 2012), not a paper; the
    centred variant is from Graves (2013). Libraries differ in details that change the
    numbers: torch (and this class) adds :math:`\epsilon` *outside* the square root, with
    ``alpha=0.99, eps=1e-8``; Keras/TensorFlow add it inside, :math:`\sqrt{v_t + \epsilon}`,
    with ``rho=0.9, epsilon=1e-7`` and ``learning_rate=1e-3``. torch's momentum buffer
    accumulates the scaled gradient :math:`g_t / d_t` and starts at zero (unlike
    :class:`SGD`, whose buffer starts at the first gradient).

    State per parameter (torch's keys): ``step`` (int), ``square_avg``, with momentum
    ``momentum_buffer`` and, if centred, ``grad_avg``, in the parameter's dtype.

    References
    ----------
    .. [1] G. Hinton, N. Srivastava and K. Swersky, "Neural networks for machine learning,
       lecture 6e: rmsprop", Coursera, 2012.
    .. [2] A. Graves, "Generating sequences with recurrent neural networks",
       arXiv:1308.0850, 2013.

    Examples
    --------
    >>> import numpy as np
    >>> import optlearn as ol
    >>> w = np.array([1.0, -2.0])
    >>> opt = ol.optim.RMSprop([w], lr=0.01)
    >>> opt.step([2 * w])          # v = 0.01 g^2: the first step is lr / 0.1 per coordinate
    >>> np.round(w, 6)
    array([ 0.9, -1.9])
    """

    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0.0, momentum=0.0,
                 centered=False, *, maximize=False, check_finite=False):  # fmt: skip
        defaults = dict(lr=lr, alpha=alpha, eps=eps, weight_decay=weight_decay,
                        momentum=momentum, centered=centered, maximize=maximize,
                        check_finite=check_finite)  # fmt: skip
        self._check_options(defaults)
        super().__init__(params, defaults)

    def _check_options(self, group):
        check_nonneg("learning rate", "lr", group["lr"])
        check_nonneg("epsilon value", "eps", group["eps"])
        check_nonneg("momentum value", "momentum", group["momentum"])
        check_nonneg("weight_decay value", "weight_decay", group["weight_decay"])
        check_unit("alpha value", "alpha", group["alpha"], closed=True)
        for flag in ("centered", "maximize", "check_finite"):
            check_bool(flag, group[flag])

    def _update_group(self, group, grads, first_index):
        lr, alpha, eps, wd = group["lr"], group["alpha"], group["eps"], group["weight_decay"]
        momentum, centered, maximize = group["momentum"], group["centered"], group["maximize"]
        keys = ("square_avg", "grad_avg", "momentum_buffer")

        def init(p):
            state = {"step": 0, "square_avg": np.zeros_like(p)}
            if momentum > 0:
                state["momentum_buffer"] = np.zeros_like(p)
            if centered:
                state["grad_avg"] = np.zeros_like(p)
            return state

        for k, g in enumerate(grads):
            if g is None:
                continue
            index = first_index + k
            state = self._state_for(index, self._flat[index], init)
            if (momentum > 0 and "momentum_buffer" not in state) or (
                centered and "grad_avg" not in state
            ):  # the option was switched on after the first step: start its buffer at zero
                for key, on in (("momentum_buffer", momentum > 0), ("grad_avg", centered)):
                    if on and key not in state:
                        state[key] = np.zeros_like(self._flat[index])
                self._views.pop(index, None)
            state["step"] += 1
            p, v, g_avg, buf = self._kernel_views(index, state, keys)
            _rmsprop_kernel(p, g.reshape(-1), v, g_avg, buf, lr, alpha, eps, wd, momentum,
                            centered, maximize)  # fmt: skip


def _rmsprop_kernel(p, g, v, g_avg, buf, lr, alpha, eps, weight_decay, momentum, centered,
                    maximize):  # fmt: skip
    loop = _kernels.pick(_kernels.rmsprop_serial, _kernels.rmsprop_parallel, p.size)
    loop(p, g, v, v if g_avg is None else g_avg, v if buf is None else buf, lr, alpha, eps,
         weight_decay, momentum, centered, maximize)  # fmt: skip


def rmsprop(params, grads, square_avgs, grad_avgs, momentum_buffer_list, state_steps, *, lr,
            alpha, eps, weight_decay, momentum, centered, maximize):  # fmt: skip
    """Functional RMSprop: update ``params`` and the averages in place (no input checks).

    ``grad_avgs[i]`` is only used if ``centered`` and ``momentum_buffer_list[i]`` only if
    ``momentum > 0`` (the lists may be empty otherwise); both start at zero. The update does
    not depend on ``state_steps``, which is accepted for torch's signature.
    """
    for i, (p, g) in enumerate(zip(params, grads, strict=True)):
        g_avg = grad_avgs[i].reshape(-1) if centered else None
        buf = momentum_buffer_list[i].reshape(-1) if momentum > 0 else None
        _rmsprop_kernel(p.reshape(-1), g.reshape(-1), square_avgs[i].reshape(-1), g_avg, buf,
                        lr, alpha, eps, weight_decay, momentum, centered, maximize)  # fmt: skip
