"""Self-description of the registry: ``describe`` one tag, or a JSON Schema of them all.

:func:`describe` gives a tag's arguments (types, defaults, whether required, documentation) and
how to write it. :func:`schema` gives a JSON Schema (draft 2020-12) with one definition per
registered component, for editor completion and validation: YAML tags have no JSON form, so each
component is described by the mapping written under its tag, and ``x-yaml-custom-tags`` lists the
tags for editors that need them declared (e.g. the ``yaml.customTags`` setting of VS Code's YAML
extension).

Example:
    >>> from dynn.config.schema import describe, schema
    >>> print(describe("GRU").splitlines()[0])
    !GRU (layer): Gated recurrent unit, as ``dy.GRUBuilder``.
    >>> schema()["$defs"]["GRU"]["required"]
    ['input_dim', 'hidden_dim']
"""

import collections.abc
import inspect
import json
import typing
from typing import Any, Dict, List

from .. import registry
from .signatures import EMPTY, FUNCTION, component_info, type_name

__all__ = ["describe", "schema"]


def _default_text(value) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, (int, float, str)):
        return json.dumps(value) if isinstance(value, str) else repr(value)
    tag = registry.tag_of(value) if callable(value) else None
    if tag is not None:
        return f"!{tag}"
    return f"<{type(value).__name__}>"


def describe(tag: str) -> str:
    """A text description of the component registered under ``tag`` (with or without ``!``).

    Raises:
        KeyError: nothing is registered under ``tag`` (the message suggests a close tag).
    """
    from .errors import did_you_mean

    registry.load_components()
    tag = tag.lstrip("!")
    try:
        info = component_info(tag)
    except KeyError:
        raise KeyError(
            f"no component is registered under !{tag}{did_you_mean(tag, registry.registered())}"
        ) from None
    aliases = sorted(
        name
        for name, component in registry.registered().items()
        if component is info.component and name != info.tag
    )
    lines = [f"!{info.tag} ({info.kind}): {info.summary}".rstrip()]
    if aliases:
        lines.append("Aliases: " + ", ".join(f"!{a}" for a in aliases))
    if info.is_value:
        lines.append(
            f"Writing !{info.tag} gives the function itself; arguments bind its keyword "
            f"arguments (!{info.tag} {{name: value}})."
        )
    lines.append("")
    if info.parameters:
        lines.append("Arguments:")
        for parameter in info.parameters.values():
            text = f"  {parameter.name}: {type_name(parameter.annotation)}"
            if parameter.kind is inspect.Parameter.VAR_POSITIONAL:
                text = (
                    f"  {parameter.name}: list of {type_name(parameter.annotation)} (any "
                    f"number: *{parameter.name})"
                )
            elif parameter.kind is inspect.Parameter.VAR_KEYWORD:
                text = f"  (any other argument): {type_name(parameter.annotation)}"
            elif parameter.required:
                text += "  (required)"
            else:
                text += f" = {_default_text(parameter.default)}"
            lines.append(text)
            if parameter.doc:
                lines.append(f"      {parameter.doc}")
    else:
        lines.append("Arguments: none")
    if info.supplied:
        lines.append(f"Supplied by the builder: {', '.join(info.supplied)}")
    lines.append("")
    required = [p.name for p in info.parameters.values() if p.required]
    if info.var_positional and not required:
        example = f"!{info.tag} {{{info.var_positional}: [...]}}"
    elif required:
        example = f"!{info.tag} {{{', '.join(f'{name}: ...' for name in required)}}}"
    else:
        example = f"!{info.tag}"
    lines.append(f"Example: {example}")
    return "\n".join(lines)


def _json_default(value):
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return EMPTY


def _subclass_refs(cls, tags: Dict[str, Any]) -> List[Dict[str, str]]:
    return [
        {"$ref": f"#/$defs/{tag}"}
        for tag, component in tags.items()
        if isinstance(component, type) and issubclass(component, cls)
    ]


def _property(annotation, tags: Dict[str, Any]) -> Dict[str, Any]:
    if annotation is EMPTY or annotation is Any:
        return {}
    if annotation is type(None):
        return {"type": "null"}
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin is typing.Union:
        members = [_property(a, tags) for a in args]
        if any(not m for m in members):
            return {}
        return {"anyOf": members}
    if origin is typing.Literal:
        return {"enum": list(args)}
    if origin is collections.abc.Callable or annotation in (
        typing.Callable,
        collections.abc.Callable,
    ):
        return {"description": "a function, written as a tag (e.g. !tanh)"}
    if origin in (list, tuple, set, frozenset, collections.abc.Sequence, collections.abc.Iterable):
        if origin is tuple and args and args[-1] is not Ellipsis:
            return {
                "type": "array",
                "prefixItems": [_property(a, tags) for a in args],
                "minItems": len(args),
                "maxItems": len(args),
            }
        item = _property(args[0], tags) if args else {}
        return {"type": "array", "items": item} if item else {"type": "array"}
    if origin in (dict, collections.abc.Mapping):
        value = _property(args[1], tags) if len(args) == 2 else {}
        return {"type": "object", "additionalProperties": value or True}
    if annotation is bool:
        return {"type": "boolean"}
    if annotation is int:
        return {"type": "integer"}
    if annotation is float:
        return {"type": "number"}
    if annotation is str:
        return {"type": "string"}
    if isinstance(annotation, type):
        if annotation.__name__ in ("Parameters", "LookupParameters"):
            return {
                "type": "string",
                "description": "a shared parameter: !Ref path.to.layer.name (or omit)",
            }
        refs = _subclass_refs(annotation, tags)
        if refs:
            return {"anyOf": refs}
    return {}


def _definition(tag: str, tags: Dict[str, Any]) -> Dict[str, Any]:
    info = component_info(tag)
    properties: Dict[str, Any] = {}
    required = []
    for parameter in info.parameters.values():
        if parameter.kind is inspect.Parameter.VAR_KEYWORD:
            continue
        prop = _property(parameter.annotation, tags)
        if parameter.kind is inspect.Parameter.VAR_POSITIONAL:
            prop = {"type": "array", "items": prop} if prop else {"type": "array"}
        else:
            default = _json_default(parameter.default)
            if default is not EMPTY:
                prop = dict(prop, default=default)
            if parameter.required:
                required.append(parameter.name)
        if parameter.doc:
            prop = dict(prop, description=parameter.doc)
        properties[parameter.name] = prop
    definition: Dict[str, Any] = {
        "title": f"!{info.tag}",
        "description": info.summary,
        "type": ["object", "null"] if not required else "object",
        "properties": properties,
        "additionalProperties": info.var_keyword is not None,
        "x-dynn-tag": f"!{info.tag}",
        "x-dynn-kind": info.kind,
    }
    if required:
        definition["required"] = required
    if info.produces is FUNCTION:
        definition["x-dynn-value"] = True
    return definition


def schema() -> Dict[str, Any]:
    """A JSON Schema (draft 2020-12) of dynn configs, with a definition per registered tag."""
    registry.load_components()
    everything = registry.registered()
    canonical = {tag: c for tag, c in everything.items() if registry.entry(tag).tag == tag}
    definitions = {tag: _definition(tag, canonical) for tag in sorted(canonical)}
    layer_tags = [tag for tag in sorted(canonical) if registry.kind_of(tag) == "layer"]
    definitions["layer"] = {"anyOf": [{"$ref": f"#/$defs/{tag}"} for tag in layer_tags]}
    custom_tags = ["!Ref scalar"]
    for tag in sorted(everything):
        custom_tags.extend(f"!{tag} {kind}" for kind in ("mapping", "sequence", "scalar"))
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "dynn config",
        "description": "A dynn config: sections (model, data, train...), defaults, experiments "
        "and sweep. Components are written as YAML tags (!LSTM {...}).",
        "type": "object",
        "properties": {
            "model": {"$ref": "#/$defs/layer"},
            "defaults": {"type": "object", "properties": {"model": {"$ref": "#/$defs/layer"}}},
            "experiments": {"type": "object", "additionalProperties": {"type": ["object", "null"]}},
            "sweep": {"type": "object", "additionalProperties": {"type": "array", "minItems": 1}},
        },
        "$defs": definitions,
        "x-yaml-custom-tags": custom_tags,
    }
