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

# The catalog's wording (src/analysis/diagnosticCatalog.ts), filled by the runtime monitors. Keep the two in step:
# test/runtime/detectors.test.ts compares every template here with the catalog's.
MESSAGE_TEMPLATES = {
    "TL001": "Gradients accumulate across batches: this loop calls backward() and {optimizer}.step() but never clears "
    "the gradients. Call {optimizer}.zero_grad() once per iteration (for example before backward()).",
    "TL002": "{clear} runs after backward() and before {optimizer}.step(), so the step sees no gradients and the "
    "parameters do not learn. Move {clear} after {optimizer}.step() (or before the forward pass).",
    "TL003": "{quantity} is not finite ({value}) at batch {batch}. Check the learning rate, the inputs and any "
    "log/division in the loss.",
    "TL004": "Exploding gradients: the gradient norm of {parameter} is {norm} at batch {batch}. Lower the learning "
    "rate or clip gradients (torch.nn.utils.clip_grad_norm_).",
    # The catalog words TL005 as a gradient-to-weight ratio; the runtime measures AUTOTRAINER's first-to-last-layer
    # gradient ratio, so the sentence names both layers (same title, code and advice).
    "TL005": "Vanishing gradients: the gradient of {parameter} is {ratio} times the size of {reference} (below 1e-3) "
    "at batch {batch}. Check activations, initialisation and depth.",
    "TL006": "Dying ReLU: {percent}% of the outputs of {layer} are zero at batch {batch}. Lower the learning rate or "
    "use LeakyReLU.",
    "TL007": "{layer} is the model's last layer and its output goes to CrossEntropyLoss, which applies log-softmax "
    "itself: the probabilities are squashed twice and training slows down. Remove {layer} and feed CrossEntropyLoss "
    "the raw logits.",
    "TL008": "The model is in {mode} mode while {activity}. Call model.{remedy}() first (Dropout and BatchNorm behave "
    "differently in each mode).",
    "TL009": "{expression} accumulates the loss together with its autograd graph, so memory grows with every batch. "
    "Accumulate {remedy} (a Python number) instead.",
    "TL010": "Gradients are computed but the parameters do not change: {detail}.",
    "TL011": "Learning rate {lr} looks out of range: the update-to-weight ratio lr·‖ΔW‖/‖W‖ of {parameter} is {ratio}, "
    "far from 1e-3. Try a learning rate {direction}.",
}

_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def render_message(code, **values):
    """Fills a template; a placeholder without a value stays visible as `{name}` (as the catalog's renderMessage)."""
    template = MESSAGE_TEMPLATES[code]
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

    def report(self, code, location, message, evidence=None, cause=None, severity="warning", batch=None):
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
