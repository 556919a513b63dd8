import dynet as dy
import numpy as np
import pytest

import dynn
from dynn.layers.embedding_layers import Embeddings

from ._layer_checks import assert_stores_arguments, value


class Vocabulary:
    """A minimal dictionary: a length and a padding index."""

    pad_idx = 2

    def __len__(self):
        return 6


@pytest.fixture
def embed(pc, rng):
    layer = Embeddings(pc, 6, 3)
    layer.lookup_parameters["E"].init_from_array(rng.uniform(-1, 1, (6, 3)))
    return layer


def test_single_and_batched_lookups_match_the_matrix(embed):
    E = embed.weights
    dynn.new_graph(embed)
    np.testing.assert_allclose(embed(4).npvalue(), E[4], rtol=1e-6)
    np.testing.assert_allclose(embed(np.int64(4)).npvalue(), E[4], rtol=1e-6)
    batch = embed([4, 0, 4, 5])
    assert batch.dim() == ((3,), 4)
    np.testing.assert_allclose(value(batch), E[[4, 0, 4, 5]].T, rtol=1e-6)
    np.testing.assert_allclose(value(embed([1])), E[[1]].T, rtol=1e-6)


@pytest.mark.parametrize("batch_size", [1, 3])
def test_length_batch_input_gives_one_batched_vector_per_position(embed, rng, batch_size):
    E = embed.weights
    ids = rng.randint(0, 6, (4, batch_size))
    dynn.new_graph(embed)
    steps = embed(ids.tolist())
    assert len(steps) == 4
    for position, step in enumerate(steps):
        assert step.dim() == ((3,), batch_size)
        np.testing.assert_allclose(value(step), E[ids[position]].T, rtol=1e-6)
    # As matrices: (length, d) per batch element, or (d, length).
    by_rows = value(embed(ids, length_dim=0))
    by_cols = value(embed(ids, length_dim=1))
    assert by_rows.shape == (4, 3, batch_size) and by_cols.shape == (3, 4, batch_size)
    for b in range(batch_size):
        np.testing.assert_allclose(by_rows[:, :, b], E[ids[:, b]], rtol=1e-6)
        np.testing.assert_allclose(by_cols[:, :, b], E[ids[:, b]].T, rtol=1e-6)


def test_padding_index_embeds_to_zero_and_gets_no_gradient(pc, rng):
    embed = Embeddings(pc, 6, 3, pad_mask=1)
    embed.lookup_parameters["E"].init_from_array(rng.uniform(-1, 1, (6, 3)))
    E = embed.weights
    ids = np.array([[1, 3], [4, 1], [1, 1]])
    dynn.new_graph(embed, update=True)
    expected = np.where((ids == 1)[:, None, :], 0.0, E[ids].transpose(0, 2, 1))
    steps = embed(ids)
    np.testing.assert_allclose(np.stack([value(s) for s in steps]), expected, rtol=1e-6)
    matrix = value(embed(ids, length_dim=0))
    np.testing.assert_allclose(matrix, expected, rtol=1e-6)
    np.testing.assert_array_equal(embed(1).npvalue(), np.zeros(3))
    np.testing.assert_array_equal(value(embed([1])), np.zeros((3, 1)))
    loss = dy.sum_batches(dy.sum_elems(dy.esum(steps) + embed([1, 0])))
    loss.backward()
    grad = embed.lookup_parameters["E"].grad_as_array()
    np.testing.assert_array_equal(grad[1], 0.0)
    assert np.all(grad[[0, 3, 4]] != 0)


def test_float_pad_mask_is_the_value_at_dictionary_pad_idx(pc):
    embed = Embeddings(pc, Vocabulary(), 3, pad_mask=-1.5)
    assert embed.size == 6
    dynn.new_graph(embed)
    out = value(embed([2, 0]))
    np.testing.assert_array_equal(out[:, 0], -1.5)
    np.testing.assert_allclose(out[:, 1], embed.weights[0], rtol=1e-6)
    np.testing.assert_array_equal(embed(2).npvalue(), -1.5)


@pytest.mark.parametrize("update", [True, False])
def test_lookups_honour_update(embed, update):
    dynn.new_graph(embed, update=update)
    dy.sum_batches(dy.sum_elems(embed([0, 3]) + embed(5))).backward()
    grad = embed.lookup_parameters["E"].grad_as_array()
    assert np.any(grad[[0, 3, 5]] != 0, axis=1).tolist() == [update] * 3
    np.testing.assert_array_equal(grad[[1, 2, 4]], 0.0)


@pytest.mark.parametrize("update", [True, False])
def test_sharing_a_parameter_matrix_ties_weights(pc, rng, update):
    from dynn.layers.dense_layers import Affine

    output_layer = Affine(pc, 3, 6, nobias=True)
    output_layer.parameters["W"].set_value(rng.uniform(-1, 1, (6, 3)))
    embed = Embeddings(pc, 6, 3, E=output_layer.parameters["W"])
    np.testing.assert_array_equal(embed.weights, output_layer.parameters["W"].as_array())
    dynn.new_graph(embed, output_layer, update=update)
    np.testing.assert_allclose(value(embed([2, 5])), embed.weights[[2, 5]].T, rtol=1e-6)
    np.testing.assert_allclose(embed(4).npvalue(), embed.weights[4], rtol=1e-6)
    dy.sum_batches(dy.sum_elems(embed([2, 5]))).backward()
    assert np.any(output_layer.parameters["W"].grad_as_array() != 0) == update


def test_constructor_arguments_are_stored(pc):
    vocabulary = Vocabulary()
    layer = Embeddings(pc, vocabulary, 4, pad_mask=3)
    assert_stores_arguments(
        layer, skip=("pc", "init", "E"), dictionary=vocabulary, embed_dim=4, pad_mask=3
    )
    assert layer.size == 6


def test_default_initialisation_scale(pc):
    layer = Embeddings(pc, 400, 100)
    assert abs(layer.weights.std() - 0.1) < 0.01


def test_bad_indices_are_named(embed):
    dynn.new_graph(embed)
    with pytest.raises(
        ValueError,
        match=r"Embeddings 'embeddings': index 6 in idxs is out of "
        r"range for a dictionary of size 6",
    ):
        embed([1, 6])
    with pytest.raises(ValueError, match="index -1 in idxs is out of range"):
        embed(-1)
    with pytest.raises(
        TypeError,
        match="Embeddings 'embeddings': idxs must be integers, got values of type float64",
    ):
        embed([1.0, 2.0])
    with pytest.raises(ValueError, match="rows of equal length; got ragged lists"):
        embed([[1, 2], [3]])
    with pytest.raises(ValueError, match=r"at most 2 axes \(length, batch\), got shape"):
        embed(np.zeros((2, 2, 2), dtype=int))
    with pytest.raises(ValueError, match="idxs is empty"):
        embed([])
    with pytest.raises(TypeError, match="idxs must be integer indices, got a dy.Expression"):
        embed(dy.inputVector([1.0]))
    with pytest.raises(ValueError, match="length_dim must be None, 0 or 1, got 2"):
        embed([[1], [2]], length_dim=2)
    with pytest.raises(ValueError, match="length_dim needs 2-D idxs"):
        embed([1, 2], length_dim=0)


def test_bad_constructor_arguments(pc):
    with pytest.raises(TypeError, match="Embeddings: dictionary must have a len"):
        Embeddings(pc, object(), 3)
    with pytest.raises(ValueError, match="Embeddings: embed_dim must be a positive integer"):
        Embeddings(pc, 5, 0)
    with pytest.raises(ValueError, match=r"pad_mask \(the padding index\) must be in \[0, 5\)"):
        Embeddings(pc, 5, 3, pad_mask=5)
    with pytest.raises(ValueError, match="the dictionary has no pad_idx"):
        Embeddings(pc, 5, 3, pad_mask=0.0)
    with pytest.raises(ValueError, match=r"'E' must have shape \(5, 3\), got \(4, 3\)"):
        Embeddings(pc, 5, 3, E=pc.add_lookup_parameters((4, 3)))
