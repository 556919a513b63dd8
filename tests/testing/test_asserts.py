import dynet as dy
import numpy as np
import pytest

from dynn.testing import assert_expr_close, expression_value


def test_equal_values_pass(fresh_graph):
    x = dy.inputTensor(np.arange(6.0).reshape(2, 3))
    assert_expr_close(x * 2.0, np.arange(6.0).reshape(2, 3) * 2)
    assert_expr_close(x + 0.0, x)


def test_the_message_gives_the_count_and_the_worst_entry(fresh_graph):
    x = dy.inputTensor([[1.0, 2.0], [3.0, 4.0]])
    with pytest.raises(AssertionError) as info:
        assert_expr_close(x, [[1.0, 2.0], [3.5, 4.1]], name="h")
    assert str(info.value) == (
        "h differs from expected in 2 of 4 entries (atol=1e-06, rtol=1e-05)\n"
        "max |difference| 0.5 at index (1, 0): actual 3, expected 3.5"
    )


def test_batch_sizes_must_match_between_expressions(fresh_graph):
    batched = dy.inputTensor(np.ones((2, 3)), batched=True)
    with pytest.raises(
        AssertionError, match=r"has dimensions \(\(2,\), 3\), expected \(\(2,\), 1\)"
    ):
        assert_expr_close(batched, dy.inputVector([1.0, 1.0]))


def test_shapes_must_match_and_nan_is_never_close(fresh_graph):
    with pytest.raises(AssertionError, match=r"has shape \(2,\), expected \(3,\)"):
        assert_expr_close(dy.inputVector([1.0, 2.0]), [1.0, 2.0, 3.0])
    with pytest.raises(AssertionError, match="1 of 2 entries"):
        assert_expr_close(dy.inputVector([1.0, 2.0]), [1.0, float("nan")])


def test_expression_value_always_has_a_batch_axis(fresh_graph):
    assert expression_value(dy.inputVector([1.0, 2.0])).shape == (2, 1)
    assert expression_value(dy.inputTensor(np.ones((2, 3)), batched=True)).shape == (2, 3)
