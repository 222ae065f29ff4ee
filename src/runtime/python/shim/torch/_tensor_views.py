"""torch.Tensor's view and version state: `_version`, `is_contiguous()`, `contiguous()`, `stride()`, and the views
that pick elements by position: `unfold()`, `as_strided()` (`diagonal()` is with the shape methods).

Views (view, reshape, slicing, select, narrow, t, transpose, permute, squeeze, unsqueeze, flatten, expand, split,
diagonal, unfold, as_strided)
share their base's storage in the engine (src/runtime/tensorViews.ts), so in-place writes through any of them are seen
by the base and by the other views, and all of them count one `_version`, as in PyTorch.
"""

import operator

from . import _tensor as _t
from ._engine import E, call


def install(Tensor, Size, m):
    """Sets these methods on Tensor; `m(name)` is the decorator that sets one by name."""

    Tensor._version = property(lambda self: E.version(self._h), doc="In-place writes to this tensor and its views.")

    @m("is_contiguous")
    def _is_contiguous(self, memory_format=None):
        return E.is_contiguous(self._h)

    @m("contiguous")
    def _contiguous(self, memory_format=None):
        # A transposed or strided view's contiguous() is a copy, so writes to it no longer reach the base.
        return self if E.is_contiguous(self._h) else self.clone()

    @m("stride")
    def _stride(self, dim=None):
        strides = tuple(E.layout(self._h).to_py()["strides"])
        return strides if dim is None else strides[operator.index(dim)]

    @m("storage_offset")
    def _storage_offset(self):
        return E.layout(self._h).to_py()["offset"]

    @m("unfold")
    def _unfold(self, dimension, size, step):
        return _t.wrap(call(E.unfold, self._h, dimension, size, step))

    @m("as_strided")
    def _as_strided(self, size, stride, storage_offset=0):
        return _t.wrap(call(E.as_strided, self._h, [operator.index(s) for s in size],
                            [operator.index(s) for s in stride], operator.index(storage_offset or 0),
                            self.dtype.itemsize))
