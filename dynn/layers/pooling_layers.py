r"""Pooling layers: max and mean pooling over sequences, max pooling over images.

Sequences are ``(length, dim)`` matrices (or lists of ``length`` vectors), images
``(height, width, channels)`` tensors or ``(height, width)`` matrices, as in
:mod:`dynn.layers.convolution_layers`. Pooling windows are "valid": a window of size :math:`k`
with stride :math:`s` over :math:`n` positions gives :math:`\lfloor (n - k)/s\rfloor + 1`
outputs. A kernel size of ``None`` pools over the whole dimension.

For padded batches of sequences, the 1D layers take ``lengths`` (one true length per batch
element): positions at or after a sequence's length are ignored, and a window that holds no real
position outputs zeros.

Example:
    >>> import dynet as dy, dynn
    >>> from dynn.layers.pooling_layers import MaxPool1D, MeanPool1D
    >>> maxpool, meanpool = MaxPool1D(), MeanPool1D()
    >>> dynn.new_graph(maxpool, meanpool)
    >>> # two sequences of length 2 and dimension 2 (x[t, c, b]); the second one has length 1
    >>> x = dy.inputTensor([[[1.0, 5.0], [2.0, 6.0]], [[3.0, 7.0], [9.0, 0.0]]], batched=True)
    >>> maxpool(x).npvalue().tolist()
    [[3.0, 7.0], [9.0, 6.0]]
    >>> meanpool(x, lengths=[2, 1]).npvalue().tolist()
    [[2.0, 5.0], [5.5, 6.0]]
"""

from typing import Optional, Sequence, Tuple, Union

import dynet as dy
import numpy as np

from ..util import batched_input
from . import _arguments as check
from .base_layers import BaseLayer

__all__ = ["MaxPool1D", "MeanPool1D", "MaxPool2D"]

# Added to padded positions before a max: large and finite (never -inf, see dynn.operations).
_MASK_VALUE = -1e9


def _window(where: str, length: int, kernel_size: Optional[int]) -> None:
    if kernel_size is not None and kernel_size > length:
        raise ValueError(
            f"{where}: kernel_size {kernel_size} is larger than the input length {length}"
        )


def _window_has_real_position(lengths: np.ndarray, out_length: int, stride: int) -> np.ndarray:
    """``(out_length, batch)``: 1.0 if window ``t`` starts before the sequence's end."""
    starts = np.arange(out_length)[:, None] * stride
    return (starts < lengths[None, :]).astype(float)


class _Pool1D(BaseLayer, register=False):
    """What 1-D poolings share: default window and stride, and the checks of a call."""

    def __init__(self, name: str, kernel_size: Optional[int], stride: int):
        super().__init__(name)
        kind = type(self).__name__
        self.kernel_size = check.optional_positive_int(kind, "kernel_size", kernel_size)
        self.stride = check.positive_int(kind, "stride", stride)

    def _checked_call(self, x, kernel_size, stride, lengths):
        """``(x, (length, dim), batch_size, kernel_size, stride, lengths)``, all checked."""
        where = check.where(self)
        x = check.sequence_matrix(where, "x", x)
        (length, dim), batch_size = x.dim()
        kernel_size = _override(where, "kernel_size", kernel_size, self.kernel_size)
        stride = _override(where, "stride", stride, self.stride)
        _window(where, length, kernel_size)
        lengths = check.lengths(where, lengths, length, batch_size)
        return x, (length, dim), batch_size, kernel_size, stride, lengths


class MaxPool1D(_Pool1D):
    r"""Max pooling along the length of a ``(length, dim)`` sequence.

    .. math::

        y_{t, c} = \max_{0 \le j < k} x_{t s + j,\, c}
        \qquad\text{or, with no kernel size,}\qquad y_c = \max_{t} x_{t, c}

    Args:
        kernel_size: Default window size :math:`k`; ``None`` pools over the whole sequence and
            returns a ``(dim,)`` vector.
        stride: Default stride :math:`s` between windows.

    Example:
        >>> import dynet as dy, dynn
        >>> pool = MaxPool1D(kernel_size=2)
        >>> dynn.new_graph(pool)
        >>> pool(dy.inputTensor([[1.0], [3.0], [2.0]])).npvalue().ravel().tolist()
        [3.0, 3.0]
    """

    def __init__(self, kernel_size: Optional[int] = None, stride: int = 1):
        super().__init__("maxpool1d", kernel_size, stride)

    def __call__(
        self,
        x,
        kernel_size: Optional[int] = None,
        stride: Optional[int] = None,
        lengths: Optional[Sequence[int]] = None,
    ) -> dy.Expression:
        """Max-pool ``x``, a ``(length, dim)`` matrix or a list of ``length`` vectors.

        Args:
            x: The input sequence(s).
            kernel_size: Overrides the default window size.
            stride: Overrides the default stride.
            lengths: True length of each sequence of a padded batch.

        Returns:
            A ``(dim,)`` vector without kernel size, else a ``(length', dim)`` matrix.
        """
        x, (length, dim), batch_size, kernel_size, stride, lengths = self._checked_call(
            x, kernel_size, stride, lengths
        )
        if lengths is not None and np.any(lengths < length):
            padded = np.arange(length)[:, None, None] >= lengths[None, None, :]
            x = x + batched_input(np.where(padded, _MASK_VALUE, 0.0))
        if kernel_size is None:
            return dy.max_dim(x, d=0)
        image = dy.reshape(x, (length, dim, 1), batch_size=batch_size)
        pooled = dy.maxpooling2d(image, ksize=[kernel_size, 1], stride=[stride, 1], is_valid=True)
        out_length = (length - kernel_size) // stride + 1
        output = dy.reshape(pooled, (out_length, dim), batch_size=batch_size)
        if lengths is not None and np.any(lengths < length):
            real = _window_has_real_position(lengths, out_length, stride)
            output = dy.cmult(output, batched_input(real[:, None, :]))
        return output


class MeanPool1D(_Pool1D):
    r"""Mean pooling along the length of a ``(length, dim)`` sequence.

    .. math::

        y_{t, c} = \frac{1}{|W_t|}\sum_{j \in W_t} x_{j, c},\qquad
        W_t = \{ts, \dots, ts + k - 1\} \cap \{0, \dots, \ell - 1\}

    for window size :math:`k`, stride :math:`s` and true length :math:`\ell` (the padded length
    if ``lengths`` is not given); without kernel size, :math:`y_c` is the mean over the
    :math:`\ell` real positions. Padded positions never contribute, whatever they hold.

    Args:
        kernel_size: Default window size :math:`k`; ``None`` pools over the whole sequence and
            returns a ``(dim,)`` vector.
        stride: Default stride :math:`s` between windows.

    Example:
        >>> import dynet as dy, dynn
        >>> pool = MeanPool1D()
        >>> dynn.new_graph(pool)
        >>> pool([dy.inputVector([1.0, 2.0]), dy.inputVector([3.0, 6.0])]).npvalue().tolist()
        [2.0, 4.0]
    """

    def __init__(self, kernel_size: Optional[int] = None, stride: int = 1):
        super().__init__("meanpool1d", kernel_size, stride)

    def __call__(
        self,
        x,
        kernel_size: Optional[int] = None,
        stride: Optional[int] = None,
        lengths: Optional[Sequence[int]] = None,
    ) -> dy.Expression:
        """Mean-pool ``x``, a ``(length, dim)`` matrix or a list of ``length`` vectors.

        Args:
            x: The input sequence(s).
            kernel_size: Overrides the default window size.
            stride: Overrides the default stride.
            lengths: True length of each sequence of a padded batch.

        Returns:
            A ``(dim,)`` vector without kernel size, else a ``(length', dim)`` matrix.
        """
        x, (length, dim), batch_size, kernel_size, stride, lengths = self._checked_call(
            x, kernel_size, stride, lengths
        )
        if kernel_size is None and (lengths is None or np.all(lengths == length)):
            return dy.mean_dim(x, d=[0], b=False)
        # y = A x with A[t, j] = 1/|W_t| for j in W_t (one A per batch element with lengths).
        pool_everything = kernel_size is None
        if pool_everything:
            kernel_size, stride = length, 1
        out_length = (length - kernel_size) // stride + 1
        starts = np.arange(out_length)[:, None] * stride
        positions = np.arange(length)[None, :]
        in_window = (positions >= starts) & (positions < starts + kernel_size)
        if lengths is None:
            weights = in_window / in_window.sum(axis=1, keepdims=True)
            averaging = dy.inputTensor(weights)
        else:
            in_window = in_window[:, :, None] & (positions[:, :, None] < lengths[None, None, :])
            counts = in_window.sum(axis=1, keepdims=True)
            weights = np.where(in_window, 1.0 / np.maximum(counts, 1), 0.0)
            averaging = batched_input(weights)
        output = averaging * x
        if pool_everything:
            return dy.reshape(output, (dim,), batch_size=batch_size)
        return output


class MaxPool2D(BaseLayer):
    r"""Max pooling over ``(height, width, channels)`` images, channel by channel.

    .. math::

        y_{i, j, c} = \max_{0 \le u < k_1,\ 0 \le v < k_2} x_{i s_1 + u,\, j s_2 + v,\, c}

    Args:
        kernel_size: Default window :math:`(k_1, k_2)` (an int for a square window). ``None``
            (or a ``None`` item) pools over the whole height and/or width.
        strides: Default strides :math:`(s_1, s_2)` (an int for both); ``None`` means ``(1, 1)``.

    Example:
        >>> import dynet as dy, dynn
        >>> pool = MaxPool2D(kernel_size=2, strides=2)
        >>> dynn.new_graph(pool)
        >>> pool(dy.random_normal((8, 6, 3), batch_size=5)).dim()
        ((4, 3, 3), 5)
        >>> pool(dy.random_normal((8, 6, 3)), kernel_size=(None, None)).dim()  # global max
        ((1, 1, 3), 1)
    """

    def __init__(
        self,
        kernel_size: Optional[Union[int, Tuple[Optional[int], Optional[int]]]] = None,
        strides: Optional[Union[int, Tuple[int, int]]] = None,
    ):
        super().__init__("maxpool2d")
        self.kernel_size = (
            None
            if kernel_size is None
            else check.pair("MaxPool2D", "kernel_size", kernel_size, allow_none_items=True)
        )
        self.strides = None if strides is None else check.pair("MaxPool2D", "strides", strides)

    def __call__(
        self,
        x: dy.Expression,
        kernel_size: Optional[Union[int, Tuple[Optional[int], Optional[int]]]] = None,
        strides: Optional[Union[int, Tuple[int, int]]] = None,
    ) -> dy.Expression:
        """Max-pool the image ``x`` (``(height, width, channels)`` or ``(height, width)``).

        Args:
            x: The input image.
            kernel_size: Overrides the default window.
            strides: Overrides the default strides.

        Returns:
            A ``(height', width', channels)`` tensor (``(height', width')`` for a matrix input).
        """
        where = check.where(self)
        check.require_expression(self, "x", x)
        shape, batch_size = x.dim()
        if len(shape) not in (2, 3):
            raise ValueError(
                f"{where}: argument x must be a (height, width, channels) image or a "
                f"(height, width) matrix, got shape {shape}"
            )
        if kernel_size is not None:
            kernel_size = check.pair(where, "kernel_size", kernel_size, allow_none_items=True)
        else:
            kernel_size = self.kernel_size or (None, None)
        if strides is not None:
            strides = check.pair(where, "strides", strides)
        else:
            strides = self.strides or (1, 1)
        ksize = [k if k is not None else n for k, n in zip(kernel_size, shape[:2])]
        if ksize[0] > shape[0] or ksize[1] > shape[1]:
            raise ValueError(
                f"{where}: kernel_size {tuple(ksize)} is larger than the input "
                f"({shape[0]}x{shape[1]})"
            )
        image = x if len(shape) == 3 else dy.reshape(x, shape + (1,), batch_size=batch_size)
        pooled = dy.maxpooling2d(image, ksize=ksize, stride=list(strides), is_valid=True)
        out_shape = tuple((n - k) // s + 1 for n, k, s in zip(shape[:2], ksize, strides))
        return dy.reshape(pooled, out_shape + tuple(shape[2:]), batch_size=batch_size)


def _override(where: str, arg: str, value, default):
    """A call-time override of a default hyper-parameter, checked."""
    if value is None:
        return default
    return check.positive_int(where, arg, value)
