"""Several named experiments per file sharing defaults, and grid sweeps."""

import pytest

from dynn.config import ConfigError, build, expand_runs, parse, run_names, select_run

TEXT = """\
defaults:
  model: !LSTM {input_dim: 2, hidden_dim: 4}
  train: {lr: 0.1, epochs: 2}
experiments:
  small:
    model.hidden_dim: 2
  large:
    model: {hidden_dim: 8, dropout_x: 0.1}
    train: {epochs: 5}
  gru:
    model: !GRU {input_dim: 2, hidden_dim: 3}
    ~train.epochs:
    +train.clip: 1.0
sweep:
  train.lr: [0.1, 0.01]
"""


def test_experiments_times_sweep_give_named_runs():
    runs = expand_runs(parse(TEXT))
    assert list(runs) == [
        "small-lr=0.1",
        "small-lr=0.01",
        "large-lr=0.1",
        "large-lr=0.01",
        "gru-lr=0.1",
        "gru-lr=0.01",
    ]
    large = runs["large-lr=0.01"]
    assert dict(large["model"].kwargs) == {"input_dim": 2, "hidden_dim": 8, "dropout_x": 0.1}
    assert dict(large["train"]) == {"lr": 0.01, "epochs": 5}
    gru = runs["gru-lr=0.1"]
    assert gru["model"].tag == "GRU" and dict(gru["train"]) == {"lr": 0.1, "clip": 1.0}
    assert set(runs["small-lr=0.1"]) == {"model", "train"}  # no reserved keys left
    assert build(runs["small-lr=0.1"]).hidden_dim == 2


def test_command_line_overrides_apply_to_every_run_last():
    runs = expand_runs(parse(TEXT), ["train.lr=0.5"])
    assert {run["train"]["lr"] for run in runs.values()} == {0.5}


def test_a_file_without_experiments_has_one_default_run_and_top_level_defaults():
    assert run_names(parse("model: !GRU [2, 2]")) == ["default"]
    runs = expand_runs(parse("model: !GRU [2, 2]\nsweep: {model.1: [3, 4], model.0: [2]}"))
    assert list(runs) == ["1=3-0=2", "1=4-0=2"]
    assert list(runs["1=4-0=2"]["model"].args) == [2, 4]


def test_an_experiment_sweep_adds_to_the_top_level_one():
    text = (
        "model: !GRU {input_dim: 2, hidden_dim: 2}\n"
        "experiments:\n  a: {sweep: {model.hidden_dim: [3, 4]}}\n  b: {}\n"
    )
    assert run_names(parse(text)) == ["a-hidden_dim=3", "a-hidden_dim=4", "b"]


def test_select_run():
    config = parse(TEXT)
    assert select_run(config, "large-lr=0.1")["train"]["epochs"] == 5
    with pytest.raises(
        ConfigError, match="no run named 'larg-lr=0.1'; did you mean 'large-lr=0.1'"
    ):
        select_run(config, "larg-lr=0.1")
    with pytest.raises(ConfigError, match="the file has 6 runs; choose one of"):
        select_run(config)


def test_errors_in_experiments_are_located_there():
    text = (
        "defaults:\n  model: !GRU {input_dim: 2, hidden_dim: 2}\n"
        "model: !LSTM [1, 1]\n"
        "experiments:\n  a:\n    modle.hidden_dim: 3\n  b: [1]\n"
        "sweep: {model.hidden_dim: []}\n"
    )
    with pytest.raises(ConfigError) as info:
        expand_runs(parse(text, filename="e.yaml"))
    assert [str(p) for p in info.value.errors] == [
        "e.yaml:2:3 (defaults.model): 'model' is defined both at the top level (line 3) and in "
        "defaults",
        "e.yaml:6:5 (experiments.a.modle.hidden_dim): the config has no 'modle'; did you mean "
        "'model'?",
        "e.yaml:7:6 (experiments.b): an experiment is a mapping of changes to the defaults",
        "e.yaml:8:27 (sweep.model.hidden_dim): a sweep gives a non-empty list of values for each "
        "key (model.hidden_dim: [a, b])",
    ]
