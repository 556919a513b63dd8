"""``dynn predict RUN_DIR FILE``: tag or classify raw text, one sentence per line (``-``: stdin).

Taggers print ``word/TAG`` pairs, classifiers the label, language models each line's
perplexity; one output line per input line.
"""

import sys

from ._experiment_errors import with_user_errors

__all__ = ["add_parser"]


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser("predict", help="predict on raw text", description=__doc__)
    parser.add_argument("run_dir", help="a run directory written by dynn train")
    parser.add_argument("file", help="text file, one sentence per line ('-': standard input)")
    parser.add_argument("--checkpoint", default="best", choices=["best", "last"])
    parser.set_defaults(func=run)


@with_user_errors("predict")
def run(args) -> int:
    from ..experiments.runner import predict

    if args.file == "-":
        lines = sys.stdin.read().splitlines()
    else:
        with open(args.file, encoding="utf-8") as stream:
            lines = stream.read().splitlines()
    for line in predict(args.run_dir, lines, args.checkpoint):
        print(line)
    return 0
