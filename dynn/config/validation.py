"""Validation of a (resolved) config before anything is built, reporting every problem at once.

Checks, each reported as ``FILE:LINE:COL (dotted.path): message``:

- unknown tags (with a did-you-mean among registered tags);
- unknown arguments (did-you-mean among the component's arguments), arguments given twice,
  too many positional arguments, ``pc`` written in the config;
- missing required arguments;
- argument types, from the constructor's annotations (see :mod:`dynn.config.signatures`);
- ``!Ref`` to paths that do not exist, and reference cycles (printing the chain).

Example:
    >>> from dynn.config.loader import parse
    >>> from dynn.config.validation import validate
    >>> config = parse("model: !LSTM {input_dim: 2, hiden_dim: 3}", filename="m.yaml")
    >>> for problem in validate(config):
    ...     print(problem)
    m.yaml:1:29 (model.hiden_dim): !LSTM has no argument 'hiden_dim'; did you mean 'hidden_dim'?
    m.yaml:1:8 (model): !LSTM is missing the required argument 'hidden_dim'
"""

import inspect
from typing import Any, Dict, Iterable, List, Optional

from .. import registry
from .errors import ConfigProblem, did_you_mean
from .nodes import (
    PathError,
    Ref,
    Spec,
    Unresolved,
    children,
    get_node,
    is_container,
    join_path,
    key_location_of,
    location_of,
)
from .references import ContextTarget, NodeTarget, ObjectTarget, find_target
from .signatures import component_info, type_problem

__all__ = ["validate", "produced_type"]


def produced_type(root, node, context=None, _depth: int = 0):
    """The type a config ``node`` builds (a class), or ``None`` when it cannot be known."""
    if _depth > 50:
        return None
    if isinstance(node, Spec):
        try:
            return component_info(node.tag).produces
        except KeyError:
            return None
    if isinstance(node, Ref):
        try:
            target = find_target(root, node.path, context)
        except PathError:
            return None
        if isinstance(target, NodeTarget):
            if isinstance(target.node, (Spec, Ref)):
                return produced_type(root, target.node, context, _depth + 1)
            return type(target.node) if not isinstance(target.node, Unresolved) else None
        if isinstance(target, ContextTarget):
            return type(target.value)
        return None
    return None


class _Validator:
    def __init__(self, root, context):
        self.root = root
        self.context = context or {}
        self.problems: List[ConfigProblem] = []
        self.done = set()
        self.stack: List[str] = []
        self.labels: List[str] = []
        self.unresolved = False  # whether an unresolved interpolation was met
        registry.load_components()

    def add(self, location, path, message):
        self.problems.append(ConfigProblem(location, path, message))

    def produced(self, node):
        return produced_type(self.root, node, self.context)

    # Traversal ---------------------------------------------------------------------------------
    def visit(self, node, path: str, label: Optional[str] = None) -> None:
        if path in self.stack:
            start = self.stack.index(path)
            chain = self.labels[start:] + [path]
            self.add(
                self._cycle_location(start),
                self.stack[-1],
                "reference cycle: " + " -> ".join(chain),
            )
            return
        if path in self.done:
            return
        if isinstance(node, Unresolved):
            self.unresolved = True
        self.stack.append(path)
        self.labels.append(label or path)
        try:
            if isinstance(node, Spec):
                self.check_spec(node, path)
            if isinstance(node, Ref):
                self.visit_ref(node, path)
            elif is_container(node):
                for key, child in children(node):
                    self.visit(child, join_path(path, key))
        finally:
            self.stack.pop()
            self.labels.pop()
        self.done.add(path)

    def _cycle_location(self, start: int):
        for path in reversed(self.stack[start:]):
            try:
                node = get_node(self.root, path) if path else self.root
            except PathError:
                continue
            if isinstance(node, Ref):
                return node.location
        return None

    def visit_ref(self, ref: Ref, path: str) -> None:
        self.labels[-1] = f"{path} (!Ref {ref.path})"
        try:
            target = find_target(self.root, ref.path, self.context)
        except PathError as error:
            self.add(ref.location, path, f"unresolved reference !Ref {ref.path}: {error}")
            return
        if isinstance(target, NodeTarget):
            self.visit(target.node, target.path)
        elif isinstance(target, ObjectTarget):
            if target.spec_path in self.stack:
                names = list(target.spec.kwargs)
                try:
                    names += list(component_info(target.spec.tag).parameters)
                except KeyError:
                    pass
                hint = did_you_mean(target.rest[0], names).lstrip("; ")
                self.add(
                    ref.location,
                    path,
                    f"unresolved reference !Ref {ref.path}: !{target.spec.tag} at "
                    f"'{target.spec_path}' has no argument '{target.rest[0]}'"
                    f"{f' ({hint})' if hint else ''}; reading it from the built object is a "
                    f"cycle, since that object contains this reference",
                )
                return
            self.visit(target.spec, target.spec_path)

    # Specs -------------------------------------------------------------------------------------
    def check_spec(self, spec: Spec, path: str) -> None:
        try:
            info = component_info(spec.tag)
        except KeyError:
            tags = sorted(registry.registered())
            self.add(
                spec.location,
                path,
                f"unknown tag !{spec.tag}{did_you_mean(spec.tag, tags)} (see `dynn config "
                f"schema` or `dynn config describe TAG` for the registered tags)",
            )
            return
        where = f"!{spec.tag}"
        bound: Dict[str, List] = {}  # name -> [(value, location, child path)]
        if spec.args and info.is_value:
            self.add(spec.location, path, f"{where} takes keyword arguments only")
        elif spec.args:
            positional = info.positional
            for index, value in enumerate(spec.args):
                item = (value, location_of(spec, index), join_path(path, index))
                varargs = bool(positional) and positional[-1].kind is (
                    inspect.Parameter.VAR_POSITIONAL
                )
                if index < len(positional) - int(varargs):
                    name = positional[index].name
                elif varargs:
                    name = positional[-1].name
                else:
                    names = ", ".join(p.name for p in positional)
                    self.add(
                        item[1],
                        item[2],
                        f"{where} takes at most {len(positional)} positional arguments "
                        f"({names}), got {len(spec.args)}",
                    )
                    break
                bound.setdefault(name, []).append(item)
        var_positional = info.var_positional
        for key, value in spec.kwargs.items():
            key_location = key_location_of(spec, key)
            child = join_path(path, key)
            if key in info.supplied:
                self.add(
                    key_location,
                    child,
                    f"{where}: '{key}' is supplied by the builder (the model's "
                    f"ParameterCollection); remove it from the config",
                )
            elif key in bound:
                self.add(key_location, child, f"{where}: argument '{key}' is given twice")
            elif key == var_positional:
                if isinstance(value, list):
                    bound[key] = [
                        (item, location_of(value, i), join_path(child, i))
                        for i, item in enumerate(value)
                    ]
                elif not isinstance(value, (Ref, Unresolved)):
                    self.add(
                        location_of(spec, key),
                        child,
                        f"{where}: '{key}' collects any number of arguments (*{key}); give a list",
                    )
            elif key in info.parameters and key != info.var_keyword:
                bound[key] = [(value, location_of(spec, key), child)]
            elif info.var_keyword is not None:
                bound.setdefault(info.var_keyword, []).append(
                    (value, location_of(spec, key), child)
                )
            else:
                names = [n for n in info.parameters if n != info.var_keyword]
                hint = did_you_mean(key, names)
                if not hint:
                    hint = f" (its arguments: {', '.join(names)})" if names else " (no arguments)"
                self.add(key_location, child, f"{where} has no argument '{key}'{hint}")
        if not info.is_value:
            missing = [
                p.name for p in info.parameters.values() if p.required and p.name not in bound
            ]
            if missing:
                quoted = ", ".join(f"'{name}'" for name in missing)
                plural = "s" if len(missing) > 1 else ""
                self.add(
                    spec.location,
                    path,
                    f"{where} is missing the required argument{plural} {quoted}",
                )
        for name, items in bound.items():
            parameter = info.parameters[name]
            for value, location, child in items:
                problem = type_problem(
                    value, parameter.annotation, self.produced, parameter.default
                )
                if problem:
                    self.add(location, child, f"{where} argument '{name}': {problem}")


def validate(
    config, context: Optional[Dict[str, Any]] = None, roots: Iterable[str] = ("",)
) -> List[ConfigProblem]:
    """Every problem of the config (already interpolated) under the dotted paths ``roots``.

    Nodes that references under ``roots`` point to are validated too. An empty root (``""``)
    is the whole document.

    Returns:
        The problems, in the order found (``ConfigError`` sorts them by location).
    """
    validator = _Validator(config, context)
    for root in roots:
        if root == "":
            validator.visit(config, "")
            continue
        try:
            node = get_node(config, root)
        except PathError as error:
            validator.add(getattr(config, "location", None), root, f"no section: {error}")
            continue
        validator.visit(node, root)
    return validator.problems
