"""Optimizers, learning-rate schedules and gradient clipping, following ``torch.optim``.

Same class names, argument names, defaults, update rules and ``state_dict`` layout as
PyTorch, for NumPy arrays; ``step(grads)`` takes the gradients explicitly. The update rules
run as fused Numba kernels (``_kernels.py``) that equal the readable NumPy references in
``optlearn.optim.reference``.
"""

from . import lr_scheduler
from .adadelta import Adadelta
from .adagrad import Adagrad
from .adam import Adam, AdamW
from .adamax import Adamax
from .clip import (
    NonFiniteNormError,
    clip_grad_norm_,
    clip_grad_value_,
    clip_grads_with_norm_,
    get_total_norm,
)
from .nadam import NAdam
from .optimizer import Optimizer
from .radam import RAdam
from .rmsprop import RMSprop
from .sgd import SGD

__all__ = [
    "SGD",
    "Adadelta",
    "Adagrad",
    "Adam",
    "AdamW",
    "Adamax",
    "NAdam",
    "NonFiniteNormError",
    "Optimizer",
    "RAdam",
    "RMSprop",
    "clip_grad_norm_",
    "clip_grad_value_",
    "clip_grads_with_norm_",
    "get_total_norm",
    "lr_scheduler",
]
