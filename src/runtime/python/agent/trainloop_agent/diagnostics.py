"""Reports training-bug findings as `diagnostic` events: once per cause, on the user's line, with batch and evidence."""
import linecache
import math
import os
import re
import sys
import sysconfig

from .events import emit

__all__ = [
    "MESSAGE_TEMPLATES",
    "Location",
    "Reporter",
    "call_receiver",
    "number",
    "render_message",
    "user_frame",
    "user_location",
]

# The runtime's own wording, with what it measured: one template per kind of finding (a code, or `code.variant` where a
# detector finds a code two ways), distinct from the static analysis's catalog text (src/analysis/diagnosticCatalog.ts)
# that says what the source lacks. The extension renders the same templates in the user's language from the record's
# `template` and `values` (src/runtime/runtimeFindingTemplates.ts holds them; test/runtime/detectors.test.ts compares
# the two). Values are names and numbers only, so that a translated template reads whole.
MESSAGE_TEMPLATES = {
    "TL001": "Gradients accumulate across batches: {parameter}.grad equals the sum of the gradients of the last "
    "{passes} backward() calls (largest difference {error}), and its norm grew {norms}. Each {optimizer}.step() applies "
    "earlier batches' gradients again: call {optimizer}.zero_grad() once per iteration.",
    "TL002": "{clear} cleared the gradients after backward() and before {optimizer}.step(): at batch {batch} the step "
    "found every gradient {state} and moved {parameter} by at most {change}. Move {clear} after {optimizer}.step().",
    "TL003.loss": "The loss is not finite ({value}) at batch {batch}, and {count} of {total} gradients are not finite. "
    "Check the learning rate, the inputs and any log/division in the loss.",
    "TL003.gradient": "The gradient of {parameter} is not finite ({value}) at batch {batch}; {count} of {total} "
    "gradients are not finite. Check the learning rate, the inputs and any log/division in the loss.",
    "TL004": "Exploding gradients: the gradient norm grew on each of the last {steps} measured steps, {factor}× in "
    "all, to {norm} at batch {batch} (last norms: {recent}), while the loss rose from {loss_first} to {loss_last}. "
    "Lower the learning rate or clip gradients (torch.nn.utils.clip_grad_norm_).",
    "TL004.iteration": "Exploding gradients: the gradient norm grew on each of the last {steps} measured steps, "
    "{factor}× in all, to {norm} at iteration {iteration} (last norms: {recent}), while the loss rose from "
    "{loss_first} to {loss_last}. Lower the learning rate or clip gradients (torch.nn.utils.clip_grad_norm_).",
    "TL005": "Vanishing gradients: at batch {batch} the gradient norm of the first layer's {first} is {first_norm}, "
    "{ratio} times that of the last layer's {last} ({last_norm}), below 1e-3 on {steps} measured steps in a row. "
    "Check activations, initialisation and depth.",
    "TL006": "Dying ReLU: {dead} of the {units} units of {layer} ({percent}%) output nothing positive in {window} "
    "batches up to batch {batch}, so they pass no gradient. Lower the learning rate or use LeakyReLU.",
    "TL007.softmax": "CrossEntropyLoss gets probabilities from {layer} at batch {batch}: every row of its {classes} "
    "classes lies in [0, 1] and sums to 1 (largest difference {error}). CrossEntropyLoss applies log-softmax itself, so "
    "they are squashed twice: remove the softmax and feed CrossEntropyLoss the raw logits.",
    "TL007.log_softmax": "CrossEntropyLoss gets log-probabilities from {layer} at batch {batch}: every value of its "
    "{classes} classes is ≤ 0 and each row's logsumexp is 0 (largest difference {error}). CrossEntropyLoss applies "
    "log-softmax itself: remove the log-softmax and feed CrossEntropyLoss the raw logits.",
    "TL008.eval": "The model is in training mode while it is evaluated under torch.no_grad(): {calls} calls with "
    "{layers} in training mode (Dropout still drops, BatchNorm still updates its statistics). Call model.eval() "
    "first.",
    "TL008.train": "The model is in evaluation mode while it is trained: at batch {batch} optimizer.step() updated it "
    "with {layers} in eval mode. Call model.train() first.",
    "TL009.sum": "{expression} keeps the loss with its autograd graph: {variable} grew by {multiple} × the loss in "
    "each of {batches} batches in a row (now {value}), so memory grows with every batch. Accumulate {remedy} (a Python "
    "number) instead.",
    "TL009.list": "{expression} keeps every batch's loss with its autograd graph: {variable} holds {length} of them "
    "after growing in {batches} batches in a row, so memory grows with every batch. Keep {remedy} (a Python number) "
    "instead.",
    "TL010.no_step": "Gradients are computed but the parameters do not change: backward() ran in {batches} batches in "
    "a row up to batch {batch} without an optimizer.step(), and {parameter} stayed the same. Call optimizer.step() "
    "after loss.backward().",
    "TL010.no_optimizer": "Gradients are computed but the parameters do not change: backward() ran in {batches} "
    "batches in a row up to batch {batch} and no optimizer was created, so {parameter} stayed the same. Create an "
    "optimizer and call its step() after loss.backward().",
    "TL010.unoptimized": "Gradients are computed but {count} parameters ({parameters}) belong to no optimizer: they "
    "got gradients in {steps} steps and did not change. Pass them to the optimizer, or set requires_grad=False.",
    "TL011.lower": "Learning rate {lr} is too high: each {optimizer}.step() changed the weights by {ratio} of their "
    "size (‖ΔW‖/‖W‖, median of {count} measurements in a row, last: {recent}), far above 1e-3. Try a lower learning "
    "rate (around {suggested}).",
    "TL011.higher": "Learning rate {lr} is too low: each {optimizer}.step() changed the weights by {ratio} of their size "
    "(‖ΔW‖/‖W‖, median of {count} measurements in a row, last: {recent}), far below 1e-3, and the loss fell by "
    "only {progress} over them. Try a higher learning rate, ×10 at a time while the loss keeps falling.",
}

_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def render_message(template_id, **values):
    """Fills a template (`TL003.loss`, or a code); a placeholder without a value stays visible as `{name}`."""
    template = MESSAGE_TEMPLATES[template_id]
    return _PLACEHOLDER.sub(lambda m: str(values[m.group(1)]) if m.group(1) in values else m.group(0), template)


def number(value, digits=3):
    """A float as people read it in a message: 0.0123, 1.2e-05, 3.4e+04."""
    if value is None:
        return "None"
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if value != 0 and (abs(value) < 1e-3 or abs(value) >= 1e4):
        return f"{value:.{digits - 1}e}"
    return f"{value:.{digits}g}"


# ---- where in the user's code ------------------------------------------------------------------------------------

def _library_dirs():
    """Folders whose frames are never the user's: the runtime's python/ (agent + shim), torch's site folder, stdlib."""
    here = os.path.dirname(os.path.abspath(__file__))  # .../python/agent/trainloop_agent
    dirs = {os.path.dirname(os.path.dirname(here))}  # .../python (agent and shim)
    try:
        import torch

        dirs.add(os.path.dirname(os.path.dirname(os.path.abspath(torch.__file__))))
    except Exception:  # pragma: no cover - torch is always importable where monitors run
        pass
    for key in ("stdlib", "platstdlib", "purelib", "platlib"):
        try:
            path = sysconfig.get_paths().get(key)
        except Exception:
            path = None
        if path:
            dirs.add(os.path.abspath(path))
    return tuple(sorted(d.rstrip(os.sep) + os.sep for d in dirs if d))


_LIBRARY_DIRS = _library_dirs()
_is_user_code = {}


def _code_is_users(code):
    known = _is_user_code.get(code)
    if known is None:
        name = code.co_filename
        known = not name.startswith("<") and not os.path.abspath(name).startswith(_LIBRARY_DIRS)
        _is_user_code[code] = known
    return known


def user_frame(start=None):
    """The innermost frame running the user's code (the script or a module beside it), or None."""
    frame = start if start is not None else sys._getframe(1)
    while frame is not None:
        if _code_is_users(frame.f_code):
            return frame
        frame = frame.f_back
    return None


class Location:
    """A place in the user's code: path, 1-based line and column, and the source span of the call running there.

    Made from a frame, it keeps only the code object and instruction offset; the column is worked out on first use
    (monitors record locations every batch and report almost never)."""

    __slots__ = ("path", "line", "function", "_column", "_end_column", "_code", "_lasti")

    def __init__(self, path, line, column=1, end_column=None, function=None):
        self.path = path
        self.line = line
        self.function = function
        self._column = column
        self._end_column = end_column
        self._code = None
        self._lasti = -1

    @classmethod
    def of_frame(cls, frame):
        code = frame.f_code
        location = cls(code.co_filename, frame.f_lineno, None, None, code.co_name)
        location._code = code
        location._lasti = frame.f_lasti
        return location

    def _resolve(self):
        self._column, self._end_column = 1, None
        positions = getattr(self._code, "co_positions", None)
        if positions is None or self._lasti < 0:
            return
        try:
            for index, position in enumerate(positions()):
                if index == self._lasti // 2:
                    start_line, end_line, start_col, end_col = position
                    if start_line == self.line and start_col is not None:
                        self._column = start_col + 1
                        if end_line == self.line and end_col is not None:
                            self._end_column = end_col + 1
                    break
        except (TypeError, ValueError):
            pass

    @property
    def column(self):
        if self._column is None:
            self._resolve()
        return self._column

    @property
    def end_column(self):
        if self._column is None:
            self._resolve()
        return self._end_column

    def source(self):
        """The text of the call at this location (one line), or the whole line."""
        text = linecache.getline(self.path, self.line).rstrip("\n")
        if self.end_column is not None:
            return text[self.column - 1 : self.end_column - 1]
        return text.strip()

    def __repr__(self):
        return f"{self.path}:{self.line}:{self.column}"


def user_location(start=None):
    """Where the user's code is now: the innermost user frame's file and line (and, when asked, the call's column)."""
    frame = user_frame(start if start is not None else sys._getframe(1))
    return None if frame is None else Location.of_frame(frame)


_RECEIVER = re.compile(r"^\s*(.+?)\s*\.\s*(\w+)\s*\(")


def call_receiver(location, method, default):
    """`optimizer` from the source `optimizer.step()` at `location`, when that is the method called there."""
    if location is None:
        return default
    try:
        match = _RECEIVER.match(location.source())
    except Exception:
        return default
    if match and match.group(2) == method and len(match.group(1)) <= 60:
        return match.group(1)
    return default


# ---- reporting ------------------------------------------------------------------------------------------------------

class Reporter:
    """Emits each finding once per (code, cause), as a `diagnostic` event the CLI prints as `path:line:col: ...`."""

    def __init__(self, program=None, tracker=None):
        self.program = program
        self.tracker = tracker
        self.reported = set()
        self.count = 0

    def current_batch(self):
        batch = getattr(self.tracker, "batch", -1)
        return batch if isinstance(batch, int) and batch >= 0 else None

    def already(self, code, cause=None):
        return (code, cause) in self.reported

    def report(self, code, location, message, evidence=None, cause=None, severity="warning", batch=None, template=None,
               values=None):
        """`template` and `values` (names and numbers) let the host render the message in the user's language."""
        key = (code, cause)
        if key in self.reported:
            return False
        self.reported.add(key)
        if location is None:
            location = Location(self.program or "<unknown>", 1, 1)
        if batch is None:  # as users count, from 1 (current_batch() is the tracker's index, from 0)
            batch = self.current_batch()
            batch = None if batch is None else batch + 1
        self.count += 1
        emit(
            "diagnostic",
            code=code,
            severity=severity,
            path=location.path,
            line=location.line,
            column=location.column,
            batch=batch,
            message=message,
            template=template or code,
            values={str(k): v if type(v) is int else str(v) for k, v in (values or {}).items()},
            evidence=_plain(evidence or {}),
        )
        return True


def _plain(value):
    """Evidence as JSON can hold it: floats rounded, non-finite numbers as text, tuples as lists."""
    if isinstance(value, float):
        if not math.isfinite(value):
            return str(value)
        return float(f"{value:.6g}")
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if value is None or isinstance(value, (bool, int, str)):
        return value
    return str(value)
