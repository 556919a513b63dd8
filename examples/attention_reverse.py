"""An attention encoder-decoder that learns to reverse sequences of symbols, with dynn layers.

The task: read a random sequence of symbols (``c a f f b``) and write it backwards
(``b f f a c``). The model is the classic RNN encoder-decoder with attention (Bahdanau et al.,
2015; Luong et al., 2015):

- **encoder**: :class:`~dynn.layers.Embeddings` then a :class:`~dynn.layers.Bidirectional` LSTM
  over padded batches (``lengths=``), giving one vector :math:`k_j = [\\overrightarrow{h}_j;
  \\overleftarrow{h}_j]` per source position;
- **decoder**: an :class:`~dynn.layers.LSTM` cell driven one step at a time, whose input is the
  embedding of the previous output symbol and the previous attention context ("input feeding");
- **attention**: :class:`~dynn.layers.MLPAttention` (``--attention mlp``, the default) or
  :class:`~dynn.layers.BilinearAttention` (``--attention bilinear``) from the decoder state over
  the encoder vectors, with a padding mask;
- **output**: an :class:`~dynn.layers.Affine` layer on :math:`[s_t; c_t]`.

.. math::

    \\begin{aligned}
    s_t &= \\mathrm{LSTM}([E_{y_{t-1}}; c_{t-1}], s_{t-1}) \\\\
    c_t &= \\sum_j \\alpha_{tj} k_j, \\quad \\alpha_t = \\mathrm{attention}(s_t, k_{1..L}) \\\\
    p(y_t \\mid y_{<t}, x) &= \\mathrm{softmax}(W [s_t; c_t] + b)
    \\end{aligned}

Training uses teacher forcing on freshly generated batches; evaluation decodes greedily, in
batches, 1,000 held-out sequences (never seen in training) and reports exact-match accuracy (the
whole reversed sequence right) and symbol accuracy.

Measured (``python examples/attention_reverse.py``: 20 symbols, lengths 3 to 15, 1,500 updates
of batches of 32 with a learning rate decaying linearly from 0.002 to 0.0002, embeddings 32,
LSTMs 64, MLP attention, seed 1; dyNET38 2.2 on a CPU, code of 2026-11-22, about a minute of CPU
time): exact match on the 1,000 held-out sequences 71.1 % after 250 updates, 99.7 % after 500 and
**100.0 % after 1,500** (symbol accuracy 100.0 %). With ``--attention bilinear``: 95.7 % after
500 updates, 100.0 % from 1,000 on. (Without the decay, the exact match wandered between 96 % and
100 % from update 1,000 on.)

Run::

    python examples/attention_reverse.py                  # the full setting above
    python examples/attention_reverse.py --attention bilinear
    python examples/attention_reverse.py --smoke          # tiny settings, seconds (CI)
"""

import argparse
import sys
import time

import dynet_config

from dynn.command_line import add_dynet_args, dynet_config_from_args


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description="Train an attention encoder-decoder to reverse sequences of symbols."
    )
    parser.add_argument("--symbols", type=int, default=20, help="size of the alphabet")
    parser.add_argument("--min-length", type=int, default=3)
    parser.add_argument("--max-length", type=int, default=15)
    parser.add_argument("--steps", type=int, default=1500, help="number of updates")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--embed-dim", type=int, default=32)
    parser.add_argument("--hidden-dim", type=int, default=64)
    parser.add_argument("--attention", choices=["mlp", "bilinear"], default="mlp")
    parser.add_argument("--learning-rate", type=float, default=0.002)
    parser.add_argument("--test-size", type=int, default=1000, help="held-out sequences")
    parser.add_argument("--eval-every", type=int, default=250)
    parser.add_argument("--smoke", action="store_true", help="tiny settings, for tests")
    add_dynet_args(parser)
    args = parser.parse_args(argv)
    if args.dynet_seed == 0:
        args.dynet_seed = 1
    if args.smoke:
        args.symbols, args.max_length, args.steps, args.batch_size = 6, 5, 20, 8
        args.embed_dim, args.hidden_dim, args.test_size, args.eval_every = 8, 8, 20, 10
    if not 1 <= args.min_length <= args.max_length:
        parser.error("need 1 <= --min-length <= --max-length")
    return args


def main(argv=None):
    args = parse_args(argv)
    dynet_config_from_args(args)
    assert dynet_config  # DyNet is configured before it is imported below

    import dynet as dy
    import numpy as np

    import dynn
    from dynn.data.batching import SequenceBatch
    from dynn.data.dictionary import Dictionary
    from dynn.layers import (
        LSTM,
        Affine,
        Bidirectional,
        BilinearAttention,
        Embeddings,
        MLPAttention,
    )
    from dynn.layers.attention_layers import padding_mask
    from dynn.operations import seq_mask

    # Data: random sequences; the held-out ones are never generated for training ---------------
    rng = np.random.RandomState(args.dynet_seed)
    vocab = Dictionary([chr(ord("a") + i) for i in range(args.symbols)], bos_token="<bos>")
    vocab.freeze()
    letters = np.arange(vocab.nspecials, len(vocab))

    def random_sequence():
        length = rng.randint(args.min_length, args.max_length + 1)
        return tuple(int(i) for i in rng.choice(letters, size=length))

    test_set = []
    while len(test_set) < args.test_size:
        test_set.append(random_sequence())
    held_out = set(test_set)

    def training_batch():
        batch = []
        while len(batch) < args.batch_size:
            sequence = random_sequence()
            if sequence not in held_out:
                batch.append(sequence)
        return batch

    # The model -------------------------------------------------------------------------------
    E, H = args.embed_dim, args.hidden_dim
    pc = dy.ParameterCollection()
    source_embed = Embeddings(pc, vocab, E)
    encoder = Bidirectional(LSTM(pc, E, H), LSTM(pc, E, H), output_only=True)
    target_embed = Embeddings(pc, vocab, E)
    decoder = LSTM(pc, E + 2 * H, H)
    if args.attention == "mlp":
        attention = MLPAttention(pc, query_dim=H, key_dim=2 * H, hidden_dim=H)
    else:
        attention = BilinearAttention(pc, query_dim=H, key_dim=2 * H)
    output = Affine(pc, 3 * H, len(vocab))
    model = [source_embed, encoder, target_embed, decoder, attention, output]
    trainer = dy.AdamTrainer(pc, alpha=args.learning_rate)

    def encode(sources):
        """Keys ``(2H, L)`` (batched) and the additive padding mask ``(L,)``."""
        lengths = [len(s) for s in sources]
        padded = SequenceBatch(sources, pad_idx=vocab.pad_idx)  # padding at the end
        xs = source_embed(padded.sequences)  # one batched vector per position
        forward, backward = encoder(xs, lengths=lengths, left_padded=False)
        keys = dy.concatenate_cols([dy.concatenate([f, b]) for f, b in zip(forward, backward)])
        return keys, padding_mask(lengths, size=len(xs))

    def decoder_step(state, context, previous, keys, mask):
        """One decoder step: the new state and context, and the output scores."""
        state = decoder(dy.concatenate([target_embed(previous), context]), *state)
        context, _ = attention(state.h, keys, keys, mask=mask)
        return state, context, output(dy.concatenate([state.h, context]))

    def start(sources):
        keys, mask = encode(sources)
        batch_size = len(sources)
        state = decoder.initial_value(batch_size)
        context = dy.zeros(2 * H, batch_size=batch_size)
        return state, context, [vocab.bos_idx] * batch_size, keys, mask

    def loss_of(sources):
        targets = [list(reversed(s)) + [vocab.eos_idx] for s in sources]
        padded = SequenceBatch(targets, pad_idx=vocab.pad_idx).sequences
        state, context, previous, keys, mask = start(sources)
        losses = []
        for gold in padded:  # teacher forcing: the previous gold symbol is the next input
            state, context, scores = decoder_step(state, context, previous, keys, mask)
            previous = [int(i) for i in gold]
            losses.append(dy.pickneglogsoftmax_batch(scores, previous))
        real = seq_mask(len(padded), [len(t) for t in targets])
        return dy.sum_batches(dy.dot_product(dy.concatenate(losses), real)) * (
            1.0 / sum(len(t) for t in targets)
        )

    def reverse(sources):
        """Greedy decoding of a batch: the predicted sequences (without ``<eos>``)."""
        dynn.new_graph(*model)  # inference mode
        state, context, previous, keys, mask = start(sources)
        predictions = [[] for _ in sources]
        done = np.zeros(len(sources), dtype=bool)
        for _ in range(args.max_length + 1):
            state, context, scores = decoder_step(state, context, previous, keys, mask)
            values = scores.npvalue().reshape(len(vocab), len(sources))
            previous = [int(i) for i in values.argmax(axis=0)]
            for b, symbol in enumerate(previous):
                done[b] |= symbol == vocab.eos_idx
                if not done[b]:
                    predictions[b].append(symbol)
            if done.all():
                break
        return predictions

    def evaluate():
        exact, right, total = 0, 0, 0
        for i in range(0, len(test_set), 100):
            sources = test_set[i : i + 100]
            for source, predicted in zip(sources, reverse(sources)):
                gold = list(reversed(source))
                exact += predicted == gold
                right += sum(p == g for p, g in zip(predicted, gold))
                total += len(gold)
        return exact / len(test_set), right / total

    # Training --------------------------------------------------------------------------------
    start_time = time.time()
    total = 0.0
    for step in range(1, args.steps + 1):
        # The learning rate decays linearly to a tenth of its value: a stable end point.
        trainer.learning_rate = args.learning_rate * (1.0 - 0.9 * (step - 1) / args.steps)
        dynn.new_graph(*model, test=False, update=True)
        loss = loss_of(training_batch())
        total += loss.value()
        loss.backward()
        trainer.update()
        if step % args.eval_every == 0 or step == args.steps:
            exact, symbols = evaluate()
            print(
                f"step {step:5d}  loss/symbol {total / args.eval_every:.3f}  held-out exact "
                f"match {100 * exact:.1f} %  symbols {100 * symbols:.1f} %  "
                f"({time.time() - start_time:.0f} s)"
            )
            total = 0.0

    for source in test_set[:3]:
        predicted = reverse([source])[0]
        print(vocab.string(source, join_with=" "), " -> ", vocab.string(predicted, join_with=" "))
    exact, symbols = evaluate()
    print(f"held-out exact match: {100 * exact:.1f} % of {len(test_set)} sequences")
    return 0


if __name__ == "__main__":
    sys.exit(main())
