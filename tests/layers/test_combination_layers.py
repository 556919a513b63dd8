import dynet as dy
import numpy as np
import pytest

import dynn
from dynn import activations
from dynn.layers.combination_layers import Parallel, Sequential
from dynn.layers.dense_layers import Affine
from dynn.layers.functional_layers import IdentityLayer, Lambda
from dynn.util import batched_input

from ._layer_checks import assert_stores_arguments, nonzero_grads, randomize, value


def numpy_affine(layer, x, activation=lambda v: v):
    W, b = layer.parameters["W"].as_array(), layer.parameters["b"].as_array()
    return activation(W @ x + b[:, None])


@pytest.fixture
def mlp(pc, rng):
    first = Affine(pc, 3, 5, activation=activations.tanh, dropout=0.5)
    second = Affine(pc, 5, 2)
    randomize(pc, rng)
    return Sequential(first, second)


def test_sequential_matches_numpy(mlp, rng):
    xs = rng.uniform(-1, 1, (3, 4))
    dynn.new_graph(mlp)
    hidden = numpy_affine(mlp[0], xs, np.tanh)
    expected = numpy_affine(mlp[1], hidden)
    np.testing.assert_allclose(value(mlp(batched_input(xs))), expected, rtol=1e-5, atol=1e-6)
    outputs = mlp(batched_input(xs), return_last_only=False)
    assert len(outputs) == 2
    np.testing.assert_allclose(value(outputs[0]), hidden, rtol=1e-5, atol=1e-6)
    every = Sequential(*mlp.layers, default_return_last_only=False)
    dynn.new_graph(every)
    assert len(every(batched_input(xs))) == 2


def test_sequential_modes_reach_every_layer(mlp, rng):
    xs = rng.uniform(-1, 1, (3, 4))
    dynn.new_graph(mlp, test=True)
    reference = value(mlp(batched_input(xs)))
    dynn.new_graph(mlp, test=True)
    np.testing.assert_array_equal(value(mlp(batched_input(xs))), reference)
    dynn.new_graph(mlp, test=False, update=True)
    y = mlp(batched_input(xs))
    assert not np.allclose(value(y), reference)
    dy.sum_batches(dy.sum_elems(y)).backward()
    assert all(nonzero_grads([p for _, p in mlp.iter_parameters()]))
    assert [path for path, _ in mlp.iter_parameters()] == [
        "layers.0.W", "layers.0.b", "layers.1.W", "layers.1.b",
    ]  # fmt: skip


def test_sequential_passes_extra_arguments_to_the_first_layer():
    net = Sequential(Lambda(lambda x, y: x - y), Lambda(lambda h: h * 2.0))
    dynn.new_graph(net)
    assert net(dy.inputVector([5.0]), y=dy.inputVector([1.0])).value() == 8.0


@pytest.mark.parametrize(
    "dim, insert, expected",
    [
        (0, False, lambda a, b: np.concatenate([a, b], axis=0)),
        (-1, False, lambda a, b: np.concatenate([a, b], axis=0)),
        (1, False, lambda a, b: np.stack([a, b], axis=1)),
        (0, True, lambda a, b: np.stack([a, b], axis=0)),
        (1, True, lambda a, b: np.stack([a, b], axis=1)),
        (-1, True, lambda a, b: np.stack([a, b], axis=1)),
    ],
)
def test_parallel_matches_numpy(pc, rng, dim, insert, expected):
    f = Affine(pc, 3, 2, activation=activations.tanh)
    g = Affine(pc, 3, 2)
    randomize(pc, rng)
    layer = Parallel(f, g, dim=dim, default_insert_dim=insert)
    xs = rng.uniform(-1, 1, (3, 4))
    dynn.new_graph(layer)
    a, b = numpy_affine(f, xs, np.tanh), numpy_affine(g, xs)
    y = value(layer(batched_input(xs)))
    want = np.stack([expected(a[:, k], b[:, k]) for k in range(4)], axis=-1)
    np.testing.assert_allclose(y, want, rtol=1e-5, atol=1e-6)


def test_parallel_concatenates_matrices_along_any_axis(rng):
    x = rng.uniform(-1, 1, (2, 3))
    for dim in (0, 1, -2):
        layer = Parallel(IdentityLayer(), Lambda(lambda m: m * 2.0), dim=dim)
        dynn.new_graph(layer)
        np.testing.assert_allclose(
            layer(dy.inputTensor(x)).npvalue(), np.concatenate([x, 2 * x], axis=dim), rtol=1e-6
        )
        stacked = layer(dy.inputTensor(x), insert_dim=True).npvalue()
        np.testing.assert_allclose(stacked, np.stack([x, 2 * x], axis=dim), rtol=1e-6)


def test_constructor_arguments_are_stored(mlp):
    first, second = mlp.layers
    assert_stores_arguments(mlp, skip=(), layers=(first, second))
    assert_stores_arguments(
        Sequential(first, default_return_last_only=False),
        skip=(), layers=(first,), default_return_last_only=False,
    )  # fmt: skip
    assert_stores_arguments(
        Parallel(first, second, dim=1, default_insert_dim=True),
        skip=(), layers=(first, second), dim=1, default_insert_dim=True,
    )  # fmt: skip


def test_parallel_bad_outputs_are_named():
    layer = Parallel(IdentityLayer(), Lambda(lambda x: dy.concatenate([x, x])), dim=1)
    dynn.new_graph(layer)
    with pytest.raises(
        ValueError,
        match=r"Parallel 'parallel': outputs must have the same shape except along dim 1, "
        r"got \[\(2,\), \(4,\)\]",
    ):
        layer(dy.inputVector([1.0, 2.0]))
    with pytest.raises(ValueError, match="stacking needs outputs of the same shape"):
        layer(dy.inputVector([1.0, 2.0]), insert_dim=True)
    bad_dim = Parallel(IdentityLayer(), dim=-3)
    dynn.new_graph(bad_dim)
    with pytest.raises(
        ValueError, match=r"dim -3 is out of range for outputs of shapes \[\(2,\)\]"
    ):
        bad_dim(dy.inputVector([1.0, 2.0]))
    not_expression = Parallel(Lambda(lambda x: [x]))
    dynn.new_graph(not_expression)
    with pytest.raises(TypeError, match="the output of layer 0 must be a dy.Expression, got list"):
        not_expression(dy.inputVector([1.0]))


def test_bad_constructor_arguments(mlp):
    with pytest.raises(ValueError, match="Sequential: needs at least one layer"):
        Sequential()
    with pytest.raises(TypeError, match="Sequential: layer 1 must be a layer, got function"):
        Sequential(mlp, lambda x: x)
    with pytest.raises(TypeError, match="Parallel: layer 0 must be a layer, got int"):
        Parallel(3)
    with pytest.raises(ValueError, match="Parallel: dim must be an integer, got 0.5"):
        Parallel(mlp, dim=0.5)
