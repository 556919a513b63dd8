"""Language modelling over characters or words, evaluated by perplexity.

``data`` section::

    data:
      task: language_model
      source: turkish_treebank_text   # the treebank's sentences as raw text; or: text
      level: char                     # char | word
      train: path, dev: path, test: path   # source: text (one sequence per line)
      min_count: 1
      max_length: 200                 # longer lines are cut

Context: ``tokens`` (dictionary), ``num_tokens``, ``bos_index``, ``eos_index``.
"""

import math
import pathlib
from typing import Dict, List, Mapping, Sequence

import numpy as np

from ...data import treebanks
from ...data.dictionary import Dictionary
from ...layers.base_layers import new_graph
from .base import Task, batches, problem, read_settings

__all__ = ["LanguageModellingTask"]


class LanguageModellingTask(Task):
    """Next-token prediction; the metric is perplexity (lower is better)."""

    name = "language_model"
    metric = "perplexity"
    higher_is_better = False
    vocabulary_names = ("tokens",)
    model_methods = ("loss", "generate")

    def _read_settings(self, section: Mapping) -> Dict:
        settings = read_settings(
            section,
            {
                "source": "turkish_treebank_text",
                "sections": list(treebanks.SECTIONS),
                "split_scheme": "package",
                "level": "char",
                "train": None,
                "dev": None,
                "test": None,
                "min_count": 1,
                "max_length": 200,
            },
        )
        if settings["source"] not in ("turkish_treebank_text", "text"):
            raise problem(section, "source", "must be 'turkish_treebank_text' or 'text'")
        if settings["level"] not in ("char", "word"):
            raise problem(section, "level", "must be 'char' or 'word'")
        if settings["source"] == "text":
            for split in ("train", "dev", "test"):
                if not settings[split]:
                    raise problem(section, split, "is required with source: text (a file path)")
        return settings

    def tokens(self, line: str) -> List[str]:
        line = line.strip()
        tokens = list(line) if self.settings["level"] == "char" else line.split()
        return tokens[: self.settings["max_length"]]

    def _load_splits(self) -> Dict[str, List[List[str]]]:
        splits = {}
        for split in ("train", "dev", "test"):
            if self.settings["source"] == "turkish_treebank_text":
                sentences = treebanks.load_treebank(
                    split, self.settings["sections"], self.settings["split_scheme"]
                )
                lines = [s.text or " ".join(t.form for t in s.surface_tokens) for s in sentences]
            else:
                path = pathlib.Path(self.settings[split])
                if not path.exists():
                    raise problem(self.section, split, f"file not found: {path}")
                lines = path.read_text(encoding="utf-8").splitlines()
            splits[split] = [t for t in (self.tokens(line) for line in lines) if t]
        return splits

    def _build_vocabularies(self, train) -> Dict[str, Dictionary]:
        tokens = Dictionary.from_data(
            train, min_count=self.settings["min_count"], bos_token="<bos>"
        )
        return {"tokens": tokens}

    def context(self):
        values = super().context()
        values["bos_index"] = self.vocabularies["tokens"].bos_idx
        values["eos_index"] = self.vocabularies["tokens"].eos_idx
        return values

    def _example(self, raw: List[str]) -> List[int]:
        tokens = self.vocabularies["tokens"]
        return [tokens.bos_idx] + [tokens.index(t) for t in raw] + [tokens.eos_idx]

    def evaluate(self, model, split: str, batch_size: int = 64) -> Dict[str, float]:
        total, count = 0.0, 0
        for batch in batches(self.examples(split), batch_size):
            new_graph(model)
            loss, n = model.loss(batch)
            total += loss.value()
            count += n
        mean = total / max(count, 1)
        return {"perplexity": math.exp(min(mean, 700.0)), "loss": mean, "tokens": count}

    def predict_lines(self, model, lines: Sequence[str]) -> List[str]:
        """Perplexity of each line under the model."""
        outputs = []
        for line in lines:
            tokens = self.tokens(line)
            if not tokens:
                outputs.append("")
                continue
            new_graph(model)
            loss, n = model.loss([self._example(tokens)])
            outputs.append(f"{math.exp(min(loss.value() / n, 700.0)):.3f}")
        return outputs

    def generate(self, model, count: int, temperature: float, seed: int) -> List[str]:
        """``count`` samples from the model."""
        tokens = self.vocabularies["tokens"]
        rng = np.random.RandomState(seed)
        joiner = "" if self.settings["level"] == "char" else " "
        samples = []
        for _ in range(count):
            new_graph(model)
            ids = model.generate(
                tokens.bos_idx, tokens.eos_idx, self.settings["max_length"], temperature, rng
            )
            samples.append(joiner.join(tokens[i] for i in ids))
        return samples
