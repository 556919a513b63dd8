"""Direct numpy views of the values and gradients of DyNet parameters (CPU, dyNET38 2.x).

DyNet's Python binding copies a parameter through a Python list to read it (``as_array``,
``grad_as_array``) or write it (``set_value``), about 50 ns per number: more than the whole
update of an optimizer. DyNet keeps each parameter's values and gradient in two contiguous float32
buffers that never move; this module finds them and wraps them in numpy arrays, so an optimizer
can read the gradient and update the values in place.

The binding does not expose the addresses, so they are read from the objects' memory, following
the layout of dyNET38's ``Parameters``/``LookupParameters`` wrappers and of DyNet's
``ParameterStorage``/``LookupParameterStorage``. Nothing is trusted blindly: every address is
checked to be readable (through the kernel, which reports a bad address instead of crashing), the
dimensions stored there must be the parameter's, and the first view of a parameter must hold
exactly what ``as_array()`` and ``grad_as_array()`` return. If anything differs (another DyNet
build, a GPU device, an unsupported shape), :func:`views` returns ``None`` and the caller uses
the binding's copies.
"""

import ctypes
import os
import struct
from typing import NamedTuple, Optional

import numpy as np

__all__ = ["ParameterViews", "views", "available"]

# Layout (x86-64, Itanium C++ ABI) of dyNET38 2.2, checked at run time for each parameter.
_STORAGE_POINTER = 32  # shared_ptr<...Storage> inside the Cython wrapper object
_DIM = 16  # Dim (unsigned d[7], nd, bd) at the start of the storage, after vptr and one word
_TENSORS = (56, 120)  # Tensor values, Tensor gradients (each: Dim, padding, float* v, ...)
_TENSOR_DATA = 40  # offset of float* v inside a Tensor
_DIM_FORMAT = "9I"
_MAX_DIMS = 7
_PAGE = 4096


class ParameterViews(NamedTuple):
    """Writable float32 views, shaped like ``as_array()``, and the parameter they belong to."""

    values: np.ndarray
    gradients: np.ndarray
    owner: object  # keeps the DyNet parameter (and so its storage) alive


class _Probe:
    """Tells whether memory can be read, by asking the kernel to copy it into a pipe."""

    def __init__(self):
        self.libc = ctypes.CDLL(None, use_errno=True)
        self.libc.write.argtypes = [ctypes.c_int, ctypes.c_void_p, ctypes.c_size_t]
        self.libc.write.restype = ctypes.c_ssize_t
        self.read_end, self.write_end = os.pipe()

    def readable(self, address: int, size: int) -> bool:
        if address < _PAGE or address % 4 or address + size >= 1 << 47:
            return False
        starts = {address, max(address, address + size - _PAGE)}
        for start in starts:
            length = min(_PAGE, address + size - start)
            written = self.libc.write(self.write_end, start, length)
            if written > 0:
                os.read(self.read_end, written)
            if written != length:
                return False
        return True


_probe: Optional[_Probe] = None
_probe_failed = False


def available() -> bool:
    """Whether direct views can be attempted on this platform."""
    global _probe, _probe_failed
    if _probe is None and not _probe_failed:
        try:
            if ctypes.sizeof(ctypes.c_void_p) != 8 or os.name != "posix":
                raise OSError("64-bit POSIX only")
            _probe = _Probe()
        except (OSError, AttributeError):
            _probe_failed = True
    return _probe is not None


def _read(address: int, fmt: str):
    size = struct.calcsize(fmt)
    if not _probe.readable(address, size):
        return None
    return struct.unpack(fmt, ctypes.string_at(address, size))


def _dim_matches(fields, dims) -> bool:
    d, nd, bd = fields[:_MAX_DIMS], fields[_MAX_DIMS], fields[_MAX_DIMS + 1]
    return nd == len(dims) and bd == 1 and tuple(d[:nd]) == tuple(dims)


def _buffer(address: int, count: int) -> Optional[np.ndarray]:
    if not _probe.readable(address, 4 * count):
        return None
    return np.ctypeslib.as_array((ctypes.c_float * count).from_address(address))


def views(param) -> Optional[ParameterViews]:
    """Numpy views of the values and gradient of a ``dy.Parameters``/``dy.LookupParameters``.

    Returns ``None`` when they cannot be found and checked (the caller then copies).
    """
    if not available():
        return None
    import dynet as dy

    shape = tuple(param.shape())
    is_lookup = isinstance(param, dy.LookupParameters)
    if is_lookup:
        if len(shape) != 2:
            return None
        dims = (shape[1], shape[0])  # DyNet: each entry is a column of length d
    elif len(shape) in (1, 2):
        dims = shape
    else:
        return None
    if type(param).__basicsize__ < _STORAGE_POINTER + 8:
        return None
    (storage,) = struct.unpack("Q", ctypes.string_at(id(param) + _STORAGE_POINTER, 8))
    dim = _read(storage + _DIM, _DIM_FORMAT)
    if dim is None or not _dim_matches(dim, dims):
        return None
    count = int(np.prod(shape))
    arrays = []
    for offset in _TENSORS:
        tensor_dim = _read(storage + offset, _DIM_FORMAT)
        pointer = _read(storage + offset + _TENSOR_DATA, "Q")
        if tensor_dim is None or pointer is None or not _dim_matches(tensor_dim, dims):
            return None
        flat = _buffer(pointer[0], count)
        if flat is None:
            return None
        if is_lookup or len(shape) == 1:
            arrays.append(flat.reshape(shape))
        else:  # column-major matrix
            arrays.append(flat.reshape(shape[1], shape[0]).T)
    values, gradients = arrays
    expected_values = np.asarray(param.as_array(), dtype=np.float32)
    expected_gradients = np.asarray(param.grad_as_array(), dtype=np.float32)
    if not (
        np.array_equal(values, expected_values, equal_nan=True)
        and np.array_equal(gradients, expected_gradients, equal_nan=True)
    ):
        return None
    return ParameterViews(values, gradients, param)
