"""DyNet's ``RNNState`` interface for every dynn recurrent cell, stacks included.

DyNet code drives a builder through state objects::

    s = builder.initial_state()
    s = s.add_input(x)
    y = s.output()

Every :class:`~dynn.layers.recurrent_layers.RecurrentCell` offers the same interface through
:meth:`~dynn.layers.recurrent_layers.RecurrentCell.initial_state`, with DyNet's meanings:

- ``output()`` is the output of the top layer (``None`` for a fresh initial state, as in DyNet);
- ``h()`` is the output of every layer, bottom first;
- ``s()`` is the whole state in DyNet's order: every layer's other components (the memories
  :math:`c` of LSTMs and SRUs), then every layer's output. For an LSTM stack of :math:`L` layers,
  :math:`(c_1, \\dots, c_L, h_1, \\dots, h_L)`;
- ``prev()`` is the state this one was derived from, so that one can branch (add a different
  input to an earlier state), as in DyNet's stack-LSTM example;
- ``set_h(es)`` is a new state whose layer outputs are ``es`` (memories kept), ``set_s(es)`` a new
  state equal to ``es`` (in ``s()`` order); both have this state as ``prev()``.

One difference from DyNet, on purpose: DyNet's LSTM builders take the memory kept by ``set_h``
from the most recently *created* state rather than from the state ``set_h`` is called on (they
coincide unless one branches). dynn keeps the memory of the state ``set_h`` is called on. And
``h()``/``s()`` of a fresh initial state are its zero vectors (DyNet returns empty tuples).

Example:
    >>> import dynet as dy, dynn
    >>> from dynn.layers.recurrent_layers import StackedLSTM
    >>> stack = StackedLSTM(dy.ParameterCollection(), 2, input_dim=3, hidden_dim=4)
    >>> dynn.new_graph(stack)
    >>> s0 = stack.initial_state()
    >>> s1 = s0.add_input(dy.inputVector([1.0, 0.0, 0.0]))
    >>> s1.output().dim(), len(s1.h()), len(s1.s())
    (((4,), 1), 2, 4)
    >>> branch = s1.prev().add_input(dy.inputVector([0.0, 1.0, 0.0]))  # from s0 again
    >>> branch.prev() is s0
    True
"""

from typing import List, Optional, Sequence, Tuple

import dynet as dy

__all__ = ["RNNState"]


def _layers(cell) -> List[Tuple[object, int, int]]:
    """The layers of ``cell`` as ``(leaf cell, start, end)`` slices of its flat state."""
    from .recurrent_layers import StackedRecurrentCells

    if isinstance(cell, StackedRecurrentCells):
        layers, offset = [], 0
        for sub in cell.cells:
            for leaf, start, end in _layers(sub):
                layers.append((leaf, offset + start, offset + end))
            offset += sub.state_size
        return layers
    return [(cell, 0, cell.state_size)]


class RNNState:
    """A state of a recurrent cell, with DyNet's ``RNNState`` methods.

    Get the first one from :meth:`RecurrentCell.initial_state
    <dynn.layers.recurrent_layers.RecurrentCell.initial_state>`; every method that advances or
    changes the state returns a new object and leaves this one unchanged.

    Args:
        cell: The recurrent cell.
        state: The cell's state (what ``cell(x, *state)`` takes and returns).
        prev: The state this one was derived from.
        output: The top layer's output (``None`` for a fresh initial state).

    Attributes:
        cell: The recurrent cell.
        state: The cell's state, a named tuple (one cell) or flat tuple (a stack): use it as
            ``cell(x, *s.state)`` or as ``initial_state=`` of a transduction layer.
    """

    __slots__ = ("cell", "state", "_prev", "_output", "_graph_version")

    def __init__(
        self,
        cell,
        state: Sequence[dy.Expression],
        prev: Optional["RNNState"] = None,
        output: Optional[dy.Expression] = None,
    ):
        self.cell = cell
        self.state = state
        self._prev = prev
        self._output = output
        self._graph_version = dy.cg_version()

    @classmethod
    def initial(cls, cell, batch_size: int = 1, vecs=None) -> "RNNState":
        """The zero state of ``cell`` (drawing dropout masks), or ``vecs`` (in ``s()`` order).

        As in DyNet, an initial state given by ``vecs`` is ``set_s(vecs)`` applied to the zero
        state: its ``output()`` is the top layer's output in ``vecs`` and its ``prev()`` is the
        zero state.
        """
        state = cls(cell, cell.initial_value(batch_size))
        return state if vecs is None else state.set_s(vecs)

    # DyNet's interface ------------------------------------------------------------------------
    def add_input(self, x: dy.Expression) -> "RNNState":
        """The state after reading ``x`` from this state."""
        self._check_graph("add_input")
        new_state = self.cell(x, *self.state)
        return RNNState(self.cell, new_state, self, self.cell.get_output(new_state))

    def add_inputs(self, xs: Sequence[dy.Expression]) -> List["RNNState"]:
        """The states after reading each of ``xs`` in turn, starting from this state."""
        states, current = [], self
        for x in xs:
            current = current.add_input(x)
            states.append(current)
        return states

    def transduce(self, xs: Sequence[dy.Expression]) -> List[dy.Expression]:
        """The outputs after reading each of ``xs`` in turn (``add_inputs`` without states)."""
        return [state.output() for state in self.add_inputs(xs)]

    def output(self) -> Optional[dy.Expression]:
        """The top layer's output (``None`` for a fresh initial state)."""
        return self._output

    def h(self) -> Tuple[dy.Expression, ...]:
        """Every layer's output, bottom first."""
        return tuple(self.state[start] for _, start, _ in _layers(self.cell))

    def s(self) -> Tuple[dy.Expression, ...]:
        """The whole state in DyNet's order: every layer's memories, then every layer's output."""
        layers = _layers(self.cell)
        memories = [e for _, start, end in layers for e in self.state[start + 1 : end]]
        return tuple(memories) + self.h()

    def prev(self) -> Optional["RNNState"]:
        """The state this one was derived from (``None`` for a fresh initial state)."""
        return self._prev

    def set_h(self, es: Sequence[dy.Expression]) -> "RNNState":
        """A new state whose layer outputs are ``es`` (one per layer), memories kept."""
        self._check_graph("set_h")
        layers = _layers(self.cell)
        es = self._check_vectors("set_h", es, [(leaf, start) for leaf, start, _ in layers])
        components = list(self.state)
        for (_, start, _), e in zip(layers, es):
            components[start] = e
        return self._derived(components)

    def set_s(self, es: Sequence[dy.Expression]) -> "RNNState":
        """A new state equal to ``es``, given in ``s()`` order."""
        self._check_graph("set_s")
        layers = _layers(self.cell)
        slots = [(leaf, i) for leaf, start, end in layers for i in range(start + 1, end)]
        slots += [(leaf, start) for leaf, start, _ in layers]
        es = self._check_vectors("set_s", es, slots)
        components = list(self.state)
        for (_, index), e in zip(slots, es):
            components[index] = e
        return self._derived(components)

    def b(self):
        """The cell (DyNet's ``RNNState.b()`` returns the builder)."""
        return self.cell

    # Helpers ----------------------------------------------------------------------------------
    def _derived(self, components: List[dy.Expression]) -> "RNNState":
        if hasattr(self.state, "_fields"):
            state = type(self.state)(*components)
        else:
            state = tuple(components)
        return RNNState(self.cell, state, self, self.cell.get_output(state))

    def _where(self) -> str:
        return f"RNNState of {type(self.cell).__name__} '{self.cell.name}'"

    def _check_graph(self, method: str) -> None:
        if self._graph_version != dy.cg_version():
            raise ValueError(
                f"{self._where()}: {method}() on a state from an earlier computation graph; "
                f"call cell.initial_state() again after dy.renew_cg()"
            )

    def _check_vectors(self, method: str, es, slots) -> List[dy.Expression]:
        if isinstance(es, dy.Expression) or es is None:
            raise TypeError(f"{self._where()}: {method}() expects a list of expressions")
        es = list(es)
        if len(es) != len(slots):
            what = "one per layer" if method == "set_h" else "in s() order"
            raise ValueError(
                f"{self._where()}: {method}() expects {len(slots)} expressions ({what}), "
                f"got {len(es)}"
            )
        for position, (e, (_, index)) in enumerate(zip(es, slots)):
            if not isinstance(e, dy.Expression):
                raise TypeError(
                    f"{self._where()}: {method}() element {position} must be a dy.Expression, "
                    f"got {type(e).__name__}"
                )
            expected = (self.cell.state_dims[index],)
            if e.dim()[0] != expected:
                raise ValueError(
                    f"{self._where()}: {method}() element {position} must have dimension "
                    f"{expected}, got {e.dim()[0]}"
                )
        return es

    def __repr__(self) -> str:
        return f"<{self._where()}>"
