# Fidelity cases with NaN and ±Inf inputs: every op must place NaN/Inf exactly where PyTorch does, forward and backward.
"""Registered into cases.CASES (imported at the end of cases.py).

Inputs are ``wave`` tensors with NaN, +Inf and -Inf written into fixed
positions (``poisoned``).  Gradients are taken through ``weighted_sum`` like
the other cases, so a NaN gradient element shows where PyTorch lets a NaN
through and a zero shows where it blocks it.
"""

import torch
import torch.nn as nn
import torch.nn.functional as F

from cases import case, fill_parameters, wave, weighted_sum

NAN = float("nan")
INF = float("inf")


def poisoned(*shape, spots=((1, NAN), (4, INF), (7, -INF)), grad=True, **formula):
    """A ``wave`` tensor with the given flat positions set to NaN/±Inf; a leaf that requires grad unless grad=False."""
    values = wave(*shape, **formula)
    flat = values.reshape(-1).clone()
    count = flat.shape[0]
    for position, value in spots:
        flat[position % count] = value
    values = flat.reshape(tuple(shape))
    return values.requires_grad_() if grad else values


def backward_each(outputs, *leaves):
    """Gradient of every output separately (so one NaN does not hide another): {name.grad(leaf): tensor}."""
    grads = {}
    for name, out in list(outputs.items()):
        if not out.requires_grad:
            continue
        found = torch.autograd.grad(weighted_sum(out), leaves, allow_unused=True)
        for index, grad in enumerate(found):
            if grad is not None:
                grads["%s.grad%d" % (name, index)] = grad
    return grads


@case
def nonfinite_activations():
    x = poisoned(2, 5, b=0.3)
    outputs = {
        "relu": torch.relu(x),
        "F.relu": F.relu(x),
        "leaky_relu": F.leaky_relu(x, 0.1),
        "relu6": F.relu6(x),
        "hardtanh": F.hardtanh(x, -0.5, 0.5),
        "elu": F.elu(x),
        "elu(0.5)": F.elu(x, 0.5),
        "celu": F.celu(x, 0.7),
        "selu": F.selu(x),
        "threshold": F.threshold(x, 0.1, -2.0),
        "hardsigmoid": F.hardsigmoid(x),
        "hardswish": F.hardswish(x),
        "logsigmoid": F.logsigmoid(x),
        "softsign": F.softsign(x),
        "mish": F.mish(x),
        "log": torch.log(x),
        "sqrt": torch.sqrt(x),
        "gelu": F.gelu(x),
        "silu": F.silu(x),
        "softplus": F.softplus(x),
        "sigmoid": torch.sigmoid(x),
        "tanh": torch.tanh(x),
        "abs": torch.abs(x),
        "sign": torch.sign(x.detach()),
        "signbit": torch.signbit(x),
        "isnan": torch.isnan(x),
        "isinf": torch.isinf(x),
        "exp": torch.exp(x),
        "neg": -x,
    }
    outputs.update(backward_each(outputs, x))
    return outputs


@case
def nonfinite_clamp():
    x = poisoned(2, 5, b=0.3)
    outputs = {
        "clamp(-0.5,0.5)": torch.clamp(x, -0.5, 0.5),
        "clamp(min=0)": torch.clamp(x, min=0.0),
        "clamp(max=0.2)": torch.clamp(x, max=0.2),
        "clamp_min": x.clamp_min(-0.3),
        "clamp_max": x.clamp_max(0.3),
    }
    outputs.update(backward_each(outputs, x))
    return outputs


@case
def nonfinite_maximum_minimum():
    a = poisoned(2, 5, b=0.3)
    b = poisoned(2, 5, a=0.9, b=1.1, spots=((1, 2.0), (3, NAN), (4, -INF), (8, INF)))
    outputs = {
        "maximum": torch.maximum(a, b),
        "minimum": torch.minimum(a, b),
        "max(a,b)": torch.max(a, b),
        "min(a,b)": torch.min(a, b),
    }
    outputs.update(backward_each(outputs, a, b))
    return outputs


@case
def nonfinite_reductions():
    x = poisoned(3, 4, b=0.3, spots=((1, NAN), (6, INF), (9, -INF)))
    max_values, max_indices = torch.max(x, dim=1)
    min_values, min_indices = torch.min(x, dim=1)
    max_cols, max_col_indices = x.max(dim=0)
    outputs = {
        "max()": x.max(),
        "min()": x.min(),
        "max(dim=1).values": max_values,
        "max(dim=1).indices": max_indices,
        "min(dim=1).values": min_values,
        "min(dim=1).indices": min_indices,
        "max(dim=0).values": max_cols,
        "max(dim=0).indices": max_col_indices,
        "amax(1)": torch.amax(x, dim=1),
        "amin(0)": torch.amin(x, dim=0),
        "sum(1)": x.sum(dim=1),
        "mean(0)": x.mean(dim=0),
        "argmax()": torch.argmax(x),
        "argmin()": torch.argmin(x),
        "argmax(1)": torch.argmax(x, dim=1),
        "argmin(1)": torch.argmin(x, dim=1),
        "argmax(0)": torch.argmax(x, dim=0),
    }
    outputs.update(backward_each(outputs, x))
    return outputs


@case
def nonfinite_std_of_a_constant():
    """std's gradient where the std is 0 (a constant column): PyTorch gives 0 there, not √'s infinite slope times 0."""
    x = torch.tensor([[1.0, 2.0, 0.5], [1.0, 5.0, 0.5], [1.0, -3.0, 0.5]], requires_grad=True)
    outputs = {"std(0)": x.std(dim=0), "std()": x[:, 0].std(), "var(0)": x.var(dim=0)}
    outputs.update(backward_each(outputs, x))
    return outputs


@case
def nonfinite_argmax_inf_only():
    # No NaN: ±Inf must win and lose like any number.
    x = poisoned(3, 4, b=0.3, grad=False, spots=((2, INF), (5, -INF), (11, INF)))
    return {
        "argmax()": torch.argmax(x),
        "argmin()": torch.argmin(x),
        "argmax(1)": torch.argmax(x, dim=1),
        "argmin(1)": torch.argmin(x, dim=1),
        "max(dim=1).values": torch.max(x, dim=1).values,
    }


@case
def nonfinite_pooling():
    x = poisoned(1, 2, 4, 4, b=0.3, spots=((5, NAN), (10, INF), (19, -INF), (28, NAN), (30, INF)))
    outputs = {
        "max_pool2d(2)": F.max_pool2d(x, 2),
        "max_pool2d(3,1,1)": F.max_pool2d(x, 3, stride=1, padding=1),
        "avg_pool2d(2)": F.avg_pool2d(x, 2),
        "adaptive_avg_pool2d(1)": F.adaptive_avg_pool2d(x, 1),
        "nn.MaxPool2d(2)": nn.MaxPool2d(2)(x),
    }
    outputs.update(backward_each(outputs, x))
    return outputs


@case
def nonfinite_matmul():
    a = poisoned(3, 4, b=0.3, spots=((1, NAN), (6, INF)))
    b = poisoned(4, 2, a=0.7, b=0.9, spots=((7, -INF),))
    v = poisoned(4, a=0.5, b=0.2, spots=((2, INF),))
    outputs = {
        "a@b": a @ b,
        "a@v": a @ v,
        "mm": torch.mm(a, b),
    }
    outputs.update(backward_each(outputs, a, b, v))
    return outputs


@case
def nonfinite_softmax():
    x = poisoned(3, 4, b=0.3, spots=((1, INF), (4, NAN), (9, -INF)))
    outputs = {
        "softmax(1)": torch.softmax(x, dim=1),
        "log_softmax(1)": F.log_softmax(x, dim=1),
        "softmax(0)": F.softmax(x, dim=0),
    }
    outputs.update(backward_each(outputs, x))
    return outputs


@case
def nonfinite_losses():
    logits = poisoned(4, 3, b=0.3, spots=((1, NAN), (7, INF)))
    target = torch.tensor([0, 2, 1, 1])
    pred = poisoned(2, 4, a=0.5, b=0.1, spots=((2, NAN), (5, INF)))
    goal = wave(2, 4, a=0.8, b=0.6)
    # binary_cross_entropy refuses NaN input (PyTorch raises), so it only sees ±Inf logits.
    prob = poisoned(2, 4, a=0.5, b=0.1, spots=((2, INF), (6, -INF)))
    outputs = {
        "cross_entropy": F.cross_entropy(logits, target),
        "cross_entropy(none)": F.cross_entropy(logits, target, reduction="none"),
        "nll_loss": F.nll_loss(F.log_softmax(logits, dim=1), target),
        "mse_loss": F.mse_loss(pred, goal),
        "mse_loss(none)": F.mse_loss(pred, goal, reduction="none"),
        "l1_loss(none)": F.l1_loss(pred, goal, reduction="none"),
        "smooth_l1_loss(none)": F.smooth_l1_loss(pred, goal, reduction="none"),
        "huber_loss(none)": F.huber_loss(pred, goal, reduction="none", delta=0.5),
        "bce_with_logits(none)": F.binary_cross_entropy_with_logits(pred, torch.sigmoid(goal), reduction="none"),
        "bce(none)": F.binary_cross_entropy(torch.sigmoid(prob), torch.sigmoid(goal), reduction="none"),
    }
    outputs.update(backward_each(outputs, logits, pred, prob))
    return outputs


@case
def nonfinite_linear_relu():
    # The example: a NaN entering Linear -> ReLU must reach pred and loss.
    model = fill_parameters(nn.Sequential(nn.Linear(4, 3), nn.ReLU(), nn.Linear(3, 2)))
    x = poisoned(2, 4, b=0.3, grad=False, spots=((1, NAN),))
    pred = model(x)
    loss = F.mse_loss(pred, wave(2, 2, a=0.8))
    loss.backward()
    first, _, last = model
    return {
        "pred": pred,
        "loss": loss,
        "hidden": torch.relu(first(x)),
        "first.weight.grad": first.weight.grad,
        "first.bias.grad": first.bias.grad,
        "last.weight.grad": last.weight.grad,
    }


@case
def nonfinite_sort_and_scan():
    x = poisoned(2, 6, b=0.3, spots=((1, NAN), (4, INF), (8, -INF)))
    values, indices = torch.sort(x, dim=1)
    top_values, top_indices = torch.topk(x, 3, dim=1)
    outputs = {
        "sort.values": values,
        "sort.indices": indices,
        "topk.values": top_values,
        "topk.indices": top_indices,
        "logsumexp(1)": torch.logsumexp(x, dim=1),
        "cumsum(1)": torch.cumsum(x, dim=1),
        "norm(1)": torch.norm(x, dim=1),
        "normalize": F.normalize(x, dim=1),
        "where(isnan)": torch.where(torch.isnan(x), torch.zeros_like(x), x),
    }
    outputs.update(backward_each(outputs, x))
    return outputs


@case
def nonfinite_more_pooling():
    x = poisoned(1, 2, 6, b=0.3, spots=((1, NAN), (4, INF), (8, -INF)))
    y = poisoned(1, 1, 4, 4, b=0.3, spots=((5, NAN), (10, -INF)))
    outputs = {
        "max_pool1d(2)": F.max_pool1d(x, 2),
        "avg_pool1d(3)": F.avg_pool1d(x, 3),
        "adaptive_max_pool2d(2)": F.adaptive_max_pool2d(y, 2),
        "adaptive_avg_pool2d(2)": F.adaptive_avg_pool2d(y, 2),
    }
    outputs.update(backward_each(outputs, x, y))
    return outputs
