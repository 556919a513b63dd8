"""Argument checks shared by the layer modules (private).

Every check raises an error whose message names the layer (``where``), the argument, what was
expected and what was received.
"""

from typing import Optional, Sequence, Tuple

import dynet as dy
import numpy as np


def positive_int(where: str, arg: str, value) -> int:
    """``value`` if it is a positive integer (numpy integers accepted), else ``ValueError``."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise ValueError(f"{where}: {arg} must be a positive integer, got {value!r}")
    if value < 1:
        raise ValueError(f"{where}: {arg} must be a positive integer, got {value!r}")
    return int(value)


def optional_positive_int(where: str, arg: str, value) -> Optional[int]:
    """``None`` or a positive integer."""
    return None if value is None else positive_int(where, arg, value)


def rate(where: str, arg: str, value) -> float:
    """A dropout rate in ``[0, 1)``."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.floating, np.integer)):
        raise ValueError(f"{where}: {arg} must be a number in [0, 1), got {value!r}")
    if not 0.0 <= value < 1.0:
        raise ValueError(f"{where}: {arg} must be in [0, 1), got {value!r}")
    return float(value)


def number(where: str, arg: str, value) -> float:
    """A real number (not a bool)."""
    if isinstance(value, bool) or not isinstance(value, (int, float, np.floating, np.integer)):
        raise ValueError(f"{where}: {arg} must be a number, got {value!r}")
    return float(value)


def pair(where: str, arg: str, value, allow_none_items: bool = False) -> Tuple:
    """A pair of positive integers (items may be ``None`` if allowed), from an int or a pair."""
    expected = "a pair of positive integers" + (" or None" if allow_none_items else "")
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        value = (value, value)
    if not isinstance(value, (list, tuple)) or len(value) != 2:
        raise ValueError(f"{where}: {arg} must be {expected}, got {value!r}")
    items = []
    for item in value:
        if item is None and allow_none_items:
            items.append(None)
            continue
        if isinstance(item, bool) or not isinstance(item, (int, np.integer)) or item < 1:
            raise ValueError(f"{where}: {arg} must be {expected}, got {value!r}")
        items.append(int(item))
    return tuple(items)


def callable_arg(where: str, arg: str, value) -> None:
    """``value`` must be callable."""
    if not callable(value):
        raise TypeError(f"{where}: {arg} must be callable, got {type(value).__name__}")


def expression(where: str, arg: str, value) -> dy.Expression:
    """``value`` must be a ``dy.Expression``."""
    if not isinstance(value, dy.Expression):
        raise TypeError(f"{where}: argument {arg} must be a dy.Expression, got {_kind(value)}")
    return value


def sequence_matrix(where: str, arg: str, value) -> dy.Expression:
    """A ``(length, dim)`` matrix from a matrix expression or a list of ``dim`` vectors."""
    if isinstance(value, (list, tuple)):
        if not value:
            raise ValueError(f"{where}: argument {arg} is an empty list of vectors")
        for index, item in enumerate(value):
            if not isinstance(item, dy.Expression):
                raise TypeError(
                    f"{where}: argument {arg} must be a dy.Expression or a list of them, "
                    f"item {index} is {_kind(item)}"
                )
            if len(item.dim()[0]) != 1:
                raise ValueError(
                    f"{where}: argument {arg} as a list must hold vectors, item {index} has "
                    f"shape {item.dim()[0]}"
                )
        return dy.transpose(dy.concatenate_cols(list(value)))
    expression(where, arg, value)
    shape = value.dim()[0]
    if len(shape) != 2:
        raise ValueError(
            f"{where}: argument {arg} must be a (length, dim) matrix or a list of vectors, "
            f"got shape {shape}"
        )
    return value


def lengths(where: str, values: Optional[Sequence[int]], max_length: int, batch_size: int):
    """Per-sequence lengths as an int array, checked against the padded length and batch."""
    if values is None:
        return None
    array = np.asarray(values)
    if array.ndim == 0:
        array = array.reshape(1)
    if array.ndim != 1 or not np.issubdtype(array.dtype, np.integer):
        raise ValueError(f"{where}: lengths must be a list of integers, got {values!r}")
    if len(array) != batch_size:
        raise ValueError(
            f"{where}: lengths has {len(array)} entries but the input has batch size {batch_size}"
        )
    if np.any(array < 1) or np.any(array > max_length):
        raise ValueError(
            f"{where}: lengths must be in [1, {max_length}] (the padded length), got "
            f"{array.tolist()}"
        )
    return array.astype(int)


def _kind(value) -> str:
    return type(value).__name__


def where(layer) -> str:
    """How a layer is named in call-time error messages: ``Affine 'affine'``."""
    return f"{type(layer).__name__} '{layer.name}'"


def require_expression(layer, arg: str, value) -> None:
    """Raise ``TypeError`` naming the layer and argument if ``value`` is not an expression."""
    if not isinstance(value, dy.Expression):
        raise TypeError(
            f"{where(layer)}: argument {arg} must be a dy.Expression, got {_kind(value)}"
        )
