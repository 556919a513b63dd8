"""Layers: every layer family is a module; the classes are re-exported here."""

from .base_layers import BaseLayer, LayerNotInitializedError, ParametrizedLayer, new_graph
from .recurrent_layers import (
    GRU,
    LSTM,
    CoupledLSTM,
    ElmanRNN,
    RecurrentCell,
    StackedLSTM,
    StackedRecurrentCells,
)

__all__ = [
    "BaseLayer",
    "ParametrizedLayer",
    "LayerNotInitializedError",
    "new_graph",
    "RecurrentCell",
    "ElmanRNN",
    "LSTM",
    "GRU",
    "CoupledLSTM",
    "StackedRecurrentCells",
    "StackedLSTM",
]
