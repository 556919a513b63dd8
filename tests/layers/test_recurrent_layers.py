import dynet as dy
import numpy as np
import pytest

import dynn
from dynn.layers.base_layers import LayerNotInitializedError
from dynn.layers.recurrent_layers import (
    GRU,
    LSTM,
    CoupledLSTM,
    ElmanRNN,
    LSTMState,
    StackedLSTM,
    StackedRecurrentCells,
)
from dynn.util import batched_input

INPUT_DIM, HIDDEN_DIM, SEQ_LEN = 3, 4, 10
PAIRS = [
    (dy.SimpleRNNBuilder, ElmanRNN),
    (dy.VanillaLSTMBuilder, LSTM),
    (dy.GRUBuilder, GRU),
    (dy.CoupledLSTMBuilder, CoupledLSTM),
]
CELLS = {
    "elman": lambda pc, **kw: ElmanRNN(pc, INPUT_DIM, HIDDEN_DIM, dropout=kw.get("dropout", 0.0)),
    "lstm": lambda pc, **kw: LSTM(
        pc, INPUT_DIM, HIDDEN_DIM, kw.get("dropout", 0.0), kw.get("dropout", 0.0)
    ),
    "gru": lambda pc, **kw: GRU(
        pc, INPUT_DIM, HIDDEN_DIM, kw.get("dropout", 0.0), kw.get("dropout", 0.0)
    ),
    "coupled": lambda pc, **kw: CoupledLSTM(
        pc, INPUT_DIM, HIDDEN_DIM, kw.get("dropout", 0.0), kw.get("dropout", 0.0)
    ),
    "stacked": lambda pc, **kw: StackedLSTM(
        pc, 2, INPUT_DIM, HIDDEN_DIM, kw.get("dropout", 0.0), kw.get("dropout", 0.0)
    ),
}


@pytest.fixture(autouse=True)
def seeded_dynet():
    """Dropout masks come from DyNet's generator: seed it so no test depends on test order."""
    dy.reset_random_seed(20261122)


def randomize(pc, rng):
    for param in pc.parameters_list():
        param.set_value(rng.uniform(-0.5, 0.5, param.shape()))


def batched_inputs(values):
    """One batched input expression per time step, from an array (steps, dim, batch)."""
    return [batched_input(step) for step in values]


def loss_of(outputs, weights):
    return dy.sum_batches(
        dy.esum([dy.dot_product(out, dy.inputTensor(w)) for out, w in zip(outputs, weights)])
    )


def run(outputs_fn, params, values, weights):
    """Outputs, gradients w.r.t. inputs, and gradients w.r.t. params of one computation."""
    for param in params:
        param.scale_gradient(0.0)
    dy.renew_cg()
    xs = batched_inputs(values)
    outputs, final = outputs_fn(xs)
    loss = loss_of(outputs, weights)
    loss.backward(full=True)
    return (
        np.array([out.npvalue() for out in outputs]),
        np.array([x.gradient() for x in xs]),
        [param.grad_as_array().copy() for param in params],
        np.array([e.npvalue() for e in final]),
    )


@pytest.mark.parametrize("layers", [1, 2])
@pytest.mark.parametrize("batch_size", [1, 5])
@pytest.mark.parametrize("builder_class, cell_class", PAIRS, ids=[c.__name__ for _, c in PAIRS])
def test_parity_with_dynet_builders(builder_class, cell_class, layers, batch_size, rng):
    pc = dy.ParameterCollection()
    builder = builder_class(layers, INPUT_DIM, HIDDEN_DIM, pc)
    randomize(pc, rng)
    stack = StackedRecurrentCells.from_builder(pc, builder)
    assert all(type(cell) is cell_class for cell in stack.cells)
    params = pc.parameters_list()
    assert len(params) == sum(len(layer) for layer in builder.get_parameters())
    values = rng.uniform(-1, 1, (SEQ_LEN, INPUT_DIM, batch_size))
    weights = rng.uniform(-1, 1, (SEQ_LEN, HIDDEN_DIM))

    def native(xs):
        builder.disable_dropout()
        states = builder.initial_state().add_inputs(xs)
        return [s.output() for s in states], states[-1].s()

    def ours(xs):
        stack.init(test=True, update=True)
        state = stack.initial_value(batch_size)
        outputs = []
        for x in xs:
            state = stack(x, *state)
            outputs.append(stack.get_output(state))
        return outputs, state

    expected = run(native, params, values, weights)
    actual = run(ours, params, values, weights)
    out_e, dx_e, dp_e, final_e = expected
    out_a, dx_a, dp_a, final_a = actual
    np.testing.assert_allclose(out_a, out_e, atol=1e-6)
    np.testing.assert_allclose(dx_a, dx_e, atol=1e-6)
    for grad_a, grad_e in zip(dp_a, dp_e):
        np.testing.assert_allclose(grad_a, grad_e, atol=1e-6)
        assert np.any(grad_a != 0)
    # DyNet orders a final state as all memories then all outputs; ours is per cell.
    ours_by_dynet_order = _to_dynet_order(stack, final_a)
    np.testing.assert_allclose(ours_by_dynet_order, final_e, atol=1e-6)


def _to_dynet_order(stack, flat_state):
    per_cell = stack.cell_states(list(flat_state))
    if len(per_cell[0]) == 1:
        return np.array([s[0] for s in per_cell])
    return np.array([s.c for s in per_cell] + [s.h for s in per_cell])


@pytest.mark.parametrize("name", sorted(CELLS))
def test_batched_equals_unbatched(name, rng):
    pc = dy.ParameterCollection()
    cell = CELLS[name](pc)
    randomize(pc, rng)
    values = rng.uniform(-1, 1, (6, INPUT_DIM, 3))

    def transduce(steps, batch_size):
        dynn.new_graph(cell)
        state = cell.initial_value(batch_size)
        for x in batched_inputs(steps):
            state = cell(x, *state)
        return cell.get_output(state).npvalue()

    batched = transduce(values, 3)
    for b in range(3):
        alone = transduce(values[:, :, b : b + 1], 1)
        np.testing.assert_allclose(batched[:, b], alone.ravel(), atol=1e-6)


@pytest.mark.parametrize("name", sorted(CELLS))
@pytest.mark.parametrize("update", [True, False])
def test_every_parameter_gets_a_gradient_iff_update(name, update, rng):
    pc = dy.ParameterCollection()
    cell = CELLS[name](pc, dropout=0.3)
    randomize(pc, rng)
    dynn.new_graph(cell, test=False, update=update)
    state = cell.initial_value(2)
    for x in batched_inputs(rng.uniform(-1, 1, (4, INPUT_DIM, 2))):
        state = cell(x, *state)
    dy.sum_batches(dy.sum_elems(cell.get_output(state))).backward()
    for param in pc.parameters_list():
        assert np.any(param.grad_as_array() != 0) == update, param.name()


def _mask_probe(dropout, pc):
    """An Elman RNN whose output is exactly its input dropout mask (with all-ones input)."""
    rnn = ElmanRNN(pc, 20, 20, activation=lambda x: x, dropout=dropout)
    rnn.parameters["Whx"].set_value(np.eye(20))
    rnn.parameters["Whh"].set_value(np.zeros((20, 20)))
    return rnn


def _masks(rnn, batch_size, steps):
    state = rnn.initial_value(batch_size)
    ones = batched_input(np.ones((20, batch_size)))
    outputs = []
    for _ in range(steps):
        state = rnn(ones, *state)
        outputs.append(state.h.npvalue().reshape(20, batch_size))
    return outputs


def test_dropout_mask_per_batch_element_same_at_every_step_fresh_per_sequence(pc):
    rnn = _mask_probe(0.5, pc)
    dynn.new_graph(rnn, test=False)
    first = _masks(rnn, 6, 4)
    mask = first[0]
    assert set(np.unique(mask)) <= {0.0, 2.0}
    assert len({mask[:, b].tobytes() for b in range(6)}) == 6, "one mask per batch element"
    for later in first[1:]:
        np.testing.assert_array_equal(later, mask)
    # A second sequence in the same graph (per-sentence code) draws new masks.
    second = _masks(rnn, 6, 2)
    assert not np.array_equal(second[0], mask)
    np.testing.assert_array_equal(second[1], second[0])
    # As does a new graph.
    dynn.new_graph(rnn, test=False)
    assert not np.array_equal(_masks(rnn, 6, 1)[0], mask)


def test_dropout_masks_follow_batch_size_without_initial_value(pc):
    rnn = _mask_probe(0.5, pc)
    dynn.new_graph(rnn, test=False)
    _masks(rnn, 2, 1)
    ones = dy.inputTensor(np.ones((20, 5)), batched=True)
    h = rnn(ones, dy.zeros(20, batch_size=5)).h
    assert h.dim() == ((20,), 5)


def test_dropout_rate_is_respected(pc):
    rnn = _mask_probe(0.25, pc)
    dynn.new_graph(rnn, test=False)
    mask = _masks(rnn, 400, 1)[0]
    assert abs((mask == 0).mean() - 0.25) < 0.02
    np.testing.assert_allclose(np.unique(mask), [0.0, 1 / 0.75], rtol=1e-6)


@pytest.mark.parametrize("name", sorted(CELLS))
def test_test_mode_applies_no_dropout_and_is_deterministic(name, rng):
    pc = dy.ParameterCollection()
    cell = CELLS[name](pc, dropout=0.5)
    twin = CELLS[name](dy.ParameterCollection())
    randomize(pc, rng)
    for p_cell, p_twin in zip(cell_parameters(cell), cell_parameters(twin)):
        p_twin.set_value(p_cell.as_array())
    values = rng.uniform(-1, 1, (3, INPUT_DIM, 4))

    def final(layer, test):
        dynn.new_graph(layer, test=test)
        state = layer.initial_value(4)
        for x in batched_inputs(values):
            state = layer(x, *state)
        return layer.get_output(state).npvalue()

    reference = final(twin, True)
    np.testing.assert_array_equal(final(cell, True), reference)
    np.testing.assert_array_equal(final(cell, True), reference)
    assert not np.allclose(final(cell, False), reference)


def cell_parameters(layer):
    return [param for _, param in layer.iter_parameters()]


def test_state_is_a_named_tuple_and_unpacks(pc):
    lstm = LSTM(pc, 2, 3)
    dynn.new_graph(lstm)
    state = lstm.initial_value()
    assert isinstance(state, LSTMState)
    state = lstm(dy.inputVector([1.0, 2.0]), *state)
    h, c = state
    assert state.h is h and state.c is c and lstm.get_output(state) is h


def test_wrong_input_dimension_is_named(pc):
    lstm = LSTM(pc, 2, 3)
    dynn.new_graph(lstm)
    with pytest.raises(
        ValueError, match=r"LSTM 'lstm': argument x must have dimension \(2,\), got \(5,\)"
    ):
        lstm(dy.inputVector([1.0] * 5), *lstm.initial_value())
    with pytest.raises(ValueError, match=r"argument c must have dimension \(3,\), got \(4,\)"):
        lstm(dy.inputVector([1.0] * 2), dy.zeros(3), dy.zeros(4))


def test_wrong_number_of_state_components_is_named(pc):
    lstm = LSTM(pc, 2, 3)
    stack = StackedLSTM(pc, 2, 2, 3)
    dynn.new_graph(lstm, stack)
    x = dy.inputVector([1.0, 2.0])
    with pytest.raises(
        TypeError, match=r"LSTM 'lstm' is called as cell\(x, h, c\): expected 2 state components"
    ):
        lstm(x, dy.zeros(3))
    with pytest.raises(ValueError, match=r"expected 4 state components \(h0, c0, h1, c1\), got 2"):
        stack(x, *lstm.initial_value())


def test_stack_rejects_non_cells_and_mismatched_dims(pc):
    with pytest.raises(TypeError, match="cell 1 must be a RecurrentCell, got str"):
        StackedRecurrentCells(LSTM(pc, 2, 3), "lstm")
    with pytest.raises(ValueError, match="cell 1 \\(GRU\\) has input_dim 4, but cell 0 outputs 3"):
        StackedRecurrentCells(LSTM(pc, 2, 3), GRU(pc, 4, 4))


def test_bad_constructor_arguments(pc):
    with pytest.raises(ValueError, match="LSTM: hidden_dim must be a positive integer, got 0"):
        LSTM(pc, 2, 0)
    with pytest.raises(ValueError, match=r"dropout_x must be in \[0, 1\), got 1.5"):
        LSTM(pc, 2, 3, dropout_x=1.5)
    lstm = LSTM(pc, 2, 3)
    with pytest.raises(ValueError, match=r"'Whx' must have shape \(12, 5\), got \(12, 2\)"):
        LSTM(pc, 5, 3, Whx=lstm.parameters["Whx"])


def test_from_builder_rejects_the_wrong_builder(pc):
    builder = dy.GRUBuilder(1, 2, 3, pc)
    with pytest.raises(
        TypeError, match="LSTM.from_builder expects a dy.VanillaLSTMBuilder, got GRUBuilder"
    ):
        LSTM.from_builder(pc, builder)
    with pytest.raises(ValueError, match=r"layer must be in \[0, 1\), got 3"):
        GRU.from_builder(pc, builder, layer=3)
    with pytest.raises(TypeError, match="unsupported builder"):
        StackedRecurrentCells.from_builder(pc, dy.FastLSTMBuilder(1, 2, 3, pc))


def test_from_builder_shares_parameters(pc):
    builder = dy.VanillaLSTMBuilder(2, 2, 3, pc)
    cell = LSTM.from_builder(pc, builder, layer=1)
    assert [p.name() for p in cell.parameters.values()] == [
        p.name() for p in builder.get_parameters()[1]
    ]
    assert cell.input_dim == 3 and cell.hidden_dim == 3


def test_initial_value_needs_init_and_valid_batch_size(pc):
    lstm = LSTM(pc, 2, 3)
    with pytest.raises(LayerNotInitializedError):
        lstm.initial_value()
    dynn.new_graph(lstm)
    with pytest.raises(ValueError, match="batch_size must be a positive integer, got 0"):
        lstm.initial_value(0)


def test_an_input_from_an_earlier_graph_is_named(pc):
    lstm = LSTM(pc, 2, 3)
    dynn.new_graph(lstm)
    stale = dy.inputVector([1.0, 2.0])
    dynn.new_graph(lstm)
    with pytest.raises(ValueError, match="argument x is an expression from an earlier computation"):
        lstm(stale, *lstm.initial_value())
