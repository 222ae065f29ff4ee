"""Pixel shuffle layers: not supported by the runtime yet."""
from ._unsupported import unsupported_module

__all__ = ["PixelShuffle", "PixelUnshuffle"]

for _name in __all__:
    globals()[_name] = unsupported_module(_name, __name__)
