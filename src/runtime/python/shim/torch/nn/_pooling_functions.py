"""torch.nn.functional's pooling: max/avg pooling (1-D and 2-D) and adaptive average/max pooling."""
from .._engine import E, call
from .._tensor import wrap, unsupported
from .modules.utils import _pair

__all__ = ["max_pool1d", "max_pool2d", "avg_pool1d", "avg_pool2d", "adaptive_avg_pool1d", "adaptive_avg_pool2d",
           "adaptive_max_pool1d", "adaptive_max_pool2d", "max_pool3d", "avg_pool3d", "lp_pool2d"]


def _output_size(size, kernel, stride, padding, dilation, ceil_mode):
    span = size + 2 * padding - dilation * (kernel - 1) - 1
    count = (-(-span // stride) if ceil_mode else span // stride) + 1
    if ceil_mode and (count - 1) * stride >= size + padding:
        count -= 1
    return count


def _pool_arguments(name, input, kernel_size, stride, padding, dilation, ceil_mode):
    kernel = _pair(kernel_size)
    stride = kernel if stride is None or (isinstance(stride, (list, tuple)) and not stride) else _pair(stride)
    padding, dilation = _pair(padding), _pair(dilation)
    for k, p, d in zip(kernel, padding, dilation):
        if p > (d * (k - 1) + 1) // 2:
            raise RuntimeError(f"pad should be at most half of effective kernel size, but got pad={p}, "
                               f"kernel_size={k} and dilation={d}")
    sizes = [_output_size(input.shape[-2 + i], kernel[i], stride[i], padding[i], dilation[i], ceil_mode) for i in range(2)]
    if sizes[0] < 1 or sizes[1] < 1:
        c, h, w = input.shape[-3:]
        raise RuntimeError(f"Given input size: ({c}x{h}x{w}). Calculated output size: ({c}x{sizes[0]}x{sizes[1]}). "
                           "Output size is too small")
    # What ceil_mode adds beyond the symmetric padding at the bottom/right so the last window fits.
    extra = [max(0, (sizes[i] - 1) * stride[i] + kernel[i] - input.shape[-2 + i] - 2 * padding[i]) for i in range(2)]
    return kernel, stride, padding, dilation, extra


def _batched(fn, input, *args):
    if input.dim() == 3:
        return fn(input.unsqueeze(0), *args).squeeze(0)
    if input.dim() != 4:
        raise RuntimeError("non-empty 3D or 4D (batch mode) tensor expected for input")
    return fn(input, *args)


def max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    """Maximum over each kernel_size window of (N, C, H, W) or (C, H, W) input."""
    if return_indices:
        raise unsupported("torch.nn.functional.max_pool2d(return_indices=True)")
    kernel, stride, padding, dilation, extra = _pool_arguments("max_pool2d", input, kernel_size, stride, padding,
                                                               dilation, ceil_mode)
    if dilation != (1, 1):
        raise unsupported("torch.nn.functional.max_pool2d(dilation != 1)")

    def run(x):
        if any(extra):
            from ._layer_functions import pad

            x = pad(x, (padding[1], padding[1] + extra[1], padding[0], padding[0] + extra[0]), value=float("-inf"))
            return wrap(call(E.max_pool2d, x._h, kernel, stride, (0, 0)), x.dtype)
        return wrap(call(E.max_pool2d, x._h, kernel, stride, padding), x.dtype)

    out = _batched(run, input)
    if out.grad_fn is not None:
        E.rename_grad_fn(out._h, "MaxPool2DWithIndicesBackward0", [input._h])
    return out


def avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
               divisor_override=None):
    """Mean over each kernel_size window of (N, C, H, W) or (C, H, W) input."""
    kernel, stride, padding, _, extra = _pool_arguments("avg_pool2d", input, kernel_size, stride, padding, 1, ceil_mode)

    def run(x):
        if not any(extra) and (count_include_pad or padding == (0, 0)):
            out = wrap(call(E.avg_pool2d, x._h, kernel, stride, padding), x.dtype)
            if divisor_override:
                out = out * (kernel[0] * kernel[1] / divisor_override)
            return out
        # Windows that hang over the ceil_mode edge (or over padding, without count_include_pad) divide by what they cover.
        from .. import ones
        from ._layer_functions import pad

        grow = (padding[1], padding[1] + extra[1], padding[0], padding[0] + extra[0])
        padded = pad(x, grow)  # held in a variable: a temporary's handle is freed as soon as it is dropped
        total = wrap(call(E.avg_pool2d, padded._h, kernel, stride, (0, 0)), x.dtype)
        if divisor_override:
            return total * (kernel[0] * kernel[1] / divisor_override)
        cover = ones(1, 1, x.shape[2], x.shape[3])
        cover = pad(cover, (padding[1], padding[1], padding[0], padding[0]), value=1.0 if count_include_pad else 0.0)
        cover = pad(cover, (0, extra[1], 0, extra[0]))
        share = wrap(call(E.avg_pool2d, cover._h, kernel, stride, (0, 0)), x.dtype)
        return total / share

    out = _batched(run, input)
    if out.grad_fn is not None:
        E.rename_grad_fn(out._h, "AvgPool2DBackward0", [input._h])
    return out


def max_pool1d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    stride = kernel_size if stride is None else stride
    out = max_pool2d(input.unsqueeze(-2), (1, _pair(kernel_size)[0]), (1, _pair(stride)[0]), (0, _pair(padding)[0]),
                     (1, _pair(dilation)[0]), ceil_mode, return_indices)
    return out.squeeze(-2)


def avg_pool1d(input, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True):
    stride = kernel_size if stride is None else stride
    out = avg_pool2d(input.unsqueeze(-2), (1, _pair(kernel_size)[0]), (1, _pair(stride)[0]), (0, _pair(padding)[0]),
                     ceil_mode, count_include_pad)
    return out.squeeze(-2)


def _adaptive_bins(size, count):
    """PyTorch's adaptive pooling windows: bin i covers [floor(i·size/count), ceil((i+1)·size/count))."""
    return [((i * size) // count, -(-((i + 1) * size) // count)) for i in range(count)]


def _adaptive(input, output_size, reduce_name):
    from .. import cat

    height, width = input.shape[-2], input.shape[-1]
    out_h, out_w = _pair(output_size)
    out_h = height if out_h is None else out_h
    out_w = width if out_w is None else out_w
    reduce = (lambda t, d: t.mean(d, keepdim=True)) if reduce_name == "avg" else (lambda t, d: t.amax(d, keepdim=True))
    if (out_h, out_w) == (1, 1) and reduce_name == "avg":
        return input.mean((-2, -1), keepdim=True)
    if height % out_h == 0 and width % out_w == 0:
        kernel = (height // out_h, width // out_w)
        return avg_pool2d(input, kernel) if reduce_name == "avg" else max_pool2d(input, kernel)
    x = input
    if out_h != height:
        x = cat([reduce(x[..., a:b, :], -2) for a, b in _adaptive_bins(height, out_h)], -2)
    if out_w != width:
        x = cat([reduce(x[..., a:b], -1) for a, b in _adaptive_bins(width, out_w)], -1)
    return x


def adaptive_avg_pool2d(input, output_size):
    """Average pooling to a fixed output size (1 gives the global average, whose grad_fn is MeanBackward1)."""
    out = _adaptive(input, output_size, "avg")
    if out.grad_fn is not None and out.grad_fn.name() != "MeanBackward1":
        E.rename_grad_fn(out._h, "AdaptiveAvgPool2DBackward0", [input._h])
    return out


def adaptive_max_pool2d(input, output_size, return_indices=False):
    if return_indices:
        raise unsupported("torch.nn.functional.adaptive_max_pool2d(return_indices=True)")
    out = _adaptive(input, output_size, "max")
    if out.grad_fn is not None:
        E.rename_grad_fn(out._h, "AdaptiveMaxPool2DBackward0", [input._h])
    return out


def adaptive_avg_pool1d(input, output_size):
    return adaptive_avg_pool2d(input.unsqueeze(-2), (1, _pair(output_size)[0])).squeeze(-2)


def adaptive_max_pool1d(input, output_size, return_indices=False):
    return adaptive_max_pool2d(input.unsqueeze(-2), (1, _pair(output_size)[0]), return_indices).squeeze(-2)


def max_pool3d(*args, **kwargs):
    raise unsupported("torch.nn.functional.max_pool3d")


def avg_pool3d(*args, **kwargs):
    raise unsupported("torch.nn.functional.avg_pool3d")


def lp_pool2d(*args, **kwargs):
    raise unsupported("torch.nn.functional.lp_pool2d")
