"""Data utilities, all offline: dictionaries, trees, preprocessing, caching and batching.

Nothing in :mod:`dynn.data` downloads anything, and nothing imports DyNet (except
:meth:`~dynn.data.batching.sequence_batch.SequenceBatch.get_mask`, which builds an expression).

- :class:`~dynn.data.dictionary.Dictionary`: symbols to indices and back.
- :class:`~dynn.data.trees.Tree`: bracketed (Penn Treebank style) trees.
- :mod:`~dynn.data.preprocess`: lowercasing, tokenization, normalization.
- :mod:`~dynn.data.caching`: cache slow preprocessing to ``.npz`` / JSON files (no pickle).
- :mod:`~dynn.data.batching`: ``NumpyBatches``, ``SequenceBatch``, ``PaddedSequenceBatches``,
  ``BPTTBatches``, ``SequencePairsBatches``.
"""

from . import batching, caching, preprocess
from .dictionary import Dictionary
from .trees import Tree

__all__ = ["batching", "caching", "preprocess", "Dictionary", "Tree"]
