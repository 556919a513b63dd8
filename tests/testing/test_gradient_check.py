import dynet as dy
import numpy as np
import pytest

from dynn.testing import gradcheck


def test_a_correct_gradient_passes_for_inputs_and_parameters(np_rng):
    pc = dy.ParameterCollection()
    W = pc.add_parameters((2, 3))
    W.set_value(np_rng.uniform(-0.5, 0.5, (2, 3)))
    before = W.as_array().copy()

    def loss(x):
        return dy.sum_elems(dy.tanh(W.expr(True) * x))

    result = gradcheck(loss, {"x": np_rng.normal(size=3), "W": W})
    assert [(row.name, row.kind, len(row.entries)) for row in result.rows] == [
        ("x", "input", 3),
        ("W", "parameter", 6),
    ]
    assert result.max_abs_error < 1e-3
    np.testing.assert_array_equal(W.as_array(), before)  # restored exactly
    assert "gradcheck: 9 entries, eps=0.01" in str(result)


def test_a_cut_gradient_fails_with_the_entry_and_both_values(np_rng):
    pc = dy.ParameterCollection()
    W = pc.add_parameters((2, 3))

    def loss(x):
        return dy.sum_elems(dy.tanh(W.expr(True) * dy.nobackprop(x)))

    with pytest.raises(AssertionError) as info:
        gradcheck(loss, [np_rng.normal(size=3), W])
    message = str(info.value)
    assert message.startswith("gradient mismatch (central differences, eps=0.01, rtol=0.01")
    assert "input 'input 0': 3 of 3 entries differ; worst at" in message
    assert "analytic 0, numerical" in message
    assert "the back-propagated gradient is zero everywhere" in message
    assert W.name() not in message  # the parameter's gradient is right


def test_raise_on_failure_false_returns_the_comparison(np_rng):
    def loss(x):
        return dy.sum_elems(dy.nobackprop(x) * 2.0)

    result = gradcheck(loss, [np_rng.normal(size=2)], raise_on_failure=False)
    np.testing.assert_allclose(result.rows[0].numerical, [2.0, 2.0], rtol=1e-3)
    np.testing.assert_array_equal(result.rows[0].analytic, [0.0, 0.0])


def test_batched_inputs_and_a_batched_loss(np_rng):
    pc = dy.ParameterCollection()
    v = pc.add_parameters(3)

    def loss(x):  # a loss with batch size 4: summed over the batch
        return dy.dot_product(dy.logistic(x), v.expr(True))

    result = gradcheck(loss, [np_rng.normal(size=(3, 4)), v], batched=True)
    assert len(result.rows[0].entries) == 12


def test_lookup_parameters_sample_the_rows_that_were_used(np_rng):
    pc = dy.ParameterCollection()
    E = pc.add_lookup_parameters((10, 2))
    E.init_from_array(np_rng.uniform(-0.5, 0.5, (10, 2)))
    before = E.as_array().copy()

    def loss():
        return dy.sum_elems(dy.tanh(dy.lookup_batch(E, [3, 7])))

    result = gradcheck(loss, {"E": E}, samples=3)
    row = result.rows[0]
    assert row.kind == "lookup parameter" and len(row.entries) == 3
    assert {index[0] for index in row.entries} <= {3, 7}
    np.testing.assert_array_equal(E.as_array(), before)


def test_samples_limits_the_checked_entries(np_rng):
    result = gradcheck(
        lambda x: dy.sum_elems(dy.square(x)), [np_rng.normal(size=(4, 5))], samples=2
    )
    assert len(result.rows[0].entries) == 2 and result.num_entries == 2


def test_bad_arguments():
    with pytest.raises(TypeError, match="'x' must be a numpy array, a dy.Parameters or a"):
        gradcheck(lambda x: x, {"x": [1.0, 2.0]})
    with pytest.raises(ValueError, match=r"f must return a scalar loss, got dimension \(2,\)"):
        gradcheck(lambda x: x, [np.ones(2)])
    with pytest.raises(ValueError, match="f must return a dy.Expression, got float"):
        gradcheck(lambda x: 1.0, [np.ones(2)])
