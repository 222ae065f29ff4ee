"""torch.nn.Parameter: a Tensor that a Module registers as one of its trainable weights."""
from .._engine import E, call
from .._tensor import Tensor

__all__ = ["Parameter", "UninitializedParameter"]


class Parameter(Tensor):
    """A leaf tensor with its own engine handle on the data it was made from; requires grad unless told otherwise."""

    def __new__(cls, data=None, requires_grad=True):
        if data is None:
            from .. import empty

            data = empty(0)
        if not isinstance(data, Tensor):
            raise TypeError(f"Parameter(data) expects a Tensor, got {type(data).__name__}")
        param = Tensor.__new__(cls)
        param._h = call(E.alias, data._h)
        param._shape = None
        param._grad_cache = None
        if requires_grad:
            param.requires_grad_(True)
        return param

    def __init__(self, data=None, requires_grad=True):
        pass

    def __repr__(self):
        return "Parameter containing:\n" + super().__repr__()

    def __reduce_ex__(self, protocol):
        from ..serialization import _rebuild_parameter

        return (_rebuild_parameter, (self.detach(), self.requires_grad))

    def __deepcopy__(self, memo):
        if id(self) in memo:
            return memo[id(self)]
        copy = Parameter(self.detach().clone(), self.requires_grad)
        memo[id(self)] = copy
        return copy


class UninitializedParameter(Parameter):
    def __new__(cls, *args, **kwargs):
        from .._tensor import unsupported

        raise unsupported("torch.nn.parameter.UninitializedParameter (lazy modules)")
