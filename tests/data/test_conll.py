import io

import pytest

from dynn.data.conll import (
    CoNLLUError,
    Sentence,
    Token,
    parse_conllu,
    parse_features,
    read_conllu,
    write_conllu,
)


def row(*columns):
    return "\t".join(str(c) for c in columns)


SENTENCE_1 = "\n".join(
    [
        "# newdoc id = doc1",
        "# sent_id = s1",
        "# text = Vámonos al mar.",
        row("1-2", "Vámonos", "_", "_", "_", "_", "_", "_", "_", "_"),
        row(1, "Vamos", "ir", "VERB", "V", "Mood=Imp|Number=Plur", 0, "root", "0:root", "_"),
        row(2, "nos", "nosotros", "PRON", "P", "Case=Acc", 1, "obj", "1:obj", "_"),
        row("3-4", "al", "_", "_", "_", "_", "_", "_", "_", "_"),
        row(3, "a", "a", "ADP", "S", "_", 5, "case", "5:case", "_"),
        row(4, "el", "el", "DET", "D", "_", 5, "det", "5:det", "_"),
        row(5, "mar", "mar", "NOUN", "N", "_", 1, "obl", "1:obl", "SpaceAfter=No"),
        row(6, ".", ".", "PUNCT", "F", "_", 1, "punct", "1:punct", "_"),
    ]
)
SENTENCE_2 = "\n".join(
    [
        "# sent_id = s2",
        row(1, "Sue", "Sue", "PROPN", "_", "_", 2, "nsubj", "2:nsubj|2.1:nsubj", "_"),
        row(2, "likes", "like", "VERB", "_", "_", 0, "root", "0:root", "_"),
        row(2.1, "likes", "like", "VERB", "_", "_", "_", "_", "0:root|2:conj", "CopyOf=2"),
        row(3, "tea", "tea", "NOUN", "_", "_", 2, "obj", "2:obj", "_"),
    ]
)
TEXT = SENTENCE_1 + "\n\n" + SENTENCE_2 + "\n\n"


def test_parse_words_multiword_tokens_and_empty_nodes():
    first, second = parse_conllu(TEXT)
    assert [w.form for w in first.words] == ["Vamos", "nos", "a", "el", "mar", "."]
    assert [t.form for t in first.surface_tokens] == ["Vámonos", "al", "mar", "."]
    assert len(first) == 6 and len(first.tokens) == 8
    assert first.tokens[0].is_multiword and list(first.tokens[0].span) == [1, 2]
    assert [w.head for w in first] == [0, 1, 5, 5, 1, 1]
    assert [w.upos for w in first] == ["VERB", "PRON", "ADP", "DET", "NOUN", "PUNCT"]
    assert first.words[0].feats_dict == {"Mood": "Imp", "Number": "Plur"}
    assert [w.space_after for w in first] == [True, True, True, True, False, True]
    assert first.metadata == {"newdoc id": "doc1", "sent_id": "s1", "text": "Vámonos al mar."}
    assert (first.sent_id, first.text) == ("s1", "Vámonos al mar.")
    empty = second.tokens[2]
    assert empty.is_empty_node and empty.head is None and not empty.is_word
    assert [w.form for w in second.words] == ["Sue", "likes", "tea"]
    assert second.text is None
    assert repr(second) == "<Sentence 's2': Sue likes tea>"


def test_round_trip_is_exact(tmp_path):
    sentences = parse_conllu(TEXT)
    assert "".join(s.to_conllu() for s in sentences) == TEXT
    write_conllu(sentences, tmp_path / "out.conllu")
    assert (tmp_path / "out.conllu").read_text(encoding="utf-8") == TEXT
    buffer = io.StringIO()
    write_conllu(read_conllu(tmp_path / "out.conllu"), buffer)
    assert buffer.getvalue() == TEXT


def test_blank_lines_line_endings_and_missing_final_newline():
    messy = "\n\n" + SENTENCE_1.replace("\n", "\r\n") + "\r\n\r\n\n  \n" + SENTENCE_2
    sentences = parse_conllu(messy)
    assert [s.sent_id for s in sentences] == ["s1", "s2"]
    assert sentences[0].words[-1].misc == "_"


def test_read_from_open_file(tmp_path):
    path = tmp_path / "x.conllu"
    path.write_text(TEXT, encoding="utf-8")
    with open(path, encoding="utf-8") as handle:
        assert [s.sent_id for s in read_conllu(handle)] == ["s1", "s2"]
    with pytest.raises(FileNotFoundError):
        read_conllu(tmp_path / "missing.conllu")


def test_parse_features():
    assert parse_features("_") == {}
    assert parse_features("A=1|B=2|A=3|Flag") == {"A": "1,3", "B": "2", "Flag": ""}


def test_token_construction_and_line():
    token = Token("1", "a", "a", "DET", "_", "_", None, "_", "_", "_")
    assert token.to_line() == "1\ta\ta\tDET\t_\t_\t_\t_\t_\t_"
    assert Sentence([token]).to_conllu() == token.to_line() + "\n\n"


@pytest.mark.parametrize(
    "text, message",
    [
        ("1\ta\n", "<string>:1: expected 10 tab-separated columns, found 2"),
        (row("x", *"abcdefghi") + "\n", "<string>:1: bad ID 'x'"),
        (row(1, "a", "a", "X", "_", "_", "h", "dep", "_", "_") + "\n", "bad HEAD 'h'"),
        (
            "# c\n" + row(1, *"abcde", 0, *"xyz") + "\n" + row(3, *"abcde", 1, *"xyz") + "\n",
            "<string>:1: word IDs must be 1, 2, 3...; got [1, 3]",
        ),
        (row(1, *"abcde", 5, *"xyz") + "\n", "HEAD 5 of word 1 is beyond the last word"),
        (row("1-3", "ab", *"_" * 8) + "\n" + row(1, *"abcde", 0, *"xyz"), "bad multiword range"),
        ("# only a comment\n\n", "<string>:1: comments without any token line"),
        (row(1, *"abcde", 0, *"xyz") + "\n# late\n", "<string>:2: comment line after token"),
    ],
)
def test_errors_name_the_line(text, message):
    with pytest.raises(CoNLLUError, match=message.replace("[", r"\[").replace("]", r"\]")):
        parse_conllu(text)


def test_error_names_the_file(tmp_path):
    path = tmp_path / "bad.conllu"
    path.write_text(TEXT + "7\toops\n", encoding="utf-8")
    with pytest.raises(CoNLLUError, match=r"bad.conllu:19: expected 10"):
        read_conllu(path)
