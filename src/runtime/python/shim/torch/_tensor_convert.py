"""torch.Tensor's conversions: to Python numbers and lists (item, float(), tolist), to NumPy, to other dtypes and
devices (to, type, float, long, ...), copies (clone) and new tensors shaped from this one (new_zeros, new_full, ...).

Installed on Tensor as it is made (before the op families of _tensor_ops, which may alias these)."""
import builtins

from ._engine import E, call, python_error, JsException
from . import _dtype
from ._dtype import float32, int64, bool_
from ._tensor import wrap

_item = E.item


def install(Tensor, Size, m):
    """Sets these methods on Tensor; `m(name)` is the decorator that sets one by name."""

    @m("item")
    def _item_m(self):
        try:
            value = _item(self._h)
        except JsException as error:
            raise python_error(error) from None
        code = self._h & 15
        if code < 4:
            return float(value)
        if code == 9:
            return builtins.bool(value)
        return int(value)

    @m("__float__")
    def _float_dunder(self):
        if self.numel() != 1:
            raise ValueError("only one element tensors can be converted to Python scalars")
        return float(self.item())

    @m("__int__")
    def _int_dunder(self):
        if self.numel() != 1:
            raise ValueError("only one element tensors can be converted to Python scalars")
        return int(self.item())

    @m("__index__")
    def _index_dunder(self):
        if self.dtype.is_floating_point or self.numel() != 1:
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return int(self.item())

    @m("__bool__")
    def _bool_dunder(self):
        if self.numel() != 1:
            raise RuntimeError("Boolean value of Tensor with more than one value is ambiguous")
        return builtins.bool(self.item())

    @m("__complex__")
    def _complex_dunder(self):
        return complex(self.item())

    @m("_flat_values")
    def _flat_values_m(self):
        """The elements in row-major order as Python numbers of the tensor's kind (one engine call)."""
        values = call(E.values, self._h).to_py().tolist()
        code = self._h & 15
        if code == 9:
            return [builtins.bool(v) for v in values]
        if code < 4:
            return [float(v) for v in values]
        return values

    @m("tolist")
    def _tolist_m(self):
        flat = self._flat_values()
        shape = self.shape
        if not shape:
            return flat[0]
        if 0 in shape:
            return _empty_nest(shape)
        for size in reversed(shape[1:]):
            flat = [flat[i:i + size] for i in range(0, len(flat), size)]
        return flat

    @m("numpy")
    def _numpy_m(self, force=False):
        from ._numpy_bridge import tensor_to_numpy

        return tensor_to_numpy(self, force)

    @m("__array__")
    def _array_dunder(self, dtype=None, copy=None):
        from ._numpy_bridge import tensor_to_numpy

        array = tensor_to_numpy(self)  # as PyTorch's: refuses a tensor that requires grad
        return array if dtype is None else array.astype(dtype)

    @m("cpu")
    def _cpu_m(self, memory_format=None):
        return self

    @m("cuda")
    def _cuda_m(self, device=None, non_blocking=False, memory_format=None):
        return self

    @m("pin_memory")
    def _pin_memory_m(self):
        return self

    @m("share_memory_")
    def _share_memory__m(self):
        return self

    @m("to")
    def _to_m(self, *args, **kwargs):
        target = kwargs.get("dtype")
        copy = kwargs.get("copy", False)
        for arg in args:
            if isinstance(arg, _dtype.dtype):
                target = arg
            elif isinstance(arg, Tensor):
                target = arg.dtype
        out = self if target is None else self.type(target)
        if copy and out is self:
            out = self.clone()
        return out

    @m("type")
    def _type_m(self, dtype=None, non_blocking=False):
        if dtype is None:
            return _TYPE_NAMES[self.dtype._name]
        if isinstance(dtype, str):
            dtype = _TYPES_BY_NAME[dtype]
        dtype = getattr(dtype, "dtype", dtype)  # x.type(torch.LongTensor)
        if dtype is self.dtype:
            return self
        return wrap(call(E.cast, self._h, dtype._name))

    @m("type_as")
    def _type_as_m(self, other):
        return self.type(other.dtype)

    @m("float")
    def _float_m(self, memory_format=None):
        return self.type(float32)

    @m("double")
    def _double_m(self, memory_format=None):
        return self.type(_dtype.float64)

    @m("half")
    def _half_m(self, memory_format=None):
        return self.type(_dtype.float16)

    @m("bfloat16")
    def _bfloat16_m(self, memory_format=None):
        return self.type(_dtype.bfloat16)

    @m("long")
    def _long_m(self, memory_format=None):
        return self.type(int64)

    @m("int")
    def _int_m(self, memory_format=None):
        return self.type(_dtype.int32)

    @m("short")
    def _short_m(self, memory_format=None):
        return self.type(_dtype.int16)

    @m("char")
    def _char_m(self, memory_format=None):
        return self.type(_dtype.int8)

    @m("byte")
    def _byte_m(self, memory_format=None):
        return self.type(_dtype.uint8)

    @m("bool")
    def _bool_m(self, memory_format=None):
        return self.type(bool_)

    @m("clone")
    def _clone_m(self, memory_format=None):
        return wrap(call(E.unary, "clone", self._h))

    @m("new_tensor")
    def _new_tensor_m(self, data, dtype=None, device=None, requires_grad=False):
        from . import tensor

        return tensor(data, dtype=dtype or self.dtype, requires_grad=requires_grad)

    @m("new_zeros")
    def _new_zeros_m(self, *size, dtype=None, device=None, requires_grad=False):
        from . import zeros

        return zeros(*size, dtype=dtype or self.dtype, requires_grad=requires_grad)

    @m("new_ones")
    def _new_ones_m(self, *size, dtype=None, device=None, requires_grad=False):
        from . import ones

        return ones(*size, dtype=dtype or self.dtype, requires_grad=requires_grad)

    @m("new_full")
    def _new_full_m(self, size, fill_value, dtype=None, device=None, requires_grad=False):
        from . import full

        return full(size, fill_value, dtype=dtype or self.dtype, requires_grad=requires_grad)

    @m("new_empty")
    def _new_empty_m(self, *size, dtype=None, device=None, requires_grad=False):
        return self.new_zeros(*size, dtype=dtype, requires_grad=requires_grad)


def _empty_nest(shape):
    if len(shape) == 1 or shape[0] == 0:
        return []
    return [_empty_nest(shape[1:]) for _ in range(shape[0])]


_TYPE_NAMES = {"float32": "torch.FloatTensor", "float64": "torch.DoubleTensor", "float16": "torch.HalfTensor",
               "bfloat16": "torch.BFloat16Tensor", "int64": "torch.LongTensor", "int32": "torch.IntTensor",
               "int16": "torch.ShortTensor", "int8": "torch.CharTensor", "uint8": "torch.ByteTensor",
               "bool": "torch.BoolTensor"}
_TYPES_BY_NAME = {name: _dtype.dtype_of_name(key) for key, name in _TYPE_NAMES.items()}
