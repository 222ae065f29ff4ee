"""The math, reduction, shape and indexing methods of torch.Tensor. Each is one engine call: the engine checks shapes
(with PyTorch's messages), promotes dtypes and names the grad_fn, so the Python side only routes arguments.

This module holds the calls every family shares (binary, unary, reduce, index keys); the methods themselves are
installed family by family from _tensor_elementwise, _tensor_reductions, _tensor_linalg, _tensor_shape and
_tensor_inplace."""
import builtins
import numbers
import operator

from ._engine import E, python_error, JsException
from ._dtype import float32, int64, bool_
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
        if type(key) is _int and self.dim() == 0:  # loss.data[0], from PyTorch 0.3 tutorials
            raise IndexError(_ZERO_DIM_INDEX) from None
        raise python_error(error) from None


_ZERO_DIM_INDEX = ("invalid index of a 0-dim tensor. Use `tensor.item()` in Python or `tensor.item<T>()` in C++ to "
                   "convert a 0-dim tensor to a number")


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


def _renamed(t, name, *inputs):
    """Gives t's grad_fn the name PyTorch's single op would have (for ops composed of several here), and `inputs`,
    that op's own tensors (None where PyTorch lists None), as what its `next_functions` leads to."""
    if t.grad_fn is not None:
        E.rename_grad_fn(t._h, name, [0 if x is None else x._h for x in inputs])
    return t


def _handles(proxy):
    return [_wrap(h) for h in proxy.to_py()]


# ---- installation -------------------------------------------------------------------------------------------------

def install(Tensor, Size):
    """Installs the methods on Tensor, family by family (later families alias methods earlier ones set)."""
    from . import (_tensor_convert, _tensor_protocol, _tensor_elementwise, _tensor_reductions, _tensor_linalg,
                   _tensor_shape, _tensor_inplace, _tensor_views)

    def m(name):
        def deco(fn):
            fn.__name__ = name
            fn.__qualname__ = "Tensor." + name  # prints as PyTorch's (and as when it was in the class body)
            setattr(Tensor, name, fn)
            return fn
        return deco

    # conversions and the Python protocol first: they were the class body's, which the op families may replace
    for family in (_tensor_convert, _tensor_protocol, _tensor_elementwise, _tensor_reductions, _tensor_linalg,
                   _tensor_shape, _tensor_inplace, _tensor_views):
        family.install(Tensor, Size, m)
