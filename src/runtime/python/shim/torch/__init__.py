"""A PyTorch-compatible `torch` for the Trainloop runtime: tensors and autograd run on TensorFlow.js.

Note for readers of this file: `float`, `int`, `bool`, `max`, `min`, `sum`, `abs`, `all`, `any`, `round` are torch
names here (dtypes and tensor functions), so the builtins are spelled `_builtins.x`.
"""
import builtins as _builtins
import math as _math
import numbers as _numbers
import operator as _operator

from ._engine import E as _E, call as _call
from ._dtype import (dtype, device, float32, float64, float16, bfloat16, int64, int32, int16, int8, uint8,
                     bool_ as bool, get_default_dtype, promote_types, finfo, iinfo)
from ._tensor import Tensor, Size, wrap as _wrap, unsupported as _unsupported, _flatten_nested, _infer_dtype
from ._tensor_ops import normalize_dims as _dims, scalar_dtype as _scalar_dtype
from ._tensor_str import set_printoptions, get_printoptions, printoptions
from .autograd.grad_mode import no_grad, enable_grad, set_grad_enabled, inference_mode, is_grad_enabled
from .serialization import save, load
from ._utils import STORAGE_TYPES as _STORAGE_TYPES
from . import autograd, return_types, _numpy_bridge

# The legacy storage types (torch.FloatStorage, ...), as checkpoints name them.
globals().update({_cls.__name__: _cls for _cls in _STORAGE_TYPES.values()})

__version__ = "2.5.0+trainloop"

float = float32
double = float64
half = float16
long = int64
int = int32
short = int16
cfloat = None
from ._legacy_types import LEGACY_TYPES as _LEGACY_TYPES  # noqa: E402

globals().update(_LEGACY_TYPES)  # torch.FloatTensor, torch.LongTensor, ...
strided = "torch.strided"
contiguous_format = preserve_format = channels_last = None
inf = _math.inf
nan = _math.nan
pi = _math.pi
e = _math.e

# ---- creation (made in _creation.py) -------------------------------------------------------------------------------

from ._creation import (_finish, _size_args, tensor, as_tensor, asarray, scalar_tensor, _from_buffer,  # noqa: E402
                        full, zeros, ones, empty, _like, zeros_like, ones_like, full_like, empty_like, arange, range,
                        linspace, logspace, eye, from_numpy)


from ._random import (Generator, default_generator, manual_seed, seed, initial_seed, get_rng_state,  # noqa: E402
                      set_rng_state, rand, randn, randint, randperm, rand_like, randn_like, randint_like, bernoulli,
                      normal, multinomial)


def set_default_dtype(d):
    if d is not float32:
        raise _unsupported(f"torch.set_default_dtype({d!r}) (the default stays torch.float32)")


def set_default_tensor_type(t):
    pass


# ---- functions that mirror tensor methods ---------------------------------------------------------------------------


def _mirror(name):
    def f(input, *args, **kwargs):
        kwargs.pop("out", None)
        if not isinstance(input, Tensor):
            input = tensor(input)
        return getattr(input, name)(*args, **kwargs)
    f.__name__ = name
    f.__qualname__ = name
    return f


for _name in ("add", "sub", "subtract", "mul", "multiply", "div", "divide", "true_divide", "pow", "float_power", "exp",
              "exp2", "log", "log2", "log10", "log1p", "expm1", "sqrt", "rsqrt", "abs", "absolute", "neg", "negative",
              "sigmoid", "logit", "tanh", "relu", "sin", "cos", "tan", "asin", "acos", "atan", "arcsin", "arccos",
              "arctan", "sinh", "cosh", "asinh", "acosh", "atanh", "floor", "ceil", "round", "trunc", "fix", "frac",
              "sign", "sgn", "signbit", "square", "reciprocal", "erf", "clamp", "clip", "clamp_min", "clamp_max", "sum",
              "nansum", "mean", "nanmean", "prod", "any", "all", "amax", "amin", "aminmax", "max", "min", "argmax",
              "argmin", "var", "std", "norm", "dist", "logsumexp", "cumsum", "cumprod", "median", "count_nonzero",
              "matmul", "mm", "bmm", "mv", "dot", "inner", "outer", "ger", "addmm", "reshape", "flatten", "ravel",
              "unflatten", "permute", "transpose", "swapaxes", "swapdims", "t", "squeeze", "unsqueeze", "chunk", "split",
              "tensor_split", "narrow", "unbind", "select", "index_select", "gather", "take_along_dim", "scatter",
              "scatter_add", "index_add", "index_fill", "masked_fill", "masked_select", "flip", "fliplr", "flipud",
              "roll", "tril", "triu", "diagonal", "trace", "softmax", "log_softmax", "topk", "sort", "argsort",
              "msort", "unique", "nonzero", "argwhere", "eq", "ne", "lt", "le", "gt", "ge", "greater", "less",
              "greater_equal", "less_equal", "not_equal", "maximum", "minimum", "remainder", "fmod", "floor_divide",
              "atan2", "arctan2", "logical_and", "logical_or", "logical_xor", "logical_not", "bitwise_and",
              "bitwise_or", "bitwise_xor", "bitwise_not", "isnan", "isinf", "isfinite", "equal", "clone", "detach",
              "lerp", "addcmul", "addcdiv", "hypot", "xlogy", "is_floating_point", "is_complex", "repeat_interleave",
              "tile", "expand_copy", "numel", "rsub", "as_strided"):
    if hasattr(Tensor, _name):
        globals()[_name] = _mirror(_name)


from ._counting import searchsorted, bucketize  # noqa: E402

bincount, histc, quantile = Tensor.bincount, Tensor.histc, Tensor.quantile


def is_nonzero(input):
    return _builtins.bool(input)


def cat(tensors, dim=0, out=None):
    tensors = list(tensors)
    return _wrap(_call(_E.cat, [t._h for t in tensors], dim))


concat = concatenate = cat


def stack(tensors, dim=0, out=None):
    tensors = list(tensors)
    return _wrap(_call(_E.stack, [t._h for t in tensors], dim))


def hstack(tensors):
    tensors = [t if t.dim() else t.reshape(1) for t in tensors]
    return cat(tensors, 0 if tensors[0].dim() == 1 else 1)


def vstack(tensors):
    return cat([t.reshape(1, -1) if t.dim() < 2 else t for t in tensors], 0)


row_stack = vstack


def column_stack(tensors):
    return cat([t.reshape(-1, 1) if t.dim() < 2 else t for t in tensors], 1)


def dstack(tensors):
    return cat([t.reshape(1, -1, 1) if t.dim() == 1 else (t.unsqueeze(-1) if t.dim() == 2 else t) for t in tensors], 2)


def where(condition, input=None, other=None):
    if input is None and other is None:
        return condition.nonzero(as_tuple=True)
    wrapped_a = not isinstance(input, Tensor)
    wrapped_b = not isinstance(other, Tensor)
    if wrapped_a:
        input = tensor(input)
    if wrapped_b:
        other = tensor(other)
    return _wrap(_call(_E.where, condition._h, input._h, other._h, wrapped_a, wrapped_b))


def broadcast_shapes(*shapes):
    result = []
    for shape in shapes:
        shape = [shape] if isinstance(shape, _numbers.Integral) else list(shape)
        if len(shape) > len(result):
            result = [1] * (len(shape) - len(result)) + result
        shape = [1] * (len(result) - len(shape)) + shape
        for i, (a, b) in enumerate(zip(result, shape)):
            if a != b and a != 1 and b != 1:
                raise RuntimeError(f"shape mismatch: objects cannot be broadcast to a single shape.  Mismatch is "
                                   f"between arg 0 and arg 1.")
            result[i] = b if a == 1 else a
    return Size(result)


def broadcast_tensors(*tensors):
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    shape = broadcast_shapes(*[t.shape for t in tensors])
    return tuple(t if tuple(t.shape) == tuple(shape) else t.expand(shape) for t in tensors)


def broadcast_to(input, shape):
    return input.expand(shape)


def meshgrid(*tensors, indexing="ij"):
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    if indexing == "xy" and len(tensors) >= 2:
        grids = meshgrid(tensors[1], tensors[0], *tensors[2:], indexing="ij")
        return (grids[1], grids[0]) + tuple(grids[2:])
    sizes = [t.numel() for t in tensors]
    out = []
    for i, t in enumerate(tensors):
        shape = [1] * len(tensors)
        shape[i] = -1
        out.append(t.reshape(shape).expand(sizes))
    return tuple(out)


def allclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    return _builtins.bool(isclose(input, other, rtol, atol, equal_nan).all().item())


def isclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    if not isinstance(other, Tensor):
        other = tensor(other, dtype=input.dtype if input.dtype.is_floating_point else None)
    close = (input == other) | ((input - other).abs() <= atol + rtol * other.abs())
    if equal_nan:
        close = close | (input.isnan() & other.isnan())
    return close


def numel(input):
    return input.numel()


def is_tensor(obj):
    return isinstance(obj, Tensor)


def is_storage(obj):
    return False


def result_type(tensor1, tensor2):
    a = tensor1 if isinstance(tensor1, Tensor) else tensor(tensor1)
    b = tensor2 if isinstance(tensor2, Tensor) else tensor(tensor2)
    return (a + b).dtype if a.dtype is not b.dtype else a.dtype


def can_cast(from_, to):
    if from_.is_floating_point and not to.is_floating_point:
        return False
    return not (from_ is not bool and to is bool)


def var_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    return input.var(dim, unbiased, keepdim, correction=correction), input.mean(dim, keepdim)


def std_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    return input.std(dim, unbiased, keepdim, correction=correction), input.mean(dim, keepdim)


def diag(input, diagonal=0):
    if input.dim() == 1:
        n = input.shape[0] + _builtins.abs(diagonal)
        out = zeros(n, n, dtype=input.dtype)
        i = arange(input.shape[0])
        rows, cols = (i, i + diagonal) if diagonal >= 0 else (i - diagonal, i)
        out[rows, cols] = input
        return out
    # torch.diag of a matrix is a copy (DiagBackward0), unlike Tensor.diagonal (a view).
    return _wrap(_call(_E.diagonal, input._h, diagonal, 0, 1, True))


def diag_embed(input):
    return stack([diag(row) for row in input.reshape(-1, input.shape[-1])]).reshape(*input.shape, input.shape[-1])


def cdist(x1, x2, p=2.0):
    diff = x1.unsqueeze(-2) - x2.unsqueeze(-3)
    return diff.norm(p, dim=-1)


from ._einsum import einsum, _einsum_pair  # noqa: E402


def compile(model=None, **kwargs):
    return model if model is not None else (lambda fn: fn)


def set_num_threads(n):
    pass


def get_num_threads():
    return 1


def set_num_interop_threads(n):
    pass


def use_deterministic_algorithms(mode, warn_only=False):
    pass


def are_deterministic_algorithms_enabled():
    return True


def set_float32_matmul_precision(precision):
    pass


def get_float32_matmul_precision():
    return "highest"


def set_anomaly_enabled(mode, check_nan=True):
    pass


def is_anomaly_enabled():
    return False


from ._devices import cuda, mps, accelerator, backends, cpu, set_default_device, get_default_device  # noqa: E402
from . import amp, linalg, nn, optim, profiler, utils  # noqa: E402

autocast = amp.autocast


def is_autocast_enabled(device_type=None):
    return False


# `import torch.onnx`, `from torch.utils.tensorboard import SummaryWriter`: PyTorch's modules the runtime lacks import
# as stand-ins whose names fail when used (see _missing_modules.py).
from ._missing_modules import install as _install_stand_ins  # noqa: E402

_install_stand_ins()

# Parts of PyTorch the runtime does not provide: using them says so, naming the API (other missing names stay
# AttributeErrors, as for any module).
_NOT_PROVIDED = {"fft", "special", "distributions", "distributed", "jit", "sparse", "quantization", "ao",
                 "onnx", "export", "fx", "hub", "multiprocessing", "stft", "istft", "svd", "qr",
                 "lstsq", "cholesky", "inverse", "det", "pinverse", "lu", "kron", "cdist", "nonzero_static", "vmap",
                 "func"}


def __getattr__(name):
    if name in _NOT_PROVIDED:
        raise _unsupported(f"torch.{name}")
    raise AttributeError(f"module 'torch' has no attribute '{name}'")
