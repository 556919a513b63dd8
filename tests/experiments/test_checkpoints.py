import dynet as dy
import numpy as np
import pytest

import dynn
from dynn.experiments.checkpoints import (
    CheckpointError,
    checkpoint_exists,
    load_checkpoint,
    save_checkpoint,
)
from dynn.experiments.metrics import MetricsLog
from dynn.layers.recurrent_layers import LSTM


class _StatefulOptimizer:
    """Just enough of an optimizer to check that its state travels with the checkpoint."""

    def __init__(self):
        self.moments = np.arange(6, dtype=np.float32).reshape(2, 3)
        self.updates = 7

    def state_dict(self):
        return {"moments": self.moments, "updates": self.updates}

    def load_state_dict(self, state):
        self.moments, self.updates = state["moments"], state["updates"]


def test_checkpoint_round_trip_restores_parameters_optimizer_and_counters(tmp_path, rng):
    pc = dy.ParameterCollection()
    lstm = LSTM(pc, 2, 3)
    saved = {path: p.as_array().copy() for path, p in lstm.iter_parameters()}
    save_checkpoint(tmp_path, "last", lstm, _StatefulOptimizer(), {"step": 12, "best": 0.5})
    assert checkpoint_exists(tmp_path, "last")
    for _, param in lstm.iter_parameters():
        param.set_value(rng.uniform(-1, 1, param.shape()))
    optimizer = _StatefulOptimizer()
    optimizer.moments, optimizer.updates = None, None
    counters = load_checkpoint(tmp_path, "last", lstm, optimizer)
    assert counters == {"step": 12, "best": 0.5}
    for path, param in lstm.iter_parameters():
        np.testing.assert_array_equal(param.as_array(), saved[path])
    np.testing.assert_array_equal(optimizer.moments, np.arange(6).reshape(2, 3))
    assert optimizer.updates == 7


def test_checkpoint_refuses_a_different_model(tmp_path):
    save_checkpoint(tmp_path, "last", LSTM(dy.ParameterCollection(), 2, 3))
    with pytest.raises(
        CheckpointError,
        match=r"(?s)checkpoint 'last'.*shape mismatches.*Whx: expected \(16, 2\), found \(12, 2\)",
    ):
        load_checkpoint(tmp_path, "last", LSTM(dy.ParameterCollection(), 2, 4))


def test_incomplete_checkpoint_is_not_a_checkpoint(tmp_path):
    save_checkpoint(tmp_path, "last", LSTM(dy.ParameterCollection(), 2, 3))
    (tmp_path / "last.json").unlink()
    assert not checkpoint_exists(tmp_path, "last")
    with pytest.raises(CheckpointError, match="no complete checkpoint 'last'"):
        load_checkpoint(tmp_path, "last", LSTM(dy.ParameterCollection(), 2, 3))


def test_metrics_log_jsonl_csv_truncate_and_torn_line(tmp_path):
    log = MetricsLog(tmp_path)
    for step in (1, 2, 3):
        log.append({"step": step, "split": "train", "loss": 1.0 / step})
    log.append({"step": 3, "split": "dev", "accuracy": 0.5})
    assert (tmp_path / "metrics.csv").read_text().splitlines()[0] == "step,split,accuracy,loss"
    log.truncate(2)
    assert [r["step"] for r in log.rows()] == [1, 2]
    with open(tmp_path / "metrics.jsonl", "a") as stream:
        stream.write('{"step": 3, "spl')  # a run killed mid-line
    assert len(log.rows()) == 2
    with pytest.raises(ValueError, match="need 'step' and 'split'"):
        log.append({"loss": 1.0})


def test_graph_state_is_not_needed_to_checkpoint(tmp_path):
    lstm = LSTM(dy.ParameterCollection(), 2, 3)
    dynn.new_graph(lstm, test=False, update=True)
    save_checkpoint(tmp_path, "best", lstm)
    assert checkpoint_exists(tmp_path, "best")
