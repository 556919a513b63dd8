"""Trees: read and write bracketed trees (s-expressions) such as Penn Treebank parses.

A tree is ``(label child child ...)``; a leaf is a bare token. In the Penn Treebank, the leaves
are words and their parents are part-of-speech tags; files often wrap each tree in an extra,
unlabelled pair of brackets (``( (S ...) )``), which gives a root with the empty label ``""``.
In the Stanford Sentiment Treebank, labels are integers (use ``label_type=int``).

Example:
    >>> from dynn.data.trees import Tree
    >>> tree = Tree.from_string("(S (NP (DT the) (NN cat)) (VP (VBD sat)))")
    >>> tree.leaves()
    ['the', 'cat', 'sat']
    >>> tree.labels()
    ['S', 'NP', 'DT', 'NN', 'VP', 'VBD']
    >>> tree.pos()
    [('the', 'DT'), ('cat', 'NN'), ('sat', 'VBD')]
    >>> str(tree.children[0])
    '(NP (DT the) (NN cat))'
"""

import re
from typing import Callable, Iterator, List, Optional, Tuple

__all__ = ["Tree", "parse_trees"]

_TOKEN = re.compile(r"\s+|\(|\)|[^\s()]+")


def _tokenize(string: str) -> List[Tuple[str, int]]:
    return [(m.group(0), m.start()) for m in _TOKEN.finditer(string) if not m.group(0).isspace()]


class Tree:
    """A node of a tree: a label and children (a leaf has ``children=None``).

    Args:
        label: The node's label (for a leaf, the token).
        children: The child trees, or ``None`` for a leaf. A node with an empty list of
            children is a node, not a leaf (``(X)``).
    """

    def __init__(self, label, children: Optional[List["Tree"]] = None):
        if children is not None:
            children = list(children)
            for child in children:
                if not isinstance(child, Tree):
                    raise TypeError(f"Tree: children must be Trees, got {type(child).__name__}")
        self.label = label
        self.children = children

    # Parsing ----------------------------------------------------------------------------------
    @staticmethod
    def from_string(
        string: str, labelled: bool = True, label_type: Optional[Callable] = None
    ) -> "Tree":
        """Parse one bracketed tree.

        Args:
            string: The tree, e.g. ``"(S (NP I) (VP run))"``. A single token (no brackets) is a
                leaf (some datasets, such as SNLI, have no parse for one-word sentences).
            labelled: Whether every bracket starts with a label. If ``False`` (``"((a b) c)"``)
                the nodes are labelled ``None``.
            label_type: Applied to the labels of the (non-leaf) nodes, e.g. ``int`` for the
                sentiment treebank.

        Raises:
            ValueError: unbalanced brackets or trailing text (the message gives the position).
        """
        trees = parse_trees(string, labelled=labelled, label_type=label_type)
        if len(trees) != 1:
            raise ValueError(f"Tree.from_string: expected one tree, found {len(trees)}")
        return trees[0]

    # Structure --------------------------------------------------------------------------------
    def isleaf(self) -> bool:
        """Whether this node is a leaf."""
        return self.children is None

    def is_preterminal(self) -> bool:
        """Whether all this node's children are leaves (e.g. a part-of-speech tag)."""
        return bool(self.children) and all(child.isleaf() for child in self.children)

    def preorder(self) -> Iterator["Tree"]:
        """Every node, parents before children, left to right."""
        stack = [self]
        while stack:
            node = stack.pop()
            yield node
            if node.children:
                stack.extend(reversed(node.children))

    def postorder(self) -> Iterator["Tree"]:
        """Every node, children before parents, left to right."""
        for child in self.children or ():
            yield from child.postorder()
        yield self

    def leaves_iter(self) -> Iterator:
        """The leaves' labels, left to right."""
        return (node.label for node in self.preorder() if node.isleaf())

    def leaves(self) -> list:
        """The leaves' labels (the sentence), left to right."""
        return list(self.leaves_iter())

    def nonterms_iter(self) -> Iterator["Tree"]:
        """The non-leaf nodes, in preorder."""
        return (node for node in self.preorder() if not node.isleaf())

    def nonterms(self) -> List["Tree"]:
        """The non-leaf nodes, in preorder."""
        return list(self.nonterms_iter())

    def labels(self) -> list:
        """The labels of the non-leaf nodes, in preorder."""
        return [node.label for node in self.nonterms_iter()]

    def pos(self) -> List[tuple]:
        """``(leaf, label of its parent)`` pairs, left to right: (word, tag) in a parse tree."""
        pairs = []
        for node in self.nonterms_iter():
            pairs.extend((child.label, node.label) for child in node.children if child.isleaf())
        return pairs

    def height(self) -> int:
        """Number of nodes on the longest path from this node to a leaf (a leaf has height 1)."""
        if not self.children:
            return 1
        return 1 + max(child.height() for child in self.children)

    def __len__(self) -> int:
        """Number of leaves."""
        return sum(1 for _ in self.leaves_iter())

    # Display and comparison -------------------------------------------------------------------
    def __str__(self) -> str:
        """The bracketed form, which :meth:`from_string` parses back to an equal tree."""
        if self.isleaf():
            return str(self.label)
        parts = [] if self.label is None else [str(self.label)]
        parts += [str(child) for child in self.children]
        return "(" + " ".join(parts) + ")"

    def __repr__(self) -> str:
        return f"Tree.from_string({str(self)!r})"

    def __eq__(self, other) -> bool:
        if not isinstance(other, Tree):
            return NotImplemented
        return self.label == other.label and self.children == other.children

    def __hash__(self):
        return hash(str(self))


def parse_trees(
    text: str, labelled: bool = True, label_type: Optional[Callable] = None
) -> List[Tree]:
    """Parse every bracketed tree in ``text`` (e.g. the content of a treebank file).

    See :meth:`Tree.from_string` for the arguments.

    Raises:
        ValueError: unbalanced brackets or text outside brackets (the message gives the
            position).
    """
    if not isinstance(text, str):
        raise TypeError(f"parse_trees: expected a string, got {type(text).__name__}")
    tokens = _tokenize(text)
    if len(tokens) == 1 and tokens[0][0] not in "()":
        return [Tree(tokens[0][0])]
    trees: List[Tree] = []
    # Each open bracket pushes [label, children]; a closing bracket pops it into a Tree.
    stack: List[list] = []
    position = 0
    while position < len(tokens):
        token, offset = tokens[position]
        position += 1
        if token == "(":
            label = None
            if labelled:
                if position < len(tokens) and tokens[position][0] not in "()":
                    label = tokens[position][0]
                    if label_type is not None:
                        try:
                            label = label_type(label)
                        except (TypeError, ValueError) as error:
                            raise ValueError(
                                f"parse_trees: bad label {label!r} at character "
                                f"{tokens[position][1]}: {error}"
                            ) from None
                    position += 1
                else:
                    label = ""
            stack.append([label, []])
        elif token == ")":
            if not stack:
                raise ValueError(f"parse_trees: unbalanced ')' at character {offset}")
            label, children = stack.pop()
            tree = Tree(label, children)
            (stack[-1][1] if stack else trees).append(tree)
        else:
            if not stack:
                raise ValueError(
                    f"parse_trees: {token!r} at character {offset} is outside any brackets"
                )
            stack[-1][1].append(Tree(token))
    if stack:
        raise ValueError(f"parse_trees: {len(stack)} unclosed '(' at the end of the text")
    return trees
