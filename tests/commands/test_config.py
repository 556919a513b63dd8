"""``dynn config check / print / runs / describe / schema``."""

import json

import pytest

from dynn.cli import main

MODEL = """\
model: !Sequential
  layers:
    - !Embeddings {dictionary: 10, embed_dim: 4}
    - !Transduction {layer: !LSTM {input_dim: 4, hidden_dim: '${dims.hidden}'}}
    - !Embeddings {dictionary: 10, embed_dim: 4, E: !Ref model.layers.0.E}
dims: {hidden: 3}
"""


@pytest.fixture
def config_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "model.yaml").write_text(MODEL)
    return "model.yaml"


def test_check_prints_parameter_counts_per_layer(config_file, capsys):
    assert main(["config", "check", config_file]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "model.yaml: OK, 1 run",
        "model: !Sequential, 136 parameters",
        "  layer                 class         parameters  shapes",
        "  model                 Sequential           136",
        "  model.layers.0        Embeddings            40  E (10, 4)",
        "  model.layers.1        Transduction          96",
        "  model.layers.1.layer  LSTM                  96  Whx (12, 4), Whh (12, 3), b (12)",
        "  model.layers.2        Embeddings             0  E (10, 4) shared",
    ]


def test_check_with_overrides_and_experiment_selection(config_file, capsys):
    assert main(["config", "check", config_file, "dims.hidden=5", "-e", "default"]) == 0
    assert "model: !Sequential, 240 parameters" in capsys.readouterr().out
    assert main(["config", "check", config_file, "-e", "nope"]) == 2
    assert "no experiment or run named 'nope'" in capsys.readouterr().err


def test_check_reports_problems_of_each_run(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "s.yaml").write_text(
        "model: !GRU {input_dim: 2, hidden_dim: 2}\nsweep: {model.hidden_dim: [2, 0, two]}\n"
    )
    assert main(["config", "check", "s.yaml"]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err[0] == (
        "s.yaml:1:8 (model): !GRU raised ValueError: GRU: hidden_dim must be a positive integer, "
        "got 0 (in run hidden_dim=0)"
    )
    assert err[1] == (
        "s.yaml:2:34 (model.hidden_dim): !GRU argument 'hidden_dim': expected int, got str 'two' "
        "(in run hidden_dim=two)"
    )


def test_unreadable_file(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["config", "check", "missing.yaml"]) == 2
    assert capsys.readouterr().err.startswith("dynn config: cannot read missing.yaml")


def test_print_and_print_resolved(config_file, capsys):
    assert main(["config", "print", config_file, "dims.hidden=5"]) == 0
    printed = capsys.readouterr().out
    assert "hidden_dim: '${dims.hidden}'" in printed and "dims: {hidden: 5}" in printed
    assert main(["config", "print", config_file, "--resolved"]) == 0
    resolved = capsys.readouterr().out
    assert resolved.splitlines()[:8] == [
        "model: !Sequential",
        "  layers:",
        "  - !Embeddings {dictionary: 10, embed_dim: 4}",
        "  - !Transduction",
        "    layer: !LSTM {input_dim: 4, hidden_dim: 3}",
        "  - !Embeddings",
        "    dictionary: 10",
        "    embed_dim: 4",
    ]
    assert "E: !Ref model.layers.0.E" in resolved


def test_runs_lists_experiments_times_sweeps(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "e.yaml").write_text(
        "model: !GRU {input_dim: 2, hidden_dim: 2}\n"
        "experiments: {a: {}, b: {model.hidden_dim: 3}}\nsweep: {model.input_dim: [1, 2]}\n"
    )
    assert main(["config", "runs", "e.yaml"]) == 0
    assert capsys.readouterr().out.split() == [
        "a-input_dim=1",
        "a-input_dim=2",
        "b-input_dim=1",
        "b-input_dim=2",
    ]
    assert main(["config", "print", "e.yaml", "-e", "b"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("# run: b-input_dim=1\nmodel: !GRU {input_dim: 1, hidden_dim: 3}\n")


def test_describe(capsys):
    assert main(["config", "describe", "!StackedRecurrentCells"]) == 0
    out = capsys.readouterr().out
    assert "cells: list of RecurrentCell (any number: *cells)" in out
    assert "Example: !StackedRecurrentCells {cells: [...]}" in out
    assert main(["config", "describe", "LTSM"]) == 2
    assert "did you mean 'LSTM'?" in capsys.readouterr().err


def test_schema_is_json_with_a_definition_per_tag(capsys):
    assert main(["config", "schema"]) == 0
    schema = json.loads(capsys.readouterr().out)
    lstm = schema["$defs"]["LSTM"]
    assert lstm["required"] == ["input_dim", "hidden_dim"]
    assert lstm["properties"]["input_dim"] == {
        "type": "integer",
        "description": "Dimension of :math:`x_t`.",
    }
    assert lstm["additionalProperties"] is False
    cells = schema["$defs"]["StackedRecurrentCells"]["properties"]["cells"]
    assert {"$ref": "#/$defs/GRU"} in cells["items"]["anyOf"]
    assert "!LSTM mapping" in schema["x-yaml-custom-tags"]
    assert schema["properties"]["model"] == {"$ref": "#/$defs/layer"}
