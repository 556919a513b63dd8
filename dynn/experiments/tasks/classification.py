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
from typing import Dict, List, Mapping, Sequence, Tuple

from ...data import treebanks
from ...data.dictionary import Dictionary
from ...layers.base_layers import new_graph
from ...models.classifier import LabelledSentence
from .base import Task, batches, problem, read_settings

__all__ = ["ClassificationTask"]

Raw = Tuple[List[str], str]


class ClassificationTask(Task):
    """One label per sentence, evaluated by accuracy."""

    name = "classification"
    metric = "accuracy"
    higher_is_better = True
    vocabulary_names = ("words", "chars", "labels")

    def _read_settings(self, section: Mapping) -> Dict:
        settings = read_settings(
            section,
            {
                "source": "turkish_treebank_genres",
                "sections": list(treebanks.SECTIONS),
                "split_scheme": "package",
                "train": None,
                "dev": None,
                "test": None,
                "min_count": 2,
                "lowercase": False,
            },
        )
        if settings["source"] not in ("turkish_treebank_genres", "tsv"):
            raise problem(section, "source", "must be 'turkish_treebank_genres' or 'tsv'")
        if settings["source"] == "tsv":
            for split in ("train", "dev", "test"):
                if not settings[split]:
                    raise problem(section, split, "is required with source: tsv (a file path)")
        return settings

    def _load_splits(self) -> Dict[str, List[Raw]]:
        splits = {}
        for split in ("train", "dev", "test"):
            if self.settings["source"] == "turkish_treebank_genres":
                sentences = treebanks.load_treebank(
                    split, self.settings["sections"], self.settings["split_scheme"]
                )
                splits[split] = treebanks.genre_examples(sentences)
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

    def _word(self, form: str) -> str:
        return form.lower() if self.settings["lowercase"] else form

    def _build_vocabularies(self, train: List[Raw]) -> Dict[str, Dictionary]:
        words = Dictionary.from_data(
            [[self._word(f) for f in forms] for forms, _ in train],
            min_count=self.settings["min_count"],
        )
        chars = Dictionary.from_data([list("".join(forms)) for forms, _ in train])
        labels = Dictionary.from_data(
            [[label] for _, label in train], unk_token=None, pad_token=None, eos_token=None
        )
        return {"words": words, "chars": chars, "labels": labels}

    def _encode(self, forms: Sequence[str]):
        words, chars = self.vocabularies["words"], self.vocabularies["chars"]
        return (
            [words.index(self._word(f)) for f in forms],
            [[chars.index(c) for c in f] for f in forms],
        )

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

    def predict_lines(self, model, lines: Sequence[str]) -> List[str]:
        tokenize = (
            treebanks.tokenize
            if self.settings["source"] == "turkish_treebank_genres"
            else str.split
        )
        labels = self.vocabularies["labels"]
        outputs = [""] * len(lines)
        todo = [i for i, line in enumerate(lines) if tokenize(line)]
        for chunk in batches(todo, 64):
            examples = [LabelledSentence(*self._encode(tokenize(lines[i])), 0) for i in chunk]
            new_graph(model)
            for i, predicted in zip(chunk, model.predict(examples)):
                outputs[i] = labels[predicted]
        return outputs
