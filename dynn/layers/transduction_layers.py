r"""Sequence transduction: run a layer or a recurrent cell over a sequence, with padding masks.

A sequence is a list of batched expressions, one per step. Batches of sentences of different
lengths are padded (on the left or the right) to the longest one; give the ``lengths`` and the
padding side, and every sentence of the batch gets exactly the states it would get alone:

- :class:`Transduction` applies a layer at every step;
- :class:`SequenceMaskingLayer` replaces the padded positions by a value (0, or -1e9 before a
  max-pooling or a softmax);
- :class:`Unidirectional` runs a recurrent cell forward or backward, :class:`Bidirectional` both.

At a padded position, a recurrent state is carried forward unchanged: with :math:`m_{t,b} = 1`
for the real tokens of sentence :math:`b` and 0 for its padding,

.. math::

    s_{t,b} = m_{t,b}\, \mathrm{cell}(x_{t,b}, s_{t-1,b}) + (1 - m_{t,b})\, s_{t-1,b}

so the final state of each sentence is its state at its last real token, and in the backward
direction the state at its true first token, whatever the padding side. The last state returned
in the direction of processing is therefore every sentence's final state (``states[-1]`` forward,
``states[0]`` backward); ``return_final_state=True`` returns it too.

Recurrent transduction also offers RETURNN's options: truncated back-propagation through time
(``truncation``) and running the cell on every ``stride``-th input only.

Speed: when DyNet's autobatching is off (see :func:`autobatching_enabled`), :class:`LSTM
<dynn.layers.recurrent_layers.LSTM>` cells (for batches of at most 4 sentences) and :class:`SRU
<dynn.layers.recurrent_layers.SRU>` cells (at most 8), alone or in a stack, compute the input
products of the whole sequence in one matrix product; when autobatching is on, every step is
computed separately, which is what autobatching can batch across sentences. Both forms give the
same values.

Example:
    >>> import dynet as dy, dynn
    >>> from dynn.layers.recurrent_layers import LSTM
    >>> pc = dy.ParameterCollection()
    >>> bilstm = Bidirectional(LSTM(pc, 2, 3), LSTM(pc, 2, 3))
    >>> dynn.new_graph(bilstm)
    >>> xs = [dy.inputTensor([[1.0, 0.0], [0.5, 2.0]], batched=True) for _ in range(4)]
    >>> (fwd, bwd), (fwd_final, bwd_final) = bilstm(
    ...     xs, lengths=[4, 2], left_padded=False, return_final_state=True)
    >>> len(fwd), fwd[0].h.dim(), bwd_final.c.dim()
    (4, ((3,), 2), ((3,), 2))
"""

import sys
from typing import Dict, List, Optional, Sequence, Tuple

import dynet as dy
import numpy as np

from ..util import batched_input
from . import base_layers
from .base_layers import BaseLayer
from .recurrent_layers import (
    LSTM,
    SRU,
    LSTMState,
    RecurrentCell,
    StackedLSTM,
    StackedRecurrentCells,
)
from .rnn_state import RNNState

__all__ = [
    "Transduction",
    "SequenceMaskingLayer",
    "Unidirectional",
    "Bidirectional",
    "autobatching_enabled",
]

# Largest batch for which the whole-sequence input product pays off, measured on a character
# language model (embeddings 64, hidden 256, 50 steps, training) against the per-step form:
# LSTM 1.1-1.5x at batch 1, 1.05-1.2x at 4, about 1.0x from 8 on; SRU 1.7x at batch 1, 1.1x at
# 8, 0.9x at 16 and 32.
_PROJECTION_MAX_BATCH = {"LSTM": 4, "SRU": 8}


# Autobatching --------------------------------------------------------------------------------
def _autobatch_from(config, argv: Sequence[str]) -> bool:
    """Whether DyNet initialised from ``config`` (or, if ``None``, from ``argv``) autobatches."""
    if config is not None:
        return bool(int(config.get("autobatch", 0) or 0))
    argv = list(argv)
    for index, arg in enumerate(argv):
        for flag in ("--dynet-autobatch", "--dynet_autobatch"):
            if arg == flag and index + 1 < len(argv):
                value = argv[index + 1]
            elif arg.startswith(flag + "="):
                value = arg[len(flag) + 1 :]
            else:
                continue
            try:
                return int(value) != 0
            except ValueError:
                return False
    return False


def _global_autobatch() -> bool:
    # dynet.py keeps the configuration it initialised DyNet from in ``dynet._CONF``: the dict
    # set with ``dynet_config.set`` before ``import dynet``, or ``None``, in which case DyNet
    # read its flags from ``sys.argv`` (``--dynet-autobatch N``) at import.
    config = getattr(dy, "_CONF", None)
    if config is None and not hasattr(dy, "_CONF"):
        import dynet_config

        config = dynet_config.get()
    return _autobatch_from(config, sys.argv)


# Decided when this module is imported, after DyNet was initialised (from the same argv).
_GLOBAL_AUTOBATCH = _global_autobatch()


def autobatching_enabled() -> bool:
    """Whether DyNet autobatches the current computation graph.

    DyNet offers no query, so this reconstructs what it was told: the ``autobatching`` option
    of the current graph if it was created by :func:`dynn.new_graph(..., autobatching=...)
    <dynn.layers.base_layers.new_graph>`, otherwise the global setting DyNet was initialised
    with, i.e. ``dynet_config.set(autobatch=...)`` before ``import dynet`` if that was used
    (then DyNet ignores the command line), else the ``--dynet-autobatch N`` command-line flag.
    A graph created by ``dy.renew_cg(autobatching=...)`` directly is not seen: only the speed
    of :class:`Unidirectional` depends on it, never its values.
    """
    options = getattr(base_layers, "_graph_options", {})
    if options.get("version") == dy.cg_version() and options.get("autobatching") is not None:
        return bool(options["autobatching"])
    return _GLOBAL_AUTOBATCH


# Masks -----------------------------------------------------------------------------------------
class _Masks:
    """0/1 batched masks (and their complements) for one call, one expression per pattern."""

    def __init__(self):
        self._cache: Dict[bytes, Tuple[dy.Expression, dy.Expression]] = {}

    def get(self, pattern: np.ndarray) -> Tuple[dy.Expression, dy.Expression]:
        key = pattern.tobytes()
        if key not in self._cache:
            mask = batched_input(pattern.astype(float)[None, :])
            self._cache[key] = (mask, -mask + 1)
        return self._cache[key]


def _real_positions(num_steps: int, lengths, left_padded: bool) -> Tuple[np.ndarray, np.ndarray]:
    """``(real, start)``: ``real[t, b]`` iff step ``t`` is a token of sentence ``b``."""
    lengths = np.asarray(lengths)
    start = num_steps - lengths if left_padded else np.zeros_like(lengths)
    steps = np.arange(num_steps)[:, None]
    return (steps >= start) & (steps < start + lengths), start


def _check_sequence(where: str, input_sequence, allow_empty: bool = False) -> List[dy.Expression]:
    if isinstance(input_sequence, dy.Expression):
        raise TypeError(
            f"{where}: input_sequence must be a list of dy.Expression (one per step), "
            f"got a single Expression of dimension {input_sequence.dim()}"
        )
    try:
        sequence = list(input_sequence)
    except TypeError:
        raise TypeError(
            f"{where}: input_sequence must be a list of dy.Expression (one per step), "
            f"got {type(input_sequence).__name__}"
        ) from None
    if not sequence and not allow_empty:
        raise ValueError(f"{where}: input_sequence is empty; it needs at least one step")
    for step, x in enumerate(sequence):
        if not isinstance(x, dy.Expression):
            raise TypeError(
                f"{where}: input_sequence[{step}] must be a dy.Expression, got {type(x).__name__}"
            )
    return sequence


def _batch_size_of(where: str, dims: List[tuple]) -> int:
    sizes = {batch for _, batch in dims}
    if len(sizes - {1}) > 1:
        raise ValueError(
            f"{where}: the steps of input_sequence have different batch sizes {sorted(sizes)}"
        )
    return max(sizes)


def _check_lengths(where: str, lengths, batch_size: int, num_steps: int) -> np.ndarray:
    try:
        values = [int(length) for length in lengths]
    except (TypeError, ValueError):
        raise TypeError(f"{where}: lengths must be a list of integers, got {lengths!r}") from None
    if len(values) != batch_size:
        raise ValueError(
            f"{where}: lengths has {len(values)} entries but the batch size of input_sequence "
            f"is {batch_size}"
        )
    for index, (value, original) in enumerate(zip(values, lengths)):
        if value != original or not 1 <= value <= num_steps:
            raise ValueError(
                f"{where}: lengths[{index}] = {original!r} is not a length in [1, {num_steps}] "
                f"(input_sequence has {num_steps} steps; empty sequences are not allowed)"
            )
    return np.array(values)


def _check_positive(where: str, name: str, value, allow_none: bool) -> None:
    if value is None and allow_none:
        return
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        expected = "None or a positive integer" if allow_none else "a positive integer"
        raise ValueError(f"{where}: {name} must be {expected}, got {value!r}")


def _check_cell(where: str, cell) -> None:
    if not isinstance(cell, RecurrentCell):
        raise TypeError(f"{where}: cell must be a RecurrentCell, got {type(cell).__name__}")


# Layers ----------------------------------------------------------------------------------------
class Transduction(BaseLayer):
    """Apply a layer to every step of a sequence: ``[layer(x) for x in input_sequence]``.

    Args:
        layer: The layer (any callable :class:`~dynn.layers.base_layers.BaseLayer`).

    Example:
        >>> import dynet as dy, dynn
        >>> from dynn.layers.dense_layers import Affine
        >>> affine = Affine(dy.ParameterCollection(), input_dim=2, output_dim=1, nobias=True)
        >>> affine.parameters["W"].set_value([[1.0, -1.0]])
        >>> per_step = Transduction(affine)
        >>> dynn.new_graph(per_step)
        >>> [y.value() for y in per_step([dy.inputVector([3.0, 1.0]), dy.inputVector([0.0, 2.0])])]
        [2.0, -2.0]
    """

    def __init__(self, layer: BaseLayer):
        super().__init__("transduction")
        if not isinstance(layer, BaseLayer):
            raise TypeError(f"Transduction: layer must be a BaseLayer, got {type(layer).__name__}")
        self.layer = layer

    def __call__(self, input_sequence: Sequence[dy.Expression]) -> list:
        """The layer's output at every step.

        Args:
            input_sequence: One expression per step.

        Returns:
            ``[layer(x) for x in input_sequence]``.
        """
        where = f"Transduction '{self.name}'"
        sequence = _check_sequence(where, input_sequence, allow_empty=True)
        return [self.layer(x) for x in sequence]


class SequenceMaskingLayer(BaseLayer):
    r"""Replace the padded positions of a batch of padded sequences by ``mask_value``.

    .. math::

        y_{t,b} = m_{t,b}\, x_{t,b} + (1 - m_{t,b})\, v

    where :math:`m_{t,b}` is 1 on the real tokens of sentence :math:`b` and 0 on its padding.
    Before a max-pooling or a softmax over positions, use a large negative ``mask_value``
    such as ``-1e9`` (never ``-inf``: DyNet reuses memory, and infinities poison later graphs).

    Args:
        mask_value: The value :math:`v` put at padded positions (finite).
        left_padded: Default padding side (overridable per call).

    Example:
        >>> import dynet as dy, dynn
        >>> masking = SequenceMaskingLayer(mask_value=-1e9, left_padded=False)
        >>> dynn.new_graph(masking)
        >>> xs = [dy.inputTensor([[1.0, 2.0]], batched=True)] * 2  # dimension 1, batch 2
        >>> [y.npvalue().tolist() for y in masking(xs, lengths=[2, 1])]
        [[[1.0, 2.0]], [[1.0, -1000000000.0]]]
    """

    def __init__(self, mask_value: float = 0.0, left_padded: bool = True):
        super().__init__("sequence-masking")
        if not np.isfinite(mask_value):
            raise ValueError(
                f"SequenceMaskingLayer: mask_value must be finite (use -1e9 rather than -inf), "
                f"got {mask_value!r}"
            )
        self.mask_value = float(mask_value)
        self.left_padded = bool(left_padded)

    def __call__(
        self,
        input_sequence: Sequence[dy.Expression],
        lengths: Sequence[int],
        left_padded: Optional[bool] = None,
    ) -> List[dy.Expression]:
        """Mask the padded positions.

        Args:
            input_sequence: One batched expression per step.
            lengths: The length of each sentence of the batch.
            left_padded: Padding side; the constructor's value if ``None``.

        Returns:
            The masked sequence (unpadded steps are returned unchanged).
        """
        where = f"SequenceMaskingLayer '{self.name}'"
        sequence = _check_sequence(where, input_sequence)
        batch_size = _batch_size_of(where, [x.dim() for x in sequence])
        lengths = _check_lengths(where, lengths, batch_size, len(sequence))
        left = self.left_padded if left_padded is None else bool(left_padded)
        real, _ = _real_positions(len(sequence), lengths, left)
        masks = _Masks()
        output = []
        for x, row in zip(sequence, real):
            if row.all():
                output.append(x)
                continue
            mask, complement = masks.get(row)
            masked = dy.cmult(x, mask)
            if self.mask_value != 0.0:
                masked = masked + complement * self.mask_value
            output.append(masked)
        return output


class Unidirectional(BaseLayer):
    r"""Run a recurrent cell over a sequence, forward or backward.

    Returns the state after every step, in the order of the input (also when running backward).
    With ``lengths``, padded positions carry the previous state forward,

    .. math::

        s_{t,b} = m_{t,b}\, \mathrm{cell}(x_{t,b}, s_{t-1,b}) + (1 - m_{t,b})\, s_{t-1,b}

    (:math:`m_{t,b}` is 1 on the tokens of sentence :math:`b`, 0 on its padding; :math:`t` runs
    in the direction of processing), so that every sentence gets the states it would get alone.

    ``truncation=k`` truncates back-propagation through time: the state carried into every
    :math:`k`-th application of the cell is cut from the graph (``dy.nobackprop``), so that
    gradients flow back through at most :math:`k` applications; values are unchanged.
    ``stride=n`` runs the cell on every :math:`n`-th input of each sentence only (its 1st,
    :math:`(n+1)`-th, ... token in the direction of processing) and holds the state in between,
    so the output keeps one state per input position.

    Args:
        cell: The recurrent cell (a stack of cells is a cell).
        output_only: Return the cell's outputs (``h``) instead of whole states.
        truncation: Truncate back-propagation through time to this many steps (``None``: no
            truncation).
        stride: Run the cell on every ``stride``-th input.

    Example:
        >>> import dynet as dy, dynn
        >>> from dynn.layers.recurrent_layers import GRU
        >>> encoder = Unidirectional(GRU(dy.ParameterCollection(), 2, 3), output_only=True)
        >>> dynn.new_graph(encoder)
        >>> xs = [dy.inputVector([1.0, -1.0])] * 5
        >>> outputs, final = encoder(xs, backward=True, return_final_state=True)
        >>> len(outputs), outputs[0] is final.h  # backward: the final state is at step 0
        (5, True)
    """

    def __init__(
        self,
        cell: RecurrentCell,
        output_only: bool = False,
        truncation: Optional[int] = None,
        stride: int = 1,
    ):
        super().__init__("unidirectional")
        _check_cell("Unidirectional", cell)
        _check_positive("Unidirectional", "truncation", truncation, allow_none=True)
        _check_positive("Unidirectional", "stride", stride, allow_none=False)
        self.cell = cell
        self.output_only = bool(output_only)
        self.truncation = truncation
        self.stride = stride

    def __call__(
        self,
        input_sequence: Sequence[dy.Expression],
        backward: bool = False,
        lengths: Optional[Sequence[int]] = None,
        left_padded: bool = True,
        output_only: Optional[bool] = None,
        initial_state: Optional[Sequence[dy.Expression]] = None,
        return_final_state: bool = False,
    ):
        """Transduce the sequence.

        Args:
            input_sequence: One batched expression per step, each of dimension
                ``(cell.input_dim,)``.
            backward: Process the sequence from the end; the states are still returned in the
                input's order.
            lengths: The length of each sentence of the batch, if they were padded.
            left_padded: Whether the sentences were padded on the left (else on the right).
            output_only: Override the constructor's ``output_only``.
            initial_state: The state before the first step (the cell's zero state if ``None``),
                e.g. the final state of an encoder, or an
                :class:`~dynn.layers.rnn_state.RNNState`.
            return_final_state: Also return every sentence's final state.

        Returns:
            The list of states (or outputs), one per input step; with ``return_final_state``,
            the pair ``(states, final_state)`` (the final state is always a whole state).

        Raises:
            ValueError: empty sequence, wrong input dimension, lengths that do not match the
                batch, or an initial state of the wrong size.
        """
        states, final = _transduce(
            f"Unidirectional '{self.name}'",
            self.cell,
            input_sequence,
            backward=bool(backward),
            lengths=lengths,
            left_padded=bool(left_padded),
            initial_state=initial_state,
            truncation=self.truncation,
            stride=self.stride,
        )
        if self.output_only if output_only is None else output_only:
            states = [self.cell.get_output(state) for state in states]
        return (states, final) if return_final_state else states


class Bidirectional(BaseLayer):
    """Run one recurrent cell forward and another backward over a sequence.

    Each direction is exactly a :class:`Unidirectional` transduction (masking, truncation and
    stride included); both lists of states are in the input's order. The backward direction's
    final state is each sentence's state at its first real token.

    Args:
        forward_cell: The cell run from the first step to the last.
        backward_cell: The cell run from the last step to the first.
        output_only: Return the cells' outputs (``h``) instead of whole states.
        truncation: Truncate back-propagation through time to this many steps.
        stride: Run the cells on every ``stride``-th input.

    Example:
        >>> import dynet as dy, dynn
        >>> from dynn.layers.recurrent_layers import LSTM
        >>> pc = dy.ParameterCollection()
        >>> bilstm = Bidirectional(LSTM(pc, 2, 3), LSTM(pc, 2, 4), output_only=True)
        >>> dynn.new_graph(bilstm)
        >>> fwd, bwd = bilstm([dy.inputVector([1.0, 2.0])] * 3)
        >>> dy.concatenate([fwd[0], bwd[0]]).dim()
        ((7,), 1)
    """

    def __init__(
        self,
        forward_cell: RecurrentCell,
        backward_cell: RecurrentCell,
        output_only: bool = False,
        truncation: Optional[int] = None,
        stride: int = 1,
    ):
        super().__init__("bidirectional")
        _check_cell("Bidirectional (forward_cell)", forward_cell)
        _check_cell("Bidirectional (backward_cell)", backward_cell)
        if forward_cell.input_dim != backward_cell.input_dim:
            raise ValueError(
                f"Bidirectional: forward_cell has input_dim {forward_cell.input_dim} but "
                f"backward_cell has input_dim {backward_cell.input_dim}"
            )
        _check_positive("Bidirectional", "truncation", truncation, allow_none=True)
        _check_positive("Bidirectional", "stride", stride, allow_none=False)
        self.forward_cell = forward_cell
        self.backward_cell = backward_cell
        self.output_only = bool(output_only)
        self.truncation = truncation
        self.stride = stride

    def __call__(
        self,
        input_sequence: Sequence[dy.Expression],
        lengths: Optional[Sequence[int]] = None,
        left_padded: bool = True,
        output_only: Optional[bool] = None,
        fwd_initial_state: Optional[Sequence[dy.Expression]] = None,
        bwd_initial_state: Optional[Sequence[dy.Expression]] = None,
        return_final_state: bool = False,
    ):
        """Transduce the sequence in both directions.

        Args:
            input_sequence: One batched expression per step.
            lengths: The length of each sentence of the batch, if they were padded.
            left_padded: Whether the sentences were padded on the left (else on the right).
            output_only: Override the constructor's ``output_only``.
            fwd_initial_state: Initial state of the forward cell.
            bwd_initial_state: Initial state of the backward cell.
            return_final_state: Also return both directions' final states.

        Returns:
            ``(forward_states, backward_states)``, both in the input's order; with
            ``return_final_state``, ``((forward_states, backward_states), (forward_final,
            backward_final))``.
        """
        where = f"Bidirectional '{self.name}'"
        only = self.output_only if output_only is None else output_only
        results = []
        for direction, cell, initial in (
            ("forward", self.forward_cell, fwd_initial_state),
            ("backward", self.backward_cell, bwd_initial_state),
        ):
            states, final = _transduce(
                f"{where} ({direction})",
                cell,
                input_sequence,
                backward=direction == "backward",
                lengths=lengths,
                left_padded=bool(left_padded),
                initial_state=initial,
                truncation=self.truncation,
                stride=self.stride,
            )
            if only:
                states = [cell.get_output(state) for state in states]
            results.append((states, final))
        (fwd, fwd_final), (bwd, bwd_final) = results
        return ((fwd, bwd), (fwd_final, bwd_final)) if return_final_state else (fwd, bwd)


# The transduction itself ---------------------------------------------------------------------
def _transduce(
    where: str,
    cell: RecurrentCell,
    input_sequence,
    backward: bool,
    lengths,
    left_padded: bool,
    initial_state,
    truncation: Optional[int],
    stride: int,
):
    """States (in input order) and final state of ``cell`` run over ``input_sequence``."""
    sequence = _check_sequence(where, input_sequence)
    dims = [x.dim() for x in sequence]
    expected = (cell.input_dim,)
    for step, (shape, _) in enumerate(dims):
        if shape != expected:
            raise ValueError(
                f"{where}: input_sequence[{step}] has dimension {shape}, expected "
                f"({cell.input_dim},) (the input_dim of {type(cell).__name__} '{cell.name}')"
            )
    batch_size = _batch_size_of(where, dims)
    num_steps = len(sequence)
    if backward:
        sequence = sequence[::-1]
    if lengths is None and stride == 1:
        steps, actions = list(range(num_steps)), [None] * num_steps
    else:
        steps, actions = _schedule(
            where, num_steps, batch_size, lengths, left_padded, backward, stride
        )
    # Dropout masks are drawn for each new sequence, also when the initial state is given.
    zero_state = cell.initial_value(batch_size)
    if initial_state is None:
        state = zero_state
    else:
        state = _check_initial_state(where, cell, initial_state, batch_size)
    inputs = [sequence[t] for t in steps]
    plan = None if autobatching_enabled() else _projection_plan(cell, inputs, batch_size)
    if plan is None:
        # One step at a time: the form DyNet's autobatching can batch across sentences.
        computed = _scan(lambda j, s: cell(inputs[j], *s), state, actions, truncation)
    else:
        computed = _scan_layers(plan, inputs, state, actions, truncation, batch_size)
    if len(steps) == num_steps:
        states = computed
    else:  # every position gets the state after the last step read at or before it
        states, current, index = [], state, 0
        for t in range(num_steps):
            if index < len(steps) and steps[index] == t:
                current = computed[index]
                index += 1
            states.append(current)
    final = states[-1]
    if backward:
        states = states[::-1]
    return states, final


def _schedule(where, num_steps, batch_size, lengths, left_padded, backward, stride):
    """The steps some sentence reads, in the order of processing, and their masks (``None``
    when every sentence reads the step)."""
    if lengths is None:
        active = np.ones((num_steps, batch_size), dtype=bool)
        start = np.zeros(batch_size, dtype=int)
    else:
        lengths = _check_lengths(where, lengths, batch_size, num_steps)
        # Running backward, the padding is on the other side in the order of processing.
        active, start = _real_positions(num_steps, lengths, left_padded != backward)
    if stride > 1:
        active &= (np.arange(num_steps)[:, None] - start) % stride == 0
    masks = _Masks()
    steps, actions = [], []
    for t, (full, some) in enumerate(zip(active.all(axis=1).tolist(), active.any(axis=1).tolist())):
        if some:
            steps.append(t)
            actions.append(None if full else masks.get(active[t]))
    return steps, actions


def _like(state, components):
    return type(state)(*components) if hasattr(state, "_fields") else tuple(components)


def _scan(step, state, actions, truncation: Optional[int]) -> list:
    """Apply ``step(j, state)`` for each step ``j``, masking partial steps; all new states."""
    states = []
    if truncation is None and all(action is None for action in actions):
        for j in range(len(actions)):
            state = step(j, state)
            states.append(state)
        return states
    for j, action in enumerate(actions):
        if truncation is not None and j > 0 and j % truncation == 0:
            state = _like(state, [dy.nobackprop(e) for e in state])
        new_state = step(j, state)
        if action is not None:
            mask, complement = action
            new_state = _like(
                new_state,
                [
                    dy.cmult(new, mask) + dy.cmult(old, complement)
                    for new, old in zip(new_state, state)
                ],
            )
        states.append(new_state)
        state = new_state
    return states


# Whole-sequence input products (autobatching off) ---------------------------------------------
def _leaves(cell) -> Optional[List[RecurrentCell]]:
    """The cells of a plain stack, bottom first (``[cell]`` for a cell); ``None`` otherwise."""
    if type(cell) in (StackedRecurrentCells, StackedLSTM):
        leaves = []
        for sub in cell.cells:
            sub_leaves = _leaves(sub)
            if sub_leaves is None:
                return None
            leaves.extend(sub_leaves)
        return leaves
    return [cell]


def _projectable(cell, batch_size: int) -> bool:
    if type(cell) not in (LSTM, SRU):
        return False
    return batch_size <= _PROJECTION_MAX_BATCH[type(cell).__name__]


def _projection_plan(cell, inputs, batch_size: int):
    """The cells to run layer by layer, if one of them can project a whole sequence at once."""
    if any(x.dim()[1] != batch_size for x in inputs):
        return None
    leaves = _leaves(cell)
    if leaves is None or not any(_projectable(leaf, batch_size) for leaf in leaves):
        return None
    return leaves


def _scan_layers(leaves, inputs, state, actions, truncation, batch_size: int) -> list:
    """Run a stack layer by layer (same values as step by step); flat states per step."""
    per_layer, offset = [], 0
    for leaf in leaves:
        leaf_state = leaf.state_type(*state[offset : offset + leaf.state_size])
        offset += leaf.state_size
        if _projectable(leaf, batch_size):
            step = _projected_step(leaf, inputs, batch_size)
        else:
            step = lambda j, s, leaf=leaf, xs=inputs: leaf(xs[j], *s)  # noqa: E731
        leaf_states = _scan(step, leaf_state, actions, truncation)
        per_layer.append(leaf_states)
        inputs = [leaf.get_output(s) for s in leaf_states]
    if len(leaves) == 1:
        return per_layer[0]
    return [tuple(e for layer in step for e in layer) for step in zip(*per_layer)]


def _projected_step(cell, inputs, batch_size: int):
    """A step function using one matrix product of the whole sequence of ``inputs``."""
    if cell._dropout_active:
        inputs = [cell._dropped("dropout_x", x, batch_size) for x in inputs]
    columns = dy.concatenate_cols(inputs)

    def column(j):  # (DyNet drops the trailing 1 of a one-column matrix)
        return projection if len(inputs) == 1 else dy.pick(projection, j, 1)

    if type(cell) is SRU:
        projection = cell._project(columns)

        def sru_step(j, state):
            return cell._recurrence(column(j), inputs[j], state.c)

        return sru_step
    hidden = cell.hidden_dim
    # +1 on the forget gate, as DyNet's fused vanilla_lstm_gates (built from constants: an
    # inputTensor from numpy costs ~100 us, this ~1.5 us).
    forget_bias = dy.concatenate([dy.zeros(hidden), dy.ones(hidden), dy.zeros(2 * hidden)])
    projection = dy.affine_transform([cell.b + forget_bias, cell.Whx, columns])

    def lstm_step(j, state):
        h = state.h
        if cell._dropout_active:
            h = cell._dropped("dropout_h", h, batch_size)
        pre = dy.affine_transform([column(j), cell.Whh, h])
        gates = dy.concatenate(
            [
                dy.logistic(dy.pickrange(pre, 0, 3 * hidden)),
                dy.tanh(dy.pickrange(pre, 3 * hidden, 4 * hidden)),
            ]
        )
        c = dy.vanilla_lstm_c(state.c, gates)
        return LSTMState(dy.vanilla_lstm_h(c, gates), c)

    return lstm_step


def _check_initial_state(where: str, cell, initial_state, batch_size: int):
    fields = _state_fields(cell)
    if isinstance(initial_state, RNNState):
        initial_state = initial_state.state
    if isinstance(initial_state, dy.Expression):
        initial_state = (initial_state,)
    try:
        components = list(initial_state)
    except TypeError:
        raise TypeError(
            f"{where}: initial_state must be a state of {type(cell).__name__} '{cell.name}' "
            f"({', '.join(fields)}), got {type(initial_state).__name__}"
        ) from None
    if len(components) != cell.state_size:
        raise ValueError(
            f"{where}: initial_state must have {cell.state_size} components "
            f"({', '.join(fields)}) for {type(cell).__name__} '{cell.name}', got {len(components)}"
        )
    for name, dim, e in zip(fields, cell.state_dims, components):
        if not isinstance(e, dy.Expression):
            raise TypeError(
                f"{where}: initial_state component {name} must be a dy.Expression, "
                f"got {type(e).__name__}"
            )
        shape, batch = e.dim()
        if shape != (dim,):
            raise ValueError(
                f"{where}: initial_state component {name} must have dimension ({dim},), got {shape}"
            )
        if batch not in (1, batch_size):
            raise ValueError(
                f"{where}: initial_state component {name} has batch size {batch}, expected 1 "
                f"or {batch_size} (the batch size of input_sequence)"
            )
    # An unbatched state is shared by every sentence (DyNet's fused LSTM ops do not broadcast).
    components = [
        e + dy.zeros(dim, batch_size=batch_size) if e.dim()[1] != batch_size else e
        for dim, e in zip(cell.state_dims, components)
    ]
    if hasattr(cell.state_type, "_fields") and cell.state_type is not tuple:
        return cell.state_type(*components)
    return tuple(components)


def _state_fields(cell) -> Tuple[str, ...]:
    fields = getattr(cell, "state_fields", None)
    if fields is None:
        fields = getattr(cell.state_type, "_fields", None)
    if fields is None or len(fields) != cell.state_size:
        fields = tuple(f"s{i}" for i in range(cell.state_size))
    return tuple(fields)
