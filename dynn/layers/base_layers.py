"""Base classes of every dynn layer: modes, sublayers, named parameters and the graph guard.

A layer is built once, with its parameters; then, in every computation graph, it is initialised
with :meth:`BaseLayer.init` (which fixes the train/test and trainable/frozen modes and loads the
parameters into the graph as expressions) before being called.

Example:
    >>> import dynet as dy
    >>> import dynn
    >>> from dynn.layers.recurrent_layers import LSTM
    >>> pc = dy.ParameterCollection()
    >>> lstm = LSTM(pc, input_dim=3, hidden_dim=4)
    >>> dynn.new_graph(lstm, test=False, update=True)
    >>> h, c = lstm(dy.inputVector([1.0, 2.0, 3.0]), *lstm.initial_value())
    >>> h.dim()
    ((4,), 1)
"""

import functools
from collections import OrderedDict
from typing import Dict, Iterator, Optional, Tuple, Union

import dynet as dy

from .. import registry
from .._recording import recording_init

__all__ = [
    "BaseLayer",
    "ParametrizedLayer",
    "LayerNotInitializedError",
    "new_graph",
]

Dim = Union[int, Tuple[int, ...]]

# Methods whose use depends on the graph the layer was initialised in.
_GUARDED_METHODS = ("__call__", "initial_value", "step")

# The options of the graph created by the last new_graph() call, with its cg_version.
_graph_options: Dict[str, object] = {}


class LayerNotInitializedError(RuntimeError):
    """A layer was used in a computation graph it was not initialised in."""


def _graph_guarded(method):
    """Wrap ``method`` so that it refuses to run outside the graph the layer was initialised in.

    The check compares one integer. Argument-binding errors (wrong number of arguments) are
    reported with the layer's name and the expected signature.
    """

    @functools.wraps(method)
    def guarded(self, *args, **kwargs):
        if self._graph_version != dy.cg_version():
            self._raise_not_initialized(method.__name__)
        try:
            return method(self, *args, **kwargs)
        except LayerNotInitializedError:
            raise
        except TypeError as error:
            if error.__traceback__.tb_next is None:  # raised while binding the arguments
                raise TypeError(self._describe_bad_call(method, args, kwargs, error)) from None
            raise
        except (ValueError, RuntimeError) as error:
            message = self._diagnose_call(method.__name__, args, kwargs)
            if message is None:
                raise
            raise ValueError(message) from error

    guarded._dynn_graph_guarded = True
    return guarded


def _find_layers(value, path: str, found: Dict[str, "BaseLayer"]):
    if isinstance(value, BaseLayer):
        found[path] = value
    elif isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            _find_layers(item, f"{path}.{index}", found)
    elif isinstance(value, dict):
        for key, item in value.items():
            _find_layers(item, f"{path}.{key}", found)


class BaseLayer:
    """Base class of all layers.

    A layer holds its hyper-parameters and sublayers. In each computation graph it must be
    initialised with :meth:`init` before it is called; calling it in another graph raises
    :class:`LayerNotInitializedError`.

    Args:
        name: A short name for the layer (used in error messages and parameter names).

    Attributes:
        test (bool): Test mode (no dropout) if ``True``, training mode otherwise.
        update (bool): Whether the parameters receive gradients in this graph.
    """

    def __init__(self, name: str):
        if not isinstance(name, str) or not name:
            raise ValueError(
                f"{type(self).__name__}: name must be a non-empty string, got {name!r}"
            )
        self.name = name
        self.test = True
        self.update = False
        self._graph_version: Optional[int] = None

    def __init_subclass__(cls, register: bool = True, aliases: Tuple[str, ...] = (), **kwargs):
        super().__init_subclass__(**kwargs)
        for method_name in _GUARDED_METHODS:
            method = cls.__dict__.get(method_name)
            if method is not None and not getattr(method, "_dynn_graph_guarded", False):
                setattr(cls, method_name, _graph_guarded(method))
        if "__init__" in cls.__dict__:  # remember constructor arguments (dynn.config.dump)
            cls.__init__ = recording_init(cls.__init__)
        if register and not cls.__name__.startswith("_"):
            automatic = not cls.__module__.startswith("dynn.")
            registry.register(cls, aliases=aliases, kind="layer", automatic=automatic)

    # Modes ------------------------------------------------------------------------------------
    @property
    def sublayers(self) -> Dict[str, "BaseLayer"]:
        """Layers held by this layer's attributes, also inside lists, tuples and dicts.

        Keys are attribute paths (``"cells.0"`` for the first layer of the list ``self.cells``).
        """
        found: Dict[str, BaseLayer] = OrderedDict()
        for attribute, value in vars(self).items():
            if attribute.startswith("__"):
                continue
            _find_layers(value, attribute, found)
        return found

    def init(self, test: bool = True, update: bool = False) -> None:
        """Initialise the layer and all its sublayers for the current computation graph.

        Call it after every ``dy.renew_cg()`` (or use :func:`new_graph`).

        Args:
            test: Test mode (no dropout, deterministic). Defaults to inference.
            update: Whether parameters are trainable (receive gradients) in this graph.
        """
        self._init_recursive(bool(test), bool(update), set())

    def _init_recursive(self, test: bool, update: bool, visited: set) -> None:
        if id(self) in visited:
            return
        visited.add(id(self))
        for layer in self.sublayers.values():
            layer._init_recursive(test, update, visited)
        self.init_layer(test=test, update=update)

    def init_layer(self, test: bool = True, update: bool = False) -> None:
        """Initialise this layer only (not its sublayers) for the current graph.

        Subclasses that override it must call ``super().init_layer(test=test, update=update)``.
        """
        self.test = bool(test)
        self.update = bool(update)
        self._graph_version = dy.cg_version()

    @property
    def is_initialized(self) -> bool:
        """Whether the layer was initialised in the current computation graph."""
        return self._graph_version == dy.cg_version()

    def iter_parameters(self) -> Iterator[Tuple[str, Union[dy.Parameters, dy.LookupParameters]]]:
        """All parameters of this layer and its sublayers, as ``(path, parameter)`` pairs.

        A parameter shared by several layers appears once, under its first path.
        """
        seen = set()
        for path, param in _walk_parameters(self, ""):
            key = param.name()
            if key not in seen:
                seen.add(key)
                yield path, param

    # Arithmetic on layers (see dynn.layers.functional_layers) -------------------------------
    def __add__(self, other):
        """``self + other``: an ``AdditionLayer`` (numbers become a ``ConstantLayer``)."""
        from .functional_layers import AdditionLayer, _as_operand

        other = _as_operand(other)
        return NotImplemented if other is None else AdditionLayer(self, other)

    def __radd__(self, other):
        from .functional_layers import AdditionLayer, _as_operand

        other = _as_operand(other)
        return NotImplemented if other is None else AdditionLayer(other, self)

    def __sub__(self, other):
        """``self - other``: a ``SubstractionLayer`` (numbers become a ``ConstantLayer``)."""
        from .functional_layers import SubstractionLayer, _as_operand

        other = _as_operand(other)
        return NotImplemented if other is None else SubstractionLayer(self, other)

    def __rsub__(self, other):
        from .functional_layers import SubstractionLayer, _as_operand

        other = _as_operand(other)
        return NotImplemented if other is None else SubstractionLayer(other, self)

    def __neg__(self):
        """``-self``: a ``NegationLayer``."""
        from .functional_layers import NegationLayer

        return NegationLayer(self)

    # Errors -----------------------------------------------------------------------------------
    def __repr__(self) -> str:
        return f"{type(self).__name__}(name={self.name!r})"

    def _raise_not_initialized(self, method_name: str):
        if self._graph_version is None:
            problem = "was used before its first init()"
        else:
            problem = "was initialised in an earlier computation graph"
        raise LayerNotInitializedError(
            f"{type(self).__name__} '{self.name}' {problem}: call layer.init(test=..., "
            f"update=...) after dy.renew_cg(), or dynn.new_graph(layer, ...), before calling "
            f"{method_name}()"
        )

    def _describe_bad_call(self, method, args, kwargs, error) -> str:
        return f"{type(self).__name__} '{self.name}': {error}"

    def _diagnose_call(self, method_name: str, args, kwargs) -> Optional[str]:
        """Explain, in terms of this layer's arguments, why DyNet rejected a call.

        Returns ``None`` when the layer has no better explanation than DyNet's own message.
        """
        return None


class ParametrizedLayer(BaseLayer):
    """A layer with DyNet parameters, held in its own sub-collection of ``pc``.

    Parameters are declared in ``__init__`` with :meth:`add_parameters` /
    :meth:`add_lookup_parameters`, each under a name. At :meth:`init`, each parameter ``W``
    becomes the attribute ``self.W``: an expression in the current graph, trainable if and only
    if ``update=True``. Lookup parameters are kept as ``dy.LookupParameters`` (use them with
    ``dy.lookup_batch(self.E, ids, update=self.update)``).

    Args:
        pc: The collection in which the layer's sub-collection is created.
        name: The layer's name, also the name of its sub-collection.
    """

    def __init__(self, pc: dy.ParameterCollection, name: str):
        super().__init__(name)
        if not isinstance(pc, dy.ParameterCollection):
            raise TypeError(
                f"{type(self).__name__} '{name}': pc must be a dy.ParameterCollection, "
                f"got {type(pc).__name__}"
            )
        self.pc = pc.add_subcollection(name)
        self._parameters: Dict[str, dy.Parameters] = OrderedDict()
        self._lookup_parameters: Dict[str, dy.LookupParameters] = OrderedDict()

    @property
    def parameters(self) -> Dict[str, dy.Parameters]:
        """This layer's own parameters (not its sublayers'), by name."""
        return OrderedDict(self._parameters)

    @property
    def lookup_parameters(self) -> Dict[str, dy.LookupParameters]:
        """This layer's own lookup parameters (not its sublayers'), by name."""
        return OrderedDict(self._lookup_parameters)

    def add_parameters(
        self,
        name: str,
        dim: Dim,
        param: Optional[dy.Parameters] = None,
        init=None,
        device: str = "",
    ) -> dy.Parameters:
        """Declare a parameter ``name`` of shape ``dim``, or share the existing ``param``.

        Args:
            name: Attribute name of the parameter's expression after :meth:`init`.
            dim: Shape (an int for a vector).
            param: An existing ``dy.Parameters`` to share instead of creating one; its shape
                must be ``dim``.
            init: A DyNet initializer (see :mod:`dynn.parameter_initialization`); DyNet's
                default (Glorot) if ``None``.
            device: DyNet device name.

        Returns:
            The (new or shared) ``dy.Parameters``.

        Raises:
            ValueError: duplicate name, or a shared parameter of the wrong shape.
            TypeError: a shared object that is not a ``dy.Parameters``.
        """
        shape = self._check_new_parameter(name, dim, param, dy.Parameters)
        if param is None:
            kwargs = {"name": _dynet_name(name)}
            if init is not None:
                kwargs["init"] = init
            if device:
                kwargs["device"] = device
            param = self.pc.add_parameters(shape, **kwargs)
        self._parameters[name] = param
        return param

    def add_lookup_parameters(
        self,
        name: str,
        dim: Tuple[int, ...],
        lookup_param: Optional[dy.LookupParameters] = None,
        init=None,
        device: str = "",
    ) -> dy.LookupParameters:
        """Declare lookup parameters ``name`` of shape ``(num_entries, *entry_dims)``.

        Same contract as :meth:`add_parameters`; ``lookup_param`` shares an existing
        ``dy.LookupParameters``.
        """
        shape = self._check_new_parameter(name, dim, lookup_param, dy.LookupParameters)
        if lookup_param is None:
            kwargs = {"name": _dynet_name(name)}
            if init is not None:
                kwargs["init"] = init
            if device:
                kwargs["device"] = device
            lookup_param = self.pc.add_lookup_parameters(shape, **kwargs)
        self._lookup_parameters[name] = lookup_param
        return lookup_param

    def _check_new_parameter(self, name, dim, shared, expected_type) -> Tuple[int, ...]:
        where = f"{type(self).__name__} '{self.name}'"
        if not isinstance(name, str) or not name.isidentifier():
            raise ValueError(f"{where}: parameter name must be an identifier, got {name!r}")
        if name in self._parameters or name in self._lookup_parameters:
            raise ValueError(f"{where}: a parameter named '{name}' is already declared")
        if name in vars(self):
            raise ValueError(f"{where}: parameter name '{name}' clashes with an attribute")
        shape = (dim,) if isinstance(dim, int) else tuple(dim)
        if not shape or not all(isinstance(d, int) and d > 0 for d in shape):
            raise ValueError(
                f"{where}: parameter '{name}' needs positive integer dimensions, got {dim!r}"
            )
        if shared is not None:
            if not isinstance(shared, expected_type):
                raise TypeError(
                    f"{where}: shared parameter '{name}' must be a dy.{expected_type.__name__}, "
                    f"got {type(shared).__name__}"
                )
            if tuple(shared.shape()) != shape:
                raise ValueError(
                    f"{where}: shared parameter '{name}' must have shape {shape}, "
                    f"got {tuple(shared.shape())}"
                )
        return shape

    def init_layer(self, test: bool = True, update: bool = False) -> None:
        """Load the parameters into the current graph (trainable iff ``update``)."""
        super().init_layer(test=test, update=update)
        for name, param in self._parameters.items():
            setattr(self, name, param.expr(self.update))
        for name, lookup_param in self._lookup_parameters.items():
            setattr(self, name, lookup_param)


def _dynet_name(name: str) -> str:
    """DyNet refuses ``_`` in parameter names; the layer keeps ``name``, DyNet gets ``-``."""
    return name.replace("_", "-")


def _walk_parameters(layer: BaseLayer, prefix: str):
    if isinstance(layer, ParametrizedLayer):
        for name, param in list(layer._parameters.items()) + list(layer._lookup_parameters.items()):
            yield prefix + name, param
    for path, sublayer in layer.sublayers.items():
        yield from _walk_parameters(sublayer, f"{prefix}{path}.")


def new_graph(*layers: BaseLayer, test: bool = True, update: bool = False, **cg_options) -> None:
    """Start a new computation graph and initialise ``layers`` in it, in one statement.

    Args:
        *layers: The layers (usually the model) to initialise.
        test: Test mode (no dropout). Defaults to inference.
        update: Whether parameters are trainable in this graph.
        **cg_options: Passed to ``dy.renew_cg`` (``immediate_compute``, ``check_validity``,
            ``autobatching``).

    Example:
        >>> import dynet as dy, dynn
        >>> from dynn.layers.recurrent_layers import ElmanRNN
        >>> rnn = ElmanRNN(dy.ParameterCollection(), 2, 3)
        >>> dynn.new_graph(rnn, test=False, update=True)
        >>> rnn.is_initialized
        True
    """
    for layer in layers:
        if not isinstance(layer, BaseLayer):
            raise TypeError(f"new_graph expects layers, got {type(layer).__name__}")
    dy.renew_cg(**cg_options)
    _graph_options.clear()  # DyNet cannot be asked (dynn.layers.transduction_layers reads it)
    _graph_options.update(cg_options, version=dy.cg_version())
    for layer in layers:
        layer.init(test=test, update=update)
