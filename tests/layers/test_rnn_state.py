import dynet as dy
import numpy as np
import pytest

import dynn
from dynn.layers.base_layers import LayerNotInitializedError
from dynn.layers.recurrent_layers import (
    GRU,
    LSTM,
    SRU,
    ElmanRNN,
    StackedLSTM,
    StackedRecurrentCells,
)
from dynn.layers.rnn_state import RNNState
from dynn.util import batched_input

D, H = 3, 4
BUILDERS = [dy.SimpleRNNBuilder, dy.VanillaLSTMBuilder, dy.GRUBuilder, dy.CoupledLSTMBuilder]


def randomize(pc, rng):
    for param in pc.parameters_list():
        param.set_value(rng.uniform(-0.5, 0.5, param.shape()))


def script(initial_state, inputs, vectors):
    """One sequence of calls on DyNet's RNNState interface; returns every state it made.

    Covers add_input, add_inputs, transduce, branching through prev(), set_h and set_s
    (called on the most recently created state: see test_set_h_keeps_the_memory_of_its_state),
    and initial_state(vecs).
    """
    x = iter(inputs)
    s0 = initial_state(None)
    s1 = s0.add_input(next(x))
    s2 = s1.add_input(next(x))
    s2_branch = s2.prev().add_input(next(x))  # branch from s1
    s3 = s2_branch.add_inputs([next(x), next(x)])[-1]
    s4 = s3.set_h(vectors["h"])
    s5 = s4.add_input(next(x))
    s6 = s5.set_s(vectors["s"])
    s7 = s6.add_input(next(x))
    outputs = s7.prev().prev().transduce([next(x), next(x)])  # from s5
    s8 = initial_state(vectors["s"])
    s9 = s8.add_input(next(x))
    states = [s1, s2, s2_branch, s3, s4, s5, s6, s7, s8, s9]
    assert s2_branch.prev() is s1 and s4.prev() is s3 and s8.prev() is not None
    assert s8.prev().prev() is None and s0.prev() is None and s0.output() is None
    return states, outputs


@pytest.mark.parametrize("batch_size", [1, 3])
@pytest.mark.parametrize("layers", [1, 2])
@pytest.mark.parametrize("builder_class", BUILDERS, ids=[b.__name__ for b in BUILDERS])
def test_same_calls_give_dynets_results(builder_class, layers, batch_size, rng):
    pc = dy.ParameterCollection()
    builder = builder_class(layers, D, H, pc)
    randomize(pc, rng)
    builder.disable_dropout()
    stack = StackedRecurrentCells.from_builder(pc, builder)
    num_s = len(stack.state_dims)
    input_values = rng.uniform(-1, 1, (11, D, batch_size))
    h_values = rng.uniform(-1, 1, (layers, H, batch_size))
    s_values = rng.uniform(-1, 1, (num_s, H, batch_size))

    def run(initial_state):
        inputs = [batched_input(v) for v in input_values]
        vectors = {
            "h": [batched_input(v) for v in h_values],
            "s": [batched_input(v) for v in s_values],
        }
        states, outputs = script(initial_state, inputs, vectors)
        return (
            [s.output().npvalue() for s in states],
            [[e.npvalue() for e in s.h()] for s in states],
            [[e.npvalue() for e in s.s()] for s in states],
            [o.npvalue() for o in outputs],
        )

    dy.renew_cg()
    expected = run(lambda vecs: builder.initial_state(vecs))
    dynn.new_graph(stack)
    actual = run(lambda vecs: stack.initial_state(batch_size, vecs))
    for got, want in zip(actual, expected):
        np.testing.assert_allclose(np.array(got), np.array(want), atol=1e-6)
    # s() is in DyNet's order: memories of all layers, then outputs of all layers.
    assert len(actual[2][0]) == num_s


def test_set_h_keeps_the_memory_of_its_state(rng):
    # DyNet's LSTM builders take the memory from the most recently created state instead.
    pc = dy.ParameterCollection()
    lstm = LSTM(pc, D, H)
    randomize(pc, rng)
    dynn.new_graph(lstm)
    s1 = lstm.initial_state().add_input(dy.inputVector([1.0, 0.5, -1.0]))
    s1.add_input(dy.inputVector([0.0, 2.0, 1.0]))  # a newer state
    new_h = dy.inputVector([0.1, 0.2, 0.3, 0.4])
    branched = s1.set_h([new_h])
    assert branched.s()[0] is s1.s()[0]  # the memory c of s1
    assert branched.h() == (new_h,) and branched.output() is new_h
    assert branched.state.h is new_h and type(branched.state).__name__ == "LSTMState"


def test_stacks_of_any_cells_order_s_as_memories_then_outputs(rng):
    pc = dy.ParameterCollection()
    stack = StackedRecurrentCells(LSTM(pc, D, H), GRU(pc, H, H), SRU(pc, H, H))
    dynn.new_graph(stack)
    state = stack.initial_state(2).add_input(batched_input(rng.uniform(-1, 1, (D, 2))))
    h0, c0, h1, h2, c2 = state.state
    assert state.h() == (h0, h1, h2)
    assert state.s() == (c0, c2, h0, h1, h2)
    assert state.output() is h2
    vectors = [dy.inputVector([float(i)] * H) for i in range(5)]
    reset = state.set_s(vectors)
    assert reset.state == (vectors[2], vectors[0], vectors[3], vectors[4], vectors[1])
    assert reset.s() == tuple(vectors)


def test_nested_stacks_are_flattened(rng):
    pc = dy.ParameterCollection()
    stack = StackedRecurrentCells(StackedLSTM(pc, 2, D, H), ElmanRNN(pc, H, H))
    dynn.new_graph(stack)
    state = stack.initial_state().add_input(dy.inputVector([1.0, 2.0, 3.0]))
    h0, c0, h1, c1, h2 = state.state
    assert state.s() == (c0, c1, h0, h1, h2)


def test_states_work_with_cells_and_transduction(rng):
    from dynn.layers.transduction_layers import Unidirectional

    pc = dy.ParameterCollection()
    lstm = LSTM(pc, D, H)
    randomize(pc, rng)
    encoder = Unidirectional(lstm)
    dynn.new_graph(encoder)
    xs = [dy.inputVector(list(v)) for v in rng.uniform(-1, 1, (3, D))]
    state = lstm.initial_state().add_inputs(xs[:2])[-1]
    expected = state.add_input(xs[2]).output().npvalue()
    for initial in (state.state, state):
        states = encoder(xs[2:], initial_state=initial)
        np.testing.assert_allclose(states[-1].h.npvalue(), expected, atol=1e-7)
    assert state.b() is lstm and "LSTM 'lstm'" in repr(state)


def test_initial_state_draws_new_dropout_masks(rng):
    pc = dy.ParameterCollection()
    rnn = ElmanRNN(pc, 20, 20, activation=lambda x: x, dropout=0.5)
    rnn.parameters["Whx"].set_value(np.eye(20))
    rnn.parameters["Whh"].set_value(np.zeros((20, 20)))
    dynn.new_graph(rnn, test=False)
    ones = dy.inputVector([1.0] * 20)
    s = rnn.initial_state()
    first, second = s.add_inputs([ones, ones])
    np.testing.assert_array_equal(first.output().npvalue(), second.output().npvalue())
    assert set(np.unique(first.output().npvalue())) <= {0.0, 2.0}
    other = rnn.initial_state().add_input(ones)
    assert not np.array_equal(other.output().npvalue(), first.output().npvalue())
    dynn.new_graph(rnn, test=True)
    ones = dy.inputVector([1.0] * 20)
    np.testing.assert_array_equal(rnn.initial_state().add_input(ones).output().npvalue(), 1.0)


def test_errors(rng):
    pc = dy.ParameterCollection()
    stack = StackedLSTM(pc, 2, D, H)
    with pytest.raises(LayerNotInitializedError, match=r"before calling initial_state\(\)"):
        stack.initial_state()
    dynn.new_graph(stack)
    with pytest.raises(ValueError, match="batch_size must be a positive integer, got 0"):
        stack.initial_state(0)
    state = stack.initial_state()
    where = r"RNNState of StackedLSTM 'stacked-recurrent-cells'"
    with pytest.raises(ValueError, match=where + r": set_h\(\) expects 2 expressions \(one per"):
        state.set_h([dy.zeros(H)])
    with pytest.raises(
        ValueError, match=r"set_s\(\) expects 4 expressions \(in s\(\) order\), got"
    ):
        stack.initial_state(vecs=[dy.zeros(H)])
    with pytest.raises(
        ValueError, match=r"set_h\(\) element 1 must have dimension \(4,\), got \(3,"
    ):
        state.set_h([dy.zeros(H), dy.zeros(3)])
    with pytest.raises(TypeError, match=r"set_s\(\) element 0 must be a dy.Expression, got float"):
        state.set_s([1.0] * 4)
    with pytest.raises(TypeError, match=r"set_h\(\) expects a list of expressions"):
        state.set_h(dy.zeros(H))
    dynn.new_graph(stack)
    with pytest.raises(ValueError, match=r"add_input\(\) on a state from an earlier computation"):
        state.add_input(dy.inputVector([1.0] * D))
    assert isinstance(stack.initial_state(), RNNState)
