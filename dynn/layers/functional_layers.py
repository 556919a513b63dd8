"""Functional layers: functions, constants and arithmetic on layers, as layers.

These layers hold no parameters of their own. They let plain functions and constants take part in
layer compositions (:class:`~dynn.layers.combination_layers.Sequential`,
:class:`~dynn.layers.residual_layers.Residual`) and give layers arithmetic: for layers ``f`` and
``g``, ``f + g``, ``f - g`` and ``-f`` are layers (:class:`AdditionLayer`,
:class:`SubstractionLayer`, :class:`NegationLayer`), computing ``f(x) + g(x)`` and so on. A
number or numpy array in such an expression becomes a :class:`ConstantLayer`.

Example:
    >>> import dynet as dy, dynn
    >>> from dynn.layers.functional_layers import IdentityLayer, Lambda
    >>> double = Lambda(lambda x: x * 2.0)
    >>> layer = double - IdentityLayer() + 1.0  # x -> 2x - x + 1
    >>> dynn.new_graph(layer)
    >>> layer(dy.inputVector([1.0, 5.0])).npvalue().tolist()
    [2.0, 6.0]
"""

import operator
from typing import Callable, Optional, Sequence, Union

import dynet as dy
import numpy as np

from . import _arguments as check
from .base_layers import BaseLayer

__all__ = [
    "Lambda",
    "IdentityLayer",
    "ConstantLayer",
    "UnaryOpLayer",
    "NegationLayer",
    "BinaryOpLayer",
    "AdditionLayer",
    "SubstractionLayer",
    "SubtractionLayer",
    "CmultLayer",
]


class Lambda(BaseLayer):
    r"""A layer that applies a function: ``Lambda(f)(*args, **kwargs) == f(*args, **kwargs)``.

    .. math::

        y = f(x)

    Useful to put an activation or any expression-to-expression function in a composition.

    Args:
        function: The function, on ``dy.Expression`` objects.

    Example:
        >>> import dynet as dy, dynn
        >>> from dynn.activations import relu
        >>> layer = Lambda(relu)
        >>> dynn.new_graph(layer)
        >>> layer(dy.inputVector([-1.0, 1.0])).npvalue().tolist()
        [0.0, 1.0]
    """

    def __init__(self, function: Callable):
        super().__init__("lambda")
        check.callable_arg("Lambda", "function", function)
        self.function = function

    def __call__(self, *args, **kwargs):
        """``function(*args, **kwargs)``."""
        return self.function(*args, **kwargs)


class IdentityLayer(BaseLayer):
    r"""The identity: ``IdentityLayer()(x) is x``.

    .. math::

        y = x

    Example:
        >>> import dynet as dy, dynn
        >>> identity = IdentityLayer()
        >>> dynn.new_graph(identity)
        >>> x = dy.inputVector([1.0])
        >>> identity(x) is x
        True
    """

    def __init__(self):
        super().__init__("identity")

    def __call__(self, x):
        """``x``, unchanged."""
        return x


class ConstantLayer(BaseLayer):
    r"""A layer that ignores its inputs and returns a constant expression.

    .. math::

        y = c

    A number ``c`` becomes the vector ``[c]`` (of dimension 1, which DyNet broadcasts in
    element-wise operations); a list or array becomes the tensor of the same shape.

    Args:
        constant: A number, a (nested) list of numbers or a numpy array.

    Example:
        >>> import dynet as dy, dynn
        >>> layer = ConstantLayer([[1.0, 2.0], [3.0, 4.0]])
        >>> dynn.new_graph(layer)
        >>> layer(dy.inputVector([0.0])).dim()
        ((2, 2), 1)
    """

    def __init__(self, constant: Union[float, Sequence, np.ndarray]):
        super().__init__("constant")
        array = np.asarray(constant, dtype=float) if _is_numeric(constant) else None
        if array is None or array.size == 0:
            raise ValueError(
                f"ConstantLayer: constant must be a number, a list of numbers or a numeric "
                f"array, got {constant!r}"
            )
        self.constant = constant
        self._value = array.reshape(1) if array.ndim == 0 else array
        self._expression: Optional[dy.Expression] = None

    def init_layer(self, test: bool = True, update: bool = False) -> None:
        super().init_layer(test=test, update=update)
        self._expression = dy.inputTensor(self._value)

    def __call__(self, *args, **kwargs) -> dy.Expression:
        """The constant (the arguments are ignored)."""
        return self._expression


class UnaryOpLayer(BaseLayer):
    r"""Applies a function to the output of a layer: ``op(layer(*args, **kwargs))``.

    .. math::

        y = \mathrm{op}(f(x))

    Args:
        layer: The layer.
        unary_operation: A function on ``dy.Expression`` objects. For convenience the two
            arguments may also be given in the other order, ``UnaryOpLayer(op, layer)``.

    Example:
        >>> import dynet as dy, dynn
        >>> from dynn.activations import tanh
        >>> layer = UnaryOpLayer(IdentityLayer(), tanh)
        >>> dynn.new_graph(layer)
        >>> round(layer(dy.inputVector([0.5])).value(), 4)
        0.4621
    """

    def __init__(self, layer: BaseLayer, unary_operation: Callable):
        super().__init__("unary-op")
        if not isinstance(layer, BaseLayer) and isinstance(unary_operation, BaseLayer):
            layer, unary_operation = unary_operation, layer
        _check_layers(type(self).__name__, layer=layer)
        check.callable_arg(type(self).__name__, "unary_operation", unary_operation)
        self.layer = layer
        self.unary_operation = unary_operation

    def __call__(self, *args, **kwargs):
        """``unary_operation(layer(*args, **kwargs))``."""
        return self.unary_operation(self.layer(*args, **kwargs))


class NegationLayer(UnaryOpLayer):
    r"""The negation of a layer: ``NegationLayer(layer)(x) == -layer(x)``, also written ``-layer``.

    .. math::

        y = -f(x)

    Args:
        layer: The layer to negate.

    Example:
        >>> import dynet as dy, dynn
        >>> layer = -IdentityLayer()
        >>> type(layer).__name__
        'NegationLayer'
        >>> dynn.new_graph(layer)
        >>> layer(dy.inputVector([1.0, -2.0])).npvalue().tolist()
        [-1.0, 2.0]
    """

    def __init__(self, layer: BaseLayer):
        super().__init__(layer, operator.neg)
        self.name = "negation"


class BinaryOpLayer(BaseLayer):
    r"""Combines the outputs of two layers on the same input: ``op(layer1(x), layer2(x))``.

    .. math::

        y = \mathrm{op}(f_1(x), f_2(x))

    Both layers receive the same arguments.

    Args:
        layer1: The first layer.
        layer2: The second layer.
        binary_operation: A function of two ``dy.Expression`` objects. For convenience it may
            also be given first, ``BinaryOpLayer(op, layer1, layer2)``.

    Example:
        >>> import dynet as dy, dynn
        >>> layer = BinaryOpLayer(IdentityLayer(), ConstantLayer([3.0, 3.0]), dy.bmax)
        >>> dynn.new_graph(layer)
        >>> layer(dy.inputVector([1.0, 5.0])).npvalue().tolist()
        [3.0, 5.0]
    """

    def __init__(self, layer1: BaseLayer, layer2: BaseLayer, binary_operation: Callable):
        super().__init__("binary-op")
        if (
            not isinstance(layer1, BaseLayer)
            and isinstance(layer2, BaseLayer)
            and isinstance(binary_operation, BaseLayer)
        ):
            layer1, layer2, binary_operation = layer2, binary_operation, layer1
        _check_layers(type(self).__name__, layer1=layer1, layer2=layer2)
        check.callable_arg(type(self).__name__, "binary_operation", binary_operation)
        self.layer1 = layer1
        self.layer2 = layer2
        self.binary_operation = binary_operation

    def __call__(self, *args, **kwargs):
        """``binary_operation(layer1(*args, **kwargs), layer2(*args, **kwargs))``."""
        output1 = self.layer1(*args, **kwargs)
        output2 = self.layer2(*args, **kwargs)
        try:
            return self.binary_operation(output1, output2)
        except (ValueError, RuntimeError) as error:
            raise ValueError(
                f"{check.where(self)}: {_describe(self.binary_operation)} failed on the outputs "
                f"of layer1 ({_describe_output(output1)}) and layer2 "
                f"({_describe_output(output2)}): {error}"
            ) from error


class AdditionLayer(BinaryOpLayer):
    r"""The sum of two layers: ``layer1(x) + layer2(x)``, also written ``layer1 + layer2``.

    .. math::

        y = f_1(x) + f_2(x)

    Args:
        layer1: The first layer.
        layer2: The second layer.

    Example:
        >>> import dynet as dy, dynn
        >>> layer = IdentityLayer() + IdentityLayer()
        >>> dynn.new_graph(layer)
        >>> layer(dy.inputVector([1.0, 2.0])).npvalue().tolist()
        [2.0, 4.0]
    """

    def __init__(self, layer1: BaseLayer, layer2: BaseLayer):
        super().__init__(layer1, layer2, operator.add)
        self.name = "addition"


class SubstractionLayer(BinaryOpLayer, aliases=("SubtractionLayer",)):
    r"""The difference of two layers: ``layer1(x) - layer2(x)``, also written ``layer1 - layer2``.

    .. math::

        y = f_1(x) - f_2(x)

    (The spelling is the original dynn's; ``SubtractionLayer`` is an alias.)

    Args:
        layer1: The first layer.
        layer2: The layer subtracted.

    Example:
        >>> import dynet as dy, dynn
        >>> layer = IdentityLayer() - 1.0
        >>> dynn.new_graph(layer)
        >>> layer(dy.inputVector([1.0, 2.0])).npvalue().tolist()
        [0.0, 1.0]
    """

    def __init__(self, layer1: BaseLayer, layer2: BaseLayer):
        super().__init__(layer1, layer2, operator.sub)
        self.name = "substraction"


SubtractionLayer = SubstractionLayer


class CmultLayer(BinaryOpLayer):
    r"""The element-wise product of two layers: ``dy.cmult(layer1(x), layer2(x))``.

    .. math::

        y = f_1(x) \odot f_2(x)

    Args:
        layer1: The first layer.
        layer2: The second layer.

    Example:
        >>> import dynet as dy, dynn
        >>> layer = CmultLayer(IdentityLayer(), IdentityLayer())
        >>> dynn.new_graph(layer)
        >>> layer(dy.inputVector([2.0, 3.0])).npvalue().tolist()
        [4.0, 9.0]
    """

    def __init__(self, layer1: BaseLayer, layer2: BaseLayer):
        super().__init__(layer1, layer2, dy.cmult)
        self.name = "cmult"


def _is_numeric(value) -> bool:
    if isinstance(value, (bool, np.bool_)):
        return False
    try:
        array = np.asarray(value)
    except ValueError:
        return False
    return np.issubdtype(array.dtype, np.number) and not np.issubdtype(
        array.dtype, np.complexfloating
    )


def _describe(function) -> str:
    return getattr(function, "__name__", type(function).__name__)


def _describe_output(output) -> str:
    if isinstance(output, dy.Expression):
        shape, batch_size = output.dim()
        return f"shape {shape}, batch size {batch_size}"
    return type(output).__name__


def _check_layers(owner: str, **layers) -> None:
    for name, layer in layers.items():
        if not isinstance(layer, BaseLayer):
            raise TypeError(f"{owner}: {name} must be a layer, got {type(layer).__name__}")


def _as_operand(value) -> Optional[BaseLayer]:
    """``value`` as a layer for layer arithmetic: a layer, or a :class:`ConstantLayer` for a
    number or numpy array; ``None`` for anything else."""
    if isinstance(value, BaseLayer):
        return value
    if isinstance(value, (int, float, np.number, np.ndarray)) and _is_numeric(value):
        return ConstantLayer(value)
    return None
