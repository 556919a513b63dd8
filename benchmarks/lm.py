"""Workloads (a) and (b): an RNN language model over random token sequences.

Embedding, a 1- or 2-layer RNN, a softmax output layer at every step, the summed negative
log-likelihood as loss. The DyNet variants differ only in the RNN; the embedding and output
layer are the same DyNet code in each. Batches are ``(seq_len, batch)`` arrays of token ids.

- *batched*: one batch of ``B`` sequences per graph (``lookup_batch``, batched expressions);
- *per sentence*: ``B`` sentences per graph, each run alone at batch size 1, as one writes code
  for DyNet's autobatching (workload (b)).

Canonical parameter names (used to compare gradients): ``E`` (vocab, emb), ``L{l}.{name}`` with
the DyNet builder's names and layouts (``Whx``, ``Whh``, ``b`` for an LSTM, gates ordered
i, f, o, g), ``W`` (vocab, hidden), ``bo`` (vocab).
"""

from dataclasses import dataclass
from typing import Dict, List

import numpy as np

from .common import DynetVariant, Group, Settings, Skipped, TorchVariant, uniform_weights

# Parameter names of one layer of each cell, in the order of the DyNet builder's parameters.
CELL_PARAMETERS = {
    "lstm": ("Whx", "Whh", "b"),
    "gru": ("Wxz", "Whz", "bz", "Wxr", "Whr", "br", "Wxh", "Whh", "bh"),
    "elman": ("Whx", "Whh", "b"),
}


def cell_shapes(cell: str, input_dim: int, hidden: int) -> Dict[str, tuple]:
    """Shapes of one layer's parameters."""
    if cell == "lstm":
        return {"Whx": (4 * hidden, input_dim), "Whh": (4 * hidden, hidden), "b": (4 * hidden,)}
    shapes = {}
    for name in CELL_PARAMETERS[cell]:
        if name.startswith("b"):
            shapes[name] = (hidden,)
        elif name.startswith("Wx") or name == "Whx":
            shapes[name] = (hidden, input_dim)
        else:
            shapes[name] = (hidden, hidden)
    return shapes


@dataclass
class LMBatch:
    """Token ids of a batch, in the forms the variants need (built once, outside timing)."""

    inputs: np.ndarray  # (seq_len, batch)
    targets: np.ndarray  # (seq_len, batch)

    def __post_init__(self):
        self.input_steps = [list(map(int, row)) for row in self.inputs]
        self.target_steps = [list(map(int, row)) for row in self.targets]
        self.input_sentences = [list(map(int, col)) for col in self.inputs.T]
        self.target_sentences = [list(map(int, col)) for col in self.targets.T]
        self._torch = None

    def torch_tensors(self):
        if self._torch is None:
            import torch

            self._torch = (
                torch.from_numpy(self.inputs.astype(np.int64)),
                torch.from_numpy(self.targets.astype(np.int64)),
            )
        return self._torch


def lm_weights(rng, cell: str, layers: int, vocab: int, emb: int, hidden: int):
    shapes = {"E": (vocab, emb), "W": (vocab, hidden), "bo": (vocab,)}
    for layer in range(layers):
        for name, shape in cell_shapes(cell, emb if layer == 0 else hidden, hidden).items():
            shapes[f"L{layer}.{name}"] = shape
    return uniform_weights(rng, shapes)


# DyNet -------------------------------------------------------------------------------------------
class _DynetLM(DynetVariant):
    """Embedding and output layer shared by the DyNet variants; subclasses provide the RNN."""

    def __init__(self, name, train, learning_rate, cell, layers, per_sentence):
        super().__init__(name, train, learning_rate)
        self.cell = cell
        self.layers = layers
        self.per_sentence = per_sentence

    def create(self, weights):
        self.E = self.pc.lookup_parameters_from_numpy(weights["E"])
        self.W = self.pc.parameters_from_numpy(weights["W"])
        self.bo = self.pc.parameters_from_numpy(weights["bo"])
        self.create_rnn(weights)

    def create_rnn(self, weights):
        raise NotImplementedError

    def start_graph(self):
        """Called right after ``renew_cg``: load the RNN's parameters into the graph."""

    def transduce(self, xs, batch_size):
        """The RNN's outputs for the inputs ``xs``."""
        raise NotImplementedError

    def rnn_gradients(self) -> Dict[str, np.ndarray]:
        raise NotImplementedError

    def build(self, batch: LMBatch):
        import dynet as dy

        dy.renew_cg()
        self.start_graph()
        train = self.train
        W, bo, E = self.W.expr(train), self.bo.expr(train), self.E
        if self.per_sentence:
            losses = []
            for inputs, targets in zip(batch.input_sentences, batch.target_sentences):
                hs = self.transduce([dy.lookup(E, i, update=train) for i in inputs], 1)
                losses.extend(
                    dy.pickneglogsoftmax(dy.affine_transform([bo, W, h]), t)
                    for h, t in zip(hs, targets)
                )
            return dy.esum(losses)
        batch_size = batch.inputs.shape[1]
        hs = self.transduce(
            [dy.lookup_batch(E, ids, update=train) for ids in batch.input_steps], batch_size
        )
        losses = [
            dy.pickneglogsoftmax_batch(dy.affine_transform([bo, W, h]), t)
            for h, t in zip(hs, batch.target_steps)
        ]
        return dy.sum_batches(dy.esum(losses))

    def gradients(self):
        grads = {
            "E": self.E.grad_as_array(),
            "W": self.W.grad_as_array(),
            "bo": self.bo.grad_as_array(),
        }
        grads.update(self.rnn_gradients())
        return grads


_BUILDERS = {"lstm": "VanillaLSTMBuilder", "gru": "GRUBuilder", "elman": "SimpleRNNBuilder"}


class NativeLM(_DynetLM):
    """DyNet's native builder, ``builder.initial_state().transduce(xs)``."""

    def create_rnn(self, weights):
        import dynet as dy

        emb, hidden = weights["E"].shape[1], weights["W"].shape[1]
        self.builder = getattr(dy, _BUILDERS[self.cell])(self.layers, emb, hidden, self.pc)
        for layer, params in enumerate(self.builder.get_parameters()):
            for name, param in zip(CELL_PARAMETERS[self.cell], params):
                param.set_value(weights[f"L{layer}.{name}"])

    def transduce(self, xs, batch_size):
        return self.builder.initial_state(update=self.train).transduce(xs)

    def rnn_gradients(self):
        return {
            f"L{layer}.{name}": param.grad_as_array()
            for layer, params in enumerate(self.builder.get_parameters())
            for name, param in zip(CELL_PARAMETERS[self.cell], params)
        }


class DynetOpsLM(_DynetLM):
    """The LSTM written directly in DyNet ops (fused ``vanilla_lstm_*``), no dynn layer."""

    def create_rnn(self, weights):
        self.params = [
            [
                self.pc.parameters_from_numpy(weights[f"L{layer}.{name}"])
                for name in ("Whx", "Whh", "b")
            ]
            for layer in range(self.layers)
        ]
        self.hidden = weights["W"].shape[1]

    def start_graph(self):
        train = self.train
        self.exprs = [[p.expr(train) for p in layer] for layer in self.params]

    def transduce(self, xs, batch_size):
        import dynet as dy

        for Whx, Whh, b in self.exprs:
            h = c = dy.zeros(self.hidden, batch_size=batch_size)
            outputs = []
            for x in xs:
                gates = dy.vanilla_lstm_gates(x, h, Whx, Whh, b)
                c = dy.vanilla_lstm_c(c, gates)
                h = dy.vanilla_lstm_h(c, gates)
                outputs.append(h)
            xs = outputs
        return xs

    def rnn_gradients(self):
        return {
            f"L{layer}.{name}": param.grad_as_array()
            for layer, params in enumerate(self.params)
            for name, param in zip(("Whx", "Whh", "b"), params)
        }


class DynetOpsProjectedLM(DynetOpsLM):
    """The LSTM in DyNet ops, each layer's input products computed for the whole sequence at once.

    One matrix product ``Whx [x_1 ... x_T]`` per layer, then at each step the recurrent product
    and the gates' non-linearities (what ``Unidirectional`` does when autobatching is off).
    """

    def start_graph(self):
        import dynet as dy

        super().start_graph()
        # DyNet's fused gates add 1 to the forget gate. (Built from zeros and ones: an
        # inputTensor of 4H values costs about 100 µs, DyNet copies them one by one.)
        hidden = self.hidden
        self.offset = dy.concatenate([dy.zeros(hidden), dy.ones(hidden), dy.zeros(2 * hidden)])

    def transduce(self, xs, batch_size):
        import dynet as dy

        hidden = self.hidden
        for Whx, Whh, b in self.exprs:
            projection = dy.affine_transform([b + self.offset, Whx, dy.concatenate_cols(xs)])
            h = c = dy.zeros(hidden, batch_size=batch_size)
            outputs = []
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
                outputs.append(h)
            xs = outputs
        return xs


def _dynn_cells(pc, cell: str, layers: int, emb: int, hidden: int):
    from dynn.layers import GRU, ElmanRNN, StackedLSTM, StackedRecurrentCells

    if cell == "lstm":
        return StackedLSTM(pc, layers, emb, hidden)
    cell_class = {"gru": GRU, "elman": ElmanRNN}[cell]
    return StackedRecurrentCells(
        *[cell_class(pc, emb if i == 0 else hidden, hidden) for i in range(layers)]
    )


class DynnCellsLM(_DynetLM):
    """dynn's cells (a ``StackedRecurrentCells``/``StackedLSTM``) stepped in a Python loop."""

    def create_rnn(self, weights):
        emb, hidden = weights["E"].shape[1], weights["W"].shape[1]
        self.stack = _dynn_cells(self.pc, self.cell, self.layers, emb, hidden)
        for layer, cell in enumerate(self.stack.cells):
            for name, param in cell.parameters.items():
                param.set_value(weights[f"L{layer}.{name}"])

    def start_graph(self):
        self.stack.init(test=not self.train, update=self.train)

    def transduce(self, xs, batch_size):
        stack = self.stack
        state = stack.initial_value(batch_size)
        outputs = []
        for x in xs:
            state = stack(x, *state)
            outputs.append(stack.get_output(state))
        return outputs

    def rnn_gradients(self):
        return {
            f"L{layer}.{name}": param.grad_as_array()
            for layer, cell in enumerate(self.stack.cells)
            for name, param in cell.parameters.items()
        }


class DynnUnidirectionalLM(DynnCellsLM):
    """dynn's ``Unidirectional`` transduction layer over the stacked cells."""

    def create_rnn(self, weights):
        from dynn.layers.transduction_layers import Unidirectional

        super().create_rnn(weights)
        self.rnn = Unidirectional(self.stack, output_only=True)

    def start_graph(self):
        self.rnn.init(test=not self.train, update=self.train)

    def transduce(self, xs, batch_size):
        return self.rnn(xs)


def transduction_available() -> bool:
    try:
        from dynn.layers import transduction_layers  # noqa: F401
    except ImportError:
        return False
    return True


# PyTorch -----------------------------------------------------------------------------------------
def torch_gate_order(hidden: int) -> np.ndarray:
    """Row permutation between DyNet's gate order (i, f, o, g) and PyTorch's (i, f, g, o).

    It swaps the last two blocks, so it is its own inverse.
    """
    blocks = [np.arange(k * hidden, (k + 1) * hidden) for k in range(4)]
    return np.concatenate([blocks[0], blocks[1], blocks[3], blocks[2]])


def dynet_lstm_to_torch(Whx, Whh, b):
    """DyNet ``(Whx, Whh, b)`` as PyTorch ``(weight_ih, weight_hh, bias_ih, bias_hh)``.

    DyNet's fused kernels add 1 to the forget gate's pre-activation; PyTorch gets it in the bias.
    """
    hidden = Whh.shape[1]
    order = torch_gate_order(hidden)
    bias = b.copy()
    bias[hidden : 2 * hidden] += 1.0
    return Whx[order], Whh[order], bias[order], np.zeros_like(b)


class _TorchLM(TorchVariant):
    def __init__(self, name, train, learning_rate, layers):
        super().__init__(name, train, learning_rate)
        self.layers = layers

    def create(self, weights):
        import torch
        from torch import nn

        vocab, emb = weights["E"].shape
        hidden = weights["W"].shape[1]
        module = nn.Module()
        module.embedding = nn.Embedding(vocab, emb, sparse=True)
        module.output = nn.Linear(hidden, vocab)
        module.rnn = self.create_rnn(emb, hidden)
        with torch.no_grad():
            module.embedding.weight.copy_(torch.from_numpy(weights["E"]))
            module.output.weight.copy_(torch.from_numpy(weights["W"]))
            module.output.bias.copy_(torch.from_numpy(weights["bo"]))
            for layer in range(self.layers):
                converted = dynet_lstm_to_torch(
                    *(weights[f"L{layer}.{n}"] for n in ("Whx", "Whh", "b"))
                )
                for tensor, value in zip(self.layer_tensors(module.rnn, layer), converted):
                    tensor.copy_(torch.from_numpy(value))
        self.hidden = hidden
        return module

    def loss(self, batch: LMBatch):
        from torch.nn import functional

        inputs, targets = batch.torch_tensors()
        outputs = self.run_rnn(self.module.embedding(inputs))
        logits = self.module.output(outputs)
        return functional.cross_entropy(
            logits.reshape(-1, logits.shape[-1]), targets.reshape(-1), reduction="sum"
        )

    def gradients(self):
        module = self.module
        grads = {
            "E": module.embedding.weight.grad.to_dense().numpy(),
            "W": module.output.weight.grad.numpy(),
            "bo": module.output.bias.grad.numpy(),
        }
        order = torch_gate_order(self.hidden)
        for layer in range(self.layers):
            w_ih, w_hh, b_ih, _ = self.layer_tensors(module.rnn, layer)
            grads[f"L{layer}.Whx"] = w_ih.grad.numpy()[order]
            grads[f"L{layer}.Whh"] = w_hh.grad.numpy()[order]
            grads[f"L{layer}.b"] = b_ih.grad.numpy()[order]
        return grads


class TorchLSTM(_TorchLM):
    """``torch.nn.LSTM`` over the whole sequence (PyTorch's fused C++ loop)."""

    def create_rnn(self, emb, hidden):
        from torch import nn

        return nn.LSTM(emb, hidden, self.layers)

    def layer_tensors(self, rnn, layer):
        return tuple(
            getattr(rnn, f"{kind}_l{layer}")
            for kind in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")
        )

    def run_rnn(self, xs):
        return self.module.rnn(xs)[0]


class TorchLSTMCellLoop(_TorchLM):
    """``torch.nn.LSTMCell`` per layer, stepped in a Python loop."""

    def create_rnn(self, emb, hidden):
        from torch import nn

        return nn.ModuleList(
            [nn.LSTMCell(emb if i == 0 else hidden, hidden) for i in range(self.layers)]
        )

    def layer_tensors(self, rnn, layer):
        cell = rnn[layer]
        return cell.weight_ih, cell.weight_hh, cell.bias_ih, cell.bias_hh

    def run_rnn(self, xs):
        import torch

        batch_size = xs.shape[1]
        for cell in self.module.rnn:
            h = c = xs.new_zeros(batch_size, cell.hidden_size)
            outputs = []
            for x in xs:
                h, c = cell(x, (h, c))
                outputs.append(h)
            xs = torch.stack(outputs)
        return xs


def torch_available() -> bool:
    try:
        import torch  # noqa: F401
    except ImportError:
        return False
    return True


# Groups ------------------------------------------------------------------------------------------
def _batches(rng, sizes, batch_size: int) -> List[LMBatch]:
    batches = []
    for _ in range(sizes.num_batches):
        ids = rng.randint(0, sizes.vocab, size=(sizes.seq_len + 1, batch_size))
        batches.append(LMBatch(ids[:-1], ids[1:]))
    return batches


def lm_groups(settings: Settings, autobatch: bool) -> List[Group]:
    """Workload (a) without autobatching; workload (b) (per-sentence code) with it."""
    sizes = settings.sizes
    rng = np.random.RandomState(settings.seed)
    groups = []
    modes = ("train", "infer")
    if not autobatch:
        for layers in sizes.layers:
            for batch_size in sizes.batch_sizes:
                for mode in modes:
                    groups.append(_lm_group(rng, settings, "lstm", layers, batch_size, mode, False))
        for cell in ("gru", "elman"):
            for batch_size in sizes.batch_sizes:
                groups.append(_lm_group(rng, settings, cell, 1, batch_size, "train", False))
    else:
        for layers in sizes.layers:
            for mode in modes:
                groups.append(
                    _lm_group(rng, settings, "lstm", layers, sizes.autobatch_sentences, mode, True)
                )
    return groups


def _lm_group(rng, settings, cell, layers, batch_size, mode, autobatch) -> Group:
    sizes = settings.sizes
    weights = lm_weights(rng, cell, layers, sizes.vocab, sizes.emb, sizes.hidden)
    batches = _batches(rng, sizes, batch_size)
    train = mode == "train"
    lr = settings.learning_rate
    builder = _BUILDERS[cell]

    def make_variants():
        def dynet(cls, name, per_sentence=autobatch):
            return cls(name, train, lr, cell, layers, per_sentence)

        native = f"native {builder}" if cell == "lstm" else "native builder"
        variants = [dynet(NativeLM, native)]
        if autobatch:
            variants.append(dynet(NativeLM, f"{native}, manual batch", per_sentence=False))
        if cell == "lstm":
            variants.append(dynet(DynetOpsLM, "DyNet ops"))
            # The settings where Unidirectional projects whole sequences (batches up to 4,
            # autobatching off): the same computation without dynn, to measure its overhead.
            if batch_size <= 4 and not autobatch:
                variants.append(dynet(DynetOpsProjectedLM, "DyNet ops, projected"))
        variants.append(dynet(DynnCellsLM, "dynn cells"))
        if transduction_available():
            variants.append(dynet(DynnUnidirectionalLM, "dynn Unidirectional"))
        else:
            variants.append(
                Skipped("dynn Unidirectional", "dynn.layers.transduction_layers is not available")
            )
        if cell == "lstm" and not autobatch:
            if not settings.torch:
                reason = "disabled (--no-torch)"
            elif not torch_available():
                reason = "torch is not installed (pip install -e '.[bench]')"
            else:
                reason = ""
            for cls, name in (
                (TorchLSTM, "torch nn.LSTM"),
                (TorchLSTMCellLoop, "torch LSTMCell loop"),
            ):
                variants.append(Skipped(name, reason) if reason else cls(name, train, lr, layers))
        return variants

    if autobatch:
        key = f"autobatch/{cell}/{layers}L/{batch_size}x1/{mode}"
        label = f"{cell.upper()} {layers}L, {batch_size} sentences, {mode}"
        workload = "autobatch"
    else:
        workload = "lm" if cell == "lstm" else "cells"
        key = f"{workload}/{cell}/{layers}L/B{batch_size}/{mode}"
        label = f"{cell.upper()} {layers}L, batch {batch_size}, {mode}"
        if cell != "lstm":
            label = f"{'GRU' if cell == 'gru' else 'Elman'} ({builder}), batch {batch_size}, {mode}"
    return Group(
        key=key,
        workload=workload,
        params={
            "cell": cell,
            "layers": layers,
            "batch": batch_size,
            "mode": mode,
            "per_sentence": autobatch,
            "label": label,
        },
        batches=batches,
        tokens=[b.inputs.size for b in batches],
        weights=weights,
        make_variants=make_variants,
    )
