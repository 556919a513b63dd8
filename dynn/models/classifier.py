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

from ..layers.dense_layers import Affine
from ..layers.transduction_layers import Bidirectional
from .word_encoder import WordEncoder
from .word_sequence_model import WordSequenceModel

__all__ = ["SentenceClassifier", "LabelledSentence"]


class LabelledSentence(NamedTuple):
    """A sentence as indices: words, characters of each word (or ``None``), label."""

    words: List[int]
    chars: Optional[List[List[int]]]
    label: int


class SentenceClassifier(WordSequenceModel):
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
        super().__init__("sentence-classifier", word_encoder, encoder, output, dropout)

    def scores(self, examples: Sequence[LabelledSentence]) -> dy.Expression:
        """Label scores, batched over the sentences."""
        _, (forward, backward) = self._encode(examples)
        sentence = dy.concatenate(
            [
                self.encoder.forward_cell.get_output(forward),
                self.encoder.backward_cell.get_output(backward),
            ]
        )
        return self.output(self._dropped(sentence))

    def loss(self, examples: Sequence[LabelledSentence]) -> Tuple[dy.Expression, int]:
        """Summed negative log-likelihood of the gold labels, and the number of sentences."""
        losses = dy.pickneglogsoftmax_batch(self.scores(examples), [e.label for e in examples])
        return dy.sum_batches(losses), len(examples)

    def predict(self, examples: Sequence[LabelledSentence]) -> List[int]:
        """The most likely label of each sentence."""
        values = self.scores(examples).npvalue()
        return values.reshape(values.shape[0], -1).argmax(axis=0).tolist()
