"""Placeholders for torch.nn layers the runtime does not provide: constructing one raises NotImplementedError."""
from ..._tensor import unsupported
from .module import Module

__all__ = ["unsupported_module"]


def unsupported_module(name, module_name):
    """A Module subclass named `name` whose constructor raises NotImplementedError naming torch.nn.<name>."""

    def __init__(self, *args, **kwargs):
        raise unsupported(f"torch.nn.{name}")

    return type(name, (Module,), {"__init__": __init__, "__module__": module_name,
                                  "__doc__": f"torch.nn.{name} (not supported by the Trainloop runtime yet)."})
