"""dynn.save / dynn.load: resolved config + weights, identical outputs, ties kept, no code run."""

import dynet as dy
import numpy as np
import pytest

import dynn
from dynn.config import ConfigError, build, parse
from dynn.config.persistence import CONFIG_FILE, WEIGHTS_FILE
from dynn.files import PickledDataError
from dynn.io import ParameterMismatchError
from dynn.layers.combination_layers import Sequential
from dynn.layers.dense_layers import Affine
from dynn.layers.embedding_layers import Embeddings
from dynn.layers.recurrent_layers import LSTM


def _model(pc):
    output = Affine(pc, 3, 7)
    embeddings = Embeddings(pc, 7, 3, E=output.parameters["W"])  # tied input/output embeddings
    return Sequential(embeddings, LSTM(pc, 3, 3, dropout_x=0.1), output)


def _outputs(model):
    embeddings, lstm, output = model.layers
    dynn.new_graph(model)
    state = lstm.initial_value(batch_size=2)
    for ids in ([1, 2], [3, 6]):
        state = lstm(embeddings(ids), *state)
    return output(lstm.get_output(state)).npvalue()


def test_save_and_load_give_identical_outputs_and_keep_ties(tmp_path):
    model = _model(dy.ParameterCollection())
    directory = dynn.save(model, tmp_path / "model")
    assert sorted(p.name for p in directory.iterdir()) == [CONFIG_FILE, WEIGHTS_FILE]
    loaded = dynn.load(directory)
    assert loaded is not model
    assert np.array_equal(_outputs(loaded), _outputs(model))
    assert loaded.layers[0].parameters["E"] is loaded.layers[2].parameters["W"]
    assert [path for path, _ in loaded.iter_parameters()] == [
        path for path, _ in model.iter_parameters()
    ]


def test_a_model_built_from_a_config_saves_its_resolved_config(tmp_path):
    config = parse(
        "dim: 3\nmodel: !Sequential\n  layers:\n"
        "    - !Embeddings {dictionary: '${data.size}', embed_dim: '${dim}'}\n"
        "    - !Embeddings {dictionary: '${data.size}', embed_dim: 3, E: !Ref model.layers.0.E}\n"
    )
    model = build(config, context={"data": {"size": 5}})
    dynn.save(model, tmp_path)
    text = (tmp_path / CONFIG_FILE).read_text()
    assert "!Embeddings {dictionary: 5, embed_dim: 3}" in text
    loaded = dynn.load(tmp_path)
    first, second = loaded.layers
    assert second.lookup_parameters["E"] is first.lookup_parameters["E"]
    assert np.array_equal(
        first.lookup_parameters["E"].as_array(), model.layers[0].lookup_parameters["E"].as_array()
    )


def test_weights_that_do_not_match_the_config_are_refused(tmp_path):
    dynn.save(LSTM(dy.ParameterCollection(), 2, 3), tmp_path)
    config = tmp_path / CONFIG_FILE
    config.write_text(config.read_text().replace("hidden_dim: 3", "hidden_dim: 4"))
    with pytest.raises(ParameterMismatchError, match="Whx"):
        dynn.load(tmp_path)


def test_loading_cannot_run_code(tmp_path):
    dynn.save(LSTM(dy.ParameterCollection(), 2, 3), tmp_path)
    marker = tmp_path / "ran"
    (tmp_path / CONFIG_FILE).write_text(
        f"model: !!python/object/apply:os.system ['touch {marker}']\n"
    )
    with pytest.raises(ConfigError, match="is not allowed"):
        dynn.load(tmp_path)
    assert not marker.exists()
    dynn.save(LSTM(dy.ParameterCollection(), 2, 3), tmp_path)
    np.savez(tmp_path / WEIGHTS_FILE, **{"param:Whx": np.array([object()], dtype=object)})
    with pytest.raises(PickledDataError):
        dynn.load(tmp_path)
    assert not marker.exists()


def test_missing_files(tmp_path):
    with pytest.raises(FileNotFoundError, match="config.yaml is missing"):
        dynn.load(tmp_path)
