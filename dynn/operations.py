"""Tensor operations that DyNet lacks or that read better under a name.

Example:
    >>> import dynet as dy
    >>> from dynn.operations import stack, squeeze
    >>> _ = dy.renew_cg()
    >>> stack([dy.inputVector([1.0, 2.0]), dy.inputVector([3.0, 4.0])], d=0).dim()
    ((2, 2), 1)
    >>> squeeze(dy.inputTensor([[1.0, 2.0]]), d=0).dim()
    ((2,), 1)
"""

from typing import Sequence, Union

import dynet as dy
import numpy as np

from .util import batched_input

__all__ = ["squeeze", "unsqueeze", "stack", "nll_softmax", "seq_mask"]


def _normalise_axis(d: int, ndim: int, name: str) -> int:
    if not -ndim <= d < ndim:
        raise ValueError(f"{name}: axis {d} is out of range for {ndim} dimensions")
    return d % ndim


def squeeze(x: dy.Expression, d: int = 0) -> dy.Expression:
    """Remove the dimension ``d``, which must have size 1."""
    shape, batch_size = x.dim()
    d = _normalise_axis(d, len(shape), "squeeze")
    if shape[d] != 1:
        raise ValueError(f"squeeze: dimension {d} of {shape} has size {shape[d]}, not 1")
    new_shape = shape[:d] + shape[d + 1 :]
    return dy.reshape(x, new_shape or (1,), batch_size=batch_size)


def unsqueeze(x: dy.Expression, d: int = 0) -> dy.Expression:
    """Insert a dimension of size 1 at position ``d``."""
    shape, batch_size = x.dim()
    d = _normalise_axis(d, len(shape) + 1, "unsqueeze")
    return dy.reshape(x, shape[:d] + (1,) + shape[d:], batch_size=batch_size)


def stack(xs: Sequence[dy.Expression], d: int = 0) -> dy.Expression:
    """Stack expressions of the same shape along a new dimension ``d``."""
    if not xs:
        raise ValueError("stack: needs at least one expression")
    shapes = {x.dim()[0] for x in xs}
    if len(shapes) > 1:
        raise ValueError(f"stack: all expressions must have the same shape, got {sorted(shapes)}")
    return dy.concatenate([unsqueeze(x, d) for x in xs], d=d % (len(xs[0].dim()[0]) + 1))


def nll_softmax(logit: dy.Expression, y: Union[int, Sequence[int]]) -> dy.Expression:
    r"""Negative log-likelihood of the label(s) ``y`` under :math:`\mathrm{softmax}(logit)`.

    ``y`` is an int for an unbatched ``logit``, a list of ints (one per batch element) otherwise.
    """
    if isinstance(y, (int, np.integer)):
        return dy.pickneglogsoftmax(logit, int(y))
    return dy.pickneglogsoftmax_batch(logit, [int(label) for label in y])


def seq_mask(
    size: int,
    lengths: Sequence[int],
    base_val: float = 1.0,
    mask_val: float = 0.0,
    left_aligned: bool = True,
) -> dy.Expression:
    """A batched ``(size,)`` mask: ``base_val`` on each sequence's positions, ``mask_val`` after.

    Args:
        size: Padded length.
        lengths: True length of each sequence (batch element).
        base_val: Value at real positions.
        mask_val: Value at padded positions (use a large finite negative such as ``-1e9`` for
            attention, never ``-inf``).
        left_aligned: Sequences start at position 0 (padding on the right) if ``True``.
    """
    lengths = [int(length) for length in lengths]
    if any(not 0 <= length <= size for length in lengths):
        raise ValueError(f"seq_mask: lengths must be in [0, {size}], got {lengths}")
    positions = np.arange(size)[:, None]
    lengths_row = np.asarray(lengths)[None, :]
    if left_aligned:
        real = positions < lengths_row
    else:
        real = positions >= size - lengths_row
    values = np.where(real, base_val, mask_val).astype(float)
    return batched_input(values)
