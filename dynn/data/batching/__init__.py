"""Batch iterators: fixed-size samples, padded sequences, BPTT streams and sequence pairs.

Everything is plain numpy (numpy 2 compatible: no ragged object arrays; variable-length
sequences are kept as lists of 1-D integer arrays) and nothing here imports DyNet.

The names of the original dynn's last version (``NumpyBatchIterator``, ...) are aliases.
"""

from .bptt_batching import BPTTBatches
from .numpy_batching import NumpyBatches
from .padded_sequence_batching import PaddedSequenceBatches
from .parallel_sequences_batching import SequencePairsBatches
from .sequence_batch import SequenceBatch

NumpyBatchIterator = NumpyBatches
PaddedSequenceBatchIterator = PaddedSequenceBatches
BPTTBatchIterator = BPTTBatches
SequencePairsBatchIterator = SequencePairsBatches

__all__ = [
    "NumpyBatches",
    "SequenceBatch",
    "PaddedSequenceBatches",
    "BPTTBatches",
    "SequencePairsBatches",
    "NumpyBatchIterator",
    "PaddedSequenceBatchIterator",
    "BPTTBatchIterator",
    "SequencePairsBatchIterator",
]
