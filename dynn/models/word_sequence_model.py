"""What the tagger and the sentence classifier share: word representations read by a
bidirectional RNN, with dropout, over a batch of right-padded sentences.
"""

from typing import List, Sequence, Tuple

import dynet as dy

from ..layers.base_layers import BaseLayer
from ..layers.dense_layers import Affine
from ..layers.transduction_layers import Bidirectional
from ..util import conditional_dropout
from .word_encoder import WordEncoder

__all__ = ["WordSequenceModel"]


class WordSequenceModel(BaseLayer, register=False):
    """Base of models that read sentences of words with a bidirectional RNN.

    Args:
        word_encoder: Word representations (embeddings, optional characters).
        encoder: The bidirectional RNN over the words.
        output: Affine layer from the RNN's (concatenated) outputs to the scores.
        dropout: Dropout on the word representations and on the RNN outputs (training only).
    """

    def __init__(
        self,
        name: str,
        word_encoder: WordEncoder,
        encoder: Bidirectional,
        output: Affine,
        dropout: float = 0.0,
    ):
        super().__init__(name)
        where = type(self).__name__
        if encoder.forward_cell.input_dim != word_encoder.output_dim:
            raise ValueError(
                f"{where}: the encoder's input_dim is {encoder.forward_cell.input_dim} but the "
                f"word encoder outputs {word_encoder.output_dim}"
            )
        encoder_out = encoder.forward_cell.hidden_dim + encoder.backward_cell.hidden_dim
        if output.input_dim != encoder_out:
            raise ValueError(
                f"{where}: the output layer's input_dim is {output.input_dim} but the encoder "
                f"outputs {encoder_out}"
            )
        if not 0.0 <= dropout < 1.0:
            raise ValueError(f"{where}: dropout must be in [0, 1), got {dropout!r}")
        self.word_encoder = word_encoder
        self.encoder = encoder
        self.output = output
        self.dropout = dropout

    def _dropped(self, x: dy.Expression) -> dy.Expression:
        return conditional_dropout(x, self.dropout, not self.test)

    def _encode(self, examples: Sequence) -> Tuple[Tuple[List, List], Tuple]:
        """The encoder's outputs (forward, backward) and final states over ``examples``."""
        where = type(self).__name__
        if not examples:
            raise ValueError(f"{where}: no sentences")
        if any(len(e.words) == 0 for e in examples):
            raise ValueError(f"{where}: a sentence has no words")
        chars = [e.chars for e in examples] if self.word_encoder.char_encoder is not None else None
        xs = [self._dropped(x) for x in self.word_encoder([e.words for e in examples], chars)]
        return self.encoder(
            xs,
            lengths=[len(e.words) for e in examples],
            left_padded=False,
            output_only=True,
            return_final_state=True,
        )
