"""Embedding layers: vectors for the elements of a dictionary (words, characters, labels).

Inputs are indices, in one of three forms:

* a single ``int``: one ``(embed_dim,)`` vector (batch size 1);
* a list (or 1-D array) of ``B`` ints: one batched ``(embed_dim,)`` expression of batch size ``B``;
* a ``(length, batch)`` list of lists (or 2-D array) of ints, as produced by padded batching:
  a list of ``length`` batched ``(embed_dim,)`` expressions, one per position (the input format of
  recurrent transduction layers). With ``length_dim=0`` (or ``1``) the same positions come back
  as one batched ``(length, embed_dim)`` (or ``(embed_dim, length)``) matrix instead, the layout of
  the convolution and pooling layers.

Example:
    >>> import dynet as dy, dynn
    >>> from dynn.layers.embedding_layers import Embeddings
    >>> embed = Embeddings(dy.ParameterCollection(), dictionary=10, embed_dim=4, pad_mask=0)
    >>> dynn.new_graph(embed)
    >>> embed(3).dim(), embed([3, 1, 2]).dim()
    (((4,), 1), ((4,), 3))
    >>> steps = embed([[3, 1], [5, 0]])  # length 2, batch 2; index 0 is padding
    >>> len(steps), bool((steps[1].npvalue()[:, 1] == 0).all())
    (2, True)
    >>> embed([[3, 1], [5, 0]], length_dim=0).dim()
    ((2, 4), 2)
"""

from typing import Optional, Sized, Union

import dynet as dy
import numpy as np

from ..parameter_initialization import NormalInit
from ..util import batched_input
from . import _arguments as check
from .base_layers import ParametrizedLayer

__all__ = ["Embeddings"]


class Embeddings(ParametrizedLayer):
    r"""Embeddings of the elements of a dictionary, looked up by index.

    .. math::

        y = E_{i}\quad\text{(row } i \text{ of } E \in \mathbb{R}^{|V| \times d}\text{)},
        \qquad y = 0 \text{ if } i \text{ is the padding index}

    Lookups honour the layer's ``update`` mode: with ``init(update=False)`` the embeddings
    receive no gradient.

    Args:
        pc: Parameter collection.
        dictionary: The vocabulary :math:`V`: anything with a ``len()`` (e.g. a
            :class:`dynn.data.dictionary.Dictionary`), or its size as an ``int``.
        embed_dim: Dimension :math:`d` of the embeddings.
        init: DyNet initializer of :math:`E`; default
            :math:`\mathcal N(0, 1/d)` (standard deviation :math:`1/\sqrt d`). Not stored as an
            attribute (it would hide the :meth:`init` method).
        pad_mask: The padding index (an ``int``), whose embedding is zero whatever :math:`E`
            holds (and which therefore gets no gradient). For compatibility with the original
            dynn, a ``float`` means: the index ``dictionary.pad_idx`` gets this constant value in
            every coordinate.
        E: Existing parameters of shape ``(|V|, d)`` to share: ``dy.LookupParameters``, or
            ``dy.Parameters`` (e.g. the weight matrix of an output layer, to tie them).

    Example:
        >>> import dynet as dy, dynn
        >>> pc = dy.ParameterCollection()
        >>> embed = Embeddings(pc, ["a", "b", "c"], embed_dim=2)
        >>> embed.weights.shape
        (3, 2)
        >>> dynn.new_graph(embed, update=True)
        >>> bool(np.allclose(embed(1).npvalue(), embed.weights[1]))
        True
    """

    def __init__(
        self,
        pc: dy.ParameterCollection,
        dictionary: Union[Sized, int],
        embed_dim: int,
        init=None,
        pad_mask: Optional[Union[int, float]] = None,
        E: Optional[Union[dy.LookupParameters, dy.Parameters]] = None,
    ):
        super().__init__(pc, "embeddings")
        self.dictionary = dictionary
        if isinstance(dictionary, (int, np.integer)) and not isinstance(dictionary, bool):
            size = dictionary
        elif hasattr(dictionary, "__len__"):
            size = len(dictionary)
        else:
            raise TypeError(
                f"Embeddings: dictionary must have a len() or be an int (its size), "
                f"got {type(dictionary).__name__}"
            )
        self.size = check.positive_int("Embeddings", "the dictionary size", size)
        self.embed_dim = check.positive_int("Embeddings", "embed_dim", embed_dim)
        self.pad_mask = pad_mask
        self._pad_index, self._pad_value = self._padding(pad_mask)
        shape = (self.size, self.embed_dim)
        if isinstance(E, dy.Parameters):
            self._is_lookup = False
            self.add_parameters("E", shape, param=E)
        else:
            self._is_lookup = True
            if init is None:
                init = NormalInit(std=1.0 / np.sqrt(self.embed_dim))
            self.add_lookup_parameters("E", shape, lookup_param=E, init=init)

    def _padding(self, pad_mask):
        if pad_mask is None:
            return None, 0.0
        if isinstance(pad_mask, bool):
            raise ValueError(f"Embeddings: pad_mask must be an index or a float, got {pad_mask!r}")
        if isinstance(pad_mask, (int, np.integer)):
            if not 0 <= pad_mask < self.size:
                raise ValueError(
                    f"Embeddings: pad_mask (the padding index) must be in [0, {self.size}), "
                    f"got {pad_mask}"
                )
            return int(pad_mask), 0.0
        if isinstance(pad_mask, (float, np.floating)):
            pad_idx = getattr(self.dictionary, "pad_idx", None)
            if pad_idx is None:
                raise ValueError(
                    f"Embeddings: a float pad_mask ({pad_mask}) is the value of the embedding of "
                    f"dictionary.pad_idx, but the dictionary has no pad_idx; give the padding "
                    f"index as an int instead"
                )
            return self._padding(int(pad_idx))[0], float(pad_mask)
        raise ValueError(
            f"Embeddings: pad_mask must be an index (int) or a float, got {type(pad_mask).__name__}"
        )

    @property
    def weights(self) -> np.ndarray:
        """The embedding matrix :math:`E` as a ``(|V|, d)`` numpy array (row ``i`` embeds ``i``)."""
        if self._is_lookup:
            return self._lookup_parameters["E"].as_array()
        return self._parameters["E"].as_array()

    def __call__(self, idxs, length_dim: Optional[int] = None):
        """Embed an index, a batch of indices or a ``(length, batch)`` array of indices.

        Args:
            idxs: An ``int``, a list of ``B`` ints, or a ``(length, B)`` list of lists / 2-D
                array of ints.
            length_dim: For 2-D ``idxs`` only: ``None`` returns a list of ``length`` batched
                vectors; ``0`` a batched ``(length, d)`` matrix; ``1`` a batched
                ``(d, length)`` matrix.

        Returns:
            A ``dy.Expression`` (``(d,)``, batch ``B``), or a list of them.

        Raises:
            TypeError: ``idxs`` are not integers.
            ValueError: an index is out of range, or ``idxs`` is ragged or has more than 2 axes.
        """
        ids = self._check_indices(idxs)
        if length_dim not in (None, 0, 1):
            raise ValueError(
                f"{check.where(self)}: length_dim must be None, 0 or 1, got {length_dim!r}"
            )
        if ids.ndim == 0:
            if length_dim is not None:
                raise ValueError(f"{check.where(self)}: length_dim needs 2-D idxs")
            return self._embed_one(int(ids))
        if ids.ndim == 1:
            if length_dim is not None:
                raise ValueError(f"{check.where(self)}: length_dim needs 2-D idxs")
            return self._embed_batch(ids)
        if length_dim is None:
            return [self._embed_batch(row) for row in ids]
        return self._embed_matrix(ids, length_dim)

    # Lookups -----------------------------------------------------------------------------------
    def _embed_one(self, index: int) -> dy.Expression:
        if index == self._pad_index:
            return dy.constant(self.embed_dim, self._pad_value)
        if self._is_lookup:
            return dy.lookup(self.E, index, update=self.update)
        return dy.pick(self.E, index)

    def _lookup_batch(self, ids: np.ndarray) -> dy.Expression:
        ids = [int(i) for i in ids]
        if self._is_lookup:
            return dy.lookup_batch(self.E, ids, update=self.update)
        return dy.pick_batch(self.E, ids)

    def _embed_batch(self, ids: np.ndarray) -> dy.Expression:
        embeds = self._lookup_batch(ids)
        if self._pad_index is not None:
            is_pad = ids == self._pad_index
            if is_pad.any():
                embeds = self._masked(embeds, is_pad[None, :])
        return embeds

    def _embed_matrix(self, ids: np.ndarray, length_dim: int) -> dy.Expression:
        length, batch_size = ids.shape
        # Batch element l + length * b of the flat lookup is position l of sequence b.
        flat = self._lookup_batch(ids.flatten(order="F"))
        embeds = dy.reshape(flat, (self.embed_dim, length), batch_size=batch_size)
        if self._pad_index is not None:
            is_pad = ids == self._pad_index
            if is_pad.any():
                embeds = self._masked(embeds, is_pad[None, :, :])
        return dy.transpose(embeds) if length_dim == 0 else embeds

    def _masked(self, embeds: dy.Expression, is_pad: np.ndarray) -> dy.Expression:
        """``embeds`` with padding positions set to the pad value (``is_pad``'s last axis is the
        batch, its other axes broadcast against the embedding)."""
        is_pad = is_pad.astype(float)
        kept = dy.cmult(embeds, batched_input(1.0 - is_pad))
        if self._pad_value == 0.0:
            return kept
        return kept + batched_input(is_pad * self._pad_value)

    # Errors ------------------------------------------------------------------------------------
    def _check_indices(self, idxs) -> np.ndarray:
        where = check.where(self)
        if isinstance(idxs, dy.Expression):
            raise TypeError(f"{where}: idxs must be integer indices, got a dy.Expression")
        try:
            ids = np.asarray(idxs)
        except ValueError:  # ragged nested lists (numpy >= 1.24)
            raise ValueError(
                f"{where}: idxs must be an int, a list of ints or a (length, batch) array with "
                f"rows of equal length; got ragged lists"
            ) from None
        if ids.dtype == object:
            raise ValueError(
                f"{where}: idxs must be an int, a list of ints or a (length, batch) array with "
                f"rows of equal length; got ragged lists"
            )
        if ids.size == 0:
            raise ValueError(f"{where}: idxs is empty")
        if not np.issubdtype(ids.dtype, np.integer):
            raise TypeError(f"{where}: idxs must be integers, got values of type {ids.dtype}")
        if ids.ndim > 2:
            raise ValueError(
                f"{where}: idxs must have at most 2 axes (length, batch), got shape {ids.shape}"
            )
        bad = (ids < 0) | (ids >= self.size)
        if bad.any():
            raise ValueError(
                f"{where}: index {int(ids[bad].flat[0])} in idxs is out of range for a "
                f"dictionary of size {self.size}"
            )
        return ids
