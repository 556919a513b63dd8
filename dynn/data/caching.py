"""Caching the results of slow functions (typically preprocessing) to files, without pickle.

The original dynn pickled the results, and unpickling a file can execute arbitrary code. Here a
result is stored either as JSON or as an ``.npz`` archive read with ``allow_pickle=False``, chosen
by the file's extension:

- ``.json``: JSON values (``dict`` with string keys, ``list``, ``str``, ``int``, ``float``,
  ``bool``, ``None``), nested. Tuples and non-string keys would come back changed, so they are
  refused.
- ``.npz``: a numpy array; a ``dict`` of arrays (string keys); or a ``list`` of arrays of the
  same dtype and number of dimensions but different lengths, such as numberized sentences. Lists
  are stored without ragged (object) arrays: the arrays concatenated, plus their shapes.

A result that cannot be stored exactly raises ``TypeError`` before anything is written, so the
cached value always equals the computed one. Files are written atomically.

Example:
    >>> import os, tempfile
    >>> import numpy as np
    >>> from dynn.data.caching import cached_to_file
    >>> path = os.path.join(tempfile.mkdtemp(), "lengths.npz")
    >>> @cached_to_file(path)
    ... def numberize(n):
    ...     print("computing")
    ...     return [np.arange(k) for k in range(1, n + 1)]
    >>> [a.tolist() for a in numberize(3)]
    computing
    [[0], [0, 1], [0, 1, 2]]
    >>> [a.tolist() for a in numberize(3)]  # read from the file
    [[0], [0, 1], [0, 1, 2]]
"""

import functools
import json
import logging
import math
import os
from typing import Callable

import numpy as np

from ..files import FileFormatError, atomic_write, read_npz, write_npz

__all__ = ["cached_to_file", "save_cache", "load_cache"]

logger = logging.getLogger(__name__)

_KIND = "__dynn_cache__"
_LIST_VALUES = "values"
_LIST_SHAPES = "shapes"


def _extension(filename) -> str:
    path = os.fspath(filename)
    for extension in (".json", ".npz"):
        if path.endswith(extension):
            return extension
    raise ValueError(f"caching: {path!r} must end with .json or .npz (dynn does not pickle caches)")


def _json_equal(a, b) -> bool:
    # Equality that also distinguishes the types JSON changes (tuple -> list, int keys -> str).
    if type(a) is not type(b):
        return False
    if isinstance(a, float):
        return a == b or (math.isnan(a) and math.isnan(b))
    if isinstance(a, list):
        return len(a) == len(b) and all(_json_equal(x, y) for x, y in zip(a, b))
    if isinstance(a, dict):
        return list(a) == list(b) and all(_json_equal(a[k], b[k]) for k in a)
    return a == b


def _encode_npz(value, filename) -> dict:
    def check(array, where):
        if not isinstance(array, np.ndarray):
            raise TypeError(f"caching to {filename!r}: {where} must be a numpy array")
        if array.dtype.hasobject:
            raise TypeError(f"caching to {filename!r}: {where} has dtype object (needs pickle)")
        return array

    if isinstance(value, np.ndarray):
        return {_KIND: np.array("array"), "array": check(value, "the result")}
    if isinstance(value, dict):
        for key in value:
            if not isinstance(key, str) or key == _KIND:
                raise TypeError(f"caching to {filename!r}: dict keys must be strings, got {key!r}")
        arrays = {key: check(array, f"value {key!r}") for key, array in value.items()}
        return {_KIND: np.array("dict"), **arrays}
    if isinstance(value, list):
        arrays = [check(array, f"item {i}") for i, array in enumerate(value)]
        if arrays:
            dtypes = {array.dtype for array in arrays}
            ndims = {array.ndim for array in arrays}
            if len(dtypes) > 1 or len(ndims) > 1 or ndims == {0}:
                raise TypeError(
                    f"caching to {filename!r}: the arrays of a list must share one dtype and "
                    f"one number (>= 1) of dimensions, got {sorted(map(str, dtypes))} and "
                    f"{sorted(ndims)}"
                )
            values = np.concatenate([array.reshape(-1) for array in arrays])
            shapes = np.array([array.shape for array in arrays], dtype=np.int64)
        else:
            values, shapes = np.zeros(0), np.zeros((0, 1), dtype=np.int64)
        return {_KIND: np.array("list"), _LIST_VALUES: values, _LIST_SHAPES: shapes}
    raise TypeError(
        f"caching to {filename!r}: an .npz cache holds an array, a dict of arrays or a list of "
        f"arrays, not a {type(value).__name__} (use a .json file for other values)"
    )


def _decode_npz(arrays: dict, filename):
    kind = arrays.pop(_KIND, None)
    kind = str(kind) if kind is not None and kind.dtype.kind == "U" else None
    if kind == "array" and list(arrays) == ["array"]:
        return arrays["array"]
    if kind == "dict":
        return arrays
    if kind == "list" and sorted(arrays) == sorted([_LIST_VALUES, _LIST_SHAPES]):
        values, shapes = arrays[_LIST_VALUES], arrays[_LIST_SHAPES]
        sizes = [int(np.prod(shape)) for shape in shapes]
        if shapes.ndim != 2 or shapes.dtype.kind not in "iu" or sum(sizes) != values.size:
            raise FileFormatError(f"{filename!r}: inconsistent list cache")
        offsets = np.cumsum([0] + sizes)
        return [
            values[start:stop].reshape(tuple(shape))
            for start, stop, shape in zip(offsets[:-1], offsets[1:], shapes)
        ]
    raise FileFormatError(f"{filename!r} is not a dynn cache file")


def save_cache(value, filename) -> None:
    """Write ``value`` to ``filename`` (``.json`` or ``.npz``, see the module documentation).

    Raises:
        TypeError: ``value`` cannot be stored exactly in that format.
        ValueError: the extension is neither ``.json`` nor ``.npz``.
    """
    if _extension(filename) == ".npz":
        write_npz(filename, _encode_npz(value, os.fspath(filename)))
        return
    try:
        text = json.dumps(value, ensure_ascii=False, allow_nan=True)
    except (TypeError, ValueError) as error:
        raise TypeError(
            f"caching to {os.fspath(filename)!r}: not JSON-serializable: {error}"
        ) from None
    if not _json_equal(json.loads(text), value):
        raise TypeError(
            f"caching to {os.fspath(filename)!r}: the value would not come back unchanged from "
            f"JSON (tuples, non-string dict keys, ...); convert it or use an .npz file"
        )
    with atomic_write(filename, "w") as handle:
        handle.write(text)


def load_cache(filename):
    """Read a value written by :func:`save_cache` (never unpickles)."""
    if _extension(filename) == ".npz":
        return _decode_npz(read_npz(filename), os.fspath(filename))
    with open(os.fspath(filename), encoding="utf-8") as handle:
        try:
            return json.load(handle)
        except json.JSONDecodeError as error:
            raise FileFormatError(f"{os.fspath(filename)!r}: invalid JSON ({error})") from None


def cached_to_file(filename) -> Callable:
    """Decorator: run the function once, then read its result from ``filename``.

    The wrapped function takes one more keyword argument, ``update_cache=False``: set it to
    ``True`` to recompute (and rewrite) the result, e.g. when the arguments changed; the cache
    does not look at the arguments.

    Args:
        filename: The cache file, ending with ``.json`` or ``.npz``.
    """
    _extension(filename)

    def decorator(function: Callable) -> Callable:
        @functools.wraps(function)
        def wrapped(*args, update_cache: bool = False, **kwargs):
            if update_cache or not os.path.isfile(filename):
                value = function(*args, **kwargs)
                save_cache(value, filename)
                return value
            logger.info("Loading the cached output of %s from %s", function.__name__, filename)
            return load_cache(filename)

        return wrapped

    return decorator
