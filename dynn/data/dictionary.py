"""Dictionary: a two-way mapping between symbols (strings) and integer indices.

The special symbols come first: ``<unk>`` (unknown), ``<pad>`` (padding) and ``<eos>`` (end of
sentence) at indices 0, 1 and 2 as in the original dynn, then ``<bos>`` (beginning of sentence)
if one is configured, then any extra special symbols. Each special symbol can be renamed or
disabled (``None``).

Looking a symbol up (:meth:`Dictionary.index`, :meth:`Dictionary.numberize`) never adds it: an
unknown symbol maps to the ``<unk>`` index (or raises ``KeyError`` if there is no unknown
symbol or ``fail_if_unknown=True``). :meth:`Dictionary.add` adds a symbol, unless the dictionary
is frozen, in which case it behaves like a lookup.

Dictionaries are saved as JSON (never pickled) and :meth:`Dictionary.load` restores every
attribute; text files written by the original dynn (an optional ``size<TAB>frozen<TAB>nspecials``
header, then one symbol per line) can also be loaded.

Example:
    >>> from dynn.data.dictionary import Dictionary
    >>> dic = Dictionary.from_data([["a", "b", "a"], ["c", "a"]])
    >>> dic.symbols
    ['<unk>', '<pad>', '<eos>', 'a', 'b', 'c']
    >>> dic.freeze()
    >>> dic.numberize([["a", "z"], ["c"]])
    [[3, 0], [5]]
    >>> dic.string([3, 4, 1, 2], join_with=" ")
    'a b'
"""

import json
import numbers
import os
from collections import Counter
from typing import Dict, Iterable, List, Optional, Sequence, Union

from ..files import FileFormatError, atomic_write

__all__ = ["Dictionary", "UNK_TOKEN", "PAD_TOKEN", "EOS_TOKEN", "BOS_TOKEN"]

UNK_TOKEN = "<unk>"
PAD_TOKEN = "<pad>"
EOS_TOKEN = "<eos>"
BOS_TOKEN = "<bos>"

_FORMAT = "dynn.Dictionary"
_VERSION = 1
_SPECIALS = ("unk", "pad", "eos", "bos")


class Dictionary:
    """A mapping between symbols and indices, with special symbols first.

    Args:
        symbols: Symbols to add (after the special symbols), in order; duplicates are ignored.
        special_symbols: Extra special symbols, after ``<unk>``, ``<pad>``, ``<eos>`` (and
            ``<bos>``).
        unk_token: The unknown symbol, or ``None`` for none (then unknown symbols raise).
        pad_token: The padding symbol, or ``None``.
        eos_token: The end-of-sentence symbol, or ``None``.
        bos_token: The beginning-of-sentence symbol; ``None`` (the default, as in the original
            dynn) for none.

    Attributes:
        symbols (list): The symbols, by index.
        indices (dict): The index of each symbol.
        frozen (bool): Whether :meth:`add` can add symbols.
        nspecials (int): Number of special symbols (indices ``0 .. nspecials - 1``).
        unk_idx, pad_idx, eos_idx, bos_idx (int or None): Indices of the special symbols
            (``None`` if disabled); ``unk_tok``, ``pad_tok``, ``eos_tok``, ``bos_tok`` are
            the symbols.
    """

    def __init__(
        self,
        symbols: Optional[Iterable[str]] = None,
        special_symbols: Optional[Iterable[str]] = None,
        unk_token: Optional[str] = UNK_TOKEN,
        pad_token: Optional[str] = PAD_TOKEN,
        eos_token: Optional[str] = EOS_TOKEN,
        bos_token: Optional[str] = None,
    ):
        self.frozen = False
        self.symbols: List[str] = []
        self.indices: Dict[str, int] = {}
        tokens = {"unk": unk_token, "pad": pad_token, "eos": eos_token, "bos": bos_token}
        for kind, token in tokens.items():
            if token is not None:
                self._check_symbol(token, f"{kind}_token")
                if token in self.indices:
                    raise ValueError(f"Dictionary: {kind}_token {token!r} is already special")
            setattr(self, f"{kind}_tok", token)
            setattr(self, f"{kind}_idx", None if token is None else self._append(token))
        self.special_symbols: List[str] = []
        for symbol in special_symbols or ():
            self._check_symbol(symbol, "special symbol")
            if symbol not in self.indices:
                self.special_symbols.append(symbol)
                self._append(symbol)
        self.nspecials = len(self.symbols)
        for symbol in symbols or ():
            self.add(symbol)

    # Construction -----------------------------------------------------------------------------
    @staticmethod
    def _check_symbol(symbol, what: str) -> None:
        if not isinstance(symbol, str):
            raise TypeError(f"Dictionary: a {what} must be a string, got {type(symbol).__name__}")

    def _append(self, symbol: str) -> int:
        self.indices[symbol] = len(self.symbols)
        self.symbols.append(symbol)
        return self.indices[symbol]

    def add(self, symbol: str) -> int:
        """Add ``symbol`` (unless the dictionary is frozen) and return its index.

        Adding a symbol that is already there does nothing. On a frozen dictionary, an unknown
        symbol is not added and the result is the ``<unk>`` index (see :meth:`index`).
        """
        self._check_symbol(symbol, "symbol")
        if not self.frozen and symbol not in self.indices:
            return self._append(symbol)
        return self.index(symbol)

    def freeze(self) -> None:
        """Forbid adding symbols (do it once the training data is read)."""
        self.frozen = True

    def thaw(self) -> None:
        """Allow adding symbols again."""
        self.frozen = False

    @classmethod
    def from_data(
        cls,
        data: Iterable[Iterable[str]],
        min_count: int = 1,
        max_size: int = -1,
        symbols: Optional[Sequence[str]] = None,
        special_symbols: Optional[Iterable[str]] = None,
        **special_tokens,
    ) -> "Dictionary":
        """A dictionary of the symbols of ``data``, most frequent first.

        Args:
            data: Sequences of symbols (e.g. tokenized sentences).
            min_count: Keep only symbols seen at least this many times.
            max_size: If positive, the maximum number of non-special symbols (the forced
                ``symbols`` included); the most frequent are kept.
            symbols: Symbols to include first, whatever their frequency.
            special_symbols: Extra special symbols.
            **special_tokens: ``unk_token``, ``pad_token``, ``eos_token``, ``bos_token`` (see
                the constructor).

        Returns:
            A new (not frozen) dictionary. Ties in frequency keep the order of first occurrence.
        """
        if not isinstance(min_count, numbers.Integral) or min_count < 1:
            raise ValueError(f"Dictionary.from_data: min_count must be >= 1, got {min_count!r}")
        if not isinstance(max_size, numbers.Integral):
            raise ValueError(f"Dictionary.from_data: max_size must be an int, got {max_size!r}")
        if isinstance(data, str):
            raise TypeError("Dictionary.from_data: data must be sequences of symbols, got a str")
        counts: Counter = Counter()
        for sequence in data:
            if isinstance(sequence, str):
                raise TypeError(
                    "Dictionary.from_data: data must be sequences of symbols (e.g. lists of "
                    f"tokens), got the string {sequence[:20]!r}"
                )
            counts.update(sequence)
        dictionary = cls(symbols=symbols, special_symbols=special_symbols, **special_tokens)
        frequent = [symbol for symbol, count in counts.most_common() if count >= min_count]
        for symbol in frequent:
            if max_size > 0 and len(dictionary) - dictionary.nspecials >= max_size:
                break
            dictionary.add(symbol)
        return dictionary

    # Lookups ----------------------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self.symbols)

    def __contains__(self, symbol) -> bool:
        return symbol in self.indices

    def __iter__(self):
        return iter(self.symbols)

    def __getitem__(self, key: Union[int, str]) -> Union[str, int]:
        """``dic[i]`` is the symbol at index ``i``; ``dic["word"]`` is the index of a symbol."""
        if isinstance(key, str):
            return self.index(key)
        if isinstance(key, numbers.Integral) and not isinstance(key, bool):
            if not 0 <= key < len(self.symbols):
                raise IndexError(
                    f"Dictionary: index {key} out of range (the dictionary has "
                    f"{len(self.symbols)} symbols)"
                )
            return self.symbols[int(key)]
        raise TypeError(f"Dictionary: expected an int or a str, got {type(key).__name__}")

    def index(self, symbol: str, fail_if_unknown: bool = False) -> int:
        """The index of ``symbol``; the ``<unk>`` index for an unknown symbol.

        Raises:
            KeyError: the symbol is unknown and ``fail_if_unknown`` is set, or there is no
                unknown symbol.
        """
        index = self.indices.get(symbol)
        if index is not None:
            return index
        if fail_if_unknown or self.unk_idx is None:
            self._check_symbol(symbol, "symbol")
            raise KeyError(f"Dictionary: {symbol!r} is not in the dictionary")
        return self.unk_idx

    def numberize(self, data, fail_if_unknown: bool = False):
        """Replace every symbol in ``data`` (a string, or lists / tuples / dicts of them, nested)
        by its index, keeping the structure (tuples become lists)."""
        if isinstance(data, str):
            return self.index(data, fail_if_unknown)
        if isinstance(data, dict):
            return {key: self.numberize(value, fail_if_unknown) for key, value in data.items()}
        if isinstance(data, (list, tuple)):
            return [self.numberize(item, fail_if_unknown) for item in data]
        raise TypeError(
            f"Dictionary.numberize: expected strings or lists of strings, got {type(data).__name__}"
        )

    def string(
        self,
        idxs: Iterable[int],
        with_pad: bool = False,
        with_eos: bool = False,
        join_with: Optional[str] = None,
        with_bos: bool = False,
    ) -> Union[str, List[str]]:
        """The symbols of the indices ``idxs``, without padding and sentence boundaries.

        Args:
            idxs: Indices (ints, or a 1-D integer array).
            with_pad: Keep the padding symbols.
            with_eos: Keep the end-of-sentence symbols.
            join_with: If given, join the symbols with this string.
            with_bos: Keep the beginning-of-sentence symbols.

        Returns:
            The list of symbols, or one string if ``join_with`` is given.
        """
        dropped = set()
        if not with_pad and self.pad_idx is not None:
            dropped.add(self.pad_idx)
        if not with_eos and self.eos_idx is not None:
            dropped.add(self.eos_idx)
        if not with_bos and self.bos_idx is not None:
            dropped.add(self.bos_idx)
        words = [self[int(idx)] for idx in idxs if int(idx) not in dropped]
        return words if join_with is None else join_with.join(words)

    def is_special(self, idx: int) -> bool:
        """Whether ``idx`` is the index of a special symbol."""
        return 0 <= int(idx) < self.nspecials

    # Comparison and display -------------------------------------------------------------------
    def _state(self) -> dict:
        return {
            "format": _FORMAT,
            "version": _VERSION,
            "symbols": list(self.symbols),
            "nspecials": self.nspecials,
            "special_symbols": list(self.special_symbols),
            "frozen": self.frozen,
            **{f"{kind}_token": getattr(self, f"{kind}_tok") for kind in _SPECIALS},
        }

    def __eq__(self, other) -> bool:
        return isinstance(other, Dictionary) and self._state() == other._state()

    def __repr__(self) -> str:
        frozen = ", frozen" if self.frozen else ""
        return f"Dictionary({len(self)} symbols, {self.nspecials} special{frozen})"

    # Files ------------------------------------------------------------------------------------
    def save(self, filename) -> None:
        """Save the dictionary as JSON (atomically); :meth:`load` restores every attribute."""
        with atomic_write(filename, "w") as handle:
            json.dump(self._state(), handle, ensure_ascii=False, indent=1)
            handle.write("\n")

    @classmethod
    def load(cls, filename) -> "Dictionary":
        """Load a dictionary saved by :meth:`save` (or a text file of the original dynn).

        Raises:
            FileFormatError: the file is not a dictionary file, or is inconsistent.
        """
        path = os.fspath(filename)
        with open(path, encoding="utf-8") as handle:
            content = handle.read()
        if content.lstrip().startswith("{"):
            try:
                state = json.loads(content)
            except json.JSONDecodeError as error:
                raise FileFormatError(f"{path!r}: invalid JSON ({error})") from None
            return cls._from_state(state, repr(path))
        return cls._from_legacy_text(content, repr(path))

    @classmethod
    def _from_state(cls, state, source: str) -> "Dictionary":
        if not isinstance(state, dict) or state.get("format") != _FORMAT:
            raise FileFormatError(f"{source} is not a dynn dictionary file")
        if state.get("version") != _VERSION:
            raise FileFormatError(
                f"{source}: dictionary format version {state.get('version')!r} is not supported"
            )
        expected = set(cls(unk_token=None)._state())
        if set(state) != expected:
            problems = sorted(set(state) ^ expected)
            raise FileFormatError(f"{source}: missing or unknown fields {problems}")
        symbols = state["symbols"]
        if not isinstance(symbols, list) or not all(isinstance(s, str) for s in symbols):
            raise FileFormatError(f"{source}: 'symbols' must be a list of strings")
        if not isinstance(state["frozen"], bool):
            raise FileFormatError(f"{source}: 'frozen' must be true or false")
        try:
            dictionary = cls(
                special_symbols=state["special_symbols"],
                **{f"{kind}_token": state[f"{kind}_token"] for kind in _SPECIALS},
            )
        except (TypeError, ValueError) as error:
            raise FileFormatError(f"{source}: invalid special symbols ({error})") from None
        nspecials = state["nspecials"]
        if nspecials != dictionary.nspecials or symbols[:nspecials] != dictionary.symbols:
            raise FileFormatError(
                f"{source}: the first symbols {symbols[: dictionary.nspecials]} do not match the "
                f"special symbols {dictionary.symbols}"
            )
        if len(set(symbols)) != len(symbols):
            raise FileFormatError(f"{source}: duplicate symbols")
        for symbol in symbols[nspecials:]:
            dictionary.add(symbol)
        dictionary.frozen = state["frozen"]
        return dictionary

    @classmethod
    def _from_legacy_text(cls, content: str, source: str) -> "Dictionary":
        lines = content.split("\n")
        if lines and lines[-1] == "":
            lines.pop()
        lines = [line.rstrip("\r") for line in lines]
        header = lines[0].split("\t") if lines else []
        if len(header) == 3:
            try:
                size, frozen, nspecials = int(header[0]), header[1] == "True", int(header[2])
            except ValueError:
                raise FileFormatError(f"{source}: malformed header {lines[0]!r}") from None
            symbols = lines[1:]
            if len(symbols) != size:
                raise FileFormatError(
                    f"{source}: the header announces {size} symbols, the file has {len(symbols)}"
                )
        else:  # one symbol per line, no header
            symbols, frozen, nspecials = lines, True, 0
        dictionary = cls(special_symbols=symbols[:nspecials], symbols=symbols[nspecials:])
        dictionary.frozen = frozen
        return dictionary
