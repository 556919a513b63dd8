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
from typing import Dict, List, Mapping, Sequence, Tuple

import numpy as np

from ...data import treebanks
from ...data.conll import read_conllu
from ...data.dictionary import Dictionary
from ...layers.base_layers import new_graph
from ...models.tagger import TaggedSentence
from .base import Task, batches, problem, read_settings

__all__ = ["TaggingTask"]

Raw = Tuple[List[str], List[str]]


class TaggingTask(Task):
    """Word-level tagging, evaluated by accuracy over words.

    The metrics also give, on the same words, the accuracy of the most-frequent-tag baseline
    (each word form's most frequent training tag; unseen forms get the most frequent tag).
    """

    name = "tagging"
    metric = "accuracy"
    higher_is_better = True
    vocabulary_names = ("words", "chars", "tags")

    def _read_settings(self, section: Mapping) -> Dict:
        settings = read_settings(
            section,
            {
                "source": "turkish_treebank",
                "sections": list(treebanks.SECTIONS),
                "split_scheme": "package",
                "train": None,
                "dev": None,
                "test": None,
                "min_count": 2,
                "lowercase": False,
            },
        )
        if settings["source"] not in ("turkish_treebank", "conllu"):
            raise problem(section, "source", "must be 'turkish_treebank' or 'conllu'")
        if settings["source"] == "conllu":
            for split in ("train", "dev", "test"):
                if not settings[split]:
                    raise problem(section, split, "is required with source: conllu (a file path)")
        return settings

    def _load_splits(self) -> Dict[str, List[Raw]]:
        settings = self.settings
        splits = {}
        for split in ("train", "dev", "test"):
            if settings["source"] == "turkish_treebank":
                sentences = treebanks.load_treebank(
                    split, settings["sections"], settings["split_scheme"]
                )
            else:
                path = pathlib.Path(settings[split])
                if not path.exists():
                    raise problem(self.section, split, f"file not found: {path}")
                sentences = read_conllu(path)
            splits[split] = treebanks.tagged_words(sentences)
        return splits

    def _word(self, form: str) -> str:
        return form.lower() if self.settings["lowercase"] else form

    def _build_vocabularies(self, train: List[Raw]) -> Dict[str, Dictionary]:
        words = Dictionary.from_data(
            [[self._word(f) for f in forms] for forms, _ in train],
            min_count=self.settings["min_count"],
        )
        chars = Dictionary.from_data([list("".join(forms)) for forms, _ in train])
        tags = Dictionary.from_data(
            [tags for _, tags in train], unk_token=None, pad_token=None, eos_token=None
        )
        return {"words": words, "chars": chars, "tags": tags}

    def context(self):
        values = super().context()
        values["pad_index"] = self.vocabularies["words"].pad_idx
        return values

    def _encode(self, forms: Sequence[str]) -> Tuple[List[int], List[List[int]]]:
        words, chars = self.vocabularies["words"], self.vocabularies["chars"]
        return (
            [words.index(self._word(f)) for f in forms],
            [[chars.index(c) for c in f] for f in forms],
        )

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

    def predict_lines(self, model, lines: Sequence[str]) -> List[str]:
        tokenize = (
            treebanks.tokenize if self.settings["source"] == "turkish_treebank" else str.split
        )
        sentences = [tokenize(line) for line in lines]
        outputs = [""] * len(lines)
        todo = [i for i, forms in enumerate(sentences) if forms]
        tags = self.vocabularies["tags"]
        for chunk in batches(todo, 64):
            examples = []
            for i in chunk:
                word_ids, char_ids = self._encode(sentences[i])
                examples.append(TaggedSentence(word_ids, char_ids, [0] * len(word_ids)))
            new_graph(model)
            for i, predicted in zip(chunk, model.predict(examples)):
                outputs[i] = " ".join(
                    f"{form}/{tags[t]}" for form, t in zip(sentences[i], predicted)
                )
        return outputs
