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
    "Optimizer",
    "RAdam",
    "RMSprop",
    "lr_scheduler",
]
