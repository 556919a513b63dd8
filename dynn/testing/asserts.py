"""Assertions on DyNet expressions, with messages that show the numbers.

Example:
    >>> import dynet as dy
    >>> assert_expr_close(dy.inputVector([1.0, 2.0]) * 2.0, [2.0, 4.0])
    >>> assert_expr_close(dy.inputVector([1.0, 2.0]), [1.0, 2.5])
    Traceback (most recent call last):
    ...
    AssertionError: expression differs from expected in 1 of 2 entries (atol=1e-06, rtol=1e-05)
    max |difference| 0.5 at index (1,): actual 2, expected 2.5
"""

from typing import Union

import dynet as dy
import numpy as np

__all__ = ["assert_expr_close", "expression_value"]

ArrayLike = Union[dy.Expression, np.ndarray, list, tuple, float]


def expression_value(expression: dy.Expression) -> np.ndarray:
    """The value of ``expression`` as an array of shape ``(*dims, batch_size)``.

    Unlike ``npvalue()``, the batch axis is always present (of length 1 for an unbatched
    expression), so values of different batch sizes compare element by element.

    Example:
        >>> import dynet as dy
        >>> expression_value(dy.inputVector([1.0, 2.0])).shape
        (2, 1)
    """
    shape, batch_size = expression.dim()
    return np.asarray(expression.npvalue(), dtype=float).reshape(tuple(shape) + (batch_size,))


def _as_array(value: ArrayLike, other: ArrayLike) -> np.ndarray:
    if isinstance(value, dy.Expression):
        if isinstance(other, dy.Expression):
            return expression_value(value)
        return np.asarray(value.npvalue(), dtype=float)
    return np.asarray(value, dtype=float)


def assert_expr_close(
    actual: ArrayLike,
    expected: ArrayLike,
    *,
    rtol: float = 1e-5,
    atol: float = 1e-6,
    name: str = "expression",
) -> None:
    """Assert that an expression's value is close to another expression or to an array.

    Entries must satisfy ``|actual - expected| <= atol + rtol * |expected|``. Two expressions
    must have the same dimensions *and* batch size; an expression compared with an array is
    compared through ``npvalue()`` (batch axis last, absent for a batch of one).

    Args:
        actual: The value under test (an expression or an array).
        expected: The reference.
        rtol: Relative tolerance.
        atol: Absolute tolerance.
        name: What to call ``actual`` in the message.

    Raises:
        AssertionError: The dimensions differ, or some entries differ beyond the tolerance; the
            message gives the number of such entries and the worst one.
    """
    if isinstance(actual, dy.Expression) and isinstance(expected, dy.Expression):
        if actual.dim() != expected.dim():
            raise AssertionError(
                f"{name} has dimensions {actual.dim()}, expected {expected.dim()} "
                f"(dims, batch size)"
            )
    a = _as_array(actual, expected)
    e = _as_array(expected, actual)
    if a.shape != e.shape:
        raise AssertionError(f"{name} has shape {a.shape}, expected {e.shape}")
    difference = np.abs(a - e)
    bad = ~(difference <= atol + rtol * np.abs(e))  # also catches NaN
    if not bad.any():
        return
    flat = np.where(bad.ravel(), np.nan_to_num(difference.ravel(), nan=np.inf), -1.0)
    worst = np.unravel_index(int(np.argmax(flat)), a.shape)
    worst = tuple(int(i) for i in worst)
    raise AssertionError(
        f"{name} differs from expected in {int(bad.sum())} of {a.size} entries "
        f"(atol={atol:g}, rtol={rtol:g})\nmax |difference| "
        f"{difference[worst]:.6g} at index {worst}: actual {a[worst]:.6g}, "
        f"expected {e[worst]:.6g}"
    )
