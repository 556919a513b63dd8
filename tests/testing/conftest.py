"""The kit's fixtures, imported the way a user's conftest.py would."""

from dynn.testing.fixtures import dynn_seed, fresh_graph, np_rng, param_collection  # noqa: F401
