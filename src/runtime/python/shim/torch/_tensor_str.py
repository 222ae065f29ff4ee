"""How tensors print: `repr(t)`, `str(t)` and `print(t)` give PyTorch's text, character for character.

The rules PyTorch follows (and users know from its output): up to `threshold` elements print in full, larger
tensors show `edgeitems` rows and columns at each end with `...` between; floats print with `precision` digits
after the point, switching to scientific notation when the largest and smallest non-zero magnitudes are far apart
(ratio > 1000, largest > 1e8, or a fraction below 1e-4); floats that are all whole numbers print as `1.`; every
element is padded to the widest one so columns line up, and rows wrap at `linewidth`. Then come the suffixes a
reader needs: a dtype other than float32/int64/bool, the grad_fn, or requires_grad.

All values come from one engine call (only the printed corner of a large tensor is read).
"""
import math

from ._engine import E, call

__all__ = ["set_printoptions", "get_printoptions", "printoptions", "tensor_repr", "PRINT_OPTS"]


class _PrintOptions:
    precision = 4
    threshold = 1000
    edgeitems = 3
    linewidth = 80
    sci_mode = None


PRINT_OPTS = _PrintOptions()

_PROFILES = {
    "default": dict(precision=4, threshold=1000, edgeitems=3, linewidth=80),
    "short": dict(precision=2, threshold=1000, edgeitems=2, linewidth=80),
    "full": dict(precision=4, threshold=math.inf, edgeitems=3, linewidth=80),
}


def set_printoptions(precision=None, threshold=None, edgeitems=None, linewidth=None, profile=None, sci_mode=None):
    """torch.set_printoptions: options left as None keep their value, except sci_mode (None means automatic)."""
    if profile is not None:
        if profile not in _PROFILES:
            raise ValueError(f"unknown print profile {profile!r} (expected 'default', 'short' or 'full')")
        for name, value in _PROFILES[profile].items():
            setattr(PRINT_OPTS, name, value)
    if precision is not None:
        PRINT_OPTS.precision = precision
    if threshold is not None:
        PRINT_OPTS.threshold = threshold
    if edgeitems is not None:
        PRINT_OPTS.edgeitems = edgeitems
    if linewidth is not None:
        PRINT_OPTS.linewidth = linewidth
    PRINT_OPTS.sci_mode = sci_mode


def get_printoptions():
    return {name: getattr(PRINT_OPTS, name) for name in ("precision", "threshold", "edgeitems", "linewidth", "sci_mode")}


class printoptions:
    """Context manager: print options inside a `with` block."""

    def __init__(self, **kwargs):
        self._options = kwargs

    def __enter__(self):
        self._saved = get_printoptions()
        set_printoptions(**self._options)

    def __exit__(self, *exc):
        set_printoptions(**self._saved)
        return False


class _ElementFormat:
    """The one format every element of a tensor is printed with, chosen from the elements that will be shown."""

    def __init__(self, values, floating):
        self.floating = floating
        self.int_mode = True
        self.sci_mode = False
        self.width = 1
        precision = PRINT_OPTS.precision
        if not floating:
            for v in values:
                self.width = max(self.width, len(str(v)))
            return
        shown = [v for v in values if v != 0 and math.isfinite(v)]
        if not shown:
            return
        magnitudes = [abs(v) for v in shown]
        smallest, largest = min(magnitudes), max(magnitudes)
        self.int_mode = all(v == math.ceil(v) for v in shown)
        spread = largest / smallest > 1000.0 or largest > 1.0e8
        if self.int_mode:
            if spread:
                self.sci_mode = True
                self.width = max(self.width, max(len(f"{v:.{precision}e}") for v in shown))
            else:
                self.width = max(self.width, max(len(f"{v:.0f}") + 1 for v in shown))
        else:
            if spread or smallest < 1.0e-4:
                self.sci_mode = True
                self.width = max(self.width, max(len(f"{v:.{precision}e}") for v in shown))
            else:
                self.width = max(self.width, max(len(f"{v:.{precision}f}") for v in shown))
        if PRINT_OPTS.sci_mode is not None:
            self.sci_mode = PRINT_OPTS.sci_mode

    def format(self, v):
        if not self.floating:
            text = str(v)
        elif self.sci_mode:
            text = f"{v:{self.width}.{PRINT_OPTS.precision}e}"
        elif self.int_mode:
            text = f"{v:.0f}"
            if math.isfinite(v):
                text += "."
        else:
            text = f"{v:.{PRINT_OPTS.precision}f}"
        return " " * (self.width - len(text)) + text


def _values(t, summarize):
    """The elements to print, flat, as Python numbers (only the edges of each long dimension when summarizing)."""
    handle = t._h
    if summarize:
        raw = call(E.summary_values, handle, PRINT_OPTS.edgeitems)
    else:
        raw = call(E.values, handle)
    values = raw.to_py().tolist()
    dtype = t.dtype
    if dtype._name == "bool":
        return [bool(v) for v in values]
    if dtype.is_floating_point:
        return [float(v) for v in values]
    return values


def _render(values, shape, summarize, fmt, indent):
    """The bracketed text of a tensor with at least one dimension, laid out as PyTorch lays it out."""
    edge = PRINT_OPTS.edgeitems
    shown = [2 * edge if summarize and d > 2 * edge else d for d in shape]
    ndim = len(shape)
    strides = [1] * ndim
    for d in range(ndim - 2, -1, -1):
        strides[d] = strides[d + 1] * shown[d + 1]

    def block(level, offset, indent):
        cut = summarize and shape[level] > 2 * edge
        if level == ndim - 1:
            if summarize and not edge:
                items = ["..."]
            else:
                items = [fmt.format(values[offset + i]) for i in range(shown[level])]
                if cut:
                    items = items[:edge] + [" ..."] + items[edge:]
            per_line = max(1, int(math.floor((PRINT_OPTS.linewidth - indent) / (fmt.width + 2))))
            lines = [", ".join(items[i:i + per_line]) for i in range(0, len(items), per_line)]
            return "[" + ("," + "\n" + " " * (indent + 1)).join(lines) + "]"
        parts = [block(level + 1, offset + i * strides[level], indent + 1) for i in range(shown[level])]
        if cut:
            parts = parts[:edge] + ["..."] + parts[edge:]
        separator = "," + "\n" * (ndim - level - 1) + " " * (indent + 1)
        return "[" + separator.join(parts) + "]"

    return block(0, 0, indent)


def _contents(t, indent):
    """The tensor's values as text (without prefix and suffixes)."""
    shape = tuple(t.shape)
    numel = 1
    for d in shape:
        numel *= d
    if numel == 0:
        return "[]"
    summarize = numel > PRINT_OPTS.threshold
    values = _values(t, summarize)
    fmt = _ElementFormat(values, t.dtype.is_floating_point)
    if not shape:
        return fmt.format(values[0])
    return _render(values, shape, summarize, fmt, indent)


def _with_suffixes(text, suffixes, indent):
    """Appends `, suffix` items, starting a new indented line where the line would pass the line width."""
    pieces = [text]
    line_length = len(text) - text.rfind("\n") + 1
    for suffix in suffixes:
        if line_length + len(suffix) + 2 > PRINT_OPTS.linewidth:
            pieces.append(",\n" + " " * indent + suffix)
            line_length = indent + len(suffix)
        else:
            pieces.append(", " + suffix)
            line_length += len(suffix) + 2
    pieces.append(")")
    return "".join(pieces)


def tensor_repr(t, tensor_contents=None):
    kind = type(t)
    name = kind.__name__
    from ._tensor import Tensor

    prefix = "tensor(" if kind is Tensor or name == "Parameter" else f"{name}("
    indent = len(prefix)
    dtype = t.dtype
    shape = tuple(t.shape)
    numel = 1
    for d in shape:
        numel *= d
    suffixes = []
    if numel == 0:
        if len(shape) != 1:
            suffixes.append("size=" + str(shape))
        if dtype._name != "float32":
            suffixes.append("dtype=" + repr(dtype))
        text = tensor_contents if tensor_contents is not None else "[]"
    else:
        if not PRINT_OPTS.edgeitems:
            suffixes.append("size=" + str(shape))
        if dtype._name not in ("float32", "int64", "bool"):
            suffixes.append("dtype=" + repr(dtype))
        text = tensor_contents if tensor_contents is not None else _contents(t, indent)
    grad_fn = E.grad_fn_name(t._h)
    if grad_fn is not None:
        suffixes.append(f"grad_fn=<{grad_fn}>")
    elif E.requires_grad(t._h):
        suffixes.append("requires_grad=True")
    return _with_suffixes(prefix + text, suffixes, indent)
