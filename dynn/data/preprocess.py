r"""Preprocessing: lowercasing, tokenization and normalization of (nested lists of) strings.

Every function accepts a string or lists, tuples and dicts of them, nested to any depth, and
returns the same structure (tuples become lists). Everything runs offline with the standard
library.

Example:
    >>> from dynn.data import preprocess
    >>> preprocess.tokenize("Hello, world! It's 3.5 degrees.", tok="punct")
    ['Hello', ',', 'world', '!', 'It', "'", 's', '3.5', 'degrees', '.']
    >>> preprocess.normalize_text("Ｔｈｅ year 1984", digits="0", lowercase=True)
    'the year 0000'
    >>> preprocess.lowercase([["A", "B"], "C"])
    [['a', 'b'], 'c']
"""

import re
import unicodedata
from typing import Callable, Optional

import numpy as np

__all__ = [
    "lowercase",
    "tokenize",
    "normalize_text",
    "standardize",
    "normalize",
    "TOKENIZERS",
]


def _map_strings(data, function: Callable, name: str):
    if isinstance(data, str):
        return function(data)
    if isinstance(data, (list, tuple)):
        return [_map_strings(item, function, name) for item in data]
    if isinstance(data, dict):
        return {key: _map_strings(value, function, name) for key, value in data.items()}
    raise TypeError(
        f"{name}: expected a string or lists / dicts of strings, got {type(data).__name__}"
    )


def lowercase(data):
    """Lowercase every string of ``data``."""
    return _map_strings(data, str.lower, "lowercase")


# Words (letters, digits, underscores, with inner apostrophes split off), numbers with a decimal
# point or comma, and every other non-space character on its own.
_PUNCT_TOKEN = re.compile(r"\d+(?:[.,]\d+)+|\w+|[^\w\s]", re.UNICODE)

TOKENIZERS = {
    "space": str.split,
    "char": list,
    "punct": _PUNCT_TOKEN.findall,
}
"""The tokenizers of :func:`tokenize`, by name."""


def tokenize(data, tok: str = "space", lang: Optional[str] = None):
    """Split every string of ``data`` into a list of tokens.

    Tokenizers (see :data:`TOKENIZERS`):

    - ``"space"``: split on whitespace (the default, as in the original dynn);
    - ``"char"``: characters (spaces included);
    - ``"punct"``: words, numbers (``3.5``, ``1,000``) and each punctuation or symbol character
      as its own token.

    The original dynn's ``"13a"``, ``"zh"`` and ``"moses"`` tokenizers needed external packages
    and are not provided.

    Args:
        data: A string or a nested structure of strings.
        tok: The tokenizer's name.
        lang: Ignored (kept for compatibility).
    """
    if tok not in TOKENIZERS:
        raise ValueError(f"tokenize: unknown tokenizer {tok!r}; choose one of {sorted(TOKENIZERS)}")
    return _map_strings(data, TOKENIZERS[tok], "tokenize")


_SPACES = re.compile(r"\s+")
_DIGIT = re.compile(r"\d")


def normalize_text(
    data,
    form: Optional[str] = "NFKC",
    digits: Optional[str] = "0",
    lowercase: bool = False,
    collapse_spaces: bool = True,
):
    """Normalize every string of ``data``.

    In order: Unicode normalization (``form``), every digit replaced by ``digits``, lowercasing,
    runs of whitespace collapsed to one space and the ends stripped.

    Args:
        data: A string or a nested structure of strings.
        form: Unicode normal form (``"NFKC"``, ``"NFC"``, ``"NFKD"``, ``"NFD"``) or ``None``.
            NFKC maps compatibility characters (full-width letters, ligatures, superscripts)
            to their plain forms.
        digits: Replacement of each digit (any Unicode decimal digit), or ``None`` to keep them.
        lowercase: Also lowercase.
        collapse_spaces: Collapse whitespace runs and strip.
    """
    if form is not None and form not in ("NFC", "NFKC", "NFD", "NFKD"):
        raise ValueError(f"normalize_text: unknown Unicode form {form!r}")

    def normalize_one(text: str) -> str:
        if form is not None:
            text = unicodedata.normalize(form, text)
        if digits is not None:
            text = _DIGIT.sub(digits, text)
        if lowercase:
            text = text.lower()
        if collapse_spaces:
            text = _SPACES.sub(" ", text).strip()
        return text

    return _map_strings(data, normalize_one, "normalize_text")


def standardize(data, epsilon: float = 1e-20):
    r"""Standardize every numpy array of ``data`` to mean 0 and standard deviation 1.

    .. math::

        \hat x = \frac{x - \mathrm{mean}(x)}{\mathrm{std}(x) + \epsilon}

    (each array separately, over all its entries). This is the original dynn's ``normalize``.
    """
    if isinstance(data, np.ndarray):
        return (data - data.mean()) / (data.std() + epsilon)
    if isinstance(data, (list, tuple)):
        return [standardize(item, epsilon) for item in data]
    if isinstance(data, dict):
        return {key: standardize(value, epsilon) for key, value in data.items()}
    raise TypeError(
        f"standardize: expected numpy arrays or lists / dicts of them, got {type(data).__name__}"
    )


def normalize(data, **kwargs):
    """Normalize text (strings: :func:`normalize_text`) or numbers (arrays: :func:`standardize`).

    The original dynn's ``normalize`` standardized numpy arrays, which this still does;
    strings are normalized with :func:`normalize_text` (``kwargs`` go to the function used).
    """

    def first_leaf(item):
        while isinstance(item, (list, tuple, dict)) and len(item):
            item = next(iter(item.values())) if isinstance(item, dict) else item[0]
        return item

    if isinstance(first_leaf(data), np.ndarray):
        return standardize(data, **kwargs)
    return normalize_text(data, **kwargs)
