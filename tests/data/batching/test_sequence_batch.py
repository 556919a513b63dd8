import dynet as dy
import numpy as np
import pytest

from dynn.data.batching import SequenceBatch


def test_right_padding_lengths_and_masks():
    batch = SequenceBatch([[4, 5, 6], [7], [], [8, 9]], pad_idx=1)
    np.testing.assert_array_equal(batch.sequences, [[4, 7, 1, 8], [5, 1, 1, 9], [6, 1, 1, 1]])
    assert batch.sequences.dtype == np.int64
    np.testing.assert_array_equal(batch.lengths, [3, 1, 0, 2])
    np.testing.assert_array_equal(batch.mask(), [[1, 1, 0, 1], [1, 0, 0, 1], [1, 0, 0, 0]])
    np.testing.assert_array_equal(
        batch.mask(0.0, -1e9), [[0, 0, -1e9, 0], [0, -1e9, -1e9, 0], [0, -1e9, -1e9, -1e9]]
    )
    assert (batch.max_length, batch.batch_size, len(batch)) == (3, 4, 4)
    np.testing.assert_array_equal(batch.original_idxs, [0, 1, 2, 3])


def test_left_padding():
    batch = SequenceBatch([[4, 5, 6], [7], [8, 9]], pad_idx=0, left_aligned=False)
    np.testing.assert_array_equal(batch.sequences, [[4, 0, 0], [5, 0, 8], [6, 7, 9]])
    np.testing.assert_array_equal(batch.mask(), [[1, 0, 0], [1, 0, 1], [1, 1, 1]])


@pytest.mark.parametrize("left_aligned", [True, False])
def test_get_mask_expression_matches_numpy_mask(left_aligned):
    batch = SequenceBatch([[1, 2, 3], [4]], left_aligned=left_aligned)
    dy.renew_cg()
    mask = batch.get_mask(0.0, -1e9)
    assert mask.dim() == ((3,), 2)
    np.testing.assert_array_equal(mask.npvalue(), batch.mask(0.0, -1e9))
    with pytest.raises(ValueError, match="use -1e9, not -inf"):
        batch.get_mask(0.0, -np.inf)


def test_sub_batches_repad_and_keep_original_indices():
    batch = SequenceBatch([[1, 2, 3], [4], [5, 6]], original_idxs=[10, 11, 12])
    sub = batch[[2, 1]]
    np.testing.assert_array_equal(sub.sequences, [[5, 4], [6, 0]])
    np.testing.assert_array_equal(sub.original_idxs, [12, 11])
    assert batch[1].batch_size == 1 and batch[1].max_length == 1
    assert batch[1:].batch_size == 2


def test_inputs_accepted():
    assert SequenceBatch([3, 4]).sequences.tolist() == [[3], [4]]  # one flat sequence
    assert SequenceBatch(np.array([[1, 2], [3, 4]])).sequences.tolist() == [[1, 3], [2, 4]]
    assert SequenceBatch([np.array([1.0, 2.0])]).sequences.dtype == np.int64  # integral floats


@pytest.mark.parametrize(
    "kwargs, error, message",
    [
        ({"sequences": []}, ValueError, "cannot batch 0 sequences"),
        ({"sequences": [["a", "b"]]}, TypeError, "integer indices"),
        ({"sequences": ["ab"]}, TypeError, "numberize the data first"),
        ({"sequences": [[1.5]]}, TypeError, "integer indices"),
        ({"sequences": [[1, -2]]}, ValueError, "negative index -2"),
        ({"sequences": [[[1, 2]]]}, ValueError, r"sequences\[0\] must be a 1-D"),
        ({"sequences": [[1]], "original_idxs": [0, 1]}, ValueError, "one entry per sequence"),
        ({"sequences": [[1]], "pad_idx": 0.5}, TypeError, "pad_idx must be an int"),
    ],
)
def test_bad_input(kwargs, error, message):
    with pytest.raises(error, match=message):
        SequenceBatch(**kwargs)
