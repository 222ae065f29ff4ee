"""One-line tensor summaries in the spirit of lovely-tensors (`tensor[64, 10] f32 n=640 x∈[-3.1, 2.9] μ=0.01 σ=0.98`).

Statistics are computed by the tensor library's own reductions on the tensor's device and fetched in one transfer, so
a summary of a 10-million-element tensor costs a few reductions, never a copy of the elements into Python (nor, on a
GPU, more than one sync). Under real PyTorch they are computed in float32 for float16/bfloat16 (no "not implemented
for 'Half'", no overflow of their sums), float64 for float64 and integers; complex tensors are described by their
magnitudes, sparse ones by their stored values. A tensor of at most ten elements is read back whole, once.
"""
import math

import torch

from .tensor_reads import ENGINE

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
    if isinstance(value, complex):
        imaginary = format_number(abs(value.imag))
        return f"{format_number(value.real)}{'-' if value.imag < 0 else '+'}{imaginary}j"
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
    """What a summary says about a tensor's values: count, range, mean, spread and non-finite counts. `of` is "x", or
    "|x|" when the statistics describe magnitudes (complex tensors); `note` says what the statistics leave out (a
    sparse tensor's zeros); `values` holds the elements of a small tensor (read in the same transfer)."""

    __slots__ = ("n", "min", "max", "mean", "std", "nan", "pos_inf", "neg_inf", "true", "error", "of", "note", "values")

    def __init__(self, n):
        self.n = n
        self.min = self.max = self.mean = self.std = None
        self.nan = self.pos_inf = self.neg_inf = 0
        self.true = None
        self.error = None
        self.of = "x"
        self.note = None
        self.values = None

    @property
    def finite(self):
        return self.n - self.nan - self.pos_inf - self.neg_inf

    @property
    def all_zeros(self):
        return self.finite == self.n and self.n > 0 and self.min == 0 and self.max == 0 and self.note is None

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
    """Statistics of a tensor's values, computed as reductions on its own device (one transfer)."""
    try:
        n = t.numel()
    except Exception as error:
        n = 0
        stats = TensorStats(n)
        stats.error = f"{type(error).__name__}: {error}"
        return stats
    stats = TensorStats(n)
    try:
        return _measure(t, n, stats)
    except Exception as error:  # a summary must never break the Variables view
        stats.error = f"{type(error).__name__}: {error}"
        return stats


# Tensors up to this many elements are read back whole (their values are shown too) and described in Python.
_READ_WHOLE_UP_TO = _SHOW_VALUES_UP_TO


def _measure(t, n, stats):
    with torch.no_grad():
        x = t.detach()
        device = getattr(getattr(x, "device", None), "type", "cpu")
        if device == "meta":
            raise ValueError("a meta tensor has no values")
        if getattr(x, "is_quantized", False):
            x = x.dequantize()
        if getattr(x, "is_sparse", False) or str(getattr(x, "layout", "")).startswith("torch.sparse"):
            x = _stored_values(x, stats)
            n = x.numel()
        if n == 0:
            return stats
        if x.dtype == torch.bool:
            if n <= _READ_WHOLE_UP_TO:
                stats.values = x.reshape(-1).tolist()
                stats.true = sum(1 for v in stats.values if v)
            else:
                stats.true = int(x.sum().item())
            return stats
        integral = not x.is_floating_point() and not x.is_complex()
        if n <= _READ_WHOLE_UP_TO:
            return _stats_of_values(x.reshape(-1).tolist(), stats, integral, x.is_complex())
        if ENGINE is not None:
            return _engine_stats(x, n, stats, integral)
        return _device_stats(x, stats, integral)


def _stored_values(x, stats):
    """A sparse tensor's stored values (its zeros left out of the statistics, and said so)."""
    if getattr(x, "is_sparse", False):
        x = x.coalesce()
    values = x.values()
    stats.note = f"{str(x.layout).replace('torch.', '')} nnz={values.numel()} (statistics of the stored values)"
    return values


def _stats_of_values(values, stats, integral, complex_):
    """Statistics of a small tensor's elements, read back whole (the summary shows them too)."""
    stats.values = values
    if complex_:
        stats.of = "|x|"
        values = [abs(v) for v in values]
    nan = [v for v in values if v != v]
    stats.nan = len(nan)
    stats.pos_inf = sum(1 for v in values if v == math.inf)
    stats.neg_inf = sum(1 for v in values if v == -math.inf)
    kept = [v for v in values if v == v and v not in (math.inf, -math.inf)]
    if kept:
        mean = math.fsum(kept) / len(kept)
        variance = math.fsum((v - mean) ** 2 for v in kept) / (len(kept) - 1) if len(kept) > 1 else 0.0
        stats.min, stats.max, stats.mean, stats.std = min(kept), max(kept), mean, math.sqrt(variance)
        if not integral:
            stats.min, stats.max = float(stats.min), float(stats.max)
    return stats


def _compute_dtype(x):
    """float32 for float16/bfloat16/float32 (no 'not implemented for Half', no overflow), float64 for float64 and for
    integers (exact up to 2^53), float32 where the device has no float64 (MPS)."""
    if x.dtype == torch.float64 or (not x.is_floating_point() and x.device.type != "mps"):
        return torch.float64
    return torch.float32


def _device_stats(x, stats, integral):
    """Real PyTorch: reductions on the tensor's device, one transfer. On the CPU: min and max, the sum and the norm
    (no temporary tensor); a second pass only for a spread tiny next to the mean (measured centred) or for NaN and
    ±Inf (reading costs no sync there). On an accelerator every count and the centred spread come in the one
    transfer."""
    if x.is_complex():
        stats.of = "|x|"
        x = x.abs()
    flat = x.reshape(-1)
    n = flat.numel()
    dtype = _compute_dtype(x)
    if flat.device.type == "cpu":
        low, high, total, norm = torch.stack(_moments(flat, dtype)).tolist()
        if all(math.isfinite(v) for v in (low, high, total, norm)):
            mean = total / n
            variance = max(norm * norm - n * mean * mean, 0.0) / max(n - 1, 1)
            if variance < 1e-2 * mean * mean:  # the one-pass formula loses a tiny spread next to the mean
                variance = _centred_squares(flat, dtype, mean).item() / max(n - 1, 1)
            return _set(stats, low, high, mean, variance, integral)
    nan, pos_inf, finite_count, low, high, mean, variance = torch.stack(_finite_moments(flat, dtype)).tolist()
    stats.nan, stats.pos_inf = int(nan), int(pos_inf)
    stats.neg_inf = n - int(finite_count) - stats.nan - stats.pos_inf
    if finite_count:
        _set(stats, low, high, mean, variance if finite_count > 1 else 0.0, integral)
    return stats


# Conversions and centred values go through chunks of this many elements in one reused buffer: a temporary the size
# of a 10^7-element tensor costs more (fresh pages from the OS) than all the reductions over it.
_CHUNK = 1 << 20


def _chunks(flat, dtype):
    """Each chunk of `flat`'s values in `dtype`, in one buffer reused from chunk to chunk."""
    buffer = torch.empty(min(flat.numel(), _CHUNK), dtype=dtype, device=flat.device)
    for chunk in flat.split(_CHUNK):
        part = buffer[:chunk.numel()]
        part.copy_(chunk)
        yield part


def _moments(flat, dtype):
    """[min, max, sum, L2 norm] as tensors on the device (torch's cascade sums: accurate over 10^7 float32 values)."""
    if flat.dtype == dtype:
        low, high = torch.aminmax(flat)
        return [low, high, flat.sum(), torch.linalg.vector_norm(flat)]
    lows, highs, sums, squares = [], [], [], []
    for part in _chunks(flat, dtype):
        low, high = torch.aminmax(part)
        lows.append(low)
        highs.append(high)
        sums.append(part.sum())
        squares.append(torch.linalg.vector_norm(part).square())
    return [torch.stack(lows).amin(), torch.stack(highs).amax(), torch.stack(sums).sum(), torch.stack(squares).sum().sqrt()]


def _centred_squares(flat, dtype, mean):
    """Σ (x − mean)² as a tensor on the device (`mean` a number or a tensor)."""
    squares = []
    for part in _chunks(flat, dtype):
        part.sub_(mean)
        squares.append(torch.dot(part, part))
    return torch.stack(squares).sum()


def _finite_moments(flat, dtype):
    """[NaN count, +inf count, finite count, min, max, mean, variance of the finite values] as tensors on the device."""
    inf = math.inf
    nans, pos_infs, kept, lows, highs, sums = [], [], [], [], [], []
    for part in _chunks(flat, dtype):
        finite = torch.isfinite(part)
        nans.append(torch.isnan(part).sum())
        pos_infs.append((part == inf).sum())
        kept.append(finite.sum())
        outside = ~finite
        lows.append(part.masked_fill(outside, inf).amin())
        highs.append(part.masked_fill(outside, -inf).amax())
        sums.append(part.masked_fill_(outside, 0).sum())
    count = torch.stack(kept).sum()
    mean = torch.stack(sums).sum() / count.clamp(min=1)
    squares = []
    for part in _chunks(flat, dtype):
        outside = ~torch.isfinite(part)
        part.sub_(mean).masked_fill_(outside, 0)
        squares.append(torch.dot(part, part))
    variance = torch.stack(squares).sum() / (count - 1).clamp(min=1)
    return [torch.stack(nans).sum().to(dtype), torch.stack(pos_infs).sum().to(dtype), count.to(dtype),
            torch.stack(lows).amin(), torch.stack(highs).amax(), mean, variance]


def _set(stats, low, high, mean, variance, integral):
    stats.min, stats.max, stats.mean, stats.std = low, high, mean, math.sqrt(max(variance, 0.0))
    if integral:
        stats.min, stats.max = int(low), int(high)
    return stats


def _engine_stats(x, n, stats, integral):
    """The embedded runtime: a few reductions of the TensorFlow.js engine, one transfer (a second for the spread when
    it is tiny next to the mean, or for NaN and ±Inf)."""
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
    """The embedded runtime's slow path, only for tensors holding NaN or ±Inf: counts them and describes the finite
    values."""
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


def _values_text(values):
    return "[" + ", ".join(format_number(v) for v in values) + "]"


def scalar_text(t):
    """The value of a 0-dim tensor as a summary shows it (one transfer), or why it cannot be shown."""
    try:
        return format_number(t.detach().item())
    except Exception as error:  # a meta tensor, a broken device: the summary still shows the rest
        return f"(no value: {type(error).__name__}: {error})"


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
    if stats.note:
        parts.append(stats.note)
    if stats.true is not None:
        parts.append(f"true={stats.true}")
    elif stats.min is not None and not stats.all_zeros:  # all zeros: the flag says it all
        parts.append(f"{stats.of}∈[{format_number(stats.min)}, {format_number(stats.max)}]")
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
        parts.append(scalar_text(t))
    else:
        stats = stats_of(t)
        parts.append(f"n={stats.n}")
        if stats.n == 0:
            parts.append("empty")
        else:
            text = values_text(stats)
            if text:
                parts.append(text)
            if stats.values is not None and stats.note is None:
                parts.append("x=" + _values_text(stats.values))
    grad = grad_text(t, stats_of)
    if grad:
        parts.append(grad)
    return " ".join(parts)
