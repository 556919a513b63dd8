r"""Convolution layers: 1D convolutions over sequences and 2D convolutions over images.

Layouts (DyNet is column-major; the batch is always DyNet's batch dimension):

* sequences are ``(length, dim)`` matrices (a list of ``length`` vectors of dimension ``dim`` is
  also accepted); :class:`Conv1D` returns a ``(length', num_kernels)`` matrix;
* images are ``(height, width, channels)`` tensors (a ``(height, width)`` matrix is a
  one-channel image); :class:`Conv2D` returns a ``(height', width', num_kernels)`` tensor;
* kernels are stored in DyNet's ``dy.conv2d`` layout
  ``(kernel_height, kernel_width, in_channels, num_kernels)``; for :class:`Conv1D`,
  ``(kernel_width, 1, input_dim, num_kernels)``.

Both compute a cross-correlation (the kernel is not flipped). With ``zero_padded=True``
("same" padding) the input is padded with zeros so that the output has
:math:`\lceil n / s\rceil` positions along a dimension of size :math:`n` with stride :math:`s`,
the extra zero going after the input when the padding is odd; with ``zero_padded=False``
("valid") there are :math:`\lfloor (n - k) / s\rfloor + 1` positions for a kernel of size
:math:`k`. In training mode, dropout is applied to the input (one mask per batch element).

Example:
    >>> import dynet as dy, dynn
    >>> from dynn.layers.convolution_layers import Conv1D
    >>> conv = Conv1D(dy.ParameterCollection(), input_dim=3, num_kernels=5, kernel_width=2)
    >>> dynn.new_graph(conv)
    >>> sentence = dy.random_normal((7, 3), batch_size=2)  # length 7, dimension 3
    >>> conv(sentence).dim(), conv(sentence, zero_padded=False, stride=2).dim()
    (((7, 5), 2), ((3, 5), 2))
"""

from typing import Callable, Optional, Sequence, Tuple, Union

import dynet as dy

from .. import activations
from ..parameter_initialization import ZeroInit
from ..util import conditional_dropout
from . import _arguments as check
from .base_layers import ParametrizedLayer

__all__ = ["Conv1D", "Conv2D"]

IntPair = Union[int, Sequence[int]]


class Conv1D(ParametrizedLayer):
    r"""1D convolution along the length of a ``(length, input_dim)`` sequence.

    .. math::

        y_{t, k} = f\Big(b_k + \sum_{j=0}^{w-1}\sum_{c=1}^{d}
        K_{j, c, k}\, \tilde x_{t s + j - p,\, c}\Big)

    for kernel width :math:`w`, stride :math:`s`, input dropout :math:`\tilde x`, and left
    padding :math:`p` (:math:`0` if ``zero_padded=False``, otherwise half of the zero padding
    needed for :math:`\lceil L/s\rceil` outputs, rounded down; out-of-range positions of
    :math:`\tilde x` are zeros).

    Args:
        pc: Parameter collection.
        input_dim: Dimension :math:`d` of each position of the input.
        num_kernels: Number of kernels (the output dimension).
        kernel_width: Width :math:`w` of the kernels (number of positions they span).
        activation: :math:`f` (default: identity).
        dropout_rate: Dropout rate on the input, in ``[0, 1)`` (training mode only).
        nobias: Omit the bias :math:`b`.
        zero_padded: Default padding: "same" if ``True``, "valid" if ``False``.
        stride: Default stride :math:`s` along the length.
        K: Existing ``(kernel_width, 1, input_dim, num_kernels)`` kernel parameter to share.
        b: Existing ``(num_kernels,)`` bias parameter to share.

    Example:
        >>> import dynet as dy, dynn, numpy as np
        >>> conv = Conv1D(dy.ParameterCollection(), 1, 1, kernel_width=2, nobias=True)
        >>> conv.parameters["K"].set_value(np.ones((2, 1, 1, 1)))  # sums 2 neighbours
        >>> dynn.new_graph(conv)
        >>> x = dy.inputTensor([[1.0], [2.0], [3.0]])  # length 3, dimension 1
        >>> conv(x).npvalue().ravel().tolist()
        [3.0, 5.0, 3.0]
        >>> conv(x, zero_padded=False).npvalue().ravel().tolist()
        [3.0, 5.0]
    """

    def __init__(
        self,
        pc: dy.ParameterCollection,
        input_dim: int,
        num_kernels: int,
        kernel_width: int,
        activation: Callable = activations.identity,
        dropout_rate: float = 0.0,
        nobias: bool = False,
        zero_padded: bool = True,
        stride: int = 1,
        K: Optional[dy.Parameters] = None,
        b: Optional[dy.Parameters] = None,
    ):
        super().__init__(pc, "conv1d")
        self.input_dim = check.positive_int("Conv1D", "input_dim", input_dim)
        self.num_kernels = check.positive_int("Conv1D", "num_kernels", num_kernels)
        self.kernel_width = check.positive_int("Conv1D", "kernel_width", kernel_width)
        check.callable_arg("Conv1D", "activation", activation)
        self.activation = activation
        self.dropout_rate = check.rate("Conv1D", "dropout_rate", dropout_rate)
        self.nobias = bool(nobias)
        self.zero_padded = bool(zero_padded)
        self.stride = check.positive_int("Conv1D", "stride", stride)
        if self.nobias and b is not None:
            raise ValueError("Conv1D: a bias b was given but nobias=True")
        shape = (self.kernel_width, 1, self.input_dim, self.num_kernels)
        self.add_parameters("K", shape, param=K)
        if not self.nobias:
            self.add_parameters("b", self.num_kernels, param=b, init=ZeroInit())

    def __call__(
        self, x, stride: Optional[int] = None, zero_padded: Optional[bool] = None
    ) -> dy.Expression:
        """Convolve ``x``, a ``(length, input_dim)`` matrix or a list of ``length`` vectors.

        Args:
            x: The input sequence.
            stride: Overrides the default stride.
            zero_padded: Overrides the default padding.

        Returns:
            A ``(length', num_kernels)`` matrix.
        """
        where = check.where(self)
        x = check.sequence_matrix(where, "x", x)
        (length, dim), batch_size = x.dim()
        if dim != self.input_dim:
            raise ValueError(
                f"{where}: argument x must have shape (length, {self.input_dim}), "
                f"got {(length, dim)}"
            )
        stride = self.stride if stride is None else check.positive_int(where, "stride", stride)
        zero_padded = self.zero_padded if zero_padded is None else bool(zero_padded)
        if not zero_padded and length < self.kernel_width:
            raise ValueError(
                f"{where}: the input (length {length}) is shorter than kernel_width "
                f"{self.kernel_width}, which zero_padded=False (valid convolution) needs"
            )
        x = conditional_dropout(x, self.dropout_rate, not self.test)
        image = dy.reshape(x, (length, 1, dim), batch_size=batch_size)
        output = _convolve(self, image, (stride, 1), zero_padded)
        out_length = output.dim()[0][0]
        output = dy.reshape(output, (out_length, self.num_kernels), batch_size=batch_size)
        return self.activation(output)


class Conv2D(ParametrizedLayer):
    r"""2D convolution over ``(height, width, num_channels)`` images.

    .. math::

        y_{i, j, k} = f\Big(b_k + \sum_{u=0}^{h-1}\sum_{v=0}^{w-1}\sum_{c=1}^{C}
        K_{u, v, c, k}\, \tilde x_{i s_1 + u - p_1,\, j s_2 + v - p_2,\, c}\Big)

    for a :math:`h\times w` kernel, strides :math:`(s_1, s_2)`, input dropout :math:`\tilde x`
    and left/top padding :math:`(p_1, p_2)` as in :class:`Conv1D` ("same" padding when
    ``zero_padded``, none otherwise). This is exactly ``dy.conv2d`` (plus bias and activation).

    Args:
        pc: Parameter collection.
        num_channels: Number of channels :math:`C` of the input image.
        num_kernels: Number of kernels (output channels).
        kernel_size: :math:`(h, w)`, or an int for a square kernel.
        activation: :math:`f` (default: identity).
        dropout_rate: Dropout rate on the input, in ``[0, 1)`` (training mode only).
        nobias: Omit the bias :math:`b`.
        zero_padded: Default padding: "same" if ``True``, "valid" if ``False``.
        strides: Default strides :math:`(s_1, s_2)` along height and width (or an int for both).
        K: Existing ``(h, w, num_channels, num_kernels)`` kernel parameter to share.
        b: Existing ``(num_kernels,)`` bias parameter to share.

    Example:
        >>> import dynet as dy, dynn
        >>> conv = Conv2D(dy.ParameterCollection(), 3, 8, kernel_size=(3, 3), strides=(2, 2))
        >>> dynn.new_graph(conv)
        >>> conv(dy.random_normal((32, 24, 3), batch_size=4)).dim()
        ((16, 12, 8), 4)
    """

    def __init__(
        self,
        pc: dy.ParameterCollection,
        num_channels: int,
        num_kernels: int,
        kernel_size: IntPair,
        activation: Callable = activations.identity,
        dropout_rate: float = 0.0,
        nobias: bool = False,
        zero_padded: bool = True,
        strides: IntPair = (1, 1),
        K: Optional[dy.Parameters] = None,
        b: Optional[dy.Parameters] = None,
    ):
        super().__init__(pc, "conv2d")
        self.num_channels = check.positive_int("Conv2D", "num_channels", num_channels)
        self.num_kernels = check.positive_int("Conv2D", "num_kernels", num_kernels)
        self.kernel_size: Tuple[int, int] = check.pair("Conv2D", "kernel_size", kernel_size)
        check.callable_arg("Conv2D", "activation", activation)
        self.activation = activation
        self.dropout_rate = check.rate("Conv2D", "dropout_rate", dropout_rate)
        self.nobias = bool(nobias)
        self.zero_padded = bool(zero_padded)
        self.strides: Tuple[int, int] = check.pair("Conv2D", "strides", strides)
        if self.nobias and b is not None:
            raise ValueError("Conv2D: a bias b was given but nobias=True")
        shape = self.kernel_size + (self.num_channels, self.num_kernels)
        self.add_parameters("K", shape, param=K)
        if not self.nobias:
            self.add_parameters("b", self.num_kernels, param=b, init=ZeroInit())

    def __call__(
        self,
        x: dy.Expression,
        strides: Optional[IntPair] = None,
        zero_padded: Optional[bool] = None,
    ) -> dy.Expression:
        """Convolve the image ``x`` (``(height, width, num_channels)``, or ``(height, width)``
        when ``num_channels == 1``).

        Args:
            x: The input image.
            strides: Overrides the default strides.
            zero_padded: Overrides the default padding.

        Returns:
            A ``(height', width', num_kernels)`` tensor.
        """
        where = check.where(self)
        check.require_expression(self, "x", x)
        shape, batch_size = x.dim()
        if len(shape) == 2 and self.num_channels == 1:
            x = dy.reshape(x, shape + (1,), batch_size=batch_size)
            shape = shape + (1,)
        if len(shape) != 3 or shape[2] != self.num_channels:
            raise ValueError(
                f"{where}: argument x must have shape (height, width, {self.num_channels}), "
                f"got {shape}"
            )
        strides = self.strides if strides is None else check.pair(where, "strides", strides)
        zero_padded = self.zero_padded if zero_padded is None else bool(zero_padded)
        if not zero_padded and (shape[0] < self.kernel_size[0] or shape[1] < self.kernel_size[1]):
            raise ValueError(
                f"{where}: the input ({shape[0]}x{shape[1]}) is smaller than kernel_size "
                f"{self.kernel_size}, which zero_padded=False (valid convolution) needs"
            )
        x = conditional_dropout(x, self.dropout_rate, not self.test)
        output = _convolve(self, x, strides, zero_padded)
        # Keep the channel axis even when there is one kernel.
        height, width = output.dim()[0][:2]
        output = dy.reshape(output, (height, width, self.num_kernels), batch_size=batch_size)
        return self.activation(output)


def _convolve(layer, image: dy.Expression, strides, zero_padded: bool) -> dy.Expression:
    strides = [int(s) for s in strides]
    if layer.nobias:
        return dy.conv2d(image, layer.K, stride=strides, is_valid=not zero_padded)
    return dy.conv2d_bias(image, layer.K, layer.b, stride=strides, is_valid=not zero_padded)
