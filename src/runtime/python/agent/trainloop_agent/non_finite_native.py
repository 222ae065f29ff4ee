"""The non-finite locator's checks on real PyTorch: which ops' outputs are checked for NaN/Inf as they are made, and how.

An output is checked only where the user's code makes it: a torch function or Tensor method called from a user file,
or a library module (nn.Linear, nn.Sequential, nn.CrossEntropyLoss…) called from one. What runs inside library code
reaches the user's line through that call: the stop is on the same line, with the same expression, as when each op
inside was checked. On the quickstart this turns seven reductions a batch over up to 50,000 values (each Linear's and
ReLU's output, the flattened images) into two small ones (the Sequential's logits and the loss).
Ops and modules that cannot make NaN/Inf from finite values (reshapes, ReLU, sigmoid, softmax, dropout, max pooling)
are not checked at all: with finite inputs their output is finite, and with non-finite ones the NaN was made earlier.

A check is the finiteness of the output's sum (one reduction on the CPU, no copy); the NaN and Inf are counted, and the
inputs (and a module's parameters) checked, only when it fails. Tensors on an accelerator are not checked: a check
would wait for the device at every op (the loss and gradient checks still stop at backward()).
"""
import functools
import math
import os
import sys

import torch

from .compiling import is_compiling
from .user_code import AGENT_PREFIXES, is_user_file

__all__ = ["install_native_checks", "RISKY_BACKWARD"]

# The torch functions whose backward can make NaN/Inf from finite gradients at finite inputs (nonFiniteWatch.ts has
# the engine's names for the same ops).
RISKY_BACKWARD = frozenset({
    "sqrt", "rsqrt", "log", "log2", "log10", "log1p", "reciprocal", "acos", "asin", "atanh", "logit", "div", "divide",
    "true_divide", "__truediv__", "__rtruediv__", "__itruediv__", "pow", "__pow__", "__rpow__", "float_power", "atan2",
    "std", "std_mean", "norm", "cdist", "pdist",
})

# Where torch's functions hand an op to the mode: frames of these files stand between the user's call and the mode.
_TORCH_DIR = os.path.dirname(os.path.abspath(torch.__file__))
_FUNCTION_LAYER = frozenset(os.path.join(_TORCH_DIR, *parts) for parts in (
    ("overrides.py",), ("functional.py",), ("_tensor.py",), ("_jit_internal.py",), ("nn", "functional.py"),
))

# Torch functions and Tensor methods whose output is finite whenever their inputs are.
_CANNOT_MAKE_NON_FINITE = frozenset({
    "view", "view_as", "reshape", "reshape_as", "flatten", "unflatten", "permute", "transpose", "t", "contiguous",
    "squeeze", "unsqueeze", "expand", "expand_as", "narrow", "select", "__getitem__", "split", "chunk", "unbind",
    "cat", "concat", "stack", "clone", "detach", "cpu", "relu", "relu_", "relu6", "hardtanh", "sigmoid", "tanh",
    "softmax", "log_softmax", "dropout", "dropout1d", "dropout2d", "dropout3d", "alpha_dropout", "max_pool1d",
    "max_pool2d", "max_pool3d", "adaptive_max_pool1d", "adaptive_max_pool2d", "abs", "neg", "__neg__", "clamp",
    "clip", "max", "min", "maximum", "minimum", "where", "masked_select", "gather", "index_select",
    "argmax", "argmin", "eq", "ne", "lt", "le", "gt", "ge", "__eq__", "__ne__", "__lt__", "__le__", "__gt__", "__ge__",
})
# Ops whose output is memory nobody wrote yet (nn.Linear's weight starts as torch.empty, then an init fills it): a NaN in
# it is whatever the allocator left there, not one the user's code made.
_UNINITIALIZED_OUTPUTS = frozenset(
    {"empty", "empty_like", "new_empty", "empty_strided", "new_empty_strided", "resize_", "resize_as_"}
)
_SKIPPED_OPS = _CANNOT_MAKE_NON_FINITE | _UNINITIALIZED_OUTPUTS
_SAFE_MODULE_NAMES = ("Flatten", "Unflatten", "Identity", "ReLU", "ReLU6", "Sigmoid", "Tanh", "Softmax", "LogSoftmax",
                      "Dropout", "Dropout1d", "Dropout2d", "Dropout3d", "AlphaDropout", "MaxPool1d", "MaxPool2d",
                      "MaxPool3d", "AdaptiveMaxPool1d", "AdaptiveMaxPool2d")

_USER, _LAYER, _LIBRARY = 0, 1, 2
_code_kinds = {}  # code object -> _USER | _LAYER | _LIBRARY
_module_classes = {}  # module class -> whether its output is checked where the user's code calls it
_library_classes = {}  # module class -> whether its forward is library code


def _code_kind(code):
    kind = _code_kinds.get(code)
    if kind is None:
        filename = code.co_filename
        if filename in _FUNCTION_LAYER or os.path.normcase(os.path.abspath(filename)).startswith(AGENT_PREFIXES):
            kind = _LAYER
        else:
            kind = _USER if is_user_file(filename) else _LIBRARY
        _code_kinds[code] = kind
    return kind


def _user_caller(frame):
    """The user's frame that made this call, past torch's function layer and the agent's wrappers; None when the caller
    is library code (a module's forward, a transform, the DataLoader)."""
    while frame is not None:
        kind = _code_kind(frame.f_code)
        if kind == _USER:
            return frame
        if kind == _LIBRARY:
            return None
        frame = frame.f_back
    return None


def _library_module_class(cls):
    """Whether a module class runs library code (nn.Linear, nn.Sequential…) rather than a forward of the user's."""
    library = _library_classes.get(cls)
    if library is None:
        forward = getattr(getattr(cls, "forward", None), "__code__", None)
        library = forward is None or _code_kind(forward) != _USER
        _library_classes[cls] = library
    return library


def _checked_module_class(cls):
    """Whether a library module's output is checked where the user's code calls it (not for reshapes, ReLU…)."""
    checked = _module_classes.get(cls)
    if checked is None:
        safe = tuple(t for t in (getattr(torch.nn, name, None) for name in _SAFE_MODULE_NAMES) if t is not None)
        checked = cls not in safe and _library_module_class(cls)
        _module_classes[cls] = checked
    return checked


_UNKNOWN = object()
# Looked up once (asked at every switch); the embedded runtime's torch has no torch.overrides.
_current_mode = getattr(getattr(torch, "overrides", None), "_get_current_function_mode", None)


def _top_mode():
    """The TorchFunctionMode on top of the stack (_UNKNOWN where torch does not say)."""
    return _current_mode() if callable(_current_mode) else _UNKNOWN


class NativeChecks:
    """The TorchFunctionMode the locator pushes while it watches a batch's forward, taken off the stack while a
    library module runs (and put back while a module of the user's runs inside it): under a mode, every op pays a
    Python call (6-13 µs on torch 1.13 and 2 here), and what runs inside library modules is checked at their boundary."""

    def __init__(self, mode):
        self.mode = mode
        self.pushed = False  # the window is open: the mode is on the stack, or suspended by a library module
        self.suspended = False

    def push(self):
        if not self.pushed:
            self.mode.__enter__()
            self.pushed, self.suspended = True, False

    def pop(self):
        """The window closes. Inside backward() the mode would see Tensor.backward itself and run the agent's wrappers
        twice, so it leaves the stack (when it is still on top: a mode the user pushed since stays theirs)."""
        if self.pushed and not self.suspended and _top_mode() in (self.mode, _UNKNOWN):
            self.mode.__exit__(None, None, None)
        self.pushed = self.suspended = False

    def around(self, library):
        """Before a module call: True when the mode must be switched for it (off for a library module, back on for a
        module of the user's inside one), and switches it."""
        if not self.pushed or library == self.suspended:
            return False
        if library:
            if _top_mode() not in (self.mode, _UNKNOWN):
                return False
            self.mode.__exit__(None, None, None)
        else:
            self.mode.__enter__()
        self.suspended = library
        return True

    def back(self, library):
        """After a module call `around` switched the mode for: switches it back (if the window is still open)."""
        if not self.pushed:
            if not library:  # the window closed inside the user's module (a backward() there): leave the stack clean
                if _top_mode() in (self.mode, _UNKNOWN):
                    self.mode.__exit__(None, None, None)
            return
        if library:
            self.mode.__enter__()
        elif _top_mode() in (self.mode, _UNKNOWN):
            self.mode.__exit__(None, None, None)
        self.suspended = not library


def install_native_checks(locator):
    """Puts the checks in place: wraps nn.Module.__call__ and returns the NativeChecks whose mode the locator pushes
    while it watches (None where torch has no TorchFunctionMode)."""
    base = getattr(getattr(torch, "overrides", None), "TorchFunctionMode", None)
    if base is None:
        return None
    is_grad_enabled = torch.is_grad_enabled
    tensor_type = torch.Tensor
    module_class = torch.nn.Module
    inner_call = module_class.__call__

    class NonFiniteOps(base):
        def __torch_function__(self, func, types, args=(), kwargs=None):
            out = func(*args, **(kwargs or {}))
            if locator.watching and isinstance(out, tensor_type) and is_grad_enabled() \
                    and getattr(func, "__name__", None) not in _SKIPPED_OPS:
                caller = _user_caller(sys._getframe(1))
                if caller is not None and not is_compiling():
                    _check_op(locator, func, out, args, kwargs, caller)
            return out

    checks = NativeChecks(NonFiniteOps())

    def __call__(module, *args, **kwargs):
        if not checks.pushed or is_compiling():
            return inner_call(module, *args, **kwargs)
        cls = type(module)
        library = _library_module_class(cls)
        made = None
        switched = checks.around(library)
        try:
            output = inner_call(module, *args, **kwargs)
            if library and locator.watching and _checked_module_class(cls) and is_grad_enabled():
                caller = _user_caller(sys._getframe(1))
                if caller is not None:
                    # Checked before the mode is back on the stack: under it, each of the check's own tensor calls
                    # would pay the mode's dispatch (about 16 calls a batch, ~90 µs, measured on the quickstart).
                    locator.watching = False  # and where it is still on (a mode of the user's above it): unchecked
                    try:
                        made = _made_by_module(module, output, args, kwargs)
                    finally:
                        locator.watching = True
        finally:
            if switched:
                checks.back(library)
        if made is not None:
            locator.forward_origin(caller, *made)
        return output

    module_class.__call__ = functools.wraps(inner_call)(__call__)
    return checks


def _finite_sum(tensor):
    """False when the tensor holds NaN or Inf (or its sum overflows); None when it is not a CPU float tensor."""
    if not tensor.is_floating_point() or tensor.device.type != "cpu" or not tensor.numel():
        return None
    return math.isfinite(float(tensor.detach().sum()))


def _non_finite_counts(tensor):
    """(NaN count, Inf count) of a tensor whose sum was not finite; (0, 0) when only the sum overflowed."""
    return int(torch.isnan(tensor).sum()), int(torch.isinf(tensor).sum())


def _check_op(locator, func, out, args, kwargs, caller):
    try:
        finite = _finite_sum(out)
    except Exception:
        return
    if finite is None:
        return
    if out.grad_fn is not None and getattr(func, "__name__", None) in RISKY_BACKWARD:
        locator.note_forward_site(out, caller)
    if finite:
        return
    nan, inf = _non_finite_counts(out)
    if (nan or inf) and _values_finite(args, kwargs):
        locator.forward_origin(caller, nan, inf, out.numel())


def _made_by_module(module, output, args, kwargs):
    """(NaN count, Inf count, size) when a library module called from the user's code returned NaN/Inf from finite
    inputs and finite parameters; else None."""
    nan = inf = size = 0
    try:
        for tensor in _tensors(output):
            finite = _finite_sum(tensor)
            if finite is None:
                continue
            size += tensor.numel()
            if not finite:
                counts = _non_finite_counts(tensor)
                nan, inf = nan + counts[0], inf + counts[1]
        if not (nan or inf):
            return None
        with torch.no_grad():
            owned = list(module.parameters()) + list(module.buffers())
        if not (_values_finite(args, kwargs) and _values_finite(owned, None)):
            return None
    except Exception:
        return None
    return nan, inf, size


def _tensors(value, depth=0):
    """The tensors of a module's output: a tensor, or tensors in tuples and lists (an LSTM's `(out, (h, c))`)."""
    if isinstance(value, torch.Tensor):
        yield value
    elif isinstance(value, (tuple, list)) and depth < 3:
        for item in value:
            yield from _tensors(item, depth + 1)


def _values_finite(args, kwargs):
    pending = list(args) + list((kwargs or {}).values())
    while pending:
        value = pending.pop()
        if isinstance(value, (list, tuple)):
            pending.extend(value)
        elif isinstance(value, float):
            if not math.isfinite(value):
                return False
        elif isinstance(value, torch.Tensor) and value.is_floating_point() and value.numel():
            if not bool(torch.isfinite(value).all()):
                return False
    return True
