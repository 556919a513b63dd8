"""Every experiment config shipped in configs/ validates and builds with its data."""

import pathlib

import pytest

from dynn.cli import main

CONFIGS = sorted((pathlib.Path(__file__).resolve().parents[2] / "configs").glob("*.yaml"))


def test_the_default_configs_exist():
    assert {"tagger.yaml", "char_lm.yaml", "genre_classifier.yaml"} <= {p.name for p in CONFIGS}


@pytest.mark.parametrize("config", CONFIGS, ids=[p.name for p in CONFIGS])
def test_experiment_config_checks(config, capsys):
    assert main(["config", "check", str(config)]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"{config}: OK, 1 run")
    assert " parameters" in out


def test_config_check_reports_a_bad_data_section(tmp_path, capsys):
    config = tmp_path / "bad.yaml"
    config.write_text("data: {task: tagging, sourse: conllu}\nmodel: !LSTM [2, 3]\ntrain: {}\n")
    assert main(["config", "check", str(config)]) == 2
    assert "(data.sourse): unknown setting; did you mean 'source'?" in capsys.readouterr().err
