"""Activation functions: thin, named wrappers over DyNet's element-wise operations.

Each is a plain function ``Expression -> Expression``, registered under its name so that configs
can refer to it (``activation: tanh``).

Example:
    >>> import dynet as dy
    >>> from dynn import activations
    >>> _ = dy.renew_cg()
    >>> activations.relu(dy.inputVector([-1.0, 2.0])).npvalue().tolist()
    [0.0, 2.0]
"""

import dynet as dy

from .registry import register

__all__ = ["identity", "tanh", "sigmoid", "relu", "elu", "selu", "softplus", "leaky_relu"]


@register(kind="activation")
def identity(x):
    """:math:`f(x) = x`."""
    return x


@register(kind="activation")
def tanh(x):
    r""":math:`f(x) = \tanh(x)`."""
    return dy.tanh(x)


@register(kind="activation")
def sigmoid(x):
    r""":math:`f(x) = 1 / (1 + e^{-x})`."""
    return dy.logistic(x)


@register(kind="activation")
def relu(x):
    r""":math:`f(x) = \max(0, x)`."""
    return dy.rectify(x)


@register(kind="activation")
def elu(x, alpha=1.0):
    r""":math:`f(x) = x` if :math:`x > 0` else :math:`\alpha (e^x - 1)`."""
    return dy.elu(x, alpha)


@register(kind="activation")
def selu(x):
    """Scaled exponential linear unit (Klambauer et al., 2017)."""
    return dy.selu(x)


@register(kind="activation")
def softplus(x):
    r""":math:`f(x) = \log(1 + e^x)`."""
    return dy.softplus(x)


@register(kind="activation")
def leaky_relu(x, alpha=0.01):
    r""":math:`f(x) = \max(x, \alpha x)` for :math:`0 \le \alpha < 1`."""
    return dy.bmax(x, x * alpha)
