"""The SRU cell (dynn.layers.recurrent_layers.SRU) against a numpy implementation."""

import dynet as dy
import numpy as np
import pytest

import dynn
from dynn import activations
from dynn.layers.recurrent_layers import SRU, SRUState
from dynn.layers.transduction_layers import Unidirectional
from dynn.util import batched_input


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def numpy_sru(W, v, b, xs, g=np.tanh):
    """Lei et al. (2018), written out: xs has shape (steps, input_dim, batch)."""
    hidden = v.shape[0] // 2
    v_f, v_r, b_f, b_r = v[:hidden], v[hidden:], b[:hidden], b[hidden:]
    c = np.zeros((hidden, xs.shape[2]))
    hs, cs = [], []
    for x in xs:
        u = W @ x
        candidate, a, r_pre = u[:hidden], u[hidden : 2 * hidden], u[2 * hidden : 3 * hidden]
        highway = x if W.shape[0] == 3 * hidden else u[3 * hidden :]
        f = sigmoid(a + v_f[:, None] * c + b_f[:, None])
        r = sigmoid(r_pre + v_r[:, None] * c + b_r[:, None])
        c = f * c + (1 - f) * candidate
        hs.append(r * g(c) + (1 - r) * highway)
        cs.append(c)
    return np.array(hs), np.array(cs)


@pytest.mark.parametrize("whole_sequence", [False, True], ids=["per_step", "unidirectional"])
@pytest.mark.parametrize("activation", ["tanh", "identity"])
@pytest.mark.parametrize("dims", [(3, 3), (3, 5)], ids=["highway", "projected_highway"])
def test_sru_against_numpy(dims, activation, whole_sequence, rng):
    input_dim, hidden_dim = dims
    sru = SRU(dy.ParameterCollection(), input_dim, hidden_dim, getattr(activations, activation))
    params = {name: p for name, p in sru.parameters.items()}
    for p in params.values():
        p.set_value(rng.uniform(-1, 1, p.shape()))
    xs = rng.uniform(-1, 1, (5, input_dim, 2))
    dynn.new_graph(sru)
    if whole_sequence:
        states = Unidirectional(sru)
        states.init()
        states = states([batched_input(x) for x in xs])
    else:
        state, states = sru.initial_value(2), []
        for x in xs:
            state = sru(batched_input(x), *state)
            states.append(state)
    g = np.tanh if activation == "tanh" else (lambda c: c)
    hs, cs = numpy_sru(*(params[n].as_array() for n in ("W", "v", "b")), xs, g)
    np.testing.assert_allclose([s.h.npvalue() for s in states], hs, atol=1e-6)
    np.testing.assert_allclose([s.c.npvalue() for s in states], cs, atol=1e-6)
    assert isinstance(states[-1], SRUState)


@pytest.mark.parametrize("update", [True, False])
def test_every_parameter_gets_a_gradient_iff_update(update, rng):
    sru = SRU(dy.ParameterCollection(), 3, 4, dropout_x=0.2)
    for p in sru.parameters.values():
        p.set_value(rng.uniform(-1, 1, p.shape()))
        p.scale_gradient(0.0)
    dynn.new_graph(sru, test=False, update=update)
    state = sru.initial_value(2)
    for x in rng.uniform(-1, 1, (3, 3, 2)):
        state = sru(batched_input(x), *state)
    dy.sum_batches(dy.sum_elems(state.h)).backward()
    for name, p in sru.parameters.items():
        assert np.any(p.grad_as_array() != 0) == update, name


def test_gradients_match_finite_differences(rng):
    sru = SRU(dy.ParameterCollection(), 2, 3)
    for p in sru.parameters.values():
        p.set_value(rng.uniform(-1, 1, p.shape()))
    xs = rng.uniform(-1, 1, (3, 2))

    def loss():
        dynn.new_graph(sru, update=True)
        state = sru.initial_value()
        for x in xs:
            state = sru(dy.inputTensor(x), *state)
        return dy.sum_elems(dy.cmult(state.h, dy.inputVector([1.0, -2.0, 0.5])))

    for name, p in sru.parameters.items():
        p.scale_gradient(0.0)
        loss().backward()
        analytic = p.grad_as_array().copy()
        value = p.as_array().copy()
        numeric = np.zeros_like(value)
        for index in np.ndindex(value.shape):
            for sign in (1, -1):
                shifted = value.copy()
                shifted[index] += sign * 1e-3
                p.set_value(shifted)
                numeric[index] += sign * loss().value() / 2e-3
        p.set_value(value)
        np.testing.assert_allclose(analytic, numeric, atol=2e-3, err_msg=name)


def test_sharing_shapes_and_errors():
    pc = dy.ParameterCollection()
    sru = SRU(pc, 3, 4)
    assert sru.parameters["W"].shape() == (16, 3)
    assert SRU(pc, 4, 4).parameters["W"].shape() == (12, 4)
    twin = SRU(pc, 3, 4, W=sru.parameters["W"], v=sru.parameters["v"], b=sru.parameters["b"])
    assert twin.parameters["W"] is sru.parameters["W"]
    assert (twin.input_dim, twin.hidden_dim, twin.dropout_x) == (3, 4, 0.0)
    with pytest.raises(ValueError, match=r"'W' must have shape \(9, 3\), got \(16, 3\)"):
        SRU(pc, 3, 3, W=sru.parameters["W"])
    with pytest.raises(TypeError, match="SRU has no DyNet builder counterpart"):
        SRU.from_builder(pc, dy.LSTMBuilder(1, 3, 4, pc))
    with pytest.raises(ValueError, match=r"dropout_x must be in \[0, 1\)"):
        SRU(pc, 3, 4, dropout_x=1.0)
    dynn.new_graph(sru)
    with pytest.raises(ValueError, match=r"SRU 'sru': argument x must have dimension \(3,\)"):
        sru(dy.inputVector([1.0, 2.0]), *sru.initial_value())
