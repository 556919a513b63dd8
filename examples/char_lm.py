"""Character-level LSTM language model, written with dynn's layer objects.

Trains on a short text for a few epochs, prints the loss, then samples from the model.
Run: ``python examples/char_lm.py [--epochs N] [--dynet-mem 64]``.
"""

import argparse
import sys

import dynet_config

from dynn.command_line import add_dynet_args, dynet_config_from_args

TEXT = (
    "a language model assigns a probability to every sequence of characters. "
    "it reads one character at a time and predicts the next one. "
    "with enough steps it learns which characters follow which, then words, then phrases. "
)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--hidden-dim", type=int, default=64)
    add_dynet_args(parser)
    args = parser.parse_args(argv)
    if args.dynet_seed == 0:
        args.dynet_seed = 1
    dynet_config_from_args(args)
    assert dynet_config  # configured before dynet is imported below

    import dynet as dy
    import numpy as np

    import dynn
    from dynn.layers.recurrent_layers import LSTM

    chars = sorted(set(TEXT))
    index = {c: i for i, c in enumerate(chars)}
    pc = dy.ParameterCollection()
    embeddings = pc.add_lookup_parameters((len(chars), 32))
    lstm = LSTM(pc, 32, args.hidden_dim, dropout_x=0.1, dropout_h=0.1)
    output = pc.add_parameters((len(chars), args.hidden_dim))
    trainer = dy.AdamTrainer(pc, alpha=0.01)
    sentences = [s.strip() + "." for s in TEXT.split(".") if s.strip()]

    def sentence_loss(sentence):
        ids = [index[c] for c in sentence]
        state = lstm.initial_value()
        losses = []
        for current, following in zip(ids, ids[1:]):
            state = lstm(dy.lookup(embeddings, current), *state)
            logits = output.expr(True) * lstm.get_output(state)
            losses.append(dy.pickneglogsoftmax(logits, following))
        return dy.esum(losses), len(losses)

    for epoch in range(args.epochs):
        total, count = 0.0, 0
        for sentence in sentences:
            dynn.new_graph(lstm, test=False, update=True)
            loss, n = sentence_loss(sentence)
            total += loss.value()
            count += n
            loss.backward()
            trainer.update()
        if epoch % 5 == 0 or epoch == args.epochs - 1:
            print(f"epoch {epoch:3d}  loss/char {total / count:.3f}")

    rng = np.random.RandomState(0)
    dynn.new_graph(lstm)
    state, current, sample = lstm.initial_value(), index["a"], ["a"]
    for _ in range(80):
        state = lstm(dy.lookup(embeddings, current, update=False), *state)
        probs = dy.softmax(output.expr(False) * lstm.get_output(state)).npvalue()
        current = int(rng.choice(len(chars), p=probs / probs.sum()))
        sample.append(chars[current])
    print("sample:", "".join(sample))
    return 0


if __name__ == "__main__":
    sys.exit(main())
