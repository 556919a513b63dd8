import numpy as np
import pytest

from dynn.data.batching import SequencePairsBatches
from dynn.data.dictionary import Dictionary

RNG = np.random.RandomState(1)
SRC = [list(RNG.randint(3, 9, size=n)) for n in RNG.randint(1, 9, size=40)]
TGT = [list(RNG.randint(3, 9, size=n)) for n in RNG.randint(1, 9, size=40)]


def test_grouping_by_source_then_target():
    src = [[1] * n for n in [3, 1, 3, 2]]
    tgt = [[1] * n for n in [2, 5, 1, 4]]
    by_source = SequencePairsBatches(src, tgt, max_samples=2, shuffle=False)
    assert [b.tolist() for b in by_source.batches] == [[1, 3], [2, 0]]
    by_target = SequencePairsBatches(
        src, tgt, max_samples=2, shuffle=False, group_by_length="target"
    )
    assert [b.tolist() for b in by_target.batches] == [[2, 0], [3, 1]]
    unsorted = SequencePairsBatches(src, tgt, max_samples=3, shuffle=False, group_by_length=None)
    assert [b.tolist() for b in unsorted.batches] == [[0, 1, 2], [3]]


def test_padding_per_side_and_token_limit():
    src_dic = Dictionary(symbols=["a"])
    tgt_dic = Dictionary(pad_token="<p>", unk_token="<u>", eos_token=None)
    batches = SequencePairsBatches(
        [[3, 3], [3]],
        [[2], [2, 2, 2]],
        src_dic,
        tgt_dic,
        shuffle=False,
        group_by_length=None,
        src_left_aligned=False,
    )
    x, y = next(iter(batches))
    np.testing.assert_array_equal(x.sequences, [[3, 1], [3, 3]])
    np.testing.assert_array_equal(y.sequences, [[2, 2], [1, 2], [1, 2]])
    np.testing.assert_array_equal(x.original_idxs, y.original_idxs)
    with pytest.warns(UserWarning, match="discarding 1"):
        limited = SequencePairsBatches([[1, 2], [1]], [[1, 2], [1]], max_tokens=3, shuffle=False)
    assert [b.tolist() for b in limited.batches] == [[1]]


def test_limits_alignment_and_seeded_shuffle():
    batches = SequencePairsBatches(SRC, TGT, max_samples=6, max_tokens=30, rng=2)
    seen = []
    for x, y in batches:
        assert x.batch_size <= 6 and x.lengths.sum() + y.lengths.sum() <= 30
        for column, index in enumerate(x.original_idxs):
            np.testing.assert_array_equal(x.sequences[: x.lengths[column], column], SRC[index])
            np.testing.assert_array_equal(y.sequences[: y.lengths[column], column], TGT[index])
        seen += x.original_idxs.tolist()
    assert sorted(seen) == list(range(40))
    first = [x.original_idxs.tolist() for x, _ in SequencePairsBatches(SRC, TGT, rng=4)]
    assert first == [x.original_idxs.tolist() for x, _ in SequencePairsBatches(SRC, TGT, rng=4)]


@pytest.mark.parametrize(
    "args, kwargs, message",
    [
        (([[1]], [[1], [2]]), {}, "different sizes \\(1 vs 2\\)"),
        (([], []), {}, "the data is empty"),
        (([[1]], [[1]]), {"group_by_length": "both"}, "group_by_length must be"),
        (([[1]], [["x"]]), {}, "integer indices"),
    ],
)
def test_bad_input(args, kwargs, message):
    with pytest.raises((ValueError, TypeError), match=message):
        SequencePairsBatches(*args, **kwargs)
