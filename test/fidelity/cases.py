# Fidelity cases: fixed-input computations whose values must agree between real PyTorch and our torch shim.
"""Each entry of CASES is a zero-argument function returning {name: tensor}.

Rules that keep the cases comparable across frameworks:

* Only public ``torch`` API; this module must run unchanged on real PyTorch
  and on the Trainloop shim.
* No random numbers: the two frameworks' random streams differ.  Inputs and
  parameters come from closed formulas (``wave``), module parameters are set
  with ``fill_parameters``.
* Inputs stay away from kinks (0 for relu/abs, clamp bounds, ties for
  max/argmax) so that gradients are well defined in both frameworks.
* Outputs are reduced with fixed weights (``weighted_sum``) before
  ``backward()`` so that every gradient element is non-trivial.
* Outputs are kept small, because their values are checked into
  reference.json.  Large tensors are summarised (abs-sum, square-sum, a
  slice) with torch ops inside the case.

Version note: reference.json is made with PyTorch 1.13.  Behaviour that
changed between 1.x and 2.x (for example ``zero_grad()`` leaving zeros in 1.13
but ``None`` in 2.x) is deliberately not observed here.
"""

import math

import torch
import torch.nn as nn
import torch.nn.functional as F

CASES = {}


def case(function):
    """Register a case under its function name."""
    CASES[function.__name__] = function
    return function


# ---------------------------------------------------------------------------
# Deterministic inputs
# ---------------------------------------------------------------------------

def wave(*shape, a=0.37, b=0.0, scale=1.0, offset=0.0):
    """float32 tensor of the given shape: offset + scale * sin(a * i + b), i the flat index.

    Large tensors repeat the index modulo a prime so the sine's argument stays
    small (a float32 argument in the hundreds of thousands would make the
    values depend on the last bits of the multiplication).
    """
    count = 1
    for size in shape:
        count *= size
    index = torch.arange(count, dtype=torch.float32)
    if count > 512:
        index = index % 509
    values = torch.sin(index * a + b)
    if scale != 1.0:
        values = values * scale
    if offset != 0.0:
        values = values + offset
    return values.reshape(tuple(shape))


def leaf(*shape, **formula):
    """A ``wave`` tensor that requires grad (an autograd leaf)."""
    return wave(*shape, **formula).requires_grad_()


def weighted_sum(out):
    """Scalar: out summed with fixed, uneven weights, so gradients differ per element."""
    if out.dim() == 0:
        return out * 1.3
    return (out * wave(*out.shape, a=0.53, b=0.3, offset=0.2)).sum()


def backward_weighted(*outputs):
    """Backpropagate the sum of weighted_sum over all outputs."""
    total = weighted_sum(outputs[0])
    for out in outputs[1:]:
        total = total + weighted_sum(out)
    total.backward()


def fill_parameters(module, salt=0.0):
    """Set every parameter of module from a formula of its position and shape only.

    Parameter k gets sin(0.61 * i + 0.5 + 0.9 * k + salt) / sqrt(fan_in), where
    fan_in is the product of all but the first dimension (the length for 1-D
    parameters).  Parameter names play no part, so the shim only has to list
    parameters in PyTorch's registration order.
    """
    with torch.no_grad():
        for k, parameter in enumerate(module.parameters()):
            shape = tuple(parameter.shape)
            fan_in = 1
            for size in shape[1:] if len(shape) > 1 else shape:
                fan_in *= size
            values = wave(*shape, a=0.61, b=0.5 + 0.9 * k + salt, scale=1.0 / math.sqrt(fan_in))
            parameter.copy_(values)
    return module


def grad_summary(prefix, parameter, rows=4, cols=6):
    """Small fingerprint of a (possibly large) gradient: abs-sum, square-sum and a corner."""
    grad = parameter.grad
    summary = {
        prefix + ".grad.abs_sum": grad.abs().sum(),
        prefix + ".grad.square_sum": (grad * grad).sum(),
    }
    if grad.dim() == 1:
        summary[prefix + ".grad.head"] = grad[:cols]
    else:
        summary[prefix + ".grad.corner"] = grad[:rows, :cols]
    return summary


def flag(value):
    """A Python bool as a 0-dim bool tensor (so it can be dumped and compared)."""
    return torch.tensor(bool(value))


# ---------------------------------------------------------------------------
# Elementwise math with broadcasting
# ---------------------------------------------------------------------------

@case
def arith_broadcast():
    x = leaf(2, 3, 4, b=0.2)
    y = leaf(3, 1, a=0.9, b=1.0)
    z = leaf(4, a=0.7, offset=2.0)  # strictly positive: a safe divisor
    outputs = {
        "x+y": x + y,
        "x-y": x - y,
        "x*y": x * y,
        "x/z": x / z,
        "-x": -x,
        "y*z": y * z,
    }
    backward_weighted(*outputs.values())
    outputs.update({"x.grad": x.grad, "y.grad": y.grad, "z.grad": z.grad})
    return outputs


@case
def arith_scalars():
    x = leaf(3, 4, b=0.2)
    p = leaf(3, 4, a=0.4, offset=1.5)  # positive
    outputs = {
        "x+2": x + 2,
        "2-x": 2.0 - x,
        "x*3": x * 3,
        "3*x": 3.0 * x,
        "x/4": x / 4,
        "1/p": 1.0 / p,
        "x-0.5": x - 0.5,
    }
    backward_weighted(*outputs.values())
    outputs.update({"x.grad": x.grad, "p.grad": p.grad})
    return outputs


@case
def pow_ops():
    x = leaf(2, 5, b=0.2)
    p = leaf(2, 5, a=0.45, offset=1.5)
    e = leaf(5, a=0.8, scale=0.5, offset=1.0)
    outputs = {
        "x**2": x ** 2,
        "x.pow(3)": x.pow(3),
        "p**0.5": p ** 0.5,
        "p**-1.5": p ** -1.5,
        "pow(p,e)": torch.pow(p, e),
        "2**x": 2 ** x,
    }
    backward_weighted(*outputs.values())
    outputs.update({"x.grad": x.grad, "p.grad": p.grad, "e.grad": e.grad})
    return outputs


@case
def exp_log_sqrt():
    x = leaf(3, 4, b=0.2)
    p = leaf(3, 4, a=0.45, offset=1.2)
    outputs = {
        "exp(x)": torch.exp(x),
        "x.exp()": (x * 0.5).exp(),
        "log(p)": torch.log(p),
        "sqrt(p)": torch.sqrt(p),
        "p.sqrt()": p.sqrt(),
    }
    backward_weighted(*outputs.values())
    outputs.update({"x.grad": x.grad, "p.grad": p.grad})
    return outputs


@case
def abs_clamp():
    x = leaf(4, 5, b=0.15)  # no element is 0, +-0.5 or 0.2
    outputs = {
        "abs(x)": torch.abs(x),
        "x.abs()": x.abs(),
        "clamp(x,-0.5,0.5)": torch.clamp(x, -0.5, 0.5),
        "x.clamp(min=0)": x.clamp(min=0),
        "x.clamp(max=0.2)": x.clamp(max=0.2),
    }
    backward_weighted(*outputs.values())
    outputs["x.grad"] = x.grad
    return outputs


@case
def activations():
    x = leaf(3, 7, a=0.61, b=0.15, scale=3.0)
    outputs = {
        "sigmoid": torch.sigmoid(x),
        "tanh": torch.tanh(x),
        "relu": torch.relu(x),
        "F.relu": F.relu(x * 0.5),
        "x.sigmoid()": x.sigmoid(),
    }
    backward_weighted(*outputs.values())
    outputs["x.grad"] = x.grad
    return outputs


@case
def gelu():
    x = leaf(3, 7, a=0.61, b=0.15, scale=3.0)
    outputs = {
        "F.gelu": F.gelu(x),
        "F.gelu_tanh": F.gelu(x * 0.7, approximate="tanh"),
    }
    backward_weighted(*outputs.values())
    outputs["x.grad"] = x.grad
    return outputs


@case
def maximum_minimum_where():
    x = leaf(2, 3, 4, b=0.2)
    y = leaf(3, 4, a=0.8, b=0.9, scale=0.9)  # broadcasts against x, never ties
    outputs = {
        "maximum": torch.maximum(x, y),
        "minimum": torch.minimum(x, y),
        "where": torch.where(x > 0, x, y * 2),
        "where_scalar_other": torch.where(y > 0.1, y, torch.zeros_like(y)),
    }
    backward_weighted(*outputs.values())
    outputs.update({"x.grad": x.grad, "y.grad": y.grad})
    return outputs


@case
def kinks_and_ties():
    """PyTorch's conventions exactly at kinks and ties (all other cases avoid them).

    relu'(0) = 0, abs'(0) = 0, clamp passes the gradient at its bounds,
    maximum/minimum split a tie's gradient in half, a full max() shares it
    evenly among tied elements, max(dim), argmax and max_pool2d pick the first
    tied element, l1_loss has zero gradient where input equals target.
    """
    values = [-1.0, 0.0, 0.5, 1.0, 2.0]
    other = [0.0, 0.0, 0.5, 3.0, 1.0]
    outputs = {}

    def gradient(name, function, *inputs):
        leaves = [torch.tensor(v, requires_grad=True) for v in inputs]
        result = function(*leaves)
        result.sum().backward()
        for position, tensor in enumerate(leaves):
            outputs["%s.grad%d" % (name, position)] = tensor.grad

    gradient("relu", torch.relu, values)
    gradient("abs", torch.abs, values)
    gradient("clamp(0,1)", lambda x: x.clamp(0.0, 1.0), values)
    gradient("maximum", torch.maximum, values, other)
    gradient("minimum", torch.minimum, values, other)
    tied = [1.0, 3.0, 3.0, 2.0, 3.0]
    gradient("max()", lambda x: x.max(), tied)
    gradient("max(dim)", lambda x: x.reshape(1, 5).max(dim=1).values, tied)
    gradient("max_pool2d", lambda x: F.max_pool2d(x.reshape(1, 1, 2, 4), 2), [1.0, 2.0, 0.0, 0.0, 2.0, 0.0, 0.0, 0.0])
    gradient("l1_loss", lambda x: F.l1_loss(x, torch.tensor([-1.0, 1.0, 0.5, 0.0, 0.0])), values)
    tied_tensor = torch.tensor(tied)
    outputs["max(dim).indices"] = tied_tensor.reshape(1, 5).max(dim=1).indices
    outputs["argmax"] = tied_tensor.argmax()
    outputs["argmin"] = torch.tensor([2.0, 1.0, 1.0]).argmin()
    return outputs


# ---------------------------------------------------------------------------
# Comparisons, booleans, masks
# ---------------------------------------------------------------------------

@case
def comparisons():
    x = wave(3, 4, b=0.2)
    y = wave(3, 4, a=0.9, b=1.0)
    a = torch.arange(12).reshape(3, 4)
    return {
        "x>0": x > 0,
        "x<y": x < y,
        "x>=0.5": x >= 0.5,
        "x<=y": x <= y,
        "a==5": a == 5,
        "a!=3": a != 3,
        "eq": torch.eq(a % 3, 0),
        "gt": torch.gt(x, y),
        "x>0 & y>0": (x > 0) & (y > 0),
        "x>0 | y>0": (x > 0) | (y > 0),
        "~(x>0)": ~(x > 0),
        "xor": (x > 0) ^ (y > 0),
        "any": (x > 0.99).any(),
        "all": (x > -1.5).all(),
        "mask.sum": (x > 0).sum(),
        "mask.float": (x > 0).float(),
        "mask.type(float)": (y > 0).type(torch.float),
        "mask.long": (x > 0).long(),
    }


@case
def boolean_mask_select():
    x = leaf(3, 4, b=0.2)
    selected = x[x > 0]
    outputs = {"x[x>0]": selected}
    row_mask = torch.tensor([True, False, True])
    outputs["x[row_mask]"] = x[row_mask]
    backward_weighted(*outputs.values())
    outputs["x.grad"] = x.grad
    return outputs


@case
def masked_fill():
    x = leaf(3, 5, b=0.2)
    mask = x < 0
    filled = x.masked_fill(mask, 0.0)
    filled_value = x.masked_fill(x > 0.5, -2.5)
    # The attention pattern: -inf where masked, then softmax along the row.
    causal = torch.arange(5).reshape(1, 5) > torch.arange(3).reshape(3, 1)
    attention = torch.softmax(x.masked_fill(causal, float("-inf")), dim=-1)
    backward_weighted(filled, filled_value, attention)
    return {
        "masked_fill_0": filled,
        "masked_fill_value": filled_value,
        "causal_softmax": attention,
        "x.grad": x.grad,
    }


# ---------------------------------------------------------------------------
# Indexing and slicing
# ---------------------------------------------------------------------------

@case
def indexing():
    x = leaf(4, 5, 3, b=0.2)
    idx = torch.tensor([2, 0, 2])  # repeated index: its gradient accumulates
    outputs = {
        "x[:,1:3]": x[:, 1:3],
        "x[...,-1]": x[..., -1],
        "x[idx]": x[idx],
        "x[0]": x[0],
        "x[1,2]": x[1, 2],
        "x[-1,:,0]": x[-1, :, 0],
        "x[1:,::2]": x[1:, ::2],
        "x[:,None][:,0,1]": x[:, None][:, 0, 1],
    }
    backward_weighted(*outputs.values())
    outputs["x.grad"] = x.grad
    return outputs


@case
def indexing_scalar_item():
    x = wave(3, 4, b=0.2)
    return {
        "x[1,2].item": torch.tensor(x[1, 2].item()),
        "x.sum.item": torch.tensor(x.sum().item()),
        "arange[3].item": torch.tensor(torch.arange(10)[3].item()),
    }


# ---------------------------------------------------------------------------
# Shape ops
# ---------------------------------------------------------------------------

@case
def shape_ops():
    x = leaf(2, 3, 4, b=0.2)
    outputs = {
        "reshape": x.reshape(4, 6),
        "reshape-1": x.reshape(-1, 2),
        "torch.reshape": torch.reshape(x, (6, 4)),
        "view": x.view(2, 12),
        "view-1": x.view(-1),
        "flatten": x.flatten(),
        "flatten(1)": torch.flatten(x, 1),
        "permute": x.permute(2, 0, 1),
        "transpose": x.transpose(0, 2),
        "torch.transpose": torch.transpose(x, 1, 2),
        "unsqueeze(1)": x.unsqueeze(1),
        "unsqueeze(-1)": torch.unsqueeze(x, -1),
        "squeeze": x[:, :1, :].squeeze(),
        "squeeze(1)": x[:, 1:2, :].squeeze(1),
        "expand": x[:, :1, :].expand(2, 5, 4),
        "expand-1": x[0, :, :1].expand(-1, 3),
        "contiguous": x.permute(1, 0, 2).contiguous().view(3, 8),
    }
    backward_weighted(*outputs.values())
    outputs["x.grad"] = x.grad
    outputs["sizes"] = torch.tensor([x.size(0), x.size(-1), x.shape[1], x.dim(), x.numel()])
    return outputs


@case
def cat_stack():
    x = leaf(2, 3, b=0.2)
    y = leaf(2, 3, a=0.8, b=1.0)
    z = leaf(1, 3, a=0.5, b=2.0)
    outputs = {
        "cat0": torch.cat([x, y, z], dim=0),
        "cat1": torch.cat((x, y), dim=1),
        "cat-1": torch.cat([x, y], -1),
        "stack0": torch.stack([x, y]),
        "stack1": torch.stack([x, y], dim=1),
        "stack-1": torch.stack((x, y), dim=-1),
    }
    backward_weighted(*outputs.values())
    outputs.update({"x.grad": x.grad, "y.grad": y.grad, "z.grad": z.grad})
    return outputs


# ---------------------------------------------------------------------------
# Reductions
# ---------------------------------------------------------------------------

@case
def reductions_sum_mean():
    x = leaf(2, 3, 4, b=0.2)
    outputs = {
        "sum": x.sum(),
        "sum(1)": x.sum(dim=1),
        "sum(-1,keepdim)": x.sum(dim=-1, keepdim=True),
        "sum((0,2))": x.sum(dim=(0, 2)),
        "torch.sum(0)": torch.sum(x, 0),
        "mean": x.mean(),
        "mean(1)": x.mean(dim=1),
        "mean(2,keepdim)": x.mean(2, keepdim=True),
        "torch.mean(0)": torch.mean(x, dim=0),
    }
    backward_weighted(*outputs.values())
    outputs["x.grad"] = x.grad
    return outputs


@case
def reductions_max_min():
    x = leaf(3, 5, a=0.73, b=0.2)
    values, indices = x.max(dim=1)
    min_result = torch.min(x, dim=0, keepdim=True)
    outputs = {
        "max": x.max(),
        "min": torch.min(x),
        "max(1).values": values,
        "max(1).indices": indices,
        "min(0,keepdim).values": min_result.values,
        "min(0,keepdim).indices": min_result.indices,
        "argmax": x.argmax(),
        "argmax(1)": x.argmax(dim=1),
        "argmax(0,keepdim)": torch.argmax(x, dim=0, keepdim=True),
        "argmin(1)": x.argmin(dim=1),
    }
    backward_weighted(outputs["max"], outputs["min"], values, min_result.values)
    outputs["x.grad"] = x.grad
    return outputs


@case
def reductions_var_std():
    x = leaf(3, 5, a=0.73, b=0.2)
    outputs = {
        "var": x.var(),
        "var(1)": x.var(dim=1),
        "var(0,biased)": x.var(dim=0, unbiased=False),
        "std": x.std(),
        "std(1,keepdim)": x.std(dim=1, keepdim=True),
        "torch.std(0,biased)": torch.std(x, dim=0, unbiased=False),
    }
    backward_weighted(*outputs.values())
    outputs["x.grad"] = x.grad
    return outputs


# ---------------------------------------------------------------------------
# Matmul, softmax
# ---------------------------------------------------------------------------

@case
def matmul():
    a = leaf(3, 4, b=0.2)
    b = leaf(4, 5, a=0.8, b=1.0)
    batch_a = leaf(2, 3, 4, a=0.5, b=0.3)
    batch_b = leaf(2, 4, 2, a=0.9, b=0.7)
    v = leaf(4, a=1.1, b=0.4)
    w = leaf(4, a=0.3, b=1.4)
    outputs = {
        "a@b": a @ b,
        "matmul(a,b)": torch.matmul(a, b * 0.5),
        "a.mm(b)": a.mm(b),
        "batched": batch_a @ batch_b,
        "batched_broadcast": batch_a @ b,
        "torch.bmm": torch.bmm(batch_a, batch_b),
        "matrix@vector": a @ v,
        "vector@matrix": w @ b,
        "vector@vector": v @ w,
        "a@b.t()": a @ a.t(),
    }
    backward_weighted(*outputs.values())
    outputs.update({
        "a.grad": a.grad,
        "b.grad": b.grad,
        "batch_a.grad": batch_a.grad,
        "batch_b.grad": batch_b.grad,
        "v.grad": v.grad,
        "w.grad": w.grad,
    })
    return outputs


@case
def softmax_log_softmax():
    x = leaf(2, 3, 4, a=0.9, b=0.2, scale=2.0)
    outputs = {
        "softmax(-1)": torch.softmax(x, dim=-1),
        "softmax(1)": F.softmax(x, dim=1),
        "x.softmax(0)": x.softmax(0),
        "log_softmax(-1)": F.log_softmax(x, dim=-1),
        "torch.log_softmax(1)": torch.log_softmax(x, dim=1),
        "x.log_softmax(2)": x.log_softmax(2),
    }
    backward_weighted(*outputs.values())
    outputs["x.grad"] = x.grad
    return outputs


# ---------------------------------------------------------------------------
# Functional layers
# ---------------------------------------------------------------------------

@case
def functional_linear():
    x = leaf(5, 4, b=0.2)
    weight = leaf(3, 4, a=0.8, b=1.0, scale=0.5)
    bias = leaf(3, a=0.6, b=0.1, scale=0.5)
    with_bias = F.linear(x, weight, bias)
    without_bias = F.linear(x * 0.5, weight)
    batched = F.linear(x.reshape(5, 1, 4), weight, bias)
    backward_weighted(with_bias, without_bias, batched)
    return {
        "linear": with_bias,
        "linear_no_bias": without_bias,
        "linear_3d": batched,
        "x.grad": x.grad,
        "weight.grad": weight.grad,
        "bias.grad": bias.grad,
    }


@case
def functional_conv2d():
    x = leaf(2, 3, 7, 7, a=0.41, b=0.2)
    weight = leaf(4, 3, 3, 3, a=0.77, b=1.0, scale=0.3)
    bias = leaf(4, a=0.6, b=0.1, scale=0.5)
    plain = F.conv2d(x, weight)
    strided = F.conv2d(x, weight, bias, stride=2, padding=1)
    padded = F.conv2d(x, weight, bias=bias, padding=1)
    backward_weighted(plain, strided, padded)
    return {
        "conv": plain,
        "conv_stride2_pad1": strided,
        "conv_pad1": padded,
        "x.grad": x.grad,
        "weight.grad": weight.grad,
        "bias.grad": bias.grad,
    }


@case
def functional_pooling():
    x = leaf(2, 3, 7, 7, a=0.41, b=0.2)
    outputs = {
        "max_pool2d(2)": F.max_pool2d(x, 2),
        "max_pool2d(3,stride2)": F.max_pool2d(x, 3, stride=2),
        "max_pool2d(kernel_size=(2,2))": F.max_pool2d(x * 0.5, kernel_size=(2, 2)),
        "avg_pool2d(2)": F.avg_pool2d(x, 2),
        "avg_pool2d(3,stride2)": F.avg_pool2d(x, 3, stride=2),
    }
    backward_weighted(*outputs.values())
    outputs["x.grad"] = x.grad
    return outputs


@case
def functional_dropout_eval():
    x = leaf(3, 4, b=0.2)
    dropped = F.dropout(x, p=0.5, training=False)
    dropout = nn.Dropout(0.3)
    dropout.eval()
    module_dropped = dropout(x * 2)
    backward_weighted(dropped, module_dropped)
    return {
        "F.dropout(training=False)": dropped,
        "Dropout.eval()": module_dropped,
        "x.grad": x.grad,
        "dropout.training": flag(dropout.training),
    }


@case
def functional_layer_norm():
    x = leaf(2, 3, 4, a=0.9, b=0.2, scale=2.0, offset=0.3)
    weight = leaf(4, a=0.7, b=0.5, scale=0.5, offset=1.0)
    bias = leaf(4, a=0.6, b=0.1, scale=0.5)
    affine = F.layer_norm(x, (4,), weight, bias)
    plain = F.layer_norm(x * 1.5, (4,))
    two_dims = F.layer_norm(x, (3, 4), eps=1e-3)
    backward_weighted(affine, plain, two_dims)
    return {
        "layer_norm_affine": affine,
        "layer_norm_plain": plain,
        "layer_norm_2d": two_dims,
        "x.grad": x.grad,
        "weight.grad": weight.grad,
        "bias.grad": bias.grad,
    }


@case
def functional_embedding():
    weight = leaf(6, 3, a=0.7, b=0.5)
    idx = torch.tensor([[1, 4, 1], [5, 0, 1]])  # index 1 repeats: gradient rows add up
    out = F.embedding(idx, weight)
    backward_weighted(out)
    return {"embedding": out, "weight.grad": weight.grad}


# ---------------------------------------------------------------------------
# Modules
# ---------------------------------------------------------------------------

@case
def module_linear():
    layer = fill_parameters(nn.Linear(4, 3))
    x = leaf(5, 4, b=0.2)
    out = layer(x)
    backward_weighted(out)
    return {
        "out": out,
        "x.grad": x.grad,
        "weight.grad": layer.weight.grad,
        "bias.grad": layer.bias.grad,
        "weight.shape": torch.tensor(list(layer.weight.shape)),
        "no_bias": fill_parameters(nn.Linear(4, 2, bias=False))(x.detach()),
    }


@case
def module_linear_default_init_shapes():
    # Default init is random; only shapes, dtypes and flags are comparable.
    layer = nn.Linear(7, 5)
    return {
        "weight.shape": torch.tensor(list(layer.weight.shape)),
        "bias.shape": torch.tensor(list(layer.bias.shape)),
        "requires_grad": torch.tensor([p.requires_grad for p in layer.parameters()]),
        "parameter_count": torch.tensor(sum(p.numel() for p in layer.parameters())),
        "init_bound_ok": flag(layer.weight.abs().max().item() <= 1.0 / math.sqrt(7) + 1e-6),
        "is_leaf": flag(layer.weight.is_leaf),
        "grad_none": flag(layer.weight.grad is None),
    }


@case
def module_conv2d():
    conv = fill_parameters(nn.Conv2d(3, 4, 3, padding=1))
    strided = fill_parameters(nn.Conv2d(3, 2, kernel_size=2, stride=2, bias=False), salt=0.4)
    x = leaf(2, 3, 6, 6, a=0.41, b=0.2)
    out = conv(x)
    out_strided = strided(x)
    backward_weighted(out, out_strided)
    return {
        "out": out,
        "out_stride2": out_strided,
        "x.grad": x.grad,
        "weight.grad": conv.weight.grad,
        "bias.grad": conv.bias.grad,
        "strided.weight.grad": strided.weight.grad,
    }


@case
def module_pooling():
    x = leaf(2, 3, 6, 6, a=0.41, b=0.2)
    max_pool = nn.MaxPool2d(2)
    avg_pool = nn.AvgPool2d(2)
    max_pool3 = nn.MaxPool2d(kernel_size=3, stride=2)
    outputs = {
        "MaxPool2d(2)": max_pool(x),
        "AvgPool2d(2)": avg_pool(x),
        "MaxPool2d(3,2)": max_pool3(x),
    }
    backward_weighted(*outputs.values())
    outputs["x.grad"] = x.grad
    return outputs


def batch_norm_case(norm, x):
    fill_parameters(norm)
    outputs = {"training_default": flag(norm.training)}
    out = norm(x)
    backward_weighted(out)
    outputs.update({
        "train.out": out,
        "train.x.grad": x.grad.clone(),
        "train.weight.grad": norm.weight.grad.clone(),
        "train.bias.grad": norm.bias.grad.clone(),
        "running_mean.1": norm.running_mean.clone(),
        "running_var.1": norm.running_var.clone(),
        "num_batches_tracked.1": norm.num_batches_tracked.clone(),
    })
    # A second training batch moves the running stats again (momentum 0.1).
    norm(x.detach() * 1.5 + 0.25)
    outputs.update({
        "running_mean.2": norm.running_mean.clone(),
        "running_var.2": norm.running_var.clone(),
        "num_batches_tracked.2": norm.num_batches_tracked.clone(),
    })
    norm.eval()
    x.grad = None
    norm.weight.grad = None
    norm.bias.grad = None
    out_eval = norm(x)
    backward_weighted(out_eval)
    outputs.update({
        "eval.out": out_eval,
        "eval.x.grad": x.grad,
        "eval.weight.grad": norm.weight.grad,
        "eval.bias.grad": norm.bias.grad,
        "eval.running_mean_unchanged": norm.running_mean,
        "training_after_eval": flag(norm.training),
    })
    return outputs


@case
def module_batchnorm1d():
    return batch_norm_case(nn.BatchNorm1d(4), leaf(6, 4, a=0.9, b=0.2, scale=2.0, offset=0.5))


@case
def module_batchnorm1d_3d_input():
    return batch_norm_case(nn.BatchNorm1d(3), leaf(2, 3, 5, a=0.9, b=0.2, scale=2.0, offset=0.5))


@case
def module_batchnorm2d():
    return batch_norm_case(nn.BatchNorm2d(3), leaf(2, 3, 4, 4, a=0.9, b=0.2, scale=2.0, offset=-0.3))


@case
def module_layernorm():
    norm = fill_parameters(nn.LayerNorm(4))
    norm2 = nn.LayerNorm([3, 4], elementwise_affine=False)
    x = leaf(2, 3, 4, a=0.9, b=0.2, scale=2.0, offset=0.3)
    out = norm(x)
    out2 = norm2(x * 0.5)
    backward_weighted(out, out2)
    return {
        "out": out,
        "out_no_affine_2d": out2,
        "x.grad": x.grad,
        "weight.grad": norm.weight.grad,
        "bias.grad": norm.bias.grad,
    }


@case
def module_embedding():
    embedding = fill_parameters(nn.Embedding(10, 3))
    idx = torch.tensor([[1, 7, 1, 9], [0, 7, 3, 3]])
    out = embedding(idx)
    backward_weighted(out)
    return {"out": out, "weight.grad": embedding.weight.grad}


@case
def module_activations():
    x = leaf(3, 5, a=0.61, b=0.15, scale=3.0)
    modules = {
        "ReLU": nn.ReLU(),
        "Softmax(1)": nn.Softmax(dim=1),
        "LogSoftmax(1)": nn.LogSoftmax(dim=1),
        "Sigmoid": nn.Sigmoid(),
        "Tanh": nn.Tanh(),
        "GELU": nn.GELU(),
        "Softmax(0)": nn.Softmax(0),
    }
    outputs = {name: module(x) for name, module in modules.items()}
    backward_weighted(*outputs.values())
    outputs["x.grad"] = x.grad
    return outputs


@case
def module_flatten_sequential():
    model = nn.Sequential(
        nn.Flatten(),
        nn.Linear(12, 5),
        nn.ReLU(),
        nn.Linear(5, 2),
    )
    fill_parameters(model)
    x = leaf(4, 3, 2, 2, b=0.2)
    flat = nn.Flatten()(x)
    flat0 = nn.Flatten(0)(x[0])
    out = model(x)
    backward_weighted(out, flat * 0.1)
    return {
        "flatten": flat,
        "flatten(0)": flat0,
        "out": out,
        "x.grad": x.grad,
        "seq[1].weight.grad": model[1].weight.grad,
        "seq[1].bias.grad": model[1].bias.grad,
        "seq[3].weight.grad": model[3].weight.grad,
        "seq[3].bias.grad": model[3].bias.grad,
        "parameter_count": torch.tensor(sum(p.numel() for p in model.parameters())),
        "len": torch.tensor(len(model)),
    }


class QuickstartNetwork(nn.Module):
    """The network of the PyTorch quickstart tutorial."""

    def __init__(self):
        super().__init__()
        self.flatten = nn.Flatten()
        self.linear_relu_stack = nn.Sequential(
            nn.Linear(28 * 28, 512),
            nn.ReLU(),
            nn.Linear(512, 512),
            nn.ReLU(),
            nn.Linear(512, 10),
        )

    def forward(self, x):
        x = self.flatten(x)
        logits = self.linear_relu_stack(x)
        return logits


def quickstart_batch():
    images = wave(4, 1, 28, 28, a=0.83, b=0.1, scale=0.5, offset=0.5)  # pixels in [0, 1]
    labels = torch.tensor([3, 7, 0, 9])
    return images, labels


@case
def quickstart_mlp():
    model = fill_parameters(QuickstartNetwork())
    images, labels = quickstart_batch()
    loss_fn = nn.CrossEntropyLoss()
    logits = model(images)
    loss = loss_fn(logits, labels)
    loss.backward()
    outputs = {"logits": logits, "loss": loss, "loss.item": torch.tensor(loss.item())}
    stack = model.linear_relu_stack
    for position in (0, 2, 4):
        outputs.update(grad_summary("stack[%d].weight" % position, stack[position].weight))
        outputs.update(grad_summary("stack[%d].bias" % position, stack[position].bias))
    outputs["stack[4].weight.grad[:, :16]"] = stack[4].weight.grad[:, :16]
    outputs["parameter_count"] = torch.tensor(sum(p.numel() for p in model.parameters()))
    return outputs


@case
def quickstart_train_and_test_loop():
    """Three SGD steps of the quickstart train() loop, then its test() metrics."""
    model = fill_parameters(QuickstartNetwork())
    images, labels = quickstart_batch()
    loss_fn = nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=1e-1)
    model.train()
    losses = []
    for _ in range(3):
        pred = model(images)
        loss = loss_fn(pred, labels)
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
        losses.append(loss.item())
    model.eval()
    test_loss, correct = 0.0, 0
    with torch.no_grad():
        pred = model(images)
        test_loss += loss_fn(pred, labels).item()
        correct += (pred.argmax(1) == labels).type(torch.float).sum().item()
    last = model.linear_relu_stack[4]
    return {
        "losses": torch.tensor(losses),
        "test_loss": torch.tensor(test_loss),
        "correct": torch.tensor(correct),
        "pred.argmax(1)": pred.argmax(1),
        "last.weight[:, :8]": last.weight[:, :8].detach(),
        "last.bias": last.bias.detach(),
    }


# ---------------------------------------------------------------------------
# Losses
# ---------------------------------------------------------------------------

def loss_case(make_loss, make_input, target):
    """Forward and gradient of a loss under each reduction.

    make_input returns (leaf, loss_input); the gradient reported is the leaf's.
    """
    outputs = {}
    for reduction in ("mean", "sum", "none"):
        x, loss_input = make_input()
        loss_fn = make_loss() if reduction == "mean" else make_loss(reduction=reduction)
        loss = loss_fn(loss_input, target)
        if reduction == "none":
            backward_weighted(loss)
        else:
            loss.backward()
        outputs[reduction + ".loss"] = loss
        outputs[reduction + ".x.grad"] = x.grad
    return outputs


def direct(*shape, **formula):
    """make_input for loss_case: the leaf itself is the loss input."""
    def make():
        x = leaf(*shape, **formula)
        return x, x
    return make


def logits_input():
    return leaf(5, 4, a=0.9, b=0.2, scale=2.0)


CLASS_TARGET = [1, 0, 3, 3, 2]


@case
def loss_cross_entropy():
    outputs = loss_case(nn.CrossEntropyLoss, direct(5, 4, a=0.9, b=0.2, scale=2.0), torch.tensor(CLASS_TARGET))
    x = logits_input()
    functional = F.cross_entropy(x, torch.tensor(CLASS_TARGET))
    functional.backward()
    outputs["F.cross_entropy"] = functional
    outputs["F.cross_entropy.x.grad"] = x.grad
    return outputs


@case
def loss_nll():
    def log_probabilities():
        x = logits_input()
        return x, F.log_softmax(x, dim=1)

    outputs = loss_case(nn.NLLLoss, log_probabilities, torch.tensor(CLASS_TARGET))
    x = logits_input()
    functional = F.nll_loss(F.log_softmax(x, dim=1), torch.tensor(CLASS_TARGET))
    functional.backward()
    outputs["F.nll_loss(log_softmax)"] = functional
    outputs["F.nll_loss.x.grad"] = x.grad
    return outputs


@case
def loss_mse():
    target = wave(3, 4, a=0.8, b=1.0)
    outputs = loss_case(nn.MSELoss, direct(3, 4, b=0.2), target)
    x = leaf(3, 4, b=0.2)
    functional = F.mse_loss(x, target)
    functional.backward()
    outputs["F.mse_loss"] = functional
    outputs["F.mse_loss.x.grad"] = x.grad
    return outputs


@case
def loss_l1():
    # Input and target never coincide, so |x - t| has a defined gradient everywhere.
    target = wave(3, 4, a=0.8, b=1.0, offset=0.05)
    outputs = loss_case(nn.L1Loss, direct(3, 4, b=0.2), target)
    x = leaf(3, 4, b=0.2)
    functional = F.l1_loss(x, target)
    functional.backward()
    outputs["F.l1_loss"] = functional
    outputs["F.l1_loss.x.grad"] = x.grad
    return outputs


@case
def loss_bce():
    target = wave(3, 4, a=0.8, b=1.0, scale=0.5, offset=0.5)  # soft targets in [0, 1]
    hard_target = (wave(3, 4, a=1.3, b=0.4) > 0).float()

    def probabilities():
        x = leaf(3, 4, b=0.2, scale=2.0)
        return x, torch.sigmoid(x)

    outputs = loss_case(nn.BCELoss, probabilities, target)
    x, p = probabilities()
    hard = F.binary_cross_entropy(p, hard_target)
    hard.backward()
    outputs["F.binary_cross_entropy_hard"] = hard
    outputs["F.binary_cross_entropy_hard.x.grad"] = x.grad
    return outputs


@case
def loss_bce_with_logits():
    target = wave(3, 4, a=0.8, b=1.0, scale=0.5, offset=0.5)
    outputs = loss_case(nn.BCEWithLogitsLoss, direct(3, 4, b=0.2, scale=3.0), target)
    x = leaf(3, 4, b=0.2, scale=3.0)
    functional = F.binary_cross_entropy_with_logits(x * 4.0, (target > 0.5).float())
    functional.backward()
    outputs["F.bce_with_logits_large"] = functional
    outputs["F.bce_with_logits_large.x.grad"] = x.grad
    return outputs


# ---------------------------------------------------------------------------
# Optimizers
# ---------------------------------------------------------------------------

def optimizer_case(make_optimizer, steps=3):
    """Train a fixed Linear(4, 3) on a fixed MSE problem; record every step."""
    model = fill_parameters(nn.Linear(4, 3))
    x = wave(5, 4, b=0.2)
    target = wave(5, 3, a=0.8, b=1.0)
    optimizer = make_optimizer(model.parameters())
    outputs = {}
    for step in range(1, steps + 1):
        before_weight = model.weight.detach().clone()
        before_bias = model.bias.detach().clone()
        optimizer.zero_grad()
        loss = F.mse_loss(model(x), target)
        loss.backward()
        optimizer.step()
        prefix = "step%d." % step
        outputs[prefix + "loss"] = loss.detach()
        outputs[prefix + "weight.grad"] = model.weight.grad.clone()
        outputs[prefix + "weight"] = model.weight.detach().clone()
        outputs[prefix + "bias"] = model.bias.detach().clone()
        outputs[prefix + "weight.delta"] = model.weight.detach() - before_weight
        outputs[prefix + "bias.delta"] = model.bias.detach() - before_bias
    return outputs


@case
def optim_sgd():
    return optimizer_case(lambda params: torch.optim.SGD(params, lr=0.1))


@case
def optim_sgd_momentum():
    return optimizer_case(lambda params: torch.optim.SGD(params, lr=0.1, momentum=0.9))


@case
def optim_sgd_nesterov():
    return optimizer_case(lambda params: torch.optim.SGD(params, lr=0.1, momentum=0.9, nesterov=True))


@case
def optim_sgd_weight_decay():
    return optimizer_case(lambda params: torch.optim.SGD(params, lr=0.1, weight_decay=0.05))


@case
def optim_sgd_momentum_dampening_weight_decay():
    return optimizer_case(
        lambda params: torch.optim.SGD(params, lr=0.05, momentum=0.8, dampening=0.3, weight_decay=0.01)
    )


@case
def optim_adam():
    return optimizer_case(lambda params: torch.optim.Adam(params, lr=0.01))


@case
def optim_adam_betas_weight_decay():
    return optimizer_case(lambda params: torch.optim.Adam(params, lr=0.02, betas=(0.8, 0.95), weight_decay=0.1))


@case
def optim_adamw():
    return optimizer_case(lambda params: torch.optim.AdamW(params, lr=0.01))


@case
def optim_adamw_weight_decay():
    return optimizer_case(lambda params: torch.optim.AdamW(params, lr=0.02, weight_decay=0.5))


@case
def optim_step_lr():
    model = fill_parameters(nn.Linear(4, 3))
    x = wave(5, 4, b=0.2)
    target = wave(5, 3, a=0.8, b=1.0)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=2, gamma=0.5)
    lrs, last_lrs = [], []
    for _ in range(6):
        optimizer.zero_grad()
        F.mse_loss(model(x), target).backward()
        optimizer.step()
        scheduler.step()
        lrs.append(optimizer.param_groups[0]["lr"])
        last_lrs.append(scheduler.get_last_lr()[0])
    return {
        "lr_per_epoch": torch.tensor(lrs),
        "get_last_lr": torch.tensor(last_lrs),
        "weight": model.weight.detach(),
        "bias": model.bias.detach(),
    }


@case
def optim_param_groups():
    model = fill_parameters(nn.Linear(4, 3))
    x = wave(5, 4, b=0.2)
    target = wave(5, 3, a=0.8, b=1.0)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.5)
    group = optimizer.param_groups[0]
    optimizer.zero_grad()
    F.mse_loss(model(x), target).backward()
    optimizer.step()
    return {
        "group.lr": torch.tensor(group["lr"]),
        "group.momentum": torch.tensor(group["momentum"]),
        "group.param_count": torch.tensor(len(group["params"])),
        "weight": model.weight.detach(),
    }


# ---------------------------------------------------------------------------
# Autograd semantics
# ---------------------------------------------------------------------------

@case
def autograd_accumulation():
    x = leaf(3, 4, b=0.2)
    weighted_sum(x * x).backward()
    first = x.grad.clone()
    weighted_sum(torch.exp(x)).backward()  # no zero_grad: adds to x.grad
    return {"after_first": first, "after_second": x.grad}


@case
def autograd_module_accumulation():
    layer = fill_parameters(nn.Linear(4, 3))
    x = wave(5, 4, b=0.2)
    weighted_sum(layer(x)).backward()
    first = layer.weight.grad.clone()
    weighted_sum(layer(x * 2.0)).backward()
    accumulated = layer.weight.grad.clone()
    with torch.no_grad():
        layer.weight.grad.zero_()
    zeroed = layer.weight.grad.clone()
    return {"first": first, "accumulated": accumulated, "after_zero_": zeroed}


@case
def autograd_retain_graph():
    x = leaf(3, 4, b=0.2)
    y = weighted_sum(torch.tanh(x) * x)
    y.backward(retain_graph=True)
    first = x.grad.clone()
    y.backward()
    return {"y": y, "after_first": first, "after_second": x.grad}


@case
def autograd_reuse_and_nonleaf():
    x = leaf(3, 4, b=0.2)
    h = x * 2.0 + 1.0
    y = h * h + h * x  # x and h each used twice
    weighted_sum(y).backward()
    return {
        "y": y,
        "x.grad": x.grad,
        "h.is_leaf": flag(h.is_leaf),
        "x.is_leaf": flag(x.is_leaf),
        "h.requires_grad": flag(h.requires_grad),
    }


@case
def autograd_detach():
    x = leaf(3, 4, b=0.2)
    frozen = x.detach()
    y = frozen * 3.0 + x * x
    weighted_sum(y).backward()
    return {
        "y": y,
        "x.grad": x.grad,
        "detached.requires_grad": flag(frozen.requires_grad),
        "detached.values": frozen,
        "y.requires_grad": flag(y.requires_grad),
    }


@case
def autograd_no_grad():
    x = leaf(3, 4, b=0.2)
    with torch.no_grad():
        inside = x * 2.0 + 1.0
    outside = x * inside
    weighted_sum(outside).backward()
    return {
        "inside": inside,
        "inside.requires_grad": flag(inside.requires_grad),
        "inside.grad_fn_is_none": flag(inside.grad_fn is None),
        "outside.requires_grad": flag(outside.requires_grad),
        "x.grad": x.grad,
        "grad_enabled_after": flag(torch.is_grad_enabled()),
    }


@case
def autograd_manual_sgd_update():
    w = leaf(3, 4, b=0.2)
    x = wave(4, 2, a=0.8, b=1.0)
    for _ in range(2):
        weighted_sum(w @ x).backward()
        with torch.no_grad():
            w -= 0.1 * w.grad
            w.grad.zero_()
    return {"w": w.detach(), "w.grad": w.grad, "w.is_leaf": flag(w.is_leaf)}


@case
def autograd_requires_grad_flags():
    x = torch.ones(2, 3)
    y = torch.ones(2, 3, requires_grad=True)
    return {
        "x.requires_grad": flag(x.requires_grad),
        "y.requires_grad": flag(y.requires_grad),
        "x+y.requires_grad": flag((x + y).requires_grad),
        "x.grad_is_none": flag(x.grad is None),
        "(x*2).requires_grad": flag((x * 2).requires_grad),
    }


# ---------------------------------------------------------------------------
# dtypes and creation
# ---------------------------------------------------------------------------

@case
def dtype_int64_arithmetic():
    a = torch.arange(12).reshape(3, 4) - 5
    b = torch.tensor([3, -2, 5, 7])
    return {
        "a": a,
        "a+b": a + b,
        "a-2": a - 2,
        "a*b": a * b,
        "a*3": a * 3,
        "-a": -a,
        "a.abs()": a.abs(),
        "a**2": a ** 2,
        "a//b": a // b,
        "a%b": a % b,
        "a%3": a % 3,
        "a/b": a / b,
        "a*0.5": a * 0.5,
        "a+float_tensor": a + wave(4, b=0.2),
        "a.sum()": a.sum(),
        "a.sum(0)": a.sum(dim=0),
        "a.max()": a.max(),
        "a.float()": a.float(),
        "a.type(torch.float)": a.type(torch.float),
        "a.to(float32)": a.to(torch.float32),
        "float.long()": torch.tensor([1.7, -1.7, 2.5, -0.2]).long(),
        "float.to(int64)": (wave(5, scale=3.0)).to(torch.int64),
        "mask+int": (a > 0) + a,
        "argmax": wave(3, 4, a=0.73, b=0.2).argmax(dim=1),
        "argmax+1": wave(3, 4, a=0.73, b=0.2).argmax(dim=1) + 1,
    }


@case
def dtype_float64_through_nn_functions():
    """float64 in, float64 out (and float64 gradients) through the nn functions, as PyTorch keeps the input's dtype."""
    x = wave(2, 3, 4, 4, a=0.29, b=0.1).double().requires_grad_(True)
    w = wave(2, 3, 3, 3, a=0.41, scale=0.3).double().requires_grad_(True)
    target = torch.tensor([1, 0])
    outputs = {
        "log_softmax": F.log_softmax(x, dim=1),
        "softmax": F.softmax(x, dim=1),
        "avg_pool2d": F.avg_pool2d(x, 2),
        "max_pool2d": F.max_pool2d(x, 2),
        "layer_norm": F.layer_norm(x, (4,)),
        "conv2d": F.conv2d(x, w),
        "cross_entropy": F.cross_entropy(x.flatten(1), target),
        "nll_loss": F.nll_loss(F.log_softmax(x.flatten(1), dim=1), target),
    }
    backward_weighted(*outputs.values())
    return {**outputs, "x.grad": x.grad, "w.grad": w.grad}


@case
def dtype_bool_and_promotion():
    x = wave(3, 4, b=0.2)
    mask = x > 0
    return {
        "mask": mask,
        "mask.sum()": mask.sum(),
        "mask.sum(1)": mask.sum(dim=1),
        "mask*x": mask * x,
        "x[mask].numel": torch.tensor(x[mask].numel()),
        "where(mask,1.0,0.0)": torch.where(mask, torch.ones_like(x), torch.zeros_like(x)),
        "tensor(bools)": torch.tensor([True, False, True]),
        "tensor(ints)": torch.tensor([1, 2, 3]),
        "tensor(floats)": torch.tensor([1.0, 2.5, -3.0]),
        "tensor(nested)": torch.tensor([[1.5, 2.0], [3.0, -4.25]]),
        "int_tensor(float)": torch.tensor([1, 2], dtype=torch.float32),
    }


@case
def creation():
    x = wave(2, 3, b=0.2)
    return {
        "zeros": torch.zeros(2, 3),
        "zeros_tuple": torch.zeros((3, 2)),
        "ones": torch.ones(2, 2),
        "full": torch.full((2, 3), 3.5),
        "zeros_like": torch.zeros_like(x),
        "ones_like": torch.ones_like(x),
        "arange(5)": torch.arange(5),
        "arange(1,10,2)": torch.arange(1, 10, 2),
        "arange_float": torch.arange(0, 1, 0.25),
        "zeros_int": torch.zeros(3, dtype=torch.long),
    }


@case
def counting_and_ranking():
    x = wave(40, a=0.61, b=0.1, scale=2.0)
    labels = (wave(30, a=0.91, b=0.4, scale=4.5, offset=4.5)).long()
    boundaries = torch.tensor([-1.5, -0.25, 0.3, 1.1])
    return {
        "bincount": torch.bincount(labels),
        "bincount(minlength)": labels.bincount(minlength=12),
        "bincount(weights)": torch.bincount(labels, weights=wave(30, a=0.29)),
        "histc": torch.histc(x, bins=7),
        "histc(range)": x.histc(bins=5, min=-1.0, max=1.0),
        "searchsorted": torch.searchsorted(boundaries, x[:12]),
        "searchsorted(right,2d)": torch.searchsorted(boundaries.repeat(3, 1), x[:12].reshape(3, 4), right=True),
        "bucketize": torch.bucketize(x[:12], boundaries),
        "bucketize(right,int32)": torch.bucketize(x[:12], boundaries, right=True, out_int32=True).long(),
    }


@case
def quantile():
    x = leaf(4, 9, a=0.43, b=0.2)
    q = torch.tensor([0.1, 0.5, 0.85])
    outputs = {
        "quantile(0.3)": x.quantile(0.3),
        "quantile(q,dim=1)": torch.quantile(x, q, dim=1),
        "quantile(0.7,dim=0,keepdim)": x.quantile(0.7, dim=0, keepdim=True),
        "quantile(q,lower)": x.quantile(q, interpolation="lower"),
        "quantile(q,higher,dim=1)": x.quantile(q, dim=1, interpolation="higher"),
        "quantile(q,midpoint)": x.quantile(q, interpolation="midpoint"),
        "quantile(q,nearest,dim=1)": x.quantile(q, dim=1, interpolation="nearest"),
    }
    backward_weighted(*outputs.values())
    outputs["x.grad"] = x.grad
    return outputs


@case
def norm_gradient_at_zero():
    # The one kink observed on purpose: where a norm is 0 (a zero-initialized bias in a penalty, a zero row given to
    # F.normalize or F.cosine_similarity) PyTorch's backward gives 0 or a finite value, not the NaN of 0 · ∞.
    zero = torch.zeros(3, requires_grad=True)
    rows = torch.cat([torch.zeros(1, 4), wave(1, 4, b=0.3)]).requires_grad_()
    cube = torch.zeros(2, requires_grad=True)
    unit = torch.cat([torch.zeros(1, 3), wave(1, 3, b=0.7)]).requires_grad_()
    angle = torch.cat([torch.zeros(1, 3), wave(1, 3, b=1.1)]).requires_grad_()
    outputs = {
        "norm(zeros)": zero.norm(),
        "norm(rows,dim=1)": rows.norm(dim=1),
        "norm(p=3)": cube.norm(p=3),
        "normalize(rows)": F.normalize(unit, dim=1),
        "cosine_similarity(rows)": F.cosine_similarity(angle, wave(2, 3, b=0.4)),
    }
    backward_weighted(*outputs.values())
    outputs.update({"zero.grad": zero.grad, "rows.grad": rows.grad, "cube.grad": cube.grad, "unit.grad": unit.grad,
                    "angle.grad": angle.grad})
    return outputs


@case
def linalg_norms():
    a = leaf(3, 4, a=0.57, b=0.2)
    b = leaf(2, 3, 4, a=0.31, b=0.9)
    outputs = {
        "linalg.norm(a)": torch.linalg.norm(a),
        "linalg.norm(a,dim=1)": torch.linalg.norm(a, dim=1),
        "linalg.norm(a,1)": torch.linalg.norm(a, ord=1),
        "linalg.norm(a,-inf)": torch.linalg.norm(a, ord=-math.inf),
        "vector_norm(b,3,keepdim)": torch.linalg.vector_norm(b, ord=3, dim=(0, 2), keepdim=True),
        "vector_norm(b,inf)": torch.linalg.vector_norm(b, ord=math.inf),
        "matrix_norm(b)": torch.linalg.matrix_norm(b),
        "matrix_norm(b,-1)": torch.linalg.matrix_norm(b, ord=-1),
        "matrix_norm(b,inf,(0,2))": torch.linalg.matrix_norm(b, ord=math.inf, dim=(0, 2)),
    }
    backward_weighted(*outputs.values())
    outputs.update({"a.grad": a.grad, "b.grad": b.grad})
    return outputs


# NaN and ±Inf inputs live in their own module, which registers into CASES on import.
import cases_nonfinite  # noqa: E402,F401
import cases_views  # noqa: E402,F401
