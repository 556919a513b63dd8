"""Tagging task: one label per word (part-of-speech tags by default).

``data`` section::

    data:
      task: tagging
      source: turkish_treebank      # or: conllu (then give train, dev, test paths)
      sections: [web, wiki]         # turkish_treebank only
      split_scheme: package         # turkish_treebank only: package | hash
      min_count: 2                  # rarer training words become <unk> (characters still see them)
      lowercase: false              # lowercase words (characters keep the case)

Context for the model section: ``words``, ``chars``, ``tags`` (dictionaries) and ``num_words``,
``num_chars``, ``num_tags``, ``pad_index``.
"""

import pathlib
from typing import Dict, List, Sequence, Tuple

import numpy as np

from ...data import treebanks
from ...data.conll import read_conllu
from ...layers.base_layers import new_graph
from ...models.tagger import TaggedSentence
from .base import batches, problem
from .word_tasks import WordTask

__all__ = ["TaggingTask"]

Raw = Tuple[List[str], List[str]]


class TaggingTask(WordTask):
    """Word-level tagging, evaluated by accuracy over words.

    The metrics also give, on the same words, the accuracy of the most-frequent-tag baseline
    (each word form's most frequent training tag; unseen forms get the most frequent tag).
    """

    name = "tagging"
    metric = "accuracy"
    higher_is_better = True
    vocabulary_names = ("words", "chars", "tags")
    treebank_source = "turkish_treebank"
    file_source = "conllu"
    label_vocabulary = "tags"

    def _load_splits(self) -> Dict[str, List[Raw]]:
        splits = {}
        for split in ("train", "dev", "test"):
            if self.settings["source"] == self.treebank_source:
                sentences = self._from_treebank(split)
            else:
                path = pathlib.Path(self.settings[split])
                if not path.exists():
                    raise problem(self.section, split, f"file not found: {path}")
                sentences = read_conllu(path)
            splits[split] = treebanks.tagged_words(sentences)
        return splits

    def _label_sequences(self, train: List[Raw]) -> List[List[str]]:
        return [tags for _, tags in train]

    def context(self):
        values = super().context()
        values["pad_index"] = self.vocabularies["words"].pad_idx
        return values

    def _example(self, raw: Raw) -> TaggedSentence:
        forms, tags = raw
        word_ids, char_ids = self._encode(forms)
        return TaggedSentence(
            word_ids, char_ids, [self.vocabularies["tags"].index(t) for t in tags]
        )

    def evaluate(self, model, split: str, batch_size: int = 64) -> Dict[str, float]:
        examples = self.examples(split)
        correct = total = unknown_correct = unknown_total = 0
        unk = self.vocabularies["words"].unk_idx
        for batch in batches(examples, batch_size):
            new_graph(model)
            for example, predicted in zip(batch, model.predict(batch)):
                hits = np.array(predicted) == np.array(example.tags)
                is_unknown = np.array(example.words) == unk
                correct += int(hits.sum())
                total += len(hits)
                unknown_correct += int(hits[is_unknown].sum())
                unknown_total += int(is_unknown.sum())
        baseline = treebanks.MostFrequentTagger().fit(self._raw["train"])
        return {
            "accuracy": correct / max(total, 1),
            "unknown_word_accuracy": unknown_correct / max(unknown_total, 1),
            "most_frequent_tag_accuracy": baseline.accuracy(self._raw[split]),
            "words": total,
        }

    def _unlabelled(self, word_ids, char_ids) -> TaggedSentence:
        return TaggedSentence(word_ids, char_ids, [0] * len(word_ids))

    def _format(self, forms: Sequence[str], predicted: List[int]) -> str:
        tags = self.vocabularies["tags"]
        return " ".join(f"{form}/{tags[t]}" for form, t in zip(forms, predicted))
