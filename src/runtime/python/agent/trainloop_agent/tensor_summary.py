"""One-line tensor summaries in the spirit of lovely-tensors (`tensor[64, 10] f32 n=640 x∈[-3.1, 2.9] μ=0.01 σ=0.98`).

Statistics are computed by the tensor library's own reductions and fetched in one transfer, so a summary of a
10-million-element tensor costs a few reductions, never a copy of the elements into Python.
"""
import math

import torch

__all__ = ["TensorStats", "tensor_stats", "summarize", "short_dtype", "format_number", "shape_text"]

_SHORT_DTYPES = {
    "float32": "f32", "float64": "f64", "float16": "f16", "bfloat16": "bf16", "int64": "i64", "int32": "i32",
    "int16": "i16", "int8": "i8", "uint8": "u8", "bool": "bool", "complex64": "c64", "complex128": "c128",
}

# Tensors up to this many elements also show their values.
_SHOW_VALUES_UP_TO = 10


def short_dtype(dtype):
    name = str(dtype).replace("torch.", "")
    return _SHORT_DTYPES.get(name, name)


def shape_text(shape):
    return "[" + ", ".join(str(d) for d in shape) + "]"


def format_number(value):
    """Numbers as lovely-tensors prints them: three decimals for everyday magnitudes, else scientific."""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return str(value)
    if math.isnan(value):
        return "nan"
    if math.isinf(value):
        return "+inf" if value > 0 else "-inf"
    if value == 0:
        return "0.0"
    magnitude = abs(value)
    if 1e-3 <= magnitude < 1e4:
        text = f"{value:.3f}".rstrip("0")
        return text + "0" if text.endswith(".") else text
    return f"{value:.2e}"


class TensorStats:
    """What a summary says about a tensor's values: count, range, mean, spread and non-finite counts."""

    __slots__ = ("n", "min", "max", "mean", "std", "nan", "pos_inf", "neg_inf", "true", "error")

    def __init__(self, n):
        self.n = n
        self.min = self.max = self.mean = self.std = None
        self.nan = self.pos_inf = self.neg_inf = 0
        self.true = None
        self.error = None

    @property
    def finite(self):
        return self.n - self.nan - self.pos_inf - self.neg_inf

    @property
    def all_zeros(self):
        return self.finite == self.n and self.n > 0 and self.min == 0 and self.max == 0

    def flags(self):
        flags = []
        if self.nan:
            flags.append("NaN!")
        if self.pos_inf:
            flags.append("+Inf!")
        if self.neg_inf:
            flags.append("-Inf!")
        if self.all_zeros:
            flags.append("all_zeros")
        return flags


def tensor_stats(t):
    """Statistics of a tensor's values, computed as reductions (a handful of passes, one transfer)."""
    n = t.numel()
    stats = TensorStats(n)
    try:
        return _measure(t, n, stats)
    except Exception as error:  # a summary must never break the Variables view
        stats.error = f"{type(error).__name__}: {error}"
        return stats


def _measure(t, n, stats):
    with torch.no_grad():
        x = t.detach()
        if x.dtype == torch.bool:
            stats.true = int(x.sum().item())
            return stats
        integral = not x.is_floating_point()
        if integral:
            x = x.float()
        flat = x.reshape(-1)
        low, high, total, norm = torch.cat([
            flat.amin(0, keepdim=True), flat.amax(0, keepdim=True), _sum(flat).reshape(1), flat.norm().reshape(1),
        ]).tolist()
        if not all(math.isfinite(v) for v in (low, high, total, norm)):
            return _stats_with_non_finite(x, stats, integral)
        mean = total / n
        std = 0.0
        if n > 1:
            variance = max(norm * norm - n * mean * mean, 0.0) / (n - 1)
            if variance < 1e-3 * mean * mean:
                # The one-pass formula loses the spread when it is tiny next to the mean: measure it centred.
                centred = (flat - mean).norm().item()
                variance = centred * centred / (n - 1)
            std = math.sqrt(variance)
    stats.min, stats.max, stats.mean, stats.std = low, high, mean, std
    if integral:
        stats.min, stats.max = int(low), int(high)
    return stats


# Widths for summing through a matrix product: on TensorFlow.js's wasm backend a matmul sums 10M floats about
# twice as fast as a sum reduction (both exact to float32 rounding).
_SUM_WIDTHS = (1024, 1000, 512, 500, 256, 250, 128, 100, 64, 50, 32, 25, 16, 10, 8)


def _sum(flat):
    n = flat.numel()
    if n >= 1 << 16:
        for width in _SUM_WIDTHS:
            if n % width == 0:
                return (flat.view(-1, width) @ torch.ones(width, 1, dtype=flat.dtype)).sum()
    return flat.sum()


def _stats_with_non_finite(x, stats, integral):
    """The slow path, only for tensors holding NaN or ±Inf: counts them and describes the finite values."""
    inf = float("inf")
    finite = x.isfinite()
    counts = torch.stack([x.isnan().sum(), (x == inf).sum(), (x == -inf).sum(), finite.sum()]).tolist()
    stats.nan, stats.pos_inf, stats.neg_inf = int(counts[0]), int(counts[1]), int(counts[2])
    kept = int(counts[3])
    if kept:
        zero = torch.zeros_like(x)
        total = torch.where(finite, x, zero).sum()
        mean = total / kept
        centered = torch.where(finite, x - mean, zero)
        spread = (centered * centered).sum() / max(kept - 1, 1)
        values = torch.stack([
            torch.where(finite, x, torch.full_like(x, inf)).min(),
            torch.where(finite, x, torch.full_like(x, -inf)).max(),
            mean,
            spread.sqrt(),
        ]).tolist()
        stats.min, stats.max, stats.mean, stats.std = values
        if kept == 1:
            stats.std = 0.0
    return stats


def _values_text(t):
    values = t.detach().reshape(-1).tolist()
    return "[" + ", ".join(format_number(v) for v in values) + "]"


def _grad_fn_name(t):
    grad_fn = t.grad_fn
    if grad_fn is None:
        return None
    name = getattr(grad_fn, "name", None)
    return name() if callable(name) else type(grad_fn).__name__


def values_text(stats):
    """The statistics part of a summary: `x∈[-3.1, 2.9] μ=0.01 σ=0.98`, flags included."""
    parts = []
    if stats.error is not None:
        return f"(no statistics: {stats.error})"
    if stats.true is not None:
        parts.append(f"true={stats.true}")
    elif stats.min is not None and not stats.all_zeros:  # all zeros: the flag says it all
        parts.append(f"x∈[{format_number(stats.min)}, {format_number(stats.max)}]")
        parts.append(f"μ={format_number(stats.mean)}")
        if stats.n > 1:
            parts.append(f"σ={format_number(stats.std)}")
    parts.extend(stats.flags())
    return " ".join(parts)


def grad_text(t, stats_of=tensor_stats):
    """The gradient part of a summary: `grad_fn=AddmmBackward0`, `grad=None` or the gradient's own statistics."""
    name = _grad_fn_name(t)
    if name is not None:
        return f"grad_fn={name}"
    if not t.requires_grad:
        return ""
    grad = t.grad
    if grad is None:
        return "grad=None"
    stats = stats_of(grad)
    return "grad " + values_text(stats)


def summarize(t, stats_of=tensor_stats):
    """The one-line summary of a tensor (and of its gradient state)."""
    shape = list(t.shape)
    parts = ["tensor" + (shape_text(shape) if shape else ""), short_dtype(t.dtype)]
    if not shape:
        parts.append(format_number(t.detach().item()))
    else:
        stats = stats_of(t)
        parts.append(f"n={stats.n}")
        if stats.n == 0:
            parts.append("empty")
        else:
            text = values_text(stats)
            if text:
                parts.append(text)
            if stats.n <= _SHOW_VALUES_UP_TO:
                parts.append("x=" + _values_text(t))
    grad = grad_text(t, stats_of)
    if grad:
        parts.append(grad)
    return " ".join(parts)
