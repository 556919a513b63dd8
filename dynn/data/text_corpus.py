"""Plain-text corpora for language modelling, at the word or the character level.

Any UTF-8 text file works: each non-empty line is one sequence (a sentence, a verse, a word
list entry...). At the word level a line is split on whitespace; at the character level it is the
list of its characters, spaces included (a character language model learns where words end).
Nothing is downloaded.

Example:
    >>> import pathlib, tempfile
    >>> from dynn.data.text_corpus import read_text
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "poem.txt"
    >>> _ = path.write_text("the cat  sat\\n\\non the mat\\n", encoding="utf-8")
    >>> read_text(path)
    [['the', 'cat', 'sat'], ['on', 'the', 'mat']]
    >>> read_text(path, level="char")[1]
    ['o', 'n', ' ', 't', 'h', 'e', ' ', 'm', 'a', 't']
"""

import os
import pathlib
from typing import List, Optional, Union

__all__ = ["LEVELS", "read_text", "split_text"]

LEVELS = ("word", "char")


def split_text(line: str, level: str = "word", lowercase: bool = False) -> List[str]:
    """Split one line into words (on whitespace) or characters (kept as written).

    >>> split_text("Merhaba  dünya", level="char")
    ['M', 'e', 'r', 'h', 'a', 'b', 'a', ' ', ' ', 'd', 'ü', 'n', 'y', 'a']
    """
    if level not in LEVELS:
        raise ValueError(f"unknown level {level!r}; expected one of {LEVELS}")
    if lowercase:
        line = line.lower()
    return line.split() if level == "word" else list(line)


def read_text(
    path: Union[str, os.PathLike],
    level: str = "word",
    lowercase: bool = False,
    max_lines: Optional[int] = None,
    encoding: str = "utf-8",
) -> List[List[str]]:
    """The sequences of a text file: one per non-empty line.

    Args:
        path: The text file.
        level: ``"word"`` (split on whitespace) or ``"char"`` (characters, spaces included;
            leading and trailing whitespace removed).
        lowercase: Lowercase the text first.
        max_lines: Read at most this many non-empty lines.
        encoding: The file's encoding.

    Raises:
        FileNotFoundError: the file does not exist.
        ValueError: an unknown level, a file that is not valid text in ``encoding``, or a file
            without any non-empty line (the message names the file).
    """
    if level not in LEVELS:
        raise ValueError(f"unknown level {level!r}; expected one of {LEVELS}")
    path = pathlib.Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no text file at {path}")
    sequences: List[List[str]] = []
    try:
        with open(path, encoding=encoding) as handle:
            for line in handle:
                line = line.strip()
                if not line:
                    continue
                sequences.append(split_text(line, level, lowercase))
                if max_lines is not None and len(sequences) >= max_lines:
                    break
    except UnicodeDecodeError as error:
        raise ValueError(f"{path} is not {encoding} text: {error}") from None
    if not sequences:
        raise ValueError(f"{path} contains no text (every line is empty)")
    return sequences
