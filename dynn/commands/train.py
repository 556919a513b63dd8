"""``dynn train CONFIG [key=value ...] [--run-dir DIR] [--resume DIR]``: train an experiment.

Writes the run directory (config, overrides, resolved config, metadata, metrics, curves,
checkpoints); ``--resume DIR`` continues a stopped run exactly where its last checkpoint left it.
"""

from ._experiment_errors import with_user_errors

__all__ = ["add_parser"]


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser(
        "train", help="train an experiment from a YAML config", description=__doc__
    )
    parser.add_argument("config", nargs="?", help="experiment config (YAML)")
    parser.add_argument("overrides", nargs="*", help="key.path=value overrides")
    parser.add_argument("--run-dir", help="run directory (default: runs/<config>-<time>)")
    parser.add_argument("--resume", metavar="RUN_DIR", help="continue a stopped run")
    parser.add_argument("--force", action="store_true", help="resume despite a changed config")
    parser.add_argument("-e", "--experiment", help="one experiment or run of the file")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    parser.set_defaults(func=run)


@with_user_errors("train")
def run(args) -> int:
    from ..experiments.runner import ExperimentError, train

    overrides = list(args.overrides)
    if args.resume is not None and args.config is not None and "=" in args.config:
        overrides.insert(0, args.config)  # `dynn train --resume DIR key=value`
    elif args.resume is None and args.config is None:
        raise ExperimentError("give a CONFIG file (or --resume RUN_DIR)")
    train(
        args.config,
        overrides,
        run_dir=args.run_dir,
        resume=args.resume,
        force=args.force,
        experiment=args.experiment,
        progress=not args.no_progress,
    )
    return 0
