import operator

import dynet as dy
import numpy as np
import pytest

import dynn
from dynn import activations, registry
from dynn.layers.base_layers import LayerNotInitializedError
from dynn.layers.dense_layers import Affine
from dynn.layers.functional_layers import (
    AdditionLayer,
    BinaryOpLayer,
    CmultLayer,
    ConstantLayer,
    IdentityLayer,
    Lambda,
    NegationLayer,
    SubstractionLayer,
    SubtractionLayer,
    UnaryOpLayer,
)
from dynn.util import batched_input

from ._layer_checks import assert_stores_arguments, randomize, value


@pytest.fixture
def two_layers(pc, rng):
    f = Affine(pc, 3, 2, activation=activations.tanh)
    g = Affine(pc, 3, 2)
    randomize(pc, rng)
    return f, g


def numpy_affine(layer, x, activation=lambda v: v):
    W = layer.parameters["W"].as_array()
    b = layer.parameters["b"].as_array()
    return activation(W @ x + b[:, None])


def test_lambda_identity_and_constant(rng):
    xs = rng.uniform(-1, 1, (3, 4))
    scale = Lambda(lambda x, factor=2.0: x * factor)
    identity = IdentityLayer()
    constant = ConstantLayer(np.arange(6.0).reshape(2, 3))
    scalar = ConstantLayer(2.5)
    dynn.new_graph(scale, identity, constant, scalar)
    x = batched_input(xs)
    np.testing.assert_allclose(value(scale(x)), xs * 2, rtol=1e-5)
    np.testing.assert_allclose(value(scale(x, factor=-3.0)), xs * -3, rtol=1e-5)
    assert identity(x) is x
    np.testing.assert_array_equal(constant(x).npvalue(), np.arange(6.0).reshape(2, 3))
    assert constant().dim() == ((2, 3), 1)
    assert scalar(x).dim() == ((1,), 1) and scalar().value() == 2.5
    # A new graph gets a new constant expression.
    dynn.new_graph(constant)
    assert constant().npvalue()[1, 2] == 5.0


@pytest.mark.parametrize(
    "build, expected",
    [
        (lambda f, g: f + g, lambda a, b: a + b),
        (lambda f, g: f - g, lambda a, b: a - b),
        (lambda f, g: -f, lambda a, b: -a),
        (lambda f, g: AdditionLayer(f, g), lambda a, b: a + b),
        (lambda f, g: SubstractionLayer(f, g), lambda a, b: a - b),
        (lambda f, g: NegationLayer(g), lambda a, b: -b),
        (lambda f, g: CmultLayer(f, g), lambda a, b: a * b),
        (lambda f, g: BinaryOpLayer(f, g, dy.bmax), np.maximum),
        (lambda f, g: BinaryOpLayer(dy.bmin, f, g), np.minimum),
        (lambda f, g: UnaryOpLayer(f, dy.exp), lambda a, b: np.exp(a)),
        (lambda f, g: UnaryOpLayer(dy.exp, g), lambda a, b: np.exp(b)),
        (lambda f, g: f + 2.0, lambda a, b: a + 2.0),
        (lambda f, g: 2.0 + f, lambda a, b: a + 2.0),
        (lambda f, g: 1.0 - g, lambda a, b: 1.0 - b),
        (lambda f, g: f - np.array([1.0, -1.0]), lambda a, b: a - np.array([[1.0], [-1.0]])),
        (lambda f, g: sum([f, g, f]), lambda a, b: 2 * a + b),
        (lambda f, g: -(f - g) + g, lambda a, b: 2 * b - a),
    ],
)
def test_layer_arithmetic_matches_numpy(two_layers, rng, build, expected):
    f, g = two_layers
    layer = build(f, g)
    xs = rng.uniform(-1, 1, (3, 4))
    # Initialising the composite initialises f and g.
    dynn.new_graph(layer)
    y = value(layer(batched_input(xs)))
    want = expected(numpy_affine(f, xs, np.tanh), numpy_affine(g, xs))
    np.testing.assert_allclose(y, want, rtol=1e-5, atol=1e-6)


def test_operators_return_the_named_layers(two_layers):
    f, g = two_layers
    assert type(f + g) is AdditionLayer and (f + g).layer1 is f and (f + g).layer2 is g
    assert type(f - g) is SubstractionLayer and SubtractionLayer is SubstractionLayer
    assert type(-f) is NegationLayer and (-f).layer is f
    assert type((f + 1.0).layer2) is ConstantLayer
    assert registry.lookup("SubtractionLayer") is SubstractionLayer
    with pytest.raises(TypeError):
        f + "a"  # noqa: B018
    with pytest.raises(TypeError):
        f - [1.0]  # noqa: B018


def test_composite_layers_expose_their_parameters(two_layers):
    f, g = two_layers
    layer = f - g + f
    paths = [path for path, _ in layer.iter_parameters()]
    assert paths == ["layer1.layer1.W", "layer1.layer1.b", "layer1.layer2.W", "layer1.layer2.b"]


def test_modes_reach_the_wrapped_layers(pc, rng):
    noisy = Affine(pc, 20, 20, dropout=0.5)
    noisy.parameters["W"].set_value(np.eye(20))
    layer = noisy + ConstantLayer(1.0)
    ones = np.ones((20, 3))
    dynn.new_graph(layer, test=False)
    assert set(np.unique(value(layer(batched_input(ones))))) == {1.0, 3.0}
    dynn.new_graph(layer, test=True)
    np.testing.assert_array_equal(value(layer(batched_input(ones))), 2.0)
    dy.renew_cg()
    with pytest.raises(LayerNotInitializedError):
        noisy(batched_input(ones))


def test_constructor_arguments_are_stored(two_layers):
    f, g = two_layers

    def function(x):
        return x

    assert_stores_arguments(Lambda(function), skip=(), function=function)
    assert_stores_arguments(IdentityLayer(), skip=())
    assert_stores_arguments(ConstantLayer(2.0), skip=(), constant=2.0)
    assert_stores_arguments(UnaryOpLayer(f, dy.exp), skip=(), layer=f, unary_operation=dy.exp)
    assert_stores_arguments(
        BinaryOpLayer(f, g, dy.bmax), skip=(), layer1=f, layer2=g, binary_operation=dy.bmax
    )
    for cls in (AdditionLayer, SubstractionLayer, CmultLayer):
        assert_stores_arguments(cls(f, g), skip=(), layer1=f, layer2=g)
    assert_stores_arguments(NegationLayer(f), skip=(), layer=f)
    assert AdditionLayer(f, g).binary_operation is operator.add


def test_binary_op_failure_names_the_layer_and_the_shapes(pc):
    layer = IdentityLayer() + ConstantLayer([1.0, 2.0, 3.0])
    dynn.new_graph(layer)
    with pytest.raises(
        ValueError,
        match=r"AdditionLayer 'addition': add failed on the outputs of layer1 \(shape \(2,\), "
        r"batch size 1\) and layer2 \(shape \(3,\), batch size 1\)",
    ):
        layer(dy.inputVector([1.0, 2.0]))


def test_bad_constructor_arguments(two_layers):
    f, _ = two_layers
    with pytest.raises(TypeError, match="Lambda: function must be callable, got int"):
        Lambda(3)
    with pytest.raises(ValueError, match="ConstantLayer: constant must be a number, a list of"):
        ConstantLayer("abc")
    with pytest.raises(ValueError, match="ConstantLayer: constant must be"):
        ConstantLayer([])
    with pytest.raises(TypeError, match=r"UnaryOpLayer: layer must be a layer, got \w+"):
        UnaryOpLayer(dy.exp, dy.exp)
    with pytest.raises(TypeError, match="UnaryOpLayer: unary_operation must be callable"):
        UnaryOpLayer(f, 2)
    with pytest.raises(TypeError, match="BinaryOpLayer: layer2 must be a layer, got float"):
        BinaryOpLayer(f, 1.0, operator.add)
    with pytest.raises(TypeError, match="AdditionLayer: layer1 must be a layer, got str"):
        AdditionLayer("f", f)
