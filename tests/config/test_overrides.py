"""Command-line overrides: change, add, delete, replace a subtree; unknown keys rejected."""

import pytest

from dynn.config import ConfigError, Ref, Spec, apply_overrides, build, parse, parse_override

CONFIG = parse(
    "model: !StackedRecurrentCells\n"
    "  cells:\n"
    "    - !LSTM {input_dim: 2, hidden_dim: 3}\n"
    "    - !Ref extra\n"
    "extra: !LSTM {input_dim: 3, hidden_dim: 3}\n"
    "train: {lr: 0.1, epochs: 2}\n"
)


def _problems(overrides):
    with pytest.raises(ConfigError) as info:
        apply_overrides(CONFIG, overrides)
    return [str(p) for p in info.value.errors]


def test_values_are_parsed_as_yaml():
    new = apply_overrides(
        CONFIG,
        [
            "train.lr=0.5",
            "train.epochs=[1, 2]",
            "+train.name='007'",
            "+train.flag=true",
            "++train.lr=null",
        ],
    )
    assert dict(new["train"]) == {"lr": None, "epochs": [1, 2], "name": "007", "flag": True}
    assert dict(CONFIG["train"]) == {"lr": 0.1, "epochs": 2}  # the original is untouched


def test_a_tagged_value_replaces_a_subtree_and_arguments_of_tags_can_be_set():
    new = apply_overrides(
        CONFIG,
        [
            "model.cells.0=!GRU {input_dim: 2, hidden_dim: 2}",
            "extra.dropout_x=0.25",  # not written in the file, but an argument of !LSTM
            "model.cells.1=!Ref model.cells.0",
        ],
    )
    assert new["model"].kwargs["cells"][0] == Spec("GRU", {"input_dim": 2, "hidden_dim": 2})
    assert new["extra"].kwargs["dropout_x"] == 0.25
    assert new["model"].kwargs["cells"][1] == Ref("model.cells.0")
    stack = build(new)
    assert stack.cells[0] is stack.cells[1]


def test_add_creates_parents_and_delete_removes():
    new = apply_overrides(CONFIG, ["+data.vocab.size=10", "~train.epochs", "~extra"])
    assert new["data"] == {"vocab": {"size": 10}}
    assert dict(new["train"]) == {"lr": 0.1}
    assert "extra" not in new


def test_list_items_can_be_changed_and_appended():
    new = apply_overrides(
        CONFIG, ["model.cells.0.hidden_dim=4", "+model.cells.2=!LSTM [3, 3]", "~model.cells.1"]
    )
    cells = new["model"].kwargs["cells"]
    assert cells[0].kwargs["hidden_dim"] == 4
    assert [c.tag for c in cells] == ["LSTM", "LSTM"]


def test_bad_overrides_are_all_reported_with_suggestions():
    assert _problems(["trian.lr=1", "train.lrr=1", "model.cells.5.x=1", "train.lr"]) == [
        "<override 1>:1:1 (trian.lr): the config has no 'trian'; did you mean 'train'?",
        "<override 2>:1:1 (train.lrr): 'train' has no 'lrr'; did you mean 'lr'? (to add a key, "
        "write +train.lrr=...)",
        "<override 3>:1:1 (model.cells.5.x): 'model.cells' has 2 items, it has no item 5",
        "<override 4>:1:1 (train.lr): 'train.lr' is not an override: write key.path=value, "
        "+key.path=value (add), ++key.path=value (add or change) or ~key.path (delete)",
    ]


def test_overrides_through_a_reference_are_refused():
    assert _problems(["model.cells.1.hidden_dim=4"]) == [
        "<override 1>:1:1 (model.cells.1.hidden_dim): 'model.cells.1' is !Ref extra: override "
        "extra instead"
    ]


def test_value_errors_are_located_in_the_override():
    assert _problems(["train.lr=[1, 2"]) == [
        "<override 1>:1:15: while parsing a flow sequence: expected ',' or ']', but got '<stream "
        "end>'"
    ]
    assert _problems(["train.lr=!!python/name:os.system"]) == [
        "<override 1>:1:10: tag !!python/name:os.system is not allowed: Python objects are never "
        "constructed from a config"
    ]


def test_unknown_arguments_set_by_override_are_caught_by_validation():
    config = apply_overrides(CONFIG, ["extra.hiden_dim=4"])
    with pytest.raises(ConfigError) as info:
        build(config)
    assert str(info.value) == (
        "<override 1>:1:1 (extra.hiden_dim): !LSTM has no argument 'hiden_dim'; did you mean "
        "'hidden_dim'?"
    )


def test_parse_override():
    override = parse_override("++a.b=[1, 2]", index=3)
    assert (override.operation, override.path, override.value) == ("force", "a.b", [1, 2])
    assert str(override.location) == "<override 3>:1:1"
    assert parse_override("~a").operation == "delete"
