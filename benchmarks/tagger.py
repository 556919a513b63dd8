"""Workload (c): a BiLSTM part-of-speech tagger on variable-length sentences.

Word embeddings, a forward and a backward LSTM, a softmax over tags from the concatenated
states at every token, the summed negative log-likelihood as loss; 32 sentences per graph.

Sentences are drawn (with a fixed seed) from the training split of the Turkish Web Treebank
through ``dynn.data.treebanks`` (both sections, word level: 13.6 words per sentence on average,
5th-95th percentile 4-29, at most 81; 14 tags). If the data package is not installed, sentences
are generated instead, with lengths drawn from a gamma distribution fitted to the treebank's
web section and Zipf-distributed word ids.

Variants:

- *per sentence*: every sentence run alone at batch size 1, all sentences in one graph: the code
  one writes for DyNet's autobatching (and, with autobatching off, DyNet without any batching);
- *padded*: one batched graph over the padded batch, ``Bidirectional(..., lengths=...)`` keeping
  each sentence's states exact (padding carries states forward);
- PyTorch: ``nn.LSTM(bidirectional=True)`` over a ``PackedSequence`` (no padding waste either).

Canonical parameter names: ``E``, ``F.{Whx,Whh,b}`` (forward LSTM), ``B.{Whx,Whh,b}`` (backward
LSTM), ``W`` (tags, 2 hidden), ``bo``.
"""

from dataclasses import dataclass
from typing import List, Tuple

import numpy as np

from .common import DynetVariant, Group, Settings, Skipped, TorchVariant, uniform_weights
from .lm import (
    cell_shapes,
    dynet_lstm_to_torch,
    torch_available,
    torch_gate_order,
    transduction_available,
)

NUM_TAGS = 17  # synthetic data: the Universal POS tag set
LSTM_NAMES = ("Whx", "Whh", "b")


# Data --------------------------------------------------------------------------------------------
def synthetic_sentences(rng: np.random.RandomState, count: int, vocab: int):
    """``count`` (words, tags) pairs with a treebank-like length distribution."""
    lengths = np.clip(np.round(rng.gamma(5.4, 2.37, size=count)), 1, 40).astype(int)
    ranks = np.arange(1, vocab)
    word_probabilities = (1.0 / ranks) / np.sum(1.0 / ranks)
    sentences = []
    for length in lengths:
        words = rng.choice(ranks, size=length, p=word_probabilities)  # id 0 is padding/unknown
        tags = rng.randint(0, NUM_TAGS, size=length)
        sentences.append((list(map(int, words)), list(map(int, tags))))
    return sentences, vocab


def treebank_sentences(count: int, seed: int):
    """``count`` training sentences of the Turkish Web Treebank drawn with ``seed``, or ``None``.

    Word ids index the vocabulary of the whole training split (0 is unused: padding); tag ids
    index its tag set. Returns ``(sentences, vocabulary size, number of tags)``.
    """
    try:
        from dynn.data import treebanks

        examples = treebanks.tagged_words(treebanks.load_treebank("train"))
    except ImportError:  # no loader, or treebanks.TreebankNotInstalledError
        return None
    vocabulary = sorted({form for forms, _ in examples for form in forms})
    word_ids = {form: index for index, form in enumerate(vocabulary, start=1)}
    tag_ids = {
        tag: index for index, tag in enumerate(sorted({t for _, ts in examples for t in ts}))
    }
    rng = np.random.RandomState(seed)
    chosen = rng.choice(len(examples), size=min(count, len(examples)), replace=False)
    sentences = [
        ([word_ids[w] for w in examples[i][0]], [tag_ids[t] for t in examples[i][1]])
        for i in chosen
    ]
    return sentences, len(vocabulary) + 1, len(tag_ids)


def tagger_data(settings: Settings):
    """``(sentences, vocabulary size, number of tags, description of the source)``."""
    count = settings.sizes.tagger_sentences
    loaded = treebank_sentences(count, settings.seed + 1)
    if loaded is not None:
        sentences, vocab, num_tags = loaded
        source = "Turkish Web Treebank training sentences (dynn.data.treebanks), drawn at random"
        return sentences, vocab, num_tags, source
    rng = np.random.RandomState(settings.seed + 1)
    sentences, vocab = synthetic_sentences(rng, count, settings.sizes.tagger_vocab)
    source = "synthetic sentences with the Turkish Web Treebank's length distribution"
    return sentences, vocab, NUM_TAGS, source


@dataclass
class TaggerBatch:
    """Sentences of one batch, in the forms the variants need (built once, outside timing)."""

    sentences: List[Tuple[List[int], List[int]]]

    def __post_init__(self):
        self.lengths = [len(words) for words, _ in self.sentences]
        longest = max(self.lengths)
        size = len(self.sentences)
        # Left-padded (dynn's default side): token t of sentence i at step longest - len_i + t.
        self.words_left = np.zeros((longest, size), dtype=np.int64)
        self.tags_left = np.zeros((longest, size), dtype=np.int64)
        self.mask_left = np.zeros((longest, size), dtype=np.float32)
        # Right-padded (PyTorch's packing): token t at step t, -100 tags ignored by the loss.
        self.words_right = np.zeros((longest, size), dtype=np.int64)
        self.tags_right = np.full((longest, size), -100, dtype=np.int64)
        for i, (words, tags) in enumerate(self.sentences):
            n = len(words)
            self.words_left[longest - n :, i] = words
            self.tags_left[longest - n :, i] = tags
            self.mask_left[longest - n :, i] = 1.0
            self.words_right[:n, i] = words
            self.tags_right[:n, i] = tags
        self.word_steps = [list(map(int, row)) for row in self.words_left]
        self.tag_steps = [list(map(int, row)) for row in self.tags_left]
        self.mask_steps = [None if row.all() else row[None, :] for row in self.mask_left]
        self._torch = None

    def torch_tensors(self):
        if self._torch is None:
            import torch

            self._torch = (
                torch.from_numpy(self.words_right),
                torch.from_numpy(self.tags_right),
                torch.tensor(self.lengths, dtype=torch.int64),
            )
        return self._torch


def tagger_weights(rng, vocab, num_tags, emb, hidden):
    shapes = {"E": (vocab, emb), "W": (num_tags, 2 * hidden), "bo": (num_tags,)}
    for direction in ("F", "B"):
        for name, shape in cell_shapes("lstm", emb, hidden).items():
            shapes[f"{direction}.{name}"] = shape
    return uniform_weights(rng, shapes)


# DyNet -------------------------------------------------------------------------------------------
class _DynetTagger(DynetVariant):
    """Embeddings and output layer shared by the DyNet variants; subclasses provide the BiLSTM."""

    padded = False

    def create(self, weights):
        self.E = self.pc.lookup_parameters_from_numpy(weights["E"])
        self.W = self.pc.parameters_from_numpy(weights["W"])
        self.bo = self.pc.parameters_from_numpy(weights["bo"])
        self.create_rnn(weights)

    def start_graph(self):
        """Called right after ``renew_cg``."""

    def build(self, batch: TaggerBatch):
        import dynet as dy

        from dynn.util import batched_input

        dy.renew_cg()
        self.start_graph()
        train = self.train
        W, bo, E = self.W.expr(train), self.bo.expr(train), self.E
        if self.padded:
            xs = [dy.lookup_batch(E, ids, update=train) for ids in batch.word_steps]
            outputs = self.bidirectional_padded(xs, batch.lengths)
            losses = []
            for h, tags, mask in zip(outputs, batch.tag_steps, batch.mask_steps):
                loss = dy.pickneglogsoftmax_batch(dy.affine_transform([bo, W, h]), tags)
                if mask is not None:
                    loss = dy.cmult(loss, batched_input(mask))
                losses.append(loss)
            return dy.sum_batches(dy.esum(losses))
        losses = []
        for words, tags in batch.sentences:
            outputs = self.bidirectional([dy.lookup(E, w, update=train) for w in words])
            losses.extend(
                dy.pickneglogsoftmax(dy.affine_transform([bo, W, h]), t)
                for h, t in zip(outputs, tags)
            )
        return dy.esum(losses)

    def gradients(self):
        grads = {
            "E": self.E.grad_as_array(),
            "W": self.W.grad_as_array(),
            "bo": self.bo.grad_as_array(),
        }
        for direction, params in zip(("F", "B"), self.rnn_parameters()):
            for name, param in zip(LSTM_NAMES, params):
                grads[f"{direction}.{name}"] = param.grad_as_array()
        return grads


class NativeTagger(_DynetTagger):
    """Two ``VanillaLSTMBuilder``s, one sentence at a time."""

    def create_rnn(self, weights):
        import dynet as dy

        emb, hidden = weights["E"].shape[1], weights["F.Whh"].shape[1]
        self.builders = [dy.VanillaLSTMBuilder(1, emb, hidden, self.pc) for _ in range(2)]
        for builder, params in zip(self.builders, self.rnn_parameters()):
            for name, param in zip(LSTM_NAMES, params):
                prefix = "F" if builder is self.builders[0] else "B"
                param.set_value(weights[f"{prefix}.{name}"])

    def rnn_parameters(self):
        return [builder.get_parameters()[0] for builder in self.builders]

    def bidirectional(self, xs):
        import dynet as dy

        forward, backward = self.builders
        fs = forward.initial_state(update=self.train).transduce(xs)
        bs = backward.initial_state(update=self.train).transduce(xs[::-1])[::-1]
        return [dy.concatenate([f, b]) for f, b in zip(fs, bs)]


class DynnCellsTagger(_DynetTagger):
    """Two dynn ``LSTM`` cells stepped in Python loops, one sentence at a time."""

    def create_rnn(self, weights):
        from dynn.layers import LSTM

        emb, hidden = weights["E"].shape[1], weights["F.Whh"].shape[1]
        self.cells = [LSTM(self.pc, emb, hidden) for _ in range(2)]
        for prefix, cell in zip(("F", "B"), self.cells):
            for name, param in cell.parameters.items():
                param.set_value(weights[f"{prefix}.{name}"])

    def rnn_parameters(self):
        return [[cell.parameters[name] for name in LSTM_NAMES] for cell in self.cells]

    def start_graph(self):
        for cell in self.cells:
            cell.init(test=not self.train, update=self.train)

    def bidirectional(self, xs):
        import dynet as dy

        outputs = []
        for cell, sequence in zip(self.cells, (xs, xs[::-1])):
            state = cell.initial_value()
            hs = []
            for x in sequence:
                state = cell(x, *state)
                hs.append(state.h)
            outputs.append(hs)
        return [dy.concatenate([f, b]) for f, b in zip(outputs[0], outputs[1][::-1])]


class DynnBidirectionalTagger(DynnCellsTagger):
    """dynn's ``Bidirectional`` over two ``LSTM`` cells: per sentence, or over the padded batch."""

    def __init__(self, name, train, learning_rate, padded: bool):
        super().__init__(name, train, learning_rate)
        self.padded = padded

    def create_rnn(self, weights):
        from dynn.layers.transduction_layers import Bidirectional

        super().create_rnn(weights)
        self.birnn = Bidirectional(*self.cells, output_only=True)

    def start_graph(self):
        self.birnn.init(test=not self.train, update=self.train)

    def bidirectional(self, xs):
        import dynet as dy

        return [dy.concatenate([f, b]) for f, b in zip(*self.birnn(xs))]

    def bidirectional_padded(self, xs, lengths):
        import dynet as dy

        forward, backward = self.birnn(xs, lengths=lengths, left_padded=True)
        return [dy.concatenate([f, b]) for f, b in zip(forward, backward)]


# PyTorch -----------------------------------------------------------------------------------------
class TorchTagger(TorchVariant):
    """``nn.LSTM(bidirectional=True)`` over a ``PackedSequence``."""

    def create(self, weights):
        import torch
        from torch import nn

        vocab, emb = weights["E"].shape
        hidden = weights["F.Whh"].shape[1]
        module = nn.Module()
        module.embedding = nn.Embedding(vocab, emb, sparse=True)
        module.rnn = nn.LSTM(emb, hidden, bidirectional=True)
        module.output = nn.Linear(2 * hidden, weights["W"].shape[0])
        with torch.no_grad():
            module.embedding.weight.copy_(torch.from_numpy(weights["E"]))
            module.output.weight.copy_(torch.from_numpy(weights["W"]))
            module.output.bias.copy_(torch.from_numpy(weights["bo"]))
            for prefix, suffix in (("F", ""), ("B", "_reverse")):
                converted = dynet_lstm_to_torch(*(weights[f"{prefix}.{n}"] for n in LSTM_NAMES))
                for tensor, value in zip(self._tensors(module.rnn, suffix), converted):
                    tensor.copy_(torch.from_numpy(value))
        self.hidden = hidden
        return module

    @staticmethod
    def _tensors(rnn, suffix):
        return tuple(
            getattr(rnn, f"{k}_l0{suffix}")
            for k in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")
        )

    def loss(self, batch: TaggerBatch):
        from torch.nn import functional
        from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

        words, tags, lengths = batch.torch_tensors()
        packed = pack_padded_sequence(self.module.embedding(words), lengths, enforce_sorted=False)
        outputs, _ = pad_packed_sequence(self.module.rnn(packed)[0])
        logits = self.module.output(outputs)
        return functional.cross_entropy(
            logits.reshape(-1, logits.shape[-1]),
            tags[: logits.shape[0]].reshape(-1),
            reduction="sum",
            ignore_index=-100,
        )

    def gradients(self):
        module = self.module
        grads = {
            "E": module.embedding.weight.grad.to_dense().numpy(),
            "W": module.output.weight.grad.numpy(),
            "bo": module.output.bias.grad.numpy(),
        }
        order = torch_gate_order(self.hidden)
        for prefix, suffix in (("F", ""), ("B", "_reverse")):
            w_ih, w_hh, b_ih, _ = self._tensors(module.rnn, suffix)
            grads[f"{prefix}.Whx"] = w_ih.grad.numpy()[order]
            grads[f"{prefix}.Whh"] = w_hh.grad.numpy()[order]
            grads[f"{prefix}.b"] = b_ih.grad.numpy()[order]
        return grads


# Groups ------------------------------------------------------------------------------------------
def tagger_groups(settings: Settings, autobatch: bool) -> List[Group]:
    """The tagger in shuffled batches; without autobatching, also in length-bucketed batches."""
    sizes = settings.sizes
    sentences, vocab, num_tags, source = tagger_data(settings)
    rng = np.random.RandomState(settings.seed + 2)
    weights = tagger_weights(rng, vocab, num_tags, sizes.tagger_emb, sizes.tagger_hidden)
    step = sizes.tagger_batch
    count = len(sentences) - len(sentences) % step
    shuffled = [sentences[i : i + step] for i in range(0, count, step)]
    # Bucketed: sentences sorted by length, cut into batches, batches in random order (the
    # usual way to limit padding when batching by hand).
    by_length = sorted(sentences[:count], key=len_of)
    bucketed = [by_length[i : i + step] for i in range(0, count, step)]
    bucketed = [
        bucketed[i] for i in np.random.RandomState(settings.seed + 3).permutation(len(bucketed))
    ]
    lr = settings.learning_rate

    def make_variants():
        variants = [NativeTagger("native VanillaLSTMBuilder, per sentence", True, lr)]
        variants.append(DynnCellsTagger("dynn cells, per sentence", True, lr))
        for padded, name in (
            (False, "dynn Bidirectional, per sentence"),
            (True, "dynn Bidirectional, padded batch"),
        ):
            if transduction_available():
                variants.append(DynnBidirectionalTagger(name, True, lr, padded))
            else:
                variants.append(Skipped(name, "dynn.layers.transduction_layers is not available"))
        name = "torch nn.LSTM, packed"
        if not settings.torch:
            variants.append(Skipped(name, "disabled (--no-torch)"))
        elif not torch_available():
            variants.append(Skipped(name, "torch is not installed (pip install -e '.[bench]')"))
        else:
            variants.append(TorchTagger(name, True, lr))
        return variants

    mode = "autobatching on" if autobatch else "autobatching off"
    words = sum(len(w) for w, _ in sentences[:count])
    note = f"Data: {source}; {words} words in {count} sentences."
    settings_list = [("shuffled", shuffled)]
    if not autobatch:
        settings_list.append(("bucketed", bucketed))
    groups = []
    for kind, batch_lists in settings_list:
        batches = [TaggerBatch(b) for b in batch_lists]
        padded_steps = sum(max(b.lengths) * len(b.lengths) for b in batches)
        groups.append(
            Group(
                key=f"tagger/bilstm/ab{int(autobatch)}/{kind}/train",
                workload="tagger",
                params={
                    "batch": step,
                    "mode": "train",
                    "autobatch": autobatch,
                    "batches": kind,
                    "padding_efficiency": words / padded_steps,
                    "label": f"{kind} batches of {step}, {mode}",
                    "data": source,
                },
                batches=batches,
                tokens=[sum(b.lengths) for b in batches],
                weights=weights,
                make_variants=make_variants,
                note=note,
            )
        )
    return groups


def len_of(sentence) -> int:
    return len(sentence[0])
