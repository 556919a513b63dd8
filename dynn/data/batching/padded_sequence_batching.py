"""PaddedSequenceBatches: minibatches of variable-length sequences, grouped by length.

Batches hold at most ``max_samples`` sequences and at most ``max_tokens`` real (non-padding)
tokens. With ``group_by_length``, the sequences are sorted by length before being cut into
batches, which minimizes padding; the batches are then visited in random order (if
``shuffle``), and sequences of equal length are mixed differently at each epoch.

Example:
    >>> from dynn.data.batching import PaddedSequenceBatches
    >>> data = [[1, 2, 3], [4], [5, 6], [7, 8, 9, 10]]
    >>> batches = PaddedSequenceBatches(data, targets=[0, 1, 0, 1], max_samples=2,
    ...                                 shuffle=False)
    >>> for x, y in batches:
    ...     print(x.sequences.tolist(), x.original_idxs.tolist(), y.tolist())
    [[4, 5], [0, 6]] [1, 2] [1, 0]
    [[1, 7], [2, 8], [3, 9], [0, 10]] [0, 3] [0, 1]
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
    stack_samples,
)
from .sequence_batch import SequenceBatch

__all__ = ["PaddedSequenceBatches"]


class PaddedSequenceBatches(BatchListIterator):
    """Iterate over ``(SequenceBatch, batch_targets)`` pairs.

    Args:
        data: ``N`` sequences of indices (lists or 1-D integer arrays, of any lengths).
        targets: ``N`` targets of one shape (stacked along the last axis of each batch, like
            :class:`~dynn.data.batching.numpy_batching.NumpyBatches`), or ``None`` (then the
            batches are ``(SequenceBatch, None)``).
        dictionary: Gives the padding index (``dictionary.pad_idx``); optional.
        max_samples: Maximum number of sequences per batch.
        max_tokens: Maximum number of real tokens (padding excluded) per batch; ``inf`` for no
            limit. A sequence longer than this is discarded, with a warning.
        shuffle: Visit the batches (and, without grouping, the sequences) in a new random order
            at each epoch.
        group_by_length: Sort the sequences by length before cutting batches.
        left_aligned: Padding at the end (``True``) or at the start of the sequences.
        pad_idx: The padding index if there is no ``dictionary`` (default 0).
        rng: Random generator: ``None`` (fresh), an int seed, or a numpy ``Generator`` /
            ``RandomState``.

    Attributes:
        data (list): The sequences, as 1-D int64 arrays.
        targets (np.ndarray or None): The targets, stacked along the last axis.
        lengths (np.ndarray): The length of each sequence.
        batches (list): The current epoch's batches, as arrays of indices into ``data``.
        position (int): Number of batches visited in the current epoch.
    """

    def __init__(
        self,
        data,
        targets=None,
        dictionary=None,
        max_samples: int = 32,
        max_tokens: float = math.inf,
        shuffle: bool = True,
        group_by_length: bool = True,
        left_aligned: bool = True,
        pad_idx: Optional[int] = None,
        rng: RandomLike = None,
    ):
        owner = "PaddedSequenceBatches"
        self.data = index_sequences(data, owner, "data")
        if not self.data:
            raise ValueError(f"{owner}: data is empty")
        self.num_samples = len(self.data)
        self.targets = None
        if targets is not None:
            if len(targets) != self.num_samples:
                raise ValueError(
                    f"{owner}: data and targets have different sizes ({self.num_samples} vs "
                    f"{len(targets)})"
                )
            self.targets = stack_samples(targets, owner, "targets", atleast_1d=False)
        self.lengths = np.array([len(seq) for seq in self.data], dtype=np.int64)
        self.max_samples = positive_int(owner, "max_samples", max_samples)
        self.max_tokens = positive_limit(owner, "max_tokens", max_tokens)
        self.shuffle = bool(shuffle)
        self.group_by_length = bool(group_by_length)
        self.left_aligned = bool(left_aligned)
        self.pad_idx = _pad_idx(dictionary, pad_idx, owner)
        self.rng = make_rng(rng, owner)
        self.kept = keep_fitting(self.lengths, self.max_tokens, owner)
        self.position = 0
        self.batches: List[np.ndarray] = []
        self.reset()

    def __getitem__(self, index):
        """``(SequenceBatch, targets)`` of the *samples* ``index`` (an int, a slice or indices
        into ``data``)."""
        selected = np.atleast_1d(np.arange(self.num_samples)[index])
        batch = SequenceBatch(
            [self.data[i] for i in selected],
            original_idxs=selected,
            pad_idx=self.pad_idx,
            left_aligned=self.left_aligned,
        )
        targets = None if self.targets is None else self.targets[..., selected]
        return batch, targets

    def reset(self) -> None:
        """Start a new epoch: (re)shuffle, group and cut the batches."""
        self.position = 0
        order = self.kept
        if self.shuffle:
            order = self.rng.permutation(order)
        if self.group_by_length:
            order = order[np.argsort(self.lengths[order], kind="stable")]
        self.batches = group_greedily(order, self.lengths, self.max_samples, self.max_tokens)
        if self.shuffle:
            self.batches = permuted(self.batches, self.rng)


def _pad_idx(dictionary, pad_idx, owner) -> int:
    if pad_idx is not None:
        return int(pad_idx)
    if dictionary is not None:
        value = getattr(dictionary, "pad_idx", None)
        if value is None:
            raise ValueError(f"{owner}: the dictionary has no padding symbol; give pad_idx")
        return int(value)
    return 0
