import numpy as np
import pytest

from dynn.data.batching import PaddedSequenceBatches
from dynn.data.dictionary import Dictionary

RNG = np.random.RandomState(0)
DATA = [list(RNG.randint(3, 20, size=n)) for n in RNG.randint(1, 12, size=60)]


def test_grouped_batches_exact_boundaries():
    data = [[1] * n for n in [5, 2, 7, 2, 3, 1]]
    batches = PaddedSequenceBatches(data, max_samples=2, shuffle=False, pad_idx=9)
    assert [b.tolist() for b in batches.batches] == [[5, 1], [3, 4], [0, 2]]
    x, y = batches[[5, 1]]
    assert y is None
    np.testing.assert_array_equal(x.sequences, [[1, 1], [9, 1]])
    np.testing.assert_array_equal(x.original_idxs, [5, 1])


def test_max_tokens_counts_real_tokens():
    data = [[1] * n for n in [4, 3, 3, 2, 6]]
    batches = PaddedSequenceBatches(data, max_samples=10, max_tokens=6, shuffle=False)
    # sorted lengths 2 3 3 4 6 -> [2 3] (5), [3] (3+4 > 6), [4], [6]
    assert [b.tolist() for b in batches.batches] == [[3, 1], [2], [0], [4]]
    ungrouped = PaddedSequenceBatches(
        data, max_samples=2, max_tokens=7, shuffle=False, group_by_length=False
    )
    assert [b.tolist() for b in ungrouped.batches] == [[0, 1], [2, 3], [4]]


def test_too_long_sequences_are_discarded_with_a_warning():
    with pytest.warns(UserWarning, match="discarding 1 sample\\(s\\) longer than max_tokens=3"):
        batches = PaddedSequenceBatches([[1, 2], [1, 2, 3, 4], [5]], max_tokens=3, shuffle=False)
    assert sorted(np.concatenate(batches.batches).tolist()) == [0, 2]


@pytest.mark.parametrize("group", [True, False])
def test_limits_hold_and_every_sample_is_visited_once_per_epoch(group):
    targets = np.arange(len(DATA))
    batches = PaddedSequenceBatches(
        DATA, targets, max_samples=8, max_tokens=40, group_by_length=group, rng=5
    )
    for _ in range(2):
        seen = []
        for x, y in batches:
            assert x.batch_size <= 8 and x.lengths.sum() <= 40
            np.testing.assert_array_equal(x.original_idxs, y)
            for column, index in enumerate(x.original_idxs):
                np.testing.assert_array_equal(x.sequences[: x.lengths[column], column], DATA[index])
            seen += y.tolist()
        assert sorted(seen) == list(range(len(DATA)))


def test_grouping_reduces_padding_and_shuffling_is_seeded():
    def padding(group):
        batches = PaddedSequenceBatches(DATA, max_samples=8, group_by_length=group, rng=0)
        return sum(x.sequences.size - x.lengths.sum() for x, _ in batches)

    assert padding(True) < padding(False)
    orders = [
        [x.original_idxs.tolist() for x, _ in PaddedSequenceBatches(DATA, max_samples=8, rng=1)]
        for _ in range(2)
    ]
    assert orders[0] == orders[1]
    batches = PaddedSequenceBatches(DATA, max_samples=8, rng=1)
    first = [x.original_idxs.tolist() for x, _ in batches]
    assert first != [x.original_idxs.tolist() for x, _ in batches]  # new epoch, new order


def test_dictionary_gives_padding_and_left_padding():
    dic = Dictionary(symbols=["a", "b"])
    batches = PaddedSequenceBatches(
        [[3, 4, 3], [4]], [1, 0], dic, shuffle=False, left_aligned=False
    )
    x, y = next(iter(batches))
    np.testing.assert_array_equal(x.sequences, [[1, 3], [1, 4], [4, 3]])
    np.testing.assert_array_equal(y, [0, 1])
    assert batches.percentage_done() == 100 and batches.just_passed_multiple(1)


@pytest.mark.parametrize(
    "args, kwargs, message",
    [
        (([[1], [2]], [0]), {}, "different sizes \\(2 vs 1\\)"),
        (([],), {}, "data is empty"),
        (([[1]],), {"max_samples": 0}, "max_samples must be a positive"),
        (([[1]],), {"max_tokens": -1}, "max_tokens must be a positive"),
        ((["abc"],), {}, "numberize the data first"),
        (([[1]], None, Dictionary(pad_token=None)), {}, "no padding symbol"),
    ],
)
def test_bad_input(args, kwargs, message):
    with pytest.raises((ValueError, TypeError), match=message):
        PaddedSequenceBatches(*args, **kwargs)
