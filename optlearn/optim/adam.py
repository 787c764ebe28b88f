"""Adam and AdamW, as ``torch.optim.Adam`` and ``torch.optim.AdamW``."""

import numpy as np

from . import _kernels
from ._checks import check_betas, check_bool, check_nonneg
from .optimizer import Optimizer

__all__ = ["Adam", "AdamW", "adam"]


class Adam(Optimizer):
    r"""Adam (Kingma & Ba 2015): estimate the gradient's moments, then scale the step.

    .. math::

        m_t &\leftarrow \beta_1 m_{t-1} + (1 - \beta_1) g_t, \qquad
        v_t \leftarrow \beta_2 v_{t-1} + (1 - \beta_2) g_t^2 \\
        \theta_t &\leftarrow \theta_{t-1} - \frac{\gamma}{1 - \beta_1^t}\,
            \frac{m_t}{\sqrt{v_t} / \sqrt{1 - \beta_2^t} + \epsilon}

    Parameters
    ----------
    params : list of ndarray or list of dict
        Parameters or parameter groups (see :class:`Optimizer`).
    lr : float, default=1e-3
        Learning rate :math:`\gamma`.
    betas : tuple of float, default=(0.9, 0.999)
        Decay rates :math:`(\beta_1, \beta_2)` of the moment estimates, each in [0, 1).
    eps : float, default=1e-8
        Added to the denominator *after* the square root (as in torch and the paper).
    weight_decay : float, default=0
        With Adam, an L2 penalty added to the gradient (so it is rescaled by the adaptive
        denominator); with AdamW or ``decoupled_weight_decay=True``, a decay of the weights
        by ``lr * weight_decay`` per step, separate from the gradient (Loshchilov & Hutter 2019).
    amsgrad : bool, default=False
        Use the running maximum of :math:`v_t` (Reddi et al. 2018).
    maximize : bool, default=False
        Ascend instead of descend.
    decoupled_weight_decay : bool, default=False
        Decoupled weight decay (this makes Adam equal to AdamW).
    check_finite : bool, default=False
        Raise ``FloatingPointError`` if a gradient holds NaN or Inf, before changing anything.

    Notes
    -----
    State per parameter (torch's keys): ``step`` (int), ``exp_avg``, ``exp_avg_sq`` and,
    with AMSGrad, ``max_exp_avg_sq``, all in the parameter's dtype.

    Examples
    --------
    >>> import numpy as np
    >>> import optlearn as ol
    >>> w = np.array([1.0, -2.0])
    >>> opt = ol.optim.Adam([w], lr=0.1)
    >>> opt.step([2 * w])          # the first step moves every coordinate by about lr
    >>> np.round(w, 6)
    array([ 0.9, -1.9])
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0,
                 amsgrad=False, *, maximize=False, decoupled_weight_decay=False,
                 check_finite=False):  # fmt: skip
        defaults = dict(lr=lr, betas=tuple(betas) if isinstance(betas, list) else betas,
                        eps=eps, weight_decay=weight_decay, amsgrad=amsgrad,
                        maximize=maximize, decoupled_weight_decay=decoupled_weight_decay,
                        check_finite=check_finite)  # fmt: skip
        self._check_options(defaults)
        super().__init__(params, defaults)

    def _check_options(self, group):
        check_nonneg("learning rate", "lr", group["lr"])
        check_nonneg("epsilon value", "eps", group["eps"])
        check_betas(group["betas"])
        check_nonneg("weight_decay value", "weight_decay", group["weight_decay"])
        for flag in ("amsgrad", "maximize", "decoupled_weight_decay", "check_finite"):
            check_bool(flag, group[flag])

    def _update_group(self, group, grads, first_index):
        amsgrad = group["amsgrad"]
        beta1, beta2 = group["betas"]
        lr, eps, wd = group["lr"], group["eps"], group["weight_decay"]
        decoupled, maximize = group["decoupled_weight_decay"], group["maximize"]
        keys = ("exp_avg", "exp_avg_sq", "max_exp_avg_sq")

        def init(p):
            state = {"step": 0, "exp_avg": np.zeros_like(p), "exp_avg_sq": np.zeros_like(p)}
            if amsgrad:
                state["max_exp_avg_sq"] = np.zeros_like(p)
            return state

        for k, g in enumerate(grads):
            if g is None:
                continue
            index = first_index + k
            state = self._state_for(index, self._flat[index], init)
            state["step"] += 1
            p, m, v, vmax = self._kernel_views(index, state, keys)
            _adam_kernel(p, g.reshape(-1), m, v, vmax, lr, beta1, beta2, eps, wd, decoupled,
                         state["step"], amsgrad, maximize)  # fmt: skip


class AdamW(Adam):
    r"""AdamW (Loshchilov & Hutter 2019): Adam with decoupled weight decay.

    The same update as :class:`Adam` except that weight decay shrinks the parameters
    directly, :math:`\theta \leftarrow \theta (1 - \gamma\lambda)`, instead of adding
    :math:`\lambda\theta` to the gradient, where Adam's denominator would rescale it. Note the
    different default, ``weight_decay=1e-2``, as in torch.

    Examples
    --------
    >>> import numpy as np
    >>> import optlearn as ol
    >>> w = np.array([1.0, -2.0])
    >>> opt = ol.optim.AdamW([w], lr=0.1, weight_decay=0.5)
    >>> opt.step([np.zeros(2)])    # zero gradient: only the decay acts, w *= 1 - 0.1 * 0.5
    >>> w
    array([ 0.95, -1.9 ])
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2,
                 amsgrad=False, *, maximize=False, check_finite=False):  # fmt: skip
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, maximize=maximize,
                         decoupled_weight_decay=True, check_finite=check_finite)  # fmt: skip


def _adam_kernel(p, g, m, v, vmax, lr, beta1, beta2, eps, weight_decay, decoupled, step,
                 amsgrad, maximize):  # fmt: skip
    loop = _kernels.pick(_kernels.adam_serial, _kernels.adam_parallel, p.size)
    loop(p, g, m, v, v if vmax is None else vmax, lr, beta1, beta2, eps, weight_decay,
         decoupled, float(step), amsgrad, maximize)  # fmt: skip


def adam(params, grads, exp_avgs, exp_avg_sqs, max_exp_avg_sqs, state_steps, *, amsgrad,
         beta1, beta2, lr, weight_decay, eps, maximize, decoupled_weight_decay):  # fmt: skip
    """Functional Adam/AdamW: update ``params`` and the moments in place (no input checks).

    ``state_steps[i]`` is the step number *after* this step (1 on the first step).
    """
    for i, (p, g) in enumerate(zip(params, grads, strict=True)):
        vmax = max_exp_avg_sqs[i] if amsgrad else None
        _adam_kernel(p.reshape(-1), g.reshape(-1), exp_avgs[i].reshape(-1),
                     exp_avg_sqs[i].reshape(-1), None if vmax is None else vmax.reshape(-1),
                     lr, beta1, beta2, eps, weight_decay, decoupled_weight_decay,
                     state_steps[i], amsgrad, maximize)  # fmt: skip
