"""Tutorial: migrating DyNet builder code to dynn (docs/guide/migrating_from_dynet.rst).

Every step checks that dynn computes what DyNet computes; tests/test_tutorials.py runs it.
"""

# [imports]
import dynet as dy
import numpy as np

import dynn
from dynn.data.batching import SequenceBatch
from dynn.layers import LSTM, Bidirectional, Embeddings, StackedRecurrentCells, Unidirectional

# [dynet]
pc = dy.ParameterCollection()
builder = dy.VanillaLSTMBuilder(2, 8, 16, pc)  # 2 layers, input 8, hidden 16
embeddings = pc.add_lookup_parameters((100, 8))
sentence = [3, 14, 15, 92, 65]

dy.renew_cg()
xs = [dy.lookup(embeddings, w) for w in sentence]
state = builder.initial_state()
outputs = []
for x in xs:
    state = state.add_input(x)
    outputs.append(state.output())
dynet_outputs = [o.npvalue() for o in outputs]
dynet_final = [e.npvalue() for e in state.s()]  # c of each layer, then h of each layer
# [share]
stack = StackedRecurrentCells.from_builder(pc, builder)  # the builder's own parameters
embed = Embeddings(pc, 100, 8, E=embeddings)  # shares the lookup table too
print(stack.cells)  # two LSTM cells, each holding a layer of the builder
# [rnnstate]
dynn.new_graph(stack, embed)  # renew the graph, initialise for inference
state = stack.initial_state()
outputs = []
for w in sentence:
    state = state.add_input(embed(w))
    outputs.append(state.output())

for mine, theirs in zip(outputs, dynet_outputs):
    assert np.allclose(mine.npvalue(), theirs, atol=1e-6)
for mine, theirs in zip(state.s(), dynet_final):
    assert np.allclose(mine.npvalue(), theirs, atol=1e-6)
print("RNNState interface: same outputs and final state as DyNet")
# [cell]
dynn.new_graph(stack, embed)
s = stack.initial_value()  # a flat tuple (h0, c0, h1, c1) of zero vectors
for w in sentence:
    s = stack(embed(w), *s)
assert np.allclose(stack.get_output(s).npvalue(), dynet_outputs[-1], atol=1e-6)
first_layer = LSTM.from_builder(pc, builder, layer=0)  # one layer of the builder, as a cell
print("cell interface: same final output; first layer:", first_layer)
# [transduce]
rnn = Unidirectional(stack, output_only=True)
dynn.new_graph(rnn, embed)
outputs = rnn(embed([[w] for w in sentence]))  # one (batch of one) vector per position
for mine, theirs in zip(outputs, dynet_outputs):
    assert np.allclose(mine.npvalue(), theirs, atol=1e-6)

# Two sentences of different lengths in one padded batch give the same results as alone.
batch = SequenceBatch([sentence, sentence[:3]])  # .sequences: (position, batch), padded
dynn.new_graph(rnn, embed)
outputs = rnn(embed(batch.sequences), lengths=batch.lengths, left_padded=False)
assert np.allclose(outputs[4].npvalue()[:, 0], dynet_outputs[4], atol=1e-6)
assert np.allclose(outputs[2].npvalue()[:, 1], dynet_outputs[2], atol=1e-6)

# A bidirectional RNN from two builders, checked against running them both ways.
fwd_builder = dy.VanillaLSTMBuilder(1, 8, 16, pc)
bwd_builder = dy.VanillaLSTMBuilder(1, 8, 16, pc)
dy.renew_cg()
xs = [dy.lookup(embeddings, w) for w in sentence]
dynet_forward = [o.npvalue() for o in fwd_builder.initial_state().transduce(xs)]
dynet_backward = [o.npvalue() for o in bwd_builder.initial_state().transduce(xs[::-1])][::-1]

birnn = Bidirectional(
    LSTM.from_builder(pc, fwd_builder), LSTM.from_builder(pc, bwd_builder), output_only=True
)
dynn.new_graph(birnn, embed)
forward, backward = birnn(embed([[w] for w in sentence]))  # both in the sentence's order
for mine, theirs in zip(forward + backward, dynet_forward + dynet_backward):
    assert np.allclose(mine.npvalue(), theirs, atol=1e-6)
print("transduction: same outputs, also in a padded batch and in both directions")
# [dropout]
cells = StackedRecurrentCells.from_builder(pc, builder, dropout_x=0.2, dropout_h=0.2)

dynn.new_graph(cells, embed, test=False, update=True)  # training: dropout, trainable
state = cells.initial_state()  # draws this sequence's dropout masks
train_output = state.add_input(embed(sentence[0])).output().npvalue()  # before renewing

dynn.new_graph(cells, embed)  # inference: no dropout, as the builder without dropout
state = cells.initial_state()
test_output = state.add_input(embed(sentence[0])).output().npvalue()
assert np.allclose(test_output, dynet_outputs[0], atol=1e-6)
assert not np.allclose(train_output, dynet_outputs[0], atol=1e-6)
print("dropout only in training mode")
# [end]
