import numpy as np
import pytest

from dynn.data.batching import BPTTBatches


def test_columns_targets_and_boundaries():
    batches = BPTTBatches(np.arange(23), batch_size=3, seq_length=4)
    # 23 tokens -> 21 kept, 3 columns of 7
    np.testing.assert_array_equal(batches.data[:, 1], np.arange(7, 14))
    assert batches.data.shape == (7, 3) and len(batches) == 2
    out = list(batches)
    assert [x.shape for x, _ in out] == [(4, 3), (2, 3)]
    for x, y in out:
        np.testing.assert_array_equal(y, x + 1)  # the next token, column by column
    np.testing.assert_array_equal(out[1][0][:, 2], [18, 19])
    np.testing.assert_array_equal(out[1][1][:, 2], [19, 20])
    assert batches.percentage_done() == 100


def test_sentences_are_concatenated_in_order():
    batches = BPTTBatches([[1, 2, 3], [4, 5], [6]], batch_size=2, seq_length=10)
    np.testing.assert_array_equal(batches.data, [[1, 4], [2, 5], [3, 6]])
    ((x, y),) = list(batches)
    np.testing.assert_array_equal(x, [[1, 4], [2, 5]])
    np.testing.assert_array_equal(y, [[2, 5], [3, 6]])


def test_exact_multiple_gives_no_empty_batch():
    batches = BPTTBatches(list(range(14)), batch_size=2, seq_length=3)  # 7 per column, 6 steps
    assert len(batches) == 2 == len(list(batches))
    assert batches.just_passed_multiple(2)


@pytest.mark.parametrize(
    "data, kwargs, message",
    [
        ([1, 2, 3], {"batch_size": 2}, "too few"),
        ([1, 2], {"batch_size": 0}, "batch_size must be a positive"),
        ([1, 2], {"seq_length": 0}, "seq_length must be a positive"),
        ("abc", {}, "sequence of indices"),
        ([[1, 2], ["a"]], {}, "integer indices"),
    ],
)
def test_bad_input(data, kwargs, message):
    with pytest.raises((ValueError, TypeError), match=message):
        BPTTBatches(data, **kwargs)
