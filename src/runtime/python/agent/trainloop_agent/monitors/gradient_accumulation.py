"""TL001: optimizer.step() applies gradients that a previous step() already applied, because nothing cleared them.

Rule (Amazon CodeGuru's `pytorch-miss-call-to-zero-grad`, checked on the run instead of the source): between two
step() calls of one optimizer, something must clear its gradients (optimizer.zero_grad(), model.zero_grad(),
`p.grad = None`, `p.grad.zero_()`). Intentional accumulation (several backward(), one step(), then zero_grad())
never steps twice on the same gradients, so it stays silent.

Evidence: once a backward() adds to gradients a step already applied, the optimizer's first parameter is watched until
the report: its `.grad` before that backward() is copied and a gradient hook copies what each backward() adds, so the
report shows that `.grad` equals their sum and how its norm grew with each backward() (one read-back, at the report).
"""
import torch

from ..diagnostics import call_receiver, number, user_location
from .base import Monitor
from .gradients import gradients_are_empty, optimizer_params

__all__ = ["GradientAccumulationMonitor"]


class _GradientHistory:
    __slots__ = ("backwards", "steps", "culprit", "first_norm", "watched")

    def __init__(self):
        self.backwards = 0  # backward() passes summed into the gradients since they were last cleared
        self.steps = 0  # step() calls that already applied these gradients
        self.culprit = None  # where backward() added to gradients a step had already applied
        self.first_norm = None  # gradient norm at this optimizer's first step (one backward pass)
        self.watched = None  # _WatchedGradient, from the culprit's backward() to the report

    def clear(self):
        self.backwards = 0
        self.steps = 0
        self.culprit = None
        if self.watched is not None:
            self.watched.close()
            self.watched = None


class _WatchedGradient:
    """One parameter's `.grad` as the culprit's backward() found it, and the gradient each backward() since added."""

    __slots__ = ("param", "before", "added", "handle")

    def __init__(self, param):
        self.param = param
        self.before = param.grad.detach().clone()
        self.added = []
        self.handle = param.register_hook(self._add)

    def _add(self, grad):
        self.added.append(grad.detach().clone())  # a copy: the first one may become `.grad` and then grow in place

    def close(self):
        if self.handle is not None:
            self.handle.remove()
            self.handle = None

    def measure(self):
        """(largest |.grad − sum|, norms of the running sum after each backward()) with one read-back."""
        self.close()
        with torch.no_grad():
            sums = [self.before.float()]
            for grad in self.added:
                sums.append(sums[-1] + grad.float())
            error = (self.param.grad.detach().float() - sums[-1]).abs().max()
            values = torch.stack([error] + [s.norm() for s in sums]).tolist()
        return values[0], values[1:]


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
            params = optimizer_params(optimizer)
            if gradients_are_empty(params):
                history.clear()
            else:
                history.culprit = user_location()
                watched = next((p for p in params if p.grad is not None and p.requires_grad), None)
                try:
                    history.watched = None if watched is None else _WatchedGradient(watched)
                except Exception:  # a hook refused (a wrapped parameter): the report goes out without this evidence
                    history.watched = None

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
        values = {"parameter": "the first parameter", "passes": history.backwards, "error": "?", "norms": "?"}
        watched = history.watched
        history.watched = None
        try:
            measured = None if watched is None else watched.measure()
        except Exception:  # the evidence is extra: never lose the report for it
            measured = None
        if measured is not None:
            error, norms = measured
            name = self.hooks.parameter_name(watched.param)
            # The backward() passes before the culprit's are one sum in `before`: its norm stands for them.
            evidence.update({"parameter": name, "sum_max_error": error, "parameter_gradient_norms": norms})
            values.update({"parameter": name, "error": number(error, 2), "norms": " → ".join(number(n) for n in norms)})
        name = call_receiver(step_location, "step", "optimizer")
        self.report(
            history.culprit or step_location,
            evidence=evidence,
            cause=id(optimizer),
            optimizer=name,
            **values,
        )
        del self.history[id(optimizer)]  # reported: this optimizer is not watched any more
