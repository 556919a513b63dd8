"""Helpers shared by the tests of the dense, embedding, convolution, ... layer modules."""

import inspect

import numpy as np


def randomize(pc, rng, scale=0.5):
    """Uniform random values in every parameter of ``pc``."""
    for param in pc.parameters_list():
        param.set_value(rng.uniform(-scale, scale, param.shape()))
    for param in pc.lookup_parameters_list():
        param.init_from_array(rng.uniform(-scale, scale, param.shape()))


def assert_stores_arguments(layer, /, skip=("pc",), **given):
    """Every constructor argument is annotated and stored as an attribute of the same name.

    ``given`` holds the values the layer was built with (defaults are assumed for the others).
    """
    signature = inspect.signature(type(layer).__init__)
    for name, parameter in signature.parameters.items():
        if name == "self" or name in skip:
            continue
        assert parameter.annotation is not inspect.Parameter.empty, f"{name} is not annotated"
        if parameter.kind is parameter.VAR_POSITIONAL:
            expected = tuple(given.get(name, ()))
        else:
            expected = given.get(name, parameter.default)
        assert hasattr(layer, name), f"{type(layer).__name__} does not store {name}"
        actual = getattr(layer, name)
        if isinstance(expected, np.ndarray):
            np.testing.assert_array_equal(actual, expected)
        elif isinstance(expected, tuple) and isinstance(actual, list):
            assert tuple(actual) == expected, f"{name}: {actual!r} != {expected!r}"
        else:
            assert actual == expected, f"{name}: {actual!r} != {expected!r}"


def value(expression):
    """The value of an expression as an array of shape ``shape + (batch_size,)``."""
    shape, batch_size = expression.dim()
    return np.asarray(expression.npvalue()).reshape(shape + (batch_size,))


def nonzero_grads(params):
    """Whether each parameter received a non-zero gradient."""
    return [bool(np.any(p.grad_as_array() != 0)) for p in params]
