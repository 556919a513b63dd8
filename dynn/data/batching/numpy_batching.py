"""NumpyBatches: minibatches of fixed-size samples (vectors, images) and their targets.

Example:
    >>> import numpy as np
    >>> from dynn.data.batching import NumpyBatches
    >>> data, labels = np.arange(10.0).reshape(5, 2), np.arange(5)
    >>> batches = NumpyBatches(data, labels, batch_size=2, shuffle=False)
    >>> [(x.shape, y.tolist()) for x, y in batches]
    [((2, 2), [0, 1]), ((2, 2), [2, 3]), ((2, 1), [4])]
"""

import math

import numpy as np

from ._common import RandomLike, make_rng, positive_int, stack_samples

__all__ = ["NumpyBatches"]


class NumpyBatches:
    """Iterate over ``(batch_data, batch_targets)`` pairs with the batch as the last axis.

    Each epoch (each ``for`` loop over the object) visits every sample once, in a new random
    order if ``shuffle``. A sample of shape ``s`` gives batches of shape ``s + (batch_size,)``
    (scalars become vectors of size 1 for the data, stay scalars for the targets), in Fortran
    order, ready for ``dy.inputTensor(x, batched=True)``. The last batch may be smaller.

    Args:
        data: ``N`` samples of one shape (an array whose first axis is the sample, or a list).
        targets: ``N`` targets of one shape.
        batch_size: Samples per batch.
        shuffle: Visit the samples in a new random order at each epoch.
        rng: Random generator for shuffling: ``None`` (fresh), an int seed, or a numpy
            ``Generator`` / ``RandomState``. Seed it to make the order reproducible.

    Attributes:
        data (np.ndarray): The samples, stacked along the last axis.
        targets (np.ndarray): The targets, stacked along the last axis.
        order (np.ndarray): The order of the current epoch.
        position (int): Number of samples visited in the current epoch.
    """

    def __init__(
        self,
        data,
        targets,
        batch_size: int = 32,
        shuffle: bool = True,
        rng: RandomLike = None,
    ):
        owner = "NumpyBatches"
        if len(data) != len(targets):
            raise ValueError(
                f"{owner}: data and targets have different sizes ({len(data)} vs {len(targets)})"
            )
        self.num_samples = len(data)
        self.data = stack_samples(data, owner, "data", atleast_1d=True)
        self.targets = stack_samples(targets, owner, "targets", atleast_1d=False)
        self.batch_size = positive_int(owner, "batch_size", batch_size)
        self.shuffle = bool(shuffle)
        self.rng = make_rng(rng, owner)
        self.position = 0
        self.order = np.arange(self.num_samples)
        self.reset()

    def __len__(self) -> int:
        """Number of batches per epoch, ``ceil(N / batch_size)``."""
        return math.ceil(self.num_samples / self.batch_size)

    def __getitem__(self, index):
        """``(data, targets)`` of the samples at positions ``index`` (int, slice or indices) of
        the current epoch's order."""
        selected = self.order[index]
        return self.data[..., selected], self.targets[..., selected]

    def percentage_done(self) -> float:
        """Percentage of the current epoch already visited."""
        return 100 * self.position / self.num_samples

    def just_passed_multiple(self, batch_number: int) -> bool:
        """Whether the number of batches visited so far is a multiple of ``batch_number`` (to
        report every ``batch_number`` batches)."""
        return math.ceil(self.position / self.batch_size) % batch_number == 0

    def reset(self) -> None:
        """Start a new epoch (in a new order if ``shuffle``)."""
        self.position = 0
        if self.shuffle:
            self.order = self.rng.permutation(self.num_samples)

    def __iter__(self):
        self.reset()
        return self

    def __next__(self):
        if self.position >= self.num_samples:
            raise StopIteration
        start = self.position
        self.position = min(self.position + self.batch_size, self.num_samples)
        return self[start : self.position]
