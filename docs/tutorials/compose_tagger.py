"""Tutorial: a BiLSTM tagger composed from dynn layer objects (docs/guide/composing_models.rst).

Runs in a second on a toy corpus; tests/test_tutorials.py runs it. The sections between the
``# [name]`` markers are shown in the guide.
"""

# [data]
import dynet as dy
import numpy as np

import dynn
from dynn.data.dictionary import Dictionary
from dynn.layers import LSTM, Affine, BaseLayer, Bidirectional, Embeddings
from dynn.operations import seq_mask

corpus = [
    ("the cat sleeps".split(), "DET NOUN VERB".split()),
    ("a dog barks loudly".split(), "DET NOUN VERB ADV".split()),
    ("the old dog sleeps".split(), "DET ADJ NOUN VERB".split()),
    ("cats sleep".split(), "NOUN VERB".split()),
    ("a small cat runs quickly".split(), "DET ADJ NOUN VERB ADV".split()),
]
words = Dictionary.from_data([w for w, _ in corpus])
tags = Dictionary.from_data([t for _, t in corpus], unk_token=None, pad_token=None, eos_token=None)
data = [([words.index(w) for w in ws], [tags.index(t) for t in ts]) for ws, ts in corpus]
print(f"{len(words)} words (with <unk>, <pad>, <eos>), {len(tags)} tags: {' '.join(tags)}")
# [model]


class ToyTagger(BaseLayer):
    """Embeddings, a bidirectional LSTM over the padded batch, an affine layer per word."""

    def __init__(self, pc, num_words, num_tags, embed_dim=16, hidden_dim=16, dropout=0.2):
        super().__init__("tagger")
        self.embed = Embeddings(pc, num_words, embed_dim, pad_mask=words.pad_idx)
        self.rnn = Bidirectional(
            LSTM(pc, embed_dim, hidden_dim, dropout_x=dropout, dropout_h=dropout),
            LSTM(pc, embed_dim, hidden_dim, dropout_x=dropout, dropout_h=dropout),
            output_only=True,  # the outputs h, not the whole (h, c) states
        )
        self.output = Affine(pc, 2 * hidden_dim, num_tags)

    def __call__(self, sentences):
        """Tag scores: one batched ``(num_tags,)`` expression per position."""
        lengths = [len(s) for s in sentences]
        padded = np.full((max(lengths), len(sentences)), words.pad_idx)
        for b, sentence in enumerate(sentences):
            padded[: len(sentence), b] = sentence  # (position, batch): padding at the end
        xs = self.embed(padded)  # a list: one batched (embed_dim,) vector per position
        forward, backward = self.rnn(xs, lengths=lengths, left_padded=False)
        return [self.output(dy.concatenate([f, b])) for f, b in zip(forward, backward)]


pc = dy.ParameterCollection()
tagger = ToyTagger(pc, len(words), len(tags))
print(list(tagger.sublayers))  # what init() reaches: ['embed', 'rnn', 'output']
# [loss]


def loss_of(batch):
    sentences, gold = zip(*batch)
    scores = tagger(sentences)
    lengths = [len(g) for g in gold]
    losses = [
        dy.pickneglogsoftmax_batch(score, [g[t] if t < len(g) else 0 for g in gold])
        for t, score in enumerate(scores)
    ]
    mask = seq_mask(len(scores), lengths)  # 1 on the words, 0 on the padding
    return dy.sum_batches(dy.dot_product(dy.concatenate(losses), mask)) * (1.0 / sum(lengths))


# [train]
trainer = dy.AdamTrainer(pc, alpha=0.02)
for _ in range(40):
    dynn.new_graph(tagger, test=False, update=True)  # training mode: dropout, trainable
    loss = loss_of(data)  # the whole toy corpus is one padded batch
    loss.backward()
    trainer.update()
print(f"training loss after 40 updates: {loss.value():.3f}")
# [predict]


def predict(sentence):
    dynn.new_graph(tagger)  # inference: no dropout, parameters frozen
    ids = [words.index(w) for w in sentence.split()]
    scores = tagger([ids])
    return [tags[int(np.argmax(s.npvalue()))] for s in scores]


print(predict("the small dog runs"))
assert predict("the small dog runs") == ["DET", "ADJ", "NOUN", "VERB"]
# [save]
import tempfile  # noqa: E402

from dynn import io  # noqa: E402

path = io.save_layer(tagger, tempfile.mkdtemp() + "/tagger")  # keys are layer paths
copy = ToyTagger(dy.ParameterCollection(), len(words), len(tags))
io.populate_layer(copy, path)
dynn.new_graph(tagger, copy)
sentence = data[0][0]
for a, b in zip(copy([sentence]), tagger([sentence])):
    assert np.allclose(a.npvalue(), b.npvalue())
print("saved to", path, "and loaded into a new ToyTagger")
# [end]
