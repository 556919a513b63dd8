import dynet as dy
import numpy as np
import pytest

import dynn
from dynn import activations
from dynn.layers.attention_layers import (
    MASK_VALUE,
    BilinearAttention,
    MLPAttention,
    MultiHeadAttention,
    causal_mask,
    padding_mask,
)
from dynn.util import batched_input

from ._layer_checks import assert_stores_arguments

QUERY_DIM, KEY_DIM, VALUE_DIM, LENGTH = 3, 4, 5, 6


# Independent numpy implementations (one batch element, keys/values as columns) ---------------
def np_softmax(logits):
    shifted = np.exp(logits - logits.max(axis=0, keepdims=True))
    return shifted / shifted.sum(axis=0, keepdims=True)


def np_mlp_attention(p, Q, K, V, mask=None, act=np.tanh):
    # logits[j, i] = v . act(Wq q_i + Wk k_j + b)
    hidden = act((p["Wk"] @ K)[:, :, None] + (p["Wq"] @ Q + p["b"][:, None])[:, None, :])
    logits = np.einsum("h,hji->ji", p["V"][0], hidden)
    weights = np_softmax(logits + (0 if mask is None else mask))
    return V @ weights, weights


def np_bilinear_attention(p, Q, K, V, mask=None, dot_product=False):
    logits = K.T @ Q / np.sqrt(K.shape[0]) if dot_product else K.T @ p["A"] @ Q
    weights = np_softmax(logits + (0 if mask is None else mask))
    return V @ weights, weights


def np_multi_head_attention(p, n_heads, Q, K, V, mask=None):
    hq, hk, hv = p["Wq"] @ Q, p["Wk"] @ K, p["Wv"] @ V
    head_dim = hq.shape[0] // n_heads
    outputs, all_weights = [], []
    for h in range(n_heads):
        rows = slice(h * head_dim, (h + 1) * head_dim)
        logits = hk[rows].T @ hq[rows] / np.sqrt(head_dim)
        weights = np_softmax(logits + (0 if mask is None else mask))
        outputs.append(hv[rows] @ weights)
        all_weights.append(weights)
    return p["Wo"] @ np.concatenate(outputs), all_weights


# Helpers ---------------------------------------------------------------------------------------
def randomize(layer, rng, scale=1.0):
    params = {}
    for path, param in layer.iter_parameters():
        value = rng.uniform(-scale, scale, param.shape())
        param.set_value(value)
        params[path] = value
    return params


def make(kind, pc, dropout=0.0):
    if kind == "mlp":
        return MLPAttention(pc, QUERY_DIM, KEY_DIM, 7, dropout=dropout)
    if kind == "bilinear":
        return BilinearAttention(pc, QUERY_DIM, KEY_DIM, dropout=dropout)
    if kind == "dot":
        return BilinearAttention(pc, KEY_DIM, KEY_DIM, dropout=dropout, dot_product=True)
    if kind == "mha1":
        return MultiHeadAttention(pc, 1, QUERY_DIM, KEY_DIM, VALUE_DIM, 4, 3, dropout=dropout)
    if kind == "mha3":
        return MultiHeadAttention(pc, 3, QUERY_DIM, KEY_DIM, VALUE_DIM, 6, 2, dropout=dropout)
    raise ValueError(kind)


def reference(kind, layer, params, Q, K, V, mask=None):
    """Numpy output and weights (list of heads for multi-head) for one batch element."""
    if kind == "mlp":
        return np_mlp_attention(params, Q, K, V, mask)
    if kind in ("bilinear", "dot"):
        return np_bilinear_attention(params, Q, K, V, mask, dot_product=kind == "dot")
    return np_multi_head_attention(params, layer.n_heads, Q, K, V, mask)


def query_dim(layer):
    return layer.query_dim


KINDS = ["mlp", "bilinear", "dot", "mha1", "mha3"]


def as_list(weights):
    return weights if isinstance(weights, list) else [weights]


# Numbers -----------------------------------------------------------------------------------------
@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("n_queries", [None, 1, 4])
@pytest.mark.parametrize("batch_size", [1, 3])
def test_matches_numpy(kind, n_queries, batch_size, pc, rng):
    layer = make(kind, pc)
    params = randomize(layer, rng)
    dq = query_dim(layer)
    q_shape = (dq,) if n_queries is None else (dq, n_queries)
    Q = rng.uniform(-1, 1, q_shape + (batch_size,))
    K = rng.uniform(-1, 1, (KEY_DIM, LENGTH, batch_size))
    V = rng.uniform(-1, 1, (VALUE_DIM, LENGTH, batch_size))
    dynn.new_graph(layer)
    output, weights = layer(batched_input(Q), batched_input(K), batched_input(V))
    out_value = output.npvalue().reshape(output.dim()[0] + (batch_size,))
    weight_values = [w.npvalue().reshape(w.dim()[0] + (batch_size,)) for w in as_list(weights)]
    assert len(out_value.shape) == len(q_shape) + 1
    for b in range(batch_size):
        q = Q[..., b] if n_queries is not None else Q[:, None, b]
        expected_out, expected_weights = reference(kind, layer, params, q, K[..., b], V[..., b])
        if n_queries is None:
            expected_out = expected_out[:, 0]
            expected_weights = [w[:, 0] for w in as_list(expected_weights)]
        np.testing.assert_allclose(out_value[..., b], expected_out, atol=1e-5)
        for actual, expected in zip(weight_values, as_list(expected_weights)):
            np.testing.assert_allclose(actual[..., b], expected, atol=1e-6)


@pytest.mark.parametrize("kind", KINDS)
def test_unbatched_keys_are_shared_by_the_batch(kind, pc, rng):
    layer = make(kind, pc)
    params = randomize(layer, rng)
    Q = rng.uniform(-1, 1, (query_dim(layer), 2, 3))
    K = rng.uniform(-1, 1, (KEY_DIM, LENGTH))
    V = rng.uniform(-1, 1, (VALUE_DIM, LENGTH))
    dynn.new_graph(layer)
    output, _ = layer(batched_input(Q), dy.inputTensor(K), dy.inputTensor(V))
    assert output.dim()[1] == 3
    for b in range(3):
        expected, _ = reference(kind, layer, params, Q[..., b], K, V)
        np.testing.assert_allclose(output.npvalue()[..., b], expected, atol=1e-5)


def test_mlp_attention_activation_is_used(pc, rng):
    layer = MLPAttention(pc, QUERY_DIM, KEY_DIM, 7, activation=activations.relu)
    params = randomize(layer, rng)
    Q, K, V = rng.uniform(-1, 1, (QUERY_DIM, 2)), rng.uniform(-1, 1, (KEY_DIM, 5)), np.eye(5)
    dynn.new_graph(layer)
    output, weights = layer(dy.inputTensor(Q), dy.inputTensor(K), dy.inputTensor(V))
    expected, _ = np_mlp_attention(params, Q, K, V, act=lambda x: np.maximum(x, 0))
    np.testing.assert_allclose(output.npvalue(), expected, atol=1e-6)


def test_mlp_attention_many_queries_has_the_gradients_of_one_query_at_a_time(pc, rng):
    # Several queries use a broadcast (H, L, l) tensor, one query a matrix: same gradients.
    layer = MLPAttention(pc, QUERY_DIM, KEY_DIM, 7)
    randomize(layer, rng)
    Q = rng.uniform(-1, 1, (QUERY_DIM, 3, 2))
    K = rng.uniform(-1, 1, (KEY_DIM, LENGTH, 2))
    V = rng.uniform(-1, 1, (VALUE_DIM, LENGTH, 2))
    W = rng.uniform(-1, 1, (VALUE_DIM, 3))
    params = [p for _, p in layer.iter_parameters()]

    def gradients(one_at_a_time):
        for param in params:
            param.scale_gradient(0.0)
        dynn.new_graph(layer, update=True)
        q, k = batched_input(Q), batched_input(K)
        if one_at_a_time:
            columns = [layer(dy.pick(q, i, 1), k, batched_input(V))[0] for i in range(3)]
            output = dy.concatenate_cols(columns)
        else:
            output = layer(q, k, batched_input(V))[0]
        dy.sum_batches(dy.sum_elems(dy.cmult(output, dy.inputTensor(W)))).backward(full=True)
        return [q.gradient(), k.gradient()] + [p.grad_as_array().copy() for p in params]

    for actual, expected in zip(gradients(False), gradients(True)):
        np.testing.assert_allclose(actual, expected, atol=1e-5)
        assert np.any(actual != 0)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("update", [True, False])
def test_every_parameter_gets_a_gradient_iff_update(kind, update, pc, rng):
    layer = make(kind, pc)
    randomize(layer, rng)
    params = [p for _, p in layer.iter_parameters()]
    for param in params:
        param.scale_gradient(0.0)
    dynn.new_graph(layer, update=update)
    Q = dy.inputTensor(rng.uniform(-1, 1, (query_dim(layer), 2)))
    K = dy.inputTensor(rng.uniform(-1, 1, (KEY_DIM, 4)))
    output, _ = layer(Q, K, dy.inputTensor(rng.uniform(-1, 1, (VALUE_DIM, 4))))
    dy.sum_elems(dy.square(output)).backward()
    for param in params:
        assert np.any(param.grad_as_array() != 0) == update


# Masks ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("kind", KINDS)
def test_padding_mask_gives_the_attention_over_the_unpadded_keys(kind, pc, rng):
    layer = make(kind, pc)
    params = randomize(layer, rng)
    lengths = [LENGTH, 2, 4]
    Q = rng.uniform(-1, 1, (query_dim(layer), 2, 3))
    K = rng.uniform(-1, 1, (KEY_DIM, LENGTH, 3))
    V = rng.uniform(-1, 1, (VALUE_DIM, LENGTH, 3))
    dynn.new_graph(layer)
    mask = padding_mask(lengths, LENGTH)
    output, weights = layer(batched_input(Q), batched_input(K), batched_input(V), mask=mask)
    for b, n in enumerate(lengths):
        expected_out, expected_weights = reference(
            kind, layer, params, Q[..., b], K[:, :n, b], V[:, :n, b]
        )
        np.testing.assert_allclose(output.npvalue()[..., b], expected_out, atol=1e-5)
        for actual, expected in zip(as_list(weights), as_list(expected_weights)):
            np.testing.assert_allclose(actual.npvalue()[:n, :, b], expected, atol=1e-6)
            assert np.all(actual.npvalue()[n:, :, b] == 0.0)


def test_right_aligned_padding_mask(pc):
    dy.renew_cg()
    mask = padding_mask([1, 3], size=3, left_aligned=False).npvalue()
    np.testing.assert_array_equal(mask < 0, [[True, False], [True, False], [False, False]])
    assert np.all(np.isfinite(mask)) and mask.min() == MASK_VALUE


@pytest.mark.parametrize("kind", KINDS)
def test_per_query_mask(kind, pc, rng):
    layer = make(kind, pc)
    params = randomize(layer, rng)
    Q = rng.uniform(-1, 1, (query_dim(layer), LENGTH))
    K, V = rng.uniform(-1, 1, (KEY_DIM, LENGTH)), rng.uniform(-1, 1, (VALUE_DIM, LENGTH))
    dynn.new_graph(layer)
    output, weights = layer(
        dy.inputTensor(Q), dy.inputTensor(K), dy.inputTensor(V), mask=causal_mask(LENGTH)
    )
    for i in range(LENGTH):  # query i sees keys 0..i only
        expected, _ = reference(kind, layer, params, Q[:, i : i + 1], K[:, : i + 1], V[:, : i + 1])
        np.testing.assert_allclose(output.npvalue()[:, i], expected[:, 0], atol=1e-5)
    for w in as_list(weights):
        assert np.all(np.triu(w.npvalue().T, 1) == 0) and np.all(np.isfinite(w.npvalue()))


def test_fully_masked_keys_give_finite_uniform_weights(pc, rng):
    layer = make("mha3", pc)
    randomize(layer, rng)
    dynn.new_graph(layer)
    K = dy.inputTensor(rng.uniform(-1, 1, (KEY_DIM, 3)))
    V = dy.inputTensor(rng.uniform(-1, 1, (VALUE_DIM, 3)))
    output, weights = layer(
        dy.inputVector([1.0, 2.0, 3.0]), K, V, mask=dy.inputVector([MASK_VALUE] * 3)
    )
    assert np.all(np.isfinite(output.npvalue()))
    np.testing.assert_allclose(weights[0].npvalue(), [1 / 3] * 3, atol=1e-6)


@pytest.mark.parametrize("kind", KINDS)
def test_graph_after_a_masked_graph_has_no_nan(kind, pc, rng):
    layer = make(kind, pc)
    randomize(layer, rng)
    params = [p for _, p in layer.iter_parameters()]
    for step in range(3):
        dynn.new_graph(layer, update=True)
        n = 3 + step
        q = dy.inputTensor(rng.uniform(-1, 1, (query_dim(layer), n)))
        K = dy.inputTensor(rng.uniform(-1, 1, (KEY_DIM, n)))
        V = dy.inputTensor(rng.uniform(-1, 1, (VALUE_DIM, n)))
        mask = causal_mask(n) + padding_mask([n - 1], n) if step % 2 == 0 else None
        output, weights = layer(q, K, V, mask=mask)
        dy.sum_elems(dy.square(output)).backward(full=True)
        assert np.all(np.isfinite(output.npvalue()))
        assert all(np.all(np.isfinite(w.npvalue())) for w in as_list(weights))
        assert np.all(np.isfinite(q.gradient())) and np.all(np.isfinite(K.gradient()))
        assert all(np.all(np.isfinite(p.grad_as_array())) for p in params)


def test_causal_mask_values(pc):
    dy.renew_cg()
    mask = causal_mask(4).npvalue()
    assert mask.shape == (4, 4) and np.all(np.isfinite(mask))
    np.testing.assert_array_equal(mask, np.tril(np.full((4, 4), MASK_VALUE), -1))
    with pytest.raises(ValueError, match="causal_mask: size"):
        causal_mask(0)


# Dropout -------------------------------------------------------------------------------------
@pytest.mark.parametrize("kind", ["mlp", "bilinear", "dot"])
def test_attention_dropout_drops_weights_in_training_mode_only(kind, pc, rng):
    layer = make(kind, pc, dropout=0.5)
    params = randomize(layer, rng)
    n_queries, batch_size = 3, 4
    Q = rng.uniform(-1, 1, (query_dim(layer), n_queries, batch_size))
    K = rng.uniform(-1, 1, (KEY_DIM, LENGTH, batch_size))
    V = np.eye(LENGTH)  # the output is then the (dropped-out) weights themselves
    expected = [reference(kind, layer, params, Q[..., b], K[..., b], V) for b in range(batch_size)]
    expected_weights = np.stack([w for _, w in expected], axis=-1)
    for test in (True, False):
        dynn.new_graph(layer, test=test)
        output, weights = layer(batched_input(Q), batched_input(K), dy.inputTensor(V))
        np.testing.assert_allclose(weights.npvalue(), expected_weights, atol=1e-6)
        out = output.npvalue()
        if test:
            np.testing.assert_allclose(out, expected_weights, atol=1e-6)
        else:
            dropped = np.isclose(out, 0.0, atol=1e-7)
            np.testing.assert_allclose(out[~dropped], 2 * expected_weights[~dropped], atol=1e-6)
            assert 0.3 < dropped.mean() < 0.7
            # Independent masks for every batch element.
            assert not np.array_equal(dropped[..., 0], dropped[..., 1])


@pytest.mark.parametrize("n_heads", [1, 2])
def test_multi_head_attention_dropout_on_every_head(n_heads, pc, rng):
    L = 5
    eye = np.eye(n_heads * L)
    layer = MultiHeadAttention(
        pc, n_heads, QUERY_DIM, KEY_DIM, n_heads * L, n_heads * L, n_heads * L, dropout=0.5
    )
    randomize(layer, rng)
    layer.parameters["Wv"].set_value(eye)
    layer.parameters["Wo"].set_value(eye)
    # Every head's values are the identity: the output stacks the heads' dropped weights.
    V = np.concatenate([np.eye(L)] * n_heads)
    Q = rng.uniform(-1, 1, (QUERY_DIM, 3))
    K = rng.uniform(-1, 1, (KEY_DIM, L))
    for test in (True, False):
        dynn.new_graph(layer, test=test)
        output, weights = layer(dy.inputTensor(Q), dy.inputTensor(K), dy.inputTensor(V))
        stacked = np.concatenate([w.npvalue() for w in weights])
        np.testing.assert_allclose(stacked.reshape(n_heads, L, 3).sum(axis=1), 1.0, atol=1e-6)
        out = output.npvalue()
        if test:
            np.testing.assert_allclose(out, stacked, atol=1e-6)
        else:
            dropped = np.isclose(out, 0.0, atol=1e-7)
            np.testing.assert_allclose(out[~dropped], 2 * stacked[~dropped], atol=1e-6)
            assert 0 < dropped.mean() < 1


@pytest.mark.parametrize("kind", KINDS)
def test_no_dropout_rate_means_training_equals_inference(kind, pc, rng):
    layer = make(kind, pc, dropout=0.0)
    randomize(layer, rng)
    Q = rng.uniform(-1, 1, (query_dim(layer), 2))
    K, V = rng.uniform(-1, 1, (KEY_DIM, 4)), rng.uniform(-1, 1, (VALUE_DIM, 4))
    outputs = []
    for test in (True, False):
        dynn.new_graph(layer, test=test)
        outputs.append(layer(dy.inputTensor(Q), dy.inputTensor(K), dy.inputTensor(V))[0].npvalue())
    np.testing.assert_array_equal(outputs[0], outputs[1])


# Constructor arguments -------------------------------------------------------------------------
def test_shared_parameters(pc, rng):
    first = MultiHeadAttention(pc, 2, QUERY_DIM, KEY_DIM, VALUE_DIM, 4, 3)
    shared = {name: first.parameters[name] for name in ("Wq", "Wk", "Wv", "Wo")}
    second = MultiHeadAttention(pc, 2, QUERY_DIM, KEY_DIM, VALUE_DIM, 4, 3, **shared)
    assert second.parameters == first.parameters
    mlp = MLPAttention(pc, QUERY_DIM, KEY_DIM, 7)
    mlp_shared = MLPAttention(pc, QUERY_DIM, KEY_DIM, 7, **mlp.parameters)
    assert mlp_shared.parameters == mlp.parameters
    bilinear = BilinearAttention(pc, QUERY_DIM, KEY_DIM)
    assert BilinearAttention(pc, QUERY_DIM, KEY_DIM, A=bilinear.parameters["A"]).parameters == (
        bilinear.parameters
    )
    with pytest.raises(ValueError, match="shared parameter 'Wk' must have shape"):
        MultiHeadAttention(pc, 2, QUERY_DIM, KEY_DIM + 1, VALUE_DIM, 4, 3, Wk=shared["Wk"])


def test_constructor_arguments_are_stored_and_annotated(pc):
    layer = MultiHeadAttention(pc, 2, 3, 4, 5, 6, 7, dropout=0.25)
    given = dict(n_heads=2, query_dim=3, key_dim=4, value_dim=5, hidden_dim=6, out_dim=7)
    assert_stores_arguments(layer, skip=("pc", "Wq", "Wk", "Wv", "Wo"), dropout=0.25, **given)
    assert layer.head_dim == 3
    mlp = MLPAttention(pc, 3, 4, 5, activation=activations.relu, dropout=0.5)
    given = dict(query_dim=3, key_dim=4, hidden_dim=5, activation=activations.relu, dropout=0.5)
    assert_stores_arguments(mlp, skip=("pc", "Wq", "Wk", "b", "V"), **given)
    bilinear = BilinearAttention(pc, 3, 4, dropout=0.1)
    assert_stores_arguments(bilinear, skip=("pc", "A"), query_dim=3, key_dim=4, dropout=0.1)
    dot = BilinearAttention(pc, 4, 4, dot_product=True)
    assert_stores_arguments(dot, skip=("pc", "A"), query_dim=4, key_dim=4, dot_product=True)
    assert "A" not in dot.parameters


@pytest.mark.parametrize(
    "build, message",
    [
        (
            lambda pc: MultiHeadAttention(pc, 4, 3, 3, 3, 6, 3),
            "hidden_dim \\(6\\).*n_heads \\(4\\)",
        ),
        (lambda pc: MultiHeadAttention(pc, 0, 3, 3, 3, 6, 3), "n_heads must be a positive"),
        (lambda pc: MLPAttention(pc, 3, 3, 3, dropout=1.0), "MLPAttention: dropout.*\\[0, 1\\)"),
        (lambda pc: MLPAttention(pc, 3, -1, 3), "MLPAttention: key_dim must be a positive"),
        (lambda pc: BilinearAttention(pc, 3, 4, dot_product=True), "query_dim == key_dim"),
        (lambda pc: BilinearAttention(pc, 3, 3, dropout=-0.1), "BilinearAttention: dropout"),
    ],
)
def test_bad_constructor_arguments(build, message, pc):
    with pytest.raises(ValueError, match=message):
        build(pc)


# Bad inputs --------------------------------------------------------------------------------------
@pytest.mark.parametrize("kind", KINDS)
def test_bad_inputs_name_the_layer_and_the_argument(kind, pc):
    layer = make(kind, pc)
    dynn.new_graph(layer)
    dq = query_dim(layer)
    name = f"{type(layer).__name__} '{layer.name}'"
    q = dy.inputTensor(np.ones((dq, 2)))
    K, V = dy.inputTensor(np.ones((KEY_DIM, 4))), dy.inputTensor(np.ones((VALUE_DIM, 4)))
    cases = [
        ((dy.inputVector([1.0] * (dq + 1)), K, V), {}, "argument query must have shape"),
        ((q, dy.inputTensor(np.ones((KEY_DIM + 1, 4))), V), {}, "argument keys must have shape"),
        ((q, K, dy.inputTensor(np.ones((VALUE_DIM, 3)))), {}, "keys and values .* 4 and 3"),
        ((q, K, V), {"mask": dy.inputVector([0.0] * 3)}, "argument mask must have shape"),
        (
            (dy.inputTensor(np.ones((dq, 2, 2)), batched=True), K, V),
            {"mask": padding_mask([1, 2, 3], 4)},
            "incompatible batch sizes",
        ),
    ]
    if kind.startswith("mha"):
        bad_v = dy.inputTensor(np.ones((VALUE_DIM + 1, 4)))
        cases.append(((q, K, bad_v), {}, "argument values must have shape \\(5,\\)"))
    for args, kwargs, message in cases:
        with pytest.raises(ValueError, match=f"{name}: .*{message}"):
            layer(*args, **kwargs)
    with pytest.raises(TypeError, match=f"{name}: argument keys must be a dy.Expression"):
        layer(q, np.ones((KEY_DIM, 4)), V)
    with pytest.raises(TypeError, match=f"{name}"):
        layer(q, K)


def test_attend_projected_matches_call(pc, rng):
    layer = make("mha3", pc)
    randomize(layer, rng)
    dynn.new_graph(layer)
    q = dy.inputTensor(rng.uniform(-1, 1, (QUERY_DIM, 2)))
    K = dy.inputTensor(rng.uniform(-1, 1, (KEY_DIM, 4)))
    V = dy.inputTensor(rng.uniform(-1, 1, (VALUE_DIM, 4)))
    expected = layer(q, K, V)[0].npvalue()
    actual = layer.attend_projected(layer.Wq * q, layer.Wk * K, layer.Wv * V)[0].npvalue()
    np.testing.assert_allclose(actual, expected, atol=1e-6)
    with pytest.raises(ValueError, match="argument projected_keys must have shape \\(6,\\)"):
        layer.attend_projected(layer.Wq * q, K, layer.Wv * V)
