import dynet as dy
import numpy as np
import pytest

import dynn
from dynn.layers.pooling_layers import MaxPool1D, MaxPool2D, MeanPool1D
from dynn.util import batched_input

from ._layer_checks import assert_stores_arguments, value


def windows(length, kernel_size, stride):
    return [
        (t * stride, t * stride + kernel_size) for t in range((length - kernel_size) // stride + 1)
    ]


def numpy_pool1d(x, reduce, kernel_size, stride, length=None):
    """x: (L, d) -> (d,) without kernel_size, else (L', d); positions >= length ignored."""
    length = x.shape[0] if length is None else length
    if kernel_size is None:
        return reduce(x[:length], axis=0)
    rows = []
    for start, end in windows(x.shape[0], kernel_size, stride):
        real = x[start : min(end, length)]
        rows.append(reduce(real, axis=0) if len(real) else np.zeros(x.shape[1]))
    return np.array(rows)


SETTINGS = [(None, 1), (1, 1), (2, 1), (3, 2), (2, 3), (7, 1)]


@pytest.mark.parametrize("cls, reduce", [(MaxPool1D, np.max), (MeanPool1D, np.mean)])
@pytest.mark.parametrize("kernel_size, stride", SETTINGS)
def test_pool1d_matches_numpy(cls, reduce, kernel_size, stride, rng):
    pool = cls(kernel_size, stride)
    xs = rng.uniform(-1, 1, (7, 3, 2))
    dynn.new_graph(pool)
    y = value(pool(batched_input(xs)))
    for b in range(2):
        expected = numpy_pool1d(xs[:, :, b], reduce, kernel_size, stride)
        np.testing.assert_allclose(y[..., b], expected, rtol=1e-5, atol=1e-6)
    # Call-time overrides and list inputs
    pool = cls()
    dynn.new_graph(pool)
    x = rng.uniform(-1, 1, (7, 3))
    y = pool([dy.inputVector(row) for row in x], kernel_size=kernel_size, stride=stride)
    expected = numpy_pool1d(x, reduce, kernel_size, stride)
    np.testing.assert_allclose(y.npvalue().reshape(expected.shape), expected, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("cls, reduce", [(MaxPool1D, np.max), (MeanPool1D, np.mean)])
@pytest.mark.parametrize("kernel_size, stride", SETTINGS)
def test_pool1d_with_lengths_ignores_padding(cls, reduce, kernel_size, stride, rng):
    lengths = [7, 2, 4]
    xs = rng.uniform(-1, 1, (7, 3, 3))
    for b, length in enumerate(lengths):
        xs[length:, :, b] = 100.0  # padding that would win a max and shift a mean
    pool = cls(kernel_size, stride)
    dynn.new_graph(pool)
    y = value(pool(batched_input(xs), lengths=lengths))
    for b, length in enumerate(lengths):
        expected = numpy_pool1d(xs[:, :, b], reduce, kernel_size, stride, length)
        np.testing.assert_allclose(y[..., b], expected, rtol=1e-5, atol=1e-6)


def test_mean_pool_gradient_is_one_over_length_on_real_positions(rng):
    pool = MeanPool1D()
    dynn.new_graph(pool)
    x = batched_input(rng.uniform(-1, 1, (4, 2, 2)))
    dy.sum_batches(dy.sum_elems(pool(x, lengths=[4, 1]))).backward(full=True)
    grad = x.gradient()
    np.testing.assert_allclose(grad[:, :, 0], 0.25)
    np.testing.assert_allclose(grad[:, :, 1], [[1.0, 1.0], [0, 0], [0, 0], [0, 0]])


def test_max_pool_gradient_goes_to_the_maximum():
    pool = MaxPool1D(kernel_size=2, stride=2)
    dynn.new_graph(pool)
    x = dy.inputTensor([[1.0], [3.0], [5.0], [4.0]])
    dy.sum_elems(pool(x)).backward(full=True)
    np.testing.assert_array_equal(x.gradient().ravel(), [0.0, 1.0, 1.0, 0.0])


def numpy_maxpool2d(x, ksize, strides):
    H, W = x.shape[:2]
    return np.array(
        [
            [
                x[i : i + ksize[0], j : j + ksize[1]].max(axis=(0, 1))
                for j in range(0, W - ksize[1] + 1, strides[1])
            ]
            for i in range(0, H - ksize[0] + 1, strides[0])
        ]
    )


@pytest.mark.parametrize(
    "kernel_size, strides, ksize, effective_strides",
    [
        (None, None, (6, 5), (1, 1)),
        (2, None, (2, 2), (1, 1)),
        ((3, 2), (2, 1), (3, 2), (2, 1)),
        ((None, 2), 2, (6, 2), (2, 2)),
        ((2, None), (1, 3), (2, 5), (1, 3)),
    ],
)
def test_maxpool2d_matches_numpy(kernel_size, strides, ksize, effective_strides, rng):
    pool = MaxPool2D(kernel_size, strides)
    xs = rng.uniform(-1, 1, (6, 5, 2, 3))
    dynn.new_graph(pool)
    y = value(pool(batched_input(xs)))
    for b in range(3):
        expected = numpy_maxpool2d(xs[..., b], ksize, effective_strides)
        np.testing.assert_allclose(y[..., b], expected, rtol=1e-6)


def test_maxpool2d_matrix_input_and_call_overrides(rng):
    pool = MaxPool2D()
    x = rng.uniform(-1, 1, (6, 4))
    dynn.new_graph(pool)
    y = pool(dy.inputTensor(x), kernel_size=2, strides=(2, 2))
    assert y.dim() == ((3, 2), 1)
    expected = numpy_maxpool2d(x[:, :, None], (2, 2), (2, 2))[:, :, 0]
    np.testing.assert_allclose(y.npvalue(), expected, rtol=1e-6)
    assert pool(dy.inputTensor(x)).dim() == ((1, 1), 1)


def test_constructor_arguments_are_stored():
    assert_stores_arguments(MaxPool1D(3, 2), skip=(), kernel_size=3, stride=2)
    assert_stores_arguments(MeanPool1D(), skip=())
    assert_stores_arguments(
        MaxPool2D((2, None), (1, 2)), skip=(), kernel_size=(2, None), strides=(1, 2)
    )
    assert MaxPool2D(3, 2).kernel_size == (3, 3) and MaxPool2D(3, 2).strides == (2, 2)


@pytest.mark.parametrize("cls, name", [(MaxPool1D, "maxpool1d"), (MeanPool1D, "meanpool1d")])
def test_pool1d_bad_input_is_named(cls, name):
    pool = cls()
    dynn.new_graph(pool)
    x = dy.zeros((4, 3), batch_size=2)
    prefix = rf"{cls.__name__} '{name}': "
    with pytest.raises(
        ValueError, match=prefix + "kernel_size 5 is larger than the input length 4"
    ):
        pool(x, kernel_size=5)
    with pytest.raises(
        ValueError, match=prefix + "lengths has 3 entries but the input has batch size 2"
    ):
        pool(x, lengths=[1, 2, 3])
    with pytest.raises(
        ValueError,
        match=prefix + r"lengths must be in \[1, 4\] \(the padded length\), got \[5, 2\]",
    ):
        pool(x, lengths=[5, 2])
    with pytest.raises(ValueError, match=prefix + "lengths must be a list of integers"):
        pool(x, lengths=[1.5, 2])
    with pytest.raises(
        ValueError,
        match=prefix + r"argument x must be a \(length, dim\) matrix or a list of vectors",
    ):
        pool(dy.zeros((4, 3, 2)))
    with pytest.raises(
        TypeError, match=prefix + "argument x must be a dy.Expression or a list of them"
    ):
        pool([[1.0, 2.0]])
    with pytest.raises(ValueError, match=prefix + "stride must be a positive integer, got 0"):
        pool(x, stride=0)


def test_maxpool2d_bad_input_is_named():
    pool = MaxPool2D(kernel_size=3)
    dynn.new_graph(pool)
    with pytest.raises(
        ValueError,
        match=r"MaxPool2D 'maxpool2d': kernel_size \(3, 3\) is larger than the input \(2x5\)",
    ):
        pool(dy.zeros((2, 5, 1)))
    with pytest.raises(
        ValueError,
        match="MaxPool2D 'maxpool2d': argument x must be a .height, width, channels. image",
    ):
        pool(dy.zeros(5))
    with pytest.raises(
        TypeError, match="MaxPool2D 'maxpool2d': argument x must be a dy.Expression, got ndarray"
    ):
        pool(np.zeros((5, 5)))


def test_bad_constructor_arguments():
    with pytest.raises(
        ValueError, match="MaxPool1D: kernel_size must be a positive integer, got 0"
    ):
        MaxPool1D(0)
    with pytest.raises(ValueError, match="MeanPool1D: stride must be a positive integer, got 1.5"):
        MeanPool1D(2, 1.5)
    with pytest.raises(
        ValueError, match="MaxPool2D: kernel_size must be a pair of positive integers or None"
    ):
        MaxPool2D((2, -1))
    with pytest.raises(ValueError, match="MaxPool2D: strides must be a pair of positive integers"):
        MaxPool2D(2, (None, 1))
