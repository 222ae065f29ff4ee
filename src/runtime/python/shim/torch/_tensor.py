"""torch.Tensor: a Python handle on a TensorFlow.js tensor in the engine, with PyTorch's methods and autograd state.

A Tensor holds one integer, its engine handle `_h`; the handle's low four bits are its dtype, so `.dtype` costs no
call. The shape is asked for once and cached (in-place ops never change it). The handle is freed when the Python
object dies (CPython's reference counting makes that prompt), which is what frees the tfjs memory.
"""
import builtins
import numbers
import operator
import warnings

from ._engine import E, call
from . import _dtype
from ._dtype import float32, int64, bool_, DTYPE_BY_CODE
from ._tensor_hooks import backward_call, register as register_hook
from ._grad_fn import AccumulateGrad, grad_fn_class  # noqa: F401 (AccumulateGrad: torch._tensor's name for it)

__all__ = ["Tensor", "Size", "wrap", "as_tensor_like", "unsupported"]

_free = E.free
_shape_of = E.shape
_grad_version = E.grad_version
_new = object.__new__


def unsupported(api):
    """The error for PyTorch API the runtime does not provide (raised at the user's line)."""
    return NotImplementedError(f"{api} is not supported by the Trainloop runtime yet")


def wrap(handle, dtype=None):
    """A new Tensor owning an engine handle (its dtype is in the handle; the argument is accepted and ignored)."""
    t = _new(Tensor)
    t._h = handle
    t._shape = None
    t._grad_cache = None
    return t


def as_tensor_like(value, like=None):
    """A Tensor for a Python number (or the tensor itself)."""
    if isinstance(value, Tensor):
        return value
    from . import tensor as make_tensor

    return make_tensor(value)


def _flatten_nested(data, depth=0):
    """Flattens nested lists/tuples of numbers and tensors into (flat values, shape)."""
    if isinstance(data, Tensor):
        return data.reshape(-1).tolist(), list(data.shape)
    if isinstance(data, (list, tuple)):
        if len(data) == 0:
            return [], [0]
        parts = [_flatten_nested(item, depth + 1) for item in data]
        inner = parts[0][1]
        for _, shape in parts:
            if shape != inner:
                if not inner or not shape:
                    raise TypeError("not a sequence" if not shape else "an element of a sequence is a sequence")
                raise ValueError(f"expected sequence of length {inner[0]} at dim {depth + 1} (got {shape[0]})")
        flat = []
        for values, _ in parts:
            flat.extend(values)
        return flat, [len(data)] + inner
    if isinstance(data, (builtins.bool, int, float)):
        return [data], []
    if hasattr(data, "item"):
        return [data.item()], []
    if isinstance(data, numbers.Number):
        return [data], []
    raise TypeError(f"Could not infer dtype of {type(data).__name__}")


def _infer_dtype(flat):
    if not flat:
        return float32
    if all(isinstance(v, builtins.bool) for v in flat):
        return bool_
    if all(isinstance(v, numbers.Integral) for v in flat):
        return int64
    return float32


def _normalize_dims(dims):
    if len(dims) == 1 and isinstance(dims[0], (list, tuple)):
        return tuple(dims[0])
    return tuple(int(d) for d in dims)


class Size(tuple):
    """torch.Size: a tuple of dimensions that prints as torch.Size([...])."""

    def __repr__(self):
        return f"torch.Size([{', '.join(str(d) for d in self)}])"

    __str__ = __repr__

    def numel(self):
        n = 1
        for d in self:
            n *= d
        return n

    def __getitem__(self, key):
        result = tuple.__getitem__(self, key)
        return Size(result) if isinstance(key, slice) else result

    def __add__(self, other):
        return Size(tuple(self) + tuple(other))

    def __reduce__(self):
        return (Size, (tuple(self),))


_NON_LEAF_GRAD_WARNING = (
    "The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. Its .grad attribute won't be "
    "populated during autograd.backward(). If you indeed want the .grad field to be populated for a non-leaf Tensor, "
    "use .retain_grad() on the non-leaf Tensor. If you access the non-leaf Tensor by mistake, make sure you access the "
    "leaf Tensor instead. See github.com/pytorch/pytorch/pull/30531 for more informations.")


class Tensor:
    __slots__ = ("_h", "_shape", "_grad_cache", "__weakref__", "__dict__")

    def __new__(cls, *args, **kwargs):
        # torch.Tensor(2, 3) and torch.Tensor([1, 2]) make float32 tensors; subclasses (nn.Parameter) build themselves.
        if cls is not Tensor:
            return _new(cls)
        from . import tensor, zeros

        if not args:
            return tensor([], dtype=float32)
        if len(args) == 1 and isinstance(args[0], (list, tuple, Tensor)) and not isinstance(args[0], Size):
            return tensor(args[0], dtype=float32)
        return zeros(*args, dtype=float32)

    def __init__(self, *args, **kwargs):
        pass

    def __del__(self):
        try:
            handle = self._h
        except AttributeError:
            return
        if handle > 0:
            self._h = 0
            try:
                _free(handle)
            except Exception:
                pass

    @classmethod
    def _make_subclass(cls, subclass, data, require_grad=False):
        """A `subclass` instance sharing `data`'s storage (how torch.nn.Parameter is made)."""
        t = _new(subclass)
        t._h = call(E.alias, data._h)
        t._shape = None
        t._grad_cache = None
        if require_grad:
            t.requires_grad_(True)
        return t

    # ---- metadata -----------------------------------------------------------------------------------------------
    @property
    def shape(self):
        s = self._shape
        if s is None:
            s = self._shape = Size(_shape_of(self._h))
        return s

    def size(self, dim=None):
        if dim is None:
            return self.shape
        shape = self.shape
        if not shape:
            raise IndexError(f"Dimension specified as {dim} but tensor has no dimensions")
        n = len(shape)
        if not -n <= dim < n:
            raise IndexError(f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], but got {dim})")
        return shape[dim]

    @property
    def dtype(self):
        return DTYPE_BY_CODE[self._h & 15]

    # kept for code that reads or sets `_dtype` (the dtype lives in the handle)
    _dtype = property(lambda self: DTYPE_BY_CODE[self._h & 15], lambda self, value: None)

    @property
    def ndim(self):
        return len(self.shape)

    def dim(self):
        return len(self.shape)

    ndimension = dim

    def numel(self):
        return self.shape.numel()

    nelement = numel

    def __len__(self):
        shape = self.shape
        if not shape:
            raise TypeError("len() of a 0-d tensor")
        return shape[0]

    @property
    def device(self):
        return _dtype.device("cpu")

    is_cuda = False
    is_sparse = False
    is_quantized = False
    is_meta = False
    is_mps = False
    is_nested = False
    layout = "torch.strided"

    def get_device(self):
        return -1

    def is_floating_point(self):
        return self.dtype.is_floating_point

    def is_complex(self):
        return False

    def is_signed(self):
        return self.dtype.is_signed

    def element_size(self):
        return self.dtype.itemsize

    @property
    def itemsize(self):
        return self.dtype.itemsize

    @property
    def nbytes(self):
        return self.dtype.itemsize * self.numel()

    def stride(self, dim=None):
        strides, step = [], 1
        for d in reversed(self.shape):
            strides.insert(0, step)
            step *= d
        return tuple(strides) if dim is None else strides[dim]

    def data_ptr(self):
        return self._h

    # ---- autograd state -----------------------------------------------------------------------------------------
    @property
    def requires_grad(self):
        return E.requires_grad(self._h)

    @requires_grad.setter
    def requires_grad(self, value):
        call(E.set_requires_grad, self._h, builtins.bool(value))

    def requires_grad_(self, requires_grad=True):
        call(E.set_requires_grad, self._h, builtins.bool(requires_grad))
        return self

    @property
    def is_leaf(self):
        return E.is_leaf(self._h)

    @property
    def grad_fn(self):
        name = E.grad_fn_name(self._h)
        return None if name is None else grad_fn_class(name)(name, self)

    @property
    def grad(self):
        version = _grad_version(self._h)
        if version <= 0:
            if version < 0:
                warnings.warn(_NON_LEAF_GRAD_WARNING, UserWarning, stacklevel=2)
            return None
        cached = self._grad_cache
        if cached is not None and cached[0] == version:
            return cached[1]
        g = wrap(E.grad(self._h))
        self._grad_cache = (version, g)
        return g

    @grad.setter
    def grad(self, value):
        self._grad_cache = None
        if value is not None and not isinstance(value, Tensor):
            raise TypeError(f"assigned grad expected to be a Tensor or None but got grad of type {type(value).__name__}")
        call(E.set_grad, self._h, 0 if value is None else value._h)

    @grad.deleter
    def grad(self):
        self.grad = None

    def backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None):
        if create_graph:
            raise unsupported("backward(create_graph=True) (higher-order gradients)")
        if inputs is not None:
            raise unsupported("backward(inputs=...)")
        if gradient is not None and not isinstance(gradient, Tensor):
            from . import tensor

            gradient = tensor(gradient)
        backward_call(E.backward, [self._h], [0 if gradient is None else gradient._h], builtins.bool(retain_graph))

    def detach(self):
        return wrap(call(E.alias, self._h))

    def detach_(self):
        call(E.detach_, self._h)
        self._grad_cache = None
        return self

    @property
    def data(self):
        return wrap(call(E.data_alias, self._h))

    @data.setter
    def data(self, value):
        if not isinstance(value, Tensor):
            raise TypeError(f"data must be a Tensor, not {type(value).__name__}")
        self._h = call(E.set_data, self._h, value._h)
        self._shape = None

    def retain_grad(self):
        call(E.retain_grad, self._h)

    @property
    def retains_grad(self):
        return not self.is_leaf and _grad_version(self._h) >= 0

    def register_hook(self, hook):
        """hook(grad) runs in every backward through this tensor; what it returns (a Tensor) replaces the gradient."""
        return register_hook(self, hook, wrap, Tensor)

    # conversions (item, tolist, to, type, float, clone, new_zeros, ...) and the Python protocol (repr, hash, iter,
    # copy, pickle) are installed from _tensor_convert and _tensor_protocol, with the op families, by _tensor_ops.


from ._tensor_ops import install as _install_ops  # noqa: E402

_install_ops(Tensor, Size)

from ._counting import install as _install_counting  # noqa: E402

_install_counting(Tensor)
