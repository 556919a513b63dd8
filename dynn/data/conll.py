"""Reading and writing CoNLL-U files (Universal Dependencies format), in plain Python.

A CoNLL-U file is a sequence of sentences separated by blank lines. Each sentence has comment
lines (``# sent_id = ...``, ``# text = ...``) followed by one line per token with ten
tab-separated columns::

    ID  FORM  LEMMA  UPOS  XPOS  FEATS  HEAD  DEPREL  DEPS  MISC

``ID`` is an integer for a (syntactic) word, a range ``1-2`` for a multiword token (a surface
token made of the words 1 and 2, e.g. Spanish *del* = *de* + *el*), or a decimal ``1.1`` for an
empty node (enhanced dependencies). :attr:`Sentence.words` keeps the words only, which is what
taggers and parsers use; :attr:`Sentence.tokens` keeps every line, so that writing a sentence back
gives the same text.

Example:
    >>> from dynn.data.conll import parse_conllu
    >>> text = '''# sent_id = s1
    ... # text = Vámonos al mar.
    ... 1-2\\tVámonos\\t_\\t_\\t_\\t_\\t_\\t_\\t_\\t_
    ... 1\\tVamos\\tir\\tVERB\\t_\\t_\\t0\\troot\\t_\\t_
    ... 2\\tnos\\tnosotros\\tPRON\\t_\\tCase=Acc|Person=1\\t1\\tobj\\t_\\t_
    ... 3-4\\tal\\t_\\t_\\t_\\t_\\t_\\t_\\t_\\t_
    ... 3\\ta\\ta\\tADP\\t_\\t_\\t5\\tcase\\t_\\t_
    ... 4\\tel\\tel\\tDET\\t_\\t_\\t5\\tdet\\t_\\t_
    ... 5\\tmar\\tmar\\tNOUN\\t_\\t_\\t1\\tobl\\t_\\tSpaceAfter=No
    ... 6\\t.\\t.\\tPUNCT\\t_\\t_\\t1\\tpunct\\t_\\t_
    ...
    ... '''
    >>> [sentence] = parse_conllu(text)
    >>> sentence.sent_id, sentence.text
    ('s1', 'Vámonos al mar.')
    >>> [word.form for word in sentence.words]
    ['Vamos', 'nos', 'a', 'el', 'mar', '.']
    >>> [token.form for token in sentence.surface_tokens]
    ['Vámonos', 'al', 'mar', '.']
    >>> sentence.words[1].feats_dict
    {'Case': 'Acc', 'Person': '1'}
    >>> sentence.to_conllu() == text
    True
"""

import io
import os
import pathlib
import re
from typing import Dict, Iterable, Iterator, List, NamedTuple, Optional, TextIO, Union

__all__ = [
    "Token",
    "Sentence",
    "CoNLLUError",
    "parse_conllu",
    "read_conllu",
    "write_conllu",
    "parse_features",
]

COLUMNS = ("id", "form", "lemma", "upos", "xpos", "feats", "head", "deprel", "deps", "misc")
_WORD_ID = re.compile(r"[1-9][0-9]*\Z")
_RANGE_ID = re.compile(r"([1-9][0-9]*)-([1-9][0-9]*)\Z")
_EMPTY_ID = re.compile(r"(0|[1-9][0-9]*)\.([1-9][0-9]*)\Z")

PathOrFile = Union[str, os.PathLike, TextIO]


class CoNLLUError(ValueError):
    """Malformed CoNLL-U input; the message names the file and line."""


def parse_features(field: str) -> Dict[str, str]:
    """Parse a FEATS or MISC field (``A=x|B=y``) into a dict; ``_`` gives ``{}``.

    A key that appears several times (some treebanks do this) gets its values joined with
    ``,``, as multiple values of one feature are written in UD. An item without ``=`` maps to
    ``""``.

    >>> parse_features("Number=Sing|Person=3|Number=Plur")
    {'Number': 'Sing,Plur', 'Person': '3'}
    """
    features: Dict[str, str] = {}
    if field in ("", "_"):
        return features
    for item in field.split("|"):
        key, _, value = item.partition("=")
        features[key] = f"{features[key]},{value}" if key in features else value
    return features


class Token(NamedTuple):
    """One line of a sentence: a word, a multiword token or an empty node.

    Fields are the ten CoNLL-U columns as strings (``_`` when empty), except :attr:`head`, an
    ``int`` (``None`` when the column is ``_``).
    """

    id: str
    form: str
    lemma: str
    upos: str
    xpos: str
    feats: str
    head: Optional[int]
    deprel: str
    deps: str
    misc: str

    @property
    def is_word(self) -> bool:
        """An ordinary (syntactic) word: an integer ID."""
        return "-" not in self.id and "." not in self.id

    @property
    def is_multiword(self) -> bool:
        """A multiword token: an ID range ``a-b`` covering the words ``a`` to ``b``."""
        return "-" in self.id

    @property
    def is_empty_node(self) -> bool:
        """An empty node of the enhanced graph: a decimal ID ``a.b``."""
        return "." in self.id

    @property
    def span(self) -> range:
        """The word IDs covered: one for a word, several for a multiword token."""
        if self.is_multiword:
            first, last = self.id.split("-")
            return range(int(first), int(last) + 1)
        if self.is_empty_node:
            return range(0)
        return range(int(self.id), int(self.id) + 1)

    @property
    def feats_dict(self) -> Dict[str, str]:
        """FEATS as a dict (see :func:`parse_features`)."""
        return parse_features(self.feats)

    @property
    def misc_dict(self) -> Dict[str, str]:
        """MISC as a dict (see :func:`parse_features`)."""
        return parse_features(self.misc)

    @property
    def space_after(self) -> bool:
        """``False`` if MISC has ``SpaceAfter=No``."""
        return "SpaceAfter=No" not in self.misc.split("|")

    def to_line(self) -> str:
        """The token as a CoNLL-U line (without newline)."""
        head = "_" if self.head is None else str(self.head)
        return "\t".join(
            [self.id, self.form, self.lemma, self.upos, self.xpos, self.feats, head]
            + [self.deprel, self.deps, self.misc]
        )


class Sentence:
    """A sentence: its comment lines and its token lines, in file order.

    Args:
        tokens: Every token line (words, multiword tokens, empty nodes).
        comments: Comment lines without the leading ``#`` and following space
            (``"sent_id = s1"``).

    Attributes:
        tokens (List[Token]): Every token line.
        comments (List[str]): Comment lines, as given.
    """

    def __init__(self, tokens: Iterable[Token], comments: Iterable[str] = ()):
        self.tokens: List[Token] = list(tokens)
        self.comments: List[str] = list(comments)

    @property
    def words(self) -> List[Token]:
        """The words (integer IDs), in order: what taggers and parsers see."""
        return [token for token in self.tokens if token.is_word]

    @property
    def surface_tokens(self) -> List[Token]:
        """What is written: multiword tokens replace the words they cover; no empty nodes."""
        covered = set()
        surface = []
        for token in self.tokens:
            if token.is_multiword:
                covered.update(token.span)
                surface.append(token)
            elif token.is_word and int(token.id) not in covered:
                surface.append(token)
        return surface

    @property
    def metadata(self) -> Dict[str, str]:
        """``key = value`` comments as a dict (a comment without ``=`` maps to ``""``)."""
        metadata = {}
        for comment in self.comments:
            key, _, value = comment.partition("=")
            metadata[key.strip()] = value.strip()
        return metadata

    @property
    def sent_id(self) -> Optional[str]:
        """The ``sent_id`` comment, if any."""
        return self.metadata.get("sent_id")

    @property
    def text(self) -> Optional[str]:
        """The ``text`` comment, if any."""
        return self.metadata.get("text")

    def __len__(self) -> int:
        return len(self.words)

    def __iter__(self) -> Iterator[Token]:
        return iter(self.words)

    def __repr__(self) -> str:
        name = f" {self.sent_id!r}" if self.sent_id is not None else ""
        return f"<Sentence{name}: {' '.join(word.form for word in self.words)}>"

    def to_conllu(self) -> str:
        """The sentence in CoNLL-U, ending with the blank line that closes it."""
        lines = [f"# {comment}" for comment in self.comments]
        lines += [token.to_line() for token in self.tokens]
        return "\n".join(lines) + "\n\n"


_make_token = Token._make


def _parse_token(line: str, where: str) -> Token:
    columns = line.split("\t")
    if len(columns) != 10:
        raise CoNLLUError(f"{where}: expected 10 tab-separated columns, found {len(columns)}")
    token_id = columns[0]
    if not (_WORD_ID.match(token_id) or _RANGE_ID.match(token_id) or _EMPTY_ID.match(token_id)):
        raise CoNLLUError(f"{where}: bad ID {token_id!r} (expected 3, 3-4 or 3.1)")
    head_field = columns[6]
    if head_field == "_":
        columns[6] = None
    elif head_field.isdigit():
        columns[6] = int(head_field)
    else:
        raise CoNLLUError(f"{where}: bad HEAD {head_field!r} (expected an integer or _)")
    return _make_token(columns)


def _check_sentence(tokens: List[Token], where: str) -> None:
    words = [token for token in tokens if token.id.isdigit()]
    for expected, token in enumerate(words, start=1):
        if token.id != str(expected):
            word_ids = [int(word.id) for word in words]
            raise CoNLLUError(f"{where}: word IDs must be 1, 2, 3...; got {word_ids}")
        if token.head is not None and token.head > len(words):
            raise CoNLLUError(
                f"{where}: HEAD {token.head} of word {token.id} is beyond the last word"
            )
    if len(words) < len(tokens):
        for token in tokens:
            if token.is_multiword:
                first, last = token.span.start, token.span.stop - 1
                if first >= last or last > len(words):
                    raise CoNLLUError(f"{where}: bad multiword range {token.id}")


def _parse_lines(lines: Iterable[str], source: str) -> Iterator[Sentence]:
    comments: List[str] = []
    tokens: List[Token] = []
    start = None
    number = 0
    for number, raw in enumerate(lines, start=1):
        line = raw.rstrip("\r\n")
        if not line.strip():
            if tokens:
                _check_sentence(tokens, f"{source}:{start}")
                yield Sentence(tokens, comments)
            elif comments:
                raise CoNLLUError(f"{source}:{start}: comments without any token line")
            comments, tokens, start = [], [], None
            continue
        if start is None:
            start = number
        if line.startswith("#"):
            if tokens:
                raise CoNLLUError(f"{source}:{number}: comment line after token lines")
            comments.append(line[1:].lstrip(" "))
        else:
            tokens.append(_parse_token(line, f"{source}:{number}"))
    if tokens:
        _check_sentence(tokens, f"{source}:{start}")
        yield Sentence(tokens, comments)
    elif comments:
        raise CoNLLUError(f"{source}:{start}: comments without any token line")


def parse_conllu(text: str, source: str = "<string>") -> List[Sentence]:
    """Parse CoNLL-U ``text`` into sentences.

    Raises:
        CoNLLUError: a line without 10 columns, a bad ID or HEAD, word IDs out of sequence,
            comments without tokens; the message gives ``source:line``.
    """
    return list(_parse_lines(io.StringIO(text), source))


def read_conllu(path_or_file: PathOrFile, encoding: str = "utf-8") -> List[Sentence]:
    """Read the sentences of a CoNLL-U file (a path or an open text file).

    Raises:
        FileNotFoundError: the file does not exist.
        CoNLLUError: malformed content (see :func:`parse_conllu`).
    """
    if hasattr(path_or_file, "read"):
        source = getattr(path_or_file, "name", "<file>")
        return list(_parse_lines(path_or_file, str(source)))
    path = pathlib.Path(path_or_file)
    with open(path, encoding=encoding) as handle:
        return list(_parse_lines(handle, str(path)))


def write_conllu(sentences: Iterable[Sentence], path_or_file: PathOrFile) -> None:
    """Write ``sentences`` in CoNLL-U to a path or an open text file."""
    if hasattr(path_or_file, "write"):
        for sentence in sentences:
            path_or_file.write(sentence.to_conllu())
        return
    with open(path_or_file, "w", encoding="utf-8", newline="\n") as handle:
        for sentence in sentences:
            handle.write(sentence.to_conllu())
