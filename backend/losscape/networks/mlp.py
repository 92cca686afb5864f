"""Small fully connected networks over one flat parameter vector, in numba: the public names.

The pieces live by concept: ``activations`` (phi, phi' and the loss ids),
``architecture`` (the layout table, ``Architecture``, initialisation) and
``passes`` (forward, loss and backward over chunks of points). This module
gathers them under one name, ``mlp``, which the rest of the package imports.
"""

from __future__ import annotations

from .activations import (
    ACT_IDENTITY,
    ACT_LOGISTIC,
    ACT_RELU,
    ACT_TANH,
    ACTIVATIONS,
    LOSS_BCE,
    LOSS_LOGISTIC_SQUARED,
    LOSS_SOFTMAX,
    LOSS_SQUARED,
    LOSSES,
    TANH_CLIP,
    activate,
    activation_slope,
    sigmoid,
    tanh,
)
from .architecture import (
    CHUNK,
    INIT_SCALE_DEFAULTS,
    INITS,
    L_A,
    L_ACT,
    L_B,
    L_G,
    L_IN,
    L_OUT,
    L_W,
    MAX_HIDDEN_LAYERS,
    MAX_WIDTH,
    Architecture,
    initial_theta,
    norm_stats,
    scratch,
)
from .passes import (
    backward_chunk,
    forward_chunk,
    loss_chunk,
    loss_grad,
    loss_only,
    outputs,
    population_stats,
)
from .rows import dot, total

__all__ = [
    "ACTIVATIONS", "ACT_IDENTITY", "ACT_LOGISTIC", "ACT_RELU", "ACT_TANH", "CHUNK",
    "INITS", "INIT_SCALE_DEFAULTS", "LOSSES", "LOSS_BCE", "LOSS_LOGISTIC_SQUARED",
    "LOSS_SOFTMAX", "LOSS_SQUARED", "L_A", "L_ACT", "L_B", "L_G", "L_IN", "L_OUT", "L_W",
    "MAX_HIDDEN_LAYERS", "MAX_WIDTH", "TANH_CLIP", "Architecture", "activate",
    "activation_slope", "backward_chunk", "dot", "forward_chunk", "initial_theta",
    "loss_chunk", "loss_grad", "loss_only", "norm_stats", "outputs", "population_stats",
    "scratch", "sigmoid", "tanh", "total",
]  # fmt: skip
