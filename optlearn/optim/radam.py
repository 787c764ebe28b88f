"""RAdam, as ``torch.optim.RAdam``."""

import numpy as np

from . import _kernels
from ._checks import check_betas, check_bool, check_nonneg
from .optimizer import Optimizer

__all__ = ["RAdam", "radam"]


class RAdam(Optimizer):
    r"""RAdam (Liu et al. 2020): Adam whose adaptive step is switched on once it is reliable.

    .. math::

        g_t &\leftarrow \nabla f(\theta_{t-1}) + \lambda \theta_{t-1} \\
        m_t &\leftarrow \beta_1 m_{t-1} + (1 - \beta_1) g_t, \qquad
        v_t \leftarrow \beta_2 v_{t-1} + (1 - \beta_2) g_t^2, \qquad
        \hat m_t \leftarrow m_t / (1 - \beta_1^t) \\
        \rho_\infty &\leftarrow \frac{2}{1 - \beta_2} - 1, \qquad
        \rho_t \leftarrow \rho_\infty - \frac{2 t \beta_2^t}{1 - \beta_2^t} \\
        \theta_t &\leftarrow \begin{cases}
            \theta_{t-1} - \gamma\, \hat m_t\, r_t\, \dfrac{\sqrt{1 - \beta_2^t}}
                {\sqrt{v_t} + \epsilon}, \quad
            r_t = \sqrt{\dfrac{(\rho_t - 4)(\rho_t - 2)\rho_\infty}
                {(\rho_\infty - 4)(\rho_\infty - 2)\rho_t}}
                & \text{if } \rho_t > 5 \\
            \theta_{t-1} - \gamma\, \hat m_t & \text{otherwise}
        \end{cases}

    Parameters
    ----------
    params : list of ndarray or list of dict
        Parameters or parameter groups (see :class:`Optimizer`).
    lr : float, default=1e-3
        Learning rate :math:`\gamma`.
    betas : tuple of float, default=(0.9, 0.999)
        Decay rates :math:`(\beta_1, \beta_2)` of the moment estimates, each in [0, 1).
    eps : float, default=1e-8
        Added to the denominator *after* the square root.
    weight_decay : float, default=0
        L2 penalty :math:`\lambda` added to the gradient or, with
        ``decoupled_weight_decay=True``, a decay of the weights by ``lr * weight_decay`` per
        step, separate from the gradient (as in AdamW).
    decoupled_weight_decay : bool, default=False
        Decoupled weight decay ("RAdamW", Loshchilov & Hutter 2019).
    maximize : bool, default=False
        Ascend instead of descend.
    check_finite : bool, default=False
        Raise ``FloatingPointError`` if a gradient holds NaN or Inf, before changing anything.

    Notes
    -----
    In the first steps :math:`v_t` averages only a few squared gradients, so Adam's adaptive
    step has a large variance (the reason warm-up schedules help Adam). Liu et al. (2020)
    approximate the average by a simple moving average of length :math:`\rho_t`, and scale
    the adaptive step by :math:`r_t`, which makes its variance that of the
    :math:`\rho_\infty`-long average; while :math:`\rho_t` is too small for the variance to
    be finite, the step is momentum SGD on :math:`\hat m_t`. With
    :math:`\beta_2 = 0.999`, the first five steps are of that kind. The paper's Algorithm 2
    switches at :math:`\rho_t > 4`; torch (and so this class) at :math:`\rho_t > 5`, and the
    authors' code at :math:`\rho_t \ge 5`. In the early phase torch takes the SGD step, as
    the authors' code does by default (its ``degenerated_to_sgd=False`` skips the step).

    State per parameter (torch's keys): ``step`` (int), ``exp_avg`` and ``exp_avg_sq``, in
    the parameter's dtype.

    References
    ----------
    .. [1] L. Liu, H. Jiang, P. He, W. Chen, X. Liu, J. Gao and J. Han, "On the variance of
       the adaptive learning rate and beyond", ICLR 2020, arXiv:1908.03265.
    .. [2] I. Loshchilov and F. Hutter, "Decoupled weight decay regularization", ICLR 2019.

    Examples
    --------
    >>> import numpy as np
    >>> import optlearn as ol
    >>> w = np.array([1.0, -2.0])
    >>> opt = ol.optim.RAdam([w], lr=0.1)
    >>> opt.step([2 * w])          # rho_1 = 1: an SGD step on m_hat = g
    >>> np.round(w, 6)
    array([ 0.8, -1.6])
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0,
                 decoupled_weight_decay=False, *, maximize=False,
                 check_finite=False):  # fmt: skip
        defaults = dict(lr=lr, betas=tuple(betas) if isinstance(betas, list) else betas,
                        eps=eps, weight_decay=weight_decay,
                        decoupled_weight_decay=decoupled_weight_decay, maximize=maximize,
                        check_finite=check_finite)  # fmt: skip
        self._check_options(defaults)
        super().__init__(params, defaults)

    def _check_options(self, group):
        check_nonneg("learning rate", "lr", group["lr"])
        check_nonneg("epsilon value", "eps", group["eps"])
        check_betas(group["betas"])
        check_nonneg("weight_decay value", "weight_decay", group["weight_decay"])
        for flag in ("decoupled_weight_decay", "maximize", "check_finite"):
            check_bool(flag, group[flag])

    def _update_group(self, group, grads, first_index):
        beta1, beta2 = group["betas"]
        lr, eps, wd = group["lr"], group["eps"], group["weight_decay"]
        decoupled, maximize = group["decoupled_weight_decay"], group["maximize"]

        def init(p):
            return {"step": 0, "exp_avg": np.zeros_like(p), "exp_avg_sq": np.zeros_like(p)}

        for k, g in enumerate(grads):
            if g is None:
                continue
            index = first_index + k
            state = self._state_for(index, self._flat[index], init)
            state["step"] += 1
            p, m, v = self._kernel_views(index, state, ("exp_avg", "exp_avg_sq"))
            _radam_kernel(p, g.reshape(-1), m, v, lr, beta1, beta2, eps, wd, decoupled,
                          state["step"], maximize)  # fmt: skip


def _radam_kernel(p, g, m, v, lr, beta1, beta2, eps, weight_decay, decoupled, step, maximize):
    loop = _kernels.pick(_kernels.radam_serial, _kernels.radam_parallel, p.size)
    loop(p, g, m, v, lr, beta1, beta2, eps, weight_decay, decoupled, float(step), maximize)


def radam(params, grads, exp_avgs, exp_avg_sqs, state_steps, *, beta1, beta2, lr, weight_decay,
          eps, decoupled_weight_decay, maximize):  # fmt: skip
    """Functional RAdam: update ``params`` and the moments in place (no input checks).

    ``state_steps[i]`` is the step number *after* this step (1 on the first step).
    """
    for i, (p, g) in enumerate(zip(params, grads, strict=True)):
        _radam_kernel(p.reshape(-1), g.reshape(-1), exp_avgs[i].reshape(-1),
                      exp_avg_sqs[i].reshape(-1), lr, beta1, beta2, eps, weight_decay,
                      decoupled_weight_decay, state_steps[i], maximize)  # fmt: skip
