"""Parameter initializers, as in the original dynn API.

Each function returns a DyNet initializer object, for ``ParametrizedLayer.add_parameters(...,
init=...)``. Unlike DyNet's own ``NormalInitializer(mean, var)``, :func:`NormalInit` takes a
*standard deviation*.

Example:
    >>> import dynet as dy
    >>> from dynn.parameter_initialization import NormalInit
    >>> pc = dy.ParameterCollection()
    >>> p = pc.add_parameters((200, 200), init=NormalInit(std=0.1))
    >>> round(float(p.as_array().std()), 1)
    0.1
"""

import dynet as dy

from .registry import register

__all__ = [
    "ZeroInit",
    "OneInit",
    "ConstInit",
    "UniformInit",
    "NormalInit",
    "GlorotInit",
    "IdentityInit",
    "NumpyInit",
]


def _check_positive(name, value):
    if not value > 0:
        raise ValueError(f"{name} must be positive, got {value!r}")


@register(kind="initializer")
def ZeroInit():
    """All zeros."""
    return dy.ConstInitializer(0.0)


@register(kind="initializer")
def OneInit():
    """All ones."""
    return dy.ConstInitializer(1.0)


@register(kind="initializer")
def ConstInit(value: float):
    """Every entry equal to ``value``."""
    return dy.ConstInitializer(float(value))


@register(kind="initializer")
def UniformInit(scale: float = 1.0):
    """Uniform on ``[-scale, scale]``."""
    _check_positive("UniformInit scale", scale)
    return dy.UniformInitializer(float(scale))


@register(kind="initializer")
def NormalInit(mean: float = 0.0, std: float = 1.0):
    """Gaussian with the given mean and *standard deviation* ``std``."""
    _check_positive("NormalInit std", std)
    return dy.NormalInitializer(float(mean), float(std) ** 2)


@register(kind="initializer")
def GlorotInit(gain: float = 1.0):
    """Glorot (Xavier) uniform initialisation, scaled by ``gain``."""
    return dy.GlorotInitializer(gain=float(gain))


@register(kind="initializer")
def IdentityInit():
    """Identity matrix (square matrices only)."""
    return dy.IdentityInitializer()


def NumpyInit(array):
    """Initialise from a numpy array of the parameter's shape."""
    return dy.NumpyInitializer(array)
