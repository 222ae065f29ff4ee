"""Stops where a NaN or an Inf is made: at the user's line whose op first produced one from finite inputs, while a
training batch runs with the non-finite filter on (the default), instead of at `loss.backward()` later.

Which ops are watched: those run with grad enabled between a training batch's fetch and its first backward() (a
second forward in the same batch, as in gradient accumulation over micro-batches, is not), and those of the script
before its first training batch or backward() (a dataset standardised once at the top, by a std that is 0). Each op's output is checked as it is made, so the stop comes with
the op's frame alive and nothing run twice (no rewind, no change to the RNG state):
- embedded runtime: the engine checks each computing op's output in JavaScript (nonFiniteWatch.ts) and calls back
  here, inside the op's call, only for the first one that failed;
- real PyTorch (non_finite_native.py): a TorchFunctionMode sees the torch functions and Tensor methods the user's code
  calls, and a wrapper of nn.Module.__call__ the library modules it calls; an output on the CPU is checked by the
  finiteness of its sum (one kernel, no copy), its inputs only when that fails. What runs inside library code reaches
  the user's line through that call. Ops on an accelerator are not checked (a check would wait for the device).

A NaN that first appears in backward() (finite loss, non-finite gradients) is located as torch.autograd's anomaly
mode does, for the ops whose gradient can be infinite at finite inputs (RISKY_BACKWARD in non_finite_native.py: √x, log x, 1/x at 0, the std
of a constant…; linear, relu or softmax only overflow, and hooking every op cost the quickstart's batch about 10%): on
real PyTorch such an op's grad_fn gets a hook that checks the gradients it returns (the engine does the same in
JavaScript); the first node whose finite incoming gradient became non-finite is named with its forward line. The stop
is then at backward(), the forward frame being gone.

The message is built by non_finite_source.py from the line's text and the operands' values, the same on every backend
and both runtimes, as an AgentText (agent_text.py): English as `str()`, and in the user's language in the editor.
"""
import json
import math
import sys

import torch

from .agent_text import AgentText
from .compiling import is_compiling
from .non_finite_native import install_native_checks
from .non_finite_source import cause_text, count_text, evaluate_operand, op_source
from .tensor_reads import ENGINE

__all__ = ["NonFiniteLocator", "NON_FINITE_VALUE"]

NON_FINITE_VALUE = "NonFiniteValue"
_LOCATED_KINDS = ("NonFiniteLoss", "NonFiniteGradient")
class NonFiniteLocator:
    def __init__(self, session, tracker):
        self.session = session
        self.tracker = tracker
        self.active = True  # off: no batch is watched (bench/nonFiniteLocator.ts times blocks of batches both ways)
        self.watching = False  # read by the native mode on every op: a plain attribute
        self.in_backward = False
        self._located_batch = None  # the batch (tracker.batch) a stop of ours was made in
        self._engine = ENGINE if ENGINE is not None and hasattr(ENGINE, "watch_non_finite") else None
        self._native = None  # real PyTorch: the checks of non_finite_native.py
        self._backward_origin = None  # (grad_fn name, forward site, (nan, inf)) found during backward()
        self._hooked_nodes = set()  # id() of the grad_fns hooked in this batch (they live until its backward)
        self._sites = []  # embedded runtime: (code, line, lasti) of the user lines the engine asked about, by number
        self._site_numbers = {}  # (code, lasti) -> its number in _sites

    # ---- installation ---------------------------------------------------------------------------------------------
    def install(self):
        tracker = self.tracker
        locator = self
        next_batch, finish_batch = tracker.next_batch, tracker.finish_batch

        def watched_next_batch():
            next_batch()
            locator._hooked_nodes.clear()
            locator._open_window()

        def watched_finish_batch():
            locator._close_window()
            finish_batch()

        tracker.next_batch = watched_next_batch
        tracker.finish_batch = watched_finish_batch
        backward = torch.Tensor.backward

        def located_backward(tensor, *args, **kwargs):
            if is_compiling():
                return backward(tensor, *args, **kwargs)
            checking = locator.watching
            locator._close_window()  # whether or not watching: the mode must be off the stack in backward()
            locator.in_backward = checking
            locator._backward_origin = None
            engine = locator._engine if checking else None
            if engine is not None:
                engine.watch_backward(True)
            try:
                result = backward(tensor, *args, **kwargs)
            finally:
                locator.in_backward = False
                if engine is not None:
                    engine.watch_backward(False)
                    locator._take_engine_backward_origin()
            if checking:
                locator._after_backward()
            # The window stays closed until the next batch: the optimizer's step and the next fetch (a dataset's
            # per-sample indexing) would pay the mode's dispatch for every op. A second forward in the same batch
            # (gradient accumulation over micro-batches) is not watched.
            return result

        torch.Tensor.backward = located_backward
        if self._engine is not None:
            from pyodide.ffi import create_proxy

            self._engine.on_non_finite(create_proxy(self._on_engine_origin), create_proxy(self._site_number))
        else:
            self._native = install_native_checks(self)
        self._open_window()  # the script's own preparation, until its first batch or backward()

    def _open_window(self):
        """A training batch's forward starts (or goes on after a backward()): watch its ops."""
        if not self.active or not self.session.stops_on_non_finite or self.located_this_batch():
            return
        self._set_watching(True)
        if self._native is not None:
            self._native.push()

    def _close_window(self):
        """backward() starts or the batch ends: no more watching. On real PyTorch the mode leaves the stack (if it is
        still on top): inside backward() it would see Tensor.backward itself and run the agent's wrappers twice."""
        self._set_watching(False)
        if self._native is not None:
            self._native.pop()

    def _set_watching(self, on):
        on = bool(on)
        if on != self.watching:
            self.watching = on
            if self._engine is not None:
                self._engine.watch_non_finite(on)

    def located_this_batch(self):
        """Whether a stop of ours already showed this batch's NaN (the loss and gradient stops then stay quiet)."""
        return self._located_batch is not None and self._located_batch == self.tracker.batch and self.tracker.open

    def silences(self, kind):
        return kind in _LOCATED_KINDS and self.located_this_batch()

    # ---- forward: an op made NaN/Inf ------------------------------------------------------------------------------
    def _on_engine_origin(self, _engine_op, nan, inf, size):
        self.forward_origin(sys._getframe(1), int(nan), int(inf), int(size))

    def forward_origin(self, frame, nan, inf, size):
        """An op called (somewhere below) from `frame` made `nan` NaN and `inf` Inf from finite inputs: stop at the
        user's line that called it."""
        session = self.session
        if session.busy or not session.stops_on_non_finite or self.located_this_batch():
            return
        frame = session.user_frame(frame)
        if frame is None:
            return
        self._set_watching(False)  # one stop per batch; later ops carry the NaN on
        self._located_batch = self.tracker.batch
        try:
            source = op_source(frame)
            values, inputs = _operand_values(source, frame)
            cause = cause_text(source, values, frame)
        except Exception as error:  # the stop is what matters: a failed description still stops at the line
            source, inputs, cause = None, {"(not described)": f"{type(error).__name__}: {error}"}, None
        op = f"`{source.text}`" if source is not None else AgentText("nonFinite.value.thisLine")
        count, when = count_text(nan, inf), _batch_text(self.tracker)
        message = (AgentText("nonFinite.value.cause", cause=cause, op=op, count=count, when=when) if cause
                   else AgentText("nonFinite.value.finiteInputs", op=op, count=count, when=when))
        # Row names the adapter translates ("(result)", "(not described)"); values in parts, as the stop message.
        inputs["(result)"] = AgentText("nonFinite.row.values.one" if size == 1 else "nonFinite.row.values.many",
                                       count=count_text(nan, inf), size=size)
        session.stop_for_training_problem(frame, NON_FINITE_VALUE, message, None, inputs=inputs)

    # ---- backward: a gradient became NaN/Inf ------------------------------------------------------------------------
    def _site_number(self):
        """Embedded runtime: the engine asks, inside a forward op, which user line called it (kept as a number)."""
        frame = self.session.user_frame(sys._getframe(1))
        if frame is None:
            return -1
        key = (frame.f_code, frame.f_lasti)
        number = self._site_numbers.get(key)
        if number is None:
            number = self._site_numbers[key] = len(self._sites)
            self._sites.append((frame.f_code, frame.f_lineno, frame.f_lasti))
        return number

    def _take_engine_backward_origin(self):
        found = self._engine.take_backward_origin()
        if not found:
            return
        origin = json.loads(found)
        number = origin["site"]
        if 0 <= number < len(self._sites):
            self._backward_origin = (origin["grad_fn"], self._sites[number], (origin["nan"], origin["inf"]))

    def note_forward_site(self, output, frame):
        """Real PyTorch: hooks `output`'s grad_fn to check the gradients it returns, naming the user line that made it.
        The hook holds the site, not the node (a node holding a hook that holds it would never be freed)."""
        node = output.grad_fn
        if node is None or id(node) in self._hooked_nodes:
            return
        user = self.session.user_frame(frame)
        if user is None:
            return
        self._hooked_nodes.add(id(node))
        site = (user.f_code, user.f_lineno, user.f_lasti)
        name = type(node).__name__
        check = self._check_node
        try:
            node.register_hook(lambda grad_inputs, grad_outputs: check(name, site, grad_inputs, grad_outputs))
        except Exception:  # a node that takes no hooks: its gradients go unchecked
            pass

    def _check_node(self, name, site, grad_inputs, grad_outputs):
        """A node's backward returned `grad_inputs` from `grad_outputs`: the first one to turn finite into NaN/Inf."""
        if self._backward_origin is not None or not self.in_backward:
            return
        bad = _non_finite_counts(grad_inputs)
        if bad is not None and _non_finite_counts(grad_outputs) is None:
            self._backward_origin = (name, site, bad)

    def _after_backward(self):
        origin, self._backward_origin = self._backward_origin, None
        if origin is None or self.session.busy or not self.session.stops_on_non_finite:
            return
        name, (code, line, lasti), (nan, inf) = origin
        frame = self.session.user_frame(sys._getframe(2))
        if frame is None:
            return
        message = AgentText("nonFinite.gradient", expression=_site_text(code, line, lasti), line=line, node=name,
                            count=count_text(nan, inf), when=_batch_text(self.tracker))
        self.session.stop_for_training_problem(frame, "NonFiniteGradient", message, None)
        self._located_batch = self.tracker.batch  # after: the stop would be silenced as already shown


def _batch_text(tracker):
    if tracker.open and tracker.number > 0:
        return AgentText("when.batch", batch=tracker.number)
    return AgentText("when.beforeFirstBatch" if tracker.number == 0 else "when.outsideLoop")


def _operand_values(source, frame):
    """([(text, value)] for the operands that could be read again, {text: value or why not} for Variables)."""
    values, inputs = [], {}
    for text, node in source.operands:
        try:
            value = evaluate_operand(node, frame)
        except Exception as error:
            inputs[text] = (AgentText("nonFinite.row.notReadAgain", error=error) if isinstance(error, ValueError)
                            else f"({error})")
            continue
        values.append((text, value))
        inputs[text] = value
    return values, inputs


def _site_text(code, line, lasti):
    """The expression at a forward op's site, as op_source reads it from a live frame."""
    class _Site:
        f_code = code
        f_lineno = line
        f_lasti = lasti

    try:
        return op_source(_Site()).text
    except Exception:
        return f"line {line}"


def _non_finite_counts(tensors):
    """(NaN count, Inf count) over the float tensors, or None when all are finite."""
    nan = inf = 0
    for t in tensors:
        if isinstance(t, torch.Tensor) and t.is_floating_point() and t.numel():
            if math.isfinite(float(t.detach().sum())):
                continue
            nan += int(torch.isnan(t).sum())
            inf += int(torch.isinf(t).sum())
    return (nan, inf) if nan or inf else None
