"""A recurrent language model over word or character indices, with sampling.

Example:
    >>> import dynet as dy, dynn
    >>> from dynn.layers import Affine, Embeddings, LSTM
    >>> pc = dy.ParameterCollection()
    >>> lm = RNNLanguageModel(Embeddings(pc, 6, 4), LSTM(pc, 4, 5), Affine(pc, 5, 6))
    >>> dynn.new_graph(lm, test=False, update=True)
    >>> loss, count = lm.loss([[0, 3, 4, 2], [0, 5, 2]])
    >>> count
    5
    >>> dynn.new_graph(lm)
    >>> sample = lm.generate(bos=0, eos=2, max_length=10, rng=np.random.RandomState(0))
    >>> len(sample) <= 10
    True
"""

from typing import List, Optional, Sequence, Tuple

import dynet as dy
import numpy as np

from ..layers.base_layers import BaseLayer
from ..layers.dense_layers import Affine
from ..layers.embedding_layers import Embeddings
from ..layers.recurrent_layers import RecurrentCell
from ..layers.transduction_layers import Unidirectional
from ..operations import seq_mask
from ..util import conditional_dropout
from .word_encoder import pad_batch

__all__ = ["RNNLanguageModel"]


class RNNLanguageModel(BaseLayer):
    r"""Predicts each token from the previous ones.

    .. math::

        p(w_{t+1} \mid w_{\le t}) = \mathrm{softmax}(W h_t + b),\quad
        h_t = \mathrm{cell}(E_{w_t}, h_{t-1})

    A sequence is ``[bos, w_1, ..., w_n, eos]``; the model predicts ``w_1 ... eos``.

    Args:
        embeddings: Token embeddings.
        cell: The recurrent cell (e.g. an :class:`~dynn.layers.recurrent_layers.LSTM` or a
            stack).
        output: Affine layer to the vocabulary scores.
        dropout: Dropout on the embeddings and the cell's outputs (training only).
    """

    def __init__(
        self, embeddings: Embeddings, cell: RecurrentCell, output: Affine, dropout: float = 0.0
    ):
        super().__init__("rnn-language-model")
        if cell.input_dim != embeddings.embed_dim:
            raise ValueError(
                f"RNNLanguageModel: the cell's input_dim is {cell.input_dim} but the embeddings "
                f"have dimension {embeddings.embed_dim}"
            )
        if output.input_dim != cell.hidden_dim:
            raise ValueError(
                f"RNNLanguageModel: the output layer's input_dim is {output.input_dim} but the "
                f"cell outputs {cell.hidden_dim}"
            )
        if not 0.0 <= dropout < 1.0:
            raise ValueError(f"RNNLanguageModel: dropout must be in [0, 1), got {dropout!r}")
        self.embeddings = embeddings
        self.cell = cell
        self.output = output
        self.dropout = dropout
        self.transduction = Unidirectional(cell, output_only=True)

    def loss(self, sequences: Sequence[Sequence[int]]) -> Tuple[dy.Expression, int]:
        """Summed negative log-likelihood of every token after the first, and their number."""
        if not sequences or min(len(s) for s in sequences) < 2:
            raise ValueError("RNNLanguageModel: every sequence needs at least two tokens")
        ids = pad_batch(sequences, 0)
        lengths = [len(s) - 1 for s in sequences]
        drop = not self.test
        xs = [conditional_dropout(x, self.dropout, drop) for x in self.embeddings(ids[:-1])]
        hs = self.transduction(xs, lengths=lengths, left_padded=False)
        losses = [
            dy.pickneglogsoftmax_batch(
                self.output(conditional_dropout(h, self.dropout, drop)),
                [int(i) for i in ids[t + 1]],
            )
            for t, h in enumerate(hs)
        ]
        mask = seq_mask(len(hs), lengths)
        return dy.sum_elems(dy.sum_batches(dy.cmult(dy.concatenate(losses), mask))), sum(lengths)

    def generate(
        self,
        bos: int,
        eos: int,
        max_length: int = 100,
        temperature: float = 1.0,
        rng: Optional[np.random.RandomState] = None,
        prefix: Sequence[int] = (),
    ) -> List[int]:
        """Sample a sequence (without ``bos``/``eos``), as in DyNet's RNN tutorial.

        Args:
            bos: Index that starts a sequence.
            eos: Index that ends it.
            max_length: Most tokens sampled.
            temperature: Divides the scores (below 1: more conservative).
            rng: Random generator (a fresh unseeded one if ``None``).
            prefix: Tokens to condition on (they start the returned sequence).
        """
        if temperature <= 0:
            raise ValueError(
                f"RNNLanguageModel.generate: temperature must be > 0, got {temperature}"
            )
        rng = rng or np.random.RandomState()
        state = self.cell.initial_value()
        tokens = list(prefix)
        current = bos
        for token in tokens:
            state = self.cell(self.embeddings(current), *state)
            current = token
        while len(tokens) < max_length:
            state = self.cell(self.embeddings(current), *state)
            scores = self.output(self.cell.get_output(state)).npvalue() / temperature
            probabilities = np.exp(scores - scores.max())
            probabilities /= probabilities.sum()
            current = int(rng.choice(len(probabilities), p=probabilities))
            if current == eos:
                break
            tokens.append(current)
        return tokens
