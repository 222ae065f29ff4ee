"""A PyTorch-compatible `torch` for the Trainloop runtime: tensors and autograd run on TensorFlow.js."""
import builtins as _builtins
import math as _math
import numbers as _numbers

from ._engine import E as _E, call as _call
from ._dtype import (dtype, device, float32, float64, float16, int64, int32, int16, int8, uint8, bool_ as bool,
                     get_default_dtype, promote_types)
from ._tensor import Tensor, Size, wrap as _wrap, unsupported as _unsupported, _flatten_nested, _infer_dtype
from ._tensor_ops import normalize_dims as _dims, scalar_dtype as _scalar_dtype
from .autograd.grad_mode import no_grad, enable_grad, set_grad_enabled, inference_mode, is_grad_enabled
from .serialization import save, load
from . import autograd, return_types

__version__ = "2.5.0+trainloop"

float = float32
double = float64
half = float16
long = int64
int = int32
short = int16
FloatTensor = LongTensor = BoolTensor = Tensor

# ---- creation -------------------------------------------------------------------------------------------------------


def _finish(t, dtype, requires_grad):
    if dtype is not None and t.dtype is not dtype:
        t = t.to(dtype)
    if requires_grad:
        t.requires_grad_(True)
    return t


def tensor(data, dtype=None, device=None, requires_grad=False, pin_memory=False):
    if isinstance(data, Tensor):
        t = data.detach().clone()
        return _finish(t, dtype, requires_grad)
    flat, shape = _flatten_nested(data)
    inferred = _infer_dtype(flat) if dtype is None else dtype
    values = [_builtins.float(v) for v in flat]
    t = _wrap(_call(_E.from_values, values, shape, inferred.storage), inferred)
    if requires_grad:
        t.requires_grad_(True)
    return t


def as_tensor(data, dtype=None, device=None):
    if isinstance(data, Tensor) and (dtype is None or data.dtype is dtype):
        return data
    return tensor(data, dtype=dtype)


def _from_buffer(buffer, buffer_type, shape, dtype):
    """A tensor holding a copy of a Python buffer (bytes, memoryview, array.array) of the given element type."""
    return _wrap(_call(_E.from_buffer, buffer, buffer_type, tuple(shape), dtype.storage), dtype)


def full(size, fill_value, dtype=None, device=None, requires_grad=False, out=None):
    if dtype is None:
        dtype = _scalar_dtype(fill_value)
    t = _wrap(_call(_E.full, tuple(_dims((size,)) if not isinstance(size, _numbers.Number) else (size,)), fill_value, dtype.storage), dtype)
    return _finish(t, None, requires_grad)


def zeros(*size, dtype=None, device=None, requires_grad=False, out=None):
    return full(_dims(size), 0, dtype=dtype or float32, requires_grad=requires_grad)


def ones(*size, dtype=None, device=None, requires_grad=False, out=None):
    return full(_dims(size), 1, dtype=dtype or float32, requires_grad=requires_grad)


def empty(*size, dtype=None, device=None, requires_grad=False, out=None, memory_format=None):
    return zeros(*size, dtype=dtype, requires_grad=requires_grad)


def zeros_like(t, dtype=None, device=None, requires_grad=False, memory_format=None):
    return full(tuple(t.shape), 0, dtype=dtype or t.dtype, requires_grad=requires_grad)


def ones_like(t, dtype=None, device=None, requires_grad=False, memory_format=None):
    return full(tuple(t.shape), 1, dtype=dtype or t.dtype, requires_grad=requires_grad)


def full_like(t, fill_value, dtype=None, device=None, requires_grad=False, memory_format=None):
    return full(tuple(t.shape), fill_value, dtype=dtype or t.dtype, requires_grad=requires_grad)


empty_like = zeros_like


def arange(start, end=None, step=1, dtype=None, device=None, requires_grad=False, out=None):
    if end is None:
        start, end = 0, start
    if dtype is None:
        dtype = int64 if all(isinstance(v, _numbers.Integral) for v in (start, end, step)) else float32
    t = _wrap(_call(_E.arange, start, end, step, dtype.storage), dtype)
    return _finish(t, None, requires_grad)


def linspace(start, end, steps, dtype=None, device=None, requires_grad=False, out=None):
    return _finish(_wrap(_call(_E.linspace, start, end, steps), float32), dtype, requires_grad)


def eye(n, m=None, dtype=None, device=None, requires_grad=False, out=None):
    return _finish(_wrap(_call(_E.eye, n, m if m is not None else n), float32), dtype, requires_grad)


def rand(*size, generator=None, dtype=None, device=None, requires_grad=False, out=None):
    return _finish(_wrap(_call(_E.rand, _dims(size)), float32), dtype, requires_grad)


def randn(*size, generator=None, dtype=None, device=None, requires_grad=False, out=None):
    return _finish(_wrap(_call(_E.randn, _dims(size)), float32), dtype, requires_grad)


def randint(low, high=None, size=None, generator=None, dtype=None, device=None, requires_grad=False, out=None):
    if size is None:
        low, high, size = 0, low, high
    return _finish(_wrap(_call(_E.randint, low, high, tuple(size)), int64), dtype, requires_grad)


def randperm(n, generator=None, dtype=None, device=None, requires_grad=False, out=None):
    return _finish(_wrap(_call(_E.randperm, n), int64), dtype, requires_grad)


def rand_like(t, dtype=None, device=None, requires_grad=False):
    return rand(*t.shape, requires_grad=requires_grad)


def randn_like(t, dtype=None, device=None, requires_grad=False):
    return randn(*t.shape, requires_grad=requires_grad)


def bernoulli(p, generator=None):
    return (rand(*p.shape) < p).to(p.dtype)


def normal(mean, std, size=None, generator=None):
    if size is not None:
        return randn(*size) * std + mean
    shape = mean.shape if isinstance(mean, Tensor) else std.shape
    return randn(*shape) * std + mean


class Generator:
    """Accepted for API compatibility; all draws come from the runtime's one seeded stream."""

    def __init__(self, device="cpu"):
        self._seed = 0

    def manual_seed(self, seed):
        self._seed = seed
        manual_seed(seed)
        return self

    def initial_seed(self):
        return self._seed


_initial_seed = [0]


def manual_seed(seed):
    _initial_seed[0] = _builtins.int(seed)
    _E.manual_seed(_builtins.int(seed) & 0xFFFFFFFF)
    return Generator()


def seed():
    return _initial_seed[0]


def initial_seed():
    return _initial_seed[0]


def get_rng_state():
    raise _unsupported("torch.get_rng_state()")


def set_printoptions(precision=None, threshold=None, edgeitems=None, linewidth=None, profile=None, sci_mode=None):
    from . import _tensor_str

    _tensor_str.set_printoptions(precision, threshold, edgeitems, linewidth, profile, sci_mode)


# ---- functions that mirror tensor methods ---------------------------------------------------------------------------


def _mirror(name):
    def f(input, *args, **kwargs):
        if not isinstance(input, Tensor):
            input = tensor(input)
        return getattr(input, name)(*args, **kwargs)
    f.__name__ = name
    return f


for _name in ("add", "sub", "subtract", "mul", "multiply", "div", "divide", "true_divide", "pow", "exp", "log", "log2",
              "log10", "log1p", "expm1", "sqrt", "rsqrt", "abs", "neg", "negative", "sigmoid", "tanh", "relu", "sin",
              "cos", "floor", "ceil", "round", "trunc", "sign", "square", "reciprocal", "erf", "atan", "asin", "acos",
              "clamp", "clip", "sum", "mean", "prod", "any", "all", "amax", "amin", "max", "min", "argmax", "argmin",
              "var", "std", "norm", "logsumexp", "cumsum", "matmul", "mm", "bmm", "mv", "dot", "reshape", "flatten",
              "unflatten", "permute", "transpose", "swapaxes", "t", "squeeze", "unsqueeze", "chunk", "split", "narrow",
              "unbind", "select", "index_select", "gather", "masked_fill", "flip", "softmax", "log_softmax", "topk",
              "sort", "argsort", "eq", "ne", "lt", "le", "gt", "ge", "greater", "less", "greater_equal", "less_equal",
              "maximum", "minimum", "remainder", "fmod", "floor_divide", "atan2", "logical_and", "logical_or",
              "logical_xor", "logical_not", "isnan", "isinf", "isfinite", "equal", "numel", "clone", "detach",
              "lerp", "is_floating_point"):
    globals()[_name] = _mirror(_name)


def cat(tensors, dim=0, out=None):
    tensors = [t for t in tensors if not (t.dim() == 1 and t.shape[0] == 0)] or list(tensors)[:1]
    dtype = tensors[0].dtype
    for t in tensors[1:]:
        dtype = promote_types(dtype, t.dtype)
    return _wrap(_call(_E.cat, tuple(t._h for t in tensors), dim), dtype)


concat = concatenate = cat


def stack(tensors, dim=0, out=None):
    tensors = list(tensors)
    shapes = {tuple(t.shape) for t in tensors}
    if len(shapes) > 1:
        raise RuntimeError(f"stack expects each tensor to be equal size, but got {list(tensors[0].shape)} at entry 0 and {list(tensors[1].shape)} at entry 1")
    return _wrap(_call(_E.stack, tuple(t._h for t in tensors), dim), tensors[0].dtype)


def where(condition, input=None, other=None):
    if input is None:
        raise _unsupported("torch.where(condition) with one argument")
    if not isinstance(input, Tensor):
        input = tensor(input, dtype=other.dtype if isinstance(other, Tensor) and isinstance(input, _builtins.int) else None)
    if not isinstance(other, Tensor):
        other = tensor(other, dtype=input.dtype if isinstance(other, (_builtins.int, _builtins.float)) and input.dtype.is_floating_point else None)
    return _wrap(_call(_E.where, condition._h, input._h, other._h), promote_types(input.dtype, other.dtype))


def broadcast_shapes(*shapes):
    result = []
    for shape in shapes:
        shape = list(shape)
        if len(shape) > len(result):
            result = [1] * (len(shape) - len(result)) + result
        shape = [1] * (len(result) - len(shape)) + shape
        for i, (a, b) in enumerate(zip(result, shape)):
            if a != b and a != 1 and b != 1:
                raise RuntimeError(f"shape mismatch: objects cannot be broadcast to a single shape")
            result[i] = b if a == 1 else a
    return Size(result)


def broadcast_tensors(*tensors):
    shape = broadcast_shapes(*[t.shape for t in tensors])
    return tuple(t.expand(shape) for t in tensors)


def allclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    return _builtins.bool(isclose(input, other, rtol, atol, equal_nan).all().item())


def isclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    if not isinstance(other, Tensor):
        other = tensor(other)
    return (input - other).abs() <= atol + rtol * other.abs()


def numel(input):
    return input.numel()


def is_tensor(obj):
    return isinstance(obj, Tensor)


def from_numpy(array):
    raise _unsupported("torch.from_numpy (NumPy is not part of the runtime)")


def einsum(equation, *operands):
    raise _unsupported("torch.einsum")


def compile(model=None, **kwargs):
    return model if model is not None else (lambda fn: fn)


def set_num_threads(n):
    pass


def get_num_threads():
    return 1


def use_deterministic_algorithms(mode, warn_only=False):
    pass


def is_grad_enabled_():
    return is_grad_enabled()


class _NoDevice:
    """torch.cuda / torch.mps / torch.accelerator: the runtime has no accelerator visible to the script."""

    def is_available(self):
        return False

    def device_count(self):
        return 0

    def current_accelerator(self, check_available=False):
        return None

    def manual_seed(self, seed):
        pass

    def manual_seed_all(self, seed):
        pass

    def synchronize(self, device=None):
        pass

    def empty_cache(self):
        pass

    def is_built(self):
        return False


cuda = _NoDevice()
mps = _NoDevice()
accelerator = _NoDevice()


class _Backends:
    def __init__(self):
        self.mps = _NoDevice()
        self.cuda = _NoDevice()
        self.cudnn = type("cudnn", (), {"deterministic": False, "benchmark": False, "enabled": False})()


backends = _Backends()

from . import nn, optim, utils  # noqa: E402
