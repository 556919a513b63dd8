"""``dynn eval RUN_DIR [--split test] [--checkpoint best]``: evaluate a trained run."""

import json

from ._experiment_errors import with_user_errors

__all__ = ["add_parser"]


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser("eval", help="evaluate a trained run", description=__doc__)
    parser.add_argument("run_dir", help="a run directory written by dynn train")
    parser.add_argument("--split", default="test", choices=["train", "dev", "test"])
    parser.add_argument("--checkpoint", default="best", choices=["best", "last"])
    parser.set_defaults(func=run)


@with_user_errors("eval")
def run(args) -> int:
    from ..experiments.runner import evaluate

    print(json.dumps(evaluate(args.run_dir, args.split, args.checkpoint), indent=2))
    return 0
