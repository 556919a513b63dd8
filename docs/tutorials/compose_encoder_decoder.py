"""Tutorial: an attention encoder-decoder from dynn layers (docs/guide/composing_models.rst).

It learns to reverse sequences of 2 to 5 symbols out of 5 in a few seconds;
tests/test_tutorials.py runs it. The full-size version is examples/attention_reverse.py.
"""

# [setup]
import dynet as dy
import numpy as np

import dynn
from dynn.layers import LSTM, Affine, BaseLayer, Bidirectional, BilinearAttention, Embeddings
from dynn.layers.attention_layers import padding_mask
from dynn.operations import seq_mask

dy.reset_random_seed(1)  # reproducible parameters and dropout masks
PAD, BOS, EOS = 0, 1, 2  # special symbols; the symbols proper are 3 .. 7
VOCAB = 8
# [model]


class Seq2Seq(BaseLayer):
    """A BiLSTM encoder, an LSTM decoder with input feeding and bilinear attention."""

    def __init__(self, pc, embed_dim=16, hidden_dim=32):
        super().__init__("seq2seq")
        E, H = embed_dim, hidden_dim
        self.context_dim = 2 * H
        self.source_embed = Embeddings(pc, VOCAB, E)
        self.encoder = Bidirectional(LSTM(pc, E, H), LSTM(pc, E, H), output_only=True)
        self.target_embed = Embeddings(pc, VOCAB, E)
        self.decoder = LSTM(pc, E + 2 * H, H)  # input: previous symbol and previous context
        self.attention = BilinearAttention(pc, query_dim=H, key_dim=2 * H)
        self.output = Affine(pc, 3 * H, VOCAB)

    def encode(self, sources):
        """Keys ``(2H, L)``, one column per source position, and the padding mask ``(L,)``."""
        lengths = [len(s) for s in sources]
        padded = np.full((max(lengths), len(sources)), PAD)
        for b, source in enumerate(sources):
            padded[: len(source), b] = source
        forward, backward = self.encoder(
            self.source_embed(padded), lengths=lengths, left_padded=False
        )
        keys = dy.concatenate_cols([dy.concatenate([f, b]) for f, b in zip(forward, backward)])
        return keys, padding_mask(lengths, size=len(padded))

    def start(self, sources):
        """The decoder's first state, context and input symbols, and the encoder's keys."""
        batch_size = len(sources)
        context = dy.zeros(self.context_dim, batch_size=batch_size)
        return self.decoder.initial_value(batch_size), context, [BOS] * batch_size

    def step(self, state, context, previous, keys, mask):
        """One decoding step: new state and context, and the scores of the next symbol."""
        x = dy.concatenate([self.target_embed(previous), context])
        state = self.decoder(x, *state)
        context, _ = self.attention(state.h, keys, keys, mask=mask)
        return state, context, self.output(dy.concatenate([state.h, context]))


# [loss]
def loss_of(model, sources):
    targets = [list(reversed(s)) + [EOS] for s in sources]
    keys, mask = model.encode(sources)
    state, context, previous = model.start(sources)
    losses = []
    for t in range(max(len(y) for y in targets)):
        state, context, scores = model.step(state, context, previous, keys, mask)
        previous = [y[t] if t < len(y) else PAD for y in targets]  # teacher forcing
        losses.append(dy.pickneglogsoftmax_batch(scores, previous))
    real = seq_mask(len(losses), [len(y) for y in targets])
    count = sum(len(y) for y in targets)
    return dy.sum_batches(dy.dot_product(dy.concatenate(losses), real)) * (1.0 / count)


def reverse(model, source):
    """Greedy decoding of one sequence."""
    dynn.new_graph(model)  # inference mode
    keys, mask = model.encode([source])
    state, context, previous = model.start([source])
    output = []
    for _ in range(len(source) + 2):
        state, context, scores = model.step(state, context, previous, keys, mask)
        symbol = int(np.argmax(scores.npvalue()))
        if symbol == EOS:
            break
        output.append(symbol)
        previous = [symbol]
    return output


# [train]
rng = np.random.RandomState(1)


def random_batch(size):
    return [list(rng.randint(3, VOCAB, size=rng.randint(2, 6))) for _ in range(size)]


pc = dy.ParameterCollection()
model = Seq2Seq(pc)
trainer = dy.AdamTrainer(pc, alpha=0.01)
for step in range(1, 301):
    dynn.new_graph(model, test=False, update=True)
    loss = loss_of(model, random_batch(16))
    loss.backward()
    trainer.update()
    if step % 100 == 0:
        print(f"step {step}: loss per symbol {loss.value():.3f}")

test = random_batch(100)
accuracy = np.mean([reverse(model, s) == s[::-1] for s in test])
print(f"exact match on 100 random sequences: {100 * accuracy:.0f} %")
print([int(i) for i in test[0]], "->", reverse(model, test[0]))
assert accuracy > 0.5
# [end]
