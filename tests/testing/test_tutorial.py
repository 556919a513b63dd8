"""The code of docs/guide/testing_cells.rst: the minimal gated unit of examples/ passes the kit,
matches a numpy computation, and the broken variant of the guide fails with the message shown
there."""

import importlib.util
import pathlib

import dynet as dy
import numpy as np
import pytest

import dynn
from dynn.testing import assert_expr_close, check_recurrent_cell

ROOT = pathlib.Path(__file__).resolve().parents[2]


def _load_example():
    path = ROOT / "examples" / "minimal_gated_unit.py"
    spec = importlib.util.spec_from_file_location("minimal_gated_unit", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


mgu = _load_example()


def test_the_minimal_gated_unit_passes_the_kit():
    report = check_recurrent_cell(
        lambda pc: mgu.MinimalGatedUnit(pc, input_dim=3, hidden_dim=4),
        input_dim=3,
        make_dropout_cell=lambda pc: mgu.MinimalGatedUnit(pc, 3, 4, dropout_x=0.5, dropout_h=0.5),
    )
    assert len(report.passed) == 7


def _sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def test_the_minimal_gated_unit_computes_its_equations(param_collection, np_rng):
    cell = mgu.MinimalGatedUnit(param_collection, 3, 4)
    values = {}
    for name, param in cell.parameters.items():
        values[name] = np_rng.uniform(-0.5, 0.5, param.shape())
        param.set_value(values[name])
    x, h = np_rng.normal(size=3), np_rng.normal(size=4)
    f = _sigmoid(values["Wf"] @ x + values["Uf"] @ h + values["bf"])
    candidate = np.tanh(values["Wh"] @ x + values["Uh"] @ (f * h) + values["bh"])
    expected = (1 - f) * h + f * candidate

    dynn.new_graph(cell)
    (h_new,) = cell(dy.inputVector(x), dy.inputVector(h))
    assert_expr_close(h_new, expected, rtol=1e-5, atol=1e-6)


class _StepDropoutMGU(mgu.MinimalGatedUnit):
    """The guide's mistake: standard dropout, a new mask at every step."""

    def __call__(self, x, h):
        if not self.test:
            x = dy.dropout(x, self.dropout_x)
        f = dy.logistic(dy.affine_transform([self.bf, self.Wf, x, self.Uf, h]))
        candidate = dy.tanh(dy.affine_transform([self.bh, self.Wh, x, self.Uh, dy.cmult(f, h)]))
        return mgu.MGUState(h + dy.cmult(f, candidate - h))


def test_the_broken_variant_of_the_guide_fails_as_shown():
    with pytest.raises(AssertionError) as info:
        check_recurrent_cell(
            lambda pc: _StepDropoutMGU(pc, 3, 4),
            input_dim=3,
            make_dropout_cell=lambda pc: _StepDropoutMGU(pc, 3, 4, dropout_x=0.5),
        )
    message = str(info.value)
    assert message.startswith("check_recurrent_cell(_StepDropoutMGU 'mgu'): 1 of 7 checks failed")
    assert (
        "[determinism_and_dropout] training mode (make_dropout_cell): the dropout mask changes "
        "between steps of one sequence: the same input and state at two steps gave states "
        "differing by" in message
    )


def test_the_cell_is_usable_from_yaml_as_in_the_guide():
    from dynn.config import build, dump, parse

    stack = build(
        parse(
            """
model: !StackedRecurrentCells
  cells:
    - !MinimalGatedUnit {input_dim: 8, hidden_dim: 16, dropout_x: 0.2}
    - !LSTM {input_dim: 16, hidden_dim: 16}
"""
        )
    )
    assert type(stack.cells[0]) is mgu.MinimalGatedUnit
    assert stack.cells[0].dropout_x == 0.2 and stack.state_dims == (16, 16, 16)
    assert "!MinimalGatedUnit" in dump(stack)
    assert type(build(parse(dump(stack))).cells[0]) is mgu.MinimalGatedUnit


def test_the_kit_checks_the_yaml_round_trip_of_the_cell():
    report = check_recurrent_cell(
        lambda pc: mgu.MinimalGatedUnit(pc, 3, 4), input_dim=3, checks=["save_load"]
    )
    assert report.notes("save_load")[1] == (
        "config round trip: dumped as !MinimalGatedUnit, built again: same class, layer tree, "
        "parameter paths and shapes, dump and outputs"
    )
