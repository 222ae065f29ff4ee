"""The names PyTorch's checkpoints refer to: torch._utils._rebuild_tensor_v2, _rebuild_parameter and the legacy
storage types (torch.FloatStorage, ...), so that a pickle written by real PyTorch finds them here and ours name them
as PyTorch does (see serialization.py for the zip format around them)."""
import array
import collections
import struct
import sys

__all__ = ["_rebuild_tensor_v2", "_rebuild_parameter", "STORAGE_TYPES", "storage_type_of", "TypedBytes"]


class _StorageType:
    """A legacy storage class (torch.FloatStorage): in a checkpoint it only says which dtype a storage's bytes hold."""

    dtype_name = None

    def __repr__(self):
        return f"torch.{type(self).__name__}"


def _storage_type(name, dtype_name):
    cls = type(name, (_StorageType,), {"dtype_name": dtype_name, "__module__": "torch"})
    cls.__qualname__ = name
    return cls


STORAGE_TYPES = {cls.dtype_name: cls for cls in (
    _storage_type("FloatStorage", "float32"), _storage_type("DoubleStorage", "float64"),
    _storage_type("HalfStorage", "float16"), _storage_type("BFloat16Storage", "bfloat16"),
    _storage_type("LongStorage", "int64"), _storage_type("IntStorage", "int32"),
    _storage_type("ShortStorage", "int16"), _storage_type("CharStorage", "int8"),
    _storage_type("ByteStorage", "uint8"), _storage_type("BoolStorage", "bool"))}


def storage_type_of(dtype_name):
    return STORAGE_TYPES[dtype_name]


class TypedBytes:
    """A storage as a checkpoint holds it: little-endian bytes of one dtype (`key` names its file in the archive)."""

    __slots__ = ("dtype_name", "data", "key")

    def __init__(self, dtype_name, data, key=None):
        self.dtype_name = dtype_name
        self.data = data
        self.key = key

    @property
    def itemsize(self):
        return _ITEMSIZE[self.dtype_name]

    def numel(self):
        return len(self.data) // self.itemsize


_ITEMSIZE = {"float32": 4, "float64": 8, "float16": 2, "bfloat16": 2, "int64": 8, "int32": 4, "int16": 2,
             "int8": 1, "uint8": 1, "bool": 1}
# The array module's codes, for the dtypes it has (float16 goes through struct, bfloat16 through float32's top half).
_ARRAY_CODES = {"float32": "f", "float64": "d", "int64": "q", "int32": "i", "int16": "h", "int8": "b", "uint8": "B",
                "bool": "B"}


def values_of(storage):
    """The storage's values as Python numbers (floats, ints or bools), in storage order."""
    name, data = storage.dtype_name, storage.data
    if name == "float16":
        return list(struct.unpack(f"<{len(data) // 2}e", data))
    if name == "bfloat16":
        widened = bytearray(len(data) * 2)
        widened[2::4], widened[3::4] = data[0::2], data[1::2]
        return _array("f", bytes(widened)).tolist()
    values = _array(_ARRAY_CODES[name], data).tolist()
    return [bool(v) for v in values] if name == "bool" else values


def bytes_of(values, dtype_name):
    """Little-endian bytes of `values` in the dtype (the inverse of values_of)."""
    if dtype_name == "float16":
        return struct.pack(f"<{len(values)}e", *values)
    if dtype_name == "bfloat16":
        full = _array("f", values).tobytes() if sys.byteorder == "little" else None
        rounded = bytearray()
        for i in range(0, len(full), 4):
            word = int.from_bytes(full[i:i + 4], "little")
            word += 0x7FFF + ((word >> 16) & 1)  # round to nearest even, as PyTorch's conversion does
            rounded += ((word >> 16) & 0xFFFF).to_bytes(2, "little")
        return bytes(rounded)
    return _array(_ARRAY_CODES[dtype_name], [int(v) for v in values] if dtype_name == "bool" else values).tobytes()


def _array(code, source):
    out = array.array(code)
    if isinstance(source, (bytes, bytearray, memoryview)):
        out.frombytes(source)
    else:
        out.extend(source)
    if sys.byteorder != "little":
        out.byteswap()
    return out


def _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, backward_hooks, metadata=None):
    from . import tensor, zeros
    from ._dtype import dtype_of_name

    dtype = dtype_of_name(storage.dtype_name)
    size = tuple(size)
    numel = 1
    for n in size:
        numel *= n
    if numel == 0:
        t = zeros(size, dtype=dtype)
    else:
        contiguous = tuple(stride) == _contiguous_strides(size)
        if contiguous and storage.dtype_name == "float32" and sys.byteorder == "little":
            from . import _from_buffer

            t = _from_buffer(storage.data[4 * storage_offset:4 * (storage_offset + numel)], "f32", size, dtype)
            if requires_grad:
                t.requires_grad_(True)
            return t
        values = values_of(storage)
        if contiguous:
            flat = values[storage_offset:storage_offset + numel]
        else:
            flat = [values[storage_offset + sum(i * s for i, s in zip(index, stride))] for index in _indices(size)]
        t = tensor(flat, dtype=dtype).reshape(size)
    if requires_grad:
        t.requires_grad_(True)
    return t


def _rebuild_parameter(data, requires_grad, backward_hooks):
    from .nn.parameter import Parameter

    return Parameter(data, requires_grad)


def _rebuild_parameter_with_state(data, requires_grad, backward_hooks, state):
    param = _rebuild_parameter(data, requires_grad, backward_hooks)
    if state:
        param.__dict__.update(state if isinstance(state, dict) else {})
    return param


def _contiguous_strides(size):
    strides, step = [], 1
    for n in reversed(size):
        strides.append(step)
        step *= max(n, 1)
    return tuple(reversed(strides))


def _indices(size):
    if not size:
        yield ()
        return
    for first in range(size[0]):
        for rest in _indices(size[1:]):
            yield (first,) + rest


# PyTorch writes an empty OrderedDict for the hooks; kept importable under the names its pickles use.
OrderedDict = collections.OrderedDict
