"""dynn: layer objects, sequence transduction and config-driven experiments on top of DyNet.

Importing :mod:`dynn` does not import DyNet, so that a command line can configure DyNet (memory,
seed, autobatching) before it loads. Submodules and the convenience functions below import it on
first use.
"""

import importlib

__version__ = "0.1.0"

_LAZY = {
    "new_graph": ("dynn.layers.base_layers", "new_graph"),
    "save": ("dynn.config.persistence", "save"),
    "load": ("dynn.config.persistence", "load"),
}


def __getattr__(name):
    if name in _LAZY:
        module_name, attribute = _LAZY[name]
        return getattr(importlib.import_module(module_name), attribute)
    raise AttributeError(f"module 'dynn' has no attribute {name!r}")


def __dir__():
    return sorted(list(globals()) + list(_LAZY))
