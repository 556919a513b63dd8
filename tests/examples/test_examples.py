"""Every script of examples/ runs from the command line with tiny settings (``--smoke``).

Each runs in a fresh interpreter, as a user would run it, from a directory outside the
repository. The full settings (whose results the scripts' docstrings report) are not run here.
"""

import pathlib
import subprocess
import sys

import pytest

EXAMPLES = pathlib.Path(__file__).resolve().parents[2] / "examples"

# script -> extra arguments, and a line the script must print.
SMOKE_RUNS = {
    "char_lm": (["--smoke"], "sample: "),
    "char_lm (text file)": (["--smoke", "--text", "{tmp}/poem.txt"], "sample: "),
    "char_lm (treebank)": (["--smoke", "--treebank"], "sample: "),
    "bilstm_tagger": (["--smoke"], "dev accuracy: "),
    "sentence_classifier": (["--smoke"], "dev accuracy: "),
    "attention_reverse": (["--smoke"], "held-out exact match: "),
    "attention_reverse (bilinear)": (["--smoke", "--attention", "bilinear"], "held-out exact"),
}

# Scripts tested elsewhere.
TESTED_ELSEWHERE = {"minimal_gated_unit": "tests/testing/test_tutorial.py"}


def run_example(name, arguments, cwd):
    command = [sys.executable, str(EXAMPLES / f"{name}.py"), *arguments]
    result = subprocess.run(command, capture_output=True, text=True, cwd=cwd, timeout=300)
    assert result.returncode == 0, f"{' '.join(command)}\n{result.stdout}\n{result.stderr}"
    return result.stdout


@pytest.mark.parametrize("run", sorted(SMOKE_RUNS))
def test_example_runs_with_tiny_settings(run, tmp_path):
    (tmp_path / "poem.txt").write_text("roses are red\nviolets are blue\n" * 10, encoding="utf-8")
    arguments, expected = SMOKE_RUNS[run]
    arguments = [a.replace("{tmp}", str(tmp_path)) for a in arguments]
    output = run_example(run.split()[0], arguments, cwd=tmp_path)
    assert expected in output, output


def test_every_example_is_tested():
    scripts = {path.stem for path in EXAMPLES.glob("*.py")}
    tested = {run.split()[0] for run in SMOKE_RUNS} | set(TESTED_ELSEWHERE)
    assert sorted(scripts - tested) == []


def test_char_lm_default_command_line_is_unchanged():
    """The README's main command runs ``python examples/char_lm.py`` with its defaults."""
    sys.path.insert(0, str(EXAMPLES))
    try:
        import char_lm
    finally:
        sys.path.remove(str(EXAMPLES))
    args = char_lm.parse_args([])
    assert args.text == char_lm.DEFAULT_TEXT and args.text.is_file()
    assert (args.epochs, args.hidden_dim, args.dynet_seed) == (30, 128, 1)
    assert char_lm.parse_args(["--epochs", "3", "--hidden-dim", "8"]).epochs == 3
