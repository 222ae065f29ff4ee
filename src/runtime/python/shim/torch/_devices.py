"""The devices as a script sees them in the embedded runtime: torch.cuda, torch.mps, torch.accelerator and
torch.backends say there is no accelerator, torch.cpu is the one device, and torch.set_default_device accepts the CPU
and says clearly that there is no GPU here (the native runtime, the user's own Python and PyTorch, has theirs)."""
from . import amp
from ._dtype import device
from ._tensor import unsupported

__all__ = ["cuda", "mps", "accelerator", "backends", "cpu", "set_default_device", "get_default_device"]

# PyTorch's device types, in the order its "Expected one of ..." message lists them.
_DEVICE_TYPES = ("cpu", "cuda", "ipu", "xpu", "mkldnn", "opengl", "opencl", "ideep", "hip", "ve", "fpga", "maia", "xla",
                 "lazy", "vulkan", "mps", "meta", "hpu", "mtia", "privateuseone")
# Device types that are hardware a user may have (a GPU or another accelerator) rather than a PyTorch internal.
_ACCELERATORS = {"cuda", "mps", "xpu", "hip", "xla", "hpu", "mtia", "ipu", "maia", "vulkan", "privateuseone"}
_RUN_NATIVE = ('run the script with your own Python and PyTorch: launch attribute "runtime": "python", or '
               'trainloop run --runtime python')


class _NoDevice:
    """torch.cuda / torch.mps / torch.accelerator: the runtime has no accelerator visible to the script."""

    def is_available(self):
        return False

    def device_count(self):
        return 0

    def current_accelerator(self, check_available=False):
        return None

    def current_device(self):
        raise RuntimeError("Torch not compiled with CUDA enabled")

    def manual_seed(self, seed):
        pass

    def manual_seed_all(self, seed):
        pass

    def synchronize(self, device=None):
        pass

    def empty_cache(self):
        pass

    def is_built(self):
        return False

    def memory_allocated(self, device=None):
        return 0

    def max_memory_allocated(self, device=None):
        return 0


cuda = _NoDevice()
mps = _NoDevice()
accelerator = _NoDevice()
# Mixed precision as PyTorch runs it without CUDA: everything in float32 (see amp.py).
cuda.amp = amp._DeviceAmp("cuda")


class _Backends:
    def __init__(self):
        self.mps = _NoDevice()
        self.cuda = _NoDevice()
        self.cudnn = type("cudnn", (), {"deterministic": False, "benchmark": False, "enabled": False,
                                        "is_available": staticmethod(lambda: False)})()


backends = _Backends()


class _Cpu:
    """torch.cpu: the one device the runtime computes on."""

    amp = amp._DeviceAmp("cpu")

    @staticmethod
    def is_available():
        return True

    @staticmethod
    def device_count():
        return 1


cpu = _Cpu()

_default_device = None  # the device set_default_device was given (the CPU, with or without an index), or None


def _as_device(value):
    """A torch.device for what set_default_device accepts: a device, a string such as 'cpu' or 'cuda:0', or an index."""
    if isinstance(value, device):
        return value
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise TypeError(f"set_default_device(): argument 'device' must be torch.device, str or int, not "
                        f"{type(value).__name__}")
    if isinstance(value, int):
        return device("cuda", value)
    kind = value.partition(":")[0]
    if kind not in _DEVICE_TYPES:
        raise RuntimeError(f"Expected one of {', '.join(_DEVICE_TYPES)} device type at start of device string: {value}")
    return device(value)


def set_default_device(device):
    """Where new tensors are made. Only the CPU exists here: a GPU or another accelerator gets a message saying so."""
    global _default_device
    if device is None:
        _default_device = None
        return
    chosen = _as_device(device)
    if chosen.type == "cpu":
        _default_device = chosen
        return
    if chosen.type in _ACCELERATORS:
        raise RuntimeError(f"torch.set_default_device({str(chosen)!r}): the Trainloop embedded runtime has no GPU; "
                           f"its tensors are on the CPU. Use 'cpu', or, to train on your GPU, {_RUN_NATIVE}")
    raise unsupported(f"torch.set_default_device({str(chosen)!r}) (tensors are on the CPU)")


def get_default_device():
    """The device new tensors are made on: the CPU (with the index set_default_device was given, as PyTorch)."""
    if _default_device is not None and _default_device.index is not None:
        return _default_device
    return device("cpu")
