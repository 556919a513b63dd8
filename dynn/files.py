"""Safe files: atomic writes and ``.npz`` archives that never hold or load pickles.

Everything dynn writes (parameters, dictionaries, caches, configurations) goes through
:func:`atomic_write`: the content is written to a temporary file in the target's directory,
flushed and synced to disk, then renamed over the target with :func:`os.replace`. A crash or an
exception mid-write leaves the previous file intact, never a truncated one.

Archives are written with :func:`write_npz` and read with :func:`read_npz`, which loads with
``allow_pickle=False``: reading a file never executes code, and an archive that contains a
pickled (object) array is rejected with :class:`PickledDataError`.

Example:
    >>> import os, tempfile
    >>> import numpy as np
    >>> from dynn.files import read_npz, write_npz
    >>> path = os.path.join(tempfile.mkdtemp(), "arrays.npz")
    >>> write_npz(path, {"a": np.arange(3), "b/c": np.ones((2, 2))})
    >>> arrays = read_npz(path)
    >>> list(arrays), arrays["a"].tolist()
    (['a', 'b/c'], [0, 1, 2])
"""

import contextlib
import os
import tempfile
import zipfile
from typing import IO, Dict, Iterator, Mapping, Optional

import numpy as np

__all__ = [
    "FileFormatError",
    "PickledDataError",
    "atomic_write",
    "write_npz",
    "read_npz",
]


class FileFormatError(ValueError):
    """A file is not in the expected format (the message names the file and the problem)."""


class PickledDataError(FileFormatError):
    """A file contains pickled Python objects, which dynn refuses to load (they can run code)."""


def _default_mode() -> int:
    # The permissions a plain open() would give a new file (0o666 minus the umask).
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


@contextlib.contextmanager
def atomic_write(
    filename, mode: str = "wb", encoding: Optional[str] = None, newline: Optional[str] = None
) -> Iterator[IO]:
    """Open a temporary file that replaces ``filename`` atomically when the block succeeds.

    The temporary file lives in the same directory as ``filename`` (so that the final
    :func:`os.replace` is a rename on one file system); it is flushed and ``fsync``-ed before the
    rename. If the block raises, the temporary file is removed and ``filename`` is untouched. The
    new file keeps the permissions of the file it replaces (or gets the default ones).

    Args:
        filename: Target path.
        mode: ``"wb"`` (binary) or ``"w"`` (text).
        encoding: Text encoding (text mode only; default UTF-8).
        newline: Passed to :func:`open` in text mode.

    Yields:
        The open temporary file.

    Example:
        >>> import os, tempfile
        >>> path = os.path.join(tempfile.mkdtemp(), "notes.txt")
        >>> with atomic_write(path, "w") as f:
        ...     _ = f.write("hello")
        >>> open(path).read()
        'hello'
    """
    if mode not in ("w", "wb"):
        raise ValueError(f"atomic_write: mode must be 'w' or 'wb', got {mode!r}")
    path = os.fspath(filename)
    directory = os.path.dirname(os.path.abspath(path))
    if not os.path.isdir(directory):
        raise FileNotFoundError(f"atomic_write: directory {directory!r} does not exist")
    if mode == "w" and encoding is None:
        encoding = "utf-8"
    fd, tmp_path = tempfile.mkstemp(
        prefix=f".{os.path.basename(path)}.", suffix=".tmp", dir=directory
    )
    try:
        try:
            target_mode = os.stat(path).st_mode & 0o7777
        except FileNotFoundError:
            target_mode = _default_mode()
        os.chmod(tmp_path, target_mode)
        if mode == "wb":
            handle = os.fdopen(fd, "wb")
        else:
            handle = os.fdopen(fd, "w", encoding=encoding, newline=newline)
        with handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp_path, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp_path)
        raise
    _fsync_directory(directory)


def _fsync_directory(directory: str) -> None:
    # Make the rename itself durable (POSIX); not possible on every platform.
    with contextlib.suppress(OSError, AttributeError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def write_npz(filename, arrays: Mapping[str, np.ndarray], compressed: bool = False) -> None:
    """Write ``arrays`` to the ``.npz`` archive ``filename``, atomically and without pickles.

    Unlike :func:`numpy.savez`, the file name is used as given (no ``.npz`` is appended), any
    string is a valid key, and object arrays are refused at write time.

    Args:
        filename: Target path.
        arrays: Arrays by key, written in this order.
        compressed: Deflate the members (smaller, slower).

    Raises:
        PickledDataError: an array has ``dtype=object``.
        TypeError: a key is not a non-empty string.
    """
    prepared = {}
    for key, value in arrays.items():
        if not isinstance(key, str) or not key:
            raise TypeError(f"write_npz: keys must be non-empty strings, got {key!r}")
        array = np.asanyarray(value)
        if array.dtype.hasobject:
            raise PickledDataError(
                f"write_npz: array {key!r} has dtype object; dynn only writes numeric and string "
                f"arrays (object arrays would need pickle)"
            )
        prepared[key] = array
    compression = zipfile.ZIP_DEFLATED if compressed else zipfile.ZIP_STORED
    with atomic_write(filename, "wb") as handle:
        with zipfile.ZipFile(handle, "w", compression=compression, allowZip64=True) as archive:
            for key, array in prepared.items():
                with archive.open(key + ".npy", "w", force_zip64=True) as member:
                    np.lib.format.write_array(member, array, allow_pickle=False)


def read_npz(filename) -> Dict[str, np.ndarray]:
    """Read every array of the ``.npz`` archive ``filename`` without ever unpickling.

    Args:
        filename: Path of the archive.

    Returns:
        The arrays, by key, in the archive's order.

    Raises:
        FileNotFoundError: no such file.
        PickledDataError: the file, or one of its arrays, contains pickled objects.
        FileFormatError: the file is not an ``.npz`` archive (or is corrupt).
    """
    path = os.fspath(filename)
    with open(path, "rb") as handle:
        magic = handle.read(6)
    if magic.startswith(b"\x80"):  # the PROTO opcode that starts every pickle since protocol 2
        raise PickledDataError(
            f"{path!r} contains pickled data; dynn refuses to load pickles (they can execute "
            f"code). Expected an .npz archive of numeric arrays."
        )
    if not magic.startswith(b"PK"):
        kind = "a single .npy array" if magic == b"\x93NUMPY" else "not a zip archive"
        raise FileFormatError(f"{path!r} is not an .npz archive of named arrays ({kind})")
    try:
        loaded = np.load(path, allow_pickle=False)
    except ValueError as error:
        raise FileFormatError(f"{path!r} is not a readable .npz archive: {error}") from None
    except (OSError, EOFError, zipfile.BadZipFile) as error:
        raise FileFormatError(f"{path!r} is not a readable .npz archive: {error}") from None
    if not isinstance(loaded, np.lib.npyio.NpzFile):  # pragma: no cover - guarded above
        raise FileFormatError(f"{path!r} is not an .npz archive of named arrays")
    arrays: Dict[str, np.ndarray] = {}
    with loaded:
        for key in loaded.files:
            try:
                arrays[key] = loaded[key]
            except ValueError as error:
                if "allow_pickle" in str(error) or "pickle" in str(error):
                    raise PickledDataError(
                        f"{path!r}: array {key!r} is a pickled (object) array; dynn refuses to "
                        f"load pickles (they can execute code). Re-save it as a numeric array."
                    ) from None
                raise FileFormatError(f"{path!r}: array {key!r} is unreadable: {error}") from None
            except (OSError, EOFError, zipfile.BadZipFile) as error:
                raise FileFormatError(f"{path!r}: array {key!r} is unreadable: {error}") from None
    return arrays
