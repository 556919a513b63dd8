"""Command-line helpers: DyNet's options for ``argparse``.

Example:
    >>> import argparse
    >>> from dynn.command_line import add_dynet_args
    >>> parser = argparse.ArgumentParser()
    >>> add_dynet_args(parser)
    >>> parser.parse_args(["--dynet-mem", "64", "--dynet-seed", "3"]).dynet_seed
    3
"""

import argparse

__all__ = ["add_dynet_args", "dynet_config_from_args"]


def add_dynet_args(parser: argparse.ArgumentParser, new_group: bool = True) -> None:
    """Add DyNet's options (``--dynet-mem``, ``--dynet-seed``, ``--dynet-autobatch``, ...)."""
    group = parser.add_argument_group("DyNet") if new_group else parser
    group.add_argument("--dynet-mem", type=str, default=None, help="memory pool in MB")
    group.add_argument("--dynet-seed", type=int, default=0, help="random seed (0: random)")
    group.add_argument("--dynet-autobatch", type=int, default=0, help="1 to enable autobatching")
    group.add_argument("--dynet-weight-decay", type=float, default=0.0, help="L2 weight decay")
    group.add_argument("--dynet-profiling", type=int, default=0, help="profiling level")
    group.add_argument("--dynet-devices", type=str, default=None, help="devices (CPU only here)")


def dynet_config_from_args(args: argparse.Namespace) -> None:
    """Apply the parsed DyNet options through ``dynet_config``; call before importing dynet."""
    import dynet_config

    mem = args.dynet_mem
    dynet_config.set(
        mem=mem if mem is not None else 64,
        random_seed=args.dynet_seed,
        autobatch=args.dynet_autobatch,
        weight_decay=args.dynet_weight_decay,
        profiling=args.dynet_profiling,
    )
