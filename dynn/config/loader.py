"""Safe parsing of config files into the inert tree of :mod:`dynn.config.nodes`.

:class:`ConfigLoader` is a ``yaml.SafeLoader`` subclass that only *composes* the YAML document
and converts its nodes itself: nothing is constructed while parsing, and no tag can make it run
code. What it accepts:

- mappings, sequences and the plain scalars of YAML (strings, integers, floats, booleans, null;
  dates stay strings);
- ``!Name`` on a mapping, sequence or scalar: a :class:`~dynn.config.nodes.Spec` of the
  registered component ``Name`` (checked later, against the registry);
- ``!Ref dotted.path``: a :class:`~dynn.config.nodes.Ref` (the same object as at ``path``);
- anchors and aliases (``&a``/``*a``) and merge keys (``<<: *a``), as *copies* (sharing an object
  is always written ``!Ref``).

What it refuses, each error with its location, all reported together: YAML syntax errors,
duplicate keys (naming both lines), ``!!python/...`` and any other global tag that is not a plain
YAML type, non-scalar keys, recursive aliases and documents that expand beyond
:data:`MAX_NODES` nodes (alias bombs).

Example:
    >>> from dynn.config.loader import parse
    >>> config = parse("model: !LSTM {input_dim: 2, hidden_dim: 3}", filename="m.yaml")
    >>> config["model"].tag, dict(config["model"].kwargs), str(config["model"].location)
    ('LSTM', {'input_dim': 2, 'hidden_dim': 3}, 'm.yaml:1:8')
    >>> from dynn.config.errors import ConfigError
    >>> try:
    ...     parse("x: !!python/object/apply:os.system [ls]", filename="evil.yaml")
    ... except ConfigError as error:
    ...     print(error)  # doctest: +ELLIPSIS
    evil.yaml:1:4 (x): tag !!python/object/apply:os.system is not allowed: ...
"""

import os
import pathlib
import re
from typing import Optional, Union

import yaml
from yaml.nodes import MappingNode, ScalarNode, SequenceNode

from .errors import ConfigError, ConfigProblem, Location
from .nodes import ConfigList, ConfigMap, Ref, Spec, join_path

__all__ = ["ConfigLoader", "parse", "parse_value", "load_config", "MAX_NODES", "REF_TAG"]

#: Largest number of nodes a document may expand to (aliases count each time they are used).
MAX_NODES = 1_000_000

#: The tag of references.
REF_TAG = "Ref"

_YAML = "tag:yaml.org,2002:"
_PLAIN_SCALARS = {"str", "int", "float", "bool", "null"}


class _TooLargeError(Exception):
    pass


# ``${...}`` may be written unquoted even inside flow collections (``{dim: ${data.dim}}``), where
# YAML would read its braces as flow indicators: before scanning, the braces of every ``${...}``
# are replaced by private-use characters (one character each, so locations do not move), and
# restored in every string value.
_OPEN, _CLOSE = "\ue000", "\ue001"
_INTERPOLATION_TEXT = re.compile(r"\$\{([^{}\n]*)\}")


def _protect(text: str) -> str:
    return _INTERPOLATION_TEXT.sub(lambda m: f"${_OPEN}{m.group(1)}{_CLOSE}", text)


def _restore(value):
    if isinstance(value, str) and _OPEN in value:
        return value.replace(_OPEN, "{").replace(_CLOSE, "}")
    return value


class ConfigLoader(yaml.SafeLoader):
    """A ``yaml.SafeLoader`` that returns the inert config tree (see the module documentation).

    ``yaml.load(text, Loader=ConfigLoader)`` works and returns a
    :class:`~dynn.config.nodes.ConfigMap`; problems raise
    :class:`~dynn.config.errors.ConfigError`.
    """

    #: Whether the document must be a mapping (a whole config) rather than any value.
    require_mapping = True

    def __init__(self, stream, filename: Optional[str] = None):
        if isinstance(stream, bytes):
            stream = stream.decode("utf-8")
        if not isinstance(stream, str):
            filename = filename or getattr(stream, "name", None)
            stream = stream.read()
            if isinstance(stream, bytes):
                stream = stream.decode("utf-8")
        super().__init__(_protect(stream))
        self.filename = filename or getattr(stream, "name", None) or "<string>"
        self.errors = []
        self._count = 0
        self._in_progress = set()

    # Scanning: inside {...} and [...], a tag may be followed directly by , ] or } ------------
    def scan_tag(self):
        first = self.peek(1)
        if not self.flow_level or first in "!<\0 \t\r\n\x85\u2028\u2029":
            return super().scan_tag()
        start_mark = self.get_mark()
        length = 1
        while self.peek(length) not in "\0 \t\r\n\x85\u2028\u2029,[]{}":
            if self.peek(length) == "!":
                return super().scan_tag()
            length += 1
        suffix = self.prefix(length)[1:]
        self.forward(length)
        return yaml.tokens.TagToken(("!", suffix), start_mark, self.get_mark())

    # Entry point used by yaml.load ------------------------------------------------------------
    def get_single_data(self):
        try:
            node = self.get_single_node()
        except yaml.MarkedYAMLError as error:
            mark = error.problem_mark or error.context_mark
            message = error.problem or error.context or "invalid YAML"
            if error.context and error.problem:
                message = f"{error.context}: {error.problem}"
            raise ConfigError([ConfigProblem(self._location(mark), "", message)]) from None
        except yaml.YAMLError as error:
            raise ConfigError(
                [ConfigProblem(Location(self.filename, 1, 1), "", str(error))]
            ) from None
        if node is None:
            if not self.require_mapping:
                return None
            return ConfigMap(location=Location(self.filename, 1, 1))
        try:
            if _expanded_size(node) > MAX_NODES:
                raise _TooLargeError()
            root = self.convert(node, "")
        except _TooLargeError:
            self.errors.append(
                ConfigProblem(
                    self._location(node.start_mark),
                    "",
                    f"the document expands to more than {MAX_NODES} nodes through aliases",
                )
            )
            root = None
        if not self.errors and self.require_mapping and not isinstance(root, ConfigMap):
            self.errors.append(
                ConfigProblem(
                    self._location(node.start_mark),
                    "",
                    f"a config must be a mapping (such as 'model: ...'), got {_kind(node)}",
                )
            )
        if self.errors:
            raise ConfigError(self.errors)
        return root

    # Conversion -------------------------------------------------------------------------------
    def _location(self, mark) -> Location:
        if mark is None:
            return Location(self.filename, 1, 1)
        return Location(self.filename, mark.line + 1, mark.column + 1)

    def _error(self, node, path: str, message: str) -> None:
        self.errors.append(ConfigProblem(self._location(node.start_mark), path, message))

    def convert(self, node, path: str):
        """The config value of a composed YAML ``node`` at ``path`` (errors are collected)."""
        self._count += 1
        if self._count > MAX_NODES:
            raise _TooLargeError()
        if id(node) in self._in_progress:
            self._error(node, path, "recursive alias: a node cannot contain itself")
            return None
        self._in_progress.add(id(node))
        try:
            return self._convert(node, path)
        finally:
            self._in_progress.discard(id(node))

    def _convert(self, node, path: str):
        tag = node.tag or ""
        if tag.startswith("!") and not tag.startswith("!!"):
            return self._convert_tagged(node, path, tag[1:])
        if not tag.startswith(_YAML):
            self._error(node, path, f"unknown tag {tag}: only registered !Name tags are allowed")
            return None
        kind = tag[len(_YAML) :]
        if isinstance(node, ScalarNode):
            if kind in _PLAIN_SCALARS:
                return _restore(getattr(self, f"construct_yaml_{kind}")(node))
            if kind == "timestamp":  # dates stay strings
                return node.value
            return self._refuse(node, path, kind)
        if isinstance(node, SequenceNode):
            if kind != "seq":
                return self._refuse(node, path, kind)
            return self._convert_sequence(node, path)
        if kind != "map":
            return self._refuse(node, path, kind)
        return self._convert_mapping(node, path)

    def _refuse(self, node, path: str, kind: str):
        if kind.startswith("python/"):
            self._error(
                node,
                path,
                f"tag !!{kind} is not allowed: Python objects are never constructed from a config",
            )
        else:
            self._error(
                node,
                path,
                f"tag !!{kind} is not allowed: use plain YAML values (strings, numbers, booleans, "
                f"null, lists, mappings) and registered !Name tags",
            )
        return None

    def _convert_sequence(self, node, path: str) -> ConfigList:
        result = ConfigList(location=self._location(node.start_mark))
        for index, item in enumerate(node.value):
            result.add(self.convert(item, join_path(path, index)), self._location(item.start_mark))
        return result

    def _convert_mapping(self, node, path: str) -> ConfigMap:
        result = ConfigMap(location=self._location(node.start_mark))
        explicit_lines = {}
        merged = []
        for key_node, value_node in node.value:
            if key_node.tag == _YAML + "merge":
                merged.append(value_node)
                continue
            if not isinstance(key_node, ScalarNode) or (key_node.tag or "").startswith("!"):
                self._error(key_node, path, "mapping keys must be plain scalars")
                continue
            key = self.convert(key_node, path)
            child_path = join_path(path, key)
            try:
                hash(key)
            except TypeError:
                self._error(key_node, path, "mapping keys must be plain scalars")
                continue
            if key in explicit_lines:
                first = explicit_lines[key]
                self._error(
                    key_node,
                    child_path,
                    f"duplicate key '{key}': first defined at line {first.line}, again at line "
                    f"{key_node.start_mark.line + 1}",
                )
                continue
            explicit_lines[key] = self._location(key_node.start_mark)
            value = self.convert(value_node, child_path)
            result.put(
                key,
                value,
                self._location(key_node.start_mark),
                self._location(value_node.start_mark),
            )
        for value_node in merged:  # explicit keys win over merged ones
            sources = value_node.value if isinstance(value_node, SequenceNode) else [value_node]
            for source in sources:
                converted = self.convert(source, path)
                if not isinstance(converted, ConfigMap):
                    self._error(source, path, "a merge key (<<) needs a mapping or list of them")
                    continue
                for key, value in converted.items():
                    if key not in result:
                        result.put(
                            key,
                            value,
                            converted.key_locations.get(key),
                            converted.value_locations.get(key),
                        )
        return result

    def _convert_tagged(self, node, path: str, name: str):
        location = self._location(node.start_mark)
        if name == REF_TAG:
            target = _restore(node.value).strip() if isinstance(node, ScalarNode) else ""
            if not isinstance(node, ScalarNode) or not target:
                self._error(node, path, "!Ref needs a dotted path, e.g. !Ref model.encoder")
                return None
            return Ref(target, location)
        if not name or not all(part.isidentifier() for part in name.split(".")):
            self._error(node, path, f"invalid tag !{name}")
            return None
        if isinstance(node, MappingNode):
            kwargs = self._convert_mapping(node, path)
            for key in kwargs:
                if not isinstance(key, str):
                    self._error(node, path, f"!{name}: argument names must be strings, got {key!r}")
            return Spec(name, kwargs=kwargs, location=location)
        if isinstance(node, SequenceNode):
            return Spec(name, args=self._convert_sequence(node, path), location=location)
        if node.value == "" and node.style is None:
            return Spec(name, location=location)
        implicit = (node.style is None, False)
        plain = ScalarNode(
            self.resolve(ScalarNode, node.value, implicit), node.value, node.start_mark
        )
        value = self._convert(plain, path)
        return Spec(name, args=ConfigList([value], location, [location]), location=location)


def _expanded_size(root) -> int:
    """Number of nodes once aliases are expanded (computed on the node graph, without
    expanding it; a recursive alias counts once, and is reported by the conversion)."""
    sizes = {}
    in_progress = set()

    def size(node) -> int:
        key = id(node)
        if key in sizes:
            return sizes[key]
        if key in in_progress:
            return 1
        in_progress.add(key)
        if isinstance(node, SequenceNode):
            total = 1 + sum(size(child) for child in node.value)
        elif isinstance(node, MappingNode):
            total = 1 + sum(size(k) + size(v) for k, v in node.value)
        else:
            total = 1
        in_progress.discard(key)
        sizes[key] = total
        return total

    return size(root)


def _kind(node) -> str:
    if isinstance(node, MappingNode):
        return "a mapping"
    if isinstance(node, SequenceNode):
        return "a list"
    return f"the scalar {node.value!r}"


def parse(text: Union[str, bytes], filename: str = "<string>") -> ConfigMap:
    """Parse config ``text`` (``filename`` is used in error locations).

    Raises:
        ConfigError: every problem found, located.
    """
    loader = ConfigLoader(text, filename=filename)
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()


def parse_value(text: str, filename: str = "<string>"):
    """Parse one YAML value (scalar, list, mapping, ``!Tag`` or ``!Ref``), e.g. an override's.

    Raises:
        ConfigError: every problem found, located.
    """
    loader = ConfigLoader(text, filename=filename)
    loader.require_mapping = False
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()


def load_config(path: Union[str, os.PathLike], overrides=()) -> ConfigMap:
    """Read and parse the config file ``path``, then apply command-line style ``overrides``.

    Args:
        path: A YAML file.
        overrides: ``key.path=value`` strings (see :mod:`dynn.config.overrides`).

    Raises:
        ConfigError: parse errors or bad overrides, located.
        FileNotFoundError: ``path`` does not exist.
    """
    path = pathlib.Path(path)
    text = path.read_text(encoding="utf-8")
    config = parse(text, filename=str(path))
    if overrides:
        from .overrides import apply_overrides

        config = apply_overrides(config, overrides)
    return config
