r"""Residual connections (He et al., 2016).

Example:
    >>> import dynet as dy, dynn
    >>> from dynn.activations import relu
    >>> from dynn.layers.dense_layers import Affine
    >>> from dynn.layers.residual_layers import Residual
    >>> block = Residual(Affine(dy.ParameterCollection(), 4, 4, activation=relu))
    >>> dynn.new_graph(block)
    >>> block(dy.inputVector([1.0, 2.0, 3.0, 4.0])).dim()
    ((4,), 1)
"""

from typing import Optional

import dynet as dy

from . import _arguments as check
from .base_layers import BaseLayer

__all__ = ["Residual"]


class Residual(BaseLayer):
    r"""Adds a shortcut connection around a layer.

    .. math::

        y = \alpha\, f(x) + \beta\, s(x)

    where :math:`f` is the layer, :math:`s` the shortcut transform (the identity by default),
    :math:`\alpha` the layer weight and :math:`\beta` the shortcut weight.

    Args:
        layer: The layer :math:`f`.
        shortcut_transform: A layer :math:`s` applied to the input on the shortcut path (e.g.
            an :class:`~dynn.layers.dense_layers.Affine` projection when :math:`f` changes the
            dimension); ``None`` for the identity.
        layer_weight: :math:`\alpha`.
        shortcut_weight: :math:`\beta`.

    Example:
        >>> import dynet as dy, dynn
        >>> from dynn.layers.functional_layers import Lambda
        >>> block = Residual(Lambda(lambda x: x * 3.0), layer_weight=0.5, shortcut_weight=2.0)
        >>> dynn.new_graph(block)
        >>> block(dy.inputVector([1.0, -2.0])).npvalue().tolist()  # 0.5 * 3x + 2x
        [3.5, -7.0]
    """

    def __init__(
        self,
        layer: BaseLayer,
        shortcut_transform: Optional[BaseLayer] = None,
        layer_weight: float = 1.0,
        shortcut_weight: float = 1.0,
    ):
        super().__init__("residual")
        if not isinstance(layer, BaseLayer):
            raise TypeError(f"Residual: layer must be a layer, got {type(layer).__name__}")
        if shortcut_transform is not None and not isinstance(shortcut_transform, BaseLayer):
            raise TypeError(
                f"Residual: shortcut_transform must be a layer or None, "
                f"got {type(shortcut_transform).__name__}"
            )
        self.layer = layer
        self.shortcut_transform = shortcut_transform
        self.layer_weight = check.number("Residual", "layer_weight", layer_weight)
        self.shortcut_weight = check.number("Residual", "shortcut_weight", shortcut_weight)

    def __call__(self, x, *args, **kwargs) -> dy.Expression:
        """:math:`\\alpha f(x) + \\beta s(x)`.

        Extra arguments go to the layer, and to the shortcut transform if there is one (the
        identity shortcut is ``x`` itself).
        """
        output = self.layer(x, *args, **kwargs)
        if self.shortcut_transform is None:
            shortcut = x
        else:
            shortcut = self.shortcut_transform(x, *args, **kwargs)
        for name, value in (("the layer", output), ("the shortcut", shortcut)):
            if not isinstance(value, dy.Expression):
                raise TypeError(
                    f"{check.where(self)}: the output of {name} must be a dy.Expression, "
                    f"got {type(value).__name__}"
                )
        if self.layer_weight != 1.0:
            output = output * self.layer_weight
        if self.shortcut_weight != 1.0:
            shortcut = shortcut * self.shortcut_weight
        try:
            return output + shortcut
        except ValueError as error:
            (out_shape, out_batch), (cut_shape, cut_batch) = output.dim(), shortcut.dim()
            raise ValueError(
                f"{check.where(self)}: the layer's output (shape {out_shape}, batch size "
                f"{out_batch}) and the shortcut (shape {cut_shape}, batch size {cut_batch}) "
                f"cannot be added; use a shortcut_transform to match them"
            ) from error
