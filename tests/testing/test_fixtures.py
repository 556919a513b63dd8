import dynet as dy
import numpy as np

from dynn.layers.recurrent_layers import LSTM


def test_fresh_graph_renews_the_graph_and_seeds_dynet(fresh_graph, dynn_seed):
    assert fresh_graph == dy.cg_version()
    drawn = dy.random_normal(4).npvalue()
    dy.renew_cg()
    dy.reset_random_seed(dynn_seed + 1)
    np.testing.assert_array_equal(dy.random_normal(4).npvalue(), drawn)


def test_np_rng_is_seeded(np_rng):
    np.testing.assert_array_equal(np_rng.normal(size=3), np.random.RandomState(0).normal(size=3))


def test_param_collection_is_empty_and_usable(param_collection):
    assert param_collection.parameters_list() == []
    lstm = LSTM(param_collection, 2, 3)
    lstm.init()
    assert lstm(dy.inputVector([1.0, 2.0]), *lstm.initial_value()).h.dim() == ((3,), 1)
