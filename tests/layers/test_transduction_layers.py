import json
import subprocess
import sys
import textwrap

import dynet as dy
import numpy as np
import pytest

import dynn
from dynn.layers import transduction_layers
from dynn.layers.base_layers import LayerNotInitializedError
from dynn.layers.dense_layers import Affine
from dynn.layers.recurrent_layers import (
    GRU,
    LSTM,
    SRU,
    CoupledLSTM,
    ElmanRNN,
    StackedLSTM,
    StackedRecurrentCells,
)
from dynn.layers.transduction_layers import (
    Bidirectional,
    SequenceMaskingLayer,
    Transduction,
    Unidirectional,
    _autobatch_from,
)
from dynn.util import batched_input

D, H = 3, 4
LENGTHS = [5, 2, 4]
T = max(LENGTHS)

CELLS = {
    "elman": lambda pc, **kw: ElmanRNN(pc, D, H, dropout=kw.get("dropout", 0.0)),
    "lstm": lambda pc, **kw: LSTM(pc, D, H, kw.get("dropout", 0.0), kw.get("dropout", 0.0)),
    "gru": lambda pc, **kw: GRU(pc, D, H, kw.get("dropout", 0.0), kw.get("dropout", 0.0)),
    "coupled": lambda pc, **kw: CoupledLSTM(pc, D, H),
    "stacked_lstm": lambda pc, **kw: StackedLSTM(
        pc, 2, D, H, kw.get("dropout", 0.0), kw.get("dropout", 0.0)
    ),
    "sru": lambda pc, **kw: SRU(pc, D, H, dropout_x=kw.get("dropout", 0.0)),
    "sru_square": lambda pc, **kw: SRU(pc, D, D, dropout_x=kw.get("dropout", 0.0)),
    "mixed_stack": lambda pc, **kw: StackedRecurrentCells(LSTM(pc, D, H), GRU(pc, H, H)),
}


def randomize(pc, rng):
    for param in pc.parameters_list():
        param.set_value(rng.uniform(-0.8, 0.8, param.shape()))


def make_cell(name, rng, **kwargs):
    pc = dy.ParameterCollection()
    cell = CELLS[name](pc, **kwargs)
    randomize(pc, rng)
    return pc, cell


def sentences(rng, lengths=LENGTHS, dim=D):
    return [rng.uniform(-1, 1, (length, dim)) for length in lengths]


def padded(sents, left_padded, rng, num_steps=None):
    """A (steps, dim, batch) array: the sentences padded with garbage (not zeros)."""
    num_steps = num_steps or max(len(s) for s in sents)
    values = rng.uniform(-3, 3, (num_steps, sents[0].shape[1], len(sents)))
    for b, sent in enumerate(sents):
        offset = num_steps - len(sent) if left_padded else 0
        values[offset : offset + len(sent), :, b] = sent
    return values


def inputs(values):
    return [batched_input(step) for step in values]


def as_arrays(state, batch_size):
    return [e.npvalue().reshape(-1, batch_size) for e in state]


def positions(length, num_steps, left_padded):
    offset = num_steps - length if left_padded else 0
    return range(offset, offset + length)


@pytest.fixture(params=["projected", "per_step"])
def path(request, monkeypatch):
    """Run with DyNet's autobatching seen as off (whole-sequence products) or on (per step)."""
    if request.param == "per_step":
        monkeypatch.setattr(transduction_layers, "autobatching_enabled", lambda: True)
    return request.param


@pytest.mark.parametrize("stride", [1, 2])
@pytest.mark.parametrize("backward", [False, True], ids=["forward", "backward"])
@pytest.mark.parametrize("left_padded", [True, False], ids=["left", "right"])
@pytest.mark.parametrize("name", sorted(CELLS))
def test_padded_batch_equals_each_sentence_alone(name, left_padded, backward, stride, path, rng):
    _, cell = make_cell(name, rng)
    layer = Unidirectional(cell, stride=stride)
    sents = sentences(rng)
    dynn.new_graph(layer)
    states, final = layer(
        inputs(padded(sents, left_padded, rng)),
        backward=backward,
        lengths=LENGTHS,
        left_padded=left_padded,
        return_final_state=True,
    )
    assert len(states) == T
    batch_states = [as_arrays(s, 3) for s in states]
    batch_final = as_arrays(final, 3)
    for b, sent in enumerate(sents):
        alone, alone_final = layer(
            inputs(sent[:, :, None]), backward=backward, return_final_state=True
        )
        for alone_t, t in enumerate(positions(len(sent), T, left_padded)):
            for component, expected in zip(batch_states[t], alone[alone_t]):
                np.testing.assert_allclose(component[:, b], expected.npvalue(), atol=1e-6)
        for component, expected in zip(batch_final, alone_final):
            np.testing.assert_allclose(component[:, b], expected.npvalue(), atol=1e-6)


@pytest.mark.parametrize("backward", [False, True], ids=["forward", "backward"])
@pytest.mark.parametrize("left_padded", [True, False], ids=["left", "right"])
@pytest.mark.parametrize("name", ["lstm", "gru", "stacked_lstm", "sru", "mixed_stack"])
def test_padded_batch_gradients_equal_the_sentences_alone(name, left_padded, backward, path, rng):
    pc, cell = make_cell(name, rng)
    layer = Unidirectional(cell, output_only=True)
    sents = sentences(rng)
    weights = [rng.uniform(-1, 1, (len(s), H)) for s in sents]
    params = pc.parameters_list()

    def gradients(loss):
        loss.backward()
        return [p.grad_as_array().copy() for p in params]

    for p in params:
        p.scale_gradient(0.0)
    dynn.new_graph(layer, update=True)
    outputs = layer(
        inputs(padded(sents, left_padded, rng)),
        backward=backward,
        lengths=LENGTHS,
        left_padded=left_padded,
    )
    w = np.zeros((T, H, 3))
    for b, (sent, weight) in enumerate(zip(sents, weights)):
        w[list(positions(len(sent), T, left_padded)), :, b] = weight
    batch_loss = dy.sum_batches(
        dy.esum([dy.dot_product(out, batched_input(w_t)) for out, w_t in zip(outputs, w)])
    )
    batch_value = batch_loss.value()
    batch_grads = gradients(batch_loss)

    for p in params:
        p.scale_gradient(0.0)
    dynn.new_graph(layer, update=True)
    losses = []
    for sent, weight in zip(sents, weights):
        outputs = layer(inputs(sent[:, :, None]), backward=backward)
        losses += [dy.dot_product(out, dy.inputTensor(w_t)) for out, w_t in zip(outputs, weight)]
    alone_loss = dy.esum(losses)
    np.testing.assert_allclose(batch_value, alone_loss.value(), atol=1e-5)
    for got, expected in zip(batch_grads, gradients(alone_loss)):
        np.testing.assert_allclose(got, expected, atol=1e-5)
        assert np.any(expected != 0)


@pytest.mark.parametrize("backward", [False, True], ids=["forward", "backward"])
@pytest.mark.parametrize("name", ["lstm", "sru", "stacked_lstm"])
def test_padding_gets_no_gradient(name, backward, path, rng):
    _, cell = make_cell(name, rng)
    layer = Bidirectional(cell, cell, output_only=True)
    sents = sentences(rng)
    dynn.new_graph(layer)
    xs = inputs(padded(sents, True, rng))
    fwd, bwd = layer(xs, lengths=LENGTHS)
    outputs = bwd if backward else fwd
    dy.sum_batches(dy.esum([dy.sum_elems(o) for o in outputs])).backward(full=True)
    grads = np.array([x.gradient() for x in xs])  # (steps, dim, batch)
    for b, length in enumerate(LENGTHS):
        real = list(positions(length, T, True))
        padding = [t for t in range(T) if t not in real]
        np.testing.assert_array_equal(grads[padding, :, b], 0.0)
        assert np.all(np.abs(grads[real, :, b]).sum(axis=1) > 0)


@pytest.mark.parametrize("name", ["lstm", "stacked_lstm", "sru", "sru_square", "mixed_stack"])
@pytest.mark.parametrize("test_mode", [True, False], ids=["test", "train"])
def test_whole_sequence_products_equal_the_step_by_step_form(name, test_mode, rng, monkeypatch):
    pc, cell = make_cell(name, rng, dropout=0.3)
    layer = Unidirectional(cell, truncation=2)
    values = rng.uniform(-1, 1, (4, D, 2))
    params = pc.parameters_list()
    calls = []
    original = transduction_layers._scan_layers
    monkeypatch.setattr(
        transduction_layers,
        "_scan_layers",
        lambda *args: calls.append(1) or original(*args),
    )

    def run(autobatching):
        monkeypatch.setattr(transduction_layers, "autobatching_enabled", lambda: autobatching)
        for p in params:
            p.scale_gradient(0.0)
        dy.reset_random_seed(7)  # the same dropout masks in both runs
        dynn.new_graph(layer, test=test_mode, update=True)
        states = layer(inputs(values), lengths=[4, 3], left_padded=False)
        loss = dy.sum_batches(dy.esum([dy.sum_elems(e) for s in states for e in s]))
        loss.backward()
        return loss.value(), [p.grad_as_array().copy() for p in params]

    per_step_loss, per_step_grads = run(True)
    assert calls == []
    projected_loss, projected_grads = run(False)
    assert calls == [1]
    np.testing.assert_allclose(projected_loss, per_step_loss, atol=1e-5)
    for got, expected in zip(projected_grads, per_step_grads):
        np.testing.assert_allclose(got, expected, atol=1e-5)


def test_whole_sequence_products_are_used_for_small_batches_only(rng, monkeypatch):
    _, cell = make_cell("lstm", rng)
    layer = Unidirectional(cell)
    calls = []
    original = transduction_layers._scan_layers
    monkeypatch.setattr(
        transduction_layers, "_scan_layers", lambda *a: calls.append(a[-1]) or original(*a)
    )
    monkeypatch.setattr(transduction_layers, "autobatching_enabled", lambda: False)
    _, sru = make_cell("sru", rng)
    sru_layer = Unidirectional(sru)
    dynn.new_graph(layer, sru_layer)
    for batch_size in (1, 4, 5, 32):
        layer(inputs(rng.uniform(-1, 1, (3, D, batch_size))))
    assert calls == [1, 4]
    for batch_size in (5, 8, 9):
        sru_layer(inputs(rng.uniform(-1, 1, (3, D, batch_size))))
    assert calls == [1, 4, 5, 8]


def test_bidirectional_is_two_unidirectional_transductions(rng):
    _, fwd_cell = make_cell("lstm", rng)
    _, bwd_cell = make_cell("gru", rng)
    bi = Bidirectional(fwd_cell, bwd_cell, output_only=True)
    fwd, bwd = Unidirectional(fwd_cell, output_only=True), Unidirectional(bwd_cell, True)
    sents = sentences(rng)
    xs_values = padded(sents, False, rng)
    dynn.new_graph(bi, fwd, bwd)
    xs = inputs(xs_values)
    (f_out, b_out), (f_final, b_final) = bi(
        xs, lengths=LENGTHS, left_padded=False, return_final_state=True
    )
    f_ref = fwd(xs, lengths=LENGTHS, left_padded=False)
    b_ref = bwd(xs, backward=True, lengths=LENGTHS, left_padded=False)
    for got, expected in zip(f_out + b_out, f_ref + b_ref):
        np.testing.assert_allclose(got.npvalue(), expected.npvalue(), atol=1e-7)
    # The backward final state is the state at each sentence's first token: position 0.
    assert b_final.h is b_out[0]
    # The forward final state is the state at each sentence's last token.
    for b, length in enumerate(LENGTHS):
        np.testing.assert_allclose(
            f_final.h.npvalue()[:, b], f_out[length - 1].npvalue()[:, b], atol=1e-7
        )
    assert isinstance(bi(xs), tuple)


def test_output_only_and_states(rng):
    _, cell = make_cell("lstm", rng)
    layer = Unidirectional(cell)
    dynn.new_graph(layer)
    xs = inputs(rng.uniform(-1, 1, (3, D, 2)))
    states = layer(xs)
    outputs = layer(xs, output_only=True)
    assert [type(s).__name__ for s in states] == ["LSTMState"] * 3
    for state, output in zip(states, outputs):
        np.testing.assert_array_equal(state.h.npvalue(), output.npvalue())


def test_initial_state_is_used_per_sentence(rng):
    _, cell = make_cell("stacked_lstm", rng)
    layer = Unidirectional(cell, output_only=True)
    sents = sentences(rng)
    init_values = rng.uniform(-1, 1, (4, H, 3))
    dynn.new_graph(layer)
    outputs = layer(
        inputs(padded(sents, True, rng)),
        lengths=LENGTHS,
        initial_state=[batched_input(v) for v in init_values],
    )
    for b, sent in enumerate(sents):
        alone = layer(
            inputs(sent[:, :, None]), initial_state=[dy.inputTensor(v[:, b]) for v in init_values]
        )
        np.testing.assert_allclose(outputs[-1].npvalue()[:, b], alone[-1].npvalue(), atol=1e-6)


def test_an_unbatched_initial_state_is_broadcast(rng):
    _, cell = make_cell("lstm", rng)
    layer = Unidirectional(cell)
    dynn.new_graph(layer)
    states = layer(inputs(rng.uniform(-1, 1, (2, D, 3))), initial_state=cell.initial_value(1))
    assert states[-1].c.dim() == ((H,), 3)


def cell_by_hand(cell, xs_values):
    """States of ``cell`` run step by step on (steps, dim) values, batch 1."""
    state = cell.initial_value()
    states = []
    for x in xs_values:
        state = cell(dy.inputTensor(x), *state)
        states.append(state.h.npvalue())
    return states


@pytest.mark.parametrize("backward", [False, True], ids=["forward", "backward"])
def test_stride_runs_the_cell_on_every_nth_input_and_holds_the_state(backward, path, rng):
    _, cell = make_cell("lstm", rng)
    layer = Unidirectional(cell, output_only=True, stride=3)
    values = rng.uniform(-1, 1, (7, D))
    dynn.new_graph(layer)
    outputs = [o.npvalue() for o in layer(inputs(values[:, :, None]), backward=backward)]
    if backward:
        reference = cell_by_hand(cell, values[::-1][::3])
        expected = [reference[(6 - t) // 3] for t in range(7)]
    else:
        reference = cell_by_hand(cell, values[::3])
        expected = [reference[t // 3] for t in range(7)]
    np.testing.assert_allclose(outputs, expected, atol=1e-6)


@pytest.mark.parametrize("backward", [False, True], ids=["forward", "backward"])
@pytest.mark.parametrize("name", ["lstm", "sru", "stacked_lstm"])
def test_truncation_cuts_gradients_beyond_k_steps_and_keeps_values(name, backward, path, rng):
    _, cell = make_cell(name, rng)
    truncated = Unidirectional(cell, output_only=True, truncation=3)
    full = Unidirectional(cell, output_only=True)
    values = rng.uniform(-1, 1, (7, D, 2))
    order = list(range(7))[::-1] if backward else list(range(7))  # processing order

    def input_gradients(layer, target):
        dynn.new_graph(layer)
        xs = inputs(values)
        outputs = layer(xs, backward=backward)
        dy.sum_batches(dy.sum_elems(outputs[target])).backward(full=True)
        return [o.npvalue() for o in outputs], [np.abs(x.gradient()).sum() for x in xs]

    for step in range(7):
        target = order[step]
        out_t, grads_t = input_gradients(truncated, target)
        out_f, grads_f = input_gradients(full, target)
        np.testing.assert_allclose(out_t, out_f, atol=1e-7)
        chunk_start = step - step % 3
        for earlier in range(step + 1):
            source = order[earlier]
            if earlier < chunk_start:
                assert grads_t[source] == 0.0, (step, earlier)
            else:
                assert grads_t[source] > 0.0, (step, earlier)
            assert grads_f[source] > 0.0
        if chunk_start == 0:
            np.testing.assert_allclose(grads_t, grads_f, atol=1e-7)


def test_sequence_masking_against_numpy(rng):
    values = rng.uniform(-1, 1, (4, 2, 3))
    lengths = [4, 1, 3]
    for left_padded in (True, False):
        for mask_value in (0.0, -1e9, 2.5):
            masking = SequenceMaskingLayer(mask_value=mask_value, left_padded=not left_padded)
            dynn.new_graph(masking)
            got = [y.npvalue() for y in masking(inputs(values), lengths, left_padded=left_padded)]
            expected = values.copy()
            for b, length in enumerate(lengths):
                real = set(positions(length, 4, left_padded))
                for t in range(4):
                    if t not in real:
                        expected[t, :, b] = mask_value
            np.testing.assert_allclose(got, expected, rtol=1e-6)


def test_sequence_masking_gives_no_gradient_to_padding(rng):
    masking = SequenceMaskingLayer(mask_value=-1e9)
    dynn.new_graph(masking)
    xs = inputs(rng.uniform(-1, 1, (3, 2, 2)))
    dy.sum_batches(dy.esum([dy.sum_elems(y) for y in masking(xs, [3, 1])])).backward(full=True)
    grads = np.array([x.gradient() for x in xs])
    np.testing.assert_array_equal(grads[:, :, 0], 1.0)
    np.testing.assert_array_equal(grads[:, :, 1], [[0, 0], [0, 0], [1, 1]])


def test_transduction_applies_the_layer_at_every_step(rng):
    affine = Affine(dy.ParameterCollection(), D, 2)
    layer = Transduction(affine)
    values = rng.uniform(-1, 1, (3, D, 2))
    dynn.new_graph(layer)
    W, b = (affine.parameters[name].as_array() for name in ("W", "b"))
    for got, x in zip(layer(inputs(values)), values):
        np.testing.assert_allclose(got.npvalue(), W @ x + b[:, None], atol=1e-6)
    assert layer([]) == []
    assert layer.sublayers == {"layer": affine}
    with pytest.raises(TypeError, match="layer must be a BaseLayer, got function"):
        Transduction(lambda x: x)


def test_constructor_arguments_are_attributes(rng):
    _, cell = make_cell("lstm", rng)
    _, other = make_cell("gru", rng)
    layer = Unidirectional(cell, output_only=True, truncation=4, stride=2)
    assert (layer.cell, layer.output_only, layer.truncation, layer.stride) == (cell, True, 4, 2)
    bi = Bidirectional(cell, other, False, 3, 1)
    assert (bi.forward_cell, bi.backward_cell, bi.truncation, bi.stride) == (cell, other, 3, 1)
    masking = SequenceMaskingLayer(-1e9, False)
    assert (masking.mask_value, masking.left_padded) == (-1e9, False)
    assert dict(layer.sublayers) == {"cell": cell}


def test_layers_need_init_in_the_current_graph(rng):
    _, cell = make_cell("lstm", rng)
    layer = Unidirectional(cell)
    dy.renew_cg()
    with pytest.raises(LayerNotInitializedError, match="Unidirectional 'unidirectional'"):
        layer([dy.inputVector([1.0] * D)])
    layer.init()
    assert cell.is_initialized


def test_errors_name_the_layer_and_argument(rng):
    _, cell = make_cell("lstm", rng)
    layer = Unidirectional(cell)
    bi = Bidirectional(cell, cell)
    masking = SequenceMaskingLayer()
    dynn.new_graph(layer, bi, masking)
    xs = inputs(rng.uniform(-1, 1, (3, D, 2)))
    where = "Unidirectional 'unidirectional'"
    with pytest.raises(ValueError, match=f"{where}: input_sequence is empty"):
        layer([])
    with pytest.raises(ValueError, match=r"Bidirectional 'bidirectional' \(forward\): input_seq"):
        bi([])
    with pytest.raises(TypeError, match="got a single Expression"):
        layer(xs[0])
    with pytest.raises(TypeError, match=r"input_sequence\[1\] must be a dy.Expression, got list"):
        layer([xs[0], [1.0]])
    with pytest.raises(ValueError, match=r"input_sequence\[0\] has dimension \(5,\), expected"):
        layer([dy.inputVector([1.0] * 5)])
    with pytest.raises(ValueError, match="lengths has 3 entries but the batch size .* is 2"):
        layer(xs, lengths=[3, 2, 1])
    with pytest.raises(ValueError, match=r"lengths\[1\] = 4 is not a length in \[1, 3\]"):
        layer(xs, lengths=[3, 4])
    with pytest.raises(ValueError, match=r"lengths\[0\] = 0 is not a length .*empty sequences"):
        bi(xs, lengths=[0, 3])
    with pytest.raises(ValueError, match=r"lengths\[0\] = 2.5 is not a length"):
        masking(xs, lengths=[2.5, 3])
    with pytest.raises(ValueError, match="different batch sizes"):
        layer([xs[0], batched_input(np.ones((D, 3)))])
    with pytest.raises(ValueError, match=r"initial_state must have 2 components \(h, c\) for LSTM"):
        layer(xs, initial_state=[dy.zeros(H)])
    with pytest.raises(ValueError, match=r"initial_state component c must have dimension \(4,\)"):
        layer(xs, initial_state=[dy.zeros(H), dy.zeros(5)])
    with pytest.raises(ValueError, match="initial_state component h has batch size 3, expected"):
        layer(xs, initial_state=[dy.zeros(H, batch_size=3), dy.zeros(H)])
    with pytest.raises(ValueError, match=r"\(backward\): initial_state must have 2 components"):
        bi(xs, bwd_initial_state=[dy.zeros(H)] * 3)
    stack = StackedLSTM(dy.ParameterCollection(), 2, D, H)
    stack.init()
    on_stack = Unidirectional(stack)
    on_stack.init()
    with pytest.raises(ValueError, match=r"4 components \(h0, c0, h1, c1\) for StackedLSTM"):
        on_stack(xs, initial_state=[dy.zeros(H)])


def test_bad_constructor_arguments(rng):
    _, cell = make_cell("lstm", rng)
    _, gru = make_cell("gru", rng)
    with pytest.raises(TypeError, match="Unidirectional: cell must be a RecurrentCell, got str"):
        Unidirectional("lstm")
    with pytest.raises(ValueError, match="truncation must be None or a positive integer, got 0"):
        Unidirectional(cell, truncation=0)
    with pytest.raises(ValueError, match="stride must be a positive integer, got 1.5"):
        Bidirectional(cell, cell, stride=1.5)
    with pytest.raises(ValueError, match="backward_cell has input_dim 4"):
        Bidirectional(cell, GRU(dy.ParameterCollection(), H, H))
    with pytest.raises(ValueError, match="mask_value must be finite"):
        SequenceMaskingLayer(mask_value=-np.inf)
    assert gru is not None


# Autobatching ----------------------------------------------------------------------------------
def test_autobatch_setting_is_read_from_config_or_command_line():
    assert _autobatch_from({"autobatch": 1}, ["prog", "--dynet-autobatch", "0"]) is True
    assert _autobatch_from({"autobatch": 0}, ["prog", "--dynet-autobatch", "1"]) is False
    assert _autobatch_from(None, ["prog", "--dynet-autobatch", "1"]) is True
    assert _autobatch_from(None, ["prog", "--dynet_autobatch=1"]) is True
    assert _autobatch_from(None, ["prog", "--dynet-autobatch", "0"]) is False
    assert _autobatch_from(None, ["prog", "--dynet-mem", "64"]) is False
    # In this test process DyNet was configured by conftest.py without autobatching.
    assert transduction_layers.autobatching_enabled() is False


def test_autobatch_option_of_new_graph_is_seen():
    dynn.new_graph(autobatching=True)
    assert transduction_layers.autobatching_enabled() is True
    dynn.new_graph(autobatching=False)
    assert transduction_layers.autobatching_enabled() is False
    dy.renew_cg()
    assert transduction_layers.autobatching_enabled() is False


AUTOBATCH_SCRIPT = textwrap.dedent(
    """
    import json, sys
    import dynet_config
    if "--via-argv" not in sys.argv:
        dynet_config.set(mem=64, random_seed=3, autobatch=1)
    import dynet as dy
    import numpy as np
    import dynn
    from dynn.layers import transduction_layers
    from dynn.layers.recurrent_layers import LSTM, StackedLSTM
    from dynn.layers.transduction_layers import Bidirectional
    from dynn.util import batched_input

    rng = np.random.RandomState(0)
    pc = dy.ParameterCollection()
    bi = Bidirectional(StackedLSTM(pc, 2, 3, 4), LSTM(pc, 3, 4), output_only=True)
    out = pc.add_parameters((2, 8))
    for p in pc.parameters_list():
        p.set_value(rng.uniform(-0.5, 0.5, p.shape()))
    lengths = [5, 2, 4, 3]
    sents = [rng.uniform(-1, 1, (n, 3)) for n in lengths]
    labels = [rng.randint(0, 2, n) for n in lengths]
    calls = []
    original = transduction_layers._scan_layers
    transduction_layers._scan_layers = lambda *a: calls.append(1) or original(*a)

    def losses(fwd, bwd, label_of):
        W = out.expr(True)
        return [
            dy.pickneglogsoftmax_batch(W * dy.concatenate([f, b]), label_of(t))
            for t, (f, b) in enumerate(zip(fwd, bwd))
        ]

    def gradients(loss):
        for p in pc.parameters_list():
            p.scale_gradient(0.0)
        value = loss.value()
        loss.backward()
        return value, [p.grad_as_array().tolist() for p in pc.parameters_list()]

    dynn.new_graph(bi, test=True, update=True)
    per_sentence = []
    for sent, label in zip(sents, labels):
        fwd, bwd = bi([dy.inputTensor(x) for x in sent])
        per_sentence += losses(fwd, bwd, lambda t, label=label: [int(label[t])])
    sentence_value, sentence_grads = gradients(dy.esum(per_sentence))

    dynn.new_graph(bi, test=True, update=True)
    values = np.zeros((5, 3, 4))
    mask = np.zeros((5, 4))
    label_ids = np.zeros((5, 4), dtype=int)
    for b, (sent, label) in enumerate(zip(sents, labels)):
        values[: len(sent), :, b] = sent
        mask[: len(sent), b] = 1.0
        label_ids[: len(sent), b] = label
    fwd, bwd = bi([batched_input(v) for v in values], lengths=lengths, left_padded=False)
    token_losses = losses(fwd, bwd, lambda t: [int(i) for i in label_ids[t]])
    batched = dy.sum_batches(
        dy.esum([dy.cmult(l, batched_input(m[None, :])) for l, m in zip(token_losses, mask)])
    )
    batched_value, batched_grads = gradients(batched)
    print(json.dumps({
        "autobatching": transduction_layers.autobatching_enabled(),
        "projection_calls": len(calls),
        "sentence": sentence_value,
        "batched": batched_value,
        "max_grad_diff": max(
            float(np.max(np.abs(np.array(a) - np.array(b))))
            for a, b in zip(sentence_grads, batched_grads)
        ),
    }))
    """
)


@pytest.mark.parametrize("via", ["dynet_config", "argv"])
def test_with_autobatching_per_sentence_losses_equal_the_batched_losses(via, tmp_path):
    script = tmp_path / "autobatch_check.py"
    script.write_text(AUTOBATCH_SCRIPT)
    argv = [sys.executable, str(script)]
    if via == "argv":
        argv += ["--via-argv", "--dynet-autobatch", "1", "--dynet-mem", "64"]
    result = subprocess.run(argv, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["autobatching"] is True
    assert report["projection_calls"] == 0, "autobatching must use the per-step form"
    assert abs(report["sentence"] - report["batched"]) < 1e-5
    assert report["max_grad_diff"] < 1e-5
