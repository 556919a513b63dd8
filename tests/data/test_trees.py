import pytest

from dynn.data.trees import Tree, parse_trees

PTB = "( (S (NP-SBJ (DT The) (NN cat)) (VP (VBD sat) (PP (IN on) (NP (DT the) (NN mat)))) (. .)) )"


def test_parse_ptb_tree():
    tree = Tree.from_string(PTB)
    assert tree.label == "" and len(tree.children) == 1
    sentence = tree.children[0]
    assert sentence.label == "S"
    assert tree.leaves() == ["The", "cat", "sat", "on", "the", "mat", "."]
    assert len(tree) == 7
    assert sentence.labels() == [
        "S",
        "NP-SBJ",
        "DT",
        "NN",
        "VP",
        "VBD",
        "PP",
        "IN",
        "NP",
        "DT",
        "NN",
        ".",
    ]
    assert tree.pos()[:3] == [("The", "DT"), ("cat", "NN"), ("sat", "VBD")]
    assert tree.height() == 7  # "", S, VP, PP, NP, DT, the
    assert [n.label for n in sentence.children[0].postorder()] == [
        "The",
        "DT",
        "cat",
        "NN",
        "NP-SBJ",
    ]
    assert [n.label for n in sentence.children[0].preorder()] == [
        "NP-SBJ",
        "DT",
        "The",
        "NN",
        "cat",
    ]
    assert sentence.children[0].children[0].is_preterminal()
    assert not sentence.is_preterminal()


def test_string_round_trip():
    for text in [PTB, "(3 (2 good) (4 (3 very) (4 nice)))", "((a b) c)"]:
        tree = Tree.from_string(text, labelled=not text.startswith("(("))
        assert Tree.from_string(str(tree), labelled=not text.startswith("((")) == tree
    assert str(Tree.from_string("(S (NP  I)\n   (VP run))")) == "(S (NP I) (VP run))"
    assert str(Tree.from_string(PTB)) == PTB.replace(" )", ")")


def test_labels_can_be_converted_and_unlabelled_trees():
    sst = Tree.from_string("(3 (2 good) (4 fun))", label_type=int)
    assert sst.labels() == [3, 2, 4] and sst.leaves() == ["good", "fun"]
    unlabelled = Tree.from_string("((a b) c)", labelled=False)
    assert unlabelled.label is None and unlabelled.leaves() == ["a", "b", "c"]
    assert str(unlabelled) == "((a b) c)"
    with pytest.raises(ValueError, match="bad label 'x' at character 1"):
        Tree.from_string("(x a)", label_type=int)


def test_single_token_and_multiple_trees():
    assert Tree.from_string("word") == Tree("word")
    assert Tree("word").isleaf() and Tree("word").leaves() == ["word"]
    trees = parse_trees("(A a)\n(B (C c))\n")
    assert [t.label for t in trees] == ["A", "B"]
    with pytest.raises(ValueError, match="expected one tree, found 2"):
        Tree.from_string("(A a) (B b)")


@pytest.mark.parametrize(
    "text, message",
    [
        ("(S (NP a)", "1 unclosed '\\('"),
        ("(S a))", "unbalanced '\\)' at character 5"),
        ("(S a) b", "'b' at character 6 is outside any brackets"),
    ],
)
def test_malformed_trees(text, message):
    with pytest.raises(ValueError, match=message):
        Tree.from_string(text)


def test_constructor_checks_children():
    with pytest.raises(TypeError, match="children must be Trees"):
        Tree("S", ["a"])
    assert Tree("S", []) != Tree("S") and not Tree("S", []).isleaf()
