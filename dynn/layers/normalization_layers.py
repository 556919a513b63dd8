r"""Normalization layers: layer normalization and batch normalization.

:class:`LayerNorm` normalizes each vector over its own coordinates (the same in training and
test mode). :class:`BatchNorm` normalizes each feature over the batch with the batch's
statistics in training mode, and keeps running averages of those statistics, which it uses in
test mode.

Example:
    >>> import dynet as dy, dynn
    >>> from dynn.layers.normalization_layers import BatchNorm, LayerNorm
    >>> pc = dy.ParameterCollection()
    >>> layer_norm, batch_norm = LayerNorm(pc, 3), BatchNorm(pc, 3)
    >>> dynn.new_graph(layer_norm, batch_norm, test=False, update=True)
    >>> x = dy.inputTensor([[1.0, 2.0], [2.0, 4.0], [6.0, 0.0]], batched=True)  # batch of 2
    >>> layer_norm(x).dim(), batch_norm(x).dim()
    (((3,), 2), ((3,), 2))
"""

from typing import Optional

import dynet as dy
import numpy as np

from ..parameter_initialization import OneInit, ZeroInit
from . import _arguments as check
from .base_layers import ParametrizedLayer

__all__ = ["LayerNorm", "BatchNorm"]

# DyNet's layer_norm divides by (sigma + 1e-8); the matrix form does the same.
_LAYER_NORM_EPS = 1e-8


class LayerNorm(ParametrizedLayer):
    r"""Layer normalization (Ba et al., 2016).

    .. math::

        y = g \odot \frac{x - \mu(x)}{\sigma(x) + \epsilon} + b,\qquad
        \mu(x) = \frac1d\sum_i x_i,\quad \sigma(x) = \sqrt{\frac1d\sum_i (x_i - \mu(x))^2}

    with :math:`\epsilon = 10^{-8}`, as ``dy.layer_norm``. A matrix is normalized slice by slice:
    with ``d=1`` each column of a ``(input_dim, L)`` matrix, with ``d=0`` each row of a
    ``(L, input_dim)`` matrix.

    Args:
        pc: Parameter collection.
        input_dim: Dimension :math:`d` of the normalized vectors.
        gain: Existing ``(input_dim,)`` parameter :math:`g` to share (default: new, ones).
        bias: Existing ``(input_dim,)`` parameter :math:`b` to share (default: new, zeros).

    Example:
        >>> import dynet as dy, dynn
        >>> norm = LayerNorm(dy.ParameterCollection(), 2)
        >>> dynn.new_graph(norm)
        >>> norm(dy.inputVector([1.0, 3.0])).npvalue().round(6).tolist()
        [-1.0, 1.0]
        >>> norm(dy.inputTensor([[1.0, 0.0, 5.0], [3.0, 2.0, 5.0]]), d=1).npvalue().round(6)
        array([[-1., -1.,  0.],
               [ 1.,  1.,  0.]])
    """

    def __init__(
        self,
        pc: dy.ParameterCollection,
        input_dim: int,
        gain: Optional[dy.Parameters] = None,
        bias: Optional[dy.Parameters] = None,
    ):
        super().__init__(pc, "layer-norm")
        self.input_dim = check.positive_int("LayerNorm", "input_dim", input_dim)
        self.add_parameters("gain", self.input_dim, param=gain, init=OneInit())
        self.add_parameters("bias", self.input_dim, param=bias, init=ZeroInit())

    def __call__(self, x: dy.Expression, d: Optional[int] = None) -> dy.Expression:
        """Normalize ``x``: a ``(input_dim,)`` vector, or a matrix with ``d`` its position axis.

        Args:
            x: The input.
            d: For a matrix: the axis along which the normalized vectors are laid out (``1`` for
                ``(input_dim, L)``, ``0`` for ``(L, input_dim)``).
        """
        check.require_expression(self, "x", x)
        shape, batch_size = x.dim()
        if d is None:
            if shape != (self.input_dim,):
                raise ValueError(
                    f"{check.where(self)}: argument x must have shape ({self.input_dim},) "
                    f"(or be a matrix, with d its position axis), got {shape}"
                )
            return dy.layer_norm(x, self.gain, self.bias)
        if d not in (0, 1):
            raise ValueError(f"{check.where(self)}: d must be 0, 1 or None, got {d!r}")
        if len(shape) != 2 or shape[1 - d] != self.input_dim:
            expected = ("L", self.input_dim) if d == 0 else (self.input_dim, "L")
            raise ValueError(
                f"{check.where(self)}: with d={d}, argument x must have shape "
                f"({expected[0]}, {expected[1]}), got {shape}"
            )
        axis = 1 - d  # the axis normalized over
        broadcast = (1, self.input_dim) if d == 0 else (self.input_dim, 1)
        mean = dy.mean_dim(x, d=[axis], b=False)
        length = shape[d]
        stat_shape = (length, 1) if d == 0 else (1, length)
        centered = x - dy.reshape(mean, stat_shape, batch_size=batch_size)
        std = dy.sqrt(dy.mean_dim(dy.square(centered), d=[axis], b=False))
        std = dy.reshape(std, stat_shape, batch_size=batch_size) + _LAYER_NORM_EPS
        gain = dy.reshape(self.gain, broadcast)
        bias = dy.reshape(self.bias, broadcast)
        return dy.cmult(gain, dy.cdiv(centered, std)) + bias


class BatchNorm(ParametrizedLayer):
    r"""Batch normalization (Ioffe and Szegedy, 2015), features on the last axis.

    .. math::

        y = g \odot \frac{x - \mu}{\sqrt{\sigma^2 + \epsilon}} + b

    In training mode, :math:`\mu` and :math:`\sigma^2` are the mean and (biased) variance of each
    feature over the batch (and over every other axis: the positions of a ``(L, input_dim)``
    sequence, the pixels of a ``(height, width, input_dim)`` image), gradients flow through them,
    and every call updates the running statistics:

    .. math::

        \hat\mu \leftarrow (1 - m)\,\hat\mu + m\,\mu,\qquad
        \hat\sigma^2 \leftarrow (1 - m)\,\hat\sigma^2 + m\,\frac{n}{n-1}\sigma^2

    (:math:`m` the momentum, :math:`n` the number of values per feature). In test mode,
    :math:`\hat\mu` and :math:`\hat\sigma^2` replace :math:`\mu` and :math:`\sigma^2`, so outputs
    do not depend on the rest of the batch.

    The running statistics are parameters of the layer named ``running_mean`` and
    ``running_var``, so they are saved and loaded with the model; trainers never update them
    (``set_updated(False)``) and they receive no gradient.

    Args:
        pc: Parameter collection.
        input_dim: Number of features (size of the last axis of the input).
        momentum: Weight :math:`m` of the current batch in the running statistics, in
            ``[0, 1]``.
        eps: :math:`\epsilon`, added to the variance.
        gain: Existing ``(input_dim,)`` parameter :math:`g` to share (default: new, ones).
        bias: Existing ``(input_dim,)`` parameter :math:`b` to share (default: new, zeros).

    Example:
        >>> import dynet as dy, dynn
        >>> norm = BatchNorm(dy.ParameterCollection(), 1, momentum=0.5)
        >>> dynn.new_graph(norm, test=False)
        >>> norm(dy.inputTensor([[1.0, 3.0]], batched=True)).npvalue().round(3).tolist()
        [[-1.0, 1.0]]
        >>> [stat.tolist() for stat in norm.running_statistics()]  # 0.5 (0, 1) + 0.5 (2, 2)
        [[1.0], [1.5]]
    """

    def __init__(
        self,
        pc: dy.ParameterCollection,
        input_dim: int,
        momentum: float = 0.1,
        eps: float = 1e-5,
        gain: Optional[dy.Parameters] = None,
        bias: Optional[dy.Parameters] = None,
    ):
        super().__init__(pc, "batch-norm")
        self.input_dim = check.positive_int("BatchNorm", "input_dim", input_dim)
        self.momentum = check.number("BatchNorm", "momentum", momentum)
        if not 0.0 <= self.momentum <= 1.0:
            raise ValueError(f"BatchNorm: momentum must be in [0, 1], got {momentum!r}")
        self.eps = check.number("BatchNorm", "eps", eps)
        if not self.eps > 0:
            raise ValueError(f"BatchNorm: eps must be positive, got {eps!r}")
        self.add_parameters("gain", self.input_dim, param=gain, init=OneInit())
        self.add_parameters("bias", self.input_dim, param=bias, init=ZeroInit())
        for name, init in (("running_mean", ZeroInit()), ("running_var", OneInit())):
            self.add_parameters(name, self.input_dim, init=init).set_updated(False)

    def init_layer(self, test: bool = True, update: bool = False) -> None:
        super().init_layer(test=test, update=update)
        # Statistics are constants, whatever ``update`` says.
        self.running_mean = self._parameters["running_mean"].expr(False)
        self.running_var = self._parameters["running_var"].expr(False)

    def running_statistics(self):
        """The running mean and variance, as numpy arrays of shape ``(input_dim,)``."""
        return (
            self._parameters["running_mean"].as_array(),
            self._parameters["running_var"].as_array(),
        )

    def __call__(self, x: dy.Expression) -> dy.Expression:
        """Normalize ``x`` of shape ``(input_dim,)`` or ``(..., input_dim)``."""
        check.require_expression(self, "x", x)
        shape, batch_size = x.dim()
        if shape[-1] != self.input_dim:
            raise ValueError(
                f"{check.where(self)}: argument x must have shape ({self.input_dim},) or "
                f"(..., {self.input_dim}), got {shape}"
            )
        broadcast = (1,) * (len(shape) - 1) + (self.input_dim,)
        if self.test:
            mean, var = self.running_mean, self.running_var
        else:
            mean, var = self._batch_statistics(x, shape, batch_size)
        if len(shape) > 1:
            mean, var = dy.reshape(mean, broadcast), dy.reshape(var, broadcast)
            gain, bias = dy.reshape(self.gain, broadcast), dy.reshape(self.bias, broadcast)
        else:
            gain, bias = self.gain, self.bias
        normalized = dy.cdiv(x - mean, dy.sqrt(var + self.eps))
        return dy.cmult(gain, normalized) + bias

    def _batch_statistics(self, x, shape, batch_size):
        count = batch_size * int(np.prod(shape[:-1]))
        if count < 2:
            raise ValueError(
                f"{check.where(self)}: in training mode, each feature needs at least 2 values to "
                f"normalize over, got a batch of {batch_size} input(s) of shape {shape}"
            )
        mean = self._mean_over_values(x, shape)
        broadcast = (1,) * (len(shape) - 1) + (self.input_dim,)
        centered = x - (dy.reshape(mean, broadcast) if len(shape) > 1 else mean)
        var = self._mean_over_values(dy.square(centered), shape)
        m = self.momentum
        running_mean, running_var = self.running_statistics()
        batch_mean = np.asarray(mean.npvalue()).reshape(self.input_dim)
        batch_var = np.asarray(var.npvalue()).reshape(self.input_dim) * count / (count - 1)
        self._parameters["running_mean"].set_value((1 - m) * running_mean + m * batch_mean)
        self._parameters["running_var"].set_value((1 - m) * running_var + m * batch_var)
        return mean, var

    @staticmethod
    def _mean_over_values(x, shape):
        """Mean over the batch and all axes but the last: a ``(input_dim,)`` expression."""
        if len(shape) == 1:
            return dy.mean_batches(x)
        return dy.mean_dim(x, d=list(range(len(shape) - 1)), b=True)
