import numpy as np
import pytest

from dynn.data.batching import NumpyBatches


def test_batches_in_order_with_batch_axis_last():
    data = np.arange(14.0).reshape(7, 2)
    targets = np.arange(7) * 10
    batches = NumpyBatches(data, targets, batch_size=3, shuffle=False)
    assert len(batches) == 3
    out = list(batches)
    assert [x.shape for x, _ in out] == [(2, 3), (2, 3), (2, 1)]
    np.testing.assert_array_equal(out[0][0], data[:3].T)
    np.testing.assert_array_equal(out[2][1], [60])
    assert out[0][0].flags.f_contiguous or out[0][0].flags.c_contiguous
    assert batches.percentage_done() == 100


def test_shuffling_is_seeded_and_visits_every_sample_once():
    data, targets = np.arange(10)[:, None], np.arange(10)
    first = [y.tolist() for _, y in NumpyBatches(data, targets, batch_size=4, rng=3)]
    second = [y.tolist() for _, y in NumpyBatches(data, targets, batch_size=4, rng=3)]
    assert first == second
    assert sorted(sum(first, [])) == list(range(10)) and sum(first, []) != list(range(10))
    batches = NumpyBatches(data, targets, batch_size=4, rng=np.random.default_rng(0))
    epoch1 = [y.tolist() for _, y in batches]
    epoch2 = [y.tolist() for _, y in batches]
    assert epoch1 != epoch2  # a new order each epoch
    for x, y in NumpyBatches(data, targets, batch_size=4, rng=1):
        np.testing.assert_array_equal(x[0], y)  # data and targets stay aligned


def test_scalar_samples_and_multidimensional_targets():
    batches = NumpyBatches([1.0, 2.0, 3.0], np.eye(3), batch_size=2, shuffle=False)
    x, y = next(iter(batches))
    assert x.shape == (1, 2) and y.shape == (3, 2)
    np.testing.assert_array_equal(y, np.eye(3)[:, :2])


def test_reporting_helpers():
    batches = NumpyBatches(np.zeros((10, 1)), np.zeros(10), batch_size=3, shuffle=False)
    it = iter(batches)
    next(it)
    next(it)
    assert batches.just_passed_multiple(2) and not batches.just_passed_multiple(3)
    assert batches.percentage_done() == 60


@pytest.mark.parametrize(
    "args, kwargs, message",
    [
        ((np.zeros((3, 2)), np.zeros(4)), {}, "different sizes \\(3 vs 4\\)"),
        (([np.zeros(2), np.zeros(3)], np.zeros(2)), {}, "data\\[1\\] has \\(3,\\)"),
        ((np.zeros((3, 2)), np.zeros(3)), {"batch_size": 0}, "batch_size must be a positive"),
        ((np.zeros((3, 2)), np.zeros(3)), {"rng": "seed"}, "rng must be None"),
        (([], []), {}, "data is empty"),
    ],
)
def test_bad_input(args, kwargs, message):
    with pytest.raises((ValueError, TypeError), match=message):
        NumpyBatches(*args, **kwargs)
