"""Building objects from a validated config.

:func:`build` resolves interpolations, validates the section to build (every problem at once),
then constructs it bottom-up: arguments first, then the component. The model's
``dy.ParameterCollection`` is given to every constructor that has a ``pc`` parameter. A spec is
built once per path, so every ``!Ref`` to it gets the same object (and shares its parameters).
An exception raised by a constructor is reported with the spec's location, chained to the
original exception; the other branches are still built so that all such errors are reported
together.

Example:
    >>> from dynn.config import build, parse
    >>> config = parse('''
    ... model: !StackedRecurrentCells
    ...   cells:
    ...     - !LSTM {input_dim: 2, hidden_dim: 3}
    ...     - !GRU {input_dim: 3, hidden_dim: ${data.dim}}
    ... ''')
    >>> stack = build(config, context={"data": {"dim": 4}})
    >>> [type(cell).__name__ for cell in stack.cells], stack.hidden_dim
    (['LSTM', 'GRU'], 4)
"""

import functools
import inspect
from typing import Any, Dict, List, Optional

from .errors import ConfigError, ConfigProblem
from .nodes import ConfigList, ConfigMap, PathError, Ref, Spec, Unresolved, join_path
from .references import ContextTarget, NodeTarget, find_target, resolve_interpolations
from .signatures import component_info, convert_for_annotation
from .validation import _Validator

__all__ = ["Builder", "build", "SPEC_ATTRIBUTE", "built_from"]

#: Instance attribute where a layer built from a config keeps ``(spec, path)``.
SPEC_ATTRIBUTE = "__dynn_spec__"

_FAILED = object()
_EMPTY = inspect.Parameter.empty


def built_from(layer):
    """``(spec, path)`` of the config node ``layer`` was built from, or ``None``."""
    return getattr(layer, "__dict__", {}).get(SPEC_ATTRIBUTE)


class Builder:
    """Builds sections of one config, sharing one parameter collection and one set of objects.

    Args:
        config: A parsed config (:func:`~dynn.config.loader.parse`,
            :func:`~dynn.config.loader.load_config`).
        context: Values derived from data, addressable from the config by name
            (``{"data": {"vocab_size": 1000}}``).
        pc: The parameter collection given to every parametrised component (a new one if
            ``None``).

    Example:
        >>> import dynet as dy
        >>> from dynn.config import Builder, parse
        >>> builder = Builder(parse("model: !LSTM [2, 3]\\nopt: !SimpleSGDTrainer {}"))
        >>> lstm, trainer = builder.build("model"), builder.build("opt")
        >>> isinstance(trainer, dy.SimpleSGDTrainer), lstm.hidden_dim
        (True, 3)
    """

    def __init__(self, config, context: Optional[Dict[str, Any]] = None, pc=None):
        self.source = config
        self.context = dict(context or {})
        self._pc = pc
        self.config, self._interpolation_problems = resolve_interpolations(config, self.context)
        self._built: Dict[str, Any] = {}
        self._building: List[str] = []
        self._problems: List[ConfigProblem] = []

    @property
    def pc(self):
        """The ``dy.ParameterCollection`` given to components (created on first use)."""
        if self._pc is None:
            import dynet as dy

            self._pc = dy.ParameterCollection()
        return self._pc

    def check(self, path: str = "") -> List[ConfigProblem]:
        """Every problem of the section at ``path`` (``""``: the whole document), unbuilt."""
        validator = _Validator(self.config, self.context)
        if path:
            try:
                from .nodes import get_node

                node = get_node(self.config, path)
            except PathError as error:
                return [ConfigProblem(getattr(self.config, "location", None), path, str(error))]
            validator.visit(node, path)
        else:
            validator.visit(self.config, "")
        visited = validator.done
        problems = [
            p
            for p in self._interpolation_problems
            if p.path in visited or not path or validator.unresolved
        ]
        return problems + validator.problems

    def build(self, path: str = "model"):
        """Validate, then build the section at the dotted ``path``.

        Raises:
            ConfigError: every problem found, located; when constructors raised, the first
                exception is chained as ``__cause__``.
        """
        problems = self.check(path)
        if problems:
            raise ConfigError(problems)
        from .nodes import get_node

        node = get_node(self.config, path)
        self._problems = []
        result = self._build(node, path)
        if result is _FAILED and not self._problems:  # should not happen: be explicit anyway
            self._problems.append(
                ConfigProblem(getattr(node, "location", None), path, "could not be built")
            )
        if self._problems or result is _FAILED:
            error = ConfigError(self._problems)
            causes = [p.cause for p in self._problems if p.cause is not None]
            if causes:
                raise error from causes[0]
            raise error
        return result

    # Nodes -------------------------------------------------------------------------------------
    def _build(self, node, path: str):
        if isinstance(node, Ref):
            return self._build_ref(node, path)
        if isinstance(node, Unresolved):
            return _FAILED
        if not isinstance(node, (Spec, ConfigMap, ConfigList)):
            return node
        if path in self._built:
            return self._built[path]
        if path in self._building:
            chain = self._building[self._building.index(path) :] + [path]
            self._problems.append(
                ConfigProblem(
                    getattr(node, "location", None),
                    path,
                    "reference cycle: " + " -> ".join(chain),
                )
            )
            return _FAILED
        self._building.append(path)
        try:
            if isinstance(node, Spec):
                result = self._build_spec(node, path)
            elif isinstance(node, ConfigMap):
                result = {key: self._build(v, join_path(path, key)) for key, v in node.items()}
                if any(v is _FAILED for v in result.values()):
                    result = _FAILED
            else:
                result = [self._build(v, join_path(path, i)) for i, v in enumerate(node)]
                if any(v is _FAILED for v in result):
                    result = _FAILED
        finally:
            self._building.pop()
        if result is not _FAILED:
            self._built[path] = result
        return result

    def _build_ref(self, ref: Ref, path: str):
        try:
            target = find_target(self.config, ref.path, self.context)
        except PathError as error:
            self._problems.append(
                ConfigProblem(ref.location, path, f"unresolved reference !Ref {ref.path}: {error}")
            )
            return _FAILED
        if isinstance(target, ContextTarget):
            return target.value
        if isinstance(target, NodeTarget):
            return self._build(target.node, target.path)
        built = self._build(target.spec, target.spec_path)
        if built is _FAILED:
            return _FAILED
        try:
            return _attribute_path(built, target.rest)
        except KeyError as error:
            self._problems.append(
                ConfigProblem(ref.location, path, f"unresolved reference !Ref {ref.path}: {error}")
            )
            return _FAILED

    def _build_spec(self, spec: Spec, path: str):
        info = component_info(spec.tag)
        args = [self._build(v, join_path(path, i)) for i, v in enumerate(spec.args)]
        kwargs = {k: self._build(v, join_path(path, k)) for k, v in spec.kwargs.items()}
        if any(v is _FAILED for v in args) or any(v is _FAILED for v in kwargs.values()):
            return _FAILED
        component = info.component
        if info.is_value:
            return functools.partial(component, **kwargs) if kwargs else component
        call_args, call_kwargs = self._bind(info, args, kwargs)
        try:
            result = component(*call_args, **call_kwargs)
        except Exception as error:
            self._problems.append(
                ConfigProblem(
                    spec.location,
                    path,
                    f"!{spec.tag} raised {type(error).__name__}: {error}",
                    cause=error,
                )
            )
            return _FAILED
        if _is_layer(result):
            result.__dict__[SPEC_ATTRIBUTE] = (spec, path)
        return result

    def _bind(self, info, args: list, kwargs: dict):
        """Positional and keyword arguments for the component's call."""
        signature = inspect.signature(info.component)
        values: Dict[str, Any] = {}
        varargs: list = []
        extra: Dict[str, Any] = {}
        positional = info.positional
        var_name = info.var_positional
        for index, value in enumerate(args):
            parameter = positional[min(index, len(positional) - 1)]
            if parameter.name == var_name and index >= len(positional) - 1:
                varargs.append(value)
            else:
                values[positional[index].name] = value
        for key, value in kwargs.items():
            if key == var_name:
                varargs.extend(value)
            elif key in info.parameters and key != info.var_keyword:
                values[key] = value
            else:
                extra[key] = value
        for name, value in list(values.items()):
            values[name] = convert_for_annotation(value, info.parameters[name].annotation)
        for name in info.supplied:
            values[name] = self.pc
        call_args, call_kwargs = [], {}
        for parameter in signature.parameters.values():
            if parameter.kind is inspect.Parameter.VAR_POSITIONAL:
                call_args.extend(varargs)
                varargs = None
            elif parameter.kind is inspect.Parameter.VAR_KEYWORD:
                call_kwargs.update(extra)
            elif parameter.kind is inspect.Parameter.POSITIONAL_ONLY or (
                varargs and parameter.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD
            ):
                value = values.get(parameter.name, parameter.default)
                if value is _EMPTY:
                    break  # missing: validation reported it
                call_args.append(value)
            elif parameter.name in values:
                call_kwargs[parameter.name] = values[parameter.name]
        return call_args, call_kwargs


def _is_layer(value) -> bool:
    import sys

    base = sys.modules.get("dynn.layers.base_layers")
    return base is not None and isinstance(value, base.BaseLayer)


def _allowed(value) -> bool:
    """What a reference into a built object may return (never functions, classes or modules)."""
    if value is None or isinstance(value, (bool, int, float, str)) or _is_layer(value):
        return True
    if type(value).__name__ in ("Parameters", "LookupParameters"):
        return True
    if isinstance(value, (list, tuple)):
        return all(_allowed(v) for v in value)
    if isinstance(value, dict):
        return all(_allowed(v) for v in value.values())
    return False


def _attribute_path(obj, parts):
    """``obj.parts[0].parts[1]...`` through layers' parameters, sublayers and public
    attributes, lists and dicts only."""
    value = obj
    for part in parts:
        if part.startswith("_"):
            raise KeyError(f"'{part}': private attributes cannot be referenced")
        if _is_layer(value):
            own = dict(getattr(value, "_parameters", {}))
            own.update(getattr(value, "_lookup_parameters", {}))
            if part in own:
                value = own[part]
                continue
            if part in vars(value):
                value = vars(value)[part]
                continue
            if hasattr(type(value), part) and isinstance(getattr(type(value), part), property):
                value = getattr(value, part)
                continue
            names = sorted(set(own) | {k for k in vars(value) if not k.startswith("_")})
            from .errors import did_you_mean

            hint = did_you_mean(part, names) or f" (it has: {', '.join(names)})"
            raise KeyError(f"{type(value).__name__} '{value.name}' has no '{part}'{hint}")
        if isinstance(value, (list, tuple)) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        elif isinstance(value, dict) and part in value:
            value = value[part]
        else:
            raise KeyError(f"{type(value).__name__} has no '{part}'")
    if not _allowed(value):
        raise KeyError(
            f"'{'.'.join(parts)}' is a {type(value).__name__}: only layers, parameters and plain "
            f"values can be referenced"
        )
    return value


def build(
    config,
    context: Optional[Dict[str, Any]] = None,
    pc=None,
    path: str = "model",
    overrides=(),
):
    """Build the section ``path`` (default ``model``) of ``config``.

    Args:
        config: A parsed config, or the path of a YAML file.
        context: Values derived from data, referenced from the config as ``${name.key}`` or
            ``!Ref name.key`` (e.g. ``{"data": {"vocab_size": 1000}}``).
        pc: The parameter collection (a new one if ``None``).
        path: The dotted path of the section to build.
        overrides: ``key.path=value`` strings applied first (:mod:`dynn.config.overrides`).

    Returns:
        The built object.

    Raises:
        ConfigError: every problem found, located (constructor exceptions chained).
    """
    if not isinstance(config, ConfigMap):
        from .loader import load_config

        config = load_config(config)
    if overrides:
        from .overrides import apply_overrides

        config = apply_overrides(config, overrides)
    return Builder(config, context=context, pc=pc).build(path)
