"""torch.Tensor: a Python handle on a TensorFlow.js tensor in the engine, with PyTorch's methods and autograd state."""
import builtins
import math
import numbers

from ._engine import E, call
from . import _dtype
from ._dtype import float32, int64, bool_, promote_types

__all__ = ["Tensor", "wrap", "as_tensor_like", "unsupported"]

_free = E.free
_shape = E.shape


def unsupported(api):
    """The error for PyTorch API the runtime does not provide (raised at the user's line)."""
    return NotImplementedError(f"{api} is not supported by the Trainloop runtime yet")


def wrap(handle, dtype=None):
    """A new Tensor owning an engine handle."""
    t = Tensor.__new__(Tensor)
    t._h = handle
    t._dtype = dtype
    t._shape = None
    t._grad_cache = None
    return t


def _dtype_of_value(value):
    if isinstance(value, builtins.bool):
        return bool_
    if isinstance(value, numbers.Integral):
        return int64
    return float32


def as_tensor_like(value, like=None):
    """A Tensor for a Python number (or the tensor itself)."""
    if isinstance(value, Tensor):
        return value
    from . import tensor as make_tensor

    return make_tensor(value)


def _flatten_nested(data):
    """Flattens nested lists/tuples of numbers and tensors into (flat values, shape)."""
    if isinstance(data, Tensor):
        return data.reshape(-1).tolist(), list(data.shape)
    if isinstance(data, (list, tuple)):
        if len(data) == 0:
            return [], [0]
        parts = [_flatten_nested(item) for item in data]
        inner = parts[0][1]
        for _, shape in parts:
            if shape != inner:
                raise ValueError(f"expected sequence of length {inner[0] if inner else 0} at dim 1 (got {shape[0] if shape else 0})")
        flat = []
        for values, _ in parts:
            flat.extend(values)
        return flat, [len(data)] + inner
    if hasattr(data, "item") and not isinstance(data, (int, float, builtins.bool)):
        data = data.item()
    return [data], []


def _infer_dtype(flat):
    if all(isinstance(v, builtins.bool) for v in flat) and flat:
        return bool_
    if all(isinstance(v, numbers.Integral) for v in flat) and flat:
        return int64
    return float32


def _normalize_dims(dims):
    if len(dims) == 1 and isinstance(dims[0], (list, tuple)):
        return tuple(dims[0])
    if len(dims) == 1 and isinstance(dims[0], Size):
        return tuple(dims[0])
    return tuple(int(d) for d in dims)


class Size(tuple):
    """torch.Size: a tuple of dimensions that prints as torch.Size([...])."""

    def __repr__(self):
        return f"torch.Size([{', '.join(str(d) for d in self)}])"

    def numel(self):
        n = 1
        for d in self:
            n *= d
        return n


class _GradFn:
    """What `tensor.grad_fn` shows: the name of the backward node PyTorch would have made."""

    def __init__(self, name):
        self._name = name

    def name(self):
        return self._name

    def __repr__(self):
        return f"<{self._name} object at {hex(id(self))}>"


class Tensor:
    __slots__ = ("_h", "_dtype", "_shape", "_grad_cache", "__weakref__", "__dict__")

    def __init__(self, *args, **kwargs):
        raise TypeError("use torch.tensor(...), torch.zeros(...) and the other creation functions to make tensors")

    def __del__(self):
        handle = getattr(self, "_h", 0)
        if handle:
            self._h = 0
            try:
                _free(handle)
            except Exception:
                pass

    # ---- metadata -----------------------------------------------------------------------------------------------
    @property
    def shape(self):
        if self._shape is None:
            self._shape = Size(_shape(self._h))
        return self._shape

    def size(self, dim=None):
        return self.shape if dim is None else self.shape[dim]

    @property
    def dtype(self):
        if self._dtype is None:
            self._dtype = _dtype.dtype_of_name(E.dtype(self._h))
        return self._dtype

    @property
    def ndim(self):
        return len(self.shape)

    def dim(self):
        return len(self.shape)

    def numel(self):
        return self.shape.numel()

    nelement = numel

    def __len__(self):
        if not self.shape:
            raise TypeError("len() of a 0-d tensor")
        return self.shape[0]

    @property
    def device(self):
        return _dtype.device("cpu")

    @property
    def is_cuda(self):
        return False

    def is_floating_point(self):
        return self.dtype.is_floating_point

    def element_size(self):
        return self.dtype.itemsize

    def is_contiguous(self, memory_format=None):
        return True

    def contiguous(self, memory_format=None):
        return self

    def stride(self, dim=None):
        strides, step = [], 1
        for d in reversed(self.shape):
            strides.insert(0, step)
            step *= d
        return tuple(strides) if dim is None else strides[dim]

    # ---- autograd state -----------------------------------------------------------------------------------------
    @property
    def requires_grad(self):
        return E.requires_grad(self._h)

    @requires_grad.setter
    def requires_grad(self, value):
        call(E.set_requires_grad, self._h, builtins.bool(value))

    def requires_grad_(self, requires_grad=True):
        self.requires_grad = requires_grad
        return self

    @property
    def is_leaf(self):
        return E.grad_fn_name(self._h) is None

    @property
    def grad_fn(self):
        name = E.grad_fn_name(self._h)
        return None if name is None else _GradFn(name)

    @property
    def grad(self):
        version = E.grad_version(self._h)
        if version == 0:
            return None
        cached = self._grad_cache
        if cached is not None and cached[0] == version:
            return cached[1]
        g = wrap(E.grad(self._h), float32)
        self._grad_cache = (version, g)
        return g

    @grad.setter
    def grad(self, value):
        self._grad_cache = None
        call(E.set_grad, self._h, 0 if value is None else value._h)

    def backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None):
        if create_graph:
            raise unsupported("backward(create_graph=True)")
        if inputs is not None:
            raise unsupported("backward(inputs=...)")
        call(E.backward, self._h, 0 if gradient is None else gradient._h, builtins.bool(retain_graph))

    def detach(self):
        return wrap(E.alias(self._h), self._dtype)

    def detach_(self):
        raise unsupported("Tensor.detach_()")

    @property
    def data(self):
        return wrap(E.alias(self._h), self._dtype)

    @data.setter
    def data(self, value):
        call(E.set_data, self._h, value._h)
        self._shape = None
        self._dtype = None

    def retain_grad(self):
        raise unsupported("Tensor.retain_grad()")

    def register_hook(self, hook):
        raise unsupported("Tensor.register_hook()")

    # ---- conversion ---------------------------------------------------------------------------------------------
    def item(self):
        value = call(E.item, self._h)
        dtype = self.dtype
        if dtype is bool_:
            return builtins.bool(value)
        if not dtype.is_floating_point:
            return int(value)
        return float(value)

    def __float__(self):
        return float(self.item())

    def __int__(self):
        return int(self.item())

    def __index__(self):
        if self.dtype.is_floating_point:
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return int(self.item())

    def __bool__(self):
        if self.numel() != 1:
            raise RuntimeError(f"Boolean value of Tensor with more than one value is ambiguous")
        return builtins.bool(self.item())

    def _flat_values(self):
        """The elements in row-major order as Python numbers of the tensor's kind."""
        values = E.values(self._h).to_py().tolist()
        dtype = self.dtype
        if dtype is bool_:
            return [builtins.bool(v) for v in values]
        if not dtype.is_floating_point:
            return [int(v) for v in values]
        return values

    def tolist(self):
        flat = self._flat_values()
        shape = self.shape
        if not shape:
            return flat[0]

        def nest(offset, dims):
            if len(dims) == 1:
                return flat[offset:offset + dims[0]], offset + dims[0]
            out = []
            for _ in range(dims[0]):
                part, offset = nest(offset, dims[1:])
                out.append(part)
            return out, offset

        return nest(0, list(shape))[0]

    def numpy(self):
        raise unsupported("Tensor.numpy() (NumPy is not part of the runtime)")

    def cpu(self):
        return self

    def cuda(self, device=None):
        return self

    def to(self, *args, **kwargs):
        target = kwargs.get("dtype")
        for arg in args:
            if isinstance(arg, _dtype.dtype):
                target = arg
            elif isinstance(arg, Tensor):
                target = arg.dtype
        return self if target is None else self.type(target)

    def type(self, dtype=None):
        if dtype is None:
            return {"float32": "torch.FloatTensor", "int64": "torch.LongTensor", "bool": "torch.BoolTensor"}[self.dtype.storage]
        if isinstance(dtype, str):
            dtype = {"torch.FloatTensor": float32, "torch.LongTensor": int64, "torch.BoolTensor": bool_}[dtype]
        if dtype.storage == self.dtype.storage:
            if dtype is self.dtype:
                return self
            return wrap(call(E.unary, "clone", "CloneBackward0", self._h), dtype)
        return wrap(call(E.cast, self._h, dtype.storage), dtype)

    def float(self):
        return self.type(float32)

    def double(self):
        return self.type(_dtype.float64)

    def half(self):
        return self.type(_dtype.float16)

    def long(self):
        return self.type(int64)

    def int(self):
        return self.type(_dtype.int32)

    def bool(self):
        return self.type(bool_)

    def clone(self, memory_format=None):
        return wrap(call(E.unary, "clone", "CloneBackward0", self._h), self._dtype)

    def new_tensor(self, data, dtype=None, device=None, requires_grad=False):
        from . import tensor

        return tensor(data, dtype=dtype or self.dtype, requires_grad=requires_grad)

    def new_zeros(self, *size, dtype=None, device=None, requires_grad=False):
        from . import zeros

        return zeros(*size, dtype=dtype or self.dtype, requires_grad=requires_grad)

    def new_ones(self, *size, dtype=None, device=None, requires_grad=False):
        from . import ones

        return ones(*size, dtype=dtype or self.dtype, requires_grad=requires_grad)

    def new_full(self, size, fill_value, dtype=None, device=None, requires_grad=False):
        from . import full

        return full(size, fill_value, dtype=dtype or self.dtype, requires_grad=requires_grad)

    def new_empty(self, *size, dtype=None, device=None, requires_grad=False):
        return self.new_zeros(*size, dtype=dtype, requires_grad=requires_grad)

    def __repr__(self):
        from ._tensor_str import tensor_repr

        return tensor_repr(self)

    def __str__(self):
        return self.__repr__()

    def __format__(self, spec):
        if self.dim() == 0:
            return self.item().__format__(spec)
        return self.__repr__().__format__(spec)

    def __hash__(self):
        return id(self)

    def __iter__(self):
        if not self.shape:
            raise TypeError("iteration over a 0-d tensor")
        return (self[i] for i in range(self.shape[0]))

    def __reduce_ex__(self, protocol):
        from .serialization import rebuild_tensor

        return (rebuild_tensor, (self.tolist(), self.dtype._name, list(self.shape), self.requires_grad))

    def __deepcopy__(self, memo):
        copy = self.detach().clone()
        if self.requires_grad:
            copy.requires_grad_(True)
        memo[id(self)] = copy
        return copy

    def __array__(self, dtype=None):
        raise unsupported("converting a Tensor to a NumPy array")


def _method(name, fn):
    setattr(Tensor, name, fn)


from ._tensor_ops import install as _install_ops  # noqa: E402

_install_ops(Tensor, Size)
