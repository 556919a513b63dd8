"""The example configs of ``configs/models`` (shown in the config guide) build and round-trip."""

import pathlib

import pytest

from dynn.config import build, dump, expand_runs, load_config, parse

ROOT = pathlib.Path(__file__).resolve().parents[2]
CONFIGS = sorted((ROOT / "configs" / "models").glob("*.yaml"))
CONTEXT = {"data": {"vocab_size": 20}}


def _shapes(model):
    return [(path, tuple(p.shape())) for path, p in model.iter_parameters()]


@pytest.mark.parametrize("path", CONFIGS, ids=[path.stem for path in CONFIGS])
def test_example_config_builds_and_round_trips(path):
    runs = expand_runs(load_config(path))
    assert runs
    for run in runs.values():
        model = build(run, context=CONTEXT)
        rebuilt = build(parse(dump(model)), context=CONTEXT)
        assert _shapes(rebuilt) == _shapes(model)


def test_the_tied_language_model_is_tied():
    model = build(load_config(ROOT / "configs/models/tied_language_model.yaml"), context=CONTEXT)
    assert model.embeddings.parameters["E"] is model.output.parameters["W"]


def test_the_guide_includes_only_existing_configs():
    guide = (ROOT / "docs" / "guide" / "config.rst").read_text()
    included = [
        line.split("::", 1)[1].strip()
        for line in guide.splitlines()
        if line.strip().startswith(".. literalinclude::")
    ]
    assert included
    for relative in included:
        assert (ROOT / "docs" / "guide" / relative).resolve().is_file(), relative
    names = {pathlib.Path(relative).name for relative in included}
    assert {path.name for path in CONFIGS} <= names
