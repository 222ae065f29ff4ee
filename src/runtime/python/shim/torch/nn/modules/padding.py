"""Padding layers: constant, zero, reflection, replication and circular padding over F.pad."""
from .. import functional as F
from .module import Module
from .utils import _pair, _quadruple

__all__ = ["ConstantPad1d", "ConstantPad2d", "ZeroPad1d", "ZeroPad2d", "ReflectionPad1d", "ReflectionPad2d",
           "ReplicationPad1d", "ReplicationPad2d", "CircularPad1d", "CircularPad2d"]


class _ConstantPadNd(Module):
    def __init__(self, padding, value):
        super().__init__()
        self.padding = padding
        self.value = value

    def forward(self, input):
        return F.pad(input, self.padding, "constant", self.value)

    def extra_repr(self):
        return f"padding={self.padding}, value={self.value}"


class ConstantPad1d(_ConstantPadNd):
    def __init__(self, padding, value):
        super().__init__(_pair(padding), value)


class ConstantPad2d(_ConstantPadNd):
    def __init__(self, padding, value):
        super().__init__(_quadruple(padding), value)


class ZeroPad1d(ConstantPad1d):
    def __init__(self, padding):
        super().__init__(padding, 0.0)

    def extra_repr(self):
        return f"{self.padding}"


class ZeroPad2d(ConstantPad2d):
    def __init__(self, padding):
        super().__init__(padding, 0.0)

    def extra_repr(self):
        return f"{self.padding}"


class _PadFromInputNd(Module):
    mode = "reflect"

    def __init__(self, padding):
        super().__init__()
        self.padding = self._expand(padding)

    def forward(self, input):
        return F.pad(input, self.padding, self.mode)

    def extra_repr(self):
        return f"{self.padding}"


class ReflectionPad1d(_PadFromInputNd):
    """Pads the last dimension with its mirror image (the edge not repeated)."""

    _expand = staticmethod(_pair)


class ReflectionPad2d(_PadFromInputNd):
    """Pads the last two dimensions with their mirror images (the edge not repeated)."""

    _expand = staticmethod(_quadruple)


class ReplicationPad1d(_PadFromInputNd):
    mode = "replicate"
    _expand = staticmethod(_pair)


class ReplicationPad2d(_PadFromInputNd):
    mode = "replicate"
    _expand = staticmethod(_quadruple)


class CircularPad1d(_PadFromInputNd):
    mode = "circular"
    _expand = staticmethod(_pair)


class CircularPad2d(_PadFromInputNd):
    mode = "circular"
    _expand = staticmethod(_quadruple)
