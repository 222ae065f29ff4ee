"""Spaces the training watch's measurements so that they cost at most a fixed share of the run's time."""
import time

__all__ = ["SamplingBudget"]


class SamplingBudget:
    """A measurement is due at most every `min_interval` seconds, and after one that took t seconds the next waits
    until t / `share` seconds after its start: a model whose measurements are slow is measured less often."""

    def __init__(self, min_interval, share):
        self.min_interval = min_interval
        self.share = share
        self._next = 0.0

    def due(self):
        return time.monotonic() >= self._next

    def spent(self, started, seconds):
        """Records that the measurement begun at `started` (time.monotonic()) has taken `seconds` so far."""
        self._next = started + max(self.min_interval, seconds / self.share)
