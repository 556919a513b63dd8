"""Dumping built models back to YAML: same tree, same parameters, ties kept."""

import dynet as dy
import pytest

from dynn.config import DumpError, build, dump, dumps, parse, to_config
from dynn.data.dictionary import Dictionary
from dynn.layers.base_layers import ParametrizedLayer
from dynn.layers.combination_layers import Sequential
from dynn.layers.dense_layers import Affine
from dynn.layers.embedding_layers import Embeddings
from dynn.layers.functional_layers import Lambda
from dynn.layers.recurrent_layers import LSTM, CoupledLSTM, StackedLSTM
from dynn.parameter_initialization import NormalInit


def _shapes(model):
    return [(path, tuple(p.shape())) for path, p in model.iter_parameters()]


def _tied_language_model(pc):
    output = Affine(pc, 4, 10)
    embeddings = Embeddings(pc, 10, 4, E=output.parameters["W"])  # input/output tying
    lstm = LSTM(pc, 4, 4)
    return Sequential(embeddings, lstm, output, embeddings)  # and one layer used twice


def test_python_built_model_round_trips_with_ties():
    model = _tied_language_model(dy.ParameterCollection())
    text = dump(model)
    assert "E: !Ref model.layers.2.W" in text
    assert "- !Ref model.layers.0" in text
    rebuilt = build(parse(text))
    assert _shapes(rebuilt) == _shapes(model)
    assert rebuilt.layers[3] is rebuilt.layers[0]
    assert rebuilt.layers[0].parameters["E"] is rebuilt.layers[2].parameters["W"]
    assert dump(rebuilt) == text


def test_tied_embeddings_stay_tied_through_dump_and_build():
    config = parse(
        "model: !Sequential\n  layers:\n"
        "    - !Embeddings {dictionary: 6, embed_dim: 3}\n"
        "    - !Embeddings {dictionary: 6, embed_dim: 3, E: !Ref model.layers.0.E}\n"
    )
    model = build(config)
    rebuilt = build(parse(dump(model)))
    first, second = rebuilt.layers
    assert second.lookup_parameters["E"] is first.lookup_parameters["E"]
    assert _shapes(rebuilt) == _shapes(model) == [("layers.0.E", (6, 3))]


def test_parameters_of_internal_sublayers_are_referenced_through_their_owner():
    pc = dy.ParameterCollection()
    stack = StackedLSTM(pc, 2, 3, 3)
    extra = LSTM(pc, 3, 3, Whh=stack.cells[1].parameters["Whh"])
    text = dump(Sequential(stack, extra))
    assert "Whh: !Ref model.layers.0.cells.1.Whh" in text
    rebuilt = build(parse(text))
    assert rebuilt.layers[1].parameters["Whh"] is rebuilt.layers[0].cells[1].parameters["Whh"]


def test_var_keyword_arguments_are_flattened():
    pc = dy.ParameterCollection()
    first = CoupledLSTM(pc, 2, 2)
    second = CoupledLSTM(pc, 2, 2, Wxi=first.parameters["Wxi"])
    text = dump(Sequential(first, second))
    assert "Wxi: !Ref model.layers.0.Wxi" in text
    rebuilt = build(parse(text))
    assert rebuilt.layers[1].parameters["Wxi"] is rebuilt.layers[0].parameters["Wxi"]


def test_objects_built_from_a_config_dump_as_their_config_node():
    vocabulary = Dictionary(["a", "b"])
    config = parse(
        "model: !Embeddings\n"
        "  dictionary: ${data.vocab}\n"
        "  embed_dim: 3\n"
        "  init: !NormalInit {std: 0.1}\n"
    )
    model = build(config, context={"data": {"vocab": vocabulary}})
    text = dump(model)
    assert "dictionary: ${data.vocab}" in text
    assert "init: !NormalInit {std: 0.1}" in text
    rebuilt = build(parse(text), context={"data": {"vocab": vocabulary}})
    assert _shapes(rebuilt) == _shapes(model)


def test_unwritable_arguments_name_the_layer_and_argument():
    pc = dy.ParameterCollection()
    with pytest.raises(DumpError, match="argument 'init' of Embeddings at 'model.layers.0'"):
        dump(Sequential(Embeddings(pc, 3, 2, init=NormalInit(std=0.1))))
    with pytest.raises(DumpError, match="argument 'function' of Lambda at 'model'"):
        dump(Lambda(lambda x: x))


def test_unregistered_layers_cannot_be_dumped():
    class _Private(ParametrizedLayer):
        def __init__(self, pc):
            super().__init__(pc, "private")

    with pytest.raises(DumpError, match="_Private at 'model' is not registered"):
        dump(_Private(dy.ParameterCollection()))
    with pytest.raises(DumpError, match="dump expects a dynn layer"):
        dump(3)


def test_include_defaults_writes_every_argument():
    text = dump(LSTM(dy.ParameterCollection(), 2, 3), include_defaults=True)
    assert text == ("model: !LSTM {input_dim: 2, hidden_dim: 3, dropout_x: 0.0, dropout_h: 0.0}\n")


def test_dumps_writes_parsed_configs_back():
    text = (
        "model: !StackedRecurrentCells\n"
        "  cells:\n"
        "  - !LSTM {input_dim: 2, hidden_dim: 3}\n"
        "  - !Ref shared\n"
        "shared: !GRU [3, 3]\n"
        "act: !tanh\n"
        "name: run_${train.seed}\n"
        "train: {seed: 1, decay: 0.5}\n"
    )
    config = parse(text)
    assert parse(dumps(config)) == config
    assert dumps(config) == text


def test_to_config_gives_the_tree():
    tree = to_config(LSTM(dy.ParameterCollection(), 2, 3))
    assert tree["model"].tag == "LSTM"
    assert dict(tree["model"].kwargs) == {"input_dim": 2, "hidden_dim": 3}
