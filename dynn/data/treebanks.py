"""The Turkish Web Treebank, installed from the package registry: tagging and genre data.

The registry package ``turkish-treebanks`` (Apache-2.0, installed by ``pip install
'dynn[data]'``) ships the treebank as two CoNLL-U files, ``data/web.conllu`` (2,541 sentences:
forums, blogs, guides, reviews, how-tos) and ``data/wiki.conllu`` (2,310 sentences from
Wikipedia), under site-packages. This module finds them through :mod:`importlib.metadata` and
never downloads anything.

**Words, not inflectional groups.** The treebank splits a word with derivations into several
rows, its *inflectional groups*: *Açıklanmayan* is ``Açık`` + ``la`` + ``nma`` + ``yan``, all rows
but the last with deprel ``ig`` pointing to the next one. A tagger that reads raw text sees the
word, so :func:`words` joins each ``ig`` chain back into one word (the concatenated forms, which
rebuild every sentence's ``# text`` exactly) labelled with the UPOS of its **last** group, the
one that carries the word's syntactic role (*Açıklanmayan* is ``ADJ``: "that is not explained").
Punctuation stays a separate word, as in the treebank. Accuracy reported with these data is
therefore per word. :func:`tokenize` splits raw text into the same words (it reproduces the
treebank's tokenization of 97.6 % of its sentences exactly, 99.6 % of words).

**Splits.** The treebank has no published split, but the package's own reader defines one:
in each file, sentence ``i`` (from 0, in file order) is in *train* if ``i % 10 < 8``, in *dev* if
``i % 10 == 8`` and in *test* if ``i % 10 == 9``. That is the default (``scheme="package"``), so
that results compare with anyone using the package. ``scheme="hash"`` instead puts a sentence in
the bucket ``sha256(sent_id) % 10`` (same 80/10/10 proportions), which does not depend on the
order of the file.

With both sections and the package split, the word-level data have 14 tags (the treebank's
tag set: ``NOUN PUNCT VERB ADJ ADV ADP CONJ DET NUM PRON PRT X ONOM AFFIX``) and:

=====  =========  ======  =======================  =====================================
split  sentences  words   words unseen in train    most-frequent-tag baseline (per word)
=====  =========  ======  =======================  =====================================
train  3,881      52,914  --                       (96.65 %)
dev    485        7,034   31.2 %                   86.66 %
test   485        6,518   33.3 %                   85.76 %
=====  =========  ======  =======================  =====================================

(The baseline tags a word with its most frequent tag in train, and unseen words with ``NOUN``,
the most frequent tag: :func:`most_frequent_tag_baseline`.)

**Genres.** The web section's sentence IDs name their genre (``tr-forum:00000222:S023``);
:func:`genre` reads it, giving ``forum``, ``blog``, ``guide``, ``review``, ``howto``, and
``wiki`` for the Wikipedia section, for sentence classification.

Example:
    >>> from dynn.data import treebanks
    >>> train = treebanks.load_treebank("train")  # doctest: +SKIP
    >>> forms, tags = treebanks.tagged_words(train)[0]  # doctest: +SKIP
    >>> treebanks.tokenize("Açıklanmayan soruları bilmek imkansız.")
    ['Açıklanmayan', 'soruları', 'bilmek', 'imkansız', '.']
    >>> treebanks.genre("tr-forum:00000222:S023")
    'forum'
"""

import collections
import hashlib
import importlib.metadata
import pathlib
import unicodedata
from typing import Dict, Iterable, List, NamedTuple, Optional, Sequence, Tuple, Union

from .conll import Sentence, Token, read_conllu

__all__ = [
    "SECTIONS",
    "SPLITS",
    "GENRES",
    "TreebankNotInstalledError",
    "treebank_file",
    "load_treebank",
    "split_of",
    "Word",
    "words",
    "tagged_words",
    "genre",
    "genre_examples",
    "tokenize",
    "MostFrequentTagger",
    "most_frequent_tag_baseline",
]

DISTRIBUTION = "turkish-treebanks"
SECTIONS = ("web", "wiki")
SPLITS = ("train", "dev", "test")
GENRES = ("forum", "blog", "guide", "review", "howto", "wiki")
IG_DEPREL = "ig"


class TreebankNotInstalledError(ImportError):
    """The ``turkish-treebanks`` package (or its data files) is not installed."""


# Files and splits -------------------------------------------------------------------------------
def treebank_file(section: str = "web") -> pathlib.Path:
    """The path of ``data/<section>.conllu`` installed by the ``turkish-treebanks`` package.

    Raises:
        ValueError: an unknown section.
        TreebankNotInstalledError: the package or its data file is missing (the message says
            how to install it).
    """
    if section not in SECTIONS:
        raise ValueError(f"unknown treebank section {section!r}; expected one of {SECTIONS}")
    install = f"install it with: pip install 'dynn[data]'  (or: pip install {DISTRIBUTION})"
    try:
        distribution = importlib.metadata.distribution(DISTRIBUTION)
    except importlib.metadata.PackageNotFoundError:
        raise TreebankNotInstalledError(
            f"the Turkish Web Treebank needs the '{DISTRIBUTION}' package; {install}"
        ) from None
    for file in distribution.files or ():
        if file.parts[-2:] == ("data", f"{section}.conllu"):
            path = pathlib.Path(distribution.locate_file(file))
            if path.is_file():
                return path
    raise TreebankNotInstalledError(
        f"the '{DISTRIBUTION}' package is installed but data/{section}.conllu is missing; "
        f"re{install}"
    )


def split_of(index: int, sent_id: str, scheme: str = "package") -> str:
    """The split (``train``, ``dev`` or ``test``) of a sentence.

    Args:
        index: Position of the sentence in its file, from 0 (used by ``scheme="package"``).
        sent_id: The sentence ID (used by ``scheme="hash"``).
        scheme: ``"package"`` (the ``turkish-treebanks`` reader's split) or ``"hash"``.

    >>> split_of(18, "x"), split_of(19, "x"), split_of(20, "x")
    ('dev', 'test', 'train')
    """
    if scheme == "package":
        bucket = index % 10
    elif scheme == "hash":
        bucket = int(hashlib.sha256(sent_id.encode("utf-8")).hexdigest(), 16) % 10
    else:
        raise ValueError(f"unknown split scheme {scheme!r}; expected 'package' or 'hash'")
    return "train" if bucket < 8 else ("dev" if bucket == 8 else "test")


_CACHE: Dict[Tuple[str, int, int], List[Sentence]] = {}


def _read_section(section: str) -> List[Sentence]:
    """The sentences of a section's file, parsed once per process (while the file is unchanged)."""
    path = treebank_file(section)
    stat = path.stat()
    key = (str(path), stat.st_mtime_ns, stat.st_size)
    if key not in _CACHE:
        _CACHE[key] = read_conllu(path)
    return _CACHE[key]


def load_treebank(
    split: Optional[str] = None,
    sections: Union[str, Sequence[str]] = SECTIONS,
    scheme: str = "package",
) -> List[Sentence]:
    """The sentences of ``split`` (all sentences if ``None``) of the given sections, in file order.

    Files are parsed once per process: calls share the same :class:`~dynn.data.conll.Sentence`
    objects (copy one before modifying it).

    Args:
        split: ``"train"``, ``"dev"``, ``"test"`` or ``None``.
        sections: ``"web"``, ``"wiki"`` or both (default).
        scheme: How sentences are assigned to splits (see :func:`split_of`).

    Raises:
        ValueError: an unknown split, section or scheme.
        TreebankNotInstalledError: the data package is not installed.
    """
    if split is not None and split not in SPLITS:
        raise ValueError(f"unknown split {split!r}; expected one of {SPLITS} or None")
    if isinstance(sections, str):
        sections = (sections,)
    sentences = []
    for section in sections:
        for index, sentence in enumerate(_read_section(section)):
            if split is None or split_of(index, sentence.sent_id or "", scheme) == split:
                sentences.append(sentence)
    return sentences


# Word-level view --------------------------------------------------------------------------------
class Word(NamedTuple):
    """A surface word: the inflectional groups of one ``ig`` chain, joined."""

    #: The groups' forms concatenated (the word as written).
    form: str
    #: The UPOS of the last group.
    upos: str
    #: The lemma of the first group (the root).
    lemma: str
    #: Index (from 1) of the word that contains the head of the last group; 0 for the root.
    head: int
    #: The dependency relation of the last group.
    deprel: str
    #: Whether a space follows the word in the text.
    space_after: bool
    #: The token rows of the groups.
    groups: Tuple[Token, ...]


def words(sentence: Sentence) -> List[Word]:
    """The words of a treebank sentence, with inflectional groups (deprel ``ig``) joined.

    >>> from dynn.data.conll import parse_conllu
    >>> rows = [
    ...     ["1", "Açık", "açık", "NOUN", "NN", "_", "2", "ig", "_", "SpaceAfter=No"],
    ...     ["2", "la", "_", "VERB", "VB", "_", "3", "ig", "_", "SpaceAfter=No"],
    ...     ["3", "nma", "_", "VERB", "VB", "_", "4", "ig", "_", "SpaceAfter=No"],
    ...     ["4", "yan", "_", "ADJ", "VJ", "_", "5", "rcmod", "_", "_"],
    ...     ["5", "sorular", "soru", "NOUN", "NN", "_", "0", "root", "_", "_"],
    ... ]
    >>> [sentence] = parse_conllu("\\n".join("\\t".join(r) for r in rows))
    >>> [(w.form, w.upos, w.lemma, w.head, w.deprel) for w in words(sentence)]
    [('Açıklanmayan', 'ADJ', 'açık', 2, 'rcmod'), ('sorular', 'NOUN', 'soru', 0, 'root')]
    """
    groups: List[List[Token]] = []
    current: List[Token] = []
    for token in sentence.words:
        current.append(token)
        if token.deprel != IG_DEPREL:
            groups.append(current)
            current = []
    if current:  # a dangling ig chain at the end: keep it as a word
        groups.append(current)
    word_of_row = {}
    for index, group in enumerate(groups, start=1):
        for token in group:
            word_of_row[int(token.id)] = index
    result = []
    for group in groups:
        last = group[-1]
        head = 0 if not last.head else word_of_row.get(last.head, 0)
        result.append(
            Word(
                form="".join(token.form for token in group),
                upos=last.upos,
                lemma=group[0].lemma,
                head=head,
                deprel=last.deprel,
                space_after=last.space_after,
                groups=tuple(group),
            )
        )
    return result


def tagged_words(sentences: Iterable[Sentence]) -> List[Tuple[List[str], List[str]]]:
    """``(forms, tags)`` per sentence, at the word level (see :func:`words`)."""
    examples = []
    for sentence in sentences:
        sentence_words = words(sentence)
        examples.append(([w.form for w in sentence_words], [w.upos for w in sentence_words]))
    return examples


def genre(sent_id: str) -> str:
    """The genre of a sentence from its ID: ``tr-<genre>:...`` in the web section, else ``wiki``.

    >>> genre("tr-blog:00000584:S049"), genre("http://tr.wikipedia.org/wiki/Tarım:S028")
    ('blog', 'wiki')
    """
    if sent_id.startswith("tr-") and ":" in sent_id:
        return sent_id[3 : sent_id.index(":")]
    if "wikipedia.org" in sent_id:
        return "wiki"
    raise ValueError(f"cannot tell the genre of sentence {sent_id!r}")


def genre_examples(sentences: Iterable[Sentence]) -> List[Tuple[List[str], str]]:
    """``(word forms, genre)`` per sentence, for sentence classification."""
    return [([w.form for w in words(s)], genre(s.sent_id or "")) for s in sentences]


# Tokenizer --------------------------------------------------------------------------------------
_EMOTICONS = frozenset(
    [":)", ":(", ";)", ":D", ":S", ":P", ":p", ":d", ":s", ":-)", ":-(", ";-)", "=)", ":/", "<3"]
)
# Periods that belong to the word (otherwise a final period is split off).
_ABBREVIATIONS = frozenset(
    ["vb.", "vs.", "dk.", "sa.", "tl.", "dr.", "prof.", "doç.", "yrd.", "av.", "st.", "no.", "sn."]
    + ["mr.", "km.", "kg.", "cm.", "mm.", "gr.", "lt.", "ltd.", "şti.", "vd.", "yy.", "s.", "c."]
)
# Characters that always form a token of their own, even inside a word ("e-posta", "a/b").
_SPLIT_INSIDE = frozenset('-,/()?!;"')
# Runs of these characters form one token ("...", "``", "''", "--").
_RUNS = frozenset(".`'-*=")


def _is_punctuation(char: str) -> bool:
    return unicodedata.category(char)[0] in "PS"


def _keeps_final_period(chunk: str, is_last: bool) -> bool:
    core = chunk[:-1]
    if chunk.lower() in _ABBREVIATIONS:
        return True
    if core.isdigit():  # an ordinal ("248. ayet"), unless it ends the text
        return not is_last
    if len(core) == 1 and core.isalpha():  # an initial
        return True
    return "." in core  # "a.s.m."


def _run_length(chunk: str, position: int, step: int) -> int:
    char = chunk[position]
    length = 1
    if char in _RUNS:
        while 0 <= position + step * length < len(chunk):
            if chunk[position + step * length] != char:
                break
            length += 1
    return length


def _peel(chunk: str, is_last: bool) -> Tuple[List[str], str, List[str]]:
    """Split leading and trailing punctuation off ``chunk``."""
    lead, trail = [], []
    while chunk and _is_punctuation(chunk[0]) and chunk not in _EMOTICONS:
        length = _run_length(chunk, 0, 1)
        lead.append(chunk[:length])
        chunk = chunk[length:]
    while chunk and _is_punctuation(chunk[-1]) and chunk not in _EMOTICONS:
        if (
            chunk[-1] == "."
            and len(chunk) > 1
            and not _is_punctuation(chunk[-2])
            and _keeps_final_period(chunk, is_last)
        ):
            break
        length = _run_length(chunk, len(chunk) - 1, -1)
        trail.append(chunk[-length:])
        chunk = chunk[:-length]
    return lead, chunk, trail[::-1]


def _split_inside(core: str) -> List[str]:
    parts, start, i = [], 0, 0
    while i < len(core):
        char = core[i]
        between_digits = 0 < i < len(core) - 1 and core[i - 1].isdigit() and core[i + 1].isdigit()
        if char in _SPLIT_INSIDE and not (char in ",/" and between_digits):
            length = _run_length(core, i, 1)
            if core[start:i]:
                parts.append(core[start:i])
            parts.append(core[i : i + length])
            i += length
            start = i
        else:
            i += 1
    if core[start:]:
        parts.append(core[start:])
    return parts


def tokenize(text: str) -> List[str]:
    """Split raw Turkish text into the words of the treebank's word-level view.

    Whitespace separates chunks; punctuation is split off words (runs such as ``...`` stay
    together; ``-``, ``,``, ``/``, brackets, ``?``, ``!``, ``;`` and quotes are split even inside a
    chunk, except ``1,5`` and ``1/2``); apostrophe suffixes stay on their word (``İstanbul'a``); a
    final period stays on ordinals (``248.``), initials and common abbreviations; emoticons stay
    whole.

    >>> tokenize("Bakara suresi 248. ayeti açıklar mısınız?")
    ['Bakara', 'suresi', '248.', 'ayeti', 'açıklar', 'mısınız', '?']
    >>> tokenize("İstanbul'a 2,5 saatte gittim... (e-posta ile) :)")
    ["İstanbul'a", '2,5', 'saatte', 'gittim', '...', '(', 'e', '-', 'posta', 'ile', ')', ':)']
    """
    chunks = text.split()
    tokens: List[str] = []
    for number, chunk in enumerate(chunks):
        is_last = number == len(chunks) - 1
        if chunk in _EMOTICONS:
            tokens.append(chunk)
            continue
        lead, core, trail = _peel(chunk, is_last)
        inner: List[str] = []
        pieces = _split_inside(core) if core else []
        for index, piece in enumerate(pieces):
            if (
                len(piece) > 1
                and piece not in _EMOTICONS
                and (_is_punctuation(piece[0]) or _is_punctuation(piece[-1]))
            ):
                piece_lead, piece_core, piece_trail = _peel(
                    piece, is_last and index == len(pieces) - 1
                )
                inner += piece_lead + ([piece_core] if piece_core else []) + piece_trail
            else:
                inner.append(piece)
        tokens += lead + inner + trail
    return tokens


# Baseline ---------------------------------------------------------------------------------------
def _check_lengths(forms, tags, method):
    if len(forms) != len(tags):
        raise ValueError(
            f"MostFrequentTagger.{method}: {len(forms)} words but {len(tags)} tags in {forms!r}"
        )


class MostFrequentTagger:
    """Tags each word with its most frequent tag in the training data.

    Unknown words get the most frequent tag overall. Ties go to the tag seen first.

    >>> tagger = MostFrequentTagger().fit([(["a", "b", "a"], ["X", "Y", "X"]), (["b"], ["Z"])])
    >>> tagger.predict(["a", "b", "c"])
    ['X', 'Y', 'X']
    >>> tagger.accuracy([(["a", "c"], ["X", "Y"])])
    0.5
    """

    def __init__(self):
        self.tags: Dict[str, str] = {}
        self.default: Optional[str] = None

    def fit(self, examples: Iterable[Tuple[Sequence[str], Sequence[str]]]) -> "MostFrequentTagger":
        """Count ``(forms, tags)`` examples; returns ``self``."""
        counts: Dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
        overall: collections.Counter = collections.Counter()
        for forms, tags in examples:
            _check_lengths(forms, tags, "fit")
            for form, tag in zip(forms, tags):
                counts[form][tag] += 1
                overall[tag] += 1
        if not overall:
            raise ValueError("MostFrequentTagger.fit: no tagged words")
        self.tags = {form: tag_counts.most_common(1)[0][0] for form, tag_counts in counts.items()}
        self.default = overall.most_common(1)[0][0]
        return self

    def predict(self, forms: Sequence[str]) -> List[str]:
        """The tag of each word form."""
        if self.default is None:
            raise RuntimeError("MostFrequentTagger.predict: call fit() first")
        return [self.tags.get(form, self.default) for form in forms]

    def accuracy(self, examples: Iterable[Tuple[Sequence[str], Sequence[str]]]) -> float:
        """Fraction of words of ``(forms, tags)`` examples tagged correctly."""
        correct = total = 0
        for forms, tags in examples:
            _check_lengths(forms, tags, "accuracy")
            predicted = self.predict(forms)
            correct += sum(p == t for p, t in zip(predicted, tags))
            total += len(tags)
        if total == 0:
            raise ValueError("MostFrequentTagger.accuracy: no tagged words")
        return correct / total


def most_frequent_tag_baseline(
    train: Iterable[Tuple[Sequence[str], Sequence[str]]],
    evaluation: Iterable[Tuple[Sequence[str], Sequence[str]]],
) -> float:
    """Accuracy on ``evaluation`` of a :class:`MostFrequentTagger` fitted on ``train``."""
    return MostFrequentTagger().fit(train).accuracy(evaluation)
