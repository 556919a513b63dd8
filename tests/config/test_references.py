"""Interpolation details: copies, text, literal ``$${``, and what cannot be interpolated."""

from dynn.config import Spec, parse
from dynn.config.references import resolve_interpolations


def test_text_interpolation_copies_and_literal_dollar():
    config = parse(
        "seed: 3\nflag: true\ncell: !GRU [2, 2]\n"
        "name: run_${seed}_${flag}\nliteral: $${seed}\ncopy: ${cell}\n"
    )
    resolved, problems = resolve_interpolations(config)
    assert problems == []
    assert resolved["name"] == "run_3_true"
    assert resolved["literal"] == "${seed}"
    assert resolved["copy"] == Spec("GRU", args=[2, 2])
    assert resolved["copy"] is not resolved["cell"]


def test_containers_cannot_be_embedded_in_text():
    config = parse("cell: !GRU [2, 2]\nname: run_${cell}\n", filename="r.yaml")
    _, problems = resolve_interpolations(config)
    assert [str(p) for p in problems] == [
        "r.yaml:2:7 (name): ${cell} is !GRU: only numbers, strings and booleans can be "
        "interpolated inside a string"
    ]


def test_chained_interpolations_resolve_in_any_order():
    config = parse("a: ${b}\nb: ${c}\nc: 4\n")
    resolved, problems = resolve_interpolations(config)
    assert (resolved["a"], resolved["b"], problems) == (4, 4, [])
