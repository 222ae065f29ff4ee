"""How the agent reads tensors back: sums of squares (for norms), copies to compare after the optimizer's step (for
‖Δw‖), and small values (losses, counts) read later, many at once.

Under the embedded runtime the engine reads the values back and counts them in JavaScript: no tensor ops, so measuring
adds nothing to the run's tensors or the backend's memory. The embedded host injects that engine as
`_trainloop_host.engine` (the agent never imports the shim's private modules); without it (real PyTorch, the native
runtime) a few tensor ops per tensor, on the tensors' own device, and one read-back in all.

On an accelerator a read-back waits for every queued kernel (a device sync): values needed every batch (the loss) wait
in DeferredReads on their device and are read back together, a few times a second, in one transfer.
"""
import time

import torch

try:
    import _trainloop_host
except ImportError:  # the agent's modules used without a host (a test of one of them)
    _trainloop_host = None

ENGINE = getattr(_trainloop_host, "engine", None)  # the embedded runtime's engine, or None under real PyTorch

__all__ = ["ENGINE", "DeferredReads", "as_float", "kept_copies", "read_floats", "reads_sync", "release_copies",
           "squared_sum", "squared_sums", "squared_distances", "value_copies"]

# Set by tests (run_on_real_torch.py --defer-reads) to take the accelerator path on a CPU-only machine.
DEFER_CPU_READS = False


def reads_sync(tensor):
    """Whether reading this tensor's values in Python waits for its device (anything but the CPU)."""
    return DEFER_CPU_READS or tensor.device.type != "cpu"


def as_float(tensor):
    """The tensor's values in a dtype whose arithmetic neither overflows nor lacks kernels: float16 and bfloat16 (and
    integers, bools) in float32, float64 as it is, complex numbers as their magnitudes."""
    x = tensor.detach()
    if x.is_complex():
        x = x.abs()
    if x.dtype not in (torch.float32, torch.float64):
        x = x.float()
    return x


def read_floats(tensors):
    """The values of one-element tensors as Python floats, in one transfer (stacked on the first one's device)."""
    if not tensors:
        return []
    device = tensors[0].device
    dtype = torch.float32 if device.type == "mps" else torch.float64  # MPS has no float64
    with torch.no_grad():
        column = torch.stack([t.detach().reshape(()).to(device=device, dtype=dtype) for t in tensors])
    return column.tolist()


def squared_sums(tensors, scale=None):
    """[Σ (v / scale)² of each tensor] as floats (NaN or inf when it holds a non-finite value). `scale` (a one-element
    tensor or a number; GradScaler's) divides the values before they are squared, so that large scaled gradients do
    not overflow float32."""
    if not tensors:
        return []
    if ENGINE is not None:
        sums = ENGINE.squared_sums([t._h for t in tensors]).to_py()
        if scale is None:
            return sums
        divisor = float(scale.item() if isinstance(scale, torch.Tensor) else scale) ** 2
        return [s / divisor for s in sums]
    with torch.no_grad():
        if scale is None:
            return read_floats([squared_sum(t) for t in tensors])
        inverse = [1.0 / (scale.detach().double() if isinstance(scale, torch.Tensor) else float(scale))]
        return read_floats([_divided(as_float(t), inverse).pow(2).sum() for t in tensors])


def squared_sum(tensor):
    """Σ v² of the tensor as a one-element tensor on its device. A dot product of the values with themselves reduces
    them where they are: `x.pow(2).sum()` would first make a squared copy of the whole tensor, and on a CPU a fresh
    allocation that large costs more in page faults than the sum itself (measured in the quickstart epoch: ~1 ms for a
    1.6 MB gradient's `pow(2).sum()`, against 0.03 ms for its dot product)."""
    x = tensor.detach()
    if x.layout == torch.sparse_coo:  # nn.Embedding(sparse=True)'s gradient: its values, duplicates summed
        x = x.coalesce().values()
    if x.dtype in (torch.float32, torch.float64) and x.layout == torch.strided:
        flat = x.reshape(-1)  # a view of a contiguous tensor
        return torch.dot(flat, flat)
    return as_float(x).pow(2).sum()


def _divided(x, inverse):
    """x times 1/scale, the reciprocal moved to x's device and dtype once per device."""
    factor = inverse[0]
    if isinstance(factor, torch.Tensor):
        factor = factor.to(device=x.device, dtype=x.dtype)
    return x * factor


# Copies of CPU tensors that measurements gave back are kept for the next ones, up to this many bytes in all: on a CPU
# a fresh allocation the model's size costs page faults every time (measured: ~6 ms for the quickstart's 2.7 MB of
# weights, more than half a training batch), while memory used again costs nothing. An accelerator's allocator keeps
# its memory anyway.
KEPT_COPY_BYTES = 64 << 20


class _CopyBuffers:
    def __init__(self):
        self._free = {}  # (shape, dtype) -> [tensors whose values no one needs]
        self._bytes = 0

    def copies(self, tensors):
        out = []
        with torch.no_grad():
            for t in tensors:
                value = t.detach()
                free = self._free.get((value.shape, value.dtype)) if self._free and value.device.type == "cpu" else None
                if free:
                    buffer = free.pop()
                    self._bytes -= buffer.numel() * buffer.element_size()
                    out.append(buffer.copy_(value))
                else:
                    out.append(value.clone())
        return out

    def release(self, copies):
        for c in copies:
            if not isinstance(c, torch.Tensor) or c.device.type != "cpu":
                continue
            size = c.numel() * c.element_size()
            if self._bytes + size <= KEPT_COPY_BYTES:
                self._free.setdefault((c.shape, c.dtype), []).append(c)
                self._bytes += size


_buffers = _CopyBuffers()


def kept_copies(tensors):
    """Copies of the tensors' values as tensors (on every runtime), in memory earlier copies gave back when it fits."""
    return _buffers.copies(tensors)


def release_copies(copies):
    """Gives copies from `kept_copies` or `value_copies` back when their values are no longer needed."""
    if ENGINE is None:
        _buffers.release(copies)


def value_copies(tensors):
    """Copies of the tensors' values, for `squared_distances` (under the runtime they live in JavaScript)."""
    if ENGINE is not None:
        return ENGINE.value_copies([t._h for t in tensors])
    return kept_copies(tensors)


def squared_distances(tensors, copies):
    """([Σ (v − copy)² of each tensor] against its copy from `value_copies`, [Σ copy² of each copy]): the tensors are
    read back once, the copies not at all. Under real PyTorch the copies are used up (the differences are made in
    them: no other tensor the model's size), except when every distance is 0: then they are still the tensors' values."""
    if not tensors:
        return [], []
    if ENGINE is not None:
        distances, sizes = ENGINE.squared_distances([t._h for t in tensors], copies).to_py()
        return distances, sizes
    with torch.no_grad():
        sizes = [squared_sum(c) for c in copies]  # before the copies turn into differences
        distances = []
        for t, c in zip(tensors, copies):
            value = t.detach()
            if c.dtype == value.dtype and c.shape == value.shape:
                distances.append(squared_sum(c.sub_(value)))
            else:
                distances.append(squared_sum(as_float(value) - as_float(c)))
        values = read_floats(distances + sizes)
        if not any(s != 0 for s in values[:len(tensors)]):  # all 0: c − v is 0 everywhere, so the copy is v again
            for t, c in zip(tensors, copies):
                if c.dtype == t.dtype and c.shape == t.shape:
                    c.copy_(t.detach())
    return values[:len(tensors)], values[len(tensors):]


class DeferredReads:
    """Values read back later, in order: `later(tensors, callback)` calls `callback(floats)` with the one-element
    tensors' values, at once when reading them costs no sync (CPU tensors, nothing queued before them), else at the
    next `read()` — which reads everything queued in one transfer. `due()` says when a read is owed (every
    `interval` seconds)."""

    def __init__(self, interval):
        self.interval = interval
        self._queued = []  # (tensors, callback), in the order they came
        self._last_read = time.monotonic()

    @property
    def waiting(self):
        return len(self._queued)

    def later(self, tensors, callback):
        if not self._queued and not any(reads_sync(t) for t in tensors):
            callback([float(t.item()) for t in tensors] if tensors else [])
            return
        self._queued.append((tensors, callback))

    def due(self):
        return bool(self._queued) and time.monotonic() - self._last_read >= self.interval

    def read(self):
        """Reads every queued value back (one transfer) and calls the callbacks in order."""
        self._last_read = time.monotonic()
        if not self._queued:
            return
        queued, self._queued = self._queued, []
        values = read_floats([t for tensors, _ in queued for t in tensors])
        at = 0
        for tensors, callback in queued:
            callback(values[at:at + len(tensors)])
            at += len(tensors)
