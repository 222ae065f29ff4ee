"""Tensors to and from NumPy arrays: Tensor.numpy(), np.asarray(tensor), torch.from_numpy, torch.tensor(ndarray).

NumPy is Pyodide's own build, installed at first import (trainloop_embedded/packages.py); importing it here, on the
script's behalf, installs it too. The engine keeps tensors in its own memory, so unlike PyTorch's the arrays are
copies: writing into one does not change the tensor, and the other way round.
"""
import sys

from ._dtype import dtype_of_name
from ._engine import E, call

__all__ = ["tensor_to_numpy", "from_numpy", "is_ndarray"]

# How the engine stores each storage type: NumPy's name of it, and the engine's buffer type.
_STORED = {"float32": ("float32", "f32"), "int64": ("int32", "i32"), "bool": ("bool", "u8")}
_FROM_NUMPY = ("float64", "float32", "float16", "int64", "int32", "int16", "int8", "uint8", "bool")


def _numpy():
    import numpy

    return numpy


def is_ndarray(obj):
    """Whether obj is a NumPy array (without importing NumPy when the script never did)."""
    numpy = sys.modules.get("numpy")
    return numpy is not None and isinstance(obj, getattr(numpy, "ndarray", ()))


def tensor_to_numpy(t, force=False):
    if t.requires_grad and not force:
        raise RuntimeError("Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() instead.")
    if t.dtype._name == "bfloat16":
        raise TypeError("Got unsupported ScalarType BFloat16")
    np = _numpy()
    stored_name, _ = _STORED[t.dtype.storage]
    raw = bytes(call(E.values, t._h).to_py()) if t.numel() else b""
    stored = np.frombuffer(raw, dtype=stored_name)
    return stored.astype(t.dtype._name).reshape(tuple(t.shape))


def from_numpy(array):
    from . import _from_buffer

    np = _numpy()
    if not isinstance(array, np.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(array).__name__})")
    name = array.dtype.name
    if name not in _FROM_NUMPY:
        raise TypeError(f"can't convert np.ndarray of type numpy.{array.dtype.type.__name__}. The only supported types "
                        "are: float64, float32, float16, int64, int32, int16, int8, uint8, and bool.")
    dtype = dtype_of_name(name)
    stored_name, buffer_type = _STORED[dtype.storage]
    stored = np.ascontiguousarray(array, dtype=stored_name)
    return _from_buffer(stored.tobytes(), buffer_type, tuple(array.shape), dtype)
