"""torch.dtype and torch.device: the three dtypes the engine stores (float32, int64, bool) and their aliases."""

__all__ = ["dtype", "float32", "float64", "float16", "int64", "int32", "int16", "int8", "uint8", "bool_", "device",
           "get_default_dtype", "dtype_of_name", "promote_types"]


class dtype:
    def __init__(self, name, storage, is_floating_point, itemsize):
        self._name = name
        self.storage = storage  # the engine dtype that holds values of this dtype
        self.is_floating_point = is_floating_point
        self.itemsize = itemsize
        self.is_complex = False
        self.is_signed = name != "bool" and name != "uint8"

    def __repr__(self):
        return "torch." + self._name

    def __reduce__(self):
        return (dtype_of_name, (self._name,))


float32 = dtype("float32", "float32", True, 4)
float64 = dtype("float64", "float32", True, 8)
float16 = dtype("float16", "float32", True, 2)
int64 = dtype("int64", "int64", False, 8)
int32 = dtype("int32", "int64", False, 4)
int16 = dtype("int16", "int64", False, 2)
int8 = dtype("int8", "int64", False, 1)
uint8 = dtype("uint8", "int64", False, 1)
bool_ = dtype("bool", "bool", False, 1)

_BY_NAME = {d._name: d for d in (float32, float64, float16, int64, int32, int16, int8, uint8, bool_)}


def dtype_of_name(name):
    return _BY_NAME[name]


def get_default_dtype():
    return float32


def promote_types(a, b):
    """The result dtype of an op on two tensors (a reduced form of torch's promotion lattice)."""
    if a is b:
        return a
    if a.is_floating_point or b.is_floating_point:
        return a if a.is_floating_point else b
    if a is bool_:
        return b
    if b is bool_:
        return a
    return int64


class device:
    """Where tensors live. The runtime computes on TensorFlow.js; every device is the CPU to the script."""

    def __init__(self, type="cpu", index=None):
        if isinstance(type, device):
            type, index = type.type, type.index
        if ":" in str(type):
            type, _, idx = str(type).partition(":")
            index = int(idx)
        self.type = str(type)
        self.index = index

    def __repr__(self):
        return f"device(type='{self.type}')" if self.index is None else f"device(type='{self.type}', index={self.index})"

    def __str__(self):
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __eq__(self, other):
        other = device(other) if isinstance(other, str) else other
        return isinstance(other, device) and self.type == other.type and self.index == other.index

    def __hash__(self):
        return hash((self.type, self.index))
