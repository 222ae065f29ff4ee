"""torch.optim.Adamax: Adam with the infinity norm of past gradients in place of their second moment."""
from .optimizer import Optimizer, _use_no_grad

__all__ = ["Adamax"]


class Adamax(Optimizer):
    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, foreach=None, *,
                 maximize=False, differentiable=False, capturable=False):
        from .adam import _check_arguments

        _check_arguments(lr, betas, eps, weight_decay)
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, foreach=foreach, maximize=maximize,
                        differentiable=differentiable, capturable=capturable)
        super().__init__(params, defaults)

    @_use_no_grad
    def step(self, closure=None):
        from .. import tensor, zeros_like

        loss = self._run_closure(closure)
        for group in self.param_groups:
            lr, (beta1, beta2), eps = group["lr"], group["betas"], group["eps"]
            for param, grad, state in self._gradients(group):
                if not state:
                    state["step"] = tensor(0.0)
                    state["exp_avg"] = zeros_like(param)
                    state["exp_inf"] = zeros_like(param)
                step = int(state["step"].item()) + 1
                state["step"] = tensor(float(step))
                if group["weight_decay"] != 0:
                    grad = grad.add(param, alpha=group["weight_decay"])
                exp_avg, exp_inf = state["exp_avg"], state["exp_inf"]
                exp_avg.lerp_(grad, 1 - beta1)
                exp_inf.copy_((exp_inf * beta2).maximum(grad.abs() + eps))
                param.addcdiv_(exp_avg, exp_inf, value=-lr / (1 - beta1 ** step))
        return loss
