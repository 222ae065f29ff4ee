"""torch.save and torch.load: pickles of state dicts (and anything else picklable) holding tensors."""
import io
import pickle

__all__ = ["save", "load", "rebuild_tensor"]


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
    if isinstance(f, (str, bytes)) or hasattr(f, "__fspath__"):
        with open(f, "rb") as source:
            return pickle_module.load(source)
    if isinstance(f, (bytes, bytearray)):
        f = io.BytesIO(f)
    return pickle_module.load(f)
