"""torch.amp (autocast, GradScaler), also reached as torch.autocast and torch.cuda.amp / torch.cpu.amp, as PyTorch
behaves on a machine without CUDA: mixed-precision training loops run unchanged and compute in float32.

PyTorch itself turns both off for CUDA when CUDA is absent, with a warning; these say the same. Where PyTorch would
really lower precision (autocast on "cpu": bfloat16 in matrix products) or scale on the CPU (GradScaler("cpu")), the
runtime stays in float32 and says so once: in float32, scaling the loss changes nothing but the risk of overflow.
"""
import functools
import sys
import warnings

__all__ = ["autocast", "GradScaler", "is_autocast_available"]
# A package in PyTorch: its submodules (torch.amp.grad_scaler, ...) import as stand-ins (see _missing_modules.py).
__path__ = []

_warned = set()


def _warn_once(message):
    """Warns once per message, at the user's line: the first caller outside this module."""
    if message in _warned:
        return
    _warned.add(message)
    level, frame = 2, sys._getframe(1)
    while frame is not None and frame.f_globals.get("__name__") == __name__:
        level, frame = level + 1, frame.f_back
    warnings.warn(message, UserWarning, stacklevel=level)


def is_autocast_available(device_type):
    return device_type == "cpu"


class autocast:
    """A context manager and decorator that leaves every op in float32."""

    def __init__(self, device_type="cuda", dtype=None, enabled=True, cache_enabled=None):
        if not isinstance(device_type, str):
            raise ValueError(f"Expected `device_type` of type `str`, got: `{type(device_type)}`")
        self.device = device_type
        self.fast_dtype = dtype
        self._enabled = False
        if enabled and device_type == "cuda":
            _warn_once("User provided device_type of 'cuda', but CUDA is not available. Disabling")
        elif enabled and device_type == "cpu":
            _warn_once("autocast on 'cpu': the Trainloop runtime computes every op in float32 (PyTorch would use "
                       "bfloat16 for some), so results match a run without autocast")
        elif enabled:
            _warn_once(f"User provided device_type of '{device_type}', but it is not available. Disabling")

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc_value, traceback):
        return False

    def __call__(self, function):
        @functools.wraps(function)
        def autocasted(*args, **kwargs):
            with self:
                return function(*args, **kwargs)

        return autocasted


class GradScaler:
    """A gradient scaler that is off: scale() returns its input, step() steps the optimizer, update() does nothing."""

    def __init__(self, device="cuda", init_scale=2.0 ** 16, growth_factor=2.0, backoff_factor=0.5,
                 growth_interval=2000, enabled=True):
        self._device = device
        self._enabled = False
        if enabled and device == "cpu":
            _warn_once("GradScaler on 'cpu': the Trainloop runtime computes in float32, where scaling the loss changes "
                       "nothing; the scaler is off")
        elif enabled:
            _warn_once(f"torch.{'cuda.' if device == 'cuda' else ''}amp.GradScaler is enabled, but CUDA is not "
                       "available.  Disabling.")

    def scale(self, outputs):
        return outputs

    def unscale_(self, optimizer):
        pass

    def step(self, optimizer, *args, **kwargs):
        return optimizer.step(*args, **kwargs)

    def update(self, new_scale=None):
        pass

    def get_scale(self):
        return 1.0

    def get_growth_factor(self):
        return 2.0

    def get_backoff_factor(self):
        return 0.5

    def get_growth_interval(self):
        return 2000

    def is_enabled(self):
        return False

    def state_dict(self):
        return {}

    def load_state_dict(self, state_dict):
        pass


class _DeviceAmp:
    """torch.cuda.amp and torch.cpu.amp: autocast bound to their device, and (for CUDA) the GradScaler."""

    def __init__(self, device_type):
        self._device_type = device_type
        self.GradScaler = functools.partial(GradScaler, device_type)

    def autocast(self, enabled=True, dtype=None, cache_enabled=True):
        return autocast(self._device_type, dtype=dtype, enabled=enabled, cache_enabled=cache_enabled)
