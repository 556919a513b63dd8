r"""Finite-difference gradient checks for DyNet computations, in float32.

:func:`gradcheck` compares the gradient DyNet computes by back-propagation with a central
finite difference of the same scalar loss, entry by entry:

.. math::

    \hat g_i = \frac{L(\theta + \epsilon e_i) - L(\theta - \epsilon e_i)}{2 \epsilon},
    \qquad |g_i - \hat g_i| \le \mathrm{atol} + \mathrm{rtol} \cdot \max(|g_i|, |\hat g_i|)

DyNet computes in float32, so the step cannot be tiny: the rounding error of the loss (about
:math:`10^{-7} |L|`) is divided by :math:`2\epsilon`, while the truncation error of the central
difference grows as :math:`\epsilon^2`. The defaults (:math:`\epsilon = 10^{-2}`,
``rtol=1e-2``, ``atol=1e-3``) work for smooth losses of order one built from smooth functions
(``tanh``, ``logistic``, products, affine maps): they leave room for both errors and still catch
a gradient that is missing or wrong by more than a percent. Non-differentiable points
(``relu`` at 0, ``max`` with ties) can make single entries fail: move the inputs away from them or
use a smooth activation in the check. The step actually taken is recomputed from the float32
values (``x + eps`` is rounded when it is stored), so the quotient uses the true step.

Example:
    >>> import dynet as dy
    >>> import numpy as np
    >>> pc = dy.ParameterCollection()
    >>> W = pc.add_parameters((2, 3))
    >>> def loss(x):
    ...     return dy.sum_elems(dy.tanh(W.expr(True) * x))
    >>> result = gradcheck(loss, {"x": np.array([0.1, -0.2, 0.3]), "W": W})
    >>> [row.name for row in result.rows]
    ['x', 'W']
    >>> result.max_abs_error < 1e-3
    True
"""

from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Callable, List, Mapping, Optional, Sequence, Tuple, Union

import dynet as dy
import numpy as np

from ..util import batched_input

__all__ = ["gradcheck", "GradcheckResult", "GradcheckRow", "DEFAULT_EPS", "DEFAULT_RTOL"]

#: Default finite-difference step (float32 computations).
DEFAULT_EPS = 1e-2
#: Default relative tolerance of :func:`gradcheck`.
DEFAULT_RTOL = 1e-2
#: Default absolute tolerance of :func:`gradcheck`.
DEFAULT_ATOL = 1e-3

Checked = Union[np.ndarray, dy.Parameters, dy.LookupParameters]


@dataclass
class GradcheckRow:
    """The outcome of the check of one input or parameter.

    Attributes:
        name: Name of the input or parameter.
        kind: ``"input"``, ``"parameter"`` or ``"lookup parameter"``.
        entries: Indices of the checked entries.
        analytic: Back-propagated gradient at those entries.
        numerical: Finite-difference gradient at those entries.
    """

    name: str
    kind: str
    entries: List[Tuple[int, ...]]
    analytic: np.ndarray
    numerical: np.ndarray

    @property
    def abs_errors(self) -> np.ndarray:
        return np.abs(self.analytic - self.numerical)


@dataclass
class GradcheckResult:
    """What :func:`gradcheck` compared; ``rows`` has one :class:`GradcheckRow` per tensor."""

    rows: List[GradcheckRow] = field(default_factory=list)
    eps: float = DEFAULT_EPS
    rtol: float = DEFAULT_RTOL
    atol: float = DEFAULT_ATOL
    loss: float = 0.0

    @property
    def num_entries(self) -> int:
        """Total number of entries compared."""
        return sum(len(row.entries) for row in self.rows)

    @property
    def max_abs_error(self) -> float:
        """Largest ``|analytic - numerical|`` over all compared entries."""
        return max((float(row.abs_errors.max()) for row in self.rows if row.entries), default=0.0)

    def __str__(self) -> str:
        lines = [
            f"gradcheck: {self.num_entries} entries, eps={self.eps:g}, rtol={self.rtol:g}, "
            f"atol={self.atol:g}, max |error| {self.max_abs_error:.2e}"
        ]
        for row in self.rows:
            error = float(row.abs_errors.max()) if row.entries else 0.0
            lines.append(
                f"  {row.kind} {row.name}: {len(row.entries)} entries, max |error| {error:.2e}"
            )
        return "\n".join(lines)


def gradcheck(
    f: Callable[..., dy.Expression],
    params_or_inputs: Union[Mapping[str, Checked], Sequence[Checked]],
    *,
    eps: float = DEFAULT_EPS,
    rtol: float = DEFAULT_RTOL,
    atol: float = DEFAULT_ATOL,
    samples: Optional[int] = None,
    batched: bool = False,
    seed: int = 0,
    raise_on_failure: bool = True,
) -> GradcheckResult:
    """Check the gradient of a scalar loss by central finite differences.

    ``f`` is called once per evaluation, each time in a new computation graph (``dy.renew_cg()``
    is called before), with one expression per numpy array of ``params_or_inputs``, in order. It
    must build and return the loss; if it uses dynn layers, it initialises them itself
    (``layer.init(test=True, update=True)``: parameters must be trainable, and training-mode
    randomness would make the finite differences meaningless). A loss with a batch dimension is
    summed over the batch.

    Args:
        f: Builds the loss from the input expressions.
        params_or_inputs: What to differentiate with respect to, as a list or a ``{name: item}``
            mapping. A numpy array is an input (``dy.inputTensor``; with ``batched=True`` its last
            axis is the batch axis); a ``dy.Parameters`` or ``dy.LookupParameters`` is a
            parameter that ``f`` uses. Parameters are restored to their exact values afterwards.
        eps: Finite-difference step.
        rtol: Relative tolerance (see the module docstring).
        atol: Absolute tolerance.
        samples: Check at most this many entries per tensor, drawn at random (``None``: all).
            For lookup parameters the entries are drawn from the rows that received a gradient.
        batched: Whether the arrays' last axis is a batch axis.
        seed: Seed of the random choice of entries.
        raise_on_failure: Raise :class:`AssertionError` on a mismatch (else only report it).

    Returns:
        A :class:`GradcheckResult` with the compared values.

    Raises:
        AssertionError: An entry's gradients differ beyond the tolerance; the message names the
            tensor and the entry and shows both values.
        ValueError: ``f`` does not return a scalar expression.
    """
    if isinstance(params_or_inputs, Mapping):
        items = list(params_or_inputs.items())
    else:
        items = [(_default_name(index, item), item) for index, item in enumerate(params_or_inputs)]
    for name, item in items:
        if not isinstance(item, (np.ndarray, dy.Parameters, dy.LookupParameters)):
            raise TypeError(
                f"gradcheck: '{name}' must be a numpy array, a dy.Parameters or a "
                f"dy.LookupParameters, got {type(item).__name__}"
            )
    arrays = OrderedDict(
        (name, np.array(item, dtype=np.float32))
        for name, item in items
        if isinstance(item, np.ndarray)
    )
    params = [(name, item) for name, item in items if not isinstance(item, np.ndarray)]
    rng = np.random.RandomState(seed)

    def evaluate(backward: bool = False):
        dy.renew_cg()
        expressions = [_to_expression(value, batched) for value in arrays.values()]
        loss = f(*expressions)
        if not isinstance(loss, dy.Expression):
            raise ValueError(f"gradcheck: f must return a dy.Expression, got {type(loss).__name__}")
        shape, batch_size = loss.dim()
        if int(np.prod(shape)) != 1:
            raise ValueError(f"gradcheck: f must return a scalar loss, got dimension {shape}")
        if batch_size > 1:
            loss = dy.sum_batches(loss)
        value = float(loss.scalar_value())
        if backward:
            loss.backward(full=True)
            return value, [e.gradient() for e in expressions]
        return value, None

    saved = {name: param.as_array().copy() for name, param in params}
    try:
        for _, param in params:
            param.scale_gradient(0.0)
        loss_value, input_grads = evaluate(backward=True)
        param_grads = {name: np.array(param.grad_as_array()) for name, param in params}
        result = GradcheckResult(eps=eps, rtol=rtol, atol=atol, loss=loss_value)
        for (name, value), grad in zip(arrays.items(), input_grads):
            grad = np.asarray(grad).reshape(value.shape)
            result.rows.append(_check_input(name, arrays, value, grad, evaluate, eps, samples, rng))
        for name, param in params:
            grad = param_grads[name].reshape(saved[name].shape)
            result.rows.append(
                _check_parameter(name, param, saved[name], grad, evaluate, eps, samples, rng)
            )
    finally:
        for name, param in params:
            _set(param, saved[name])
            param.scale_gradient(0.0)
    failure = _first_failure(result)
    if failure and raise_on_failure:
        raise AssertionError(failure)
    return result


def _default_name(index: int, item) -> str:
    if isinstance(item, (dy.Parameters, dy.LookupParameters)):
        return item.name()
    return f"input {index}"


def _to_expression(value: np.ndarray, batched: bool) -> dy.Expression:
    return batched_input(value) if batched else dy.inputTensor(value)


def _sample(candidates: List[Tuple[int, ...]], samples, rng) -> List[Tuple[int, ...]]:
    if samples is None or len(candidates) <= samples:
        return candidates
    chosen = rng.choice(len(candidates), size=samples, replace=False)
    return [candidates[i] for i in sorted(chosen)]


def _all_entries(shape) -> List[Tuple[int, ...]]:
    return [tuple(int(i) for i in index) for index in np.ndindex(*shape)]


def _check_input(name, arrays, value, grad, evaluate, eps, samples, rng) -> GradcheckRow:
    entries = _sample(_all_entries(value.shape), samples, rng)
    numerical = []
    for index in entries:
        original = value[index]
        plus, minus = np.float32(original + eps), np.float32(original - eps)
        value[index] = plus
        loss_plus, _ = evaluate()
        value[index] = minus
        loss_minus, _ = evaluate()
        value[index] = original
        numerical.append((loss_plus - loss_minus) / (float(plus) - float(minus)))
    analytic = np.array([grad[index] for index in entries], dtype=float)
    return GradcheckRow(name, "input", entries, analytic, np.array(numerical))


def _check_parameter(name, param, saved, grad, evaluate, eps, samples, rng) -> GradcheckRow:
    lookup = isinstance(param, dy.LookupParameters)
    candidates = _all_entries(saved.shape)
    if lookup:
        used_rows = {i for i in range(saved.shape[0]) if np.any(grad[i] != 0)}
        if used_rows:
            candidates = [index for index in candidates if index[0] in used_rows]
    entries = _sample(candidates, samples, rng)
    work = saved.copy()
    numerical = []
    for index in entries:
        original = work[index]
        plus, minus = np.float32(original + eps), np.float32(original - eps)
        work[index] = plus
        _set(param, work, index[0] if lookup else None)
        loss_plus, _ = evaluate()
        work[index] = minus
        _set(param, work, index[0] if lookup else None)
        loss_minus, _ = evaluate()
        work[index] = original
        _set(param, work, index[0] if lookup else None)
        numerical.append((loss_plus - loss_minus) / (float(plus) - float(minus)))
    analytic = np.array([grad[index] for index in entries], dtype=float)
    kind = "lookup parameter" if lookup else "parameter"
    return GradcheckRow(name, kind, entries, analytic, np.array(numerical))


def _set(param, values: np.ndarray, row: Optional[int] = None) -> None:
    if isinstance(param, dy.LookupParameters):
        if row is None:
            param.init_from_array(values)
        else:
            param.init_row(row, values[row])
    else:
        param.set_value(values)


def _first_failure(result: GradcheckResult) -> Optional[str]:
    problems = []
    for row in result.rows:
        scale = np.maximum(np.abs(row.analytic), np.abs(row.numerical))
        bad = np.nonzero(row.abs_errors > result.atol + result.rtol * scale)[0]
        if len(bad) == 0:
            continue
        worst = bad[np.argmax(row.abs_errors[bad])]
        all_zero = not np.any(row.analytic != 0) and np.any(np.abs(row.numerical) > result.atol)
        hint = (
            " (the back-propagated gradient is zero everywhere: is the gradient cut, e.g. by "
            "dy.nobackprop, or a constant param.expr() used?)"
            if all_zero
            else ""
        )
        problems.append(
            f"{row.kind} '{row.name}': {len(bad)} of {len(row.entries)} entries differ; "
            f"worst at {row.entries[worst]}: analytic {row.analytic[worst]:.6g}, numerical "
            f"{row.numerical[worst]:.6g}{hint}"
        )
    if not problems:
        return None
    return (
        f"gradient mismatch (central differences, eps={result.eps:g}, rtol={result.rtol:g}, "
        f"atol={result.atol:g}):\n  " + "\n  ".join(problems)
    )
