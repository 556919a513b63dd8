"""Layers: every layer family is a module; the classes are re-exported here."""

from .attention_layers import BilinearAttention, MLPAttention, MultiHeadAttention
from .base_layers import BaseLayer, LayerNotInitializedError, ParametrizedLayer, new_graph
from .combination_layers import Parallel, Sequential
from .convolution_layers import Conv1D, Conv2D
from .dense_layers import Affine, GatedLayer
from .embedding_layers import Embeddings
from .flow_layers import Flatten
from .functional_layers import (
    AdditionLayer,
    BinaryOpLayer,
    CmultLayer,
    ConstantLayer,
    IdentityLayer,
    Lambda,
    NegationLayer,
    SubstractionLayer,
    SubtractionLayer,
    UnaryOpLayer,
)
from .normalization_layers import BatchNorm, LayerNorm
from .pooling_layers import MaxPool1D, MaxPool2D, MeanPool1D
from .recurrent_layers import (
    GRU,
    LSTM,
    SRU,
    CoupledLSTM,
    ElmanRNN,
    RecurrentCell,
    StackedLSTM,
    StackedRecurrentCells,
)
from .residual_layers import Residual
from .rnn_state import RNNState
from .transduction_layers import Bidirectional, SequenceMaskingLayer, Transduction, Unidirectional
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
    "SRU",
    "RNNState",
    "Transduction",
    "SequenceMaskingLayer",
    "Unidirectional",
    "Bidirectional",
    "MLPAttention",
    "BilinearAttention",
    "MultiHeadAttention",
    "Transformer",
    "StackedTransformers",
    "CondTransformer",
    "StackedCondTransformers",
    "Affine",
    "GatedLayer",
    "Embeddings",
    "Conv1D",
    "Conv2D",
    "MaxPool1D",
    "MeanPool1D",
    "MaxPool2D",
    "LayerNorm",
    "BatchNorm",
    "Residual",
    "Sequential",
    "Parallel",
    "Lambda",
    "IdentityLayer",
    "ConstantLayer",
    "UnaryOpLayer",
    "NegationLayer",
    "BinaryOpLayer",
    "AdditionLayer",
    "SubstractionLayer",
    "SubtractionLayer",
    "CmultLayer",
    "Flatten",
]
