"""torch.nn.functional's layers: linear, convolutions, dropout, embedding, one_hot, pad, attention, distances."""
import math

from .._engine import E, call
from .._tensor import wrap, unsupported
from .._dtype import float32, int64, bool_, dtype_word
from .modules.utils import _pair

__all__ = ["linear", "bilinear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d", "dropout",
           "dropout1d", "dropout2d", "dropout3d", "alpha_dropout", "feature_alpha_dropout", "embedding", "one_hot",
           "pad", "normalize", "cosine_similarity", "pairwise_distance", "scaled_dot_product_attention",
           "interpolate", "upsample", "upsample_nearest", "upsample_bilinear", "unfold", "fold", "grid_sample", "affine_grid", "pixel_shuffle"]

# torch.Size's own __getitem__ is Python code (it makes slices Sizes); a plain index needs only the tuple's.
_at = tuple.__getitem__

# ---- linear -----------------------------------------------------------------------------------------------------------

def linear(input, weight, bias=None):
    """y = x Wᵀ + b over the last dimension of x. (Each shape is read once: this runs for every layer of every batch,
    and in the runtime every property read is a Python call.)"""
    in_shape, w_shape = input.shape, weight.shape
    in_rank, w_rank = len(in_shape), len(w_shape)
    features = _at(w_shape, -1)
    if in_rank == 0:
        raise RuntimeError(f"both arguments to linear need to be at least 1D, but they are 0D and {w_rank}D")
    if _at(in_shape, -1) != features:
        cols = _at(in_shape, -1)
        rows = input.numel() // cols if in_rank > 1 and cols else 1
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({rows}x{cols} and "
                           f"{features}x{_at(w_shape, 0) if w_rank > 1 else 1})")
    if (input._h ^ weight._h) & 15:  # the dtype code is in the handle's low four bits
        raise RuntimeError(f"mat1 and mat2 must have the same dtype, but got {dtype_word(input.dtype)} and "
                           f"{dtype_word(weight.dtype)}")
    if w_rank == 1:
        out = input.matmul(weight)
        return out + bias if bias is not None else out
    if in_rank == 2:
        return wrap(call(E.linear, input._h, weight._h, 0 if bias is None else bias._h))
    if in_rank == 1:
        # As PyTorch's graph: the row times wᵀ (squeezed in place: SqueezeBackward3), then the bias added.
        out = linear(input.unsqueeze(0), weight).squeeze(0)
        if out.grad_fn is not None:
            E.rename_grad_fn(out._h, "SqueezeBackward3")
        return out + bias if bias is not None else out
    leading = tuple(input.shape[:-1])
    flat = linear(input.reshape(-1, features), weight, bias)
    return flat.reshape(leading + (weight.shape[0],))


def bilinear(input1, input2, weight, bias=None):
    raise unsupported("torch.nn.functional.bilinear")


# ---- convolution ------------------------------------------------------------------------------------------------------

def _same_padding(input, kernel, stride, dilation):
    """Padding for padding='same': symmetric where it can be, the odd extra pixel at the end (as PyTorch does)."""
    if any(s != 1 for s in stride):
        raise ValueError("padding='same' is not supported for strided convolutions")
    totals = [d * (k - 1) for d, k in zip(dilation, kernel)]
    left = tuple(t // 2 for t in totals)
    extra = [t - 2 * l for t, l in zip(totals, left)]
    if any(extra):
        input = pad(input, (0, extra[1], 0, extra[0]))
    return input, left


def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1, _one_d=None):
    """2-D convolution (cross-correlation) of (N, C, H, W) or (C, H, W) input with (out, C/groups, kH, kW) weight.

    `_one_d`: conv1d's own (N, C, L) input and (out, C, k) weight, which `input` and `weight` unsqueeze; the engine
    gets them as they are, so the tensors it saves for backward are the ones the user has.
    """
    if input.dim() == 3:
        return conv2d(input.unsqueeze(0), weight, bias, stride, padding, dilation, groups).squeeze(0)
    if input.dim() != 4:
        raise RuntimeError(f"Expected 3D (unbatched) or 4D (batched) input to conv2d, but got input of size: "
                           f"{list(input.shape)}")
    if weight.dim() != 4:
        raise RuntimeError("weight should have at least three dimensions")
    stride, dilation = _pair(stride), _pair(dilation)
    channels = input.shape[1]
    if channels != weight.shape[1] * groups:
        raise RuntimeError(f"Given groups={groups}, weight of size {list(weight.shape)}, expected input"
                           f"{list(input.shape)} to have {weight.shape[1] * groups} channels, but got {channels} "
                           "channels instead")
    if not input.dtype.is_floating_point:
        raise RuntimeError(f"Input type ({input.type()}) and weight type ({weight.type()}) should be the same")
    kernel = tuple(weight.shape[2:])
    if isinstance(padding, str):
        if padding == "valid":
            padding = (0, 0)
        elif padding == "same":
            input, padding = _same_padding(input, kernel, stride, dilation)
        else:
            raise ValueError(f"Invalid padding string '{padding}', should be one of {{'valid', 'same'}}")
    padding = _pair(padding)
    padded = [input.shape[2 + i] + 2 * padding[i] for i in range(2)]
    reach = [dilation[i] * (kernel[i] - 1) + 1 for i in range(2)]
    if padded[0] < reach[0] or padded[1] < reach[1]:
        raise RuntimeError(f"Calculated padded input size per channel: ({padded[0]} x {padded[1]}). Kernel size: "
                           f"({reach[0]} x {reach[1]}). Kernel size can't be greater than actual input size")
    if groups == 1:
        if _one_d is not None and _one_d[0].shape[-1] == input.shape[-1]:  # (not when padding='same' padded a copy)
            input, weight = _one_d
        return wrap(call(E.conv2d, input._h, weight._h, 0 if bias is None else bias._h, stride, padding, dilation, 1),
                    float32)
    from .. import cat

    inputs = input.chunk(groups, 1)
    weights = weight.chunk(groups, 0)
    biases = bias.chunk(groups, 0) if bias is not None else [None] * groups
    out = cat([conv2d(x, w, b, stride, padding, dilation, 1) for x, w, b in zip(inputs, weights, biases)], 1)
    E.rename_grad_fn(out._h, "ConvolutionBackward0")
    return out


def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """1-D convolution of (N, C, L) or (C, L) input, run as a 2-D convolution of height 1."""
    if input.dim() == 2:
        return conv1d(input.unsqueeze(0), weight, bias, stride, padding, dilation, groups).squeeze(0)
    if input.dim() != 3:
        raise RuntimeError(f"Expected 2D (unbatched) or 3D (batched) input to conv1d, but got input of size: "
                           f"{list(input.shape)}")
    stride = (1, _pair(stride)[0])
    dilation = (1, _pair(dilation)[0])
    if not isinstance(padding, str):
        padding = (0, _pair(padding)[0])
    out = conv2d(input.unsqueeze(2), weight.unsqueeze(2), bias, stride, padding, dilation, groups, (input, weight))
    if out.dim() == 4:
        out = out.squeeze(2)
        E.rename_grad_fn(out._h, "ConvolutionBackward0")
    return out


def conv3d(*args, **kwargs):
    raise unsupported("torch.nn.functional.conv3d")


def conv_transpose2d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1):
    """Transposed 2-D convolution ((in, out/groups, kH, kW) weight), run as a convolution of the stride-spread input,
    framed by dilation·(k-1) - padding, with the flipped kernel."""
    from .. import cat

    if input.dim() == 3:
        return conv_transpose2d(input.unsqueeze(0), weight, bias, stride, padding, output_padding, groups,
                                dilation).squeeze(0)
    if input.dim() != 4:
        raise RuntimeError(f"Expected 3D (unbatched) or 4D (batched) input to conv_transpose2d, but got input of "
                           f"size: {list(input.shape)}")
    stride, padding, dilation = _pair(stride), _pair(padding), _pair(dilation)
    output_padding = _pair(output_padding)
    if input.shape[1] != weight.shape[0]:
        raise RuntimeError(f"Given transposed=1, weight of size {list(weight.shape)}, expected input"
                           f"{list(input.shape)} to have {weight.shape[0]} channels, but got {input.shape[1]} "
                           "channels instead")
    if groups > 1:
        inputs = input.chunk(groups, 1)
        weights = weight.chunk(groups, 0)
        biases = bias.chunk(groups, 0) if bias is not None else [None] * groups
        out = cat([conv_transpose2d(x, w, b, stride, padding, output_padding, 1, dilation)
                   for x, w, b in zip(inputs, weights, biases)], 1)
        E.rename_grad_fn(out._h, "ConvolutionBackward0")
        return out
    batch, channels, height, width = input.shape
    spread = input
    if stride != (1, 1):
        gaps = pad(input.reshape(batch, channels, height, 1, width, 1), (0, stride[1] - 1, 0, 0, 0, stride[0] - 1))
        grid = gaps.reshape(batch, channels, height * stride[0], width * stride[1])
        spread = grid[:, :, :(height - 1) * stride[0] + 1, :(width - 1) * stride[1] + 1]
    kernel = weight.shape[2:]
    frame = [dilation[i] * (kernel[i] - 1) - padding[i] for i in range(2)]
    framed = pad(spread, (frame[1], frame[1] + output_padding[1], frame[0], frame[0] + output_padding[0]))
    flipped = weight.flip((2, 3)).transpose(0, 1)
    out = conv2d(framed, flipped, bias, 1, 0, dilation, 1)
    E.rename_grad_fn(out._h, "ConvolutionBackward0")
    return out


def conv_transpose1d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1):
    """Transposed 1-D convolution, as a transposed 2-D convolution of height 1."""
    if input.dim() == 2:
        return conv_transpose1d(input.unsqueeze(0), weight, bias, stride, padding, output_padding, groups,
                                dilation).squeeze(0)
    out = conv_transpose2d(input.unsqueeze(2), weight.unsqueeze(2), bias, (1, _pair(stride)[0]),
                           (0, _pair(padding)[0]), (0, _pair(output_padding)[0]), groups, (1, _pair(dilation)[0]))
    return out.squeeze(2)


# ---- dropout (nn/_dropout_functions.py) -------------------------------------------------------------------------------

from ._dropout_functions import (dropout, dropout1d, dropout2d, dropout3d, alpha_dropout,  # noqa: E402,F401
                                 feature_alpha_dropout)


# ---- embedding, one_hot, pad ------------------------------------------------------------------------------------------

def embedding(input, weight, padding_idx=None, max_norm=None, norm_type=2.0, scale_grad_by_freq=False, sparse=False):
    """Rows of weight picked by the integer indices in input (output shape: input.shape + (embedding_dim,))."""
    if input.is_floating_point() or input.dtype is bool_:
        raise RuntimeError("Expected tensor for argument #1 'indices' to have one of the following scalar types: "
                           f"Long, Int; but got {input.type()} instead (while checking arguments for embedding)")
    if max_norm is not None:
        raise unsupported("torch.nn.functional.embedding(max_norm=...)")
    if scale_grad_by_freq:
        raise unsupported("torch.nn.functional.embedding(scale_grad_by_freq=True)")
    rows = weight.shape[0]
    if input.numel() and ((input < 0) | (input >= rows)).any().item():
        raise IndexError("index out of range in self")
    out = wrap(call(E.embedding, weight._h, input._h), weight.dtype)
    if padding_idx is not None and weight.requires_grad:
        from .. import where

        if padding_idx < 0:
            padding_idx += rows
        detached = weight.detach()  # held in a variable: a temporary's handle is freed as soon as it is dropped
        frozen = wrap(call(E.embedding, detached._h, input._h), weight.dtype)
        out = where((input != padding_idx).unsqueeze(-1), out, frozen)
        E.rename_grad_fn(out._h, "EmbeddingBackward0")
    return out


def one_hot(tensor, num_classes=-1):
    """int64 one-hot encoding along a new last dimension."""
    if tensor.dtype is not int64:
        raise RuntimeError("one_hot is only applicable to index tensor of type LongTensor.")
    if tensor.numel():
        if tensor.min().item() < 0:
            raise RuntimeError("Class values must be non-negative.")
        largest = tensor.max().item()
        if num_classes == -1:
            num_classes = largest + 1
        elif largest >= num_classes:
            raise RuntimeError("Class values must be smaller than num_classes.")
    elif num_classes == -1:
        raise RuntimeError("Can not infer total number of classes from empty tensor.")
    return wrap(call(E.one_hot, tensor._h, int(num_classes)), int64)


def pad(input, pad, mode="constant", value=None):
    """Pads the last len(pad)//2 dimensions: pad = (left, right, top, bottom, ...); negative values crop.

    mode: 'constant' (value, default 0), 'reflect' (mirror without the edge), 'replicate' (repeat the edge) or
    'circular' (wrap around).
    """
    pad = tuple(int(p) for p in pad)
    if len(pad) % 2:
        raise RuntimeError("Padding length must be divisible by 2")
    if len(pad) // 2 > input.dim():
        raise RuntimeError("Padding length should be less than or equal to two times the input dimension but got "
                           f"padding length {len(pad)} and input of dimension {input.dim()}")
    if mode != "constant":
        if value is not None and value != 0:
            raise ValueError(f"Padding mode \"{mode}\" doesn't take in value argument.")
        return _pad_from_input(input, pad, mode)
    growth = tuple(max(p, 0) for p in pad)
    out = input
    if any(growth):
        out = wrap(call(E.pad, input._h, growth, 0.0 if value is None else float(value)), input.dtype)
    if any(p < 0 for p in pad):
        key = [slice(None)] * out.dim()
        for i in range(len(pad) // 2):
            dim = out.dim() - 1 - i
            before, after = min(pad[2 * i], 0), min(pad[2 * i + 1], 0)
            key[dim] = slice(-before, out.shape[dim] + after)
        out = out[tuple(key)]
    return out


def _pad_from_input(input, pad, mode):
    """Padding whose values come from the input itself: reflect, replicate or circular, one dimension at a time."""
    from .. import cat

    if mode not in ("reflect", "replicate", "circular"):
        raise NotImplementedError(f"Unrecognised padding mode {mode}")
    out = input
    for i in range(len(pad) // 2):
        dim = input.dim() - 1 - i
        left, right = pad[2 * i], pad[2 * i + 1]
        size = out.shape[dim]
        if mode == "reflect" and (left >= size or right >= size):
            raise RuntimeError(f"Argument #4: Padding size should be less than the corresponding input dimension, "
                               f"but got: padding ({left}, {right}) at dimension {dim} of input {list(input.shape)}")
        if mode == "circular" and (left > size or right > size):
            raise RuntimeError("Padding value causes wrapping around more than once.")
        if left < 0 or right < 0:
            raise unsupported(f"torch.nn.functional.pad(mode='{mode}') with negative padding")
        if mode == "reflect":
            before = out.narrow(dim, 1, left).flip(dim) if left else None
            after = out.narrow(dim, size - 1 - right, right).flip(dim) if right else None
        elif mode == "replicate":
            before = cat([out.narrow(dim, 0, 1)] * left, dim) if left else None
            after = cat([out.narrow(dim, size - 1, 1)] * right, dim) if right else None
        else:
            before = out.narrow(dim, size - left, left) if left else None
            after = out.narrow(dim, 0, right) if right else None
        parts = [part for part in (before, out, after) if part is not None]
        if len(parts) > 1:
            out = cat(parts, dim)
    return out


# ---- distances and attention ------------------------------------------------------------------------------------------

def normalize(input, p=2.0, dim=1, eps=1e-12, out=None):
    """input divided by its p-norm along dim (at least eps)."""
    norm = input.norm(p, dim, keepdim=True).clamp(min=eps)
    return input / norm


def cosine_similarity(x1, x2, dim=1, eps=1e-8):
    n1 = x1.norm(dim=dim, keepdim=True).clamp(min=eps)  # norm: a zero vector's gradient stays finite, as in PyTorch
    n2 = x2.norm(dim=dim, keepdim=True).clamp(min=eps)
    return ((x1 / n1) * (x2 / n2)).sum(dim)


def pairwise_distance(x1, x2, p=2.0, eps=1e-6, keepdim=False):
    return (x1 - x2 + eps).norm(p, -1, keepdim)


def scaled_dot_product_attention(query, key, value, attn_mask=None, dropout_p=0.0, is_causal=False, scale=None,
                                 enable_gqa=False):
    """softmax(q kᵀ · scale + mask) v over the last two dimensions."""
    from .. import arange

    target, source = query.shape[-2], key.shape[-2]
    scale = 1.0 / math.sqrt(query.shape[-1]) if scale is None else scale
    scores = query.matmul(key.transpose(-2, -1)) * scale
    if is_causal:
        allowed = arange(source).reshape(1, source) <= arange(target).reshape(target, 1)
        scores = scores.masked_fill(~allowed, float("-inf"))
    if attn_mask is not None:
        if attn_mask.dtype.is_floating_point:
            scores = scores + attn_mask
        else:
            scores = scores.masked_fill(~attn_mask, float("-inf"))
    weights = scores.softmax(-1)
    if dropout_p > 0.0:
        weights = dropout(weights, dropout_p, True)
    return weights.matmul(value)


def interpolate(input, size=None, scale_factor=None, mode="nearest", align_corners=None, recompute_scale_factor=None,
                antialias=False):
    """Resizes (N, C, L) or (N, C, H, W) input: modes 'nearest', 'nearest-exact', 'linear'/'bilinear' and 'area'.

    The source position of each output pixel follows the input/output size ratio (the same as PyTorch's whenever the
    scale factor times the size is a whole number).
    """
    from .modules.utils import _ntuple
    from ._pooling_functions import adaptive_avg_pool2d

    if mode in ("nearest", "area", "nearest-exact") and align_corners is not None:
        raise ValueError("align_corners option can only be set with the interpolating modes: "
                         "linear | bilinear | bicubic | trilinear")
    if antialias:
        raise unsupported("torch.nn.functional.interpolate(antialias=True)")
    spatial_dims = input.dim() - 2
    if spatial_dims not in (1, 2):
        raise unsupported(f"torch.nn.functional.interpolate of {input.dim()}-D input")
    if size is not None and scale_factor is not None:
        raise ValueError("only one of size or scale_factor should be defined")
    spatial = list(input.shape[2:])
    if size is not None:
        out = [int(s) for s in _ntuple(spatial_dims)(size)]
    elif scale_factor is not None:
        factors = [float(f) for f in _ntuple(spatial_dims)(scale_factor)]
        out = [int(math.floor(s * f)) for s, f in zip(spatial, factors)]
    else:
        raise ValueError("either size or scale_factor should be defined")
    expected = {1: "linear", 2: "bilinear"}[spatial_dims]
    if mode in ("linear", "bilinear", "bicubic", "trilinear") and mode != expected:
        if mode == "bicubic" or mode == "trilinear":
            raise unsupported(f"torch.nn.functional.interpolate(mode='{mode}')")
        raise NotImplementedError(f"Got {input.dim()}D input, but {mode} mode needs "
                                  f"{3 if mode == 'linear' else 4}D input")
    if mode not in ("nearest", "nearest-exact", "area", expected):
        raise NotImplementedError(f"Input Error: Only 3D, 4D and 5D input Tensors supported (got {input.dim()}D) for "
                                  f"the modes: nearest | linear | bilinear | bicubic | trilinear | area | nearest-exact "
                                  f"(got {mode})")
    if mode == "area":
        return adaptive_avg_pool2d(input, out) if spatial_dims == 2 else \
            adaptive_avg_pool2d(input.unsqueeze(2), (1, out[0])).squeeze(2)
    # PyTorch maps output to input positions by 1/scale_factor when one is given (and not recomputed), else in/out.
    scales = [0.0] * spatial_dims
    if scale_factor is not None and not recompute_scale_factor:
        scales = [1.0 / f for f in factors]
    kind = "bilinear" if mode in ("linear", "bilinear") else mode
    if spatial_dims == 1:
        rows = input.unsqueeze(2)  # (N, C, 1, L); held in a variable so its handle outlives the call
        flat = wrap(call(E.interpolate, rows._h, 1, out[0], kind, bool(align_corners), 0.0, scales[0]), input.dtype)
        return flat.squeeze(2)
    return wrap(call(E.interpolate, input._h, out[0], out[1], kind, bool(align_corners), scales[0], scales[1]),
                input.dtype)


def upsample(input, size=None, scale_factor=None, mode="nearest", align_corners=None):
    return interpolate(input, size, scale_factor, mode, align_corners)


def upsample_nearest(input, size=None, scale_factor=None):
    return interpolate(input, size, scale_factor, mode="nearest")


def upsample_bilinear(input, size=None, scale_factor=None):
    return interpolate(input, size, scale_factor, mode="bilinear", align_corners=True)


def unfold(*args, **kwargs):
    raise unsupported("torch.nn.functional.unfold")


def fold(*args, **kwargs):
    raise unsupported("torch.nn.functional.fold")


def grid_sample(*args, **kwargs):
    raise unsupported("torch.nn.functional.grid_sample")


def affine_grid(*args, **kwargs):
    raise unsupported("torch.nn.functional.affine_grid")


def pixel_shuffle(*args, **kwargs):
    raise unsupported("torch.nn.functional.pixel_shuffle")
