"""Every layer class of the package builds from YAML, and dumps back to a config that rebuilds it.

The test walks the registry, so layers added later are covered without editing this file: a
minimal config is generated from each constructor's annotations (integers 4, cells and layers of
dimension 4, ``!tanh`` for functions). A layer whose required arguments cannot be generated that
way gets an entry in ``SPECIAL``.
"""

import inspect
import typing

import pytest

from dynn import registry
from dynn.config import build, dump, parse
from dynn.config.signatures import component_info

registry.load_components()

DIM = 4

# Arguments that generation from annotations cannot guess, by class name.
_WORDS = "!WordEncoder {word_embeddings: !Embeddings {dictionary: 9, embed_dim: 4}}"
_BILSTM = (
    "!Bidirectional {forward_cell: !LSTM {input_dim: 4, hidden_dim: 3}, "
    "backward_cell: !LSTM {input_dim: 4, hidden_dim: 3}}"
)
SPECIAL = {
    "ParametrizedLayer": "{name: p}",
    "WordEncoder": _WORDS[len("!WordEncoder ") :],
    "Tagger": f"{{word_encoder: {_WORDS}, encoder: {_BILSTM}, "
    "output: !Affine {input_dim: 6, output_dim: 5}}",
    "SentenceClassifier": f"{{word_encoder: {_WORDS}, encoder: {_BILSTM}, "
    "output: !Affine {input_dim: 6, output_dim: 2}}",
    "RNNLanguageModel": "{embeddings: !Embeddings {dictionary: 9, embed_dim: 4}, "
    "cell: !LSTM {input_dim: 4, hidden_dim: 3}, output: !Affine {input_dim: 3, output_dim: 9}}",
}

# Integer arguments whose value must differ from DIM, by argument name.
INTEGERS = {"num_layers": 2, "n_layers": 2, "n_heads": 2, "num_heads": 2}

# Concrete layers used for arguments annotated with a layer base class (first match wins).
LAYER_EXAMPLES = [
    ("LSTM", "!LSTM {input_dim: 4, hidden_dim: 4}"),
    ("Affine", "!Affine {input_dim: 4, output_dim: 4}"),
]


def _layer_classes():
    return sorted(
        (tag, component)
        for tag, component in registry.registered().items()
        if registry.entry(tag).tag == tag
        and registry.kind_of(tag) == "layer"
        and component.__module__.startswith("dynn.")
    )


def _example_for(annotation, name: str):
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin is typing.Union:
        members = [a for a in args if a is not type(None)]
        for preferred in (int, float, bool, str):
            if preferred in members:
                return _example_for(preferred, name)
        return _example_for(members[0], name)
    if annotation is int:
        return str(INTEGERS.get(name, DIM))
    if annotation is float:
        return "0.1"
    if annotation is bool:
        return "false"
    if annotation is str:
        return "x"
    if origin in (list, tuple, typing.Sequence) or annotation in (list, tuple):
        item = args[0] if args else int
        count = len(args) if origin is tuple and args and args[-1] is not Ellipsis else 2
        return "[" + ", ".join(_example_for(item, name) for _ in range(count)) + "]"
    if origin is not None and origin.__name__ == "Callable" or annotation is typing.Callable:
        return "!tanh"
    if isinstance(annotation, type):
        for tag, text in LAYER_EXAMPLES:
            if issubclass(registry.lookup(tag), annotation):
                return text
        for tag, component in _layer_classes():  # e.g. an Embeddings argument
            if issubclass(component, annotation):
                return _spec_for(tag)
    return None


def _spec_for(tag: str) -> str:
    """``!Tag {required arguments}`` on one line."""
    if tag in SPECIAL:
        return f"!{tag} {SPECIAL[tag]}"
    arguments = []
    for parameter in component_info(tag).parameters.values():
        if parameter.kind is inspect.Parameter.VAR_POSITIONAL:
            example = _example_for(parameter.annotation, parameter.name)
            assert example is not None, f"!{tag}: add an entry to SPECIAL for *{parameter.name}"
            arguments.append(f"{parameter.name}: [{example}, {example}]")
        elif parameter.required:
            example = _example_for(parameter.annotation, parameter.name)
            assert example is not None, (
                f"!{tag}: cannot generate argument '{parameter.name}' "
                f"({parameter.annotation}); add an entry to SPECIAL"
            )
            arguments.append(f"{parameter.name}: {example}")
    return f"!{tag} {{{', '.join(arguments)}}}"


def _config_for(tag: str) -> str:
    return f"model: {_spec_for(tag)}"


def _parameters(model):
    return [(path, tuple(p.shape())) for path, p in model.iter_parameters()]


@pytest.mark.parametrize("tag", [tag for tag, _ in _layer_classes()])
def test_layer_builds_from_yaml_and_round_trips(tag):
    text = _config_for(tag)
    model = build(parse(text, filename=f"{tag}.yaml"))
    assert type(model) is registry.lookup(tag)
    rebuilt = build(parse(dump(model)))
    assert type(rebuilt) is type(model)
    assert _parameters(rebuilt) == _parameters(model)
    assert dump(rebuilt) == dump(model)


def test_the_walk_covers_the_core_layers():
    tags = {tag for tag, _ in _layer_classes()}
    assert {"LSTM", "GRU", "ElmanRNN", "StackedRecurrentCells", "StackedLSTM"} <= tags
