import json

import dynet as dy
import numpy as np
import pytest

from dynn import _dynet_memory, optimizers, registry
from dynn.optimizers import SGD, Adagrad, Adam, MomentumSGD, NonFiniteGradientError

STEPS = 6
PAIRS = {
    "sgd": (
        lambda pc: dy.SimpleSGDTrainer(pc, learning_rate=0.2),
        lambda pc, **kw: SGD(pc, 0.2, **kw),
    ),
    "momentum": (
        lambda pc: dy.MomentumSGDTrainer(pc, learning_rate=0.05, mom=0.8),
        lambda pc, **kw: MomentumSGD(pc, 0.05, 0.8, **kw),
    ),
    "adagrad": (
        lambda pc: dy.AdagradTrainer(pc, learning_rate=0.1, eps=1e-6),
        lambda pc, **kw: Adagrad(pc, 0.1, 1e-6, **kw),
    ),
    "adam": (
        lambda pc: dy.AdamTrainer(pc, alpha=0.01, beta_1=0.8, beta_2=0.99, eps=1e-6),
        lambda pc, **kw: Adam(pc, 0.01, 0.8, 0.99, 1e-6, **kw),
    ),
}


@pytest.fixture(params=[True, False], ids=["direct", "copies"])
def memory(request, monkeypatch):
    """Run a test with direct views of DyNet's memory, and with the binding's copies."""
    monkeypatch.setattr(optimizers, "DIRECT_MEMORY", request.param)
    return request.param


def make_model(seed=0):
    """A collection with a sub-collection: W (3, 4), b (3,), lookup E (7, 4)."""
    rng = np.random.RandomState(seed)
    pc = dy.ParameterCollection()
    sub = pc.add_subcollection("layer")
    W = sub.add_parameters((3, 4), name="W")
    b = pc.add_parameters((3,), name="b")
    E = sub.add_lookup_parameters((7, 4), name="E")
    W.set_value(rng.uniform(-0.5, 0.5, (3, 4)))
    b.set_value(rng.uniform(-0.5, 0.5, (3,)))
    E.init_from_array(rng.uniform(-0.5, 0.5, (7, 4)))
    return pc, (W, b, E)


def values(params):
    return [p.as_array().copy() for p in params]


def backward(params, step, scale):
    """A loss that looks up two or three rows of E (different rows at each step)."""
    W, b, E = params
    rng = np.random.RandomState(100 + step)
    rows = rng.choice(7, size=2 + step % 2, replace=False)
    dy.renew_cg()
    target = dy.inputTensor(rng.uniform(-1, 1, 3))
    x = dy.esum([dy.lookup(E, int(r)) for r in rows])
    h = dy.tanh(W.expr(True) * x + b.expr(True))
    (dy.dot_product(h, target) * scale).backward()


def train(optimizer, params, steps, scale, start=0):
    for step in range(start, start + steps):
        backward(params, step, scale)
        optimizer.update()


@pytest.mark.parametrize("sparse", [True, False], ids=["sparse", "dense"])
@pytest.mark.parametrize("clipping", ["clipped", "unclipped", "no_clipping"])
@pytest.mark.parametrize("kind", list(PAIRS))
def test_parity_with_dynet_trainers(kind, clipping, sparse, memory):
    make_trainer, make_optimizer = PAIRS[kind]
    scale = {"clipped": 40.0, "unclipped": 1.0, "no_clipping": 40.0}[clipping]
    pc_ref, ref = make_model()
    trainer = make_trainer(pc_ref)
    trainer.set_sparse_updates(sparse)
    pc, ours = make_model()
    optimizer = make_optimizer(pc, sparse_updates=sparse)
    if clipping == "no_clipping":
        trainer.set_clip_threshold(0.0)
        optimizer.clip_threshold = 0.0
    norms = []
    for step in range(STEPS):
        backward(ref, step, scale)
        trainer.update()
        backward(ours, step, scale)
        norms.append(optimizer.gradient_norm())
        optimizer.update()
    assert (max(norms) > 5.0) == (clipping != "unclipped")
    if memory and kind != "sgd":  # the direct path was really taken
        assert all(views is not None for views in optimizer._views.values())
        assert len(optimizer._views) == 3
    for got, initial, expected in zip(values(ours), values(make_model()[1]), values(ref)):
        assert not np.array_equal(got, initial)  # every parameter moved
        np.testing.assert_allclose(got, expected, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("kind", list(PAIRS))
def test_sparse_updates_leave_untouched_rows_alone(kind, memory):
    _, make_optimizer = PAIRS[kind]
    pc, params = make_model()
    optimizer = make_optimizer(pc)
    E = params[2]
    before = E.as_array().copy()
    dy.renew_cg()
    dy.sum_elems(dy.lookup(E, 2) * 3.0).backward()
    optimizer.update()
    changed = np.flatnonzero((E.as_array() != before).any(axis=1))
    assert changed.tolist() == [2]


@pytest.mark.parametrize("kind", ["momentum", "adam"])
def test_restart_and_learning_rate_changes_match_dynet(kind, memory):
    make_trainer, make_optimizer = PAIRS[kind]
    pc_ref, ref = make_model()
    trainer = make_trainer(pc_ref)
    pc, ours = make_model()
    optimizer = make_optimizer(pc)
    train(trainer, ref, 3, 1.0)
    train(optimizer, ours, 3, 1.0)
    trainer.restart(0.03)
    optimizer.restart(0.03)
    train(trainer, ref, 2, 1.0, start=3)
    train(optimizer, ours, 2, 1.0, start=3)
    trainer.learning_rate = 0.005
    optimizer.learning_rate = 0.005
    train(trainer, ref, 2, 1.0, start=5)
    train(optimizer, ours, 2, 1.0, start=5)
    assert optimizer.updates == 7
    for got, expected in zip(values(ours), values(ref)):
        np.testing.assert_allclose(got, expected, rtol=1e-6, atol=1e-6)


def test_frozen_parameters_are_not_updated_as_in_dynet(memory):
    pc_ref, ref = make_model()
    pc, ours = make_model()
    ref[1].set_updated(False)
    ours[1].set_updated(False)
    trainer = dy.AdamTrainer(pc_ref, alpha=0.01)
    optimizer = Adam(pc, alpha=0.01)
    train(trainer, ref, 3, 1.0)
    train(optimizer, ours, 3, 1.0)
    np.testing.assert_array_equal(ours[1].as_array(), make_model()[1][1].as_array())
    for got, expected in zip(values(ours), values(ref)):
        np.testing.assert_allclose(got, expected, rtol=1e-6, atol=1e-6)


def save_and_load(state, tmp_path):
    """Round trip through .npz (arrays, no pickle) and JSON (scalars), as checkpoints do."""
    arrays = {k: v for k, v in state.items() if isinstance(v, np.ndarray)}
    scalars = {k: v for k, v in state.items() if not isinstance(v, np.ndarray)}
    np.savez(tmp_path / "state.npz", **arrays)
    (tmp_path / "state.json").write_text(json.dumps(scalars))
    loaded = json.loads((tmp_path / "state.json").read_text())
    with np.load(tmp_path / "state.npz", allow_pickle=False) as stored:
        loaded.update({k: stored[k] for k in stored.files})
    return loaded


@pytest.mark.parametrize("sparse", [True, False], ids=["sparse", "dense"])
@pytest.mark.parametrize("kind", list(PAIRS))
def test_resume_from_saved_state_is_exact(kind, sparse, memory, tmp_path):
    _, make_optimizer = PAIRS[kind]
    pc, uninterrupted = make_model()
    optimizer = make_optimizer(pc, sparse_updates=sparse)
    train(optimizer, uninterrupted, 2 * STEPS, 40.0)

    pc, first_half = make_model()
    optimizer = make_optimizer(pc, sparse_updates=sparse)
    train(optimizer, first_half, STEPS, 40.0)
    state = save_and_load(optimizer.state_dict(), tmp_path)
    checkpoint = values(first_half)

    pc, resumed = make_model(seed=1)  # a fresh model, filled from the "checkpoint"
    for param, value in zip(resumed, checkpoint):
        if isinstance(param, dy.LookupParameters):
            param.init_from_array(value)
        else:
            param.set_value(value)
    fresh = make_optimizer(pc, sparse_updates=not sparse)  # load restores the setting too
    fresh.learning_rate = 1.0
    fresh.load_state_dict(state)
    assert fresh.updates == STEPS and fresh.sparse_updates == sparse
    train(fresh, resumed, STEPS, 40.0, start=STEPS)
    for got, expected in zip(values(resumed), values(uninterrupted)):
        np.testing.assert_array_equal(got, expected)


def test_state_dict_contents():
    pc, params = make_model()
    optimizer = Adam(pc, alpha=0.01)
    assert optimizer.state_dict() == {
        "optimizer": "Adam",
        "alpha": 0.01,
        "clip_threshold": 5.0,
        "sparse_updates": True,
        "updates": 0,
        "beta_1": 0.9,
        "beta_2": 0.999,
        "eps": 1e-8,
    }
    train(optimizer, params, 1, 1.0)
    state = optimizer.state_dict()
    assert sorted(k for k, v in state.items() if isinstance(v, np.ndarray)) == [
        "m/b",
        "m/layer/E",
        "m/layer/W",
        "v/b",
        "v/layer/E",
        "v/layer/W",
    ]
    assert all(type(v) in (str, float, int, bool) for v in state.values() if np.ndim(v) == 0)
    state["m/b"][:] = 123.0  # a copy: the optimizer is unaffected
    assert not (optimizer.state_dict()["m/b"] == 123.0).any()


def test_load_state_dict_errors():
    pc, params = make_model()
    optimizer = Adam(pc)
    train(optimizer, params, 1, 1.0)
    state = optimizer.state_dict()
    with pytest.raises(
        ValueError, match="MomentumSGD.load_state_dict: this is the state of 'Adam'"
    ):
        MomentumSGD(pc).load_state_dict(state)
    bad = dict(state)
    bad["m/layer/W"] = np.zeros((4, 3))
    bad["m/nope"] = np.zeros(3)
    bad["x/b"] = np.zeros(3)
    del bad["v/b"]
    with pytest.raises(ValueError) as error:
        Adam(pc).load_state_dict(bad)
    message = str(error.value)
    assert "'m/layer/W': shape (4, 3), parameter has (3, 4)" in message
    assert "'m/nope': no parameter '/nope'" in message
    assert "unknown entry 'x/b'" in message
    assert "'/b': missing v" in message
    incomplete = dict(state)
    del incomplete["beta_2"]
    with pytest.raises(ValueError, match="missing beta_2"):
        Adam(pc).load_state_dict(incomplete)


@pytest.mark.parametrize("kind, clip_threshold", [("sgd", 5.0), ("adam", 0.0), ("adam", 5.0)])
def test_non_finite_gradient_raises_and_leaves_parameters(kind, clip_threshold, memory):
    pc, params = make_model()
    optimizer = PAIRS[kind][1](pc, clip_threshold=clip_threshold)
    before = values(params)
    dy.renew_cg()
    (dy.sum_elems(params[0].expr(True)) * float("nan")).backward()
    with pytest.raises(NonFiniteGradientError, match="the gradient norm is"):
        optimizer.update()
    for got, expected in zip(values(params), before):
        np.testing.assert_array_equal(got, expected)
    assert optimizer.updates == 0
    if memory and kind != "sgd":
        optimizer.clear_gradients()
        assert optimizer.gradient_norm() == 0.0
        backward(params, 0, 1.0)
        optimizer.update()  # training goes on


def test_bad_hyperparameters_and_weight_decay():
    pc, params = make_model()
    with pytest.raises(ValueError, match="MomentumSGD: momentum must be < 1.0"):
        MomentumSGD(pc, momentum=1.5)
    with pytest.raises(ValueError, match="Adam: alpha must be >= 0.0"):
        Adam(pc, alpha=-1)
    with pytest.raises(TypeError, match="SGD: learning_rate must be a number"):
        SGD(pc, learning_rate="fast")
    with pytest.raises(TypeError, match="SGD: pc must be a dy.ParameterCollection"):
        SGD(params[0])
    pc.set_weight_decay(1e-4)
    with pytest.raises(NotImplementedError, match="weight decay"):
        SGD(pc).update()


def test_registered_and_repr():
    for cls in (SGD, MomentumSGD, Adagrad, Adam):
        assert registry.lookup(cls.__name__) is cls
    pc, _ = make_model()
    assert repr(Adam(pc)) == (
        "Adam(alpha=0.001, beta_1=0.9, beta_2=0.999, eps=1e-08, clip_threshold=5.0)"
    )


def test_direct_views_of_dynet_memory():
    if not _dynet_memory.available():
        pytest.skip("no direct memory access on this platform")
    pc, (W, b, E) = make_model()
    backward((W, b, E), 0, 1.0)
    for param in (W, b, E):
        views = _dynet_memory.views(param)
        np.testing.assert_array_equal(views.values, param.as_array())
        np.testing.assert_array_equal(views.gradients, param.grad_as_array())
    views = _dynet_memory.views(W)
    views.values[1, 2] = 0.25
    assert W.as_array()[1, 2] == 0.25
    assert _dynet_memory.views(pc.add_parameters((2, 3, 4))) is None  # unsupported: copies
