"""Safe parsing: the inert tree, its locations, and everything the loader refuses."""

import pytest
import yaml

from dynn.config import ConfigError, ConfigList, ConfigLoader, ConfigMap, Ref, Spec, parse
from dynn.config.loader import MAX_NODES, load_config, parse_value
from dynn.config.nodes import location_of


def _messages(text):
    with pytest.raises(ConfigError) as info:
        parse(text, filename="c.yaml")
    return [str(problem) for problem in info.value.errors]


def test_tag_forms_give_inert_specs_with_locations():
    config = parse(
        "model: !StackedRecurrentCells\n"
        "  - !LSTM {input_dim: 2, hidden_dim: 3}\n"
        "  - !LSTM [3, 3]\n"
        "act: !tanh\n"
        "init: !ConstInit 0.5\n"
        "same: !Ref model.0\n",
        filename="m.yaml",
    )
    model = config["model"]
    assert isinstance(model, Spec) and model.tag == "StackedRecurrentCells"
    assert [type(a) for a in model.args] == [Spec, Spec]
    assert dict(model.args[0].kwargs) == {"input_dim": 2, "hidden_dim": 3}
    assert list(model.args[1].args) == [3, 3]
    assert config["act"] == Spec("tanh")
    assert config["init"] == Spec("ConstInit", args=[0.5])
    assert config["same"] == Ref("model.0")
    assert str(model.location) == "m.yaml:1:8"
    assert str(model.args[1].location) == "m.yaml:3:5"
    assert str(location_of(model.args[0], "hidden_dim")) == "m.yaml:2:38"


def test_plain_yaml_values():
    config = parse("a: 1\nb: 1.5\nc: true\nd: null\ne: text\nf: 2024-01-02\ng: [1, two]\n")
    assert dict(config) == {
        "a": 1,
        "b": 1.5,
        "c": True,
        "d": None,
        "e": "text",
        "f": "2024-01-02",
        "g": [1, "two"],
    }
    assert isinstance(config, ConfigMap) and isinstance(config["g"], ConfigList)


def test_yaml_load_with_the_loader_class_works():
    config = yaml.load("model: !GRU {input_dim: 1, hidden_dim: 2}", Loader=ConfigLoader)
    assert config["model"].tag == "GRU"
    assert issubclass(ConfigLoader, yaml.SafeLoader)


def test_interpolations_and_tags_inside_flow_collections():
    config = parse("m: !Affine {input_dim: ${d.x}, activation: !tanh}\nl: [!relu, '${a}']\n")
    assert dict(config["m"].kwargs) == {"input_dim": "${d.x}", "activation": Spec("tanh")}
    assert list(config["l"]) == [Spec("relu"), "${a}"]


@pytest.mark.parametrize(
    "payload",
    [
        "!!python/object/apply:os.system ['touch {marker}']",
        "!!python/object/new:os.system ['touch {marker}']",
        "!!python/name:os.system",
        "!!python/module:os",
        "!!python/object:argparse.Namespace {{x: 1}}",
    ],
)
def test_python_tags_are_refused_and_never_run(payload, tmp_path):
    marker = tmp_path / "ran"
    text = "x: " + payload.format(marker=marker)
    for loader in (lambda: parse(text), lambda: yaml.load(text, Loader=ConfigLoader)):
        with pytest.raises(ConfigError, match="is not allowed"):
            loader()
    assert not marker.exists()


def test_other_global_tags_are_refused():
    assert _messages("a: !!binary aGk=\nb: !!set {x}\n") == [
        "c.yaml:1:4 (a): tag !!binary is not allowed: use plain YAML values (strings, numbers, "
        "booleans, null, lists, mappings) and registered !Name tags",
        "c.yaml:2:4 (b): tag !!set is not allowed: use plain YAML values (strings, numbers, "
        "booleans, null, lists, mappings) and registered !Name tags",
    ]


def test_duplicate_keys_name_both_lines():
    assert _messages("a: 1\nb:\n  x: 1\n  x: 2\na: 3\n") == [
        "c.yaml:4:3 (b.x): duplicate key 'x': first defined at line 3, again at line 4",
        "c.yaml:5:1 (a): duplicate key 'a': first defined at line 1, again at line 5",
    ]


def test_anchors_copy_and_merge_keys_merge():
    config = parse("base: &b {x: 1, y: 2}\ncopy: *b\nmerged:\n  <<: *b\n  y: 3\n")
    assert config["copy"] == {"x": 1, "y": 2}
    assert config["copy"] is not config["base"]
    assert config["merged"] == {"x": 1, "y": 3}


def test_alias_bombs_and_recursive_aliases_are_refused():
    levels = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 8):
        levels.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]")
    with pytest.raises(ConfigError, match=f"more than {MAX_NODES} nodes"):
        parse("\n".join(levels))
    with pytest.raises(ConfigError, match="recursive alias"):
        parse("a: &a [1, *a]\n")


def test_refs_need_a_path_and_tags_an_identifier():
    assert _messages("a: !Ref\nb: !Ref {x: 1}\n") == [
        "c.yaml:1:4 (a): !Ref needs a dotted path, e.g. !Ref model.encoder",
        "c.yaml:2:4 (b): !Ref needs a dotted path, e.g. !Ref model.encoder",
    ]


def test_a_config_is_a_mapping_and_a_single_document():
    assert _messages("- 1\n- 2\n") == [
        "c.yaml:1:1: a config must be a mapping (such as 'model: ...'), got a list"
    ]
    assert "expected a single document" in _messages("a: 1\n---\nb: 2\n")[0]
    assert parse("") == {}


def test_parse_value_and_load_config(tmp_path):
    assert parse_value("[1, !tanh]") == [1, Spec("tanh")]
    assert parse_value("") is None
    path = tmp_path / "c.yaml"
    path.write_text("model: !LSTM {input_dim: 2, hidden_dim: 3}\n")
    config = load_config(path, overrides=["model.hidden_dim=5"])
    assert config["model"].kwargs["hidden_dim"] == 5
    assert str(config["model"].location) == f"{path}:1:8"
