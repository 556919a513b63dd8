import pickle

import numpy as np
import pytest

from dynn.data.caching import cached_to_file, load_cache, save_cache
from dynn.files import FileFormatError, PickledDataError


def test_decorator_computes_once_then_reads(tmp_path):
    calls = []
    path = tmp_path / "cache.json"

    @cached_to_file(path)
    def preprocess(n):
        calls.append(n)
        return {"tokens": [["a"] * n], "n": n, "ratio": 0.5, "none": None}

    first = preprocess(2)
    assert preprocess(3) == first  # the cache ignores the arguments
    assert calls == [2]
    assert preprocess(3, update_cache=True)["n"] == 3
    assert preprocess(4)["n"] == 3 and calls == [2, 3]


@pytest.mark.parametrize(
    "value",
    [
        np.arange(6, dtype=np.int32).reshape(2, 3),
        {"x": np.ones(3), "y": np.array(["a", "bc"])},
        [np.array([1, 2, 3]), np.array([], dtype=np.int64), np.array([4])],
        [np.ones((2, 2)), np.zeros((1, 3))],
        [],
    ],
)
def test_npz_round_trips(value, tmp_path):
    save_cache(value, tmp_path / "c.npz")
    loaded = load_cache(tmp_path / "c.npz")
    assert type(loaded) is type(value)
    if isinstance(value, np.ndarray):
        np.testing.assert_array_equal(loaded, value)
        assert loaded.dtype == value.dtype
    else:
        items = value.items() if isinstance(value, dict) else enumerate(value)
        for key, array in items:
            np.testing.assert_array_equal(loaded[key], array)
            assert loaded[key].dtype == array.dtype and loaded[key].shape == array.shape
        assert len(loaded) == len(value)


@pytest.mark.parametrize(
    "value, filename, message",
    [
        ((1, 2), "c.json", "would not come back unchanged"),
        ({1: "a"}, "c.json", "would not come back unchanged"),
        ({"a": {1, 2}}, "c.json", "not JSON-serializable"),
        ([[1, 2], [3]], "c.npz", "item 0 must be a numpy array"),
        ([np.ones(2), np.ones(2, dtype=np.int64)], "c.npz", "share one dtype"),
        (np.array([None]), "c.npz", "dtype object"),
        ("text", "c.npz", "not a str"),
        ({3: np.ones(1)}, "c.npz", "keys must be strings"),
    ],
)
def test_values_that_would_not_round_trip_are_refused(value, filename, message, tmp_path):
    with pytest.raises(TypeError, match=message):
        save_cache(value, tmp_path / filename)
    assert not (tmp_path / filename).exists()


def test_pickles_are_never_loaded(tmp_path):
    with pytest.raises(ValueError, match="must end with .json or .npz"):
        cached_to_file(tmp_path / "cache.pkl")
    with open(tmp_path / "evil.npz", "wb") as handle:
        pickle.dump([1, 2], handle)
    with pytest.raises(PickledDataError):
        load_cache(tmp_path / "evil.npz")
    np.savez(
        tmp_path / "obj.npz",
        __dynn_cache__=np.array("list"),
        values=np.array([[1], [2, 3]], dtype=object),
    )
    with pytest.raises(PickledDataError, match="'values' is a pickled"):
        load_cache(tmp_path / "obj.npz")
    np.savez(tmp_path / "other.npz", a=np.ones(2))
    with pytest.raises(FileFormatError, match="not a dynn cache file"):
        load_cache(tmp_path / "other.npz")
    (tmp_path / "bad.json").write_text("{nope")
    with pytest.raises(FileFormatError, match="invalid JSON"):
        load_cache(tmp_path / "bad.json")
