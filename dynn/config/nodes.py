"""The inert config tree: mappings, lists, tagged specs and references, with their locations.

Parsing a config constructs nothing: a YAML mapping becomes a :class:`ConfigMap`, a sequence a
:class:`ConfigList`, a ``!Tag`` node a :class:`Spec` (the component's tag and its arguments,
unbuilt) and ``!Ref path`` a :class:`Ref`. Scalars stay plain Python values; their locations are
kept by the container holding them.

A node is addressed by a dotted path from the root: mapping keys and list indices, and through a
spec its arguments (keyword arguments by name, positional ones by index), e.g.
``model.layers.0.hidden_dim``.

Example:
    >>> from dynn.config.nodes import ConfigMap, Spec, get_node
    >>> root = ConfigMap({"model": Spec("LSTM", {"input_dim": 2, "hidden_dim": 3})})
    >>> get_node(root, "model.hidden_dim")
    3
    >>> root["model"]
    Spec('LSTM', kwargs={'input_dim': 2, 'hidden_dim': 3})
"""

import re
from typing import Any, Iterator, List, Optional, Tuple, Union

from .errors import Location, did_you_mean

__all__ = [
    "ConfigMap",
    "ConfigList",
    "Spec",
    "Ref",
    "Unresolved",
    "PathError",
    "INTERPOLATION",
    "split_path",
    "join_path",
    "is_container",
    "children",
    "has_child",
    "get_child",
    "set_child",
    "delete_child",
    "location_of",
    "key_location_of",
    "get_node",
    "walk",
    "copy_tree",
    "to_plain",
]

#: ``${dotted.path}`` inside a string; ``$${...}`` is a literal ``${...}``.
INTERPOLATION = re.compile(r"\$(\$?)\{([^{}]*)\}")


class ConfigMap(dict):
    """A mapping that also knows where its keys and values are in the source.

    Attributes:
        location (Location): Where the mapping starts.
        key_locations (dict): Key -> location of the key.
        value_locations (dict): Key -> location of the value.
        sources (dict): Key -> original ``${...}`` text of a value that was interpolated.
    """

    def __init__(self, items=(), location: Optional[Location] = None):
        super().__init__(items)
        self.location = location
        self.key_locations = {}
        self.value_locations = {}
        self.sources = {}

    def put(self, key, value, key_location=None, value_location=None) -> None:
        """Set ``key`` to ``value`` and record the locations."""
        self[key] = value
        if key_location is not None:
            self.key_locations[key] = key_location
        if value_location is not None:
            self.value_locations[key] = value_location

    def remove(self, key) -> None:
        """Delete ``key`` and its locations."""
        del self[key]
        for table in (self.key_locations, self.value_locations, self.sources):
            table.pop(key, None)

    def __repr__(self) -> str:
        return repr(dict(self))

    def __reduce__(self):  # copies keep the locations
        return (type(self), (list(self.items()), self.location), self.__dict__)

    def __setstate__(self, state):
        self.__dict__.update(state)


class ConfigList(list):
    """A list that also knows where its items are in the source.

    Attributes:
        location (Location): Where the list starts.
        locations (list): The location of each item (``None`` when unknown).
    """

    def __init__(self, items=(), location: Optional[Location] = None, locations=None):
        super().__init__(items)
        self.location = location
        self.locations = list(locations) if locations is not None else [None] * len(self)

    def add(self, value, location=None) -> None:
        """Append ``value`` and its location."""
        self.append(value)
        self.locations.append(location)

    def location_at(self, index: int) -> Optional[Location]:
        """The location of item ``index``."""
        return self.locations[index] if 0 <= index < len(self.locations) else None

    def __repr__(self) -> str:
        return repr(list(self))

    def __reduce__(self):
        return (type(self), (list(self), self.location, self.locations))


class Spec:
    """An unbuilt component: a registered tag with its arguments.

    ``!LSTM {input_dim: 2, hidden_dim: 3}`` (keyword arguments), ``!StackedRecurrentCells [a, b]``
    (positional arguments), ``!ConstInit 0.5`` (one positional argument) and ``!tanh`` (none).

    Attributes:
        tag (str): The registered tag, without ``!``.
        kwargs (ConfigMap): Keyword arguments.
        args (ConfigList): Positional arguments.
        location (Location): Where the tag is.
    """

    def __init__(self, tag: str, kwargs=None, args=None, location: Optional[Location] = None):
        self.tag = tag
        self.kwargs = kwargs if isinstance(kwargs, ConfigMap) else ConfigMap(kwargs or {})
        self.args = args if isinstance(args, ConfigList) else ConfigList(args or [])
        self.location = location

    def __repr__(self) -> str:
        parts = [repr(self.tag)]
        if self.args:
            parts.append(f"args={list(self.args)!r}")
        if self.kwargs:
            parts.append(f"kwargs={dict(self.kwargs)!r}")
        return f"Spec({', '.join(parts)})"

    def __eq__(self, other) -> bool:
        return isinstance(other, Spec) and (self.tag, list(self.args), dict(self.kwargs)) == (
            other.tag,
            list(other.args),
            dict(other.kwargs),
        )

    __hash__ = None


class Ref:
    """``!Ref dotted.path``: the very object at ``path`` (shared, not copied).

    Attributes:
        path (str): The dotted path of the target, from the config's root (or a context name).
        location (Location): Where the reference is.
    """

    def __init__(self, path: str, location: Optional[Location] = None):
        self.path = path
        self.location = location

    def __repr__(self) -> str:
        return f"Ref({self.path!r})"

    def __eq__(self, other) -> bool:
        return isinstance(other, Ref) and self.path == other.path

    __hash__ = None


class Unresolved:
    """Stands for a ``${...}`` interpolation that could not be resolved (already reported)."""

    def __init__(self, text: str):
        self.text = text

    def __repr__(self) -> str:
        return f"Unresolved({self.text!r})"


class PathError(KeyError):
    """A dotted path names no node; ``str()`` explains which component is missing."""

    def __init__(self, message: str, depth: int = 0):
        self.message = message
        self.depth = depth  # number of path components that did resolve
        super().__init__(message)

    def __str__(self) -> str:
        return self.message


Key = Union[str, int]


def split_path(path: str) -> List[str]:
    """The components of a dotted path (``"a.b.0"`` -> ``["a", "b", "0"]``)."""
    if not isinstance(path, str) or not path or any(not part for part in path.split(".")):
        raise PathError(f"invalid path {path!r}: expected dotted names such as model.encoder")
    return path.split(".")


def join_path(prefix: str, key: Key) -> str:
    """``prefix.key`` (or ``key`` for the root)."""
    return f"{prefix}.{key}" if prefix else str(key)


def is_container(node) -> bool:
    """Whether ``node`` has children (a mapping, a list or a spec)."""
    return isinstance(node, (ConfigMap, ConfigList, Spec))


def children(node) -> Iterator[Tuple[Key, Any]]:
    """``(key, child)`` pairs of a container (a spec's positional then keyword arguments)."""
    if isinstance(node, ConfigMap):
        yield from list(node.items())
    elif isinstance(node, ConfigList):
        yield from enumerate(list(node))
    elif isinstance(node, Spec):
        yield from enumerate(list(node.args))
        yield from list(node.kwargs.items())


def _index(node, key) -> Optional[int]:
    try:
        return int(key)
    except (TypeError, ValueError):
        return None


def _resolve_key(node, key):
    """The actual key of ``node`` that a path component ``key`` names, or raise KeyError."""
    if isinstance(node, ConfigMap):
        if key in node:
            return key
        for actual in node:  # keys that YAML parsed as numbers or booleans
            if not isinstance(actual, str) and str(actual) == str(key):
                return actual
        raise KeyError(key)
    if isinstance(node, ConfigList) or (isinstance(node, Spec) and _index(node, key) is not None):
        items = node if isinstance(node, ConfigList) else node.args
        index = _index(node, key)
        if index is None or not 0 <= index < len(items):
            raise KeyError(key)
        return index
    if isinstance(node, Spec):
        if key in node.kwargs:
            return key
        raise KeyError(key)
    raise KeyError(key)


def has_child(node, key) -> bool:
    """Whether the container ``node`` has a child named by path component ``key``."""
    try:
        _resolve_key(node, key)
        return True
    except KeyError:
        return False


def get_child(node, key):
    """The child of ``node`` named by path component ``key`` (``KeyError`` if none)."""
    actual = _resolve_key(node, key)
    if isinstance(node, Spec):
        return node.args[actual] if isinstance(actual, int) else node.kwargs[actual]
    return node[actual]


def set_child(node, key, value, location=None, key_location=None) -> None:
    """Set (or add) the child ``key`` of ``node``; a list index equal to the length appends."""
    if isinstance(node, Spec) and _index(node, key) is None:
        node = node.kwargs
    if isinstance(node, ConfigMap):
        try:
            key = _resolve_key(node, key)
        except KeyError:
            pass
        node.put(key, value, key_location, location)
        node.sources.pop(key, None)
        return
    items = node if isinstance(node, ConfigList) else node.args
    index = _index(node, key)
    if index is None or not 0 <= index <= len(items):
        raise KeyError(key)
    if index == len(items):
        items.add(value, location)
    else:
        items[index] = value
        items.locations[index] = location


def delete_child(node, key) -> None:
    """Delete the child ``key`` of ``node`` (``KeyError`` if none)."""
    actual = _resolve_key(node, key)
    if isinstance(node, ConfigMap):
        node.remove(actual)
    elif isinstance(node, Spec) and not isinstance(actual, int):
        node.kwargs.remove(actual)
    else:
        items = node if isinstance(node, ConfigList) else node.args
        del items[actual]
        del items.locations[actual]


def location_of(node, key) -> Optional[Location]:
    """The location of the child ``key`` of ``node`` (its value), or of ``node``."""
    try:
        actual = _resolve_key(node, key)
    except KeyError:
        return getattr(node, "location", None)
    child = get_child(node, actual)
    if isinstance(child, (Spec, Ref)) and child.location is not None:
        return child.location
    if isinstance(node, Spec):
        node = node.args if isinstance(actual, int) else node.kwargs
    if isinstance(node, ConfigMap):
        found = node.value_locations.get(actual) or node.key_locations.get(actual)
    else:
        found = node.location_at(actual)
    return found or getattr(child, "location", None) or getattr(node, "location", None)


def key_location_of(node, key) -> Optional[Location]:
    """The location of the *key* ``key`` in a mapping or spec (else of its value)."""
    mapping = node.kwargs if isinstance(node, Spec) else node
    if isinstance(mapping, ConfigMap):
        try:
            actual = _resolve_key(mapping, key)
            if actual in mapping.key_locations:
                return mapping.key_locations[actual]
        except KeyError:
            pass
    return location_of(node, key)


def get_node(root, path: str):
    """The node at a dotted ``path`` of ``root`` (not following references).

    Raises:
        PathError: a component is missing; the message names it and suggests a close key.
    """
    node = root
    done = ""
    for depth, key in enumerate(split_path(path)):
        if not is_container(node):
            raise PathError(
                f"'{done}' is a {_describe(node)}, it has no '{key}'" if done else str(key), depth
            )
        try:
            node = get_child(node, key)
        except KeyError:
            names = [str(k) for k, _ in children(node)]
            where = f"'{done}'" if done else "the config"
            raise PathError(f"{where} has no '{key}'{did_you_mean(key, names)}", depth) from None
        done = join_path(done, key)
    return node


def _describe(node) -> str:
    if isinstance(node, Ref):
        return f"!Ref {node.path}"
    if node is None:
        return "null"
    return type(node).__name__


def walk(node, path: str = "") -> Iterator[Tuple[str, Any, Any, Key]]:
    """Depth-first ``(path, node, parent, key)`` for ``node`` and its descendants."""
    stack = [(path, node, None, None)]
    while stack:
        current_path, current, parent, key = stack.pop()
        yield current_path, current, parent, key
        if is_container(current):
            items = list(children(current))
            for child_key, child in reversed(items):
                stack.append((join_path(current_path, child_key), child, current, child_key))


def copy_tree(node):
    """A deep copy of the config containers (mappings, lists, specs, references), with their
    locations; other leaves (numbers, strings, objects given as context) are shared."""
    if isinstance(node, ConfigMap):
        new = ConfigMap(location=node.location)
        for key, value in node.items():
            new[key] = copy_tree(value)
        new.key_locations = dict(node.key_locations)
        new.value_locations = dict(node.value_locations)
        new.sources = dict(node.sources)
        return new
    if isinstance(node, ConfigList):
        return ConfigList([copy_tree(v) for v in node], node.location, node.locations)
    if isinstance(node, Spec):
        return Spec(node.tag, copy_tree(node.kwargs), copy_tree(node.args), node.location)
    if isinstance(node, Ref):
        return Ref(node.path, node.location)
    if isinstance(node, (dict, list)):
        import copy

        return copy.deepcopy(node)
    return node


def to_plain(node):
    """Plain ``dict``/``list`` copies of config containers (specs and references unchanged)."""
    if isinstance(node, dict):
        return {key: to_plain(value) for key, value in node.items()}
    if isinstance(node, list):
        return [to_plain(value) for value in node]
    return node
