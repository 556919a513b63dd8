"""Tutorial: train/test modes, variational dropout and the graph guard
(docs/guide/dropout_and_modes.rst). tests/test_tutorials.py runs it.
"""

# [modes]
import dynet as dy
import numpy as np

import dynn
from dynn.layers import LSTM, Affine, Embeddings, LayerNotInitializedError

dy.reset_random_seed(1)
pc = dy.ParameterCollection()
lstm = LSTM(pc, input_dim=4, hidden_dim=4, dropout_x=0.5, dropout_h=0.5)

dynn.new_graph(lstm, test=False, update=True)  # training
print("training:", lstm.test, lstm.update)  # False True
dynn.new_graph(lstm)  # inference, the default: test=True, update=False
print("inference:", lstm.test, lstm.update)  # True False
# [masks]
dynn.new_graph(lstm, test=False, update=True)
x = dy.inputVector([1.0, 2.0, 3.0, 4.0])  # expressions belong to one graph: create them after
zero = lstm.initial_value()  # draws the masks of this sequence
step1 = lstm(x, *zero).h.npvalue()
step2 = lstm(x, *zero).h.npvalue()  # same input, same state, same masks
assert np.allclose(step1, step2)

zero = lstm.initial_value()  # the next sequence: new masks
assert not np.allclose(lstm(x, *zero).h.npvalue(), step1)

batch = lstm.initial_value(batch_size=2)  # one mask per batch element
xx = dy.concatenate_to_batch([x, x])
h = lstm(xx, *batch).h.npvalue()  # shape (4, 2)
assert not np.allclose(h[:, 0], h[:, 1])

dynn.new_graph(lstm)  # inference: no masks, deterministic
x = dy.inputVector([1.0, 2.0, 3.0, 4.0])
test1 = lstm(x, *lstm.initial_value()).h.npvalue()
test2 = lstm(x, *lstm.initial_value()).h.npvalue()
assert np.allclose(test1, test2)
print("masks: fixed within a sequence, new for each sequence and batch element")
# [standard]
layer = Affine(pc, 4, 3, dropout=0.5)  # standard dropout on the input
dynn.new_graph(layer, test=False, update=True)
x = dy.inputVector([1.0, 2.0, 3.0, 4.0])
assert not np.allclose(layer(x).npvalue(), layer(x).npvalue())  # a new mask at every call
dynn.new_graph(layer)
x = dy.inputVector([1.0, 2.0, 3.0, 4.0])
assert np.allclose(layer(x).npvalue(), layer(x).npvalue())  # none in inference
print("Affine: a new mask at every call in training mode")
# [freeze]
embed = Embeddings(pc, 10, 4)
output = Affine(pc, 4, 2)
trainer = dy.SimpleSGDTrainer(pc, learning_rate=0.5)
before_embed, before_output = embed.weights.copy(), output.parameters["W"].as_array()

dy.renew_cg()
output.init(test=False, update=True)  # trainable
embed.init(test=False, update=False)  # frozen: no gradient reaches it
loss = dy.pickneglogsoftmax(output(embed(3)), 1)
loss.backward()
trainer.update()

assert np.allclose(embed.weights, before_embed)  # unchanged
assert not np.allclose(output.parameters["W"].as_array(), before_output)  # trained
print("frozen embeddings, trained output layer")
# [guard]
dynn.new_graph(lstm)
state = lstm.initial_value()

dy.renew_cg()  # a new graph, but the LSTM was not initialised in it
try:
    lstm(dy.inputVector([1.0, 2.0, 3.0, 4.0]), *state)
except LayerNotInitializedError as error:
    print(error)
# [end]
