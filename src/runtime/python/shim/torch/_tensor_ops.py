"""The math, reduction, shape and indexing methods of torch.Tensor, each one engine call (or a few)."""
import builtins
import numbers

from ._engine import E, call
from ._dtype import float32, int64, bool_, promote_types
from . import _tensor as _t

__all__ = ["install", "binary", "unary", "reduce", "scalar_dtype", "normalize_dims", "index_tensor"]

_unary = E.unary
_binary = E.binary
_binary_scalar = E.binary_scalar

# PyTorch's grad_fn names for each elementwise op.
_BINARY_GRAD = {
    "add": "AddBackward0", "sub": "SubBackward0", "mul": "MulBackward0", "div": "DivBackward0", "pow": "PowBackward1",
    "maximum": "MaximumBackward0", "minimum": "MinimumBackward0", "atan2": "Atan2Backward0",
    "remainder": "RemainderBackward0", "floor_divide": "", "eq": "", "ne": "", "lt": "", "le": "", "gt": "", "ge": "",
    "logical_and": "", "logical_or": "", "logical_xor": "",
}
_SCALAR_GRAD = {"add": "AddBackward1", "sub": "SubBackward1", "mul": "MulBackward0", "div": "DivBackward0",
                "pow": "PowBackward0", "remainder": "RemainderBackward0"}
_COMPARISONS = {"eq", "ne", "lt", "le", "gt", "ge", "logical_and", "logical_or", "logical_xor"}


def scalar_dtype(value):
    if isinstance(value, builtins.bool):
        return bool_
    if isinstance(value, numbers.Integral):
        return int64
    return float32


def _result_dtype(op, a_dtype, b_dtype):
    if op in _COMPARISONS:
        return bool_
    if op == "div" or (op == "pow" and (a_dtype.is_floating_point or b_dtype.is_floating_point)):
        return float32 if not (a_dtype.is_floating_point or b_dtype.is_floating_point) else promote_types(a_dtype, b_dtype)
    dtype = promote_types(a_dtype, b_dtype)
    if dtype is bool_ and op in ("add", "sub", "mul"):
        return bool_ if op != "sub" else int64
    return dtype


def binary(op, a, b, reversed_=False):
    """a OP b for a tensor and a tensor or Python number (b OP a when reversed_)."""
    if isinstance(b, _t.Tensor):
        dtype = _result_dtype(op, a.dtype, b.dtype)
        x, y = (b, a) if reversed_ else (a, b)
        if op == "div" and not x.dtype.is_floating_point and not y.dtype.is_floating_point:
            x, y = x.float(), y.float()
        return _t.wrap(call(_binary, op, _BINARY_GRAD.get(op, ""), x._h, y._h), dtype)
    if isinstance(b, numbers.Number):
        sdtype = scalar_dtype(b)
        dtype = _result_dtype(op, a.dtype, sdtype)
        engine_scalar = "float32" if dtype.is_floating_point and op not in _COMPARISONS else sdtype.storage
        if op in _COMPARISONS and a.dtype.is_floating_point:
            engine_scalar = "float32"
        if op == "div" or (dtype.is_floating_point and not a.dtype.is_floating_point):
            engine_scalar = "float32"
        grad = _SCALAR_GRAD.get(op, "") if op != "pow" or not reversed_ else "PowBackward1"
        return _t.wrap(call(_binary_scalar, op, grad, a._h, b, engine_scalar, builtins.bool(reversed_)), dtype)
    return NotImplemented


def unary(op, grad_name, x, dtype=None):
    return _t.wrap(call(_unary, op, grad_name, x._h), dtype or (x.dtype if x.dtype.is_floating_point else float32))


def normalize_dims(dims):
    if len(dims) == 1 and isinstance(dims[0], (list, tuple)):
        return tuple(int(d) for d in dims[0])
    return tuple(int(d) for d in dims)


def _dims_arg(dim):
    if dim is None:
        return ()
    if isinstance(dim, (list, tuple)):
        return tuple(dim)
    return (dim,)


def reduce(op, x, dim=None, keepdim=False, grad_name=None, dtype=None):
    dims = _dims_arg(dim)
    if grad_name is None:
        base = {"sum": "SumBackward", "mean": "MeanBackward", "amax": "AmaxBackward", "amin": "AminBackward",
                "prod": "ProdBackward", "logsumexp": "LogsumexpBackward"}.get(op, "")
        grad_name = base + ("0" if not dims and op in ("sum", "mean", "prod") else ("1" if base else "")) if base else ""
    if dtype is None:
        dtype = x.dtype
        if op == "sum" and dtype is bool_:
            dtype = int64
        if op in ("any", "all"):
            dtype = bool_
    if op == "mean" and not x.dtype.is_floating_point:
        raise RuntimeError(
            f"mean(): could not infer output dtype. Input dtype must be either a floating point or complex dtype. Got: {_long_name(x.dtype)}")
    return _t.wrap(call(E.reduce, op, grad_name, x._h, dims, builtins.bool(keepdim)), dtype)


def _long_name(dtype):
    return {"int64": "Long", "bool": "Bool", "float32": "Float"}.get(dtype._name, dtype._name)


def index_tensor(value):
    """An int64 tensor from a list/tuple/range of indices."""
    from . import tensor

    return tensor(list(value), dtype=int64)


# ---- indexing -----------------------------------------------------------------------------------------------------

def _expand_key(key, ndim):
    if not isinstance(key, tuple):
        key = (key,)
    key = tuple(index_tensor(k) if isinstance(k, (list, range)) else k for k in key)
    used = builtins.sum(1 for k in key if k is not None and k is not Ellipsis and not (isinstance(k, _t.Tensor) and k.dtype is bool_))
    used += builtins.sum(k.dim() for k in key if isinstance(k, _t.Tensor) and k.dtype is bool_)
    if builtins.sum(1 for k in key if k is Ellipsis) > 1:
        raise IndexError("an index can only have a single ellipsis ('...')")
    if Ellipsis in [k for k in key if not isinstance(k, _t.Tensor)]:
        i = [j for j, k in enumerate(key) if k is Ellipsis][0]
        key = key[:i] + (slice(None),) * (ndim - used) + key[i + 1:]
    if used > ndim:
        raise IndexError(f"too many indices for tensor of dimension {ndim}")
    return key


def _getitem(self, key):
    shape = self.shape
    key = _expand_key(key, len(shape))
    # A lone boolean mask over leading dims: x[mask].
    if len(key) == 1 and isinstance(key[0], _t.Tensor) and key[0].dtype is bool_:
        mask = key[0]
        if tuple(mask.shape) != tuple(shape[:mask.dim()]):
            raise IndexError(f"The shape of the mask {list(mask.shape)} at index 0 does not match the shape of the indexed tensor {list(shape)} at index 0")
        return _t.wrap(call(E.masked_select, self._h, mask._h), self._dtype)
    begin, end, strides, final_shape, advanced = [], [], [], [], []
    dim = 0
    sliced = False
    for k in key:
        if k is None:
            final_shape.append(1)
            continue
        if dim >= len(shape):
            raise IndexError(f"too many indices for tensor of dimension {len(shape)}")
        size = shape[dim]
        if isinstance(k, _t.Tensor):
            if k.dtype is bool_:
                raise _t.unsupported("boolean-mask indexing combined with other indices")
            if k.dim() == 0:
                k = k.item()
            else:
                advanced.append((len(final_shape), k))
                begin.append(0), end.append(size), strides.append(1)
                final_shape.append(size)
                dim += 1
                continue
        if isinstance(k, builtins.bool):
            raise _t.unsupported("indexing with a Python bool")
        if isinstance(k, numbers.Integral):
            i = int(k)
            if i < -size or i >= size:
                raise IndexError(f"index {i} is out of bounds for dimension {dim} with size {size}")
            i = i + size if i < 0 else i
            begin.append(i), end.append(i + 1), strides.append(1)
            sliced = True
        elif isinstance(k, slice):
            start, stop, step = k.indices(size)
            if step <= 0:
                raise ValueError("step must be greater than zero")
            count = builtins.max(0, (stop - start + step - 1) // step)
            if (start, stop, step) != (0, size, 1):
                sliced = True
            begin.append(start), end.append(start + count * step if count else start), strides.append(step)
            final_shape.append(count)
        else:
            raise TypeError(f"tensor indices must be integers, slices, None, Ellipsis or tensors, not {type(k).__name__}")
        dim += 1
    for rest in range(dim, len(shape)):
        begin.append(0), end.append(shape[rest]), strides.append(1)
        final_shape.append(shape[rest])
    out = self
    if sliced:
        out = _t.wrap(call(E.strided_slice, self._h, tuple(begin), tuple(end), tuple(strides)), self._dtype)
    if list(out.shape) != final_shape and not advanced:
        out = out.reshape(final_shape) if final_shape or out.numel() == 1 else out
        if not final_shape:
            out = out.reshape(())
    elif advanced:
        squeezed = [d for d in final_shape]
        if list(out.shape) != squeezed:
            out = out.reshape(squeezed)
        out = _advanced_index(out, advanced)
    return out


def _advanced_index(x, advanced):
    """Integer-tensor indices on dims of x (adjacent, as in the common `x[idx]`, `x[rows, cols]`)."""
    dims = [d for d, _ in advanced]
    if dims != list(range(dims[0], dims[0] + len(dims))):
        raise _t.unsupported("non-adjacent tensor indices")
    from . import broadcast_tensors

    indices = broadcast_tensors(*[k for _, k in advanced])
    first = dims[0]
    shape = list(x.shape)
    if len(indices) == 1:
        idx = indices[0]
        return _t.wrap(call(E.index_select, x._h, first, _wrap_negative(idx, shape[first])._h), x._dtype)
    flat = None
    for d, idx in zip(dims, indices):
        idx = _wrap_negative(idx, shape[d])
        flat = idx if flat is None else flat * shape[d] + idx
    merged = shape[:first] + [_prod(shape[first:first + len(dims)])] + shape[first + len(dims):]
    return _t.wrap(call(E.index_select, x.reshape(merged)._h, first, flat._h), x._dtype)


def _prod(values):
    n = 1
    for v in values:
        n *= v
    return n


def _wrap_negative(idx, size):
    if idx.dtype is not int64:
        if idx.dtype.is_floating_point:
            raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
        idx = idx.long()
    return idx.remainder(size) if (idx < 0).any().item() else idx


def _setitem(self, key, value):
    from . import arange, full

    positions = arange(self.numel(), dtype=int64).reshape(self.shape)[key]
    if isinstance(value, _t.Tensor):
        value = value.to(self.dtype).expand(positions.shape) if value.shape != positions.shape else value
    else:
        value = full(tuple(positions.shape), value, dtype=self.dtype)
    call(E.index_put_, self._h, positions._h, value._h)


# ---- installation -------------------------------------------------------------------------------------------------

def install(Tensor, Size):
    def m(name):
        def deco(fn):
            setattr(Tensor, name, fn)
            return fn
        return deco

    for op in ("add", "sub", "mul", "div", "pow", "eq", "ne", "lt", "le", "gt", "ge", "remainder", "floor_divide"):
        dunder = {"add": "add", "sub": "sub", "mul": "mul", "div": "truediv", "pow": "pow", "eq": "eq", "ne": "ne",
                  "lt": "lt", "le": "le", "gt": "gt", "ge": "ge", "remainder": "mod", "floor_divide": "floordiv"}[op]
        setattr(Tensor, f"__{dunder}__", (lambda o: lambda self, other: binary(o, self, other))(op))
        if op in ("add", "sub", "mul", "div", "pow", "remainder", "floor_divide"):
            setattr(Tensor, f"__r{dunder}__", (lambda o: lambda self, other: binary(o, self, other, reversed_=True))(op))
            setattr(Tensor, f"__i{dunder}__", (lambda o: lambda self, other: self._assign(binary(o, self, other)))(op))
    Tensor.__rtruediv__ = lambda self, other: binary("div", self, other, reversed_=True)

    def alpha_op(op):
        def f(self, other, alpha=1):
            if alpha != 1:
                other = other * alpha
            return binary(op, self, other)
        return f

    Tensor.add = alpha_op("add")
    Tensor.sub = alpha_op("sub")
    Tensor.subtract = Tensor.sub

    @m("mul")
    def _mul(self, other):
        return binary("mul", self, other)

    Tensor.multiply = Tensor.mul

    @m("div")
    def _div(self, other, rounding_mode=None):
        if rounding_mode == "floor":
            return binary("floor_divide", self, other)
        if rounding_mode == "trunc":
            q = binary("div", self, other)
            return q.trunc() if self.dtype.is_floating_point else q.trunc().long()
        return binary("div", self, other)

    Tensor.divide = Tensor.div
    Tensor.true_divide = lambda self, other: binary("div", self, other)

    for op in ("pow", "eq", "ne", "lt", "le", "gt", "ge", "remainder", "floor_divide", "maximum", "minimum", "atan2",
               "logical_and", "logical_or", "logical_xor"):
        setattr(Tensor, op, (lambda o: lambda self, other: binary(o, self, other if not isinstance(other, (list, tuple)) else index_tensor(other)))(op))
    Tensor.greater, Tensor.less, Tensor.greater_equal, Tensor.less_equal = Tensor.gt, Tensor.lt, Tensor.ge, Tensor.le
    Tensor.not_equal, Tensor.fmod = Tensor.ne, Tensor.remainder

    @m("equal")
    def _equal(self, other):
        return tuple(self.shape) == tuple(other.shape) and builtins.bool((self == other).all().item())

    @m("__neg__")
    def _neg(self):
        return unary("neg", "NegBackward0", self, self.dtype)

    Tensor.neg = Tensor.negative = Tensor.__neg__

    @m("__pos__")
    def _pos(self):
        return self

    @m("__abs__")
    def _abs(self):
        return unary("abs", "AbsBackward0", self, self.dtype)

    Tensor.abs = Tensor.__abs__

    @m("__invert__")
    def _invert(self):
        if self.dtype is not bool_:
            raise _t.unsupported("bitwise not of integer tensors")
        return unary("logical_not", "", self, bool_)

    Tensor.logical_not = lambda self: unary("logical_not", "", self.bool(), bool_)
    Tensor.__and__ = lambda self, other: binary("logical_and", self, other)
    Tensor.__or__ = lambda self, other: binary("logical_or", self, other)
    Tensor.__xor__ = lambda self, other: binary("logical_xor", self, other)
    Tensor.__matmul__ = lambda self, other: self.matmul(other)
    Tensor.__rmatmul__ = lambda self, other: other.matmul(self)

    float_unary = {
        "exp": "ExpBackward0", "log": "LogBackward0", "sqrt": "SqrtBackward0", "rsqrt": "RsqrtBackward0",
        "sigmoid": "SigmoidBackward0", "tanh": "TanhBackward0", "sin": "SinBackward0", "cos": "CosBackward0",
        "reciprocal": "ReciprocalBackward0", "log1p": "Log1PBackward0", "expm1": "Expm1Backward0",
        "erf": "ErfBackward0", "atan": "AtanBackward0", "asin": "AsinBackward0", "acos": "AcosBackward0",
    }
    for op, grad in float_unary.items():
        setattr(Tensor, op, (lambda o, g: lambda self: unary(o, g, self.float() if not self.dtype.is_floating_point else self))(op, grad))
    same_unary = {"relu": "ReluBackward0", "floor": "FloorBackward0", "ceil": "CeilBackward0", "round": "RoundBackward0",
                  "sign": "SignBackward0", "square": "PowBackward0"}
    for op, grad in same_unary.items():
        setattr(Tensor, op, (lambda o, g: lambda self: unary(o, g, self, self.dtype))(op, grad))
    Tensor.trunc = lambda self: (self.abs().floor() * self.sign()) if self.dtype.is_floating_point else self
    Tensor.log2 = lambda self: self.log() / 0.6931471805599453
    Tensor.log10 = lambda self: self.log() / 2.302585092994046
    Tensor.isnan = lambda self: unary("isnan", "", self, bool_)
    Tensor.isinf = lambda self: unary("isinf", "", self, bool_)
    Tensor.isfinite = lambda self: unary("isfinite", "", self, bool_)

    @m("clamp")
    def _clamp(self, min=None, max=None):
        if isinstance(min, _t.Tensor) or isinstance(max, _t.Tensor):
            out = self
            if min is not None:
                out = out.maximum(min if isinstance(min, _t.Tensor) else _t.as_tensor_like(min))
            if max is not None:
                out = out.minimum(max if isinstance(max, _t.Tensor) else _t.as_tensor_like(max))
            return out
        if min is None and max is None:
            raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
        return _t.wrap(call(E.clamp, self._h, min, max), self._dtype)

    Tensor.clip = Tensor.clamp
    Tensor.clamp_min = lambda self, min: self.clamp(min=min)
    Tensor.clamp_max = lambda self, max: self.clamp(max=max)

    # ---- reductions -------------------------------------------------------------------------------------------
    @m("sum")
    def _sum(self, dim=None, keepdim=False, dtype=None):
        out = reduce("sum", self, dim, keepdim)
        return out if dtype is None else out.to(dtype)

    @m("mean")
    def _mean(self, dim=None, keepdim=False, dtype=None):
        return reduce("mean", self if dtype is None else self.to(dtype), dim, keepdim)

    @m("prod")
    def _prod_m(self, dim=None, keepdim=False, dtype=None):
        return reduce("prod", self, dim, keepdim)

    @m("any")
    def _any(self, dim=None, keepdim=False):
        return reduce("any", self, dim, keepdim)

    @m("all")
    def _all(self, dim=None, keepdim=False):
        return reduce("all", self, dim, keepdim)

    @m("logsumexp")
    def _logsumexp(self, dim, keepdim=False):
        return reduce("logsumexp", self, dim, keepdim)

    @m("amax")
    def _amax(self, dim=(), keepdim=False):
        return reduce("amax", self, dim if dim != () else None, keepdim)

    @m("amin")
    def _amin(self, dim=(), keepdim=False):
        return reduce("amin", self, dim if dim != () else None, keepdim)

    def extreme(which):
        def f(self, dim=None, keepdim=False):
            from .return_types import ValuesIndices

            if isinstance(dim, _t.Tensor):
                return self.maximum(dim) if which == "max" else self.minimum(dim)
            if dim is None:
                return reduce("amax" if which == "max" else "amin", self, None, False,
                              grad_name="MaxBackward1" if which == "max" else "MinBackward1")
            values = reduce("amax" if which == "max" else "amin", self, dim, keepdim,
                            grad_name="MaxBackward0" if which == "max" else "MinBackward0")
            indices = self.argmax(dim, keepdim) if which == "max" else self.argmin(dim, keepdim)
            return ValuesIndices(values, indices)
        return f

    Tensor.max = extreme("max")
    Tensor.min = extreme("min")

    @m("argmax")
    def _argmax(self, dim=None, keepdim=False):
        return _t.wrap(call(E.arg_reduce, "argmax", self._h, dim, builtins.bool(keepdim)), int64)

    @m("argmin")
    def _argmin(self, dim=None, keepdim=False):
        return _t.wrap(call(E.arg_reduce, "argmin", self._h, dim, builtins.bool(keepdim)), int64)

    @m("var")
    def _var(self, dim=None, unbiased=None, keepdim=False, correction=None):
        if correction is None:
            correction = 0 if unbiased is False else 1
        return _t.wrap(call(E.variance, self._h, _dims_arg(dim), correction, builtins.bool(keepdim)), float32)

    @m("std")
    def _std(self, dim=None, unbiased=None, keepdim=False, correction=None):
        return self.var(dim, unbiased, keepdim, correction).sqrt()

    @m("norm")
    def _norm(self, p="fro", dim=None, keepdim=False):
        if p in ("fro", 2, 2.0):
            return (self * self).sum(dim, keepdim).sqrt()
        if p == 1:
            return self.abs().sum(dim, keepdim)
        if p == float("inf"):
            return self.abs().amax(dim if dim is not None else (), keepdim)
        return (self.abs() ** p).sum(dim, keepdim) ** (1.0 / p)

    @m("cumsum")
    def _cumsum(self, dim):
        return _t.wrap(call(E.cumsum, self._h, dim), self._dtype)

    # ---- linear algebra ---------------------------------------------------------------------------------------
    @m("matmul")
    def _matmul(self, other):
        if self.dim() == 0 or other.dim() == 0:
            raise RuntimeError("both arguments to matmul need to be at least 1D")
        a, b = self.shape, other.shape
        if a[-1] != (b[0] if len(b) == 1 else b[-2]):
            if len(a) == 2 and len(b) == 2:
                raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({a[0]}x{a[1]} and {b[0]}x{b[1]})")
            raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to match ({list(a)} @ {list(b)})")
        out = _t.wrap(call(E.matmul, self._h, other._h), promote_types(self.dtype, other.dtype))
        if len(a) == 1 and len(b) == 1:
            E.rename_grad_fn(out._h, "DotBackward0")
        elif len(a) > 2 or len(b) > 2:
            E.rename_grad_fn(out._h, "BmmBackward0" if len(a) == len(b) == 3 else "UnsafeViewBackward0")
        elif len(a) == 1 or len(b) == 1:
            E.rename_grad_fn(out._h, "MvBackward0" if len(b) == 1 else "SqueezeBackward4")
        return out

    Tensor.mm = Tensor.matmul
    Tensor.bmm = Tensor.matmul
    Tensor.mv = Tensor.matmul
    Tensor.dot = Tensor.matmul

    # ---- shape ------------------------------------------------------------------------------------------------
    @m("reshape")
    def _reshape(self, *shape):
        shape = normalize_dims(shape)
        shape = _infer_shape(shape, self.numel())
        return _t.wrap(call(E.reshape, self._h, shape), self._dtype)

    Tensor.view = Tensor.reshape

    Tensor.view_as = lambda self, other: self.reshape(other.shape)
    Tensor.reshape_as = Tensor.view_as

    @m("flatten")
    def _flatten(self, start_dim=0, end_dim=-1):
        shape = list(self.shape)
        if not shape:
            return self.reshape(1)
        start = start_dim % len(shape)
        end = end_dim % len(shape)
        if start >= end:
            return self
        return self.reshape(shape[:start] + [_prod(shape[start:end + 1])] + shape[end + 1:])

    @m("unflatten")
    def _unflatten(self, dim, sizes):
        shape = list(self.shape)
        dim = dim % len(shape)
        return self.reshape(shape[:dim] + list(sizes) + shape[dim + 1:])

    @m("permute")
    def _permute(self, *dims):
        dims = [d % self.dim() for d in normalize_dims(dims)]
        return _t.wrap(call(E.permute, self._h, tuple(dims)), self._dtype)

    @m("transpose")
    def _transpose(self, dim0, dim1):
        n = self.dim()
        perm = list(range(n))
        perm[dim0 % n], perm[dim1 % n] = perm[dim1 % n], perm[dim0 % n]
        out = self.permute(perm)
        E.rename_grad_fn(out._h, "TransposeBackward0")
        return out

    Tensor.swapaxes = Tensor.transpose

    @m("t")
    def _tt(self):
        if self.dim() > 2:
            raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {self.dim()}D")
        if self.dim() < 2:
            return self
        out = self.permute(1, 0)
        E.rename_grad_fn(out._h, "TBackward0")
        return out

    Tensor.T = property(lambda self: self.permute(*reversed(range(self.dim()))))
    Tensor.mT = property(lambda self: self.transpose(-2, -1))

    @m("squeeze")
    def _squeeze(self, dim=None):
        shape = list(self.shape)
        if dim is None:
            new = [d for d in shape if d != 1]
        else:
            dims = {d % len(shape) for d in _dims_arg(dim)} if shape else set()
            new = [d for i, d in enumerate(shape) if not (i in dims and d == 1)]
        out = self.reshape(new) if new != shape else self
        if out is not self and out.grad_fn is not None:
            E.rename_grad_fn(out._h, "SqueezeBackward0" if dim is None else "SqueezeBackward1")
        return out

    @m("unsqueeze")
    def _unsqueeze(self, dim):
        shape = list(self.shape)
        dim = dim % (len(shape) + 1)
        out = self.reshape(shape[:dim] + [1] + shape[dim:])
        if out.grad_fn is not None:
            E.rename_grad_fn(out._h, "UnsqueezeBackward0")
        return out

    @m("expand")
    def _expand(self, *sizes):
        sizes = list(normalize_dims(sizes))
        shape = list(self.shape)
        offset = len(sizes) - len(shape)
        target = [shape[i - offset] if s == -1 else s for i, s in enumerate(sizes)]
        if target == shape:
            return self
        return _t.wrap(call(E.expand, self._h, tuple(target)), self._dtype)

    Tensor.expand_as = lambda self, other: self.expand(other.shape)
    Tensor.broadcast_to = lambda self, shape: self.expand(shape)

    @m("repeat")
    def _repeat(self, *sizes):
        sizes = normalize_dims(sizes)
        from . import cat

        out = self.reshape([1] * (len(sizes) - self.dim()) + list(self.shape))
        for d, n in enumerate(sizes):
            if n != 1:
                out = cat([out] * n, dim=d)
        return out

    @m("chunk")
    def _chunk(self, chunks, dim=0):
        size = self.shape[dim]
        step = -(-size // chunks)
        return self.split(step, dim)

    @m("split")
    def _split(self, split_size, dim=0):
        size = self.shape[dim]
        if isinstance(split_size, int):
            sizes = [builtins.min(split_size, size - i) for i in range(0, size, split_size)]
        else:
            sizes = list(split_size)
        out, start = [], 0
        for s in sizes:
            out.append(self.narrow(dim, start, s))
            start += s
        return tuple(out)

    @m("narrow")
    def _narrow(self, dim, start, length):
        key = [slice(None)] * (dim % self.dim()) + [slice(start, start + length)]
        return self[tuple(key)]

    @m("unbind")
    def _unbind(self, dim=0):
        return tuple(self.select(dim, i) for i in range(self.shape[dim]))

    @m("select")
    def _select(self, dim, index):
        return self[tuple([slice(None)] * (dim % self.dim()) + [index])]

    @m("index_select")
    def _index_select(self, dim, index):
        return _t.wrap(call(E.index_select, self._h, dim, index._h), self._dtype)

    @m("gather")
    def _gather(self, dim, index):
        return _t.wrap(call(E.gather_along, self._h, dim, index._h), self._dtype)

    @m("masked_fill")
    def _masked_fill(self, mask, value):
        from . import where, tensor

        if not isinstance(value, _t.Tensor):
            value = tensor(value, dtype=self.dtype)
        out = where(mask, value, self)
        return out if out.dtype is self.dtype else out.to(self.dtype)

    @m("flip")
    def _flip(self, dims):
        return _t.wrap(call(E.flip, self._h, tuple(_dims_arg(dims))), self._dtype)

    @m("softmax")
    def _softmax(self, dim, dtype=None):
        return _t.wrap(call(E.softmax, self._h, dim), float32)

    @m("log_softmax")
    def _log_softmax(self, dim, dtype=None):
        return _t.wrap(call(E.log_softmax, self._h, dim), float32)

    @m("topk")
    def _topk(self, k, dim=-1, largest=True, sorted=True):
        from .return_types import ValuesIndices

        if dim % self.dim() != self.dim() - 1:
            raise _t.unsupported("topk along a dimension other than the last")
        values, indices = call(E.topk, self._h, k, builtins.bool(largest))
        return ValuesIndices(_t.wrap(values, self._dtype), _t.wrap(indices, int64))

    @m("sort")
    def _sort(self, dim=-1, descending=False):
        from .return_types import ValuesIndices

        if dim % self.dim() != self.dim() - 1:
            raise _t.unsupported("sort along a dimension other than the last")
        values, indices = call(E.sort, self._h, builtins.bool(descending))
        return ValuesIndices(_t.wrap(values, self._dtype), _t.wrap(indices, int64))

    @m("argsort")
    def _argsort(self, dim=-1, descending=False):
        return self.sort(dim, descending).indices

    Tensor.__getitem__ = _getitem
    Tensor.__setitem__ = _setitem

    # ---- in place ---------------------------------------------------------------------------------------------
    @m("_assign")
    def _assign(self, value):
        if not isinstance(value, _t.Tensor):
            from . import tensor
            value = tensor(value, dtype=self.dtype)
        call(E.assign_, self._h, value._h)
        return self

    def inplace(name):
        def f(self, *args, **kwargs):
            return self._assign(getattr(self, name)(*args, **kwargs))
        return f

    for name in ("add", "sub", "mul", "div", "pow", "clamp", "relu", "sigmoid", "tanh", "exp", "log", "sqrt", "neg",
                 "abs", "floor", "ceil", "round", "masked_fill", "remainder", "square", "clamp_min", "clamp_max", "sign"):
        setattr(Tensor, name + "_", inplace(name))

    @m("copy_")
    def _copy_(self, src, non_blocking=False):
        return self._assign(src)

    @m("zero_")
    def _zero_(self):
        return self._assign(0)

    @m("fill_")
    def _fill_(self, value):
        return self._assign(value)

    @m("addcmul_")
    def _addcmul_(self, t1, t2, value=1):
        return self._assign(self + t1 * t2 * value)

    @m("addcdiv_")
    def _addcdiv_(self, t1, t2, value=1):
        return self._assign(self + t1 / t2 * value)

    @m("lerp_")
    def _lerp_(self, end, weight):
        return self._assign(self + (end - self) * weight)

    @m("lerp")
    def _lerp(self, end, weight):
        return self + (end - self) * weight

    @m("uniform_")
    def _uniform_(self, a=0.0, b=1.0):
        from . import rand
        return self._assign(rand(*self.shape) * (b - a) + a)

    @m("normal_")
    def _normal_(self, mean=0.0, std=1.0):
        from . import randn
        return self._assign(randn(*self.shape) * std + mean)

    @m("bernoulli_")
    def _bernoulli_(self, p=0.5):
        from . import rand
        return self._assign((rand(*self.shape) < p).to(self.dtype))


def _infer_shape(shape, numel):
    shape = list(shape)
    if shape.count(-1) > 1:
        raise RuntimeError("only one dimension can be inferred")
    known = _prod([d for d in shape if d != -1])
    if -1 in shape:
        if known == 0 or numel % known:
            raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")
        shape[shape.index(-1)] = numel // known
    elif known != numel:
        raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")
    return tuple(shape)
