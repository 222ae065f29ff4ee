"""Upsampling layers: not supported by the runtime yet."""
from ._unsupported import unsupported_module

__all__ = ["Upsample", "UpsamplingNearest2d", "UpsamplingBilinear2d"]

for _name in __all__:
    globals()[_name] = unsupported_module(_name, __name__)
