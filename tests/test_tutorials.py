"""The tutorials of docs/guide run end to end.

- The Python tutorials are scripts in docs/tutorials/ that the guide pages ``literalinclude``:
  each runs in a fresh interpreter (they check their own results with ``assert``).
- The quick start's ``console`` blocks are run as shell commands, in a temporary directory holding
  a copy of ``configs/``, and their output is compared with the output shown on the page, numbers
  and tags aside (they depend on the platform's arithmetic).
"""

import os
import pathlib
import re
import shutil
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
GUIDE = ROOT / "docs" / "guide"
TUTORIALS = ROOT / "docs" / "tutorials"
SCRIPTS = sorted(path.name for path in TUTORIALS.glob("*.py"))


@pytest.mark.parametrize("script", SCRIPTS)
def test_tutorial_script_runs(script, tmp_path):
    result = subprocess.run(
        [sys.executable, str(TUTORIALS / script)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def _included_scripts():
    included = set()
    for page in GUIDE.glob("*.rst"):
        included.update(re.findall(r"literalinclude:: \.\./tutorials/(\S+\.py)", page.read_text()))
    return included


def test_every_tutorial_script_is_shown_in_the_guide():
    assert sorted(set(SCRIPTS) - _included_scripts()) == []
    assert sorted(_included_scripts() - set(SCRIPTS)) == []


def console_blocks(page):
    """``(command, expected output lines)`` for every ``$ `` line of the ``console`` blocks."""
    commands = []
    inside = False
    for line in page.read_text(encoding="utf-8").splitlines():
        if line.startswith(".. code-block::"):
            inside = line.split("::")[1].strip() == "console"
            continue
        if inside and line and not line.startswith("   "):
            inside = False
        if not inside or not line.strip():
            continue
        text = line[3:]
        if text.startswith("$ "):
            commands.append((text[2:], []))
        elif commands:
            commands[-1][1].append(text)
    return commands


def _normalised(line):
    """Numbers and part-of-speech tags replaced by placeholders."""
    line = re.sub(r"/[A-Z]+\b", "/TAG", line)
    return re.sub(r"\d+(\.\d+)?", "N", line.rstrip())


def test_quickstart_commands_run_and_print_what_the_page_shows(tmp_path):
    commands = console_blocks(GUIDE / "quickstart.rst")
    assert [c.split()[:2] for c, _ in commands] == [
        ["dynn", "train"],
        ["dynn", "eval"],
        ["echo", '"Bu'],
    ]
    shutil.copytree(ROOT / "configs", tmp_path / "configs")
    environment = dict(os.environ)
    # The `dynn` script of the interpreter running the tests comes first on the PATH.
    environment["PATH"] = f"{pathlib.Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"
    for command, expected in commands:
        result = subprocess.run(
            ["bash", "-euo", "pipefail", "-c", command],
            capture_output=True,
            text=True,
            cwd=tmp_path,
            env=environment,
            timeout=300,
        )
        assert result.returncode == 0, f"$ {command}\n{result.stdout}\n{result.stderr}"
        shown = [_normalised(line) for line in expected]
        printed = [_normalised(line) for line in result.stdout.splitlines()]
        assert printed == shown, f"$ {command}\nprinted:\n{result.stdout}"
