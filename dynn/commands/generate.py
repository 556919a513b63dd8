"""``dynn generate RUN_DIR [-n N] [--temperature T] [--seed S]``: sample from a language model."""

from ._experiment_errors import with_user_errors

__all__ = ["add_parser"]


def add_parser(subparsers) -> None:
    parser = subparsers.add_parser(
        "generate", help="sample from a language-model run", description=__doc__
    )
    parser.add_argument("run_dir", help="a language-model run directory")
    parser.add_argument("-n", type=int, default=5, help="number of samples")
    parser.add_argument("--temperature", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--checkpoint", default="best", choices=["best", "last"])
    parser.set_defaults(func=run)


@with_user_errors("generate")
def run(args) -> int:
    from ..experiments.runner import ExperimentError, generate

    if args.n < 1 or args.temperature <= 0:
        raise ExperimentError("-n must be >= 1 and --temperature > 0")
    for sample in generate(args.run_dir, args.n, args.temperature, args.seed, args.checkpoint):
        print(sample)
    return 0
