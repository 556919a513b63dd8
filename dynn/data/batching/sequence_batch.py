"""SequenceBatch: sequences of indices padded into one ``(max_length, batch_size)`` array.

The batch axis is the *last* one, as DyNet expects: row ``t`` of :attr:`SequenceBatch.sequences`
holds the ``t``-th index of every sequence, ready for ``dy.lookup_batch(E, batch.sequences[t])``.
Sequences are aligned to the left (padding at the end, the default) or to the right (padding at
the start). The masks mark the real positions.

Example:
    >>> from dynn.data.batching import SequenceBatch
    >>> batch = SequenceBatch([[4, 5, 6], [7]], pad_idx=0)
    >>> batch.sequences.tolist()
    [[4, 7], [5, 0], [6, 0]]
    >>> batch.lengths.tolist(), batch.mask().tolist()
    ([3, 1], [[1.0, 1.0], [1.0, 0.0], [1.0, 0.0]])
    >>> SequenceBatch([[4, 5, 6], [7]], left_aligned=False).sequences.tolist()
    [[4, 0], [5, 0], [6, 7]]
"""

import math
import numbers
from typing import List, Optional, Sequence

import numpy as np

from ._common import index_sequence

__all__ = ["SequenceBatch"]


class SequenceBatch:
    """A batch of integer sequences padded to the longest one.

    Args:
        sequences: The sequences of indices (lists or 1-D integer arrays; empty sequences are
            allowed). A single flat sequence of ints is a batch of one.
        original_idxs: For each sequence, its position in the original data (before sorting
            or shuffling); default ``0 .. batch_size - 1``.
        pad_idx: The padding index (default 0), e.g. ``dictionary.pad_idx``.
        left_aligned: Sequences start at position 0 and padding goes at the end (``True``), or
            they end at the last position and padding goes at the start (``False``).

    Attributes:
        sequences (np.ndarray): ``(max_length, batch_size)`` int64 array.
        lengths (np.ndarray): ``(batch_size,)`` true lengths.
        unpadded_sequences (list): The sequences as 1-D int64 arrays.
        original_idxs (np.ndarray): ``(batch_size,)`` positions in the original data.
        max_length (int): Length of the longest sequence.
        batch_size (int): Number of sequences.
    """

    def __init__(
        self,
        sequences: Sequence[Sequence[int]],
        original_idxs: Optional[Sequence[int]] = None,
        pad_idx: Optional[int] = None,
        left_aligned: bool = True,
    ):
        owner = "SequenceBatch"
        if isinstance(sequences, np.ndarray) and sequences.ndim == 1 and sequences.size:
            sequences = [sequences]
        elif (
            isinstance(sequences, (list, tuple))
            and sequences
            and all(isinstance(x, numbers.Integral) for x in sequences)
        ):
            sequences = [sequences]
        if isinstance(sequences, np.ndarray) and sequences.ndim == 2:
            sequences = list(sequences)
        if isinstance(sequences, (str, bytes)) or not hasattr(sequences, "__len__"):
            raise TypeError(f"{owner}: sequences must be a list of sequences of indices")
        if len(sequences) == 0:
            raise ValueError(f"{owner}: cannot batch 0 sequences")
        self.unpadded_sequences: List[np.ndarray] = [
            index_sequence(seq, owner, "sequences", i) for i, seq in enumerate(sequences)
        ]
        self.lengths = np.array([len(seq) for seq in self.unpadded_sequences], dtype=np.int64)
        self.batch_size = len(self.unpadded_sequences)
        if original_idxs is None:
            original_idxs = np.arange(self.batch_size)
        self.original_idxs = np.asarray(original_idxs, dtype=np.int64).reshape(-1)
        if self.original_idxs.shape != (self.batch_size,):
            raise ValueError(
                f"{owner}: original_idxs must have one entry per sequence ({self.batch_size}), "
                f"got {self.original_idxs.size}"
            )
        if pad_idx is None:
            pad_idx = 0
        if isinstance(pad_idx, bool) or not isinstance(pad_idx, numbers.Integral):
            raise TypeError(f"{owner}: pad_idx must be an int, got {pad_idx!r}")
        self.pad_idx = int(pad_idx)
        self.left_aligned = bool(left_aligned)
        self.max_length = int(self.lengths.max())
        self.sequences = self.collate(self.unpadded_sequences)

    def collate(self, sequences: Sequence[np.ndarray]) -> np.ndarray:
        """Pad ``sequences`` (with this batch's lengths) into a ``(max_length, batch_size)``
        array."""
        array = np.full((self.max_length, len(sequences)), self.pad_idx, dtype=np.int64)
        for column, sequence in enumerate(sequences):
            if len(sequence) == 0:
                continue
            if self.left_aligned:
                array[: len(sequence), column] = sequence
            else:
                array[self.max_length - len(sequence) :, column] = sequence
        return array

    def __len__(self) -> int:
        """The batch size."""
        return self.batch_size

    def __getitem__(self, index) -> "SequenceBatch":
        """The sub-batch of the sequences selected by ``index`` (an int, a slice, or indices),
        padded to its own longest sequence."""
        selected = np.arange(self.batch_size)[index]
        selected = np.atleast_1d(selected)
        return SequenceBatch(
            [self.unpadded_sequences[i] for i in selected],
            original_idxs=self.original_idxs[selected],
            pad_idx=self.pad_idx,
            left_aligned=self.left_aligned,
        )

    def mask(self, base_val: float = 1.0, mask_val: float = 0.0) -> np.ndarray:
        """A ``(max_length, batch_size)`` array: ``base_val`` at real positions, ``mask_val`` at
        padded ones."""
        positions = np.arange(self.max_length)[:, None]
        if self.left_aligned:
            real = positions < self.lengths[None, :]
        else:
            real = positions >= self.max_length - self.lengths[None, :]
        return np.where(real, float(base_val), float(mask_val))

    def get_mask(self, base_val: float = 1.0, mask_val: float = 0.0):
        """The mask as a batched DyNet expression of dimension ``(max_length,)``.

        Use ``base_val=1, mask_val=0`` for multiplicative masks and ``base_val=0,
        mask_val=-1e9`` for additive ones (never ``-inf``: DyNet reuses memory and a stale
        ``-inf`` poisons later graphs).
        """
        if not (math.isfinite(base_val) and math.isfinite(mask_val)):
            raise ValueError(
                f"SequenceBatch.get_mask: values must be finite (use -1e9, not -inf), got "
                f"base_val={base_val}, mask_val={mask_val}"
            )
        from ...operations import seq_mask

        return seq_mask(self.max_length, self.lengths, base_val, mask_val, self.left_aligned)

    def __repr__(self) -> str:
        return (
            f"SequenceBatch(batch_size={self.batch_size}, max_length={self.max_length}, "
            f"left_aligned={self.left_aligned})"
        )
