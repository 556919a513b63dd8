"""Helpers shared by the batch iterators: validation, random generators, greedy grouping."""

import math
import numbers
import warnings
from typing import List, Optional, Sequence, Union

import numpy as np

RandomLike = Union[None, int, np.random.Generator, np.random.RandomState]


def make_rng(rng: RandomLike, owner: str):
    """A numpy generator from ``None`` (fresh entropy), a seed, or an existing generator."""
    if rng is None or (isinstance(rng, numbers.Integral) and not isinstance(rng, bool)):
        return np.random.default_rng(None if rng is None else int(rng))
    if isinstance(rng, (np.random.Generator, np.random.RandomState)):
        return rng
    raise TypeError(
        f"{owner}: rng must be None, an int seed or a numpy Generator / RandomState, "
        f"got {type(rng).__name__}"
    )


def positive_int(owner: str, name: str, value) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
        raise ValueError(f"{owner}: {name} must be a positive integer, got {value!r}")
    return int(value)


def positive_limit(owner: str, name: str, value) -> float:
    """A positive int, or ``inf`` for no limit."""
    if value is None or (isinstance(value, float) and math.isinf(value) and value > 0):
        return math.inf
    return positive_int(owner, name, value)


def index_sequence(sequence, owner: str, name: str, position: int) -> np.ndarray:
    """``sequence`` as a 1-D int64 array of non-negative indices, or a clear error."""
    if isinstance(sequence, (str, bytes)):
        raise TypeError(
            f"{owner}: {name}[{position}] is a string; numberize the data first "
            f"(e.g. with Dictionary.numberize)"
        )
    array = np.asarray(sequence)
    if array.size == 0:
        return np.zeros(0, dtype=np.int64)
    if array.ndim != 1:
        raise ValueError(
            f"{owner}: {name}[{position}] must be a 1-D sequence of indices, got shape "
            f"{array.shape}"
        )
    if array.dtype.kind not in "iu":
        if array.dtype.kind == "f" and np.all(np.floor(array) == array):
            array = array.astype(np.int64)
        else:
            raise TypeError(
                f"{owner}: {name}[{position}] must hold integer indices, got dtype {array.dtype}"
            )
    if array.min() < 0:
        raise ValueError(f"{owner}: {name}[{position}] holds a negative index {array.min()}")
    return array.astype(np.int64, copy=False)


def index_sequences(data, owner: str, name: str) -> List[np.ndarray]:
    if isinstance(data, (str, bytes)) or not hasattr(data, "__len__"):
        raise TypeError(f"{owner}: {name} must be a list of sequences of indices")
    return [index_sequence(seq, owner, name, i) for i, seq in enumerate(data)]


def stack_samples(samples, owner: str, name: str, atleast_1d: bool) -> np.ndarray:
    """Stack the samples along a new last axis (the batch axis), in Fortran order."""
    arrays = [np.asarray(sample) for sample in samples]
    if atleast_1d:
        arrays = [np.atleast_1d(array) for array in arrays]
    for index, array in enumerate(arrays):
        if array.dtype.hasobject:
            raise TypeError(f"{owner}: {name}[{index}] is not numeric (dtype object)")
        if array.shape != arrays[0].shape:
            raise ValueError(
                f"{owner}: every sample of {name} must have the same shape; {name}[0] has "
                f"shape {arrays[0].shape}, {name}[{index}] has {array.shape}"
            )
    if not arrays:
        raise ValueError(f"{owner}: {name} is empty")
    return np.asfortranarray(np.stack(arrays, axis=-1))


def keep_fitting(sizes: np.ndarray, max_tokens: float, owner: str) -> np.ndarray:
    """Indices of the samples of at most ``max_tokens`` tokens; warn about the others."""
    fits = sizes <= max_tokens
    if not np.all(fits):
        dropped = np.flatnonzero(~fits)
        warnings.warn(
            f"{owner}: discarding {dropped.size} sample(s) longer than max_tokens={max_tokens} "
            f"(indices {dropped[:10].tolist()}{'...' if dropped.size > 10 else ''})",
            stacklevel=3,
        )
    return np.flatnonzero(fits)


def group_greedily(
    order: Sequence[int], sizes: np.ndarray, max_samples: int, max_tokens: float
) -> List[np.ndarray]:
    """Cut ``order`` into consecutive batches of at most ``max_samples`` samples and
    ``max_tokens`` tokens (``sizes[i]`` tokens for sample ``i``)."""
    batches, current, tokens = [], [], 0
    for index in order:
        size = int(sizes[index])
        if current and (len(current) + 1 > max_samples or tokens + size > max_tokens):
            batches.append(np.array(current, dtype=np.int64))
            current, tokens = [], 0
        current.append(int(index))
        tokens += size
    if current:
        batches.append(np.array(current, dtype=np.int64))
    return batches


def permuted(items: list, rng: Optional[object]) -> list:
    return [items[i] for i in rng.permutation(len(items))]


class BatchListIterator:
    """Iteration over a precomputed list of batches (``self.batches``, lists of example indices):
    subclasses set ``batches`` and ``position`` in ``reset()`` and select examples in
    ``__getitem__``."""

    def __len__(self) -> int:
        """Number of batches in the current epoch."""
        return len(self.batches)

    def percentage_done(self) -> float:
        """Percentage of the current epoch's batches already visited."""
        return 100 * self.position / len(self.batches)

    def just_passed_multiple(self, batch_number: int) -> bool:
        """Whether the number of batches visited is a multiple of ``batch_number``."""
        return self.position % batch_number == 0

    def __iter__(self):
        self.reset()
        return self

    def __next__(self):
        if self.position >= len(self.batches):
            raise StopIteration
        indices = self.batches[self.position]
        self.position += 1
        return self[indices]
