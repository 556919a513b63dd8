"""A BiLSTM sentence classifier: the genre of Turkish Web Treebank sentences, with dynn layers.

Every sentence of the Turkish Web Treebank comes from a forum, a blog, a guide, a product review,
a how-to or Wikipedia (:func:`dynn.data.treebanks.genre_examples`). The classifier embeds the
words, runs a bidirectional LSTM over them and classifies the concatenation of both directions'
final states together with the element-wise maximum of the outputs over the sentence:

.. math::

    \\begin{aligned}
    h_t &= [\\overrightarrow{h}_t; \\overleftarrow{h}_t] \\\\
    p(y \\mid w) &= \\mathrm{softmax}\\bigl(W\\,[\\overrightarrow{h}_n; \\overleftarrow{h}_1;
        \\max\\nolimits_t h_t] + b\\bigr)
    \\end{aligned}

Sentences are batched with padding; the final states come from
``Bidirectional(..., lengths=..., return_final_state=True)`` (the backward direction's final state
is each sentence's state at its first word), and the padded positions are excluded from the
maximum with :class:`~dynn.layers.SequenceMaskingLayer`.

Data: ``pip install 'dynn[data]'`` (never downloaded); the package's train/dev split (3,881 /
485 sentences; half of the web sentences are forum posts, and Wikipedia sentences are 48 % of
the data). The YAML route is ``dynn train configs/genre_classifier.yaml``.

Run::

    python examples/sentence_classifier.py            # 3 epochs, seconds
    python examples/sentence_classifier.py --smoke    # tiny settings, seconds (CI)

Measured with the defaults (3 epochs, seed 1; dyNET38 2.2, seconds on one CPU core): dev
accuracy **63.92 %** (56.91 % after the first epoch; the majority class, ``wiki``: 47.63 %).
Training longer overfits (62.47 % after 5 epochs).
"""

import argparse
import collections
import sys
import time

import dynet_config

from dynn.command_line import add_dynet_args, dynet_config_from_args


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description="Classify treebank sentences by genre.")
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--embed-dim", type=int, default=64)
    parser.add_argument("--hidden-dim", type=int, default=64)
    parser.add_argument("--dropout", type=float, default=0.3)
    parser.add_argument("--learning-rate", type=float, default=0.002)
    parser.add_argument("--smoke", action="store_true", help="tiny settings, for tests")
    add_dynet_args(parser)
    args = parser.parse_args(argv)
    if args.dynet_seed == 0:
        args.dynet_seed = 1
    if args.smoke:
        args.epochs, args.embed_dim, args.hidden_dim = 1, 8, 8
    return args


def main(argv=None):
    args = parse_args(argv)
    dynet_config_from_args(args)
    assert dynet_config  # DyNet is configured before it is imported below

    import dynet as dy
    import numpy as np

    import dynn
    from dynn.data import treebanks
    from dynn.data.batching import PaddedSequenceBatches, SequenceBatch
    from dynn.data.dictionary import Dictionary
    from dynn.layers import (
        LSTM,
        Affine,
        BaseLayer,
        Bidirectional,
        Embeddings,
        SequenceMaskingLayer,
    )

    # Data ------------------------------------------------------------------------------------
    try:
        train = treebanks.genre_examples(treebanks.load_treebank("train"))
        dev = treebanks.genre_examples(treebanks.load_treebank("dev"))
    except treebanks.TreebankNotInstalledError as error:
        sys.exit(f"{error}\n(install the data with: pip install 'dynn[data]')")
    if args.smoke:
        train, dev = train[::80], dev[::30]
    lowercased = [[w.lower() for w in forms] for forms, _ in train]
    words = Dictionary.from_data(lowercased, min_count=2)
    labels = Dictionary(
        sorted({label for _, label in train}), unk_token=None, pad_token=None, eos_token=None
    )
    words.freeze()
    labels.freeze()
    counts = collections.Counter(label for _, label in dev)
    majority, majority_count = counts.most_common(1)[0]
    print(f"{len(train)} training sentences, {len(dev)} dev; genres: {', '.join(labels)}")

    def numberize(forms, label):
        return [words.index(w.lower()) for w in forms], labels.index(label)

    train_data = [numberize(*example) for example in train]
    dev_data = [numberize(*example) for example in dev]

    # The model -------------------------------------------------------------------------------
    class GenreClassifier(BaseLayer):
        """Word embeddings, a BiLSTM, final states and max pooling, an affine layer."""

        def __init__(self, pc):
            super().__init__("genre-classifier")
            H = args.hidden_dim
            self.embed = Embeddings(pc, words, args.embed_dim, pad_mask=words.pad_idx)
            self.rnn = Bidirectional(
                LSTM(pc, args.embed_dim, H, dropout_x=0.2),
                LSTM(pc, args.embed_dim, H, dropout_x=0.2),
            )
            self.mask = SequenceMaskingLayer(mask_value=-1e9, left_padded=False)
            self.output = Affine(pc, 4 * H, len(labels), dropout=args.dropout)

        def __call__(self, sentences):
            """Label scores, batched ``(num_labels,)``."""
            lengths = [len(s) for s in sentences]
            xs = self.embed(SequenceBatch(sentences, pad_idx=words.pad_idx).sequences)
            (fwd, bwd), (fwd_final, bwd_final) = self.rnn(
                xs, lengths=lengths, left_padded=False, output_only=True, return_final_state=True
            )
            outputs = [dy.concatenate([f, b]) for f, b in zip(fwd, bwd)]
            # Padded positions set to -1e9, so that they never win the maximum.
            masked = self.mask(outputs, lengths=lengths)
            pooled = dy.max_dim(dy.concatenate_cols(masked), d=1)  # over positions
            return self.output(dy.concatenate([fwd_final.h, bwd_final.h, pooled]))

    pc = dy.ParameterCollection()
    classifier = GenreClassifier(pc)
    trainer = dy.AdamTrainer(pc, alpha=args.learning_rate)

    def accuracy(data):
        right = 0
        for start in range(0, len(data), 64):
            sentences, gold = zip(*data[start : start + 64])
            dynn.new_graph(classifier)  # inference: no dropout
            scores = classifier(list(sentences)).npvalue().reshape(len(labels), -1)
            right += int((scores.argmax(axis=0) == np.array(gold)).sum())
        return right / len(data)

    # Training --------------------------------------------------------------------------------
    batches = PaddedSequenceBatches(
        [s for s, _ in train_data],
        targets=[label for _, label in train_data],
        max_samples=args.batch_size,
        rng=args.dynet_seed,
    )
    start_time = time.time()
    for epoch in range(1, args.epochs + 1):
        total, count = 0.0, 0
        for batch, targets in batches:
            dynn.new_graph(classifier, test=False, update=True)
            scores = classifier(batch.unpadded_sequences)
            loss = dy.mean_batches(dy.pickneglogsoftmax_batch(scores, [int(t) for t in targets]))
            total, count = total + loss.value(), count + 1
            loss.backward()
            trainer.update()
        print(
            f"epoch {epoch}  train loss {total / count:.3f}  dev accuracy "
            f"{100 * accuracy(dev_data):.2f} %  ({time.time() - start_time:.0f} s)"
        )
    print(
        f"dev accuracy: {100 * accuracy(dev_data):.2f} % (majority class '{majority}': "
        f"{100 * majority_count / len(dev):.2f} %)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
