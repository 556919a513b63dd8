"""Graph-construction cost of one RNN step: dynn's layers against the same ops written directly.

``python -m benchmarks.overhead [--batch B] [--rounds N]``

Builds (never computes) an LSTM over 50 steps of batch ``B`` (hidden 256, input 64), many times,
in interleaved rounds, and prints the median µs per step of each way of writing it, and the cost
of ``layer.init()`` per graph. This isolates the Python overhead of the framework: DyNet's
forward and backward are identical for the same ops and are not part of it.
"""

import argparse
import statistics
import sys
import time


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.overhead")
    parser.add_argument("--batch", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--autobatch", type=int, choices=(0, 1), default=0)
    args = parser.parse_args(argv)

    import dynet_config

    dynet_config.set(mem=256, random_seed=1, autobatch=args.autobatch)
    import dynet as dy

    from dynn.layers import LSTM, StackedLSTM
    from dynn.layers.transduction_layers import Unidirectional

    hidden, input_dim, steps, batch = 256, 64, 50, args.batch
    pc = dy.ParameterCollection()
    cell = LSTM(pc, input_dim, hidden)
    stack = StackedLSTM(pc, 1, input_dim, hidden)
    unidirectional = Unidirectional(LSTM(pc, input_dim, hidden), output_only=True)
    params = [cell.parameters[name] for name in ("Whx", "Whh", "b")]

    def inputs():
        if batch == 1:
            return [dy.zeros(input_dim)] * steps
        return [dy.zeros(input_dim, batch_size=batch)] * steps

    def ops(xs):
        Whx, Whh, b = (p.expr(True) for p in params)
        h = c = dy.zeros(hidden, batch_size=batch)
        for x in xs:
            gates = dy.vanilla_lstm_gates(x, h, Whx, Whh, b)
            c = dy.vanilla_lstm_c(c, gates)
            h = dy.vanilla_lstm_h(c, gates)

    def ops_projected(xs):
        Whx, Whh, b = (p.expr(True) for p in params)
        offset = dy.concatenate([dy.zeros(hidden), dy.ones(hidden), dy.zeros(2 * hidden)])
        projection = dy.affine_transform([b + offset, Whx, dy.concatenate_cols(xs)])
        h = c = dy.zeros(hidden, batch_size=batch)
        for t in range(len(xs)):
            pre = dy.affine_transform([dy.pick(projection, t, 1), Whh, h])
            gates = dy.concatenate(
                [
                    dy.logistic(dy.pickrange(pre, 0, 3 * hidden)),
                    dy.tanh(dy.pickrange(pre, 3 * hidden, 4 * hidden)),
                ]
            )
            c = dy.vanilla_lstm_c(c, gates)
            h = dy.vanilla_lstm_h(c, gates)

    def dynn_cell(xs):
        cell.init(test=False, update=True)
        state = cell.initial_value(batch)
        for x in xs:
            state = cell(x, *state)

    def dynn_stack(xs):
        stack.init(test=False, update=True)
        state = stack.initial_value(batch)
        for x in xs:
            state = stack(x, *state)

    def dynn_unidirectional(xs):
        unidirectional.init(test=False, update=True)
        unidirectional(xs)

    def init_only(xs):
        unidirectional.init(test=False, update=True)

    candidates = {
        "DyNet ops": ops,
        "DyNet ops, projected": ops_projected,
        "dynn LSTM cell": dynn_cell,
        "dynn StackedLSTM (1 layer)": dynn_stack,
        "dynn Unidirectional(LSTM)": dynn_unidirectional,
        "Unidirectional.init() alone (per graph)": init_only,
    }
    results = {name: [] for name in candidates}
    repeats = 20
    for _ in range(args.rounds):
        for name, build in candidates.items():
            total = 0.0
            for _ in range(repeats):
                dy.renew_cg()
                xs = inputs()
                start = time.perf_counter()
                build(xs)
                total += time.perf_counter() - start
            results[name].append(total / repeats)
    base = statistics.median(results["DyNet ops"])
    print(
        f"Graph construction, LSTM 64->256, {steps} steps, batch {batch}, "
        f"autobatch {args.autobatch}"
    )
    print(f"{'':42} {'µs/step':>8} {'vs DyNet ops':>13}")
    for name, values in results.items():
        seconds = statistics.median(values)
        if name.startswith("Unidirectional.init"):
            print(f"{name:42} {seconds * 1e6:8.1f} µs per graph")
        else:
            print(f"{name:42} {seconds / steps * 1e6:8.2f} {seconds / base:12.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
