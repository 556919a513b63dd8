"""Registry of named components (layers, cells, initializers, activations, ...).

Every :class:`~dynn.layers.base_layers.BaseLayer` subclass registers itself under its class name
when it is defined; other components register with :func:`register`. The registry is what the
YAML system resolves tags against: a config never names a Python module.
"""

from typing import Callable, Dict, Iterable, Optional

_REGISTRY: Dict[str, object] = {}


class RegistryError(ValueError):
    """A tag is registered twice for two different components."""


def _qualified_name(obj) -> str:
    return f"{getattr(obj, '__module__', '?')}.{getattr(obj, '__qualname__', repr(obj))}"


def register(obj=None, *, tag: Optional[str] = None, aliases: Iterable[str] = ()):
    """Register ``obj`` under ``tag`` (default: its ``__name__``) and ``aliases``.

    Usable as a function or as a decorator (``@register`` or ``@register(aliases=["X"])``).

    Raises:
        RegistryError: if a tag already names a different component; the message names both.
    """

    def _register(target):
        for name in [tag or target.__name__, *aliases]:
            existing = _REGISTRY.get(name)
            if existing is not None and _qualified_name(existing) != _qualified_name(target):
                raise RegistryError(
                    f"tag '{name}' is already registered for {_qualified_name(existing)}; "
                    f"cannot register {_qualified_name(target)} under the same tag"
                )
            _REGISTRY[name] = target
        return target

    if obj is None:
        return _register
    return _register(obj)


def lookup(tag: str):
    """The component registered under ``tag``.

    Raises:
        KeyError: if nothing is registered under ``tag``.
    """
    return _REGISTRY[tag]


def registered(predicate: Optional[Callable[[object], bool]] = None) -> Dict[str, object]:
    """A copy of the registry, optionally filtered by ``predicate(component)``."""
    return {k: v for k, v in _REGISTRY.items() if predicate is None or predicate(v)}
