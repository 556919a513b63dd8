import pytest

from dynn.data.text_corpus import read_text, split_text


@pytest.fixture
def text_file(tmp_path):
    path = tmp_path / "corpus.txt"
    path.write_text("  Bir iki  üç \n\n\t\nDört beş\nAltı\n", encoding="utf-8")
    return path


def test_word_level(text_file):
    assert read_text(text_file) == [["Bir", "iki", "üç"], ["Dört", "beş"], ["Altı"]]
    assert read_text(text_file, lowercase=True)[2] == ["altı"]
    assert read_text(text_file, max_lines=2) == [["Bir", "iki", "üç"], ["Dört", "beş"]]


def test_char_level(text_file):
    sequences = read_text(text_file, level="char")
    assert sequences[0] == list("Bir iki  üç")
    assert sequences[2] == ["A", "l", "t", "ı"]


def test_errors(tmp_path, text_file):
    with pytest.raises(FileNotFoundError, match="no text file at"):
        read_text(tmp_path / "missing.txt")
    with pytest.raises(ValueError, match="unknown level 'byte'"):
        read_text(text_file, level="byte")
    with pytest.raises(ValueError, match="unknown level"):
        split_text("a", level="sentence")
    empty = tmp_path / "empty.txt"
    empty.write_text("\n \n", encoding="utf-8")
    with pytest.raises(ValueError, match="empty.txt contains no text"):
        read_text(empty)
    binary = tmp_path / "binary.txt"
    binary.write_bytes(b"\xff\xfe\x00abc")
    with pytest.raises(ValueError, match="binary.txt is not utf-8 text"):
        read_text(binary)
