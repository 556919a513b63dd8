"""What the tagging and classification tasks share: sentences of words from the treebank or
from files, word and character vocabularies, and the encoding of raw text."""

from typing import Dict, List, Mapping, Sequence, Tuple

from ...data import treebanks
from ...data.dictionary import Dictionary
from ...layers.base_layers import new_graph
from .base import Task, batches, problem, read_settings

__all__ = ["WordTask"]


class WordTask(Task):
    """Base of tasks whose examples are sentences of words with labels.

    Subclasses set ``treebank_source`` (the ``source`` reading the Turkish treebank),
    ``file_source`` (the ``source`` reading the ``train``/``dev``/``test`` files),
    ``label_vocabulary`` and implement :meth:`_label_sequences`.
    """

    treebank_source = ""
    file_source = ""
    label_vocabulary = "labels"

    def _read_settings(self, section: Mapping) -> Dict:
        settings = read_settings(
            section,
            {
                "source": self.treebank_source,
                "sections": list(treebanks.SECTIONS),
                "split_scheme": "package",
                "train": None,
                "dev": None,
                "test": None,
                "min_count": 2,
                "lowercase": False,
            },
        )
        sources = (self.treebank_source, self.file_source)
        if settings["source"] not in sources:
            raise problem(section, "source", f"must be '{sources[0]}' or '{sources[1]}'")
        if settings["source"] == self.file_source:
            for split in ("train", "dev", "test"):
                if not settings[split]:
                    raise problem(
                        section, split, f"is required with source: {self.file_source} (a path)"
                    )
        return settings

    def _from_treebank(self, split: str):
        return treebanks.load_treebank(
            split, self.settings["sections"], self.settings["split_scheme"]
        )

    def _word(self, form: str) -> str:
        return form.lower() if self.settings["lowercase"] else form

    def _label_sequences(self, train: List) -> List[List[str]]:
        raise NotImplementedError

    def _build_vocabularies(self, train: List) -> Dict[str, Dictionary]:
        words = Dictionary.from_data(
            [[self._word(f) for f in forms] for forms, _ in train],
            min_count=self.settings["min_count"],
        )
        chars = Dictionary.from_data([list("".join(forms)) for forms, _ in train])
        labels = Dictionary.from_data(
            self._label_sequences(train), unk_token=None, pad_token=None, eos_token=None
        )
        return {"words": words, "chars": chars, self.label_vocabulary: labels}

    def _encode(self, forms: Sequence[str]) -> Tuple[List[int], List[List[int]]]:
        """Word indices and the character indices of each word."""
        words, chars = self.vocabularies["words"], self.vocabularies["chars"]
        return (
            [words.index(self._word(f)) for f in forms],
            [[chars.index(c) for c in f] for f in forms],
        )

    def tokenize(self, line: str) -> List[str]:
        """Raw text to words, as the training data was tokenized."""
        if self.settings["source"] == self.treebank_source:
            return treebanks.tokenize(line)
        return line.split()

    def predict_lines(self, model, lines: Sequence[str]) -> List[str]:
        """One output line per input line (empty for an empty line)."""
        sentences = [self.tokenize(line) for line in lines]
        outputs = [""] * len(lines)
        todo = [i for i, forms in enumerate(sentences) if forms]
        for chunk in batches(todo, 64):
            examples = [self._unlabelled(*self._encode(sentences[i])) for i in chunk]
            new_graph(model)
            for i, predicted in zip(chunk, model.predict(examples)):
                outputs[i] = self._format(sentences[i], predicted)
        return outputs

    def _unlabelled(self, word_ids: List[int], char_ids: List[List[int]]):
        """An example with these words and a placeholder label."""
        raise NotImplementedError

    def _format(self, forms: Sequence[str], predicted) -> str:
        """The output line for a sentence and its prediction."""
        raise NotImplementedError
