import dynet as dy
import numpy as np
import pytest

import dynn
from dynn.layers.base_layers import BaseLayer, LayerNotInitializedError, ParametrizedLayer
from dynn.parameter_initialization import NormalInit, OneInit


class Scale(ParametrizedLayer):
    def __init__(self, pc, dim, w=None):
        super().__init__(pc, "scale")
        self.add_parameters("w", dim, param=w, init=OneInit())

    def __call__(self, x):
        return dy.cmult(self.w, x)


class Container(BaseLayer):
    def __init__(self, layers, mapping, pair):
        super().__init__("container")
        self.layers = layers
        self.mapping = mapping
        self.pair = pair
        self.calls = []

    def init_layer(self, test=True, update=False):
        super().init_layer(test=test, update=update)
        self.calls.append([sub.is_initialized for sub in self.sublayers.values()])

    def __call__(self, x):
        return x


def test_sublayers_found_in_attributes_lists_tuples_and_dicts(pc):
    a, b, c, d = (Scale(pc, 2) for _ in range(4))
    container = Container([a, [b]], {"key": c}, (d, 3))
    assert list(container.sublayers) == ["layers.0", "layers.1.0", "mapping.key", "pair.0"]
    assert list(container.sublayers.values()) == [a, b, c, d]


def test_init_recurses_into_sublayers_first_and_sets_modes(pc):
    a, b = Scale(pc, 2), Scale(pc, 2)
    container = Container([a], {"b": b}, ())
    dy.renew_cg()
    container.init(test=False, update=True)
    assert container.calls == [[True, True]]
    assert (a.test, a.update, b.test, b.update, container.test) == (False, True, False, True, False)


def test_init_defaults_to_inference_mode(pc):
    layer = Scale(pc, 2)
    dy.renew_cg()
    layer.init()
    assert layer.test and not layer.update


def test_parameter_expression_is_trainable_iff_update(pc):
    layer = Scale(pc, 3)
    for update, expect_gradient in ((True, True), (False, False)):
        layer.parameters["w"].scale_gradient(0.0)
        dynn.new_graph(layer, test=True, update=update)
        dy.sum_elems(layer(dy.inputVector([1.0, 2.0, 3.0]))).backward()
        gradient = layer.parameters["w"].grad_as_array()
        assert np.any(gradient != 0) == expect_gradient
        if expect_gradient:
            np.testing.assert_allclose(gradient, [1.0, 2.0, 3.0])


def test_graph_guard_before_first_init(pc):
    layer = Scale(pc, 2)
    with pytest.raises(LayerNotInitializedError, match="before its first init.*dy.renew_cg"):
        layer(dy.inputVector([1.0, 2.0]))


def test_graph_guard_after_new_graph(pc):
    layer = Scale(pc, 2)
    dynn.new_graph(layer)
    layer(dy.inputVector([1.0, 2.0]))
    dy.renew_cg()
    assert not layer.is_initialized
    with pytest.raises(LayerNotInitializedError, match="earlier computation graph.*init"):
        layer(dy.inputVector([1.0, 2.0]))


def test_parameter_sharing_is_shape_and_type_checked(pc):
    owner = Scale(pc, 3)
    shared = Scale(pc, 3, w=owner.parameters["w"])
    assert shared.parameters["w"].name() == owner.parameters["w"].name()
    with pytest.raises(ValueError, match=r"Scale 'scale'.*'w' must have shape \(4,\), got \(3,\)"):
        Scale(pc, 4, w=owner.parameters["w"])
    lookup = pc.add_lookup_parameters((5, 3))
    with pytest.raises(TypeError, match="must be a dy.Parameters, got LookupParameters"):
        Scale(pc, 3, w=lookup)


def test_duplicate_and_invalid_parameter_names_rejected(pc):
    layer = Scale(pc, 2)
    with pytest.raises(ValueError, match="'w' is already declared"):
        layer.add_parameters("w", 2)
    with pytest.raises(ValueError, match="already declared"):
        layer.add_lookup_parameters("w", (3, 2))
    with pytest.raises(ValueError, match="positive integer dimensions"):
        layer.add_parameters("v", (2, 0))
    with pytest.raises(ValueError, match="identifier"):
        layer.add_parameters("not a name", 2)


def test_lookup_parameters_and_properties(pc):
    layer = Scale(pc, 2)
    lookup = layer.add_lookup_parameters("E", (5, 2), init=NormalInit(std=0.5))
    assert list(layer.parameters) == ["w"]
    assert list(layer.lookup_parameters) == ["E"]
    dynn.new_graph(layer, update=True)
    assert layer.E is lookup
    assert layer.pc.name() == "/scale/"


def test_iter_parameters_deduplicates_shared(pc):
    a = Scale(pc, 2)
    b = Scale(pc, 2, w=a.parameters["w"])
    container = Container([a, b], {}, ())
    assert [path for path, _ in container.iter_parameters()] == ["layers.0.w"]


def test_pc_must_be_a_parameter_collection():
    with pytest.raises(TypeError, match="pc must be a dy.ParameterCollection, got str"):
        Scale("pc", 2)


def test_new_graph_rejects_non_layers():
    with pytest.raises(TypeError, match="new_graph expects layers"):
        dynn.new_graph("model")


def test_parameter_names_with_underscores_are_accepted(pc):
    layer = Scale(pc, 2)
    param = layer.add_parameters("w_out", 3)
    assert param.name() == "/scale/w-out"
    dynn.new_graph(layer)
    assert layer.w_out.dim() == ((3,), 1)
