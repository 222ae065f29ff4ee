"""What every detector shares: its code, the hooks it listens to, one report per cause, and switching itself off."""
from ..diagnostics import render_message, user_location

__all__ = ["Monitor"]

# Where the batch is unknown (no training loop), the sentence says so instead of "batch ?".
_NO_BATCH = ((" at batch ?", " outside a training loop"), ("at batch ? ", "outside a training loop "),
             (" up to batch ?", ""))


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

    def report(self, location=None, evidence=None, cause=None, template=None, **values):
        """Emits the diagnostic once per cause. `template` names the wording (diagnostics.MESSAGE_TEMPLATES: the code,
        or `code.variant`); `values` fill it, names and numbers only (`batch` defaults to the current one)."""
        if location is None:
            location = user_location()
        template = template or self.code
        batch = values.get("batch")
        if batch is None:
            batch = self.reporter.current_batch()  # the tracker's index, from 0, or None
        number = None if batch is None else batch + 1  # as users count: batch 1 is the first
        values["batch"] = "?" if number is None else number
        message = render_message(template, **values)
        if number is None:
            for unknown, known in _NO_BATCH:
                message = message.replace(unknown, known)
        return self.reporter.report(
            self.code,
            location,
            message,
            evidence=evidence,
            cause=cause,
            batch=number,
            template=template,
            values=values,
        )
