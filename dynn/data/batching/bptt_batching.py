"""BPTTBatches: contiguous chunks of a token stream, for language modelling with truncated
backpropagation through time.

The stream (the sequences concatenated) is cut into ``batch_size`` contiguous columns of
``N // batch_size`` tokens (the remainder is dropped): column ``b`` holds tokens
``b * P .. (b + 1) * P - 1`` with ``P = N // batch_size``. Each batch is a pair ``(x, y)`` of
``(seq_length, batch_size)`` arrays with ``y[t] = x[t + 1]`` along each column (the last
batch may be shorter), so that the state at the end of one batch continues into the next.

Example:
    >>> from dynn.data.batching import BPTTBatches
    >>> batches = BPTTBatches(list(range(10)), batch_size=2, seq_length=3)
    >>> batches.data.T.tolist()
    [[0, 1, 2, 3, 4], [5, 6, 7, 8, 9]]
    >>> [(x.T.tolist(), y.T.tolist()) for x, y in batches]
    [([[0, 1, 2], [5, 6, 7]], [[1, 2, 3], [6, 7, 8]]), ([[3], [8]], [[4], [9]])]
"""

import math

import numpy as np

from ._common import index_sequence, positive_int

__all__ = ["BPTTBatches"]


class BPTTBatches:
    """Iterate over ``(x, y)`` pairs of ``(length, batch_size)`` arrays, ``y`` the next tokens.

    Args:
        data: A sequence of indices, or a list of sequences (concatenated in order; add the
            end-of-sentence indices yourself).
        batch_size: Number of parallel columns.
        seq_length: Number of time steps per batch (the truncation length).

    Attributes:
        data (np.ndarray): ``(P, batch_size)`` int64 array, one contiguous column per batch
            element.
        num_positions (int): ``P``, the number of tokens per column.
        position (int): Current row of ``data``.
    """

    def __init__(self, data, batch_size: int = 32, seq_length: int = 30):
        owner = "BPTTBatches"
        self.batch_size = positive_int(owner, "batch_size", batch_size)
        self.seq_length = positive_int(owner, "seq_length", seq_length)
        if isinstance(data, (str, bytes)) or not hasattr(data, "__len__"):
            raise TypeError(f"{owner}: data must be a sequence of indices or a list of them")
        if len(data) and not np.isscalar(data[0]) and np.ndim(data[0]) == 1:
            pieces = [index_sequence(seq, owner, "data", i) for i, seq in enumerate(data)]
            stream = np.concatenate(pieces) if pieces else np.zeros(0, dtype=np.int64)
        else:
            stream = index_sequence(data, owner, "data", 0)
        self.num_samples = int(stream.size) - int(stream.size) % self.batch_size
        self.num_positions = self.num_samples // self.batch_size
        if self.num_positions < 2:
            raise ValueError(
                f"{owner}: {stream.size} tokens are too few for batch_size={self.batch_size} "
                f"(each of the {self.batch_size} columns needs at least 2 tokens)"
            )
        self.data = np.ascontiguousarray(
            stream[: self.num_samples].reshape(self.batch_size, self.num_positions).T
        )
        self.num_batches = math.ceil((self.num_positions - 1) / self.seq_length)
        self.position = 0

    def __len__(self) -> int:
        """Number of batches, ``ceil((P - 1) / seq_length)``."""
        return self.num_batches

    def __getitem__(self, index):
        """Rows ``index`` of :attr:`data`."""
        return self.data[index]

    def percentage_done(self) -> float:
        """Percentage of the stream already visited."""
        return 100 * self.position / (self.num_positions - 1)

    def just_passed_multiple(self, batch_number: int) -> bool:
        """Whether the number of batches visited is a multiple of ``batch_number``."""
        return math.ceil(self.position / self.seq_length) % batch_number == 0

    def reset(self) -> None:
        """Go back to the start of the stream."""
        self.position = 0

    def __iter__(self):
        self.reset()
        return self

    def __next__(self):
        if self.position >= self.num_positions - 1:
            raise StopIteration
        length = min(self.seq_length, self.num_positions - 1 - self.position)
        start = self.position
        self.position += length
        return self.data[start : start + length], self.data[start + 1 : start + length + 1]
