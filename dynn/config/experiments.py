"""Several named experiments in one file, and grid sweeps: one named run per combination.

A config file may hold, besides its sections (``model``, ``data``, ``train``...), three reserved
keys:

``defaults``
    Sections shared by every experiment (the same as writing them at the top level).
``experiments``
    Named experiments. Each is a mapping of changes to the defaults: dotted keys
    (``model.encoder.hidden_dim: 256``) or nested mappings, which are merged into the defaults
    (a ``!Tag`` value replaces the subtree). Keys take the override prefixes: ``+key`` adds,
    ``++key`` adds or changes, ``~key`` deletes (see :mod:`dynn.config.overrides`). An
    experiment may have its own ``sweep``.
``sweep``
    A grid: dotted keys, each with a list of values. Every combination is one run, named after
    its values (``small-hidden_dim=16-lr=0.1``).

Example:
    >>> from dynn.config.loader import parse
    >>> from dynn.config.experiments import expand_runs
    >>> config = parse('''
    ... defaults:
    ...   model: !LSTM {input_dim: 2, hidden_dim: 4}
    ...   train: {lr: 0.1}
    ... experiments:
    ...   small: {model.hidden_dim: 2}
    ...   large:
    ...     model: {hidden_dim: 8}
    ...     sweep: {train.lr: [0.1, 0.01]}
    ... ''')
    >>> runs = expand_runs(config)
    >>> {name: (r["model"].kwargs["hidden_dim"], r["train"]["lr"]) for name, r in runs.items()}
    {'small': (2, 0.1), 'large-lr=0.1': (8, 0.1), 'large-lr=0.01': (8, 0.01)}
"""

import itertools
import re
from collections import OrderedDict
from typing import Iterable, List, Optional, Tuple, Union

from .errors import ConfigError, ConfigProblem, did_you_mean
from .nodes import (
    ConfigList,
    ConfigMap,
    PathError,
    Spec,
    copy_tree,
    get_node,
    join_path,
    key_location_of,
    location_of,
)
from .overrides import OPERATIONS, Override, _apply, parse_override

__all__ = [
    "RESERVED_KEYS",
    "DEFAULT_RUN",
    "expand_runs",
    "expand_runs_with_problems",
    "select_run",
    "run_names",
]

#: Top-level keys with a meaning of their own.
RESERVED_KEYS = ("defaults", "experiments", "sweep")

#: The name of the only run of a file without experiments or sweeps.
DEFAULT_RUN = "default"

_UNSAFE = re.compile(r"[^A-Za-z0-9_.=+-]+")


def _split_prefix(key: str) -> Tuple[str, str]:
    for prefix in ("++", "+", "~"):
        if key.startswith(prefix):
            return OPERATIONS[prefix], key[len(prefix) :]
    return "set", key


def _base(config: ConfigMap, problems: List[ConfigProblem]) -> ConfigMap:
    base = ConfigMap(location=config.location)
    for key, value in config.items():
        if key not in RESERVED_KEYS:
            base.put(key, copy_tree(value), config.key_locations.get(key), location_of(config, key))
    defaults = config.get("defaults")
    if defaults is None:
        return base
    if not isinstance(defaults, ConfigMap):
        problems.append(
            ConfigProblem(location_of(config, "defaults"), "defaults", "defaults must be a mapping")
        )
        return base
    for key, value in defaults.items():
        if key in base:
            problems.append(
                ConfigProblem(
                    defaults.key_locations.get(key),
                    f"defaults.{key}",
                    f"'{key}' is defined both at the top level (line "
                    f"{base.key_locations[key].line}) and in defaults",
                )
            )
            continue
        base.put(key, copy_tree(value), defaults.key_locations.get(key), location_of(defaults, key))
    return base


def _changes(mapping, base, prefix: str, section: str, out: List[Override], problems) -> None:
    """Overrides equivalent to merging ``mapping`` into ``base`` at ``prefix``."""
    for key, value in mapping.items():
        if not isinstance(key, str):
            key = str(key)
        operation, name = _split_prefix(key)
        path = join_path(prefix, name)
        location = key_location_of(mapping, key)
        try:
            target = get_node(base, path)
            exists = True
        except PathError:
            target, exists = None, False
        if (
            operation == "set"
            and exists
            and isinstance(value, ConfigMap)
            and isinstance(target, (ConfigMap, Spec))
        ):
            _changes(value, base, path, section, out, problems)
            continue
        if operation == "delete" and value is not None:
            problems.append(
                ConfigProblem(location, f"{section}.{key}", f"a deletion (~{name}) takes no value")
            )
            continue
        out.append(Override(operation, path, value, location, f"{key}: ..."))


def _grid(sweep, section: str, problems) -> List[Tuple[str, ConfigList, object]]:
    if sweep is None:
        return []
    if not isinstance(sweep, ConfigMap):
        problems.append(ConfigProblem(getattr(sweep, "location", None), section, _SWEEP_HELP))
        return []
    axes = []
    for key, values in sweep.items():
        if not isinstance(values, ConfigList) or not values:
            problems.append(
                ConfigProblem(
                    location_of(sweep, key),
                    f"{section}.{key}",
                    f"a sweep gives a non-empty list of values for each key ({key}: [a, b])",
                )
            )
            continue
        axes.append((str(key), values, key_location_of(sweep, key)))
    return axes


_SWEEP_HELP = "a sweep is a mapping of dotted keys to lists of values"


def _short_names(keys: List[str]) -> List[str]:
    last = [key.split(".")[-1] for key in keys]
    return [s if last.count(s) == 1 else k for k, s in zip(keys, last)]


def _value_text(value) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, Spec):
        return value.tag
    if value is None:
        return "null"
    return _UNSAFE.sub("_", str(value)).strip("_") or "_"


def expand_runs(
    config: ConfigMap,
    overrides: Iterable[Union[str, Override]] = (),
) -> "OrderedDict[str, ConfigMap]":
    """Every run of a config file: experiments times sweep combinations, overrides applied last.

    A file without ``experiments`` or ``sweep`` has one run, :data:`DEFAULT_RUN`. Each run is a
    plain config (no reserved keys).

    Raises:
        ConfigError: every problem found, located.
    """
    runs, problems = expand_runs_with_problems(config, overrides)
    if problems:
        raise ConfigError(problems)
    return runs


def expand_runs_with_problems(
    config: ConfigMap, overrides: Iterable[Union[str, Override]] = ()
) -> Tuple["OrderedDict[str, ConfigMap]", List[ConfigProblem]]:
    """Like :func:`expand_runs`, but returns the problems with the runs (the changes that
    failed are left out), so that the runs can still be validated and every problem reported
    together."""
    problems: List[ConfigProblem] = []
    base = _base(config, problems)
    parsed = []
    for index, override in enumerate(overrides, start=1):
        if isinstance(override, str):
            try:
                override = parse_override(override, index)
            except ConfigError as error:
                problems.extend(error.errors)
                continue
        parsed.append(override)
    experiments = config.get("experiments")
    if experiments is None:
        named = [(None, ConfigMap())]
    elif not isinstance(experiments, ConfigMap) or not experiments:
        problems.append(
            ConfigProblem(
                location_of(config, "experiments"),
                "experiments",
                "experiments must be a non-empty mapping of names to changes",
            )
        )
        named = []
    else:
        named = []
        for name, changes in experiments.items():
            if changes is None:
                changes = ConfigMap()
            if not isinstance(changes, ConfigMap):
                problems.append(
                    ConfigProblem(
                        location_of(experiments, name),
                        f"experiments.{name}",
                        "an experiment is a mapping of changes to the defaults",
                    )
                )
                continue
            named.append((str(name), changes))
    top_sweep = _grid(config.get("sweep"), "sweep", problems)
    runs = OrderedDict()
    for name, changes in named:
        section = f"experiments.{name}" if name is not None else ""
        own = ConfigMap({k: v for k, v in changes.items() if k != "sweep"})
        own.key_locations = changes.key_locations
        own.value_locations = changes.value_locations
        operations: List[Override] = []
        _changes(own, base, "", section, operations, problems)
        axes = {key: (values, loc) for key, values, loc in top_sweep}
        for key, values, loc in _grid(changes.get("sweep"), f"{section}.sweep", problems):
            axes[key] = (values, loc)
        experiment_config = copy_tree(base)
        for operation in operations:
            found: List[ConfigProblem] = []
            _apply(experiment_config, operation, found)
            for problem in found:
                problem.path = join_path(section, operation.path)
            problems.extend(found)
        keys = list(axes)
        short = _short_names(keys)
        combinations = itertools.product(*[range(len(axes[k][0])) for k in keys]) if keys else [()]
        for combination in combinations:
            run = copy_tree(experiment_config)
            label = []
            for key, label_key, index in zip(keys, short, combination):
                values, _ = axes[key]
                value = copy_tree(values[index])
                sweep_override = Override("set", key, value, values.location_at(index), key)
                _apply(run, sweep_override, problems)
                label.append(f"{label_key}={_value_text(values[index])}")
            for override in parsed:
                _apply(run, override, problems)
            run_name = "-".join(([name] if name is not None else []) + label) or DEFAULT_RUN
            if run_name in runs:
                problems.append(
                    ConfigProblem(config.location, section, f"two runs are named '{run_name}'")
                )
            runs[run_name] = run
    return runs, problems


def run_names(config: ConfigMap) -> List[str]:
    """The names of the runs of ``config`` (see :func:`expand_runs`)."""
    return list(expand_runs(config))


def select_run(
    config: ConfigMap, name: Optional[str] = None, overrides: Iterable[Union[str, Override]] = ()
) -> ConfigMap:
    """The run ``name`` of ``config`` (an experiment or run name; ``None``: the only run).

    Raises:
        ConfigError: unknown name (with a suggestion), several runs and no name, or any problem
            of the runs.
    """
    runs = expand_runs(config, overrides)
    if name is None:
        if len(runs) == 1:
            return next(iter(runs.values()))
        raise ConfigError(
            [
                ConfigProblem(
                    config.location,
                    "experiments",
                    f"the file has {len(runs)} runs; choose one of: {', '.join(runs)}",
                )
            ]
        )
    if name in runs:
        return runs[name]
    raise ConfigError(
        [
            ConfigProblem(
                config.location,
                "experiments",
                f"no run named '{name}'{did_you_mean(name, runs)} (runs: {', '.join(runs)})",
            )
        ]
    )
