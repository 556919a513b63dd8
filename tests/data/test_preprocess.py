import numpy as np
import pytest

from dynn.data import preprocess


def test_lowercase_keeps_structure():
    assert preprocess.lowercase({"a": ("ÀB", ["Cd"])}) == {"a": ["àb", ["cd"]]}
    with pytest.raises(TypeError, match="lowercase: expected a string"):
        preprocess.lowercase([1])


def test_tokenizers():
    text = "Don't stop: 3.14, 1,000 & U.S.A.!"
    assert preprocess.tokenize(text) == ["Don't", "stop:", "3.14,", "1,000", "&", "U.S.A.!"]
    assert preprocess.tokenize(text, tok="punct") == [
        "Don",
        "'",
        "t",
        "stop",
        ":",
        "3.14",
        ",",
        "1,000",
        "&",
        "U",
        ".",
        "S",
        ".",
        "A",
        ".",
        "!",
    ]
    assert preprocess.tokenize(["ab c"], tok="char") == [["a", "b", " ", "c"]]
    assert preprocess.tokenize("naïve café", tok="punct") == ["naïve", "café"]
    with pytest.raises(ValueError, match="unknown tokenizer 'moses'"):
        preprocess.tokenize("a", tok="moses")


def test_normalize_text():
    assert preprocess.normalize_text("ﬁne  Ｈｅｌｌｏ\t２０２４ x²") == "fine Hello 0000 x0"
    assert preprocess.normalize_text("A 12", digits=None, lowercase=True) == "a 12"
    assert preprocess.normalize_text("  a \n b ", collapse_spaces=False) == "  a \n b "
    assert preprocess.normalize_text("e\u0301", form="NFC") == "é"
    assert preprocess.normalize_text("٣ apples", digits="#") == "# apples"  # Arabic-Indic digit
    with pytest.raises(ValueError, match="unknown Unicode form"):
        preprocess.normalize_text("a", form="NFX")


def test_standardize_and_normalize_dispatch():
    x = np.array([1.0, 2.0, 3.0, 6.0])
    expected = (x - 3.0) / np.sqrt(3.5)
    np.testing.assert_allclose(preprocess.standardize(x), expected)
    np.testing.assert_allclose(preprocess.normalize([x])[0], expected)
    assert preprocess.normalize(["Ａ１"]) == ["A0"]
    with pytest.raises(TypeError, match="standardize"):
        preprocess.standardize(["a"])
