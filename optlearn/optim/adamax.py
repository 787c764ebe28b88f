"""Adamax, as ``torch.optim.Adamax``."""

import numpy as np

from . import _kernels
from ._checks import check_betas, check_bool, check_nonneg
from .optimizer import Optimizer

__all__ = ["Adamax", "adamax"]


class Adamax(Optimizer):
    r"""Adamax (Kingma & Ba 2015, section 7.1): Adam with the infinity norm in the denominator.

    .. math::

        g_t &\leftarrow \nabla f(\theta_{t-1}) + \lambda \theta_{t-1} \\
        m_t &\leftarrow \beta_1 m_{t-1} + (1 - \beta_1) g_t, \qquad
        u_t \leftarrow \max(\beta_2 u_{t-1},\ |g_t| + \epsilon) \\
        \theta_t &\leftarrow \theta_{t-1} - \frac{\gamma}{1 - \beta_1^t}\, \frac{m_t}{u_t}

    Parameters
    ----------
    params : list of ndarray or list of dict
        Parameters or parameter groups (see :class:`Optimizer`).
    lr : float, default=2e-3
        Learning rate :math:`\gamma` (the paper's value).
    betas : tuple of float, default=(0.9, 0.999)
        Decay rates :math:`(\beta_1, \beta_2)` of the mean and of the infinity norm, each
        in [0, 1).
    eps : float, default=1e-8
        Added to :math:`|g_t|` *inside* the maximum, so that :math:`u_t > 0`.
    weight_decay : float, default=0
        L2 penalty :math:`\lambda` added to the gradient.
    maximize : bool, default=False
        Ascend instead of descend.
    check_finite : bool, default=False
        Raise ``FloatingPointError`` if a gradient holds NaN or Inf, before changing anything.

    Notes
    -----
    Adam's :math:`v_t` is a running :math:`\ell_2` average of past gradients; letting the
    exponent :math:`p \to \infty` in an :math:`\ell_p` version gives the running maximum
    :math:`u_t`, which needs no bias correction (Kingma & Ba 2015, section 7.1). The paper
    has no :math:`\epsilon`; torch adds it inside the maximum, Keras/TensorFlow add it
    outside, :math:`m_t / (u_t + \epsilon)`, with ``epsilon=1e-7`` and
    ``learning_rate=1e-3``. The two agree unless a coordinate's gradients are all tiny.

    State per parameter (torch's keys): ``step`` (int), ``exp_avg`` (:math:`m`) and
    ``exp_inf`` (:math:`u`), in the parameter's dtype.

    References
    ----------
    .. [1] D. P. Kingma and J. Ba, "Adam: a method for stochastic optimization", ICLR 2015,
       arXiv:1412.6980.

    Examples
    --------
    >>> import numpy as np
    >>> import optlearn as ol
    >>> w = np.array([1.0, -2.0])
    >>> opt = ol.optim.Adamax([w], lr=0.1)
    >>> opt.step([2 * w])          # the first step moves every coordinate by about lr
    >>> np.round(w, 6)
    array([ 0.9, -1.9])
    """

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, *,
                 maximize=False, check_finite=False):  # fmt: skip
        defaults = dict(lr=lr, betas=tuple(betas) if isinstance(betas, list) else betas,
                        eps=eps, weight_decay=weight_decay, maximize=maximize,
                        check_finite=check_finite)  # fmt: skip
        self._check_options(defaults)
        super().__init__(params, defaults)

    def _check_options(self, group):
        check_nonneg("learning rate", "lr", group["lr"])
        check_nonneg("epsilon value", "eps", group["eps"])
        check_betas(group["betas"])
        check_nonneg("weight_decay value", "weight_decay", group["weight_decay"])
        for flag in ("maximize", "check_finite"):
            check_bool(flag, group[flag])

    def _update_group(self, group, grads, first_index):
        beta1, beta2 = group["betas"]
        lr, eps, wd, maximize = group["lr"], group["eps"], group["weight_decay"], group["maximize"]

        def init(p):
            return {"step": 0, "exp_avg": np.zeros_like(p), "exp_inf": np.zeros_like(p)}

        for k, g in enumerate(grads):
            if g is None:
                continue
            index = first_index + k
            state = self._state_for(index, self._flat[index], init)
            state["step"] += 1
            p, m, u = self._kernel_views(index, state, ("exp_avg", "exp_inf"))
            _adamax_kernel(p, g.reshape(-1), m, u, lr, beta1, beta2, eps, wd, state["step"],
                           maximize)  # fmt: skip


def _adamax_kernel(p, g, m, u, lr, beta1, beta2, eps, weight_decay, step, maximize):
    loop = _kernels.pick(_kernels.adamax_serial, _kernels.adamax_parallel, p.size)
    loop(p, g, m, u, lr, beta1, beta2, eps, weight_decay, float(step), maximize)


def adamax(params, grads, exp_avgs, exp_infs, state_steps, *, eps, beta1, beta2, lr,
           weight_decay, maximize):  # fmt: skip
    """Functional Adamax: update ``params``, the means and the norms in place (no checks).

    ``state_steps[i]`` is the step number *after* this step (1 on the first step).
    """
    for i, (p, g) in enumerate(zip(params, grads, strict=True)):
        _adamax_kernel(p.reshape(-1), g.reshape(-1), exp_avgs[i].reshape(-1),
                       exp_infs[i].reshape(-1), lr, beta1, beta2, eps, weight_decay,
                       state_steps[i], maximize)  # fmt: skip
