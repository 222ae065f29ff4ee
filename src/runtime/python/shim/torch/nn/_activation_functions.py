"""The activation functions of torch.nn.functional (relu, gelu, softmax...), each one engine op where tfjs has one."""
import warnings

from .._engine import E, call
from .._tensor import wrap
from .._dtype import float32

__all__ = ["relu", "relu_", "relu6", "elu", "selu", "celu", "leaky_relu", "leaky_relu_", "gelu", "silu", "mish",
           "sigmoid", "tanh", "softplus", "logsigmoid", "hardtanh", "hardsigmoid", "hardswish", "softsign",
           "tanhshrink", "threshold", "glu", "softmax", "softmin", "log_softmax"]


def _unary(name, grad_name, input):
    return wrap(call(E.unary, name, grad_name, input._h), input.dtype if input.is_floating_point() else float32)


def _in_place(input, result, grad_name):
    input.copy_(result)
    if input.grad_fn is not None:
        E.rename_grad_fn(input._h, grad_name)
    return input


def _nonpositive_part(input):
    """input where it is <= 0, else 0: the negative branch's argument, with no NaN or inf to poison its gradient."""
    from .. import where, zeros_like

    return where(input <= 0, input, zeros_like(input))


def relu(input, inplace=False):
    out = input.relu()
    return _in_place(input, out, "ReluBackward0") if inplace else out


def relu_(input):
    return relu(input, inplace=True)


def hardtanh(input, min_val=-1.0, max_val=1.0, inplace=False):
    if min_val > max_val:
        raise ValueError("min_val cannot be greater than max_val")
    if input.is_floating_point():
        # The engine's clamp under this name takes hardtanh's gradient rule (it passes at NaN, clamp's does not).
        out = wrap(call(E.clamp, input._h, float(min_val), float(max_val), True, True, "HardtanhBackward0"), input.dtype)
    else:
        out = input.clamp(min_val, max_val)
        if out.grad_fn is not None:
            E.rename_grad_fn(out._h, "HardtanhBackward0")
    return _in_place(input, out, "HardtanhBackward0") if inplace else out


def relu6(input, inplace=False):
    return hardtanh(input, 0.0, 6.0, inplace)


def elu(input, alpha=1.0, inplace=False):
    if alpha == 1.0:
        out = _unary("elu", "EluBackward0", input)
    else:
        from .. import where

        negative = (_nonpositive_part(input).exp() - 1.0) * alpha
        out = where(input <= 0, negative, input)  # NaN takes the input's branch, as in PyTorch
        E.rename_grad_fn(out._h, "EluBackward0")
    return _in_place(input, out, "EluBackward0") if inplace else out


def selu(input, inplace=False):
    out = _unary("selu", "EluBackward0", input)
    return _in_place(input, out, "EluBackward0") if inplace else out


def celu(input, alpha=1.0, inplace=False):
    from .. import where

    out = where(input <= 0, (_nonpositive_part(input) / alpha).exp().sub(1.0) * alpha, input)  # NaN: the input's branch
    return _in_place(input, out, "EluBackward0") if inplace else out


def leaky_relu(input, negative_slope=0.01, inplace=False):
    out = wrap(call(E.leaky_relu, input._h, float(negative_slope)), input.dtype)
    return _in_place(input, out, "LeakyReluBackward0") if inplace else out


def leaky_relu_(input, negative_slope=0.01):
    return leaky_relu(input, negative_slope, inplace=True)


def gelu(input, approximate="none"):
    if approximate == "none":
        return _unary("gelu", "GeluBackward0", input)
    if approximate == "tanh":
        return _unary("gelu_tanh", "GeluBackward0", input)
    raise RuntimeError("approximate argument must be either none or tanh.")


def silu(input, inplace=False):
    out = _unary("silu", "SiluBackward0", input)
    return _in_place(input, out, "SiluBackward0") if inplace else out


def mish(input, inplace=False):
    out = input * softplus(input).tanh()
    return _in_place(input, out, "MishBackward0") if inplace else out


def sigmoid(input):
    return input.sigmoid()


def tanh(input):
    return input.tanh()


def softplus(input, beta=1.0, threshold=20.0):
    if beta == 1.0:
        return _unary("softplus", "SoftplusBackward0", input)
    out = _unary("softplus", "SoftplusBackward0", input * beta) / beta
    E.rename_grad_fn(out._h, "SoftplusBackward0")
    return out


def logsigmoid(input):
    return wrap(call(E.log_sigmoid, input._h), float32)


def hardsigmoid(input, inplace=False):
    out = (input / 6.0 + 0.5).clamp(0.0, 1.0)
    return _in_place(input, out, "HardsigmoidBackward0") if inplace else out


def hardswish(input, inplace=False):
    # Piecewise, as PyTorch's gradient is: 0 below -3, x/3 + 1/2 up to 3, 1 above and at NaN. The middle piece sees
    # only in-range values, so an infinite input's gradient is not inf·0 = NaN. -inf still gives NaN, as PyTorch's.
    from .. import where, zeros_like

    middle = (input >= -3.0) & (input <= 3.0)
    inner = where(middle, input, zeros_like(input))
    out = where(input < -3.0, input * 0.0, where(middle, inner * (inner / 6.0 + 0.5), input))
    return _in_place(input, out, "HardswishBackward0") if inplace else out


def softsign(input):
    return input / (input.abs() + 1.0)


def tanhshrink(input):
    return input - input.tanh()


def threshold(input, threshold, value, inplace=False):
    from .. import where, full_like

    out = where(input <= threshold, full_like(input, value), input)  # NaN stays NaN, as in PyTorch
    return _in_place(input, out, "ThresholdBackward0") if inplace else out


def glu(input, dim=-1):
    if input.shape[dim] % 2:
        raise RuntimeError(f"Halving dimension must be even, but dimension {dim % input.dim()} is size {input.shape[dim]}")
    a, b = input.chunk(2, dim)
    return a * b.sigmoid()


def _implicit_dim(name, ndim, stacklevel):
    warnings.warn(f"Implicit dimension choice for {name} has been deprecated. "
                  "Change the call to include dim=X as an argument.", stacklevel=stacklevel)
    return 0 if ndim in (0, 1, 3) else 1


def softmax(input, dim=None, _stacklevel=3, dtype=None):
    if dim is None:
        dim = _implicit_dim("softmax", input.dim(), _stacklevel)
    if dtype is not None:
        input = input.to(dtype)
    return input.softmax(dim)


def softmin(input, dim=None, _stacklevel=3, dtype=None):
    if dim is None:
        dim = _implicit_dim("softmin", input.dim(), _stacklevel)
    if dtype is not None:
        input = input.to(dtype)
    return (-input).softmax(dim)


def log_softmax(input, dim=None, _stacklevel=3, dtype=None):
    if dim is None:
        dim = _implicit_dim("log_softmax", input.dim(), _stacklevel)
    if dtype is not None:
        input = input.to(dtype)
    return input.log_softmax(dim)
