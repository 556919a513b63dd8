import dynet as dy
import numpy as np
import pytest

import dynn
from dynn import activations
from dynn.layers.dense_layers import Affine
from dynn.layers.functional_layers import Lambda
from dynn.layers.residual_layers import Residual
from dynn.util import batched_input

from ._layer_checks import assert_stores_arguments, nonzero_grads, randomize, value


def numpy_affine(layer, x, activation=lambda v: v):
    W, b = layer.parameters["W"].as_array(), layer.parameters["b"].as_array()
    return activation(W @ x + b[:, None])


@pytest.mark.parametrize("layer_weight, shortcut_weight", [(1.0, 1.0), (0.5, 2.0), (-1.0, 0.0)])
def test_residual_matches_numpy(pc, rng, layer_weight, shortcut_weight):
    inner = Affine(pc, 3, 3, activation=activations.tanh)
    randomize(pc, rng)
    block = Residual(inner, layer_weight=layer_weight, shortcut_weight=shortcut_weight)
    xs = rng.uniform(-1, 1, (3, 4))
    dynn.new_graph(block)
    expected = layer_weight * numpy_affine(inner, xs, np.tanh) + shortcut_weight * xs
    np.testing.assert_allclose(value(block(batched_input(xs))), expected, rtol=1e-5, atol=1e-6)


def test_residual_with_a_projection_shortcut(pc, rng):
    inner = Affine(pc, 3, 2, activation=activations.relu)
    projection = Affine(pc, 3, 2, nobias=True)
    randomize(pc, rng)
    block = Residual(inner, shortcut_transform=projection)
    xs = rng.uniform(-1, 1, (3, 4))
    dynn.new_graph(block, update=True)
    y = block(batched_input(xs))
    W = projection.parameters["W"].as_array()
    expected = numpy_affine(inner, xs, lambda v: np.maximum(v, 0)) + W @ xs
    np.testing.assert_allclose(value(y), expected, rtol=1e-5, atol=1e-6)
    dy.sum_batches(dy.sum_elems(y)).backward()
    assert all(nonzero_grads([p for _, p in block.iter_parameters()]))
    assert [path for path, _ in block.iter_parameters()] == [
        "layer.W", "layer.b", "shortcut_transform.W",
    ]  # fmt: skip


def test_residual_dropout_follows_the_mode(pc):
    inner = Affine(pc, 20, 20, dropout=0.5, nobias=True)
    inner.parameters["W"].set_value(np.eye(20))
    block = Residual(inner)
    ones = np.ones((20, 3))
    dynn.new_graph(block, test=False)
    assert set(np.unique(value(block(batched_input(ones))))) == {1.0, 3.0}
    dynn.new_graph(block, test=True)
    np.testing.assert_array_equal(value(block(batched_input(ones))), 2.0)


def test_constructor_arguments_are_stored(pc):
    inner, shortcut = Affine(pc, 2, 2), Affine(pc, 2, 2)
    assert_stores_arguments(Residual(inner), skip=(), layer=inner)
    assert_stores_arguments(
        Residual(inner, shortcut, 0.5, 2.0),
        skip=(), layer=inner, shortcut_transform=shortcut, layer_weight=0.5, shortcut_weight=2.0,
    )  # fmt: skip


def test_bad_input_is_named(pc):
    block = Residual(Affine(pc, 3, 2))
    dynn.new_graph(block)
    with pytest.raises(
        ValueError,
        match=r"Residual 'residual': the layer's output \(shape \(2,\), batch size 1\) and the "
        r"shortcut \(shape \(3,\), batch size 1\) cannot be added; use a shortcut_transform",
    ):
        block(dy.inputVector([1.0, 2.0, 3.0]))
    weird = Residual(Lambda(lambda x: [x]))
    dynn.new_graph(weird)
    with pytest.raises(
        TypeError, match="the output of the layer must be a dy.Expression, got list"
    ):
        weird(dy.inputVector([1.0]))


def test_bad_constructor_arguments(pc):
    with pytest.raises(TypeError, match="Residual: layer must be a layer, got function"):
        Residual(lambda x: x)
    with pytest.raises(TypeError, match="Residual: shortcut_transform must be a layer or None"):
        Residual(Affine(pc, 2, 2), shortcut_transform=np.eye(2))
    with pytest.raises(ValueError, match="Residual: layer_weight must be a number, got 'a'"):
        Residual(Affine(pc, 2, 2), layer_weight="a")
