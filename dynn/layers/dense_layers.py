"""Densely connected layers: affine (fully connected) and gated linear layers.

Both take a vector of dimension ``input_dim`` (or a ``(input_dim, L)`` matrix of ``L`` column
vectors, transformed column by column), batched or not. In training mode (``init(test=False)``)
dropout is applied to the input, with an independent mask for every batch element; test mode
applies no dropout.

Example:
    >>> import dynet as dy, dynn
    >>> from dynn.activations import relu
    >>> from dynn.layers.dense_layers import Affine
    >>> mlp_layer = Affine(dy.ParameterCollection(), 3, 2, activation=relu, dropout=0.1)
    >>> dynn.new_graph(mlp_layer, test=False, update=True)
    >>> mlp_layer(dy.inputTensor([[1.0] * 5, [2.0] * 5, [3.0] * 5], batched=True)).dim()
    ((2,), 5)
"""

from typing import Callable, Optional

import dynet as dy

from .. import activations
from ..parameter_initialization import ZeroInit
from ..util import conditional_dropout
from . import _arguments as check
from .base_layers import ParametrizedLayer

__all__ = ["Affine", "GatedLayer"]


class Affine(ParametrizedLayer):
    r"""Affine (fully connected) layer, with dropout on its input.

    .. math::

        y = f(W \tilde x + b),\qquad \tilde x = \mathrm{dropout}_p(x)

    where :math:`\mathrm{dropout}_p` (training mode only) zeroes each entry with probability
    :math:`p` and scales the others by :math:`1/(1-p)`, independently for each batch element.

    Args:
        pc: Parameter collection.
        input_dim: Dimension of :math:`x`.
        output_dim: Dimension of :math:`y`.
        activation: :math:`f` (default: identity).
        dropout: Dropout rate :math:`p` on the input, in ``[0, 1)``.
        nobias: Omit the bias :math:`b` (then :math:`y = f(W\tilde x)`).
        W: Existing ``(output_dim, input_dim)`` parameter to share (e.g. to tie weights).
        b: Existing ``(output_dim,)`` parameter to share.

    Example:
        >>> import dynet as dy, dynn
        >>> layer = Affine(dy.ParameterCollection(), input_dim=2, output_dim=1, nobias=True)
        >>> layer.parameters["W"].set_value([[1.0, -1.0]])
        >>> dynn.new_graph(layer)
        >>> layer(dy.inputVector([3.0, 1.0])).value()
        2.0
    """

    def __init__(
        self,
        pc: dy.ParameterCollection,
        input_dim: int,
        output_dim: int,
        activation: Callable = activations.identity,
        dropout: float = 0.0,
        nobias: bool = False,
        W: Optional[dy.Parameters] = None,
        b: Optional[dy.Parameters] = None,
    ):
        super().__init__(pc, "affine")
        self.input_dim = check.positive_int("Affine", "input_dim", input_dim)
        self.output_dim = check.positive_int("Affine", "output_dim", output_dim)
        check.callable_arg("Affine", "activation", activation)
        self.activation = activation
        self.dropout = check.rate("Affine", "dropout", dropout)
        self.nobias = bool(nobias)
        if self.nobias and b is not None:
            raise ValueError("Affine: a bias b was given but nobias=True")
        self.add_parameters("W", (self.output_dim, self.input_dim), param=W)
        if not self.nobias:
            self.add_parameters("b", self.output_dim, param=b, init=ZeroInit())

    def __call__(self, x: dy.Expression) -> dy.Expression:
        """:math:`f(W \\tilde x + b)` for ``x`` of shape ``(input_dim,)`` or ``(input_dim, L)``."""
        check.require_expression(self, "x", x)
        x = conditional_dropout(x, self.dropout, not self.test)
        if self.nobias:
            h = self.W * x
        else:
            h = dy.affine_transform([self.b, self.W, x])
        return self.activation(h)

    def _diagnose_call(self, method_name, args, kwargs):
        return _diagnose_dense_input(self, args, kwargs)


class GatedLayer(ParametrizedLayer):
    r"""Gated linear layer (Dauphin et al., 2017), with dropout on its input.

    .. math::

        y = f(W_o \tilde x + b_o) \odot \sigma(W_g \tilde x + b_g),\qquad
        \tilde x = \mathrm{dropout}_p(x)

    The same dropped-out input :math:`\tilde x` feeds the output and the gate (one mask per batch
    element, training mode only).

    Args:
        pc: Parameter collection.
        input_dim: Dimension of :math:`x`.
        output_dim: Dimension of :math:`y`.
        activation: :math:`f` (default: ``tanh``).
        dropout: Dropout rate :math:`p` on the input, in ``[0, 1)``.
        Wo, bo, Wg, bg: Existing parameters to share (shapes ``(output_dim, input_dim)`` and
            ``(output_dim,)``).

    Example:
        >>> import dynet as dy, dynn
        >>> glu = GatedLayer(dy.ParameterCollection(), 3, 4, dropout=0.5)
        >>> dynn.new_graph(glu, test=False)
        >>> glu(dy.inputVector([1.0, 2.0, 3.0])).dim()
        ((4,), 1)
    """

    def __init__(
        self,
        pc: dy.ParameterCollection,
        input_dim: int,
        output_dim: int,
        activation: Callable = activations.tanh,
        dropout: float = 0.0,
        Wo: Optional[dy.Parameters] = None,
        bo: Optional[dy.Parameters] = None,
        Wg: Optional[dy.Parameters] = None,
        bg: Optional[dy.Parameters] = None,
    ):
        super().__init__(pc, "gated")
        self.input_dim = check.positive_int("GatedLayer", "input_dim", input_dim)
        self.output_dim = check.positive_int("GatedLayer", "output_dim", output_dim)
        check.callable_arg("GatedLayer", "activation", activation)
        self.activation = activation
        self.dropout = check.rate("GatedLayer", "dropout", dropout)
        shape = (self.output_dim, self.input_dim)
        self.add_parameters("Wo", shape, param=Wo)
        self.add_parameters("bo", self.output_dim, param=bo, init=ZeroInit())
        self.add_parameters("Wg", shape, param=Wg)
        self.add_parameters("bg", self.output_dim, param=bg, init=ZeroInit())

    def init_layer(self, test: bool = True, update: bool = False) -> None:
        super().init_layer(test=test, update=update)
        # The output and the gate share one matrix product per call.
        self._W = dy.concatenate([self.Wo, self.Wg])
        self._b = dy.concatenate([self.bo, self.bg])

    def __call__(self, x: dy.Expression) -> dy.Expression:
        """:math:`f(W_o\\tilde x + b_o) \\odot \\sigma(W_g\\tilde x + b_g)`."""
        check.require_expression(self, "x", x)
        x = conditional_dropout(x, self.dropout, not self.test)
        h = dy.affine_transform([self._b, self._W, x])
        output = self.activation(dy.pickrange(h, 0, self.output_dim))
        gate = dy.logistic(dy.pickrange(h, self.output_dim, 2 * self.output_dim))
        return dy.cmult(output, gate)

    def _diagnose_call(self, method_name, args, kwargs):
        return _diagnose_dense_input(self, args, kwargs)


def _diagnose_dense_input(layer, args, kwargs):
    x = args[0] if args else kwargs.get("x")
    shape = x.dim()[0]
    if len(shape) not in (1, 2) or shape[0] != layer.input_dim:
        return (
            f"{check.where(layer)}: argument x must have shape ({layer.input_dim},) or "
            f"({layer.input_dim}, L), got {shape}"
        )
    return None
