"""torch.optim.SGD: stochastic gradient descent with optional momentum, dampening, Nesterov and weight decay."""
from .._engine import E, call
from .._tensor import wrap
from .optimizer import Optimizer, _use_no_grad

__all__ = ["SGD"]


class SGD(Optimizer):
    """p ← p - lr·g, where g is the gradient plus weight_decay·p, optionally smoothed by a momentum buffer."""

    def __init__(self, params, lr=1e-3, momentum=0, dampening=0, weight_decay=0, nesterov=False, *, maximize=False,
                 foreach=None, differentiable=False, fused=None):
        if lr < 0.0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if momentum < 0.0:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if weight_decay < 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        defaults = dict(lr=lr, momentum=momentum, dampening=dampening, weight_decay=weight_decay, nesterov=nesterov,
                        maximize=maximize, foreach=foreach, differentiable=differentiable, fused=fused)
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        super().__init__(params, defaults)

    @_use_no_grad
    def step(self, closure=None):
        """One update of every parameter that has a gradient; returns the closure's loss if one is given. The whole
        group's update (weight decay, momentum, Nesterov) is one engine call, in place, each parameter read from its
        own .grad; the momentum buffers it makes on a first step come back to be kept in the state."""
        loss = self._run_closure(closure)
        state = self.state
        for group in self.param_groups:
            params = group["params"]
            momentum = group["momentum"]
            buffers = [0] * len(params)
            if momentum != 0:
                for i, param in enumerate(params):
                    # state.get: a parameter without a gradient gets no state entry, as in PyTorch.
                    buffer = state.get(param, {}).get("momentum_buffer")
                    if buffer is not None:
                        buffers[i] = buffer._h
            made = call(E.sgd_steps_, [param._h for param in params], buffers, float(group["lr"]), float(momentum),
                        float(group["dampening"]), float(group["weight_decay"]), bool(group["nesterov"]),
                        bool(group["maximize"]))
            if momentum != 0:
                for param, handle in zip(params, made):
                    if handle:
                        state[param]["momentum_buffer"] = wrap(handle)
        return loss
