"""Flow layers: reshape their input without computing anything.

Example:
    >>> import dynet as dy, dynn
    >>> from dynn.layers.flow_layers import Flatten
    >>> flatten = Flatten()
    >>> dynn.new_graph(flatten)
    >>> flatten(dy.zeros((3, 4), batch_size=7)).dim()
    ((12,), 7)
"""

import dynet as dy
import numpy as np

from . import _arguments as check
from .base_layers import BaseLayer

__all__ = ["Flatten"]


class Flatten(BaseLayer):
    r"""Flattens a tensor into a vector, batch dimension kept.

    .. math::

        y_{i_1 + n_1 i_2 + n_1 n_2 i_3 + \dots} = x_{i_1, i_2, i_3, \dots}

    The order is DyNet's column-major order: the first axis varies fastest (for a
    ``(height, width, channels)`` image, a column of pixels after another, channel by channel).

    Example:
        >>> import dynet as dy, dynn
        >>> flatten = Flatten()
        >>> dynn.new_graph(flatten)
        >>> flatten(dy.inputTensor([[1.0, 2.0], [3.0, 4.0]])).npvalue().tolist()
        [1.0, 3.0, 2.0, 4.0]
    """

    def __init__(self):
        super().__init__("flatten")

    def __call__(self, x: dy.Expression) -> dy.Expression:
        """``x`` reshaped to ``(prod(shape),)``, with the same batch size."""
        check.require_expression(self, "x", x)
        shape, batch_size = x.dim()
        return dy.reshape(x, (int(np.prod(shape)),), batch_size=batch_size)
