r"""A new recurrent cell, the minimal gated unit (Zhou et al., 2016), tested with dynn.testing.

This file is the code of the tutorial ``docs/guide/testing_cells.rst``. Run it to check the cell:
``python examples/minimal_gated_unit.py``.

.. math::

    \begin{aligned}
    f_t &= \sigma(W_f x_t + U_f h_{t-1} + b_f) \\
    \tilde h_t &= \tanh(W_h x_t + U_h (f_t \odot h_{t-1}) + b_h) \\
    h_t &= (1 - f_t) \odot h_{t-1} + f_t \odot \tilde h_t
    \end{aligned}
"""

from collections import namedtuple

import dynet as dy

from dynn.layers.base_layers import ParametrizedLayer
from dynn.layers.recurrent_layers import RecurrentCell
from dynn.parameter_initialization import ZeroInit

MGUState = namedtuple("MGUState", ["h"])


class MinimalGatedUnit(ParametrizedLayer, RecurrentCell):
    """Minimal gated unit: one forget gate, no separate memory.

    Args:
        pc: Parameter collection.
        input_dim: Dimension of :math:`x_t`.
        hidden_dim: Dimension of :math:`h_t`.
        dropout_x: Variational dropout rate on :math:`x_t`.
        dropout_h: Variational dropout rate on :math:`h_{t-1}`.
    """

    state_type = MGUState

    def __init__(self, pc, input_dim: int, hidden_dim: int, dropout_x=0.0, dropout_h=0.0):
        super().__init__(pc, "mgu")
        self.input_dim, self.hidden_dim = input_dim, hidden_dim
        self.dropout_x, self.dropout_h = dropout_x, dropout_h
        # Declared parameters are loaded at init(), saved by dynn.io, and seen by the kit.
        self.add_parameters("Wf", (hidden_dim, input_dim))
        self.add_parameters("Uf", (hidden_dim, hidden_dim))
        self.add_parameters("bf", hidden_dim, init=ZeroInit())
        self.add_parameters("Wh", (hidden_dim, input_dim))
        self.add_parameters("Uh", (hidden_dim, hidden_dim))
        self.add_parameters("bh", hidden_dim, init=ZeroInit())
        # Variational dropout: masks drawn by initial_value(), one per batch element.
        self._declare_dropout(dropout_x=(dropout_x, input_dim), dropout_h=(dropout_h, hidden_dim))

    def __call__(self, x: dy.Expression, h: dy.Expression) -> MGUState:
        """One step: the new state :math:`(h_t,)` from :math:`x_t` and :math:`h_{t-1}`."""
        h_in = h
        if self._dropout_active:
            batch_size = max(x.dim()[1], h.dim()[1])
            x = self._dropped("dropout_x", x, batch_size)
            h_in = self._dropped("dropout_h", h, batch_size)
        f = dy.logistic(dy.affine_transform([self.bf, self.Wf, x, self.Uf, h_in]))
        candidate = dy.tanh(dy.affine_transform([self.bh, self.Wh, x, self.Uh, dy.cmult(f, h_in)]))
        return MGUState(h + dy.cmult(f, candidate - h))


if __name__ == "__main__":
    from dynn.testing import check_recurrent_cell

    report = check_recurrent_cell(
        lambda pc: MinimalGatedUnit(pc, input_dim=3, hidden_dim=4),
        input_dim=3,
        make_dropout_cell=lambda pc: MinimalGatedUnit(pc, 3, 4, dropout_x=0.5, dropout_h=0.5),
    )
    print(report)
