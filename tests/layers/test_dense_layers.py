import dynet as dy
import numpy as np
import pytest

import dynn
from dynn import activations
from dynn.layers.dense_layers import Affine, GatedLayer
from dynn.util import batched_input

from ._layer_checks import assert_stores_arguments, nonzero_grads, randomize, value


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


@pytest.mark.parametrize("nobias", [False, True])
@pytest.mark.parametrize(
    "activation, np_activation", [(activations.identity, lambda x: x), (activations.tanh, np.tanh)]
)
def test_affine_matches_numpy(pc, rng, nobias, activation, np_activation):
    layer = Affine(pc, 3, 4, activation=activation, nobias=nobias)
    randomize(pc, rng)
    W = layer.parameters["W"].as_array()
    b = 0.0 if nobias else layer.parameters["b"].as_array()[:, None]
    xs = rng.uniform(-1, 1, (3, 5))
    dynn.new_graph(layer)
    np.testing.assert_allclose(
        value(layer(batched_input(xs))), np_activation(W @ xs + b), rtol=1e-5, atol=1e-6
    )
    # A (input_dim, L) matrix is transformed column by column.
    np.testing.assert_allclose(
        layer(dy.inputTensor(xs)).npvalue(), np_activation(W @ xs + b), rtol=1e-5, atol=1e-6
    )
    assert len(layer.parameters) == (1 if nobias else 2)


def test_gated_layer_matches_numpy(pc, rng):
    layer = GatedLayer(pc, 3, 2)
    randomize(pc, rng)
    p = {name: param.as_array() for name, param in layer.parameters.items()}
    xs = rng.uniform(-1, 1, (3, 4))
    dynn.new_graph(layer)
    expected = np.tanh(p["Wo"] @ xs + p["bo"][:, None]) * sigmoid(p["Wg"] @ xs + p["bg"][:, None])
    np.testing.assert_allclose(value(layer(batched_input(xs))), expected, rtol=1e-5, atol=1e-6)


def _mask_probe_affine(pc, rate):
    """An Affine layer whose output, for an all-ones input, is its dropout mask."""
    layer = Affine(pc, 30, 30, dropout=rate)
    layer.parameters["W"].set_value(np.eye(30))
    return layer


def test_affine_dropout_only_in_training_and_per_batch_element(pc):
    layer = _mask_probe_affine(pc, 0.5)
    ones = batched_input(np.ones((30, 6)))
    dynn.new_graph(layer, test=False)
    ones = batched_input(np.ones((30, 6)))
    mask = value(layer(ones))
    assert set(np.unique(mask)) == {0.0, 2.0}
    assert len({mask[:, b].tobytes() for b in range(6)}) == 6, "one mask per batch element"
    dynn.new_graph(layer, test=True)
    ones = batched_input(np.ones((30, 6)))
    np.testing.assert_array_equal(value(layer(ones)), np.ones((30, 6)))


def test_affine_dropout_rate_is_respected(pc):
    layer = _mask_probe_affine(pc, 0.25)
    dynn.new_graph(layer, test=False)
    mask = value(layer(batched_input(np.ones((30, 200)))))
    assert abs((mask == 0).mean() - 0.25) < 0.02
    np.testing.assert_allclose(np.unique(mask), [0.0, 1 / 0.75], rtol=1e-6)


def test_gated_layer_dropout_applies_in_training_only(pc):
    layer = GatedLayer(pc, 30, 30, activation=activations.identity, dropout=0.5)
    layer.parameters["Wo"].set_value(np.eye(30))
    layer.parameters["Wg"].set_value(np.zeros((30, 30)))
    dynn.new_graph(layer, test=False)
    out = value(layer(batched_input(np.ones((30, 4)))))
    # gate = sigmoid(0) = 0.5, output = mask * 0.5
    assert set(np.unique(out)) == {0.0, 1.0}
    assert len({out[:, b].tobytes() for b in range(4)}) == 4
    dynn.new_graph(layer, test=True)
    np.testing.assert_allclose(value(layer(batched_input(np.ones((30, 4))))), 0.5)


@pytest.mark.parametrize("cls", [Affine, GatedLayer])
@pytest.mark.parametrize("update", [True, False])
def test_every_parameter_gets_a_gradient_iff_update(pc, rng, cls, update):
    layer = cls(pc, 3, 2, dropout=0.2)
    randomize(pc, rng)
    dynn.new_graph(layer, test=False, update=update)
    y = layer(batched_input(rng.uniform(-1, 1, (3, 4))))
    dy.sum_batches(dy.sum_elems(y)).backward()
    assert nonzero_grads(pc.parameters_list()) == [update] * len(pc.parameters_list())


def test_weight_sharing(pc):
    first = Affine(pc, 3, 2)
    tied = Affine(pc, 3, 2, W=first.parameters["W"], b=first.parameters["b"])
    assert tied.parameters["W"] is first.parameters["W"]
    dynn.new_graph(first, tied)
    x = dy.inputVector([1.0, 2.0, 3.0])
    np.testing.assert_array_equal(first(x).npvalue(), tied(x).npvalue())


def test_constructor_arguments_are_stored(pc):
    assert_stores_arguments(
        Affine(pc, 3, 2, activations.relu, 0.1, True),
        skip=("pc", "W", "b"),
        input_dim=3,
        output_dim=2,
        activation=activations.relu,
        dropout=0.1,
        nobias=True,
    )
    assert_stores_arguments(
        GatedLayer(pc, 3, 2, dropout=0.3),
        skip=("pc", "Wo", "bo", "Wg", "bg"),
        input_dim=3,
        output_dim=2,
        dropout=0.3,
    )


@pytest.mark.parametrize("cls, name", [(Affine, "affine"), (GatedLayer, "gated")])
def test_bad_input_is_named(pc, cls, name):
    layer = cls(pc, 3, 2)
    dynn.new_graph(layer)
    pattern = rf"{cls.__name__} '{name}': argument x must have shape \(3,\) or \(3, L\), got \(5,\)"
    with pytest.raises(ValueError, match=pattern):
        layer(dy.inputVector([1.0] * 5))
    with pytest.raises(
        TypeError,
        match=rf"{cls.__name__} '{name}': argument x must be a "
        r"dy.Expression, got list",
    ):
        layer([1.0, 2.0, 3.0])


def test_bad_constructor_arguments(pc):
    with pytest.raises(ValueError, match="Affine: output_dim must be a positive integer, got 0"):
        Affine(pc, 3, 0)
    with pytest.raises(ValueError, match=r"GatedLayer: dropout must be in \[0, 1\), got 1.0"):
        GatedLayer(pc, 3, 2, dropout=1.0)
    with pytest.raises(ValueError, match="Affine: a bias b was given but nobias=True"):
        Affine(pc, 3, 2, nobias=True, b=pc.add_parameters(2))
    with pytest.raises(ValueError, match=r"'W' must have shape \(2, 3\), got \(3, 3\)"):
        Affine(pc, 3, 2, W=pc.add_parameters((3, 3)))
    with pytest.raises(TypeError, match="Affine: activation must be callable, got str"):
        Affine(pc, 3, 2, activation="tanh")
