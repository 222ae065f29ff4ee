"""The linear-algebra methods of torch.Tensor: matmul and its named forms (mm, bmm, mv, dot, ...)."""

from . import _tensor as _t
from ._engine import E, JsException, call, python_error
from ._tensor_ops import _renamed, _wrap


def install(Tensor, Size, m):
    """Sets these methods on Tensor; `m(name)` is the decorator that sets one by name."""

    @m("matmul")
    def _matmul(self, other):
        try:
            return _wrap(E.matmul(self._h, other._h))
        except JsException as error:
            raise python_error(error) from None

    @m("mm")
    def _mm(self, mat2):
        if self.dim() != 2:
            raise RuntimeError("self must be a matrix")
        if mat2.dim() != 2:
            raise RuntimeError("mat2 must be a matrix")
        return self.matmul(mat2)

    @m("bmm")
    def _bmm(self, mat2):
        if self.dim() != 3:
            raise RuntimeError("batch1 must be a 3D tensor")
        if mat2.dim() != 3:
            raise RuntimeError("batch2 must be a 3D tensor")
        a, b = self.shape, mat2.shape
        if a[0] != b[0] or a[2] != b[1]:
            raise RuntimeError(
                f"Expected size for first two dimensions of batch2 tensor to be: [{a[0]}, {a[2]}] but got: [{b[0]}, {b[1]}].")
        return _t.wrap(call(E.matmul, self._h, mat2._h, "BmmBackward0"))

    @m("mv")
    def _mv(self, vec):
        if self.dim() != 2 or vec.dim() != 1:
            raise RuntimeError(f"vector + matrix @ vector expected, got {self.dim()}, {vec.dim()}")
        return self.matmul(vec)

    @m("dot")
    def _dot(self, other):
        if self.dim() != 1 or other.dim() != 1:
            raise RuntimeError(f"1D tensors expected, but got {self.dim()}D and {other.dim()}D tensors")
        return self.matmul(other)

    Tensor.inner = Tensor.dot

    @m("outer")
    def _outer(self, vec2):
        return self.reshape(-1, 1) * vec2.reshape(1, -1)

    Tensor.ger = Tensor.outer

    @m("addmm")
    def _addmm(self, mat1, mat2, *, beta=1, alpha=1):
        product = mat1.mm(mat2)
        return _renamed((self * beta if beta != 1 else self) + (product * alpha if alpha != 1 else product), "AddmmBackward0", self, mat1, mat2)
