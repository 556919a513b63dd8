"""Complete models for the experiment runner's tasks, assembled from dynn layers.

Each model is a layer built from other layers (so it is configured in YAML like any layer) and
exposes ``loss(examples) -> (summed loss expression, number of predictions)`` and
``predict(examples)``.
"""
