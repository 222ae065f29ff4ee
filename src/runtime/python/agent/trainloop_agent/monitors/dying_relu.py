"""TL006: most units of a ReLU layer output zero for every input, so they pass no gradient and stop learning.

Rule (AUTOTRAINER's dying-ReLU threshold gamma = 0.7, utils/monitor.py, applied to activations): over a window of
WINDOW_BATCHES training forward passes, at least DEAD_FRACTION of a ReLU's units (features, or channels of images)
never output a positive value. Watched: nn.ReLU modules and F.relu calls (one layer per call site). A ReLU's outputs
are >= 0, so a unit is dead when the sum of its outputs over the window is 0: the per-unit sums stay on the engine
(or the device) between batches, and the window's count of dead units is read through the tracker's deferred reads
(at once on the CPU, with the losses on an accelerator). The first DENSE_WINDOWS windows follow each other; after them one
window in WINDOW_DUTY_CYCLE is watched (a dead layer stays dead).
"""
import torch

from ..diagnostics import user_location
from .base import Monitor

__all__ = ["DyingReluMonitor", "WINDOW_BATCHES", "DEAD_FRACTION"]

WINDOW_BATCHES = 10
DEAD_FRACTION = 0.7
DENSE_WINDOWS = 3
WINDOW_DUTY_CYCLE = 10


class _Window:
    __slots__ = ("sums", "batches", "units", "calls")

    def __init__(self):
        self.sums = None
        self.batches = 0
        self.units = 0
        self.calls = 0  # training calls of this layer so far, watched or not


class DyingReluMonitor(Monitor):
    code = "TL006"

    def __init__(self, hooks, reporter):
        super().__init__(hooks, reporter)
        self.windows = {}  # layer key -> _Window
        self.reported = set()

    def on_relu_output(self, key, module, output):
        window = self.windows.get(key)
        if window is None:
            if key in self.reported:
                return
            window = self.windows[key] = _Window()
        index = window.calls // WINDOW_BATCHES
        if index >= DENSE_WINDOWS and index % WINDOW_DUTY_CYCLE:  # between watched windows: the cheapest path
            window.calls += 1
            return
        if not torch.is_grad_enabled() or not isinstance(output, torch.Tensor) or output.dim() < 2:
            return
        window.calls += 1
        with torch.no_grad():
            out = output.detach()
            sums = out.sum(dim=tuple(d for d in range(out.dim()) if d != 1))
            if window.sums is None or window.units != sums.shape[0]:
                window.sums, window.units, window.batches = sums, sums.shape[0], 0
            else:
                window.sums = window.sums + sums
            window.batches += 1
            if window.batches < WINDOW_BATCHES:
                return
            dead = (window.sums <= 0).sum()
        units = window.units
        window.sums, window.batches = None, 0
        location, batch = user_location(), self.reporter.current_batch()
        self.hooks.tracker.reads.later(
            [dead], lambda values: self._judge(key, module, int(values[0]), units, location, batch))

    def _judge(self, key, module, dead, units, location, batch):
        if key in self.reported or units == 0 or dead / units < DEAD_FRACTION:
            return
        self.reported.add(key)
        self.windows.pop(key, None)
        layer = self._layer_name(key, module)
        evidence = {
            "layer": layer,
            "dead_units": dead,
            "units": units,
            "window_batches": WINDOW_BATCHES,
            "rule": f">= {DEAD_FRACTION:.0%} of units never positive over {WINDOW_BATCHES} batches (AUTOTRAINER)",
        }
        self.report(location, evidence=evidence, cause=key if isinstance(key, tuple) else id(key),
                    percent=round(100 * dead / units), layer=layer, batch=batch, dead=dead, units=units,
                    window=WINDOW_BATCHES)

    def _layer_name(self, key, module):
        """`ReLU 'model.relu1'`, or `F.relu (forward():12)` for a call site: names and numbers, in any language."""
        if isinstance(key, tuple):  # F.relu call site
            code, line = key
            return f"F.relu ({code.co_name}():{line})"
        return f"ReLU '{self.hooks.module_name(key)}'"
