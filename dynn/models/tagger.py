"""A sequence tagger: word encoder, bidirectional RNN, affine output layer.

Example:
    >>> import dynet as dy, dynn
    >>> from dynn.layers import Affine, Bidirectional, Embeddings, LSTM
    >>> from dynn.models.word_encoder import WordEncoder
    >>> pc = dy.ParameterCollection()
    >>> tagger = Tagger(
    ...     WordEncoder(Embeddings(pc, 10, 4)),
    ...     Bidirectional(LSTM(pc, 4, 3), LSTM(pc, 4, 3)),
    ...     Affine(pc, 6, 5),
    ... )
    >>> examples = [TaggedSentence([2, 3, 4], None, [0, 1, 2]), TaggedSentence([5], None, [3])]
    >>> dynn.new_graph(tagger, test=False, update=True)
    >>> loss, count = tagger.loss(examples)
    >>> count, loss.dim()
    (4, ((1,), 1))
    >>> dynn.new_graph(tagger)
    >>> [len(tags) for tags in tagger.predict(examples)]
    [3, 1]
"""

from typing import List, NamedTuple, Optional, Sequence, Tuple

import dynet as dy
import numpy as np

from ..layers.dense_layers import Affine
from ..layers.transduction_layers import Bidirectional
from ..operations import seq_mask
from .word_encoder import WordEncoder, pad_batch
from .word_sequence_model import WordSequenceModel

__all__ = ["Tagger", "TaggedSentence"]


class TaggedSentence(NamedTuple):
    """A sentence as indices: words, characters of each word (or ``None``), tags."""

    words: List[int]
    chars: Optional[List[List[int]]]
    tags: List[int]


class Tagger(WordSequenceModel):
    r"""Tags every word of a sentence.

    .. math::

        p(y_t \mid w) = \mathrm{softmax}(W [\overrightarrow{h}_t; \overleftarrow{h}_t] + b)

    where :math:`\overrightarrow{h}_t, \overleftarrow{h}_t` are the states of a bidirectional
    RNN over the word representations. Sentences of a batch are padded on the right and the
    RNN masks the padding, so each sentence's result is that of the sentence alone.

    Args:
        word_encoder: Word representations (embeddings, optional characters).
        encoder: The bidirectional RNN.
        output: Affine layer from the RNN's output to the tag scores.
        dropout: Dropout on the word representations and on the RNN outputs (training only).
    """

    def __init__(
        self,
        word_encoder: WordEncoder,
        encoder: Bidirectional,
        output: Affine,
        dropout: float = 0.0,
    ):
        super().__init__("tagger", word_encoder, encoder, output, dropout)

    def scores(self, examples: Sequence[TaggedSentence]) -> List[dy.Expression]:
        """Tag scores: one batched ``(num_tags,)`` expression per (padded) position."""
        (forward, backward), _ = self._encode(examples)
        return [
            self.output(self._dropped(dy.concatenate([f, b]))) for f, b in zip(forward, backward)
        ]

    def loss(self, examples: Sequence[TaggedSentence]) -> Tuple[dy.Expression, int]:
        """Summed negative log-likelihood of the gold tags, and the number of tags."""
        scores = self.scores(examples)
        tags = pad_batch([e.tags for e in examples], 0)
        mask = seq_mask(len(scores), [len(e.tags) for e in examples])
        losses = [
            dy.pickneglogsoftmax_batch(score, [int(t) for t in tags[position]])
            for position, score in enumerate(scores)
        ]
        total = dy.sum_elems(dy.sum_batches(dy.cmult(dy.concatenate(losses), mask)))
        return total, sum(len(e.tags) for e in examples)

    def predict(self, examples: Sequence[TaggedSentence]) -> List[List[int]]:
        """The most likely tag of every word."""
        scores = self.scores(examples)
        values = np.stack([s.npvalue().reshape(s.dim()[0][0], -1) for s in scores])
        best = values.argmax(axis=1)  # (position, batch)
        return [best[: len(e.words), b].tolist() for b, e in enumerate(examples)]
