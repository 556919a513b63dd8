"""Experiments from a config file: train (and resume), evaluate, predict, generate.

An experiment config has three sections::

    data:             # read by the task (dynn.experiments.tasks): what to learn from
      task: tagging
      ...
    model: !Tagger    # any registered layer with loss() and predict() (dynn.models)
      ...             # may use data-derived values: ${data.num_words}, ${data.tags}, ...
    train:            # TrainSettings, plus the optimizer
      max_epochs: 5
      optimizer: !Adam {alpha: 0.001}

The ``data`` section's settings and the values the task derives from the training data are both
available to the model section as ``${data.<key>}``.
"""

import copy
import pathlib
from typing import Callable, Dict, List, Optional, Sequence

from ..config import Builder, ConfigError, ConfigProblem, dumps, load_config, select_run, to_config
from ..config.nodes import ConfigMap, key_location_of, location_of
from .run_directory import RunDirectory, config_hash, default_run_path
from .tasks import Task, make_task
from .training import Trainer, TrainSettings, has_last_checkpoint

__all__ = ["Experiment", "train", "evaluate", "predict", "generate", "ExperimentError"]

_SECTIONS = ("data", "model", "train")


class ExperimentError(RuntimeError):
    """A user-facing problem with an experiment (missing run, refused resume, ...)."""


class Experiment:
    """A run config made concrete: task and data, model and optimizer on one collection.

    Args:
        run_config: The config of one run (experiments, sweeps and overrides applied).
        vocab_dir: Where to read the vocabularies from (a run directory's ``vocab``), if any.
    """

    def __init__(self, run_config: ConfigMap, vocab_dir: Optional[pathlib.Path] = None):
        self.config = run_config
        self._check_sections()
        self.task: Task = make_task(run_config["data"])
        self.settings = self._train_settings()
        import dynet as dy

        dy.reset_random_seed(self.settings.seed)
        self.task.prepare(vocab_dir)
        model_config = ConfigMap()
        for key in ("model", "train"):
            model_config[key] = run_config[key]
            model_config.key_locations[key] = run_config.key_locations.get(key)
            model_config.value_locations[key] = run_config.value_locations.get(key)
        model_config.location = run_config.location
        context = {"data": {**dict(self.task.settings), **self.task.context()}}
        self.builder = Builder(model_config, context=context)
        self.model = self.builder.build("model")
        for method in self.task.model_methods:
            if not callable(getattr(self.model, method, None)):
                raise ConfigError(
                    [
                        ConfigProblem(
                            location_of(run_config, "model"),
                            "model",
                            f"{type(self.model).__name__} has no {method}() method: the model "
                            f"of an experiment must be a model layer (see dynn.models)",
                        )
                    ]
                )
        self.optimizer = None

    def build_optimizer(self):
        """The optimizer of ``train.optimizer`` (default: Adam), on the model's collection."""
        if "optimizer" in self.config["train"]:
            self.optimizer = self.builder.build("train.optimizer")
        else:
            from ..optimizers import Adam

            self.optimizer = Adam(self.builder.pc)
        if not hasattr(self.optimizer, "state_dict"):
            raise ConfigError(
                [
                    ConfigProblem(
                        location_of(self.config["train"], "optimizer"),
                        "train.optimizer",
                        f"{type(self.optimizer).__name__} cannot save its state, so training "
                        f"could not resume exactly; use a dynn optimizer (!SGD, !MomentumSGD, "
                        f"!Adam, !Adagrad)",
                    )
                ]
            )
        return self.optimizer

    def _check_sections(self) -> None:
        problems = []
        for key in self.config:
            if key not in _SECTIONS:
                problems.append(
                    ConfigProblem(
                        key_location_of(self.config, key),
                        key,
                        f"unknown section; an experiment has {', '.join(_SECTIONS)}",
                    )
                )
        for key in _SECTIONS:
            if key not in self.config:
                problems.append(
                    ConfigProblem(self.config.location, key, "missing section (data, model, train)")
                )
        if problems:
            raise ConfigError(problems)

    def _train_settings(self) -> TrainSettings:
        section = self.config["train"]
        values = {k: v for k, v in section.items() if k != "optimizer"}
        try:
            return TrainSettings.from_dict(values)
        except (TypeError, ValueError) as error:
            raise ConfigError(
                [ConfigProblem(location_of(self.config, "train"), "train", str(error))]
            ) from None

    def resolved_text(self) -> str:
        """The run's config with the model as built (interpolations resolved)."""
        resolved = copy.copy(self.builder.config)
        resolved["model"] = to_config(self.model)["model"]
        document = ConfigMap()
        document["data"] = self.config["data"]
        for key in ("model", "train"):
            document[key] = resolved[key]
        return dumps(document)


def _run_config(config_path, overrides: Sequence[str], experiment: Optional[str]) -> ConfigMap:
    path = pathlib.Path(config_path)
    if not path.exists():
        raise FileNotFoundError(f"config file not found: {path}")
    return select_run(load_config(path), experiment, overrides)


def _section_hash(config: ConfigMap, section: str) -> str:
    return config_hash(dumps(config[section]) if section in config else "")


def train(
    config_path,
    overrides: Sequence[str] = (),
    run_dir=None,
    resume=None,
    force: bool = False,
    experiment: Optional[str] = None,
    progress: bool = True,
    echo: Callable[[str], None] = print,
) -> Dict:
    """Train the experiment of ``config_path`` (or resume the run ``resume``); return a summary.

    Resuming reads the run's own config and overrides; new ``overrides`` may only raise
    ``train.max_steps``/``train.max_epochs`` or change other ``train`` settings, unless
    ``force``: a changed ``data`` or ``model`` section is refused.
    """
    if resume is not None:
        run = RunDirectory(resume)
        if not run.exists():
            raise ExperimentError(f"cannot resume: {run.path} is not a run directory")
        if not has_last_checkpoint(run):
            raise ExperimentError(f"cannot resume: {run.path} has no checkpoint yet")
        original = list(run.overrides())
        config_file = run.path / "config.yaml"
        run_config = _run_config(config_file, original + list(overrides), experiment)
        before = _run_config(config_file, original, experiment)
        changed = [
            s for s in ("data", "model") if _section_hash(before, s) != _section_hash(run_config, s)
        ]
        if changed and not force:
            raise ExperimentError(
                f"cannot resume {run.path}: the {' and '.join(changed)} section(s) would change; "
                f"use --force to resume anyway"
            )
        experiment_ = Experiment(run_config, vocab_dir=run.vocab)
        all_overrides = original + list(overrides)
    else:
        run_config = _run_config(config_path, overrides, experiment)
        experiment_ = Experiment(run_config)
        run = RunDirectory(run_dir or default_run_path(config_path))
        if run.exists():
            raise ExperimentError(
                f"{run.path} already holds a run; use --resume {run.path} to continue it, or "
                f"another --run-dir"
            )
        run.create(
            pathlib.Path(config_path).read_text(encoding="utf-8"),
            list(overrides),
            experiment_.resolved_text(),
            experiment_.settings.seed,
            command=["dynn", "train", str(config_path), *overrides],
        )
        experiment_.task.save_vocabularies(run.vocab)
        all_overrides = list(overrides)
    if resume is not None and overrides:
        from .run_directory import write_text

        write_text(run.path / "overrides.txt", "".join(f"{o}\n" for o in all_overrides))
    task = experiment_.task
    optimizer = experiment_.build_optimizer()
    settings = experiment_.settings
    settings.progress = progress
    trainer = Trainer(
        experiment_.model,
        optimizer,
        task.examples("train"),
        evaluate=lambda model: task.evaluate(model, "dev"),
        metric=task.metric,
        higher_is_better=task.higher_is_better,
        settings=settings,
        run_dir=run,
        echo=echo,
    )
    if resume is not None:
        trainer.resume()
        echo(f"resuming {run.path} at step {trainer.step}")
    else:
        echo(f"training in {run.path}")
    summary = trainer.train()
    summary["run_dir"] = str(run.path)
    echo(
        f"done at step {summary['step']}; best dev {task.metric}: {summary['best']:.4f} "
        f"(checkpoints in {run.checkpoints})"
    )
    return summary


def _load_run(run_dir, checkpoint: str = "best") -> Experiment:
    from .checkpoints import load_checkpoint

    run = RunDirectory(run_dir)
    if not run.exists():
        raise ExperimentError(f"{run.path} is not a run directory (no metadata.json)")
    run_config = _run_config(run.path / "config.yaml", run.overrides(), None)
    experiment = Experiment(run_config, vocab_dir=run.vocab)
    load_checkpoint(run.checkpoints, checkpoint, experiment.model)
    experiment.run = run
    return experiment


def evaluate(run_dir, split: str = "test", checkpoint: str = "best") -> Dict:
    """Metrics of the run's ``checkpoint`` on ``split``; also written to ``eval-<split>.json``."""
    from .checkpoints import write_json

    experiment = _load_run(run_dir, checkpoint)
    metrics = experiment.task.evaluate(experiment.model, split)
    metrics = {"split": split, "checkpoint": checkpoint, **metrics}
    write_json(experiment.run.path / f"eval-{split}.json", metrics)
    return metrics


def predict(run_dir, lines: Sequence[str], checkpoint: str = "best") -> List[str]:
    """The run's predictions for raw text lines (tags, labels, or LM perplexities)."""
    experiment = _load_run(run_dir, checkpoint)
    return experiment.task.predict_lines(experiment.model, lines)


def generate(
    run_dir, count: int = 5, temperature: float = 1.0, seed: int = 0, checkpoint: str = "best"
) -> List[str]:
    """Samples from a language-model run."""
    experiment = _load_run(run_dir, checkpoint)
    if not hasattr(experiment.task, "generate"):
        raise ExperimentError(
            f"{run_dir} is a {experiment.task.name} run; generate needs a language_model run"
        )
    return experiment.task.generate(experiment.model, count, temperature, seed)
