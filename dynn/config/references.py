r"""References (``!Ref path``, the same object) and interpolation (``${path}``, a copy).

A dotted path is looked up in the config first, then in the *context*: values derived from data
that the caller passes to :func:`~dynn.config.builder.build` (``context={"data": {"vocab_size":
1000}}`` makes ``${data.vocab_size}`` and ``!Ref data.vocab_size`` available).

A config section and a context entry may share a name: ``data`` can hold the data settings in
the file while the program passes ``data.vocab_size`` as context; a path that the config does
not have is then looked up in the context.

- ``${path}`` alone as a value is replaced by a *copy* of the value at ``path`` (a copied
  ``!LSTM`` builds a second, independent LSTM); inside a longer string, by the scalar's text
  (``"run_${train.seed}"``). ``$${`` writes a literal ``${``. Interpolation happens before
  validation, on config values only.
- ``!Ref path`` is resolved while building and gives the very same object: two ``!Ref`` to a
  layer share its parameters. A path may go past a spec's arguments into the built object: its
  parameters (``!Ref model.embed.E``), sublayers (``!Ref model.stack.cells.0``) or attributes
  (``!Ref model.encoder.hidden_dim``).

Cycles are reported with their chain: ``a -> b -> a``.

Example:
    >>> from dynn.config.loader import parse
    >>> from dynn.config.references import resolve_interpolations
    >>> config = parse("dim: 8\nname: run_${dim}\nmodel: {hidden_dim: ${dim}, n: ${data.n}}")
    >>> resolved, problems = resolve_interpolations(config, context={"data": {"n": 5}})
    >>> resolved["name"], dict(resolved["model"]), problems
    ('run_8', {'hidden_dim': 8, 'n': 5}, [])
"""

from typing import Any, Dict, List, NamedTuple, Optional, Tuple

from .errors import ConfigProblem, Location
from .nodes import (
    INTERPOLATION,
    ConfigList,
    ConfigMap,
    PathError,
    Ref,
    Spec,
    Unresolved,
    children,
    copy_tree,
    get_child,
    get_node,
    has_child,
    is_container,
    join_path,
    location_of,
    split_path,
)

__all__ = [
    "NodeTarget",
    "ObjectTarget",
    "ContextTarget",
    "find_target",
    "resolve_interpolations",
    "has_interpolation",
]

_MAX_REF_HOPS = 100


class NodeTarget(NamedTuple):
    """A path that names a config node (``path`` is canonical: references followed)."""

    node: Any
    path: str


class ObjectTarget(NamedTuple):
    """A path that goes past the arguments of the spec at ``spec_path`` into its built object."""

    spec: Spec
    spec_path: str
    rest: Tuple[str, ...]


class ContextTarget(NamedTuple):
    """A path that names a value of the context."""

    value: Any
    path: str


def has_interpolation(value) -> bool:
    """Whether ``value`` is a string containing ``${...}``."""
    return isinstance(value, str) and "${" in value


def _context_lookup(context: Optional[Dict[str, Any]], parts: List[str]):
    if not context or parts[0] not in context:
        raise KeyError(parts[0])
    value = context[parts[0]]
    for part in parts[1:]:
        if part.startswith("_"):
            raise KeyError(part)
        if isinstance(value, dict) and part in value:
            value = value[part]
        elif isinstance(value, (list, tuple)) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        elif not isinstance(value, (dict, list, tuple)) and hasattr(value, part):
            value = getattr(value, part)
        else:
            raise KeyError(part)
    return value


def find_target(root, path: str, context: Optional[Dict[str, Any]] = None, _seen=None):
    """What the dotted ``path`` names: a :class:`NodeTarget`, :class:`ObjectTarget` or
    :class:`ContextTarget`.

    ``!Ref`` nodes met along the way are followed.

    Raises:
        PathError: nothing has that path (the message suggests a close name), or references
            form a cycle (the message gives the chain).
    """
    parts = split_path(path)
    seen = list(_seen or [])
    node, done = root, ""
    in_config = has_child(root, parts[0])
    if not in_config and context and parts[0] in context:
        try:
            return ContextTarget(_context_lookup(context, parts), path)
        except KeyError as error:
            raise PathError(f"the context '{parts[0]}' has no '{error.args[0]}'") from None
    for index, key in enumerate(parts):
        if isinstance(node, Ref):
            rest = ".".join(parts[index:])
            return _follow(root, node, done, f"{node.path}.{rest}", context, seen)
        if isinstance(node, Spec) and not (
            has_child(node, key) and get_child(node, key) is not None
        ):
            return ObjectTarget(node, done, tuple(parts[index:]))
        if not is_container(node) or not has_child(node, key):
            error = _missing(node, done, key, index, path, context)
            if context and parts[0] in context:  # a config section completed by the context
                try:
                    return ContextTarget(_context_lookup(context, parts), path)
                except KeyError:
                    pass
            raise error
        node = get_child(node, key)
        done = join_path(done, key)
    if isinstance(node, Ref):
        return _follow(root, node, done, node.path, context, seen)
    return NodeTarget(node, done)


def _follow(root, ref: Ref, ref_path: str, target: str, context, seen: List[str]):
    if ref_path in seen:
        chain = seen[seen.index(ref_path) :] + [ref_path]
        raise PathError("reference cycle: " + " -> ".join(chain))
    if len(seen) > _MAX_REF_HOPS:
        raise PathError(f"'{ref_path}': too many chained references")
    return find_target(root, target, context, seen + [ref_path])


def _missing(node, done: str, key: str, depth: int, path: str, context) -> PathError:
    context = context or {}
    from .errors import did_you_mean

    if not is_container(node):
        kind = "null" if node is None else type(node).__name__
        return PathError(f"'{done}' is a {kind} value, it has no '{key}'", depth)
    where = f"'{done}'" if done else "the config"
    if isinstance(node, ConfigList) or (isinstance(node, Spec) and key.isdigit()):
        count = len(node) if isinstance(node, ConfigList) else len(node.args)
        return PathError(f"{where} has {count} items, it has no item {key}", depth)
    names = [str(k) for k, _ in children(node)]
    hint = did_you_mean(key, names)
    if not hint and (not done or path.split(".")[0] == "data" or path.split(".")[0] in context):
        given = f" (it has: {', '.join(sorted(context))})" if context else ""
        hint = (
            f"; values derived from data are passed by the program as context{given}, or "
            f"given on the command line: +{path}=..."
        )
    return PathError(f"{where} has no '{key}'{hint}", depth)


class _Resolver:
    def __init__(self, root, context):
        self.root = root
        self.context = context
        self.problems: List[ConfigProblem] = []
        self.done: Dict[str, Any] = {}
        self.stack: List[str] = []

    def problem(self, location, path, message):
        self.problems.append(ConfigProblem(location, path, message))

    def resolve(self, node, path: str):
        """The node with every interpolation inside it resolved (memoised by path)."""
        if path in self.done:
            return self.done[path]
        self.stack.append(path)
        try:
            result = self._resolve(node, path)
        finally:
            self.stack.pop()
        self.done[path] = result
        return result

    def _resolve(self, node, path: str):
        if isinstance(node, ConfigMap):
            new = ConfigMap(location=node.location)
            new.key_locations = dict(node.key_locations)
            new.value_locations = dict(node.value_locations)
            new.sources = dict(node.sources)
            for key, value in node.items():
                new[key] = self._child(node, key, value, path, new)
            return new
        if isinstance(node, ConfigList):
            new = ConfigList([], node.location, [])
            for index, value in enumerate(node):
                new.add(self._child(node, index, value, path, None), node.location_at(index))
            return new
        if isinstance(node, Spec):
            kwargs = self._resolve(node.kwargs, path)
            args = ConfigList([], node.args.location, [])
            for index, value in enumerate(node.args):
                args.add(self._child(node, index, value, path, None), node.args.location_at(index))
            return Spec(node.tag, kwargs, args, node.location)
        return node

    def _child(self, parent, key, value, path, new_map):
        child_path = join_path(path, key)
        if has_interpolation(value):
            resolved = self.resolve_text(value, child_path, location_of(parent, key))
            if new_map is not None and not isinstance(resolved, Unresolved):
                if not _is_plain(resolved):
                    new_map.sources[key] = value
            return resolved
        if is_container(value):
            return self.resolve(value, child_path)
        return value

    def resolve_text(self, text: str, path: str, location):
        """A string's interpolations resolved (memoised by path, cycles detected)."""
        if path in self.done:
            return self.done[path]
        self.stack.append(path)
        try:
            result = self.interpolate(text, path, location)
        finally:
            self.stack.pop()
        self.done[path] = result
        return result

    def interpolate(self, text: str, path: str, location: Optional[Location]):
        matches = list(INTERPOLATION.finditer(text))
        if not matches:
            return text
        whole = len(matches) == 1 and matches[0].span() == (0, len(text)) and not matches[0][1]
        if whole:
            value = self.lookup(matches[0][2].strip(), path, location)
            if value is _FAILED:
                return Unresolved(text)
            return copy_tree(value)
        pieces, last, failed = [], 0, False
        for match in matches:
            pieces.append(text[last : match.start()])
            last = match.end()
            if match[1]:  # $${...}: literal
                pieces.append(match[0][1:])
                continue
            value = self.lookup(match[2].strip(), path, location)
            if value is _FAILED:
                failed = True
                continue
            if (
                is_container(value)
                or isinstance(value, (Ref, list, dict))
                or (not _is_plain(value))
            ):
                self.problem(
                    location,
                    path,
                    f"${{{match[2]}}} is {_kind(value)}: only numbers, strings and booleans can "
                    f"be interpolated inside a string",
                )
                failed = True
                continue
            pieces.append(_text(value))
        pieces.append(text[last:])
        return Unresolved(text) if failed else "".join(pieces)

    def lookup(self, target_path: str, path: str, location):
        try:
            target = find_target(self.root, target_path, self.context)
        except PathError as error:
            self.problem(location, path, f"unresolved reference ${{{target_path}}}: {error}")
            return _FAILED
        if isinstance(target, ContextTarget):
            return target.value
        if isinstance(target, ObjectTarget):
            name = ".".join(target.rest)
            self.problem(
                location,
                path,
                f"${{{target_path}}}: !{target.spec.tag} at '{target.spec_path}' has no argument "
                f"'{target.rest[0]}' in the config; interpolation copies config values (to use "
                f"what the built object has, write !Ref {target.spec_path}.{name})",
            )
            return _FAILED
        if target.path in self.stack:
            chain = self.stack[self.stack.index(target.path) :] + [target.path]
            self.problem(location, path, "interpolation cycle: " + " -> ".join(chain))
            return _FAILED
        if has_interpolation(target.node):
            parent_path, _, key = target.path.rpartition(".")
            try:
                parent = get_node(self.root, parent_path) if parent_path else self.root
                target_location = location_of(parent, key)
            except PathError:
                target_location = location
            value = self.resolve_text(target.node, target.path, target_location)
            return _FAILED if isinstance(value, Unresolved) else value
        return self.resolve(target.node, target.path)


_FAILED = object()


def _is_plain(value) -> bool:
    return value is None or isinstance(value, (bool, int, float, str))


def _text(value) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if value is None:
        return "null"
    return str(value)


def _kind(value) -> str:
    if isinstance(value, Spec):
        return f"!{value.tag}"
    if isinstance(value, Ref):
        return f"!Ref {value.path}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return f"a {type(value).__name__}"


def resolve_interpolations(
    root: ConfigMap, context: Optional[Dict[str, Any]] = None
) -> Tuple[ConfigMap, List[ConfigProblem]]:
    """A copy of ``root`` with every ``${...}`` replaced, and the problems found.

    Unresolvable interpolations become :class:`~dynn.config.nodes.Unresolved` (and are reported
    once). Where an interpolation inserted a non-plain context object, the containing mapping
    keeps the original text in ``sources`` (dumps write it back).
    """
    resolver = _Resolver(root, context or {})
    resolved = resolver.resolve(root, "")
    return resolved, resolver.problems
