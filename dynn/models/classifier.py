"""A sentence classifier: word encoder, bidirectional RNN, final states, affine output layer.

Example:
    >>> import dynet as dy, dynn
    >>> from dynn.layers import Affine, Bidirectional, Embeddings, LSTM
    >>> from dynn.models.word_encoder import WordEncoder
    >>> pc = dy.ParameterCollection()
    >>> classifier = SentenceClassifier(
    ...     WordEncoder(Embeddings(pc, 10, 4)),
    ...     Bidirectional(LSTM(pc, 4, 3), LSTM(pc, 4, 3)),
    ...     Affine(pc, 6, 2),
    ... )
    >>> examples = [LabelledSentence([2, 3, 4], None, 0), LabelledSentence([5], None, 1)]
    >>> dynn.new_graph(classifier)
    >>> len(classifier.predict(examples))
    2
"""

from typing import List, NamedTuple, Optional, Sequence, Tuple

import dynet as dy

from ..layers.base_layers import BaseLayer
from ..layers.dense_layers import Affine
from ..layers.transduction_layers import Bidirectional
from ..util import conditional_dropout
from .word_encoder import WordEncoder

__all__ = ["SentenceClassifier", "LabelledSentence"]


class LabelledSentence(NamedTuple):
    """A sentence as indices: words, characters of each word (or ``None``), label."""

    words: List[int]
    chars: Optional[List[List[int]]]
    label: int


class SentenceClassifier(BaseLayer):
    r"""Classifies a sentence from the final states of a bidirectional RNN.

    .. math::

        p(y \mid w) = \mathrm{softmax}(W [\overrightarrow{h}_{n}; \overleftarrow{h}_{1}] + b)

    Args:
        word_encoder: Word representations.
        encoder: The bidirectional RNN; its final states (each sentence's last word forward,
            first word backward, whatever the padding) represent the sentence.
        output: Affine layer to the label scores.
        dropout: Dropout on word representations and on the sentence vector (training only).
    """

    def __init__(
        self,
        word_encoder: WordEncoder,
        encoder: Bidirectional,
        output: Affine,
        dropout: float = 0.0,
    ):
        super().__init__("sentence-classifier")
        if encoder.forward_cell.input_dim != word_encoder.output_dim:
            raise ValueError(
                f"SentenceClassifier: the encoder's input_dim is "
                f"{encoder.forward_cell.input_dim} but the word encoder outputs "
                f"{word_encoder.output_dim}"
            )
        encoder_out = encoder.forward_cell.hidden_dim + encoder.backward_cell.hidden_dim
        if output.input_dim != encoder_out:
            raise ValueError(
                f"SentenceClassifier: the output layer's input_dim is {output.input_dim} but the "
                f"encoder outputs {encoder_out}"
            )
        if not 0.0 <= dropout < 1.0:
            raise ValueError(f"SentenceClassifier: dropout must be in [0, 1), got {dropout!r}")
        self.word_encoder = word_encoder
        self.encoder = encoder
        self.output = output
        self.dropout = dropout

    def scores(self, examples: Sequence[LabelledSentence]) -> dy.Expression:
        """Label scores, batched over the sentences."""
        if not examples:
            raise ValueError("SentenceClassifier: no sentences to classify")
        if any(len(e.words) == 0 for e in examples):
            raise ValueError("SentenceClassifier: a sentence has no words")
        chars = [e.chars for e in examples] if self.word_encoder.char_encoder is not None else None
        xs = [
            conditional_dropout(x, self.dropout, not self.test)
            for x in self.word_encoder([e.words for e in examples], chars)
        ]
        _, (forward, backward) = self.encoder(
            xs,
            lengths=[len(e.words) for e in examples],
            left_padded=False,
            return_final_state=True,
        )
        sentence = dy.concatenate(
            [
                self.encoder.forward_cell.get_output(forward),
                self.encoder.backward_cell.get_output(backward),
            ]
        )
        return self.output(conditional_dropout(sentence, self.dropout, not self.test))

    def loss(self, examples: Sequence[LabelledSentence]) -> Tuple[dy.Expression, int]:
        """Summed negative log-likelihood of the gold labels, and the number of sentences."""
        losses = dy.pickneglogsoftmax_batch(self.scores(examples), [e.label for e in examples])
        return dy.sum_batches(losses), len(examples)

    def predict(self, examples: Sequence[LabelledSentence]) -> List[int]:
        """The most likely label of each sentence."""
        values = self.scores(examples).npvalue()
        return values.reshape(values.shape[0], -1).argmax(axis=0).tolist()
