"""Shared test set-up: DyNet is configured (small pool, fixed seed) before it is imported."""

import dynet_config

dynet_config.set(mem=64, random_seed=1234)

import dynet as dy  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402


@pytest.fixture
def rng():
    """A seeded numpy random generator."""
    return np.random.RandomState(0)


@pytest.fixture
def pc():
    """A fresh parameter collection, in a fresh graph."""
    dy.renew_cg()
    return dy.ParameterCollection()


@pytest.fixture(autouse=True)
def seed_dynet_per_test():
    """Every test (and doctest) starts from the same DyNet random state, whatever ran before."""
    dy.reset_random_seed(1234)
