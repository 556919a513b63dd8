"""A kit to unit-test recurrent cells and layers: the checks dynn runs on its own.

- :func:`check_recurrent_cell` runs seven named checks on a cell factory (state structure, batch
  consistency, determinism and dropout masks, gradients, state information, save/load, graph
  guard); :func:`check_layer` runs the applicable ones on other layers
  (:mod:`dynn.testing.checks`).
- :func:`gradcheck` compares back-propagated gradients with finite differences in float32
  (:mod:`dynn.testing.gradient_check`).
- :func:`assert_expr_close` compares expressions with each other or with arrays
  (:mod:`dynn.testing.asserts`).
- :mod:`dynn.testing.fixtures` holds pytest fixtures (a fresh seeded graph, a seeded numpy
  generator); it is imported separately, since it needs pytest.

Example:
    >>> from dynn.layers.recurrent_layers import LSTM
    >>> from dynn.testing import check_recurrent_cell
    >>> report = check_recurrent_cell(lambda pc: LSTM(pc, 2, 3), input_dim=2)
    >>> len(report.passed)
    7
"""

from .asserts import assert_expr_close, expression_value
from .checks import (
    LAYER_CHECKS,
    RECURRENT_CELL_CHECKS,
    CheckReport,
    CheckResult,
    check_layer,
    check_recurrent_cell,
)
from .gradient_check import GradcheckResult, gradcheck

__all__ = [
    "check_recurrent_cell",
    "check_layer",
    "assert_expr_close",
    "expression_value",
    "gradcheck",
    "CheckReport",
    "CheckResult",
    "GradcheckResult",
    "RECURRENT_CELL_CHECKS",
    "LAYER_CHECKS",
]
