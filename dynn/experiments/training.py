"""The training loop: exact resume, dev evaluation on a schedule, best/last checkpoints, early
stopping, NaN detection and a progress bar.

Determinism is by construction rather than by saving random states: the batch taken at step
``s`` is a function of the seed and ``s`` (each epoch's order comes from ``RandomState(seed +
epoch)``), and DyNet's generator (dropout) is reset to a seed derived from ``(seed, s)`` before
each step. A run resumed from the checkpoint at step ``k`` therefore replays steps ``k + 1, ...``
exactly as an uninterrupted run would.
"""

import dataclasses
import math
import time
from typing import Callable, Dict, List, Optional, Sequence

import dynet as dy
import numpy as np

from ..layers.base_layers import new_graph
from .checkpoints import checkpoint_exists, load_checkpoint, save_checkpoint
from .metrics import MetricsLog, plot_curves

__all__ = ["TrainSettings", "Trainer", "TrainingError", "batch_schedule"]


class TrainingError(RuntimeError):
    """Training stopped on an error the user must see (e.g. a NaN loss)."""


@dataclasses.dataclass
class TrainSettings:
    """The ``train`` section of an experiment config.

    Attributes:
        max_steps: Stop after this many updates (``None``: no limit).
        max_epochs: Stop after this many passes over the training data (``None``: no limit).
        batch_size: Sentences (or sequences) per update.
        seed: Seed of data order, dropout and parameter initialisation.
        checkpoint_every: Save the ``last`` checkpoint every this many steps.
        eval_every: Evaluate on dev every this many steps (and at the end).
        patience: Stop after this many dev evaluations without improvement (``None``: never).
        log_every: Log the mean training loss every this many steps.
        progress: Show a progress bar.
    """

    max_steps: Optional[int] = None
    max_epochs: Optional[int] = 10
    batch_size: int = 32
    seed: int = 1
    checkpoint_every: int = 100
    eval_every: int = 100
    patience: Optional[int] = None
    log_every: int = 10
    progress: bool = True

    def __post_init__(self):
        for name in ("batch_size", "checkpoint_every", "eval_every", "log_every"):
            _check_positive(name, getattr(self, name))
        for name in ("max_steps", "max_epochs", "patience"):
            if getattr(self, name) is not None:
                _check_positive(name, getattr(self, name))
        if self.max_steps is None and self.max_epochs is None:
            raise ValueError("train: set max_steps or max_epochs (or both)")
        if not isinstance(self.seed, int) or self.seed < 0:
            raise ValueError(f"train.seed must be a non-negative integer, got {self.seed!r}")

    @classmethod
    def from_dict(cls, values: Dict) -> "TrainSettings":
        fields = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(values) - fields)
        if unknown:
            raise ValueError(f"train: unknown settings {unknown}; known: {sorted(fields)}")
        return cls(**values)


def _check_positive(name, value):
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise ValueError(f"train.{name} must be a positive integer, got {value!r}")


def batch_schedule(num_examples: int, batch_size: int, seed: int, step: int) -> List[int]:
    """Indices of the examples used at ``step`` (1-based); epochs are reshuffled with a seed."""
    batches_per_epoch = math.ceil(num_examples / batch_size)
    epoch, position = divmod(step - 1, batches_per_epoch)
    order = np.random.RandomState(seed + epoch).permutation(num_examples)
    return order[position * batch_size : (position + 1) * batch_size].tolist()


def _step_seed(seed: int, step: int) -> int:
    return (seed * 1_000_003 + step) % 2_147_483_647 + 1


class Trainer:
    """Trains ``model`` on ``train_examples`` with ``optimizer``, in run directory ``run_dir``.

    Args:
        model: The model layer; it must have ``loss(examples) -> (dy.Expression, num_tokens)``.
        optimizer: A :mod:`dynn.optimizers` optimizer (its state is checkpointed).
        train_examples: The training examples.
        evaluate: ``evaluate(model) -> dict`` of dev metrics (called in test mode).
        metric: The dev metric that selects the best checkpoint.
        higher_is_better: Direction of ``metric``.
        settings: The :class:`TrainSettings`.
        run_dir: A :class:`~dynn.experiments.run_directory.RunDirectory`.
    """

    def __init__(
        self,
        model,
        optimizer,
        train_examples: Sequence,
        evaluate: Callable,
        metric: str,
        higher_is_better: bool,
        settings: TrainSettings,
        run_dir,
        echo: Callable[[str], None] = print,
    ):
        if len(train_examples) == 0:
            raise TrainingError("the training set is empty")
        self.model = model
        self.optimizer = optimizer
        self.examples = train_examples
        self.evaluate = evaluate
        self.metric = metric
        self.higher_is_better = higher_is_better
        self.settings = settings
        self.run_dir = run_dir
        self.echo = echo
        self.metrics = MetricsLog(run_dir.path)
        self.batches_per_epoch = math.ceil(len(train_examples) / settings.batch_size)
        self.step = 0
        self.best: Optional[float] = None
        self.bad_evaluations = 0
        self.stopped_early = False

    @property
    def total_steps(self) -> int:
        limits = []
        if self.settings.max_steps is not None:
            limits.append(self.settings.max_steps)
        if self.settings.max_epochs is not None:
            limits.append(self.settings.max_epochs * self.batches_per_epoch)
        return min(limits)

    def _counters(self) -> Dict:
        return {
            "step": self.step,
            "epoch": self.step / self.batches_per_epoch,
            "best": self.best,
            "bad_evaluations": self.bad_evaluations,
            "stopped_early": self.stopped_early,
        }

    def resume(self) -> None:
        """Restore parameters, optimizer state and counters from the ``last`` checkpoint."""
        counters = load_checkpoint(self.run_dir.checkpoints, "last", self.model, self.optimizer)
        self.step = counters["step"]
        self.best = counters["best"]
        self.bad_evaluations = counters["bad_evaluations"]
        self.stopped_early = counters.get("stopped_early", False)
        self.metrics.truncate(self.step)

    def train(self) -> Dict:
        """Run until ``max_steps``/``max_epochs`` or early stopping; return a summary."""
        settings = self.settings
        total = self.total_steps
        progress = _progress_bar(total, self.step, settings.progress)
        window_loss, window_tokens, window_start = 0.0, 0, time.perf_counter()
        try:
            while self.step < total and not self.stopped_early:
                step = self.step + 1
                indices = batch_schedule(
                    len(self.examples), settings.batch_size, settings.seed, step
                )
                dy.reset_random_seed(_step_seed(settings.seed, step))
                new_graph(self.model, test=False, update=True)
                loss, tokens = self.model.loss([self.examples[i] for i in indices])
                value = loss.value()
                if not math.isfinite(value):
                    raise TrainingError(
                        f"the training loss is {value} at step {step}; stopped. The last good "
                        f"checkpoint is kept in {self.run_dir.checkpoints} (resume with a lower "
                        f"learning rate, or check the data)"
                    )
                (loss * (1.0 / len(indices))).backward()
                try:
                    self.optimizer.update()
                except FloatingPointError as error:
                    raise TrainingError(
                        f"non-finite gradients at step {step} ({error}); stopped. The last good "
                        f"checkpoint is kept in {self.run_dir.checkpoints}"
                    ) from None
                self.step = step
                window_loss += value
                window_tokens += tokens
                if step % settings.log_every == 0 or step == total:
                    elapsed = max(time.perf_counter() - window_start, 1e-9)
                    mean = window_loss / max(window_tokens, 1)
                    self.metrics.append(
                        {
                            "step": step,
                            "split": "train",
                            "loss": mean,
                            "tokens_per_second": window_tokens / elapsed,
                        }
                    )
                    progress.set_postfix(loss=f"{mean:.3f}", tok_s=f"{window_tokens / elapsed:.0f}")
                    window_loss, window_tokens, window_start = 0.0, 0, time.perf_counter()
                paused = time.perf_counter()
                if step % settings.eval_every == 0 or step == total:
                    self._evaluate_and_keep_best()
                if step % settings.checkpoint_every == 0 or step == total or self.stopped_early:
                    save_checkpoint(
                        self.run_dir.checkpoints,
                        "last",
                        self.model,
                        self.optimizer,
                        self._counters(),
                    )
                window_start += time.perf_counter() - paused  # tokens/s counts training only
                progress.update(1)
        finally:
            progress.close()
            rows = self.metrics.rows()
            if rows:
                plot_curves(rows, self.run_dir.path / "curves.png", self.metric)
        return self._counters()

    def _evaluate_and_keep_best(self) -> None:
        new_graph(self.model)
        scores = self.evaluate(self.model)
        self.metrics.append({"step": self.step, "split": "dev", **scores})
        score = scores[self.metric]
        improved = self.best is None or (
            score > self.best if self.higher_is_better else score < self.best
        )
        if improved:
            self.best = score
            self.bad_evaluations = 0
            save_checkpoint(self.run_dir.checkpoints, "best", self.model, None, self._counters())
        else:
            self.bad_evaluations += 1
            if (
                self.settings.patience is not None
                and self.bad_evaluations >= self.settings.patience
            ):
                self.stopped_early = True
                self.echo(
                    f"early stopping at step {self.step}: dev {self.metric} did not improve in "
                    f"{self.bad_evaluations} evaluations (best {self.best:.4f})"
                )


class _NoProgress:
    def update(self, n):
        pass

    def set_postfix(self, **kwargs):
        pass

    def close(self):
        pass


def _progress_bar(total: int, initial: int, enabled: bool):
    if not enabled:
        return _NoProgress()
    from tqdm import tqdm

    return tqdm(total=total, initial=initial, unit="step", dynamic_ncols=True)


def has_last_checkpoint(run_dir) -> bool:
    """Whether ``run_dir`` holds a resumable ``last`` checkpoint."""
    return checkpoint_exists(run_dir.checkpoints, "last")
