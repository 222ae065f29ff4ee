"""Small reads of parameters and gradients the detectors share, each one engine read-back at most."""
import torch

__all__ = ["optimizer_params", "gradients_are_empty", "smallest", "same_values"]


def optimizer_params(optimizer):
    return [p for group in optimizer.param_groups for p in group["params"]]


def gradients_are_empty(params):
    """True when no parameter holds a gradient, or every gradient is all zeros (one read-back, only if any exist)."""
    grads = [p.grad for p in params if p.grad is not None]
    if not grads:
        return True
    with torch.no_grad():
        return torch.stack([g.detach().abs().sum() for g in grads]).sum().item() == 0


def smallest(params):
    """The parameter with the fewest elements: the cheapest one to copy and compare."""
    best = None
    for p in params:
        if best is None or p.numel() < best.numel():
            best = p
    return best


def same_values(a, b):
    with torch.no_grad():
        return bool(torch.equal(a.detach(), b.detach()))
