"""Draw the class hierarchy of dynn's layers (docs/images/layer_hierarchy.png).

The classes are read from the code, not listed by hand: every layer registered in
:mod:`dynn.registry` (dynn's own, :func:`dynn.registry.load_components` without plugins) and
their public base classes, drawn as a tree under ``BaseLayer`` (private helpers such as
``_Attention`` are skipped through; a class with two layer bases, such as a cell that is both a
``ParametrizedLayer`` and a ``RecurrentCell``, is drawn under the more specific one and names the
other), coloured by module. Regenerate the picture after adding a layer::

    python docs/layer_hierarchy.py            # writes docs/images/layer_hierarchy.png
    python docs/layer_hierarchy.py out.png    # somewhere else
"""

import pathlib
import sys
from typing import Dict, List, Tuple

DEFAULT_OUTPUT = pathlib.Path(__file__).resolve().parent / "images" / "layer_hierarchy.png"
ABSTRACT = ("BaseLayer", "ParametrizedLayer", "RecurrentCell")  # drawn in bold, uncoloured


def layer_classes() -> List[type]:
    """dynn's registered layer classes and their public base layers (BaseLayer first)."""
    from dynn import registry
    from dynn.layers.base_layers import BaseLayer

    registry.load_components(plugins=False)
    found = {
        component
        for component in registry.registered().values()
        if isinstance(component, type)
        and issubclass(component, BaseLayer)
        and component.__module__.startswith("dynn.")
    }
    for cls in list(found):
        found.update(
            base
            for base in cls.__mro__
            if issubclass(base, BaseLayer) and not base.__name__.startswith("_")
        )
    return sorted(found, key=lambda c: (c is not BaseLayer, c.__module__, c.__name__))


def public_parents(cls: type, classes: List[type]) -> List[type]:
    """The nearest base classes of ``cls`` among ``classes`` (skipping through the others)."""
    parents: List[type] = []
    for base in cls.__bases__:
        if base in classes:
            parents.append(base)
        elif base is not object:
            parents.extend(p for p in public_parents(base, classes) if p not in parents)
    return parents


def primary_parent(cls: type, classes: List[type]):
    """The parent under which ``cls`` is drawn: the most specific one, ``ParametrizedLayer``
    only if there is no other (a cell is drawn under ``RecurrentCell``)."""
    parents = public_parents(cls, classes)
    if not parents:
        return None
    specific = [p for p in parents if p.__name__ != "ParametrizedLayer"]
    return (specific or parents)[0]


def tree_rows(classes: List[type]) -> List[Tuple[type, int]]:
    """``(class, depth)`` in drawing order: depth-first, children grouped by module."""
    children: Dict[type, List[type]] = {}
    for cls in classes:
        parent = primary_parent(cls, classes)
        if parent is not None:
            children.setdefault(parent, []).append(cls)
    rank = {"ParametrizedLayer": 0, "RecurrentCell": 1}

    def key(cls):
        return (rank.get(cls.__name__, 2), cls.__module__, cls.__name__)

    rows: List[Tuple[type, int]] = []

    def visit(cls, depth):
        rows.append((cls, depth))
        for child in sorted(children.get(cls, []), key=key):
            visit(child, depth + 1)

    visit(classes[0], 0)  # BaseLayer
    return rows


def draw(output=DEFAULT_OUTPUT) -> pathlib.Path:
    """Draw the diagram into ``output`` (a PNG file) and return its path."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.patches import Patch

    classes = layer_classes()
    rows = tree_rows(classes)
    row_of = {cls: i for i, (cls, _) in enumerate(rows)}
    depth_of = dict(rows)
    modules = sorted({cls.__module__ for cls in classes})
    colours = plt.get_cmap("tab20")
    colour_of = {module: colours(i % 20) for i, module in enumerate(modules)}
    indent, row_height = 0.55, 0.3
    width = indent * max(depth_of.values()) + 3.6
    fig, ax = plt.subplots(figsize=(width + 3.0, row_height * len(rows) + 0.6))

    for cls, depth in rows:  # elbow connectors, as in a file tree
        parent = primary_parent(cls, classes)
        if parent is not None:
            trunk = indent * depth_of[parent] + 0.12
            ax.plot(
                [trunk, trunk, indent * depth - 0.05],
                [row_of[parent] + 0.3, row_of[cls], row_of[cls]],
                color="0.5",
                lw=0.8,
            )

    for cls, depth in rows:
        abstract = cls.__name__ in ABSTRACT
        face = "white" if abstract else (*colour_of[cls.__module__][:3], 0.55)
        text = ax.text(
            indent * depth,
            row_of[cls],
            cls.__name__,
            va="center",
            ha="left",
            fontsize=9,
            family="monospace",
            weight="bold" if abstract else "normal",
            bbox=dict(boxstyle="round,pad=0.2", fc=face, ec="0.35", lw=0.6),
        )
        others = [
            p.__name__
            for p in public_parents(cls, classes)
            if p is not primary_parent(cls, classes)
        ]
        if others:
            ax.annotate(
                f"  also a {', '.join(others)}",
                xy=(1, 0.5),
                xycoords=text,
                va="center",
                fontsize=7.5,
                color="0.35",
                style="italic",
            )

    drawn = sorted({cls.__module__ for cls, _ in rows if cls.__name__ not in ABSTRACT})
    handles = [Patch(fc=(*colour_of[m][:3], 0.55), ec="0.35", label=m) for m in drawn]
    ax.legend(
        handles=handles,
        loc="upper left",
        bbox_to_anchor=(1.0, 1.0),
        fontsize=8,
        frameon=False,
        title="module",
        title_fontsize=9,
    )
    ax.set_xlim(-0.1, width)
    ax.set_ylim(len(rows) - 0.4, -0.6)
    ax.axis("off")
    ax.set_title(
        f"dynn's layer classes ({len(rows)}), generated by docs/layer_hierarchy.py",
        fontsize=10,
        loc="left",
    )
    output = pathlib.Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(output, dpi=110, bbox_inches="tight")
    plt.close(fig)
    return output


if __name__ == "__main__":
    path = draw(sys.argv[1] if len(sys.argv) > 1 else DEFAULT_OUTPUT)
    print(f"wrote {path} ({len(layer_classes())} classes)")
