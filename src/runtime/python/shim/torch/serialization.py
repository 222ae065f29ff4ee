"""torch.save and torch.load: pickles of state dicts (and anything else picklable) holding tensors.

A tensor pickles as its raw storage bytes (one engine call to read, one to rebuild), its dtype name, shape and
requires_grad; files written by older shim versions (values as nested lists) still load.
"""
import io
import pickle

__all__ = ["save", "load", "rebuild_tensor", "rebuild_tensor_from_bytes"]

# The engine stores every dtype in one of three element types.
_BUFFER_TYPES = {"float32": "f32", "int64": "i32", "bool": "u8"}


def tensor_reduce(t):
    """What Tensor.__reduce_ex__ returns: a rebuild function and its arguments."""
    from ._engine import E, call

    data = bytes(call(E.values, t._h).to_py()) if t.numel() else b""
    return (rebuild_tensor_from_bytes, (data, t.dtype._name, list(t.shape), t.requires_grad))


def rebuild_tensor_from_bytes(data, dtype_name, shape, requires_grad):
    from . import zeros, _from_buffer
    from ._dtype import dtype_of_name

    dtype = dtype_of_name(dtype_name)
    if not data:
        t = zeros(*shape, dtype=dtype) if shape else zeros((), dtype=dtype)
    else:
        t = _from_buffer(data, _BUFFER_TYPES[dtype.storage], shape, dtype)
    if requires_grad:
        t.requires_grad_(True)
    return t


def rebuild_tensor(values, dtype_name, shape, requires_grad):
    from . import tensor
    from ._dtype import dtype_of_name

    t = tensor(values, dtype=dtype_of_name(dtype_name)).reshape(shape)
    if requires_grad:
        t.requires_grad_(True)
    return t


def _rebuild_parameter(data, requires_grad):
    from .nn.parameter import Parameter

    return Parameter(data, requires_grad)


def save(obj, f, pickle_module=pickle, pickle_protocol=2, **kwargs):
    if isinstance(f, (str, bytes)) or hasattr(f, "__fspath__"):
        with open(f, "wb") as out:
            pickle_module.dump(obj, out, protocol=pickle_protocol)
    else:
        pickle_module.dump(obj, f, protocol=pickle_protocol)


def load(f, map_location=None, pickle_module=pickle, weights_only=None, **kwargs):
    if isinstance(f, (bytes, bytearray)):
        f = io.BytesIO(f)
    if isinstance(f, str) or hasattr(f, "__fspath__"):
        with open(f, "rb") as source:
            return pickle_module.load(source)
    return pickle_module.load(f)
