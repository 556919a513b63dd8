"""Profile one variant of one benchmark group with cProfile.

``python -m benchmarks.profile KEY VARIANT [--autobatch 0|1] [--iterations N] [--build-only]``

``KEY`` is a group key as printed by ``python -m benchmarks.run`` (for example
``lm/lstm/1L/B1/train``), ``VARIANT`` a variant name (for example ``"dynn Unidirectional"``).
Prints the functions where the time goes, sorted by their own time. With ``--build-only``, only
graph construction is profiled (DyNet's forward and backward run in C++ and show up as single
calls such as ``scalar_value`` and ``backward`` otherwise).
"""

import argparse
import cProfile
import io
import pstats
import sys


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.profile")
    parser.add_argument("key", help="group key, e.g. lm/lstm/1L/B1/train")
    parser.add_argument("variant", help='variant name, e.g. "dynn Unidirectional"')
    parser.add_argument("--autobatch", type=int, choices=(0, 1), default=None)
    parser.add_argument("--iterations", type=int, default=20)
    parser.add_argument("--build-only", action="store_true")
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--smoke", action="store_true", help="smoke sizes")
    args = parser.parse_args(argv)

    autobatch = args.autobatch
    if autobatch is None:
        autobatch = 1 if args.key.startswith("autobatch/") or "/ab1/" in args.key else 0
    import dynet_config

    from .common import SMOKE_SIZES, Settings

    settings = Settings(sizes=SMOKE_SIZES) if args.smoke else Settings()
    dynet_config.set(mem=256, random_seed=settings.seed, autobatch=autobatch)
    import dynet as dy

    from . import lm, tagger

    groups = lm.lm_groups(settings, bool(autobatch)) + tagger.tagger_groups(
        settings, bool(autobatch)
    )
    group = next((g for g in groups if g.key == args.key), None)
    if group is None:
        keys = ", ".join(g.key for g in groups)
        print(f"no group {args.key!r} with autobatch={autobatch}; groups: {keys}", file=sys.stderr)
        return 2
    variants = {v.name: v for v in group.make_variants()}
    variant = variants.get(args.variant)
    if variant is None or not hasattr(variant, "prepare"):
        print(f"no runnable variant {args.variant!r}; variants: {', '.join(variants)}")
        return 2
    variant.prepare(group.weights)
    variant.check(group.batches[0])
    batches = group.batches

    def work():
        for i in range(args.iterations):
            batch = batches[i % len(batches)]
            if args.build_only:
                variant.build(batch)
                dy.renew_cg()
            else:
                variant.iterate(batch)

    work()  # warm-up
    profiler = cProfile.Profile()
    profiler.enable()
    work()
    profiler.disable()
    stream = io.StringIO()
    stats = pstats.Stats(profiler, stream=stream).sort_stats("tottime")
    stats.print_stats(args.top)
    print(stream.getvalue())
    return 0


if __name__ == "__main__":
    sys.exit(main())
