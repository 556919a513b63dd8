"""Golden files: each kind of config error, exactly as ``dynn config check`` reports it.

Each ``golden/NAME.yaml`` is checked with ``dynn config check NAME.yaml [overrides]`` (overrides
from a first line ``# overrides: ...``); standard error must equal ``golden/NAME.txt`` and the
exit status must be 2, with no Python traceback. Set ``DYNN_UPDATE_GOLDEN=1`` to rewrite the
expected files after an intended change, then review the diff.
"""

import os
import pathlib
import re

import pytest

from dynn.cli import main

GOLDEN = pathlib.Path(__file__).parent / "golden"
CASES = sorted(path.stem for path in GOLDEN.glob("*.yaml"))


def _overrides(path: pathlib.Path):
    first = path.read_text().splitlines()[0]
    if first.startswith("# overrides:"):
        return first[len("# overrides:") :].split()
    return []


@pytest.mark.parametrize("case", CASES)
def test_golden_error_report(case, monkeypatch, capsys):
    monkeypatch.chdir(GOLDEN)
    source = GOLDEN / f"{case}.yaml"
    status = main(["config", "check", source.name, *_overrides(source)])
    captured = capsys.readouterr()
    expected_file = GOLDEN / f"{case}.txt"
    if os.environ.get("DYNN_UPDATE_GOLDEN"):
        expected_file.write_text(captured.err)
    assert status == 2
    assert captured.out == ""
    assert "Traceback" not in captured.err
    assert captured.err == expected_file.read_text()


def test_every_error_line_is_located():
    located = re.compile(r"^(.+?\.yaml|<override \d+>):(\d+):(\d+)[ :]")
    for expected in GOLDEN.glob("*.txt"):
        for line in expected.read_text().splitlines():
            if re.fullmatch(r"\d+ errors", line):
                continue
            match = located.match(line)
            assert match, line
            assert int(match.group(2)) >= 1 and int(match.group(3)) >= 1, line


def test_python_payload_does_not_run(monkeypatch, tmp_path, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "evil.yaml").write_text((GOLDEN / "python_tag.yaml").read_text())
    assert main(["config", "check", "evil.yaml"]) == 2
    assert not (tmp_path / "DYNN_PAYLOAD_RAN").exists()
    assert "is not allowed" in capsys.readouterr().err
