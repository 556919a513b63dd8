"""Every recurrent cell and every parametrised layer of dynn passes the dynn.testing kit.

The classes come from the registry, after importing every dynn module, so a layer added later is
checked without editing this file, provided it can be built by the generic factory (cells:
``Cls(pc, input_dim=3, hidden_dim=4)``; layers: ``Cls(pc, input_dim=3, output_dim=4)`` called on
one ``(3,)`` input). Otherwise it needs an entry in ``CELLS`` or ``LAYERS`` below: a layer that
the generic factory cannot build makes its test fail (it is never skipped).
"""

import importlib
import inspect
import pkgutil

import pytest

import dynn
from dynn import registry
from dynn.activations import tanh
from dynn.layers.base_layers import BaseLayer, ParametrizedLayer
from dynn.layers.recurrent_layers import RecurrentCell
from dynn.testing import check_layer, check_recurrent_cell

IN, HID, OUT = 3, 4, 4
DROPOUT = 0.5


def _import_every_dynn_module():
    for module in pkgutil.walk_packages(dynn.__path__, "dynn."):
        if module.name.rsplit(".", 1)[-1] != "__main__":  # running it would start the CLI
            importlib.import_module(module.name)


def _layer_classes():
    """(cells, other parametrised layers) defined in dynn, by class name."""
    _import_every_dynn_module()
    cells, layers = {}, {}
    for component in registry.registered().values():
        if not inspect.isclass(component) or not issubclass(component, BaseLayer):
            continue
        if not component.__module__.startswith("dynn.") or component in (
            BaseLayer,
            ParametrizedLayer,
            RecurrentCell,
        ):
            continue
        if issubclass(component, RecurrentCell):
            cells[component.__name__] = component
        elif issubclass(component, ParametrizedLayer) or "pc" in _parameters(component):
            layers[component.__name__] = component
    return cells, layers


def _parameters(cls):
    return inspect.signature(cls.__init__).parameters


def _with_dropout(cls, *args, **kwargs):
    """``cls(*args, **kwargs)`` with every ``dropout*`` constructor argument set to 0.5."""
    rates = {name: DROPOUT for name in _parameters(cls) if name.startswith("dropout")}
    return cls(*args, **kwargs, **rates) if rates else None


CELL_CLASSES, LAYER_CLASSES = _layer_classes()


def _lazy(name):
    return lambda: CELL_CLASSES.get(name) or LAYER_CLASSES[name]


# Cells whose constructor is not (pc, input_dim, hidden_dim): name -> (make, make_dropout, input
# dim). Classes are resolved by name so that the table never imports a missing module.
def _stack(pc, rate=0.0):
    gru, elman = CELL_CLASSES["GRU"], CELL_CLASSES["ElmanRNN"]
    return CELL_CLASSES["StackedRecurrentCells"](
        gru(pc, IN, HID, dropout_x=rate, dropout_h=rate), elman(pc, HID, 2, dropout=rate)
    )


CELLS = {
    "StackedRecurrentCells": (_stack, lambda pc: _stack(pc, DROPOUT), IN),
    "StackedLSTM": (
        lambda pc: CELL_CLASSES["StackedLSTM"](pc, 2, IN, HID),
        lambda pc: CELL_CLASSES["StackedLSTM"](pc, 2, IN, HID, DROPOUT, DROPOUT),
        IN,
    ),
}


def _layer(name, *args, **kwargs):
    return lambda pc: LAYER_CLASSES[name](pc, *args, **kwargs)


def _indices(vocabulary):
    return lambda rng, batch_size: [[int(i) for i in rng.randint(0, vocabulary, batch_size)]]


# Layers the generic factory cannot build: name -> dict(make=..., make_dropout=..., and the
# input_shapes or make_inputs, plus any other check_layer arguments). The transformers use tanh
# instead of their default relu: finite differences are meaningless across relu's kink, and with
# dozens of units one of them is always within eps of it.
LAYERS = {
    "Embeddings": dict(make=_layer("Embeddings", 7, 3), make_inputs=_indices(7)),
    "LayerNorm": dict(make=_layer("LayerNorm", IN), input_shapes=[(IN,)]),
    "BatchNorm": dict(make=_layer("BatchNorm", IN), input_shapes=[(IN,)]),
    "MLPAttention": dict(
        make=_layer("MLPAttention", IN, 2, HID),
        make_dropout=_layer("MLPAttention", IN, 2, HID, dropout=DROPOUT),
        input_shapes=[(IN,), (2, 5), (4, 5)],
    ),
    "BilinearAttention": dict(
        make=_layer("BilinearAttention", IN, 2),
        make_dropout=_layer("BilinearAttention", IN, 2, dropout=DROPOUT),
        input_shapes=[(IN,), (2, 5), (4, 5)],
    ),
    "MultiHeadAttention": dict(
        make=_layer("MultiHeadAttention", 2, IN, 2, 4, HID, 3),
        make_dropout=_layer("MultiHeadAttention", 2, IN, 2, 4, HID, 3, dropout=DROPOUT),
        input_shapes=[(IN,), (2, 5), (4, 5)],
    ),
    "Conv1D": dict(
        make=_layer("Conv1D", IN, 2, 2),
        make_dropout=_layer("Conv1D", IN, 2, 2, dropout_rate=DROPOUT),
        input_shapes=[(5, IN)],
    ),
    "Conv2D": dict(
        make=_layer("Conv2D", 2, 2, 2),
        make_dropout=_layer("Conv2D", 2, 2, 2, dropout_rate=DROPOUT),
        input_shapes=[(4, 4, 2)],
    ),
    "Transformer": dict(
        make=_layer("Transformer", 4, 6, 2, activation=tanh),
        make_dropout=_layer("Transformer", 4, 6, 2, activation=tanh, dropout=DROPOUT),
        input_shapes=[(4, 3)],
    ),
    "StackedTransformers": dict(
        make=_layer("StackedTransformers", 2, 4, 6, 2, activation=tanh),
        make_dropout=_layer("StackedTransformers", 2, 4, 6, 2, activation=tanh, dropout=DROPOUT),
        input_shapes=[(4, 3)],
    ),
    "CondTransformer": dict(
        make=_layer("CondTransformer", 4, 6, 3, 2, activation=tanh),
        make_dropout=_layer("CondTransformer", 4, 6, 3, 2, activation=tanh, dropout=DROPOUT),
        input_shapes=[(4, 3), (3, 2)],
    ),
    "StackedCondTransformers": dict(
        make=_layer("StackedCondTransformers", 2, 4, 6, 3, 2, activation=tanh),
        make_dropout=_layer(
            "StackedCondTransformers", 2, 4, 6, 3, 2, activation=tanh, dropout=DROPOUT
        ),
        input_shapes=[(4, 3), (3, 2)],
    ),
}


def _generic_cell(name):
    cls = CELL_CLASSES[name]
    return (
        lambda pc: cls(pc, input_dim=IN, hidden_dim=HID),
        (lambda pc: _with_dropout(cls, pc, input_dim=IN, hidden_dim=HID))
        if any(p.startswith("dropout") for p in _parameters(cls))
        else None,
        IN,
    )


def _generic_layer(name):
    cls = LAYER_CLASSES[name]
    spec = dict(make=lambda pc: cls(pc, input_dim=IN, output_dim=OUT), input_shapes=[(IN,)])
    if any(p.startswith("dropout") for p in _parameters(cls)):
        spec["make_dropout"] = lambda pc: _with_dropout(cls, pc, input_dim=IN, output_dim=OUT)
    return spec


def _built_or_fail(make, name, table):
    import dynet as dy

    try:
        make(dy.ParameterCollection())
    except Exception as error:
        pytest.fail(
            f"{name} is registered but has no factory in {table} of {__name__}, and the generic "
            f"factory fails ({type(error).__name__}: {error}); add an entry to {table}"
        )


def test_the_walk_finds_the_known_cells_and_layers():
    assert {
        "ElmanRNN",
        "LSTM",
        "GRU",
        "CoupledLSTM",
        "StackedRecurrentCells",
        "StackedLSTM",
    } <= set(CELL_CLASSES)
    assert {"Affine", "GatedLayer"} <= set(LAYER_CLASSES)


def test_the_factory_tables_name_only_registered_classes():
    assert sorted(set(CELLS) - set(CELL_CLASSES)) == []
    assert sorted(set(LAYERS) - set(LAYER_CLASSES)) == []


@pytest.mark.parametrize("name", sorted(CELL_CLASSES))
def test_every_cell_passes_check_recurrent_cell(name):
    make, make_dropout, input_dim = CELLS[name] if name in CELLS else _generic_cell(name)
    _built_or_fail(make, name, "CELLS")
    report = check_recurrent_cell(make, input_dim, make_dropout_cell=make_dropout)
    assert report.skipped == {}


@pytest.mark.parametrize("name", sorted(LAYER_CLASSES))
def test_every_parametrised_layer_passes_check_layer(name):
    spec = dict(LAYERS[name] if name in LAYERS else _generic_layer(name))
    make = spec.pop("make")
    _built_or_fail(make, name, "LAYERS")
    make_dropout = spec.pop("make_dropout", None)
    report = check_layer(make, make_dropout_layer=make_dropout, **spec)
    assert report.failed == {}


def test_a_class_without_a_working_factory_fails_rather_than_being_skipped():
    def needs_arguments(pc):
        raise TypeError("__init__() missing 1 required positional argument: 'n_heads'")

    with pytest.raises(pytest.fail.Exception, match="add an entry to LAYERS"):
        _built_or_fail(needs_arguments, "NewLayer", "LAYERS")
