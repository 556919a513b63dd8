"""The ``dynn`` console script: dispatch, DyNet options applied before DyNet is imported."""

import os
import subprocess
import sys
import textwrap

from dynn.cli import COMMANDS, build_parser, main


def _run(*args, cwd=None):
    return subprocess.run(
        [sys.executable, "-m", "dynn", *args], capture_output=True, text=True, cwd=cwd
    )


def test_dynet_options_are_applied_before_dynet_is_imported(tmp_path):
    script = textwrap.dedent(
        """
        import sys
        import dynet_config
        from dynn.cli import main
        status = main(["--dynet-seed", "7", "config", "describe", "GRU", "--dynet-mem", "32"])
        assert dynet_config.get()["seed"] == 7, dynet_config.get()
        assert str(dynet_config.get()["mem"]) == "32", dynet_config.get()
        sys.exit(status)
        """
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("!GRU (layer)")


def test_importing_dynn_config_does_not_import_dynet():
    code = "import sys, dynn, dynn.config, dynn.cli; print('_dynet' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stdout.strip() == "False", result.stderr


def test_config_errors_exit_2_without_traceback(tmp_path):
    (tmp_path / "bad.yaml").write_text("model: !LSTM {input_dim: 2, hiden_dim: 3}\n")
    result = _run("config", "check", "bad.yaml", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stdout == ""
    # dyNET38 2.1 itself prints "[dynet] random seed: N" at start-up.
    lines = [line for line in result.stderr.splitlines() if not line.startswith("[dynet]")]
    assert lines == [
        "bad.yaml:1:8 (model): !LSTM is missing the required argument 'hidden_dim'",
        "bad.yaml:1:29 (model.hiden_dim): !LSTM has no argument 'hiden_dim'; did you mean "
        "'hidden_dim'?",
        "2 errors",
    ]


def test_no_command_prints_usage_and_exits_2(capsys):
    assert main([]) == 2
    assert "COMMAND" in capsys.readouterr().err


def test_commands_are_subparsers():
    parser = build_parser()
    assert "config" in COMMANDS
    args = parser.parse_args(["config", "check", "f.yaml", "a.b=1", "+c=2", "~d"])
    assert (args.file, args.overrides) == ("f.yaml", ["a.b=1", "+c=2", "~d"])
    assert os.path.basename(sys.executable)
