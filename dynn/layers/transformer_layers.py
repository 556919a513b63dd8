r"""Transformer layers (Vaswani et al., 2017): encoder and decoder layers, stacks of them.

A sequence is a ``(input_dim, L)`` matrix, one column per position, batched or not.

**Architecture (post-norm, as in Vaswani et al. and the original dynn).** An encoder layer
(:class:`Transformer`) is

.. math::

    \begin{aligned}
    h &= \mathrm{LN}_1\big(x + \mathrm{dropout}(\mathrm{MHA}(x, x, x))\big) \\
    y &= \mathrm{LN}_2\big(h + \mathrm{dropout}(\mathrm{FF}(h))\big) \\
    \mathrm{FF}(h) &= W_{out} \, f(W_{in} h + b_{in}) + b_{out}
    \end{aligned}

and a decoder layer (:class:`CondTransformer`) inserts an attention over an encoder memory
:math:`c` between the two:

.. math::

    \begin{aligned}
    h &= \mathrm{LN}_1\big(x + \mathrm{dropout}(\mathrm{MHA}_{self}(x, x, x))\big) \\
    g &= \mathrm{LN}_2\big(h + \mathrm{dropout}(\mathrm{MHA}_{cond}(h, c, c))\big) \\
    y &= \mathrm{LN}_3\big(g + \mathrm{dropout}(\mathrm{FF}(g))\big)
    \end{aligned}

where :math:`\mathrm{LN}_i(z) = g_i \odot (z - \mu) / (\sigma + 10^{-8}) + b_i` normalises
each position (column) :math:`z` (:math:`\mu, \sigma`: mean and standard deviation of its
entries; as ``dy.layer_norm``), :math:`\mathrm{MHA}` is
:class:`~dynn.layers.attention_layers.MultiHeadAttention` with
``hidden_dim = out_dim = input_dim`` and :math:`\mathrm{FF}` is two
:class:`~dynn.layers.dense_layers.Affine` layers, ``feed_forward_in`` (activation :math:`f`) and
``feed_forward_out``. The sub-layers of a layer (and so its parameter paths) are ``self_att``
(and ``cond_att`` for decoder layers), ``feed_forward_in``, ``feed_forward_out``, and the
:class:`~dynn.layers.normalization_layers.LayerNorm` layers ``norm_self_att``
(:math:`\mathrm{LN}_1`), ``norm_cond_att`` (:math:`\mathrm{LN}_2` of decoder layers) and
``norm_ff`` (the last one).

We keep the post-norm placement of the paper (and of the original dynn) so that a layer computes
what its users expect; deep post-norm stacks usually need a learning-rate warm-up.

**Dropout** (one rate, ``dropout``, training mode only): on the output of each sub-layer before
the residual sum, and on the attention weights inside every attention (see
:mod:`~dynn.layers.attention_layers`).

**Masks.** ``triu=True`` makes the self-attention causal: position :math:`t` only attends to the
positions :math:`\le t`, so its output does not depend on later inputs. ``lengths`` masks the
padded positions (as keys) of each sequence of a batch, ``left_aligned`` tells where the padding
is. ``mask`` adds any additive mask of shape ``(L,)`` or ``(L, L)`` (``0`` = allowed,
``-1e9`` = masked, never ``-inf``). All the masks given are combined. The outputs at padded
positions are not meaningful (they are finite).

**Incremental decoding.** ``step`` runs one new position given the state of the previous ones:
for every layer, the projected keys and values of the previous positions' self-attention (and,
for decoder layers, of the memory, computed at the first step and reused while the same memory
expression is passed). Running ``step`` on positions ``0, 1, ..., L-1`` gives the outputs of the
causal full pass (``triu=True``), up to floating point rounding.

Example:
    >>> import dynet as dy, dynn, numpy as np
    >>> from dynn.layers.transformer_layers import StackedTransformers
    >>> encoder = StackedTransformers(
    ...     dy.ParameterCollection(), n_layers=2, input_dim=4, hidden_dim=8, n_heads=2)
    >>> dynn.new_graph(encoder)
    >>> x = dy.inputTensor(np.random.rand(4, 5, 3), batched=True)   # length 5, batch of 3
    >>> encoder(x, lengths=[5, 3, 2]).dim()
    ((4, 5), 3)
"""

from collections import namedtuple
from typing import Callable, List, Optional, Sequence, Tuple, Union

import dynet as dy

from .. import activations
from ..util import conditional_dropout
from . import _arguments as check
from .attention_layers import MultiHeadAttention, causal_mask, padding_mask
from .base_layers import BaseLayer, ParametrizedLayer
from .dense_layers import Affine
from .normalization_layers import LayerNorm

__all__ = [
    "Transformer",
    "StackedTransformers",
    "CondTransformer",
    "StackedCondTransformers",
    "TransformerState",
    "CondTransformerState",
]

#: Incremental decoding state of a :class:`Transformer`: the projected self-attention keys and
#: values of the previous positions, two ``(input_dim, t)`` matrices.
TransformerState = namedtuple("TransformerState", ["keys", "values"])

#: Incremental decoding state of a :class:`CondTransformer`: the self-attention cache
#: (``keys``, ``values``), the ``memory`` expression it was computed for and its projected
#: ``memory_keys`` and ``memory_values``.
CondTransformerState = namedtuple(
    "CondTransformerState", ["keys", "values", "memory", "memory_keys", "memory_values"]
)


def _as_matrix(x: dy.Expression) -> dy.Expression:
    shape, batch_size = x.dim()
    if len(shape) == 1:
        return dy.reshape(x, (shape[0], 1), batch_size=batch_size)
    return x


def _as_vector(x: dy.Expression) -> dy.Expression:
    shape, batch_size = x.dim()
    return dy.reshape(x, (shape[0],), batch_size=batch_size)


def _check_sequence(layer, arg: str, x, dim: int) -> Tuple[dy.Expression, bool]:
    """``x`` as a ``(dim, L)`` matrix, and whether it was a single ``(dim,)`` vector."""
    where = check.where(layer)
    check.expression(where, arg, x)
    shape = x.dim()[0]
    if len(shape) not in (1, 2) or shape[0] != dim:
        raise ValueError(
            f"{where}: argument {arg} must have shape ({dim}, length) or ({dim},), got {shape}"
        )
    return _as_matrix(x), len(shape) == 1


def _attention_mask(
    layer,
    suffix: str,
    length: int,
    n_queries: int,
    batch_size: int,
    triu: bool = False,
    mask: Optional[dy.Expression] = None,
    lengths: Optional[Sequence[int]] = None,
    left_aligned: bool = True,
) -> Optional[dy.Expression]:
    """The sum of the causal, padding and user masks that apply (``None`` if none does)."""
    where = check.where(layer)
    parts = []
    if triu:
        parts.append(causal_mask(length))
    if mask is not None:
        check.expression(where, "mask" + suffix, mask)
        shape = mask.dim()[0]
        if shape not in {(length,), (length, 1), (length, n_queries)}:
            raise ValueError(
                f"{where}: argument mask{suffix} must have shape ({length},) or "
                f"({length}, {n_queries}) (keys x queries), got {shape}"
            )
        if len(shape) == 1:
            mask = dy.reshape(mask, (length, 1), batch_size=mask.dim()[1])
        parts.append(mask)
    if lengths is not None:
        checked = check.lengths(f"{where} (lengths{suffix})", lengths, length, batch_size)
        padding = padding_mask(checked.tolist(), length, left_aligned)
        parts.append(dy.reshape(padding, (length, 1), batch_size=padding.dim()[1]))
    if not parts:
        return None
    # A (L, L) mask first, so that the (L, 1) masks broadcast over its columns (``+``
    # broadcasts, ``dy.esum`` does not).
    parts.sort(key=lambda part: -part.dim()[0][1])
    combined = parts[0]
    for part in parts[1:]:
        combined = combined + part
    return combined


def _batch_size(layer, x: dy.Expression, c: dy.Expression) -> int:
    """The batch size of the input ``x`` with the memory ``c`` (either may be unbatched)."""
    x_batch, c_batch = x.dim()[1], c.dim()[1]
    if x_batch != c_batch and 1 not in (x_batch, c_batch):
        raise ValueError(
            f"{check.where(layer)}: arguments x and c have incompatible batch sizes "
            f"({x_batch} and {c_batch})"
        )
    return max(x_batch, c_batch)


class _TransformerLayer(ParametrizedLayer):
    """The feed-forward block, layer normalisations and residual dropout of transformer layers."""

    input_dim: int
    hidden_dim: int
    dropout: float

    def _declare_common(self, input_dim, hidden_dim, n_heads, activation, dropout, cond):
        name = type(self).__name__
        self.input_dim = check.positive_int(name, "input_dim", input_dim)
        self.hidden_dim = check.positive_int(name, "hidden_dim", hidden_dim)
        self.n_heads = check.positive_int(name, "n_heads", n_heads)
        if self.input_dim % self.n_heads:
            raise ValueError(
                f"{name}: input_dim ({self.input_dim}) must be a multiple of n_heads "
                f"({self.n_heads})"
            )
        check.callable_arg(name, "activation", activation)
        self.activation = activation
        self.dropout = check.rate(name, "dropout", dropout)
        d = self.input_dim
        self.self_att = MultiHeadAttention(self.pc, n_heads, d, d, d, d, d, dropout=dropout)
        self.feed_forward_in = Affine(self.pc, d, self.hidden_dim, activation=activation)
        self.feed_forward_out = Affine(self.pc, self.hidden_dim, d)
        self.norm_self_att = LayerNorm(self.pc, d)
        if cond:
            self.norm_cond_att = LayerNorm(self.pc, d)
        self.norm_ff = LayerNorm(self.pc, d)

    def _add_and_norm(self, norm: LayerNorm, x: dy.Expression, sublayer_output: dy.Expression):
        """:math:`\\mathrm{LN}(x + \\mathrm{dropout}(s))` for every column."""
        h = x + conditional_dropout(sublayer_output, self.dropout, not self.test)
        return norm(h, d=1)

    def _feed_forward_block(self, h: dy.Expression) -> dy.Expression:
        """The feed-forward sub-layer and the last residual and normalisation."""
        output = self.feed_forward_out(self.feed_forward_in(h))
        return self._add_and_norm(self.norm_ff, h, output)

    def _self_attention_step(self, cache_keys, cache_values, x: dy.Expression):
        """Self-attention of one new position ``x`` (``(d, 1)``) over the cache and itself."""
        attention = self.self_att
        keys, values = attention.Wk * x, attention.Wv * x
        if cache_keys is not None:
            keys = dy.concatenate([cache_keys, keys], d=1)
            values = dy.concatenate([cache_values, values], d=1)
        output, weights = attention.attend_projected(attention.Wq * x, keys, values)
        weights = [_as_vector(w) for w in weights]
        return keys, values, self._add_and_norm(self.norm_self_att, x, output), weights


class Transformer(_TransformerLayer):
    r"""Transformer encoder layer: self-attention and feed-forward, with residuals and LayerNorm.

    See the module documentation for the equations, masks, dropout and incremental decoding.

    Args:
        pc: Parameter collection.
        input_dim: Dimension :math:`d` of the inputs, outputs and attention (a multiple of
            ``n_heads``).
        hidden_dim: Hidden dimension of the feed-forward block (:math:`W_{in}` is
            ``(hidden_dim, input_dim)``).
        n_heads: Number of attention heads.
        activation: :math:`f`, activation of the feed-forward block (default ``relu``).
        dropout: Residual and attention dropout rate (training mode only).

    Example:
        >>> import dynet as dy, dynn, numpy as np
        >>> layer = Transformer(dy.ParameterCollection(), input_dim=4, hidden_dim=8, n_heads=2)
        >>> dynn.new_graph(layer)
        >>> x = dy.inputTensor(np.random.rand(4, 6))
        >>> y, weights = layer(x, triu=True, return_att=True)
        >>> y.dim(), len(weights), weights[0].dim()
        (((4, 6), 1), 2, ((6, 6), 1))
        >>> state, y_0 = layer.step(None, dy.pick(x, 0, 1))   # incremental decoding
        >>> bool(np.allclose(y_0.npvalue(), y.npvalue()[:, 0], atol=1e-6))
        True
    """

    def __init__(
        self,
        pc: dy.ParameterCollection,
        input_dim: int,
        hidden_dim: int,
        n_heads: int,
        activation: Callable[[dy.Expression], dy.Expression] = activations.relu,
        dropout: float = 0.0,
    ):
        super().__init__(pc, "transformer")
        self._declare_common(input_dim, hidden_dim, n_heads, activation, dropout, cond=False)

    def __call__(
        self,
        x: dy.Expression,
        lengths: Optional[Sequence[int]] = None,
        left_aligned: bool = True,
        triu: bool = False,
        mask: Optional[dy.Expression] = None,
        return_att: bool = False,
    ) -> Union[dy.Expression, Tuple[dy.Expression, List[dy.Expression]]]:
        """Run the layer on a sequence.

        Args:
            x: The input, ``(input_dim, L)`` (a ``(input_dim,)`` vector is one position).
            lengths: True length of each sequence of the batch (masks the padding as keys).
            left_aligned: Padding is at the end (``True``) or at the start of the sequences.
            triu: Causal self-attention (position ``t`` sees the positions ``<= t``).
            mask: An additive self-attention mask, ``(L,)`` or ``(L, L)`` (keys x queries).
            return_att: Also return the self-attention weights.

        Returns:
            The output (same shape as ``x``), and if ``return_att`` the list of the heads'
            self-attention weights, each ``(L, L)`` (keys x queries).
        """
        x, single = _check_sequence(self, "x", x, self.input_dim)
        length, batch_size = x.dim()[0][1], x.dim()[1]
        mask = _attention_mask(
            self, "", length, length, batch_size, triu, mask, lengths, left_aligned
        )
        attended, weights = self.self_att(x, x, x, mask)
        h = self._add_and_norm(self.norm_self_att, x, attended)
        y = self._feed_forward_block(h)
        if single:
            y = _as_vector(y)
        return (y, weights) if return_att else y

    def step(
        self,
        state: Optional[TransformerState],
        x: dy.Expression,
        return_att: bool = False,
    ):
        """Run one new position of a causal (``triu=True``) pass, given the previous ones.

        Args:
            state: ``None`` at the first position, then the state returned by the previous step.
            x: The new position's input, ``(input_dim,)``.
            return_att: Also return the self-attention weights over the positions so far.

        Returns:
            ``(new_state, y)`` with ``y`` of shape ``(input_dim,)`` (and the list of the heads'
            weights, each ``(t + 1,)``, if ``return_att``).
        """
        x = _check_step_input(self, x)
        _check_state(self, state, TransformerState)
        keys, values, h, weights = self._self_attention_step(
            *(state if state is not None else (None, None)), x
        )
        y = _as_vector(self._feed_forward_block(h))
        new_state = TransformerState(keys, values)
        return (new_state, y, weights) if return_att else (new_state, y)


class CondTransformer(_TransformerLayer):
    r"""Transformer decoder layer: self-attention, attention over a memory, feed-forward.

    See the module documentation for the equations, masks, dropout and incremental decoding. The
    self-attention is causal only with ``triu=True`` (the default is ``False``, as in the
    original dynn); ``step`` is always causal.

    Args:
        pc: Parameter collection.
        input_dim: Dimension :math:`d` of the inputs, outputs and attention (a multiple of
            ``n_heads``).
        hidden_dim: Hidden dimension of the feed-forward block.
        cond_dim: Dimension of the memory :math:`c` (the encoder's outputs).
        n_heads: Number of attention heads (for both attentions).
        activation: :math:`f`, activation of the feed-forward block (default ``relu``).
        dropout: Residual and attention dropout rate (training mode only).

    Example:
        >>> import dynet as dy, dynn, numpy as np
        >>> layer = CondTransformer(dy.ParameterCollection(), input_dim=4, hidden_dim=8,
        ...                         cond_dim=3, n_heads=2)
        >>> dynn.new_graph(layer)
        >>> x, memory = dy.inputTensor(np.random.rand(4, 6)), dy.inputTensor(np.random.rand(3, 5))
        >>> y, self_weights, cond_weights = layer(x, memory, triu=True, return_att=True)
        >>> y.dim(), cond_weights[0].dim()
        (((4, 6), 1), ((5, 6), 1))
        >>> state = None
        >>> for t in range(6):
        ...     state, y_t = layer.step(state, dy.pick(x, t, 1), memory)
        >>> bool(np.allclose(y_t.npvalue(), y.npvalue()[:, 5], atol=1e-6))
        True
    """

    def __init__(
        self,
        pc: dy.ParameterCollection,
        input_dim: int,
        hidden_dim: int,
        cond_dim: int,
        n_heads: int,
        activation: Callable[[dy.Expression], dy.Expression] = activations.relu,
        dropout: float = 0.0,
    ):
        super().__init__(pc, "cond-transformer")
        self.cond_dim = check.positive_int("CondTransformer", "cond_dim", cond_dim)
        self._declare_common(
            input_dim,
            hidden_dim,
            n_heads,
            activation,
            dropout,
            cond=True,
        )
        d, dc = self.input_dim, self.cond_dim
        self.cond_att = MultiHeadAttention(self.pc, n_heads, d, dc, dc, d, d, dropout=dropout)

    def __call__(
        self,
        x: dy.Expression,
        c: dy.Expression,
        lengths: Optional[Sequence[int]] = None,
        left_aligned: bool = True,
        mask: Optional[dy.Expression] = None,
        triu: bool = False,
        lengths_c: Optional[Sequence[int]] = None,
        left_aligned_c: bool = True,
        mask_c: Optional[dy.Expression] = None,
        return_att: bool = False,
    ):
        """Run the layer on a sequence, attending to the memory ``c``.

        Args:
            x: The input, ``(input_dim, L)`` (a ``(input_dim,)`` vector is one position).
            c: The memory, ``(cond_dim, l)``.
            lengths: True length of each input sequence (masks their padding in self-attention).
            left_aligned: Padding of ``x`` is at the end (``True``) or at the start.
            mask: An additive self-attention mask, ``(L,)`` or ``(L, L)``.
            triu: Causal self-attention.
            lengths_c: True length of each memory (masks its padding in the memory attention).
            left_aligned_c: Padding of ``c`` is at the end (``True``) or at the start.
            mask_c: An additive memory-attention mask, ``(l,)`` or ``(l, L)``.
            return_att: Also return the attention weights.

        Returns:
            The output (same shape as ``x``), and if ``return_att`` the lists of the heads'
            self-attention weights (``(L, L)``) and memory-attention weights (``(l, L)``).
        """
        x, single = _check_sequence(self, "x", x, self.input_dim)
        c, _ = _check_sequence(self, "c", c, self.cond_dim)
        length, memory_length = x.dim()[0][1], c.dim()[0][1]
        batch_size = _batch_size(self, x, c)
        mask = _attention_mask(
            self, "", length, length, batch_size, triu, mask, lengths, left_aligned
        )
        mask_c = _attention_mask(
            self, "_c", memory_length, length, batch_size, False, mask_c, lengths_c, left_aligned_c
        )
        attended, self_weights = self.self_att(x, x, x, mask)
        h = self._add_and_norm(self.norm_self_att, x, attended)
        conditioned, cond_weights = self.cond_att(h, c, c, mask_c)
        g = self._add_and_norm(self.norm_cond_att, h, conditioned)
        y = self._feed_forward_block(g)
        if single:
            y = _as_vector(y)
        return (y, self_weights, cond_weights) if return_att else y

    def step(
        self,
        state: Optional[CondTransformerState],
        x: dy.Expression,
        c: dy.Expression,
        lengths_c: Optional[Sequence[int]] = None,
        left_aligned_c: bool = True,
        mask_c: Optional[dy.Expression] = None,
        return_att: bool = False,
    ):
        """Run one new position of a causal pass, given the previous ones and the memory.

        Args:
            state: ``None`` at the first position, then the state returned by the previous step.
            x: The new position's input, ``(input_dim,)``.
            c: The memory, ``(cond_dim, l)``. Its projections are computed at the first step and
                kept in the state while the same expression is passed.
            lengths_c: True length of each memory (masks its padding).
            left_aligned_c: Padding of ``c`` is at the end (``True``) or at the start.
            mask_c: An additive memory-attention mask, ``(l,)``.
            return_att: Also return the attention weights.

        Returns:
            ``(new_state, y)`` with ``y`` of shape ``(input_dim,)`` (and the lists of the heads'
            self- and memory-attention weights if ``return_att``).
        """
        x = _check_step_input(self, x)
        c_matrix, _ = _check_sequence(self, "c", c, self.cond_dim)
        _check_state(self, state, CondTransformerState)
        memory_length = c_matrix.dim()[0][1]
        mask_c = _attention_mask(
            self,
            "_c",
            memory_length,
            1,
            _batch_size(self, x, c_matrix),
            False,
            mask_c,
            lengths_c,
            left_aligned_c,
        )
        if state is not None and state.memory is c:
            memory_keys, memory_values = state.memory_keys, state.memory_values
        else:
            memory_keys = self.cond_att.Wk * c_matrix
            memory_values = self.cond_att.Wv * c_matrix
        keys, values, h, self_weights = self._self_attention_step(
            *(state[:2] if state is not None else (None, None)), x
        )
        conditioned, cond_weights = self.cond_att.attend_projected(
            self.cond_att.Wq * h, memory_keys, memory_values, mask_c
        )
        cond_weights = [_as_vector(w) for w in cond_weights]
        g = self._add_and_norm(self.norm_cond_att, h, conditioned)
        y = _as_vector(self._feed_forward_block(g))
        new_state = CondTransformerState(keys, values, c, memory_keys, memory_values)
        if return_att:
            return new_state, y, self_weights, cond_weights
        return new_state, y


def _check_step_input(layer, x) -> dy.Expression:
    where = check.where(layer)
    check.expression(where, "x", x)
    shape = x.dim()[0]
    if shape not in {(layer.input_dim,), (layer.input_dim, 1)}:
        raise ValueError(
            f"{where}: step() takes one position: argument x must have shape "
            f"({layer.input_dim},), got {shape}"
        )
    return _as_matrix(x)


def _check_state(layer, state, state_type) -> None:
    if state is not None and not isinstance(state, state_type):
        raise TypeError(
            f"{check.where(layer)}: argument state must be None (first step) or the "
            f"{state_type.__name__} returned by the previous step, got {type(state).__name__}"
        )


def _check_layer_states(stack, states) -> list:
    if states is None:
        return [None] * len(stack.layers)
    if not isinstance(states, (list, tuple)) or len(states) != len(stack.layers):
        raise ValueError(
            f"{check.where(stack)}: argument state must be None (first step) or the list of "
            f"{len(stack.layers)} layer states returned by the previous step, got {states!r}"
        )
    return list(states)


def _select(outputs: list, return_last_only: bool):
    return outputs[-1] if return_last_only else outputs


class StackedTransformers(BaseLayer):
    """A stack of ``n_layers`` :class:`Transformer` layers (the encoder of Vaswani et al.).

    The masks (``triu``, ``lengths``, ``mask``) are computed once and apply to every layer.

    Args:
        pc: Parameter collection.
        n_layers: Number of layers.
        input_dim: Dimension of the inputs, outputs and attention of every layer.
        hidden_dim: Hidden dimension of the feed-forward blocks.
        n_heads: Number of attention heads.
        activation: Activation of the feed-forward blocks (default ``relu``).
        dropout: Residual and attention dropout rate (training mode only).

    Example:
        >>> import dynet as dy, dynn, numpy as np
        >>> stack = StackedTransformers(dy.ParameterCollection(), 2, 4, 8, n_heads=2)
        >>> dynn.new_graph(stack)
        >>> outputs, weights = stack(dy.inputTensor(np.random.rand(4, 3)), return_att=True,
        ...                          return_last_only=False)
        >>> len(outputs), len(weights), outputs[-1].dim()
        (2, 2, ((4, 3), 1))
    """

    def __init__(
        self,
        pc: dy.ParameterCollection,
        n_layers: int,
        input_dim: int,
        hidden_dim: int,
        n_heads: int,
        activation: Callable[[dy.Expression], dy.Expression] = activations.relu,
        dropout: float = 0.0,
    ):
        super().__init__("stacked-transformers")
        self.n_layers = check.positive_int("StackedTransformers", "n_layers", n_layers)
        subcollection = pc.add_subcollection("stacked-transformers")
        self.layers = [
            Transformer(subcollection, input_dim, hidden_dim, n_heads, activation, dropout)
            for _ in range(self.n_layers)
        ]
        self.input_dim = self.layers[0].input_dim
        self.hidden_dim = self.layers[0].hidden_dim
        self.n_heads = self.layers[0].n_heads
        self.activation = activation
        self.dropout = self.layers[0].dropout

    def __call__(
        self,
        x: dy.Expression,
        lengths: Optional[Sequence[int]] = None,
        left_aligned: bool = True,
        triu: bool = False,
        mask: Optional[dy.Expression] = None,
        return_att: bool = False,
        return_last_only: bool = True,
    ):
        """Run every layer (arguments as :meth:`Transformer.__call__`).

        Args:
            return_last_only: Return the last layer's output (and weights) only, instead of the
                lists of every layer's.
        """
        x, single = _check_sequence(self, "x", x, self.input_dim)
        length, batch_size = x.dim()[0][1], x.dim()[1]
        mask = _attention_mask(
            self, "", length, length, batch_size, triu, mask, lengths, left_aligned
        )
        outputs, all_weights = [], []
        for layer in self.layers:
            x, weights = layer(x, mask=mask, return_att=True)
            outputs.append(_as_vector(x) if single else x)
            all_weights.append(weights)
        outputs = _select(outputs, return_last_only)
        if return_att:
            return outputs, _select(all_weights, return_last_only)
        return outputs

    def step(
        self,
        state: Optional[List[TransformerState]],
        x: dy.Expression,
        return_att: bool = False,
        return_last_only: bool = True,
    ):
        """Run one new position through every layer (see :meth:`Transformer.step`).

        Args:
            state: ``None`` at the first position, then the list of layer states returned by
                the previous step.
            x: The new position's input, ``(input_dim,)``.
            return_att: Also return the attention weights.
            return_last_only: Return the last layer's output (and weights) only.

        Returns:
            ``(new_state, y)`` (and the weights if ``return_att``).
        """
        states = _check_layer_states(self, state)
        new_states, outputs, all_weights = [], [], []
        for layer, layer_state in zip(self.layers, states):
            layer_state, x, weights = layer.step(layer_state, x, return_att=True)
            new_states.append(layer_state)
            outputs.append(x)
            all_weights.append(weights)
        outputs = _select(outputs, return_last_only)
        if return_att:
            return new_states, outputs, _select(all_weights, return_last_only)
        return new_states, outputs


class StackedCondTransformers(BaseLayer):
    """A stack of ``n_layers`` :class:`CondTransformer` layers (the decoder of Vaswani et al.).

    The memory ``c`` is one expression shared by every layer or a list of one per layer. The
    masks are computed once and apply to every layer.

    Args:
        pc: Parameter collection.
        n_layers: Number of layers.
        input_dim: Dimension of the inputs, outputs and attention of every layer.
        hidden_dim: Hidden dimension of the feed-forward blocks.
        cond_dim: Dimension of the memory.
        n_heads: Number of attention heads.
        activation: Activation of the feed-forward blocks (default ``relu``).
        dropout: Residual and attention dropout rate (training mode only).

    Example:
        >>> import dynet as dy, dynn, numpy as np
        >>> decoder = StackedCondTransformers(dy.ParameterCollection(), 2, 4, 8, 3, n_heads=2)
        >>> dynn.new_graph(decoder)
        >>> memory = dy.inputTensor(np.random.rand(3, 7))
        >>> state, y = decoder.step(None, dy.inputVector([1.0, 0.0, 0.0, 0.0]), memory)
        >>> len(state), y.dim()
        (2, ((4,), 1))
    """

    def __init__(
        self,
        pc: dy.ParameterCollection,
        n_layers: int,
        input_dim: int,
        hidden_dim: int,
        cond_dim: int,
        n_heads: int,
        activation: Callable[[dy.Expression], dy.Expression] = activations.relu,
        dropout: float = 0.0,
    ):
        super().__init__("stacked-cond-transformers")
        self.n_layers = check.positive_int("StackedCondTransformers", "n_layers", n_layers)
        subcollection = pc.add_subcollection("stacked-cond-transformers")
        self.layers = [
            CondTransformer(
                subcollection, input_dim, hidden_dim, cond_dim, n_heads, activation, dropout
            )
            for _ in range(self.n_layers)
        ]
        self.input_dim = self.layers[0].input_dim
        self.hidden_dim = self.layers[0].hidden_dim
        self.cond_dim = self.layers[0].cond_dim
        self.n_heads = self.layers[0].n_heads
        self.activation = activation
        self.dropout = self.layers[0].dropout

    def _memories(self, c) -> list:
        if isinstance(c, (list, tuple)):
            if len(c) == 1:
                return list(c) * len(self.layers)
            if len(c) != len(self.layers):
                raise ValueError(
                    f"{check.where(self)}: argument c must be one memory or a list of 1 or "
                    f"{len(self.layers)} (one per layer), got a list of {len(c)}"
                )
            return list(c)
        return [c] * len(self.layers)

    def __call__(
        self,
        x: dy.Expression,
        c: Union[dy.Expression, Sequence[dy.Expression]],
        lengths: Optional[Sequence[int]] = None,
        left_aligned: bool = True,
        mask: Optional[dy.Expression] = None,
        triu: bool = False,
        lengths_c: Optional[Sequence[int]] = None,
        left_aligned_c: bool = True,
        mask_c: Optional[dy.Expression] = None,
        return_att: bool = False,
        return_last_only: bool = True,
    ):
        """Run every layer (arguments as :meth:`CondTransformer.__call__`).

        Args:
            c: The memory, or a list of one memory per layer.
            return_last_only: Return the last layer's output (and weights) only, instead of the
                lists of every layer's.
        """
        memories = self._memories(c)
        x, single = _check_sequence(self, "x", x, self.input_dim)
        first_memory, _ = _check_sequence(self, "c", memories[0], self.cond_dim)
        length, memory_length = x.dim()[0][1], first_memory.dim()[0][1]
        batch_size = _batch_size(self, x, first_memory)
        mask = _attention_mask(
            self, "", length, length, batch_size, triu, mask, lengths, left_aligned
        )
        mask_c = _attention_mask(
            self, "_c", memory_length, length, batch_size, False, mask_c, lengths_c, left_aligned_c
        )
        outputs, self_weights, cond_weights = [], [], []
        for layer, memory in zip(self.layers, memories):
            x, layer_self_weights, layer_cond_weights = layer(
                x, memory, mask=mask, mask_c=mask_c, return_att=True
            )
            outputs.append(_as_vector(x) if single else x)
            self_weights.append(layer_self_weights)
            cond_weights.append(layer_cond_weights)
        outputs = _select(outputs, return_last_only)
        if return_att:
            return (
                outputs,
                _select(self_weights, return_last_only),
                _select(cond_weights, return_last_only),
            )
        return outputs

    def step(
        self,
        state: Optional[List[CondTransformerState]],
        x: dy.Expression,
        c: Union[dy.Expression, Sequence[dy.Expression]],
        lengths_c: Optional[Sequence[int]] = None,
        left_aligned_c: bool = True,
        mask_c: Optional[dy.Expression] = None,
        return_att: bool = False,
        return_last_only: bool = True,
    ):
        """Run one new position through every layer (see :meth:`CondTransformer.step`).

        Args:
            state: ``None`` at the first position, then the list of layer states returned by
                the previous step.
            x: The new position's input, ``(input_dim,)``.
            c: The memory, or a list of one memory per layer.
            lengths_c: True length of each memory (masks its padding).
            left_aligned_c: Padding of ``c`` is at the end (``True``) or at the start.
            mask_c: An additive memory-attention mask, ``(l,)``.
            return_att: Also return the attention weights.
            return_last_only: Return the last layer's output (and weights) only.

        Returns:
            ``(new_state, y)`` (and the self- and memory-attention weights if ``return_att``).
        """
        states = _check_layer_states(self, state)
        memories = self._memories(c)
        new_states, outputs, self_weights, cond_weights = [], [], [], []
        for layer, layer_state, memory in zip(self.layers, states, memories):
            layer_state, x, layer_self_weights, layer_cond_weights = layer.step(
                layer_state, x, memory, lengths_c, left_aligned_c, mask_c, return_att=True
            )
            new_states.append(layer_state)
            outputs.append(x)
            self_weights.append(layer_self_weights)
            cond_weights.append(layer_cond_weights)
        outputs = _select(outputs, return_last_only)
        if return_att:
            return (
                new_states,
                outputs,
                _select(self_weights, return_last_only),
                _select(cond_weights, return_last_only),
            )
        return new_states, outputs
