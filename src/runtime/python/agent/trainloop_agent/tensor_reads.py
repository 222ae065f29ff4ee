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

__all__ = ["ENGINE", "DeferredReads", "as_float", "read_floats", "reads_sync", "squared_sums", "squared_distances",
           "value_copies"]

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
            return read_floats([as_float(t).pow(2).sum() for t in tensors])
        inverse = [1.0 / (scale.detach().double() if isinstance(scale, torch.Tensor) else float(scale))]
        return read_floats([_divided(as_float(t), inverse).pow(2).sum() for t in tensors])


def _divided(x, inverse):
    """x times 1/scale, the reciprocal moved to x's device and dtype once per device."""
    factor = inverse[0]
    if isinstance(factor, torch.Tensor):
        factor = factor.to(device=x.device, dtype=x.dtype)
    return x * factor


def value_copies(tensors):
    """Copies of the tensors' values, for `squared_distances` (under the runtime they live in JavaScript)."""
    if ENGINE is not None:
        return ENGINE.value_copies([t._h for t in tensors])
    with torch.no_grad():
        return [t.detach().clone() for t in tensors]


def squared_distances(tensors, copies):
    """([Σ (v − copy)² of each tensor] against its copy from `value_copies`, [Σ copy² of each copy]): the tensors are
    read back once, the copies not at all."""
    if not tensors:
        return [], []
    if ENGINE is not None:
        distances, sizes = ENGINE.squared_distances([t._h for t in tensors], copies).to_py()
        return distances, sizes
    with torch.no_grad():
        values = read_floats([as_float(t.detach() - c).pow(2).sum() for t, c in zip(tensors, copies)]
                             + [as_float(c).pow(2).sum() for c in copies])
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
