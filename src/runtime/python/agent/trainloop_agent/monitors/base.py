"""What every detector shares: its code, the hooks it listens to, one report per cause, and switching itself off."""
from ..diagnostics import render_message, user_location

__all__ = ["Monitor"]


class Monitor:
    """A detector: defines `on_<event>` methods (hooks.EVENTS); calls `finish()` when there is nothing left to find."""

    code = None

    def __init__(self, hooks, reporter):
        self.hooks = hooks
        self.reporter = reporter
        self.active = True

    @property
    def name(self):
        return type(self).__name__

    def finish(self):
        """Stops listening: the monitor has reported what it looks for, or can no longer find it."""
        self.active = False
        self.hooks.unsubscribe(self)

    def report(self, location=None, evidence=None, cause=None, **values):
        """Emits the diagnostic once per cause; `values` fill the message (`batch` defaults to the current one)."""
        if location is None:
            location = user_location()
        batch = values.get("batch", self.reporter.current_batch())
        values["batch"] = "?" if batch is None else batch
        return self.reporter.report(
            self.code,
            location,
            render_message(self.code, **values),
            evidence=evidence,
            cause=cause,
            batch=batch,
        )
