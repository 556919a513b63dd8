"""Command-line overrides: change, add or delete config keys by dotted path.

=====================  ==========================================================================
``key.path=value``     change an existing key (or set an argument of a ``!Tag`` node, which
                       validation then checks against the component's arguments)
``+key.path=value``    add a key that does not exist (missing parent mappings are created)
``++key.path=value``   add or change
``~key.path``          delete a key
=====================  ==========================================================================

Values are parsed as YAML (``3`` is an int, ``[1, 2]`` a list, ``null`` is None, ``'3'`` a
string), so a tagged node can replace a whole subtree: ``model.cell='!GRU {input_dim: 2,
hidden_dim: 3}'``. An unknown key is an error with a suggestion; errors are located in the
override (``<override 2>:1:7``).

Example:
    >>> from dynn.config.loader import parse
    >>> from dynn.config.overrides import apply_overrides
    >>> config = parse("model: !LSTM {input_dim: 2, hidden_dim: 3}\\ntrain: {lr: 0.1}")
    >>> new = apply_overrides(config, ["model.hidden_dim=8", "+train.epochs=2", "~train.lr"])
    >>> dict(new["model"].kwargs), dict(new["train"])
    ({'input_dim': 2, 'hidden_dim': 8}, {'epochs': 2})
    >>> from dynn.config.errors import ConfigError
    >>> try:
    ...     apply_overrides(config, ["train.rl=0.5"])
    ... except ConfigError as error:
    ...     print(error)  # doctest: +ELLIPSIS
    <override 1>:1:1 (train.rl): 'train' has no 'rl'; did you mean 'lr'? (to add a key, ...)
"""

from typing import Any, Iterable, List, NamedTuple, Optional, Union

from .errors import ConfigError, ConfigProblem, Location, did_you_mean
from .loader import parse_value
from .nodes import (
    ConfigList,
    ConfigMap,
    PathError,
    Ref,
    Spec,
    children,
    copy_tree,
    delete_child,
    get_child,
    has_child,
    is_container,
    join_path,
    set_child,
    split_path,
)

__all__ = ["Override", "parse_override", "apply_overrides", "OPERATIONS"]

#: Operations, by prefix.
OPERATIONS = {"": "set", "+": "add", "++": "force", "~": "delete"}


class Override(NamedTuple):
    """One override."""

    #: ``"set"``, ``"add"``, ``"force"`` or ``"delete"``.
    operation: str
    #: Dotted path of the key.
    path: str
    #: The parsed value (``None`` for a deletion).
    value: Any
    #: Where the key is written (for errors).
    location: Optional[Location]
    #: The override as written.
    text: str


def parse_override(text: str, index: int = 1) -> Override:
    """Parse ``[+|++|~]key.path[=value]`` (the ``index``-th override, for locations).

    Raises:
        ConfigError: malformed override or value.
    """
    filename = f"<override {index}>"
    stripped = text.strip()
    prefix = "++" if stripped.startswith("++") else stripped[:1] if stripped[:1] in "+~" else ""
    operation = OPERATIONS[prefix]
    body = stripped[len(prefix) :]
    location = Location(filename, 1, 1)
    if operation == "delete":
        path, has_value, _ = body.partition("=")
        if has_value:
            raise ConfigError(
                [ConfigProblem(location, path, f"'{text}': a deletion is written ~{path}")]
            )
        value_text = None
    else:
        path, has_value, value_text = body.partition("=")
        if not has_value:
            raise ConfigError(
                [
                    ConfigProblem(
                        location,
                        path,
                        f"'{text}' is not an override: write key.path=value, +key.path=value "
                        f"(add), ++key.path=value (add or change) or ~key.path (delete)",
                    )
                ]
            )
    path = path.strip()
    try:
        split_path(path)
    except PathError as error:
        raise ConfigError([ConfigProblem(location, path, str(error))]) from None
    value = None
    if value_text is not None:
        offset = len(prefix) + len(body) - len(value_text)  # columns before the value
        value = parse_value(" " * offset + value_text, filename=filename)
    return Override(operation, path, value, location, text)


def _no(parent, done: str, key: str) -> str:
    """Why ``parent`` (at ``done``) has no child ``key``."""
    where = f"'{done}'" if done else "the config"
    if isinstance(parent, ConfigList) or (isinstance(parent, Spec) and str(key).isdigit()):
        count = len(parent) if isinstance(parent, ConfigList) else len(parent.args)
        return f"{where} has {count} items, it has no item {key}"
    if not is_container(parent):
        return f"{where} is a {type(parent).__name__} value, it has no '{key}'"
    names = [str(k) for k, _ in children(parent)]
    return f"{where} has no '{key}'{did_you_mean(key, names)}"


def _node_kind(node) -> str:
    if isinstance(node, Spec):
        return f"!{node.tag}"
    if isinstance(node, ConfigList):
        return "a list"
    return "a mapping"


def _apply(config, override: Override, problems: List[ConfigProblem]) -> None:
    parts = split_path(override.path)
    key = parts[-1]
    parent, done = config, ""
    for part in parts[:-1]:
        if isinstance(parent, Ref):
            problems.append(
                ConfigProblem(
                    override.location,
                    override.path,
                    f"'{done}' is !Ref {parent.path}: override {parent.path} instead",
                )
            )
            return
        if is_container(parent) and has_child(parent, part):
            parent = get_child(parent, part)
        elif override.operation in ("add", "force") and isinstance(parent, (ConfigMap, Spec)):
            created = ConfigMap(location=override.location)
            set_child(parent, part, created, override.location, override.location)
            parent = created
        else:
            problems.append(
                ConfigProblem(override.location, override.path, _no(parent, done, part))
            )
            return
        done = join_path(done, part)
    if isinstance(parent, Ref):
        problems.append(
            ConfigProblem(
                override.location,
                override.path,
                f"'{done}' is !Ref {parent.path}: override {parent.path} instead",
            )
        )
        return
    if not is_container(parent):
        problems.append(
            ConfigProblem(
                override.location,
                override.path,
                f"'{done}' is a {type(parent).__name__} value, it has no '{key}'",
            )
        )
        return
    exists = has_child(parent, key)
    names = [str(k) for k, _ in children(parent)]
    value_location = _value_location(override)
    if override.operation == "delete":
        if not exists:
            problems.append(
                ConfigProblem(
                    override.location, override.path, f"cannot delete: {_no(parent, done, key)}"
                )
            )
        else:
            delete_child(parent, key)
        return
    if override.operation == "add" and exists:
        problems.append(
            ConfigProblem(
                override.location,
                override.path,
                f"cannot add '{override.path}': it already exists (write {override.path}=... to "
                f"change it, or ++{override.path}=... to add or change)",
            )
        )
        return
    if override.operation == "set" and not exists and not isinstance(parent, Spec):
        problems.append(
            ConfigProblem(
                override.location,
                override.path,
                f"{_no(parent, done, key)} (to add a key, write {_add_syntax(override)})",
            )
        )
        return
    try:
        set_child(parent, key, override.value, value_location, override.location)
    except KeyError:
        problems.append(
            ConfigProblem(
                override.location,
                override.path,
                f"{_node_kind(parent)} at '{done}' has no item '{key}' (it has {len(names)})",
            )
        )


def _add_syntax(override: Override) -> str:
    if override.text.endswith(": ..."):  # from an experiment in a config file
        return f"+{override.text.split(':')[0].lstrip('+~')}: ..."
    return f"+{override.path}=..."


def _value_location(override: Override) -> Optional[Location]:
    value = override.value
    location = getattr(value, "location", None)
    if location is not None:
        return location
    if override.location is not None and override.location.file.startswith("<override"):
        column = override.text.find("=") + 2
        return Location(override.location.file, 1, max(column, 1))
    return override.location


def apply_overrides(config: ConfigMap, overrides: Iterable[Union[str, Override]]) -> ConfigMap:
    """A copy of ``config`` with ``overrides`` applied in order.

    Args:
        config: A parsed config.
        overrides: Strings (``key.path=value``...) or :class:`Override` objects.

    Raises:
        ConfigError: every bad override, located.
    """
    result = copy_tree(config)
    problems: List[ConfigProblem] = []
    for index, override in enumerate(overrides, start=1):
        if isinstance(override, str):
            try:
                override = parse_override(override, index)
            except ConfigError as error:
                problems.extend(error.errors)
                continue
        _apply(result, override, problems)
    if problems:
        raise ConfigError(problems)
    return result
