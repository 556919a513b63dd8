import collections
import importlib.metadata
import json
import os
import subprocess
import sys

import pytest

from dynn.data import treebanks
from dynn.data.treebanks import (
    MostFrequentTagger,
    TreebankNotInstalledError,
    genre,
    genre_examples,
    load_treebank,
    most_frequent_tag_baseline,
    split_of,
    tagged_words,
    tokenize,
    treebank_file,
    words,
)

try:
    importlib.metadata.distribution("turkish-treebanks")
    INSTALLED = True
except importlib.metadata.PackageNotFoundError:
    INSTALLED = False
needs_data = pytest.mark.skipif(not INSTALLED, reason="turkish-treebanks is not installed")


@pytest.fixture(scope="module")
def everything():
    return load_treebank()


@pytest.fixture(scope="module")
def splits():
    return {split: load_treebank(split) for split in treebanks.SPLITS}


def test_missing_package_gives_install_instructions(monkeypatch):
    def not_found(name):
        raise importlib.metadata.PackageNotFoundError(name)

    monkeypatch.setattr(importlib.metadata, "distribution", not_found)
    with pytest.raises(TreebankNotInstalledError, match=r"pip install 'dynn\[data\]'"):
        treebank_file("web")
    with pytest.raises(TreebankNotInstalledError, match="turkish-treebanks"):
        load_treebank("train")


def test_bad_arguments():
    with pytest.raises(ValueError, match="unknown treebank section 'news'"):
        treebank_file("news")
    with pytest.raises(ValueError, match="unknown split 'validation'"):
        load_treebank("validation")
    with pytest.raises(ValueError, match="unknown split scheme 'random'"):
        split_of(0, "x", scheme="random")


@needs_data
def test_files_and_sizes(everything):
    assert treebank_file("web").name == "web.conllu" and treebank_file("wiki").is_file()
    assert len(load_treebank(sections="web")) == 2541
    assert len(everything) == 2541 + 2310
    assert sum(len(s.words) for s in everything) == 32422 + 48948
    assert len({s.sent_id for s in everything}) == len(everything)


@needs_data
def test_package_split_is_the_package_readers(everything, splits):
    assert [len(splits[s]) for s in treebanks.SPLITS] == [3881, 485, 485]
    ids = {split: [s.sent_id for s in sentences] for split, sentences in splits.items()}
    assert sorted(sum(ids.values(), [])) == sorted(s.sent_id for s in everything)
    # The package's own reader needs a protobuf runtime older than the one installed; its
    # pure-Python implementation works, in a separate process.
    script = (
        "import json\nfrom turkish_treebanks import read\n"
        "print(json.dumps([x.sentence_id for x in read.sentences(split='dev')]))"
    )
    environment = dict(os.environ, PROTOCOL_BUFFERS_PYTHON_IMPLEMENTATION="python")
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=environment
    )
    if result.returncode != 0:
        pytest.skip(f"turkish_treebanks.read does not run here: {result.stderr[-300:]}")
    assert ids["dev"] == json.loads(result.stdout)


@needs_data
def test_hash_split_is_reproducible_and_about_80_10_10(everything):
    by_split = {split: load_treebank(split, scheme="hash") for split in treebanks.SPLITS}
    ids = {split: {s.sent_id for s in sentences} for split, sentences in by_split.items()}
    assert sum(len(v) for v in ids.values()) == len(everything)
    assert not (ids["train"] & ids["dev"]) and not (ids["dev"] & ids["test"])
    assert 0.78 < len(ids["train"]) / len(everything) < 0.82
    assert split_of(0, "tr-forum:00000222:S023", "hash") == split_of(
        7, "tr-forum:00000222:S023", "hash"
    )


@needs_data
def test_word_view_joins_inflectional_groups(everything):
    tags = set()
    for sentence in everything:
        sentence_words = words(sentence)
        text = "".join(w.form + (" " if w.space_after else "") for w in sentence_words)
        assert text.strip() == sentence.text  # the words rebuild the text exactly
        assert all(0 <= w.head <= len(sentence_words) for w in sentence_words)
        assert all(w.deprel != "ig" for w in sentence_words)
        tags.update(w.upos for w in sentence_words)
    assert len(tags) == 14
    sentence = next(s for s in everything if s.sent_id == "tr-blog:00000584:S049")
    first = words(sentence)[0]
    assert (first.form, first.upos, first.lemma, len(first.groups)) == (
        "Açıklanmayan",
        "ADJ",
        "açık",
        4,
    )
    forms, tags = tagged_words([sentence])[0]
    assert forms[-2:] == ["imkansız", "."] and tags[-2:] == ["VERB", "PUNCT"]


@needs_data
def test_genres(everything):
    counts = collections.Counter(label for _, label in genre_examples(everything))
    assert counts == {
        "forum": 1243,
        "blog": 524,
        "guide": 373,
        "review": 221,
        "howto": 180,
        "wiki": 2310,
    }
    with pytest.raises(ValueError, match="cannot tell the genre"):
        genre("s1")


@needs_data
def test_tokenizer_matches_the_treebank(everything):
    exact = sum(tokenize(s.text) == [w.form for w in words(s)] for s in everything)
    assert exact / len(everything) > 0.97


def test_tokenizer_examples():
    assert tokenize("Burda da öylemi yoksa kiloyla mı ?") == [
        "Burda", "da", "öylemi", "yoksa", "kiloyla", "mı", "?"
    ]  # fmt: skip
    assert tokenize("``Evet'' dedi, 10.000 TL'yi vb. aldı; 3. kez!") == [
        "``", "Evet", "''", "dedi", ",", "10.000", "TL'yi", "vb.", "aldı", ";", "3.", "kez", "!"
    ]  # fmt: skip
    assert tokenize("Yıl 2008.") == ["Yıl", "2008", "."]
    assert tokenize("Ne??? Olamaz!!") == ["Ne", "?", "?", "?", "Olamaz", "!", "!"]
    assert tokenize("") == []


@needs_data
def test_most_frequent_tag_baseline(splits):
    train, dev, test = (tagged_words(splits[s]) for s in treebanks.SPLITS)
    assert sum(len(f) for f, _ in train) == 52914
    assert most_frequent_tag_baseline(train, dev) == pytest.approx(0.8666, abs=5e-5)
    assert most_frequent_tag_baseline(train, test) == pytest.approx(0.8576, abs=5e-5)


def test_most_frequent_tagger_errors():
    with pytest.raises(RuntimeError, match="call fit"):
        MostFrequentTagger().predict(["a"])
    with pytest.raises(ValueError, match="no tagged words"):
        MostFrequentTagger().fit([])
    with pytest.raises(ValueError, match="2 words but 1 tags"):
        MostFrequentTagger().fit([(["a", "b"], ["X"])])
