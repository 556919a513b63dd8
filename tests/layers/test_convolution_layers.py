import dynet as dy
import numpy as np
import pytest

import dynn
from dynn import activations
from dynn.layers.convolution_layers import Conv1D, Conv2D
from dynn.util import batched_input

from ._layer_checks import assert_stores_arguments, nonzero_grads, randomize, value


def same_padding(size, kernel, stride):
    out = -(-size // stride)
    total = max((out - 1) * stride + kernel - size, 0)
    return out, total // 2


def numpy_conv1d(x, K, b, stride, zero_padded):
    """x: (L, d); K: (w, 1, d, k); b: (k,) -> (L', k), by explicit sums."""
    length, dim = x.shape
    width, _, _, kernels = K.shape
    if zero_padded:
        out_length, left = same_padding(length, width, stride)
    else:
        out_length, left = (length - width) // stride + 1, 0
    y = np.zeros((out_length, kernels))
    for t in range(out_length):
        for k in range(kernels):
            total = b[k]
            for j in range(width):
                position = t * stride + j - left
                if 0 <= position < length:
                    total += sum(K[j, 0, c, k] * x[position, c] for c in range(dim))
            y[t, k] = total
    return y


def numpy_conv2d(x, K, b, strides, zero_padded):
    """x: (H, W, C); K: (h, w, C, k) -> (H', W', k), cross-correlation on a padded array."""
    (H, W, C), (h, w) = x.shape, K.shape[:2]
    if zero_padded:
        (oh, top), (ow, left) = same_padding(H, h, strides[0]), same_padding(W, w, strides[1])
        padded = np.zeros((H + h + strides[0] * oh, W + w + strides[1] * ow, C))
        padded[top : top + H, left : left + W] = x
    else:
        oh, ow = (H - h) // strides[0] + 1, (W - w) // strides[1] + 1
        padded = x
    y = np.zeros((oh, ow, K.shape[3]))
    for i in range(oh):
        for j in range(ow):
            patch = padded[i * strides[0] : i * strides[0] + h, j * strides[1] : j * strides[1] + w]
            y[i, j] = np.tensordot(patch, K, axes=3) + b
    return y


@pytest.mark.parametrize("zero_padded", [True, False])
@pytest.mark.parametrize("stride", [1, 2, 3])
@pytest.mark.parametrize("width", [1, 2, 3])
def test_conv1d_matches_numpy(pc, rng, zero_padded, stride, width):
    conv = Conv1D(
        pc, 3, 4, width, activation=activations.tanh, zero_padded=zero_padded, stride=stride
    )
    randomize(pc, rng)
    K, b = conv.parameters["K"].as_array(), conv.parameters["b"].as_array()
    xs = rng.uniform(-1, 1, (7, 3, 2))
    dynn.new_graph(conv)
    y = value(conv(batched_input(xs)))
    for batch in range(2):
        expected = np.tanh(numpy_conv1d(xs[:, :, batch], K, b, stride, zero_padded))
        np.testing.assert_allclose(y[:, :, batch], expected, rtol=1e-5, atol=1e-6)


def test_conv1d_call_overrides_and_list_input(pc, rng):
    conv = Conv1D(pc, 2, 1, 3, nobias=True)
    randomize(pc, rng)
    K = conv.parameters["K"].as_array()
    x = rng.uniform(-1, 1, (5, 2))
    dynn.new_graph(conv)
    as_list = [dy.inputVector(row) for row in x]
    for stride, zero_padded in [(1, True), (2, False), (2, True)]:
        expected = numpy_conv1d(x, K, np.zeros(1), stride, zero_padded)
        for inputs in (dy.inputTensor(x), as_list):
            y = conv(inputs, stride=stride, zero_padded=zero_padded)
            assert y.dim() == (expected.shape, 1)
            np.testing.assert_allclose(
                y.npvalue().reshape(expected.shape), expected, rtol=1e-5, atol=1e-6
            )


@pytest.mark.parametrize("zero_padded", [True, False])
@pytest.mark.parametrize("strides", [(1, 1), (2, 1), (2, 3)])
def test_conv2d_matches_numpy(pc, rng, zero_padded, strides):
    conv = Conv2D(
        pc, 2, 3, (3, 2), activation=activations.relu, zero_padded=zero_padded, strides=strides
    )
    randomize(pc, rng)
    K, b = conv.parameters["K"].as_array(), conv.parameters["b"].as_array()
    xs = rng.uniform(-1, 1, (6, 5, 2, 2))
    dynn.new_graph(conv)
    y = value(conv(batched_input(xs)))
    for batch in range(2):
        expected = np.maximum(numpy_conv2d(xs[..., batch], K, b, strides, zero_padded), 0)
        np.testing.assert_allclose(y[..., batch], expected, rtol=1e-5, atol=1e-6)


def test_conv2d_single_channel_matrix_and_single_kernel(pc, rng):
    conv = Conv2D(pc, 1, 1, 2, nobias=True)
    randomize(pc, rng)
    K = conv.parameters["K"].as_array()
    x = rng.uniform(-1, 1, (4, 3))
    dynn.new_graph(conv)
    y = conv(dy.inputTensor(x), strides=2, zero_padded=False)
    assert y.dim() == ((2, 1, 1), 1)
    expected = numpy_conv2d(x[:, :, None], K, np.zeros(1), (2, 2), False)
    np.testing.assert_allclose(y.npvalue().reshape(expected.shape), expected, rtol=1e-5)


def _identity_conv1d(pc, rate):
    conv = Conv1D(pc, 20, 20, 1, dropout_rate=rate, nobias=True)
    conv.parameters["K"].set_value(np.eye(20).reshape(1, 1, 20, 20))
    return conv


def test_conv1d_dropout_only_in_training_and_per_batch_element(pc):
    conv = _identity_conv1d(pc, 0.5)
    dynn.new_graph(conv, test=False)
    masks = value(conv(batched_input(np.ones((6, 20, 4)))))
    assert set(np.unique(masks)) == {0.0, 2.0}
    assert len({masks[..., b].tobytes() for b in range(4)}) == 4
    dynn.new_graph(conv, test=True)
    np.testing.assert_array_equal(value(conv(batched_input(np.ones((6, 20, 4))))), 1.0)


def test_conv2d_dropout_only_in_training_and_per_batch_element(pc):
    conv = Conv2D(pc, 10, 10, 1, dropout_rate=0.5, nobias=True)
    conv.parameters["K"].set_value(np.eye(10).reshape(1, 1, 10, 10))
    dynn.new_graph(conv, test=False)
    masks = value(conv(batched_input(np.ones((3, 3, 10, 4)))))
    assert set(np.unique(masks)) == {0.0, 2.0}
    assert len({masks[..., b].tobytes() for b in range(4)}) == 4
    dynn.new_graph(conv, test=True)
    np.testing.assert_array_equal(value(conv(batched_input(np.ones((3, 3, 10, 4))))), 1.0)


@pytest.mark.parametrize("update", [True, False])
def test_every_parameter_gets_a_gradient_iff_update(pc, rng, update):
    conv1d = Conv1D(pc, 3, 2, 2, dropout_rate=0.1)
    conv2d = Conv2D(pc, 2, 2, 2, dropout_rate=0.1)
    randomize(pc, rng)
    dynn.new_graph(conv1d, conv2d, test=False, update=update)
    y1 = conv1d(batched_input(rng.uniform(-1, 1, (5, 3, 2))))
    y2 = conv2d(batched_input(rng.uniform(-1, 1, (4, 4, 2, 2))))
    dy.sum_batches(dy.sum_elems(y1) + dy.sum_elems(y2)).backward()
    assert nonzero_grads(pc.parameters_list()) == [update] * 4


def test_constructor_arguments_are_stored(pc):
    assert_stores_arguments(
        Conv1D(pc, 3, 4, 2, activations.relu, 0.1, True, False, 2),
        skip=("pc", "K", "b"),
        input_dim=3, num_kernels=4, kernel_width=2, activation=activations.relu,
        dropout_rate=0.1, nobias=True, zero_padded=False, stride=2,
    )  # fmt: skip
    conv = Conv2D(pc, 3, 4, (2, 3), strides=(1, 2), zero_padded=False)
    assert_stores_arguments(
        conv, skip=("pc", "K", "b"), num_channels=3, num_kernels=4, kernel_size=(2, 3),
        strides=(1, 2), zero_padded=False,
    )  # fmt: skip
    assert Conv2D(pc, 1, 1, 3, strides=2).kernel_size == (3, 3)


def test_conv1d_bad_input_is_named(pc):
    conv = Conv1D(pc, 3, 2, 3)
    dynn.new_graph(conv)
    with pytest.raises(
        ValueError,
        match=r"Conv1D 'conv1d': argument x must have shape "
        r"\(length, 3\), got \(5, 4\)",
    ):
        conv(dy.zeros((5, 4)))
    with pytest.raises(
        ValueError,
        match=r"Conv1D 'conv1d': argument x must be a \(length, dim\) "
        r"matrix or a list of vectors, got shape \(3,\)",
    ):
        conv(dy.zeros(3))
    with pytest.raises(
        TypeError, match="argument x must be a dy.Expression or a list of them, item 1 is float"
    ):
        conv([dy.zeros(3), 1.0])
    with pytest.raises(ValueError, match=r"the input \(length 2\) is shorter than kernel_width 3"):
        conv(dy.zeros((2, 3)), zero_padded=False)
    with pytest.raises(ValueError, match="Conv1D 'conv1d': stride must be a positive integer"):
        conv(dy.zeros((5, 3)), stride=0)


def test_conv2d_bad_input_is_named(pc):
    conv = Conv2D(pc, 3, 2, (3, 3))
    dynn.new_graph(conv)
    with pytest.raises(
        ValueError,
        match=r"Conv2D 'conv2d': argument x must have shape "
        r"\(height, width, 3\), got \(5, 5, 2\)",
    ):
        conv(dy.zeros((5, 5, 2)))
    with pytest.raises(ValueError, match=r"got \(5, 5\)"):
        conv(dy.zeros((5, 5)))
    with pytest.raises(TypeError, match="Conv2D 'conv2d': argument x must be a dy.Expression"):
        conv(np.zeros((5, 5, 3)))
    with pytest.raises(ValueError, match=r"the input \(2x5\) is smaller than kernel_size \(3, 3\)"):
        conv(dy.zeros((2, 5, 3)), zero_padded=False)


def test_bad_constructor_arguments(pc):
    with pytest.raises(ValueError, match="Conv1D: kernel_width must be a positive integer"):
        Conv1D(pc, 3, 2, 0)
    with pytest.raises(ValueError, match=r"Conv1D: dropout_rate must be in \[0, 1\)"):
        Conv1D(pc, 3, 2, 2, dropout_rate=-0.1)
    with pytest.raises(ValueError, match="Conv2D: kernel_size must be a pair of positive integers"):
        Conv2D(pc, 3, 2, (3, 0))
    with pytest.raises(ValueError, match="Conv2D: strides must be a pair of positive integers"):
        Conv2D(pc, 3, 2, 3, strides=(1, 1, 1))
    with pytest.raises(ValueError, match=r"'K' must have shape \(3, 3, 3, 2\)"):
        Conv2D(pc, 3, 2, 3, K=pc.add_parameters((3, 3, 2, 2)))
    with pytest.raises(ValueError, match="Conv2D: a bias b was given but nobias=True"):
        Conv2D(pc, 3, 2, 3, nobias=True, b=pc.add_parameters(2))
