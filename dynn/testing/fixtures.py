"""Pytest fixtures for testing DyNet layers: a fresh seeded graph and a seeded numpy generator.

Use them from your own test suite, either by listing the module as a plugin in your top-level
``conftest.py``::

    import dynet_config
    dynet_config.set(mem=64, random_seed=1234)   # before anything imports dynet

    pytest_plugins = ["dynn.testing.fixtures"]

or by importing the fixtures you need into a ``conftest.py`` or a test module::

    from dynn.testing.fixtures import dynn_seed, fresh_graph, np_rng, param_collection  # noqa

Every fixture derives its seed from :func:`dynn_seed` (0); override that fixture to change it.
This module needs pytest (``pip install dynn[test]``); :mod:`dynn.testing` itself does not.

Example:
    >>> import dynet as dy
    >>> from dynn.testing import assert_expr_close
    >>> def test_tanh_is_odd(fresh_graph, np_rng):
    ...     x = dy.inputVector(np_rng.normal(size=3))
    ...     assert_expr_close(dy.tanh(-x), -dy.tanh(x))
"""

import dynet as dy
import numpy as np
import pytest

__all__ = ["dynn_seed", "fresh_graph", "np_rng", "param_collection"]


@pytest.fixture
def dynn_seed() -> int:
    """The seed of the other fixtures (0). Override it in a ``conftest.py`` to change it."""
    return 0


@pytest.fixture
def fresh_graph(dynn_seed):
    """A new computation graph, with DyNet's random generator reset to ``dynn_seed``.

    Dropout masks and ``dy.random_*`` expressions are then the same in every run of the test.
    Yields the graph's version number (``dy.cg_version()``); the graph is renewed again after
    the test, so no expression outlives it.
    """
    dy.renew_cg()
    reset = getattr(dy, "reset_random_seed", None)
    if reset is not None:
        reset(dynn_seed + 1)  # DyNet treats seed 0 as "choose a random seed"
    yield dy.cg_version()
    dy.renew_cg()


@pytest.fixture
def np_rng(dynn_seed) -> np.random.RandomState:
    """A numpy random generator seeded with ``dynn_seed``."""
    return np.random.RandomState(dynn_seed)


@pytest.fixture
def param_collection(fresh_graph) -> dy.ParameterCollection:
    """A new, empty ``dy.ParameterCollection`` (in a fresh seeded graph)."""
    return dy.ParameterCollection()
