"""TL006: most units of a ReLU layer output zero for every input, so they pass no gradient and stop learning.

Rule (AUTOTRAINER's dying-ReLU threshold gamma = 0.7, utils/monitor.py, applied to activations): over a window of
WINDOW_BATCHES training forward passes, at least DEAD_FRACTION of a ReLU's units (features, or channels of images)
never output a positive value. Watched: nn.ReLU modules and F.relu calls (one layer per call site). The per-unit
maxima stay on the engine between batches; one read-back per window.
"""
import torch

from .base import Monitor

__all__ = ["DyingReluMonitor", "WINDOW_BATCHES", "DEAD_FRACTION"]

WINDOW_BATCHES = 10
DEAD_FRACTION = 0.7


class _Window:
    __slots__ = ("maxima", "batches", "units")

    def __init__(self):
        self.maxima = None
        self.batches = 0
        self.units = 0


class DyingReluMonitor(Monitor):
    code = "TL006"

    def __init__(self, hooks, reporter):
        super().__init__(hooks, reporter)
        self.windows = {}  # layer key -> _Window
        self.reported = set()

    def on_relu_output(self, key, module, output):
        if not torch.is_grad_enabled() or key in self.reported or not isinstance(output, torch.Tensor):
            return
        if output.dim() < 2:
            return
        with torch.no_grad():
            out = output.detach()
            dims = tuple(d for d in range(out.dim()) if d != 1)
            maxima = out.amax(dim=dims)
            window = self.windows.get(key)
            if window is None:
                window = self.windows[key] = _Window()
            if window.maxima is None or window.units != maxima.shape[0]:
                window.maxima, window.units, window.batches = maxima, maxima.shape[0], 0
            else:
                window.maxima = torch.maximum(window.maxima, maxima)
            window.batches += 1
            if window.batches < WINDOW_BATCHES:
                return
            dead = int((window.maxima <= 0).sum().item())
        units = window.units
        window.maxima, window.batches = None, 0
        if units == 0 or dead / units < DEAD_FRACTION:
            return
        self.reported.add(key)
        layer = self._layer_name(key, module)
        evidence = {
            "layer": layer,
            "dead_units": dead,
            "units": units,
            "window_batches": WINDOW_BATCHES,
            "rule": f">= {DEAD_FRACTION:.0%} of units never positive over {WINDOW_BATCHES} batches (AUTOTRAINER)",
        }
        self.report(evidence=evidence, cause=key if isinstance(key, tuple) else id(key),
                    percent=round(100 * dead / units), layer=layer)

    def _layer_name(self, key, module):
        if isinstance(key, tuple):  # F.relu call site
            code, line = key
            return f"F.relu at line {line} (in {code.co_name}())"
        return f"ReLU layer '{self.hooks.module_name(key)}'"
