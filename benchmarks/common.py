"""The measuring machinery shared by every workload: variants, equivalence checks, timing windows.

A *group* is one benchmark setting (say, a 2-layer LSTM language model at batch 1, training).
It has several *variants* (DyNet's native builder, dynn's layers, PyTorch...) that compute the
same function from the same weights. :func:`run_group`:

1. builds every variant from one set of numpy weights;
2. checks that each variant computes the same loss and the same gradients (mapped to one naming
   of the parameters) as the group's reference variant on the first batch; a variant that does
   not is reported as failed and is not timed;
3. times the variants in interleaved windows: in each round, every variant runs for ``window``
   seconds (the order rotates from round to round); tokens/s of a variant divided by the
   reference's tokens/s in the same round is that round's ratio; the reported ratio is the median
   over rounds. Absolute speed on shared machines moves by 20-30 % between runs; these ratios do
   not.

Every iteration is split into phases (graph construction, forward, backward, update), timed
separately, so that the results show where the time goes.
"""

import statistics
import time
import traceback
from dataclasses import dataclass, field
from typing import Callable, Dict, List, Optional, Tuple

import numpy as np

PHASES = ("build", "forward", "backward", "update")


@dataclass(frozen=True)
class Sizes:
    """Model and data sizes of the workloads."""

    vocab: int = 64
    emb: int = 64
    hidden: int = 256
    seq_len: int = 50
    batch_sizes: Tuple[int, ...] = (1, 32)
    layers: Tuple[int, ...] = (1, 2)
    autobatch_sentences: int = 32
    tagger_vocab: int = 5000
    tagger_emb: int = 64
    tagger_hidden: int = 128
    tagger_batch: int = 32
    tagger_sentences: int = 320
    num_batches: int = 4


FULL_SIZES = Sizes()
SMOKE_SIZES = Sizes(
    vocab=11,
    emb=5,
    hidden=6,
    seq_len=4,
    batch_sizes=(1, 3),
    autobatch_sentences=3,
    tagger_vocab=50,
    tagger_emb=5,
    tagger_hidden=4,
    tagger_batch=3,
    tagger_sentences=6,
    num_batches=2,
)


@dataclass
class Settings:
    """How long to measure and what to include."""

    sizes: Sizes = FULL_SIZES
    rounds: int = 15
    window: float = 0.25
    warmup: float = 0.2
    torch: bool = True
    learning_rate: float = 1e-4
    seed: int = 1234


def uniform_weights(rng: np.random.RandomState, shapes: Dict[str, Tuple[int, ...]], scale=0.1):
    """Float32 weights uniform in ``[-scale, scale]`` for each named shape."""
    return {
        name: rng.uniform(-scale, scale, shape).astype(np.float32) for name, shape in shapes.items()
    }


class Variant:
    """One implementation of a group's computation.

    Subclasses implement :meth:`prepare` (build the model from numpy weights), :meth:`check`
    (loss and canonical gradients on one batch, leaving no gradient behind) and :meth:`iterate`
    (one timed iteration returning the seconds spent in each phase).
    """

    framework = ""

    def __init__(self, name: str, train: bool, learning_rate: float):
        self.name = name
        self.train = train
        self.learning_rate = learning_rate

    def prepare(self, weights: Dict[str, np.ndarray]) -> None:
        raise NotImplementedError

    def check(self, batch) -> Tuple[float, Optional[Dict[str, np.ndarray]]]:
        raise NotImplementedError

    def iterate(self, batch) -> Tuple[float, float, float, float]:
        raise NotImplementedError


class Skipped:
    """A variant that cannot run here (a missing optional dependency or layer), with the reason."""

    def __init__(self, name: str, reason: str):
        self.name = name
        self.reason = reason


class DynetVariant(Variant):
    """A DyNet implementation: :meth:`build` renews the graph and returns the loss expression."""

    framework = "dynet"

    def prepare(self, weights):
        import dynet as dy

        self.pc = dy.ParameterCollection()
        self.create(weights)
        self.trainer = dy.SimpleSGDTrainer(self.pc, learning_rate=self.learning_rate)
        self.trainer.set_clip_threshold(0.0)  # plain SGD, as the PyTorch variants

    def create(self, weights) -> None:
        """Create the parameters in ``self.pc`` and load ``weights`` into them."""
        raise NotImplementedError

    def build(self, batch):
        """Renew the computation graph and build the loss of ``batch``."""
        raise NotImplementedError

    def gradients(self) -> Dict[str, np.ndarray]:
        """The parameters' gradients, under the group's canonical names and layouts."""
        raise NotImplementedError

    def zero_gradients(self) -> None:
        for param in self.pc.parameters_list():
            param.scale_gradient(0.0)
        for param in self.pc.lookup_parameters_list():
            param.scale_gradient(0.0)

    def check(self, batch):
        self.zero_gradients()
        loss = self.build(batch)
        value = loss.scalar_value()
        grads = None
        if self.train:
            loss.backward()
            grads = {name: np.array(g, copy=True) for name, g in self.gradients().items()}
            self.zero_gradients()
        return value, grads

    def iterate(self, batch):
        clock = time.perf_counter
        t0 = clock()
        loss = self.build(batch)
        t1 = clock()
        loss.scalar_value()
        t2 = clock()
        if not self.train:
            return t1 - t0, t2 - t1, 0.0, 0.0
        loss.backward()
        t3 = clock()
        self.trainer.update()
        t4 = clock()
        return t1 - t0, t2 - t1, t3 - t2, t4 - t3


class TorchVariant(Variant):
    """A PyTorch implementation (one thread): :meth:`loss` runs the forward pass."""

    framework = "torch"

    def prepare(self, weights):
        import torch

        torch.set_num_threads(1)
        self.module = self.create(weights)
        self.optimizer = torch.optim.SGD(self.module.parameters(), lr=self.learning_rate)

    def create(self, weights):
        """Return a ``torch.nn.Module`` holding ``weights``."""
        raise NotImplementedError

    def loss(self, batch):
        raise NotImplementedError

    def gradients(self) -> Dict[str, np.ndarray]:
        raise NotImplementedError

    def check(self, batch):
        import torch

        self.optimizer.zero_grad(set_to_none=True)
        if not self.train:
            with torch.inference_mode():
                return float(self.loss(batch).item()), None
        loss = self.loss(batch)
        value = float(loss.item())
        loss.backward()
        grads = {name: np.array(g, copy=True) for name, g in self.gradients().items()}
        self.optimizer.zero_grad(set_to_none=True)
        return value, grads

    def iterate(self, batch):
        import torch

        clock = time.perf_counter
        if not self.train:
            t0 = clock()
            with torch.inference_mode():
                self.loss(batch).item()
            return 0.0, clock() - t0, 0.0, 0.0
        t0 = clock()
        loss = self.loss(batch)
        loss.item()
        t1 = clock()
        loss.backward()
        t2 = clock()
        self.optimizer.step()
        self.optimizer.zero_grad(set_to_none=True)
        t3 = clock()
        return 0.0, t1 - t0, t2 - t1, t3 - t2


@dataclass
class Group:
    """One benchmark setting and its variants (the first variant is the reference)."""

    key: str
    workload: str
    params: Dict[str, object]
    batches: List[object]
    tokens: List[int]
    weights: Dict[str, np.ndarray]
    make_variants: Callable[[], List[object]]
    note: str = ""
    results: Dict[str, object] = field(default_factory=dict)


def compare(reference: Tuple[float, Optional[Dict]], other: Tuple[float, Optional[Dict]]):
    """Relative errors of ``other`` against ``reference``: loss, worst gradient, problems."""
    ref_loss, ref_grads = reference
    loss, grads = other
    problems = []
    loss_error = abs(loss - ref_loss) / max(abs(ref_loss), 1e-6)
    if not np.isfinite(loss) or loss_error > 1e-4:
        problems.append(f"loss {loss!r} != reference {ref_loss!r}")
    grad_error = 0.0
    for name, ref in (ref_grads or {}).items():
        if grads is None or name not in grads:
            problems.append(f"no gradient for {name}")
            continue
        if grads[name].shape != ref.shape:
            problems.append(f"gradient of {name} has shape {grads[name].shape}, not {ref.shape}")
            continue
        error = float(np.abs(grads[name] - ref).max() / max(np.abs(ref).max(), 1e-6))
        grad_error = max(grad_error, error)
        if not error <= 1e-3:
            problems.append(f"gradient of {name} differs (max relative error {error:.2e})")
    return loss_error, grad_error, problems


def timing_window(variant, group: Group, seconds: float):
    """Run ``variant`` for at least ``seconds`` (and one iteration), always from batch 0."""
    clock = time.perf_counter
    phases = np.zeros(len(PHASES))
    tokens = iterations = 0
    num_batches = len(group.batches)
    start = clock()
    while True:
        index = iterations % num_batches
        phases += variant.iterate(group.batches[index])
        tokens += group.tokens[index]
        iterations += 1
        elapsed = clock() - start
        if elapsed >= seconds:
            break
    return tokens / elapsed, phases / tokens, iterations


def run_group(group: Group, settings: Settings, log: Callable[[str], None]) -> Dict[str, object]:
    """Check and time every variant of ``group``; returns the group's results."""
    variants = group.make_variants()
    reference = variants[0]
    records: Dict[str, Dict[str, object]] = {}
    runnable = []
    reference_values = None
    for variant in variants:
        record: Dict[str, object] = {"framework": getattr(variant, "framework", "")}
        records[variant.name] = record
        if isinstance(variant, Skipped):
            record.update(status="skipped", reason=variant.reason)
            continue
        try:
            variant.prepare(group.weights)
            values = variant.check(group.batches[0])
        except Exception as error:  # reported, never hidden
            record.update(status="error", reason=f"{type(error).__name__}: {error}")
            log(f"  {variant.name}: ERROR {error}\n{traceback.format_exc()}")
            continue
        if variant is reference:
            reference_values = values
            problems = _reference_problems(values)
            loss_error = grad_error = 0.0
        else:
            if reference_values is None:
                record.update(status="error", reason="the reference variant failed")
                continue
            loss_error, grad_error, problems = compare(reference_values, values)
        record.update(loss=values[0], loss_rel_error=loss_error, grad_rel_error=grad_error)
        if problems:
            record.update(status="not-equivalent", reason="; ".join(problems))
            log(f"  {variant.name}: NOT EQUIVALENT: {'; '.join(problems)}")
            continue
        record["status"] = "ok"
        runnable.append(variant)

    if reference not in runnable:
        return {"records": records}
    for variant in runnable:
        timing_window(variant, group, settings.warmup)
    per_round = {variant.name: [] for variant in runnable}
    for round_index in range(settings.rounds):
        shift = round_index % len(runnable)
        for variant in runnable[shift:] + runnable[:shift]:
            per_round[variant.name].append(timing_window(variant, group, settings.window))
    reference_speeds = [speed for speed, _, _ in per_round[reference.name]]
    for variant in runnable:
        speeds = [speed for speed, _, _ in per_round[variant.name]]
        ratios = [speed / ref for speed, ref in zip(speeds, reference_speeds)]
        phases = np.median(np.array([phase for _, phase, _ in per_round[variant.name]]), axis=0)
        quartiles = statistics.quantiles(ratios, n=4) if len(ratios) > 1 else [ratios[0]] * 3
        records[variant.name].update(
            tokens_per_s=statistics.median(speeds),
            ratio=statistics.median(ratios),
            ratio_quartiles=[quartiles[0], quartiles[2]],
            ratios=ratios,
            tokens_per_s_rounds=speeds,
            iterations=[iters for _, _, iters in per_round[variant.name]],
            us_per_token={p: float(v) * 1e6 for p, v in zip(PHASES, phases)},
        )
    return {"records": records}


def _reference_problems(values) -> List[str]:
    """A reference whose loss is not finite or a parameter gets no gradient is itself broken."""
    loss, grads = values
    problems = [] if np.isfinite(loss) else [f"reference loss is {loss}"]
    for name, grad in (grads or {}).items():
        if not np.any(grad):
            problems.append(f"reference gradient of {name} is zero (constant parameter?)")
    return problems
