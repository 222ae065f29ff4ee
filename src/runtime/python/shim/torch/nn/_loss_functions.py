"""torch.nn.functional's losses: cross_entropy, nll_loss, mse_loss, l1_loss, the binary cross entropies and friends."""
import warnings

from .._engine import E, call
from .._tensor import wrap, unsupported
from .._dtype import float32, int64, uint8, dtype_word

__all__ = ["cross_entropy", "nll_loss", "mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss", "binary_cross_entropy",
           "binary_cross_entropy_with_logits", "kl_div", "soft_margin_loss", "margin_ranking_loss",
           "hinge_embedding_loss", "cosine_embedding_loss", "triplet_margin_loss", "poisson_nll_loss",
           "gaussian_nll_loss", "multilabel_soft_margin_loss", "multi_margin_loss", "multilabel_margin_loss", "ctc_loss"]


def legacy_reduction(size_average, reduce, reduction, stacklevel=4):
    """The reduction named by the deprecated size_average/reduce flags (or `reduction` when both are None)."""
    if size_average is None and reduce is None:
        return reduction
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    result = "none" if not reduce else ("mean" if size_average else "sum")
    warnings.warn(f"size_average and reduce args will be deprecated, please use reduction='{result}' instead.",
                  stacklevel=stacklevel)
    return result


def _handles(*tensors):
    """The engine handles of a composite op's own inputs (0 for None), as its `grad_fn.next_functions` lists them."""
    return [0 if t is None else t._h for t in tensors]


def _reduce(loss, reduction, grad_name=None, inputs=None):
    if reduction == "none":
        out = loss
    elif reduction == "mean":
        out = loss.mean()
    elif reduction == "sum":
        out = loss.sum()
    else:
        raise ValueError(f"{reduction} is not a valid value for reduction")
    if grad_name and out.grad_fn is not None:
        if inputs is None:
            E.rename_grad_fn(out._h, grad_name)
        else:
            E.rename_grad_fn(out._h, grad_name, inputs)
    return out


def _check_reduction(reduction):
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(f"{reduction} is not a valid value for reduction")


def _same_size_warning(input, target):
    if target.shape != input.shape:
        warnings.warn(f"Using a target size ({target.shape}) that is different to the input size ({input.shape}). "
                      "This will likely lead to incorrect results due to broadcasting. Please ensure they have the "
                      "same size.", stacklevel=3)


# ---- classification ---------------------------------------------------------------------------------------------------

def nll_loss(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None, reduction="mean"):
    """Negative log-likelihood of the target classes, given log-probabilities (N, C) or (N, C, d1, ...)."""
    reduction = legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    if input.dim() < 1:
        raise ValueError(f"Expected 1 or more dimensions (got {input.dim()})")
    if target.dtype is not int64 and target.dtype is not uint8:
        raise RuntimeError(f"expected scalar type Long but found {dtype_word(target.dtype)}")
    if input.dim() == 1:
        if target.dim() != 0:
            raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
        out = nll_loss(input.unsqueeze(0), target.unsqueeze(0), weight, None, ignore_index, None, reduction)
        return out.squeeze(0) if reduction == "none" else out
    if target.dim() == 0 or input.shape[0] != target.shape[0]:
        raise ValueError(f"Expected input batch_size ({input.shape[0]}) to match target batch_size "
                         f"({target.shape[0] if target.dim() else 0}).")
    if input.dim() == 2 and target.dim() != 1:
        raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
    if input.dim() > 2 and tuple(target.shape) != tuple(input.shape[:1]) + tuple(input.shape[2:]):
        raise RuntimeError(f"size mismatch (got input: {list(input.shape)}, target: {list(target.shape)})")
    classes = input.shape[1]
    if weight is not None and weight.numel() != classes:
        raise RuntimeError(f"weight tensor should be defined either for all {classes} classes or no classes but got "
                           f"weight tensor of shape: {list(weight.shape)}")
    handle = call(E.nll_loss, input._h, target._h, 0 if weight is None else weight._h, int(ignore_index), reduction)
    return wrap(handle, float32)


def _class_dim(input):
    return 1 if input.dim() > 1 else 0


def _class_weight_view(weight, input):
    shape = [1] * input.dim()
    shape[_class_dim(input)] = weight.shape[0]
    return weight.reshape(shape)


def cross_entropy(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None, reduction="mean",
                  label_smoothing=0.0):
    """log_softmax over the class dimension, then nll_loss (class-index targets) or -Σ p·log q (probability targets)."""
    reduction = legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    if not 0.0 <= label_smoothing <= 1.0:
        raise RuntimeError(f"label_smoothing must be between 0.0 and 1.0. Got: {label_smoothing}")
    class_dim = _class_dim(input)
    classes = input.shape[class_dim] if input.dim() else 1
    log_probs = input.log_softmax(class_dim)
    if tuple(target.shape) == tuple(input.shape) and input.dim() > 0:
        if not target.is_floating_point():
            raise RuntimeError("Expected floating point type for target with class probabilities, got "
                               f"{dtype_word(target.dtype)}")
        if label_smoothing > 0.0:
            target = target * (1.0 - label_smoothing) + label_smoothing / classes
        products = log_probs * target
        if weight is not None:
            products = products * _class_weight_view(weight, input)
        losses = -products.sum(class_dim)
        if reduction == "mean":
            return losses.sum() / (input.numel() / classes)
        return _reduce(losses, reduction)
    loss = nll_loss(log_probs, target, weight, None, ignore_index, None, reduction)
    if label_smoothing == 0.0:
        return loss
    # Label smoothing: mix in the loss against the uniform distribution over classes.
    kept = target != ignore_index
    weighted = log_probs * _class_weight_view(weight, input) if weight is not None else log_probs
    smooth = -weighted.sum(class_dim) * kept.float()
    if reduction == "mean":
        if weight is not None:
            denominator = weight[target.masked_fill(~kept, 0)].mul(kept.float()).sum()
        else:
            denominator = kept.float().sum()
        smooth = smooth.sum() / denominator
    elif reduction == "sum":
        smooth = smooth.sum()
    return loss * (1.0 - label_smoothing) + smooth * (label_smoothing / classes)


def binary_cross_entropy(input, target, weight=None, size_average=None, reduce=None, reduction="mean"):
    """-(t·log x + (1-t)·log(1-x)) for probabilities x in [0, 1], each log clamped at -100."""
    reduction = legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    if tuple(target.shape) != tuple(input.shape):
        raise ValueError(f"Using a target size ({target.shape}) that is different to the input size ({input.shape}) "
                         "is deprecated. Please ensure they have the same size.")
    if not target.is_floating_point():
        raise RuntimeError(f"Found dtype {dtype_word(target.dtype)} but expected {dtype_word(input.dtype)}")
    if input.numel() and not ((input >= 0) & (input <= 1)).all().item():
        raise RuntimeError("all elements of input should be between 0 and 1")
    if weight is not None and tuple(weight.shape) != tuple(input.shape):
        weight = weight.expand(input.shape)
    handle = call(E.binary_cross_entropy, input._h, target._h, 0 if weight is None else weight._h, reduction)
    return wrap(handle, float32)


def binary_cross_entropy_with_logits(input, target, weight=None, size_average=None, reduce=None, reduction="mean",
                                     pos_weight=None):
    """Sigmoid and binary cross entropy in one numerically stable step: (1-t)·x - w_pos·log σ(x)."""
    reduction = legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    if tuple(target.shape) != tuple(input.shape):
        raise ValueError(f"Target size ({target.shape}) must be the same as input size ({input.shape})")
    log_sigmoid = wrap(call(E.log_sigmoid, input._h), float32)
    if pos_weight is None:
        loss = (1.0 - target) * input - log_sigmoid
    else:
        loss = (1.0 - target) * input - ((pos_weight - 1.0) * target + 1.0) * log_sigmoid
    if weight is not None:
        loss = loss * weight
    shown = (input, target) + tuple(t for t in (weight, pos_weight) if t is not None)
    return _reduce(loss, reduction, "BinaryCrossEntropyWithLogitsBackward0", _handles(*shown))


# ---- regression -------------------------------------------------------------------------------------------------------

def _abs_difference(input, target):
    """|input - target| whose gradient is sign(input - target), 0 where they are equal (as PyTorch's)."""
    difference = input - target
    return difference * difference.detach().sign()


def mse_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    """Mean (or sum) of squared differences."""
    reduction = legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    _same_size_warning(input, target)
    difference = input - target
    loss = difference * difference
    if weight is not None:
        loss = loss * weight
    return _reduce(loss, reduction, "MseLossBackward0", _handles(input, target))


def l1_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    """Mean (or sum) of absolute differences."""
    reduction = legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    _same_size_warning(input, target)
    loss = _abs_difference(input, target)
    if weight is not None:
        loss = loss * weight
    if loss.grad_fn is not None:
        E.rename_grad_fn(loss._h, "AbsBackward0")
    return _reduce(loss, reduction)


def smooth_l1_loss(input, target, size_average=None, reduce=None, reduction="mean", beta=1.0):
    """Squared error below beta (scaled by 1/2beta), absolute error above it."""
    from .. import where

    reduction = legacy_reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    _same_size_warning(input, target)
    distance = _abs_difference(input, target)
    if beta == 0.0:
        return _reduce(distance, reduction, "SmoothL1LossBackward0")
    # The square is taken of the distance clamped at beta so that an infinite distance's unused branch gives a 0
    # gradient, not inf·0 = NaN (PyTorch's gradient there is finite).
    near = distance.clamp(max=beta)
    loss = where(distance < beta, near * near * (0.5 / beta), distance - 0.5 * beta)
    return _reduce(loss, reduction, "SmoothL1LossBackward0")


def huber_loss(input, target, reduction="mean", delta=1.0, weight=None):
    """Squared error below delta, delta-scaled absolute error above it."""
    from .. import where

    _check_reduction(reduction)
    _same_size_warning(input, target)
    distance = _abs_difference(input, target)
    near = distance.clamp(max=delta)  # as in smooth_l1_loss: no inf·0 in the unused branch's gradient
    loss = where(distance < delta, near * near * 0.5, (distance - 0.5 * delta) * delta)
    if weight is not None:
        loss = loss * weight
    return _reduce(loss, reduction, "HuberLossBackward0")


def kl_div(input, target, size_average=None, reduce=None, reduction="mean", log_target=False):
    """Kullback-Leibler divergence with input as log-probabilities: Σ t·(log t - input)."""
    from .. import where, zeros_like

    reduction = legacy_reduction(size_average, reduce, reduction)
    if reduction == "mean":
        warnings.warn("reduction: 'mean' divides the total loss by both the batch size and the support size."
                      "'batchmean' divides only by the batch size, and aligns with the KL div math definition."
                      "'mean' will be changed to behave the same as 'batchmean' in the next major release.",
                      stacklevel=2)
    if log_target:
        loss = target.exp() * (target - input)
    else:
        positive = target > 0
        loss = where(positive, target * (target.clamp(min=1e-38).log() - input), zeros_like(input) * input)
    if reduction == "batchmean":
        return loss.sum() / input.shape[0] if input.dim() else loss.sum()
    return _reduce(loss, reduction)


def soft_margin_loss(input, target, size_average=None, reduce=None, reduction="mean"):
    from ._activation_functions import softplus

    reduction = legacy_reduction(size_average, reduce, reduction)
    return _reduce(softplus(-input * target), reduction)


def margin_ranking_loss(input1, input2, target, margin=0.0, size_average=None, reduce=None, reduction="mean"):
    reduction = legacy_reduction(size_average, reduce, reduction)
    return _reduce((-target * (input1 - input2) + margin).clamp(min=0.0), reduction)


def hinge_embedding_loss(input, target, margin=1.0, size_average=None, reduce=None, reduction="mean"):
    from .. import where, zeros_like

    reduction = legacy_reduction(size_average, reduce, reduction)
    positive = where(target == 1, input, zeros_like(input))
    negative = where(target == -1, (margin - input).clamp(min=0.0), zeros_like(input))
    return _reduce(positive + negative, reduction)


def cosine_embedding_loss(input1, input2, target, margin=0.0, size_average=None, reduce=None, reduction="mean"):
    from .. import where
    from ._layer_functions import cosine_similarity

    reduction = legacy_reduction(size_average, reduce, reduction)
    cosine = cosine_similarity(input1, input2, dim=-1, eps=1e-12)
    loss = where(target == 1, 1.0 - cosine, (cosine - margin).clamp(min=0.0))
    return _reduce(loss, reduction)


def triplet_margin_loss(anchor, positive, negative, margin=1.0, p=2.0, eps=1e-6, swap=False, size_average=None,
                        reduce=None, reduction="mean"):
    from ._layer_functions import pairwise_distance

    reduction = legacy_reduction(size_average, reduce, reduction)
    d_positive = pairwise_distance(anchor, positive, p, eps)
    d_negative = pairwise_distance(anchor, negative, p, eps)
    if swap:
        d_negative = d_negative.minimum(pairwise_distance(positive, negative, p, eps))
    return _reduce((d_positive - d_negative + margin).clamp(min=0.0), reduction)


def poisson_nll_loss(input, target, log_input=True, full=False, size_average=None, eps=1e-8, reduce=None,
                     reduction="mean"):
    reduction = legacy_reduction(size_average, reduce, reduction)
    if full:
        raise unsupported("torch.nn.functional.poisson_nll_loss(full=True)")
    loss = input.exp() - target * input if log_input else input - target * (input + eps).log()
    return _reduce(loss, reduction)


def gaussian_nll_loss(input, target, var, full=False, eps=1e-6, reduction="mean"):
    import math

    variance = var.clamp(min=eps)
    loss = 0.5 * (variance.log() + (input - target) ** 2 / variance)
    if full:
        loss = loss + 0.5 * math.log(2 * math.pi)
    return _reduce(loss, reduction)


def multilabel_soft_margin_loss(input, target, weight=None, size_average=None, reduce=None, reduction="mean"):
    from ._activation_functions import logsigmoid

    reduction = legacy_reduction(size_average, reduce, reduction)
    loss = -(target * logsigmoid(input) + (1 - target) * logsigmoid(-input))
    if weight is not None:
        loss = loss * weight
    loss = loss.sum(-1) / input.shape[-1]
    return _reduce(loss, reduction)


def multi_margin_loss(*args, **kwargs):
    raise unsupported("torch.nn.functional.multi_margin_loss")


def multilabel_margin_loss(*args, **kwargs):
    raise unsupported("torch.nn.functional.multilabel_margin_loss")


def ctc_loss(*args, **kwargs):
    raise unsupported("torch.nn.functional.ctc_loss")
