"""``dynn config``: check, print, describe and list what configs contain.

- ``dynn config check FILE [overrides] [-e RUN]``: validate every run of the file and build its
  model; print a summary with the parameter count of each layer (exit 0), or every problem
  located as ``FILE:LINE:COL (path): message`` (exit 2).
- ``dynn config print FILE [overrides] [-e RUN] [--resolved]``: the config after experiments,
  sweeps and overrides; ``--resolved`` also resolves interpolations and writes the model as
  built (the dump of the built model).
- ``dynn config runs FILE [overrides]``: the names of the runs (experiments x sweeps).
- ``dynn config describe TAG``: arguments, types, defaults and documentation of a component.
- ``dynn config schema``: a JSON Schema of configs, for editors.

Example:
    >>> import os, tempfile
    >>> from dynn.cli import main
    >>> previous = os.getcwd()
    >>> os.chdir(tempfile.mkdtemp())
    >>> _ = open("model.yaml", "w").write("model: !GRU {input_dim: 2, hidden_dim: 3}\\n")
    >>> main(["config", "check", "model.yaml", "model.hidden_dim=4"])  # doctest: +ELLIPSIS
    model.yaml: OK, 1 run
    model: !GRU, 84 parameters
      layer  class  parameters  shapes
      model  GRU            84  Wxz (4, 2), Whz (4, 4), bz (4), Wxr (4, 2), Whr (4, 4), br (4), ...
    0
    >>> os.chdir(previous)
"""

import argparse
import json
import sys
import traceback
from collections import OrderedDict
from typing import Dict, List

__all__ = ["add_parser", "parameter_table"]


def add_parser(subparsers) -> None:
    """Add ``config`` and its actions to the ``dynn`` command line."""
    parser = subparsers.add_parser(
        "config",
        help="check, print, describe configs",
        description="Check, print and describe YAML configs.",
    )
    actions = parser.add_subparsers(dest="action", metavar="ACTION")

    def with_file(name: str, help_text: str):
        action = actions.add_parser(name, help=help_text, description=help_text)
        action.add_argument("file", help="a YAML config")
        action.add_argument(
            "overrides",
            nargs="*",
            help="key.path=value (change), +key.path=value (add), ++key.path=value (add or "
            "change), ~key.path (delete)",
        )
        action.add_argument("-e", "--experiment", help="one experiment or run of the file")
        return action

    check = with_file("check", "validate a config and build its model")
    check.add_argument(
        "--traceback", action="store_true", help="show the traceback of constructor errors"
    )
    check.set_defaults(func=run_check)
    print_ = with_file("print", "print a config after experiments, sweeps and overrides")
    print_.add_argument(
        "--resolved",
        action="store_true",
        help="resolve interpolations and print the model as built",
    )
    print_.set_defaults(func=run_print)
    runs = with_file("runs", "list the runs of a config (experiments x sweeps)")
    runs.set_defaults(func=run_runs)
    describe = actions.add_parser(
        "describe", help="arguments and documentation of a tag", description="Describe a tag."
    )
    describe.add_argument("tag", help="a registered tag, e.g. LSTM")
    describe.set_defaults(func=run_describe)
    schema = actions.add_parser(
        "schema", help="JSON Schema of configs", description="Print a JSON Schema of configs."
    )
    schema.add_argument("--indent", type=int, default=2)
    schema.set_defaults(func=run_schema)
    parser.set_defaults(func=lambda args: _usage(parser))


def _usage(parser: argparse.ArgumentParser) -> int:
    parser.print_help(sys.stderr)
    return 2


def _fail(message: str) -> int:
    print(message, file=sys.stderr)
    return 2


def _load_runs(args, strict: bool = True):
    """The runs selected by the arguments (and, unless ``strict``, the problems found)."""
    from ..config import ConfigError, ConfigProblem, load_config
    from ..config.errors import did_you_mean
    from ..config.experiments import expand_runs_with_problems

    config = load_config(args.file)
    runs, problems = expand_runs_with_problems(config, args.overrides)
    if args.experiment:
        name = args.experiment
        chosen = OrderedDict(
            (run, value) for run, value in runs.items() if run == name or run.startswith(name + "-")
        )
        if not chosen:
            problems.append(
                ConfigProblem(
                    config.location,
                    "experiments",
                    f"no experiment or run named '{name}'{did_you_mean(name, runs)} (runs: "
                    f"{', '.join(runs)})",
                )
            )
        runs = chosen
    if strict and problems:
        raise ConfigError(problems)
    return runs if strict else (runs, problems)


def _with_errors(function):
    """Report config errors and unreadable files as located lines, exit status 2."""

    def run(args) -> int:
        from ..config import ConfigError, DumpError

        try:
            return function(args)
        except ConfigError as error:
            return _fail(str(error))
        except DumpError as error:
            return _fail(f"dynn config: {error}")
        except (FileNotFoundError, IsADirectoryError, PermissionError, UnicodeDecodeError) as e:
            return _fail(f"dynn config: cannot read {getattr(args, 'file', '')}: {e}")

    run.__name__ = function.__name__
    run.__doc__ = function.__doc__
    return run


def parameter_table(model) -> List[List[str]]:
    """Rows ``[layer path, class, parameter count, shapes]`` for ``model`` and its sublayers.

    A layer's count includes its sublayers'; a shared parameter is counted once, where it first
    appears.
    """
    rows: List[List[str]] = []
    seen_parameters: set = set()
    seen_layers: Dict[int, str] = {}

    def own_parameters(layer):
        own = list(getattr(layer, "_parameters", {}).items())
        own += list(getattr(layer, "_lookup_parameters", {}).items())
        return own

    def visit(layer, path: str) -> int:
        if id(layer) in seen_layers:
            rows.append([path, type(layer).__name__, "0", f"(the layer {seen_layers[id(layer)]})"])
            return 0
        seen_layers[id(layer)] = path
        row = [path, type(layer).__name__, "", ""]
        rows.append(row)
        total, shapes = 0, []
        for name, parameter in own_parameters(layer):
            shape = tuple(parameter.shape())
            text = f"{name} ({', '.join(str(d) for d in shape)})"
            if parameter.name() in seen_parameters:
                shapes.append(f"{text} shared")
                continue
            seen_parameters.add(parameter.name())
            count = 1
            for dim in shape:
                count *= dim
            total += count
            shapes.append(text)
        for attribute, sublayer in layer.sublayers.items():
            total += visit(sublayer, f"{path}.{attribute}")
        row[2] = f"{total:,}"
        row[3] = ", ".join(shapes)
        return total

    visit(model, "model")
    return rows


def _format_table(rows: List[List[str]], width: int = 100) -> List[str]:
    header = ["layer", "class", "parameters", "shapes"]
    table = [header] + rows
    widths = [max(len(row[i]) for row in table) for i in range(3)]
    lines = []
    for row in table:
        start = f"  {row[0].ljust(widths[0])}  {row[1].ljust(widths[1])}  {row[2].rjust(widths[2])}"
        shapes = row[3].split(", ") if row[3] else []
        text = f"{start}  {', '.join(shapes)}"
        while len(text) > width and shapes:
            shapes.pop()
            text = f"{start}  {', '.join(shapes + ['...'])}"
        lines.append(text.rstrip())
    return lines


@_with_errors
def run_check(args) -> int:
    """``dynn config check``."""
    from ..config import Builder, ConfigError

    runs, early = _load_runs(args, strict=False)
    problems: Dict[str, List[str]] = OrderedDict()
    problem_objects = {}
    summaries = []
    for problem in early:
        problems[str(problem)] = list(runs)
        problem_objects[str(problem)] = problem
    for name, run in runs.items():
        try:
            builder = Builder(run, context=experiment_context(run))
        except ConfigError as error:
            for problem in error.errors:
                problems.setdefault(str(problem), []).append(name)
                problem_objects[str(problem)] = problem
            continue
        found = builder.check()
        model = None
        if not found and "model" in run:
            try:
                model = builder.build("model")
            except ConfigError as error:
                found = error.errors
                if args.traceback and error.__cause__ is not None:
                    traceback.print_exception(
                        type(error.__cause__), error.__cause__, error.__cause__.__traceback__
                    )
        for problem in found:
            problems.setdefault(str(problem), []).append(name)
            problem_objects[str(problem)] = problem
        if model is not None:
            summaries.append((name, model))
    if problems:
        ordered = sorted(problems, key=lambda text: problem_objects[text]._sort_key())
        for text in ordered:
            names = problems[text]
            partial = len(set(names)) < len(runs)
            suffix = f" (in run {', '.join(dict.fromkeys(names))})" if partial else ""
            print(text + suffix, file=sys.stderr)
        if len(ordered) > 1:
            print(f"{len(ordered)} errors", file=sys.stderr)
        return 2
    plural = "s" if len(runs) != 1 else ""
    if not runs:
        return _fail(f"{args.file}: no run to check")
    print(f"{args.file}: OK, {len(runs)} run{plural}")
    shown: Dict[str, str] = {}  # model config -> first run showing it
    for name, model in summaries:
        rows = parameter_table(model)
        text = _model_text(model)
        prefix = f"[{name}] " if len(runs) > 1 else ""
        print(f"{prefix}model: !{type(model).__name__}, {rows[0][2]} parameters", end="")
        if text is not None and text in shown:
            print(f" (the same model as {shown[text]})")
            continue
        print()
        if text is not None:
            shown[text] = name
        for line in _format_table(rows):
            print(line)
    return 0


def experiment_context(run):
    """For an experiment config (a ``data`` section naming a ``task``), the values the task
    derives from the data (``${data.num_words}``, ...); ``None`` for a model-only config.

    Raises:
        ConfigError: the ``data`` section is invalid, or its data cannot be read.
    """
    data = run.get("data") if hasattr(run, "get") else None
    if not hasattr(data, "get") or "task" not in data:
        return None
    from ..config import ConfigError, ConfigProblem
    from ..data.treebanks import TreebankNotInstalledError
    from ..experiments.tasks import make_task

    task = make_task(data)
    try:
        task.prepare()
    except (TreebankNotInstalledError, FileNotFoundError) as error:
        location = getattr(data, "location", None)
        raise ConfigError([ConfigProblem(location, "data", str(error))]) from error
    return {"data": task.context()}


def _model_text(model):
    from ..config import DumpError, dump

    try:
        return dump(model)
    except DumpError:
        return None


@_with_errors
def run_print(args) -> int:
    """``dynn config print``."""
    from ..config import Builder, ConfigError, dumps, to_config

    runs = _load_runs(args)
    texts = []
    for name, run in runs.items():
        if args.resolved:
            builder = Builder(run, context=experiment_context(run))
            problems = builder.check()
            if problems:
                raise ConfigError(problems)
            resolved = builder.config
            if "model" in resolved:
                model = builder.build("model")
                resolved["model"] = to_config(model)["model"]
            run = resolved
        text = dumps(run)
        if len(runs) > 1:
            text = f"# run: {name}\n{text}"
        texts.append(text)
    sys.stdout.write("---\n".join(texts))
    return 0


@_with_errors
def run_runs(args) -> int:
    """``dynn config runs``."""
    for name in _load_runs(args):
        print(name)
    return 0


def run_describe(args) -> int:
    """``dynn config describe``."""
    from ..config import describe

    try:
        print(describe(args.tag))
    except KeyError as error:
        return _fail(f"dynn config describe: {error.args[0]}")
    return 0


def run_schema(args) -> int:
    """``dynn config schema``."""
    from ..config import schema

    print(json.dumps(schema(), indent=args.indent, default=str))
    return 0
