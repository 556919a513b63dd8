"""Layers: every layer family is a module; the classes are re-exported here."""

from .attention_layers import BilinearAttention, MLPAttention, MultiHeadAttention
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
from .transformer_layers import (
    CondTransformer,
    StackedCondTransformers,
    StackedTransformers,
    Transformer,
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
    "MLPAttention",
    "BilinearAttention",
    "MultiHeadAttention",
    "Transformer",
    "StackedTransformers",
    "CondTransformer",
    "StackedCondTransformers",
]
