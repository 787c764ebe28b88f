"""Adagrad, as ``torch.optim.Adagrad``."""

import numpy as np

from . import _kernels
from ._checks import check_bool, check_nonneg
from .optimizer import Optimizer

__all__ = ["Adagrad", "adagrad"]


class Adagrad(Optimizer):
    r"""Adagrad (Duchi, Hazan & Singer 2011): divide the step by the root of the summed squares.

    .. math::

        g_t &\leftarrow \nabla f(\theta_{t-1}) + \lambda \theta_{t-1} \\
        s_t &\leftarrow s_{t-1} + g_t^2 \qquad (s_0 = c) \\
        \theta_t &\leftarrow \theta_{t-1} - \frac{\gamma}{1 + (t - 1)\,\eta}\,
            \frac{g_t}{\sqrt{s_t} + \epsilon}

    Parameters
    ----------
    params : list of ndarray or list of dict
        Parameters or parameter groups (see :class:`Optimizer`).
    lr : float, default=1e-2
        Learning rate :math:`\gamma`.
    lr_decay : float, default=0
        Learning-rate decay :math:`\eta`: step :math:`t` uses :math:`\gamma / (1 + (t-1)\eta)`.
    weight_decay : float, default=0
        L2 penalty :math:`\lambda` added to the gradient.
    initial_accumulator_value : float, default=0
        Starting value :math:`c` of every entry of the sum of squares :math:`s`.
    eps : float, default=1e-10
        Added to the denominator *after* the square root.
    maximize : bool, default=False
        Ascend instead of descend.
    check_finite : bool, default=False
        Raise ``FloatingPointError`` if a gradient holds NaN or Inf, before changing anything.

    Notes
    -----
    Adagrad is the diagonal version of the algorithm of Duchi, Hazan & Singer (2011). Since
    :math:`s_t` only grows, the effective learning rate of every coordinate shrinks like
    :math:`1/\sqrt{t}` for a gradient of constant size: good for convex and sparse problems,
    often too fast a decay for deep networks (what RMSprop and Adadelta address).
    ``lr_decay`` is not in the paper: it comes from Lua Torch and exists only in torch.
    Defaults differ between libraries: torch starts the accumulator at 0 with
    ``eps=1e-10`` outside the root; Keras/TensorFlow start it at 0.1, with ``epsilon=1e-7``
    and ``learning_rate=1e-3``.

    State per parameter (torch's keys): ``step`` (int) and ``sum``, in the parameter's dtype.
    torch creates this state in the constructor, using the constructor's
    ``initial_accumulator_value`` for every group; here it is created at a parameter's first
    step, from its group's ``initial_accumulator_value``.

    References
    ----------
    .. [1] J. Duchi, E. Hazan and Y. Singer, "Adaptive subgradient methods for online
       learning and stochastic optimization", JMLR 12, pp. 2121-2159, 2011.

    Examples
    --------
    >>> import numpy as np
    >>> import optlearn as ol
    >>> w = np.array([1.0, -2.0])
    >>> opt = ol.optim.Adagrad([w], lr=0.1)
    >>> opt.step([2 * w])          # s = g^2: the first step is lr * sign(g)
    >>> np.round(w, 6)
    array([ 0.9, -1.9])
    """

    def __init__(self, params, lr=1e-2, lr_decay=0.0, weight_decay=0.0,
                 initial_accumulator_value=0.0, eps=1e-10, *, maximize=False,
                 check_finite=False):  # fmt: skip
        defaults = dict(lr=lr, lr_decay=lr_decay, eps=eps, weight_decay=weight_decay,
                        initial_accumulator_value=initial_accumulator_value,
                        maximize=maximize, check_finite=check_finite)  # fmt: skip
        self._check_options(defaults)
        super().__init__(params, defaults)

    def _check_options(self, group):
        check_nonneg("learning rate", "lr", group["lr"])
        check_nonneg("lr_decay value", "lr_decay", group["lr_decay"])
        check_nonneg("weight_decay value", "weight_decay", group["weight_decay"])
        check_nonneg("initial_accumulator_value value", "initial_accumulator_value",
                     group["initial_accumulator_value"])  # fmt: skip
        check_nonneg("epsilon value", "eps", group["eps"])
        for flag in ("maximize", "check_finite"):
            check_bool(flag, group[flag])

    def _update_group(self, group, grads, first_index):
        lr, lr_decay, wd, eps = group["lr"], group["lr_decay"], group["weight_decay"], group["eps"]
        maximize, initial = group["maximize"], group["initial_accumulator_value"]

        def init(p):
            return {"step": 0, "sum": np.full_like(p, initial)}

        for k, g in enumerate(grads):
            if g is None:
                continue
            index = first_index + k
            state = self._state_for(index, self._flat[index], init)
            state["step"] += 1
            p, acc = self._kernel_views(index, state, ("sum",))
            _adagrad_kernel(p, g.reshape(-1), acc, lr, lr_decay, wd, eps, state["step"],
                            maximize)  # fmt: skip


def _adagrad_kernel(p, g, acc, lr, lr_decay, weight_decay, eps, step, maximize):
    loop = _kernels.pick(_kernels.adagrad_serial, _kernels.adagrad_parallel, p.size)
    loop(p, g, acc, lr, lr_decay, weight_decay, eps, float(step), maximize)


def adagrad(params, grads, state_sums, state_steps, *, lr, weight_decay, lr_decay, eps,
            maximize):  # fmt: skip
    """Functional Adagrad: update ``params`` and the sums of squares in place (no checks).

    ``state_steps[i]`` is the step number *after* this step (1 on the first step).
    """
    for i, (p, g) in enumerate(zip(params, grads, strict=True)):
        _adagrad_kernel(p.reshape(-1), g.reshape(-1), state_sums[i].reshape(-1), lr, lr_decay,
                        weight_decay, eps, state_steps[i], maximize)  # fmt: skip
