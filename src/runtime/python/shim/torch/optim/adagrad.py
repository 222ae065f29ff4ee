"""torch.optim.Adagrad: per-element learning rates shrinking with the sum of squared past gradients."""
from .optimizer import Optimizer, _use_no_grad

__all__ = ["Adagrad"]


class Adagrad(Optimizer):
    def __init__(self, params, lr=1e-2, lr_decay=0, weight_decay=0, initial_accumulator_value=0, eps=1e-10,
                 foreach=None, *, maximize=False, differentiable=False, fused=None):
        for name, value in (("learning rate", lr), ("lr_decay value", lr_decay), ("weight_decay value", weight_decay),
                            ("initial_accumulator_value value", initial_accumulator_value), ("epsilon value", eps)):
            if value < 0.0:
                raise ValueError(f"Invalid {name}: {value}")
        defaults = dict(lr=lr, lr_decay=lr_decay, eps=eps, weight_decay=weight_decay,
                        initial_accumulator_value=initial_accumulator_value, foreach=foreach, maximize=maximize,
                        differentiable=differentiable, fused=fused)
        super().__init__(params, defaults)
        from .. import tensor, full_like

        for group in self.param_groups:
            for param in group["params"]:
                state = self.state[param]
                state["step"] = tensor(0.0)
                state["sum"] = full_like(param, float(group["initial_accumulator_value"]))

    @_use_no_grad
    def step(self, closure=None):
        from .. import tensor

        loss = self._run_closure(closure)
        for group in self.param_groups:
            for param, grad, state in self._gradients(group):
                step = int(state["step"].item()) + 1
                state["step"] = tensor(float(step))
                if group["weight_decay"] != 0:
                    grad = grad.add(param, alpha=group["weight_decay"])
                rate = group["lr"] / (1 + (step - 1) * group["lr_decay"])
                state["sum"].addcmul_(grad, grad, value=1)
                param.addcdiv_(grad, state["sum"].sqrt().add_(group["eps"]), value=-rate)
        return loss
