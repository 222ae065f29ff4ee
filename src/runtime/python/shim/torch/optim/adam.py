"""torch.optim.Adam: adaptive moment estimation (L2 weight decay added to the gradient; amsgrad optional)."""
from .._engine import E, call
from .optimizer import Optimizer, _use_no_grad

__all__ = ["Adam"]


def _check_arguments(lr, betas, eps, weight_decay):
    if not 0.0 <= lr:
        raise ValueError(f"Invalid learning rate: {lr}")
    if not 0.0 <= eps:
        raise ValueError(f"Invalid epsilon value: {eps}")
    if not 0.0 <= betas[0] < 1.0:
        raise ValueError(f"Invalid beta parameter at index 0: {betas[0]}")
    if not 0.0 <= betas[1] < 1.0:
        raise ValueError(f"Invalid beta parameter at index 1: {betas[1]}")
    if not 0.0 <= weight_decay:
        raise ValueError(f"Invalid weight_decay value: {weight_decay}")


class Adam(Optimizer):
    """m ← β₁m + (1-β₁)g, v ← β₂v + (1-β₂)g², p ← p - lr·m̂ / (√v̂ + eps), with bias-corrected m̂, v̂."""

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, amsgrad=False, *,
                 foreach=None, maximize=False, capturable=False, differentiable=False, fused=None):
        _check_arguments(lr, betas, eps, weight_decay)
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, amsgrad=amsgrad, maximize=maximize,
                        foreach=foreach, capturable=capturable, differentiable=differentiable, fused=fused)
        super().__init__(params, defaults)

    _decoupled_weight_decay = False

    @_use_no_grad
    def step(self, closure=None):
        """One update of every parameter that has a gradient; returns the closure's loss if one is given."""
        loss = self._run_closure(closure)
        for group in self.param_groups:
            for param in group["params"]:
                if param.grad is not None:
                    self._update(param, group)
        return loss

    def _update(self, param, group):
        from .. import tensor, zeros_like

        (beta1, beta2), amsgrad = group["betas"], group["amsgrad"]
        state = self.state[param]
        if not state:
            state["step"] = tensor(0.0)
            state["exp_avg"] = zeros_like(param)
            state["exp_avg_sq"] = zeros_like(param)
            if amsgrad:
                state["max_exp_avg_sq"] = zeros_like(param)
        most = state.get("max_exp_avg_sq") if amsgrad else None
        # The whole update (step count, weight decay, moments, bias correction) is one engine call, in place.
        call(E.adam_step_, param._h, param.grad._h, state["exp_avg"]._h, state["exp_avg_sq"]._h,
             0 if most is None else most._h, state["step"]._h, float(group["lr"]), float(beta1), float(beta2),
             float(group["eps"]), float(group["weight_decay"]), self._decoupled_weight_decay, bool(group["maximize"]))
