"""torch.dtype and torch.device. A dtype is a label the engine keeps per tensor; values are stored in float32, int32 or
bool, so float64 computes in float32 precision and int64 in 32 bits. An engine handle's low four bits name its dtype,
in the order of DTYPE_BY_CODE (the same list as tensorEngine.ts)."""

__all__ = ["dtype", "float32", "float64", "float16", "bfloat16", "int64", "int32", "int16", "int8", "uint8", "bool_",
           "device", "get_default_dtype", "dtype_of_name", "dtype_of_handle", "promote_types", "finfo", "iinfo",
           "DTYPE_BY_CODE", "dtype_word"]


class dtype:
    __slots__ = ("_name", "storage", "is_floating_point", "itemsize", "is_complex", "is_signed", "code")

    def __init__(self, name, storage, is_floating_point, itemsize, code):
        self._name = name
        self.storage = storage  # the engine dtype holding values of this dtype
        self.is_floating_point = is_floating_point
        self.itemsize = itemsize
        self.is_complex = False
        self.is_signed = name not in ("bool", "uint8")
        self.code = code

    def __repr__(self):
        return "torch." + self._name

    def __reduce__(self):
        return (dtype_of_name, (self._name,))

    def to_real(self):
        return self

    def to_complex(self):
        raise NotImplementedError("complex dtypes are not supported by the Trainloop runtime")


float32 = dtype("float32", "float32", True, 4, 0)
float64 = dtype("float64", "float32", True, 8, 1)
float16 = dtype("float16", "float32", True, 2, 2)
bfloat16 = dtype("bfloat16", "float32", True, 2, 3)
int64 = dtype("int64", "int64", False, 8, 4)
int32 = dtype("int32", "int64", False, 4, 5)
int16 = dtype("int16", "int64", False, 2, 6)
int8 = dtype("int8", "int64", False, 1, 7)
uint8 = dtype("uint8", "int64", False, 1, 8)
bool_ = dtype("bool", "bool", False, 1, 9)

DTYPE_BY_CODE = (float32, float64, float16, bfloat16, int64, int32, int16, int8, uint8, bool_) + (None,) * 6
_BY_NAME = {d._name: d for d in DTYPE_BY_CODE if d is not None}


def dtype_of_name(name):
    return _BY_NAME[name]


def dtype_of_handle(handle):
    return DTYPE_BY_CODE[handle & 15]


def get_default_dtype():
    return float32


_FLOAT_RANK = {float16: 1, bfloat16: 1, float32: 2, float64: 3}
_INT_RANK = {int8: 1, int16: 2, int32: 3, int64: 4}


def promote_types(a, b):
    """torch.promote_types: the smallest dtype both a and b fit in."""
    if a is b:
        return a
    if a is bool_:
        return b
    if b is bool_:
        return a
    if a.is_floating_point != b.is_floating_point:
        return a if a.is_floating_point else b
    if a.is_floating_point:
        ra, rb = _FLOAT_RANK[a], _FLOAT_RANK[b]
        return float32 if ra == rb else (a if ra > rb else b)
    if a is uint8 or b is uint8:
        other = b if a is uint8 else a
        return int16 if other is int8 else other
    return a if _INT_RANK[a] > _INT_RANK[b] else b


class finfo:
    """torch.finfo: machine limits of a floating dtype (as PyTorch reports them for that dtype)."""

    _LIMITS = {
        "float32": (1.1920928955078125e-07, 3.4028234663852886e38, 1.1754943508222875e-38, 6, 1e-06, 2.0 ** -149),
        "float64": (2.220446049250313e-16, 1.7976931348623157e308, 2.2250738585072014e-308, 15, 1e-15, 5e-324),
        "float16": (0.0009765625, 65504.0, 6.103515625e-05, 3, 0.001, 5.960464477539063e-08),
        "bfloat16": (0.0078125, 3.3895313892515355e38, 1.1754943508222875e-38, 2, 0.01, 9.183549615799121e-41),
    }

    def __init__(self, type=None):
        type = type or float32
        if not type.is_floating_point:
            raise TypeError(f"torch.finfo() requires a floating point input type. Use torch.iinfo to handle '{type._name}'")
        self.eps, self.max, self.tiny, self.precision, self.resolution, self.smallest_subnormal = self._LIMITS[type._name]
        self.min = -self.max
        self.smallest_normal = self.tiny
        self.bits = type.itemsize * 8
        self.dtype = type._name

    def __repr__(self):
        return (f"finfo(resolution={self.resolution}, min={self.min:g}, max={self.max:g}, eps={self.eps:g}, "
                f"smallest_normal={self.tiny:g}, tiny={self.tiny:g}, dtype={self.dtype})")


class iinfo:
    """torch.iinfo: the range of an integer dtype."""

    def __init__(self, type):
        if type.is_floating_point:
            raise TypeError(f"torch.iinfo() requires an integer input type. Use torch.finfo to handle '{type._name}'")
        self.bits = type.itemsize * 8
        if type is uint8:
            self.min, self.max = 0, 255
        elif type is bool_:
            self.min, self.max = 0, 1
        else:
            self.min, self.max = -(2 ** (self.bits - 1)), 2 ** (self.bits - 1) - 1
        self.dtype = type._name

    def __repr__(self):
        return f"iinfo(min={self.min}, max={self.max}, dtype={self.dtype})"


class device:
    """Where tensors live. The runtime computes on TensorFlow.js; every device is the CPU to the script."""

    def __init__(self, type="cpu", index=None):
        if isinstance(type, device):
            type, index = type.type, type.index
        if isinstance(type, int):
            type, index = "cuda", type
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
        if isinstance(other, str):
            other = device(other)
        return isinstance(other, device) and self.type == other.type and self.index == other.index

    def __hash__(self):
        return hash((self.type, self.index))


_DTYPE_WORDS = {"float32": "Float", "float64": "Double", "float16": "Half", "int64": "Long", "int32": "Int",
                "int16": "Short", "int8": "Char", "uint8": "Byte", "bool": "Bool"}


def dtype_word(dtype):
    """The word PyTorch's error messages use for a dtype (Float, Long, Double...)."""
    name = str(dtype).replace("torch.", "")
    return _DTYPE_WORDS.get(name, name)
