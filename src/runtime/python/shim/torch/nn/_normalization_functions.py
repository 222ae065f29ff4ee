"""torch.nn.functional's normalizations: batch_norm, layer_norm, group_norm, instance_norm."""
from collections.abc import Iterable

from .._engine import E, call
from .._tensor import wrap

__all__ = ["batch_norm", "layer_norm", "group_norm", "instance_norm", "local_response_norm"]


def _handle(t):
    return 0 if t is None else t._h


def batch_norm(input, running_mean, running_var, weight=None, bias=None, training=False, momentum=0.1, eps=1e-5):
    """Normalizes each channel (dim 1) by batch statistics when training (moving the running ones by momentum), else by
    the running statistics."""
    if input.dim() < 2:
        raise ValueError(f"expected 2D or 3D input (got {input.dim()}D input)")
    channels = input.shape[1]
    if training:
        count = input.numel() // channels if channels else 0
        if count == 1:
            raise ValueError(f"Expected more than 1 value per channel when training, got input size {input.shape}")
    elif running_mean is None or running_var is None:
        raise RuntimeError("running_mean and running_var must be defined in evaluation mode")
    for name, t in (("running_mean", running_mean), ("running_var", running_var), ("weight", weight), ("bias", bias)):
        if t is not None and t.numel() != channels:
            raise RuntimeError(f"{name} should contain {channels} elements not {t.numel()}")
    batch_stats = bool(training)
    handle = call(E.batch_norm, input._h, _handle(weight), _handle(bias), _handle(running_mean),
                  _handle(running_var), batch_stats, float(momentum if momentum is not None else 0.0), float(eps))
    return wrap(handle, input.dtype)


def layer_norm(input, normalized_shape, weight=None, bias=None, eps=1e-5):
    """Normalizes over the trailing normalized_shape dimensions of each sample."""
    shape = tuple(normalized_shape) if isinstance(normalized_shape, Iterable) else (normalized_shape,)
    if input.dim() < len(shape) or tuple(input.shape[input.dim() - len(shape):]) != shape:
        raise RuntimeError(f"Given normalized_shape={list(shape)}, expected input with shape "
                           f"[*, {', '.join(str(d) for d in shape)}], but got input of size{list(input.shape)}")
    handle = call(E.layer_norm, input._h, _handle(weight), _handle(bias), len(shape), float(eps))
    return wrap(handle, input.dtype)


def _channel_shape(input):
    return [1, input.shape[1]] + [1] * (input.dim() - 2)


def group_norm(input, num_groups, weight=None, bias=None, eps=1e-5):
    """Normalizes each group of channels of each sample (over the group's channels and all spatial positions)."""
    batch, channels = input.shape[0], input.shape[1]
    if channels % num_groups:
        raise RuntimeError(f"Expected number of channels in input to be divisible by num_groups, but got input of "
                           f"shape {list(input.shape)} and num_groups={num_groups}")
    grouped = input.reshape(batch, num_groups, -1)
    out = layer_norm(grouped, (grouped.shape[-1],), eps=eps).reshape(input.shape)
    if weight is not None:
        out = out * weight.reshape(_channel_shape(input))
    if bias is not None:
        out = out + bias.reshape(_channel_shape(input))
    if out.grad_fn is not None:
        E.rename_grad_fn(out._h, "NativeGroupNormBackward0")
    return out


def instance_norm(input, running_mean=None, running_var=None, weight=None, bias=None, use_input_stats=True,
                  momentum=0.1, eps=1e-5):
    """Normalizes each channel of each sample over its spatial positions."""
    from .._tensor import unsupported

    if running_mean is not None or running_var is not None or not use_input_stats:
        raise unsupported("torch.nn.functional.instance_norm with running statistics")
    batch, channels = input.shape[0], input.shape[1]
    flat = input.reshape(batch, channels, -1)
    out = layer_norm(flat, (flat.shape[-1],), eps=eps).reshape(input.shape)
    if weight is not None:
        out = out * weight.reshape(_channel_shape(input))
    if bias is not None:
        out = out + bias.reshape(_channel_shape(input))
    return out


def local_response_norm(*args, **kwargs):
    from .._tensor import unsupported

    raise unsupported("torch.nn.functional.local_response_norm")
