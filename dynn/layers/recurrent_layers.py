"""Recurrent cells: Elman RNN, LSTM, GRU, coupled LSTM, SRU, and stacks of cells.

A cell maps an input and the previous state to the new state, ``state = cell(x, *state)``;
:meth:`RecurrentCell.initial_value` gives the zero state and :meth:`RecurrentCell.get_output`
picks the output (``h``) from a state. States are named tuples (``LSTMState(h, c)``), so the
positional form ``cell(x, h, c)`` and unpacking ``h, c = state`` both work.

Every cell with a DyNet counterpart computes exactly what the DyNet builder computes, and
``Cell.from_builder(pc, builder, layer)`` shares a builder's parameters. DyNet's state interface
is there too: ``cell.initial_state().add_input(x).output()`` (see :mod:`dynn.layers.rnn_state`).

Dropout is variational (Gal and Ghahramani, 2016): in training mode, each call to
:meth:`~RecurrentCell.initial_value` draws one mask per batch element for the input and one for
the state; the same masks are used at every step of that sequence. Test mode uses no dropout.

Example:
    >>> import dynet as dy, dynn
    >>> from dynn.layers.recurrent_layers import LSTM
    >>> lstm = LSTM(dy.ParameterCollection(), input_dim=2, hidden_dim=3, dropout_x=0.1)
    >>> dynn.new_graph(lstm, test=False, update=True)
    >>> state = lstm.initial_value(batch_size=4)
    >>> for x in [dy.inputTensor([[1.0] * 4, [0.5] * 4], batched=True)] * 3:
    ...     state = lstm(x, *state)
    >>> lstm.get_output(state).dim()
    ((3,), 4)
"""

from collections import OrderedDict, namedtuple
from typing import Callable, Dict, Optional, Tuple

import dynet as dy

from .. import activations
from ..parameter_initialization import UniformInit, ZeroInit
from .base_layers import BaseLayer, ParametrizedLayer, _graph_guarded

__all__ = [
    "RecurrentCell",
    "ElmanRNN",
    "LSTM",
    "GRU",
    "CoupledLSTM",
    "SRU",
    "StackedRecurrentCells",
    "StackedLSTM",
    "ElmanState",
    "LSTMState",
    "GRUState",
    "SRUState",
]

ElmanState = namedtuple("ElmanState", ["h"])
LSTMState = namedtuple("LSTMState", ["h", "c"])
GRUState = namedtuple("GRUState", ["h"])
SRUState = namedtuple("SRUState", ["h", "c"])


def _batch_size(expression: dy.Expression) -> int:
    return expression.dim()[1]


class RecurrentCell(BaseLayer, register=False):
    """Base class of recurrent cells.

    Subclasses set ``state_type`` (a named tuple class whose first field is the output) and
    ``state_dims`` (the dimension of each component), implement ``__call__(x, *state)`` and
    declare their dropout rates with :meth:`_declare_dropout`.
    """

    state_type: type = tuple
    input_dim: int
    hidden_dim: int

    @property
    def state_size(self) -> int:
        """Number of components of a state."""
        return len(self.state_dims)

    @property
    def state_dims(self) -> Tuple[int, ...]:
        """Dimension of each state component."""
        return (self.hidden_dim,) * len(self.state_type._fields)

    def initial_value(self, batch_size: int = 1):
        """The zero state for ``batch_size`` sequences; in training mode, new dropout masks.

        Args:
            batch_size: Number of sequences in the batch.

        Returns:
            A state (named tuple) of zero vectors with batch size ``batch_size``.
        """
        if not isinstance(batch_size, int) or batch_size < 1:
            raise ValueError(
                f"{type(self).__name__} '{self.name}': batch_size must be a positive integer, "
                f"got {batch_size!r}"
            )
        self._draw_dropout_masks(batch_size)
        return self.state_type(*[dy.zeros(d, batch_size=batch_size) for d in self.state_dims])

    def get_output(self, state):
        """The output of the cell in ``state`` (its first component, ``h``)."""
        return state[0]

    @_graph_guarded
    def initial_state(self, batch_size: int = 1, vecs=None):
        """A DyNet-style state object: ``s = cell.initial_state(); s = s.add_input(x)``.

        Like :meth:`initial_value` (the zero state, new dropout masks in training mode), wrapped
        in a :class:`~dynn.layers.rnn_state.RNNState` with DyNet's ``add_input``, ``output``,
        ``h``, ``s``, ``prev``, ``set_h`` and ``set_s``.

        Args:
            batch_size: Number of sequences in the batch.
            vecs: Optional initial state in DyNet's ``s()`` order (for LSTMs, every layer's
                memory, then every layer's output), as in ``builder.initial_state(vecs)``.
        """
        from .rnn_state import RNNState

        return RNNState.initial(self, batch_size, vecs)

    # Variational dropout ----------------------------------------------------------------------
    def _declare_dropout(self, **rates_and_dims: Tuple[float, int]) -> None:
        """Declare dropout rates: ``name=(rate, dim)`` for each masked quantity."""
        self._dropout_specs: Dict[str, Tuple[float, int]] = OrderedDict()
        for name, (rate, dim) in rates_and_dims.items():
            if not 0.0 <= rate < 1.0:
                raise ValueError(
                    f"{type(self).__name__} '{self.name}': {name} must be in [0, 1), got {rate!r}"
                )
            self._dropout_specs[name] = (float(rate), dim)
        self._masks: Dict[str, Optional[dy.Expression]] = {}
        self._mask_batch_size = 0
        self._dropout_active = False

    def init_layer(self, test: bool = True, update: bool = False) -> None:
        super().init_layer(test=test, update=update)
        self._masks = {}
        self._mask_batch_size = 0
        self._dropout_active = not self.test and any(
            rate > 0 for rate, _ in self._dropout_specs.values()
        )

    def _draw_dropout_masks(self, batch_size: int) -> None:
        if not self._dropout_active:
            return
        self._masks = {
            name: dy.random_bernoulli(dim, 1.0 - rate, 1.0 / (1.0 - rate), batch_size=batch_size)
            for name, (rate, dim) in self._dropout_specs.items()
            if rate > 0
        }
        self._mask_batch_size = batch_size

    def _dropped(self, name: str, value: dy.Expression, batch_size: int) -> dy.Expression:
        """``value`` times the current mask ``name`` (drawn anew if the batch size changed)."""
        if batch_size != self._mask_batch_size:
            self._draw_dropout_masks(batch_size)
        mask = self._masks.get(name)
        return value if mask is None else dy.cmult(value, mask)

    # Errors -----------------------------------------------------------------------------------
    def _describe_bad_call(self, method, args, kwargs, error) -> str:
        if method.__name__ != "__call__":
            return super()._describe_bad_call(method, args, kwargs, error)
        fields = ", ".join(self.state_type._fields)
        given = max(len(args) - 1, 0)
        return (
            f"{type(self).__name__} '{self.name}' is called as cell(x, {fields}): expected "
            f"{self.state_size} state components ({fields}), got {given} ({error})"
        )

    def _diagnose_call(self, method_name, args, kwargs):
        if method_name != "__call__" or not args:
            return None
        where = f"{type(self).__name__} '{self.name}'"
        expected = [("x", self.input_dim)] + list(zip(self.state_type._fields, self.state_dims))
        batch_sizes = set()
        for (arg_name, dim), value in zip(expected, args):
            if not isinstance(value, dy.Expression):
                kind = type(value).__name__
                return f"{where}: argument {arg_name} must be a dy.Expression, got {kind}"
            try:
                shape, batch = value.dim()
            except (ValueError, RuntimeError):  # DyNet: "Attempt to use a stale expression"
                return (
                    f"{where}: argument {arg_name} is an expression from an earlier computation "
                    f"graph; build the inputs and the state in the current graph"
                )
            if shape != (dim,):
                return f"{where}: argument {arg_name} must have dimension ({dim},), got {shape}"
            batch_sizes.add(batch)
        if len(batch_sizes - {1}) > 1:
            return f"{where}: inputs and state have incompatible batch sizes {sorted(batch_sizes)}"
        return None

    # Migration from DyNet builders -------------------------------------------------------------
    _builder_class: Optional[type] = None
    _builder_parameter_names: Tuple[str, ...] = ()

    @classmethod
    def from_builder(cls, pc: dy.ParameterCollection, builder, layer: int = 0, **kwargs):
        """A cell sharing the parameters of layer ``layer`` of a DyNet RNN builder.

        Args:
            pc: Collection for the cell's own sub-collection (the parameters stay the
                builder's).
            builder: A DyNet builder of the matching class.
            layer: Which layer of the builder.
            **kwargs: Other constructor arguments (e.g. dropout rates).
        """
        if cls._builder_class is None:
            raise TypeError(f"{cls.__name__} has no DyNet builder counterpart")
        if not isinstance(builder, cls._builder_class):
            raise TypeError(
                f"{cls.__name__}.from_builder expects a dy.{cls._builder_class.__name__}, "
                f"got {type(builder).__name__}"
            )
        layers = builder.get_parameters()
        if not 0 <= layer < len(layers):
            raise ValueError(
                f"{cls.__name__}.from_builder: layer must be in [0, {len(layers)}), got {layer}"
            )
        params = layers[layer]
        if len(params) != len(cls._builder_parameter_names):
            raise ValueError(
                f"{cls.__name__}.from_builder: expected {len(cls._builder_parameter_names)} "
                f"parameters per layer, the builder has {len(params)} (unsupported variant, "
                f"e.g. layer-normalised)"
            )
        shared = dict(zip(cls._builder_parameter_names, params))
        input_dim = params[0].shape()[1]
        hidden_dim = params[1].shape()[1]
        return cls(pc, input_dim, hidden_dim, **kwargs, **shared)


class ElmanRNN(ParametrizedLayer, RecurrentCell):
    r"""Elman recurrent network, as ``dy.SimpleRNNBuilder``.

    .. math::

        h_t = \sigma(W_{hx} x_t + W_{hh} h_{t-1} + b)

    Args:
        pc: Parameter collection.
        input_dim: Dimension of :math:`x_t`.
        hidden_dim: Dimension of :math:`h_t`.
        activation: :math:`\sigma` (default ``tanh``).
        dropout: Variational dropout rate on :math:`x_t` and :math:`h_{t-1}`.
        Whx, Whh, b: Existing parameters to share.

    Example:
        >>> import dynet as dy, dynn
        >>> rnn = ElmanRNN(dy.ParameterCollection(), 2, 3)
        >>> dynn.new_graph(rnn)
        >>> (h,) = rnn(dy.inputVector([1.0, 2.0]), *rnn.initial_value())
        >>> h.dim()
        ((3,), 1)
    """

    state_type = ElmanState
    _builder_class = dy.SimpleRNNBuilder
    _builder_parameter_names = ("Whx", "Whh", "b")

    def __init__(
        self,
        pc: dy.ParameterCollection,
        input_dim: int,
        hidden_dim: int,
        activation: Callable = activations.tanh,
        dropout: float = 0.0,
        Whx: Optional[dy.Parameters] = None,
        Whh: Optional[dy.Parameters] = None,
        b: Optional[dy.Parameters] = None,
    ):
        super().__init__(pc, "elman-rnn")
        self.input_dim, self.hidden_dim = _check_dims(self, input_dim, hidden_dim)
        self.activation = activation
        self.dropout = dropout
        self.add_parameters("Whx", (hidden_dim, input_dim), param=Whx)
        self.add_parameters("Whh", (hidden_dim, hidden_dim), param=Whh)
        self.add_parameters("b", hidden_dim, param=b, init=ZeroInit())
        self._declare_dropout(dropout_x=(dropout, input_dim), dropout_h=(dropout, hidden_dim))

    def __call__(self, x: dy.Expression, h: dy.Expression) -> ElmanState:
        """One step: the new state :math:`(h_t,)` from :math:`x_t` and :math:`h_{t-1}`."""
        if self._dropout_active:
            batch_size = max(_batch_size(x), _batch_size(h))
            x = self._dropped("dropout_x", x, batch_size)
            h = self._dropped("dropout_h", h, batch_size)
        return ElmanState(self.activation(dy.affine_transform([self.b, self.Whx, x, self.Whh, h])))


class LSTM(ParametrizedLayer, RecurrentCell):
    r"""Long short-term memory cell, as ``dy.VanillaLSTMBuilder``.

    Gates are stacked in the order input, forget, output, candidate; DyNet's fused kernels add 1
    to the forget-gate pre-activation.

    .. math::

        \begin{aligned}
        [a_i; a_f; a_o; a_g] &= W_{hx} x_t + W_{hh} h_{t-1} + b \\
        i = \sigma(a_i),\ f &= \sigma(a_f + 1),\ o = \sigma(a_o),\ g = \tanh(a_g) \\
        c_t &= f \odot c_{t-1} + i \odot g \\
        h_t &= o \odot \tanh(c_t)
        \end{aligned}

    Args:
        pc: Parameter collection.
        input_dim: Dimension of :math:`x_t`.
        hidden_dim: Dimension of :math:`h_t` and :math:`c_t`.
        dropout_x: Variational dropout rate on :math:`x_t`.
        dropout_h: Variational dropout rate on :math:`h_{t-1}`.
        Whx, Whh, b: Existing parameters to share (shapes ``(4H, input_dim)``, ``(4H, H)``,
            ``(4H,)``).

    Example:
        >>> import dynet as dy, dynn
        >>> lstm = LSTM(dy.ParameterCollection(), 2, 3)
        >>> dynn.new_graph(lstm)
        >>> h, c = lstm(dy.inputVector([1.0, 2.0]), *lstm.initial_value())
        >>> c.dim()
        ((3,), 1)
    """

    state_type = LSTMState
    _builder_class = dy.VanillaLSTMBuilder
    _builder_parameter_names = ("Whx", "Whh", "b")

    def __init__(
        self,
        pc: dy.ParameterCollection,
        input_dim: int,
        hidden_dim: int,
        dropout_x: float = 0.0,
        dropout_h: float = 0.0,
        Whx: Optional[dy.Parameters] = None,
        Whh: Optional[dy.Parameters] = None,
        b: Optional[dy.Parameters] = None,
    ):
        super().__init__(pc, "lstm")
        self.input_dim, self.hidden_dim = _check_dims(self, input_dim, hidden_dim)
        self.dropout_x = dropout_x
        self.dropout_h = dropout_h
        self.add_parameters("Whx", (4 * hidden_dim, input_dim), param=Whx)
        self.add_parameters("Whh", (4 * hidden_dim, hidden_dim), param=Whh)
        self.add_parameters("b", 4 * hidden_dim, param=b, init=ZeroInit())
        self._declare_dropout(dropout_x=(dropout_x, input_dim), dropout_h=(dropout_h, hidden_dim))
        self._separate_ops = False

    # From this batch size on, a step uses separate ops (as VanillaLSTMBuilder) rather than
    # DyNet's fused LSTM kernels, whose backward pass is slower on batches: measured 1.03x at
    # batch 4, 1.05x at 8, 1.08x at 16 and 32 (training); equal at batch 1, where the fused
    # form builds fewer nodes (better for autobatching). Both forms compute the same values.
    _SEPARATE_OPS_MIN_BATCH = 4

    def initial_value(self, batch_size: int = 1) -> LSTMState:
        state = super().initial_value(batch_size)
        self._separate_ops = batch_size >= self._SEPARATE_OPS_MIN_BATCH
        return state

    def __call__(self, x: dy.Expression, h: dy.Expression, c: dy.Expression) -> LSTMState:
        """One step: the new state :math:`(h_t, c_t)`."""
        if self._dropout_active:
            batch_size = max(_batch_size(x), _batch_size(h))
            x = self._dropped("dropout_x", x, batch_size)
            h = self._dropped("dropout_h", h, batch_size)
        if self._separate_ops:  # the batch size of the last initial_value()
            hidden = self.hidden_dim
            pre = dy.affine_transform([self.b, self.Whx, x, self.Whh, h])
            i = dy.logistic(dy.pickrange(pre, 0, hidden))
            f = dy.logistic(dy.pickrange(pre, hidden, 2 * hidden) + 1.0)
            o = dy.logistic(dy.pickrange(pre, 2 * hidden, 3 * hidden))
            g = dy.tanh(dy.pickrange(pre, 3 * hidden, 4 * hidden))
            c = dy.cmult(f, c) + dy.cmult(i, g)
            return LSTMState(dy.cmult(o, dy.tanh(c)), c)
        gates = dy.vanilla_lstm_gates(x, h, self.Whx, self.Whh, self.b)
        c = dy.vanilla_lstm_c(c, gates)
        return LSTMState(dy.vanilla_lstm_h(c, gates), c)


class GRU(ParametrizedLayer, RecurrentCell):
    r"""Gated recurrent unit, as ``dy.GRUBuilder``.

    .. math::

        \begin{aligned}
        z_t &= \sigma(W_{xz} x_t + W_{hz} h_{t-1} + b_z) \\
        r_t &= \sigma(W_{xr} x_t + W_{hr} h_{t-1} + b_r) \\
        \tilde h_t &= \tanh(W_{xh} x_t + W_{hh} (r_t \odot h_{t-1}) + b_h) \\
        h_t &= (1 - z_t) \odot h_{t-1} + z_t \odot \tilde h_t
        \end{aligned}

    Args:
        pc: Parameter collection.
        input_dim: Dimension of :math:`x_t`.
        hidden_dim: Dimension of :math:`h_t`.
        dropout_x: Variational dropout rate on :math:`x_t`.
        dropout_h: Variational dropout rate on :math:`h_{t-1}`.
        Wxz, Whz, bz, Wxr, Whr, br, Wxh, Whh, bh: Existing parameters to share.

    Example:
        >>> import dynet as dy, dynn
        >>> gru = GRU(dy.ParameterCollection(), 2, 3)
        >>> dynn.new_graph(gru)
        >>> (h,) = gru(dy.inputVector([1.0, 2.0]), *gru.initial_value())
        >>> h.dim()
        ((3,), 1)
    """

    state_type = GRUState
    _builder_class = dy.GRUBuilder
    _builder_parameter_names = ("Wxz", "Whz", "bz", "Wxr", "Whr", "br", "Wxh", "Whh", "bh")

    def __init__(
        self,
        pc: dy.ParameterCollection,
        input_dim: int,
        hidden_dim: int,
        dropout_x: float = 0.0,
        dropout_h: float = 0.0,
        Wxz: Optional[dy.Parameters] = None,
        Whz: Optional[dy.Parameters] = None,
        bz: Optional[dy.Parameters] = None,
        Wxr: Optional[dy.Parameters] = None,
        Whr: Optional[dy.Parameters] = None,
        br: Optional[dy.Parameters] = None,
        Wxh: Optional[dy.Parameters] = None,
        Whh: Optional[dy.Parameters] = None,
        bh: Optional[dy.Parameters] = None,
    ):
        super().__init__(pc, "gru")
        self.input_dim, self.hidden_dim = _check_dims(self, input_dim, hidden_dim)
        self.dropout_x = dropout_x
        self.dropout_h = dropout_h
        shared = dict(Wxz=Wxz, Whz=Whz, bz=bz, Wxr=Wxr, Whr=Whr, br=br, Wxh=Wxh, Whh=Whh, bh=bh)
        for gate in ("z", "r", "h"):
            self.add_parameters(f"Wx{gate}", (hidden_dim, input_dim), param=shared[f"Wx{gate}"])
            self.add_parameters(f"Wh{gate}", (hidden_dim, hidden_dim), param=shared[f"Wh{gate}"])
            self.add_parameters(f"b{gate}", hidden_dim, param=shared[f"b{gate}"], init=ZeroInit())
        self._declare_dropout(dropout_x=(dropout_x, input_dim), dropout_h=(dropout_h, hidden_dim))

    def __call__(self, x: dy.Expression, h: dy.Expression) -> GRUState:
        """One step: the new state :math:`(h_t,)`."""
        if self._dropout_active:
            batch_size = max(_batch_size(x), _batch_size(h))
            x = self._dropped("dropout_x", x, batch_size)
            h_in = self._dropped("dropout_h", h, batch_size)
        else:
            h_in = h
        # Separate products for the two gates: measured 1.1-1.3x faster (forward + backward)
        # than one product with the gates' parameters concatenated (benchmarks/RESULTS.md).
        z = dy.logistic(dy.affine_transform([self.bz, self.Wxz, x, self.Whz, h_in]))
        r = dy.logistic(dy.affine_transform([self.br, self.Wxr, x, self.Whr, h_in]))
        candidate = dy.tanh(
            dy.affine_transform([self.bh, self.Wxh, x, self.Whh, dy.cmult(r, h_in)])
        )
        return GRUState(h + dy.cmult(z, candidate - h))


class CoupledLSTM(ParametrizedLayer, RecurrentCell):
    r"""LSTM with coupled input and forget gates and peephole connections, as
    ``dy.CoupledLSTMBuilder``.

    .. math::

        \begin{aligned}
        i_t &= \sigma(W_{xi} x_t + W_{hi} h_{t-1} + W_{ci} c_{t-1} + b_i) \\
        g_t &= \tanh(W_{xc} x_t + W_{hc} h_{t-1} + b_c) \\
        c_t &= (1 - i_t) \odot c_{t-1} + i_t \odot g_t \\
        o_t &= \sigma(W_{xo} x_t + W_{ho} h_{t-1} + W_{co} c_t + b_o) \\
        h_t &= o_t \odot \tanh(c_t)
        \end{aligned}

    Args:
        pc: Parameter collection.
        input_dim: Dimension of :math:`x_t`.
        hidden_dim: Dimension of :math:`h_t` and :math:`c_t`.
        dropout_x: Variational dropout rate on :math:`x_t`.
        dropout_h: Variational dropout rate on :math:`h_{t-1}`.
        Wxi, Whi, Wci, bi, Wxo, Who, Wco, bo, Wxc, Whc, bc: Existing parameters to share.

    Example:
        >>> import dynet as dy, dynn
        >>> cell = CoupledLSTM(dy.ParameterCollection(), 2, 3)
        >>> dynn.new_graph(cell)
        >>> h, c = cell(dy.inputVector([1.0, 2.0]), *cell.initial_value())
        >>> h.dim()
        ((3,), 1)
    """

    state_type = LSTMState
    _builder_class = dy.CoupledLSTMBuilder
    _builder_parameter_names = (
        "Wxi", "Whi", "Wci", "bi", "Wxo", "Who", "Wco", "bo", "Wxc", "Whc", "bc",
    )  # fmt: skip

    def __init__(
        self,
        pc: dy.ParameterCollection,
        input_dim: int,
        hidden_dim: int,
        dropout_x: float = 0.0,
        dropout_h: float = 0.0,
        **shared: Optional[dy.Parameters],
    ):
        super().__init__(pc, "coupled-lstm")
        unknown = set(shared) - set(self._builder_parameter_names)
        if unknown:
            raise TypeError(f"CoupledLSTM got unexpected arguments {sorted(unknown)}")
        self.input_dim, self.hidden_dim = _check_dims(self, input_dim, hidden_dim)
        self.dropout_x = dropout_x
        self.dropout_h = dropout_h
        H = hidden_dim
        shapes = {"x": (H, input_dim), "h": (H, H), "c": (H, H)}
        for name in self._builder_parameter_names:
            if name.startswith("b"):
                self.add_parameters(name, H, param=shared.get(name), init=ZeroInit())
            else:
                self.add_parameters(name, shapes[name[1]], param=shared.get(name))
        self._declare_dropout(dropout_x=(dropout_x, input_dim), dropout_h=(dropout_h, hidden_dim))

    def init_layer(self, test: bool = True, update: bool = False) -> None:
        super().init_layer(test=test, update=update)
        # Input gate and candidate pre-activations share one product per step.
        self._Wx_ig = dy.concatenate([self.Wxi, self.Wxc])
        self._Wh_ig = dy.concatenate([self.Whi, self.Whc])
        self._b_ig = dy.concatenate([self.bi, self.bc])

    def __call__(self, x: dy.Expression, h: dy.Expression, c: dy.Expression) -> LSTMState:
        """One step: the new state :math:`(h_t, c_t)`."""
        if self._dropout_active:
            batch_size = max(_batch_size(x), _batch_size(h))
            x = self._dropped("dropout_x", x, batch_size)
            h = self._dropped("dropout_h", h, batch_size)
        hidden = self.hidden_dim
        pre = dy.affine_transform([self._b_ig, self._Wx_ig, x, self._Wh_ig, h])
        i = dy.logistic(dy.pickrange(pre, 0, hidden) + self.Wci * c)
        g = dy.tanh(dy.pickrange(pre, hidden, 2 * hidden))
        c_new = c + dy.cmult(i, g - c)
        o = dy.logistic(dy.affine_transform([self.bo, self.Wxo, x, self.Who, h, self.Wco, c_new]))
        return LSTMState(dy.cmult(o, dy.tanh(c_new)), c_new)


class SRU(ParametrizedLayer, RecurrentCell):
    r"""Simple recurrent unit (Lei et al., 2018): one input projection, an element-wise recurrence.

    Every matrix product involves the input only, so the products of a whole sequence can be
    computed at once (:class:`~dynn.layers.transduction_layers.Unidirectional` does so when
    DyNet's autobatching is off); the recurrence itself is element-wise.

    .. math::

        \begin{aligned}
        [\tilde x_t; a_t; b_t; \hat x_t] &= W x_t \\
        f_t &= \sigma(a_t + v_f \odot c_{t-1} + b_f) \\
        r_t &= \sigma(b_t + v_r \odot c_{t-1} + b_r) \\
        c_t &= f_t \odot c_{t-1} + (1 - f_t) \odot \tilde x_t \\
        h_t &= r_t \odot g(c_t) + (1 - r_t) \odot \hat x_t
        \end{aligned}

    The highway term :math:`\hat x_t` is :math:`x_t` itself when ``input_dim == hidden_dim``;
    otherwise it is a learnt projection, a fourth block of rows of :math:`W`. The state is
    ``SRUState(h, c)``; only :math:`c` is recurrent, :math:`h` is the output.

    Args:
        pc: Parameter collection.
        input_dim: Dimension of :math:`x_t`.
        hidden_dim: Dimension of :math:`h_t` and :math:`c_t`.
        activation: :math:`g` (default ``tanh``; ``identity`` for the linear variant).
        dropout_x: Variational dropout rate on :math:`x_t` (in the projection and the highway).
        W: Existing parameter to share, shape ``(3H, input_dim)`` (rows :math:`\tilde x, a, b`)
            or ``(4H, input_dim)`` when ``input_dim != hidden_dim``.
        v: Existing parameter to share, shape ``(2H,)``: :math:`[v_f; v_r]`.
        b: Existing parameter to share, shape ``(2H,)``: :math:`[b_f; b_r]`.

    Example:
        >>> import dynet as dy, dynn
        >>> sru = SRU(dy.ParameterCollection(), 2, 3)
        >>> dynn.new_graph(sru)
        >>> h, c = sru(dy.inputVector([1.0, 2.0]), *sru.initial_value())
        >>> h.dim(), sru.parameters["W"].shape()
        (((3,), 1), (12, 2))
    """

    state_type = SRUState

    def __init__(
        self,
        pc: dy.ParameterCollection,
        input_dim: int,
        hidden_dim: int,
        activation: Callable = activations.tanh,
        dropout_x: float = 0.0,
        W: Optional[dy.Parameters] = None,
        v: Optional[dy.Parameters] = None,
        b: Optional[dy.Parameters] = None,
    ):
        super().__init__(pc, "sru")
        self.input_dim, self.hidden_dim = _check_dims(self, input_dim, hidden_dim)
        self.activation = activation
        self.dropout_x = dropout_x
        self._blocks = 3 if input_dim == hidden_dim else 4
        self.add_parameters("W", (self._blocks * hidden_dim, input_dim), param=W)
        self.add_parameters("v", 2 * hidden_dim, param=v, init=UniformInit(0.1))
        self.add_parameters("b", 2 * hidden_dim, param=b, init=ZeroInit())
        self._declare_dropout(dropout_x=(dropout_x, input_dim))

    def init_layer(self, test: bool = True, update: bool = False) -> None:
        super().init_layer(test=test, update=update)
        hidden = self.hidden_dim
        # The biases of the gates, padded to the rows of W, join the input product.
        pieces = [dy.zeros(hidden), self.b] + [dy.zeros(hidden)] * (self._blocks - 3)
        self._projection_bias = dy.concatenate(pieces)
        self._v_f = dy.pickrange(self.v, 0, hidden)
        self._v_r = dy.pickrange(self.v, hidden, 2 * hidden)

    def __call__(self, x: dy.Expression, h: dy.Expression, c: dy.Expression) -> SRUState:
        """One step: the new state :math:`(h_t, c_t)` (``h`` is not used)."""
        if self._dropout_active:
            x = self._dropped("dropout_x", x, max(_batch_size(x), _batch_size(c)))
        return self._recurrence(self._project(x), x, c)

    def _project(self, x: dy.Expression) -> dy.Expression:
        """:math:`W x` plus the gates' biases, for one step or (columns) a whole sequence."""
        return dy.affine_transform([self._projection_bias, self.W, x])

    def _recurrence(self, u: dy.Expression, x: dy.Expression, c: dy.Expression) -> SRUState:
        """The element-wise part of a step, from the projection ``u`` of the input ``x``."""
        hidden = self.hidden_dim
        candidate = dy.pickrange(u, 0, hidden)
        f = dy.logistic(dy.pickrange(u, hidden, 2 * hidden) + dy.cmult(self._v_f, c))
        r = dy.logistic(dy.pickrange(u, 2 * hidden, 3 * hidden) + dy.cmult(self._v_r, c))
        c_new = candidate + dy.cmult(f, c - candidate)
        highway = x if self._blocks == 3 else dy.pickrange(u, 3 * hidden, 4 * hidden)
        return SRUState(highway + dy.cmult(r, self.activation(c_new) - highway), c_new)


def _check_dims(layer: BaseLayer, input_dim, hidden_dim) -> Tuple[int, int]:
    for arg_name, value in (("input_dim", input_dim), ("hidden_dim", hidden_dim)):
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise ValueError(
                f"{type(layer).__name__}: {arg_name} must be a positive integer, got {value!r}"
            )
    return input_dim, hidden_dim


_CELL_FOR_BUILDER = OrderedDict(
    (cell._builder_class, cell) for cell in (ElmanRNN, LSTM, GRU, CoupledLSTM)
)


class StackedRecurrentCells(RecurrentCell):
    """A stack of recurrent cells: the output of each cell is the input of the next.

    The state is flat: the concatenation of the cells' states, in order (for two LSTMs,
    ``(h0, c0, h1, c1)``), so ``stack(x, *state)`` works as for a single cell.

    Args:
        *cells: The cells, bottom first. Each cell's input dimension must be the previous
            cell's hidden dimension.

    Example:
        >>> import dynet as dy, dynn
        >>> from dynn.layers.recurrent_layers import LSTM, GRU
        >>> pc = dy.ParameterCollection()
        >>> stack = StackedRecurrentCells(LSTM(pc, 2, 3), GRU(pc, 3, 4))
        >>> dynn.new_graph(stack)
        >>> state = stack(dy.inputVector([1.0, 2.0]), *stack.initial_value())
        >>> [e.dim()[0] for e in state], stack.get_output(state).dim()
        ([(3,), (3,), (4,)], ((4,), 1))
    """

    def __init__(self, *cells: RecurrentCell):
        super().__init__("stacked-recurrent-cells")
        if not cells:
            raise ValueError("StackedRecurrentCells needs at least one cell")
        for index, cell in enumerate(cells):
            if not isinstance(cell, RecurrentCell):
                raise TypeError(
                    f"StackedRecurrentCells: cell {index} must be a RecurrentCell, "
                    f"got {type(cell).__name__}"
                )
            if index > 0 and cell.input_dim != cells[index - 1].hidden_dim:
                raise ValueError(
                    f"StackedRecurrentCells: cell {index} ({type(cell).__name__}) has input_dim "
                    f"{cell.input_dim}, but cell {index - 1} outputs {cells[index - 1].hidden_dim}"
                )
        self.cells = list(cells)
        self.input_dim = cells[0].input_dim
        self.hidden_dim = cells[-1].hidden_dim
        self._declare_dropout()
        bounds, start = [], 0
        for cell in cells:
            bounds.append((start, start + cell.state_size))
            start += cell.state_size
        self._state_bounds = bounds
        self._state_size = start  # checked at every step: not recomputed from the cells

    @property
    def state_size(self) -> int:
        """Number of components of the flat state (all cells' components)."""
        return self._state_size

    @property
    def state_dims(self) -> Tuple[int, ...]:
        return tuple(d for cell in self.cells for d in cell.state_dims)

    @property
    def state_fields(self) -> Tuple[str, ...]:
        """Names of the flat state's components (``h0, c0, h1, c1`` for two LSTMs)."""
        return tuple(
            f"{field}{index}"
            for index, cell in enumerate(self.cells)
            for field in cell.state_type._fields
        )

    def initial_value(self, batch_size: int = 1) -> tuple:
        """The concatenated zero states of all cells (new dropout masks in training mode)."""
        return tuple(e for cell in self.cells for e in cell.initial_value(batch_size))

    def __call__(self, x: dy.Expression, *state: dy.Expression) -> tuple:
        """One step through every cell; returns the new flat state."""
        if len(state) != self._state_size:
            raise ValueError(
                f"StackedRecurrentCells '{self.name}': expected {self._state_size} state "
                f"components ({', '.join(self.state_fields)}), got {len(state)}"
            )
        new_state = []
        for cell, (start, end) in zip(self.cells, self._state_bounds):
            cell_state = cell(x, *state[start:end])
            x = cell.get_output(cell_state)
            new_state.extend(cell_state)
        return tuple(new_state)

    def get_output(self, state) -> dy.Expression:
        """The last cell's output."""
        start, end = self._state_bounds[-1]
        return self.cells[-1].get_output(state[start:end])

    def cell_states(self, state) -> list:
        """Split a flat state into the cells' own (named tuple) states."""
        return [
            cell.state_type(*state[start:end])
            for cell, (start, end) in zip(self.cells, self._state_bounds)
        ]

    @classmethod
    def from_builder(cls, pc: dy.ParameterCollection, builder, layer=None, **kwargs):
        """A stack of cells sharing all layers of a DyNet builder (cell type from its class).

        Args:
            pc: Collection for the cells' own sub-collections.
            builder: ``dy.SimpleRNNBuilder``, ``dy.VanillaLSTMBuilder`` (``dy.LSTMBuilder``),
                ``dy.GRUBuilder`` or ``dy.CoupledLSTMBuilder``.
            **kwargs: Passed to every cell's constructor (e.g. dropout rates).
        """
        if layer is not None:
            raise TypeError("StackedRecurrentCells.from_builder takes every layer; omit 'layer'")
        for builder_class, cell_class in _CELL_FOR_BUILDER.items():
            if isinstance(builder, builder_class):
                num_layers = len(builder.get_parameters())
                return cls(
                    *[cell_class.from_builder(pc, builder, i, **kwargs) for i in range(num_layers)]
                )
        supported = ", ".join(f"dy.{b.__name__}" for b in _CELL_FOR_BUILDER)
        raise TypeError(
            f"StackedRecurrentCells.from_builder: unsupported builder {type(builder).__name__}; "
            f"supported: {supported}"
        )

    def _diagnose_call(self, method_name, args, kwargs):
        return None


class StackedLSTM(StackedRecurrentCells):
    """A stack of ``num_layers`` :class:`LSTM` cells, as a multi-layer ``dy.VanillaLSTMBuilder``.

    Args:
        pc: Parameter collection.
        num_layers: Number of LSTM layers.
        input_dim: Input dimension of the first layer.
        hidden_dim: Hidden dimension of every layer.
        dropout_x: Variational dropout rate on each layer's input.
        dropout_h: Variational dropout rate on each layer's previous output.

    Example:
        >>> import dynet as dy, dynn
        >>> stack = StackedLSTM(dy.ParameterCollection(), 2, input_dim=3, hidden_dim=4)
        >>> dynn.new_graph(stack)
        >>> len(stack.initial_value())
        4
    """

    def __init__(
        self,
        pc: dy.ParameterCollection,
        num_layers: int,
        input_dim: int,
        hidden_dim: int,
        dropout_x: float = 0.0,
        dropout_h: float = 0.0,
    ):
        if not isinstance(num_layers, int) or num_layers < 1:
            raise ValueError(
                f"StackedLSTM: num_layers must be a positive integer, got {num_layers!r}"
            )
        subcollection = pc.add_subcollection("stacked-lstm")
        super().__init__(
            *[
                LSTM(
                    subcollection,
                    input_dim if i == 0 else hidden_dim,
                    hidden_dim,
                    dropout_x,
                    dropout_h,
                )
                for i in range(num_layers)
            ]
        )
        self.num_layers = num_layers
        self.dropout_x = dropout_x
        self.dropout_h = dropout_h
