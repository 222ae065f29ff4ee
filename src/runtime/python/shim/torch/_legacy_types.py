"""The legacy tensor types older tutorials use: torch.FloatTensor(2, 3), torch.LongTensor([1, 2]) (int64, as in
PyTorch), isinstance(x, torch.LongTensor) and x.type(torch.LongTensor)."""
from ._dtype import float32, float64, float16, bfloat16, int64, int32, int16, int8, uint8, bool_
from ._tensor import Tensor, Size

__all__ = ["LEGACY_TYPES"]


class LegacyTensorType(type):
    """The metaclass of torch.FloatTensor and friends: calling one makes a tensor of its dtype."""

    def __call__(cls, *args, **kwargs):
        from . import tensor, zeros

        if not args:
            return tensor([], dtype=cls.dtype)
        if len(args) == 1 and isinstance(args[0], Tensor):
            if args[0].dtype is not cls.dtype:
                raise TypeError(f"expected {cls.dtype} (got {args[0].dtype})")
            return args[0]
        if len(args) == 1 and isinstance(args[0], (list, tuple)) and not isinstance(args[0], Size):
            return tensor(args[0], dtype=cls.dtype)
        return zeros(*args, dtype=cls.dtype)

    def __instancecheck__(cls, instance):
        return isinstance(instance, Tensor) and instance.dtype is cls.dtype

    def __repr__(cls):
        return f"<class 'torch.{cls.__name__}'>"


def _legacy(name, dtype):
    return LegacyTensorType(name, (), {"dtype": dtype, "__module__": "torch", "is_cuda": False})


LEGACY_TYPES = {name: _legacy(name, dtype) for name, dtype in (
    ("FloatTensor", float32), ("DoubleTensor", float64), ("HalfTensor", float16), ("BFloat16Tensor", bfloat16),
    ("LongTensor", int64), ("IntTensor", int32), ("ShortTensor", int16), ("CharTensor", int8),
    ("ByteTensor", uint8), ("BoolTensor", bool_))}
