"""Counting and ranking ops built from the engine's ops: bincount, histc, searchsorted, bucketize and quantile, with
PyTorch's results, dtypes and errors. bincount, histc and searchsorted have no gradient (nor in PyTorch); quantile's
flows through sort and the interpolation."""
import math

from ._dtype import float32, float64, int32, int64, bool_, dtype_word
from . import _tensor as _t

__all__ = ["install", "searchsorted", "bucketize"]


def _torch():
    import torch  # the package imports this module while it loads
    return torch


def _bincount(self, weights=None, minlength=0):
    torch = _torch()
    if self.dim() != 1 or self.is_floating_point() or self.dtype == bool_:
        raise RuntimeError("bincount only supports 1-d non-negative integral inputs.")
    if minlength < 0:
        raise RuntimeError("minlength should be >= 0")
    if weights is not None and (weights.dim() != 1 or weights.shape[0] != self.shape[0]):
        raise RuntimeError("weights should be 1-d and have the same length as input")
    count = self.numel()
    if count and int(self.min()) < 0:
        raise RuntimeError("bincount only supports 1-d non-negative integral inputs.")
    size = max(int(minlength), int(self.max()) + 1 if count else 0)
    index = self.long()
    if weights is None:
        return torch.zeros(size, dtype=int64).scatter_add_(0, index, torch.ones(count, dtype=int64))
    dtype = float32 if weights.dtype == float32 else float64
    return torch.zeros(size, dtype=dtype).scatter_add_(0, index, weights.detach().to(dtype))


def _histc(self, bins=100, min=0, max=0):
    torch = _torch()
    if not self.is_floating_point():
        raise RuntimeError(f"\"histogram_cpu\" not implemented for '{dtype_word(self.dtype)}'")
    if bins <= 0:
        raise RuntimeError("torch.histc(): bins must be > 0")
    values = self.detach().reshape(-1)
    low, high = float(min), float(max)
    if low == high and values.numel():
        low, high = float(values.min()), float(values.max())
    if low == high:
        low, high = low - 1, high + 1
    if not (math.isfinite(low) and math.isfinite(high)):
        raise RuntimeError(f"torch.histc(): range of [{low:g}, {high:g}] is not finite")
    if low > high:
        raise RuntimeError("torch.histc(): max must be larger than min")
    inside = values[(values >= low) & (values <= high)]
    # As PyTorch computes the bin, in the input's precision: (x − low) · bins / (high − low); high goes in the last.
    low_t, high_t = torch.tensor(low, dtype=self.dtype), torch.tensor(high, dtype=self.dtype)
    position = ((inside - low_t) * bins / (high_t - low_t)).long().clamp(0, bins - 1)
    return torch.zeros(bins, dtype=self.dtype).scatter_add_(0, position, torch.ones(inside.numel(), dtype=self.dtype))


def searchsorted(sorted_sequence, input, *, out_int32=False, right=False, side=None, sorter=None, out=None):
    """For each value, how many elements of the (last dimension of the) sorted sequence come before it: those below
    it, or with right=True (side="right") those not above it."""
    torch = _torch()
    if side not in (None, "left", "right"):
        raise RuntimeError(f"torch.searchsorted(): side can only be 'left' or 'right' but got {side}")
    if side == "left" and right:
        raise RuntimeError("torch.searchsorted(): side and right can't be set to opposites, got side of left while "
                           "right was True")
    right = right or side == "right"
    sequence = sorted_sequence if sorter is None else sorted_sequence.gather(-1, sorter)
    values = input if isinstance(input, _t.Tensor) else torch.tensor(input, dtype=sequence.dtype)
    if sequence.dim() == 1:
        before = values.unsqueeze(-1) >= sequence if right else values.unsqueeze(-1) > sequence
    else:
        if values.dim() != sequence.dim() or tuple(values.shape[:-1]) != tuple(sequence.shape[:-1]):
            raise RuntimeError("torch.searchsorted(): boundaries tensor should be 1 dimension or the first N-1 "
                               "dimensions of boundaries tensor and input value tensor must match, but we got "
                               f"boundaries tensor {list(sequence.shape)} and input value tensor {list(values.shape)}")
        pairs = (values.unsqueeze(-1), sequence.unsqueeze(-2))
        before = pairs[0] >= pairs[1] if right else pairs[0] > pairs[1]
    found = before.sum(-1)
    return found.to(int32) if out_int32 else found


def bucketize(input, boundaries, *, out_int32=False, right=False, out=None):
    """The bucket of each value among 1-d sorted boundaries (searchsorted with the sequence and values swapped)."""
    if boundaries.dim() != 1:
        raise RuntimeError(f"boundaries tensor must be 1 dimension, but got dim({boundaries.dim()})")
    return searchsorted(boundaries, input, out_int32=out_int32, right=right)


def _quantile(self, q, dim=None, keepdim=False, *, interpolation="linear"):
    torch = _torch()
    if not self.is_floating_point():
        raise RuntimeError("quantile() input tensor must be either float or double dtype")
    if interpolation not in ("linear", "lower", "higher", "midpoint", "nearest"):
        raise RuntimeError("quantile() interpolation must be one of linear, lower, higher, midpoint or nearest. "
                           f"Got {interpolation}")
    many = isinstance(q, _t.Tensor) and q.dim() == 1
    if isinstance(q, _t.Tensor) and q.dim() > 1:
        raise RuntimeError("quantile() q must be a scalar or 1D tensor")
    fractions = q.tolist() if many else [float(q)]
    for fraction in fractions:
        if not 0 <= fraction <= 1:
            raise RuntimeError(f"quantile() q must be in the range [0, 1] but got {fraction:g}")
    values = self.reshape(-1) if dim is None else self
    axis = 0 if dim is None else dim % max(self.dim(), 1)
    count = values.shape[axis] if values.dim() else 1
    if count == 0:
        raise RuntimeError("quantile() input tensor must be non-empty")
    ordered = values.sort(axis).values if values.dim() else values.reshape(1)
    has_nan = torch.isnan(ordered).any(axis, keepdim=True)
    picked = []
    for fraction in fractions:
        rank = fraction * (count - 1)
        below, above = math.floor(rank), math.ceil(rank)
        if interpolation == "nearest":
            below = above = round(rank)  # half to even, as PyTorch rounds
        low, high = ordered.narrow(axis, below, 1), ordered.narrow(axis, above, 1)
        if interpolation in ("lower", "nearest"):
            result = low
        elif interpolation == "higher":
            result = high
        elif interpolation == "midpoint":
            result = (low + high) / 2
        else:
            result = torch.lerp(low, high, rank - below)
        picked.append(torch.where(has_nan, torch.full_like(result, float("nan")), result))
    shaped = []
    for result in picked:  # one kept dimension at `axis` (the flattened input's when dim is None)
        if dim is None:
            result = result.reshape([1] * self.dim()) if keepdim else result.reshape(())
        elif not keepdim:
            result = result.squeeze(axis)
        shaped.append(result)
    return torch.stack(shaped) if many else shaped[0]


def install(Tensor):
    Tensor.bincount = _bincount
    Tensor.histc = _histc
    Tensor.quantile = _quantile
