"""Wraps the training calls monitors watch (backward, optimizer step/zero_grad, module calls, F.relu, F.cross_entropy,
DataLoader passes) with public torch API only, and hands each event to the monitors that listen for it.

Every wrapper calls straight through while torch.compile traces (compiling.py), so compiled code holds no monitor."""
import functools
import math
import sys
import weakref

import torch

from ..compiling import is_compiling
from ..diagnostics import user_location
from ..tensor_reads import ENGINE, read_floats, release_copies, squared_sum, squared_sums

__all__ = ["TrainingHooks", "GradientNorms", "EVENTS", "l2_norms", "update_norms"]

# Events a monitor receives by defining a method of the same name.
EVENTS = (
    "on_backward_start",  # (tensor)                  before Tensor.backward runs
    "on_backward_end",  # (tensor)                    after it returned
    "on_step_start",  # (optimizer)                   before optimizer.step()
    "on_step_end",  # (optimizer)                     after it returned
    "on_zero_grad",  # (owner)                        after optimizer.zero_grad() or module.zero_grad()
    "on_optimizer_created",  # (optimizer)
    "on_model_call",  # (module, args, output)        after an outermost module call (not inside another module)
    "on_module_output",  # (module, output)           after every module call, innermost first
    "on_relu_output",  # (key, module, output)       after nn.ReLU modules and F.relu calls
    "on_cross_entropy",  # (input, target)           when nn.CrossEntropyLoss or F.cross_entropy is called
    "on_batch_end",  # (batch, loss)                  BatchTracker: a training batch ended (loss None: not read yet)
    "on_loss_read",  # (batch, loss)                  BatchTracker: a loss kept on its device was read, batches later
    "on_loader_pass_end",  # (loader)                 a loop over a DataLoader ran to its end with grad enabled
)

_WRAPPED = "__trainloop_wrapped__"

# Gradient statistics cost a few engine reductions and one read-back: taken on each of an optimizer's first
# DENSE_GRADIENT_STEPS steps (where divergence, NaN and vanishing gradients usually show), then on every
# GRADIENT_SAMPLE_EVERY-th step. The detectors that use them look for conditions that persist over many steps.
DENSE_GRADIENT_STEPS = 50
GRADIENT_SAMPLE_EVERY = 20


def _mark(wrapper, original):
    functools.update_wrapper(wrapper, original)
    setattr(wrapper, _WRAPPED, True)
    return wrapper


def l2_norms(tensors):
    """The L2 norm of each tensor, with one read-back (sums of squares: read back by the embedded engine without
    tensor ops, or float32 reductions on the tensors' device under real PyTorch)."""
    return _roots(squared_sums(tensors))


def _roots(squares):
    return [math.sqrt(v) if v >= 0 else float("nan") for v in squares]


def update_norms(params, copies, grads):
    """l2_norms([p − copy for each parameter] + copies + grads), with one read-back. Under real PyTorch the differences
    are made in the copies (tensor_reads.kept_copies), which are then given back: an optimizer's step measured makes no
    other tensor the model's size."""
    if ENGINE is not None:
        return l2_norms([p.detach() - c for p, c in zip(params, copies)] + list(copies) + list(grads))
    with torch.no_grad():
        others = [squared_sum(t) for t in list(copies) + list(grads)]  # before the copies turn into differences
        moved = [squared_sum(c.sub_(p.detach())) for p, c in zip(params, copies)]
        values = _roots(read_floats(moved + others))
    release_copies(copies)
    return values


class GradientNorms:
    """The L2 norm of every gradient an optimizer holds, read back from the engine in one transfer."""

    __slots__ = ("params", "norms", "total")

    def __init__(self, params, norms):
        self.params = params
        self.norms = norms
        self.total = math.sqrt(sum(n * n for n in norms)) if norms else 0.0


class TrainingHooks:
    """Installs the wrappers and dispatches events; a monitor that raises is passed to `on_failure` and dropped."""

    def __init__(self, tracker, on_failure):
        self.tracker = tracker
        self.on_failure = on_failure
        # event -> the monitors listening, a tuple replaced (never changed) when one subscribes or stops: a dispatch
        # walks it without a copy, and a wrapper skips an event no monitor listens to with one dict lookup.
        self.listeners = {event: () for event in EVENTS}
        self.active = True
        self.module_stack = []
        self.optimizers = []  # weakrefs, in creation order
        self.optimizer_locations = {}  # id(optimizer) -> Location of its construction
        self.models = {}  # id(module) -> weakref: outermost modules called with grad enabled
        self.steps = 0  # optimizer.step() calls so far, all optimizers
        self.step_counts = {}  # id(optimizer) -> its step() calls so far (counted when the step ends)
        self.backwards = 0
        self._in_step = set()
        self._norms = {}  # id(optimizer) -> (steps, GradientNorms)
        self._names = {}
        self._names_models = 0
        self._relu_types = tuple(t for t in (getattr(torch.nn, "ReLU", None),) if t)
        self._cross_entropy_types = tuple(t for t in (getattr(torch.nn, "CrossEntropyLoss", None),) if t)

    # ---- subscribers ------------------------------------------------------------------------------------------------
    def subscribe(self, monitor):
        for event in EVENTS:
            if callable(getattr(monitor, event, None)):
                self.listeners[event] += (monitor,)

    def unsubscribe(self, monitor, event=None):
        for name in (event,) if event else EVENTS:
            listeners = self.listeners[name]
            if monitor in listeners:
                self.listeners[name] = tuple(m for m in listeners if m is not monitor)

    def dispatch(self, event, *args):
        for monitor in self.listeners[event]:
            if monitor.active:
                try:
                    getattr(monitor, event)(*args)  # looked up each time: a test swaps a monitor's method
                except Exception as error:  # a monitor must never break the user's run
                    self._fail(monitor, error)

    def _fail(self, monitor, error):
        try:
            self.unsubscribe(monitor)
            self.on_failure(monitor, error)
        except Exception:
            pass

    def _guard(self, where, function, *args):
        """Runs hook-side bookkeeping; if it ever raises, every hook turns into a plain pass-through."""
        try:
            return function(*args)
        except Exception as error:
            self.active = False
            self._fail(_HooksAsMonitor(where), error)
            return None

    def _remember_model(self, module):
        models = self.models
        if len(models) >= 64:  # loss modules made inside the loop come and go: forget the dead ones
            for key in [key for key, ref in models.items() if ref() is None]:
                del models[key]
        models[id(module)] = weakref.ref(module)

    # ---- shared facts -------------------------------------------------------------------------------------------
    def live_optimizers(self):
        alive = [ref() for ref in self.optimizers]
        return [opt for opt in alive if opt is not None]

    def live_models(self):
        alive = [ref() for ref in self.models.values()]
        return [model for model in alive if model is not None]

    def is_sampled_step(self, optimizer):
        """Whether this step of the optimizer is one whose gradient statistics the detectors read."""
        index = self.step_counts.get(id(optimizer), 0)
        return index < DENSE_GRADIENT_STEPS or index % GRADIENT_SAMPLE_EVERY == 0

    def sampled_gradient_norms(self, optimizer):
        """gradient_norms() on sampled steps, None on the others."""
        return self.gradient_norms(optimizer) if self.is_sampled_step(optimizer) else None

    def gradient_norms(self, optimizer):
        """Per-parameter gradient norms of this optimizer at the current step (computed once, shared by monitors)."""
        cached = self._norms.get(id(optimizer))
        if cached is not None and cached[0] == self.steps:
            return cached[1]
        params = [p for group in optimizer.param_groups for p in group["params"] if p.grad is not None]
        result = GradientNorms(params, l2_norms([p.grad for p in params]))
        self._norms[id(optimizer)] = (self.steps, result)
        return result

    def parameter_name(self, param):
        """`model.0.weight`: the user's variable for the model (when the script has one) and the parameter's path."""
        models = self.live_models()
        if id(param) not in self._names and len(models) != self._names_models:
            self._names = {}
            with_params = [m for m in models if any(True for _ in m.parameters())]
            for model in with_params:
                label = _variable_name(model) or (type(model).__name__ if len(with_params) > 1 else "")
                for name, p in model.named_parameters():
                    self._names.setdefault(id(p), f"{label}.{name}" if label else name)
            self._names_models = len(models)
        name = self._names.get(id(param))
        if name is None:
            shape = "×".join(str(s) for s in param.shape)
            name = f"a parameter of shape [{shape}]"
        return name

    def module_name(self, module):
        for model in self.live_models():
            for name, sub in model.named_modules():
                if sub is module:
                    label = _variable_name(model)
                    return ".".join(part for part in (label, name) if part) or type(model).__name__
        return type(module).__name__

    # ---- installation -------------------------------------------------------------------------------------------
    def install(self):
        self._wrap_backward()
        self._wrap_optimizer()
        self._wrap_module_call()
        self._wrap_module_zero_grad()
        self._wrap_functional()
        self._wrap_loader()
        self.tracker.listeners.append(self._batch_end)
        self.tracker.loss_listeners.append(self._loss_read)

    def _batch_end(self, batch, loss):
        if self.active and self.listeners["on_batch_end"]:
            self.dispatch("on_batch_end", batch, loss)

    def _loss_read(self, batch, loss, deferred):
        if deferred and self.active and self.listeners["on_loss_read"]:
            self.dispatch("on_loss_read", batch, loss)

    def _wrap_backward(self):
        hooks = self
        inner = torch.Tensor.backward
        listeners = self.listeners

        def backward(tensor, *args, **kwargs):
            if not hooks.active or is_compiling():
                return inner(tensor, *args, **kwargs)
            if listeners["on_backward_start"]:
                hooks.dispatch("on_backward_start", tensor)
            result = inner(tensor, *args, **kwargs)
            hooks.backwards += 1
            if listeners["on_backward_end"]:
                hooks.dispatch("on_backward_end", tensor)
            return result

        torch.Tensor.backward = _mark(backward, inner)

    def _wrap_optimizer(self):
        hooks = self
        base = torch.optim.Optimizer
        inner_init = base.__init__

        def __init__(optimizer, *args, **kwargs):
            inner_init(optimizer, *args, **kwargs)
            if hooks.active:
                hooks._guard("Optimizer.__init__", hooks._adopt, optimizer)

        base.__init__ = _mark(__init__, inner_init)

    def _adopt(self, optimizer):
        """Wraps step/zero_grad on the optimizer's class and its bases (classes made after install included)."""
        for cls in type(optimizer).__mro__:
            for name, wrap in (("step", self._step_wrapper), ("zero_grad", self._zero_grad_wrapper)):
                method = cls.__dict__.get(name)
                if callable(method) and not getattr(method, _WRAPPED, False):
                    setattr(cls, name, _mark(wrap(method), method))
        if any(ref() is optimizer for ref in self.optimizers):
            return
        self.optimizers.append(weakref.ref(optimizer))
        self.optimizer_locations[id(optimizer)] = user_location(sys._getframe(1))
        self.dispatch("on_optimizer_created", optimizer)

    def _step_wrapper(self, inner):
        hooks = self
        listeners = self.listeners
        in_step = self._in_step
        step_counts = self.step_counts

        def step(optimizer, *args, **kwargs):
            key = id(optimizer)
            if not hooks.active or key in in_step or is_compiling():  # super().step(): one event
                return inner(optimizer, *args, **kwargs)
            in_step.add(key)
            try:
                if listeners["on_step_start"]:
                    hooks.dispatch("on_step_start", optimizer)
                result = inner(optimizer, *args, **kwargs)
                hooks.steps += 1
                step_counts[key] = step_counts.get(key, 0) + 1
                if listeners["on_step_end"]:
                    hooks.dispatch("on_step_end", optimizer)
                return result
            finally:
                in_step.discard(key)

        return step

    def _zero_grad_wrapper(self, inner):
        hooks = self
        listeners = self.listeners

        def zero_grad(owner, *args, **kwargs):
            result = inner(owner, *args, **kwargs)
            if hooks.active and listeners["on_zero_grad"] and not is_compiling():
                hooks.dispatch("on_zero_grad", owner)
            return result

        return zero_grad

    def _wrap_module_zero_grad(self):
        module_class = torch.nn.Module
        inner = module_class.zero_grad
        module_class.zero_grad = _mark(self._zero_grad_wrapper(inner), inner)

    def _wrap_module_call(self):
        hooks = self
        module_class = torch.nn.Module
        inner = module_class.__call__
        relu_types = self._relu_types
        cross_entropy_types = self._cross_entropy_types
        listeners = self.listeners

        def __call__(module, *args, **kwargs):
            if not hooks.active or is_compiling():
                return inner(module, *args, **kwargs)
            stack = hooks.module_stack
            stack.append(module)
            try:
                output = inner(module, *args, **kwargs)
            finally:
                stack.pop()
            if not stack:
                known = hooks.models.get(id(module))
                if (known is None or known() is not module) and torch.is_grad_enabled():
                    hooks._remember_model(module)
            if listeners["on_module_output"]:
                hooks.dispatch("on_module_output", module, output)
            if relu_types and listeners["on_relu_output"] and isinstance(module, relu_types):
                hooks.dispatch("on_relu_output", module, module, output)
            if cross_entropy_types and listeners["on_cross_entropy"] and isinstance(module, cross_entropy_types):
                target = args[1] if len(args) > 1 else kwargs.get("target")
                source = args[0] if args else kwargs.get("input")
                hooks.dispatch("on_cross_entropy", source, target)
            if not stack and listeners["on_model_call"]:
                hooks.dispatch("on_model_call", module, args, output)
            return output

        module_class.__call__ = _mark(__call__, inner)

    def _wrap_functional(self):
        functional = getattr(torch.nn, "functional", None)
        if functional is None:
            return
        hooks = self
        listeners = self.listeners
        relu_types = self._relu_types
        cross_entropy_types = self._cross_entropy_types
        inner_relu = getattr(functional, "relu", None)
        inner_cross_entropy = getattr(functional, "cross_entropy", None)

        if inner_relu is not None:

            def relu(input, *args, **kwargs):
                output = inner_relu(input, *args, **kwargs)
                if hooks.active and listeners["on_relu_output"] and not is_compiling():
                    stack = hooks.module_stack
                    if not (stack and isinstance(stack[-1], relu_types)):  # nn.ReLU's own forward: counted there
                        caller = sys._getframe(1)
                        key = (caller.f_code, caller.f_lineno)
                        hooks.dispatch("on_relu_output", key, stack[-1] if stack else None, output)
                return output

            functional.relu = _mark(relu, inner_relu)

        if inner_cross_entropy is not None:

            def cross_entropy(input, target, *args, **kwargs):
                if hooks.active and listeners["on_cross_entropy"] and not is_compiling():
                    stack = hooks.module_stack
                    if not (stack and isinstance(stack[-1], cross_entropy_types)):
                        hooks.dispatch("on_cross_entropy", input, target)
                return inner_cross_entropy(input, target, *args, **kwargs)

            functional.cross_entropy = _mark(cross_entropy, inner_cross_entropy)

    def _wrap_loader(self):
        data = getattr(torch.utils, "data", None)
        loader_class = getattr(data, "DataLoader", None)
        if loader_class is None:
            return
        hooks = self
        inner = loader_class.__iter__

        def __iter__(loader):
            for item in inner(loader):
                yield item
            if hooks.active and torch.is_grad_enabled() and not is_compiling():
                hooks.dispatch("on_loader_pass_end", loader)

        loader_class.__iter__ = _mark(__iter__, inner)


def _variable_name(value):
    """The name the user's script gives this object at module level, if any."""
    main = sys.modules.get("__main__")
    for name, candidate in getattr(main, "__dict__", {}).items():
        if candidate is value and not name.startswith("_"):
            return name
    return None


class _HooksAsMonitor:
    """Stands for the hooks themselves when their own bookkeeping fails."""

    code = None
    active = False

    def __init__(self, where):
        self.where = where

    @property
    def name(self):
        return f"hooks ({self.where})"
