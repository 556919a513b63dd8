"""Constructor-argument recording for layers (private).

:class:`~dynn.layers.base_layers.BaseLayer` wraps every subclass's ``__init__`` with
:func:`recording_init`, so that each layer remembers the arguments it was constructed with (only
those of the outermost constructor: ``super().__init__(...)`` calls are not recorded). This is
what lets :func:`dynn.config.dump` turn any built model back into YAML.

The record is stored in the instance dictionary under a dunder name, which
``BaseLayer.sublayers`` skips, so it never changes sublayer or parameter paths.
"""

import functools
import inspect
from collections import OrderedDict
from typing import NamedTuple, Optional

ATTRIBUTE = "__dynn_constructor__"


class ConstructorCall(NamedTuple):
    """The arguments a layer was constructed with.

    Attributes:
        signature: The signature of the constructor that was called (without ``self``).
        arguments: Parameter name -> value, for the arguments that were given (a ``*args``
            parameter holds a tuple, a ``**kwargs`` parameter a dict).
    """

    signature: inspect.Signature
    arguments: "OrderedDict[str, object]"


def recording_init(init):
    """Wrap ``init`` so that the outermost call records its arguments on the instance."""
    if getattr(init, "_dynn_recording", False):
        return init
    signature = inspect.signature(init)
    public_signature = signature.replace(parameters=list(signature.parameters.values())[1:])

    @functools.wraps(init)
    def recording(self, *args, **kwargs):
        if ATTRIBUTE not in self.__dict__:
            try:
                bound = signature.bind(self, *args, **kwargs)
            except TypeError:
                pass  # the constructor itself raises the error
            else:
                arguments = OrderedDict(list(bound.arguments.items())[1:])
                self.__dict__[ATTRIBUTE] = ConstructorCall(public_signature, arguments)
        init(self, *args, **kwargs)

    recording._dynn_recording = True
    return recording


def constructor_call(layer) -> Optional[ConstructorCall]:
    """The recorded constructor call of ``layer``, or ``None``."""
    return getattr(layer, "__dict__", {}).get(ATTRIBUTE)
