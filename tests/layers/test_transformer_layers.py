import dynet as dy
import numpy as np
import pytest

import dynn
from dynn import activations
from dynn.layers.attention_layers import MASK_VALUE
from dynn.layers.transformer_layers import (
    CondTransformer,
    CondTransformerState,
    StackedCondTransformers,
    StackedTransformers,
    Transformer,
    TransformerState,
)
from dynn.util import batched_input

from ._layer_checks import assert_stores_arguments
from .test_attention_layers import np_multi_head_attention

D, HIDDEN, HEADS, COND_DIM, LENGTH, MEMORY_LENGTH = 4, 6, 2, 3, 5, 4


# Independent numpy implementation (one batch element, positions as columns) ------------------
def np_layer_norm(x, g, b):
    mean, std = x.mean(axis=0, keepdims=True), x.std(axis=0, keepdims=True)
    return g[:, None] * (x - mean) / (std + 1e-8) + b[:, None]


def np_relu(x):
    return np.maximum(x, 0)


def sub(params, prefix):
    return {k[len(prefix) :]: v for k, v in params.items() if k.startswith(prefix)}


def np_feed_forward(p, h, act):
    hidden = act(p["feed_forward_in.W"] @ h + p["feed_forward_in.b"][:, None])
    return p["feed_forward_out.W"] @ hidden + p["feed_forward_out.b"][:, None]


def np_transformer(p, x, mask=None, act=np_relu):
    attended, _ = np_multi_head_attention(sub(p, "self_att."), HEADS, x, x, x, mask)
    h = np_layer_norm(x + attended, p["norm_self_att.gain"], p["norm_self_att.bias"])
    return np_layer_norm(h + np_feed_forward(p, h, act), p["norm_ff.gain"], p["norm_ff.bias"])


def np_cond_transformer(p, x, c, mask=None, mask_c=None, act=np_relu):
    attended, _ = np_multi_head_attention(sub(p, "self_att."), HEADS, x, x, x, mask)
    h = np_layer_norm(x + attended, p["norm_self_att.gain"], p["norm_self_att.bias"])
    conditioned, _ = np_multi_head_attention(sub(p, "cond_att."), HEADS, h, c, c, mask_c)
    g = np_layer_norm(h + conditioned, p["norm_cond_att.gain"], p["norm_cond_att.bias"])
    return np_layer_norm(g + np_feed_forward(p, g, act), p["norm_ff.gain"], p["norm_ff.bias"])


def np_causal(length):
    return np.tril(np.full((length, length), MASK_VALUE), -1)


# Helpers ---------------------------------------------------------------------------------------
def randomize(layer, rng, scale=0.7):
    params = {}
    for path, param in layer.iter_parameters():
        value = rng.uniform(-scale, scale, param.shape())
        param.set_value(value)
        params[path] = value
    return params


def value(expression):
    shape, batch_size = expression.dim()
    return np.asarray(expression.npvalue()).reshape(shape + (batch_size,))


def columns(x):
    """The columns of a batched (d, L) expression, as (d,) expressions."""
    return [dy.pick(x, t, 1) for t in range(x.dim()[0][1])]


# Numbers -----------------------------------------------------------------------------------------
@pytest.mark.parametrize("triu", [False, True])
@pytest.mark.parametrize("batch_size", [1, 3])
def test_transformer_matches_numpy(triu, batch_size, pc, rng):
    layer = Transformer(pc, D, HIDDEN, HEADS)
    params = randomize(layer, rng)
    X = rng.uniform(-1, 1, (D, LENGTH, batch_size))
    dynn.new_graph(layer)
    y = value(layer(batched_input(X), triu=triu))
    for b in range(batch_size):
        expected = np_transformer(params, X[..., b], np_causal(LENGTH) if triu else None)
        np.testing.assert_allclose(y[..., b], expected, atol=1e-5)


def test_transformer_activation_and_single_position(pc, rng):
    layer = Transformer(pc, D, HIDDEN, HEADS, activation=activations.tanh)
    params = randomize(layer, rng)
    x = rng.uniform(-1, 1, D)
    dynn.new_graph(layer)
    y = layer(dy.inputVector(x))
    assert y.dim() == ((D,), 1)
    expected = np_transformer(params, x[:, None], act=np.tanh)[:, 0]
    np.testing.assert_allclose(y.npvalue(), expected, atol=1e-5)


@pytest.mark.parametrize("triu", [False, True])
def test_cond_transformer_matches_numpy(triu, pc, rng):
    layer = CondTransformer(pc, D, HIDDEN, COND_DIM, HEADS)
    params = randomize(layer, rng)
    X = rng.uniform(-1, 1, (D, LENGTH, 2))
    C = rng.uniform(-1, 1, (COND_DIM, MEMORY_LENGTH, 2))
    dynn.new_graph(layer)
    y = value(layer(batched_input(X), batched_input(C), triu=triu))
    for b in range(2):
        mask = np_causal(LENGTH) if triu else None
        expected = np_cond_transformer(params, X[..., b], C[..., b], mask)
        np.testing.assert_allclose(y[..., b], expected, atol=1e-5)


def test_stacked_transformers_apply_the_layers_in_turn(pc, rng):
    stack = StackedTransformers(pc, 2, D, HIDDEN, HEADS)
    params = randomize(stack, rng)
    X = rng.uniform(-1, 1, (D, LENGTH))
    dynn.new_graph(stack)
    outputs, weights = stack(dy.inputTensor(X), triu=True, return_att=True, return_last_only=False)
    assert len(outputs) == len(weights) == 2 and len(weights[0]) == HEADS
    expected = X
    for i, output in enumerate(outputs):
        expected = np_transformer(sub(params, f"layers.{i}."), expected, np_causal(LENGTH))
        np.testing.assert_allclose(output.npvalue(), expected, atol=1e-5)
    last = stack(dy.inputTensor(X), triu=True)
    np.testing.assert_allclose(last.npvalue(), expected, atol=1e-5)


def test_stacked_cond_transformers_with_one_memory_per_layer(pc, rng):
    stack = StackedCondTransformers(pc, 2, D, HIDDEN, COND_DIM, HEADS)
    params = randomize(stack, rng)
    X = rng.uniform(-1, 1, (D, LENGTH))
    memories = [rng.uniform(-1, 1, (COND_DIM, MEMORY_LENGTH)) for _ in range(2)]
    dynn.new_graph(stack)
    outputs, self_weights, cond_weights = stack(
        dy.inputTensor(X),
        [dy.inputTensor(m) for m in memories],
        triu=True,
        return_att=True,
        return_last_only=False,
    )
    assert len(outputs) == len(self_weights) == len(cond_weights) == 2
    assert cond_weights[1][0].dim() == ((MEMORY_LENGTH, LENGTH), 1)
    expected = X
    for i, output in enumerate(outputs):
        p = sub(params, f"layers.{i}.")
        expected = np_cond_transformer(p, expected, memories[i], np_causal(LENGTH))
        np.testing.assert_allclose(output.npvalue(), expected, atol=1e-5)


# Masks ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("left_aligned", [True, False])
def test_padded_batch_gives_the_per_sequence_results(left_aligned, pc, rng):
    layer = CondTransformer(pc, D, HIDDEN, COND_DIM, HEADS)
    params = randomize(layer, rng)
    lengths, memory_lengths = [LENGTH, 2, 3], [2, MEMORY_LENGTH, 3]
    X = rng.uniform(-1, 1, (D, LENGTH, 3))
    C = rng.uniform(-1, 1, (COND_DIM, MEMORY_LENGTH, 3))
    dynn.new_graph(layer)
    y = layer(
        batched_input(X),
        batched_input(C),
        lengths=lengths,
        left_aligned=left_aligned,
        triu=left_aligned,
        lengths_c=memory_lengths,
        left_aligned_c=left_aligned,
    )
    y = value(y)
    assert np.all(np.isfinite(y))
    for b, (n, m) in enumerate(zip(lengths, memory_lengths)):
        real = slice(0, n) if left_aligned else slice(LENGTH - n, LENGTH)
        memory = slice(0, m) if left_aligned else slice(MEMORY_LENGTH - m, MEMORY_LENGTH)
        mask = np_causal(n) if left_aligned else None
        expected = np_cond_transformer(params, X[:, real, b], C[:, memory, b], mask)
        np.testing.assert_allclose(y[:, real, b], expected, atol=1e-5)


def test_explicit_masks_are_combined_with_causal_and_padding(pc, rng):
    stack = StackedTransformers(pc, 2, D, HIDDEN, HEADS)
    randomize(stack, rng)
    X = rng.uniform(-1, 1, (D, LENGTH, 2))
    hide = np.zeros(LENGTH)
    hide[1] = MASK_VALUE  # position 1 is hidden as a key from every query
    dynn.new_graph(stack)
    _, weights = stack(
        batched_input(X), lengths=[LENGTH, 4], triu=True, mask=dy.inputVector(hide), return_att=True
    )
    # The same masks as one (L, L, batch) expression.
    full_mask = np_causal(LENGTH)[..., None] + hide[:, None, None] + np.zeros((1, 1, 2))
    full_mask[4, :, 1] += MASK_VALUE
    _, weights_full = stack(batched_input(X), mask=batched_input(full_mask), return_att=True)
    for w, w_full in zip(weights, weights_full):
        w = value(w)  # (keys, queries, batch)
        assert np.all(w[1] == 0) and np.all(w[4, :, 1] == 0)
        assert np.all(w[np.tril_indices(LENGTH, -1)] == 0)
        np.testing.assert_allclose(value(w_full), w, atol=1e-6)


@pytest.mark.parametrize("kind", ["encoder", "decoder"])
def test_causal_mask_makes_position_t_independent_of_later_positions(kind, pc, rng):
    if kind == "encoder":
        layer = StackedTransformers(pc, 2, D, HIDDEN, HEADS)
    else:
        layer = StackedCondTransformers(pc, 2, D, HIDDEN, COND_DIM, HEADS)
    randomize(layer, rng)
    X = rng.uniform(-1, 1, (D, LENGTH))
    C = rng.uniform(-1, 1, (COND_DIM, MEMORY_LENGTH))
    t = 2
    changed = X.copy()
    changed[:, t + 1 :] = rng.uniform(-1, 1, (D, LENGTH - t - 1))

    def run(x, triu):
        dynn.new_graph(layer)
        args = (dy.inputTensor(x),) if kind == "encoder" else (dy.inputTensor(x), dy.inputTensor(C))
        return layer(*args, triu=triu).npvalue()

    np.testing.assert_allclose(run(changed, True)[:, : t + 1], run(X, True)[:, : t + 1], atol=1e-6)
    assert not np.allclose(run(changed, False)[:, : t + 1], run(X, False)[:, : t + 1])


def test_graph_after_a_masked_graph_has_no_nan(pc, rng):
    layer = CondTransformer(pc, D, HIDDEN, COND_DIM, HEADS)
    randomize(layer, rng)
    params = [p for _, p in layer.iter_parameters()]
    for step in range(3):
        n = LENGTH - step
        dynn.new_graph(layer, update=True)
        x = batched_input(rng.uniform(-1, 1, (D, n, 2)))
        c = batched_input(rng.uniform(-1, 1, (COND_DIM, MEMORY_LENGTH, 2)))
        if step % 2 == 0:
            y = layer(x, c, lengths=[n, 1], triu=True, lengths_c=[1, MEMORY_LENGTH])
        else:
            y = layer(x, c)
        dy.sum_batches(dy.sum_elems(dy.square(y))).backward(full=True)
        assert np.all(np.isfinite(y.npvalue())) and np.all(np.isfinite(x.gradient()))
        assert all(np.all(np.isfinite(p.grad_as_array())) for p in params)


# Incremental decoding ------------------------------------------------------------------------
@pytest.mark.parametrize("stacked", [False, True])
def test_transformer_step_equals_the_causal_full_pass(stacked, pc, rng):
    if stacked:
        layer = StackedTransformers(pc, 2, D, HIDDEN, HEADS)
    else:
        layer = Transformer(pc, D, HIDDEN, HEADS)
    randomize(layer, rng)
    X = rng.uniform(-1, 1, (D, LENGTH, 2))
    dynn.new_graph(layer)
    x = batched_input(X)
    full, full_weights = layer(x, triu=True, return_att=True)
    full, full_weights = value(full), [value(w) for w in full_weights]
    state = None
    for t, x_t in enumerate(columns(x)):
        state, y_t, weights = layer.step(state, x_t, return_att=True)
        np.testing.assert_allclose(value(y_t), full[:, t], atol=1e-6)
        for w, w_full in zip(weights, full_weights):
            np.testing.assert_allclose(value(w), w_full[: t + 1, t], atol=1e-6)
    layer_states = state if stacked else [state]
    assert all(isinstance(s, TransformerState) for s in layer_states)
    assert all(s.keys.dim() == ((D, LENGTH), 2) for s in layer_states)


@pytest.mark.parametrize("stacked", [False, True])
def test_cond_transformer_step_equals_the_causal_full_pass(stacked, pc, rng):
    if stacked:
        layer = StackedCondTransformers(pc, 2, D, HIDDEN, COND_DIM, HEADS)
    else:
        layer = CondTransformer(pc, D, HIDDEN, COND_DIM, HEADS)
    randomize(layer, rng)
    X = rng.uniform(-1, 1, (D, LENGTH, 2))
    C = rng.uniform(-1, 1, (COND_DIM, MEMORY_LENGTH, 2))
    memory_lengths = [MEMORY_LENGTH, 2]
    dynn.new_graph(layer)
    x, c = batched_input(X), batched_input(C)
    full, _, full_cond = layer(x, c, triu=True, lengths_c=memory_lengths, return_att=True)
    full, full_cond = value(full), [value(w) for w in full_cond]
    state = None
    for t, x_t in enumerate(columns(x)):
        previous = state
        state, y_t, _, cond_weights = layer.step(
            state, x_t, c, lengths_c=memory_lengths, return_att=True
        )
        np.testing.assert_allclose(value(y_t), full[:, t], atol=1e-6)
        for w, w_full in zip(cond_weights, full_cond):
            np.testing.assert_allclose(value(w), w_full[:, t], atol=1e-6)
        if previous is not None:  # the memory's projections are computed once
            for old, new in zip(previous if stacked else [previous], state if stacked else [state]):
                assert isinstance(new, CondTransformerState) and new.memory is c
                assert new.memory_keys is old.memory_keys


def test_cond_step_recomputes_projections_for_a_new_memory(pc, rng):
    layer = CondTransformer(pc, D, HIDDEN, COND_DIM, HEADS)
    params = randomize(layer, rng)
    dynn.new_graph(layer)
    x0, x1 = rng.uniform(-1, 1, D), rng.uniform(-1, 1, D)
    c0, c1 = (rng.uniform(-1, 1, (COND_DIM, MEMORY_LENGTH)) for _ in range(2))
    state, _ = layer.step(None, dy.inputVector(x0), dy.inputTensor(c0))
    _, y1 = layer.step(state, dy.inputVector(x1), dy.inputTensor(c1))
    # Position 1 attends to the new memory only (the self-attention cache is kept).
    expected = np_cond_transformer(params, np.stack([x0, x1], axis=1), c1, np_causal(2))[:, 1]
    np.testing.assert_allclose(y1.npvalue(), expected, atol=1e-5)


# Dropout -------------------------------------------------------------------------------------
@pytest.mark.parametrize("kind", ["encoder", "decoder"])
def test_dropout_in_training_mode_only(kind, pc, rng):
    if kind == "encoder":
        layer = Transformer(pc, D, HIDDEN, HEADS, dropout=0.5)
        reference = Transformer(pc, D, HIDDEN, HEADS)
    else:
        layer = CondTransformer(pc, D, HIDDEN, COND_DIM, HEADS, dropout=0.5)
        reference = CondTransformer(pc, D, HIDDEN, COND_DIM, HEADS)
    randomize(layer, rng)
    for (_, param), (_, ref_param) in zip(layer.iter_parameters(), reference.iter_parameters()):
        ref_param.set_value(param.as_array())
    X = rng.uniform(-1, 1, (D, LENGTH, 2))
    C = rng.uniform(-1, 1, (COND_DIM, MEMORY_LENGTH, 2))

    def run(which, test):
        dynn.new_graph(which, test=test)
        args = [batched_input(X)] + ([batched_input(C)] if kind == "decoder" else [])
        return value(which(*args, triu=True))

    expected = run(reference, test=False)
    np.testing.assert_allclose(run(layer, test=True), expected, atol=1e-6)
    first, second = run(layer, test=False), run(layer, test=False)
    assert np.all(np.isfinite(first))
    assert not np.allclose(first, expected, atol=1e-3)
    assert not np.allclose(first, second, atol=1e-3)


def test_residual_dropout_on_the_feed_forward_output(pc, rng):
    # With Wv = 0 the attention output is 0 whatever its dropout: only the residual dropout of
    # the feed-forward output can make training differ from inference.
    layer = Transformer(pc, D, HIDDEN, HEADS, dropout=0.5)
    params = randomize(layer, rng)
    layer.self_att.parameters["Wv"].set_value(np.zeros((D, D)))
    params["self_att.Wv"] = np.zeros((D, D))
    X = rng.uniform(-1, 1, (D, LENGTH))
    dynn.new_graph(layer, test=False)
    y = layer(dy.inputTensor(X)).npvalue()
    h = np_layer_norm(X, params["norm_self_att.gain"], params["norm_self_att.bias"])
    ff = np_feed_forward(params, h, np_relu)
    # Each entry of the feed-forward output is either dropped or doubled: find which by trying
    # both and keep the combination that reproduces the layer's output, column by column.
    for t in range(LENGTH):
        candidates = [
            np_layer_norm(
                h[:, t : t + 1] + (ff[:, t] * np.array(m))[:, None],
                params["norm_ff.gain"],
                params["norm_ff.bias"],
            )
            for m in np.ndindex(*(3,) * D)
            if set(m) <= {0, 2}
        ]
        errors = [np.abs(c[:, 0] - y[:, t]).max() for c in candidates]
        assert min(errors) < 1e-5
    expected_test = np_transformer(params, X)
    assert not np.allclose(y, expected_test, atol=1e-3)


@pytest.mark.parametrize("kind", ["encoder", "decoder"])
@pytest.mark.parametrize("update", [True, False])
def test_every_parameter_gets_a_gradient_iff_update(kind, update, pc, rng):
    if kind == "encoder":
        layer = Transformer(pc, D, HIDDEN, HEADS)
    else:
        layer = CondTransformer(pc, D, HIDDEN, COND_DIM, HEADS)
    randomize(layer, rng)
    params = [p for _, p in layer.iter_parameters()]
    assert len(params) == (12 if kind == "encoder" else 18)
    for param in params:
        param.scale_gradient(0.0)
    dynn.new_graph(layer, update=update)
    args = [dy.inputTensor(rng.uniform(-1, 1, (D, 3)))]
    if kind == "decoder":
        args.append(dy.inputTensor(rng.uniform(-1, 1, (COND_DIM, 2))))
    y = layer(*args)
    dy.sum_elems(dy.cmult(y, dy.inputTensor(rng.uniform(-1, 1, (D, 3))))).backward()
    for param in params:
        assert np.any(param.grad_as_array() != 0) == update


# Constructor arguments and bad inputs ------------------------------------------------------
def test_constructor_arguments_are_stored_and_annotated(pc):
    args = dict(input_dim=4, hidden_dim=6, n_heads=2, activation=activations.tanh, dropout=0.1)
    assert_stores_arguments(Transformer(pc, **args), **args)
    assert_stores_arguments(StackedTransformers(pc, n_layers=3, **args), n_layers=3, **args)
    assert_stores_arguments(CondTransformer(pc, cond_dim=5, **args), cond_dim=5, **args)
    stack = StackedCondTransformers(pc, n_layers=2, cond_dim=5, **args)
    assert_stores_arguments(stack, n_layers=2, cond_dim=5, **args)
    assert len(stack.layers) == 2 and stack.layers[1].self_att.dropout == 0.1


@pytest.mark.parametrize(
    "build, message",
    [
        (lambda pc: Transformer(pc, 5, 6, 2), "Transformer: input_dim \\(5\\).*n_heads \\(2\\)"),
        (lambda pc: Transformer(pc, 4, 0, 2), "Transformer: hidden_dim must be a positive"),
        (lambda pc: CondTransformer(pc, 4, 6, 0, 2), "CondTransformer: cond_dim must be"),
        (lambda pc: CondTransformer(pc, 4, 6, 3, 2, dropout=1.5), "CondTransformer: dropout"),
        (lambda pc: StackedTransformers(pc, 0, 4, 6, 2), "StackedTransformers: n_layers"),
        (lambda pc: StackedCondTransformers(pc, -1, 4, 6, 3, 2), "StackedCondTransformers: n_"),
    ],
)
def test_bad_constructor_arguments(build, message, pc):
    with pytest.raises(ValueError, match=message):
        build(pc)


def test_bad_inputs_name_the_layer_and_the_argument(pc):
    encoder = Transformer(pc, D, HIDDEN, HEADS)
    decoder = CondTransformer(pc, D, HIDDEN, COND_DIM, HEADS)
    stack = StackedCondTransformers(pc, 2, D, HIDDEN, COND_DIM, HEADS)
    dynn.new_graph(encoder, decoder, stack)
    x = batched_input(np.ones((D, 3, 2)))
    c = dy.inputTensor(np.ones((COND_DIM, 2)))
    enc, dec = "Transformer 'transformer'", "CondTransformer 'cond-transformer'"
    cases = [
        (lambda: encoder(dy.inputTensor(np.ones((D + 1, 3)))), f"{enc}: argument x must have"),
        (lambda: encoder(x, lengths=[3]), f"{enc} \\(lengths\\): lengths has 1 entries"),
        (lambda: encoder(x, lengths=[3, 4]), f"{enc} \\(lengths\\): lengths must be in \\[1, 3"),
        (lambda: encoder(x, mask=dy.inputVector([0.0] * 2)), f"{enc}: argument mask must have"),
        (lambda: decoder(x, dy.inputVector([1.0] * 4)), f"{dec}: argument c must have shape"),
        (lambda: decoder(x, c, mask_c=dy.inputVector([0.0] * 3)), f"{dec}: argument mask_c"),
        (lambda: decoder(x, c, lengths_c=[3, 1]), f"{dec} \\(lengths_c\\): lengths must be"),
        (lambda: decoder(x, batched_input(np.ones((COND_DIM, 2, 3)))), f"{dec}: .*batch sizes"),
        (
            lambda: decoder.step(None, dy.pick(x, 0, 1), batched_input(np.ones((3, 2, 3)))),
            "2 and 3",
        ),
        (lambda: encoder.step(None, x), f"{enc}: step\\(\\) takes one position"),
        (lambda: stack(x, [c, c, c]), "StackedCondTransformers .*: argument c must be one memory"),
        (lambda: stack.step([None], dy.inputVector([0.0] * D), c), "argument state must be"),
    ]
    for call, message in cases:
        with pytest.raises(ValueError, match=message):
            call()
    with pytest.raises(TypeError, match=f"{enc}: argument state must be None"):
        encoder.step((1, 2), dy.inputVector([0.0] * D))
    with pytest.raises(TypeError, match=f"{enc}: argument x must be a dy.Expression"):
        encoder(np.ones((D, 3)))
