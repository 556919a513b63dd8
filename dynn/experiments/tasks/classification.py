"""Sentence classification (by default: the genre of Turkish Web Treebank sentences).

``data`` section::

    data:
      task: classification
      source: turkish_treebank_genres   # or: tsv (label<TAB>text per line; train/dev/test paths)
      split_scheme: package
      min_count: 2
      lowercase: false

Context: ``words``, ``chars``, ``labels`` and ``num_words``, ``num_chars``, ``num_labels``.
"""

import pathlib
from typing import Dict, List, Sequence, Tuple

from ...data import treebanks
from ...layers.base_layers import new_graph
from ...models.classifier import LabelledSentence
from .base import batches, problem
from .word_tasks import WordTask

__all__ = ["ClassificationTask"]

Raw = Tuple[List[str], str]


class ClassificationTask(WordTask):
    """One label per sentence, evaluated by accuracy."""

    name = "classification"
    metric = "accuracy"
    higher_is_better = True
    vocabulary_names = ("words", "chars", "labels")
    treebank_source = "turkish_treebank_genres"
    file_source = "tsv"

    def _load_splits(self) -> Dict[str, List[Raw]]:
        splits = {}
        for split in ("train", "dev", "test"):
            if self.settings["source"] == self.treebank_source:
                splits[split] = treebanks.genre_examples(self._from_treebank(split))
            else:
                splits[split] = self._read_tsv(split)
        return splits

    def _read_tsv(self, split: str) -> List[Raw]:
        path = pathlib.Path(self.settings[split])
        if not path.exists():
            raise problem(self.section, split, f"file not found: {path}")
        examples = []
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if not line.strip():
                continue
            label, tab, text = line.partition("\t")
            if not tab or not text.split():
                raise problem(self.section, split, f"{path}:{number}: expected 'label<TAB>text'")
            examples.append((text.split(), label))
        return examples

    def _label_sequences(self, train: List[Raw]) -> List[List[str]]:
        return [[label] for _, label in train]

    def _example(self, raw: Raw) -> LabelledSentence:
        forms, label = raw
        word_ids, char_ids = self._encode(forms)
        return LabelledSentence(word_ids, char_ids, self.vocabularies["labels"].index(label))

    def evaluate(self, model, split: str, batch_size: int = 64) -> Dict[str, float]:
        examples = self.examples(split)
        correct = 0
        for batch in batches(examples, batch_size):
            new_graph(model)
            correct += sum(p == e.label for p, e in zip(model.predict(batch), batch))
        return {"accuracy": correct / max(len(examples), 1), "sentences": len(examples)}

    def _unlabelled(self, word_ids, char_ids) -> LabelledSentence:
        return LabelledSentence(word_ids, char_ids, 0)

    def _format(self, forms: Sequence[str], predicted: int) -> str:
        return self.vocabularies["labels"][predicted]
