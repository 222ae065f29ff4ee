"""torch.nn.functional's dropout family: dropout, dropout1d/2d/3d, alpha_dropout, feature_alpha_dropout.

PyTorch's CPU rules (the same in 1.13 and 2.x; the warnings' texts follow 2.x, which also gives them stacklevel=2):
the noise is `bernoulli_(1 - p)` of the input's shape, or for the feature forms of shape (N, C, 1, ...), so each
(n, c) channel is kept or dropped whole; kept values are scaled by 1/(1 - p). Per rank:
- dropout1d takes 2-D (C, L) or 3-D (N, C, L) input, else RuntimeError; 2-D input is treated as one sample.
- dropout2d takes 3-D or 4-D; other ranks warn and still run the feature rule on the input as given, so 2-D (N, C)
  drops single elements; 3-D is read as (N, C, L) with a warning (channels of a batch, not (C, H, W)).
- dropout3d takes 4-D (C, D, H, W) as one sample and 5-D; other ranks warn and are treated as one sample too.
- feature noise needs 2 or more dimensions ("Feature dropout requires at least 2 dimensions in the input").
The result of a drop is `input * noise` (grad_fn MulBackward0, as on PyTorch's CPU), and p = 1 gives `input * 0`.
"""
import math
import warnings

from .._random import bernoulli_noise

__all__ = ["dropout", "dropout1d", "dropout2d", "dropout3d", "alpha_dropout", "feature_alpha_dropout"]

# SELU's negative saturation value (-alpha * scale), as PyTorch's alpha dropout uses it.
_SELU_ALPHA = 1.7580993408473766


def _check_p(p):
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")


def _noise_shape(input, feature):
    shape = tuple(input.shape)
    if not feature:
        return shape
    if len(shape) < 2:
        raise RuntimeError("Feature dropout requires at least 2 dimensions in the input")
    return shape[:2] + (1,) * (len(shape) - 2)


def _apply(input, noise, shift, inplace):
    if inplace:
        input.mul_(noise)
        return input.add_(shift) if shift is not None else input
    out = input * noise
    return out + shift if shift is not None else out


def _dropout(input, p, training, inplace, feature, alpha):
    """ATen's dropout core: noise of the (feature) shape, scaled for plain dropout or shifted for alpha dropout."""
    _check_p(p)
    if p == 0.0 or not training or input.numel() == 0:
        return input
    if p == 1.0:
        return _apply(input, 0.0, None, inplace)
    noise = bernoulli_noise(_noise_shape(input, feature), 1.0 - p, input.dtype)
    if not alpha:
        return _apply(input, noise.div_(1.0 - p), None, inplace)
    a = 1.0 / math.sqrt((_SELU_ALPHA * _SELU_ALPHA * p + 1.0) * (1.0 - p))
    shift = noise.add(-1.0).mul_(_SELU_ALPHA * a).add_(_SELU_ALPHA * a * p)
    return _apply(input, noise.mul_(a), shift, inplace)


def dropout(input, p=0.5, training=True, inplace=False):
    """Zeroes each element with probability p and scales the rest by 1/(1-p); the identity when not training."""
    return _dropout(input, p, training, inplace, feature=False, alpha=False)


def _as_one_sample(input, p, training, inplace):
    """Channel dropout of an unbatched input: add the batch dimension, drop, take it away again."""
    batched = input.unsqueeze_(0) if inplace else input.unsqueeze(0)
    result = _dropout(batched, p, training, inplace, feature=True, alpha=False)
    return result.squeeze_(0) if inplace else result.squeeze(0)


def dropout1d(input, p=0.5, training=True, inplace=False):
    _check_p(p)
    rank = input.dim()
    if rank not in (2, 3):
        raise RuntimeError(
            f"dropout1d: Expected 2D or 3D input, but received a {rank}D input. "
            "Note that dropout1d exists to provide channel-wise dropout on inputs with 1 "
            "spatial dimension, a channel dimension, and an optional batch dimension "
            "(i.e. 2D or 3D inputs).")
    if rank == 2:
        return _as_one_sample(input, p, training, inplace)
    return _dropout(input, p, training, inplace, feature=True, alpha=False)


def dropout2d(input, p=0.5, training=True, inplace=False):
    _check_p(p)
    rank = input.dim()
    if rank not in (3, 4):
        warnings.warn(
            f"dropout2d: Received a {rank}-D input to dropout2d, which is deprecated "
            "and will result in an error in a future release. To retain the behavior "
            "and silence this warning, please use dropout instead. Note that dropout2d "
            "exists to provide channel-wise dropout on inputs with 2 spatial dimensions, "
            "a channel dimension, and an optional batch dimension (i.e. 3D or 4D inputs).", stacklevel=2)
    if rank == 3:
        warnings.warn(
            "dropout2d: Received a 3D input to dropout2d and assuming that channel-wise "
            "1D dropout behavior is desired - input is interpreted as shape (N, C, L), where C "
            "is the channel dim. This behavior will change in a future release to interpret the "
            "input as one without a batch dimension, i.e. shape (C, H, W). To maintain the 1D "
            "channel-wise dropout behavior, please switch to using dropout1d instead.", stacklevel=2)
    return _dropout(input, p, training, inplace, feature=True, alpha=False)


def dropout3d(input, p=0.5, training=True, inplace=False):
    _check_p(p)
    rank = input.dim()
    if rank not in (4, 5):
        warnings.warn(
            f"dropout3d: Received a {rank}-D input to dropout3d, which is deprecated "
            "and will result in an error in a future release. To retain the behavior "
            "and silence this warning, please use dropout instead. Note that dropout3d "
            "exists to provide channel-wise dropout on inputs with 3 spatial dimensions, "
            "a channel dimension, and an optional batch dimension (i.e. 4D or 5D inputs).", stacklevel=2)
    if rank != 5:
        return _as_one_sample(input, p, training, inplace)
    return _dropout(input, p, training, inplace, feature=True, alpha=False)


def alpha_dropout(input, p=0.5, training=False, inplace=False):
    """Dropout that keeps SELU's self-normalisation: dropped values go to SELU's saturation, then an affine fix-up."""
    return _dropout(input, p, training, inplace, feature=False, alpha=True)


def feature_alpha_dropout(input, p=0.5, training=False, inplace=False):
    return _dropout(input, p, training, inplace, feature=True, alpha=True)
