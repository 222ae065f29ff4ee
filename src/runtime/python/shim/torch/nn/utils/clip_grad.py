"""Gradient clipping: clip_grad_norm_ (rescale all gradients so their joint norm is at most max_norm) and clip_grad_value_."""
import warnings

from ..._tensor import Tensor

__all__ = ["clip_grad_norm_", "clip_grad_norm", "clip_grad_value_"]


def _with_grads(parameters):
    if isinstance(parameters, Tensor):
        parameters = [parameters]
    return [p for p in parameters if p.grad is not None]


def clip_grad_norm_(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    """Scales every .grad by max_norm / total_norm when the total norm exceeds max_norm; returns the total norm."""
    from ... import tensor, stack, no_grad

    params = _with_grads(parameters)
    max_norm, norm_type = float(max_norm), float(norm_type)
    if not params:
        return tensor(0.0)
    with no_grad():
        grads = [p.grad for p in params]
        if norm_type == float("inf"):
            norms = [g.abs().max() for g in grads]
            total = norms[0] if len(norms) == 1 else stack(norms).max()
        else:
            total = stack([g.norm(norm_type) for g in grads]).norm(norm_type)
        if error_if_nonfinite and not total.isfinite().item():
            raise RuntimeError(f"The total norm of order {norm_type} for gradients from `parameters` is non-finite, "
                               "so it cannot be clipped. To disable this error and scale the gradients by the "
                               "non-finite norm anyway, set `error_if_nonfinite=False`")
        coefficient = (max_norm / (total + 1e-6)).clamp(max=1.0)
        for grad in grads:
            grad.mul_(coefficient)  # in place: .grad shares this storage
    return total


def clip_grad_norm(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    warnings.warn("`torch.nn.utils.clip_grad_norm` is now deprecated in favor of `torch.nn.utils.clip_grad_norm_`.",
                  FutureWarning, stacklevel=2)
    return clip_grad_norm_(parameters, max_norm, norm_type, error_if_nonfinite, foreach)


def clip_grad_value_(parameters, clip_value, foreach=None):
    """Clamps every .grad into [-clip_value, clip_value]."""
    from ... import no_grad

    clip_value = float(clip_value)
    with no_grad():
        for param in _with_grads(parameters):
            param.grad.clamp_(-clip_value, clip_value)
