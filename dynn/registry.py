"""Registry of named components (layers, cells, initializers, activations, optimizers, ...).

Every :class:`~dynn.layers.base_layers.BaseLayer` subclass registers itself under its class name
when it is defined (``class Affine(ParametrizedLayer, aliases=("Dense",))`` adds aliases); other
components register with :func:`register`. The registry is what the YAML system resolves tags
against: a config never names a Python module.

Each component has a *kind*, which tells the config system what a tag means:

- ``"activation"``: the tag denotes the function itself (``activation: !tanh``); arguments bind
  keyword arguments (``!leaky_relu {alpha: 0.2}`` is ``functools.partial(leaky_relu, alpha=0.2)``).
- every other kind (``"layer"``, ``"initializer"``, ``"optimizer"``, ``"component"``): the tag
  *calls* the component with its arguments (``init: !NormalInit {std: 0.1}``).

Third-party packages register components through the entry-point group ``dynn.components``: each
entry point names a module (imported, so that its ``register`` calls and layer classes run) or a
callable (called with no arguments). :func:`load_components` imports dynn's own components and
every plugin, once.

Example:
    >>> from dynn import registry
    >>> @registry.register(kind="activation", aliases=["square_it"])
    ... def square(x):
    ...     return x * x
    >>> registry.lookup("square_it") is square, registry.kind_of("square"), registry.tag_of(square)
    (True, 'activation', 'square')
    >>> registry.unregister("square")
"""

import importlib
import pkgutil
import sys
from typing import Callable, Dict, Iterable, List, NamedTuple, Optional

__all__ = [
    "RegistryError",
    "Entry",
    "ENTRY_POINT_GROUP",
    "KINDS",
    "VALUE_KINDS",
    "register",
    "unregister",
    "lookup",
    "entry",
    "kind_of",
    "tag_of",
    "registered",
    "load_components",
    "load_plugins",
]

#: The entry-point group through which third-party packages register components.
ENTRY_POINT_GROUP = "dynn.components"

#: Known kinds of components (others are accepted).
KINDS = ("layer", "activation", "initializer", "optimizer", "component")

#: Kinds whose tag denotes the object itself rather than the result of calling it.
VALUE_KINDS = frozenset({"activation"})

# dynn's own packages, every public module of which registers components.
_CORE_PACKAGES = ("dynn.layers", "dynn.models")

# dynn's own modules whose import registers components (modules that do not exist are skipped,
# so that components added later only need to be listed here once).
_CORE_MODULES = (
    "dynn.activations",
    "dynn.parameter_initialization",
    "dynn.trainers",
    "dynn.optimizers",
)


class RegistryError(ValueError):
    """A tag is registered twice for two different components, or a plugin failed to load."""


class Entry(NamedTuple):
    """A registered component: the object, its kind and its canonical tag.

    ``automatic`` entries come from defining a layer class outside dynn (see :func:`register`).
    """

    component: object
    kind: str
    tag: str
    automatic: bool = False


_REGISTRY: Dict[str, Entry] = {}
_CANONICAL: Dict[int, str] = {}  # id(component) -> canonical tag
_loaded = False
_loaded_plugins = set()


def _qualified_name(obj) -> str:
    return f"{getattr(obj, '__module__', '?')}.{getattr(obj, '__qualname__', repr(obj))}"


def _default_kind(obj) -> str:
    layers = sys.modules.get("dynn.layers.base_layers")
    if layers is not None and isinstance(obj, type) and issubclass(obj, layers.BaseLayer):
        return "layer"
    return "component"


def register(
    obj=None,
    *,
    tag: Optional[str] = None,
    aliases: Iterable[str] = (),
    kind: Optional[str] = None,
    automatic: bool = False,
):
    """Register ``obj`` under ``tag`` (default: its ``__name__``) and ``aliases``.

    Usable as a function or as a decorator (``@register`` or ``@register(aliases=["X"])``).

    Args:
        obj: A class or function.
        tag: The canonical tag (what :func:`tag_of` returns and what dumps write).
        aliases: Other tags for the same component.
        kind: See the module documentation; default ``"layer"`` for layer classes, else
            ``"component"``.
        automatic: The registration that defining a layer class outside dynn makes. A tag
            already registered explicitly (every dynn class is) is left to its owner, and an
            explicit registration later takes an automatic tag over: a user's class named like
            a dynn class (``Tagger``) breaks neither the user's module nor dynn (register it
            under another tag to use it in configs). Two automatic registrations of different
            classes under one tag still fail.

    Raises:
        RegistryError: if a tag already names a different component; the message names both.
    """
    aliases = tuple(aliases)

    def _register(target):
        canonical = tag or target.__name__
        target_kind = kind or _default_kind(target)
        for name in (canonical, *aliases):
            if not isinstance(name, str) or not name or name.startswith("!") or " " in name:
                raise RegistryError(f"invalid tag {name!r} for {_qualified_name(target)}")
            existing = _REGISTRY.get(name)
            if existing is not None and _qualified_name(existing.component) != _qualified_name(
                target
            ):
                if automatic and not existing.automatic:
                    return target  # the tag stays with its explicit (or dynn) owner
                if existing.automatic and not automatic:
                    continue  # an explicit registration takes the tag over
                raise RegistryError(
                    f"tag '{name}' is already registered for "
                    f"{_qualified_name(existing.component)}; cannot register "
                    f"{_qualified_name(target)} under the same tag"
                )
        for name in (canonical, *aliases):
            _REGISTRY[name] = Entry(target, target_kind, canonical, automatic)
        _CANONICAL[id(target)] = canonical
        return target

    if obj is None:
        return _register
    return _register(obj)


def unregister(tag: str) -> None:
    """Remove ``tag`` and every other tag of the same component (mainly for tests)."""
    entry_ = _REGISTRY.get(tag)
    if entry_ is None:
        return
    for name in [n for n, e in _REGISTRY.items() if e.component is entry_.component]:
        del _REGISTRY[name]
    _CANONICAL.pop(id(entry_.component), None)


def lookup(tag: str):
    """The component registered under ``tag``.

    Raises:
        KeyError: if nothing is registered under ``tag``.
    """
    return _REGISTRY[tag].component


def entry(tag: str) -> Entry:
    """The :class:`Entry` (component, kind, canonical tag) registered under ``tag``.

    Raises:
        KeyError: if nothing is registered under ``tag``.
    """
    return _REGISTRY[tag]


def kind_of(tag: str) -> str:
    """The kind of the component registered under ``tag``."""
    return _REGISTRY[tag].kind


def tag_of(component) -> Optional[str]:
    """The canonical tag of a registered ``component`` (``None`` if it is not registered)."""
    tag = _CANONICAL.get(id(component))
    if tag is not None and _REGISTRY.get(tag, Entry(None, "", "")).component is component:
        return tag
    return None


def registered(predicate: Optional[Callable[[object], bool]] = None) -> Dict[str, object]:
    """A copy of the registry (tag -> component), optionally filtered by ``predicate(component)``.

    Aliases appear as keys of their own.
    """
    return {
        k: e.component for k, e in _REGISTRY.items() if predicate is None or predicate(e.component)
    }


def _entry_points(group: str) -> List:
    from importlib import metadata

    eps = metadata.entry_points()
    if hasattr(eps, "select"):
        return list(eps.select(group=group))
    return list(eps.get(group, []))  # Python 3.9


def load_plugins() -> List[str]:
    """Load the entry points of the group :data:`ENTRY_POINT_GROUP` not loaded yet.

    Returns:
        The names of the entry points loaded by this call.

    Raises:
        RegistryError: a plugin failed to load (the message names the entry point).
    """
    loaded_now = []
    for entry_point in _entry_points(ENTRY_POINT_GROUP):
        key = f"{entry_point.name}={entry_point.value}"
        if key in _loaded_plugins:
            continue
        _loaded_plugins.add(key)
        try:
            loaded = entry_point.load()
            if callable(loaded) and not isinstance(loaded, type):
                loaded()
        except RegistryError:
            raise
        except Exception as error:
            raise RegistryError(
                f"dynn plugin '{entry_point.name} = {entry_point.value}' (entry-point group "
                f"{ENTRY_POINT_GROUP}) failed to load: {type(error).__name__}: {error}"
            ) from error
        loaded_now.append(entry_point.name)
    return loaded_now


def load_components(plugins: bool = True) -> None:
    """Import every module that registers dynn components, then the plugins.

    dynn's layers and models (every public module of :mod:`dynn.layers` and ``dynn.models``),
    activations, initializers and optimizers are imported once; then the entry points of the group
    :data:`ENTRY_POINT_GROUP` that were not loaded yet (:func:`load_plugins`). This imports
    DyNet: configure it (``dynet_config``) before calling.

    Raises:
        RegistryError: a plugin failed to load (the message names the entry point).
    """
    global _loaded
    if not _loaded:
        for package_name in _CORE_PACKAGES:
            try:
                package = importlib.import_module(package_name)
            except ModuleNotFoundError as error:
                if error.name != package_name:
                    raise
                continue
            for info in pkgutil.iter_modules(package.__path__):
                if not info.name.startswith("_"):
                    importlib.import_module(f"{package_name}.{info.name}")
        for module_name in _CORE_MODULES:
            try:
                importlib.import_module(module_name)
            except ModuleNotFoundError as error:
                if error.name != module_name:
                    raise
        _loaded = True
    if plugins:
        load_plugins()
