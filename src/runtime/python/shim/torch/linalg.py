"""torch.linalg's norms, which training code logs and clips with: vector_norm, matrix_norm and norm, built on
Tensor.norm (so a zero vector's gradient is PyTorch's 0). The decompositions and solvers (svd, qr, eig, inv, solve, ...)
are not in the runtime: using one says so, naming it."""
import math

from ._tensor import unsupported

__all__ = ["vector_norm", "matrix_norm", "norm"]


def vector_norm(x, ord=2, dim=None, keepdim=False, *, dtype=None, out=None):
    """(Σ |x|^ord)^(1/ord) over `dim` (every element when None); ord ±inf: max/min of |x|; ord 0: nonzero count."""
    if dtype is not None:
        x = x.to(dtype)
    if not x.is_floating_point():
        raise RuntimeError(f"linalg.vector_norm: Expected a floating point or complex tensor as input. Got {x.dtype}")
    if dim is not None:
        return x.norm(p=ord, dim=dim, keepdim=keepdim)
    result = x.reshape(-1).norm(p=ord, dim=0)
    return result.reshape([1] * x.dim()) if keepdim else result


def matrix_norm(A, ord="fro", dim=(-2, -1), keepdim=False, *, dtype=None, out=None):
    """The Frobenius norm, or (ord 1 / -1) the largest / smallest column sum of |A|, or (ord inf / -inf) row sum,
    over the two dimensions `dim`. The spectral and nuclear norms need an SVD, which the runtime does not have."""
    if dtype is not None:
        A = A.to(dtype)
    if A.dim() < 2:
        raise RuntimeError("linalg.matrix_norm: The input tensor A must have at least 2 dimensions.")
    rows, columns = (d % A.dim() for d in dim)
    if ord == "fro":
        return A.norm(p="fro", dim=(rows, columns), keepdim=keepdim)
    if ord in ("nuc", 2, -2):
        raise unsupported(f"torch.linalg.matrix_norm(ord={ord!r})")
    if ord in (1, -1):
        summed, over = A.abs().sum(rows, keepdim=True), columns
    elif ord in (math.inf, -math.inf):
        summed, over = A.abs().sum(columns, keepdim=True), rows
    else:
        raise RuntimeError(f"linalg.matrix_norm: Order {ord} not supported.")
    result = summed.amax(over, keepdim=True) if ord > 0 else summed.amin(over, keepdim=True)
    return result if keepdim else result.squeeze(max(rows, columns)).squeeze(min(rows, columns))


def norm(A, ord=None, dim=None, keepdim=False, *, dtype=None, out=None):
    """vector_norm or matrix_norm, as `dim` (one dimension or two) or, without it, A's dimensions (1 or 2) say; with
    neither ord nor dim, the 2-norm of every element."""
    if isinstance(dim, int):
        dim = (dim,)
    if dim is None:
        if ord is None:
            return vector_norm(A, 2, None, keepdim, dtype=dtype)
        if A.dim() not in (1, 2):
            raise RuntimeError("linalg.norm: If dim is not specified but ord is, the input must be 1D or 2D. "
                               f"Got {A.dim()}D.")
        dim = tuple(range(A.dim()))
    if len(dim) == 1:
        return vector_norm(A, 2 if ord is None else ord, dim, keepdim, dtype=dtype)
    return matrix_norm(A, "fro" if ord is None else ord, dim, keepdim, dtype=dtype)


def __getattr__(name):
    if name.startswith("__"):
        raise AttributeError(name)
    raise unsupported(f"torch.linalg.{name}")
