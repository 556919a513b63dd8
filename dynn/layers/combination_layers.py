"""Combination layers: layers made of other layers, applied in sequence or in parallel.

Initialising a combination initialises every layer it holds (with the same modes).

Example:
    >>> import dynet as dy, dynn
    >>> from dynn.activations import relu
    >>> from dynn.layers.combination_layers import Sequential
    >>> from dynn.layers.dense_layers import Affine
    >>> pc = dy.ParameterCollection()
    >>> mlp = Sequential(Affine(pc, 3, 8, activation=relu, dropout=0.1), Affine(pc, 8, 2))
    >>> dynn.new_graph(mlp, test=False, update=True)
    >>> mlp(dy.inputVector([1.0, 2.0, 3.0])).dim()
    ((2,), 1)
"""

from typing import List, Optional

import dynet as dy

from . import _arguments as check
from .base_layers import BaseLayer

__all__ = ["Sequential", "Parallel"]


def _check_layers(owner: str, layers) -> List[BaseLayer]:
    if not layers:
        raise ValueError(f"{owner}: needs at least one layer")
    for index, layer in enumerate(layers):
        if not isinstance(layer, BaseLayer):
            raise TypeError(f"{owner}: layer {index} must be a layer, got {type(layer).__name__}")
    return list(layers)


class Sequential(BaseLayer):
    r"""Layers applied one after the other.

    .. math::

        y = f_n(\dots f_2(f_1(x)))

    Args:
        *layers: The layers :math:`f_1, \dots, f_n`, first applied first. Each layer's output
            must be a valid input of the next one.
        default_return_last_only: Return only the last output (default), or the list of every
            layer's output :math:`[f_1(x), f_2(f_1(x)), \dots]`.

    Example:
        >>> import dynet as dy, dynn
        >>> from dynn.layers.functional_layers import Lambda
        >>> net = Sequential(Lambda(lambda x: x + 1.0), Lambda(lambda x: x * 2.0))
        >>> dynn.new_graph(net)
        >>> [h.value() for h in net(dy.inputVector([1.0]), return_last_only=False)]
        [2.0, 4.0]
        >>> len(net), type(net[1]).__name__
        (2, 'Lambda')
    """

    def __init__(self, *layers: BaseLayer, default_return_last_only: bool = True):
        super().__init__("sequential")
        self.layers = _check_layers("Sequential", layers)
        self.default_return_last_only = bool(default_return_last_only)

    def __len__(self) -> int:
        return len(self.layers)

    def __getitem__(self, index: int) -> BaseLayer:
        return self.layers[index]

    def __call__(self, *args, return_last_only: Optional[bool] = None, **kwargs):
        """Apply the layers in order; ``args`` and ``kwargs`` go to the first layer.

        Args:
            *args: The input(s) of the first layer.
            return_last_only: Overrides ``default_return_last_only``.
            **kwargs: Keyword arguments of the first layer.

        Returns:
            The last layer's output, or the list of all the layers' outputs.
        """
        if return_last_only is None:
            return_last_only = self.default_return_last_only
        outputs = [self.layers[0](*args, **kwargs)]
        for layer in self.layers[1:]:
            outputs.append(layer(outputs[-1]))
        return outputs[-1] if return_last_only else outputs


class Parallel(BaseLayer):
    r"""Layers applied to the same input, their outputs concatenated.

    .. math::

        y = [f_1(x); f_2(x); \dots; f_n(x)]\quad\text{(along dimension } d\text{)}

    With ``insert_dim``, the outputs are stacked along a new dimension ``d`` instead (for
    vectors of dimension :math:`k`, ``dim=1`` gives a :math:`k \times n` matrix).

    Args:
        *layers: The layers :math:`f_1, \dots, f_n`. Their outputs must have the same shape except
            along the concatenation dimension (the same shape when stacking).
        dim: The concatenation dimension :math:`d` (negative counts from the end).
        default_insert_dim: Stack along a new dimension ``dim`` instead of concatenating.

    Example:
        >>> import dynet as dy, dynn
        >>> from dynn.layers.functional_layers import IdentityLayer, Lambda
        >>> both = Parallel(IdentityLayer(), Lambda(lambda x: x * 10.0))
        >>> dynn.new_graph(both)
        >>> x = dy.inputVector([1.0, 2.0])
        >>> both(x).npvalue().tolist()
        [1.0, 2.0, 10.0, 20.0]
        >>> both(x, insert_dim=True).npvalue().tolist()  # stacked as rows
        [[1.0, 2.0], [10.0, 20.0]]
    """

    def __init__(self, *layers: BaseLayer, dim: int = 0, default_insert_dim: bool = False):
        super().__init__("parallel")
        self.layers = _check_layers("Parallel", layers)
        if isinstance(dim, bool) or not isinstance(dim, int):
            raise ValueError(f"Parallel: dim must be an integer, got {dim!r}")
        self.dim = dim
        self.default_insert_dim = bool(default_insert_dim)

    def __len__(self) -> int:
        return len(self.layers)

    def __getitem__(self, index: int) -> BaseLayer:
        return self.layers[index]

    def __call__(self, *args, insert_dim: Optional[bool] = None, **kwargs) -> dy.Expression:
        """Apply every layer to ``args`` and ``kwargs`` and concatenate (or stack) the outputs.

        Args:
            *args: The input(s) of every layer.
            insert_dim: Overrides ``default_insert_dim``.
            **kwargs: Keyword arguments of every layer.
        """
        if insert_dim is None:
            insert_dim = self.default_insert_dim
        outputs = [layer(*args, **kwargs) for layer in self.layers]
        for index, output in enumerate(outputs):
            if not isinstance(output, dy.Expression):
                raise TypeError(
                    f"{check.where(self)}: the output of layer {index} must be a dy.Expression, "
                    f"got {type(output).__name__}"
                )
        shapes = [output.dim()[0] for output in outputs]
        ndim = max(len(shape) for shape in shapes) + (1 if insert_dim else 0)
        dim = self.dim + ndim if self.dim < 0 else self.dim
        if dim < 0:
            raise ValueError(
                f"{check.where(self)}: dim {self.dim} is out of range for outputs of shapes "
                f"{shapes}" + (" and a new dimension" if insert_dim else "")
            )
        # DyNet treats missing trailing dimensions as 1 (a vector is a one-column matrix).
        padded = [s + (1,) * (max(ndim, dim + 1) - len(s)) for s in shapes]
        if insert_dim:
            if len(set(shapes)) > 1:
                raise ValueError(
                    f"{check.where(self)}: stacking needs outputs of the same shape, got {shapes}"
                )
            padded = [s[:dim] + (1,) + s[dim:-1] for s in padded]
            outputs = [dy.reshape(o, s, batch_size=o.dim()[1]) for o, s in zip(outputs, padded)]
        others = {s[:dim] + s[dim + 1 :] for s in padded}
        if len(others) > 1:
            raise ValueError(
                f"{check.where(self)}: outputs must have the same shape except along dim "
                f"{self.dim}, got {shapes}"
            )
        return dy.concatenate(outputs, d=dim)
