"""The ``dynn`` command line: a small dispatcher over subcommand modules.

``dynn [--dynet-mem MB] [--dynet-seed N] ... COMMAND ...``. DyNet's options may appear anywhere
on the line; they are applied through ``dynet_config`` *before* DyNet is imported (importing
DyNet reads its configuration once). Each command lives in its own module, listed in
:data:`COMMANDS`, which provides ``add_parser(subparsers)``; the parser it adds sets ``func``,
called with the parsed arguments and returning the exit status.

Exit status: 0 on success, 2 for user mistakes (bad config, missing file), reported without a
Python traceback.

Example:
    >>> from dynn.cli import main
    >>> main(["config", "describe", "ElmanRNN"])  # doctest: +ELLIPSIS
    !ElmanRNN (layer): Elman recurrent network, as ``dy.SimpleRNNBuilder``.
    ...
    0
"""

import argparse
import importlib
import sys
from typing import List, Optional, Sequence

from . import __version__
from .command_line import add_dynet_args, dynet_config_from_args

__all__ = ["COMMANDS", "build_parser", "main"]

#: Command name -> module providing ``add_parser(subparsers)``.
COMMANDS = {
    "config": "dynn.commands.config",
    "train": "dynn.commands.train",
    "eval": "dynn.commands.eval",
    "predict": "dynn.commands.predict",
    "generate": "dynn.commands.generate",
}


def build_parser() -> argparse.ArgumentParser:
    """The ``dynn`` argument parser, with one subparser per command of :data:`COMMANDS`."""
    parser = argparse.ArgumentParser(
        prog="dynn",
        description="dynn: layers, YAML-configured models and experiments on top of DyNet.",
    )
    parser.add_argument("--version", action="version", version=f"dynn {__version__}")
    add_dynet_args(parser)
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module_name in COMMANDS.values():
        importlib.import_module(module_name).add_parser(subparsers)
    return parser


def _configure_dynet(argv: Sequence[str]) -> List[str]:
    """Apply the ``--dynet-*`` options of ``argv`` (before DyNet is imported); the rest of it."""
    pre = argparse.ArgumentParser(add_help=False)
    add_dynet_args(pre, new_group=False)
    dynet_args, rest = pre.parse_known_args(list(argv))
    if "_dynet" not in sys.modules:
        dynet_config_from_args(dynet_args)
    return rest


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Run the command line with ``argv`` (default ``sys.argv[1:]``); the exit status."""
    argv = list(sys.argv[1:] if argv is None else argv)
    rest = _configure_dynet(argv)
    parser = build_parser()
    args = parser.parse_args(rest)
    if getattr(args, "func", None) is None:
        parser.print_help(sys.stderr)
        return 2
    try:
        return int(args.func(args) or 0)
    except BrokenPipeError:  # the reader (e.g. `| head`) stopped reading: not an error
        sys.stderr.close()
        return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
