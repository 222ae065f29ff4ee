# Values of torch.nn layers beyond test/fidelity/cases.py, compared between real PyTorch and the Trainloop runtime.
"""Cases for test/runtime/nn.test.ts: convolution variants, pooling, losses, norms, activations, optimizers,
schedulers, gradient clipping, resizing and padding, recurrent layers, attention and transposed convolutions.

Run `python3 nnCases.py OUT.json [CASE ...]` under real PyTorch to regenerate nnReference.json (the checked-in values
come from PyTorch 1.13), or `trainloop run nnCases.py OUT.json` under the runtime. Inputs and parameters come from
closed formulas, never from random numbers, so both frameworks see the same values. This file is self-contained: the
runtime only sees the folder of the script it runs.
"""
import json
import math
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

CASES = {}


def case(function):
    CASES[function.__name__] = function
    return function


def wave(*shape, a=0.37, b=0.0, scale=1.0, offset=0.0):
    """float32 values offset + scale·sin(a·i + b) over the flat index i (taken modulo 509 for large tensors)."""
    count = 1
    for size in shape:
        count *= size
    index = torch.arange(count, dtype=torch.float32)
    if count > 512:
        index = index % 509
    return (torch.sin(index * a + b) * scale + offset).reshape(tuple(shape))


def leaf(*shape, **formula):
    return wave(*shape, **formula).requires_grad_()


def weighted_sum(out):
    if out.dim() == 0:
        return out * 1.3
    return (out * wave(*out.shape, a=0.53, b=0.3, offset=0.2)).sum()


def backward_weighted(*outputs):
    total = weighted_sum(outputs[0])
    for out in outputs[1:]:
        total = total + weighted_sum(out)
    total.backward()


def fill_parameters(module, salt=0.0):
    """Sets parameter k (in registration order) to sin(0.61·i + 0.5 + 0.9·k + salt) / sqrt(fan_in)."""
    with torch.no_grad():
        for k, parameter in enumerate(module.parameters()):
            shape = tuple(parameter.shape)
            fan_in = 1
            for size in (shape[1:] if len(shape) > 1 else shape):
                fan_in *= size
            parameter.copy_(wave(*shape, a=0.61, b=0.5 + 0.9 * k + salt, scale=1.0 / math.sqrt(fan_in)))
    return module


@case
def conv_variants():
    x = leaf(2, 4, 9, 9, a=0.41, b=0.2)
    out = {}
    specs = {
        "dilation2": dict(dilation=2),
        "groups2": dict(groups=2),
        "same": dict(padding="same"),
        "same_even": dict(padding="same", kernel=4),
        "stride3_pad2": dict(stride=3, padding=2),
        "dil2_stride2": dict(dilation=2, stride=1, padding=1),
        "depthwise": dict(groups=4, out=8),
    }
    for k, (name, spec) in enumerate(specs.items()):
        kernel = spec.pop("kernel", 3)
        outc = spec.pop("out", 6)
        conv = fill_parameters(nn.Conv2d(4, outc, kernel, **spec), salt=0.1 * k)
        y = conv(x)
        backward_weighted(y)
        out[name] = y
        out[name + ".w.grad"] = conv.weight.grad
        out[name + ".b.grad"] = conv.bias.grad
    out["x.grad"] = x.grad
    c1 = fill_parameters(nn.Conv1d(4, 3, 3, stride=2, padding=1))
    z = leaf(2, 4, 11, a=0.3)
    y1 = c1(z)
    backward_weighted(y1)
    out["conv1d"] = y1
    out["conv1d.w.grad"] = c1.weight.grad
    out["conv1d.z.grad"] = z.grad
    return out


@case
def pool_variants():
    x = leaf(2, 3, 7, 9, a=0.41, b=0.2)
    outs = {
        "max_ceil": F.max_pool2d(x, 3, 2, ceil_mode=True),
        "max_pad": F.max_pool2d(x, 3, 2, padding=1),
        "avg_pad_noinclude": F.avg_pool2d(x, 3, 2, padding=1, count_include_pad=False),
        "avg_pad": F.avg_pool2d(x, 3, 2, padding=1),
        "avg_ceil": F.avg_pool2d(x, 2, 2, ceil_mode=True),
        "avg_ceil_pad": F.avg_pool2d(x, 3, 2, padding=1, ceil_mode=True, count_include_pad=False),
        "avg_divisor": F.avg_pool2d(x, 2, divisor_override=3),
        "adaptive_avg_1": F.adaptive_avg_pool2d(x, 1),
        "adaptive_avg_odd": F.adaptive_avg_pool2d(x, (3, 4)),
        "adaptive_avg_none": F.adaptive_avg_pool2d(x, (None, 2)),
        "adaptive_max": F.adaptive_max_pool2d(x, (2, 4)),
        "max1d": F.max_pool1d(x[0], 2),
        "avg1d": F.avg_pool1d(x[0], 3, 2),
    }
    backward_weighted(*outs.values())
    outs["x.grad"] = x.grad
    return outs


@case
def loss_variants():
    out = {}
    w = torch.tensor([0.5, 1.0, 2.0, 1.5])
    target = torch.tensor([1, 0, 3, -100, 2])
    for name, fn in {
        "ce_weight_ignore": lambda x: F.cross_entropy(x, target, weight=w),
        "ce_smooth": lambda x: F.cross_entropy(x, torch.tensor([1, 0, 3, 3, 2]), label_smoothing=0.1),
        "ce_smooth_weight_ignore": lambda x: F.cross_entropy(x, target, weight=w, label_smoothing=0.2),
        "ce_smooth_sum": lambda x: F.cross_entropy(x, target, label_smoothing=0.2, reduction="sum"),
        "ce_soft": lambda x: F.cross_entropy(x, torch.softmax(wave(5, 4, a=0.7), 1)),
        "ce_soft_weight_smooth": lambda x: F.cross_entropy(x, torch.softmax(wave(5, 4, a=0.7), 1), weight=w, label_smoothing=0.1),
        "nll_weight_none": lambda x: F.nll_loss(F.log_softmax(x, 1), target, weight=w, reduction="none"),
        "bce_weight": lambda x: F.binary_cross_entropy(torch.sigmoid(x), wave(5, 4, a=0.3, scale=0.5, offset=0.5), weight=wave(4, a=0.2, offset=1.5)),
        "bcel_pos_weight": lambda x: F.binary_cross_entropy_with_logits(x, wave(5, 4, a=0.3, scale=0.5, offset=0.5), pos_weight=torch.tensor([1.0, 2.0, 3.0, 0.5])),
        "bcel_weight_sum": lambda x: F.binary_cross_entropy_with_logits(x, wave(5, 4, a=0.3, scale=0.5, offset=0.5), weight=wave(5, 4, a=0.9, offset=1.5), reduction="sum"),
        "smooth_l1": lambda x: F.smooth_l1_loss(x, wave(5, 4, a=0.8, b=1.0, offset=0.05), beta=0.5),
        "huber": lambda x: F.huber_loss(x, wave(5, 4, a=0.8, b=1.0, offset=0.05), delta=0.7),
        "kl_div": lambda x: F.kl_div(F.log_softmax(x, 1), torch.softmax(wave(5, 4, a=0.7), 1), reduction="batchmean"),
        "mse_sum": lambda x: F.mse_loss(x, wave(5, 4, a=0.8), reduction="sum"),
        "l1_none": lambda x: F.l1_loss(x, wave(5, 4, a=0.8, offset=0.05), reduction="none"),
    }.items():
        x = leaf(5, 4, a=0.9, b=0.2, scale=2.0)
        y = fn(x)
        backward_weighted(y)
        out[name] = y
        out[name + ".grad"] = x.grad
    # spatial cross entropy (N, C, H, W)
    x = leaf(2, 3, 4, 5, a=0.77, b=0.1, scale=2.0)
    t = torch.tensor([[0, 1, 2, 1, 0], [2, 2, 1, 0, 1], [1, 0, 0, 2, 2], [0, 0, 1, 1, 2]]).repeat(2, 1, 1)
    y = F.cross_entropy(x, t)
    y.backward()
    out["ce_spatial"] = y
    out["ce_spatial.grad"] = x.grad
    return out


@case
def norm_variants():
    out = {}
    x = leaf(2, 6, 3, 4, a=0.9, b=0.2, scale=2.0, offset=0.3)
    gn = fill_parameters(nn.GroupNorm(3, 6))
    inn = fill_parameters(nn.InstanceNorm2d(6, affine=True))
    ln = fill_parameters(nn.LayerNorm([3, 4]))
    bn = fill_parameters(nn.BatchNorm2d(6, momentum=None))
    outs = {"group": gn(x), "instance": inn(x), "layer": ln(x), "bn_cma": bn(x)}
    bn(x * 2 + 1)
    backward_weighted(*outs.values())
    out.update(outs)
    out["x.grad"] = x.grad
    out["gn.w.grad"] = gn.weight.grad
    out["bn.running_var"] = bn.running_var
    out["bn.running_mean"] = bn.running_mean
    out["normalize"] = F.normalize(wave(3, 5), dim=1)
    out["cosine"] = F.cosine_similarity(wave(3, 5), wave(3, 5, a=0.7))
    return out


@case
def activation_variants():
    x = leaf(3, 7, a=0.61, b=0.15, scale=3.0)
    mods = {
        "leaky": nn.LeakyReLU(0.2), "elu": nn.ELU(), "elu2": nn.ELU(0.5), "selu": nn.SELU(), "silu": nn.SiLU(),
        "mish": nn.Mish(), "softplus": nn.Softplus(), "softplus2": nn.Softplus(beta=2.0), "relu6": nn.ReLU6(),
        "hardtanh": nn.Hardtanh(-0.5, 0.8), "hardswish": nn.Hardswish(), "hardsigmoid": nn.Hardsigmoid(),
        "logsigmoid": nn.LogSigmoid(), "softsign": nn.Softsign(), "tanhshrink": nn.Tanhshrink(), 
        "softmin": nn.Softmin(1), "prelu": fill_parameters(nn.PReLU()), "gelu_tanh": nn.GELU("tanh"),
        "threshold": nn.Threshold(0.1, 20.0),
    }
    outs = {k: m(x) for k, m in mods.items()}
    outs["glu"] = nn.GLU()(x[:, :6])
    backward_weighted(*outs.values())
    outs["x.grad"] = x.grad
    return outs


@case
def embedding_variants():
    emb = fill_parameters(nn.Embedding(6, 3, padding_idx=1))
    idx = torch.tensor([[1, 4, 1], [5, 0, 1]])
    y = emb(idx)
    backward_weighted(y)
    return {"out": y, "grad": emb.weight.grad, "one_hot": F.one_hot(torch.tensor([0, 2, 1]), 4),
            "one_hot_infer": F.one_hot(torch.tensor([[0, 3], [1, 1]])),
            "pad": F.pad(wave(2, 3), (1, 2)), "pad2": F.pad(wave(1, 2, 3), (1, 0, 2, 1), value=0.5),
            "pad_neg": F.pad(wave(3, 4), (-1, 1))}


def train(make_opt, steps=4, sched=None):
    model = fill_parameters(nn.Sequential(nn.Linear(4, 5), nn.Tanh(), nn.Linear(5, 3)))
    x = wave(6, 4, b=0.2)
    target = wave(6, 3, a=0.8, b=1.0)
    opt = make_opt(model.parameters())
    s = sched(opt) if sched else None
    lrs = []
    for _ in range(steps):
        opt.zero_grad()
        loss = F.mse_loss(model(x), target)
        loss.backward()
        opt.step()
        if s is not None:
            s.step()
        lrs.append(opt.param_groups[0]["lr"])
    return {"w0": model[0].weight.detach(), "b2": model[2].bias.detach(), "lrs": torch.tensor(lrs)}


@case
def optim_variants():
    out = {}
    variants = {
        "rmsprop": lambda p: torch.optim.RMSprop(p, lr=0.01),
        "rmsprop_centered_mom": lambda p: torch.optim.RMSprop(p, lr=0.01, momentum=0.5, centered=True, weight_decay=0.1),
        "adagrad": lambda p: torch.optim.Adagrad(p, lr=0.1, lr_decay=0.01, weight_decay=0.05),
        "adam_amsgrad": lambda p: torch.optim.Adam(p, lr=0.05, amsgrad=True),
        "adam_maximize": lambda p: torch.optim.Adam(p, lr=0.05, maximize=True),
        "sgd_maximize": lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.9, maximize=True),
        "adadelta": lambda p: torch.optim.Adadelta(p, lr=1.0, weight_decay=0.01),
        "adamax": lambda p: torch.optim.Adamax(p, lr=0.02, weight_decay=0.01),
        "adamw_amsgrad": lambda p: torch.optim.AdamW(p, lr=0.05, amsgrad=True, weight_decay=0.3),
    }
    for name, make in variants.items():
        for k, v in train(make).items():
            out[name + "." + k] = v
    return out


@case
def scheduler_variants():
    out = {}
    sgd = lambda p: torch.optim.SGD(p, lr=0.1, momentum=0.9)
    scheds = {
        "multistep": lambda o: torch.optim.lr_scheduler.MultiStepLR(o, [2, 5, 5], 0.5),
        "exponential": lambda o: torch.optim.lr_scheduler.ExponentialLR(o, 0.9),
        "cosine": lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, T_max=4, eta_min=0.01),
        "lambda": lambda o: torch.optim.lr_scheduler.LambdaLR(o, lambda e: 1.0 / (e + 1)),
        "linear": lambda o: torch.optim.lr_scheduler.LinearLR(o, start_factor=0.25, total_iters=3),
        "onecycle": lambda o: torch.optim.lr_scheduler.OneCycleLR(o, max_lr=0.5, total_steps=10),
        "sequential": lambda o: torch.optim.lr_scheduler.SequentialLR(o, [torch.optim.lr_scheduler.LinearLR(o, 0.5, total_iters=2), torch.optim.lr_scheduler.ExponentialLR(o, 0.8)], milestones=[3]),
    }
    for name, make in scheds.items():
        for k, v in train(sgd, steps=9, sched=make).items():
            out[name + "." + k] = v
    model = nn.Linear(2, 1)
    opt = torch.optim.SGD(model.parameters(), lr=1.0)
    plateau = torch.optim.lr_scheduler.ReduceLROnPlateau(opt, patience=1, factor=0.5)
    lrs = []
    for metric in [1.0, 0.9, 0.95, 0.96, 0.97, 0.5, 0.6, 0.7, 0.8]:
        plateau.step(metric)
        lrs.append(opt.param_groups[0]["lr"])
    out["plateau"] = torch.tensor(lrs)
    return out


@case
def clip_and_utils():
    model = fill_parameters(nn.Sequential(nn.Linear(4, 5), nn.Tanh(), nn.Linear(5, 3)))
    F.mse_loss(model(wave(6, 4, b=0.2)), wave(6, 3, a=0.8) * 10).backward()
    total = nn.utils.clip_grad_norm_(model.parameters(), 0.5)
    out = {"total": total, "g0": model[0].weight.grad, "g2": model[2].bias.grad}
    total_inf = nn.utils.clip_grad_norm_(model.parameters(), 0.1, norm_type="inf")
    out["total_inf"] = total_inf
    out["g0_inf"] = model[0].weight.grad
    nn.utils.clip_grad_value_(model.parameters(), 0.01)
    out["g0_value"] = model[0].weight.grad
    vec = nn.utils.parameters_to_vector(model.parameters())
    out["vec"] = vec
    nn.utils.vector_to_parameters(vec * 2, model.parameters())
    out["w_after"] = model[2].weight.detach()
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    opt.step()
    out["w_stepped"] = model[2].weight.detach()
    return out


@case
def attention_and_misc():
    q = leaf(2, 3, 4, a=0.5)
    k = leaf(2, 5, 4, a=0.7)
    v = leaf(2, 5, 4, a=0.3)
    def sdpa(q, k, v, mask=None, causal=False):
        if hasattr(F, "scaled_dot_product_attention") and not hasattr(torch, "_is_real"):
            pass
        s = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])
        if causal:
            mask = torch.ones(q.shape[-2], k.shape[-2]).tril().bool()
        if mask is not None:
            s = s.masked_fill(~mask, float("-inf"))
        return s.softmax(-1) @ v
    f = getattr(F, "scaled_dot_product_attention", None)
    if f is None or str(torch.__version__).startswith("1."):
        f = lambda q, k, v, attn_mask=None, is_causal=False: sdpa(q, k, v, attn_mask, is_causal)
    a = f(q, k, v)
    mask = torch.tensor([[True, False, True, True, False]] * 3)
    b = f(q, k, v, attn_mask=mask)
    qq = leaf(2, 5, 4, a=0.9)
    c = f(qq, k, v, is_causal=True)
    backward_weighted(a, b, c)
    lin3 = fill_parameters(nn.Linear(4, 2))
    return {"a": a, "b": b, "c": c, "q.grad": q.grad, "k.grad": k.grad, "v.grad": v.grad,
            "linear3d": lin3(wave(2, 3, 4)), "linear1d": lin3(wave(4)),
            "unflatten": nn.Unflatten(1, (2, 3))(wave(4, 6)), "flatten_mid": nn.Flatten(1, 2)(wave(2, 3, 4, 5))}


@case
def resize_and_pad():
    x = leaf(2, 3, 5, 6, a=0.41, b=0.2)
    outs = {
        "nearest2x": F.interpolate(x, scale_factor=2),
        "nearest_size": F.interpolate(x, size=(7, 9)),
        "nearest_down": F.interpolate(x, size=(2, 3)),
        "bilinear": F.interpolate(x, scale_factor=2, mode="bilinear"),
        "bilinear_ac": F.interpolate(x, size=(8, 11), mode="bilinear", align_corners=True),
        "bilinear_size": F.interpolate(x, size=(7, 4), mode="bilinear", align_corners=False),
        "area": F.interpolate(x, size=(2, 3), mode="area"),
        "up_module": nn.Upsample(scale_factor=3, mode="nearest")(x),
        "linear1d": F.interpolate(x[:, :, 0], size=10, mode="linear"),
        "reflect": F.pad(x, (2, 1, 1, 3), mode="reflect"),
        "replicate": F.pad(x, (2, 1, 1, 3), mode="replicate"),
        "circular": F.pad(x, (2, 1, 1, 3), mode="circular"),
        "reflect_mod": nn.ReflectionPad2d(1)(x),
        "conv_reflect": fill_parameters(nn.Conv2d(3, 2, 3, padding=1, padding_mode="reflect"))(x),
        "conv_circular_same": fill_parameters(nn.Conv2d(3, 2, 4, padding="same", padding_mode="circular"))(x),
    }
    backward_weighted(*outs.values())
    outs["x.grad"] = x.grad
    return outs


@case
def recurrent():
    out = {}
    specs = {
        "lstm": lambda: nn.LSTM(4, 3),
        "lstm2_bi_bf": lambda: nn.LSTM(4, 3, num_layers=2, bidirectional=True, batch_first=True),
        "gru": lambda: nn.GRU(4, 3, num_layers=2),
        "gru_bi_nobias": lambda: nn.GRU(4, 3, bias=False, bidirectional=True),
        "rnn": lambda: nn.RNN(4, 3),
        "rnn_relu_bf": lambda: nn.RNN(4, 3, nonlinearity="relu", batch_first=True, num_layers=2),
    }
    for k, (name, make) in enumerate(specs.items()):
        m = fill_parameters(make(), salt=0.2 * k)
        x = leaf(5, 2, 4, a=0.37 + 0.05 * k, b=0.2)
        y, state = m(x)
        finals = state if isinstance(state, tuple) else (state,)
        backward_weighted(y, *finals)
        out[name + ".y"] = y
        for i, f in enumerate(finals):
            out[name + ".state%d" % i] = f
        out[name + ".x.grad"] = x.grad
        first = next(m.parameters())
        out[name + ".w.grad"] = first.grad
        out[name + ".names"] = torch.tensor(len([n for n, _ in m.named_parameters()]))
    # with initial states and unbatched input
    lstm = fill_parameters(nn.LSTM(4, 3), salt=0.9)
    h0 = wave(1, 2, 3, a=0.3)
    c0 = wave(1, 2, 3, a=0.5)
    y, (h, c) = lstm(wave(5, 2, 4, a=0.45), (h0, c0))
    out["lstm_h0.y"], out["lstm_h0.h"], out["lstm_h0.c"] = y, h, c
    y, h = fill_parameters(nn.GRU(4, 3), salt=0.3)(wave(5, 4, a=0.45))
    out["gru_unbatched.y"], out["gru_unbatched.h"] = y, h
    cells = {"lstmcell": nn.LSTMCell(4, 3), "grucell": nn.GRUCell(4, 3), "rnncell": nn.RNNCell(4, 3)}
    for k, (name, cell) in enumerate(cells.items()):
        fill_parameters(cell, salt=0.1 * k)
        x = leaf(2, 4, a=0.6)
        h = cell(x)
        h = cell(x * 0.5, h)
        outs = h if isinstance(h, tuple) else (h,)
        backward_weighted(*outs)
        for i, o in enumerate(outs):
            out[name + ".out%d" % i] = o
        out[name + ".x.grad"] = x.grad
    return out


@case
def recurrent_gradients():
    """Every parameter's gradient and the initial states' of multi-layer, bidirectional recurrent layers and cells,
    and a NaN in one sample's input: which outputs and gradients turn NaN."""
    out = {}
    specs = {
        "lstm_deep": lambda: nn.LSTM(5, 6, num_layers=2, bidirectional=True, batch_first=True),
        "lstm_long": lambda: nn.LSTM(5, 6),
        "gru_deep": lambda: nn.GRU(5, 6, num_layers=2, bidirectional=True),
        "gru_nobias_bf": lambda: nn.GRU(5, 6, bias=False, batch_first=True),
        "rnn_deep": lambda: nn.RNN(5, 6, num_layers=2),
        "rnn_relu_bi": lambda: nn.RNN(5, 6, nonlinearity="relu", bidirectional=True),
    }
    for k, (name, make) in enumerate(specs.items()):
        m = fill_parameters(make(), salt=0.3 * k)
        first = m.batch_first
        length = 9 if name == "lstm_long" else 4
        x = leaf(*((3, length, 5) if first else (length, 3, 5)), a=0.29 + 0.07 * k, b=0.4, scale=1.5)
        layers = m.num_layers * (2 if m.bidirectional else 1)
        h0 = leaf(layers, 3, 6, a=0.43, b=0.1 * k, scale=0.8)
        if isinstance(m, nn.LSTM):
            c0 = leaf(layers, 3, 6, a=0.57, b=0.2 * k, scale=1.2)
            y, (h, c) = m(x, (h0, c0))
            backward_weighted(y, h, c)
            out[name + ".c"] = c
            out[name + ".c0.grad"] = c0.grad
        else:
            y, h = m(x, h0)
            backward_weighted(y, h)
        out[name + ".y"] = y
        out[name + ".h"] = h
        out[name + ".x.grad"] = x.grad
        out[name + ".h0.grad"] = h0.grad
        for pname, p in m.named_parameters():
            out[name + "." + pname + ".grad"] = p.grad
    cells = {"lstmcell": nn.LSTMCell(5, 6), "grucell": nn.GRUCell(5, 6), "rnncell_relu": nn.RNNCell(5, 6, nonlinearity="relu"),
             "grucell_nobias": nn.GRUCell(5, 6, bias=False)}
    for k, (name, cell) in enumerate(cells.items()):
        fill_parameters(cell, salt=0.4 * k)
        x = leaf(3, 5, a=0.7, scale=1.3)
        h = cell(x)
        for step in range(3):
            h = cell(x * (0.5 - 0.3 * step), h)
        outs = h if isinstance(h, tuple) else (h,)
        backward_weighted(*outs)
        for i, o in enumerate(outs):
            out[name + ".out%d" % i] = o
        out[name + ".x.grad"] = x.grad
        for pname, p in cell.named_parameters():
            out[name + "." + pname + ".grad"] = p.grad
    for name, make in {"lstm_nan": lambda: nn.LSTM(3, 4), "gru_nan": lambda: nn.GRU(3, 4, bidirectional=True)}.items():
        m = fill_parameters(make(), salt=0.5)
        x = wave(5, 2, 3, a=0.61, scale=1.4)
        x[2, 0, 1] = float("nan")
        x.requires_grad_()
        y, state = m(x)
        backward_weighted(y)
        out[name + ".y"] = y
        out[name + ".x.grad"] = x.grad
        out[name + ".weight_hh_l0.grad"] = m.weight_hh_l0.grad
    return out


@case
def attention_layers():
    out = {}
    mha = fill_parameters(nn.MultiheadAttention(8, 2))
    q = leaf(4, 2, 8, a=0.3)
    kv = leaf(5, 2, 8, a=0.5)
    mask = torch.tensor([[False, True, False, False, True]] * 4)
    pad = torch.tensor([[False, False, False, True, True], [False, False, False, False, False]])
    y, w = mha(q, kv, kv, key_padding_mask=pad, attn_mask=mask)
    y2, w2 = mha(q, kv, kv, average_attn_weights=False, attn_mask=wave(4, 5, a=0.9))
    backward_weighted(y, w, y2, w2)
    out.update({"mha.y": y, "mha.w": w, "mha.y2": y2, "mha.w2": w2, "q.grad": q.grad, "kv.grad": kv.grad,
                "in_proj.grad": mha.in_proj_weight.grad, "out_proj.grad": mha.out_proj.weight.grad})
    bf = fill_parameters(nn.MultiheadAttention(8, 4, batch_first=True, kdim=6, vdim=5), salt=0.3)
    yb, wb = bf(wave(2, 3, 8), wave(2, 4, 6, a=0.2), wave(2, 4, 5, a=0.7))
    out["bf.y"], out["bf.w"] = yb, wb
    enc_layer = nn.TransformerEncoderLayer(8, 2, dim_feedforward=16, dropout=0.0)
    enc = fill_parameters(nn.TransformerEncoder(enc_layer, 2, norm=nn.LayerNorm(8)), salt=0.1)
    src = leaf(5, 2, 8, a=0.41)
    causal = nn.Transformer.generate_square_subsequent_mask(5)
    e = enc(src, mask=causal)
    out["causal_mask"] = causal
    dec_layer = nn.TransformerDecoderLayer(8, 2, dim_feedforward=16, dropout=0.0, norm_first=True, activation="gelu", batch_first=True)
    dec = fill_parameters(nn.TransformerDecoder(dec_layer, 2), salt=0.2)
    tgt = leaf(2, 3, 8, a=0.61)
    d = dec(tgt, e.transpose(0, 1), tgt_mask=nn.Transformer.generate_square_subsequent_mask(3))
    backward_weighted(e, d)
    out.update({"enc": e, "dec": d, "src.grad": src.grad, "tgt.grad": tgt.grad})
    tr = fill_parameters(nn.Transformer(d_model=8, nhead=2, num_encoder_layers=1, num_decoder_layers=1, dim_feedforward=8, dropout=0.0), salt=0.5)
    out["transformer"] = tr(wave(4, 2, 8, a=0.33), wave(3, 2, 8, a=0.71))
    out["param_names"] = torch.tensor(len(list(tr.state_dict().keys())))
    return out


@case
def conv_transpose():
    out = {}
    x = leaf(2, 4, 5, 6, a=0.41, b=0.2)
    specs = {
        "plain": dict(kernel_size=3),
        "stride2": dict(kernel_size=4, stride=2, padding=1),
        "stride2_outpad": dict(kernel_size=3, stride=2, padding=1, output_padding=1),
        "dcgan_first": dict(kernel_size=4, stride=1, padding=0, bias=False),
        "groups_dil": dict(kernel_size=3, stride=2, groups=2, dilation=2),
        "big_pad": dict(kernel_size=3, padding=2),
    }
    for k, (name, spec) in enumerate(specs.items()):
        m = fill_parameters(nn.ConvTranspose2d(4, 6, **spec), salt=0.1 * k)
        y = m(x)
        backward_weighted(y)
        out[name] = y
        out[name + ".w.grad"] = m.weight.grad
    out["x.grad"] = x.grad
    m = fill_parameters(nn.ConvTranspose2d(4, 3, 3, stride=2, padding=1))
    out["output_size"] = m(wave(1, 4, 5, 6), output_size=(10, 12))
    z = leaf(2, 4, 7, a=0.3)
    m1 = fill_parameters(nn.ConvTranspose1d(4, 2, 3, stride=2))
    y1 = m1(z)
    backward_weighted(y1)
    out["1d"], out["1d.z.grad"], out["1d.w.grad"] = y1, z.grad, m1.weight.grad
    return out


@case
def wide_products():
    """Products whose transposed operand is much wider than the other: the tensorflow backend computes them
    transposed (backendPlans.ts), forward and backward, for linear, matmul, bmm and an LSTM's input projection.
    Each output is compared on its first and last 24 values (a fingerprint of so many long sums would cancel)."""
    def ends(tensor):
        flat = tensor.detach().reshape(-1)
        return torch.cat([flat[:24], flat[-24:]])

    out = {}
    linear = fill_parameters(nn.Linear(256, 512))
    x = leaf(4, 256, a=0.31, scale=1.2)
    y = linear(x)
    backward_weighted(y)
    out["linear.y"], out["linear.x.grad"], out["linear.weight.grad"] = ends(y), ends(x.grad), ends(linear.weight.grad)
    a, b = leaf(256, 512, a=0.23, scale=0.05), leaf(512, 8, a=0.41, b=0.2, scale=0.05)
    y = a @ b
    backward_weighted(y)
    out["matmul.y"], out["matmul.a.grad"], out["matmul.b.grad"] = ends(y), ends(a.grad), ends(b.grad)
    a, b = leaf(2, 4, 256, a=0.19, scale=0.06), leaf(2, 256, 512, a=0.37, b=0.1, scale=0.06)
    y = torch.bmm(a, b)
    backward_weighted(y)
    out["bmm.y"], out["bmm.a.grad"], out["bmm.b.grad"] = ends(y), ends(a.grad), ends(b.grad)
    lstm = fill_parameters(nn.LSTM(256, 128))
    x = leaf(3, 2, 256, a=0.27, b=0.3)
    y, (h, c) = lstm(x)
    backward_weighted(y, h, c)
    out["lstm.y"], out["lstm.x.grad"], out["lstm.weight_ih_l0.grad"] = ends(y), ends(x.grad), ends(lstm.weight_ih_l0.grad)
    return out


def _number(value):
    if math.isnan(value):
        return "nan"
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    return float("%.9g" % value)


def _encode(tensor):
    """dump_cases.py's form; float tensors over 48 elements shrink to a fingerprint, summed in double precision:
    [Σ|x|, Σx², Σ x·sin(0.7·i + 0.1), the first 8 values]."""
    dtype = str(tensor.dtype).replace("torch.", "")
    flat = tensor.detach().reshape(-1).tolist()
    if dtype.startswith("float") and len(flat) > 48:
        fingerprint = [sum(abs(v) for v in flat), sum(v * v for v in flat),
                       sum(v * math.sin(0.7 * i + 0.1) for i, v in enumerate(flat))] + flat[:8]
        return {"shape": [len(fingerprint)], "dtype": dtype, "values": [_number(float(v)) for v in fingerprint]}
    if dtype == "bool":
        values = [bool(v) for v in flat]
    elif dtype.startswith("int") or dtype == "uint8":
        values = [int(v) for v in flat]
    else:
        values = [_number(float(v)) for v in flat]
    return {"shape": list(tensor.shape), "dtype": dtype, "values": values}


def dump(path, names):
    results = {}
    for name in names or CASES:
        try:
            results[name] = {key: _encode(value) for key, value in CASES[name]().items()}
        except Exception as error:  # reported per case, the run goes on
            results[name] = {"error": f"{type(error).__name__}: {error}"}
    with open(path, "w") as out:
        json.dump(results, out)


if __name__ == "__main__":
    dump(sys.argv[1], sys.argv[2:])
