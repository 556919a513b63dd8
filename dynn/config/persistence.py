"""Save a model as its resolved config plus its weights; load it back into a working model.

A saved model is a directory::

    model_dir/
      config.yaml    the resolved config (dynn.config.dump of the model): builds the same tree
      weights.npz    every parameter under its stable layer path ("param:cells.0.Whx"), float32

The weights are written and read by :func:`dynn.io.save_layer` / :func:`dynn.io.populate_layer`:
no pickle (``allow_pickle=False``), atomic writes, every name and shape checked before any value
is set. The config is read with the safe loader, so loading a directory from someone else
cannot run code: it can only build registered components.

Example:
    >>> import tempfile
    >>> import dynet as dy, dynn
    >>> from dynn.layers.recurrent_layers import GRU
    >>> gru = GRU(dy.ParameterCollection(), input_dim=2, hidden_dim=3)
    >>> directory = dynn.save(gru, tempfile.mkdtemp())
    >>> copy = dynn.load(directory)
    >>> dynn.new_graph(gru, copy)
    >>> x = dy.inputVector([1.0, -1.0])
    >>> h, h_copy = gru(x, *gru.initial_value()).h, copy(x, *copy.initial_value()).h
    >>> bool((h.npvalue() == h_copy.npvalue()).all())
    True
"""

import os
import pathlib
from typing import Any, Dict, Optional, Union

from .builder import build
from .dumping import dump
from .loader import load_config

__all__ = ["save", "load", "CONFIG_FILE", "WEIGHTS_FILE"]

#: The resolved config of a saved model.
CONFIG_FILE = "config.yaml"

#: The weights of a saved model.
WEIGHTS_FILE = "weights.npz"

_HEADER = "# dynn model: the resolved config; the weights are in weights.npz\n"


def save(model, directory: Union[str, os.PathLike], include_defaults: bool = False) -> pathlib.Path:
    """Write ``model``'s resolved config and weights into ``directory`` (created if needed).

    Args:
        model: A dynn layer (built from a config or in Python).
        directory: The target directory; existing files of a saved model are replaced, each
            atomically.
        include_defaults: Also write arguments left to their defaults.

    Returns:
        The directory.

    Raises:
        dynn.config.DumpError: the model holds something that has no config form.
    """
    from .. import io
    from ..files import atomic_write

    text = dump(model, include_defaults=include_defaults)  # fails before anything is written
    directory = pathlib.Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    io.save_layer(model, directory / WEIGHTS_FILE)
    with atomic_write(directory / CONFIG_FILE, "w") as f:
        f.write(_HEADER + text)
    return directory


def load(
    directory: Union[str, os.PathLike],
    context: Optional[Dict[str, Any]] = None,
    pc=None,
):
    """Rebuild the model saved in ``directory`` and set its parameters.

    Args:
        directory: A directory written by :func:`save`.
        context: Values derived from data that the config refers to (``${data.vocab}``), if any.
        pc: The parameter collection to build into (a new one if ``None``).

    Returns:
        The model, with the saved parameter values.

    Raises:
        FileNotFoundError: the directory has no ``config.yaml`` or ``weights.npz``.
        dynn.config.ConfigError: the config does not build (located errors).
        dynn.io.ParameterMismatchError: the weights do not match the model (names, shapes).
    """
    from .. import io

    directory = pathlib.Path(directory)
    for name in (CONFIG_FILE, WEIGHTS_FILE):
        if not (directory / name).is_file():
            raise FileNotFoundError(f"{directory} is not a saved dynn model: {name} is missing")
    model = build(load_config(directory / CONFIG_FILE), context=context, pc=pc)
    io.populate_layer(model, directory / WEIGHTS_FILE)
    return model
