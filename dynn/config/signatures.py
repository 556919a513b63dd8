"""What a registered component accepts: arguments, types, defaults, docs; and type checks.

Nothing here is written per layer: a component's arguments come from its constructor's (or
function's) signature and type annotations (``typing.get_type_hints``). A parameter named ``pc``
(or annotated ``dy.ParameterCollection``) is supplied by the builder, never written in a config.

Type checks understand plain classes (``int``, ``float``, ``str``, ``bool``, layer classes such
as ``RecurrentCell``), ``Optional[...]``, ``Union[...]``, ``List[...]``/``Sequence[...]``,
``Tuple[...]``, ``Dict[...]``, ``Callable``, ``Literal[...]`` and ``Any``; an annotation they do
not understand accepts everything (the constructor still checks its arguments).

Example:
    >>> from dynn.config.signatures import component_info, type_name
    >>> from typing import List, Optional
    >>> info = component_info("LSTM")
    >>> [p.name for p in info.parameters.values()][:3], info.supplied
    (['input_dim', 'hidden_dim', 'dropout_x'], ('pc',))
    >>> type_name(Optional[List[int]])
    'Optional[List[int]]'
"""

import collections.abc
import functools
import inspect
import re
import typing
from typing import Any, Callable, Dict, List, NamedTuple, Optional, Tuple

from .. import registry
from .nodes import ConfigMap, Ref, Spec, Unresolved

__all__ = [
    "EMPTY",
    "Parameter",
    "ComponentInfo",
    "component_info",
    "type_name",
    "type_problem",
    "convert_for_annotation",
    "describe_value",
    "FUNCTION",
]

#: Marks a parameter without annotation or without default.
EMPTY = inspect.Parameter.empty

#: The "type" produced by a tag that denotes a function (an activation).
FUNCTION = Callable

_SUPPLIED = ("pc",)
_NONE_TYPE = type(None)


class Parameter(NamedTuple):
    """One argument of a component."""

    #: Its name.
    name: str
    #: ``inspect.Parameter`` kind (``VAR_POSITIONAL`` for ``*args``...).
    kind: Any
    #: The resolved annotation, or :data:`EMPTY`.
    annotation: Any
    #: The default, or :data:`EMPTY` when the argument is required.
    default: Any
    #: Its description from the docstring's ``Args:`` section.
    doc: str

    @property
    def required(self) -> bool:
        """Whether a config must give it."""
        return self.default is EMPTY and self.kind not in (
            inspect.Parameter.VAR_POSITIONAL,
            inspect.Parameter.VAR_KEYWORD,
        )


class ComponentInfo(NamedTuple):
    """How a registered component is configured."""

    #: Its canonical tag.
    tag: str
    #: The class or function.
    component: Any
    #: Its registry kind.
    kind: str
    #: Whether the tag denotes the component itself (activations), not the result of a call.
    is_value: bool
    #: The arguments a config may give, in order (not ``pc``, nor an activation's input).
    parameters: "collections.OrderedDict[str, Parameter]"
    #: Names of the arguments the builder supplies (``pc``).
    supplied: Tuple[str, ...]
    #: The type of what the tag builds (a class), or ``None`` when unknown.
    produces: Any
    #: The first line of its docstring.
    summary: str

    @property
    def var_positional(self) -> Optional[str]:
        """Name of the ``*args`` parameter (given as a list under that name), if any."""
        for p in self.parameters.values():
            if p.kind is inspect.Parameter.VAR_POSITIONAL:
                return p.name
        return None

    @property
    def var_keyword(self) -> Optional[str]:
        """Name of the ``**kwargs`` parameter, if any (then any argument name is accepted)."""
        for p in self.parameters.values():
            if p.kind is inspect.Parameter.VAR_KEYWORD:
                return p.name
        return None

    @property
    def positional(self) -> List[Parameter]:
        """Parameters that positional arguments (``!Tag [a, b]``) bind to, in order."""
        return [
            p
            for p in self.parameters.values()
            if p.kind
            in (
                inspect.Parameter.POSITIONAL_ONLY,
                inspect.Parameter.POSITIONAL_OR_KEYWORD,
                inspect.Parameter.VAR_POSITIONAL,
            )
        ]


def _is_supplied(parameter: inspect.Parameter, annotation) -> bool:
    if parameter.name in _SUPPLIED:
        return True
    return getattr(annotation, "__name__", None) == "ParameterCollection"


def _type_hints(function) -> Dict[str, Any]:
    target = inspect.unwrap(function)
    try:
        return typing.get_type_hints(target)
    except Exception:
        hints = {}
        for name, annotation in getattr(target, "__annotations__", {}).items():
            hints[name] = EMPTY if isinstance(annotation, str) else annotation
        return hints


_ARG_LINE = re.compile(r"^(\s*)(\*{0,2}\w+(?:\s*,\s*\*{0,2}\w+)*)\s*(?:\([^)]*\))?\s*:\s*(.*)$")


def _argument_docs(doc: str) -> Dict[str, str]:
    """``name -> description`` from a Google-style ``Args:`` section."""
    docs: Dict[str, str] = {}
    lines = inspect.cleandoc(doc or "").splitlines()
    in_args, indent, current = False, None, []
    for line in lines:
        stripped = line.strip()
        if stripped in ("Args:", "Arguments:", "Parameters:", "Keyword Args:"):
            in_args, indent, current = True, None, []
            continue
        if not in_args:
            continue
        if stripped and not line.startswith(" "):
            in_args = False
            continue
        match = _ARG_LINE.match(line)
        if match and (indent is None or len(match.group(1)) <= indent):
            indent = len(match.group(1))
            current = [name.strip().lstrip("*") for name in match.group(2).split(",")]
            for name in current:
                docs[name] = match.group(3).strip()
        elif stripped and current:
            for name in current:
                docs[name] = (docs[name] + " " + stripped).strip()
    return docs


def _summary(doc: str) -> str:
    for line in inspect.cleandoc(doc or "").splitlines():
        if line.strip():
            return line.strip()
    return ""


@functools.cache
def _info(tag: str, component_id: int) -> ComponentInfo:
    entry = registry.entry(tag)
    component = entry.component
    is_class = isinstance(component, type)
    function = component.__init__ if is_class else component
    signature = inspect.signature(component)
    hints = _type_hints(function)
    doc = component.__doc__ or ""
    if is_class and function.__doc__ and "Args:" in (function.__doc__ or ""):
        doc += "\n" + function.__doc__
    arg_docs = _argument_docs(doc)
    is_value = entry.kind in registry.VALUE_KINDS
    parameters = collections.OrderedDict()
    supplied = []
    for index, p in enumerate(signature.parameters.values()):
        annotation = hints.get(p.name, EMPTY)
        if _is_supplied(p, annotation):
            supplied.append(p.name)
            continue
        if is_value and index == 0 and p.kind is not inspect.Parameter.KEYWORD_ONLY:
            continue  # an activation's input
        parameters[p.name] = Parameter(
            p.name, p.kind, annotation, p.default, arg_docs.get(p.name, "")
        )
    if is_value:
        produces = FUNCTION
    elif is_class:
        produces = component
    else:
        returned = hints.get("return", EMPTY)
        produces = returned if isinstance(returned, type) and returned is not EMPTY else None
    return ComponentInfo(
        entry.tag, component, entry.kind, is_value, parameters, tuple(supplied), produces,
        _summary(component.__doc__ or ""),
    )  # fmt: skip


def component_info(tag: str) -> ComponentInfo:
    """The :class:`ComponentInfo` of the component registered under ``tag``.

    Raises:
        KeyError: nothing is registered under ``tag``.
    """
    entry = registry.entry(tag)
    return _info(entry.tag, id(entry.component))


# Type names and checks ---------------------------------------------------------------------------
_ORIGIN_NAMES = {
    list: "List",
    tuple: "Tuple",
    dict: "Dict",
    set: "Set",
    frozenset: "FrozenSet",
    type: "Type",
    collections.abc.Callable: "Callable",
    collections.abc.Sequence: "Sequence",
    collections.abc.Mapping: "Mapping",
    collections.abc.Iterable: "Iterable",
}


def type_name(annotation) -> str:
    """A short readable name for an annotation (``Optional[List[int]]``, ``dy.Parameters``)."""
    if annotation is EMPTY or annotation is Any:
        return "any"
    if annotation is _NONE_TYPE or annotation is None:
        return "null"
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin is typing.Union:
        members = [a for a in args if a is not _NONE_TYPE]
        inner = members[0] if len(members) == 1 else None
        if inner is not None and len(args) == 2:
            return f"Optional[{type_name(inner)}]"
        return f"Union[{', '.join(type_name(a) for a in args)}]"
    if origin is typing.Literal:
        return f"Literal[{', '.join(repr(a) for a in args)}]"
    if origin is collections.abc.Callable:
        return "Callable"
    if origin is not None:
        name = _ORIGIN_NAMES.get(origin, getattr(origin, "__name__", str(origin)))
        if args:
            return f"{name}[{', '.join('...' if a is Ellipsis else type_name(a) for a in args)}]"
        return name
    if annotation is Callable or annotation is collections.abc.Callable:
        return "Callable"
    if isinstance(annotation, type):
        if annotation.__module__ in ("_dynet", "dynet"):
            return f"dy.{annotation.__name__}"
        return annotation.__name__
    return str(annotation).replace("typing.", "")


def describe_value(value, produced=None) -> str:
    """How a config value is named in messages (``str 'abc'``, ``!LSTM``, ``a list``)."""
    if isinstance(value, Spec):
        return f"!{value.tag}"
    if isinstance(value, Ref):
        made = f" ({type_name(produced)})" if isinstance(produced, type) else ""
        return f"!Ref {value.path}{made}"
    if value is None:
        return "null"
    if isinstance(value, (bool, int, float, str)):
        text = repr(value) if not isinstance(value, bool) else str(value).lower()
        if len(text) > 40:
            text = text[:37] + "..."
        return f"{type(value).__name__} {text}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return f"a {type(value).__name__}"


def _is_parameters_type(annotation) -> bool:
    return isinstance(annotation, type) and annotation.__name__ in (
        "Parameters",
        "LookupParameters",
    )


def _accepts(annotation, value, produced_of) -> Optional[bool]:
    """True/False when known, None when the check cannot tell."""
    if annotation is EMPTY or annotation is Any or annotation is object:
        return True
    if isinstance(annotation, (str, typing.ForwardRef, typing.TypeVar)):
        return True
    if isinstance(value, Unresolved):
        return True
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin is typing.Union:
        results = [_accepts(member, value, produced_of) for member in args]
        if any(r is True for r in results):
            return True
        return None if any(r is None for r in results) else False
    if value is None:
        return annotation is _NONE_TYPE or annotation is None
    if origin is typing.Literal:
        return value in args
    if isinstance(value, (Spec, Ref)):
        produced = produced_of(value)
        if produced is None:
            return None
        return _type_accepts_type(annotation, produced)
    if origin is collections.abc.Callable or annotation in (Callable, collections.abc.Callable):
        return callable(value) and not isinstance(value, type)
    if origin is not None:
        if origin in (list, tuple, set, frozenset) or (
            isinstance(origin, type)
            and issubclass(origin, collections.abc.Iterable)
            and not issubclass(origin, collections.abc.Mapping)
        ):
            if isinstance(value, str) or not isinstance(value, (list, tuple)):
                return False
            if origin is tuple and args and args[-1] is not Ellipsis:
                if len(args) != len(value):
                    return False
                return _all([_accepts(a, v, produced_of) for a, v in zip(args, value)])
            item = args[0] if args else EMPTY
            return _all([_accepts(item, v, produced_of) for v in value])
        if isinstance(origin, type) and issubclass(origin, collections.abc.Mapping):
            if not isinstance(value, dict):
                return False
            item = args[1] if len(args) == 2 else EMPTY
            return _all([_accepts(item, v, produced_of) for v in value.values()])
        return None
    if not isinstance(annotation, type):
        return None
    if isinstance(value, bool):
        return issubclass(bool, annotation)
    if isinstance(value, int):
        return annotation in (int, float, complex) or issubclass(int, annotation)
    if isinstance(value, float):
        return annotation in (float, complex) or issubclass(float, annotation)
    if isinstance(value, str):
        if issubclass(str, annotation):
            return True
        return None if annotation.__module__ in ("pathlib", "os") else False
    if isinstance(value, (list, tuple)):
        if _is_parameters_type(annotation):
            return False
        if annotation.__module__ == "numpy":
            return None
        return issubclass(annotation, (list, tuple))
    if isinstance(value, dict):
        return issubclass(annotation, dict)
    return isinstance(value, annotation)


def _instances_callable(cls) -> bool:
    return any("__call__" in vars(klass) for klass in cls.__mro__ if klass is not object)


def _all(results) -> Optional[bool]:
    if any(r is False for r in results):
        return False
    return None if any(r is None for r in results) else True


def _type_accepts_type(annotation, produced) -> Optional[bool]:
    if produced is FUNCTION:
        if annotation is EMPTY or annotation in (Callable, collections.abc.Callable, object):
            return True
        if typing.get_origin(annotation) is collections.abc.Callable:
            return True
        return None if not isinstance(annotation, type) else False
    if not isinstance(produced, type):
        return None
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin is typing.Union:
        results = [_type_accepts_type(member, produced) for member in args]
        if any(r is True for r in results):
            return True
        return None if any(r is None for r in results) else False
    if origin is collections.abc.Callable or annotation in (Callable, collections.abc.Callable):
        return _instances_callable(produced)
    if origin is not None:
        origin_type = origin if isinstance(origin, type) else None
        if origin_type is None:
            return None
        return issubclass(produced, origin_type) or None
    if not isinstance(annotation, type):
        return None
    if issubclass(produced, annotation):
        return True
    return False


def type_problem(value, annotation, produced_of=lambda node: None, default=EMPTY) -> Optional[str]:
    """Why ``value`` does not fit ``annotation`` (``None`` if it fits or cannot be checked).

    Args:
        value: A config value (scalar, list, mapping, spec, reference or context object).
        annotation: The parameter's annotation.
        produced_of: Gives the type a spec or reference builds (``None``: unknown).
        default: The parameter's default; ``null`` is accepted when it is ``None``.
    """
    if value is None and default is None:
        return None
    if _accepts(annotation, value, produced_of) is not False:
        return None
    produced = produced_of(value) if isinstance(value, (Spec, Ref)) else None
    message = f"expected {type_name(annotation)}, got {describe_value(value, produced)}"
    wants_callable = _wants(annotation, lambda a: a in (Callable, collections.abc.Callable))
    if isinstance(value, str) and wants_callable:
        try:
            tag = registry.entry(value).tag
            message += f"; a function is written as a tag: !{tag}"
        except KeyError:
            message += "; a function is written as a tag, e.g. !tanh"
    elif _wants(annotation, _is_parameters_type) and not isinstance(value, (Spec, Ref)):
        message += "; share a parameter with !Ref path.to.layer.W, or leave the argument out"
    elif isinstance(value, Spec) and isinstance(produced, type):
        message = f"expected {type_name(annotation)}, got !{value.tag}"
        if type_name(produced) != value.tag:
            message += f" (a {type_name(produced)})"
    return message


def _wants(annotation, predicate) -> bool:
    if predicate(annotation):
        return True
    origin = typing.get_origin(annotation)
    if origin is collections.abc.Callable:
        return predicate(Callable)
    if origin is typing.Union:
        return any(_wants(a, predicate) for a in typing.get_args(annotation))
    return False


def convert_for_annotation(value, annotation):
    """Containers as the annotation wants them: a list becomes a tuple for ``Tuple[...]``."""
    if isinstance(value, list):
        origin = typing.get_origin(annotation)
        members = typing.get_args(annotation) if origin is typing.Union else (annotation,)
        for member in members:
            member_origin = typing.get_origin(member) or member
            if member_origin is tuple:
                return tuple(value)
            if member_origin in (list, collections.abc.Sequence) or member is list:
                return list(value)
        return list(value)
    if isinstance(value, ConfigMap):
        return dict(value)
    return value
