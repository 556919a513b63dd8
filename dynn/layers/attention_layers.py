r"""Attention layers: MLP (additive), bilinear and multi-head (scaled dot-product) attention.

Every layer is called as ``output, weights = attention(query, keys, values, mask=None)``:

- ``query`` is one query ``(query_dim,)`` or ``l`` queries as the columns of a
  ``(query_dim, l)`` matrix;
- ``keys`` is ``(key_dim, L)`` and ``values`` is ``(value_dim, L)``: one column per position
  (a vector counts as one position);
- all of them may be batched; an unbatched argument is shared by every batch element.

The output is the weighted average of the values, ``(value_dim,)`` for one query and
``(value_dim, l)`` for ``l`` queries; the weights are ``(L,)`` or ``(L, l)`` (column ``i`` is the
distribution of query ``i`` over the ``L`` positions).

**Masks** are *additive*: an expression added to the attention logits, ``0`` where attention is
allowed and :data:`MASK_VALUE` (``-1e9``) where it is not, of shape ``(L,)`` (the same for every
query) or ``(L, l)``, batched or not. :func:`padding_mask` builds one from sequence lengths and
:func:`causal_mask` a triangular one. Never use ``-inf``: DyNet reuses memory between graphs and
a stale ``-inf`` produces NaNs in later graphs. A masked position gets a weight of exactly ``0``
(``exp(-1e9)`` underflows), unless every position is masked, in which case the weights are uniform
(and finite).

**Dropout** (``dropout`` argument) is attention dropout: in training mode (``init(test=False)``),
each attention weight is dropped with probability ``dropout`` and the kept ones are scaled by
``1 / (1 - dropout)`` before averaging the values; the mask is drawn independently for every
weight, query and batch element. The returned weights are the attention distribution *before*
dropout. Test mode uses no dropout.

Example:
    >>> import dynet as dy, dynn, numpy as np
    >>> from dynn.layers.attention_layers import MultiHeadAttention, padding_mask
    >>> attention = MultiHeadAttention(
    ...     dy.ParameterCollection(), n_heads=2, query_dim=3, key_dim=3, value_dim=3,
    ...     hidden_dim=4, out_dim=5)
    >>> dynn.new_graph(attention)
    >>> keys = dy.inputTensor(np.ones((3, 4, 2)), batched=True)   # 4 positions, batch of 2
    >>> mask = padding_mask([4, 2], size=4)                        # 2nd sequence has length 2
    >>> output, weights = attention(keys, keys, keys, mask=mask)   # self-attention
    >>> output.dim(), len(weights), weights[0].dim()
    (((5, 4), 2), 2, ((4, 4), 2))
    >>> np.round(weights[0].npvalue()[:, 0, 1], 3).tolist()        # padded keys get weight 0
    [0.5, 0.5, 0.0, 0.0]
"""

import math
from collections import namedtuple
from typing import Callable, List, Optional, Sequence, Tuple

import dynet as dy
import numpy as np

from .. import activations
from ..operations import seq_mask
from ..parameter_initialization import UniformInit, ZeroInit
from . import _arguments as check
from .base_layers import ParametrizedLayer

__all__ = [
    "MASK_VALUE",
    "causal_mask",
    "padding_mask",
    "MLPAttention",
    "BilinearAttention",
    "MultiHeadAttention",
]

#: Value of masked positions in additive attention masks (large and finite, never ``-inf``).
MASK_VALUE = -1e9

_Inputs = namedtuple("_Inputs", ["single_query", "n_queries", "length", "batch_size"])


def causal_mask(size: int) -> dy.Expression:
    """An additive ``(size, size)`` mask by which query ``i`` only sees the positions ``j <= i``.

    Entry ``(j, i)`` (key ``j``, query ``i``) is ``0`` if ``j <= i`` and :data:`MASK_VALUE`
    otherwise.

    Example:
        >>> import dynet as dy
        >>> _ = dy.renew_cg()
        >>> (causal_mask(3).npvalue() < 0).astype(int).tolist()
        [[0, 0, 0], [1, 0, 0], [1, 1, 0]]
    """
    if not isinstance(size, (int, np.integer)) or isinstance(size, bool) or size < 1:
        raise ValueError(f"causal_mask: size must be a positive integer, got {size!r}")
    return dy.inputTensor(np.tril(np.full((int(size), int(size)), MASK_VALUE), -1))


def padding_mask(lengths: Sequence[int], size: int, left_aligned: bool = True) -> dy.Expression:
    """An additive ``(size,)`` mask, batched over ``lengths``, that hides each sequence's padding.

    Args:
        lengths: True length of each sequence of the batch.
        size: Padded length (number of key positions).
        left_aligned: Sequences start at position 0 (padding at the end) if ``True``, end at
            position ``size - 1`` otherwise.

    Returns:
        ``0`` at real positions, :data:`MASK_VALUE` at padded ones; unbatched for one sequence.

    Example:
        >>> import dynet as dy
        >>> _ = dy.renew_cg()
        >>> padding_mask([3, 1], size=3).npvalue().tolist()
        [[0.0, 0.0], [0.0, -1000000000.0], [0.0, -1000000000.0]]
    """
    return seq_mask(size, lengths, base_val=0.0, mask_val=MASK_VALUE, left_aligned=left_aligned)


def _as_matrix(x: dy.Expression) -> dy.Expression:
    """View a ``(d,)`` vector as a ``(d, 1)`` matrix (matrices are returned unchanged)."""
    shape, batch_size = x.dim()
    if len(shape) == 1:
        return dy.reshape(x, (shape[0], 1), batch_size=batch_size)
    return x


def _as_vector(x: dy.Expression) -> dy.Expression:
    """View a ``(d, 1)`` matrix as a ``(d,)`` vector."""
    shape, batch_size = x.dim()
    return dy.reshape(x, (shape[0],), batch_size=batch_size)


class _Attention(ParametrizedLayer):
    """Input checks, masking and attention dropout shared by the attention layers."""

    query_dim: int
    key_dim: int
    dropout: float

    def _check_inputs(
        self,
        query,
        keys,
        values,
        mask,
        value_dim: Optional[int] = None,
        query_dim: Optional[int] = None,
        key_dim: Optional[int] = None,
        names: Tuple[str, str, str] = ("query", "keys", "values"),
    ) -> _Inputs:
        """Check the call's arguments; raise an error naming the layer and the argument."""
        where = check.where(self)
        query_dim = self.query_dim if query_dim is None else query_dim
        key_dim = self.key_dim if key_dim is None else key_dim
        arguments = ((names[0], query, query_dim), (names[1], keys, key_dim))
        arguments += ((names[2], values, value_dim),)
        if mask is not None:
            arguments += (("mask", mask, None),)
        batch_sizes = {}
        for arg_name, value, _ in arguments:
            if not isinstance(value, dy.Expression):
                raise TypeError(
                    f"{where}: argument {arg_name} must be a dy.Expression, "
                    f"got {type(value).__name__}"
                )
            batch_sizes[arg_name] = value.dim()[1]
        shapes = {}
        for arg_name, value, dim in arguments[:3]:
            shape = value.dim()[0]
            if len(shape) not in (1, 2) or (dim is not None and shape[0] != dim):
                expected = "d" if dim is None else str(dim)
                columns = "n_queries" if arg_name == names[0] else "length"
                raise ValueError(
                    f"{where}: argument {arg_name} must have shape ({expected},) or "
                    f"({expected}, {columns}), got {shape}"
                )
            shapes[arg_name] = shape
        query_shape, keys_shape, values_shape = (shapes[name] for name in names)
        single_query = len(query_shape) == 1
        n_queries = 1 if single_query else query_shape[1]
        length = 1 if len(keys_shape) == 1 else keys_shape[1]
        n_values = 1 if len(values_shape) == 1 else values_shape[1]
        if n_values != length:
            raise ValueError(
                f"{where}: arguments {names[1]} and {names[2]} must have the same number of "
                f"columns (positions), got {length} and {n_values}"
            )
        if mask is not None:
            mask_shape = mask.dim()[0]
            allowed = {(length,), (length, 1), (length, n_queries)}
            if mask_shape not in allowed:
                raise ValueError(
                    f"{where}: argument mask must have shape ({length},) or "
                    f"({length}, {n_queries}) (keys x queries), got {mask_shape}"
                )
        batched = {name: size for name, size in batch_sizes.items() if size != 1}
        if len(set(batched.values())) > 1:
            described = ", ".join(f"{name}: {size}" for name, size in batch_sizes.items())
            raise ValueError(f"{where}: arguments have incompatible batch sizes ({described})")
        batch_size = max(batch_sizes.values())
        return _Inputs(single_query, n_queries, length, batch_size)

    def _weights(
        self, logits: dy.Expression, mask: Optional[dy.Expression]
    ) -> Tuple[dy.Expression, dy.Expression]:
        """Softmax over positions of the (masked) logits, and its dropped-out version."""
        if mask is not None:
            logits = logits + mask
        weights = dy.softmax(logits, d=0)
        if not self.test and self.dropout > 0:
            return weights, dy.dropout(weights, self.dropout)
        return weights, weights


class MLPAttention(_Attention):
    r"""Additive attention (Bahdanau et al., 2015): the scores come from a one-hidden-layer MLP.

    For a query :math:`q` and the keys :math:`k_1, \dots, k_L` with values
    :math:`v_1, \dots, v_L`:

    .. math::

        \begin{aligned}
        s_j &= V \, \sigma(W_q q + W_k k_j + b) \\
        \alpha &= \mathrm{softmax}(s + m) \\
        o &= \sum_j \mathrm{dropout}(\alpha)_j \, v_j
        \end{aligned}

    where :math:`m` is the optional additive mask. See the module documentation for shapes,
    masks and dropout.

    Args:
        pc: Parameter collection.
        query_dim: Dimension of the queries.
        key_dim: Dimension of the keys.
        hidden_dim: Hidden dimension of the MLP.
        activation: :math:`\sigma` (default ``tanh``).
        dropout: Attention dropout rate (training mode only).
        Wq, Wk, b, V: Existing parameters to share (shapes ``(hidden_dim, query_dim)``,
            ``(hidden_dim, key_dim)``, ``(hidden_dim,)``, ``(1, hidden_dim)``).

    Example:
        >>> import dynet as dy, dynn, numpy as np
        >>> attention = MLPAttention(dy.ParameterCollection(), query_dim=2, key_dim=3,
        ...                          hidden_dim=4)
        >>> dynn.new_graph(attention)
        >>> keys = dy.inputTensor(np.ones((3, 5)))          # 5 positions
        >>> values = dy.inputTensor(np.eye(5))
        >>> output, weights = attention(dy.inputVector([1.0, 2.0]), keys, values)
        >>> output.dim(), weights.dim()
        (((5,), 1), ((5,), 1))
        >>> np.round(weights.npvalue(), 3).tolist()         # identical keys: uniform weights
        [0.2, 0.2, 0.2, 0.2, 0.2]
    """

    def __init__(
        self,
        pc: dy.ParameterCollection,
        query_dim: int,
        key_dim: int,
        hidden_dim: int,
        activation: Callable[[dy.Expression], dy.Expression] = activations.tanh,
        dropout: float = 0.0,
        Wq: Optional[dy.Parameters] = None,
        Wk: Optional[dy.Parameters] = None,
        b: Optional[dy.Parameters] = None,
        V: Optional[dy.Parameters] = None,
    ):
        super().__init__(pc, "mlp-attention")
        name = type(self).__name__
        self.query_dim = check.positive_int(name, "query_dim", query_dim)
        self.key_dim = check.positive_int(name, "key_dim", key_dim)
        self.hidden_dim = check.positive_int(name, "hidden_dim", hidden_dim)
        check.callable_arg(name, "activation", activation)
        self.activation = activation
        self.dropout = check.rate(name, "dropout", dropout)
        self.add_parameters("Wq", (self.hidden_dim, self.query_dim), param=Wq)
        self.add_parameters("Wk", (self.hidden_dim, self.key_dim), param=Wk)
        self.add_parameters("b", self.hidden_dim, param=b, init=ZeroInit())
        self.add_parameters("V", (1, self.hidden_dim), param=V)

    def __call__(
        self,
        query: dy.Expression,
        keys: dy.Expression,
        values: dy.Expression,
        mask: Optional[dy.Expression] = None,
    ) -> Tuple[dy.Expression, dy.Expression]:
        """Attend to ``values`` with ``query`` (see the module documentation for shapes).

        Returns:
            ``(output, weights)``: ``(value_dim,)`` and ``(L,)`` for one query,
            ``(value_dim, l)`` and ``(L, l)`` for ``l`` queries.
        """
        inputs = self._check_inputs(query, keys, values, mask)
        hidden_dim, length, n_queries = self.hidden_dim, inputs.length, inputs.n_queries
        hq = dy.affine_transform([self.b, self.Wq, _as_matrix(query)])  # (H, l)
        hk = self.Wk * _as_matrix(keys)  # (H, L)
        if n_queries == 1:
            hidden = self.activation(hk + hq)  # (H, L)
            logits = dy.transpose(self.V * hidden)  # (L, 1)
        else:
            # (H, L, 1) + (H, 1, l) broadcasts to (H, L, l): every key with every query.
            hidden = self.activation(
                dy.reshape(hk, (hidden_dim, length, 1), batch_size=hk.dim()[1])
                + dy.reshape(hq, (hidden_dim, 1, n_queries), batch_size=hq.dim()[1])
            )
            batch_size = hidden.dim()[1]
            flat = dy.reshape(hidden, (hidden_dim, length * n_queries), batch_size=batch_size)
            logits = dy.reshape(self.V * flat, (length, n_queries), batch_size=batch_size)
        weights, dropped = self._weights(logits, mask)
        output = _as_matrix(values) * dropped
        if inputs.single_query:
            return _as_vector(output), _as_vector(weights)
        return output, weights


class BilinearAttention(_Attention):
    r"""Bilinear attention (Luong et al., 2015): the score of a key is :math:`k_j^\top A q`.

    .. math::

        \begin{aligned}
        s_j &= k_j^\top A \, q \\
        \alpha &= \mathrm{softmax}(s + m) \\
        o &= \sum_j \mathrm{dropout}(\alpha)_j \, v_j
        \end{aligned}

    With ``dot_product=True`` there is no matrix :math:`A` and the score is the scaled dot
    product :math:`s_j = k_j^\top q / \sqrt{d}` (which needs ``query_dim == key_dim == d``).
    See the module documentation for shapes, masks and dropout.

    Args:
        pc: Parameter collection.
        query_dim: Dimension of the queries.
        key_dim: Dimension of the keys.
        dropout: Attention dropout rate (training mode only).
        A: Existing ``(key_dim, query_dim)`` parameter to share. By default :math:`A` is drawn
            uniformly in :math:`\pm\sqrt{3 / (d_k d_q)}`.
        dot_product: Use the scaled dot product instead of :math:`A` (as in the original dynn).

    Example:
        >>> import dynet as dy, dynn, numpy as np
        >>> attention = BilinearAttention(dy.ParameterCollection(), query_dim=2, key_dim=3)
        >>> dynn.new_graph(attention)
        >>> queries = dy.inputTensor(np.ones((2, 4)))       # 4 queries
        >>> keys = values = dy.inputTensor(np.ones((3, 6)))  # 6 positions
        >>> output, weights = attention(queries, keys, values)
        >>> output.dim(), weights.dim()
        (((3, 4), 1), ((6, 4), 1))
    """

    def __init__(
        self,
        pc: dy.ParameterCollection,
        query_dim: int,
        key_dim: int,
        dropout: float = 0.0,
        A: Optional[dy.Parameters] = None,
        dot_product: bool = False,
    ):
        super().__init__(pc, "bilinear-attention")
        name = type(self).__name__
        self.query_dim = check.positive_int(name, "query_dim", query_dim)
        self.key_dim = check.positive_int(name, "key_dim", key_dim)
        self.dropout = check.rate(name, "dropout", dropout)
        self.dot_product = bool(dot_product)
        if self.dot_product:
            if self.query_dim != self.key_dim:
                raise ValueError(
                    f"{name}: dot_product=True needs query_dim == key_dim, got query_dim="
                    f"{self.query_dim} and key_dim={self.key_dim}"
                )
            if A is not None:
                raise ValueError(f"{name}: dot_product=True has no matrix; do not pass A")
        else:
            scale = math.sqrt(3.0 / (self.key_dim * self.query_dim))
            self.add_parameters(
                "A", (self.key_dim, self.query_dim), param=A, init=UniformInit(scale)
            )

    def __call__(
        self,
        query: dy.Expression,
        keys: dy.Expression,
        values: dy.Expression,
        mask: Optional[dy.Expression] = None,
    ) -> Tuple[dy.Expression, dy.Expression]:
        """Attend to ``values`` with ``query`` (see the module documentation for shapes).

        Returns:
            ``(output, weights)``: ``(value_dim,)`` and ``(L,)`` for one query,
            ``(value_dim, l)`` and ``(L, l)`` for ``l`` queries.
        """
        inputs = self._check_inputs(query, keys, values, mask)
        queries = _as_matrix(query)
        if self.dot_product:
            projected = queries * (1.0 / math.sqrt(self.key_dim))
        else:
            projected = self.A * queries  # (dk, l)
        logits = dy.transpose(_as_matrix(keys)) * projected  # (L, l)
        weights, dropped = self._weights(logits, mask)
        output = _as_matrix(values) * dropped
        if inputs.single_query:
            return _as_vector(output), _as_vector(weights)
        return output, weights


class MultiHeadAttention(_Attention):
    r"""Multi-head scaled dot-product attention (Vaswani et al., 2017).

    Queries, keys and values are projected to ``hidden_dim`` dimensions and split into
    ``n_heads`` heads of :math:`d_h = \text{hidden\_dim} / \text{n\_heads}` dimensions; each head
    attends independently and the heads' outputs are concatenated and projected to ``out_dim``:

    .. math::

        \begin{aligned}
        Q^{(h)} &= (W_q q)_{[h]},\quad K^{(h)} = (W_k K)_{[h]},\quad V^{(h)} = (W_v V)_{[h]} \\
        \alpha^{(h)} &= \mathrm{softmax}\Big(\frac{K^{(h)\top} Q^{(h)}}{\sqrt{d_h}} + m\Big) \\
        o &= W_o \big[V^{(1)} \mathrm{dropout}(\alpha^{(1)}); \dots;
             V^{(n)} \mathrm{dropout}(\alpha^{(n)})\big]
        \end{aligned}

    where :math:`x_{[h]}` are the rows :math:`h d_h, \dots, (h+1) d_h - 1` of :math:`x` and
    :math:`m` the optional additive mask (shared by all heads). There are no biases. See the
    module documentation for shapes, masks and dropout.

    Args:
        pc: Parameter collection.
        n_heads: Number of heads.
        query_dim: Dimension of the queries.
        key_dim: Dimension of the keys.
        value_dim: Dimension of the values.
        hidden_dim: Dimension of the projections (a multiple of ``n_heads``).
        out_dim: Dimension of the output.
        dropout: Attention dropout rate (training mode only), on every head's weights.
        Wq, Wk, Wv, Wo: Existing parameters to share (shapes ``(hidden_dim, query_dim)``,
            ``(hidden_dim, key_dim)``, ``(hidden_dim, value_dim)``, ``(out_dim, hidden_dim)``).

    Example:
        >>> import dynet as dy, dynn, numpy as np
        >>> attention = MultiHeadAttention(dy.ParameterCollection(), n_heads=2, query_dim=2,
        ...                                key_dim=3, value_dim=4, hidden_dim=6, out_dim=5)
        >>> dynn.new_graph(attention)
        >>> keys, values = dy.inputTensor(np.ones((3, 7))), dy.inputTensor(np.ones((4, 7)))
        >>> output, weights = attention(dy.inputVector([1.0, 2.0]), keys, values)
        >>> output.dim(), [w.dim() for w in weights]
        (((5,), 1), [((7,), 1), ((7,), 1)])
    """

    def __init__(
        self,
        pc: dy.ParameterCollection,
        n_heads: int,
        query_dim: int,
        key_dim: int,
        value_dim: int,
        hidden_dim: int,
        out_dim: int,
        dropout: float = 0.0,
        Wq: Optional[dy.Parameters] = None,
        Wk: Optional[dy.Parameters] = None,
        Wv: Optional[dy.Parameters] = None,
        Wo: Optional[dy.Parameters] = None,
    ):
        super().__init__(pc, "multi-head-attention")
        name = type(self).__name__
        self.n_heads = check.positive_int(name, "n_heads", n_heads)
        self.query_dim = check.positive_int(name, "query_dim", query_dim)
        self.key_dim = check.positive_int(name, "key_dim", key_dim)
        self.value_dim = check.positive_int(name, "value_dim", value_dim)
        self.hidden_dim = check.positive_int(name, "hidden_dim", hidden_dim)
        self.out_dim = check.positive_int(name, "out_dim", out_dim)
        self.dropout = check.rate(name, "dropout", dropout)
        if self.hidden_dim % self.n_heads:
            raise ValueError(
                f"{name}: hidden_dim ({self.hidden_dim}) must be a multiple of n_heads "
                f"({self.n_heads})"
            )
        self.head_dim = self.hidden_dim // self.n_heads
        self.add_parameters("Wq", (self.hidden_dim, self.query_dim), param=Wq)
        self.add_parameters("Wk", (self.hidden_dim, self.key_dim), param=Wk)
        self.add_parameters("Wv", (self.hidden_dim, self.value_dim), param=Wv)
        self.add_parameters("Wo", (self.out_dim, self.hidden_dim), param=Wo)

    def __call__(
        self,
        query: dy.Expression,
        keys: dy.Expression,
        values: dy.Expression,
        mask: Optional[dy.Expression] = None,
    ) -> Tuple[dy.Expression, List[dy.Expression]]:
        """Attend to ``values`` with ``query`` (see the module documentation for shapes).

        Returns:
            ``(output, weights)``: the output, ``(out_dim,)`` for one query and
            ``(out_dim, l)`` for ``l`` queries, and the list of the ``n_heads`` heads' weights,
            each ``(L,)`` or ``(L, l)``.
        """
        self._check_inputs(query, keys, values, mask, value_dim=self.value_dim)
        return self.attend_projected(
            self.Wq * query, self.Wk * _as_matrix(keys), self.Wv * _as_matrix(values), mask
        )

    def attend_projected(
        self,
        projected_query: dy.Expression,
        projected_keys: dy.Expression,
        projected_values: dy.Expression,
        mask: Optional[dy.Expression] = None,
    ) -> Tuple[dy.Expression, List[dy.Expression]]:
        r"""Attention from already projected queries, keys and values.

        ``projected_query`` is :math:`W_q q` (``(hidden_dim,)`` or ``(hidden_dim, l)``),
        ``projected_keys`` is :math:`W_k K` and ``projected_values`` is :math:`W_v V` (both
        ``(hidden_dim, L)``). Incremental decoding keeps the projected keys and values of the
        previous positions and only projects the new one.

        Returns:
            ``(output, weights)`` as :meth:`__call__`.
        """
        inputs = self._check_inputs(
            projected_query,
            projected_keys,
            projected_values,
            mask,
            value_dim=self.hidden_dim,
            query_dim=self.hidden_dim,
            key_dim=self.hidden_dim,
            names=("projected_query", "projected_keys", "projected_values"),
        )
        queries = _as_matrix(projected_query) * (1.0 / math.sqrt(self.head_dim))
        keys, values = _as_matrix(projected_keys), _as_matrix(projected_values)
        head_outputs, head_weights = [], []
        for head in range(self.n_heads):
            start, end = head * self.head_dim, (head + 1) * self.head_dim
            if self.n_heads == 1:
                q_h, k_h, v_h = queries, keys, values
            else:
                q_h = dy.pickrange(queries, start, end)
                k_h = dy.pickrange(keys, start, end)
                v_h = dy.pickrange(values, start, end)
            weights, dropped = self._weights(dy.transpose(k_h) * q_h, mask)  # (L, l)
            head_outputs.append(v_h * dropped)  # (d_h, l)
            head_weights.append(_as_vector(weights) if inputs.single_query else weights)
        output = self.Wo * dy.concatenate(head_outputs, d=0)  # (out_dim, l)
        if inputs.single_query:
            output = _as_vector(output)
        return output, head_weights
