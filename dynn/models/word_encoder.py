"""Word representations for a batch of sentences: word embeddings, optionally concatenated with
the final states of a character-level bidirectional RNN.

Example:
    >>> import dynet as dy, dynn
    >>> from dynn.layers import Embeddings, Bidirectional, LSTM
    >>> pc = dy.ParameterCollection()
    >>> encoder = WordEncoder(
    ...     Embeddings(pc, 10, 4),
    ...     char_embeddings=Embeddings(pc, 20, 3),
    ...     char_encoder=Bidirectional(LSTM(pc, 3, 2), LSTM(pc, 3, 2)),
    ... )
    >>> encoder.output_dim
    8
    >>> dynn.new_graph(encoder)
    >>> xs = encoder([[1, 2, 3], [4, 5]], [[[1], [2, 3], [4]], [[5, 6, 7], [8]]])
    >>> len(xs), xs[0].dim()
    (3, ((8,), 2))
"""

from typing import List, Optional, Sequence

import dynet as dy
import numpy as np

from ..layers.base_layers import BaseLayer
from ..layers.embedding_layers import Embeddings
from ..layers.transduction_layers import Bidirectional

__all__ = ["WordEncoder", "pad_batch"]


def pad_batch(sequences: Sequence[Sequence[int]], pad: int) -> np.ndarray:
    """A ``(max length, batch)`` array of the sequences, right-padded with ``pad``."""
    longest = max(len(s) for s in sequences)
    padded = np.full((longest, len(sequences)), pad, dtype=np.int64)
    for column, sequence in enumerate(sequences):
        padded[: len(sequence), column] = sequence
    return padded


class WordEncoder(BaseLayer):
    r"""Represents each word of a batch of sentences as a vector.

    .. math::

        x_{t} = [E_{w_t};\ \overrightarrow{c}_{w_t};\ \overleftarrow{c}_{w_t}]

    where :math:`\overrightarrow{c}_w` and :math:`\overleftarrow{c}_w` are the final states of
    the character encoder run over the characters of word :math:`w` (each word of the batch is
    encoded once, all words in one padded batch).

    Args:
        word_embeddings: Embeddings of the word indices.
        char_embeddings: Embeddings of the character indices (with ``char_encoder``).
        char_encoder: A bidirectional RNN over each word's characters.
        pad_index: The word and character index used for padding.
    """

    def __init__(
        self,
        word_embeddings: Embeddings,
        char_embeddings: Optional[Embeddings] = None,
        char_encoder: Optional[Bidirectional] = None,
        pad_index: int = 1,
    ):
        super().__init__("word-encoder")
        if (char_embeddings is None) != (char_encoder is None):
            raise ValueError("WordEncoder: give both char_embeddings and char_encoder, or neither")
        if (
            char_encoder is not None
            and char_encoder.forward_cell.input_dim != char_embeddings.embed_dim
        ):
            raise ValueError(
                f"WordEncoder: char_encoder expects inputs of dimension "
                f"{char_encoder.forward_cell.input_dim}, char_embeddings have "
                f"{char_embeddings.embed_dim}"
            )
        self.word_embeddings = word_embeddings
        self.char_embeddings = char_embeddings
        self.char_encoder = char_encoder
        self.pad_index = pad_index

    @property
    def output_dim(self) -> int:
        """Dimension of a word's representation."""
        dim = self.word_embeddings.embed_dim
        if self.char_encoder is not None:
            dim += (
                self.char_encoder.forward_cell.hidden_dim
                + self.char_encoder.backward_cell.hidden_dim
            )
        return dim

    def __call__(
        self,
        words: Sequence[Sequence[int]],
        chars: Optional[Sequence[Sequence[Sequence[int]]]] = None,
    ) -> List[dy.Expression]:
        """One batched vector per position (right-padded to the longest sentence).

        Args:
            words: The word indices of each sentence.
            chars: The character indices of each word of each sentence (needed with a character
                encoder).
        """
        word_ids = pad_batch(words, self.pad_index)
        vectors = self.word_embeddings(word_ids)
        if self.char_encoder is None:
            return vectors
        if chars is None:
            raise ValueError("WordEncoder: this encoder has a character encoder; give chars")
        char_vectors = self._char_vectors([w for sentence in chars for w in sentence])
        offsets = np.cumsum([0] + [len(s) for s in words[:-1]])
        lengths = np.array([len(s) for s in words])
        out = []
        for t, vector in enumerate(vectors):
            # Padded positions pick any word: the sequence layers mask them.
            picks = [int(o + min(t, n - 1)) for o, n in zip(offsets, lengths)]
            out.append(dy.concatenate([vector, dy.pick_batch_elems(char_vectors, picks)]))
        return out

    def _char_vectors(self, all_words: Sequence[Sequence[int]]) -> dy.Expression:
        lengths = [len(w) for w in all_words]
        if min(lengths) == 0:
            raise ValueError("WordEncoder: a word has no characters")
        inputs = self.char_embeddings(pad_batch(all_words, self.pad_index))
        _, (forward_final, backward_final) = self.char_encoder(
            inputs, lengths=lengths, left_padded=False, return_final_state=True
        )
        return dy.concatenate(
            [
                self.char_encoder.forward_cell.get_output(forward_final),
                self.char_encoder.backward_cell.get_output(backward_final),
            ]
        )
