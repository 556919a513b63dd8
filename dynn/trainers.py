"""DyNet's trainers as registered components, for configs (``optimizer: !AdamTrainer {}``).

Each function creates the DyNet trainer of the same name on the parameter collection ``pc``,
which the config builder supplies (the model's collection). DyNet's trainers keep their state in
C++ and cannot save it: for training that must resume exactly, use :mod:`dynn.optimizers`.

Example:
    >>> import dynet as dy
    >>> from dynn.trainers import MomentumSGDTrainer
    >>> trainer = MomentumSGDTrainer(dy.ParameterCollection(), learning_rate=0.05)
    >>> type(trainer).__name__, round(trainer.learning_rate, 6)
    ('MomentumSGDTrainer', 0.05)
"""

import dynet as dy

from .registry import register

__all__ = [
    "SimpleSGDTrainer",
    "CyclicalSGDTrainer",
    "MomentumSGDTrainer",
    "AdagradTrainer",
    "AdadeltaTrainer",
    "RMSPropTrainer",
    "AdamTrainer",
    "AmsgradTrainer",
]


def _configured(trainer: dy.Trainer, clip_threshold: float, sparse_updates: bool) -> dy.Trainer:
    if clip_threshold <= 0:
        trainer.set_clip_threshold(0.0)
    else:
        trainer.set_clip_threshold(float(clip_threshold))
    trainer.set_sparse_updates(bool(sparse_updates))
    return trainer


@register(kind="optimizer")
def SimpleSGDTrainer(
    pc: dy.ParameterCollection,
    learning_rate: float = 0.1,
    clip_threshold: float = 5.0,
    sparse_updates: bool = True,
) -> dy.Trainer:
    r"""``dy.SimpleSGDTrainer``: :math:`\theta \leftarrow \theta - \eta g`.

    Args:
        pc: The parameters to train (supplied by the config builder).
        learning_rate: :math:`\eta`.
        clip_threshold: Gradient clipping threshold on the global norm (``<= 0``: no clipping).
        sparse_updates: Update only the looked-up rows of lookup parameters.
    """
    return _configured(
        dy.SimpleSGDTrainer(pc, learning_rate=learning_rate), clip_threshold, sparse_updates
    )


@register(kind="optimizer")
def CyclicalSGDTrainer(
    pc: dy.ParameterCollection,
    learning_rate_min: float = 0.01,
    learning_rate_max: float = 0.1,
    step_size: float = 2000.0,
    gamma: float = 1.0,
    clip_threshold: float = 5.0,
    sparse_updates: bool = True,
) -> dy.Trainer:
    """``dy.CyclicalSGDTrainer``: SGD with a triangular learning-rate cycle (Smith, 2017).

    Args:
        pc: The parameters to train (supplied by the config builder).
        learning_rate_min: Lower learning rate.
        learning_rate_max: Upper learning rate.
        step_size: Half period of the cycle, in updates.
        gamma: Decay of the upper bound (1: none).
        clip_threshold: Gradient clipping threshold on the global norm (``<= 0``: no clipping).
        sparse_updates: Update only the looked-up rows of lookup parameters.
    """
    trainer = dy.CyclicalSGDTrainer(
        pc,
        learning_rate_min=learning_rate_min,
        learning_rate_max=learning_rate_max,
        step_size=step_size,
        gamma=gamma,
    )
    return _configured(trainer, clip_threshold, sparse_updates)


@register(kind="optimizer")
def MomentumSGDTrainer(
    pc: dy.ParameterCollection,
    learning_rate: float = 0.01,
    mom: float = 0.9,
    clip_threshold: float = 5.0,
    sparse_updates: bool = True,
) -> dy.Trainer:
    r"""``dy.MomentumSGDTrainer``: SGD with momentum.

    .. math::

        v \leftarrow \mu v - \eta g, \qquad \theta \leftarrow \theta + v

    Args:
        pc: The parameters to train (supplied by the config builder).
        learning_rate: :math:`\eta`.
        mom: The momentum :math:`\mu`.
        clip_threshold: Gradient clipping threshold on the global norm (``<= 0``: no clipping).
        sparse_updates: Update only the looked-up rows of lookup parameters.
    """
    trainer = dy.MomentumSGDTrainer(pc, learning_rate=learning_rate, mom=mom)
    return _configured(trainer, clip_threshold, sparse_updates)


@register(kind="optimizer")
def AdagradTrainer(
    pc: dy.ParameterCollection,
    learning_rate: float = 0.1,
    eps: float = 1e-20,
    clip_threshold: float = 5.0,
    sparse_updates: bool = True,
) -> dy.Trainer:
    """``dy.AdagradTrainer`` (Duchi et al., 2011).

    Args:
        pc: The parameters to train (supplied by the config builder).
        learning_rate: Learning rate.
        eps: Added to the denominator for numerical stability.
        clip_threshold: Gradient clipping threshold on the global norm (``<= 0``: no clipping).
        sparse_updates: Update only the looked-up rows of lookup parameters.
    """
    trainer = dy.AdagradTrainer(pc, learning_rate=learning_rate, eps=eps)
    return _configured(trainer, clip_threshold, sparse_updates)


@register(kind="optimizer")
def AdadeltaTrainer(
    pc: dy.ParameterCollection,
    eps: float = 1e-6,
    rho: float = 0.95,
    clip_threshold: float = 5.0,
    sparse_updates: bool = True,
) -> dy.Trainer:
    """``dy.AdadeltaTrainer`` (Zeiler, 2012).

    Args:
        pc: The parameters to train (supplied by the config builder).
        eps: Added to the denominators for numerical stability.
        rho: Decay of the moving averages.
        clip_threshold: Gradient clipping threshold on the global norm (``<= 0``: no clipping).
        sparse_updates: Update only the looked-up rows of lookup parameters.
    """
    trainer = dy.AdadeltaTrainer(pc, eps=eps, rho=rho)
    return _configured(trainer, clip_threshold, sparse_updates)


@register(kind="optimizer")
def RMSPropTrainer(
    pc: dy.ParameterCollection,
    learning_rate: float = 0.001,
    eps: float = 1e-8,
    rho: float = 0.9,
    clip_threshold: float = 5.0,
    sparse_updates: bool = True,
) -> dy.Trainer:
    """``dy.RMSPropTrainer`` (Hinton, 2012).

    Args:
        pc: The parameters to train (supplied by the config builder).
        learning_rate: Learning rate.
        eps: Added to the denominator for numerical stability.
        rho: Decay of the moving average of squared gradients.
        clip_threshold: Gradient clipping threshold on the global norm (``<= 0``: no clipping).
        sparse_updates: Update only the looked-up rows of lookup parameters.
    """
    trainer = dy.RMSPropTrainer(pc, learning_rate=learning_rate, eps=eps, rho=rho)
    return _configured(trainer, clip_threshold, sparse_updates)


@register(kind="optimizer")
def AdamTrainer(
    pc: dy.ParameterCollection,
    alpha: float = 0.001,
    beta_1: float = 0.9,
    beta_2: float = 0.999,
    eps: float = 1e-8,
    clip_threshold: float = 5.0,
    sparse_updates: bool = True,
) -> dy.Trainer:
    """``dy.AdamTrainer`` (Kingma and Ba, 2015).

    Args:
        pc: The parameters to train (supplied by the config builder).
        alpha: Learning rate.
        beta_1: Decay of the first moment.
        beta_2: Decay of the second moment.
        eps: Added to the denominator for numerical stability.
        clip_threshold: Gradient clipping threshold on the global norm (``<= 0``: no clipping).
        sparse_updates: Update only the looked-up rows of lookup parameters.
    """
    trainer = dy.AdamTrainer(pc, alpha=alpha, beta_1=beta_1, beta_2=beta_2, eps=eps)
    return _configured(trainer, clip_threshold, sparse_updates)


@register(kind="optimizer")
def AmsgradTrainer(
    pc: dy.ParameterCollection,
    alpha: float = 0.001,
    beta_1: float = 0.9,
    beta_2: float = 0.999,
    eps: float = 1e-8,
    clip_threshold: float = 5.0,
    sparse_updates: bool = True,
) -> dy.Trainer:
    """``dy.AmsgradTrainer`` (Reddi et al., 2018).

    Args:
        pc: The parameters to train (supplied by the config builder).
        alpha: Learning rate.
        beta_1: Decay of the first moment.
        beta_2: Decay of the second moment.
        eps: Added to the denominator for numerical stability.
        clip_threshold: Gradient clipping threshold on the global norm (``<= 0``: no clipping).
        sparse_updates: Update only the looked-up rows of lookup parameters.
    """
    trainer = dy.AmsgradTrainer(pc, alpha=alpha, beta_1=beta_1, beta_2=beta_2, eps=eps)
    return _configured(trainer, clip_threshold, sparse_updates)
