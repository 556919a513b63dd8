"""Checkpoints of a training run: model parameters by layer path, optimizer state, counters.

A checkpoint ``NAME`` is two files in the run's ``checkpoints/`` folder, both written atomically:
``NAME.npz`` (parameters keyed as in :func:`dynn.io.layer_arrays`, optimizer arrays as
``optimizer/<key>``; read without pickle) and ``NAME.json`` (step, early-stopping state, optimizer
scalars). The JSON is written last: a checkpoint without it is incomplete and ignored.
"""

import json
import pathlib
from typing import Dict, Optional

import numpy as np

from .. import io
from ..files import atomic_write, read_npz, write_npz

__all__ = ["save_checkpoint", "load_checkpoint", "checkpoint_exists", "CheckpointError"]

_OPTIMIZER = "optimizer/"


class CheckpointError(ValueError):
    """A checkpoint is missing, incomplete, or does not fit the model."""


def write_json(path, data) -> None:
    """Write ``data`` as indented JSON, atomically."""
    with atomic_write(path, "w") as handle:
        handle.write(json.dumps(data, indent=2, sort_keys=True, default=str) + "\n")


def save_checkpoint(directory, name: str, model, optimizer=None, counters: Optional[Dict] = None):
    """Write checkpoint ``name`` of ``model`` (and ``optimizer``) with ``counters``."""
    directory = pathlib.Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    arrays = io.layer_arrays(model)
    scalars = {}
    if optimizer is not None:
        for key, value in optimizer.state_dict().items():
            if isinstance(value, np.ndarray):
                arrays[_OPTIMIZER + key] = value
            else:
                scalars[key] = value
    write_npz(directory / f"{name}.npz", arrays)
    write_json(directory / f"{name}.json", {"counters": counters or {}, "optimizer": scalars})


def checkpoint_exists(directory, name: str) -> bool:
    """Whether a complete checkpoint ``name`` exists in ``directory``."""
    directory = pathlib.Path(directory)
    return (directory / f"{name}.json").exists() and (directory / f"{name}.npz").exists()


def load_checkpoint(directory, name: str, model, optimizer=None) -> Dict:
    """Fill ``model`` (and ``optimizer``) from checkpoint ``name``; return its counters.

    Raises:
        CheckpointError: missing files, or parameter names/shapes that differ from the model's
            (the message lists every difference).
    """
    directory = pathlib.Path(directory)
    if not checkpoint_exists(directory, name):
        raise CheckpointError(f"no complete checkpoint '{name}' in {directory}")
    meta = json.loads((directory / f"{name}.json").read_text(encoding="utf-8"))
    arrays = read_npz(directory / f"{name}.npz")
    parameters = {k: v for k, v in arrays.items() if not k.startswith(_OPTIMIZER)}
    try:
        io.set_layer_arrays(model, parameters)
    except io.ParameterMismatchError as error:
        raise CheckpointError(f"checkpoint '{name}' in {directory}: {error}") from error
    if optimizer is not None:
        state = dict(meta["optimizer"])
        state.update(
            {k[len(_OPTIMIZER) :]: v for k, v in arrays.items() if k.startswith(_OPTIMIZER)}
        )
        optimizer.load_state_dict(state)
    return meta["counters"]
