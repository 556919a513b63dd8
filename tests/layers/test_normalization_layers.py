import dynet as dy
import numpy as np
import pytest

import dynn
from dynn.layers.normalization_layers import BatchNorm, LayerNorm
from dynn.util import batched_input

from ._layer_checks import assert_stores_arguments, nonzero_grads, randomize, value


def numpy_layer_norm(x, gain, bias, axis):
    mean = x.mean(axis=axis, keepdims=True)
    std = np.sqrt(((x - mean) ** 2).mean(axis=axis, keepdims=True))
    return gain * (x - mean) / (std + 1e-8) + bias


def test_layer_norm_vectors_match_numpy(pc, rng):
    norm = LayerNorm(pc, 4)
    randomize(pc, rng)
    gain, bias = norm.parameters["gain"].as_array(), norm.parameters["bias"].as_array()
    xs = rng.uniform(-2, 2, (4, 3))
    for test in (True, False):
        dynn.new_graph(norm, test=test)
        expected = numpy_layer_norm(xs, gain[:, None], bias[:, None], axis=0)
        np.testing.assert_allclose(value(norm(batched_input(xs))), expected, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("d", [0, 1])
def test_layer_norm_matrices_match_numpy(pc, rng, d):
    norm = LayerNorm(pc, 4)
    randomize(pc, rng)
    gain, bias = norm.parameters["gain"].as_array(), norm.parameters["bias"].as_array()
    xs = rng.uniform(-2, 2, (5, 4, 2) if d == 0 else (4, 5, 2))
    dynn.new_graph(norm)
    y = value(norm(batched_input(xs), d=d))
    shape = (1, 4, 1) if d == 0 else (4, 1, 1)
    expected = numpy_layer_norm(xs, gain.reshape(shape), bias.reshape(shape), axis=1 - d)
    np.testing.assert_allclose(y, expected, rtol=1e-5, atol=1e-5)
    # Each slice is normalized as the vector form would.
    vector = norm(dy.inputVector(xs[0, :, 1] if d == 0 else xs[:, 0, 1])).npvalue()
    np.testing.assert_allclose(vector, y[0, :, 1] if d == 0 else y[:, 0, 1], rtol=1e-5, atol=1e-5)


def numpy_batch_norm(x, gain, bias, eps, mean=None, var=None):
    """x: (..., d, batch); statistics over every axis but the feature axis (-2)."""
    axes = tuple(i for i in range(x.ndim) if i != x.ndim - 2)
    if mean is None:
        mean, var = x.mean(axis=axes), x.var(axis=axes)
    shape = (1,) * (x.ndim - 2) + (-1, 1)
    normalized = (x - mean.reshape(shape)) / np.sqrt(var.reshape(shape) + eps)
    return gain.reshape(shape) * normalized + bias.reshape(shape)


@pytest.mark.parametrize("shape", [(3,), (4, 3), (2, 2, 3)])
def test_batch_norm_training_uses_batch_statistics(pc, rng, shape):
    norm = BatchNorm(pc, 3, eps=1e-3)
    randomize(pc, rng)
    gain, bias = norm.parameters["gain"].as_array(), norm.parameters["bias"].as_array()
    xs = rng.uniform(-2, 2, shape + (5,)) * np.array([1.0, 3.0, 0.1])[:, None]
    dynn.new_graph(norm, test=False)
    expected = numpy_batch_norm(xs, gain, bias, 1e-3)
    np.testing.assert_allclose(value(norm(batched_input(xs))), expected, rtol=1e-4, atol=1e-5)


def test_batch_norm_running_statistics_are_used_in_test_mode(pc, rng):
    momentum, eps = 0.3, 1e-5
    norm = BatchNorm(pc, 2, momentum=momentum, eps=eps)
    randomize(pc, rng)
    gain, bias = norm.parameters["gain"].as_array(), norm.parameters["bias"].as_array()
    running_mean, running_var = np.zeros(2), np.ones(2)
    norm.parameters["running_mean"].set_value(running_mean)
    norm.parameters["running_var"].set_value(running_var)
    for _ in range(3):
        xs = rng.normal(1.0, 2.0, (4, 2, 3))  # (length, features, batch)
        dynn.new_graph(norm, test=False, update=True)
        norm(batched_input(xs))
        values = xs.transpose(1, 0, 2).reshape(2, -1)
        running_mean = (1 - momentum) * running_mean + momentum * values.mean(axis=1)
        running_var = (1 - momentum) * running_var + momentum * values.var(axis=1, ddof=1)
        np.testing.assert_allclose(norm.running_statistics()[0], running_mean, rtol=1e-5)
        np.testing.assert_allclose(norm.running_statistics()[1], running_var, rtol=1e-5)
    # Test mode: running statistics, no update, and no dependence on the rest of the batch.
    xs = rng.normal(0.0, 1.0, (2, 4))
    dynn.new_graph(norm, test=True)
    y = value(norm(batched_input(xs)))
    expected = numpy_batch_norm(xs, gain, bias, eps, running_mean, running_var)
    np.testing.assert_allclose(y, expected, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(value(norm(dy.inputVector(xs[:, 2])))[:, 0], y[:, 2], rtol=1e-6)
    np.testing.assert_allclose(norm.running_statistics()[0], running_mean, rtol=1e-5)


def test_batch_norm_gradient_flows_through_batch_statistics(pc, rng):
    norm = BatchNorm(pc, 2, eps=1e-2)
    randomize(pc, rng)
    gain, bias = norm.parameters["gain"].as_array(), norm.parameters["bias"].as_array()
    xs = rng.normal(0, 1, (2, 4))
    weights = rng.normal(0, 1, (2, 4))

    def loss(values):
        return float((numpy_batch_norm(values, gain, bias, 1e-2) * weights).sum())

    numeric = np.zeros_like(xs)
    for index in np.ndindex(*xs.shape):
        step = np.zeros_like(xs)
        step[index] = 1e-6
        numeric[index] = (loss(xs + step) - loss(xs - step)) / 2e-6
    dynn.new_graph(norm, test=False, update=True)
    x = batched_input(xs)
    y = norm(x)
    dy.sum_batches(dy.dot_product(y, batched_input(weights))).backward(full=True)
    np.testing.assert_allclose(x.gradient(), numeric, rtol=1e-3, atol=1e-4)


@pytest.mark.parametrize("update", [True, False])
def test_gain_and_bias_get_gradients_iff_update_running_statistics_never(pc, rng, update):
    layer_norm, batch_norm = LayerNorm(pc, 3), BatchNorm(pc, 3)
    randomize(pc, rng)
    before = batch_norm.running_statistics()
    dynn.new_graph(layer_norm, batch_norm, test=False, update=update)
    x = batched_input(rng.uniform(-1, 1, (3, 4)))
    weights = dy.inputVector([1.0, -2.0, 3.0])
    loss = dy.dot_product(batch_norm(x), weights) + dy.dot_product(layer_norm(x), weights)
    dy.sum_batches(loss).backward()
    params = [p for path, p in layer_norm.iter_parameters()]
    params += [batch_norm.parameters["gain"], batch_norm.parameters["bias"]]
    assert nonzero_grads(params) == [update] * 4
    statistics = [batch_norm.parameters["running_mean"], batch_norm.parameters["running_var"]]
    assert nonzero_grads(statistics) == [False, False]
    assert not any(p.is_updated() for p in statistics)
    # A trainer step leaves the running statistics as the forward pass set them.
    after_forward = batch_norm.running_statistics()
    assert not np.allclose(after_forward[0], before[0])
    dy.SimpleSGDTrainer(pc, 0.5).update()
    for stat, expected in zip(batch_norm.running_statistics(), after_forward):
        np.testing.assert_array_equal(stat, expected)


def test_constructor_arguments_are_stored(pc):
    assert_stores_arguments(LayerNorm(pc, 3), skip=("pc", "gain", "bias"), input_dim=3)
    assert_stores_arguments(
        BatchNorm(pc, 3, 0.2, 1e-3),
        skip=("pc", "gain", "bias"),
        input_dim=3,
        momentum=0.2,
        eps=1e-3,
    )


def test_parameter_sharing(pc):
    first = LayerNorm(pc, 3)
    second = BatchNorm(pc, 3, gain=first.parameters["gain"], bias=first.parameters["bias"])
    assert second.parameters["gain"] is first.parameters["gain"]


def test_layer_norm_bad_input_is_named(pc):
    norm = LayerNorm(pc, 3)
    dynn.new_graph(norm)
    with pytest.raises(
        ValueError, match=r"LayerNorm 'layer-norm': argument x must have shape \(3,\) .*got \(4,\)"
    ):
        norm(dy.zeros(4))
    with pytest.raises(ValueError, match=r"with d=1, argument x must have shape \(3, L\), got"):
        norm(dy.zeros((4, 3)), d=1)
    with pytest.raises(ValueError, match="LayerNorm 'layer-norm': d must be 0, 1 or None, got 2"):
        norm(dy.zeros((4, 3)), d=2)
    with pytest.raises(TypeError, match="argument x must be a dy.Expression, got list"):
        norm([1.0, 2.0, 3.0])


def test_batch_norm_bad_input_is_named(pc):
    norm = BatchNorm(pc, 3)
    dynn.new_graph(norm, test=False)
    with pytest.raises(
        ValueError,
        match=r"BatchNorm 'batch-norm': argument x must have shape \(3,\) or \(\.\.\., 3\), "
        r"got \(3, 2\)",
    ):
        norm(dy.zeros((3, 2), batch_size=4))
    with pytest.raises(
        ValueError, match="in training mode, each feature needs at least 2 values to normalize"
    ):
        norm(dy.inputVector([1.0, 2.0, 3.0]))
    dynn.new_graph(norm, test=True)
    assert norm(dy.inputVector([1.0, 2.0, 3.0])).dim() == ((3,), 1)


def test_bad_constructor_arguments(pc):
    with pytest.raises(ValueError, match="LayerNorm: input_dim must be a positive integer"):
        LayerNorm(pc, 0)
    with pytest.raises(ValueError, match=r"BatchNorm: momentum must be in \[0, 1\], got 1.5"):
        BatchNorm(pc, 3, momentum=1.5)
    with pytest.raises(ValueError, match="BatchNorm: eps must be positive, got 0"):
        BatchNorm(pc, 3, eps=0)
    with pytest.raises(ValueError, match=r"'gain' must have shape \(3,\), got \(2,\)"):
        LayerNorm(pc, 3, gain=pc.add_parameters(2))
