"""YAML-configured models: safe parsing, located errors, shared components, overrides, sweeps,
dumping, saving and loading.

The pipeline is *parse, then validate, then build*:

>>> from dynn.config import parse, build, dump
>>> config = parse('''
... model: !StackedRecurrentCells
...   cells:
...     - !LSTM {input_dim: 2, hidden_dim: 3}
...     - !LSTM {input_dim: 3, hidden_dim: 3, Whh: !Ref model.cells.0.Whh}
... ''')
>>> stack = build(config)
>>> stack.cells[1].parameters["Whh"] is stack.cells[0].parameters["Whh"]
True
>>> build(parse(dump(stack))).cells[1].parameters["Whh"].shape()
(12, 3)

Importing :mod:`dynn.config` does not import DyNet (a command line can read a config, e.g. its
seed, and configure DyNet first); validating and building do.

See the guide (``docs/guide/config.rst``) for the syntax.
"""

from .builder import Builder, build, built_from
from .dumping import DumpError, dump, dumps, to_config
from .errors import ConfigError, ConfigProblem, Location
from .experiments import expand_runs, run_names, select_run
from .loader import ConfigLoader, load_config, parse, parse_value
from .nodes import ConfigList, ConfigMap, Ref, Spec
from .overrides import Override, apply_overrides, parse_override
from .persistence import load, save
from .schema import describe, schema

__all__ = [
    "ConfigLoader",
    "parse",
    "parse_value",
    "load_config",
    "ConfigError",
    "ConfigProblem",
    "Location",
    "ConfigMap",
    "ConfigList",
    "Spec",
    "Ref",
    "check",
    "Builder",
    "build",
    "built_from",
    "dump",
    "dumps",
    "to_config",
    "DumpError",
    "Override",
    "parse_override",
    "apply_overrides",
    "expand_runs",
    "run_names",
    "select_run",
    "describe",
    "schema",
    "save",
    "load",
]


def check(config, context=None, path: str = ""):
    """Every problem of ``config`` (interpolations, tags, arguments, types, references), unbuilt.

    Args:
        config: A parsed config.
        context: Values derived from data (see :func:`build`).
        path: The section to check (``""``: the whole document).

    Returns:
        A list of :class:`ConfigProblem` (empty when the config is valid).
    """
    return Builder(config, context=context).check(path)
