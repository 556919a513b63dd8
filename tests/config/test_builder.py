"""Building: argument forms, the supplied collection, references, context, constructor errors."""

import dynet as dy
import numpy as np
import pytest

import dynn
from dynn.config import Builder, ConfigError, build, check, parse
from dynn.layers.recurrent_layers import GRU, LSTM, StackedRecurrentCells


def test_keyword_positional_and_varargs_forms_build_the_same_stack():
    forms = [
        "model: !StackedRecurrentCells\n  cells:\n"
        "    - !LSTM {input_dim: 2, hidden_dim: 3}\n    - !GRU {input_dim: 3, hidden_dim: 4}\n",
        "model: !StackedRecurrentCells [!LSTM [2, 3], !GRU [3, 4]]\n",
    ]
    for text in forms:
        stack = build(parse(text))
        assert isinstance(stack, StackedRecurrentCells)
        assert [type(c) for c in stack.cells] == [LSTM, GRU]
        assert stack.hidden_dim == 4


def test_every_parametrised_layer_gets_the_given_collection():
    pc = dy.ParameterCollection()
    stack = build(parse("model: !StackedLSTM {num_layers: 2, input_dim: 2, hidden_dim: 3}"), pc=pc)
    ours = {p.name() for _, p in stack.iter_parameters()}
    assert ours == {p.name() for p in pc.parameters_list()}


def test_ref_is_the_same_object_and_interpolation_a_copy():
    config = parse(
        "cell: !LSTM {input_dim: 2, hidden_dim: 2}\n"
        "model: !StackedRecurrentCells\n"
        "  cells: [!Ref cell, !Ref cell, '${cell}']\n"
    )
    stack = build(config)
    assert stack.cells[0] is stack.cells[1]
    assert stack.cells[2] is not stack.cells[0]
    assert len(list(stack.iter_parameters())) == 6  # the shared cell is counted once


def test_ref_to_a_parameter_an_attribute_and_a_sublayer():
    config = parse(
        "model: !Sequential\n"
        "  layers:\n"
        "    - !Embeddings {dictionary: 5, embed_dim: 3}\n"
        "    - !Embeddings {dictionary: 5, embed_dim: '${model.layers.0.embed_dim}',"
        " E: !Ref model.layers.0.E}\n"
        "    - !LSTM {input_dim: 3, hidden_dim: !Ref stack.hidden_dim,"
        " Whh: !Ref stack.cells.1.Whh}\n"
        "stack: !StackedLSTM {num_layers: 2, input_dim: 3, hidden_dim: 3}\n"
    )
    model = build(config)
    first, second, lstm = model.layers
    assert second.lookup_parameters["E"] is first.lookup_parameters["E"]
    assert lstm.hidden_dim == 3


def test_refs_cannot_reach_private_attributes_or_functions():
    for target in ("model.layers.0._parameters", "model.layers.0.init_layer", "model.layers.0.pc"):
        config = parse(
            "model: !Sequential\n  layers:\n    - !LSTM {input_dim: 2, hidden_dim: 2}\n"
            f"    - !Lambda {{function: !Ref {target}}}\n"
        )
        with pytest.raises(ConfigError, match="unresolved reference"):
            build(config)


def test_context_values_by_interpolation_and_reference():
    class Vocabulary:
        def __len__(self):
            return 7

    vocabulary = Vocabulary()
    config = parse(
        "model: !Sequential\n  layers:\n"
        "    - !Embeddings {dictionary: !Ref data.vocab, embed_dim: '${data.dim}'}\n"
        "    - !Embeddings {dictionary: '${data.vocab}', embed_dim: 2}\n"
    )
    model = build(config, context={"data": {"vocab": vocabulary, "dim": 4}})
    shapes = [tuple(layer.lookup_parameters["E"].shape()) for layer in model.layers]
    assert shapes == [(7, 4), (7, 2)]
    assert model.layers[0].dictionary is vocabulary


def test_missing_context_is_a_located_error():
    config = parse("model: !GRU {input_dim: '${data.dim}', hidden_dim: 2}", filename="m.yaml")
    with pytest.raises(ConfigError) as info:
        build(config)
    assert str(info.value).startswith(
        "m.yaml:1:25 (model.input_dim): unresolved reference ${data.dim}: the config has no 'data'"
    )


def test_constructor_errors_are_located_collected_and_chained():
    config = parse(
        "model: !Sequential\n  layers:\n"
        "    - !LSTM {input_dim: 2, hidden_dim: 0}\n"
        "    - !GRU {input_dim: 2, hidden_dim: 0}\n",
        filename="m.yaml",
    )
    with pytest.raises(ConfigError) as info:
        build(config)
    lines = str(info.value).splitlines()
    assert lines[0].startswith("m.yaml:3:7 (model.layers.0): !LSTM raised ValueError: LSTM:")
    assert lines[1].startswith("m.yaml:4:7 (model.layers.1): !GRU raised ValueError: GRU:")
    assert isinstance(info.value.__cause__, ValueError)
    assert info.value.errors[1].cause is not None


def test_activations_are_values_and_initializers_are_called():
    config = parse(
        "model: !Sequential\n  layers:\n"
        "    - !Affine {input_dim: 2, output_dim: 2, activation: !leaky_relu {alpha: 0.5}}\n"
        "    - !Embeddings {dictionary: 3, embed_dim: 2, init: !ConstInit [0.25]}\n"
    )
    model = build(config)
    affine, embeddings = model.layers
    assert affine.activation.keywords == {"alpha": 0.5}
    assert np.allclose(embeddings.lookup_parameters["E"].as_array(), 0.25)
    dynn.new_graph(affine)
    y = affine(dy.inputVector([-1.0, 1.0]))
    expected = affine.parameters["W"].as_array() @ [-1.0, 1.0] + affine.parameters["b"].as_array()
    assert np.allclose(y.npvalue(), np.where(expected > 0, expected, 0.5 * expected), atol=1e-6)


def test_builder_shares_objects_and_collection_between_sections():
    builder = Builder(
        parse(
            "model: !LSTM {input_dim: 2, hidden_dim: 3}\n"
            "probe: !Ref model\n"
            "optimizer: !AdamTrainer {alpha: 0.01}\n"
        )
    )
    model = builder.build("model")
    assert builder.build("probe") is model
    trainer = builder.build("optimizer")
    assert isinstance(trainer, dy.AdamTrainer)
    assert abs(trainer.learning_rate - 0.01) < 1e-6
    assert len(builder.pc.parameters_list()) == 3


def test_dynn_optimizers_build_with_the_model_collection():
    builder = Builder(parse("model: !GRU [2, 2]\nopt: !Adam {alpha: 0.01}"))
    builder.build("model")
    optimizer = builder.build("opt")
    assert type(optimizer).__name__ == "Adam"


def test_build_accepts_a_file_and_overrides(tmp_path):
    path = tmp_path / "m.yaml"
    path.write_text("model: !GRU {input_dim: 2, hidden_dim: 3}\n")
    assert build(path, overrides=["model.hidden_dim=5"]).hidden_dim == 5


def test_check_returns_problems_without_building():
    problems = check(parse("model: !GRU {input_dim: 2}\nother: !Nope {}", filename="c.yaml"))
    assert [str(p) for p in problems] == [
        "c.yaml:1:8 (model): !GRU is missing the required argument 'hidden_dim'",
        "c.yaml:2:8 (other): unknown tag !Nope (see `dynn config schema` or `dynn config "
        "describe TAG` for the registered tags)",
    ]
    assert check(parse("model: !GRU {input_dim: 2, hidden_dim: 2}")) == []


def test_a_section_that_does_not_exist():
    with pytest.raises(ConfigError, match="the config has no 'modle'"):
        Builder(parse("model: !GRU [2, 2]")).build("modle")


def test_a_config_section_is_completed_by_the_context_of_the_same_name():
    config = parse("data: {path: train.txt}\nmodel: !GRU {input_dim: '${data.dim}', hidden_dim: 2}")
    assert build(config, context={"data": {"dim": 3}}).input_dim == 3
    with pytest.raises(ConfigError, match=r"'data' has no 'dim'; values derived from data"):
        build(config)


def test_an_interpolation_failing_outside_the_section_is_reported():
    config = parse("dims: {x: '${nope}'}\nmodel: !GRU {input_dim: '${dims.x}', hidden_dim: 2}")
    with pytest.raises(ConfigError, match=r"\(dims.x\): unresolved reference \$\{nope\}"):
        build(config)
