r"""Conformance checks for recurrent cells and layers: the checks dynn runs on its own cells.

:func:`check_recurrent_cell` runs seven named checks on a cell built by a factory
``make_cell(pc)``; :func:`check_layer` runs the applicable ones on any other layer. Each check
builds its own cell on a fresh ``dy.ParameterCollection``, sets every trainable parameter to
seeded random values (uniform in :math:`[-0.5, 0.5]`, so that no bias is left at zero) and starts
from a fresh graph, so the checks are reproducible and independent of each other. DyNet's random
seed is reset (``dy.reset_random_seed``) at the start of each check. Parameters frozen with
``param.set_updated(False)`` (buffers, such as the running statistics of batch normalisation)
keep their initial values, are not gradient-checked and are not expected to receive gradients.

Recurrent-cell checks (``RECURRENT_CELL_CHECKS``):

1. ``state_structure``: ``initial_value(B)`` returns ``state_size`` expressions of dimensions
   ``state_dims`` and batch size ``B``; ``cell(x, *state)`` returns as many, with the same
   dimensions; ``get_output`` returns one of them.
2. ``batch_consistency``: in test mode, running a batch equals running each element alone.
3. ``determinism_and_dropout``: test mode gives identical results in two graphs; in training mode
   (if the cell is stochastic, or ``make_dropout_cell`` is given) identical batch elements get
   different dropout masks, a sequence uses the same masks at every step (calling the cell twice
   on the same input and state gives the same state), and a new sequence (``initial_value``) or
   a new graph draws new masks.
4. ``gradients``: central finite differences (:mod:`dynn.testing.gradient_check`) against
   back-propagation, with respect to the inputs, the initial state and sampled entries of every
   parameter, on the loss :math:`L = \sum_t \langle w_t, y_t \rangle + \sum_i \langle u_i,
   s_{T,i} \rangle` with fixed random projections; then, in training mode, every parameter
   receives a gradient with ``update=True`` and none does with ``update=False``.
5. ``state_carries_information``: the output at the last step changes when the input one step
   before changes (with the same initial state). The report also notes the state components
   whose initial value influences nothing (legitimate for a component that only carries the
   output, as ``h`` in an SRU; a forgotten memory otherwise).
6. ``save_load``: parameters saved from one cell and loaded into a new one (built by the same
   factory, with other random values) give identical outputs; if :mod:`dynn.config` is present
   and the cell is registered, its config round trip gives an identical cell.
7. ``graph_guard``: calling the cell (or ``initial_value``) in a graph where it was not
   initialised raises :class:`~dynn.layers.base_layers.LayerNotInitializedError`, and after
   ``init`` in the new graph it works again.

A failing check raises :class:`AssertionError` once all checks have run; its message names each
failed check and shows the numbers. On success a :class:`CheckReport` says what was checked.

Example:
    >>> import dynet as dy
    >>> from dynn.layers.recurrent_layers import GRU
    >>> report = check_recurrent_cell(lambda pc: GRU(pc, 2, 3), input_dim=2)
    >>> report.passed[:3]
    ['state_structure', 'batch_consistency', 'determinism_and_dropout']
    >>> try:
    ...     check_recurrent_cell(lambda pc: GRU(pc, 2, 3), input_dim=5)
    ... except AssertionError as error:
    ...     print("\n".join(str(error).splitlines()[:2]))
    check_recurrent_cell(GRU 'gru'): 7 of 7 checks failed
    [state_structure] the cell's input_dim is 2, but the check was given input_dim=5
"""

import importlib
import importlib.util
import os
import tempfile
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Callable, Dict, Iterable, List, Optional, Sequence, Tuple

import dynet as dy
import numpy as np

from ..layers.base_layers import BaseLayer, LayerNotInitializedError
from ..layers.recurrent_layers import RecurrentCell
from ..util import batched_input
from .asserts import expression_value
from .gradient_check import DEFAULT_ATOL, DEFAULT_EPS, DEFAULT_RTOL, gradcheck

__all__ = [
    "check_recurrent_cell",
    "check_layer",
    "CheckReport",
    "CheckResult",
    "RECURRENT_CELL_CHECKS",
    "LAYER_CHECKS",
]

#: Names of the checks of :func:`check_recurrent_cell`, in the order they run.
RECURRENT_CELL_CHECKS = (
    "state_structure",
    "batch_consistency",
    "determinism_and_dropout",
    "gradients",
    "state_carries_information",
    "save_load",
    "graph_guard",
)
#: Names of the checks of :func:`check_layer`, in the order they run.
LAYER_CHECKS = (
    "output_structure",
    "batch_consistency",
    "determinism_and_dropout",
    "gradients",
    "save_load",
    "graph_guard",
)

# Batch size of the probes of the training-mode (dropout) checks.
_DROPOUT_PROBE_BATCH = 5


# Report ---------------------------------------------------------------------------------------
@dataclass
class CheckResult:
    """Outcome of one named check.

    Attributes:
        name: The check's name.
        status: ``"passed"``, ``"failed"`` or ``"skipped"``.
        details: What was checked, with the numbers (or why it failed or was skipped).
    """

    name: str
    status: str
    details: List[str] = field(default_factory=list)


@dataclass
class CheckReport:
    """What :func:`check_recurrent_cell` or :func:`check_layer` checked.

    Attributes:
        subject: The checked cell or layer (class and name).
        results: One :class:`CheckResult` per check, in order.
        seconds: Wall-clock duration of all checks.
    """

    subject: str
    results: "OrderedDict[str, CheckResult]" = field(default_factory=OrderedDict)
    seconds: float = 0.0

    @property
    def passed(self) -> List[str]:
        """Names of the checks that passed."""
        return [r.name for r in self.results.values() if r.status == "passed"]

    @property
    def failed(self) -> Dict[str, str]:
        """Failed checks, with their messages."""
        return {r.name: "\n".join(r.details) for r in self.results.values() if r.status == "failed"}

    @property
    def skipped(self) -> Dict[str, str]:
        """Skipped checks, with the reason."""
        return {
            r.name: "; ".join(r.details) for r in self.results.values() if r.status == "skipped"
        }

    def notes(self, name: str) -> List[str]:
        """The details recorded by the check ``name``."""
        return list(self.results[name].details)

    def __str__(self) -> str:
        lines = [f"{self.subject}: {len(self.passed)} passed, {len(self.failed)} failed, "
                 f"{len(self.skipped)} skipped ({self.seconds:.2f}s)"]  # fmt: skip
        for result in self.results.values():
            lines.append(f"  [{result.status}] {result.name}")
            lines.extend(
                f"      {line}" for detail in result.details for line in detail.split("\n")
            )
        return "\n".join(lines)


class _NotApplicableError(Exception):
    """Raised by a check that does not apply; its message is the reason."""


def _run_checks(kind: str, subject: str, table, selected, context) -> CheckReport:
    report = CheckReport(subject)
    start = time.perf_counter()
    for index, (name, check) in enumerate(table):
        if name not in selected:
            report.results[name] = CheckResult(name, "skipped", ["not selected"])
            continue
        details: List[str] = []
        _reset_seed(context.seed + 101 * index)
        try:
            check(context, details)
            result = CheckResult(name, "passed", details)
        except _NotApplicableError as reason:
            result = CheckResult(name, "skipped", details + [str(reason)])
        except AssertionError as error:
            result = CheckResult(name, "failed", [str(error)])
        except Exception as error:  # a crash inside the subject is a failure of this check
            result = CheckResult(
                name, "failed", [f"raised {type(error).__name__}: {error}{_location(error)}"]
            )
        finally:
            dy.renew_cg()
        report.results[name] = result
    report.seconds = time.perf_counter() - start
    if report.failed:
        count = len(report.failed)
        ran = len([r for r in report.results.values() if r.status != "skipped"])
        lines = [f"{kind}({subject}): {count} of {ran} checks failed"]
        for name, message in report.failed.items():
            lines.append(f"[{name}] " + message.replace("\n", "\n    "))
        error = AssertionError("\n".join(lines))
        error.report = report
        raise error
    return report


def _location(error: Exception) -> str:
    traceback = error.__traceback__
    last = None
    while traceback is not None:
        filename = traceback.tb_frame.f_code.co_filename
        if "dynn/testing" not in filename.replace("\\", "/"):
            last = traceback
        traceback = traceback.tb_next
    if last is None:
        return ""
    code = last.tb_frame.f_code
    return f" (in {code.co_name}, {code.co_filename}:{last.tb_lineno})"


def _reset_seed(seed: int) -> None:
    reset = getattr(dy, "reset_random_seed", None)
    if reset is not None:
        reset(int(seed) % (2**31 - 1) + 1)


def _selection(all_checks: Sequence[str], checks, skip) -> List[str]:
    chosen = list(all_checks) if checks is None else list(checks)
    for name in list(chosen) + list(skip):
        if name not in all_checks:
            raise ValueError(f"unknown check {name!r}; the checks are {', '.join(all_checks)}")
    return [name for name in chosen if name not in set(skip)]


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" + ("" if number == 1 else "s")


def _subject(layer) -> str:
    return f"{type(layer).__name__} '{getattr(layer, 'name', '?')}'"


# Shared helpers -------------------------------------------------------------------------------
class _Context:
    """The arguments of a check run, and how to build fresh subjects."""

    def __init__(self, make, make_dropout, seed, randomize, param_scale, tolerances, kind):
        self.make = make
        self.make_dropout = make_dropout
        self.seed = seed
        self.randomize = randomize
        self.param_scale = param_scale
        self.atol, self.rtol, self.grad_eps, self.grad_rtol, self.grad_atol, self.samples = (
            tolerances
        )
        self.kind = kind

    def rng(self, offset: int = 0) -> np.random.RandomState:
        return np.random.RandomState((self.seed * 7919 + offset) % (2**32))

    def build(self, make=None, offset: int = 0):
        """A new subject on a new collection, its parameters set to seeded random values."""
        make = make or self.make
        pc = dy.ParameterCollection()
        subject = make(pc)
        _check_subject_type(subject, self.kind)
        if self.randomize:
            _randomize(pc, self.rng(10_000 + offset), self.param_scale)
        return subject, pc


def _check_subject_type(subject, kind):
    expected = RecurrentCell if kind == "cell" else BaseLayer
    if not isinstance(subject, expected):
        factory = "make_cell" if kind == "cell" else "make_layer"
        raise TypeError(
            f"{factory}(pc) must return a {expected.__name__}, got {type(subject).__name__}"
        )


def _randomize(pc: dy.ParameterCollection, rng, scale: float) -> None:
    """Uniform values for the trainable parameters (buffers keep their initial values)."""
    for param in pc.parameters_list():
        if param.is_updated():
            param.set_value(rng.uniform(-scale, scale, param.shape()))
    for lookup in pc.lookup_parameters_list():
        if lookup.is_updated():
            lookup.init_from_array(rng.uniform(-scale, scale, lookup.shape()))


def _trainable(layer: BaseLayer) -> list:
    """``(path, parameter)`` pairs of the layer's parameters that are not frozen buffers."""
    return [(path, p) for path, p in layer.iter_parameters() if p.is_updated()]


def _all_parameters(pc: dy.ParameterCollection) -> list:
    return list(pc.parameters_list()) + list(pc.lookup_parameters_list())


def _zero_gradients(pc: dy.ParameterCollection) -> None:
    for param in _all_parameters(pc):
        param.scale_gradient(0.0)


def _max_difference(a: Sequence[np.ndarray], b: Sequence[np.ndarray]) -> Tuple[float, int]:
    """Largest |a - b| over paired arrays, and the index of the pair where it occurs."""
    best, where = 0.0, 0
    for index, (x, y) in enumerate(zip(a, b)):
        if x.shape != y.shape:
            return float("inf"), index
        difference = float(np.max(np.abs(x - y))) if x.size else 0.0
        if not difference <= best:  # NaN counts as a difference
            best, where = difference if difference == difference else float("inf"), index
    return best, where


def _projection_loss(expressions: Sequence[dy.Expression], weights: Dict, rng) -> dy.Expression:
    """``sum_k <w_k, e_k>`` with fixed random ``w_k`` (drawn on first use, per key and shape)."""
    terms = []
    for key, expression in enumerate(expressions):
        shape, batch_size = expression.dim()
        slot = (key, tuple(shape), batch_size)
        if slot not in weights:
            weights[slot] = rng.normal(0.0, 1.0, tuple(shape) + (batch_size,))
        terms.append(dy.sum_elems(dy.cmult(expression, batched_input(weights[slot]))))
    return dy.sum_batches(dy.esum(terms))


def _guard_probe(call, what: str, problems: List[str]) -> None:
    """``call()`` must raise LayerNotInitializedError; otherwise append the problem."""
    try:
        call()
    except LayerNotInitializedError:
        return
    except Exception as error:
        problems.append(
            f"{what} raised {type(error).__name__} instead of LayerNotInitializedError: {error}"
            f"{_location(error)} (does it keep expressions from an earlier graph, or bypass the "
            f"graph guard?)"
        )
        return
    problems.append(
        f"{what} did not raise LayerNotInitializedError: the graph guard was bypassed (the layer "
        f"must not silently re-initialise itself or reuse expressions from another graph)"
    )


def _declared_parameter_names(layer: BaseLayer) -> set:
    return {param.name() for _, param in layer.iter_parameters()}


def _undeclared_parameters(layer: BaseLayer, pc: dy.ParameterCollection) -> List[str]:
    declared = _declared_parameter_names(layer)
    return sorted(p.name() for p in _all_parameters(pc) if p.name() not in declared)


def _roundtrip_layer(source, target) -> None:
    """Save ``source``'s parameters by layer path with :mod:`dynn.io`, load them into ``target``."""
    from .. import io

    with tempfile.TemporaryDirectory() as directory:
        path = io.save_layer(source, os.path.join(directory, "layer.npz"))
        io.populate_layer(target, path)


def _roundtrip_collection(source_pc, target_pc) -> None:
    """Save a collection's parameters by DyNet name with :mod:`dynn.io`, load them into another."""
    from .. import io

    with tempfile.TemporaryDirectory() as directory:
        path = io.save(source_pc, os.path.join(directory, "collection.npz"))
        io.populate(target_pc, path)


def _check_same_parameters(source, target, how: str) -> None:
    source_params = OrderedDict(source.iter_parameters())
    target_params = OrderedDict(target.iter_parameters())
    differing = []
    for path, param in source_params.items():
        other = target_params.get(path)
        if other is None:
            differing.append(f"{path} (missing)")
        elif not np.array_equal(param.as_array(), other.as_array()):
            difference = np.max(np.abs(param.as_array() - other.as_array()))
            differing.append(f"{path} (max |difference| {difference:.3g})")
    if differing:
        raise AssertionError(f"parameters differ after dynn.io.{how}: {', '.join(differing)}")


def _config_module():
    """:mod:`dynn.config` if it exists (with ``dump``, ``parse`` and ``build``), else ``None``."""
    if importlib.util.find_spec("dynn.config") is None:
        return None
    module = importlib.import_module("dynn.config")
    if not all(hasattr(module, name) for name in ("dump", "parse", "build")):
        return None
    return module


def _layer_tree(layer: BaseLayer, prefix: str = "") -> List[Tuple[str, str]]:
    tree = [(prefix or "<root>", type(layer).__name__)]
    for path, sublayer in layer.sublayers.items():
        tree.extend(_layer_tree(sublayer, f"{prefix}{path}."))
    return tree


def _parameter_shapes(layer: BaseLayer) -> List[Tuple[str, Tuple[int, ...]]]:
    return [(path, tuple(param.shape())) for path, param in layer.iter_parameters()]


def _config_roundtrip(context, source, expected, run, details: List[str]) -> None:
    """Dump ``source`` to YAML, build it again, and compare (when dynn.config exists)."""
    if not context.config_roundtrip:
        details.append("config round trip not requested (config_roundtrip=False)")
        return
    config = _config_module()
    if config is None:
        details.append("config round trip skipped: dynn.config is not available")
        return
    from .. import registry

    tag = registry.tag_of(type(source))
    if tag is None:
        details.append(
            f"config round trip skipped: {type(source).__name__} is not registered (classes "
            f"whose name starts with '_' are not)"
        )
        return
    try:
        text = config.dump(source)
    except Exception as error:
        raise AssertionError(
            f"config round trip: dynn.config.dump failed ({type(error).__name__}: {error}); pass "
            f"config_roundtrip=False if the layer is built from arguments that have no YAML form"
        ) from None
    try:
        rebuilt = config.build(config.parse(text), pc=dy.ParameterCollection())
    except Exception as error:
        raise AssertionError(
            f"config round trip: building the dumped YAML failed ({type(error).__name__}: "
            f"{error}):\n{text}"
        ) from None
    if type(rebuilt) is not type(source):
        raise AssertionError(
            f"config round trip: the YAML built a {type(rebuilt).__name__}, not a "
            f"{type(source).__name__}:\n{text}"
        )
    for what, get in (("layer tree", _layer_tree), ("parameters", _parameter_shapes)):
        before, after = get(source), get(rebuilt)
        if before != after:
            raise AssertionError(
                f"config round trip: the {what} differ: {before} before, {after} after "
                f"building the dumped YAML:\n{text}"
            )
    again = config.dump(rebuilt)
    if again != text:
        raise AssertionError(
            f"config round trip: the rebuilt layer dumps differently:\n{text}\nthen\n{again}"
        )
    _roundtrip_layer(source, rebuilt)
    actual = run(rebuilt)
    difference = max(_max_difference(a, b)[0] for a, b in zip(expected, actual))
    if difference != 0.0:
        raise AssertionError(
            f"config round trip: the layer built from the dumped YAML (with the same parameter "
            f"values) gives different outputs: max |difference| {difference:.6g}:\n{text}"
        )
    details.append(
        f"config round trip: dumped as !{tag}, built again: same class, layer tree, parameter "
        f"paths and shapes, dump and outputs"
    )


# Recurrent cells ------------------------------------------------------------------------------
def check_recurrent_cell(
    make_cell: Callable[[dy.ParameterCollection], RecurrentCell],
    input_dim: int,
    *,
    batch_sizes: Iterable[int] = (1, 3),
    seq_len: int = 5,
    seed: int = 0,
    make_dropout_cell: Optional[Callable[[dy.ParameterCollection], RecurrentCell]] = None,
    checks: Optional[Iterable[str]] = None,
    skip: Iterable[str] = (),
    atol: float = 1e-5,
    rtol: float = 1e-4,
    grad_eps: float = DEFAULT_EPS,
    grad_rtol: float = DEFAULT_RTOL,
    grad_atol: float = DEFAULT_ATOL,
    grad_samples: Optional[int] = 4,
    randomize_parameters: bool = True,
    param_scale: float = 0.5,
    config_roundtrip: bool = True,
) -> CheckReport:
    """Run the seven recurrent-cell checks (see the module docstring) on cells from ``make_cell``.

    Keep the dimensions tiny (2 to 5): the checks build a few dozen small graphs, and a cell of
    hidden dimension 4 is checked in well under a second.

    Args:
        make_cell: ``make_cell(pc)`` returns a new cell whose parameters are in ``pc`` (called
            several times: each check uses its own cell).
        input_dim: Dimension of the cell's input vectors.
        batch_sizes: Batch sizes to run (those above 1 are compared with single sequences).
        seq_len: Number of steps of the test sequences (at least 2).
        seed: Seed of the inputs, parameter values, projections and DyNet's dropout masks.
        make_dropout_cell: A factory for the same cell with dropout (rate about 0.5), to check
            the training-mode masks. If omitted, the masks are checked on ``make_cell``'s cell if
            it is stochastic in training mode, and the check notes it otherwise.
        checks: The names of the checks to run (default: all of ``RECURRENT_CELL_CHECKS``).
        skip: Names of checks not to run (e.g. ``"determinism_and_dropout"`` for a zoneout cell,
            whose randomness changes at every step by design).
        atol: Absolute tolerance of the batch-consistency comparison.
        rtol: Relative tolerance of the batch-consistency comparison.
        grad_eps: Finite-difference step (see :mod:`dynn.testing.gradient_check`).
        grad_rtol: Relative tolerance of the gradient comparison.
        grad_atol: Absolute tolerance of the gradient comparison.
        grad_samples: Entries checked per parameter, input and state tensor (``None``: all).
        randomize_parameters: Set every parameter to uniform random values in
            ``[-param_scale, param_scale]`` (``False`` keeps the cell's own initialisation).
        param_scale: Range of those random values.
        config_roundtrip: In ``save_load``, also dump the cell to YAML with :mod:`dynn.config`
            and build it again (when dynn.config exists and the class is registered).

    Returns:
        A :class:`CheckReport`.

    Raises:
        AssertionError: Some checks failed; the message names each and shows the numbers. The
            report is attached as the exception's ``report`` attribute.
        ValueError: Bad arguments (unknown check name, ``seq_len`` < 2, ...).
        TypeError: ``make_cell`` does not return a RecurrentCell.
    """
    batch_sizes = tuple(batch_sizes)
    if not batch_sizes or any(not isinstance(b, int) or b < 1 for b in batch_sizes):
        raise ValueError(f"batch_sizes must be positive integers, got {batch_sizes!r}")
    if not isinstance(seq_len, int) or seq_len < 2:
        raise ValueError(f"seq_len must be an integer >= 2, got {seq_len!r}")
    if not isinstance(input_dim, int) or input_dim < 1:
        raise ValueError(f"input_dim must be a positive integer, got {input_dim!r}")
    selected = _selection(RECURRENT_CELL_CHECKS, checks, skip)
    context = _Context(
        make_cell,
        make_dropout_cell,
        seed,
        randomize_parameters,
        param_scale,
        (atol, rtol, grad_eps, grad_rtol, grad_atol, grad_samples),
        "cell",
    )
    context.input_dim, context.batch_sizes, context.seq_len = input_dim, batch_sizes, seq_len
    context.config_roundtrip = config_roundtrip
    probe, _ = context.build()
    table = [
        ("state_structure", _cell_state_structure),
        ("batch_consistency", _cell_batch_consistency),
        ("determinism_and_dropout", _cell_determinism_and_dropout),
        ("gradients", _cell_gradients),
        ("state_carries_information", _cell_state_carries_information),
        ("save_load", _cell_save_load),
        ("graph_guard", _cell_graph_guard),
    ]
    return _run_checks("check_recurrent_cell", _subject(probe), table, selected, context)


def _field_names(cell: RecurrentCell) -> List[str]:
    size = len(cell.state_dims)
    fields = getattr(cell, "state_fields", None)
    if fields is None:
        fields = getattr(cell.state_type, "_fields", None)
    if fields is None or len(fields) != size:
        fields = [f"state[{i}]" for i in range(size)]
    return list(fields)


def _component(cell, index: int) -> str:
    names = _field_names(cell)
    return f"component {index} ({names[index]!r})" if index < len(names) else f"component {index}"


def _expect_state(cell, state, batch_size: int, what: str) -> None:
    dims = tuple(cell.state_dims)
    if not isinstance(state, (tuple, list)):
        raise AssertionError(f"{what} returned a {type(state).__name__}, expected a tuple of "
                             f"{len(dims)} expressions")  # fmt: skip
    if len(state) != len(dims):
        raise AssertionError(
            f"{what} returned {len(state)} state components, expected {len(dims)} "
            f"(state_dims = {dims})"
        )
    for index, (component, dim) in enumerate(zip(state, dims)):
        if not isinstance(component, dy.Expression):
            raise AssertionError(
                f"{what}: {_component(cell, index)} is a {type(component).__name__}, expected a "
                f"dy.Expression"
            )
        if component.dim() != ((dim,), batch_size):
            raise AssertionError(
                f"{what}: {_component(cell, index)} has dimension {component.dim()}, expected "
                f"{((dim,), batch_size)} (state_dims[{index}] = {dim}, batch size {batch_size})"
            )


def _state_values(state) -> List[np.ndarray]:
    return [expression_value(e) for e in state]


def _transduce(cell, xs: np.ndarray, test: bool = True, initial=None, update: bool = False):
    """States (as arrays ``(d, B)``) after each step of ``xs`` (shape ``(T, d, B)``)."""
    dy.renew_cg()
    cell.init(test=test, update=update)
    batch_size = xs.shape[-1]
    state = cell.initial_value(batch_size)
    if initial is not None:
        state = [batched_input(value) for value in initial]
    states = []
    for x in xs:
        state = cell(batched_input(x), *state)
        states.append(_state_values(state) + [expression_value(cell.get_output(state))])
    return states


def _first_state_difference(cell, a, b) -> Tuple[float, int, str]:
    """Largest difference between two runs of ``_transduce``: (value, step, component)."""
    best, best_step, best_name = 0.0, 0, ""
    names = _field_names(cell) + ["output"]
    for step, (left, right) in enumerate(zip(a, b)):
        difference, index = _max_difference(left, right)
        if not difference <= best:
            best, best_step, best_name = difference, step, names[min(index, len(names) - 1)]
    return best, best_step, best_name


def _cell_state_structure(context, details):
    cell, _ = context.build()
    dims = tuple(cell.state_dims)
    if cell.state_size != len(dims):
        raise AssertionError(f"state_size is {cell.state_size} but state_dims {dims} has "
                             f"{len(dims)} entries")  # fmt: skip
    cell_input_dim = getattr(cell, "input_dim", context.input_dim)
    if cell_input_dim != context.input_dim:
        raise AssertionError(
            f"the cell's input_dim is {cell_input_dim}, but the check was given "
            f"input_dim={context.input_dim}"
        )
    rng = context.rng(1)
    for batch_size in context.batch_sizes:
        dy.renew_cg()
        cell.init(test=True, update=False)
        state = cell.initial_value(batch_size)
        _expect_state(cell, state, batch_size, f"initial_value({batch_size})")
        x = batched_input(rng.normal(size=(context.input_dim, batch_size)))
        for step in range(2):
            state = cell(x, *state)
            _expect_state(cell, state, batch_size, f"cell(x, *state) at step {step}")
        output = cell.get_output(state)
        if not any(output is component for component in state):
            value = expression_value(output) if isinstance(output, dy.Expression) else None
            if value is None or not any(
                value.shape == v.shape and np.array_equal(value, v) for v in _state_values(state)
            ):
                raise AssertionError(
                    "get_output(state) is none of the state's components (it should pick the "
                    "output, e.g. h, from the state)"
                )
    details.append(
        f"state_dims {dims} ({', '.join(_field_names(cell))}); batch sizes "
        f"{list(context.batch_sizes)}; get_output picks a component"
    )


def _cell_batch_consistency(context, details):
    cell, _ = context.build()
    sizes = [b for b in context.batch_sizes if b > 1]
    if not sizes:
        raise _NotApplicableError("no batch size above 1 in batch_sizes")
    rng = context.rng(2)
    for batch_size in sizes:
        xs = rng.normal(size=(context.seq_len, context.input_dim, batch_size))
        batched = _transduce(cell, xs)
        for element in range(batch_size):
            alone = _transduce(cell, xs[:, :, element : element + 1])
            names = _field_names(cell) + ["output"]
            for step, (together, single) in enumerate(zip(batched, alone)):
                for index, (a, b) in enumerate(zip(together, single)):
                    a = a[..., element]
                    b = b[..., 0]
                    if not np.allclose(a, b, atol=context.atol, rtol=context.rtol):
                        raise AssertionError(
                            f"test mode: batch element {element} of a batch of {batch_size} "
                            f"differs from the same sequence run alone: max |difference| "
                            f"{np.max(np.abs(a - b)):.6g} in {names[index]!r} at step {step} "
                            f"(atol={context.atol:g}, rtol={context.rtol:g}); the cell mixes "
                            f"batch elements (e.g. dy.mean_batches, dy.sum_batches) or treats a "
                            f"batch differently"
                        )
    details.append(
        f"batch sizes {sizes} equal their elements run alone over {context.seq_len} steps "
        f"(atol={context.atol:g}, rtol={context.rtol:g})"
    )


def _probe_state(cell, context, rng, batch_size):
    x = np.repeat(rng.normal(size=(context.input_dim, 1)), batch_size, axis=1)
    state = [np.repeat(rng.normal(0.0, 0.5, (d, 1)), batch_size, axis=1) for d in cell.state_dims]
    return x, state


def _probe(cell, x, state):
    new_state = cell(batched_input(x), *[batched_input(s) for s in state])
    return _state_values(new_state)


def _cell_determinism_and_dropout(context, details):
    rng = context.rng(3)
    batch_size = max(context.batch_sizes)
    xs = rng.normal(size=(context.seq_len, context.input_dim, batch_size))
    subjects = [("make_cell", context.make)]
    if context.make_dropout is not None:
        subjects.append(("make_dropout_cell", context.make_dropout))
    for label, make in subjects:
        cell, _ = context.build(make)
        first = _transduce(cell, xs)
        second = _transduce(cell, xs)
        difference, step, name = _first_state_difference(cell, first, second)
        if difference != 0.0:
            raise AssertionError(
                f"test mode is not deterministic ({label}'s cell): two graphs gave different "
                f"results for the same inputs, max |difference| {difference:.6g} in {name!r} at "
                f"step {step}; test mode must not apply dropout or other randomness"
            )
    details.append("test mode: identical results in two graphs")

    make = context.make_dropout or context.make
    label = "make_dropout_cell" if context.make_dropout is not None else "make_cell"
    cell, _ = context.build(make)
    probe_batch = _DROPOUT_PROBE_BATCH
    x, state = _probe_state(cell, context, rng, probe_batch)
    dy.renew_cg()
    cell.init(test=False, update=False)
    cell.initial_value(probe_batch)
    first = _probe(cell, x, state)
    again = _probe(cell, x, state)
    cell.initial_value(probe_batch)
    new_sequence = _probe(cell, x, state)
    dy.renew_cg()
    cell.init(test=False, update=False)
    cell.initial_value(probe_batch)
    new_graph = _probe(cell, x, state)
    if all(_max_difference(run, first)[0] == 0.0 for run in (again, new_sequence, new_graph)):
        if context.make_dropout is not None:
            raise AssertionError(
                "the cell from make_dropout_cell applies no dropout in training mode: "
                "init(test=False) gave the same state in every sequence and graph (is the "
                "dropout rate 0, or dropout applied only in test mode?)"
            )
        details.append(
            "training mode is deterministic (no dropout): mask checks not run; pass "
            "make_dropout_cell to check them"
        )
        return
    # Each batch element has its own mask.
    if all(np.all(v == v[..., :1]) for v in first):
        raise AssertionError(
            f"training mode ({label}): the same dropout mask is used for every batch element: "
            f"{probe_batch} identical batch elements gave identical states; draw the masks with "
            f"batch_size=B (e.g. dy.random_bernoulli(dim, p, batch_size=B))"
        )
    # The same masks at every step of the sequence.
    difference, index = _max_difference(again, first)
    if difference != 0.0:
        raise AssertionError(
            f"training mode ({label}): the dropout mask changes between steps of one sequence: "
            f"the same input and state at two steps gave states differing by {difference:.6g} "
            f"in {_component(cell, index)}; variational dropout draws the masks in "
            f"initial_value and reuses them at every step"
        )
    # New masks for a new sequence, and in a new graph.
    if _max_difference(new_sequence, first)[0] == 0.0:
        raise AssertionError(
            f"training mode ({label}): a new sequence reuses the previous sequence's dropout "
            f"masks: after initial_value({probe_batch}) the same input and state gave the same "
            f"state; initial_value must draw new masks"
        )
    if _max_difference(new_graph, first)[0] == 0.0:
        raise AssertionError(
            f"training mode ({label}): a new graph reuses the previous graph's dropout masks"
        )
    details.append(
        f"training mode ({label}): one mask per batch element ({probe_batch} identical elements "
        f"differ), the same mask at every step, new masks for a new sequence and a new graph"
    )


def _cell_gradients(context, details):
    cell, pc = context.build()
    rng = context.rng(4)
    batch_size = max(context.batch_sizes)
    steps, dim = context.seq_len, context.input_dim
    names = _field_names(cell)
    items = OrderedDict()
    items["inputs"] = rng.normal(size=(dim, steps, batch_size))
    for name, d in zip(names, cell.state_dims):
        items[f"initial state {name}"] = rng.normal(0.0, 0.5, (d, batch_size))
    parameters = _trainable(cell)
    for path, param in parameters:
        items[path] = param
    weights: Dict = {}
    weight_rng = context.rng(5)

    def loss(inputs, *state):
        cell.init(test=True, update=True)
        outputs = []
        for step in range(steps):
            state = cell(dy.pick(inputs, step, 1), *state)
            outputs.append(cell.get_output(state))
        return _projection_loss(outputs + list(state), weights, weight_rng)

    try:
        result = gradcheck(
            loss,
            items,
            eps=context.grad_eps,
            rtol=context.grad_rtol,
            atol=context.grad_atol,
            samples=context.samples,
            batched=True,
            seed=context.seed,
        )
    except AssertionError as error:
        raise AssertionError(f"test mode, update=True, batch size {batch_size}: {error}") from None
    details.append(
        f"finite differences: {result.num_entries} entries of the inputs, the initial state and "
        f"{len(parameters)} parameters agree (eps={context.grad_eps:g}, "
        f"rtol={context.grad_rtol:g}, atol={context.grad_atol:g}; max |error| "
        f"{result.max_abs_error:.2e})"
    )
    _gradient_flow(context, details, _cell_training_loss, context.make_dropout or context.make)


def _cell_training_loss(context, cell, rng, weights, weight_rng):
    batch_size = max(context.batch_sizes)
    state = cell.initial_value(batch_size)
    outputs = []
    for x in rng.normal(size=(context.seq_len, context.input_dim, batch_size)):
        state = cell(batched_input(x), *state)
        outputs.append(cell.get_output(state))
    return _projection_loss(outputs + list(state), weights, weight_rng)


def _gradient_flow(context, details, build_loss, make):
    subject, pc = context.build(make, offset=1)
    parameters = _trainable(subject)
    if not parameters:
        details.append("no parameters: gradient flow not checked")
        return
    for update in (True, False):
        _zero_gradients(pc)
        dy.renew_cg()
        subject.init(test=False, update=update)
        loss = build_loss(context, subject, context.rng(6), {}, context.rng(7))
        loss.forward()
        loss.backward()
        with_gradient = [path for path, p in parameters if np.any(p.grad_as_array() != 0)]
        _zero_gradients(pc)
        if update:
            missing = [path for path, _ in parameters if path not in with_gradient]
            if missing:
                raise AssertionError(
                    f"training mode, update=True: parameters received no gradient: {missing} "
                    f"(unused, or cut from the loss, e.g. by dy.nobackprop or a constant "
                    f"param.expr())"
                )
        elif with_gradient:
            raise AssertionError(
                f"training mode, update=False: parameters received a gradient: {with_gradient} "
                f"(load them with param.expr(self.update), not param.expr(True))"
            )
    details.append(
        f"training mode: {_count(len(parameters), 'trainable parameter')} receive a gradient "
        f"with update=True, none with update=False"
    )


def _cell_state_carries_information(context, details):
    cell, _ = context.build()
    rng = context.rng(8)
    batch_size = max(context.batch_sizes)
    steps = context.seq_len
    xs = rng.normal(size=(steps, context.input_dim, batch_size))
    reference = _transduce(cell, xs)
    changed = xs.copy()
    changed[steps - 2] += rng.normal(0.0, 1.0, changed[steps - 2].shape)
    perturbed = _transduce(cell, changed)
    last_output = np.abs(reference[-1][-1] - perturbed[-1][-1])
    unaffected = [b for b in range(batch_size) if not np.any(last_output[..., b] > 0)]
    if unaffected:
        raise AssertionError(
            f"the output at step {steps - 1} does not depend on the input at step {steps - 2} "
            f"(batch elements {unaffected}: max |difference| {float(np.max(last_output)):.3g} "
            f"after changing that input): the cell ignores its previous state"
        )
    initial = [rng.normal(0.0, 0.5, (d, batch_size)) for d in cell.state_dims]
    base = _transduce(cell, xs, initial=initial)
    unread = []
    for index in range(cell.state_size):
        moved = [v.copy() for v in initial]
        moved[index] += rng.normal(0.0, 1.0, moved[index].shape)
        run = _transduce(cell, xs, initial=moved)
        # Everything after the first step: outputs, and the final state.
        if not any(
            np.any(a != b) for step_a, step_b in zip(base, run) for a, b in zip(step_a, step_b)
        ):
            unread.append(_field_names(cell)[index])
    details.append(f"the output at step {steps - 1} depends on the input at step {steps - 2}")
    if unread:
        details.append(
            f"note: the initial value of state components {unread} influences nothing: the cell "
            f"never reads their previous value (fine for a component that only carries the "
            f"output, as h in an SRU; a bug for a memory such as an LSTM's c)"
        )
    else:
        details.append(
            f"the initial value of every state component ({', '.join(_field_names(cell))}) "
            f"influences the outputs"
        )


def _cell_save_load(context, details):
    xs = context.rng(9).normal(size=(context.seq_len, context.input_dim, max(context.batch_sizes)))
    _save_load(context, details, lambda cell: _transduce(cell, xs))


def _save_load(context, details, run):
    source, source_pc = context.build()
    if not _all_parameters(source_pc):
        raise _NotApplicableError("the layer has no parameters")
    expected = run(source)
    # By layer path, then by DyNet name; each target starts from other random values.
    for how, offset in (("save_layer -> populate_layer", 1), ("save -> populate", 2)):
        target, target_pc = context.build(offset=offset)
        if how.startswith("save_layer"):
            _roundtrip_layer(source, target)
        else:
            _roundtrip_collection(source_pc, target_pc)
        actual = run(target)
        difference = max(_max_difference(a, b)[0] for a, b in zip(expected, actual))
        if difference != 0.0:
            undeclared = _undeclared_parameters(source, source_pc)
            hint = (
                f"; parameters of the layer's collection that are not declared with "
                f"add_parameters / add_lookup_parameters (so not saved with the layer): "
                f"{undeclared}"
                if undeclared
                else ""
            )
            raise AssertionError(
                f"outputs differ after dynn.io.{how}: max |difference| {difference:.6g}{hint}"
            )
        _check_same_parameters(source, target, how)
    details.append(
        "identical outputs and parameters after dynn.io.save_layer -> populate_layer (by layer "
        "path) and dynn.io.save -> populate (by DyNet name)"
    )
    _config_roundtrip(context, source, expected, run, details)


def _cell_graph_guard(context, details):
    cell, _ = context.build()
    x = np.zeros((context.input_dim, 1))
    zeros = [np.zeros((d, 1)) for d in cell.state_dims]
    problems = []
    dy.renew_cg()
    _guard_probe(
        lambda: cell.initial_value(1), "initial_value(1) before the first init()", problems
    )
    _guard_probe(
        lambda: _probe(cell, x, zeros), "cell(x, *state) before the first init()", problems
    )
    dy.renew_cg()
    cell.init(test=True, update=False)
    cell(batched_input(x), *cell.initial_value(1))
    dy.renew_cg()
    where = "in a graph where the cell was not initialised"
    _guard_probe(lambda: cell.initial_value(1), f"initial_value(1) {where}", problems)
    _guard_probe(lambda: _probe(cell, x, zeros), f"cell(x, *state) {where}", problems)
    if problems:
        raise AssertionError("\n".join(problems))
    dy.renew_cg()
    cell.init(test=True, update=False)
    state = cell(batched_input(x), *cell.initial_value(1))
    _expect_state(cell, state, 1, "cell(x, *state) after init() in a new graph")
    details.append(
        "LayerNotInitializedError before the first init() and in a new graph; works after init()"
    )


# Other layers ---------------------------------------------------------------------------------
def check_layer(
    make_layer: Callable[[dy.ParameterCollection], BaseLayer],
    input_shapes: Optional[Sequence[Tuple[int, ...]]] = None,
    *,
    make_inputs: Optional[Callable[[np.random.RandomState, int], list]] = None,
    batch_sizes: Iterable[int] = (1, 3),
    seed: int = 0,
    make_dropout_layer: Optional[Callable[[dy.ParameterCollection], BaseLayer]] = None,
    checks: Optional[Iterable[str]] = None,
    skip: Iterable[str] = (),
    atol: float = 1e-5,
    rtol: float = 1e-4,
    grad_eps: float = DEFAULT_EPS,
    grad_rtol: float = DEFAULT_RTOL,
    grad_atol: float = DEFAULT_ATOL,
    grad_samples: Optional[int] = 4,
    randomize_parameters: bool = True,
    param_scale: float = 0.5,
    config_roundtrip: bool = True,
) -> CheckReport:
    """Run the layer checks (``LAYER_CHECKS``) on layers from ``make_layer``.

    The checks are those of :func:`check_recurrent_cell` that apply to a layer called as
    ``layer(*inputs)``: ``output_structure`` (every output expression has the batch size of the
    inputs, and the same dimensions whatever the batch size), ``batch_consistency``,
    ``determinism_and_dropout`` (test mode deterministic; if training mode is stochastic,
    identical batch elements get different masks and a new graph new ones), ``gradients``,
    ``save_load`` and ``graph_guard``. Outputs may be an expression or a (nested) tuple, list or
    dict of expressions; the gradient loss projects each of them on fixed random weights.

    Args:
        make_layer: ``make_layer(pc)`` returns a new layer whose parameters are in ``pc``.
        input_shapes: The shapes of the layer's inputs, one per positional argument, without
            the batch axis: each input is a random batched expression of that shape.
        make_inputs: Instead of ``input_shapes``: ``make_inputs(rng, batch_size)`` returns the
            positional arguments. Float numpy arrays (last axis: the batch) become batched
            expressions and take part in the gradient check; other values are passed as they
            are. For the batch-consistency check, numpy arrays whose last axis and flat lists
            whose length equal the batch size are split along it; other values are passed
            unchanged to every element.
        batch_sizes: Batch sizes to run.
        seed: Seed of the inputs, parameters, projections and DyNet's random draws.
        make_dropout_layer: A factory for the same layer with dropout (about 0.5), to check the
            training-mode masks.
        checks: Names of the checks to run (default: all).
        skip: Names of checks not to run (e.g. ``"batch_consistency"`` for a layer that mixes
            batch elements by design).
        atol: Absolute tolerance of the batch-consistency comparison.
        rtol: Relative tolerance of the batch-consistency comparison.
        grad_eps: Finite-difference step.
        grad_rtol: Relative tolerance of the gradient comparison.
        grad_atol: Absolute tolerance of the gradient comparison.
        grad_samples: Entries checked per parameter and input (``None``: all).
        randomize_parameters: Set every parameter to uniform random values in
            ``[-param_scale, param_scale]``.
        param_scale: Range of those values.
        config_roundtrip: In ``save_load``, also dump the layer to YAML with
            :mod:`dynn.config` and build it again (when it exists and the class is registered).

    Returns:
        A :class:`CheckReport`.

    Raises:
        AssertionError: Some checks failed (the message names each, with the numbers).

    Example:
        >>> from dynn.layers.dense_layers import Affine
        >>> from dynn.activations import tanh
        >>> report = check_layer(lambda pc: Affine(pc, 3, 2, activation=tanh), [(3,)])
        >>> report.passed[:3]
        ['output_structure', 'batch_consistency', 'determinism_and_dropout']
        >>> print(report.notes("gradients")[0][:58])
        finite differences: 10 entries of 1 input and 2 parameters
    """
    if (input_shapes is None) == (make_inputs is None):
        raise ValueError("check_layer needs exactly one of input_shapes and make_inputs")
    if make_inputs is None:
        shapes = [(s,) if isinstance(s, int) else tuple(s) for s in input_shapes]

        def make_inputs(rng, batch_size):
            return [rng.normal(size=shape + (batch_size,)) for shape in shapes]

    batch_sizes = tuple(batch_sizes)
    if not batch_sizes or any(not isinstance(b, int) or b < 1 for b in batch_sizes):
        raise ValueError(f"batch_sizes must be positive integers, got {batch_sizes!r}")
    selected = _selection(LAYER_CHECKS, checks, skip)
    context = _Context(
        make_layer,
        make_dropout_layer,
        seed,
        randomize_parameters,
        param_scale,
        (atol, rtol, grad_eps, grad_rtol, grad_atol, grad_samples),
        "layer",
    )
    context.make_inputs, context.batch_sizes = make_inputs, batch_sizes
    context.config_roundtrip = config_roundtrip
    probe, _ = context.build()
    table = [
        ("output_structure", _layer_output_structure),
        ("batch_consistency", _layer_batch_consistency),
        ("determinism_and_dropout", _layer_determinism_and_dropout),
        ("gradients", _layer_gradients),
        ("save_load", _layer_save_load),
        ("graph_guard", _layer_graph_guard),
    ]
    return _run_checks("check_layer", _subject(probe), table, selected, context)


def _is_float_array(value) -> bool:
    return isinstance(value, np.ndarray) and np.issubdtype(value.dtype, np.floating)


def _to_arguments(inputs) -> list:
    return [batched_input(v) if _is_float_array(v) else v for v in inputs]


def _flatten_outputs(output) -> List[dy.Expression]:
    if isinstance(output, dy.Expression):
        return [output]
    if isinstance(output, dict):
        output = list(output.values())
    if isinstance(output, (tuple, list)):
        return [e for item in output for e in _flatten_outputs(item)]
    return []


def _call_layer(layer, inputs, test=True, update=False) -> List[dy.Expression]:
    dy.renew_cg()
    layer.init(test=test, update=update)
    outputs = _flatten_outputs(layer(*_to_arguments(inputs)))
    if not outputs:
        raise AssertionError("the layer returned no dy.Expression")
    return outputs


def _layer_values(layer, inputs, test=True) -> List[np.ndarray]:
    return [expression_value(e) for e in _call_layer(layer, inputs, test=test)]


def _split(inputs, batch_size: int, element: int) -> list:
    parts = []
    for value in inputs:
        if isinstance(value, np.ndarray) and value.ndim and value.shape[-1] == batch_size:
            parts.append(value[..., element : element + 1])
        elif (
            isinstance(value, (list, tuple))
            and len(value) == batch_size
            and all(np.isscalar(v) for v in value)
        ):
            parts.append(type(value)([value[element]]))
        else:
            parts.append(value)
    return parts


def _tile(inputs, batch_size: int) -> list:
    tiled = []
    for value in inputs:
        if isinstance(value, np.ndarray) and value.ndim and value.shape[-1] == 1:
            tiled.append(np.repeat(value, batch_size, axis=-1))
        elif isinstance(value, (list, tuple)) and len(value) == 1:
            tiled.append(type(value)(list(value) * batch_size))
        else:
            tiled.append(value)
    return tiled


def _layer_output_structure(context, details):
    layer, _ = context.build()
    rng = context.rng(1)
    shapes = None
    for batch_size in context.batch_sizes:
        outputs = _call_layer(layer, context.make_inputs(rng, batch_size))
        for index, output in enumerate(outputs):
            if output.dim()[1] != batch_size:
                raise AssertionError(
                    f"output {index} has batch size {output.dim()[1]} for inputs of batch size "
                    f"{batch_size}"
                )
        current = [output.dim()[0] for output in outputs]
        if shapes is not None and current != shapes:
            raise AssertionError(
                f"the output dimensions depend on the batch size: {shapes} for batch size "
                f"{context.batch_sizes[0]}, {current} for batch size {batch_size}"
            )
        shapes = current
    details.append(f"outputs of dimensions {shapes} for batch sizes {list(context.batch_sizes)}")


def _layer_batch_consistency(context, details):
    layer, _ = context.build()
    sizes = [b for b in context.batch_sizes if b > 1]
    if not sizes:
        raise _NotApplicableError("no batch size above 1 in batch_sizes")
    rng = context.rng(2)
    for batch_size in sizes:
        inputs = context.make_inputs(rng, batch_size)
        together = _layer_values(layer, inputs)
        for element in range(batch_size):
            alone = _layer_values(layer, _split(inputs, batch_size, element))
            for index, (a, b) in enumerate(zip(together, alone)):
                a, b = a[..., element], b[..., 0]
                if a.shape != b.shape or not np.allclose(
                    a, b, atol=context.atol, rtol=context.rtol
                ):
                    difference = np.max(np.abs(a - b)) if a.shape == b.shape else "shape"
                    raise AssertionError(
                        f"test mode: batch element {element} of a batch of {batch_size} differs "
                        f"from the same input alone in output {index}: max |difference| "
                        f"{difference} (atol={context.atol:g}, rtol={context.rtol:g}); the layer "
                        f"mixes batch elements"
                    )
    details.append(f"batch sizes {sizes} equal their elements run alone")


def _layer_determinism_and_dropout(context, details):
    rng = context.rng(3)
    inputs = context.make_inputs(rng, max(context.batch_sizes))
    subjects = [("make_layer", context.make)]
    if context.make_dropout is not None:
        subjects.append(("make_dropout_layer", context.make_dropout))
    for label, make in subjects:
        layer, _ = context.build(make)
        first, second = _layer_values(layer, inputs), _layer_values(layer, inputs)
        difference, index = _max_difference(first, second)
        if difference != 0.0:
            raise AssertionError(
                f"test mode is not deterministic ({label}'s layer): two graphs gave outputs "
                f"differing by {difference:.6g} in output {index}; test mode must not apply "
                f"dropout or other randomness"
            )
    details.append("test mode: identical results in two graphs")
    make = context.make_dropout or context.make
    label = "make_dropout_layer" if context.make_dropout is not None else "make_layer"
    layer, _ = context.build(make)
    probe = _tile(context.make_inputs(rng, 1), _DROPOUT_PROBE_BATCH)
    first = _layer_values(layer, probe, test=False)
    second = _layer_values(layer, probe, test=False)
    if _max_difference(first, second)[0] == 0.0:
        if context.make_dropout is not None:
            raise AssertionError(
                "the layer from make_dropout_layer applies no dropout in training mode: "
                "init(test=False) gave the same outputs in two graphs"
            )
        details.append("training mode is deterministic (no dropout): mask checks not run")
        return
    if all(np.all(v == v[..., :1]) for v in first):
        raise AssertionError(
            f"training mode ({label}): the same dropout mask is used for every batch element: "
            f"{_DROPOUT_PROBE_BATCH} identical batch elements gave identical outputs"
        )
    details.append(f"training mode ({label}): one mask per batch element, new masks per graph")


def _layer_gradients(context, details):
    layer, pc = context.build()
    rng = context.rng(4)
    inputs = context.make_inputs(rng, max(context.batch_sizes))
    positions = [i for i, value in enumerate(inputs) if _is_float_array(value)]
    items = OrderedDict((f"input {i}", inputs[i]) for i in positions)
    parameters = _trainable(layer)
    for path, param in parameters:
        items[path] = param
    weights: Dict = {}
    weight_rng = context.rng(5)

    def loss(*expressions):
        layer.init(test=True, update=True)
        arguments = list(inputs)
        for position, expression in zip(positions, expressions):
            arguments[position] = expression
        return _projection_loss(_flatten_outputs(layer(*arguments)), weights, weight_rng)

    if not items:
        raise _NotApplicableError("no float inputs and no parameters")
    result = gradcheck(
        loss,
        items,
        eps=context.grad_eps,
        rtol=context.grad_rtol,
        atol=context.grad_atol,
        samples=context.samples,
        batched=True,
        seed=context.seed,
    )
    details.append(
        f"finite differences: {result.num_entries} entries of {_count(len(positions), 'input')} "
        f"and {_count(len(parameters), 'parameter')} agree (eps={context.grad_eps:g}, "
        f"rtol={context.grad_rtol:g}, atol={context.grad_atol:g}; max |error| "
        f"{result.max_abs_error:.2e})"
    )
    _gradient_flow(context, details, _layer_training_loss, context.make_dropout or context.make)


def _layer_training_loss(context, layer, rng, weights, weight_rng):
    inputs = context.make_inputs(rng, max(context.batch_sizes))
    outputs = _flatten_outputs(layer(*_to_arguments(inputs)))
    return _projection_loss(outputs, weights, weight_rng)


def _layer_save_load(context, details):
    inputs = context.make_inputs(context.rng(9), max(context.batch_sizes))
    _save_load(context, details, lambda layer: [_layer_values(layer, inputs)])


def _layer_graph_guard(context, details):
    layer, _ = context.build()
    inputs = context.make_inputs(context.rng(10), 1)
    problems = []
    dy.renew_cg()
    call = lambda: layer(*_to_arguments(inputs))  # noqa: E731
    _guard_probe(call, "layer(...) before the first init()", problems)
    _call_layer(layer, inputs)
    dy.renew_cg()
    _guard_probe(call, "layer(...) in a graph where the layer was not initialised", problems)
    if problems:
        raise AssertionError("\n".join(problems))
    layer.init(test=True, update=False)
    if not _flatten_outputs(call()):
        raise AssertionError("the layer returned no dy.Expression after init() in a new graph")
    details.append(
        "LayerNotInitializedError before the first init() and in a new graph; works after init()"
    )
