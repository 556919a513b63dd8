"""Located configuration errors, collected and reported together.

Every problem found in a config is a :class:`ConfigProblem` with a :class:`Location` (file, line,
column, 1-based) and the dotted path of the node; :class:`ConfigError` carries all of them and
prints one line each::

    model.yaml:12:5 (model.encoder): !LSTM has no argument 'hiden_dim'; did you mean 'hidden_dim'?

Example:
    >>> from dynn.config.errors import ConfigProblem, Location, did_you_mean
    >>> print(ConfigProblem(Location("m.yaml", 3, 5), "model.cell", "something is wrong"))
    m.yaml:3:5 (model.cell): something is wrong
    >>> did_you_mean("hiden_dim", ["input_dim", "hidden_dim"])
    "; did you mean 'hidden_dim'?"
"""

import difflib
from typing import Iterable, List, NamedTuple, Optional

__all__ = ["Location", "ConfigProblem", "ConfigError", "did_you_mean", "UNKNOWN_LOCATION"]


class Location(NamedTuple):
    """A position in a config source: file name, line and column (both 1-based)."""

    file: str
    line: int
    column: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


#: The location of values that come from Python rather than from a config text.
UNKNOWN_LOCATION = Location("<python>", 0, 0)


class ConfigProblem:
    """One located problem in a config (an item of :class:`ConfigError`).

    Args:
        location: Where the problem is.
        path: The dotted path of the node (``""`` for the document itself).
        message: What is wrong, and when possible how to fix it.
        cause: The exception this error was caused by (a constructor's), if any.
    """

    def __init__(
        self,
        location: Optional[Location],
        path: str,
        message: str,
        cause: Optional[BaseException] = None,
    ):
        self.location = location or UNKNOWN_LOCATION
        self.path = path
        self.message = message
        self.cause = cause

    def __str__(self) -> str:
        where = str(self.location)
        if self.path:
            where += f" ({self.path})"
        return f"{where}: {self.message}"

    def __repr__(self) -> str:
        return f"ConfigProblem({str(self)!r})"

    def _sort_key(self):
        return (self.location.file, self.location.line, self.location.column, self.path)


class ConfigError(ValueError):
    """All the problems found in a config; ``str()`` gives one located line per error.

    Raised by loading, validating and building. When an error was caused by an exception (in a
    constructor), the first such exception is chained as ``__cause__``.

    Attributes:
        errors (List[ConfigProblem]): The problems, sorted by location.
    """

    def __init__(self, errors: Iterable[ConfigProblem]):
        unique, seen = [], set()
        for error in sorted(errors, key=ConfigProblem._sort_key):
            if str(error) not in seen:
                seen.add(str(error))
                unique.append(error)
        self.errors: List[ConfigProblem] = unique
        super().__init__(str(self))

    def __str__(self) -> str:
        lines = [str(error) for error in self.errors]
        if len(lines) > 1:
            lines.append(f"{len(lines)} errors")
        return "\n".join(lines)


def _distance(a: str, b: str) -> int:
    """Edit distance counting a swap of two neighbours as one edit (optimal string alignment)."""
    previous2, previous = None, list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        current = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                current[j] = min(current[j], previous2[j - 2] + 1)
        previous2, previous = previous, current
    return previous[-1]


def did_you_mean(name, candidates: Iterable) -> str:
    """``"; did you mean 'x'?"`` for the closest candidate, or ``""`` if none is close."""
    name = str(name)
    candidates = [str(c) for c in candidates]
    scored = sorted((_distance(name.lower(), c.lower()), c) for c in candidates)
    if scored and scored[0][0] <= max(1, len(name) // 3):
        return f"; did you mean '{scored[0][1]}'?"
    matches = difflib.get_close_matches(name, candidates, n=1, cutoff=0.6)
    return f"; did you mean '{matches[0]}'?" if matches else ""
