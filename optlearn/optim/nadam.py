"""NAdam, as ``torch.optim.NAdam``."""

import numpy as np

from . import _kernels
from ._checks import check_betas, check_bool, check_nonneg
from .optimizer import Optimizer

__all__ = ["NAdam", "nadam"]


class NAdam(Optimizer):
    r"""NAdam (Dozat 2016): Adam with Nesterov momentum and a warming-up momentum schedule.

    .. math::

        g_t &\leftarrow \nabla f(\theta_{t-1}) + \lambda \theta_{t-1} \\
        \mu_t &\leftarrow \beta_1 \bigl(1 - \tfrac12\, 0.96^{t\psi}\bigr), \qquad
        \Pi_t \leftarrow \Pi_{t-1}\,\mu_t \quad (\Pi_0 = 1) \\
        m_t &\leftarrow \beta_1 m_{t-1} + (1 - \beta_1) g_t, \qquad
        v_t \leftarrow \beta_2 v_{t-1} + (1 - \beta_2) g_t^2 \\
        d_t &\leftarrow \sqrt{v_t / (1 - \beta_2^t)} + \epsilon \\
        \theta_t &\leftarrow \theta_{t-1}
            - \gamma\,\frac{1 - \mu_t}{1 - \Pi_t}\,\frac{g_t}{d_t}
            - \gamma\,\frac{\mu_{t+1}}{1 - \Pi_t \mu_{t+1}}\,\frac{m_t}{d_t}

    Parameters
    ----------
    params : list of ndarray or list of dict
        Parameters or parameter groups (see :class:`Optimizer`).
    lr : float, default=2e-3
        Learning rate :math:`\gamma`.
    betas : tuple of float, default=(0.9, 0.999)
        :math:`(\beta_1, \beta_2)`, each in [0, 1): :math:`\beta_1` is the limit of the
        momentum schedule :math:`\mu_t` and the decay rate of :math:`m`, :math:`\beta_2`
        the decay rate of :math:`v`.
    eps : float, default=1e-8
        Added to the denominator *after* the square root.
    weight_decay : float, default=0
        L2 penalty :math:`\lambda` added to the gradient or, with
        ``decoupled_weight_decay=True``, a decay of the weights by ``lr * weight_decay`` per
        step, separate from the gradient (as in AdamW).
    momentum_decay : float, default=4e-3
        :math:`\psi`, how fast :math:`\mu_t` rises from :math:`\beta_1/2` to :math:`\beta_1`
        (the paper's 0.004).
    decoupled_weight_decay : bool, default=False
        Decoupled weight decay ("NAdamW", Loshchilov & Hutter 2019).
    maximize : bool, default=False
        Ascend instead of descend.
    check_finite : bool, default=False
        Raise ``FloatingPointError`` if a gradient holds NaN or Inf, before changing anything.

    Notes
    -----
    Dozat (2016) replaces Adam's momentum step by a Nesterov look-ahead: the current
    gradient enters the step with weight :math:`1 - \mu_t` and the momentum with the *next*
    coefficient :math:`\mu_{t+1}`, each divided by its own bias correction (products of the
    :math:`\mu`). The schedule :math:`\mu_t` is from the paper (after Sutskever et al. 2013)
    and is also what Keras uses; simplified "NAdam" variants elsewhere (e.g. Optax) keep
    :math:`\mu_t = \beta_1` constant.

    State per parameter (torch's keys): ``step`` (int), ``mu_product`` (:math:`\Pi_t`, a
    float), ``exp_avg`` and ``exp_avg_sq`` (in the parameter's dtype). torch keeps
    ``mu_product`` in a float32 tensor whatever the parameters' dtype (unless its default
    dtype is float64); so that results equal torch's, ``mu_product`` is rounded to float32
    after each update here too, a relative change of at most :math:`6\times 10^{-8}`.

    References
    ----------
    .. [1] T. Dozat, "Incorporating Nesterov momentum into Adam", ICLR 2016 workshop.
    .. [2] I. Loshchilov and F. Hutter, "Decoupled weight decay regularization", ICLR 2019.

    Examples
    --------
    >>> import numpy as np
    >>> import optlearn as ol
    >>> w = np.array([1.0, -2.0])
    >>> opt = ol.optim.NAdam([w], lr=0.1)
    >>> opt.step([2 * w])          # gradient term lr * sign(g), plus the look-ahead term
    >>> np.round(w, 4)
    array([ 0.8944, -1.8944])
    >>> round(opt.state[w]["mu_product"], 4)   # mu_1, close to beta1 / 2
    0.4501
    """

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0,
                 momentum_decay=4e-3, decoupled_weight_decay=False, *, maximize=False,
                 check_finite=False):  # fmt: skip
        defaults = dict(lr=lr, betas=tuple(betas) if isinstance(betas, list) else betas,
                        eps=eps, weight_decay=weight_decay, momentum_decay=momentum_decay,
                        decoupled_weight_decay=decoupled_weight_decay, maximize=maximize,
                        check_finite=check_finite)  # fmt: skip
        self._check_options(defaults)
        super().__init__(params, defaults)

    def _check_options(self, group):
        check_nonneg("learning rate", "lr", group["lr"])
        check_nonneg("epsilon value", "eps", group["eps"])
        check_betas(group["betas"])
        check_nonneg("weight_decay value", "weight_decay", group["weight_decay"])
        check_nonneg("momentum_decay value", "momentum_decay", group["momentum_decay"])
        for flag in ("decoupled_weight_decay", "maximize", "check_finite"):
            check_bool(flag, group[flag])

    def _update_group(self, group, grads, first_index):
        beta1, beta2 = group["betas"]
        lr, eps, wd = group["lr"], group["eps"], group["weight_decay"]
        psi, decoupled = group["momentum_decay"], group["decoupled_weight_decay"]
        maximize = group["maximize"]

        def init(p):
            return {"step": 0, "mu_product": 1.0, "exp_avg": np.zeros_like(p),
                    "exp_avg_sq": np.zeros_like(p)}  # fmt: skip

        for k, g in enumerate(grads):
            if g is None:
                continue
            index = first_index + k
            state = self._state_for(index, self._flat[index], init)
            state["step"] += 1
            p, m, v = self._kernel_views(index, state, ("exp_avg", "exp_avg_sq"))
            state["mu_product"] = _nadam_kernel(p, g.reshape(-1), m, v, state["mu_product"], lr,
                                                beta1, beta2, eps, wd, psi, decoupled,
                                                state["step"], maximize)  # fmt: skip


def _nadam_kernel(p, g, m, v, mu_product, lr, beta1, beta2, eps, weight_decay, momentum_decay,
                  decoupled, step, maximize):  # fmt: skip
    """One NAdam step on flat arrays; returns the new ``mu_product``."""
    # The momentum coefficients of steps t and t + 1, computed as torch computes them.
    mu = beta1 * (1.0 - 0.5 * (0.96 ** (step * momentum_decay)))
    mu_next = beta1 * (1.0 - 0.5 * (0.96 ** ((step + 1) * momentum_decay)))
    # torch multiplies a float32 tensor by mu: round both factors and the product to float32.
    mu_product = float(np.float32(mu_product) * np.float32(mu))
    loop = _kernels.pick(_kernels.nadam_serial, _kernels.nadam_parallel, p.size)
    loop(p, g, m, v, lr, beta1, beta2, eps, weight_decay, decoupled, float(step), mu, mu_next,
         mu_product, maximize)  # fmt: skip
    return mu_product


def nadam(params, grads, exp_avgs, exp_avg_sqs, mu_products, state_steps, *, beta1, beta2, lr,
          weight_decay, momentum_decay, eps, decoupled_weight_decay, maximize):  # fmt: skip
    """Functional NAdam: update ``params`` and the moments in place (no input checks).

    ``state_steps[i]`` is the step number *after* this step (1 on the first step);
    ``mu_products[i]`` is the product of the momentum coefficients before this step (1.0
    before the first) and is replaced by the product after it.
    """
    for i, (p, g) in enumerate(zip(params, grads, strict=True)):
        mu_products[i] = _nadam_kernel(p.reshape(-1), g.reshape(-1), exp_avgs[i].reshape(-1),
                                       exp_avg_sqs[i].reshape(-1), mu_products[i], lr, beta1,
                                       beta2, eps, weight_decay, momentum_decay,
                                       decoupled_weight_decay, state_steps[i],
                                       maximize)  # fmt: skip
