"""Sliding-window layers (Fold, Unfold): not supported by the runtime yet."""
from ._unsupported import unsupported_module

__all__ = ["Fold", "Unfold"]

for _name in __all__:
    globals()[_name] = unsupported_module(_name, __name__)
