r"""Saving and loading parameters: ``.npz`` archives (and a text format), no pickles.

Two ways of naming the parameters in a file:

* **By DyNet name** (:func:`save`, :func:`populate`, :func:`load`, :func:`savetxt`,
  :func:`loadtxt`, :func:`populate_from_txt`): each parameter of a ``dy.ParameterCollection``
  under its name relative to the collection, which for a top-level collection is its full DyNet
  name ``p.name()`` (``"/lstm/Whx"``). :func:`load` rebuilds a new collection with the same
  names, sub-collections and values. DyNet names depend on the *order* in which layers were
  created (a second ``LSTM`` named ``lstm`` lives in ``/lstm_1/``).
* **By layer path** (:func:`save_layer`, :func:`populate_layer`): each parameter of a layer
  under its stable path from :meth:`~dynn.layers.base_layers.BaseLayer.iter_parameters`
  (``"cells.0.Whx"``), independent of creation order and of the collection the layer lives in.
  Prefer it to save a model.

In both, a key is ``"param:<name>"`` for ``dy.Parameters`` and ``"lookup:<name>"`` for
``dy.LookupParameters``; the archive also holds an entry ``__dynn_parameters__`` (format name,
version, and ``"collection"`` or ``"layer"``). Values are stored as ``float32``, DyNet's own
precision, so a round trip is exact.

Safety and errors: files are read with ``allow_pickle=False`` and loading never executes code;
an archive holding a pickled (object) array raises :class:`~dynn.files.PickledDataError`.
Populating checks every name and shape *before* changing anything, and a mismatch raises
:class:`ParameterMismatchError`, which lists the missing names, the unexpected names and the
shape mismatches. Every write is atomic (:func:`dynn.files.atomic_write`). Archives written by
the original dynn (an ``_param_names_`` entry and ``param_<i>`` arrays) can still be read.

**Text format** (:func:`savetxt`), version 1, UTF-8::

    # dynn parameters text 1
    param "/lstm/Whx" 8 3
    0.125 -0.5 0.25
    ...
    lookup "/embed/E" 10 4
    ...

The first line is the header. Each parameter starts with a line ``<kind> <name> <dims...>``:
the kind (``param`` or ``lookup``), the name as a JSON string, then the dimensions. Its values
follow in row-major (C) order, ``dims[-1]`` values per line (so ``prod(dims) / dims[-1]``
lines), each written with 9 significant digits (``%.9g``), which restores ``float32`` values
exactly. Blank lines are ignored.

Example:
    >>> import os, tempfile
    >>> import dynet as dy
    >>> import numpy as np
    >>> from dynn import io
    >>> from dynn.layers.recurrent_layers import LSTM
    >>> path = os.path.join(tempfile.mkdtemp(), "model.npz")
    >>> lstm = LSTM(dy.ParameterCollection(), input_dim=2, hidden_dim=3)
    >>> io.save_layer(lstm, path) == path  # returns the path written
    True
    >>> copy = LSTM(dy.ParameterCollection(), input_dim=2, hidden_dim=3)
    >>> io.populate_layer(copy, path)
    >>> bool(np.array_equal(copy.parameters["Whx"].as_array(), lstm.parameters["Whx"].as_array()))
    True
"""

import json
import os
import re
from typing import Dict, List, Optional, Sequence, Tuple, Union

import dynet as dy
import numpy as np

from .files import (  # noqa: F401 (the errors are re-exported for convenience)
    FileFormatError,
    PickledDataError,
    atomic_write,
    read_npz,
    write_npz,
)

__all__ = [
    "ParameterMismatchError",
    "PARAM_PREFIX",
    "LOOKUP_PREFIX",
    "save",
    "populate",
    "load",
    "savetxt",
    "loadtxt",
    "populate_from_txt",
    "save_layer",
    "populate_layer",
    "collection_arrays",
    "layer_arrays",
    "set_collection_arrays",
    "set_layer_arrays",
    "read_lines",
    "write_lines",
]

PARAM_PREFIX = "param:"
LOOKUP_PREFIX = "lookup:"
_META_KEY = "__dynn_parameters__"
_FORMAT_NAME = "dynn-parameters"
_FORMAT_VERSION = "1"
_TEXT_HEADER = "# dynn parameters text 1"
_LEGACY_NAMES_KEY = "_param_names_"
_MAX_LISTED = 20

AnyParameters = Union[dy.Parameters, dy.LookupParameters]


class ParameterMismatchError(ValueError):
    """The parameters in a file do not match the parameters being populated.

    Attributes:
        missing (list): Keys expected but absent from the file.
        unexpected (list): Keys in the file that nothing expects.
        shape_mismatches (list): ``(key, expected_shape, file_shape)`` triples.
    """

    def __init__(self, message: str, missing=(), unexpected=(), shape_mismatches=()):
        super().__init__(message)
        self.missing = list(missing)
        self.unexpected = list(unexpected)
        self.shape_mismatches = list(shape_mismatches)


# Arrays in memory ------------------------------------------------------------------------------
def _kind_prefix(param: AnyParameters) -> str:
    if isinstance(param, dy.LookupParameters):
        return LOOKUP_PREFIX
    if isinstance(param, dy.Parameters):
        return PARAM_PREFIX
    raise TypeError(f"expected dy.Parameters or dy.LookupParameters, got {type(param).__name__}")


def _check_collection(pc, function: str) -> None:
    if not isinstance(pc, dy.ParameterCollection):
        raise TypeError(f"{function}: pc must be a dy.ParameterCollection, got {type(pc).__name__}")


def _check_layer(layer, function: str) -> None:
    from .layers.base_layers import BaseLayer

    if not isinstance(layer, BaseLayer):
        raise TypeError(f"{function}: layer must be a dynn layer, got {type(layer).__name__}")


def _collection_targets(pc: dy.ParameterCollection) -> Dict[str, AnyParameters]:
    prefix = pc.name()
    targets: Dict[str, AnyParameters] = {}
    for param in list(pc.parameters_list()) + list(pc.lookup_parameters_list()):
        name = param.name()
        if not name.startswith(prefix):  # pragma: no cover - DyNet invariant
            raise RuntimeError(f"parameter {name!r} is not under its collection {prefix!r}")
        targets[_kind_prefix(param) + "/" + name[len(prefix) :]] = param
    return targets


def _layer_targets(layer) -> Dict[str, AnyParameters]:
    return {_kind_prefix(param) + path: param for path, param in layer.iter_parameters()}


def _value(param: AnyParameters) -> np.ndarray:
    return np.asarray(param.as_array(), dtype=np.float32).reshape(tuple(param.shape()))


def _set_value(param: AnyParameters, value: np.ndarray) -> None:
    value = np.asarray(value, dtype=np.float64)
    if isinstance(param, dy.LookupParameters):
        if value.ndim == 2:
            param.init_from_array(value)
        else:  # init_from_array only takes matrices; DyNet rows are column-major
            for row in range(value.shape[0]):
                param.init_row(row, np.atleast_1d(value[row]).flatten(order="F").tolist())
    else:
        param.set_value(value)


def collection_arrays(pc: dy.ParameterCollection) -> Dict[str, np.ndarray]:
    """The values of every parameter of ``pc``, keyed by kind and name relative to ``pc``.

    Keys are ``"param:/sub/W"`` and ``"lookup:/sub/E"``; values are ``float32`` copies.
    """
    _check_collection(pc, "collection_arrays")
    return {key: _value(param) for key, param in _collection_targets(pc).items()}


def layer_arrays(layer) -> Dict[str, np.ndarray]:
    """The values of every parameter of ``layer`` (and its sublayers), keyed by kind and path.

    Keys are ``"param:cells.0.Whx"`` and ``"lookup:E"``; values are ``float32`` copies.
    """
    _check_layer(layer, "layer_arrays")
    return {key: _value(param) for key, param in _layer_targets(layer).items()}


def _format_names(names: Sequence[str]) -> str:
    shown = ", ".join(names[:_MAX_LISTED])
    if len(names) > _MAX_LISTED:
        shown += f", ... ({len(names) - _MAX_LISTED} more)"
    return shown


def _match(
    targets: Dict[str, AnyParameters],
    arrays: Dict[str, np.ndarray],
    strict: bool,
    what: str,
    source: str,
) -> List[Tuple[AnyParameters, np.ndarray]]:
    missing = [key for key in targets if key not in arrays]
    unexpected = [key for key in arrays if key not in targets]
    mismatches = [
        (key, tuple(param.shape()), tuple(arrays[key].shape))
        for key, param in targets.items()
        if key in arrays and tuple(param.shape()) != tuple(arrays[key].shape)
    ]
    if mismatches or (strict and (missing or unexpected)):
        lines = [f"the parameters in {source} do not match those of {what}:"]
        if strict and missing:
            lines.append(f"  missing from {source} ({len(missing)}): {_format_names(missing)}")
        if strict and unexpected:
            lines.append(
                f"  unexpected in {source} ({len(unexpected)}): {_format_names(unexpected)}"
            )
        if mismatches:
            described = [f"{key}: expected {exp}, found {got}" for key, exp, got in mismatches]
            lines.append(f"  shape mismatches ({len(mismatches)}): {_format_names(described)}")
        if strict and missing and unexpected and what.startswith("the collection"):
            lines.append(
                "  (DyNet names depend on the order in which layers were created; "
                "save_layer/populate_layer match parameters by layer path instead)"
            )
        raise ParameterMismatchError(
            "\n".join(lines),
            missing=missing if strict else (),
            unexpected=unexpected if strict else (),
            shape_mismatches=mismatches,
        )
    return [(param, arrays[key]) for key, param in targets.items() if key in arrays]


def _check_arrays(arrays: Dict[str, np.ndarray], source: str) -> Dict[str, np.ndarray]:
    checked = {}
    for key, value in arrays.items():
        if not isinstance(key, str) or not key.startswith((PARAM_PREFIX, LOOKUP_PREFIX)):
            raise FileFormatError(
                f"{source}: key {key!r} does not start with {PARAM_PREFIX!r} or {LOOKUP_PREFIX!r}"
            )
        value = np.asarray(value)
        if value.dtype.kind not in "fiub":
            raise FileFormatError(
                f"{source}: {key} has dtype {value.dtype}; parameters must be real numbers"
            )
        if value.ndim == 0 or 0 in value.shape:
            raise FileFormatError(
                f"{source}: {key} has shape {value.shape}; parameters need positive dimensions"
            )
        checked[key] = value
    return checked


def set_collection_arrays(
    pc: dy.ParameterCollection, arrays: Dict[str, np.ndarray], strict: bool = True
) -> None:
    """Set the parameters of ``pc`` from ``arrays`` (keys as in :func:`collection_arrays`).

    Every name and shape is checked before any value changes.

    Args:
        pc: The collection to populate.
        arrays: Values by key.
        strict: Require exactly the same set of keys. If ``False``, only the common keys are
            set (shapes must still match).

    Raises:
        ParameterMismatchError: names or shapes differ (the message lists every difference).
    """
    _check_collection(pc, "set_collection_arrays")
    arrays = _check_arrays(arrays, "the arrays")
    pairs = _match(_collection_targets(pc), arrays, strict, "the collection", "the arrays")
    for param, value in pairs:
        _set_value(param, value)


def set_layer_arrays(layer, arrays: Dict[str, np.ndarray], strict: bool = True) -> None:
    """Set the parameters of ``layer`` from ``arrays`` (keys as in :func:`layer_arrays`).

    Same contract as :func:`set_collection_arrays`.
    """
    _check_layer(layer, "set_layer_arrays")
    arrays = _check_arrays(arrays, "the arrays")
    what = f"{type(layer).__name__} '{layer.name}'"
    for param, value in _match(_layer_targets(layer), arrays, strict, what, "the arrays"):
        _set_value(param, value)


# .npz files ------------------------------------------------------------------------------------
def _npz_path(filename) -> str:
    path = os.fspath(filename)
    return path if path.endswith(".npz") else path + ".npz"


def _existing_npz_path(filename) -> str:
    path = os.fspath(filename)
    if not os.path.exists(path) and not path.endswith(".npz") and os.path.exists(path + ".npz"):
        return path + ".npz"
    return path


def _write_parameter_file(filename, arrays, kind: str, compressed: bool) -> str:
    path = _npz_path(filename)
    content = {_META_KEY: np.array([_FORMAT_NAME, _FORMAT_VERSION, kind])}
    content.update(arrays)
    write_npz(path, content, compressed=compressed)
    return path


def _read_parameter_file(filename, kind: str) -> Tuple[Dict[str, np.ndarray], str]:
    path = _existing_npz_path(filename)
    source = repr(path)
    arrays = read_npz(path)
    if _META_KEY in arrays:
        meta = arrays.pop(_META_KEY)
        meta = [str(item) for item in np.atleast_1d(meta)] if meta.dtype.kind == "U" else []
        if len(meta) != 3 or meta[0] != _FORMAT_NAME:
            raise FileFormatError(f"{source}: malformed {_META_KEY} entry {meta}")
        if meta[1] != _FORMAT_VERSION:
            raise FileFormatError(
                f"{source}: parameter file format version {meta[1]} is not supported "
                f"(this dynn reads version {_FORMAT_VERSION})"
            )
        if meta[2] != kind:
            use = "populate_layer" if meta[2] == "layer" else "populate / load"
            raise FileFormatError(
                f"{source} holds parameters keyed by {_describe_kind(meta[2])}, not by "
                f"{_describe_kind(kind)}; read it with {use}"
            )
    elif _LEGACY_NAMES_KEY in arrays:
        if kind != "collection":
            raise FileFormatError(
                f"{source} was written by the original dynn (keyed by DyNet names); read it "
                f"with populate / load"
            )
        arrays = _from_legacy(arrays, source)
    return _check_arrays(arrays, source), source


def _describe_kind(kind: str) -> str:
    return "layer path" if kind == "layer" else "DyNet name"


def _from_legacy(arrays: Dict[str, np.ndarray], source: str) -> Dict[str, np.ndarray]:
    names = arrays.pop(_LEGACY_NAMES_KEY)
    if names.dtype.kind != "U" or names.ndim != 1:
        raise FileFormatError(f"{source}: malformed {_LEGACY_NAMES_KEY} entry")
    converted = {}
    for key, value in arrays.items():
        match = re.fullmatch(r"param_([0-9]+)", key)
        if match is None or int(match.group(1)) >= len(names):
            raise FileFormatError(f"{source}: unexpected entry {key!r} in an original-dynn file")
        full_name = str(names[int(match.group(1))])
        name, _, kind = full_name.rpartition("\t")
        if kind not in ("param", "lookup") or not name:
            raise FileFormatError(f"{source}: malformed parameter name {full_name!r}")
        converted[(PARAM_PREFIX if kind == "param" else LOOKUP_PREFIX) + name] = value
    return converted


def save(pc: dy.ParameterCollection, filename, compressed: bool = False) -> str:
    """Save every parameter of ``pc`` to an ``.npz`` archive, keyed by DyNet name.

    Args:
        pc: The collection (often the model's top-level collection).
        filename: Target path; ``.npz`` is appended if it is not there.
        compressed: Deflate the archive (smaller, slower).

    Returns:
        The path written.
    """
    _check_collection(pc, "save")
    return _write_parameter_file(filename, collection_arrays(pc), "collection", compressed)


def populate(pc: dy.ParameterCollection, filename, strict: bool = True) -> None:
    """Set the parameters of ``pc`` to the values saved in ``filename`` by :func:`save`.

    Nothing is changed unless every name and shape matches.

    Args:
        pc: A collection with the same parameters (same names, same shapes) as the saved one.
        filename: The archive (``filename + ".npz"`` if ``filename`` does not exist).
        strict: Require exactly the same names in ``pc`` and in the file. If ``False``, missing
            and unexpected names are ignored (shapes must still match).

    Raises:
        ParameterMismatchError: names or shapes differ (the message lists every difference).
        PickledDataError: the file contains pickled objects.
        FileFormatError: the file is not a dynn parameter archive.
    """
    _check_collection(pc, "populate")
    arrays, source = _read_parameter_file(filename, "collection")
    for param, value in _match(_collection_targets(pc), arrays, strict, "the collection", source):
        _set_value(param, value)


def load(filename) -> dy.ParameterCollection:
    """A new ``dy.ParameterCollection`` holding the parameters saved in ``filename``.

    Sub-collections and names are recreated: a parameter saved as ``/lstm/Whx`` is again
    ``/lstm/Whx``. Layers can then share these parameters (``param=`` arguments).

    Args:
        filename: An archive written by :func:`save` (``filename + ".npz"`` if ``filename``
            does not exist).

    Returns:
        The new collection.

    Raises:
        FileFormatError: the names cannot be recreated, or the file is not a parameter archive.
        PickledDataError: the file contains pickled objects.
    """
    arrays, source = _read_parameter_file(filename, "collection")
    return _build_collection(arrays, source)


def save_layer(layer, filename, compressed: bool = False) -> str:
    """Save every parameter of ``layer`` (and its sublayers) keyed by its layer path.

    Unlike :func:`save`, the keys (``"param:cells.0.Whx"``) do not depend on the order in which
    layers were created or on the collection they live in.

    Args:
        layer: Any dynn layer.
        filename: Target path; ``.npz`` is appended if it is not there.
        compressed: Deflate the archive.

    Returns:
        The path written.
    """
    _check_layer(layer, "save_layer")
    return _write_parameter_file(filename, layer_arrays(layer), "layer", compressed)


def populate_layer(layer, filename, strict: bool = True) -> None:
    """Set the parameters of ``layer`` to the values saved by :func:`save_layer`.

    Nothing is changed unless every path and shape matches.

    Args:
        layer: A layer built like the saved one.
        filename: The archive (``filename + ".npz"`` if ``filename`` does not exist).
        strict: Require exactly the same paths (see :func:`populate`).

    Raises:
        ParameterMismatchError: paths or shapes differ (the message lists every difference).
        PickledDataError: the file contains pickled objects.
        FileFormatError: the file is not a layer parameter archive.
    """
    _check_layer(layer, "populate_layer")
    arrays, source = _read_parameter_file(filename, "layer")
    what = f"{type(layer).__name__} '{layer.name}'"
    for param, value in _match(_layer_targets(layer), arrays, strict, what, source):
        _set_value(param, value)


# Rebuilding a collection from names ------------------------------------------------------------
_COMPONENT = re.compile(r"([^_/]*)(?:_([0-9]+))?")


def _parse_component(component: str, name: str, source: str) -> Tuple[str, int]:
    """``"W"`` -> ("W", 0), ``"W_2"`` -> ("W", 2), ``"_3"`` -> ("", 3) (unnamed)."""
    match = _COMPONENT.fullmatch(component)
    if match is None or not component:
        raise FileFormatError(f"{source}: {name!r} is not a DyNet parameter name")
    base, index = match.group(1), match.group(2)
    if base == "" and index is None:
        raise FileFormatError(f"{source}: {name!r} is not a DyNet parameter name")
    if base and index is not None and (int(index) == 0 or index != str(int(index))):
        raise FileFormatError(f"{source}: {name!r} is not a name DyNet generates")
    return base, int(index or 0)


def _build_collection(arrays: Dict[str, np.ndarray], source: str) -> dy.ParameterCollection:
    entries = []
    for key, value in arrays.items():
        prefix = PARAM_PREFIX if key.startswith(PARAM_PREFIX) else LOOKUP_PREFIX
        name = key[len(prefix) :]
        if not name.startswith("/") or name.endswith("/"):
            raise FileFormatError(f"{source}: {name!r} is not a DyNet parameter name")
        parsed = tuple(_parse_component(part, name, source) for part in name[1:].split("/"))
        entries.append((parsed, prefix, name, value))
    # Parents before children; within a collection, DyNet's suffix counters in increasing order.
    entries.sort(key=lambda entry: entry[0])
    root = dy.ParameterCollection()
    collections = {(): root}
    counters: Dict[Tuple, int] = {}

    def collection(path: Tuple[Tuple[str, int], ...]) -> dy.ParameterCollection:
        if path in collections:
            return collections[path]
        parent_path, (base, index) = path[:-1], path[-1]
        parent = collection(parent_path)
        while counters.get((parent_path, base), 0) <= index:  # create skipped (empty) ones too
            created = counters.get((parent_path, base), 0)
            sub = parent.add_subcollection(base) if base else parent.add_subcollection()
            collections[parent_path + ((base, created),)] = sub
            counters[(parent_path, base)] = created + 1
        return collections[path]

    for parsed, prefix, name, value in entries:
        pc = collection(parsed[:-1])
        base = parsed[-1][0]
        shape = tuple(int(d) for d in value.shape)
        kwargs = {"init": dy.ConstInitializer(0.0)}
        if base:
            kwargs["name"] = base
        if prefix == PARAM_PREFIX:
            param = pc.add_parameters(shape, **kwargs)
        else:
            param = pc.add_lookup_parameters(shape, **kwargs)
        if param.name() != name:
            raise FileFormatError(
                f"{source}: cannot recreate the parameter {name!r} (DyNet named it "
                f"{param.name()!r}); the file must hold every parameter of a collection"
            )
        _set_value(param, value)
    return root


# Text files ------------------------------------------------------------------------------------
def savetxt(pc: dy.ParameterCollection, filename) -> None:
    """Save every parameter of ``pc`` in the text format described in the module docstring.

    Args:
        pc: The collection.
        filename: Target path (used as given).
    """
    if isinstance(pc, (str, os.PathLike)) and not isinstance(filename, dy.ParameterCollection):
        raise TypeError(
            "savetxt(pc, filename) saves parameters; to write lines of text (what the original "
            "dynn's savetxt(filename, lines) did) use dynn.io.write_lines(filename, lines)"
        )
    _check_collection(pc, "savetxt")
    arrays = collection_arrays(pc)
    with atomic_write(filename, "w", newline="\n") as handle:
        handle.write(_TEXT_HEADER + "\n")
        for key, value in arrays.items():
            kind, _, name = key.partition(":")
            dims = " ".join(str(d) for d in value.shape)
            handle.write(f"{kind} {json.dumps(name)} {dims}\n")
            np.savetxt(handle, value.reshape(-1, value.shape[-1]), fmt="%.9g", delimiter=" ")


def _read_text_parameters(filename) -> Tuple[Dict[str, np.ndarray], str]:
    path = os.fspath(filename)
    source = repr(path)
    with open(path, encoding="utf-8") as handle:
        lines = handle.read().split("\n")
    if not lines or lines[0].rstrip("\r") != _TEXT_HEADER:
        raise FileFormatError(
            f"{source} is not a dynn parameter text file (its first line must be "
            f"{_TEXT_HEADER!r}); to read lines of text use dynn.io.read_lines"
        )
    arrays: Dict[str, np.ndarray] = {}
    number = 1
    decoder = json.JSONDecoder()

    def error(message: str) -> FileFormatError:
        return FileFormatError(f"{source}, line {number}: {message}")

    while number < len(lines):
        line = lines[number].strip()
        number += 1
        if not line:
            continue
        kind, _, rest = line.partition(" ")
        if kind not in ("param", "lookup"):
            raise error(f"expected 'param' or 'lookup' to start a parameter, got {kind!r}")
        try:
            name, end = decoder.raw_decode(rest)
            dims = tuple(int(d) for d in rest[end:].split())
        except ValueError:
            raise error("expected '<kind> \"<name>\" <dims...>'") from None
        if not isinstance(name, str) or not dims or min(dims) < 1:
            raise error("expected a JSON string name and positive dimensions")
        key = (PARAM_PREFIX if kind == "param" else LOOKUP_PREFIX) + name
        if key in arrays:
            raise error(f"{key} appears twice")
        rows = []
        for _ in range(int(np.prod(dims)) // dims[-1]):
            if number >= len(lines) or not lines[number].strip():
                raise error(f"{key} ends early: expected {int(np.prod(dims)) // dims[-1]} lines")
            number += 1
            try:
                row = np.array(lines[number - 1].split(), dtype=np.float64)
            except ValueError:
                raise error(f"{key}: values must be numbers") from None
            if row.shape != (dims[-1],):
                raise error(f"{key}: expected {dims[-1]} values on the line, got {row.size}")
            rows.append(row)
        arrays[key] = np.array(rows, dtype=np.float32).reshape(dims)
    return arrays, source


def loadtxt(filename) -> dy.ParameterCollection:
    """A new ``dy.ParameterCollection`` from a text file written by :func:`savetxt`.

    Same contract as :func:`load`.
    """
    arrays, source = _read_text_parameters(filename)
    return _build_collection(arrays, source)


def populate_from_txt(pc: dy.ParameterCollection, filename, strict: bool = True) -> None:
    """Set the parameters of ``pc`` from a text file written by :func:`savetxt`.

    Same contract as :func:`populate`.
    """
    _check_collection(pc, "populate_from_txt")
    arrays, source = _read_text_parameters(filename)
    for param, value in _match(_collection_targets(pc), arrays, strict, "the collection", source):
        _set_value(param, value)


# Plain text lines (the original dynn's loadtxt/savetxt) ----------------------------------------
def read_lines(filename, encoding: str = "utf-8") -> List[str]:
    """The lines of a text file, stripped of surrounding whitespace."""
    with open(os.fspath(filename), encoding=encoding) as handle:
        return [line.strip() for line in handle]


def write_lines(filename, lines: Sequence[str], encoding: Optional[str] = "utf-8") -> None:
    """Write ``lines`` to a text file, one per line, atomically."""
    with atomic_write(filename, "w", encoding=encoding, newline="\n") as handle:
        for line in lines:
            handle.write(f"{line}\n")
