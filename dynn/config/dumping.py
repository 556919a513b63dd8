"""From built objects back to YAML, and config trees to YAML text.

Every layer remembers the arguments of its constructor (recorded by
:class:`~dynn.layers.base_layers.BaseLayer` for layers built in Python as well as from a config),
so :func:`dump` can write any model as a config that builds the same tree:

- a layer becomes ``!ClassName {arguments}``; the builder-supplied ``pc`` is left out;
- a layer met a second time becomes ``!Ref path.of.its.first.occurrence`` (tied layers stay
  tied); a shared ``dy.Parameters`` becomes ``!Ref path.of.its.owner.name``;
- registered functions become their tag (``!tanh``), ``functools.partial`` of one its tag with
  arguments (``!leaky_relu {alpha: 0.2}``); tuples become lists;
- other objects (a DyNet initializer, a vocabulary given as context) are written as the config
  node they were built from, when the layer was built from a config (``!NormalInit {std: 0.1}``,
  ``${data.vocab}``); otherwise :class:`DumpError` names the layer and the argument.

Example:
    >>> import dynet as dy
    >>> from dynn.layers.recurrent_layers import LSTM, StackedRecurrentCells
    >>> from dynn.config import dump
    >>> pc = dy.ParameterCollection()
    >>> first = LSTM(pc, 2, 3)
    >>> print(dump(StackedRecurrentCells(first, LSTM(pc, 3, 3, Whh=first.parameters["Whh"]))))
    model: !StackedRecurrentCells
      cells:
      - !LSTM {input_dim: 2, hidden_dim: 3}
      - !LSTM
        input_dim: 3
        hidden_dim: 3
        Whh: !Ref model.cells.0.Whh
    <BLANKLINE>
"""

import functools
import inspect
from typing import Any, Dict, List, Optional

import yaml

from .. import registry
from .._recording import constructor_call
from .nodes import ConfigList, ConfigMap, Ref, Spec, Unresolved, join_path

__all__ = ["DumpError", "dump", "to_config", "dumps", "ConfigDumper"]


class DumpError(ValueError):
    """An object cannot be written as a config (the message names the layer and argument)."""


# YAML emission ----------------------------------------------------------------------------------
class ConfigDumper(yaml.SafeDumper):
    """A ``yaml.SafeDumper`` that writes :class:`~dynn.config.nodes.Spec` as ``!Tag`` nodes and
    :class:`~dynn.config.nodes.Ref` as ``!Ref path``; small mappings of plain values are written
    on one line; no anchors."""

    def ignore_aliases(self, data) -> bool:
        return True

    def choose_scalar_style(self):
        event = self.event
        tag = event.tag or ""
        if event.value == "" and tag.startswith("!") and not tag.startswith("!!"):
            return "" if not self.flow_level else "'"
        if tag == "!Ref":
            if self.analysis is None:
                self.analysis = self.analyze_scalar(event.value)
            if self.analysis.allow_block_plain and not self.flow_level:
                return ""
            if self.analysis.allow_flow_plain and self.flow_level:
                return ""
        return super().choose_scalar_style()


def _is_plain(value) -> bool:
    return value is None or isinstance(value, (bool, int, float, str))


def _flow(values) -> bool:
    values = list(values)
    return len(values) <= 8 and all(_is_plain(v) for v in values)


def _represent_mapping(dumper, tag, mapping):
    return dumper.represent_mapping(tag, list(mapping.items()), flow_style=_flow(mapping.values()))


def _represent_sequence(dumper, tag, sequence):
    return dumper.represent_sequence(tag, list(sequence), flow_style=_flow(sequence))


def _represent_spec(dumper, spec: Spec):
    if spec.kwargs:
        if spec.args:
            raise DumpError(f"!{spec.tag} has both positional and keyword arguments")
        return _represent_mapping(dumper, f"!{spec.tag}", spec.kwargs)
    if spec.args:
        return _represent_sequence(dumper, f"!{spec.tag}", spec.args)
    return dumper.represent_scalar(f"!{spec.tag}", "", style="")


def _represent_ref(dumper, ref: Ref):
    return dumper.represent_scalar("!Ref", ref.path)


def _represent_numpy(dumper, value):
    return dumper.represent_data(value.item() if value.ndim == 0 else value.tolist())


ConfigDumper.add_multi_representer(Spec, _represent_spec)
ConfigDumper.add_multi_representer(Ref, _represent_ref)
ConfigDumper.add_representer(Unresolved, lambda dumper, value: dumper.represent_str(value.text))
for _add in (ConfigDumper.add_representer, ConfigDumper.add_multi_representer):
    _add(dict, lambda dumper, value: _represent_mapping(dumper, "tag:yaml.org,2002:map", value))
    _add(list, lambda dumper, value: _represent_sequence(dumper, "tag:yaml.org,2002:seq", value))
    _add(tuple, lambda dumper, value: _represent_sequence(dumper, "tag:yaml.org,2002:seq", value))
try:
    import numpy as np

    ConfigDumper.add_multi_representer(np.generic, _represent_numpy)
    ConfigDumper.add_representer(np.ndarray, _represent_numpy)
except ImportError:  # pragma: no cover
    pass


def dumps(tree) -> str:
    """YAML text for a config tree (as parsed, overridden or produced by :func:`to_config`).

    Raises:
        DumpError: the tree holds an object that has no YAML form.
    """
    try:
        return yaml.dump(
            tree,
            Dumper=ConfigDumper,
            sort_keys=False,
            default_flow_style=False,
            allow_unicode=True,
            width=100,
        )
    except yaml.representer.RepresenterError as error:
        value = error.args[1] if len(error.args) > 1 else error
        raise DumpError(f"cannot write a {type(value).__name__} in a config: {value!r}") from None


# Objects to config trees -----------------------------------------------------------------------
def _is_layer(value) -> bool:
    import sys

    base = sys.modules.get("dynn.layers.base_layers")
    return base is not None and isinstance(value, base.BaseLayer)


def _parameter_kind(value) -> Optional[str]:
    name = type(value).__name__
    return name if name in ("Parameters", "LookupParameters") else None


class _ParameterRef(Ref):
    """A reference to a shared parameter, resolved once every owner is known."""

    def __init__(self, parameter, where: str):
        super().__init__("?", None)
        self.parameter = parameter
        self.where = where


class _ToConfig:
    def __init__(self, include_defaults: bool):
        self.include_defaults = include_defaults
        self.paths: Dict[int, str] = {}
        self.layers: List = []  # (path, layer) in dump order
        self.parameter_refs: List[_ParameterRef] = []

    def layer(self, layer, path: str):
        if id(layer) in self.paths:
            return Ref(self.paths[id(layer)])
        self.paths[id(layer)] = path
        self.layers.append((path, layer))
        cls = type(layer)
        tag = registry.tag_of(cls)
        if tag is None:
            raise DumpError(
                f"{cls.__name__} at '{path}' is not registered (its name starts with '_' or it "
                f"was declared with register=False), so it cannot be written in a config"
            )
        call = constructor_call(layer)
        if call is None:
            raise DumpError(
                f"{cls.__name__} at '{path}': its constructor arguments were not recorded"
            )
        spec = Spec(tag)
        provenance = getattr(layer, "__dict__", {}).get("__dynn_spec__")
        parameters = call.signature.parameters
        for name, value in call.arguments.items():
            parameter = parameters[name]
            if name == "pc" or type(value).__name__ == "ParameterCollection":
                continue
            child = join_path(path, name)
            if parameter.kind is inspect.Parameter.VAR_POSITIONAL:
                if value:
                    spec.kwargs[name] = ConfigList(
                        [
                            self.value(v, join_path(child, i), layer, name, provenance, i)
                            for i, v in enumerate(value)
                        ]
                    )
            elif parameter.kind is inspect.Parameter.VAR_KEYWORD:
                for key, item in value.items():
                    spec.kwargs[key] = self.value(
                        item, join_path(path, key), layer, key, provenance
                    )
            else:
                spec.kwargs[name] = self.value(value, child, layer, name, provenance)
        if self.include_defaults:
            for name, parameter in parameters.items():
                if name in call.arguments or name == "pc" or parameter.default in (None, _EMPTY):
                    continue
                if parameter.kind in (
                    inspect.Parameter.VAR_POSITIONAL,
                    inspect.Parameter.VAR_KEYWORD,
                ):
                    continue
                try:
                    spec.kwargs[name] = self.value(
                        parameter.default, join_path(path, name), layer, name, None
                    )
                except DumpError:
                    pass
        return spec

    def value(self, value, path: str, layer, argument: str, provenance, index=None):
        if _is_plain(value):
            return value
        if _is_layer(value):
            return self.layer(value, path)
        if _parameter_kind(value):
            ref = _ParameterRef(value, f"argument '{argument}' of {type(layer).__name__} at "
                                       f"'{path.rsplit('.', 1)[0]}'")  # fmt: skip
            self.parameter_refs.append(ref)
            return ref
        if isinstance(value, (list, tuple)):
            return ConfigList(
                [
                    self.value(v, join_path(path, i), layer, argument, None)
                    for i, v in enumerate(value)
                ]
            )
        if isinstance(value, dict) and all(isinstance(k, str) for k in value):
            return ConfigMap(
                {
                    k: self.value(v, join_path(path, k), layer, argument, None)
                    for k, v in value.items()
                }
            )
        if type(value).__module__ == "numpy":
            return value.item() if getattr(value, "ndim", 1) == 0 else value.tolist()
        function = _function_spec(value)
        if function is not None:
            return function
        from_config = _from_provenance(provenance, argument, index)
        if from_config is not None:
            return from_config
        raise DumpError(
            f"cannot write argument '{argument}' of {type(layer).__name__} at "
            f"'{path.rsplit('.', 1)[0]}': a {type(value).__name__} has no config form (build "
            f"the layer from a config, or pass a registered component)"
        )

    def resolve_parameter_refs(self) -> None:
        owners: Dict[str, str] = {}
        for path, layer in self.layers:
            self._own(layer, path, owners, set())
        for ref in self.parameter_refs:
            owner = owners.get(ref.parameter.name())
            if owner is None:
                raise DumpError(
                    f"{ref.where}: the shared parameter {ref.parameter.name()} belongs to no "
                    f"layer of the model, so it cannot be written as a !Ref"
                )
            ref.path = owner

    def _own(self, layer, path: str, owners: Dict[str, str], seen) -> None:
        if id(layer) in seen:
            return
        seen.add(id(layer))
        call = constructor_call(layer)
        given = set()
        if call is not None:
            for value in call.arguments.values():
                values = value.values() if isinstance(value, dict) else (
                    value if isinstance(value, tuple) else (value,)
                )  # fmt: skip
                given.update(v.name() for v in values if _parameter_kind(v))
        own = dict(getattr(layer, "_parameters", {}))
        own.update(getattr(layer, "_lookup_parameters", {}))
        for name, parameter in own.items():
            key = parameter.name()
            if key not in given and key not in owners:
                owners[key] = join_path(path, name)
        for attribute, sublayer in layer.sublayers.items():
            if id(sublayer) in self.paths and self.paths[id(sublayer)] != path:
                continue  # dumped on its own: its parameters are found under its own path
            self._own(sublayer, join_path(path, attribute), owners, seen)


_EMPTY = inspect.Parameter.empty


def _function_spec(value) -> Optional[Spec]:
    if isinstance(value, functools.partial) and not value.args:
        tag = registry.tag_of(value.func)
        if tag is not None and registry.kind_of(tag) in registry.VALUE_KINDS:
            return Spec(tag, kwargs=dict(value.keywords))
        return None
    try:
        tag = registry.tag_of(value)
    except TypeError:
        return None
    if tag is not None and registry.kind_of(tag) in registry.VALUE_KINDS:
        return Spec(tag)
    return None


def _from_provenance(provenance, argument: str, index) -> Any:
    if provenance is None:
        return None
    spec, _ = provenance
    if argument in spec.kwargs:
        node = spec.kwargs[argument]
        if index is not None:
            node = node[index] if isinstance(node, list) and index < len(node) else None
        source = spec.kwargs.sources.get(argument)
        if source is not None and index is None:
            return source
        if isinstance(node, (Spec, Ref)):
            return node
    return None


def to_config(model, include_defaults: bool = False) -> ConfigMap:
    """The config tree ``{"model": !Tag {...}}`` that builds ``model`` again.

    Args:
        model: A layer (built in Python or from a config).
        include_defaults: Also write the arguments left to their defaults (except ``None``).

    Raises:
        DumpError: something in the model has no config form (the message says what and where).
    """
    if not _is_layer(model):
        raise DumpError(f"dump expects a dynn layer, got {type(model).__name__}")
    converter = _ToConfig(include_defaults)
    spec = converter.layer(model, "model")
    converter.resolve_parameter_refs()
    return ConfigMap({"model": spec})


def dump(model, include_defaults: bool = False) -> str:
    """YAML text of the config that builds ``model`` again (see :func:`to_config`).

    ``dynn.config.build(dynn.config.parse(dump(model)))`` gives a model with the same layer tree,
    the same parameter paths and shapes, and the same tied layers and parameters.
    """
    return dumps(to_config(model, include_defaults))
