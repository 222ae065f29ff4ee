"""torch.autograd.Variable, as PyTorch keeps it for old scripts: calling it gives a plain Tensor (detached from the
given one's graph, sharing its data), `isinstance(t, Variable)` holds for every tensor, and `volatile` warns that it
no longer does anything."""
import warnings

__all__ = ["Variable"]


class _VariableMeta(type):
    def __instancecheck__(cls, instance):
        from .._tensor import Tensor

        return isinstance(instance, Tensor)


class Variable(metaclass=_VariableMeta):
    """`Variable(tensor, requires_grad=False, volatile=False)`: the tensor, detached, with `requires_grad` set."""

    def __new__(cls, data=None, requires_grad=False, volatile=False, _grad_fn=None, name=None):
        from .._tensor import Tensor
        from .. import empty

        if volatile:
            warnings.warn("volatile was removed and now has no effect. Use `with torch.no_grad():` instead.",
                          UserWarning, stacklevel=2)
        if data is None:
            variable = empty(0)
        elif isinstance(data, Tensor):
            variable = data.detach()
        else:
            raise TypeError(f"Variable data has to be a tensor, but got {type(data).__name__}")
        if requires_grad:
            if not variable.is_floating_point():  # PyTorch's words on this path differ from requires_grad_()'s
                raise RuntimeError("Only Tensors of floating point and complex dtype can require gradients")
            variable.requires_grad_(True)
        return variable
