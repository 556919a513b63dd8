"""Optimizers with the update rules of DyNet's trainers, and a state that saves and restores.

DyNet's trainers (``dy.SimpleSGDTrainer``, ``dy.AdamTrainer``...) keep their moments inside C++
and cannot export them, so a run that stops cannot resume where it was. The optimizers here apply
the same update rules, in float32 and in the same order of operations (including the fused
multiply-adds DyNet is compiled with), on the gradients DyNet computed, and expose their whole
state as a dictionary of numpy arrays and scalars (:meth:`Optimizer.state_dict` /
:meth:`Optimizer.load_state_dict`). After ``N`` updates the parameters match those of the
corresponding DyNet trainer to float32 rounding (bit for bit for momentum SGD without clipping;
DyNet's vectorised square roots and its summation order of the gradient norm differ from numpy's
in the last bit). :class:`SGD`, which has no state, simply drives DyNet's own trainer.

What they share with DyNet's trainers (``dynet/training.cc``):

* **Gradient clipping by global norm**, on by default with threshold 5: if the L2 norm
  :math:`\\lVert g \\rVert` of *all* gradients of the collection exceeds the threshold
  :math:`c`, every gradient is scaled by :math:`s = c / \\lVert g \\rVert` (otherwise
  :math:`s = 1`). A threshold :math:`\\le 0` disables clipping.
* **Which parameters move**: every parameter of the collection (including sub-collections)
  whose ``is_updated()`` is true, on every :meth:`~Optimizer.update`, even if its gradient is
  zero (momentum and Adam still move it); its gradient is then reset to zero.
* **Sparse updates of lookup parameters** (``sparse_updates=True``, DyNet's default): only the
  rows of a ``dy.LookupParameters`` that received a gradient are updated; the moments of the other
  rows stay as they are (no decay). DyNet tracks the rows *looked up* since the last update; the
  numpy optimizers select the rows whose gradient is not exactly zero, which is the same set
  unless a looked-up row receives an exactly-zero gradient, or the whole matrix was used as an
  expression (then DyNet updates every row). With ``sparse_updates=False`` every row is updated,
  as ``trainer.set_sparse_updates(False)`` does.
* **Learning rate**: a plain attribute ``learning_rate`` that a schedule may change between
  updates (DyNet's ``update_epoch`` learning-rate decay is deprecated and does nothing; its
  message asks to set ``learning_rate`` instead).
* **restart()** zeroes the moments (and optionally sets the learning rate) but, as in DyNet, does
  not reset the update count that Adam's bias correction uses.

Differences, on purpose:

* A NaN or infinite gradient norm raises :class:`NonFiniteGradientError` before any parameter is
  changed, with or without clipping (DyNet raises only when clipping is on, and applies NaNs
  otherwise; :class:`SGD` behaves as DyNet).
* DyNet's L2 weight decay (``pc.set_weight_decay``) is not implemented: :meth:`~Optimizer.update`
  refuses a collection with a non-zero weight decay. Exponential moving averages of the weights
  (DyNet's EMA) are not implemented.

Cost: DyNet's Python binding copies parameters and gradients through Python lists (about 50 ns
per number), which would cost more than the update itself. :class:`MomentumSGD`, :class:`Adagrad`
and :class:`Adam` therefore work in place on numpy views of DyNet's own buffers
(:mod:`dynn._dynet_memory`; each view is checked against the binding's copy before it is first
used). Measured on a model with 350k dense parameters and a 20,000 x 64 embedding table (286 rows
looked up): Adam takes 11 ms per update (DyNet's ``AdamTrainer``: 0.5 ms; through the binding's
copies: 330 ms). Where no view can be made (another DyNet build, parameters of more than two
dimensions), or with ``dynn.optimizers.DIRECT_MEMORY = False``, the copies are used, transferring
only the changed rows of lookup parameters.

The state is keyed by DyNet parameter names (``p.name()``, e.g. ``/lstm/W``), which are the same
when a model is rebuilt in the same order. Array keys are ``<slot><parameter name>`` (``m/lstm/W``
for Adam's first moment of ``/lstm/W``); scalars are plain Python values, so the dictionary saves
to ``.npz`` + JSON without pickling.

Example:
    >>> import dynet as dy
    >>> from dynn.optimizers import Adam
    >>> pc = dy.ParameterCollection()
    >>> w = pc.add_parameters((2,), init=dy.ConstInitializer(1.0))
    >>> opt = Adam(pc, alpha=0.1)
    >>> def step():
    ...     cg = dy.renew_cg()
    ...     dy.squared_norm(w.expr(True)).backward()
    ...     opt.update()
    >>> step(); step()
    >>> state = opt.state_dict()
    >>> sorted(state)[:4]
    ['alpha', 'beta_1', 'beta_2', 'clip_threshold']
    >>> resumed = Adam(pc)
    >>> resumed.load_state_dict(state)
    >>> resumed.updates, resumed.learning_rate
    (2, 0.1)
"""

import math
from typing import Dict, Iterable, List, Optional, Tuple, Union

import dynet as dy
import numpy as np

from . import _dynet_memory
from .registry import register

__all__ = [
    "Optimizer",
    "SGD",
    "MomentumSGD",
    "Adagrad",
    "Adam",
    "NonFiniteGradientError",
]

AnyParameters = Union[dy.Parameters, dy.LookupParameters]
_F32 = np.float32


class NonFiniteGradientError(FloatingPointError):
    """The global gradient norm is NaN or infinite; no parameter was updated."""


def _f32(value) -> np.float32:
    return _F32(value)


def _global_norm(grads: Iterable[np.ndarray]) -> float:
    total = 0.0
    for grad in grads:
        flat = grad.ravel()
        total += float(np.dot(flat, flat))
    return math.sqrt(total)


#: Update parameters in place through numpy views of DyNet's memory when they can be found and
#: checked (see :mod:`dynn._dynet_memory`); ``False`` copies through DyNet's Python binding.
DIRECT_MEMORY = True


def _fma(a, b, c) -> np.ndarray:
    """``a * b + c`` in float32 with one rounding, as the fused multiply-add DyNet is built with.

    The product of two float32 numbers is exact in float64, so computing in float64 and rounding
    once to float32 reproduces the fused result (up to a rare double rounding).
    """
    return (np.asarray(a, np.float64) * np.asarray(b, np.float64) + c).astype(_F32)


class _Hyperparameter:
    """A float attribute checked when set (a number, finite, in range), stored as ``_<name>``."""

    def __init__(self, minimum=None, below=None, doc: str = ""):
        self.minimum, self.below, self.__doc__ = minimum, below, doc

    def __set_name__(self, owner, name):
        self.name = name

    def __get__(self, optimizer, owner=None):
        if optimizer is None:
            return self
        return getattr(optimizer, f"_{self.name}")

    def __set__(self, optimizer, value) -> None:
        checked = optimizer._check_scalar(self.name, value, self.minimum, self.below)
        setattr(optimizer, f"_{self.name}", checked)


class Optimizer:
    """Base class: gradient clipping, sparse lookup updates, state saving.

    Subclasses declare ``_slots`` (per-parameter state arrays), ``_hyperparameters`` (scalar
    attributes saved with the state) and implement :meth:`_rule`.

    Args:
        pc: The collection whose parameters (and lookup parameters) are trained, sub-collections
            included.
        learning_rate: The learning rate (non-negative).
        clip_threshold: Threshold of the global gradient norm above which gradients are scaled
            down to it; ``<= 0`` disables clipping. DyNet's default is 5.
        sparse_updates: Update only the rows of lookup parameters that received a gradient.

    Attributes:
        updates (int): Number of updates applied so far.
    """

    _slots: Tuple[str, ...] = ()
    _hyperparameters: Tuple[str, ...] = ()
    _learning_rate_argument = "learning_rate"

    def __init__(
        self,
        pc: dy.ParameterCollection,
        learning_rate: float,
        clip_threshold: float = 5.0,
        sparse_updates: bool = True,
    ):
        if not isinstance(pc, dy.ParameterCollection):
            raise TypeError(
                f"{type(self).__name__}: pc must be a dy.ParameterCollection, "
                f"got {type(pc).__name__}"
            )
        self.pc = pc
        self.learning_rate = learning_rate
        self.clip_threshold = clip_threshold
        self.sparse_updates = bool(sparse_updates)
        self.updates = 0
        self._state: Dict[str, Dict[str, np.ndarray]] = {}
        self._views: Dict[str, Optional[_dynet_memory.ParameterViews]] = {}

    # Attributes -------------------------------------------------------------------------------
    @property
    def learning_rate(self) -> float:
        """The learning rate; may be changed between updates (a schedule)."""
        return self._learning_rate

    @learning_rate.setter
    def learning_rate(self, value: float) -> None:
        self._learning_rate = self._check_scalar(self._learning_rate_argument, value, minimum=0.0)

    clip_threshold = _Hyperparameter(
        doc="Gradient clipping threshold (global L2 norm); ``<= 0`` means no clipping."
    )

    def _check_scalar(self, name, value, minimum=None, below=None) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float, np.floating, np.integer)):
            raise TypeError(f"{type(self).__name__}: {name} must be a number, got {value!r}")
        value = float(value)
        if not math.isfinite(value):
            raise ValueError(f"{type(self).__name__}: {name} must be finite, got {value!r}")
        if minimum is not None and value < minimum:
            raise ValueError(f"{type(self).__name__}: {name} must be >= {minimum}, got {value!r}")
        if below is not None and value >= below:
            raise ValueError(f"{type(self).__name__}: {name} must be < {below}, got {value!r}")
        return value

    def __repr__(self) -> str:
        arguments = ", ".join(
            f"{name}={getattr(self, name)!r}"
            for name in (self._learning_rate_argument, *self._hyperparameters)
        )
        return f"{type(self).__name__}({arguments}, clip_threshold={self.clip_threshold!r})"

    # Updates ----------------------------------------------------------------------------------
    def _all_parameters(self) -> List[AnyParameters]:
        return list(self.pc.parameters_list()) + list(self.pc.lookup_parameters_list())

    def _check_weight_decay(self) -> None:
        if self.pc.get_weight_decay() != 0.0:
            raise NotImplementedError(
                f"{type(self).__name__}: DyNet's L2 weight decay (pc.set_weight_decay) is not "
                f"supported by dynn optimizers; set it to 0"
            )

    def gradient_norm(self) -> float:
        """The global L2 norm of the gradients of all parameters of the collection."""
        return _global_norm(param.grad_as_array() for param in self._all_parameters())

    def _gradient_scale(self, norm: float) -> np.float32:
        if not math.isfinite(norm):
            raise NonFiniteGradientError(
                f"{type(self).__name__}: the gradient norm is {norm} (a NaN or infinite loss or "
                f"gradient); no parameter was updated"
            )
        if self.clip_threshold > 0 and norm > self.clip_threshold:
            return _f32(self.clip_threshold) / _f32(norm)
        return _f32(1.0)

    def update(self) -> None:
        """Apply the gradients of all parameters of the collection, then reset them to zero.

        Raises:
            NonFiniteGradientError: the gradients contain NaN or infinite values (nothing is
                changed).
            NotImplementedError: the collection has a non-zero L2 weight decay.
        """
        self._check_weight_decay()
        params = self._all_parameters()
        access = [self._views_of(param) for param in params]
        grads = [
            np.asarray(param.grad_as_array(), dtype=_F32) if views is None else views.gradients
            for param, views in zip(params, access)
        ]
        gscale = self._gradient_scale(_global_norm(grads))
        updated = []
        for param, views, grad in zip(params, access, grads):
            if param.is_updated():
                self._update_parameter(param, grad, gscale, views)
                updated.append(param)
        self.clear_gradients(updated)
        self.updates += 1

    def _views_of(self, param: AnyParameters) -> Optional[_dynet_memory.ParameterViews]:
        if not DIRECT_MEMORY:
            return None
        name = param.name()
        if name not in self._views:
            self._views[name] = _dynet_memory.views(param)
        return self._views[name]

    def _slots_of(self, param: AnyParameters) -> Dict[str, np.ndarray]:
        shape = tuple(param.shape())
        state = self._state.get(param.name())
        if state is None or any(array.shape != shape for array in state.values()):
            state = self._state[param.name()] = {
                slot: np.zeros(shape, dtype=_F32) for slot in self._slots
            }
        return state

    def _update_parameter(self, param: AnyParameters, grad: np.ndarray, gscale, views) -> None:
        state = self._slots_of(param)
        if isinstance(param, dy.LookupParameters) and self.sparse_updates:
            self._update_rows(param, grad, gscale, views, state)
            return
        value = param.as_array().astype(_F32) if views is None else views.values
        value, new_state = self._rule(value, grad, state, gscale)
        state.update(new_state)
        if views is not None:
            views.values[...] = value
        elif isinstance(param, dy.LookupParameters):
            param.init_from_array(value)
        else:
            param.set_value(value)

    def _update_rows(self, param, grad, gscale, views, state) -> None:
        """Sparse update of the rows of a lookup parameter whose gradient is not zero."""
        rows = np.flatnonzero(grad.reshape(len(grad), -1).any(axis=1))
        if len(rows) == 0:
            return
        # Without direct views, DyNet's binding copies about 50 ns per number: when few rows
        # were looked up, transfer only those.
        few_rows = views is None and grad.ndim == 2 and 4 * len(rows) < len(grad)
        full_value = None
        if views is not None:
            value = views.values[rows]
        elif few_rows:
            value = np.asarray(param.rows_as_array(rows.tolist()), dtype=_F32)
            value = value.reshape(len(rows), -1)
        else:
            full_value = param.as_array().astype(_F32)
            value = full_value[rows]
        value, new_state = self._rule(
            value, grad[rows], {slot: array[rows] for slot, array in state.items()}, gscale
        )
        for slot, array in new_state.items():
            state[slot][rows] = array
        if views is not None:
            views.values[rows] = value
        elif few_rows:
            for row, row_value in zip(rows.tolist(), value):
                param.init_row(row, row_value.tolist())
        else:
            full_value[rows] = value
            param.init_from_array(full_value)

    def _rule(self, value, grad, state, gscale):
        """The update of one tensor: returns (new value, new state arrays), all float32."""
        raise NotImplementedError

    def clear_gradients(self, params=None) -> None:
        """Reset to zero the gradients of ``params`` (default: all parameters of the collection).

        Use it to discard the gradients after :class:`NonFiniteGradientError`. Through direct
        memory views (the default) NaN gradients are reset too; through DyNet's binding they can
        only be scaled, so a NaN stays NaN.
        """
        for param in self._all_parameters() if params is None else params:
            param.scale_gradient(0.0)
            views = self._views_of(param)
            if views is not None:
                views.gradients[...] = 0.0

    def restart(self, learning_rate: Optional[float] = None) -> None:
        """Zero the moments, and set the learning rate if given.

        As in DyNet, the update count (used by Adam's bias correction) is not reset.
        """
        if learning_rate is not None:
            self.learning_rate = learning_rate
        self._state = {}

    # State ------------------------------------------------------------------------------------
    def state_dict(self) -> Dict[str, Union[np.ndarray, float, int, bool, str]]:
        """The whole state: hyper-parameters and counters (Python scalars) and moments (arrays).

        Arrays are copies, keyed ``<slot><parameter name>``; only parameters updated at least
        once have moments.
        """
        state: Dict[str, Union[np.ndarray, float, int, bool, str]] = {
            "optimizer": type(self).__name__,
            self._learning_rate_argument: self.learning_rate,
            "clip_threshold": self.clip_threshold,
            "sparse_updates": self.sparse_updates,
            "updates": self.updates,
        }
        for name in self._hyperparameters:
            state[name] = float(getattr(self, name))
        for param_name, slots in self._state.items():
            for slot, array in slots.items():
                state[self._key(slot, param_name)] = array.copy()
        return state

    @staticmethod
    def _key(slot: str, param_name: str) -> str:
        return slot + param_name if param_name.startswith("/") else f"{slot}/{param_name}"

    def load_state_dict(self, state: Dict) -> None:
        """Restore a state produced by :meth:`state_dict` of the same optimizer class.

        Parameters of the collection absent from ``state`` start with zero moments.

        Raises:
            ValueError: another optimizer's state, missing scalars, moments of parameters that
                are not in the collection, or of the wrong shape (every problem is listed).
        """
        where = type(self).__name__
        kind = state.get("optimizer")
        if kind != where:
            raise ValueError(f"{where}.load_state_dict: this is the state of {kind!r}")
        scalars = (
            self._learning_rate_argument,
            "clip_threshold",
            "sparse_updates",
            "updates",
            *self._hyperparameters,
        )
        missing = [name for name in scalars if name not in state]
        if missing:
            raise ValueError(f"{where}.load_state_dict: missing {', '.join(missing)}")
        shapes = {p.name(): tuple(p.shape()) for p in self._all_parameters()}
        problems, moments = [], {}
        for key, value in state.items():
            if key in scalars or key == "optimizer":
                continue
            slot, _, rest = key.partition("/")
            param_name = "/" + rest
            if slot not in self._slots or not rest:
                problems.append(f"unknown entry {key!r}")
            elif param_name not in shapes:
                problems.append(f"{key!r}: no parameter {param_name!r} in the collection")
            elif tuple(np.shape(value)) != shapes[param_name]:
                problems.append(
                    f"{key!r}: shape {tuple(np.shape(value))}, parameter has {shapes[param_name]}"
                )
            else:
                moments.setdefault(param_name, {})[slot] = np.array(value, dtype=_F32)
        for param_name, slots in moments.items():
            absent = [s for s in self._slots if s not in slots]
            if absent:
                problems.append(f"{param_name!r}: missing {', '.join(absent)}")
        if problems:
            raise ValueError(f"{where}.load_state_dict:\n  " + "\n  ".join(problems))
        self.learning_rate = state[self._learning_rate_argument]
        self.clip_threshold = state["clip_threshold"]
        self.sparse_updates = bool(state["sparse_updates"])
        self.updates = int(state["updates"])
        for name in self._hyperparameters:
            setattr(self, name, state[name])
        self._state = moments


@register
class SGD(Optimizer):
    """Stochastic gradient descent, as ``dy.SimpleSGDTrainer``.

    .. math::

        \\theta \\leftarrow \\theta - \\eta \\, s \\, g

    with :math:`s` the clipping scale (see :mod:`dynn.optimizers`).

    Args:
        pc: The collection to train.
        learning_rate: :math:`\\eta`.
        clip_threshold: Global-norm clipping threshold (``<= 0``: none).
        sparse_updates: Update only the looked-up rows of lookup parameters.

    Example:
        >>> import dynet as dy
        >>> from dynn.optimizers import SGD
        >>> pc = dy.ParameterCollection()
        >>> w = pc.add_parameters((1,), init=dy.ConstInitializer(1.0))
        >>> opt = SGD(pc, learning_rate=0.25)
        >>> cg = dy.renew_cg()
        >>> (w.expr(True) * 2.0).backward()
        >>> opt.update()
        >>> w.as_array()
        array([0.5])
    """

    def __init__(
        self,
        pc: dy.ParameterCollection,
        learning_rate: float = 0.1,
        clip_threshold: float = 5.0,
        sparse_updates: bool = True,
    ):
        super().__init__(pc, learning_rate, clip_threshold, sparse_updates)
        self._trainer: Optional[dy.SimpleSGDTrainer] = None

    def update(self) -> None:
        """Apply the gradients with DyNet's own ``SimpleSGDTrainer``, then reset them to zero.

        SGD has no state besides its settings, so DyNet's trainer does the work (at native
        speed, with DyNet's exact arithmetic and its tracking of looked-up rows).

        Raises:
            NonFiniteGradientError: with clipping on, the gradients contain NaN or infinite
                values (nothing is changed). With clipping off, DyNet applies them.
            NotImplementedError: the collection has a non-zero L2 weight decay.
        """
        self._check_weight_decay()
        if self._trainer is None:
            self._trainer = dy.SimpleSGDTrainer(self.pc, learning_rate=self.learning_rate)
        self._trainer.learning_rate = self.learning_rate
        self._trainer.set_clip_threshold(self.clip_threshold)
        self._trainer.set_sparse_updates(self.sparse_updates)
        try:
            self._trainer.update()
        except RuntimeError as error:
            if "Magnitude of gradient is bad" not in str(error):
                raise
            raise NonFiniteGradientError(
                f"SGD: the gradient norm is not finite ({error}); no parameter was updated"
            ) from None
        self.updates += 1


@register
class MomentumSGD(Optimizer):
    """SGD with momentum, as ``dy.MomentumSGDTrainer``.

    .. math::

        v \\leftarrow \\mu v - \\eta \\, s \\, g, \\qquad \\theta \\leftarrow \\theta + v

    Args:
        pc: The collection to train.
        learning_rate: :math:`\\eta`.
        momentum: :math:`\\mu`, in :math:`[0, 1)`.
        clip_threshold: Global-norm clipping threshold (``<= 0``: none).
        sparse_updates: Update only the looked-up rows of lookup parameters.

    Example:
        >>> import dynet as dy
        >>> from dynn.optimizers import MomentumSGD
        >>> pc = dy.ParameterCollection()
        >>> w = pc.add_parameters((1,), init=dy.ConstInitializer(0.0))
        >>> opt = MomentumSGD(pc, learning_rate=1.0, momentum=0.5)
        >>> for _ in range(2):
        ...     cg = dy.renew_cg()
        ...     (w.expr(True) * -1.0).backward()
        ...     opt.update()
        >>> w.as_array()  # 1, then 1 + 0.5 * 1 + 1
        array([2.5])
    """

    _slots = ("velocity",)
    _hyperparameters = ("momentum",)

    def __init__(
        self,
        pc: dy.ParameterCollection,
        learning_rate: float = 0.01,
        momentum: float = 0.9,
        clip_threshold: float = 5.0,
        sparse_updates: bool = True,
    ):
        super().__init__(pc, learning_rate, clip_threshold, sparse_updates)
        self.momentum = momentum

    momentum = _Hyperparameter(minimum=0.0, below=1.0, doc="The momentum :math:`\\mu`.")

    def _rule(self, value, grad, state, gscale):
        step = _f32(self.learning_rate) * gscale
        velocity = _fma(grad, -step, state["velocity"] * _f32(self.momentum))
        return value + velocity, {"velocity": velocity}


@register
class Adagrad(Optimizer):
    """Adagrad, as ``dy.AdagradTrainer`` (note :math:`\\epsilon` inside the square root).

    .. math::

        G \\leftarrow G + (s g)^2, \\qquad
        \\theta \\leftarrow \\theta - \\eta \\frac{s g}{\\sqrt{G + \\epsilon}}

    Args:
        pc: The collection to train.
        learning_rate: :math:`\\eta`.
        eps: :math:`\\epsilon`.
        clip_threshold: Global-norm clipping threshold (``<= 0``: none).
        sparse_updates: Update only the looked-up rows of lookup parameters.

    Example:
        >>> import dynet as dy
        >>> from dynn.optimizers import Adagrad
        >>> pc = dy.ParameterCollection()
        >>> w = pc.add_parameters((1,), init=dy.ConstInitializer(1.0))
        >>> opt = Adagrad(pc, learning_rate=0.5)
        >>> cg = dy.renew_cg()
        >>> (w.expr(True) * 3.0).backward()
        >>> opt.update()
        >>> w.as_array()  # 1 - 0.5 * 3 / sqrt(9)
        array([0.5])
    """

    _slots = ("G",)
    _hyperparameters = ("eps",)

    def __init__(
        self,
        pc: dy.ParameterCollection,
        learning_rate: float = 0.1,
        eps: float = 1e-20,
        clip_threshold: float = 5.0,
        sparse_updates: bool = True,
    ):
        super().__init__(pc, learning_rate, clip_threshold, sparse_updates)
        self.eps = eps

    eps = _Hyperparameter(minimum=0.0, doc="The :math:`\\epsilon` added to the sum of squares.")

    def _rule(self, value, grad, state, gscale):
        grad = grad * gscale
        G = _fma(grad, grad, state["G"])
        return _fma(grad / np.sqrt(G + _f32(self.eps)), -_f32(self.learning_rate), value), {"G": G}


@register
class Adam(Optimizer):
    """Adam, as ``dy.AdamTrainer``.

    With :math:`t` the number of updates before this one and :math:`s` the clipping scale:

    .. math::

        m \\leftarrow \\beta_1 m + (1 - \\beta_1) s g, \\qquad
        v \\leftarrow \\beta_2 v + (1 - \\beta_2) (s g)^2, \\\\
        \\theta \\leftarrow \\theta - \\alpha
            \\frac{\\sqrt{1 - \\beta_2^{t+1}}}{1 - \\beta_1^{t+1}}
            \\frac{m}{\\sqrt{v} + \\epsilon}

    (DyNet's form of the bias correction: :math:`\\epsilon` is added to :math:`\\sqrt{v}`, not to
    the bias-corrected :math:`\\sqrt{\\hat v}`.) The update count :math:`t` is global: rows of a
    lookup parameter that are updated for the first time at step :math:`t` use it too.

    Args:
        pc: The collection to train.
        alpha: The learning rate :math:`\\alpha` (attribute ``learning_rate``).
        beta_1: :math:`\\beta_1`, in :math:`[0, 1)`.
        beta_2: :math:`\\beta_2`, in :math:`[0, 1)`.
        eps: :math:`\\epsilon`.
        clip_threshold: Global-norm clipping threshold (``<= 0``: none).
        sparse_updates: Update only the looked-up rows of lookup parameters.

    Example:
        >>> import dynet as dy
        >>> from dynn.optimizers import Adam
        >>> pc = dy.ParameterCollection()
        >>> w = pc.add_parameters((1,), init=dy.ConstInitializer(1.0))
        >>> opt = Adam(pc, alpha=0.1)
        >>> cg = dy.renew_cg()
        >>> (w.expr(True) * 3.0).backward()
        >>> opt.update()
        >>> w.as_array().round(6)  # the first step has size alpha whatever the gradient
        array([0.9])
    """

    _slots = ("m", "v")
    _hyperparameters = ("beta_1", "beta_2", "eps")
    _learning_rate_argument = "alpha"

    def __init__(
        self,
        pc: dy.ParameterCollection,
        alpha: float = 0.001,
        beta_1: float = 0.9,
        beta_2: float = 0.999,
        eps: float = 1e-8,
        clip_threshold: float = 5.0,
        sparse_updates: bool = True,
    ):
        super().__init__(pc, alpha, clip_threshold, sparse_updates)
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.eps = eps

    @property
    def alpha(self) -> float:
        """Same as :attr:`learning_rate`."""
        return self.learning_rate

    @alpha.setter
    def alpha(self, value: float) -> None:
        self.learning_rate = value

    beta_1 = _Hyperparameter(minimum=0.0, below=1.0, doc="Decay of the first moment.")

    beta_2 = _Hyperparameter(minimum=0.0, below=1.0, doc="Decay of the second moment.")

    eps = _Hyperparameter(minimum=0.0, doc="The :math:`\\epsilon` added to :math:`\\sqrt{v}`.")

    def _rule(self, value, grad, state, gscale):
        beta_1, beta_2 = _f32(self.beta_1), _f32(self.beta_2)
        grad = grad * gscale
        m = _fma(grad, _f32(1.0) - beta_1, state["m"] * beta_1)
        v = _fma(np.square(grad), _f32(1.0) - beta_2, state["v"] * beta_2)
        # As in DyNet: float parameters, pow/sqrt in double, the step size rounded to float.
        t = self.updates + 1
        lr_t = _f32(
            float(_f32(self.learning_rate))
            * math.sqrt(1.0 - float(beta_2) ** t)
            / (1.0 - float(beta_1) ** t)
        )
        return _fma(m / (np.sqrt(v) + _f32(self.eps)), -lr_t, value), {"m": m, "v": v}
