"""SequencePairsBatches: minibatches of (source, target) sequence pairs, e.g. for translation.

Each batch holds at most ``max_samples`` pairs and at most ``max_tokens`` real tokens (source
plus target). With ``group_by_length="source"`` (or ``"target"``) the pairs are sorted by source
length, then target length (or the reverse) before being cut into batches.

Example:
    >>> from dynn.data.batching import SequencePairsBatches
    >>> src = [[1, 2], [3], [4, 5, 6]]
    >>> tgt = [[7], [8, 9], [10]]
    >>> batches = SequencePairsBatches(src, tgt, max_samples=2, shuffle=False)
    >>> for x, y in batches:
    ...     print(x.sequences.tolist(), y.sequences.tolist(), x.original_idxs.tolist())
    [[3, 1], [0, 2]] [[8, 7], [9, 0]] [1, 0]
    [[4], [5], [6]] [[10]] [2]
"""

import math
from typing import List, Optional

import numpy as np

from ._common import (
    BatchListIterator,
    RandomLike,
    group_greedily,
    index_sequences,
    keep_fitting,
    make_rng,
    permuted,
    positive_int,
    positive_limit,
)
from .padded_sequence_batching import _pad_idx
from .sequence_batch import SequenceBatch

__all__ = ["SequencePairsBatches"]


class SequencePairsBatches(BatchListIterator):
    """Iterate over ``(source_batch, target_batch)`` pairs of :class:`SequenceBatch`.

    Args:
        src_data: ``N`` source sequences of indices.
        tgt_data: ``N`` target sequences of indices.
        src_dictionary: Gives the source padding index (``pad_idx``); optional.
        tgt_dictionary: Gives the target padding index; optional.
        max_samples: Maximum number of pairs per batch.
        max_tokens: Maximum number of real tokens (source + target) per batch; ``inf`` for no
            limit. A longer pair is discarded, with a warning.
        shuffle: Visit the batches (and, without grouping, the pairs) in a new random order at
            each epoch.
        group_by_length: ``"source"``, ``"target"`` or ``None``.
        src_left_aligned: Source padding at the end (``True``) or at the start.
        tgt_left_aligned: Target padding at the end (``True``) or at the start.
        src_pad_idx: Source padding index without a dictionary (default 0).
        tgt_pad_idx: Target padding index without a dictionary (default 0).
        rng: Random generator: ``None`` (fresh), an int seed, or a numpy ``Generator`` /
            ``RandomState``.

    Attributes:
        src_data (list): The source sequences, as 1-D int64 arrays (original order).
        tgt_data (list): The target sequences.
        batches (list): The current epoch's batches, as arrays of pair indices.
        position (int): Number of batches visited in the current epoch.
    """

    def __init__(
        self,
        src_data,
        tgt_data,
        src_dictionary=None,
        tgt_dictionary=None,
        max_samples: int = 32,
        max_tokens: float = math.inf,
        shuffle: bool = True,
        group_by_length: Optional[str] = "source",
        src_left_aligned: bool = True,
        tgt_left_aligned: bool = True,
        src_pad_idx: Optional[int] = None,
        tgt_pad_idx: Optional[int] = None,
        rng: RandomLike = None,
    ):
        owner = "SequencePairsBatches"
        self.src_data = index_sequences(src_data, owner, "src_data")
        self.tgt_data = index_sequences(tgt_data, owner, "tgt_data")
        if len(self.src_data) != len(self.tgt_data):
            raise ValueError(
                f"{owner}: src_data and tgt_data have different sizes ({len(self.src_data)} vs "
                f"{len(self.tgt_data)})"
            )
        if not self.src_data:
            raise ValueError(f"{owner}: the data is empty")
        if group_by_length not in ("source", "target", None):
            raise ValueError(
                f"{owner}: group_by_length must be 'source', 'target' or None, got "
                f"{group_by_length!r}"
            )
        self.num_samples = len(self.src_data)
        self.src_lengths = np.array([len(s) for s in self.src_data], dtype=np.int64)
        self.tgt_lengths = np.array([len(t) for t in self.tgt_data], dtype=np.int64)
        self.max_samples = positive_int(owner, "max_samples", max_samples)
        self.max_tokens = positive_limit(owner, "max_tokens", max_tokens)
        self.shuffle = bool(shuffle)
        self.group_by_length = group_by_length
        self.src_left_aligned = bool(src_left_aligned)
        self.tgt_left_aligned = bool(tgt_left_aligned)
        self.src_pad_idx = _pad_idx(src_dictionary, src_pad_idx, owner)
        self.tgt_pad_idx = _pad_idx(tgt_dictionary, tgt_pad_idx, owner)
        self.rng = make_rng(rng, owner)
        self.sizes = self.src_lengths + self.tgt_lengths
        self.kept = keep_fitting(self.sizes, self.max_tokens, owner)
        self.position = 0
        self.batches: List[np.ndarray] = []
        self.reset()

    def __getitem__(self, index):
        """``(source_batch, target_batch)`` of the *pairs* ``index`` (an int, a slice or
        indices into the data)."""
        selected = np.atleast_1d(np.arange(self.num_samples)[index])
        source = SequenceBatch(
            [self.src_data[i] for i in selected],
            original_idxs=selected,
            pad_idx=self.src_pad_idx,
            left_aligned=self.src_left_aligned,
        )
        target = SequenceBatch(
            [self.tgt_data[i] for i in selected],
            original_idxs=selected,
            pad_idx=self.tgt_pad_idx,
            left_aligned=self.tgt_left_aligned,
        )
        return source, target

    def reset(self) -> None:
        """Start a new epoch: (re)shuffle, group and cut the batches."""
        self.position = 0
        order = self.kept
        if self.shuffle:
            order = self.rng.permutation(order)
        if self.group_by_length is not None:
            first, second = self.src_lengths, self.tgt_lengths
            if self.group_by_length == "target":
                first, second = second, first
            # np.lexsort is stable and sorts by the last key first.
            order = order[np.lexsort((second[order], first[order]))]
        self.batches = group_greedily(order, self.sizes, self.max_samples, self.max_tokens)
        if self.shuffle:
            self.batches = permuted(self.batches, self.rng)
