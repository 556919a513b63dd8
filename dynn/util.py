"""Small helpers used across dynn: dropout switches, masks, positional embeddings, counts.

Example:
    >>> import dynet as dy
    >>> from dynn.util import num_params
    >>> pc = dy.ParameterCollection()
    >>> _ = pc.add_parameters((3, 4))
    >>> num_params(pc)
    12
"""

from typing import Sequence

import dynet as dy
import numpy as np

__all__ = [
    "batched_input",
    "conditional_dropout",
    "mask_batches",
    "sin_embeddings",
    "num_params",
    "list_to_matrix",
    "matrix_to_image",
    "image_to_matrix",
]


def batched_input(values) -> dy.Expression:
    """``dy.inputTensor(values, batched=True)``, also for a batch of one.

    The last axis of ``values`` is the batch axis. (dyNET38 with numpy 2 fails on a batched
    input whose batch axis has size 1.)
    """
    values = np.asarray(values, dtype=float)
    if values.ndim < 2:
        raise ValueError(
            f"batched_input needs at least 2 axes (..., batch), got shape {values.shape}"
        )
    if values.shape[-1] == 1:
        return dy.inputTensor(values[..., 0])
    return dy.inputTensor(values, batched=True)


def conditional_dropout(x: dy.Expression, dropout_rate: float, flag: bool) -> dy.Expression:
    """``dy.dropout(x, dropout_rate)`` if ``flag`` and the rate is positive, else ``x``.

    The mask is drawn independently for every batch element.
    """
    if flag and dropout_rate > 0:
        return dy.dropout(x, dropout_rate)
    return x


def mask_batches(x: dy.Expression, mask: dy.Expression, value: float = 0.0) -> dy.Expression:
    """Keep ``x`` where ``mask`` is 1 and put ``value`` where it is 0 (``mask`` broadcasts)."""
    kept = dy.cmult(x, mask)
    if value == 0.0:
        return kept
    return kept + (-mask + 1.0) * value


def sin_embeddings(length: int, dim: int, transposed: bool = False) -> np.ndarray:
    r"""Sinusoidal position embeddings (Vaswani et al., 2017) as a ``(dim, length)`` array.

    .. math::

        E_{2i, t} = \sin(t / 10000^{2i/d}),\quad E_{2i+1, t} = \cos(t / 10000^{2i/d})

    Args:
        length: Number of positions.
        dim: Embedding dimension.
        transposed: Return ``(length, dim)`` instead.
    """
    if length < 1 or dim < 1:
        raise ValueError(f"sin_embeddings: length and dim must be positive, got {length}, {dim}")
    positions = np.arange(length)[None, :]
    rates = 1.0 / np.power(10000.0, (2 * (np.arange(dim) // 2)) / dim)[:, None]
    angles = positions * rates
    embeddings = np.where(np.arange(dim)[:, None] % 2 == 0, np.sin(angles), np.cos(angles))
    return embeddings.T if transposed else embeddings


def num_params(pc: dy.ParameterCollection, params: bool = True, lookup_params: bool = True) -> int:
    """Number of scalar parameters in ``pc`` (and its sub-collections)."""
    total = 0
    if params:
        total += sum(int(np.prod(p.shape())) for p in pc.parameters_list())
    if lookup_params:
        total += sum(int(np.prod(p.shape())) for p in pc.lookup_parameters_list())
    return total


def list_to_matrix(xs: Sequence[dy.Expression]) -> dy.Expression:
    """Concatenate column vectors into a ``(d, len(xs))`` matrix."""
    return dy.concatenate_cols(list(xs))


def matrix_to_image(x: dy.Expression) -> dy.Expression:
    """View a ``(h, w)`` matrix as a ``(h, w, 1)`` single-channel image."""
    (height, width), batch_size = x.dim()
    return dy.reshape(x, (height, width, 1), batch_size=batch_size)


def image_to_matrix(x: dy.Expression) -> dy.Expression:
    """View a ``(h, w, 1)`` single-channel image as a ``(h, w)`` matrix."""
    shape, batch_size = x.dim()
    if len(shape) != 3 or shape[2] != 1:
        raise ValueError(f"image_to_matrix expects a (h, w, 1) image, got {shape}")
    return dy.reshape(x, shape[:2], batch_size=batch_size)
