"""nn.Linear (y = x Wᵀ + b, PyTorch's default init) and nn.Identity."""
import math

from ..parameter import Parameter
from .. import functional as F, init
from .module import Module

__all__ = ["Identity", "Linear", "NonDynamicallyQuantizableLinear", "Bilinear", "LazyLinear"]


class Identity(Module):
    """Returns its input unchanged (accepts and ignores any constructor arguments)."""

    def __init__(self, *args, **kwargs):
        super().__init__()

    def forward(self, input):
        return input


class Linear(Module):
    """y = x Wᵀ + b, with W of shape (out_features, in_features)."""

    def __init__(self, in_features, out_features, bias=True, device=None, dtype=None):
        super().__init__()
        from ... import empty

        self.in_features = in_features
        self.out_features = out_features
        self.weight = Parameter(empty(out_features, in_features))
        if bias:
            self.bias = Parameter(empty(out_features))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self):
        """PyTorch's default: W ~ U(±1/√in_features) via kaiming_uniform_(a=√5), b ~ U(±1/√in_features)."""
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in = self.weight.shape[1]
            bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input):
        return F.linear(input, self.weight, self.bias)

    def extra_repr(self):
        return f"in_features={self.in_features}, out_features={self.out_features}, bias={self.bias is not None}"


class NonDynamicallyQuantizableLinear(Linear):
    """The Linear that nn.MultiheadAttention uses for its output projection (it prints under this name)."""


class Bilinear(Module):
    def __init__(self, *args, **kwargs):
        from ..._tensor import unsupported

        raise unsupported("torch.nn.Bilinear")


class LazyLinear(Module):
    def __init__(self, *args, **kwargs):
        from ..._tensor import unsupported

        raise unsupported("torch.nn.LazyLinear")
