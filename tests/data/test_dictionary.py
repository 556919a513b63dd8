import json

import numpy as np
import pytest

from dynn.data.dictionary import Dictionary
from dynn.files import FileFormatError


def test_specials_come_first_with_original_indices():
    dic = Dictionary(symbols=["a", "b", "a"])
    assert dic.symbols == ["<unk>", "<pad>", "<eos>", "a", "b"]
    assert (dic.unk_idx, dic.pad_idx, dic.eos_idx, dic.bos_idx) == (0, 1, 2, None)
    assert (dic.unk_tok, dic.pad_tok, dic.eos_tok, dic.bos_tok) == ("<unk>", "<pad>", "<eos>", None)
    assert dic.nspecials == 3 and len(dic) == 5
    assert "a" in dic and "z" not in dic
    assert dic["b"] == 4 and dic[4] == "b"
    assert dic.is_special(2) and not dic.is_special(3)


def test_configurable_specials():
    dic = Dictionary(
        symbols=["x"],
        special_symbols=["<mask>"],
        unk_token="UNK",
        pad_token=None,
        bos_token="<s>",
        eos_token="</s>",
    )
    assert dic.symbols == ["UNK", "</s>", "<s>", "<mask>", "x"]
    assert (dic.unk_idx, dic.pad_idx, dic.eos_idx, dic.bos_idx, dic.nspecials) == (0, None, 1, 2, 4)
    assert dic.string([2, 4, 1]) == ["x"]
    assert dic.string([2, 4, 1], with_bos=True, with_eos=True) == ["<s>", "x", "</s>"]
    with pytest.raises(ValueError, match="already special"):
        Dictionary(unk_token="<x>", pad_token="<x>")


def test_lookups_never_add_and_frozen_add_gives_unk():
    dic = Dictionary(symbols=["a"])
    assert dic.index("new") == 0 and "new" not in dic
    assert dic.add("new") == 4 and dic.add("new") == 4
    dic.freeze()
    assert dic.add("other") == dic.unk_idx and "other" not in dic
    with pytest.raises(KeyError, match="'other' is not in the dictionary"):
        dic.index("other", fail_if_unknown=True)
    dic.thaw()
    assert dic.add("other") == 5
    no_unk = Dictionary(unk_token=None)
    with pytest.raises(KeyError, match="'z'"):
        no_unk.index("z")


def test_numberize_nested_and_string():
    dic = Dictionary(symbols=["a", "b"])
    assert dic.numberize([["a", "x"], ("b",), {"k": "a"}, []]) == [[3, 0], [4], {"k": 3}, []]
    assert dic.string(np.array([3, 1, 4, 2, 1])) == ["a", "b"]
    assert (
        dic.string([3, 1, 4, 2], with_pad=True, with_eos=True, join_with=" ") == "a <pad> b <eos>"
    )
    with pytest.raises(TypeError, match="got int"):
        dic.numberize([1])
    with pytest.raises(IndexError, match="index 9 out of range"):
        dic.string([9])
    with pytest.raises(TypeError, match="must be a string"):
        dic.add(3)


def test_from_data_counts_min_count_and_max_size():
    data = [["b", "a", "c", "a"], ["c", "a", "d"], ["b", "c"]]  # a:3 c:3 b:2 d:1
    assert Dictionary.from_data(data).symbols[3:] == ["a", "c", "b", "d"]  # ties: first seen
    assert Dictionary.from_data(data, min_count=2).symbols[3:] == ["a", "c", "b"]
    assert Dictionary.from_data(data, max_size=2).symbols[3:] == ["a", "c"]
    forced = Dictionary.from_data(data, max_size=2, symbols=["z"])
    assert forced.symbols[3:] == ["z", "a"]
    assert Dictionary.from_data(data, bos_token="<s>").bos_idx == 3
    with pytest.raises(TypeError, match="got the string 'abc'"):
        Dictionary.from_data(["abc"])
    with pytest.raises(ValueError, match="min_count"):
        Dictionary.from_data(data, min_count=0)


def test_save_load_round_trips_every_attribute(tmp_path):
    dic = Dictionary.from_data(
        [["é", "a b", "\t"]], special_symbols=["<m>"], bos_token="<s>", pad_token=None
    )
    dic.freeze()
    dic.save(tmp_path / "dic.json")
    content = json.loads((tmp_path / "dic.json").read_text(encoding="utf-8"))
    assert content["format"] == "dynn.Dictionary" and content["frozen"] is True
    loaded = Dictionary.load(tmp_path / "dic.json")
    assert loaded == dic
    assert vars(loaded) == vars(dic)
    thawed = Dictionary(symbols=["x"])
    thawed.save(tmp_path / "thawed.json")
    assert Dictionary.load(tmp_path / "thawed.json").frozen is False


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda s: s.update(format="other"), "not a dynn dictionary"),
        (lambda s: s.update(version=2), "version 2"),
        (lambda s: s.pop("frozen"), "missing or unknown fields"),
        (lambda s: s.update(symbols=["<pad>", "<unk>", "<eos>"]), "do not match the special"),
        (lambda s: s.update(symbols=["<unk>", "<pad>", "<eos>", "a", "a"]), "duplicate"),
        (lambda s: s.update(symbols=[1]), "list of strings"),
    ],
)
def test_load_rejects_inconsistent_files(change, message, tmp_path):
    Dictionary(symbols=["a"]).save(tmp_path / "d.json")
    state = json.loads((tmp_path / "d.json").read_text())
    change(state)
    (tmp_path / "d.json").write_text(json.dumps(state))
    with pytest.raises(FileFormatError, match=message):
        Dictionary.load(tmp_path / "d.json")


def test_loads_original_dynn_text_files(tmp_path):
    (tmp_path / "old.txt").write_text("5\tTrue\t3\n<unk>\n<pad>\n<eos>\nhello\nworld\n")
    dic = Dictionary.load(tmp_path / "old.txt")
    assert dic.symbols == ["<unk>", "<pad>", "<eos>", "hello", "world"] and dic.frozen
    (tmp_path / "plain.txt").write_text("x\ny\n")
    assert Dictionary.load(tmp_path / "plain.txt").symbols[3:] == ["x", "y"]
    (tmp_path / "bad.txt").write_text("4\tFalse\t3\n<unk>\n")
    with pytest.raises(FileFormatError, match="announces 4 symbols, the file has 1"):
        Dictionary.load(tmp_path / "bad.txt")
