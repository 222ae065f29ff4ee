"""torch.Tensor's view and version state: `_version`, `is_contiguous()`, `contiguous()`.

Views (view, reshape, slicing, select, narrow, t, transpose, permute, squeeze, unsqueeze, flatten, expand, split)
share their base's storage in the engine (src/runtime/tensorViews.ts), so in-place writes through any of them are seen
by the base and by the other views, and all of them count one `_version`, as in PyTorch.
"""

from ._engine import E


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
