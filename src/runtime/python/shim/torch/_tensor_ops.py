"""The math, reduction, shape and indexing methods of torch.Tensor. Each is one engine call: the engine checks shapes
(with PyTorch's messages), promotes dtypes and names the grad_fn, so the Python side only routes arguments."""
import builtins
import math
import numbers
import operator

from ._engine import E, call, python_error, JsException
from ._dtype import float32, int64, bool_, promote_types, DTYPE_BY_CODE
from . import _tensor as _t

__all__ = ["install", "binary", "unary", "reduce", "scalar_dtype", "normalize_dims", "index_tensor", "encode_key"]

_binary = E.binary
_binary_ = E.binary_
_binary_scalar = E.binary_scalar
_binary_scalar_ = E.binary_scalar_
_unary = E.unary
_unary_ = E.unary_
_reshape = E.reshape
_index = E.index
_NAN = float("nan")
_float = float
_int = int
_bool = builtins.bool


def _wrap(handle):
    t = object.__new__(_t.Tensor)
    t._h = handle
    t._shape = None
    t._grad_cache = None
    return t


def scalar_dtype(value):
    if isinstance(value, builtins.bool):
        return bool_
    if isinstance(value, numbers.Integral):
        return int64
    return float32


def _number(value):
    """A Python number the engine takes (ints, floats, bools; other numbers converted), or None."""
    kind = type(value)
    if kind is _float or kind is _int or kind is _bool:
        return value
    if isinstance(value, numbers.Integral):
        return _int(value)
    if isinstance(value, numbers.Real):
        return _float(value)
    return None


def binary(op, a, b, reversed_=False):
    """a OP b for a tensor a and a tensor or Python number b (b OP a when reversed_)."""
    try:
        if isinstance(b, _t.Tensor):
            return _wrap(_binary(op, b._h, a._h) if reversed_ else _binary(op, a._h, b._h))
        kind = type(b)
        if kind is _float or kind is _int or kind is _bool:
            return _wrap(_binary_scalar(op, a._h, b, kind is _float, reversed_))
    except JsException as error:
        raise python_error(error) from None
    value = _number(b)
    if value is None:
        if isinstance(b, (list, tuple)):
            from . import tensor

            return binary(op, a, tensor(b), reversed_)
        return NotImplemented
    return binary(op, a, value, reversed_)


def _binary_inplace(op, a, b):
    try:
        if isinstance(b, _t.Tensor):
            _binary_(op, a._h, b._h)
            return a
        kind = type(b)
        if kind is _float or kind is _int or kind is _bool:
            _binary_scalar_(op, a._h, b, kind is _float)
            return a
    except JsException as error:
        raise python_error(error) from None
    value = _number(b)
    if value is None:
        return NotImplemented
    return _binary_inplace(op, a, value)


def unary(op, grad_name, x=None, dtype=None):
    """op(x). (The grad name argument is accepted for old callers: the engine names the node.)"""
    if x is None:
        x = grad_name
    try:
        return _wrap(_unary(op, x._h))
    except JsException as error:
        raise python_error(error) from None


def normalize_dims(dims):
    if len(dims) == 1 and isinstance(dims[0], (list, tuple)):
        return tuple(operator.index(d) for d in dims[0])
    return tuple(operator.index(d) for d in dims)


def _dims_arg(dim):
    if dim is None:
        return ()
    if isinstance(dim, (list, tuple)):
        return tuple(operator.index(d) for d in dim)
    return (operator.index(dim),)


def reduce(op, x, dim=None, keepdim=False, grad_name=None, dtype=None):
    try:
        return _wrap(E.reduce(op, x._h, _dims_arg(dim), _bool(keepdim), None if dtype is None else dtype._name))
    except JsException as error:
        raise python_error(error) from None


def index_tensor(value):
    """An int64 (or bool) tensor from a list/tuple/range of indices."""
    from . import tensor

    return tensor(list(value))


def _slice_part(value):
    if value is None:
        return _NAN
    return operator.index(value)


def encode_key(key, keep):
    """A Python index as the engine's flat list of codes (tensors made for lists are appended to `keep`)."""
    if type(key) is not tuple:
        key = (key,)
    codes = []
    for k in key:
        if isinstance(k, _t.Tensor):
            codes += (4, k._h)
        elif k is None:
            codes.append(2)
        elif k is Ellipsis:
            codes.append(3)
        elif isinstance(k, builtins.bool):
            codes += (5, 1 if k else 0)
        elif isinstance(k, _int):
            codes += (0, k)
        elif isinstance(k, slice):
            codes += (1, _slice_part(k.start), _slice_part(k.stop), _slice_part(k.step))
        elif isinstance(k, (list, range)):
            t = index_tensor(k)
            if t.dtype.is_floating_point:
                raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
            keep.append(t)
            codes += (4, t._h)
        elif isinstance(k, tuple):
            t = index_tensor(k)
            keep.append(t)
            codes += (4, t._h)
        elif hasattr(k, "__index__"):
            codes += (0, operator.index(k))
        else:
            raise IndexError(
                "only integers, slices (`:`), ellipsis (`...`), None and long or byte Variables are valid indices "
                f"(got {type(k).__name__})")
    return codes


def _getitem(self, key):
    keep = []
    if type(key) is _int:
        codes = [0, key]
    else:
        codes = encode_key(key, keep)
    try:
        return _wrap(_index(self._h, codes))
    except JsException as error:
        raise python_error(error) from None


def _setitem(self, key, value):
    keep = []
    codes = encode_key(key, keep)
    try:
        if isinstance(value, _t.Tensor):
            E.index_put_(self._h, codes, value._h)
            return
        number = _number(value)
        if number is not None:
            E.index_fill_(self._h, codes, number)
            return
    except JsException as error:
        raise python_error(error) from None
    from . import tensor

    _setitem(self, key, tensor(value, dtype=self.dtype))


def _split_sizes(size, split_size):
    if isinstance(split_size, numbers.Integral):
        if split_size <= 0:
            raise RuntimeError(f"split_size can only be 0 if dimension size is 0, but got dimension size of {size}")
        return [builtins.min(split_size, size - i) for i in range(0, size, split_size)] or [0]
    sizes = [operator.index(s) for s in split_size]
    if builtins.sum(sizes) != size:
        raise RuntimeError(
            f"split_with_sizes expects split_sizes to sum exactly to {size} (input tensor's size at dimension 0), "
            f"but got split_sizes={sizes}")
    return sizes


def _root(total, p):
    """total ** (1/p) for a p-norm: where total is 0 its gradient is 0, as in PyTorch's norm backward, not the NaN of
    0 · ∞ (the norm of a zero-initialized bias, or of a zero vector in F.normalize, would make every gradient NaN)."""
    if not total.requires_grad:
        return total.sqrt() if p == 2 else total ** (1.0 / p)
    zero = total == 0
    safe = total.masked_fill(zero, 1.0)
    return (safe.sqrt() if p == 2 else safe ** (1.0 / p)).masked_fill(zero, 0.0)


def _renamed(t, name):
    """Gives t's grad_fn the name PyTorch's single op would have (for ops composed of several here)."""
    if t.grad_fn is not None:
        E.rename_grad_fn(t._h, name)
    return t


def _handles(proxy):
    return [_wrap(h) for h in proxy.to_py()]


# ---- installation -------------------------------------------------------------------------------------------------

_BINARY_DUNDERS = {
    "add": "add", "sub": "sub", "mul": "mul", "div": "truediv", "pow": "pow", "remainder": "mod",
    "floor_divide": "floordiv", "bitwise_and": "and", "bitwise_or": "or", "bitwise_xor": "xor",
}
_COMPARISONS = {"eq": "eq", "ne": "ne", "lt": "lt", "le": "le", "gt": "gt", "ge": "ge"}

_UNARY_METHODS = (
    "neg", "abs", "relu", "floor", "ceil", "round", "trunc", "frac", "sign", "square", "exp", "exp2", "log", "log2",
    "log10", "log1p", "expm1", "sqrt", "rsqrt", "reciprocal", "sigmoid", "logit", "tanh", "sin", "cos", "tan", "asin",
    "acos", "atan", "sinh", "cosh", "asinh", "acosh", "atanh", "erf", "isnan", "isinf", "isfinite", "logical_not",
    "signbit", "positive",
)
_UNARY_INPLACE = (
    "neg", "abs", "relu", "floor", "ceil", "round", "trunc", "frac", "sign", "square", "exp", "log", "log2", "log10",
    "log1p", "expm1", "sqrt", "rsqrt", "reciprocal", "sigmoid", "tanh", "sin", "cos", "tan", "erf",
)


def install(Tensor, Size):
    def m(name):
        def deco(fn):
            fn.__name__ = name
            setattr(Tensor, name, fn)
            return fn
        return deco

    # ---- elementwise binary ---------------------------------------------------------------------------------
    def make_binary(op):
        def forward(self, other):
            return binary(op, self, other)

        def backward(self, other):
            return binary(op, self, other, reversed_=True)

        def inplace(self, other):
            return _binary_inplace(op, self, other)

        return forward, backward, inplace

    for op, dunder in _BINARY_DUNDERS.items():
        forward, backward, inplace = make_binary(op)
        setattr(Tensor, f"__{dunder}__", forward)
        setattr(Tensor, f"__r{dunder}__", backward)
        setattr(Tensor, f"__i{dunder}__", inplace)
    for op, dunder in _COMPARISONS.items():
        forward, _, inplace = make_binary(op)
        setattr(Tensor, f"__{dunder}__", forward)
        setattr(Tensor, op, forward)
        setattr(Tensor, op + "_", inplace)

    def alpha_op(op):
        def f(self, other, *, alpha=1, out=None):
            if alpha != 1:
                other = other * alpha
            return binary(op, self, other)

        def f_(self, other, *, alpha=1):
            if alpha != 1:
                other = other * alpha
            return _binary_inplace(op, self, other)
        return f, f_

    Tensor.add, Tensor.add_ = alpha_op("add")
    Tensor.sub, Tensor.sub_ = alpha_op("sub")
    Tensor.subtract, Tensor.subtract_ = Tensor.sub, Tensor.sub_

    @m("rsub")
    def _rsub(self, other, alpha=1):
        return binary("sub", self * alpha if alpha != 1 else self, other, reversed_=True)

    for op in ("mul", "pow", "remainder", "fmod", "floor_divide", "maximum", "minimum", "atan2", "logical_and",
               "logical_or", "logical_xor", "bitwise_and", "bitwise_or", "bitwise_xor"):
        forward, _, inplace = make_binary(op)
        setattr(Tensor, op, forward)
        if op not in ("maximum", "minimum"):
            setattr(Tensor, op + "_", inplace)
    Tensor.multiply, Tensor.multiply_ = Tensor.mul, Tensor.mul_
    Tensor.greater, Tensor.less, Tensor.greater_equal, Tensor.less_equal = Tensor.gt, Tensor.lt, Tensor.ge, Tensor.le
    Tensor.not_equal = Tensor.ne
    Tensor.arctan2 = Tensor.atan2

    @m("div")
    def _div(self, other, *, rounding_mode=None):
        if rounding_mode is None:
            return binary("div", self, other)
        if rounding_mode == "floor":
            return binary("floor_divide", self, other)
        if rounding_mode == "trunc":
            q = binary("div", self, other)
            result_float = self.dtype.is_floating_point or (isinstance(other, _t.Tensor) and other.dtype.is_floating_point) or isinstance(other, _float)
            return q.trunc() if result_float else q.trunc().to(promote_types(self.dtype, other.dtype if isinstance(other, _t.Tensor) else int64))
        raise RuntimeError(f"div expected rounding_mode to be one of None, 'trunc', or 'floor' but found '{rounding_mode}'")

    @m("div_")
    def _div_(self, other, *, rounding_mode=None):
        if rounding_mode is None:
            return _binary_inplace("div", self, other)
        return self.copy_(self.div(other, rounding_mode=rounding_mode))

    Tensor.divide, Tensor.divide_ = Tensor.div, Tensor.div_
    Tensor.true_divide = lambda self, other: binary("div", self, other)
    Tensor.true_divide_ = lambda self, other: _binary_inplace("div", self, other)

    @m("float_power")
    def _float_power(self, exponent):
        return binary("pow", self.double(), exponent)

    @m("equal")
    def _equal(self, other):
        return tuple(self.shape) == tuple(other.shape) and _bool((self == other).all().item())

    @m("__neg__")
    def _neg(self):
        return unary("neg", self)

    Tensor.negative = Tensor.__neg__

    @m("__pos__")
    def _pos(self):
        return self

    @m("__abs__")
    def _abs(self):
        return unary("abs", self)

    Tensor.absolute = Tensor.__abs__

    @m("__invert__")
    def _invert(self):
        if self.dtype is bool_:
            return unary("logical_not", self)
        if self.dtype.is_floating_point:
            raise TypeError("~ (operator.invert) is only implemented on integer and Boolean-type tensors")
        return -self - 1

    Tensor.bitwise_not = Tensor.__invert__

    @m("__matmul__")
    def _matmul_op(self, other):
        if not isinstance(other, _t.Tensor):
            return NotImplemented
        return self.matmul(other)

    @m("__rmatmul__")
    def _rmatmul(self, other):
        if not isinstance(other, _t.Tensor):
            return NotImplemented
        return other.matmul(self)

    # ---- elementwise unary ----------------------------------------------------------------------------------
    def make_unary(op):
        def f(self):
            try:
                return _wrap(_unary(op, self._h))
            except JsException as error:
                raise python_error(error) from None

        def f_(self):
            try:
                _unary_(op, self._h)
            except JsException as error:
                raise python_error(error) from None
            return self
        return f, f_

    for op in _UNARY_METHODS:
        f, f_ = make_unary(op)
        setattr(Tensor, op, f)
        if op in _UNARY_INPLACE:
            setattr(Tensor, op + "_", f_)
    Tensor.fix, Tensor.fix_ = Tensor.trunc, Tensor.trunc_
    Tensor.arcsin, Tensor.arccos, Tensor.arctan = Tensor.asin, Tensor.acos, Tensor.atan
    Tensor.sgn = Tensor.sign

    @m("clamp")
    def _clamp(self, min=None, max=None):
        if isinstance(min, _t.Tensor) or isinstance(max, _t.Tensor):
            out = self
            if min is not None:
                out = out.maximum(min if isinstance(min, _t.Tensor) else _t.as_tensor_like(min).to(self.dtype))
            if max is not None:
                out = out.minimum(max if isinstance(max, _t.Tensor) else _t.as_tensor_like(max).to(self.dtype))
            return out
        return _t.wrap(call(E.clamp, self._h, _number(min), _number(max), type(min) is _float, type(max) is _float, None))

    @m("clamp_")
    def _clamp_(self, min=None, max=None):
        if isinstance(min, _t.Tensor) or isinstance(max, _t.Tensor):
            return self.copy_(self.clamp(min, max))
        call(E.clamp_, self._h, _number(min), _number(max), type(min) is _float, type(max) is _float)
        return self

    Tensor.clip, Tensor.clip_ = Tensor.clamp, Tensor.clamp_
    @m("clamp_min")
    def _clamp_min(self, min):
        if isinstance(min, _t.Tensor):
            return self.clamp(min=min)
        return _t.wrap(call(E.clamp, self._h, _number(min), None, type(min) is _float, False, "ClampMinBackward0"))

    @m("clamp_max")
    def _clamp_max(self, max):
        if isinstance(max, _t.Tensor):
            return self.clamp(max=max)
        return _t.wrap(call(E.clamp, self._h, None, _number(max), False, type(max) is _float, "ClampMaxBackward0"))

    Tensor.clamp_min_ = lambda self, min: self.clamp_(min=min)
    Tensor.clamp_max_ = lambda self, max: self.clamp_(max=max)

    @m("where")
    def _where(self, condition, other):
        from . import where

        return where(condition, self, other)

    @m("masked_fill")
    def _masked_fill(self, mask, value):
        if isinstance(value, _t.Tensor):
            if value.dim() != 0:
                raise RuntimeError(
                    f"masked_fill_ only supports a 0-dimensional value tensor, but got tensor with {value.dim()} dimension(s).")
            from . import where

            return where(mask, value.to(self.dtype), self)
        return _t.wrap(call(E.masked_fill, self._h, mask._h, _number(value)))

    @m("masked_fill_")
    def _masked_fill_(self, mask, value):
        if isinstance(value, _t.Tensor):
            value = value.item()
        call(E.masked_fill_, self._h, mask._h, _number(value))
        return self

    @m("masked_select")
    def _masked_select(self, mask):
        from . import broadcast_tensors

        x, mask = broadcast_tensors(self, mask)
        return x[mask]

    @m("lerp")
    def _lerp(self, end, weight):
        return _renamed(self + (end - self) * weight, "LerpBackward0")

    @m("lerp_")
    def _lerp_(self, end, weight):
        return self.copy_(self + (end - self) * weight)

    @m("addcmul")
    def _addcmul(self, t1, t2, *, value=1):
        return self + t1 * t2 * value if value != 1 else self + t1 * t2

    @m("addcdiv")
    def _addcdiv(self, t1, t2, *, value=1):
        return self + t1 / t2 * value if value != 1 else self + t1 / t2

    @m("addcmul_")
    def _addcmul_(self, t1, t2, *, value=1):
        return self.add_(t1 * t2 * value if value != 1 else t1 * t2)

    @m("addcdiv_")
    def _addcdiv_(self, t1, t2, *, value=1):
        return self.add_(t1 / t2 * value if value != 1 else t1 / t2)

    @m("hypot")
    def _hypot(self, other):
        return (self * self + other * other).sqrt()

    @m("xlogy")
    def _xlogy(self, other):
        from . import where

        return where(self == 0, self.new_zeros(()).to(float32), self * (other.log() if isinstance(other, _t.Tensor) else math.log(other)))

    @m("isclose")
    def _isclose(self, other, rtol=1e-05, atol=1e-08, equal_nan=False):
        from . import isclose

        return isclose(self, other, rtol, atol, equal_nan)

    @m("allclose")
    def _allclose(self, other, rtol=1e-05, atol=1e-08, equal_nan=False):
        from . import allclose

        return allclose(self, other, rtol, atol, equal_nan)

    # ---- reductions -------------------------------------------------------------------------------------------
    @m("sum")
    def _sum(self, dim=None, keepdim=False, dtype=None):
        return reduce("sum", self, dim, keepdim, dtype=dtype)

    @m("nansum")
    def _nansum(self, dim=None, keepdim=False, dtype=None):
        return reduce("nansum", self, dim, keepdim)

    @m("mean")
    def _mean(self, dim=None, keepdim=False, dtype=None):
        return reduce("mean", self, dim, keepdim, dtype=dtype)

    @m("nanmean")
    def _nanmean(self, dim=None, keepdim=False):
        keep = ~self.isnan()
        return self.nansum(dim, keepdim) / keep.sum(dim, keepdim)

    @m("prod")
    def _prod(self, dim=None, keepdim=False, dtype=None):
        return reduce("prod", self, dim, keepdim, dtype=dtype)

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
        def f(self, dim=None, keepdim=False, *, out=None):
            if isinstance(dim, _t.Tensor):
                return binary("maximum" if which == "max" else "minimum", self, dim)
            if dim is None:
                return reduce(which + "_all", self)
            values, indices = call(E.extreme_dim, which, self._h, operator.index(dim), _bool(keepdim)).to_py()
            from .return_types import _make

            return _make(which, _wrap(values), _wrap(indices))
        f.__name__ = which
        return f

    Tensor.max = extreme("max")
    Tensor.min = extreme("min")

    @m("aminmax")
    def _aminmax(self, *, dim=None, keepdim=False):
        from .return_types import _make

        return _make("aminmax", self.amin(dim if dim is not None else ()), self.amax(dim if dim is not None else ()), names=("min", "max"))

    @m("argmax")
    def _argmax(self, dim=None, keepdim=False):
        return _t.wrap(call(E.arg_reduce, "argmax", self._h, dim, _bool(keepdim)))

    @m("argmin")
    def _argmin(self, dim=None, keepdim=False):
        return _t.wrap(call(E.arg_reduce, "argmin", self._h, dim, _bool(keepdim)))

    def _correction(unbiased, correction):
        if correction is not None:
            return correction
        if isinstance(unbiased, builtins.bool):
            return 1 if unbiased else 0
        return 1

    @m("var")
    def _var(self, dim=None, unbiased=None, keepdim=False, *, correction=None):
        if isinstance(dim, builtins.bool):  # var(unbiased)
            dim, unbiased = None, dim
        return _t.wrap(call(E.variance, self._h, _dims_arg(dim), _correction(unbiased, correction), _bool(keepdim), False))

    @m("std")
    def _std(self, dim=None, unbiased=None, keepdim=False, *, correction=None):
        if isinstance(dim, builtins.bool):
            dim, unbiased = None, dim
        return _t.wrap(call(E.variance, self._h, _dims_arg(dim), _correction(unbiased, correction), _bool(keepdim), True))

    @m("norm")
    def _norm(self, p="fro", dim=None, keepdim=False, dtype=None):
        if p in ("fro", 2, 2.0, None):
            return _renamed(_root((self * self).sum(dim, keepdim), 2), "NormBackward1")
        if p == 1:
            return self.abs().sum(dim, keepdim)
        if p == math.inf:
            return self.abs().amax(dim if dim is not None else (), keepdim)
        if p == -math.inf:
            return self.abs().amin(dim if dim is not None else (), keepdim)
        if p == 0:
            return (self != 0).to(self.dtype).sum(dim, keepdim)
        return _root((self.abs() ** p).sum(dim, keepdim), p)

    @m("dist")
    def _dist(self, other, p=2):
        return (self - other).norm(p)

    @m("count_nonzero")
    def _count_nonzero(self, dim=None):
        return (self != 0).sum(dim)

    @m("cumsum")
    def _cumsum(self, dim, dtype=None):
        out = _t.wrap(call(E.cumsum, self._h, operator.index(dim)))
        return out if dtype is None else out.to(dtype)

    @m("cumprod")
    def _cumprod(self, dim, dtype=None):
        out = _t.wrap(call(E.cumprod, self._h, operator.index(dim)))
        return out if dtype is None else out.to(dtype)

    @m("cumsum_")
    def _cumsum_(self, dim):
        return self.copy_(self.cumsum(dim))

    @m("median")
    def _median(self, dim=None, keepdim=False):
        if dim is None:
            flat = self.reshape(-1)
            return flat.sort().values[(flat.numel() - 1) // 2]
        values, indices = self.sort(dim)
        n = self.shape[dim]
        from .return_types import _make

        picked_values = values.narrow(dim, (n - 1) // 2, 1)
        picked_indices = indices.narrow(dim, (n - 1) // 2, 1)
        if not keepdim:
            picked_values, picked_indices = picked_values.squeeze(dim), picked_indices.squeeze(dim)
        return _make("median", picked_values, picked_indices)

    # ---- linear algebra ---------------------------------------------------------------------------------------
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
        return _renamed((self * beta if beta != 1 else self) + (product * alpha if alpha != 1 else product), "AddmmBackward0")

    # ---- shape ------------------------------------------------------------------------------------------------
    @m("reshape")
    def _reshape_m(self, *shape):
        if len(shape) == 1 and not isinstance(shape[0], numbers.Integral):
            shape = shape[0]
        try:
            return _wrap(_reshape(self._h, shape))
        except JsException as error:
            raise python_error(error) from None
        except TypeError:
            return _wrap(call(_reshape, self._h, [operator.index(d) for d in shape]))

    @m("view")
    def _view(self, *shape):
        if len(shape) == 1 and not isinstance(shape[0], numbers.Integral):
            if hasattr(shape[0], "is_floating_point"):
                if shape[0] is self.dtype:
                    return self
                raise _t.unsupported("Tensor.view(dtype)")
            shape = shape[0]
        try:
            return _wrap(_reshape(self._h, shape))
        except JsException as error:
            raise python_error(error) from None

    Tensor.view_as = lambda self, other: self.view(other.shape)
    Tensor.reshape_as = lambda self, other: self.reshape(other.shape)

    @m("flatten")
    def _flatten(self, start_dim=0, end_dim=-1):
        return _t.wrap(call(E.flatten, self._h, start_dim, end_dim))

    Tensor.ravel = lambda self: self.reshape(-1)

    @m("unflatten")
    def _unflatten(self, dim, sizes):
        shape = list(self.shape)
        dim = dim % len(shape)
        return self.reshape(shape[:dim] + list(sizes) + shape[dim + 1:])

    @m("permute")
    def _permute(self, *dims):
        return _t.wrap(call(E.permute, self._h, normalize_dims(dims)))

    @m("transpose")
    def _transpose(self, dim0, dim1):
        return _t.wrap(call(E.transpose, self._h, dim0, dim1))

    Tensor.swapaxes = Tensor.swapdims = Tensor.transpose

    @m("t")
    def _tt(self):
        if self.dim() > 2:
            raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {self.dim()}D")
        return _t.wrap(call(E.transpose, self._h, 0, -1, "TBackward0"))

    Tensor.T = property(lambda self: self.permute(*reversed(range(self.dim()))))
    Tensor.mT = property(lambda self: self.transpose(-2, -1))
    Tensor.H = Tensor.T
    Tensor.mH = Tensor.mT

    @m("squeeze")
    def _squeeze(self, dim=None):
        return _t.wrap(call(E.squeeze, self._h, None if dim is None else _dims_arg(dim)))

    @m("unsqueeze")
    def _unsqueeze(self, dim):
        return _t.wrap(call(E.unsqueeze, self._h, dim))

    @m("squeeze_")
    def _squeeze_(self, dim=None):
        return self._take_handle(self.squeeze(dim))

    @m("unsqueeze_")
    def _unsqueeze_(self, dim):
        return self._take_handle(self.unsqueeze(dim))

    @m("_take_handle")
    def _take_handle(self, other):
        """Makes this tensor object stand for `other` (shape-changing in-place ops); `other` gets the old handle."""
        self._h, other._h = other._h, self._h
        self._shape = None
        self._grad_cache = None
        return self

    @m("expand")
    def _expand(self, *sizes):
        return _t.wrap(call(E.expand, self._h, normalize_dims(sizes)))

    Tensor.expand_as = lambda self, other: self.expand(other.shape)
    Tensor.broadcast_to = lambda self, shape: self.expand(shape)

    @m("repeat")
    def _repeat(self, *sizes):
        return _t.wrap(call(E.repeat, self._h, normalize_dims(sizes)))

    @m("tile")
    def _tile(self, *dims):
        dims = normalize_dims(dims)
        if len(dims) < self.dim():
            dims = (1,) * (self.dim() - len(dims)) + tuple(dims)
        return self.repeat(dims)

    @m("repeat_interleave")
    def _repeat_interleave(self, repeats, dim=None):
        if not isinstance(repeats, numbers.Integral):
            raise _t.unsupported("repeat_interleave with a tensor of repeats")
        x = self.reshape(-1) if dim is None else self
        d = 0 if dim is None else dim % x.dim()
        shape = list(x.shape)
        expanded = x.unsqueeze(d + 1).expand(*shape[:d + 1], repeats, *shape[d + 1:])
        return expanded.reshape(*shape[:d], shape[d] * repeats, *shape[d + 1:])

    @m("chunk")
    def _chunk(self, chunks, dim=0):
        size = self.size(dim)
        step = -(-size // chunks) if size else 0
        if step == 0:
            return (self,) if chunks else ()
        return self.split(step, dim)

    @m("split")
    def _split(self, split_size, dim=0):
        sizes = _split_sizes(self.size(dim), split_size)
        name = "SplitBackward0" if isinstance(split_size, numbers.Integral) else "SplitWithSizesBackward0"
        return tuple(_handles(call(E.split, self._h, sizes, dim, False, name)))

    Tensor.split_with_sizes = lambda self, split_sizes, dim=0: self.split(list(split_sizes), dim)

    @m("tensor_split")
    def _tensor_split(self, indices_or_sections, dim=0):
        size = self.size(dim)
        if isinstance(indices_or_sections, numbers.Integral):
            n = indices_or_sections
            sizes = [size // n + (1 if i < size % n else 0) for i in range(n)]
        else:
            bounds = [0] + [builtins.min(builtins.max(operator.index(i), 0), size) for i in indices_or_sections] + [size]
            sizes = [builtins.max(0, b - a) for a, b in zip(bounds, bounds[1:])]
        return tuple(_handles(call(E.split, self._h, sizes, dim, False, "SplitWithSizesBackward0")))

    @m("narrow")
    def _narrow(self, dim, start, length):
        key = [slice(None)] * (dim % self.dim()) + [slice(start, start + length)]
        return self[tuple(key)]

    @m("unbind")
    def _unbind(self, dim=0):
        size = self.size(dim)
        return tuple(_handles(call(E.split, self._h, [1] * size, dim, True, "UnbindBackward0")))

    @m("select")
    def _select(self, dim, index):
        return self[(slice(None),) * (dim % self.dim()) + (index,)]

    @m("index_select")
    def _index_select(self, dim, index):
        return _t.wrap(call(E.index_select, self._h, dim, index._h))

    @m("gather")
    def _gather(self, dim, index):
        return _t.wrap(call(E.gather, self._h, dim, index._h))

    Tensor.take_along_dim = lambda self, indices, dim: self.gather(dim, indices)

    @m("scatter")
    def _scatter(self, dim, index, src=None, value=None, *, reduce=None):
        if src is None:
            src = value
        if not isinstance(src, _t.Tensor):
            from . import full

            src = full(tuple(index.shape), src, dtype=self.dtype)
        if reduce not in (None, "add"):
            raise _t.unsupported(f"scatter(reduce='{reduce}')")
        return _t.wrap(call(E.scatter, self._h, dim, index._h, src._h, reduce == "add"))

    @m("scatter_")
    def _scatter_(self, dim, index, src=None, value=None, *, reduce=None):
        return self.copy_(self.scatter(dim, index, src, value, reduce=reduce))

    @m("scatter_add")
    def _scatter_add(self, dim, index, src):
        return _t.wrap(call(E.scatter, self._h, dim, index._h, src._h, True))

    @m("scatter_add_")
    def _scatter_add_(self, dim, index, src):
        return self.copy_(self.scatter_add(dim, index, src))

    @m("index_add")
    def _index_add(self, dim, index, source, *, alpha=1):
        dim = dim % self.dim()
        shape = [1] * self.dim()
        shape[dim] = -1
        expanded = index.reshape(shape).expand(source.shape)
        return self.scatter_add(dim, expanded, source * alpha if alpha != 1 else source)

    @m("index_add_")
    def _index_add_(self, dim, index, source, *, alpha=1):
        return self.copy_(self.index_add(dim, index, source, alpha=alpha))

    @m("index_fill")
    def _index_fill(self, dim, index, value):
        out = self.clone()
        out[(slice(None),) * (dim % self.dim()) + (index,)] = value
        return out

    @m("index_fill_")
    def _index_fill_(self, dim, index, value):
        self[(slice(None),) * (dim % self.dim()) + (index,)] = value
        return self

    @m("flip")
    def _flip(self, *dims):
        return _t.wrap(call(E.flip, self._h, normalize_dims(dims)))

    Tensor.fliplr = lambda self: self.flip(1)
    Tensor.flipud = lambda self: self.flip(0)

    @m("roll")
    def _roll(self, shifts, dims=None):
        shifts = _dims_arg(shifts)
        return _t.wrap(call(E.roll, self._h, shifts, _dims_arg(dims)))

    @m("tril")
    def _tril(self, diagonal=0):
        return _t.wrap(call(E.tril, self._h, diagonal))

    @m("triu")
    def _triu(self, diagonal=0):
        return _t.wrap(call(E.triu, self._h, diagonal))

    Tensor.tril_ = lambda self, diagonal=0: self.copy_(self.tril(diagonal))
    Tensor.triu_ = lambda self, diagonal=0: self.copy_(self.triu(diagonal))

    @m("diagonal")
    def _diagonal(self, offset=0, dim1=0, dim2=1):
        if self.dim() != 2 or (dim1, dim2) != (0, 1):
            raise _t.unsupported("diagonal() of other than a matrix's first two dims")
        rows, cols = self.shape
        from . import arange

        if offset >= 0:
            n = builtins.max(0, builtins.min(rows, cols - offset))
            i = arange(n)
            return self[i, i + offset]
        n = builtins.max(0, builtins.min(rows + offset, cols))
        i = arange(n)
        return self[i - offset, i]

    @m("trace")
    def _trace(self):
        return self.diagonal().sum()

    @m("softmax")
    def _softmax(self, dim, dtype=None):
        x = self if dtype is None else self.to(dtype)
        if not x.dtype.is_floating_point:
            raise RuntimeError('"softmax_lastdim_kernel_impl" not implemented for \'Long\'')
        return _t.wrap(call(E.softmax, x._h, dim))

    @m("log_softmax")
    def _log_softmax(self, dim, dtype=None):
        x = self if dtype is None else self.to(dtype)
        if not x.dtype.is_floating_point:
            raise RuntimeError('"log_softmax_lastdim_kernel_impl" not implemented for \'Long\'')
        return _t.wrap(call(E.log_softmax, x._h, dim))

    @m("topk")
    def _topk(self, k, dim=-1, largest=True, sorted=True):
        from .return_types import _make

        values, indices = call(E.topk, self._h, k, dim, _bool(largest)).to_py()
        return _make("topk", _wrap(values), _wrap(indices))

    @m("sort")
    def _sort(self, dim=-1, descending=False, stable=False):
        from .return_types import _make

        values, indices = call(E.sort, self._h, dim, _bool(descending)).to_py()
        return _make("sort", _wrap(values), _wrap(indices))

    @m("argsort")
    def _argsort(self, dim=-1, descending=False, stable=False):
        return self.sort(dim, descending).indices

    @m("msort")
    def _msort(self):
        return self.sort(0).values

    @m("unique")
    def _unique(self, sorted=True, return_inverse=False, return_counts=False, dim=None):
        if dim is not None:
            raise _t.unsupported("unique(dim=...)")
        values, inverse, counts = (_wrap(h) for h in call(E.unique, self._h).to_py())
        if return_inverse and return_counts:
            return values, inverse, counts
        if return_inverse:
            return values, inverse
        if return_counts:
            return values, counts
        return values

    @m("nonzero")
    def _nonzero(self, *, as_tuple=False):
        coords = _t.wrap(call(E.nonzero, self._h))
        if as_tuple:
            return coords.unbind(1) if self.dim() else (coords.reshape(-1),)
        return coords

    Tensor.argwhere = lambda self: self.nonzero()

    Tensor.__getitem__ = _getitem
    Tensor.__setitem__ = _setitem

    # ---- in place ---------------------------------------------------------------------------------------------
    @m("_assign")
    def _assign(self, value):
        if isinstance(value, _t.Tensor):
            call(E.assign_, self._h, value._h)
        else:
            call(E.fill_, self._h, _number(value))
        return self

    @m("copy_")
    def _copy_(self, src, non_blocking=False):
        if not isinstance(src, _t.Tensor):
            raise TypeError(f"copy_(): argument 'src' (position 1) must be Tensor, not {type(src).__name__}")
        call(E.assign_, self._h, src._h)
        return self

    @m("zero_")
    def _zero_(self):
        call(E.fill_, self._h, 0)
        return self

    @m("fill_")
    def _fill_(self, value):
        if isinstance(value, _t.Tensor):
            value = value.item()
        call(E.fill_, self._h, _number(value))
        return self

    @m("uniform_")
    def _uniform_(self, a=0.0, b=1.0, *, generator=None):
        from . import rand

        r = rand(*self.shape)
        return self.copy_(r * (b - a) + a if (a, b) != (0.0, 1.0) else r)

    @m("normal_")
    def _normal_(self, mean=0.0, std=1.0, *, generator=None):
        from . import randn

        r = randn(*self.shape)
        return self.copy_(r * std + mean if (mean, std) != (0.0, 1.0) else r)

    @m("bernoulli_")
    def _bernoulli_(self, p=0.5, *, generator=None):
        from . import rand

        return self.copy_(rand(*self.shape) < p)

    @m("bernoulli")
    def _bernoulli(self, p=None, *, generator=None):
        from . import rand

        return (rand(*self.shape) < (self if p is None else p)).to(self.dtype)

    @m("random_")
    def _random_(self, low=0, high=None, *, generator=None):
        from . import randint

        if high is None:
            low, high = 0, low if low else 2 ** 24
        return self.copy_(randint(low, high, tuple(self.shape)))

    @m("exponential_")
    def _exponential_(self, lambd=1.0, *, generator=None):
        from . import rand

        return self.copy_(-(1 - rand(*self.shape)).log() / lambd)
