import dynet as dy
import numpy as np
import pytest

import dynn
from dynn.layers.flow_layers import Flatten
from dynn.util import batched_input

from ._layer_checks import assert_stores_arguments, value


@pytest.mark.parametrize("shape", [(5,), (3, 4), (2, 3, 4)])
@pytest.mark.parametrize("batch_size", [1, 3])
def test_flatten_matches_numpy_column_major_order(rng, shape, batch_size):
    flatten = Flatten()
    xs = rng.uniform(-1, 1, shape + (batch_size,))
    dynn.new_graph(flatten)
    y = value(flatten(batched_input(xs)))
    assert y.shape == (int(np.prod(shape)), batch_size)
    for b in range(batch_size):
        np.testing.assert_array_equal(y[:, b], xs[..., b].flatten(order="F").astype(np.float32))


def test_flatten_passes_gradients_through(rng):
    flatten = Flatten()
    dynn.new_graph(flatten)
    x = dy.inputTensor(rng.uniform(-1, 1, (2, 3)))
    weights = np.arange(6.0)
    dy.dot_product(flatten(x), dy.inputVector(weights)).backward(full=True)
    np.testing.assert_array_equal(x.gradient(), weights.reshape((2, 3), order="F"))


def test_flatten_stores_no_arguments_and_names_bad_input():
    flatten = Flatten()
    assert_stores_arguments(flatten, skip=())
    dynn.new_graph(flatten)
    with pytest.raises(TypeError, match="Flatten 'flatten': argument x must be a dy.Expression"):
        flatten(np.zeros(3))
