"""What every task shares: reading the ``data`` section, vocabularies, batched evaluation.

A task turns the ``data`` section of an experiment config into examples for the train, dev and
test splits, the dictionaries built from the training split (saved in the run directory so that
evaluation and prediction use exactly the same indices), and the *context*: data-derived values
that the model section references (``${data.num_words}``, ``${data.words}``, ...).
"""

import difflib
import pathlib
from typing import Any, Dict, List, Mapping, Optional, Sequence

from ...config.errors import ConfigError, ConfigProblem
from ...config.nodes import key_location_of, location_of
from ...data.dictionary import Dictionary

__all__ = ["Task", "DataSectionError", "read_settings"]


class DataSectionError(ConfigError):
    """The ``data`` section of an experiment config is invalid (located problems)."""


def read_settings(section: Mapping, defaults: Dict[str, Any], required=()) -> Dict[str, Any]:
    """Check the keys of the ``data`` section against ``defaults``; all problems at once."""
    problems = []
    if not isinstance(section, Mapping):
        raise DataSectionError(
            [ConfigProblem(getattr(section, "location", None), "data", "must be a mapping")]
        )
    for key in section:
        if key not in defaults and key != "task":
            close = difflib.get_close_matches(str(key), list(defaults), n=1)
            hint = f"; did you mean '{close[0]}'?" if close else f"; known: {', '.join(defaults)}"
            problems.append(
                ConfigProblem(
                    key_location_of(section, key), f"data.{key}", f"unknown setting{hint}"
                )
            )
    for key in required:
        if section.get(key) is None:
            problems.append(
                ConfigProblem(getattr(section, "location", None), f"data.{key}", "is required")
            )
    if problems:
        raise DataSectionError(problems)
    settings = dict(defaults)
    settings.update({k: v for k, v in section.items() if k != "task"})
    return settings


def problem(section: Mapping, key: str, message: str) -> DataSectionError:
    """A located error about ``data.<key>``."""
    return DataSectionError([ConfigProblem(location_of(section, key), f"data.{key}", message)])


class Task:
    """Base class of tasks.

    Subclasses set ``name``, ``metric``, ``higher_is_better`` and implement
    :meth:`_load_splits`, :meth:`_build_vocabularies`, :meth:`_examples`, :meth:`evaluate`
    and :meth:`predict_lines`.
    """

    name = "task"
    metric = "accuracy"
    higher_is_better = True
    vocabulary_names: Sequence[str] = ()
    #: What the model built from the ``model`` section must provide.
    model_methods: Sequence[str] = ("loss", "predict")

    def __init__(self, section: Mapping):
        self.section = section
        self.settings = self._read_settings(section)
        self.vocabularies: Dict[str, Dictionary] = {}
        self._raw: Dict[str, List] = {}
        self._cache: Dict[str, List] = {}

    # Data --------------------------------------------------------------------------------------
    def prepare(self, vocab_dir: Optional[pathlib.Path] = None) -> None:
        """Read the data; build the vocabularies from train (or load them from ``vocab_dir``)."""
        self._raw = self._load_splits()
        if not self._raw.get("train"):
            raise problem(self.section, "task", "the training split is empty")
        if vocab_dir is not None and all(
            (vocab_dir / f"{n}.json").exists() for n in self.vocabulary_names
        ):
            self.vocabularies = {
                n: Dictionary.load(vocab_dir / f"{n}.json") for n in self.vocabulary_names
            }
        else:
            self.vocabularies = self._build_vocabularies(self._raw["train"])
            for vocabulary in self.vocabularies.values():
                vocabulary.freeze()

    def save_vocabularies(self, vocab_dir: pathlib.Path) -> None:
        vocab_dir.mkdir(parents=True, exist_ok=True)
        for name, vocabulary in self.vocabularies.items():
            vocabulary.save(vocab_dir / f"{name}.json")

    def examples(self, split: str) -> List:
        """The examples of ``split`` (``train``, ``dev`` or ``test``) as indices."""
        if split not in self._raw:
            raise ValueError(f"unknown split {split!r}; expected one of {sorted(self._raw)}")
        if split not in self._cache:
            self._cache[split] = [self._example(raw) for raw in self._raw[split]]
        return self._cache[split]

    def context(self) -> Dict[str, Any]:
        """Data-derived values for the model config (``${data.<key>}``)."""
        values: Dict[str, Any] = dict(self.vocabularies)
        values.update({f"num_{n}": len(v) for n, v in self.vocabularies.items()})
        return values

    # To implement ------------------------------------------------------------------------------
    def _read_settings(self, section: Mapping) -> Dict[str, Any]:
        raise NotImplementedError

    def _load_splits(self) -> Dict[str, List]:
        raise NotImplementedError

    def _build_vocabularies(self, train: List) -> Dict[str, Dictionary]:
        raise NotImplementedError

    def _example(self, raw):
        raise NotImplementedError

    def evaluate(self, model, split: str, batch_size: int = 64) -> Dict[str, float]:
        raise NotImplementedError

    def predict_lines(self, model, lines: Sequence[str]) -> List[str]:
        raise NotImplementedError


def batches(items: Sequence, size: int):
    """Consecutive slices of ``items`` of at most ``size`` elements."""
    for start in range(0, len(items), size):
        yield items[start : start + size]
