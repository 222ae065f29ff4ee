"""TL001: optimizer.step() applies gradients that a previous step() already applied, because nothing cleared them.

Rule (Amazon CodeGuru's `pytorch-miss-call-to-zero-grad`, checked on the run instead of the source): between two
step() calls of one optimizer, something must clear its gradients (optimizer.zero_grad(), model.zero_grad(),
`p.grad = None`, `p.grad.zero_()`). Intentional accumulation (several backward(), one step(), then zero_grad())
never steps twice on the same gradients, so it stays silent.
"""
from ..diagnostics import call_receiver, user_location
from .base import Monitor
from .gradients import gradients_are_empty, optimizer_params

__all__ = ["GradientAccumulationMonitor"]


class _GradientHistory:
    __slots__ = ("backwards", "steps", "culprit", "first_norm")

    def __init__(self):
        self.backwards = 0  # backward() passes summed into the gradients since they were last cleared
        self.steps = 0  # step() calls that already applied these gradients
        self.culprit = None  # where backward() added to gradients a step had already applied
        self.first_norm = None  # gradient norm at this optimizer's first step (one backward pass)

    def clear(self):
        self.backwards = 0
        self.steps = 0
        self.culprit = None


class GradientAccumulationMonitor(Monitor):
    code = "TL001"

    def __init__(self, hooks, reporter):
        super().__init__(hooks, reporter)
        self.history = {}  # id(optimizer) -> _GradientHistory

    def on_optimizer_created(self, optimizer):
        self.history[id(optimizer)] = _GradientHistory()

    def on_zero_grad(self, owner):
        if id(owner) in self.history:
            self.history[id(owner)].clear()
            return
        cleared = {id(p) for p in owner.parameters()}  # module.zero_grad()
        for optimizer in self.hooks.live_optimizers():
            history = self.history.get(id(optimizer))
            if history is not None and any(id(p) in cleared for p in optimizer_params(optimizer)):
                history.clear()

    def on_backward_start(self, tensor):
        for optimizer in self.hooks.live_optimizers():
            history = self.history.get(id(optimizer))
            if history is None or history.steps == 0 or history.culprit is not None:
                continue
            # A step applied these gradients and no zero_grad() was seen: were they cleared by hand?
            if gradients_are_empty(optimizer_params(optimizer)):
                history.clear()
            else:
                history.culprit = user_location()

    def on_backward_end(self, tensor):
        for history in self.history.values():
            history.backwards += 1

    def on_step_start(self, optimizer):
        history = self.history.get(id(optimizer))
        if history is None:
            return
        if history.first_norm is None and history.steps == 0 and history.backwards == 1:
            history.first_norm = self.hooks.gradient_norms(optimizer).total
        if history.steps > 0:
            self._report(optimizer, history)
        history.steps += 1

    def _report(self, optimizer, history):
        step_location = user_location()
        norm = self.hooks.gradient_norms(optimizer).total
        evidence = {
            "backward_passes_in_gradient": history.backwards,
            "steps_already_applied": history.steps,
            "gradient_norm": norm,
        }
        if history.first_norm:
            evidence["gradient_norm_first_step"] = history.first_norm
            evidence["gradient_norm_growth"] = norm / history.first_norm
        name = call_receiver(step_location, "step", "optimizer")
        self.report(
            history.culprit or step_location,
            evidence=evidence,
            cause=id(optimizer),
            optimizer=name,
        )
        del self.history[id(optimizer)]  # reported: this optimizer is not watched any more
