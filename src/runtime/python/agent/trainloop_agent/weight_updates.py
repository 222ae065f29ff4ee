"""Measured update-to-weight ratios for the training panel: ‖Δw‖/‖w‖ of each parameter across the optimizer's step.

The watch calls `snapshot` after a sampled backward() (at most every SAMPLE_SECONDS); the snapshot is a copy of each
parameter's values (see tensor_reads). At the end of that batch, after the optimizer's step, `measure` compares the
parameters with the copies (‖w‖ is the copy's norm) and drops them. When the weights
did not move (a batch of gradient accumulation), it reports nothing and keeps the copies for a few more batch ends, so
a loop that steps every k-th batch is still measured.
"""
import math

from .tensor_reads import release_copies, squared_distances, value_copies

__all__ = ["WeightUpdates", "PATIENCE"]

PATIENCE = 8  # batch ends a snapshot waits for the weights to move before it is dropped


class WeightUpdates:
    def __init__(self):
        self._snapshot = None  # (names, parameters, copies)
        self._waited = 0

    def snapshot(self, names, parameters):
        """Copies the parameters (named `names`) to compare after the step."""
        self._drop()
        self._snapshot = (list(names), list(parameters), value_copies(parameters))
        self._waited = 0

    def _drop(self):
        if self._snapshot is not None:
            release_copies(self._snapshot[2])  # their memory serves the next snapshot
            self._snapshot = None

    def measure(self):
        """{name: ‖w_now − w_copy‖ / ‖w_copy‖} for each parameter that moved since the snapshot (one read-back);
        None when there is no snapshot or nothing moved."""
        if self._snapshot is None:
            return None
        names, parameters, copies = self._snapshot
        squares, sizes = squared_distances(parameters, copies)
        if not any(s != 0 for s in squares):  # not stepped (yet): wait a few batch ends, then give up
            self._waited += 1
            if self._waited >= PATIENCE:
                self._drop()
            return None
        self._drop()
        return {name: math.sqrt(s / size) for name, s, size in zip(names, squares, sizes)
                if s != 0 and size > 0 and math.isfinite(s) and math.isfinite(size)}
