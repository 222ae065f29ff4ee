"""torch's tensor-making functions: tensor, as_tensor, zeros, ones, full, empty, the *_like ones, arange, range,
linspace, logspace, eye, from_numpy (torch imports them from here).

As in torch/__init__.py, `range` is torch's here, so the builtins are spelled `_builtins.x`.
"""
import builtins as _builtins
import numbers as _numbers
import operator as _operator

from ._engine import E as _E, call as _call
from ._dtype import float32, int64
from ._tensor import Tensor, wrap as _wrap, _flatten_nested, _infer_dtype
from ._tensor_ops import scalar_dtype as _scalar_dtype
from . import _numpy_bridge


def _finish(t, dtype, requires_grad):
    if dtype is not None and t.dtype is not dtype:
        t = t.to(dtype)
    if requires_grad:
        t.requires_grad_(True)
    return t


def _size_args(size):
    """Sizes given as zeros(2, 3), zeros((2, 3)), zeros([2, 3]) or zeros(torch.Size(...))."""
    if len(size) == 1 and not isinstance(size[0], _numbers.Integral):
        size = tuple(size[0])
    return tuple(_operator.index(s) for s in size)


def tensor(data, dtype=None, device=None, requires_grad=False, pin_memory=False):
    if isinstance(data, Tensor):
        t = data.detach().clone()
        return _finish(t, dtype, requires_grad)
    if _numpy_bridge.is_ndarray(data):
        return _finish(from_numpy(data), dtype, requires_grad)
    flat, shape = _flatten_nested(data)
    inferred = _infer_dtype(flat) if dtype is None else dtype
    if inferred.is_floating_point:
        values = [_builtins.float(v) for v in flat]
    else:
        values = flat
    t = _wrap(_call(_E.from_values, values, shape, inferred._name))
    if requires_grad:
        t.requires_grad_(True)
    return t


def as_tensor(data, dtype=None, device=None):
    if isinstance(data, Tensor):
        return data if dtype is None or data.dtype is dtype else data.to(dtype)
    return tensor(data, dtype=dtype)


asarray = as_tensor


def scalar_tensor(s, dtype=None, device=None, requires_grad=False):
    return tensor(s, dtype=dtype or float32, requires_grad=requires_grad)


def _from_buffer(buffer, buffer_type, shape, dtype):
    """A tensor holding a copy of a Python buffer (bytes, memoryview, array.array) of the given element type."""
    return _wrap(_call(_E.from_buffer, buffer, buffer_type, tuple(shape), dtype._name))


def full(size, fill_value, dtype=None, device=None, requires_grad=False, out=None, layout=None, pin_memory=False):
    if dtype is None:
        dtype = _scalar_dtype(fill_value) if not isinstance(fill_value, Tensor) else fill_value.dtype
    if isinstance(fill_value, Tensor):
        fill_value = fill_value.item()
    shape = (_operator.index(size),) if isinstance(size, _numbers.Integral) else _size_args((size,))
    t = _wrap(_call(_E.full, shape, fill_value, dtype._name))
    return _finish(t, None, requires_grad)


def zeros(*size, dtype=None, device=None, requires_grad=False, out=None, layout=None, pin_memory=False):
    t = _wrap(_call(_E.full, _size_args(size), 0, (dtype or float32)._name))
    return t.requires_grad_(True) if requires_grad else t


def ones(*size, dtype=None, device=None, requires_grad=False, out=None, layout=None, pin_memory=False):
    t = _wrap(_call(_E.full, _size_args(size), 1, (dtype or float32)._name))
    return t.requires_grad_(True) if requires_grad else t


def empty(*size, dtype=None, device=None, requires_grad=False, out=None, memory_format=None, layout=None,
          pin_memory=False):
    return zeros(*size, dtype=dtype, requires_grad=requires_grad)


def _like(t, value, dtype, requires_grad):
    out = _wrap(_call(_E.full_like, t._h, value, None if dtype is None else dtype._name))
    return out.requires_grad_(True) if requires_grad else out


def zeros_like(input, dtype=None, device=None, requires_grad=False, memory_format=None, layout=None):
    return _like(input, 0, dtype, requires_grad)


def ones_like(input, dtype=None, device=None, requires_grad=False, memory_format=None, layout=None):
    return _like(input, 1, dtype, requires_grad)


def full_like(input, fill_value, dtype=None, device=None, requires_grad=False, memory_format=None, layout=None):
    return _like(input, fill_value, dtype, requires_grad)


empty_like = zeros_like


def arange(start, end=None, step=1, dtype=None, device=None, requires_grad=False, out=None, layout=None):
    if end is None:
        start, end = 0, start
    start, end, step = (v.item() if isinstance(v, Tensor) else v for v in (start, end, step))
    if dtype is None:
        integral = _builtins.all(isinstance(v, _numbers.Integral) for v in (start, end, step))
        dtype = int64 if integral else float32
    t = _wrap(_call(_E.arange, start, end, step, dtype._name))
    return _finish(t, None, requires_grad)


def range(start=0, end=None, step=1, dtype=None, device=None, requires_grad=False):
    if end is None:
        start, end = 0, start
    return arange(start, end + step / 2 if step > 0 else end - 1e-9, step, dtype=dtype or float32,
                  requires_grad=requires_grad)


def linspace(start, end, steps, dtype=None, device=None, requires_grad=False, out=None, layout=None):
    t = _wrap(_call(_E.linspace, start, end, steps, (dtype or float32)._name))
    return _finish(t, None, requires_grad)


def logspace(start, end, steps, base=10.0, dtype=None, device=None, requires_grad=False):
    return _finish(base ** linspace(start, end, steps), dtype, requires_grad)


def eye(n, m=None, dtype=None, device=None, requires_grad=False, out=None, layout=None):
    t = _wrap(_call(_E.eye, n, m if m is not None else n, (dtype or float32)._name))
    return _finish(t, None, requires_grad)


def from_numpy(array):
    from ._numpy_bridge import from_numpy as bridge

    return bridge(array)
