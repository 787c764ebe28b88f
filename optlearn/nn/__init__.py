"""A small multi-layer perceptron with readable backpropagation, for the book's experiments.

``MLP`` (fully connected layers, activations, batch/layer/weight normalisation, dropout),
``init`` (torch's initialisers) and the losses and penalties with their gradients. Every
element-wise part runs as a fused Numba kernel next to a NumPy reference
(``optlearn.nn.reference``) that the tests compare it with.
"""

from . import init
from .losses import LOSSES, binary_cross_entropy_with_logits, cross_entropy, l1, l2, mse
from .mlp import MLP

__all__ = ["LOSSES", "MLP", "binary_cross_entropy_with_logits", "cross_entropy", "init", "l1",
           "l2", "mse"]  # fmt: skip
